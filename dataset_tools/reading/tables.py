"""Read table files (CSV, JSON, JSON Lines) into string columns that keep their line numbers.

The reader reports what is wrong with a file as a file (encoding, header, blank and
ragged rows, parse errors) and hands every other row on, so that one run finds every
problem. Cells are kept exactly as written: an empty cell is ``""`` and nothing is
trimmed, and ``NA`` stays Namibia.

Two CSV readers agree by construction: a fast one (a NumPy scan of the bytes finds every
record's line and cell count, then pyarrow parses the cells) and a reference one (the
stdlib ``csv`` module, row by row). The fast reader is used only on files whose quoting
its scan can prove it understands; any other file goes to the reference reader.

The commands that write a file back (fmt, migrate) read it here too, asking for the
records as written (:attr:`TableFile.written`; see :mod:`dataset_tools.reading.records`):
the reference CSV reader, and JSON with every number kept as written, so that what
cannot be written back unchanged is a problem on the line the validator reports.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataset_tools.reading import bytematch, encodings, fastcsv, strict_json
from dataset_tools.reading.encodings import BOM
from dataset_tools.reading.files import FORMATS, format_of, read_bytes
from dataset_tools.schema.models import LIST_DELIMITER, TABLES, columns
from dataset_tools.validation.hints import did_you_mean
from dataset_tools.validation.problems import Problem, plural

__all__ = ["FORMATS", "TableFile", "Written", "parse", "read_table", "split_lines"]


_T = TypeVar("_T")


@dataclass(slots=True)
class Written:
    """One record as the file writes it, for a command that writes the file back."""

    line: int
    """The physical line (1-based) the record starts on."""
    value: Any
    """CSV: every cell of the row (``list[str]``); JSON: the decoded value (numbers by :func:`strict_json.number`)."""
    keys: dict[str, int] = field(default_factory=dict)
    """JSON: the line of each key of the object (as the validator locates a field); CSV: empty."""


@dataclass
class TableFile:
    """One table file, read: its header, its good rows as string columns, and its problems."""

    table: str
    path: Path
    file: str
    """The path as problems name it."""
    format: str
    header: list[str] = field(default_factory=list)
    data: pa.Table = field(default_factory=lambda: pa.table({}))
    """One string column per known header cell (first of duplicates), one row per good record."""
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Physical line (1-based) where each row of ``data`` starts."""
    problems: list[Problem] = field(default_factory=list)
    field_lines: dict[str, np.ndarray] = field(default_factory=dict)
    """Where a field's line differs from its record's (JSON, one key a line): field → line of each row."""
    blank_lines: list[np.ndarray] = field(default_factory=list)
    """Lines found blank, reported (runs together) when the file has been read."""
    unread_ids: list[str] = field(default_factory=list)
    """Ids of records that exist but could not be read into rows (ragged ones): references to them resolve."""
    incomplete: bool = False
    """True when some records could not be read at all (unparseable, or no id column): its ids are unknown."""
    written: list[Written] | None = None
    """None, or (when a caller asks, giving a list) the records as written: see :mod:`dataset_tools.reading.records`."""
    header_line: int = 1
    """The line of the CSV header (after blank lines, if any)."""
    mistyped: dict[str, list[int]] = field(default_factory=dict)
    """Rows (of ``data``), by field, whose JSON value was of the wrong type: a type-error, its cell
    left empty, which is no missing value (a required-error would be false)."""
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _derived_locks: dict[str, threading.Lock] = field(default_factory=dict, init=False, repr=False, compare=False)
    _derived_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def derived(self, name: str, make: Callable[[], _T]) -> _T:
        """``make()``, made once for this file and kept under ``name``: what checks on several threads each need.

        A second caller of one name waits for the first one's result rather than making it
        again; values of other names are made meanwhile, and ``make`` may ask for them (never
        for one whose ``make`` asks for its own: two threads would wait for each other). What
        is kept is made from ``data``, which is set once, while the file is read, and lives as
        long as this object.
        """
        with self._derived_lock:
            lock = self._derived_locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._derived:
                self._derived[name] = make()
            return cast("_T", self._derived[name])

    def first_records(self) -> np.ndarray:
        """The rows of ``data`` that hold each id's first record, ascending (every row when there is no id column).

        An id repeated further down the file is a primary-key error; the checks that look a
        record up by its id (its kind, its names) read only the first one, as that error does.
        """
        return self.derived("first_records", self._first_records)

    def _first_records(self) -> np.ndarray:
        if "id" not in self.data.column_names:
            every = np.arange(self.data.num_rows)
            every.flags.writeable = False
            return every
        encoded = pc.dictionary_encode(self.data.column("id").combine_chunks(), null_encoding="encode")
        rows = np.unique(encoded.indices.to_numpy(), return_index=True)[1]
        rows.sort()  # in file order
        rows.flags.writeable = False  # shared by checks on several threads
        return rows

    def lines_for(self, name: str) -> np.ndarray:
        """The line of field ``name`` in each row: its own line in JSON, else the record's first line."""
        return self.field_lines.get(name, self.lines)

    def unparseable(self, line: int | None, message: str, hint: str, field: str | None = None) -> None:
        """A parse-error: records from here on could not be read, so this table's ids are not all known."""
        self.problem("parse-error", line, message, hint=hint, field=field)
        self.incomplete = True

    def problem(self, code: str, line: int | None, message: str, **kwargs: Any) -> None:
        """Record a problem in this file."""
        self.problems.append(Problem(code=code, file=self.file, line=line, message=message, **kwargs))


