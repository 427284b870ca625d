"""Write one table in each release format: canonical CSV, JSON, Parquet and SQLite.

Every writer takes the string columns :mod:`dataset_tools.reading.packages` reads (sorted
by id by the caller) and writes bytes that depend on nothing but those columns, so two
builds of the same data are byte-identical. The work is columnar (pyarrow compute), so a
table of millions of rows is written in seconds.

Parquet and SQLite are for browsing and querying, so beside every partial date
(``2025``, ``2025-02``, ``2025-02-04``, kept as written) they carry ``<field>_first`` and
``<field>_last``: the first and last day the date may be, as ``load()`` gives them. SQLite
is laid out for Datasette (see :func:`write_sqlite`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataset_tools.schema.models import LIST_DELIMITER, TABLES, Column, columns
from dataset_tools.writing.canonical import quote

if TYPE_CHECKING:
    import sqlite3

_NEEDS_QUOTES = r'[,"\r\n]'
"""A CSV cell is quoted when it holds one of these (RFC 4180 minimal quoting)."""


SLICE = 200_000
"""Rows written per step: bounds the memory a table of millions of rows needs."""


def _write_strings(strings: pa.ChunkedArray | pa.Array, handle: BinaryIO) -> None:
    """Write the UTF-8 bytes of every string, concatenated, straight from Arrow's buffers."""
    chunks = strings.chunks if isinstance(strings, pa.ChunkedArray) else [strings]
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        large = chunk.type == pa.large_string()
        offsets = memoryview(chunk.buffers()[1]).cast("q" if large else "i")
        begin, end = offsets[chunk.offset], offsets[chunk.offset + len(chunk)]
        handle.write(memoryview(chunk.buffers()[2])[begin:end])


def write_csv(data: pa.Table, path: Path) -> None:
    """Canonical CSV: header, one LF-ended line per row, minimal quoting, UTF-8.

    The same text ``dataset_tools.writing.canonical.csv_text`` writes, computed by column.
    """
    with path.open("wb") as handle:
        handle.write((",".join(quote(name) for name in data.column_names) + "\n").encode("utf-8"))
        for start in range(0, data.num_rows, SLICE):
            part = data.slice(start, SLICE)
            cells = [_quoted(part.column(name)) for name in part.column_names]
            lines = pc.binary_join_element_wise(*cells, ",") if len(cells) > 1 else cells[0]
            _write_strings(pc.binary_join_element_wise(lines, "\n", ""), handle)


