"""Write one table in each release format: canonical CSV, JSON, Parquet and SQLite.

Every writer takes the string columns :mod:`dataset_tools.folders` reads (sorted by id
by the caller) and writes bytes that depend on nothing but those columns, so two builds
of the same data are byte-identical. The work is columnar (pyarrow compute), so a table
of millions of rows is written in seconds.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dataset_tools.canonical import quote
from dataset_tools.models import LIST_DELIMITER, TABLES, Column, columns

_NEEDS_QUOTES = r'[,"\r\n]'
"""A CSV cell is quoted when it holds one of these (RFC 4180 minimal quoting)."""


def csv_bytes(data: pa.Table) -> bytes:
    """Canonical CSV: header, one LF-ended line per row, minimal quoting, UTF-8.

    The same text ``dataset_tools.canonical.csv_text`` writes, computed by column.
    """
    header = ",".join(quote(name) for name in data.column_names)
    if data.num_rows == 0:
        return (header + "\n").encode("utf-8")
    cells = [_quoted(data.column(name)) for name in data.column_names]
    lines = pc.binary_join_element_wise(*cells, ",") if len(cells) > 1 else cells[0]
    body = "\n".join(lines.to_pylist())
    return (header + "\n" + body + "\n").encode("utf-8")


def _quoted(column: pa.ChunkedArray) -> pa.ChunkedArray:
    needs = pc.match_substring_regex(column, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return column
    escaped = pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")
    return pc.if_else(needs, escaped, column)


def typed(data: pa.Table, table: str) -> pa.Table:
    """The table with real types: missing values null, lists as ``list<string>``."""
    arrays = {}
    for column in columns(TABLES[table]):
        values = data.column(column.name)
        if column.is_list:
            split = pc.split_pattern(values, LIST_DELIMITER)
            arrays[column.name] = pc.if_else(
                pc.equal(values, ""), pa.scalar([], pa.list_(pa.string())), split.cast(pa.list_(pa.string()))
            )
        else:
            arrays[column.name] = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
    return pa.table(arrays)


def json_bytes(data: pa.Table, table: str) -> bytes:
    """A JSON array with one object per record (one per line): every field, lists as arrays, missing null."""
    records = typed(data, table).to_pylist()
    if not records:
        return b"[]\n"
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return ("[\n" + ",\n".join(map(dumps, records)) + "\n]\n").encode("utf-8")


def write_parquet(data: pa.Table, table: str, path: Path) -> None:
    """Parquet with real types (strings, nullable; lists as ``list<string>``), zstd-compressed."""
    pq.write_table(typed(data, table), path, compression="zstd", use_dictionary=True, write_statistics=True)


def _references(column: Column) -> str | None:
    """The one table a column's values are ids of, when SQLite can enforce it."""
    if len(column.references) == 1 and not column.is_list:
        return column.references[0]
    return None


def create_statements(table: str) -> list[str]:
    """``CREATE TABLE`` with primary and foreign keys, then one index per id column."""
    cols = columns(TABLES[table])
    lines = []
    for column in cols:
        line = f'"{column.name}" TEXT'
        if column.name == "id":
            line += " NOT NULL PRIMARY KEY"
        elif column.required:
            line += " NOT NULL"
        target = _references(column)
        if target:
            line += f' REFERENCES "{target}"("id")'
        lines.append(line)
    statements = [f'CREATE TABLE "{table}" (\n  ' + ",\n  ".join(lines) + "\n)"]
    statements += [
        f'CREATE INDEX "{table}_{column.name}" ON "{table}"("{column.name}")'
        for column in cols
        if column.references and not column.is_list and column.name != "id"
    ]
    return statements


def write_sqlite(tables: dict[str, pa.Table], path: Path) -> None:
    """One database with every table; empty cells are NULL, lists stay ``;``-joined text."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        for table, data in tables.items():
            statements = create_statements(table)
            connection.execute(statements[0])
            marks = ", ".join("?" * data.num_columns)
            rows = zip(*(_nullable(data.column(name)) for name in data.column_names), strict=True)
            connection.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)  # noqa: S608 - names from TABLES
            for statement in statements[1:]:
                connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def _nullable(column: pa.ChunkedArray) -> list[Any]:
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column).to_pylist()
