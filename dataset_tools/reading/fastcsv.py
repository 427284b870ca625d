"""The fast CSV path: pyarrow parses, and every record still lands on its physical line.

The body of a file (after a one-line header) is first checked for plain quoting: every
quote opens a cell, closes one, or is doubled inside one (RFC 4180), else ``parse``
answers None for the reference reader to decide (pyarrow would silently drop a stray
quote inside a quoted cell). Under such quoting a line feed ends a record exactly when an
even number of quotes precede it, so the offsets of the body's line feeds and quotes,
found once, give where each record ends and on which line it starts, from the bytes
alone. The body is cut after records into one piece per core, so a cell over several
lines is never cut, and each piece is checked and parsed on its own thread (pyarrow
releases the GIL). In a piece, pyarrow skips the lines with nothing on them (which the
bytes show too: they are reported from there, and no row has to be taken out of the
table) and numbers the rows it cannot use (a wrong number of cells), so its rows and
those it cannot use are the piece's other records, one for one; a piece where pyarrow
finds another number of records is declined (and with it the file), as is one that is
not valid UTF-8 or holds a carriage return that ends no line (readers differ on where
such a line ends). Plain quoting also means the file never ends inside a quoted cell: an
unclosed quote makes the count odd.
"""

from __future__ import annotations

import mmap
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from pyarrow import csv as pacsv

from dataset_tools.reading.encodings import BOM

PIECE = 8 * 1024 * 1024
"""Bodies smaller than this are parsed in one piece: threads cost more than they save."""

LARGEST = 16 * 1024 * 1024
"""About the most bytes in one piece: pyarrow reads each piece as one block (see :func:`_piece`), and
a bigger block costs memory as big as itself and read slower (measured: see the commit that set
it), so a bigger body is cut into more pieces than cores."""
_BLOCK_LIMIT = (1 << 31) - 1
"""pyarrow's largest block, in bytes (a 32-bit integer): a bigger piece is declined."""


@dataclass
class Parsed:
    """What pyarrow made of a file's body."""

    table: pa.Table
    """Every row with the header's number of cells (a row of empty cells included), as string columns."""
    lines: np.ndarray
    """First physical line of each row of ``table``."""
    invalid: list[tuple[int, str]]
    """(first line, text) of each row with another number of cells."""
    empty: np.ndarray
    """The lines with nothing on them (no row of ``table``: pyarrow skips them), ascending."""


@dataclass
class _Piece:
    table: pa.Table
    invalid: dict[int, str]
    """Record number in the piece (1-based, empty lines not counted) → text."""
    usable: np.ndarray
    """Which records of the piece (empty lines not counted) are rows of ``table``."""


def parse(raw: bytes | mmap.mmap, body: int, width: int) -> Parsed | None:
    """Parse ``raw[body:]`` as records of ``width`` cells, the header being line 1; None to decline."""
    buf = np.frombuffer(raw, dtype=np.uint8, offset=body)
    line_feeds, quotes = _offsets(buf, ord("\n"), ord('"'))  # once, for the quoting check, the cuts and the lines
    if not _quotes_are_rfc4180(buf, quotes):
        return None  # a quote pyarrow would read otherwise than the reference reader
    ends, firsts = _records(len(buf), line_feeds, quotes)
    empty = _empty_lines(buf, ends)
    cuts = _split(ends, os.cpu_count() or 1)
    bounds = [body + (int(ends[cut - 1]) if cut else 0) for cut in cuts]
    kept = np.flatnonzero(~empty)  # the records pyarrow reads: all but the empty lines, which it skips
    numbered = np.searchsorted(kept, cuts)  # records it reads before each cut
    if len(cuts) == 2:
        pieces = [_piece(raw, bounds[0], bounds[1], width, len(kept))]
    else:
        with ThreadPoolExecutor(max_workers=min(len(cuts) - 1, os.cpu_count() or 1)) as pool:
            pieces = list(
                pool.map(
                    lambda i: _piece(raw, bounds[i], bounds[i + 1], width, int(numbered[i + 1] - numbered[i])),
                    range(len(cuts) - 1),
                )
            )
    done = [piece for piece in pieces if piece is not None]
    if len(done) < len(pieces):
        return None
    usable = np.concatenate([piece.usable for piece in done])
    read = firsts[kept]  # the first line of each record pyarrow reads, in order
    invalid = [
        (int(read[before + number - 1]), text)
        for before, piece in zip(numbered[:-1].tolist(), done, strict=True)
        for number, text in sorted(piece.invalid.items())
    ]
    table = pa.concat_tables([piece.table for piece in done])
    return Parsed(table=table, lines=read[usable], invalid=invalid, empty=firsts[empty])


