"""Table and cross-table checks: unique ids, and every reference resolving to the right kind."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataset_tools.names import slug_of_ascii
from dataset_tools.reading import bytematch
from dataset_tools.reading.tables import TableFile
from dataset_tools.schema.models import ADDED_IN, LIST_DELIMITER, TABLES, Column, columns
from dataset_tools.schema.vocab import OrganisationKind
from dataset_tools.validation import parallel, similar
from dataset_tools.validation.hints import suggestions
from dataset_tools.validation.problems import Problem

HINT_LIMIT = 100
"""Suggestions are searched for at most this many unresolved references per column."""
HINT_CHOICES = 50_000
"""No suggestions when a column may refer to more records than this (one search each)."""
NAMED_SHOWN = 3
"""Records a hint names when several are called by the name a reference writes as an id."""


def _ids(tf: TableFile) -> pa.Array:
    if "id" not in tf.data.column_names:
        return pa.array([], pa.string())
    return tf.data.column("id").combine_chunks()


def id_checks(files: dict[str, TableFile]) -> Iterator[Problem]:
    """Each id appears once in its table (primary-key) and in no other table (unique-error).

    Each table's ids are hashed once (in parallel, biggest table first), and that one hash
    finds both the table's own repeats and its ids in every smaller table.
    """
    ids = {table: table_ids for table, tf in files.items() if len(table_ids := _ids(tf))}
    tables = sorted(ids, key=lambda table: -len(ids[table]))
    with parallel.pool(sum(map(len, ids.values()))) as threads:  # pyarrow compute releases the GIL
        found = dict(zip(tables, threads.map(lambda k: _first_rows(ids, tables[k:]), range(len(tables))), strict=True))
    firsts = {table: found[table][table] for table in tables}  # row of each id's first appearance in its table
    for position, table in enumerate(tables):
        tf, lines = files[table], files[table].lines_for("id")
        rows = np.flatnonzero(firsts[table] != np.arange(len(ids[table])))
        for row, value in zip(rows.tolist(), ids[table].take(pa.array(rows)).to_pylist(), strict=True):
            if value:  # a missing id is a required-error
                yield _repeated(tf, int(lines[row]), value, int(lines[firsts[table][row]]))
        for other in tables[position + 1 :]:
            there = found[table][other]  # where each id of ``other`` first appears in ``table``
            rows = np.flatnonzero((there >= 0) & (firsts[other] == np.arange(len(ids[other]))))
            other_lines = files[other].lines_for("id")
            for row, value in zip(rows.tolist(), ids[other].take(pa.array(rows)).to_pylist(), strict=True):
                if value:
                    line, other_line = int(lines[there[row]]), int(other_lines[row])
                    yield _clash(tf, line, value, files[other], other_line)
                    yield _clash(files[other], other_line, value, tf, line)


def _first_rows(ids: dict[str, pa.Array], tables: list[str]) -> dict[str, np.ndarray]:
    """For each id of each of ``tables``, the row where it first appears in the first of them (-1: nowhere)."""
    rows = pc.index_in(pa.chunked_array([ids[table] for table in tables]), value_set=ids[tables[0]])
    found = pc.fill_null(rows, -1).to_numpy()
    bounds = np.cumsum([0, *(len(ids[table]) for table in tables)])
    return {table: found[bounds[k] : bounds[k + 1]] for k, table in enumerate(tables)}


def _repeated(tf: TableFile, line: int, value: str, first_line: int) -> Problem:
    return Problem(
        "primary-key",
        tf.file,
        line,
        f"id `{value}` already appears on line {first_line}",
        "id",
        value,
        "merge the two records, or give this one another id",
    )


def unchecked_targets(files: dict[str, TableFile]) -> list[str]:
    """Tables whose ids are not all known (no file, or a file not read whole): references to them go unchecked.

    A table a minor version added (``ADDED_IN``) may be absent: then it has no records, all known.

    Their own problems are reported; a reference error for every record that points at
    them would bury those under noise that fixing the file makes vanish.
    """
    return [table for table in TABLES if (files[table].incomplete if table in files else table not in ADDED_IN)]


def cross_checks(files: dict[str, TableFile]) -> Iterator[Problem]:
    """References resolve, to the right table and kind."""
    ids = {table: _ids(tf) for table, tf in files.items()}
    unknown = set(unchecked_targets(files))
    work = [
        (tf, column)
        for table, tf in files.items()
        for column in columns(TABLES[table])
        if column.references and column.name in tf.data.column_names and not unknown & set(column.references)
    ]
    # the longest lookups first (most values, most ids to hash): the groups below start in that order
    work.sort(key=lambda job: -job[0].data.num_rows - sum(len(ids.get(table, [])) for table in job[1].references))
    # one lookup per set of tables named, their ids hashed once for all the columns that name them (in that order)
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, (_, column) in enumerate(work):
        groups.setdefault(column.references, []).append(index)
    home: dict[str, str] = {}
    with parallel.pool(sum(tf.data.num_rows for tf in files.values())) as threads:  # compute releases the GIL
        results = threads.map(lambda group: _resolve([work[index] for index in group], ids, files), groups.values())
        found = dict(zip(chain(*groups.values()), chain(*results), strict=True))
        resolved = [found[index] for index in range(len(work))]  # in the order of ``work``
        pending = [unresolved for unresolved, _ in resolved]
        # which table, if any, holds each unresolved id: one scan per table (side by side) for all columns
        every = pc.unique(pa.concat_arrays([item.values for item in pending] or [pa.array([], pa.string())]))
        if len(every):
            held = threads.map(lambda table_ids: _common(table_ids, every).to_pylist(), ids.values())
            for table, values in zip(ids, held, strict=True):
                for value in values:
                    home.setdefault(value, table)
    for _, kind_problems in resolved:
        yield from kind_problems
    known_as = _names_as_ids(files, every) if len(every) else {}
    for item in pending:
        yield from item.problems(home, known_as)


class NameMatch(NamedTuple):
    """A record one of whose names, written as an id, is the id a reference gives."""

    record: str
    """The record's id."""
    text: str
    """Its name or alias, as written."""
    alias: bool
    """True for an alias, False for the record's name."""

    def said(self) -> str:
        """``(Daesh is one of its aliases)``, ``(its name is Daesh)``."""
        return f"({self.text} is one of its aliases)" if self.alias else f"(its name is {self.text})"


