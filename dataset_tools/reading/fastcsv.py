"""The fast CSV path: pyarrow parses, and every record still lands on its physical line.

The body of a file (after a one-line header) is first checked for plain quoting: every
quote opens a cell, closes one, or is doubled inside one (RFC 4180), else ``parse``
answers None for the reference reader to decide (pyarrow would silently drop a stray
quote inside a quoted cell). The quote offsets found for that check, once for the whole
body, also choose where to cut it: under such quoting a line feed lies outside every
quoted cell exactly when an even number of quotes precede it, so the body is cut at such
line feeds into one piece per core, and a cell over several lines is never cut. Each
piece is checked and parsed on its own thread (pyarrow releases the GIL). In a piece,
pyarrow numbers the rows it cannot use (a wrong number of cells) and keeps blank lines as
rows of empty cells; a record spans one line plus the line breaks inside its cells, which
pyarrow keeps as they are. A piece is declined (and with it the file) when it is not valid
UTF-8 or holds a carriage return that ends no line (readers differ on where such a line
ends). Plain quoting also means the file never ends inside a quoted cell: an unclosed
quote makes the count odd.
"""

from __future__ import annotations

import mmap
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
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
    buf = np.frombuffer(raw, dtype=np.uint8, offset=body)
    quotes = np.flatnonzero(buf == ord('"'))  # once, for the quoting check and for the cuts
    if not _quotes_are_rfc4180(buf, quotes):
        return None  # a quote pyarrow would read otherwise than the reference reader
    bounds = _split(raw, body, os.cpu_count() or 1, quotes)
    if len(bounds) == 2:
        pieces = [_piece(raw, body, len(raw), width)]
    else:
        with ThreadPoolExecutor(max_workers=len(bounds) - 1) as pool:
            pieces = list(pool.map(lambda i: _piece(raw, bounds[i], bounds[i + 1], width), range(len(bounds) - 1)))
    done = [piece for piece in pieces if piece is not None]
    if len(done) < len(pieces):
        return None
    spans = np.concatenate([piece.spans for piece in done])
    usable = np.concatenate([piece.usable for piece in done])
    starts = 2 + np.concatenate(([0], np.cumsum(spans)[:-1]))
    invalid, offset = [], 0
    for piece in done:
        invalid += [(int(starts[offset + number - 1]), text) for number, text in sorted(piece.invalid.items())]
        offset += len(piece.spans)
    table = pa.concat_tables([piece.table for piece in done])
    return Parsed(table=table, lines=starts[usable], invalid=invalid)


def _split(raw: bytes | mmap.mmap, body: int, parts: int, quotes: np.ndarray, piece: int | None = None) -> list[int]:
    """Offsets that cut ``raw[body:]`` into about ``parts`` pieces (of ``piece`` bytes at least), after line breaks.

    ``quotes`` are the offsets of the body's quotes, quoted as RFC 4180 quotes (see
    :func:`_quotes_are_rfc4180`): a line feed then lies outside every quoted cell exactly
    when an even number of quotes comes before it, so no cut falls inside a cell.
    """
    size = len(raw) - body
    parts = max(1, min(parts, size // (piece or PIECE)))
    bounds = [body]
    closes = _closing_quotes(np.frombuffer(raw, dtype=np.uint8, offset=body), quotes)
    for k in range(1, parts):
        cut = _line_feed_outside_quotes(raw, body, quotes, closes, body + size * k // parts)
        if cut == -1 or cut + 1 <= bounds[-1] or cut + 1 >= len(raw):
            break
        bounds.append(cut + 1)
    bounds.append(len(raw))
    return bounds


def _closing_quotes(buf: np.ndarray, quotes: np.ndarray) -> np.ndarray:
    """The offsets of the quotes that end a quoted cell: closing ones (every second) not doubled by the next byte."""
    closing = quotes[1::2]
    return closing[(closing + 1 == len(buf)) | (buf[np.minimum(closing + 1, len(buf) - 1)] != ord('"'))]


def _line_feed_outside_quotes(
    raw: bytes | mmap.mmap, body: int, quotes: np.ndarray, closes: np.ndarray, start: int
) -> int:
    """The offset of the first line feed from ``start`` on that an even number of the body's quotes precede, or -1.

    A line feed inside a quoted cell is passed by going on from the quote that ends the
    cell (``closes``, of :func:`_closing_quotes`), so each step passes a whole cell.
    """
    while (found := raw.find(b"\n", start)) != -1:
        if int(np.searchsorted(quotes, found - body)) % 2 == 0:
            return found
        start = body + int(closes[np.searchsorted(closes, found - body)]) + 1
    return -1


def _piece(raw: bytes | mmap.mmap, start: int, stop: int, width: int) -> _Piece | None:
    """Check and parse one piece of the body; None when the reference reader must decide."""
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
    return _Piece(table=table, invalid=invalid, spans=spans, usable=usable)


def _lone_carriage_return(raw: bytes | mmap.mmap, start: int, stop: int) -> bool:
    """True when a carriage return in ``raw[start:stop]`` is not followed by a line feed."""
    if raw.find(b"\r", start, stop) == -1:
        return False
    buf = np.frombuffer(raw, dtype=np.uint8, count=stop - start, offset=start)
    returns = np.flatnonzero(buf == ord("\r")) + 1
    return bool(returns[-1] == len(buf) or (buf[returns] != ord("\n")).any())


def _breaks_per_row(table: pa.Table) -> np.ndarray:
    """How many line feeds the cells of each row hold, all columns together."""
    counts = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        counts += pc.count_substring(column, "\n").to_numpy()
    return counts


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
