"""The fast CSV path: pyarrow parses, and every record still lands on its physical line.

The body of a file (after a one-line header) is cut at record boundaries into one piece
per core, and each piece is checked and parsed on its own thread (pyarrow releases the
GIL). In a piece, pyarrow numbers the rows it cannot use (a wrong number of cells) and
keeps blank lines as rows of empty cells; the line breaks inside each record's cells then
give each record's first line. A piece is accepted only when its quoting is plain RFC 4180,
it has no lone carriage return, it is valid UTF-8, and its line breaks so counted add up
to the piece's own. Otherwise ``parse`` answers None and the reference reader decides.
"""

from __future__ import annotations

import mmap
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from pyarrow import csv as pacsv

PIECE = 8 * 1024 * 1024
"""Bodies smaller than this are parsed in one piece: threads cost more than they save."""

BLOCK_SIZE = 16 * 1024 * 1024
"""pyarrow's read block: bigger blocks mean fewer chunks per column, and every later step pays per chunk."""


@dataclass
class Parsed:
    """What pyarrow made of a file's body."""

    table: pa.Table
    """Every row with the header's number of cells, blank ones included, as string columns."""
    lines: np.ndarray
    """First physical line of each row of ``table``."""
    invalid: list[tuple[int, str]]
    """(first line, text) of each row with another number of cells."""


@dataclass
class _Piece:
    table: pa.Table
    invalid: dict[int, str]
    """Record number in the piece (1-based) → text."""
    spans: np.ndarray
    """Lines each record of the piece spans, in record order."""
    usable: np.ndarray
    """Which records of the piece are rows of ``table``."""


def parse(raw: bytes | mmap.mmap, body: int, width: int) -> Parsed | None:
    """Parse ``raw[body:]`` as records of ``width`` cells, the header being line 1; None to decline."""
    bounds = _split(raw, body, os.cpu_count() or 1)
    if len(bounds) == 2:
        pieces = [_piece(raw, body, len(raw), width)]
    else:
        with ThreadPoolExecutor(max_workers=len(bounds) - 1) as pool:
            pieces = list(pool.map(lambda i: _piece(raw, bounds[i], bounds[i + 1], width), range(len(bounds) - 1)))
        if any(piece is None for piece in pieces):  # perhaps a cut fell inside a quoted cell: try it whole
            pieces = [_piece(raw, body, len(raw), width)]
    if any(piece is None for piece in pieces):
        return None
    done = [piece for piece in pieces if piece is not None]
    spans = np.concatenate([piece.spans for piece in done])
    usable = np.concatenate([piece.usable for piece in done])
    starts = 2 + np.concatenate(([0], np.cumsum(spans)[:-1]))
    invalid, offset = [], 0
    for piece in done:
        invalid += [(int(starts[offset + number - 1]), text) for number, text in sorted(piece.invalid.items())]
        offset += len(piece.spans)
    table = pa.concat_tables([piece.table for piece in done])
    return Parsed(table=table, lines=starts[usable], invalid=invalid)