def _names_as_ids(files: dict[str, TableFile], wanted: pa.Array) -> dict[str, list[NameMatch]]:
    """Names and aliases of organisations and actors that, written as an id, are one of ``wanted``.

    ``Daesh`` is written ``daesh``. Returns that id → each record with such a name (its first
    one: the name before the aliases), in no particular order. The names are written as ids
    a column at a time, from the ASCII forms the duplicate-name check makes too
    (:func:`similar.name_texts`); only those that match become Python strings.
    """
    wanted = wanted.cast(pa.large_string())
    found: dict[str, dict[str, NameMatch]] = {}
    for table in ("organisations", "actors"):
        tf = files.get(table)
        if tf is None or not {"id", "name"} <= set(tf.data.column_names):
            continue
        every = similar.name_texts(tf)
        as_ids = slug_of_ascii(every.ascii)
        hit = pc.and_(pc.is_in(as_ids, value_set=wanted), pc.not_equal(as_ids, ""))
        ids = tf.data.column("id")
        for row in np.flatnonzero(pc.fill_null(hit, fill_value=False).to_numpy(zero_copy_only=False)).tolist():
            record = ids[int(every.owner[row])].as_py()
            match = NameMatch(record, every.texts[row].as_py(), bool(every.place[row]))
            found.setdefault(as_ids[row].as_py(), {}).setdefault(record, match)
    return {as_id: list(records.values()) for as_id, records in found.items()}


def _named_hint(matches: list[NameMatch]) -> str:
    """``did you mean `isis`? (Daesh is one of its aliases)``; with several records, each (by id), the first few."""
    matches = sorted(matches)
    shown = [f"`{match.record}` {match.said()}" for match in matches[:NAMED_SHOWN]]
    if len(matches) == 1:
        return f"did you mean `{matches[0].record}`? {matches[0].said()}"
    if len(matches) > NAMED_SHOWN:
        return f"did you mean {', '.join(shown)} or one of {len(matches) - NAMED_SHOWN} more records so called?"
    return f"did you mean {', '.join(shown[:-1])} or {shown[-1]}?"


def _common(big: pa.Array, small: pa.Array) -> pa.Array:
    """The values of ``big`` that are in ``small``: ``small`` is hashed, ``big`` only scanned."""
    return big.filter(pc.is_in(big, value_set=small))


