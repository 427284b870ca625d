"""Escaping: the one place where text from a file is made safe to print, per kind of output.

Text read from a contribution is untrusted: a name may hold a terminal escape sequence
(``ESC [ 2 J`` clears the screen), a bidi override that reorders what a reviewer sees
(`CVE-2021-42574 <https://trojansource.codes/>`_), Markdown or HTML that a pull-request
summary would render, or the ``%``, ``,``, ``:`` and line breaks that end a GitHub
workflow command early. Every command prints through these functions:

- :func:`terminal` for text output (validate, fmt, diff, migrate, release messages);
- :func:`markdown` and :func:`markdown_code` for Markdown (release notes, ``diff --format
  markdown``, the job summary);
- :func:`workflow_command` for every GitHub workflow command any command prints;
- :func:`json_text` for JSON printed to a terminal: the encoder escapes C0 controls, and
  this the rest (DEL, C1 controls, bidi and other invisible characters), as JSON ``u`` escapes.

Each also escapes a combining mark with no letter before it (:func:`stray_marks`, which the
``stray-combining-mark`` check asks too), which would otherwise sit on the quote or space
printed before it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

JOINERS = frozenset("\u200c\u200d")
"""ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER: invisible, but Persian, Kurdish and Indic
scripts need them to spell words correctly, so they are printed as they are."""

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
"""Unicode general categories never printed raw: controls (C0, DEL, C1: terminal escapes),
format characters (bidi controls, zero-width and other invisible characters), private use,
surrogates, unassigned code points, and the line and paragraph separators."""


@lru_cache(maxsize=1 << 12)
def _unsafe(character: str) -> bool:
    return character not in JOINERS and unicodedata.category(character) in _UNSAFE_CATEGORIES


@lru_cache(maxsize=1 << 12)
def _category(character: str) -> str:
    return unicodedata.category(character)


SPACE_CLASS = "\t\n\r\x0b\x0c \u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""The whitespace after which a combining mark has no letter to sit on, as a regex class body:
the ASCII whitespace controls and Unicode's Z categories (space, line and paragraph separators;
a test keeps this equal to ``unicodedata``'s), but U+00A0 NO-BREAK SPACE, on which The Unicode
Standard (§2.11, Combining Characters) shows a mark in isolation: ``"\u00a0\u0301"`` is the
acute accent spoken of as a mark."""


QUOTES = "'\""
"""What messages print around a value: a mark right after one has no letter to sit on either."""


@lru_cache(maxsize=8)
def _before_nothing(after: str) -> re.Pattern[str]:
    """A non-ASCII character at the start, after :data:`SPACE_CLASS` whitespace, or after a character of ``after``."""
    return re.compile(f"(?:^|(?<=[{SPACE_CLASS}{re.escape(after)}]))[^\\x00-\\x7f]")


def stray_marks(text: str, *, after: str = "") -> list[int]:
    """Where ``text`` holds a combining mark with no letter before it to sit on, in order.

    That is each mark of a run of marks (general category M) that starts the text or follows
    whitespace (:data:`SPACE_CLASS`) or a character of ``after`` (``;``, which starts a list
    item): The Unicode Standard calls it a defective combining character sequence (§3.6, D57).
    Linear in the text: only the characters that start a word are looked at.
    """
    return [] if text.isascii() else _mark_runs(_before_nothing(after), text)