def _split(raw: bytes | mmap.mmap, body: int, parts: int, piece: int | None = None) -> list[int]:
    """Offsets that cut ``raw[body:]`` into about ``parts`` pieces (of ``piece`` bytes at least), after line breaks.

    A cut may fall inside a quoted cell that spans lines: the piece before it then holds an
    odd number of quotes, is declined, and :func:`parse` reads the body whole instead.
    """
    size = len(raw) - body
    parts = max(1, min(parts, size // (piece or PIECE)))
    bounds = [body]
    for k in range(1, parts):
        cut = raw.find(b"\n", body + size * k // parts)
        if cut == -1 or cut + 1 <= bounds[-1] or cut + 1 >= len(raw):
            break
        bounds.append(cut + 1)
    bounds.append(len(raw))
    return bounds


def _piece(raw: bytes | mmap.mmap, start: int, stop: int, width: int) -> _Piece | None:
    """Check and parse one piece of the body; None when the reference reader must decide."""
    view = pa.py_buffer(raw).slice(start, stop - start)
    if not _valid_utf8(view):
        return None
    spans = _record_spans(raw, start, stop)
    if spans is None:
        return None
    invalid: dict[int, str] = {}

    def keep(row: pacsv.InvalidRow) -> str:
        invalid[row.number] = row.text
        return "skip"

    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(view),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=keep
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                true_values=[],
                false_values=[],
                check_utf8=False,  # checked above, once, for the whole piece
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows + len(invalid) != len(spans):
        return None  # pyarrow saw other records than the scan did
    usable = np.ones(len(spans), dtype=bool)
    usable[np.asarray(sorted(invalid), dtype=np.int64) - 1] = False
    return _Piece(table=table, invalid=invalid, spans=spans, usable=usable)


def plain_quoting(raw: bytes) -> bool:
    """True when every quote of ``raw`` opens, closes or doubles inside a cell, and no CR stands alone."""
    return _record_spans(raw, 0, len(raw)) is not None


def _record_spans(raw: bytes | mmap.mmap, start: int, stop: int) -> np.ndarray | None:
    """How many lines each record of the piece spans, from where its quotes and line breaks are.

    None when the quoting is not plain RFC 4180 or a carriage return stands alone: readers
    differ on those (where a line ends, what a stray quote means), so the reference
    reader alone decides them. The piece is scanned a block at a time, carrying the count
    of quotes and line breaks so far: every temporary array stays small and is reused.
    """
    buf = np.frombuffer(raw, dtype=np.uint8, count=stop - start, offset=start)
    if raw.find(b"\r", start, stop) != -1:
        returns = _positions(buf, ord("\r")) + 1
        if returns[-1] == len(buf) or (buf[returns] != ord("\n")).any():
            return None  # a carriage return that does not end a line with a line feed
    quoted = raw.find(b'"', start, stop) != -1
    mask = np.empty(min(_BLOCK, len(buf)), dtype=bool)
    ends, quotes_before, breaks_before = [], 0, 0  # ends: breaks outside quotes, which end records
    for offset in range(0, len(buf), _BLOCK):
        block = buf[offset : offset + _BLOCK]
        hit = mask[: len(block)]
        breaks = np.flatnonzero(np.equal(block, ord("\n"), out=hit))
        quotes = np.flatnonzero(np.equal(block, ord('"'), out=hit)) if quoted else breaks[:0]
        if len(quotes) and not _quotes_are_rfc4180(buf, quotes + offset, quotes_before % 2):
            return None
        ends.append(np.flatnonzero((quotes_before + np.searchsorted(quotes, breaks)) % 2 == 0) + breaks_before)
        quotes_before += len(quotes)
        breaks_before += len(breaks)
    if quotes_before % 2:
        return None  # a quote never closed
    lines = breaks_before + (0 if raw[stop - 1 : stop] == b"\n" else 1)
    firsts = np.concatenate(([0], *(end + 1 for end in ends)))  # each record's first line, counted from the piece's
    if firsts[-1] >= lines:
        firsts = firsts[:-1]
    return np.diff(np.concatenate((firsts, [lines])))


_BLOCK = 4 << 20
"""Bytes scanned at a time: a reused mask that fits the cache, and few enough blocks that the
NumPy calls (each needs the GIL for a moment) stay few."""


def _positions(buf: np.ndarray, byte: int) -> np.ndarray:
    """Offsets of ``byte`` in ``buf``."""
    mask = np.empty(min(_BLOCK, len(buf)), dtype=bool)
    found = []
    for offset in range(0, len(buf), _BLOCK):
        block = buf[offset : offset + _BLOCK]
        np.equal(block, byte, out=mask[: len(block)])
        hits = np.flatnonzero(mask[: len(block)])
        if len(hits):
            found.append(hits + offset)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _valid_utf8(view: pa.Buffer) -> bool:
    """True when the bytes are valid UTF-8 (checked by pyarrow, without copying them)."""
    offsets = pa.py_buffer(np.array([0, view.size], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, view]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _quotes_are_rfc4180(buf: np.ndarray, quotes: np.ndarray, first: int) -> bool:
    """True when every quote at ``quotes`` opens a cell, closes one, or is a doubled quote inside one.

    Quotes alternate, opening and closing; ``first`` is 0 when the first of ``quotes``
    opens. An opening quote follows a comma, a line break, the start, or a closing quote
    just before it (a doubled quote inside a cell); a closing quote comes before a comma,
    a line break, the end, or an opening quote just after it.
    """
    size = len(buf)
    before = buf[np.maximum(quotes - 1, 0)]
    after = buf[np.minimum(quotes + 1, size - 1)]
    open_ok = (before == ord(",")) | (before == ord("\n")) | (before == ord('"')) | (quotes == 0)
    crlf = (after == ord("\r")) & (buf[np.minimum(quotes + 2, size - 1)] == ord("\n")) & (quotes + 2 < size)
    close_ok = (after == ord(",")) | (after == ord("\n")) | (after == ord('"')) | crlf | (quotes + 1 >= size)
    return bool(open_ok[first::2].all() and close_ok[1 - first :: 2].all())
