"""The models' two common pattern shapes, matched byte by byte with NumPy instead of a regex engine.

Most cells of a big table are free text or ids. Their patterns have one of two shapes:

- text: ``^[^E]([^I]*[^E])?$``: not empty, first and last character not in E, none in I
  (the models' E always holds I);
- slug: ``^[C]+(S[C]+)*$``: runs of characters of C joined by single separators S.

When the character classes hold ASCII only, a UTF-8 string matches exactly when its bytes
do (every byte of a non-ASCII character is 0x80 or more, so in no class), and the test is a
few comparisons over the column's bytes. :func:`matcher` recognises the two shapes from
the pattern text itself, reading each class through :mod:`re`, so the models stay the one
source of truth; any other pattern returns None and goes to the regex engine.

Strings are read straight from an array's offsets and bytes (no copy, no conversion);
:func:`empty` finds empty cells from the offsets alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import numpy as np
import pyarrow as pa

_CLASS = r"(?:\\(?:[tnrfv]|x[0-7][0-9a-fA-F]|[!-/:-@\[-`{-~])|[ -\[\^-~])+"
"""The body of a character class that can only hold ASCII: printable ASCII and plain escapes."""
_TEXT = re.compile(rf"\^\[\^(?P<edge>{_CLASS})\]\(\[\^(?P<inner>{_CLASS})\]\*\[\^(?P=edge)\]\)\?\$")
_SLUG = re.compile(rf"\^\[(?P<chars>{_CLASS})\]\+\((?P<sep>[ -~])\[(?P=chars)\]\+\)\*\$")

Matcher = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(offsets, bytes) of a string array → which strings do not match."""

_BLOCK = 1 << 20
"""Bytes compared at a time: a small reused mask, not one the size of the column."""


def _members(body: str) -> np.ndarray:
    """Which of the 256 byte values the class ``[body]`` holds (as :mod:`re` reads it)."""
    body = "\\" + body if body.startswith("^") else body  # a caret here is a character, not a negation
    single = re.compile(f"[{body}]")
    return np.array([bool(single.fullmatch(chr(byte))) for byte in range(128)] + [False] * 128)


@cache
def matcher(pattern: str, delimiter: str | None = None) -> Matcher | None:
    """A byte-level test equivalent to ``re.fullmatch(pattern, …)``, or None for another shape.

    With a ``delimiter``, the test is of lists: a string matches when every item between
    delimiters does (only for the slug shape, where the delimiter is one more separator
    that may not start, end or double: ``a;b-c`` is two good items, ``a;;b`` has an empty one).
    """
    if (text := _TEXT.fullmatch(pattern)) and delimiter is None:
        edge, inner = _members(text["edge"]), _members(text["inner"])
        if (inner & ~edge).any():
            return None
        return lambda offsets, data: _text_bad(offsets, data, edge, np.flatnonzero(inner))
    if slug := _SLUG.fullmatch(pattern):
        chars, separators = _members(slug["chars"]), [ord(slug["sep"]), *([ord(delimiter)] if delimiter else [])]
        if chars[separators].any() or not set(slug["sep"] + (delimiter or "")).isdisjoint(r"\[]()*+?^$.|{}"):
            return None
        runs = _runs(chars)
        return lambda offsets, data: _slug_bad(offsets, data, runs, separators)
    return None


def bad_values(pattern: str, values: pa.Array | pa.ChunkedArray, delimiter: str | None = None) -> np.ndarray | None:
    """Which strings of ``values`` do not match ``pattern`` (empty ones included); None for another shape.

    With a ``delimiter``: which strings hold an item that does not match (see :func:`matcher`).
    """
    test = matcher(pattern, delimiter)
    if test is None:
        return None
    return _per_chunk(values, lambda chunk: test(*buffers(chunk)))


WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
"""Every character ``str.strip`` removes (Unicode whitespace; none lies past U+3000, a test checks)."""
_ASCII_SPACE = np.array([chr(byte) in WHITESPACE for byte in range(128)] + [False] * 128)
_WIDE_SPACE = [char.encode() for char in WHITESPACE if ord(char) >= 0x80]
_WIDE_LEADS = {
    width: np.isin(np.arange(256), [encoded[0] for encoded in _WIDE_SPACE if len(encoded) == width])
    for width in sorted({len(encoded) for encoded in _WIDE_SPACE})
}
"""By UTF-8 width: which lead bytes start a non-ASCII whitespace character of that width (a few: 0xC2, 0xE1–0xE3)."""