def read_table(path: Path, table: str, file: str, *, reference: bool = False) -> TableFile:
    """Read one table file. ``reference=True`` forces the stdlib CSV reader (the tests' oracle).

    Raises :class:`UnreadableInput` when the file is not a regular file or cannot be read.
    """
    result = TableFile(table=table, path=path, file=file, format=format_of(path))
    _read(result, reference=reference)
    _report_blanks(result)
    return result


def _read(result: TableFile, *, reference: bool) -> None:
    """Read ``result``'s file into it."""
    parse(read_bytes(result.path), result, reference=reference)


def parse(raw: bytes, result: TableFile, *, reference: bool = False) -> None:
    """Read a table file's bytes into ``result``: encoding, byte order mark, emptiness, NUL bytes, then its format.

    When ``result.written`` is a list, the records as written are put in it as well: a
    CSV file is then read by the reference reader, and JSON numbers are kept as written.
    """
    file, fmt = result.file, result.format
    foreign = encodings.identify(raw)
    if foreign is not None:
        result.problem("encoding-error", 1, foreign.message(), hint=foreign.hint(file))
        result.incomplete = True
        return
    if raw[: len(BOM)] == BOM:
        result.problem(
            "byte-order-mark", 1, "the file starts with a UTF-8 byte order mark", hint="save it as UTF-8 without BOM"
        )
        raw = raw[len(BOM) :]
    if fmt == "jsonl" and len(raw) == 0:
        return  # JSON Lines of no records: an empty table, as fmt writes it
    if _NOT_SPACE.search(raw) is None:
        result.problem("empty-file", None, "the file is empty: it needs at least a header", hint=_header_hint(result))
        result.incomplete = True
        return
    nul = raw.find(b"\x00") != -1
    nul_lines = [n for n, text in enumerate(split_lines(raw), start=1) if b"\x00" in text] if nul else []
    for line in nul_lines:
        result.problem("nul-byte", line, "this line contains a NUL byte", hint="remove it: no field may hold one")
    if fmt == "csv" and not reference and result.written is None and _read_csv_fast(raw, result):
        return  # pyarrow checked the UTF-8; a file that fails goes on below
    text = _decode(raw, result)
    if text is not None:
        _READERS[fmt](text, result)


def _json_lines_of(read: Callable[[str, TableFile], None]) -> Callable[[str, TableFile], None]:
    """``read``, given JSON whose every line break is LF.

    Outside strings, where JSON allows no raw CR, a CR (alone or before LF) is a line break like any other.
    """

    def lf_only(text: str, result: TableFile) -> None:
        read(text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text, result)

    return lf_only


def split_lines(raw: bytes) -> list[bytes]:
    """``raw`` cut into lines at every line break: LF, CRLF or a lone CR (the one definition line numbers use)."""
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")


_NOT_SPACE = re.compile(rb"[^ \t\n\r\x0b\x0c]")


