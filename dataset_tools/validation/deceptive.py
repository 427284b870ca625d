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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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

FORMULA_STARTS = "=+-@"
"""First characters a spreadsheet reads as the start of a formula."""
_FORMULA_CLASS = "".join("\\" + char for char in FORMULA_STARTS)
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


_REFUSED_CLASS = "".join(f"\\x{{{first:x}}}-\\x{{{last:x}}}" for first, last in _RANGES)
""":data:`INVISIBLE` for pyarrow's regex engine (RE2 writes a code point ``\\x{200b}``)."""


def refused_rows(values: pa.ChunkedArray) -> np.ndarray:
    """Rows that hold a character of :data:`INVISIBLE`."""
    return np.flatnonzero(pc.match_substring_regex(values, f"[{_REFUSED_CLASS}]").to_numpy(zero_copy_only=False))


_FIRST_REFUSED = re.compile(f"[{INVISIBLE}]")


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
            character = _FIRST_REFUSED.findall(value)[0]  # the row holds one
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
    for name in [column.name for column in free if column.name in tf.data.column_names]:
        values = tf.data.column(name)
        starts = (
            f"^[{_FORMULA_CLASS}]|{re.escape(LIST_DELIMITER)}[{_FORMULA_CLASS}]"
            if name in lists
            else f"^[{_FORMULA_CLASS}]"
        )
        rows = np.flatnonzero(pc.match_substring_regex(values, starts).to_numpy(zero_copy_only=False))
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


def text_checks(tf: TableFile) -> Iterator[Problem]:
    """The validator's check: :func:`deceptive_characters`, then :func:`formula_cells`."""
    yield from deceptive_characters(tf)
    yield from formula_cells(tf)
