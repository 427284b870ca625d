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
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dataset_tools.schema.models import LIST_DELIMITER, TABLES, Column, columns
from dataset_tools.writing.canonical import quote

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
        connection.execute("PRAGMA cache_size = -262144")
        for table, data in tables.items():
            statements = create_statements(table)
            connection.execute(statements[0])
            marks = ", ".join("?" * data.num_columns)
            insert = f'INSERT INTO "{table}" VALUES ({marks})'  # noqa: S608 - names from TABLES
            for start in range(0, data.num_rows, SLICE):
                part = data.slice(start, SLICE)
                connection.executemany(
                    insert, zip(*(_nullable(part.column(name)) for name in part.column_names), strict=True)
                )
            for statement in statements[1:]:
                connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def _nullable(column: pa.ChunkedArray) -> list[Any]:
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column).to_pylist()