def _decode(raw: bytes, result: TableFile) -> str | None:
    """The file's text, invalid UTF-8 replaced by U+FFFD and reported on its line (line by line: linear).

    None, with one problem, when the file is Windows-1252 or Latin-1 text rather than UTF-8.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    foreign = encodings.single_byte(raw)
    if foreign is not None:
        result.problem("encoding-error", 1, foreign.message(), hint=foreign.hint(result.file))
        result.incomplete = True
        return None
    lines = split_lines(raw)  # CR and LF never occur inside a multi-byte UTF-8 character
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            result.problem(
                "encoding-error",
                number,
                "this line is not valid UTF-8",
                hint="save the file as UTF-8 (bad bytes show as \ufffd here)",
            )
    return raw.decode("utf-8", errors="replace")


def _header_hint(result: TableFile) -> str:
    names = ",".join(column.name for column in columns(TABLES[result.table]))
    return f"the header of {result.table} is: {names}"


def _check_header(header: list[str], result: TableFile, line: int = 1) -> list[int]:
    """Report header problems; return the index of each header cell kept as a column."""
    known = {column.name for column in columns(TABLES[result.table])}
    seen: dict[str, int] = {}
    kept = []
    for index, label in enumerate(header):
        if label == "":
            result.problem("blank-label", line, f"header cell {index + 1} is empty", hint=_header_hint(result))
        elif label in seen:
            result.problem(
                "duplicate-label",
                line,
                f"column {label!r} appears twice (cells {seen[label] + 1} and {index + 1})",
                field=label,
                hint="delete one of them",
            )
        elif label not in known:
            result.problem(
                "extra-label",
                line,
                f"{label!r} is not a field of {result.table}",
                field=label,
                value=label,
                hint=_nearest_label(label, known),
            )
            seen[label] = index
        else:
            seen[label] = index
            kept.append(index)
    for column in columns(TABLES[result.table]):
        if column.required and column.name not in seen:
            result.problem(
                "missing-label",
                line,
                f"required field {column.name!r} has no column",
                field=column.name,
                hint=f"add a {column.name} column",
            )
    if "id" not in seen:
        result.incomplete = True  # its records cannot be referred to
    return kept


def _nearest_label(label: str, known: set[str]) -> str:
    return did_you_mean(label, sorted(known)) or "remove the column, or rename it to a field of the table"


# --- CSV: fast path ---------------------------------------------------------------------------


def _read_csv_fast(raw: bytes, result: TableFile) -> bool:
    """Read with :mod:`dataset_tools.fastcsv`. False if the reference reader must decide."""
    end = raw.find(b"\n")
    header = _plain_header(raw[: end if end >= 0 else len(raw)])
    if header is None:
        return False
    if end < 0 or end == len(raw) - 1:
        result.header = header
        kept = _check_header(header, result)
        result.data = _empty_columns(header, kept)
        return True
    parsed = fastcsv.parse(raw, end + 1, len(header))
    if parsed is None:
        return False
    result.header = header
    kept = _check_header(header, result)
    for line, text in parsed.invalid:
        _unusable(result, line, next(csv.reader([text]), []), header, written=lambda text=text: text)
    blank = _blank_rows(parsed.table)  # rows of empty cells; lines with nothing on them are no rows
    result.blank_lines += [parsed.empty, parsed.lines[blank]]  # all at once: a file may hold millions
    table = parsed.table.filter(pa.array(~blank)) if blank.any() else parsed.table
    result.data = pa.table({header[i]: table.column(i) for i in kept})
    result.lines = parsed.lines[~blank]
    return True


def _plain_header(first: bytes) -> list[str] | None:
    """The header, if it is one line of at least two unquoted names; else None (the reference reader decides)."""
    first = first.removesuffix(b"\r")
    if b'"' in first or b"\r" in first or not first:
        return None  # quoted names, or a carriage return that ends no line: the reference reader decides
    try:
        header = next(csv.reader([first.decode("utf-8")]))
    except (UnicodeDecodeError, csv.Error):  # bad bytes, or a carriage return inside the line
        return None
    return header if len(header) >= 2 and not _is_blank(header) else None


def _blank_rows(parsed: pa.Table) -> np.ndarray:
    """Rows whose every cell is empty (each column compared on its own: no cell is copied)."""
    blank = np.ones(parsed.num_rows, dtype=bool)
    for column in parsed.columns:
        blank &= bytematch.empty(column)
        if not blank.any():
            break
    return blank


def _is_blank(cells: list[str]) -> bool:
    """No cells, only empty ones, or one cell of white space (a line of spaces)."""
    return all(cell == "" for cell in cells) or (len(cells) == 1 and not cells[0].strip())


def _unusable(result: TableFile, line: int, cells: list[str], header: list[str], written: Callable[[], str]) -> None:
    """A record that is not a row: blank, or ragged (whose id, if it has one, still counts as existing).

    ``written`` gives the record as the file has it, without its final line break: a
    ragged record that spans lines, quoted otherwise than plain RFC 4180, has probably
    swallowed the lines after a quote that was never closed.
    """
    if _is_blank(cells):
        _blank(result, line)
        return
    raw = written().encode("utf-8") if any("\n" in cell or "\r" in cell for cell in cells) else b""
    if raw and not fastcsv.plain_quoting(raw):
        result.problem(
            "extra-cell" if len(cells) > len(header) else "missing-cell",
            line,
            f"this record has {plural(len(cells), 'cell')} but the header has {len(header)}, and runs over "
            f"{plural(len(split_lines(raw)), 'line')}",
            hint="a quote is probably not closed on this line, so the lines after it were read into one cell",
        )
        result.incomplete = True  # records may be hidden inside it: their ids are unknown
        return
    _ragged(result, line, len(cells), len(header))
    if "id" in header and header.index("id") < len(cells) and cells[header.index("id")]:
        result.unread_ids.append(cells[header.index("id")])


def _blank(result: TableFile, line: int) -> None:
    result.blank_lines.append(np.array([line], dtype=np.int64))


BLANK_RUN = 3
"""Consecutive blank lines reported as one problem, from this many on (fewer are reported one by one)."""


def _report_blanks(result: TableFile) -> None:
    """One blank-row problem per blank line, or one per run of :data:`BLANK_RUN` or more naming its lines."""
    lines = np.concatenate(result.blank_lines) if result.blank_lines else np.zeros(0, dtype=np.int64)
    result.blank_lines = []
    if not (lines[1:] > lines[:-1]).all():  # found in order, as every reader finds them: no sort
        lines = np.unique(lines)
    if not len(lines):
        return
    breaks = np.flatnonzero(np.diff(lines) != 1) + 1
    for run in np.split(lines, breaks):
        first, last = int(run[0]), int(run[-1])
        if len(run) < BLANK_RUN:
            for line in run:
                result.problem("blank-row", int(line), "this row is blank", hint="delete the line")
        else:
            message = f"lines {first} to {last} are blank ({len(run):,} lines)"
            result.problem("blank-row", first, message, hint="delete these lines")


def _ragged(result: TableFile, line: int, count: int, width: int) -> None:
    if count > width:
        result.problem(
            "extra-cell",
            line,
            f"this row has {plural(count, 'cell')} but the header has {width}",
            hint="quote cells that contain commas",
        )
    else:
        result.problem(
            "missing-cell",
            line,
            f"this row has {plural(count, 'cell')} but the header has {width}",
            hint="add the missing cells (empty is fine for optional fields)",
        )


def _empty_columns(header: list[str], kept: list[int]) -> pa.Table:
    return pa.table({header[i]: pa.array([], pa.string()) for i in kept})


# --- CSV: reference path ----------------------------------------------------------------------


def _read_csv_reference(text: str, result: TableFile) -> None:
    """Read row by row with the stdlib csv module, tracking each record's first line."""
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    kept: list[int] = []
    physical = cache(lambda: io.StringIO(text, newline="").readlines())  # lines as the csv module counts them
    last_start, last_problems, last_kept = 1, len(result.problems), False
    quoted = '"' in text and not _strictly_readable(text)  # else no record has an undoubled quote
    for line, row, end in _csv_rows(text, result):
        last_start, last_problems, last_kept = line, len(result.problems), False
        if header is None:
            if _is_blank(row):
                result.problem("blank-row", line, "the header row is blank", hint=_header_hint(result))
                continue
            header, before = row, len(result.problems)
            result.header, result.header_line = header, line
            kept = _check_header(header, result, line)
            if _other_delimiter(header, result, before):
                return
        elif _is_blank(row) or len(row) != len(header):
            _unusable(
                result, line, row, header, written=lambda first=line, end=end: _record_text(physical(), first, end)
            )
        elif quoted and _altered(written := _record_text(physical(), line, end)):
            _misquoted(result, line, written, header)
        else:
            rows.append(row)
            lines.append(line)
            last_kept = True
    if '"' in text and _ends_inside_quotes(_from_line(text, last_start)):
        del result.problems[last_problems:]
        if last_kept:
            rows.pop()
            lines.pop()
        result.unparseable(
            last_start,
            "the file has an unclosed quote, so the record from this line to the end of the file could not be read",
            hint='find the quote that is not closed (often in a row reported above); double a quote inside a cell ("")',
        )
    if header is None:
        result.incomplete = True  # no header: no records, and no ids to refer to
        return
    _rows_to_columns(rows, lines, [header[i] for i in kept], kept, result)