def _clash(tf: TableFile, line: int, value: str, other: TableFile, other_line: int) -> Problem:
    return Problem(
        "unique-error",
        tf.file,
        line,
        f"id `{value}` is also used in {other.file} (line {other_line}); ids are unique across all tables",
        "id",
        value,
        "give one of the two records another id",
    )


@dataclass
class _Unresolved:
    """References of one column that name no record of the tables they must name."""

    tf: TableFile
    column: Column
    lines: np.ndarray
    values: pa.Array
    targets: pa.Array
    orgs: TableFile | None = None
    """The organisations file, for the kinds a column may name (hints only)."""

    def targets_set(self) -> set[str]:
        """The ids this column may name, as a set (built on first use: only for hints)."""
        if not hasattr(self, "_targets_set"):
            self._targets_set = set(self.targets.to_pylist())
        return self._targets_set

    def wrong_kind(self) -> set[str]:
        """The organisations this column may not name, being of another kind (built on first use: only for hints)."""
        if not hasattr(self, "_wrong_kind"):
            misfits = _of_other_kinds(self.column, self.orgs) if self.orgs is not None else None
            self._wrong_kind: set[str] = set(misfits.to_pylist()) if misfits is not None else set()
        return self._wrong_kind

    def problems(self, home: dict[str, str], known_as: dict[str, list[NameMatch]]) -> Iterator[Problem]:
        """A reference-kind-error where the id is another table's, else a foreign-key error.

        ``known_as`` maps a name or alias, written as an id would be, to the records so called:
        ``daesh`` finds ``isis`` through its alias. The hint names every one of them that the
        column may name (of its tables, and of its organisation kinds), whatever their order.
        """
        name, wanted = self.column.name, " or ".join(self.column.references)
        values = self.values.to_pylist()
        named: dict[str, list[NameMatch]] = {}
        for value in dict.fromkeys(value for value in values if value in known_as):
            fits = [m for m in known_as[value] if m.record in self.targets_set() and m.record not in self.wrong_kind()]
            if fits:
                named[value] = fits
        wanting = list(dict.fromkeys(value for value in values[:HINT_LIMIT] if not (value in home or value in named)))
        choices = [] if not wanting or len(self.targets) > HINT_CHOICES else self.targets.to_pylist()
        wrong_kind = self.wrong_kind() if choices else set()
        choices = [choice for choice in choices if choice not in wrong_kind]  # only what the column may name
        hints = dict(zip(wanting, suggestions(wanting, choices), strict=True))
        for count, (line, value) in enumerate(zip(self.lines, values, strict=True)):
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
            if value in named:
                hint: str | None = _named_hint(named[value])
            else:
                hint = hints[value] if count < HINT_LIMIT else None
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
    jobs: list[tuple[TableFile, Column]], ids: dict[str, pa.Array], files: dict[str, TableFile]
) -> list[tuple[_Unresolved, list[Problem]]]:
    """Each column's unresolved references, and its references to organisations of the wrong kind.

    The columns (of any tables) all name the same tables (``Column.references``): those
    tables' ids are hashed once, and every value of every column looked up in one call.
    Returns one result per job, in their order. A value that is not an id at all (reported
    by the field checks) is not looked up.
    """
    references = jobs[0][1].references
    targets = [ids[table] for table in references if table in ids]
    targets += [pa.array(files[table].unread_ids, pa.string()) for table in references if table in files]
    targets = [target for target in targets if len(target)]
    target_ids = targets[0] if len(targets) == 1 else pa.concat_arrays(targets or [pa.array([], pa.string())])
    items = [_items(tf, column) for tf, column in jobs]
    chunks = [chunk for named in items for chunk in named.values.chunks]
    known = pc.is_in(pa.chunked_array(chunks, pa.string()), value_set=target_ids).to_numpy(zero_copy_only=False)
    bounds = np.cumsum([0, *(len(named.values) for named in items)])
    return [
        _column_resolved(tf, column, items[k], known[bounds[k] : bounds[k + 1]], target_ids, files)
        for k, (tf, column) in enumerate(jobs)
    ]


class _Items(NamedTuple):
    """The values one column names, as :func:`_items` finds them."""

    values: pa.ChunkedArray
    """Each value: a cell, or an item of a list cell."""
    rows: np.ndarray
    """The row of each value."""
    filled: np.ndarray
    """Whether each value's cell is filled (an empty cell names nothing)."""


