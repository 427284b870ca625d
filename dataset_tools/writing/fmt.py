"""Canonical formatting of table files: the one place where values are normalised.

A table file in canonical form has every column of the schema, in the schema's order;
its rows sorted by id (a stable sort, so rows with equal ids keep their order); every
cell trimmed of outer whitespace and in Unicode NFC, list items each trimmed and kept in
order; line breaks as LF, inside cells too. A CSV file is UTF-8 without byte order mark,
with RFC 4180 minimal quoting (:mod:`dataset_tools.canonical`); a JSON file is an array
of objects with every field, two-space indentation and non-ASCII text as is; a JSON
Lines file has one such object per line. Rows with no value at all are dropped: they
hold nothing to lose.

Formatting is lossless: what the canonical form cannot hold (a column or key that is not
a field of the table, a duplicate column or key, a ragged row, bytes that are not UTF-8,
a NUL byte, a file that does not parse) is reported as a :class:`Problem` and the file is
left exactly as it was. Files are replaced atomically (a temporary file in the same
folder, then ``os.replace``), so a reader never sees half a file.
"""

from __future__ import annotations

import codecs
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataset_tools.errors import UnreadableInput, UsageError
from dataset_tools.reading import encodings, files
from dataset_tools.reading.files import table_of
from dataset_tools.reading.records import csv_records, json_lines, json_objects
from dataset_tools.schema.models import LIST_DELIMITER, TABLES, columns
from dataset_tools.validation.problems import Problem
from dataset_tools.writing.atomic import atomic_write_bytes
from dataset_tools.writing.canonical import csv_text

BOM = "\ufeff"


@dataclass(frozen=True)
class Change:
    """What formatting did (or, with ``check``, would do) to one file."""

    path: Path
    file: str
    """The path as messages name it."""
    changed: bool
    """The file's bytes differ from its canonical form (and, unless checking, were replaced)."""
    problems: tuple[Problem, ...] = ()
    """Why the file cannot be formatted without loss; when any, the file was left untouched."""


def normalise(value: str) -> str:
    """One cell: line breaks (CRLF, CR) as LF, outer whitespace trimmed, Unicode NFC."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n").strip())


def normalise_cell(value: str, is_list: bool) -> str:
    """A CSV cell; in a list cell each ``;``-separated item is normalised on its own."""
    if is_list:
        return LIST_DELIMITER.join(normalise(item) for item in value.split(LIST_DELIMITER))
    return normalise(value)


def table_files(paths: Iterable[Path]) -> list[Path]:
    """The table files among ``paths`` and inside the folders among them, sorted.

    A file named on purpose that is not a table is a usage error; other files in a
    folder are left for the validator to report.
    """
    found: set[Path] = set()
    for path in paths:
        if not files.look(path):
            raise UnreadableInput(f"{path}: no such file or folder")
        if path.is_dir():  # litter, links out of the folder, FIFOs …: the validator reports them
            found.update(files.list_folder(path).tables.values())
        else:
            if table_of(path) is None:
                raise UsageError(
                    f"{path}: not a table file; table files are named {files.table_names()} (or .json, .jsonl)"
                )
            files.check_file(path)
            found.add(path)
    return sorted(found)


def canonical_text(text: str, table: str, file: str, suffix: str) -> tuple[str | None, list[Problem]]:
    """The canonical form of a table file's text, or None and the problems that prevent it."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        problem = Problem("nul-byte", file, line, "this line contains a NUL byte", hint="remove it")
        return None, [problem]
    text = text.removeprefix(BOM)
    kind = files.FORMATS[suffix]
    if kind == "json":
        return _canonical_json(text, table, file)
    if kind == "jsonl":
        return _canonical_json(text, table, file, lines=True)
    return _canonical_csv(text, table, file)


def format_file(
    path: Path, file: str | None = None, *, check: bool = False, from_encoding: str | None = None
) -> Change:
    """Rewrite one table file into canonical form (unless ``check``); say what changed.

    ``from_encoding`` names the codec the file is written in (``cp1252``, ``utf-16`` …):
    it is decoded with it, strictly (a byte it cannot decode is a problem, never replaced),
    and written as UTF-8. Without it, a file that is not UTF-8 is reported with the
    command that converts it.
    """
    file = file if file is not None else str(path)
    table = table_of(path)
    if table is None:
        raise UsageError(f"{file}: not a table file")
    raw = files.read_bytes(path)
    if from_encoding is not None:
        try:
            text = raw.decode(from_encoding)
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            message = f"this line cannot be decoded as {from_encoding}, so the file cannot be converted without loss"
            return Change(path, file, changed=False, problems=(Problem("encoding-error", file, line, message),))
        return _finish(path, file, raw, text, table, check=check)
    foreign = encodings.identify(raw)
    if foreign is not None:
        problem = Problem("encoding-error", file, 1, foreign.message(), hint=foreign.hint(file))
        return Change(path, file, changed=False, problems=(problem,))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        problem = Problem(
            "encoding-error",
            file,
            line,
            "this line is not valid UTF-8, so the file cannot be formatted without loss",
            hint="save the file as UTF-8",
        )
        return Change(path, file, changed=False, problems=(problem,))
    return _finish(path, file, raw, text, table, check=check)