def _quoted(column: pa.ChunkedArray) -> pa.ChunkedArray:
    needs = pc.match_substring_regex(column, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return column
    escaped = pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")
    return pc.if_else(needs, escaped, column)


def typed(data: pa.Table, table: str, *, bounds: bool = False, only: tuple[str, ...] | None = None) -> pa.Table:
    """The table with real types: missing values null, lists as ``list<string>``.

    With ``bounds``, each partial date is followed by ``<field>_first`` and ``<field>_last``
    (``timestamp[ms]``, see :func:`date_bounds`; Parquet stores no coarser unit): pandas reads
    them as ``datetime64[ms]``, which compares with ``pd.Timestamp`` as ``load()``'s
    ``datetime64[s]`` columns do. With ``only``, only those columns.
    """
    arrays = {}
    for column in columns(TABLES[table]):
        if only is not None and column.name not in only:
            continue
        values = data.column(column.name)
        if column.is_list:
            split = pc.split_pattern(values, LIST_DELIMITER)
            arrays[column.name] = pc.if_else(
                pc.equal(values, ""), pa.scalar([], pa.list_(pa.string())), split.cast(pa.list_(pa.string()))
            )
        else:
            arrays[column.name] = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
        if column.is_date and bounds:
            first, last = date_bounds(values)
            day = pa.timestamp("ms")
            arrays[column.name + FIRST] = pa.array(first).cast(day)
            arrays[column.name + LAST] = pa.array(last).cast(day)
    return pa.table(arrays)


FIRST, LAST = "_first", "_last"
"""Suffixes of the first and last day a partial date may be."""
_UNITS = {4: "datetime64[Y]", 7: "datetime64[M]", 10: "datetime64[D]"}
"""The numpy unit of a partial date of each length: a year, a month or a day."""


def date_bounds(dates: pa.ChunkedArray | pa.Array | Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """The first and last day each partial date may be, as ``datetime64[D]`` (``NaT`` when empty).

    ``2025`` → 2025-01-01 and 2025-12-31; ``2025-02`` → 2025-02-01 and 2025-02-28;
    ``2025-02-04`` → that day twice. ``dates`` are the text of valid partial dates; a missing
    or empty one gives ``NaT``. The one computation of these bounds: ``load()`` asks it too.
    """
    if isinstance(dates, pa.ChunkedArray | pa.Array):
        text = np.asarray(pc.fill_null(dates, "").to_numpy(zero_copy_only=False), dtype=str)
    else:
        text = np.array([cell if isinstance(cell, str) else "" for cell in dates], dtype=str)
    lengths = np.char.str_len(text)
    first = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[D]")
    last = first.copy()
    for length, unit in _UNITS.items():
        at = lengths == length
        if at.any():
            periods = text[at].astype(unit)
            first[at] = periods.astype("datetime64[D]")
            last[at] = (periods + 1).astype("datetime64[D]") - 1
    return first, last


_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_RARE_CONTROLS = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
"""Control characters JSON escapes as ``\\uXXXX`` or ``\\b``/``\\f``: left to ``json.dumps``."""
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json_values(column: pa.ChunkedArray, is_list: bool) -> pa.Array:
    """Each cell as JSON text, exactly as ``json.dumps(..., ensure_ascii=False)`` writes it."""
    values = column.combine_chunks()
    text = values
    for old, new in _JSON_ESCAPES:
        text = pc.replace_substring(text, old, new)
    if is_list:
        inner = pc.replace_substring(text, LIST_DELIMITER, '","')
        text = pc.if_else(pc.equal(values, ""), "[]", pc.binary_join_element_wise('["', inner, '"]', ""))
    else:
        text = pc.if_else(pc.equal(values, ""), "null", pc.binary_join_element_wise('"', text, '"', ""))
    rare = pc.match_substring_regex(values, _RARE_CONTROLS)
    if pc.any(rare).as_py():
        rows = pc.indices_nonzero(rare).to_pylist()
        originals = values.take(pa.array(rows)).to_pylist()
        exact = [_ENCODE(value.split(LIST_DELIMITER) if is_list else value) for value in originals]
        text = pc.replace_with_mask(text, rare, pa.array(exact, text.type))
    return text


def write_json(data: pa.Table, table: str, path: Path) -> None:
    """A JSON array with one object per record (one per line): every field, lists as arrays, missing null."""
    cols = columns(TABLES[table])
    with path.open("wb") as handle:
        if data.num_rows == 0:
            handle.write(b"[]\n")
            return
        handle.write(b"[\n")
        for start in range(0, data.num_rows, SLICE):
            part = data.slice(start, SLICE)
            pieces: list[Any] = []
            for index, column in enumerate(cols):
                pieces += [("{" if index == 0 else ",") + json.dumps(column.name) + ":"]
                pieces.append(_json_values(part.column(column.name), column.is_list))
            pieces.append("}")
            ends = [",\n"] * part.num_rows
            if start + SLICE >= data.num_rows:
                ends[-1] = "\n]\n"
            pieces.append(pa.array(ends))
            _write_strings(pc.binary_join_element_wise(*pieces, ""), handle)


def write_parquet(data: pa.Table, table: str, path: Path) -> None:
    """Parquet with real types (strings, nullable; lists as ``list<string>``; date bounds), zstd-compressed."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - only a release writes Parquet; load() needs date_bounds only

    pq.write_table(
        typed(data, table, bounds=True), path, compression="zstd", use_dictionary=True, write_statistics=True
    )


ENTITIES = "entities"
"""The SQLite table of every id (unique across tables): its table and its name."""
NAME_COLUMNS = ("name", "title", "role", "list_name")
"""The column that names a record, the first a table has (else its id)."""
SEARCHED = {
    "organisations": ("name", "aliases", "notes"),
    "actors": ("name", "aliases", "notes"),
    "sources": ("title", "publisher"),
    "coalition_events": ("title", "summary", "location"),
    "designations": ("list_name", "listed_name", "reference"),
}
"""The columns each table's full-text index covers."""
TOKENIZER = "unicode61 remove_diacritics 2"
"""FTS5 tokenizer: case and diacritics do not count (``DEAŞ`` finds ``Deas``), in every script."""


def name_column(table: str) -> str | None:
    """The column that names a record of ``table`` (see ``NAME_COLUMNS``), or None."""
    names = [column.name for column in columns(TABLES[table])]
    return next((name for name in NAME_COLUMNS if name in names), None)


def link_table(column: Column) -> str:
    """The link table of a list of ids: ``source_ids`` → ``record_sources``."""
    return f"record_{column.name.removesuffix('_ids')}s"


def _is_reference(column: Column) -> bool:
    return bool(column.references) and not column.is_list


def create_statements(table: str) -> list[str]:
    """``CREATE TABLE`` with primary and foreign keys, then one index per id column.

    Every reference (``subject_id``, ``participant_id`` included, whatever table its id is
    in) is a foreign key to ``entities``, and so is ``id`` itself: Datasette links each
    to the id's page in ``entities``, which lists every record that refers to it.
    Each partial date is followed by its ``_first`` and ``_last`` days (ISO text).
    """
    cols = columns(TABLES[table])
    lines = []
    for column in cols:
        line = f'"{column.name}" TEXT'
        if column.name == "id":
            line += f' NOT NULL PRIMARY KEY REFERENCES "{ENTITIES}"("id")'
        elif column.required:
            line += " NOT NULL"
        if _is_reference(column):
            line += f' REFERENCES "{ENTITIES}"("id")'
        lines.append(line)
        if column.is_date:
            lines += [f'"{column.name}{FIRST}" TEXT', f'"{column.name}{LAST}" TEXT']
    statements = [f'CREATE TABLE "{table}" (\n  ' + ",\n  ".join(lines) + "\n)"]
    statements += [
        f'CREATE INDEX "{table}_{column.name}" ON "{table}"("{column.name}")'
        for column in cols
        if _is_reference(column) and column.name != "id"
    ]
    return statements


def _sqlite_columns(data: pa.Table, table: str) -> list[list[Any]]:
    """The SQLite values of ``table``'s columns, in :func:`create_statements` order."""
    values: list[list[Any]] = []
    for column in columns(TABLES[table]):
        cells = data.column(column.name)
        if column.is_list:
            values.append(_json_values(cells, is_list=True).to_pylist())  # the JSON output's own arrays
        else:
            values.append(_nullable(cells))
        if column.is_date:
            first, last = date_bounds(cells)
            values += [_iso(first), _iso(last)]
    return values


def _iso(days: np.ndarray) -> list[str | None]:
    """``YYYY-MM-DD`` of each day, None for ``NaT``."""
    return pa.array(days, type=pa.date32(), from_pandas=True).cast(pa.string()).to_pylist()


def write_sqlite(tables: dict[str, pa.Table], path: Path) -> None:
    """One database for Datasette and SQL: every table, ``entities``, link tables and full-text indexes.

    - ``entities`` (``id``, ``table``, ``name``): every id, so that every reference is a
      real foreign key (see :func:`create_statements`);
    - lists are JSON arrays (``["ISIL","Daesh"]``, ``[]`` when empty), so Datasette's array
      facets and ``json_each`` work; each list of ids also gets a link table
      (``record_sources``: ``record_id``, ``source_id``, ``position``) for joins;
    - empty cells are NULL; partial dates keep their text, with ``_first``/``_last`` days;
    - ``<table>_fts`` (FTS5, external content) over names, aliases, titles and summaries
      (``SEARCHED``), which Datasette offers as the table's search box.
    """
    import sqlite3  # noqa: PLC0415 - only a release writes SQLite; load() needs date_bounds only

    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -262144")
        connection.execute("PRAGMA foreign_keys = OFF")  # entities are written first, but links may come in any order
        _write_entities(connection, tables)
        for table, data in tables.items():
            statements = create_statements(table)
            connection.execute(statements[0])
            for start in range(0, max(data.num_rows, 1), SLICE):
                values = _sqlite_columns(data.slice(start, SLICE), table)
                marks = ", ".join("?" * len(values))
                insert = f'INSERT INTO "{table}" VALUES ({marks})'  # noqa: S608 - names from TABLES
                connection.executemany(insert, zip(*values, strict=True))
            for statement in statements[1:]:
                connection.execute(statement)
        _write_links(connection, tables)
        for table, searched in SEARCHED.items():
            _write_fts(connection, table, searched)
        connection.commit()
    finally:
        connection.close()


def _write_entities(connection: sqlite3.Connection, tables: dict[str, pa.Table]) -> None:
    connection.execute(
        f'CREATE TABLE "{ENTITIES}" (\n  "id" TEXT NOT NULL PRIMARY KEY,\n  "table" TEXT NOT NULL,\n  "name" TEXT\n)'
        " WITHOUT ROWID"
    )
    parts = []
    for table, data in tables.items():
        ids = data.column("id")
        names = data.column(name_column(table) or "id")
        parts.append(
            pa.table(
                {
                    "id": ids.cast(pa.string()),
                    "table": pa.array([table] * data.num_rows, pa.string()),
                    "name": pc.if_else(pc.equal(names, ""), ids, names).cast(pa.string()),
                }
            )
        )
    rows = pa.concat_tables(parts).sort_by("id")
    insert = f'INSERT INTO "{ENTITIES}" VALUES (?, ?, ?)'  # noqa: S608 - a constant
    connection.executemany(insert, zip(*(rows.column(name).to_pylist() for name in rows.column_names), strict=True))
    connection.execute(f'CREATE INDEX "{ENTITIES}_table" ON "{ENTITIES}"("table")')


def _write_links(connection: sqlite3.Connection, tables: dict[str, pa.Table]) -> None:
    """One link table per list of ids: (``record_id``, ``<item>_id``, ``position``), sorted."""
    links: dict[str, tuple[str, list[pa.Table]]] = {}
    for table, data in tables.items():
        for column in columns(TABLES[table]):
            if not (column.is_list and column.references):
                continue
            lists = typed(data.select(["id", column.name]), table, only=("id", column.name)).column(column.name)
            lists = lists.combine_chunks()
            lengths = pc.list_value_length(lists).to_numpy(zero_copy_only=False)
            starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
            links.setdefault(link_table(column), (column.references[0], []))[1].append(
                pa.table(
                    {
                        "record_id": data.column("id").take(pc.list_parent_indices(lists)),
                        "item": pc.list_flatten(lists),
                        "position": pa.array(np.arange(len(starts)) - starts + 1, pa.int64()),
                    }
                )
            )
    for name, (target, parts) in sorted(links.items()):
        joined = pa.concat_tables(parts).sort_by([("record_id", "ascending"), ("position", "ascending")])
        rows = list(zip(*(joined.column(part).to_pylist() for part in joined.column_names), strict=True))
        item = target.removesuffix("s") + "_id"
        connection.execute(
            f'CREATE TABLE "{name}" (\n  "record_id" TEXT NOT NULL REFERENCES "{ENTITIES}"("id"),\n'
            f'  "{item}" TEXT NOT NULL REFERENCES "{target}"("id"),\n  "position" INTEGER NOT NULL,\n'
            f'  PRIMARY KEY ("record_id", "position")\n)'
        )
        connection.executemany(f'INSERT INTO "{name}" VALUES (?, ?, ?)', sorted(rows))  # noqa: S608 - names from TABLES
        connection.execute(f'CREATE INDEX "{name}_{item}" ON "{name}"("{item}")')


def _write_fts(connection: sqlite3.Connection, table: str, searched: tuple[str, ...]) -> None:
    """An external-content FTS5 index of ``table`` (the layout Datasette and sqlite-utils detect)."""
    names = ", ".join(f'"{name}"' for name in searched)
    connection.execute(
        f'CREATE VIRTUAL TABLE "{table}_fts" USING fts5({names}, content="{table}", tokenize="{TOKENIZER}")'
    )
    connection.execute(f'INSERT INTO "{table}_fts" (rowid, {names}) SELECT rowid, {names} FROM "{table}"')  # noqa: S608


def _nullable(column: pa.ChunkedArray) -> list[Any]:
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column).to_pylist()
