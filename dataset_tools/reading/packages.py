"""Read every table of a dataset folder or of a release into string columns.

A *dataset folder* holds one file per table (``<table>.csv``, ``.json`` or ``.jsonl``),
as ``datasets/`` does (its ``datapackage.json``, if any, lists no resources); a *release*
is a folder with a ``datapackage.json`` whose resources name the CSV files, or the
``.zip`` of one. Both read into the same shape: per table a ``pyarrow.Table`` with the
schema's columns in order, every cell a string, a missing
value ``""`` and a list ``;``-joined, exactly as canonical CSV writes it. A column the
file lacks (an older schema) reads as ``""``; a column the schema lacks is dropped.

This reader trusts its input: it is for data that has validated (``dataset-tools
validate`` reports on data that has not).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from dataset_tools.errors import UnreadableInput
from dataset_tools.schema.models import LIST_DELIMITER, TABLES, columns

SUFFIXES = (".csv", ".json", ".jsonl")
"""Table file suffixes of a dataset folder, in the order they are looked for."""


def names(table: str) -> list[str]:
    """The column names of ``table``, in schema order."""
    return [column.name for column in columns(TABLES[table])]


def read_tables(path: Path) -> dict[str, pa.Table]:
    """Every table of a dataset folder, a release folder or a release ``.zip``.

    A table with no file reads as empty. Raises :class:`UnreadableInput` when ``path``
    is none of these.
    """
    if path.is_file() and path.suffix == ".zip":
        return _read_zip(path)
    if not path.is_dir():
        raise UnreadableInput(f"{path}: not a folder or a release .zip; give a dataset folder or a release")
    package = path / "datapackage.json"
    released = _release_files(package) if package.exists() else {}
    if released:
        return {table: _read(released.get(table), table) for table in TABLES}
    found = _dataset_files(path)
    return {table: _read_dataset_file(found[table], table) if table in found else empty(table) for table in TABLES}


LOSSY = frozenset({"empty-file", "encoding-error", "parse-error", "extra-cell", "missing-cell", "type-error"})
"""Reader problems after which a file's records are not all there as written."""


def _read_dataset_file(path: Path, table: str) -> pa.Table:
    """A contributed table file, through the validator's reader; refused if records would be lost."""
    from dataset_tools.reading.tables import read_table  # noqa: PLC0415 - the reader pulls in the checks' helpers

    try:
        tf = read_table(path, table, path.as_posix())
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot be read ({error.strerror or error})") from None
    lost = [problem for problem in tf.problems if problem.code in LOSSY]
    if lost:
        first = lost[0]
        where = f"{first.file} line {first.line}" if first.line else first.file
        raise UnreadableInput(
            f"{where}: {first.message}; records could be missed, so there is nothing to compare "
            "(run `dataset-tools validate` and fix the file first)"
        )
    columns = {name: tf.data.column(name) if name in tf.data.column_names else None for name in names(table)}
    rows = tf.data.num_rows
    return pa.table(
        {name: column if column is not None else pa.array([""] * rows, pa.string()) for name, column in columns.items()}
    )


def _release_files(package: Path) -> dict[str, Path]:
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    return {
        resource["name"]: package.parent / resource["path"]
        for resource in descriptor.get("resources", [])
        if resource.get("name") in TABLES
    }


def _dataset_files(folder: Path) -> dict[str, Path]:
    found = {}
    for table in TABLES:
        for suffix in SUFFIXES:
            if (folder / f"{table}{suffix}").exists():
                found[table] = folder / f"{table}{suffix}"
                break
    return found


def descriptor(path: Path) -> dict[str, Any]:
    """The ``datapackage.json`` of a release folder, a release ``.zip`` or a dataset folder; {} if none."""
    if path.is_file() and path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            found = [name for name in archive.namelist() if Path(name).name == "datapackage.json"]
            return json.loads(archive.read(min(found, key=len))) if found else {}
    package = path / "datapackage.json"
    return json.loads(package.read_text(encoding="utf-8")) if package.is_file() else {}


def _read_zip(path: Path) -> dict[str, pa.Table]:
    with zipfile.ZipFile(path) as archive:
        members = {Path(name).name: name for name in archive.namelist()}
        if "datapackage.json" not in members:
            raise UnreadableInput(f"{path}: no datapackage.json inside; is this a release archive?")
        descriptor = json.loads(archive.read(members["datapackage.json"]))
        root = members["datapackage.json"].rsplit("/", 1)[0] + "/" if "/" in members["datapackage.json"] else ""
        tables = {}
        for resource in descriptor.get("resources", []):
            if resource.get("name") in TABLES:
                data = archive.read(root + resource["path"])
                tables[resource["name"]] = _csv(io.BytesIO(data), resource["name"])
    return {table: tables.get(table, empty(table)) for table in TABLES}


def empty(table: str) -> pa.Table:
    """A table with the schema's columns and no rows."""
    return pa.table({name: pa.array([], pa.string()) for name in names(table)})


def _read(path: Path | None, table: str) -> pa.Table:
    if path is None:
        return empty(table)
    try:
        if path.suffix == ".csv":
            return _csv(path, table)
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise UnreadableInput(f"{path}: cannot be read ({error}); run `dataset-tools validate` on it") from None
    if path.suffix == ".json":
        objects = json.loads(text) if text.strip() else []
    else:
        objects = [json.loads(line) for line in text.splitlines() if line.strip()]
    return pa.table({name: pa.array([_cell(obj.get(name)) for obj in objects], pa.string()) for name in names(table)})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_DELIMITER.join(str(item) for item in value)
    return str(value)


def _csv(source: Path | io.BytesIO, table: str) -> pa.Table:
    """A CSV file as string columns; quoted newlines are values, nothing becomes null."""
    wanted = names(table)
    data = pacsv.read_csv(
        source,
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(wanted, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            include_columns=wanted,
            include_missing_columns=True,
        ),
    )
    return pa.table({name: _no_nulls(data.column(name)) for name in wanted})


def _no_nulls(column: pa.ChunkedArray) -> pa.ChunkedArray:
    column = column.cast(pa.string())
    return pc.fill_null(column, "") if column.null_count else column
