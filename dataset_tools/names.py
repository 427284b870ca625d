"""How names are compared: the one normalisation every comparison of names uses.

Duplicate warnings, "did you mean" hints and searches by name all ask this module, so that
they agree on when two spellings are the same name. A name is compared in three steps:

1. Unicode NFKC (compatibility composition, `UAX #15 <https://unicode.org/reports/tr15/>`_):
   a decomposed ``é`` (``e`` + U+0301) and a precomposed one meet, and so do full-width
   letters, ligatures and the no-break space with their plain forms;
2. transliteration to ASCII with ``anyascii``, word by word (``هاكان فيدان`` → ``hakan fydan``,
   ``Türkiye`` → ``Turkiye``);
3. case folding.

Stored text is never changed by this module: it only builds keys to compare.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

_WORD = re.compile("[a-z0-9]+")


def ascii_text(text: str) -> str:
    """``text`` after NFKC, in ASCII letters (``anyascii``, word by word, cached: names share their words)."""
    text = unicodedata.normalize("NFKC", text)
    return text if text.isascii() else " ".join(map(_ascii_word, text.split(" ")))


@lru_cache(maxsize=1 << 16)
def _ascii_word(word: str) -> str:
    return anyascii(word)  # character by character, so a word's transliteration never depends on its neighbours


def comparable(text: str) -> str:
    """``text`` as names are compared: NFKC, ASCII, case-folded (``Türkiye`` → ``turkiye``)."""
    return ascii_text(text).casefold()


def slugify(text: str) -> str:
    """A name written as an id would be: ``Daesh`` → ``daesh``, ``Hakan Fidan`` → ``hakan-fidan``."""
    return "-".join(_WORD.findall(comparable(text)))
