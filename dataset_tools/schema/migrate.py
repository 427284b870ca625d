"""Migrations: upgrade a dataset's records from schema major N to N+1, atomically and losslessly.

``MIGRATIONS`` is the explicit registry: one :class:`Migration` per major step, each with,
per table, an ``upgrade`` function and its inverse, ``downgrade``. Records travel in their
JSON form (a string, a list of strings, or None per field), whatever the file format.

Lossless means provable: for every record, ``downgrade(upgrade(record))`` must give the
record back, and every field ``upgrade`` returns must exist in the new schema. A record
that fails either test, or whose ``upgrade`` raises :class:`Unrepresentable`, is reported
as a ``migration-error`` problem, and then no file is written at all. So is a column
(or JSON key) written twice: reading it would keep one copy and lose the other.

Every file of a dataset is written as one unit (:mod:`dataset_tools.writing.transaction`):
all new files first, each beside its original, then a journal, then the swap, the
``datapackage.json`` with them. A migration killed during the swap is completed by the
next run (or by ``dataset-tools migrate`` with any target), one killed before it is rolled
back: tables never stay at two schema versions. A file that changed while migrate worked
is refused (:class:`UnreadableInput`) and nothing is written.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataset_tools.errors import UnreadableInput, UsageError
from dataset_tools.reading import files, records
from dataset_tools.schema import compat
from dataset_tools.schema import migrations as registry
from dataset_tools.schema.migrations import MIGRATIONS, Migration, Record, TableMigration, Unrepresentable
from dataset_tools.schema.models import LIST_DELIMITER
from dataset_tools.validation.problems import CODES, Problem
from dataset_tools.writing import transaction
from dataset_tools.writing.canonical import csv_text

__all__ = ["MIGRATIONS", "Migration", "Record", "Result", "TableMigration", "Unrepresentable", "find", "migrate"]


def find(source: int, target: int, migrations: list[Migration] | None = None) -> list[Migration] | None:
    """The chain of steps from major ``source`` up to ``target`` (see :func:`registry.find`)."""
    return registry.find(source, target, migrations)


@dataclass
class TableReport:
    """What a migration did to one table file."""

    file: str
    records: int
    changed: int
    added: list[str]
    removed: list[str]


@dataclass
class Result:
    """What ``migrate`` did, or would do."""

    source: str
    target: str
    tables: list[TableReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    """Files an interrupted earlier migration had left to put in place, which this run did first."""


@dataclass
class _File:
    path: Path
    format: str
    header: list[str]
    lines: list[int | None]
    records: list[Record]


def _recover(folder: Path, to: int, *, dry_run: bool) -> list[str]:
    """Complete or roll back a migration killed before (never in a dry run, which writes nothing)."""
    if not folder.is_dir():
        raise UnreadableInput(f"{folder}: not a dataset folder")
    if dry_run and transaction.pending(folder):
        raise UsageError(
            f"{folder}: an earlier migration was interrupted; a dry run changes nothing, so run "
            f"`dataset-tools migrate --to {to} {folder}` without --dry-run to complete or roll it back first"
        )
    return transaction.recover(folder)


def migrate(folder: Path, to: int, *, migrations: list[Migration] | None = None, dry_run: bool = False) -> Result:
    """Upgrade the dataset in ``folder`` to schema major ``to``.

    Raises :class:`UsageError` when the dataset declares no version or there is no path to
    ``to``, and :class:`UnreadableInput` when a file cannot be read; problems with records
    come back in the result, and then nothing is written.
    """
    recovered = _recover(folder, to, dry_run=dry_run)
    declared = compat.declared_version(folder)
    major = compat.major_of(declared)
    if declared is None or major is None:
        raise UsageError(
            f"{folder / compat.DESCRIPTOR}: no valid {compat.VERSION_KEY} to migrate from; "
            f'add {{"{compat.VERSION_KEY}": "1.0.0"}} with the schema version the data follows'
        )
    if to < major:
        raise UsageError(f"{folder} follows schema {declared}; migrations only go forward, not to {to}")
    chain = find(major, to, migrations)
    if chain is None:
        raise UsageError(f"no migration from schema {major} to {to} is registered in dataset_tools/schema/migrate.py")
    result = Result(declared, chain[-1].version if chain else declared, steps=[m.description for m in chain])
    result.recovered = recovered
    read: dict[Path, bytes] = {}
    tables = sorted({t for step in chain for t in step.tables})
    pending = [_plan(folder, table, chain, result, read) for table in tables]
    if result.problems or dry_run or not chain:
        return result
    writes = {}
    for path, text in filter(None, pending):
        try:
            writes[path] = text.encode("utf-8")
        except UnicodeEncodeError:
            message = "a JSON escape of half a character (a lone surrogate, such as \\ud800): fix it first"
            _problem(result, path, None, message)
    if result.problems:
        return result
    descriptor = folder / compat.DESCRIPTOR
    if descriptor.exists():
        read[descriptor] = files.read_bytes(descriptor)
    writes[descriptor] = compat.declared_text(folder, result.target).encode("utf-8")
    transaction.write_all(folder, writes, expected=read)
    result.written += [path.name for path in writes]
    return result


def _plan(
    folder: Path, table: str, chain: list[Migration], result: Result, read: dict[Path, bytes]
) -> tuple[Path, str] | None:
    """Migrate one table in memory: the file to write and its new text, or None if nothing to write.

    The bytes each file held when read go into ``read``, to refuse a file that changes meanwhile.
    """
    path = _table_path(folder, table)
    if path is None:
        return None
    source = _read(path, table, chain[0].tables.get(table), result, read)
    target = _migrate_file(source, table, chain, result) if source is not None else None
    if source is None or target is None:
        return None
    text = _render(target, chain[-1].tables.get(table), result)
    result.tables.append(_report(source, target))
    if text is None or text.encode("utf-8", "surrogatepass") == read[path]:
        return None
    return path, text


def _table_path(folder: Path, table: str) -> Path | None:
    return files.list_folder(folder).tables.get(table)  # the reader's listing: any suffix case, .ndjson


FORMATS = files.FORMATS
"""The table file formats a migration reads and writes back in the same format."""


def _problem(result: Result, path: Path, line: int | None, message: str, field_name: str | None = None) -> None:
    hint = CODES["migration-error"].todo
    result.problems.append(Problem("migration-error", path.as_posix(), line, message, field=field_name, hint=hint))


def _read(path: Path, table: str, step: TableMigration | None, result: Result, read: dict[Path, bytes]) -> _File | None:
    """The records of one file in JSON form, with the line each starts on; None (with problems) if any cannot be.

    The records are the reader's (:mod:`dataset_tools.reading.records`): what it could
    not carry unchanged is a problem on the line the validator reports. The file's bytes
    are kept in ``read``.
    """
    lists = step.source_lists if step else frozenset()
    try:
        found = records.read(path, table, path.as_posix())
    except UnreadableInput as error:
        raise UnreadableInput(f"{error}; nothing was written") from None
    read[path] = found.raw
    for problem in found.problems:
        _problem(result, path, problem.line, f"{problem.message}: fix it first", problem.field)
    if found.problems:
        return None
    if found.format == "csv":
        return _read_csv(path, found, lists, result)
    rows = found.rows
    header = list(dict.fromkeys(name for row in rows for name in row.value))
    return _File(path, found.format, header, [row.line for row in rows], [dict(row.value) for row in rows])


def _read_csv(path: Path, found: records.Records, lists: frozenset[str], result: Result) -> _File | None:
    """The records of a CSV file; None (with a problem) when its header names a column twice."""
    header = found.header
    twice = sorted(name for name, count in Counter(header).items() if count > 1)
    if twice:
        message = f"column(s) {', '.join(twice)} appear twice; migrating would keep only one copy: fix it first"
        _problem(result, path, found.header_line, message, twice[0])
        return None
    rows = [
        {name: _from_cell(cell, name in lists) for name, cell in zip(header, row.value, strict=True)}
        for row in found.rows
    ]
    return _File(path, "csv", header, [row.line for row in found.rows], rows)


def _from_cell(cell: str, is_list: bool) -> Any:
    if cell == "":
        return None
    return cell.split(LIST_DELIMITER) if is_list else cell


def _normal(record: Record) -> Record:
    """Missing, null and the empty list are the same absence (CSV cannot tell them apart)."""
    return {name: value for name, value in record.items() if value is not None and value != []}


def _migrate_file(source: _File, table: str, chain: list[Migration], result: Result) -> _File | None:
    records, header = source.records, source.header
    for step in chain:
        migration = step.tables.get(table)
        if migration is None:
            continue
        unknown = [name for name in header if name not in migration.source_fields]
        if unknown:
            message = f"column(s) {', '.join(unknown)} are not in {table} of schema {step.source}: fix them first"
            _problem(result, source.path, 1 if source.format == "csv" else None, message, unknown[0])
            return None
        records = [
            _step(record, line, migration, step, source.path, result)
            for record, line in zip(records, source.lines, strict=True)
        ]
        header = list(migration.target_fields)
    if result.problems:
        return None
    return _File(source.path, source.format, header, source.lines, records)


def _step(
    record: Record, line: int | None, migration: TableMigration, step: Migration, path: Path, result: Result
) -> Record:
    where = f"record {record.get('id') or '(no id)'}"
    try:
        upgraded = migration.upgrade(dict(record))
    except Unrepresentable as error:
        _problem(result, path, line, f"{where} cannot be migrated to schema {step.target}: {error}", error.field)
        return record
    extra = [name for name in upgraded if name not in migration.target_fields]
    if extra:
        message = f"{where}: the migration returns {', '.join(extra)}, which schema {step.target} does not have"
        _problem(result, path, line, message, extra[0])
        return record
    back = _normal(migration.downgrade(dict(upgraded)))
    if back != _normal(record):
        lost = sorted(name for name in set(back) | set(_normal(record)) if back.get(name) != record.get(name))
        message = f"{where} would lose data migrating to schema {step.target} (field(s) {', '.join(lost)})"
        _problem(result, path, line, message, lost[0] if lost else None)
        return record
    return upgraded


def _render(target: _File, migration: TableMigration | None, result: Result) -> str | None:
    """The migrated file's text, in its own format; None (with a problem) if CSV cannot hold a value."""
    lists = migration.target_lists if migration else frozenset()
    if target.format == "json":
        objects = [{name: record.get(name) for name in target.header} for record in target.records]
        return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
    if target.format == "jsonl":
        lines = [json.dumps({n: r.get(n) for n in target.header}, ensure_ascii=False) for r in target.records]
        return "".join(line + "\n" for line in lines)
    rows = []
    for record, line in zip(target.records, target.lines, strict=True):
        row = []
        for name in target.header:
            value = record.get(name)
            if (
                isinstance(value, list)
                and (name in lists)
                and all(isinstance(item, str) and item and LIST_DELIMITER not in item for item in value)
            ):
                row.append(LIST_DELIMITER.join(value))
            elif value is None or (isinstance(value, str) and name not in lists):
                row.append(value or "")
            else:
                _problem(result, target.path, line, f"{name}: {value!r} cannot be written to a CSV cell", name)
        rows.append(row)
    return None if result.problems else csv_text(target.header, rows)


def _report(source: _File, target: _File) -> TableReport:
    changed = sum(_normal(a) != _normal(b) for a, b in zip(source.records, target.records, strict=True))
    return TableReport(
        file=source.path.name,
        records=len(source.records),
        changed=changed,
        added=[name for name in target.header if name not in source.header],
        removed=[name for name in source.header if name not in target.header],
    )
