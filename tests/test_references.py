"""The cross-table checks' column forms equal their per-row definitions (hypothesis)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from dataset_tools.names import slugify
from dataset_tools.reading.tables import TableFile
from dataset_tools.schema.models import LIST_DELIMITER, TABLES, columns
from dataset_tools.validation import references

_WORDS = st.sampled_from(
    ["isis", "Daesh", "AGX", "al-Nusra", "Hezbollah", "Неzbollah", "Türkiye", "", " ", "x y", "-Is", "DAESH2", "Is"]
)
_TEXTS = st.lists(_WORDS, min_size=1, max_size=3).map(" ".join)
_CELLS = st.lists(_TEXTS, max_size=3).map(LIST_DELIMITER.join)


def _file(table: str, data: dict[str, list[str]]) -> TableFile:
    rows = len(next(iter(data.values())))
    return TableFile(
        table=table,
        path=Path(f"{table}.csv"),
        file=f"{table}.csv",
        format="csv",
        data=pa.table({name: pa.array(values, pa.string()) for name, values in data.items()}),
        lines=np.arange(2, rows + 2, dtype=np.int64),
    )


def _chunked(tf: TableFile, name: str, cut: int) -> TableFile:
    """``tf`` with column ``name`` in two chunks, cut before row ``cut`` (as the reader gives a big column)."""
    values = tf.data.column(name).combine_chunks()
    column = pa.chunked_array([values[:cut], values[cut:]])
    tf.data = tf.data.set_column(tf.data.column_names.index(name), name, column)
    return tf


def _records(table: str) -> st.SearchStrategy[TableFile]:
    return st.lists(st.tuples(st.sampled_from(["a", "b", "isis", ""]), _TEXTS, _CELLS), max_size=6).map(
        lambda rows: _file(
            table,
            {
                "id": [row[0] for row in rows],
                "name": [row[1] for row in rows],
                "aliases": [row[2] for row in rows],
            },
        )
    )


def _names_as_ids_per_row(files: dict[str, TableFile], wanted: set[str]) -> dict[str, list[references.NameMatch]]:
    """The definition: record by record, its name then its aliases; each record so called once, with its first text."""
    found: dict[str, dict[str, references.NameMatch]] = {}
    for table in ("organisations", "actors"):
        if table not in files:
            continue
        data = files[table].data
        for record, name, others in zip(
            data.column("id").to_pylist(),
            data.column("name").to_pylist(),
            data.column("aliases").to_pylist(),
            strict=True,
        ):
            for place, text in enumerate([name, *(others.split(LIST_DELIMITER) if others else [])]):
                if slugify(text) in wanted:
                    match = references.NameMatch(record, text, alias=place > 0)
                    found.setdefault(slugify(text), {}).setdefault(record, match)
    return {as_id: sorted(records.values()) for as_id, records in found.items()}


@given(
    _records("organisations"),
    _records("actors"),
    st.lists(st.sampled_from(["isis", "daesh", "agx", "x-y", "is", "x", "is-isis", "daesh2", "dae"])),
)
def test_names_as_ids_is_the_per_record_search(organisations, actors, wanted):
    files = {"organisations": organisations, "actors": actors}
    found = references._names_as_ids(files, pa.array(wanted, pa.string()))  # noqa: SLF001 - the unit under test
    assert {as_id: sorted(matches) for as_id, matches in found.items()} == _names_as_ids_per_row(files, set(wanted))


_ITEMS = st.sampled_from(["src-a", "src-b", "nope", "Not An Id", "", " src-a"])
_LIST_CELLS = st.lists(st.lists(_ITEMS, max_size=3).map(LIST_DELIMITER.join), max_size=8)


@given(_LIST_CELLS, st.integers(1, 3), _LIST_CELLS)
def test_unresolved_list_items_are_the_per_item_lookup(cells, chunks, other_cells):
    """Every item of a filled cell, in order, that is an id but not a source's; empty cells hold none.

    Two tables' columns name sources: they are looked up together, each keeping its own.
    """
    events = _chunked(
        _file("coalition_events", {"id": [f"e-{k}" for k in range(len(cells))], "source_ids": cells}),
        "source_ids",
        len(cells) // chunks,  # the reader's chunks
    )
    actors = _file("actors", {"id": [f"a-{k}" for k in range(len(other_cells))], "source_ids": other_cells})
    sources = _file("sources", {"id": ["src-a", "src-b"]})
    files = {"coalition_events": events, "actors": actors, "sources": sources}
    jobs = [
        (tf, next(column for column in columns(TABLES[tf.table]) if column.name == "source_ids"))
        for tf in (events, actors)
    ]
    ids = {table: tf.data.column("id").combine_chunks() for table, tf in files.items()}
    found = references._resolve(jobs, ids, files)  # noqa: SLF001 - the unit under test
    pattern = re.compile(jobs[0][1].pattern or "")
    expected = [
        [
            (line, item)
            for line, cell in zip(range(2, len(written) + 2), written, strict=True)
            if cell
            for item in cell.split(LIST_DELIMITER)
            if item not in {"src-a", "src-b"} and pattern.fullmatch(item)
        ]
        for written in (cells, other_cells)
    ]
    got = [list(zip(unresolved.lines.tolist(), unresolved.values.to_pylist(), strict=True)) for unresolved, _ in found]
    assert (got, [kinds for _, kinds in found]) == (expected, [[], []])


def test_a_named_hint_names_three_records_by_id_and_counts_the_rest():
    matches = [references.NameMatch(f"r{k}", "AGX", alias=k != 3) for k in (4, 3, 2, 1, 0)]
    assert references._named_hint(matches) == (  # noqa: SLF001 - the unit under test
        "did you mean `r0` (AGX is one of its aliases), `r1` (AGX is one of its aliases), "
        "`r2` (AGX is one of its aliases) or one of 2 more records so called?"
    )
    assert references._named_hint(matches[:2]) == (  # noqa: SLF001 - the unit under test
        "did you mean `r3` (its name is AGX) or `r4` (AGX is one of its aliases)?"
    )


def test_columns_that_name_the_same_tables_are_looked_up_together_each_with_its_own_problems():
    """Columns of several tables name sources (one set of ids, one lookup); one names actors or organisations.

    Each column's problems stay its own, on its own lines, in the order of the work (the
    longest column first), a column's problems by line; an id of another table is a
    reference-kind-error, an organisation of another kind one too.
    """
    files = {
        "sources": _file("sources", {"id": ["src-a", "src-b"]}),
        "organisations": _file("organisations", {"id": ["org-a", "org-b"], "kind": ["coalition", "state"]}),
        "actors": _chunked(
            _file("actors", {"id": ["act-a", "act-b", "act-c"], "source_ids": ["src-a;src-x", "", "org-a;src-b"]}),
            "source_ids",
            1,
        ),
        "designations": _chunked(
            _file(
                "designations",
                {
                    "id": ["des-a", "des-b", "des-c", "des-d"],
                    "authority_id": ["org-a", "act-a", "org-b", "nobody"],
                    "subject_id": ["act-a", "org-b", "src-a", "nobody"],
                    "source_ids": ["src-b", "src-x;src-y", "src-a", "Not An Id"],
                },
            ),
            "subject_id",
            2,
        ),
        "coalition_events": _file(
            "coalition_events", {"id": ["e-a", "e-b"], "coalition_id": ["org-a", "org-b"], "source_ids": ["src-b", ""]}
        ),
    }
    problems = list(references.cross_checks(files))
    found = [(p.file, p.line, p.field, p.code, p.value) for p in problems]
    assert found == [
        ("coalition_events.csv", 3, "coalition_id", "reference-kind-error", "org-b"),  # a state
        ("designations.csv", 4, "subject_id", "reference-kind-error", "src-a"),
        ("designations.csv", 5, "subject_id", "foreign-key", "nobody"),
        ("designations.csv", 3, "authority_id", "reference-kind-error", "act-a"),
        ("designations.csv", 5, "authority_id", "foreign-key", "nobody"),
        ("designations.csv", 3, "source_ids", "foreign-key", "src-x"),
        ("designations.csv", 3, "source_ids", "foreign-key", "src-y"),  # `Not An Id` is no id: not looked up
        ("actors.csv", 2, "source_ids", "foreign-key", "src-x"),
        ("actors.csv", 4, "source_ids", "reference-kind-error", "org-a"),
    ]
    assert (problems[0].message, problems[0].hint) == (
        "`org-b` is an organisation of kind `state`, but coalition_id must name one of kind `coalition`",
        "name a coalition, or correct the kind of `org-b` in organisations.csv",
    )


def test_a_repeated_organisation_id_is_judged_by_its_first_record_kind_and_hints_name_only_fitting_ones():
    """A repeated id is a primary-key error; a reference to it is judged by the kind of its first record.

    The message names that kind, and a misspelt id is offered only the organisations the
    column may name (``turkye`` is near the state ``turkey``, which no coalition_id may name).
    """
    files = {
        "organisations": _file(
            "organisations",
            {
                "id": ["turkey", "axis", "turkey", "axis", "coalition-x"],
                "kind": ["state", "coalition", "coalition", "state", "coalition"],
            },
        ),
        "coalition_events": _file(
            "coalition_events", {"id": ["e-a", "e-b", "e-c"], "coalition_id": ["turkey", "axis", "turkye"]}
        ),
    }
    problems = list(references.cross_checks(files))
    assert [(p.line, p.field, p.code, p.value) for p in problems] == [
        (2, "coalition_id", "reference-kind-error", "turkey"),
        (4, "coalition_id", "foreign-key", "turkye"),
    ]
    assert problems[0].message == (
        "`turkey` is an organisation of kind `state`, but coalition_id must name one of kind `coalition`"
    )
    assert problems[1].hint == "add the record to organisations, or correct the id"
