"""The fast CSV path: pyarrow parses, and every record still lands on its physical line.

The body of a file (after a one-line header) is cut at line breaks into one piece per
core, and each piece is checked and parsed on its own thread (pyarrow releases the GIL).
In a piece, pyarrow numbers the rows it cannot use (a wrong number of cells) and keeps
blank lines as rows of empty cells; a record spans one line plus the line breaks inside
its cells, which pyarrow keeps as they are. pyarrow and the stdlib ``csv`` module read
every quote alike (stray ones included: a property test holds them to it), so no scan of
the quotes is needed. A piece is declined, and ``parse`` answers None for the reference
reader to decide, when it is not valid UTF-8, holds a carriage return that ends no line
(readers differ on where such a line ends), or ends inside a quoted cell: an unclosed
quote at the end of the file, or a cut that fell inside a cell (the body is then parsed
whole).
"""

from __future__ import annotations

import csv
import io
import mmap
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from pyarrow import csv as pacsv

from dataset_tools.reading import bytematch

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

    A cut may fall inside a quoted cell that spans lines: the piece before it then ends
    inside that cell, is declined, and :func:`parse` reads the body whole instead.
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
    if not _valid_utf8(view) or _lone_carriage_return(raw, start, stop) or not _plain_quotes(raw, start, stop):
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
    ragged = sorted(invalid)
    usable = np.ones(table.num_rows + len(invalid), dtype=bool)
    usable[np.asarray(ragged, dtype=np.int64) - 1] = False
    spans = np.ones(len(usable), dtype=np.int64)  # a record spans one line, and one more per line break in it
    spans[usable] += _breaks_per_row(table)
    spans[~usable] += np.array([invalid[number].count("\n") for number in ragged], dtype=np.int64)
    if _piece_ends_inside_quotes(raw, start, stop, table, invalid, spans):
        return None
    return _Piece(table=table, invalid=invalid, spans=spans, usable=usable)


def _plain_quotes(raw: bytes | mmap.mmap, start: int, stop: int) -> bool:
    """True when every quote in ``raw[start:stop]`` opens, closes or doubles inside a cell (RFC 4180).

    Otherwise the reference reader decides: a quote inside a quoted cell that is not
    doubled would be dropped by pyarrow, silently altering the cell.
    """
    if raw.find(b'"', start, stop) == -1:
        return True
    buf = np.frombuffer(raw, dtype=np.uint8, count=stop - start, offset=start)
    quotes = _positions(buf, ord('"'))
    return len(quotes) % 2 == 0 and _quotes_are_rfc4180(buf, quotes)


def ends_inside_quotes(text: str) -> bool:
    """True when one more line break would change the first record of ``text``: it runs to the end inside a quote.

    The question both readers ask of a file's (or a piece's) last record.
    """
    try:
        return next(csv.reader(io.StringIO(text, newline="")), []) != next(
            csv.reader(io.StringIO(text + "\n", newline="")), []
        )
    except csv.Error:  # a cell over the csv module's field limit: the reference reader reports it
        return True


def _lone_carriage_return(raw: bytes | mmap.mmap, start: int, stop: int) -> bool:
    """True when a carriage return in ``raw[start:stop]`` is not followed by a line feed."""
    if raw.find(b"\r", start, stop) == -1:
        return False
    buf = np.frombuffer(raw, dtype=np.uint8, count=stop - start, offset=start)
    returns = _positions(buf, ord("\r")) + 1
    return bool(returns[-1] == len(buf) or (buf[returns] != ord("\n")).any())


def _breaks_per_row(table: pa.Table) -> np.ndarray:
    """How many line feeds the cells of each row hold, all columns together (read from pyarrow's buffers)."""
    counts = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        first = 0
        for chunk in column.chunks:
            if not len(chunk):
                continue
            offsets, data = bytematch.buffers(chunk)
            breaks = np.flatnonzero(data[offsets[0] : offsets[-1]] == ord("\n"))
            if len(breaks):
                rows = bytematch.row_of(offsets, breaks + offsets[0])
                counts[first : first + len(chunk)] += np.bincount(rows, minlength=len(chunk))
            first += len(chunk)
    return counts


def _piece_ends_inside_quotes(
    raw: bytes | mmap.mmap, start: int, stop: int, table: pa.Table, invalid: dict[int, str], spans: np.ndarray
) -> bool:
    """True when the piece's last record runs to its end inside a quoted cell.

    The reference reader's own question is asked of the last record: whether one more
    line break would land inside it. pyarrow gives a ragged record as its text; a row
    whose last cell ends in a line feed (a quoted cell may, legitimately) has taken in
    the piece's final line break only if the records then span one line more than the
    piece has.
    """
    if not len(spans):
        return False
    if len(spans) in invalid:  # its text, less any final line breaks
        return ends_inside_quotes(invalid[len(spans)])
    if raw[stop - 1 : stop] != b"\n":  # the end of the file: its last record, as written
        first = stop
        for _ in range(int(spans[-1])):  # back over the record's line breaks, to the one before it
            first = raw.rfind(b"\n", start, first)
            if first == -1:
                break
        return ends_inside_quotes(bytes(raw[max(first + 1, start) : stop]).decode("utf-8"))
    last_column = table.column(table.num_columns - 1)
    if not last_column[len(last_column) - 1].as_py().endswith("\n"):
        return False
    buf = np.frombuffer(raw, dtype=np.uint8, count=stop - start, offset=start)
    return int(spans.sum()) != len(_positions(buf, ord("\n")))


def plain_quoting(raw: bytes) -> bool:
    """True when every quote of ``raw`` opens, closes or doubles inside a cell, and no CR stands alone.

    Asked of one record at a time (a ragged one over several lines): small, so scanned whole.
    """
    if _lone_carriage_return(raw, 0, len(raw)):
        return False
    buf = np.frombuffer(raw, dtype=np.uint8)
    quotes = np.flatnonzero(buf == ord('"'))
    return len(quotes) % 2 == 0 and _quotes_are_rfc4180(buf, quotes)


_BLOCK = 4 << 20
"""Bytes compared at a time: a reused mask that fits the cache, and few enough blocks that the
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


def _quotes_are_rfc4180(buf: np.ndarray, quotes: np.ndarray) -> bool:
    """True when every quote at ``quotes`` opens a cell, closes one, or is a doubled quote inside one.

    Quotes alternate, opening and closing, the first opening. An opening quote follows a
    comma, a line break, the start, or a closing quote just before it (a doubled quote
    inside a cell); a closing quote comes before a comma, a line break, the end, or an
    opening quote just after it.
    """
    size = len(buf)
    before = buf[np.maximum(quotes - 1, 0)]
    after = buf[np.minimum(quotes + 1, size - 1)]
    open_ok = (before == ord(",")) | (before == ord("\n")) | (before == ord('"')) | (quotes == 0)
    crlf = (after == ord("\r")) & (buf[np.minimum(quotes + 2, size - 1)] == ord("\n")) & (quotes + 2 < size)
    close_ok = (after == ord(",")) | (after == ord("\n")) | (after == ord('"')) | crlf | (quotes + 1 >= size)
    return bool(open_ok[0::2].all() and close_ok[1::2].all())
