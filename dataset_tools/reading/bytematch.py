"""Tests of whole string columns: empty cells, whitespace at a cell's edge, the digits of dates.

Whitespace is what ``str.strip`` removes (Unicode), for every command alike. The digit
readers take the bytes of a string array as they are (no copy), for dates whose shape a
regex has already checked.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
"""Every character ``str.strip`` removes (Unicode whitespace; none lies past U+3000, a test checks)."""
_SPACE_CLASS = "".join(f"\\x{{{ord(char):x}}}" for char in WHITESPACE)
OUTER_SPACE = f"^[{_SPACE_CLASS}]|[{_SPACE_CLASS}]$"
"""A cell that starts or ends with whitespace, for pyarrow's regex engine (RE2: ``$`` is the end of the text)."""


def outer_space(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which strings of ``values`` start or end with whitespace (as ``str.strip`` sees it); empty ones do not."""
    return np.asarray(pc.match_substring_regex(values, OUTER_SPACE).to_numpy(zero_copy_only=False))


def empty(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which strings of ``values`` are empty."""
    return np.asarray(pc.equal(pc.binary_length(values), 0).to_numpy(zero_copy_only=False))


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
