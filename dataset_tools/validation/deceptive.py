"""Text that cannot deceive: invisible and reordering characters in names, and cells a spreadsheet runs.

Two checks of every table file, the same on both validation paths:

- ``deceptive-character`` (error): a one-line text field (a name, an alias, a title, a
  publisher, …) holds a bidirectional embedding, override or isolate (U+202A–U+202E,
  U+2066–U+2069, which reorder what a reader sees: `CVE-2021-42574
  <https://trojansource.codes/>`_), or another invisible character: a zero-width space,
  a word joiner, a byte order mark, a soft hyphen, a direction mark, a tag character.
  Only ZWNJ and ZWJ (U+200C, U+200D) are allowed: Persian and Kurdish spell words with
  them. Source of the list: Unicode's Default_Ignorable_Code_Point and Bidi_Control
  properties (UAX #44), and UTS #39 §3.1 (identifier characters that are "not
  recommended" because invisible).
- ``formula-cell`` (warning): a cell starts with ``=``, ``+``, ``-`` or ``@`` (in a list,
  an item does), which a spreadsheet that opens the CSV release runs as a formula (OWASP,
  "CSV Injection"). The value may be meant; the warning asks a reviewer to look.
- ``stray-combining-mark`` (warning): a text field (or a list item, or a word of it) starts
  with a combining mark (an accent, a vowel sign: general category M), which then has no
  letter to sit on and lands on whatever is shown before it, a quote or a space. Unicode
  calls it a defective combining character sequence (The Unicode Standard, §3.6, D57).
  Most often an accent typed before its letter, or left behind when a letter was deleted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataset_tools.escape import SPACE_CLASS, stray_marks
from dataset_tools.reading import bytematch
from dataset_tools.reading.tables import TableFile
from dataset_tools.schema.models import (
    ITEM_PATTERN,
    LIST_DELIMITER,
    LONG_TEXT_PATTERN,
    TABLES,
    TEXT_PATTERN,
    columns,
)
from dataset_tools.validation.problems import Problem

INVISIBLE = (
    "\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
"""The characters ``deceptive-character`` refuses, as the body of a regex character class:
the C0 and C1 controls (an escape sequence drives a terminal; tab, LF and CR are the
pattern's business), and the Default_Ignorable_Code_Points and Bidi_Controls of Unicode,
less ZWNJ and ZWJ."""

FORMULA_STARTS = b"=+-@"
"""First characters a spreadsheet reads as the start of a formula."""
FREE_TEXT = (TEXT_PATTERN, LONG_TEXT_PATTERN, ITEM_PATTERN)
"""The patterns of free text, the only fields where a value may start so and still be valid
(an id, a date, a code or a vocabulary value that does is an error already)."""

_RANGES = [
    (ord(match[1]), ord(match[2] or match[1])) for match in re.finditer("(.)(?:-(.))?", INVISIBLE, flags=re.DOTALL)
]


def _text_columns(tf: TableFile) -> list[str]:
    """The one-line text fields of ``tf``'s table that its file has."""
    present = set(tf.data.column_names)
    return [
        column.name
        for column in columns(TABLES[tf.table])
        if column.pattern in (TEXT_PATTERN, ITEM_PATTERN) and column.name in present
    ]


REFUSED = np.zeros(0x110000, dtype=bool)
for _first, _last in _RANGES:
    REFUSED[_first : _last + 1] = True
"""Which code points :data:`INVISIBLE` holds, by code point."""
_PREFIXES = np.zeros(1 << 16, dtype=bool)
for _code in np.flatnonzero(REFUSED[0x80:]) + 0x80:
    _encoded = chr(_code).encode("utf-8", "surrogatepass")
    _PREFIXES[(_encoded[0] << 8) | _encoded[1]] = True
"""Which first two bytes of a UTF-8 sequence may start a refused character."""
_MASK = (0x7F, 0x1F, 0x0F, 0x07)
"""The bits of a UTF-8 lead byte that belong to the code point, by sequence length (1 to 4)."""
_BLOCK = 1 << 24
"""Bytes scanned at a time, so that no temporary array grows with the column."""


def refused_rows(values: pa.ChunkedArray) -> np.ndarray:
    """Rows that hold a character of :data:`INVISIBLE`, found straight from the UTF-8 bytes.

    Each non-ASCII lead byte is decoded to its code point (in NumPy, on those bytes only)
    and looked up in a table; control bytes are compared directly. One pass, no regex:
    a column of Arabic or curly quotes costs no more than one of ASCII.
    """
    found, base = [], 0
    for chunk in values.chunks:
        if len(chunk) and not chunk.null_count:
            offsets, data = bytematch.buffers(chunk)
            positions = [np.zeros(0, dtype=np.int64)]
            for begin in range(int(offsets[0]), int(offsets[-1]), _BLOCK):
                window = data[begin : min(begin + _BLOCK, int(offsets[-1]))]
                controls = np.flatnonzero((window < 0x20) | (window == 0x7F)) + begin
                ascii_hits = controls[REFUSED[data[controls]]]  # tab, LF, CR and NUL are the pattern's business
                leads = np.flatnonzero(window >= 0xC0) + begin  # UTF-8 lead bytes
                pairs = (data[leads].astype(np.int64) << 8) | np.take(data, np.minimum(leads + 1, len(data) - 1))
                leads = leads[_PREFIXES[pairs]]  # most letters (Arabic, accents, dashes) stop here
                codes = _code_points(data, leads)
                positions += [ascii_hits, leads[REFUSED[codes]]]
            hits = np.concatenate(positions)
            if len(hits):
                found.append(np.unique(np.searchsorted(offsets, hits, side="right") - 1) + base)
        base += len(chunk)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _code_points(data: np.ndarray, leads: np.ndarray) -> np.ndarray:
    """The code point each UTF-8 sequence starting at ``leads`` encodes (the text is valid UTF-8)."""
    first = data[leads].astype(np.int64)
    length = 2 + (first >= 0xE0) + (first >= 0xF0)
    codes = first & np.take(np.array(_MASK), length - 1)
    for k in (1, 2, 3):
        more = length > k
        following = np.take(data, np.minimum(leads + k, len(data) - 1)).astype(np.int64) & 0x3F
        codes = np.where(more, (codes << 6) | following, codes)
    return np.asarray(np.minimum(codes, 0x10FFFF))


def _named(character: str) -> str:
    return f"U+{ord(character):04X} {unicodedata.name(character, 'a control character')}"


def deceptive_characters(tf: TableFile) -> Iterator[Problem]:
    """``deceptive-character`` errors: names and other one-line text with invisible or reordering characters."""
    for name in _text_columns(tf):
        values = tf.data.column(name)
        rows = refused_rows(values)
        lines = tf.lines_for(name)
        for row in rows.tolist():
            value = values[row].as_py()
            character = next(c for c in value if REFUSED[ord(c)])
            yield Problem(
                "deceptive-character",
                tf.file,
                int(lines[row]),
                f"{name} holds {_named(character)}, an invisible or control character that can hide, reorder "
                "or restyle what a reader sees",
                field=name,
                value=value,
                hint="delete it (retype the text if unsure); only ZWNJ and ZWJ, which Persian and Kurdish "
                "need, may stay",
            )


def formula_cells(tf: TableFile) -> Iterator[Problem]:
    """``formula-cell`` warnings: cells (or list items) that start as a spreadsheet formula does."""
    free = [column for column in columns(TABLES[tf.table]) if column.pattern in FREE_TEXT]
    lists = {column.name for column in free if column.is_list}
    starts = np.zeros(256, dtype=bool)
    starts[list(FORMULA_STARTS)] = True
    for name in [column.name for column in free if column.name in tf.data.column_names]:
        values = tf.data.column(name)
        rows = _formula_rows(values, starts)
        if name in lists:  # an item after the first: rare enough to look for with a regex
            escaped = "".join("\\" + chr(byte) for byte in FORMULA_STARTS)
            after = pc.match_substring_regex(values, f"{LIST_DELIMITER}[{escaped}]").to_numpy(zero_copy_only=False)
            rows = np.union1d(rows, np.flatnonzero(after))
        lines = tf.lines_for(name)
        for row in rows.tolist():
            value = values[row].as_py()
            yield Problem(
                "formula-cell",
                tf.file,
                int(lines[row]),
                f"{name} starts with {value.lstrip()[:1]!r}: a spreadsheet opening the CSV would run it as a formula",
                field=name,
                value=value,
                hint="if the text is meant, keep it (reviewers: open the CSV as text); else reword it so it "
                "does not start with = + - or @",
            )


def _formula_rows(values: pa.ChunkedArray, starts: np.ndarray) -> np.ndarray:
    """Rows whose first byte is one of ``starts`` (read from the offsets and bytes, no copy)."""
    found, base = [], 0
    for chunk in values.chunks:
        if len(chunk) and not chunk.null_count:
            offsets, data = bytematch.buffers(chunk)
            filled = offsets[1:] > offsets[:-1]
            first = np.zeros(len(chunk), dtype=np.uint8)
            first[filled] = data[offsets[:-1][filled]]
            found.append(np.flatnonzero(starts[first]) + base)
        base += len(chunk)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def stray_mark(value: str, is_list: bool) -> int | None:
    """The index of ``value``'s first combining mark with no letter before it, or None (:func:`escape.stray_marks`).

    Such a mark starts the value, follows whitespace, or (``is_list``) follows the ``;`` that starts an item.
    """
    found = stray_marks(value, after=LIST_DELIMITER if is_list else "")
    return found[0] if found else None


def stray_combining_marks(tf: TableFile) -> Iterator[Problem]:
    """``stray-combining-mark`` warnings: text whose value, list item or word starts with a combining mark."""
    for column in columns(TABLES[tf.table]):
        if column.pattern not in FREE_TEXT or column.name not in tf.data.column_names:
            continue
        name, values = column.name, tf.data.column(column.name)
        rows = stray_rows(values, is_list=column.is_list)
        lines = tf.lines_for(name)
        for row in rows.tolist():
            value = values[row].as_py()
            index = stray_mark(value, column.is_list)
            if index is None:  # RE2's Unicode tables may be newer than Python's
                continue
            yield Problem(
                "stray-combining-mark",
                tf.file,
                int(lines[row]),
                f"{name} {_opening(value, index)} {_named(value[index])}, a combining mark with no letter before it "
                "to sit on",
                field=name,
                value=value,
                hint="remove it, or write it after the letter it belongs to (or write the accented letter itself); "
                "to show the mark on its own, write it after a no-break space (U+00A0)",
            )


def _opening(value: str, index: int) -> str:
    """What the stray mark at ``index`` of ``value`` opens, for a message: ``starts with``, ``has a word that …``."""
    if index == 0:
        return "starts with"
    return "has an item that starts with" if value[index - 1] == LIST_DELIMITER else "has a word that starts with"


def stray_rows(values: pa.ChunkedArray, *, is_list: bool) -> np.ndarray:
    """Rows of ``values`` with a combining mark :func:`stray_mark` finds, found with one RE2 scan of every value."""
    after = SPACE_CLASS + (LIST_DELIMITER if is_list else "")
    # one alternation before one mark (RE2 syntax, as pyarrow's regexes are): twice as fast as a
    # mark at the start or a mark after whitespace, each spelled out (``^\p{M}|[…]\p{M}``)
    found = pc.match_substring_regex(values, f"(?:^|[{after}])\\p{{M}}")
    return np.flatnonzero(pc.fill_null(found, fill_value=False).to_numpy(zero_copy_only=False))


def text_checks(tf: TableFile) -> Iterator[Problem]:
    """The validator's check: :func:`deceptive_characters`, :func:`formula_cells`, :func:`stray_combining_marks`."""
    yield from deceptive_characters(tf)
    yield from formula_cells(tf)
    yield from stray_combining_marks(tf)