def _items(tf: TableFile, column: Column) -> _Items:
    """The values ``column`` names: of a list column, every item of every cell, split where it stands.

    The column is read as it is, in chunks: a big column is never copied whole.
    """
    cells = tf.data.column(column.name)
    filled = ~bytematch.empty(cells)
    if not column.is_list:
        return _Items(cells, np.arange(len(cells)), filled)
    lists = pc.split_pattern(cells, LIST_DELIMITER)
    rows = pc.list_parent_indices(lists).to_numpy()  # of the whole column, across chunks
    return _Items(pc.list_flatten(lists), rows, filled[rows])


def _column_resolved(
    tf: TableFile, column: Column, items: _Items, known: np.ndarray, target_ids: pa.Array, files: dict[str, TableFile]
) -> tuple[_Unresolved, list[Problem]]:
    """One column's part of :func:`_resolve`, given which of its values are ``known`` (ids of ``target_ids``)."""
    values, rows = items.values, items.rows
    missing, resolved = np.flatnonzero(items.filled & ~known), items.filled & known
    pattern = re.compile(column.pattern or "")
    written = values.take(pa.array(missing)).to_pylist()
    bad = missing[np.array([bool(pattern.fullmatch(value)) for value in written], dtype=bool)]
    kind_problems: list[Problem] = []
    if column.organisation_kinds and "organisations" in files:
        kind_problems = list(_kinds(tf, column, values, rows, resolved, files["organisations"]))
    unresolved = values.take(pa.array(bad))
    if isinstance(unresolved, pa.ChunkedArray):
        unresolved = unresolved.combine_chunks()
    found = _Unresolved(
        tf, column, tf.lines_for(column.name)[rows[bad]], unresolved, target_ids, files.get("organisations")
    )
    return found, kind_problems


def _of_other_kinds(column: Column, orgs: TableFile) -> pa.Array | None:
    """The ids of the organisations ``column`` may not name: of a valid kind but not one of its kinds.

    An organisation whose own kind is empty or invalid is reported there, not at every
    reference to it: it counts as fitting. None when the column names no kinds, or the
    organisations have none.
    """
    if not column.organisation_kinds or "kind" not in orgs.data.column_names:
        return None
    ids, kinds = _first_kinds(orgs)
    known = pc.is_in(kinds, value_set=pa.array(list(OrganisationKind), pa.string()))
    other = pc.invert(pc.is_in(kinds, value_set=pa.array(column.organisation_kinds, pa.string())))
    return ids.filter(pc.and_(known, other))


def _first_kinds(orgs: TableFile) -> tuple[pa.Array, pa.Array]:
    """Each organisation's id and kind, of its first record only (a repeated id is a primary-key error).

    Made once for all the columns that name organisations of some kinds (``TableFile.derived``).
    """

    def make() -> tuple[pa.Array, pa.Array]:
        first = pa.array(orgs.first_records())
        return _ids(orgs).take(first), orgs.data.column("kind").combine_chunks().take(first)

    return orgs.derived("first_kinds", make)


def _kinds(
    tf: TableFile,
    column: Column,
    values: pa.Array | pa.ChunkedArray,
    rows: np.ndarray,
    resolved: np.ndarray,
    orgs: TableFile,
) -> Iterator[Problem]:
    misfits = _of_other_kinds(column, orgs)
    if misfits is None:
        return
    wrong = resolved & pc.is_in(values, value_set=misfits).to_numpy(zero_copy_only=False)
    if not wrong.any():
        return
    org_ids, kinds = _first_kinds(orgs)
    named = pc.is_in(org_ids, value_set=values.filter(pa.array(wrong)))  # the few organisations named so
    kind_of = dict(zip(org_ids.filter(named).to_pylist(), kinds.filter(named).to_pylist(), strict=True))
    expected = " or ".join(column.organisation_kinds)
    for index in np.flatnonzero(wrong):
        value = values[index].as_py()
        yield Problem(
            "reference-kind-error",
            tf.file,
            int(tf.lines_for(column.name)[rows[index]]),
            f"`{value}` is an organisation of kind `{kind_of.get(value)}`, but {column.name} must name one of kind "
            f"`{expected}`",
            column.name,
            value,
            f"name a {expected}, or correct the kind of `{value}` in {orgs.file}",
        )
