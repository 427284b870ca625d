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
a NUL byte, a file that does not parse, a JSON number it would write otherwise) is
reported as a :class:`Problem` and the file is left exactly as it was. The records come
from the one reader (:mod:`dataset_tools.reading.records`), so a file fmt refuses is a file
the validator reports a problem on, at the same line, and no cell is read otherwise than
the validator reads it. Files are replaced atomically (a temporary file in the same
folder, then ``os.replace``), so a reader never sees half a file; a file that changed
while fmt worked on it (rows appended meanwhile) is refused, not overwritten; a table
that is a link to a file in its folder stays a link (the file it links to is rewritten),
and a link out of its folder is neither read nor written. A folder is listed as the
validator lists it (:func:`dataset_tools.reading.files.list_folder`): each filesystem oddity
(a link out of it, a broken link, a FIFO or device, an unreadable file, a folder named
like a table) is one problem, litter is skipped with a note, and a folder an interrupted
migration left half done is refused.
"""

from __future__ import annotations

import codecs
import json
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataset_tools.errors import UnreadableInput, UsageError
from dataset_tools.reading import files, records
from dataset_tools.reading.files import table_of
from dataset_tools.reading.records import Records
from dataset_tools.schema.models import LIST_DELIMITER, TABLES, columns
from dataset_tools.validation.problems import Problem
from dataset_tools.writing import transaction
from dataset_tools.writing.atomic import atomic_write_bytes
from dataset_tools.writing.canonical import csv_text


@dataclass(frozen=True)
class Change:
    """What formatting did (or, with ``check``, would do) to one file."""

    path: Path
    file: str
    """The path as messages name it."""
    changed: bool
    """The file's bytes differ from its canonical form (and, unless checking, were replaced)."""
    problems: tuple[Problem, ...] = ()
    """Why the file cannot be formatted without loss (or was not read); when any, the file was left untouched."""


@dataclass
class Formatted:
    """What formatting files and folders did."""

    changes: list[Change] = field(default_factory=list)
    """One per table file, and one per entry of a folder that was not read (its problem says why), by path."""
    notes: list[str] = field(default_factory=list)
    """What was skipped, and why (litter in a folder)."""


