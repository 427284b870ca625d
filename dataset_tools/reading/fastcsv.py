"""The fast CSV path: pyarrow parses, and every record still lands on its physical line.

pyarrow reads the body of a file (after a one-line header) in one call, on the calling
thread (only then does it number the rows it cannot use). It numbers the records with
a wrong number of cells, and keeps blank lines as rows of empty cells; a record spans
one line plus the line breaks inside its cells, which pyarrow keeps as they are. The
body is declined, and ``parse`` answers None for the reference reader to decide, when it
is not valid UTF-8, holds a carriage return that ends no line (readers differ on where
such a line ends), holds a quote that neither opens, closes nor doubles inside a cell
(pyarrow would drop it), or ends inside a quoted cell.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

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


def parse(raw: bytes, body: int, width: int) -> Parsed | None:
    """Parse ``raw[body:]`` as records of ``width`` cells, the header being line 1; None to decline."""
    view = pa.py_buffer(raw).slice(body)
    if not _valid_utf8(view) or _lone_carriage_return(raw, body, len(raw)) or not _plain_quotes(raw, body, len(raw)):
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
                check_utf8=False,  # checked above, once, for the whole body
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
    if _ends_inside_quotes_at_the_end(raw, body, table, invalid, spans):
        return None
    starts = 2 + np.concatenate(([0], np.cumsum(spans)[:-1]))
    return Parsed(
        table=table,
        lines=starts[usable],
        invalid=[(int(starts[number - 1]), invalid[number]) for number in ragged],
    )


def _plain_quotes(raw: bytes, start: int, stop: int) -> bool:
    """True when every quote in ``raw[start:stop]`` opens, closes or doubles inside a cell (RFC 4180).

    Otherwise the reference reader decides: a quote inside a quoted cell that is not
    doubled would be dropped by pyarrow, silently altering the cell.
    """
    if raw.find(b'"', start, stop) == -1:
        return True
    buf = np.frombuffer(raw, dtype=np.uint8, count=stop - start, offset=start)
    quotes = np.flatnonzero(buf == ord('"'))
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


def _lone_carriage_return(raw: bytes, start: int, stop: int) -> bool:
    """True when a carriage return in ``raw[start:stop]`` is not followed by a line feed."""
    return raw.count(b"\r", start, stop) != raw.count(b"\r\n", start, stop)


def _breaks_per_row(table: pa.Table) -> np.ndarray:
    """How many line feeds the cells of each row hold, all columns together."""
    counts = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        counts += pc.count_substring(column, "\n").to_numpy()
    return counts


def _ends_inside_quotes_at_the_end(
    raw: bytes, start: int, table: pa.Table, invalid: dict[int, str], spans: np.ndarray
) -> bool:
    """True when the last record of ``raw[start:]`` runs to the end of the file inside a quoted cell.

    The reference reader's own question is asked of the last record: whether one more
    line break would land inside it. pyarrow gives a ragged record as its text; a row
    whose last cell ends in a line feed (a quoted cell may, legitimately) has taken in
    the file's final line break only if the records then span one line more than the
    body has.
    """
    stop = len(raw)
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
    return int(spans.sum()) != raw.count(b"\n", start)


def plain_quoting(raw: bytes) -> bool:
    """True when every quote of ``raw`` opens, closes or doubles inside a cell, and no CR stands alone.

    Asked of one record at a time (a ragged one over several lines): small, so scanned whole.
    """
    if _lone_carriage_return(raw, 0, len(raw)):
        return False
    buf = np.frombuffer(raw, dtype=np.uint8)
    quotes = np.flatnonzero(buf == ord('"'))
    return len(quotes) % 2 == 0 and _quotes_are_rfc4180(buf, quotes)


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
