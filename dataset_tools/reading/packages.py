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
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from dataset_tools.errors import UnreadableInput
from dataset_tools.reading import descriptor as descriptor_file
from dataset_tools.reading import files
from dataset_tools.reading.files import DESCRIPTOR
from dataset_tools.schema.models import TABLES, columns

MEMBER_LIMIT = 4 * 1024**3
"""The largest table a release archive may expand to, in bytes."""
RATIO_LIMIT = 200
"""The largest expansion of a compressed member (CSV compresses about 5 to 10 times; a zip bomb, thousands)."""


def names(table: str) -> list[str]:
    """The column names of ``table``, in schema order."""
    return [column.name for column in columns(TABLES[table])]


def read_tables(path: Path) -> dict[str, pa.Table]:
    """Every table of a dataset folder, a release folder or a release ``.zip``.

    A table with no file reads as empty. Raises :class:`UnreadableInput` when ``path``
    is none of these.
    """
    if not files.look(path):
        raise UnreadableInput(f"{path}: no such file or folder; give a dataset folder or a release")
    if path.is_file() and path.suffix.lower() == ".zip":
        return _read_zip(path)
    if not path.is_dir():
        raise UnreadableInput(f"{path}: not a folder or a release .zip; give a dataset folder or a release")
    package = path / DESCRIPTOR
    released = _release_files(package) if package.exists() or package.is_symlink() else {}
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
        if isinstance(error, UnreadableInput):
            raise
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


def _resources(data: dict[str, Any], where: str) -> dict[str, str]:
    """Table name → relative path of each table resource a descriptor lists; refuses paths out of the release."""
    resources = data.get("resources", [])
    if not isinstance(resources, list):
        raise UnreadableInput(f"{where}: its resources must be a list; fix or rebuild the release")
    found = {}
    for resource in resources:
        if not isinstance(resource, dict) or resource.get("name") not in TABLES:
            continue
        name, relative = resource["name"], resource.get("path")
        if not isinstance(relative, str) or not relative:
            raise UnreadableInput(f"{where}: the {name} resource has no path; fix or rebuild the release")
        parts = PurePosixPath(relative).parts
        if relative.startswith(("/", "\\")) or ".." in parts or ":" in parts[0] or "\\" in relative:
            raise UnreadableInput(
                f"{where}: the {name} resource's path {relative!r} leads out of the release, so it was not read"
            )
        found[name] = relative
    return found


def _release_files(package: Path) -> dict[str, Path]:
    folder = package.parent
    found = {}
    for table, relative in _resources(descriptor_file.load(package), package.as_posix()).items():
        path = folder / relative
        wrong = files.oddity(path, folder)
        if wrong is not None:
            raise UnreadableInput(f"{path}: {wrong}; rebuild the release")
        found[table] = path
    return found


def _dataset_files(folder: Path) -> dict[str, Path]:
    return files.list_folder(folder).tables


def descriptor(path: Path) -> dict[str, Any]:
    """The ``datapackage.json`` of a release folder, a release ``.zip`` or a dataset folder; {} if none.

    Raises :class:`UnreadableInput` when it cannot be read.
    """
    if path.is_file() and path.suffix.lower() == ".zip":
        with _open_zip(path) as archive:
            member = _descriptor_member(archive)
            return descriptor_file.load(path / member, _member(archive, path, member)) if member else {}
    package = path / DESCRIPTOR
    return descriptor_file.load(package) if package.exists() or package.is_symlink() else {}


@contextmanager
def _open_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    """A release archive, open; any fault of the archive is an :class:`UnreadableInput` naming it."""
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError) as error:
        raise UnreadableInput(
            f"{path}: cannot be read (not a whole zip archive: {error}); download it again,"
            " or give a release folder or .zip, or a dataset folder"
        ) from None
    except OSError as error:
        if isinstance(error, UnreadableInput):
            raise
        raise UnreadableInput(f"{path}: cannot be read ({error.strerror or error})") from None


def _descriptor_member(archive: zipfile.ZipFile) -> str | None:
    found = [name for name in archive.namelist() if PurePosixPath(name).name == DESCRIPTOR]
    return min(found, key=len) if found else None


def _member(archive: zipfile.ZipFile, path: Path, name: str) -> bytes:
    """A member's bytes, refused when it would expand past :data:`MEMBER_LIMIT` or :data:`RATIO_LIMIT`."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise UnreadableInput(f"{path}: {name} is missing from the archive; download the release again") from None
    if info.is_dir() or (info.external_attr >> 16) & 0o170000 == 0o120000:
        raise UnreadableInput(f"{path}: {name} is not a file in the archive (a folder or a link); it was not read")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > MEMBER_LIMIT or (info.file_size > 1024 * 1024 and ratio > RATIO_LIMIT):
        raise UnreadableInput(
            f"{path}: {name} would expand to {info.file_size:,} bytes ({ratio:.0f} times its size), so it was not read"
        )
    with archive.open(info) as stream:
        data = stream.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise UnreadableInput(f"{path}: {name} is bigger than the archive says; it was not read")
    return data


def _read_zip(path: Path) -> dict[str, pa.Table]:
    with _open_zip(path) as archive:
        member = _descriptor_member(archive)
        if member is None:
            raise UnreadableInput(f"{path}: no datapackage.json inside; is this a release archive?")
        data = descriptor_file.load(path / member, _member(archive, path, member))
        root = member.rsplit("/", 1)[0] + "/" if "/" in member else ""
        tables = {}
        for table, relative in _resources(data, f"{path}: {member}").items():
            raw = _member(archive, path, root + relative)
            try:
                tables[table] = _csv(io.BytesIO(raw), table)
            except (pa.ArrowInvalid, UnicodeDecodeError) as error:
                raise UnreadableInput(
                    f"{path}: {relative} cannot be read ({error}); download the release again"
                ) from None
    return {table: tables.get(table, empty(table)) for table in TABLES}


def empty(table: str) -> pa.Table:
    """A table with the schema's columns and no rows."""
    return pa.table({name: pa.array([], pa.string()) for name in names(table)})


def _read(path: Path | None, table: str) -> pa.Table:
    if path is None:
        return empty(table)
    if files.format_of(path) != "csv":
        return _read_dataset_file(path, table)  # a release's JSON: through the validator's reader
    try:
        return _csv(io.BytesIO(files.read_bytes(path)), table)
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise UnreadableInput(f"{path}: cannot be read ({error}); run `dataset-tools validate` on it") from None


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