def _finish(path: Path, file: str, raw: bytes, text: str, table: str, *, check: bool) -> Change:
    """Write (unless ``check``) the canonical form of ``text``, read from ``raw``; say what changed."""
    result, problems = canonical_text(text, table, file, path.suffix.lower())
    if result is None:
        return Change(path, file, changed=False, problems=tuple(problems))
    try:
        data = result.encode("utf-8")
    except UnicodeEncodeError:  # a JSON \u escape of half a character (a lone surrogate)
        message = "a \\u escape writes half a character (a lone surrogate), which UTF-8 cannot hold"
        problem = Problem("encoding-error", file, None, message, hint="write the character itself")
        return Change(path, file, changed=False, problems=(problem,))
    if data == raw:
        return Change(path, file, changed=False)
    if not check:
        atomic_write_bytes(path, data)
    return Change(path, file, changed=True)


def format_paths(paths: Iterable[Path], *, check: bool = False, from_encoding: str | None = None) -> list[Change]:
    """Format every table file among ``paths`` (files or folders); see :func:`format_file` for ``from_encoding``."""
    if from_encoding is not None:
        try:
            codecs.lookup(from_encoding)
        except LookupError:
            raise UsageError(
                f"--from-encoding {from_encoding}: no such encoding (try cp1252, latin-1, utf-16)"
            ) from None
    return [format_file(path, str(path), check=check, from_encoding=from_encoding) for path in table_files(paths)]


def format_folder(folder: Path, *, check: bool = False) -> list[Change]:
    """Format every table file in ``folder``."""
    return format_paths([folder], check=check)


# --- CSV --------------------------------------------------------------------------------------


def _canonical_csv(text: str, table: str, file: str) -> tuple[str | None, list[Problem]]:
    cols = columns(TABLES[table])
    names = [column.name for column in cols]
    problems: list[Problem] = []
    records = [(line, row) for line, row in csv_records(text, file, problems) if any(map(normalise, row))]
    if not records:
        return (None, problems) if problems else (csv_text(names, []), [])
    header_line, header = records[0]
    index = _header_index(header, names, header_line, file, problems)
    width = len(header)
    rows: list[list[str]] = []
    for line, row in records[1:]:  # rows without any value were dropped above
        if len(row) != width:
            more = len(row) > width
            problems.append(
                Problem(
                    "extra-cell" if more else "missing-cell",
                    file,
                    line,
                    f"this row has {len(row)} cells but the header has {width}",
                    hint="quote cells that contain commas" if more else "add the missing cells (empty is fine)",
                )
            )
            continue
        cells = [
            normalise_cell(row[index[name]], column.is_list) if name in index else ""
            for name, column in zip(names, cols, strict=True)
        ]
        rows.append(cells)
    if problems:
        return None, problems
    id_at = names.index("id")
    rows.sort(key=lambda cells: cells[id_at])
    return csv_text(names, rows), []


def _header_index(header: list[str], names: list[str], line: int, file: str, problems: list[Problem]) -> dict[str, int]:
    """Position of each field's column; report labels that canonical form cannot keep."""
    index: dict[str, int] = {}
    for position, raw_label in enumerate(header):
        label = normalise(raw_label)
        if label == "":
            problems.append(Problem("blank-label", file, line, f"header cell {position + 1} is empty"))
        elif label in index:
            problems.append(Problem("duplicate-label", file, line, f"column {label!r} appears twice", field=label))
        elif label not in names:
            problems.append(
                Problem(
                    "extra-label",
                    file,
                    line,
                    f"{label!r} is not a field of this table; formatting would lose its values",
                    field=label,
                    value=label,
                    hint="rename the column to a field of the table, or move its values elsewhere",
                )
            )
        else:
            index[label] = position
    return index


# --- JSON -------------------------------------------------------------------------------------


def _normalise_json(value: Any) -> Any:
    """Strings normalised, list items each normalised; other JSON values kept as they are."""
    if isinstance(value, str):
        return normalise(value)
    if isinstance(value, list):
        return [_normalise_json(item) for item in value]
    return value


def _canonical_json(text: str, table: str, file: str, *, lines: bool = False) -> tuple[str | None, list[Problem]]:
    """A JSON array (``lines=False``) or JSON Lines file in canonical form."""
    names = [column.name for column in columns(TABLES[table])]
    problems: list[Problem] = []
    read = json_lines if lines else json_objects
    objects = read(text, file, problems) if lines or text.strip() else []
    records: list[dict[str, Any]] = []
    for line, obj in objects:
        if not isinstance(obj, dict):
            problems.append(
                Problem("type-error", file, line, f"each record must be a JSON object, not {type(obj).__name__}")
            )
            continue
        extra = [key for key in obj if key not in names]
        problems.extend(
            Problem(
                "extra-label",
                file,
                line,
                f"{key!r} is not a field of this table; formatting would lose its value",
                field=key,
                value=key,
                hint="rename the key to a field of the table",
            )
            for key in extra
        )
        record = {name: _normalise_json(obj.get(name)) for name in names}
        if any(value not in (None, "", []) for value in record.values()):
            records.append(record)
    if problems:
        return None, problems
    records.sort(key=lambda record: record["id"] if isinstance(record["id"], str) else "")
    if lines:
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), []
    if not records:
        return "[]\n", []
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n", []