def _rows_to_columns(
    rows: list[list[str]], lines: list[int], names: list[str], kept: list[int], result: TableFile
) -> None:
    """The rows read as string columns (cell ``kept[n]`` as column ``names[n]``), or, when asked, as written."""
    if result.written is not None:
        result.written.extend(Written(line, row) for line, row in zip(lines, rows, strict=True))
        return
    result.data = pa.table(
        {name: pa.array([row[i] for row in rows], pa.string()) for name, i in zip(names, kept, strict=True)}
    )
    result.lines = np.asarray(lines, dtype=np.int64)


def _csv_rows(text: str, result: TableFile) -> Iterator[tuple[int, list[str], int]]:
    """(first line, cells, last line) of each record, as the lenient csv module reads it (as pyarrow does).

    A record the csv module cannot read (a cell over its field limit) is a parse-error, and the end.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # a cell over the csv module's field limit: far over any field's length
            result.unparseable(line, f"the CSV cannot be read from this line on: {error}", hint=_TOO_LONG)
            return
        yield line, row, reader.line_num
        line = reader.line_num + 1


_TOO_LONG = "a cell holds over 131,072 characters (no field allows more than 10,000): look for a quote not closed"


def _altered(written: str) -> bool:
    """True when the csv module would change a cell of this record: a quote inside a quoted cell is not doubled.

    RFC 4180 2.7: a quote inside a quoted cell is written twice. The lenient reader drops
    an undoubled one (``"says "temporary`` reads as ``says temporary``), so such a record is
    a parse-error, never a silently altered cell (fmt refuses it alike).
    """
    if '"' not in written:
        return False
    try:
        for _ in csv.reader(io.StringIO(written, newline=""), strict=True):
            pass
    except csv.Error as error:
        return "expected after" in str(error)
    return False


def _strictly_readable(text: str) -> bool:
    """True when the strict csv module reads all of ``text``: then no record of it is :func:`_altered`.

    One pass in C over the file instead of one strict read per record holding a quote.
    """
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
            pass
    except csv.Error:
        return False
    return True


def _misquoted(result: TableFile, line: int, written: str, header: list[str]) -> None:
    """A record with an undoubled quote in a quoted cell: reported, not read; its id, if any, still exists."""
    result.problem(
        "parse-error",
        line,
        "a quote inside a quoted cell is not doubled, so the cell cannot be read as written",
        hint='write a quote inside a quoted cell as two ("")',
    )
    cells = next(csv.reader([written.split("\n", 1)[0]]), [])
    if "id" in header and header.index("id") < len(cells) and cells[header.index("id")]:
        result.unread_ids.append(cells[header.index("id")])


def _other_delimiter(header: list[str], result: TableFile, before: int) -> bool:
    """True, with one problem, when a one-cell header is names separated by ``;`` or a tab instead of commas."""
    if len(header) != 1:
        return False
    known = {column.name for column in columns(TABLES[result.table])}
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs")):
        names = header[0].split(delimiter)
        if len(names) >= 2 and sum(part.strip().strip('"') in known for part in names) >= 2:
            del result.problems[before:]  # the header's made-up problems
            result.unparseable(
                1,
                f"the file is separated by {name}, not commas, so it was not read",
                hint="save it as comma-separated CSV (in Excel: CSV UTF-8 (Comma delimited))",
            )
            return True
    return False


def _ends_inside_quotes(text: str) -> bool:
    """True when one more line break would change the first record of ``text``: it runs to the end inside a quote.

    The reference reader's question of a file's last record.
    """
    try:
        return next(csv.reader(io.StringIO(text, newline="")), []) != next(
            csv.reader(io.StringIO(text + "\n", newline="")), []
        )
    except csv.Error:  # a cell over the csv module's field limit: the reference reader reports it
        return True


def _record_text(physical: list[str], first: int, last: int) -> str:
    """Lines ``first`` to ``last`` (1-based), as written, less the final line break."""
    return "".join(physical[first - 1 : last]).removesuffix("\n").removesuffix("\r")


def _from_line(text: str, start: int) -> str:
    """``text`` from line ``start`` (1-based) on, lines counted as the csv module counts them (CR, LF, CRLF)."""
    stream = io.StringIO(text, newline="")
    for _ in range(start - 1):
        stream.readline()
    return stream.read()


# --- JSON and JSON Lines ----------------------------------------------------------------------


def _read_json(text: str, result: TableFile) -> None:
    """An array of objects, each object located by the line it starts on."""
    decoder = _decoder(result)
    objects: list[tuple[int, Any, dict[str, int]]] = []
    pos = _skip_ws(text, 0)
    if pos >= len(text) or text[pos] != "[":
        result.unparseable(
            text.count("\n", 0, pos) + 1,
            "a JSON table must be an array of objects",
            hint="wrap the records in [ ]",
        )
        return
    pos = _skip_ws(text, pos + 1)
    line, counted = 1, 0
    while pos < len(text) and text[pos] != "]":
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as error:
            _invalid_json(result, error, error.lineno, (pos, line), "fix the JSON syntax here")
            break
        except RecursionError:
            _too_deep(result, line)
            break
        where = _key_lines(text, pos, end, line, value)
        if text.find("\\u", pos, end) != -1:  # only an escape can write half a character
            value = _in_record(value, line, where, result)
        objects.append((line, value, where))
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
            if pos < len(text) and text[pos] == "]":
                result.unparseable(text.count("\n", 0, pos) + 1, "invalid JSON: a comma before ']'", hint="remove it")
        elif pos >= len(text) or text[pos] != "]":
            line += text.count("\n", counted, pos)
            result.unparseable(line, "invalid JSON: expected ',' or ']'", hint="fix the JSON syntax here")
            break
    if not result.incomplete:
        _check_array_end(text, pos, result)
    _objects_to(objects, result)


def _check_array_end(text: str, pos: int, result: TableFile) -> None:
    """The array must close at ``pos``, and nothing may follow it."""
    if pos >= len(text):
        result.unparseable(text.count("\n") + 1, "invalid JSON: the array is never closed", hint="end it with ]")
    elif (after := _skip_ws(text, pos + 1)) < len(text):
        result.unparseable(
            text.count("\n", 0, after) + 1,
            "invalid JSON: there is more after the array's closing ]",
            hint="a JSON table is one array: move these records into it",
        )


def _too_deep(result: TableFile, line: int) -> None:
    result.unparseable(line, "the JSON is nested too deeply to read", hint="records hold text and lists")


def _key_lines(text: str, start: int, end: int, line: int, value: Any) -> dict[str, int]:
    """The line of each key of a JSON object written from ``start`` to ``end``, starting on ``line``.

    A key is found as JSON reads it, written with ``u`` escapes or not, and never a ``"name":``
    inside a string or in an object nested in a value. Most records hold no nested object and
    their keys as :mod:`json` writes them: each is searched for directly; any other record is
    walked token by token (:func:`_walked_key_lines`).
    """
    if not isinstance(value, dict):
        return {}
    if text.find("{", start + 1, end) == -1:
        found = {}
        for key in value:
            match = _key_pattern(key).search(text, start, end)
            if match is None:
                break
            found[key] = line + text.count("\n", start, match.start(1))
        else:
            return found
    return _walked_key_lines(text, start, end, line)


@lru_cache(maxsize=1 << 10)
def _key_pattern(key: str) -> re.Pattern[str]:
    """``key`` as JSON writes it (group 1), after the ``{`` or ``,`` before a key (a quote in a string is escaped)."""
    return re.compile(r"[{,]\s*(" + re.escape(json.dumps(key, ensure_ascii=False)) + r")\s*:")


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?|[{}\[\]]')
"""A JSON string (group 2 set when it is a key, followed by its colon) or a bracket."""


def _walked_key_lines(text: str, start: int, end: int, line: int) -> dict[str, int]:
    """:func:`_key_lines` of any object: its own keys are the strings followed by ``:`` one bracket deep."""
    found: dict[str, int] = {}
    depth, counted = 0, start
    for token in _TOKEN.finditer(text, start, end):
        written = token[1]
        if written is None:
            depth += 1 if token[0] in ("{", "[") else -1
        elif depth == 1 and token[2] is not None:
            line += text.count("\n", counted, token.start())
            counted = token.start()
            found.setdefault(json.loads(f'"{written}"') if "\\" in written else written, line)
    return found


_RAW_CONTROL = "Invalid control character at"
""":mod:`json`'s message for a control character written raw inside a string (RFC 8259 requires an escape)."""


def _invalid_json(
    result: TableFile, error: json.JSONDecodeError, line: int, record: tuple[int, int], hint: str
) -> None:
    """A parse-error on ``line`` for ``error``, met reading the record at (position, line) ``record`` of its text.

    A control character written raw inside a string is named, on its key's line and with its
    field, as the value's other problems are.
    """
    start, first_line = record
    if error.msg != _RAW_CONTROL:
        result.unparseable(line, f"invalid JSON: {error.msg}", hint=hint)
        return
    character = error.doc[error.pos]
    described = f"U+{ord(character):04X} {_CONTROL_NAMES.get(character, 'a control character')}"
    opening = error.doc.rfind('"', start, error.pos)
    if _is_key_at(error.doc, start, opening):
        result.unparseable(
            first_line + error.doc.count("\n", start, opening),
            f"invalid JSON: a key holds {described} written as it is, which JSON allows only as an escape",
            hint="delete it: no field's name holds it",
        )
        return
    keys = _walked_key_lines(error.doc, start, error.pos, first_line)
    name = next(reversed(keys), None)
    result.unparseable(
        keys.get(name, line) if name is not None else line,
        f"invalid JSON: {'a string' if name is None else f'the value of {name!r}'} holds {described} written as it"
        " is, which JSON allows only as an escape",
        hint=_RAW_CONTROL_HINTS.get(character, "delete it: no field may hold it (it is invisible)"),
        field=name,
    )


def _is_key_at(text: str, start: int, opening: int) -> bool:
    """True when the string opening at ``opening`` (of the object starting at ``start``) stands where a key goes.

    That is right inside an object, after its ``{`` or after a value (then a comma): not after
    a key's colon, and not inside an array.
    """
    brackets: list[str] = []
    after_key = False
    for token in _TOKEN.finditer(text, start, max(opening, start)):
        if token[1] is None:
            if token[0] in "{[":
                brackets.append(token[0])
            elif brackets:
                brackets.pop()
            after_key = False
        else:
            after_key = token[2] is not None
    return bool(brackets) and brackets[-1] == "{" and not after_key


_RAW_CONTROL_HINTS = {
    "\x00": "delete it: no field may hold a NUL",
    **{character: f"write it as {json.dumps(character)[1:-1]} if it is meant, or delete it" for character in "\t\n\r"},
}
_CONTROL_NAMES = {"\x00": "NULL", "\t": "CHARACTER TABULATION", "\n": "LINE FEED", "\r": "CARRIAGE RETURN"}
"""Names of the control characters a raw one in JSON most often is (:mod:`unicodedata` names none of them)."""


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _read_jsonl(text: str, result: TableFile) -> None:
    """One JSON object per line; blank lines are reported."""
    objects: list[tuple[int, Any, dict[str, int]]] = []
    decoder = _decoder(result)
    last = text.count("\n") + 1
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if number < last or line:
                _blank(result, number)
            continue
        try:
            record = decoder.decode(line)
        except RecursionError:
            _too_deep(result, number)
        except json.JSONDecodeError as error:
            _invalid_json(result, error, number, (0, number), "each line must be one JSON object")
        else:
            objects.append((number, _in_record(record, number, {}, result) if "\\u" in line else record, {}))
    _objects_to(objects, result)


def _decoder(result: TableFile) -> json.JSONDecoder:
    """Integers kept as their digits (:class:`Digits`); every number and constant so, for records as written."""
    if result.written is None:
        return json.JSONDecoder(object_pairs_hook=_Record.from_pairs, parse_int=Digits)
    return json.JSONDecoder(
        object_pairs_hook=_Record.from_pairs, parse_int=Digits, parse_float=Digits, parse_constant=Digits
    )


def _objects_to(objects: list[tuple[int, Any, dict[str, int]]], result: TableFile) -> None:
    """The objects read, as string columns; or, when the caller asked for them, as written."""
    if result.written is None:
        _objects_to_columns(objects, result)
        return
    for line, obj, where in _objects(objects, result, "writing the file back would keep only one"):
        value = {key: _strict(item, key, where.get(key, line), result) for key, item in obj.items()}
        result.written.append(Written(line, value, where))


def _strict(value: Any, key: str, line: int, result: TableFile) -> Any:
    """``value`` (of field ``key``, on ``line``) with its numbers as :func:`strict_json.number` reads them.

    A number that would not be written back as written, and a key written twice in an
    object inside it, are problems (the validator reports a type-error on the same line).
    """
    if isinstance(value, Digits):
        try:
            return strict_json.number(str.__str__(value))
        except ValueError as error:
            result.problem(
                "type-error",
                line,
                str(error),
                field=key,
                value=_shown(value),
                hint="write the value as a string, in quotes",
            )
            return value
    if isinstance(value, list):
        return [_strict(item, key, line, result) for item in value]
    if isinstance(value, dict):
        for inner in dict.fromkeys(getattr(value, "repeated", [])):
            _repeated(result, line, key, "writing the file back would keep only one", inner=inner)
        return {name: _strict(item, key, line, result) for name, item in value.items()}
    return value


def _repeated(result: TableFile, line: int, key: str, consequence: str, inner: str | None = None) -> None:
    """A key written more than once in a record (or, ``inner``, in an object inside its field ``key``)."""
    where = f"key {inner!r} of an object in {key!r}" if inner is not None else repr(key)
    result.problem(
        "duplicate-label",
        line,
        f"{where} appears more than once in this record; {consequence}",
        field=key,
        hint="keep one of them",
    )


def _objects(
    objects: list[tuple[int, Any, dict[str, int]]], result: TableFile, consequence: str
) -> Iterator[tuple[int, dict[str, Any], dict[str, int]]]:
    """The records that are JSON objects; the others, and keys written twice (``consequence``), are problems."""
    for line, obj, where in objects:
        if not isinstance(obj, dict):
            _not_an_object(result, line, obj)
            continue
        for key in dict.fromkeys(getattr(obj, "repeated", [])):
            _repeated(result, where.get(key, line), key, consequence)
        yield line, obj, where


def _not_an_object(result: TableFile, line: int, value: Any) -> None:
    result.problem(
        "type-error", line, f"each record must be a JSON object, not {type(value).__name__}", hint="write {...}"
    )


def _objects_to_columns(objects: list[tuple[int, Any, dict[str, int]]], result: TableFile) -> None:
    """Turn JSON objects into the same string cells a CSV would hold, reporting wrong types."""
    cols = {column.name: column for column in columns(TABLES[result.table])}
    cells: dict[str, list[str]] = {name: [] for name in cols}
    key_lines: dict[str, list[int]] = {name: [] for name in cols}
    lines: list[int] = []
    extra_seen: set[str] = set()
    present: set[str] = set()
    for line, obj, where in _objects(objects, result, "only its last value is checked"):
        for key in obj:
            if key not in cols and key not in extra_seen:
                extra_seen.add(key)
                result.problem(
                    "extra-label",
                    where.get(key, line),
                    f"{key!r} is not a field of {result.table}",
                    field=key,
                    value=key,
                    hint=_nearest_label(key, set(cols)),
                )
        present.update(obj)
        for name, column in cols.items():
            reported = len(result.problems)
            cell = _json_cell(obj.get(name), column.is_list, name, where.get(name, line), result)
            if not cell and len(result.problems) > reported:  # a value of the wrong type, not an empty one
                result.mistyped.setdefault(name, []).append(len(lines))
            cells[name].append(cell)
            key_lines[name].append(where.get(name, line))
        lines.append(line)
    result.header = [name for name in cols if name in present]
    result.data = pa.table({name: pa.array(cells[name], pa.string()) for name in cols})
    result.lines = np.asarray(lines, dtype=np.int64)
    result.field_lines = {name: np.asarray(found, dtype=np.int64) for name, found in key_lines.items()}


_SURROGATE = re.compile("[\ud800-\udfff]")
"""A lone surrogate: JSON can write one (``"\\ud800"``), but it is no character and no UTF-8."""


def _in_record(value: Any, line: int, where: dict[str, int], result: TableFile) -> Any:
    """:func:`_characters` of a record read on ``line``: what a field's value holds is located at its key.

    ``where`` gives each key's line (JSON, one key a line; empty in JSON Lines, where every key is on
    ``line``); a problem inside a value names that line and the key as its field, as every other
    problem of a field does. A key holding a lone surrogate is itself the field named.
    """
    if not isinstance(value, dict):
        return _characters(value, line, result)
    fixed = _Record()
    for key, item in value.items():
        name = _SURROGATE.sub("\ufffd", key)
        fixed[_characters(key, where.get(key, line), result, name)] = _characters(
            item, where.get(key, line), result, name
        )
    fixed.repeated = [_SURROGATE.sub("\ufffd", key) for key in getattr(value, "repeated", [])]
    return fixed


def _characters(value: Any, line: int, result: TableFile, name: str | None = None) -> Any:
    """``value`` (of field ``name``, on ``line``) with every lone surrogate replaced by U+FFFD.

    Each text holding one is reported, on ``line`` and naming ``name``.
    """
    if isinstance(value, str):
        if _SURROGATE.search(value) is None:
            return value
        fixed = _SURROGATE.sub("\ufffd", value)
        result.problem(
            "encoding-error",
            line,
            f"a JSON escape of half a character (a lone surrogate) in {fixed!r}, shown here as \ufffd",
            field=name,
            value=fixed,
            hint="write the character itself, or both halves of its \\u escape",
        )
        return fixed
    if isinstance(value, list):
        return [_characters(item, line, result, name) for item in value]
    if isinstance(value, dict):
        fixed = _Record(
            {_characters(key, line, result, name): _characters(item, line, result, name) for key, item in value.items()}
        )
        fixed.repeated = [_SURROGATE.sub("\ufffd", key) for key in getattr(value, "repeated", [])]
        return fixed
    return value


class Digits(str):
    """A JSON integer, kept as its digits: no field is a number, and Python's ``int`` refuses over 4,300 digits.

    For records as written (:attr:`TableFile.written`), every number and constant is kept so until
    :func:`strict_json.number` reads it.
    """

    __slots__ = ()


class _Record(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once (the last value stays)."""

    repeated: list[str]

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> _Record:
        """``object_pairs_hook`` for :mod:`json`."""
        record = cls(pairs)
        seen: set[str] = set()
        record.repeated = [key for key, _ in pairs if key in seen or seen.add(key)]
        return record


def _json_cell(value: Any, is_list: bool, name: str, line: int, result: TableFile) -> str:
    """The CSV cell a JSON value stands for; a value of the wrong JSON type is reported."""
    if value is None:
        return ""
    if is_list and isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, str) and not isinstance(item, Digits) and item and LIST_DELIMITER not in item:
                items.append(item)
            else:
                shown = item if isinstance(item, str) and not isinstance(item, Digits) else _shown(item)
                result.problem(
                    "type-error",
                    line,
                    f"list items of {name!r} must be non-empty text without ';', not {shown!r}",
                    field=name,
                    value=shown,
                    hint="write each item as its own string",
                )
        return LIST_DELIMITER.join(items)
    if isinstance(value, str) and not isinstance(value, Digits) and not is_list:
        return value
    shown = _shown(value)
    expected = "an array of strings" if is_list else "a string"
    result.problem(
        "type-error",
        line,
        f"{name!r} must be {expected}, not {shown}",
        field=name,
        value=shown,
        hint=f"write it as {expected}",
    )
    if isinstance(value, str) and not isinstance(value, Digits):
        return value  # a string where an array belongs: reported above, and its items still checked
    return ""


SHOWN = 200
"""The most characters of a wrong JSON value a problem repeats."""


def _shown(value: Any) -> str:
    """A JSON value as it was written (integers by their digits), cut to :data:`SHOWN` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        text = "a value nested too deeply to show"
    if isinstance(value, Digits):
        text = str.__str__(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


_READERS: dict[str, Callable[[str, TableFile], None]] = {
    "csv": _read_csv_reference,
    "json": _json_lines_of(_read_json),
    "jsonl": _json_lines_of(_read_jsonl),
}
"""The reader of each format's decoded text (CSV here only when the fast reader declined it)."""
