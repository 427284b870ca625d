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
folder, then ``os.replace``), so a reader never sees half a file; a file that changed
while fmt worked on it (rows appended meanwhile) is refused, not overwritten; a table
that is a link to a file in its folder stays a link (the file it links to is rewritten),
and a link out of its folder is neither read nor written.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataset_tools.errors import UnreadableInput, UsageError
from dataset_tools.reading import encodings, files, strict_json
from dataset_tools.reading.files import table_of
from dataset_tools.reading.strict_json import NumberTooLongError, RepeatedKeyError
from dataset_tools.schema.models import LIST_DELIMITER, TABLES, columns
from dataset_tools.validation.problems import Problem
from dataset_tools.writing.atomic import atomic_write_bytes, read_bytes
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

    A folder is listed by the reader (:func:`dataset_tools.reading.files.list_folder`): litter,
    links out of the folder and FIFOs are never read, and the validator reports them. A file
    named on purpose that is not a table is a usage error.
    """
    found: set[Path] = set()
    for path in paths:
        if not files.look(path):
            raise UnreadableInput(f"{path}: no such file or folder")
        if path.is_dir():
            found.update(files.list_folder(path).tables.values())
            # a link named like a table: fmt says why it neither reads nor writes it (format_file)
            found.update(child for child in path.iterdir() if child.is_symlink() and table_of(child))
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
    if suffix == ".json":
        return _canonical_json(text, table, file)
    if suffix in {".jsonl", ".ndjson"}:
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
    if path.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(path.parent.resolve()):
        raise UnreadableInput(
            f"{file}: a link to a file outside its folder; fmt neither reads nor writes it: "
            "replace the link with the table's file"
        )
    try:
        raw = read_bytes(path)
    except UnreadableInput as error:
        raise UnreadableInput(str(error).replace(str(path), file, 1)) from None
    decoded = _decoded(raw, file, from_encoding)
    if isinstance(decoded, Problem):
        return Change(path, file, changed=False, problems=(decoded,))
    text = decoded
    try:
        result, problems = canonical_text(text, table, file, path.suffix.lower())
    except RecursionError:
        problem = Problem(
            "parse-error",
            file,
            1,
            "the JSON is nested too deeply to read; a table is an array of flat objects",
            hint="remove the nested arrays or objects",
        )
        return Change(path, file, changed=False, problems=(problem,))
    if result is None:
        return Change(path, file, changed=False, problems=tuple(problems))
    try:
        data = result.encode("utf-8")
    except UnicodeEncodeError:
        escape = _SURROGATE_ESCAPE.search(text)
        problem = Problem(
            "encoding-error",
            file,
            text.count("\n", 0, escape.start()) + 1 if escape else 1,
            "a JSON escape of half a character (a lone surrogate, such as \\ud800) cannot be written as UTF-8",
            hint="write the character itself, or both halves of its escape",
        )
        return Change(path, file, changed=False, problems=(problem,))
    if data == raw:
        return Change(path, file, changed=False)
    if not check:
        atomic_write_bytes(path, data, expected=raw)
    return Change(path, file, changed=True)


def _decoded(raw: bytes, file: str, from_encoding: str | None) -> str | Problem:
    """The file's text: decoded strictly with ``from_encoding``, else as UTF-8 unless it is plainly something else."""
    if from_encoding is not None:
        try:
            return raw.decode(from_encoding)
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            message = f"this line cannot be decoded as {from_encoding}, so the file cannot be converted without loss"
            return Problem("encoding-error", file, line, message)
    foreign = encodings.identify(raw)
    if foreign is not None:
        return Problem("encoding-error", file, 1, foreign.message(), hint=foreign.hint(file))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return Problem(
            "encoding-error",
            file,
            raw.count(b"\n", 0, error.start) + 1,
            "this line is not valid UTF-8, so the file cannot be formatted without loss",
            hint="save the file as UTF-8",
        )


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


def _csv_records(text: str, file: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) of every record, header included; stops at a parse error."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(
                Problem(
                    "parse-error",
                    file,
                    line,
                    f"the CSV cannot be parsed from this line on: {error}",
                    hint="look for a quote that is not closed, or a quote in the middle of an unquoted cell",
                )
            )
            return
        yield line, row
        line = reader.line_num + 1