def outer_space(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which strings of ``values`` start or end with whitespace (as ``str.strip`` sees it); empty ones do not.

    ASCII bytes are looked up; only strings whose first character, or last one, has the lead
    byte of a non-ASCII whitespace character (found at the start, or that character's width
    before the end) are compared with the UTF-8 bytes of each of them.
    """
    return _per_chunk(values, lambda chunk: _outer_space(*buffers(chunk)))


def _outer_space(offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
    bad = np.zeros(len(offsets) - 1, dtype=bool)
    filled = np.flatnonzero(~_ends_at_start(offsets))
    first, last = data[offsets[filled]], data[offsets[filled + 1] - 1]
    bad[filled] = _ASCII_SPACE[first] | _ASCII_SPACE[last]
    starting = filled[np.logical_or.reduce(list(_WIDE_LEADS.values()))[first]]
    wide_end = filled[last >= 0x80]
    ending = np.zeros(len(wide_end), dtype=bool)
    for width, leads in _WIDE_LEADS.items():  # a string shorter than width reads an earlier byte: only a
        ending |= leads[data[np.maximum(offsets[wide_end + 1] - width, 0)]]  # candidate, _wide_edge decides
    for rows, at_start in ((starting, True), (wide_end[ending], False)):
        if len(rows):
            bad[rows] |= _wide_edge(offsets, data, rows, at_start=at_start)
    return bad


def _wide_edge(offsets: np.ndarray, data: np.ndarray, rows: np.ndarray, *, at_start: bool) -> np.ndarray:
    """Which of ``rows`` start (or end) with a non-ASCII whitespace character."""
    lengths = offsets[rows + 1] - offsets[rows]
    found = np.zeros(len(rows), dtype=bool)
    for encoded in _WIDE_SPACE:
        size = len(encoded)
        match = lengths >= size
        for position, byte in enumerate(encoded):
            there = offsets[rows] + position if at_start else offsets[rows + 1] - size + position
            match &= data[np.minimum(there, len(data) - 1)] == byte
        found |= match
    return found


def empty(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which strings of ``values`` are empty, read from their offsets alone."""
    return _per_chunk(values, lambda chunk: _ends_at_start(buffers(chunk)[0]))


def longer(values: pa.Array | pa.ChunkedArray, size: int) -> np.ndarray:
    """Which strings of ``values`` have more than ``size`` bytes, read from their offsets alone."""
    return _per_chunk(values, lambda chunk: np.diff(buffers(chunk)[0]) > size)


def _ends_at_start(offsets: np.ndarray) -> np.ndarray:
    """Which strings end where they start (compared in place: no differences are stored)."""
    return offsets[1:] == offsets[:-1]


def _per_chunk(values: pa.Array | pa.ChunkedArray, test: Callable[[pa.Array], np.ndarray]) -> np.ndarray:
    """``test`` of each chunk of ``values``, put together (no chunk is copied)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    found = [test(chunk) for chunk in chunks if len(chunk)]
    return np.concatenate(found) if found else np.zeros(0, dtype=bool)


def joined(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values`` as one array, for :func:`bytes_at` and :func:`numbers` (copies chunks: for short strings)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def bytes_at(values: pa.Array, positions: list[int]) -> list[np.ndarray]:
    """The byte at each of ``positions`` of each string (0 where a string is shorter)."""
    offsets, data = buffers(values)
    lengths, found = np.diff(offsets), []
    for position in positions:
        at = np.zeros(len(values), dtype=np.uint8)
        there = np.flatnonzero(lengths > position)
        at[there] = data[offsets[there] + position]
        found.append(at)
    return found


def numbers(values: pa.Array, fields: list[tuple[int, int]], rows: np.ndarray) -> list[np.ndarray]:
    """The decimal number at bytes ``[start, stop)`` of each string of ``rows``, per field; 0 where shorter.

    Meaningful only where those bytes are digits (``2025-02-04`` → 2025, 2, 4 for
    ``[(0, 4), (5, 7), (8, 10)]``): callers check the shape first.
    """
    offsets, data = buffers(values)
    starts, lengths = offsets[:-1][rows], np.diff(offsets)[rows]
    found = []
    for start, stop in fields:
        number = np.zeros(len(rows), dtype=np.int64)
        there = lengths >= stop
        for position in range(start, stop):
            number[there] = number[there] * 10 + data[starts[there] + position] - ord("0")
        found.append(number)
    return found


def buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (in their own width: 32 bits, or 64 for large strings) and the bytes of a string array (no copy).

    Raises ValueError for an array with nulls: no cell is ever null.
    """
    if chunk.null_count:
        msg = "cells are never null"
        raise ValueError(msg)
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offsets, data = chunk.buffers()
    offsets = np.frombuffer(offsets, dtype=width, count=len(chunk) + 1, offset=chunk.offset * np.dtype(width).itemsize)
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def _rows_holding(offsets: np.ndarray, data: np.ndarray, bytes_: np.ndarray) -> np.ndarray:
    """Which strings hold at least one of ``bytes_``.

    Control bytes (below 0x20) are looked for all at once, by one comparison that finds
    every byte below the highest of them; only those few are then checked exactly.
    """
    found = np.zeros(len(offsets) - 1, dtype=bool)
    first, last = int(offsets[0]), int(offsets[-1])
    mask = np.empty(min(_BLOCK, last - first), dtype=bool)
    wanted = np.zeros(256, dtype=bool)
    wanted[bytes_] = True
    below = int(bytes_.max()) + 1 if len(bytes_) and bytes_.max() < 0x20 else 0
    for start in range(first, last, _BLOCK):
        block = data[start : min(start + _BLOCK, last)]
        hit = mask[: len(block)]
        for test in [below] if below else bytes_:
            (np.less if below else np.equal)(block, test, out=hit)
            if hit.any():
                positions = np.flatnonzero(hit)
                positions = positions[wanted[block[positions]]]
                found[row_of(offsets, positions + start)] = True
    return found


def row_of(offsets: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The string holding each byte position (positions in the offsets' width, lest NumPy widen the offsets)."""
    return np.searchsorted(offsets, positions.astype(offsets.dtype), side="right") - 1


def _text_bad(offsets: np.ndarray, data: np.ndarray, edge: np.ndarray, inner: np.ndarray) -> np.ndarray:
    starts, ends = offsets[:-1], offsets[1:]
    bad = _ends_at_start(offsets)
    filled = ~bad
    bad[filled] = edge[data[starts[filled]]] | edge[data[ends[filled] - 1]]
    return bad | _rows_holding(offsets, data, inner)


def _runs(members: np.ndarray) -> list[tuple[int, int]]:
    """The byte values of a class as runs (first, count): ``[a-z0-9]`` is two."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], members.astype(np.int8), [0]))))
    return [(int(first), int(stop - first)) for first, stop in zip(edges[0::2], edges[1::2], strict=True)]


def _slug_bad(offsets: np.ndarray, data: np.ndarray, runs: list[tuple[int, int]], separators: list[int]) -> np.ndarray:
    starts, ends = offsets[:-1], offsets[1:]
    bad = _ends_at_start(offsets)
    filled = ~bad
    first, last = data[starts[filled]], data[ends[filled] - 1]
    edge_bad = np.zeros(len(first), dtype=bool)
    for separator in separators:
        edge_bad |= (first == separator) | (last == separator)
    bad[filled] = edge_bad
    body = data[int(offsets[0]) : int(offsets[-1])]
    is_separator = body == separators[0]
    for separator in separators[1:]:
        is_separator |= body == separator
    allowed = is_separator.copy()
    for start, count in runs:  # a range test per run: faster than looking each byte up
        allowed |= (body - np.uint8(start)) < count
    wrong = np.flatnonzero(~allowed)
    doubled = np.flatnonzero(is_separator[:-1] & is_separator[1:])  # a pair across two strings: both are bad anyway
    for positions in (wrong, doubled):
        if len(positions):
            bad[row_of(offsets, positions + offsets[0])] = True
    return bad
