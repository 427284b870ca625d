"""'Did you mean …?' suggestions: the closest valid value to a wrong one."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import process, utils
from rapidfuzz.distance import OSA

CUTOFF = 0.6
"""Minimum similarity (0-1) for a suggestion; below it, no suggestion beats a wrong one."""


def nearest(value: str, choices: Sequence[str], limit: int = 1) -> str | None:
    """The choice closest to ``value`` (case-insensitive), or None when nothing is close."""
    found = process.extract(  # OSA: a swap of two letters (irqa → iraq) is one edit, not two
        value,
        choices,
        scorer=OSA.normalized_similarity,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=CUTOFF,
    )
    if not found:
        return None
    return ", ".join(match for match, _score, _index in found)


def suggester(choices: Sequence[str]) -> Callable[[str], str | None]:
    """:func:`did_you_mean` for many values against one long list (the list is prepared once)."""
    prepared = [utils.default_process(choice) for choice in choices]

    def hint(value: str) -> str | None:
        found = process.extractOne(
            utils.default_process(value), prepared, scorer=OSA.normalized_similarity, score_cutoff=CUTOFF
        )
        return f"did you mean `{choices[found[2]]}`?" if found else None

    return hint


def did_you_mean(value: str, choices: Sequence[str]) -> str | None:
    """A hint such as "did you mean `isis`?", or None."""
    close = _nearest_fixed(value, choices) if isinstance(choices, tuple) else nearest(value, choices)
    return f"did you mean `{close}`?" if close else None


@lru_cache(maxsize=4096)
def _nearest_fixed(value: str, choices: tuple[str, ...]) -> str | None:
    """:func:`nearest` for a fixed list (a vocabulary): the same wrong value is often written many times."""
    return nearest(value, choices)


def ascii_text(text: str) -> str:
    """``text`` in ASCII letters (``anyascii``, word by word, cached: names share their words)."""
    return text if text.isascii() else " ".join(map(_ascii_word, text.split(" ")))


@lru_cache(maxsize=1 << 16)
def _ascii_word(word: str) -> str:
    return anyascii(word)  # character by character, so a word's transliteration never depends on its neighbours


_WORD = re.compile("[a-z0-9]+")


def slugify(text: str) -> str:
    """A name written as an id would be: ``Daesh`` → ``daesh``, ``Hakan Fidan`` → ``hakan-fidan``."""
    return "-".join(_WORD.findall(ascii_text(text).lower()))