def _canonical_csv(text: str, table: str, file: str) -> tuple[str | None, list[Problem]]:
    cols = columns(TABLES[table])
    names = [column.name for column in cols]
    problems: list[Problem] = []
    records = [(line, row) for line, row in _csv_records(text, file, problems) if any(map(normalise, row))]
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


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _too_long(file: str, line: int, error: NumberTooLongError) -> Problem:
    return Problem(
        "type-error",
        file,
        line,
        f"a JSON number of {error.digits} digits; every field of a table is text",
        hint="write the value as a string, in quotes",
    )


def _undecodable(file: str, line: int, error: ValueError) -> Problem:
    """The problem of a JSON value (starting on ``line``) that cannot be read, or not without loss."""
    if isinstance(error, RepeatedKeyError):  # the validator's code for a repeated key
        return Problem(
            "duplicate-label",
            file,
            line,
            f"key {error.key!r} appears twice in this object; formatting would keep only one",
            field=error.key,
            hint="keep one of them",
        )
    if isinstance(error, NumberTooLongError):
        return _too_long(file, line, error)
    if isinstance(error, json.JSONDecodeError):
        return Problem("parse-error", file, error.lineno, f"invalid JSON: {error.msg}")
    return Problem("parse-error", file, line, f"invalid JSON: {error}")


def _json_objects(text: str, file: str, problems: list[Problem]) -> list[tuple[int, Any]]:
    """(line, value) of every element of the top-level array."""
    decoder = json.JSONDecoder(**strict_json.HOOKS)
    stripped = text.lstrip(" \t\r\n")
    pos = len(text) - len(stripped)
    if not stripped.startswith("["):
        line = text.count("\n", 0, pos) + 1
        problems.append(Problem("parse-error", file, line, "a JSON table must be an array of objects"))
        return []
    pos += 1
    found: list[tuple[int, Any]] = []
    expect_value = True
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        line = text.count("\n", 0, pos) + 1
        if pos < len(text) and text[pos] == "]" and (not found or not expect_value):
            pos += 1
            break
        if pos < len(text) and text[pos] == "," and not expect_value:
            pos += 1
            expect_value = True
            continue
        if not expect_value:
            problems.append(Problem("parse-error", file, line, "invalid JSON: expected ',' or ']'"))
            return found
        try:
            value, pos = decoder.raw_decode(text, pos)
        except ValueError as error:  # a repeated key, a number too long, NaN, or bad JSON
            problems.append(_undecodable(file, line, error))
            return found
        found.append((line, value))
        expect_value = False
    if text[pos:].strip(" \t\r\n"):
        line = text.count("\n", 0, pos) + 1
        problems.append(Problem("parse-error", file, line, "invalid JSON: text after the closing ]"))
    return found


def _normalise_json(value: Any) -> Any:
    """Strings normalised, list items each normalised; other JSON values kept as they are."""
    if isinstance(value, str):
        return normalise(value)
    if isinstance(value, list):
        return [_normalise_json(item) for item in value]
    return value


def _json_lines(text: str, file: str, problems: list[Problem]) -> list[tuple[int, Any]]:
    """(line, value) of every non-blank line of a JSON Lines file."""
    found: list[tuple[int, Any]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            found.append((number, json.loads(line, **strict_json.HOOKS)))
        except RepeatedKeyError as error:
            problems.append(
                Problem(
                    "duplicate-label", file, number, f"key {error.key!r} appears twice in this object", field=error.key
                )
            )
        except NumberTooLongError as error:
            problems.append(_too_long(file, number, error))
        except json.JSONDecodeError as error:
            problems.append(Problem("parse-error", file, number, f"invalid JSON: {error.msg}"))
        except ValueError as error:  # NaN or Infinity
            problems.append(_undecodable(file, number, error))
    return found


def _canonical_json(text: str, table: str, file: str, *, lines: bool = False) -> tuple[str | None, list[Problem]]:
    """A JSON array (``lines=False``) or JSON Lines file in canonical form."""
    names = [column.name for column in columns(TABLES[table])]
    problems: list[Problem] = []
    if lines:
        objects = _json_lines(text, file, problems)
    else:
        objects = _json_objects(text, file, problems) if text.strip() else []
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