def _mark_runs(starts: re.Pattern[str], text: str) -> list[int]:
    """The positions of the combining marks in the runs that begin where ``starts`` matches in ``text``."""
    found: list[int] = []
    for match in starts.finditer(text):
        index = match.start()
        while index < len(text) and _category(text[index]).startswith("M"):
            found.append(index)
            index += 1
    return found


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(character: str) -> str:
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def terminal(text: str, *, keep_newlines: bool = False) -> str:
    r"""``text`` with every unsafe character written as its escape (``\x1b``, ``\u202e``, ``\n``).

    Tabs too are escaped, and line breaks unless ``keep_newlines``, and a combining mark with
    no letter before it (``'\u0301Unique'``: raw, the accent would sit on the quote). Printable
    ASCII text is returned as it is (one scan).
    """
    bare = set(stray_marks(text, after=QUOTES))
    if not bare and text.isprintable():  # False for every unsafe category (and for spaces other than " ")
        return text
    return "".join(
        _shown(c) if (_unsafe(c) or c == "\t" or index in bare) and not (keep_newlines and c == "\n") else c
        for index, c in enumerate(text)
    )


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!$])")
"""Punctuation that Markdown or HTML reads as syntax inside a line (emphasis, code, links and
images, tags, entities, table cells, strike-through, math); CommonMark lets a backslash
escape each. (A list or heading marker only counts at the start of a line, where no name goes.)"""


def markdown(text: str) -> str:
    """``text`` as literal inline Markdown: one line, punctuation escaped, nothing unsafe left.

    No heading, link, image, emphasis, table cell boundary, HTML tag or entity survives:
    ``<img src=x>`` renders as that text.
    """
    one_line = " ".join(terminal(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line)


def markdown_code(text: str) -> str:
    """``text`` as one inline code span (nothing inside it is Markdown or HTML), on one line.

    The fence is one backtick longer than the longest run of backticks inside (CommonMark's
    rule), with a space either side when the text starts or ends with one; a ``|`` is escaped,
    as GitHub splits table cells on it even inside code.
    """
    one_line = " ".join(terminal(text).split()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", one_line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") or not one_line.strip() else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def workflow_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped (GitHub's own rule), then :func:`terminal`.

    Source: the runner's ``escapeData`` (actions/toolkit, ``packages/core/src/command.ts``).
    """
    return terminal(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def workflow_property(text: str) -> str:
    """A workflow command's property value: as :func:`workflow_data`, and ``:`` and ``,`` too.

    Source: the runner's ``escapeProperty`` (actions/toolkit, ``packages/core/src/command.ts``).
    """
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: object) -> str:
    """One GitHub workflow command, e.g. ``::error file=a.csv,line=3,title=…::message``.

    Properties whose value is None are left out; every value and the message are escaped.
    """
    props = ",".join(
        f"{name}={workflow_property(str(value))}" for name, value in properties.items() if value is not None
    )
    return f"::{command}{' ' + props if props else ''}::{workflow_data(message)}"


def _json_escape(character: str) -> str:
    code = ord(character)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


_JSON_BEFORE_NOTHING = re.compile(
    f"(?:^|(?<=[{SPACE_CLASS}{QUOTES}])|"
    r'(?<=\\[nrtbf"/\\])|(?<=\\u[0-9a-fA-F]{4}))[^\x00-\x7f]'
)
"""In JSON text: a non-ASCII character that starts a string, follows whitespace, or follows an escape the
encoder wrote (``\\n``, ``\\u0007``): in the value, nothing visible stands before it."""


def _json_stray_marks(encoded: str) -> list[int]:
    """:func:`stray_marks` of the strings of JSON text, as the encoder wrote them (escapes count as nothing)."""
    return _mark_runs(_JSON_BEFORE_NOTHING, encoded)


def json_text(encoded: str) -> str:
    """JSON text (from ``json.dumps(…, ensure_ascii=False)``) with every unsafe character escaped.

    The result is the same JSON value: only characters inside strings are rewritten, as
    JSON ``u`` escapes (a surrogate pair beyond the BMP). Printable text is returned as it is.
    """
    if encoded.isascii() and "\x7f" not in encoded:
        return encoded
    bare = set(_json_stray_marks(encoded))
    if not bare and encoded.replace("\n", "").isprintable():  # False for DEL and every unsafe category
        return encoded
    return "".join(
        _json_escape(c) if c != "\n" and (c == "\x7f" or _unsafe(c) or index in bare) else c
        for index, c in enumerate(encoded)
    )