def _empty_lines(buf: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which records (ending at ``ends`` in ``buf``) are lines with nothing on them: a line feed alone, or CR LF."""
    size = np.diff(ends, prepend=0)  # every record holds a byte at least
    starts = ends - size
    ended = buf[ends - 1] == ord("\n")  # the last record may have no line feed
    return ended & ((size == 1) | ((size == 2) & (buf[starts] == ord("\r"))))


def _records(size: int, line_feeds: np.ndarray, quotes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each record of a body of ``size`` bytes ends (the offset past it), and the line it starts on.

    ``line_feeds`` and ``quotes`` are the offsets of the body's line feeds and quotes, the
    quotes RFC 4180 ones (see :func:`_quotes_are_rfc4180`): a line feed then ends a record
    exactly when an even number of quotes precede it. The header is line 1, so the first
    record starts on line 2, and every other one on the line after the one before it ends.
    Both arrays are int64, one item per record.
    """
    last = np.flatnonzero((np.searchsorted(quotes, line_feeds) & 1) == 0)  # the line feeds that end a record
    ends = line_feeds[last] + 1
    if size > (ends[-1] if len(ends) else 0):
        ends = np.append(ends, size)  # a last record with no line feed after it
    return ends, 2 + np.concatenate(([0], last + 1))[: len(ends)]


SCAN = 256 * 1024
"""Bytes compared at a time by :func:`_offsets`: one small mask, reused, instead of one as big as the file."""


def _offsets(buf: np.ndarray, *values: int) -> list[np.ndarray]:
    """For each byte value, the offsets in ``buf`` where it stands, ascending (int64)."""
    mask = np.empty(min(SCAN, len(buf)), dtype=bool)
    found: list[list[np.ndarray]] = [[np.zeros(0, dtype=np.int64)] for _ in values]
    for start in range(0, len(buf), SCAN):
        block = buf[start : start + SCAN]
        for offsets, value in zip(found, values, strict=True):
            offsets.append(np.flatnonzero(np.equal(block, value, out=mask[: len(block)])) + start)
    return [np.concatenate(offsets) for offsets in found]


def _split(ends: np.ndarray, parts: int, piece: int | None = None) -> list[int]:
    """How many records come before each cut into about ``parts`` pieces (of ``piece`` bytes at least).

    ``ends`` are the offsets just past each record in the body (the last one its size), so
    a cut after a record never falls inside a cell. A body of more than ``LARGEST`` bytes is
    cut into more pieces than ``parts``, as many as it holds ``LARGEST`` bytes, rounded up
    (each cut moves on to the end of a record, so a piece may be bigger by one record). The
    list starts with 0 and ends with the number of records.
    """
    size = int(ends[-1]) if len(ends) else 0
    parts = max(1, min(parts, size // (piece or PIECE)), -(-size // LARGEST))
    targets = np.arange(1, parts, dtype=np.int64) * size // parts
    after = np.searchsorted(ends, targets, side="right") + 1  # the records up to the first ending past a target
    return [0, *np.unique(after[after < len(ends)]).tolist(), len(ends)]


def _piece(raw: bytes | mmap.mmap, start: int, stop: int, width: int, records: int) -> _Piece | None:
    """Check and parse one piece of the body, of ``records`` records besides its empty lines; None to decline.

    pyarrow reads the piece as one block: where a block ends between the CR and the LF of a
    line break inside a quoted cell, pyarrow drops the LF (apache/arrow#51368, open in
    pyarrow 26), and a column has one chunk per piece, not one per block.
    """
    if stop - start >= _BLOCK_LIMIT:
        return None  # beyond one pyarrow block
    if raw[start : start + len(BOM)] == BOM:
        return None  # a record that starts with U+FEFF: pyarrow would drop it as a byte order mark
    view = pa.py_buffer(raw).slice(start, stop - start)
    if not _valid_utf8(view) or _lone_carriage_return(raw, start, stop):
        return None
    invalid: dict[int, str] = {}

    def keep(row: pacsv.InvalidRow) -> str:
        invalid[row.number] = row.text
        return "skip"

    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(view),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=stop - start + 1),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=keep
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
    if table.num_rows + len(invalid) != records or not all(1 <= number <= records for number in invalid):
        return None  # pyarrow found other records than the line feeds outside quotes end: never misplace a line
    usable = np.ones(records, dtype=bool)
    usable[np.fromiter(invalid, dtype=np.int64, count=len(invalid)) - 1] = False
    return _Piece(table=table, invalid=invalid, usable=usable)


def _lone_carriage_return(raw: bytes | mmap.mmap, start: int, stop: int) -> bool:
    """True when a carriage return in ``raw[start:stop]`` is not followed by a line feed."""
    if raw.find(b"\r", start, stop) == -1:
        return False
    buf = np.frombuffer(raw, dtype=np.uint8, count=stop - start, offset=start)
    returns = _offsets(buf, ord("\r"))[0] + 1
    return bool(returns[-1] == len(buf) or (buf[returns] != ord("\n")).any())


def plain_quoting(raw: bytes) -> bool:
    """True when every quote of ``raw`` opens, closes or doubles inside a cell, and no CR stands alone.

    Asked of one record at a time (a ragged one over several lines): small, so scanned whole.
    """
    if _lone_carriage_return(raw, 0, len(raw)):
        return False
    buf = np.frombuffer(raw, dtype=np.uint8)
    return _quotes_are_rfc4180(buf, np.flatnonzero(buf == ord('"')))


def _valid_utf8(view: pa.Buffer) -> bool:
    """True when the bytes are valid UTF-8 (checked by pyarrow, without copying them)."""
    offsets = pa.py_buffer(np.array([0, view.size], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, view]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _quotes_are_rfc4180(buf: np.ndarray, quotes: np.ndarray) -> bool:
    """True when the quotes at ``quotes`` (the offsets of every quote in ``buf``) open a cell, close one, or double one.

    Quotes alternate, opening and closing, the first opening, so there is an even number
    of them. An opening quote follows a comma, a line break, the start, or a closing quote
    just before it (a doubled quote inside a cell); a closing quote comes before a comma,
    a line break (LF or CRLF), the end, or an opening quote just after it.
    """
    if len(quotes) % 2:
        return False
    if not len(quotes):
        return True
    opens, closes = quotes[0::2], quotes[1::2]
    if not _OPENS_AFTER[buf[opens[1 if opens[0] == 0 else 0 :] - 1]].all():
        return False
    after = closes[: -1 if closes[-1] == len(buf) - 1 else None] + 1
    following = buf[after]
    if not _CLOSES_BEFORE[following].all():
        return False
    returns = after[following == ord("\r")] + 1
    return bool(len(returns) == 0 or (returns[-1] < len(buf) and (buf[returns] == ord("\n")).all()))


def _byte_set(members: bytes) -> np.ndarray:
    """A lookup table of the 256 byte values: True for ``members``."""
    table = np.zeros(256, dtype=bool)
    table[list(members)] = True
    return table


_OPENS_AFTER = _byte_set(b',\n"')
"""The bytes an opening quote may follow."""
_CLOSES_BEFORE = _byte_set(b',\n"\r')
"""The bytes a closing quote may precede (a carriage return only before a line feed)."""
