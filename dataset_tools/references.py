"""Table and cross-table checks: unique ids, and every reference resolving to the right kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataset_tools.hints import did_you_mean
from dataset_tools.models import LIST_DELIMITER, TABLES, Column, columns
from dataset_tools.problems import Problem
from dataset_tools.read import TableFile
from dataset_tools.vocab import OrganisationKind

HINT_LIMIT = 200
"""Suggestions are searched for at most this many unresolved references per column."""
HINT_CHOICES = 50_000
"""No suggestions when a column may refer to more records than this (one search each)."""


def _ids(tf: TableFile) -> pa.Array:
    if "id" not in tf.data.column_names:
        return pa.array([], pa.string())
    return tf.data.column("id").combine_chunks()


def table_checks(tf: TableFile) -> Iterator[Problem]:
    """Each id appears once in its table (the primary key)."""
    ids = _ids(tf)
    if len(ids) == 0:
        return
    frame = ids.to_pandas()
    repeated = frame.duplicated(keep="first").to_numpy() & (frame != "").to_numpy()
    if not repeated.any():
        return
    first_line: dict[str, int] = {}
    for row in np.flatnonzero(frame.duplicated(keep=False).to_numpy()):
        first_line.setdefault(frame.iat[row], int(tf.lines[row]))
    for row in np.flatnonzero(repeated):
        value = frame.iat[row]
        yield Problem(
            "primary-key",
            tf.file,
            int(tf.lines[row]),
            f"id `{value}` already appears on line {first_line[value]}",
            "id",
            value,
            "merge the two records, or give this one another id",
        )


def cross_checks(files: dict[str, TableFile]) -> Iterator[Problem]:
    """Ids unique across tables; references resolve, to the right table and kind."""
    yield from _unique_across_tables(files)
    ids = {table: _ids(tf) for table, tf in files.items()}
    pending: list[_Unresolved] = []
    for table, tf in files.items():
        for column in columns(TABLES[table]):
            if column.references and column.name in tf.data.column_names:
                unresolved, kind_problems = _resolve(tf, column, ids, files)
                pending.append(unresolved)
                yield from kind_problems
    # which table, if any, holds each unresolved id: one lookup per table for all columns together
    every = pa.concat_arrays([item.values for item in pending]) if pending else pa.array([], pa.string())
    every = pc.unique(every)
    home: dict[str, str] = {}
    for table, table_ids in ids.items():
        inside = pc.is_in(every, value_set=table_ids)
        for value in every.filter(inside).to_pylist():
            home.setdefault(value, table)
    for item in pending:
        yield from item.problems(home)


def _unique_across_tables(files: dict[str, TableFile]) -> Iterator[Problem]:
    earlier: list[TableFile] = []
    for tf in files.values():
        ids = _ids(tf)
        for other in earlier:
            clash = pc.is_in(ids, value_set=_ids(other)).to_numpy(zero_copy_only=False)
            clash &= pc.not_equal(ids, "").to_numpy(zero_copy_only=False)
            for row in np.flatnonzero(clash):
                value = ids[row].as_py()
                yield Problem(
                    "unique-error",
                    tf.file,
                    int(tf.lines[row]),
                    f"id `{value}` is already used in {other.file}; ids are unique across all tables",
                    "id",
                    value,
                    "give this record another id",
                )
        earlier.append(tf)


@dataclass
class _Unresolved:
    """References of one column that name no record of the tables they must name."""

    tf: TableFile
    column: Column
    lines: np.ndarray
    values: pa.Array
    targets: pa.Array

    def problems(self, home: dict[str, str]) -> Iterator[Problem]:
        """A reference-kind-error where the id is another table's, else a foreign-key error."""
        name, wanted = self.column.name, " or ".join(self.column.references)
        choices = self.targets.to_pylist() if len(self.values) > 0 and len(self.targets) <= HINT_CHOICES else []
        for count, (line, value) in enumerate(zip(self.lines, self.values.to_pylist(), strict=True)):
            if value in home:
                yield Problem(
                    "reference-kind-error",
                    self.tf.file,
                    int(line),
                    f"`{value}` is a record of {home[value]}, but {name} must name a record of {wanted}",
                    name,
                    value,
                    f"name a record of {wanted}",
                )
                continue
            hint = did_you_mean(value, choices) if choices and count < HINT_LIMIT else None
            yield Problem(
                "foreign-key",
                self.tf.file,
                int(line),
                f"{name} names `{value}`, but no record of {wanted} has that id",
                name,
                value,
                hint or f"add the record to {wanted}, or correct the id",
            )


def _resolve(
    tf: TableFile, column: Column, ids: dict[str, pa.Array], files: dict[str, TableFile]
) -> tuple[_Unresolved, list[Problem]]:
    """The column's unresolved references, and its references to organisations of the wrong kind."""
    values = tf.data.column(column.name).combine_chunks()
    rows = np.flatnonzero(pc.not_equal(values, "").to_numpy(zero_copy_only=False))
    values = values.take(pa.array(rows))
    if column.is_list:
        lists = pc.split_pattern(values, LIST_DELIMITER)
        rows = rows[pc.list_parent_indices(lists).to_numpy()]
        values = pc.list_flatten(lists)
    shaped = pc.match_substring_regex(values, column.pattern or "").to_numpy(zero_copy_only=False)
    targets = [ids[table] for table in column.references if table in ids]
    target_ids = pa.concat_arrays(targets) if targets else pa.array([], pa.string())
    unresolved = shaped & ~pc.is_in(values, value_set=target_ids).to_numpy(zero_copy_only=False)
    bad = np.flatnonzero(unresolved)
    kind_problems: list[Problem] = []
    if column.organisation_kinds and "organisations" in files:
        kind_problems = list(_kinds(tf, column, values, rows, shaped & ~unresolved, files["organisations"]))
    found = _Unresolved(tf, column, tf.lines[rows[bad]], values.take(pa.array(bad)), target_ids)
    return found, kind_problems


def _kinds(
    tf: TableFile, column: Column, values: pa.Array, rows: np.ndarray, resolved: np.ndarray, orgs: TableFile
) -> Iterator[Problem]:
    if "kind" not in orgs.data.column_names:
        return
    org_ids, kinds = _ids(orgs), orgs.data.column("kind").combine_chunks()
    allowed = org_ids.filter(pc.is_in(kinds, value_set=pa.array(column.organisation_kinds, pa.string())))
    # an organisation whose own kind is invalid is reported there, not at every reference to it
    known = org_ids.filter(pc.is_in(kinds, value_set=pa.array(list(OrganisationKind), pa.string())))
    wrong = resolved & ~pc.is_in(values, value_set=allowed).to_numpy(zero_copy_only=False)
    wrong &= pc.is_in(values, value_set=known).to_numpy(zero_copy_only=False)
    if not wrong.any():
        return
    kind_of = dict(zip(org_ids.to_pylist(), kinds.to_pylist(), strict=True))
    expected = " or ".join(column.organisation_kinds)
    for index in np.flatnonzero(wrong):
        value = values[index].as_py()
        yield Problem(
            "reference-kind-error",
            tf.file,
            int(tf.lines[rows[index]]),
            f"`{value}` is an organisation of kind `{kind_of.get(value)}`, but {column.name} must name one of kind "
            f"`{expected}`",
            column.name,
            value,
            f"name a {expected}, or correct the kind of `{value}` in {orgs.file}",
        )