def normalise(value: str) -> str:
    """One cell: line breaks (CRLF, CR) as LF, outer whitespace trimmed, Unicode NFC."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n").strip())


def normalise_cell(value: str, is_list: bool) -> str:
    """A CSV cell; in a list cell each ``;``-separated item is normalised on its own."""
    if is_list:
        return LIST_DELIMITER.join(normalise(item) for item in value.split(LIST_DELIMITER))
    return normalise(value)


def _targets(paths: Iterable[Path]) -> Formatted:
    """The table files among ``paths`` and inside the folders among them (changes not yet made), with notes.

    A folder is listed by the reader (:func:`dataset_tools.reading.files.list_folder`): an
    entry it does not read is a :class:`Change` holding the problem that says why. A file
    named on purpose that is not a table is a usage error; one that cannot be read, an
    unreadable input. A folder (or a file's folder) an interrupted migration left half
    done is refused (:func:`dataset_tools.writing.transaction.refuse_pending`).
    """
    found = Formatted()
    tables: set[Path] = set()
    for path in paths:
        if not files.look(path):
            raise UnreadableInput(f"{path}: no such file or folder")
        if path.is_dir():
            transaction.refuse_pending(path, then="run fmt")
            listing = files.list_dataset(path, str)
            tables.update(listing.tables.values())
            found.changes += [Change(Path(p.file), p.file, changed=False, problems=(p,)) for p in listing.problems]
            if (note := listing.note()) is not None:
                found.notes.append(f"{path}: {note}")
            continue
        if table_of(path) is None:
            raise UsageError(
                f"{path}: not a table file; table files are named {files.table_names()} (or {files.suffixes()})"
            )
        files.check_file(path)
        transaction.refuse_pending(path.parent, then="run fmt")
        tables.add(path)
    found.changes += [Change(path, str(path), changed=False) for path in tables]
    return found


def canonical_text(text: str, table: str, file: str, suffix: str) -> tuple[str | None, list[Problem]]:
    """The canonical form of a table file's text, or None and the problems that prevent it."""
    data = text.encode("utf-8", "surrogatepass")
    return canonical(records.from_bytes(data, table, file, files.FORMATS[suffix.lower()]), table)


def canonical(found: Records, table: str) -> tuple[str | None, list[Problem]]:
    """The canonical form of a table file's records, or None and the problems that prevent it (by line)."""
    if found.format == "csv":
        return _canonical_csv(found, table)
    return _canonical_json(found, table)


def format_file(
    path: Path, file: str | None = None, *, check: bool = False, from_encoding: str | None = None
) -> Change:
    """Rewrite one table file into canonical form (unless ``check``); say what changed.

    ``from_encoding`` names the codec the file is written in (``cp1252``, ``utf-16`` …):
    it is decoded with it, strictly (a byte it cannot decode is a problem, never replaced),
    and written as UTF-8. Without it, a file that is not UTF-8 is reported with the
    command that converts it. Raises :class:`UnreadableInput` for a file that cannot be
    read, or is not a regular file (a link out of its folder is never followed).
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
    found = records.read(path, table, file, from_encoding=from_encoding)
    result, problems = canonical(found, table)
    if result is None:
        return Change(path, file, changed=False, problems=tuple(problems))
    data = result.encode("utf-8")
    if data == found.raw:
        return Change(path, file, changed=False)
    if not check:
        atomic_write_bytes(path, data, expected=found.raw)
    return Change(path, file, changed=True)


def format_paths(paths: Iterable[Path], *, check: bool = False, from_encoding: str | None = None) -> Formatted:
    """Format every table file among ``paths`` (files or folders); see :func:`format_file` for ``from_encoding``.

    Raises :class:`UsageError` for an unknown codec or a file that is not a table, and
    :class:`UnreadableInput` for a path that cannot be read or a folder a migration left half done.
    """
    if from_encoding is not None:
        try:
            codecs.lookup(from_encoding)
        except LookupError:
            raise UsageError(
                f"--from-encoding {from_encoding}: no such encoding (try cp1252, latin-1, utf-16)"
            ) from None
    found = _targets(paths)
    found.changes = sorted(
        (
            change
            if change.problems
            else format_file(change.path, change.file, check=check, from_encoding=from_encoding)
            for change in found.changes
        ),
        key=lambda change: change.path,
    )
    return found


def format_folder(folder: Path, *, check: bool = False) -> list[Change]:
    """Format every table file in ``folder``; what was done to each file (see :func:`format_paths`)."""
    return format_paths([folder], check=check).changes


# --- CSV --------------------------------------------------------------------------------------


def _canonical_csv(found: Records, table: str) -> tuple[str | None, list[Problem]]:
    cols = columns(TABLES[table])
    names = [column.name for column in cols]
    problems = list(found.problems)
    if any(problem.line == found.header_line for problem in problems):  # unreadable: no labels to judge
        index: dict[str, int] = {}
    else:
        index = _header_index(found.header, names, found.header_line, found.file, problems)
    rows: list[list[str]] = []
    for written in found.rows:
        cells = [
            normalise_cell(written.value[index[name]], column.is_list) if name in index else ""
            for name, column in zip(names, cols, strict=True)
        ]
        if any(cells):  # a row without any value holds nothing to lose
            rows.append(cells)
    if problems:
        return None, sorted(problems, key=lambda problem: problem.line or 0)
    id_at = names.index("id")
    rows.sort(key=lambda cells: cells[id_at])
    return csv_text(names, rows), []


def _header_index(header: list[str], names: list[str], line: int, file: str, problems: list[Problem]) -> dict[str, int]:
    """Position of each field's column; report labels that canonical form cannot keep."""
    index: dict[str, int] = {}
    for position, raw_label in enumerate(header):
        label = normalise(raw_label)
        if label == "":
            hint = "name the column after a field, or remove it (often a trailing comma)"
            problems.append(Problem("blank-label", file, line, f"header cell {position + 1} is empty", hint=hint))
        elif label in index:
            hint = "keep one of the two columns, moving any values it lacks from the other"
            problems.append(
                Problem("duplicate-label", file, line, f"column {label!r} appears twice", field=label, hint=hint)
            )
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


def _canonical_json(found: Records, table: str) -> tuple[str | None, list[Problem]]:
    """A JSON array or JSON Lines file in canonical form."""
    names = [column.name for column in columns(TABLES[table])]
    # a key that is no field is refused once, as validate reports it, not again for each of its values
    problems = [p for p in found.problems if not (p.code == "type-error" and p.field and p.field not in names)]
    reported: set[str] = set()
    records_: list[dict[str, Any]] = []
    for written in found.rows:
        obj = written.value
        for key in obj:
            if key not in names and key not in reported:  # once per key, where the validator reports it
                reported.add(key)
                problems.append(
                    Problem(
                        "extra-label",
                        found.file,
                        written.keys.get(key, written.line),
                        f"{key!r} is not a field of this table; formatting would lose its values",
                        field=key,
                        value=key,
                        hint="rename the key to a field of the table",
                    )
                )
        record = {name: _normalise_json(obj.get(name)) for name in names}
        if any(value not in (None, "", []) for value in record.values()):
            records_.append(record)
    if problems:
        return None, sorted(problems, key=lambda problem: problem.line or 0)
    records_.sort(key=lambda record: record["id"] if isinstance(record["id"], str) else "")
    if found.format == "jsonl":
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records_), []
    if not records_:
        return "[]\n", []
    return json.dumps(records_, ensure_ascii=False, indent=2) + "\n", []
