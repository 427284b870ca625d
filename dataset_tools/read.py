"""Read table files (CSV, JSON, JSON Lines) into string columns that keep their line numbers.

The reader reports what is wrong with a file as a file (encoding, header, blank and
ragged rows, parse errors) and hands every other row on, so that one run finds every
problem. Cells are kept exactly as written: an empty cell is ``""`` and nothing is
trimmed, and ``NA`` stays Namibia.

Two CSV readers agree by construction: a fast one (a NumPy scan of the bytes finds every
record's line and cell count, then pyarrow parses the cells) and a reference one (the
stdlib ``csv`` module, row by row). The fast reader is used only on files whose quoting
its scan can prove it understands; any other file goes to the reference reader.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from pyarrow import csv as pacsv

from dataset_tools.hints import did_you_mean
from dataset_tools.models import LIST_DELIMITER, TABLES, columns
from dataset_tools.problems import Problem

FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
"""File suffixes the reader understands, and the format each means."""

BOM = b"\xef\xbb\xbf"


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

    def problem(self, code: str, line: int | None, message: str, **kwargs: Any) -> None:
        """Record a problem in this file."""
        self.problems.append(Problem(code=code, file=self.file, line=line, message=message, **kwargs))


def read_table(path: Path, table: str, file: str, *, reference: bool = False) -> TableFile:
    """Read one table file. ``reference=True`` forces the stdlib CSV reader."""
    fmt = FORMATS[path.suffix.lower()]
    result = TableFile(table=table, path=path, file=file, format=fmt)
    raw = path.read_bytes()
    text = _decode(raw, result)
    if text is None:
        return result
    if fmt == "csv":
        if reference or not _read_csv_fast(text, result):
            _read_csv_reference(text, result)
    elif fmt == "json":
        _read_json(text, result)
    else:
        _read_jsonl(text, result)
    return result


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _decode(raw: bytes, result: TableFile) -> str | None:
    """UTF-8 text of the file (invalid bytes replaced, and reported), or None if empty."""
    if raw.startswith(BOM):
        result.problem(
            "byte-order-mark", 1, "the file starts with a UTF-8 byte order mark", hint="save it as UTF-8 without BOM"
        )
        raw = raw[len(BOM) :]
    if not raw.strip():
        result.problem("empty-file", None, "the file is empty: it needs at least a header", hint=_header_hint(result))
        return None
    bad: list[int] = []

    def record(error: UnicodeDecodeError) -> tuple[str, int]:
        bad.append(error.start)
        return "\ufffd", error.end

    name = f"dataset-tools-record-{id(bad)}"
    codecs.register_error(name, record)
    text = raw.decode("utf-8", errors=name)
    for line in sorted({_line_of(raw, offset) for offset in bad}):
        result.problem(
            "encoding-error",
            line,
            "this line is not valid UTF-8",
            hint="save the file as UTF-8 (bad bytes show as \ufffd here)",
        )
    if "\x00" in text:
        for line in sorted({text.count("\n", 0, pos) + 1 for pos in _find_all(text, "\x00")}):
            result.problem("nul-byte", line, "this line contains a NUL byte", hint="remove it: no field may hold one")
    return text


def _find_all(text: str, needle: str) -> list[int]:
    found, start = [], text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


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
    return kept


def _nearest_label(label: str, known: set[str]) -> str:
    return did_you_mean(label, sorted(known)) or "remove the column, or rename it to a field of the table"


# --- CSV: fast path ---------------------------------------------------------------------------


def _read_csv_fast(text: str, result: TableFile) -> bool:
    """Scan and parse with NumPy and pyarrow. False if the file needs the reference reader."""
    raw = text.encode("utf-8")
    buf = np.frombuffer(raw, dtype=np.uint8)
    quotes = np.flatnonzero(buf == ord('"'))
    newlines = np.flatnonzero(buf == ord("\n"))
    if len(quotes) % 2 or not _quotes_are_rfc4180(buf, quotes) or _has_lone_cr(buf, quotes):
        return False
    inside = np.searchsorted(quotes, newlines) % 2 == 1
    ends = newlines[~inside]
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(raw)]))
    if starts[-1] >= len(raw):  # the file ends with a newline: no record after it
        starts, stops = starts[:-1], stops[:-1]
    content = stops - starts
    cr_only = (content == 1) & (buf[np.minimum(starts, len(raw) - 1)] == ord("\r"))
    blank = (content == 0) | cr_only
    commas = np.flatnonzero(buf == ord(","))
    commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    cells = np.diff(np.searchsorted(commas, np.concatenate((starts, [len(raw)])))) + 1
    first_lines = np.searchsorted(newlines, starts) + 1
    if blank[0]:
        return False
    header = next(csv.reader([raw[starts[0] : stops[0]].decode("utf-8").rstrip("\r")]))
    result.header = header
    kept = _check_header(header, result)
    width = len(header)
    good = ~blank & (cells == width)
    good[0] = False
    for index in np.flatnonzero(blank[1:]) + 1:
        result.problem("blank-row", int(first_lines[index]), "this row is blank", hint="delete the line")
    for index in np.flatnonzero(~blank & (cells != width)):
        _ragged(result, int(first_lines[index]), int(cells[index]), width)
    if len(starts) == 1:
        result.data = _empty_columns(header, kept)
        return True
    body = raw[starts[1] :]
    try:
        parsed = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(width)], use_threads=True),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=lambda _row: "skip"
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                true_values=[],
                false_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        result.problems = [problem for problem in result.problems if problem.code in _DECODE_CODES]
        return False
    if parsed.num_rows != int(good.sum()):
        result.problems = [problem for problem in result.problems if problem.code in _DECODE_CODES]
        return False
    result.data = pa.table({header[i]: parsed.column(i).combine_chunks() for i in kept})
    result.lines = first_lines[good].astype(np.int64)
    return True


_DECODE_CODES = frozenset({"byte-order-mark", "empty-file", "encoding-error", "nul-byte"})


def _quotes_are_rfc4180(buf: np.ndarray, quotes: np.ndarray) -> bool:
    """True when every quote opens a field, closes one, or is a doubled quote inside one."""
    if len(quotes) == 0:
        return True
    opening, closing = quotes[0::2], quotes[1::2]
    before = np.where(opening > 0, buf[np.maximum(opening - 1, 0)], ord("\n"))
    after_pos = closing + 1
    after = np.where(after_pos < len(buf), buf[np.minimum(after_pos, len(buf) - 1)], ord("\n"))
    open_ok = np.isin(before, [ord(","), ord("\n")]) | (opening == 0)
    # a doubled quote inside a field closes and reopens: the reopening quote follows the closing one
    open_ok[1:] |= opening[1:] == closing[:-1] + 1
    close_ok = np.isin(after, [ord(","), ord("\n"), ord("\r")]) | (after_pos >= len(buf))
    close_ok[:-1] |= closing[:-1] + 1 == opening[1:]
    # a closing quote followed by \r must be followed by \n (a CRLF line end)
    cr = after == ord("\r")
    if cr.any():
        nxt = closing[cr] + 2
        close_ok[cr] &= (nxt < len(buf)) & (buf[np.minimum(nxt, len(buf) - 1)] == ord("\n"))
    return bool(open_ok.all() and close_ok.all())


def _has_lone_cr(buf: np.ndarray, quotes: np.ndarray) -> bool:
    """True when a carriage return outside quotes is not part of CRLF (the reader must decide)."""
    crs = np.flatnonzero(buf == ord("\r"))
    if len(crs) == 0:
        return False
    outside = crs[np.searchsorted(quotes, crs) % 2 == 0]
    nxt = outside + 1
    return bool(((nxt >= len(buf)) | (buf[np.minimum(nxt, len(buf) - 1)] != ord("\n"))).any())


def _ragged(result: TableFile, line: int, count: int, width: int) -> None:
    if count > width:
        result.problem(
            "extra-cell",
            line,
            f"this row has {count} cells but the header has {width}",
            hint="quote cells that contain commas",
        )
    else:
        result.problem(
            "missing-cell",
            line,
            f"this row has {count} cells but the header has {width}",
            hint="add the missing cells (empty is fine for optional fields)",
        )


def _empty_columns(header: list[str], kept: list[int]) -> pa.Table:
    return pa.table({header[i]: pa.array([], pa.string()) for i in kept})


# --- CSV: reference path ----------------------------------------------------------------------


def _read_csv_reference(text: str, result: TableFile) -> None:
    """Read row by row with the stdlib csv module, tracking each record's first line."""
    rows: list[list[str]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    kept: list[int] = []
    line = 1
    width = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.problem(
                "parse-error",
                line,
                f"the CSV cannot be parsed from this line on: {error}",
                hint="look for a quote that is not closed, or a quote in the middle of an unquoted cell",
            )
            break
        if header is None:
            if not row:
                result.problem("blank-row", line, "the header row is blank", hint=_header_hint(result))
                line = reader.line_num + 1
                continue
            header = row
            result.header = header
            kept = _check_header(header, result, line)
            width = len(header)
        elif not row or (row == [""] and width != 1):
            result.problem("blank-row", line, "this row is blank", hint="delete the line")
        elif len(row) != width:
            _ragged(result, line, len(row), width)
        else:
            rows.append(row)
            lines.append(line)
        line = reader.line_num + 1
    if header is None:
        return
    result.data = pa.table({header[i]: pa.array([row[i] for row in rows], pa.string()) for i in kept})
    result.lines = np.asarray(lines, dtype=np.int64)


# --- JSON and JSON Lines ----------------------------------------------------------------------


def _read_json(text: str, result: TableFile) -> None:
    """An array of objects, each object located by the line it starts on."""
    decoder = json.JSONDecoder()
    objects: list[tuple[int, Any]] = []
    pos = _skip_ws(text, 0)
    if pos >= len(text) or text[pos] != "[":
        result.problem(
            "parse-error",
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
            result.problem("parse-error", error.lineno, f"invalid JSON: {error.msg}", hint="fix the JSON syntax here")
            break
        objects.append((line, value))
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
        elif pos >= len(text) or text[pos] != "]":
            line += text.count("\n", counted, pos)
            result.problem("parse-error", line, "invalid JSON: expected ',' or ']'", hint="fix the JSON syntax here")
            break
    _objects_to_columns(objects, result)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _read_jsonl(text: str, result: TableFile) -> None:
    """One JSON object per line; blank lines are reported."""
    objects: list[tuple[int, Any]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if number < text.count("\n") + 1 or line:
                result.problem("blank-row", number, "this line is blank", hint="delete the line")
            continue
        try:
            objects.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            result.problem(
                "parse-error", number, f"invalid JSON: {error.msg}", hint="each line must be one JSON object"
            )
    _objects_to_columns(objects, result)


def _objects_to_columns(objects: list[tuple[int, Any]], result: TableFile) -> None:
    """Turn JSON objects into the same string cells a CSV would hold, reporting wrong types."""
    cols = {column.name: column for column in columns(TABLES[result.table])}
    cells: dict[str, list[str]] = {name: [] for name in cols}
    lines: list[int] = []
    extra_seen: set[str] = set()
    present: set[str] = set()
    for line, obj in objects:
        if not isinstance(obj, dict):
            result.problem(
                "type-error",
                line,
                f"each record must be a JSON object, not {type(obj).__name__}",
                hint="write {...}",
            )
            continue
        for key in obj:
            if key not in cols and key not in extra_seen:
                extra_seen.add(key)
                result.problem(
                    "extra-label",
                    line,
                    f"{key!r} is not a field of {result.table}",
                    field=key,
                    value=key,
                    hint=_nearest_label(key, set(cols)),
                )
        present.update(obj)
        for name, column in cols.items():
            cells[name].append(_json_cell(obj.get(name), column.is_list, name, line, result))
        lines.append(line)
    result.header = [name for name in cols if name in present]
    result.data = pa.table({name: pa.array(cells[name], pa.string()) for name in cols})
    result.lines = np.asarray(lines, dtype=np.int64)


def _json_cell(value: Any, is_list: bool, name: str, line: int, result: TableFile) -> str:
    """The CSV cell a JSON value stands for; a value of the wrong JSON type is reported."""
    if value is None:
        return ""
    if is_list and isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, str) and LIST_DELIMITER not in item:
                items.append(item)
            else:
                shown = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
                result.problem(
                    "type-error",
                    line,
                    f"list items of {name!r} must be text without ';', not {shown!r}",
                    field=name,
                    value=shown,
                    hint="write each item as its own string",
                )
        return LIST_DELIMITER.join(items)
    if isinstance(value, str) and not is_list:
        return value
    shown = json.dumps(value, ensure_ascii=False)
    expected = "an array of strings" if is_list else "a string"
    result.problem(
        "type-error",
        line,
        f"{name!r} must be {expected}, not {shown}",
        field=name,
        value=shown,
        hint=f"write it as {expected}",
    )
    if isinstance(value, str):
        return value  # a string where an array belongs: reported above, and its items still checked
    return ""
