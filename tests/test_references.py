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

_WORDS = st.sampled_from(["isis", "Daesh", "AGX", "al-Nusra", "Hezbollah", "Неzbollah", "Türkiye", "", " ", "x y"])
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


@given(_records("organisations"), _records("actors"), st.lists(st.sampled_from(["isis", "daesh", "agx", "x-y"])))
def test_names_as_ids_is_the_per_record_search(organisations, actors, wanted):
    files = {"organisations": organisations, "actors": actors}
    found = references._names_as_ids(files, pa.array(wanted, pa.string()))  # noqa: SLF001 - the unit under test
    assert {as_id: sorted(matches) for as_id, matches in found.items()} == _names_as_ids_per_row(files, set(wanted))


_ITEMS = st.sampled_from(["src-a", "src-b", "nope", "Not An Id", "", " src-a"])


@given(st.lists(st.lists(_ITEMS, max_size=3).map(LIST_DELIMITER.join), max_size=8), st.integers(1, 3))
def test_unresolved_list_items_are_the_per_item_lookup(cells, chunks):
    """Every item of a filled cell, in order, that is an id but not a source's; empty cells hold none."""
    events = _file("coalition_events", {"id": [f"e-{k}" for k in range(len(cells))], "source_ids": cells})
    cut = len(cells) // chunks
    column_data = pa.chunked_array(
        [pa.array(cells[:cut], pa.string()), pa.array(cells[cut:], pa.string())]  # the reader's chunks
    )
    events.data = events.data.set_column(1, "source_ids", column_data)
    sources = _file("sources", {"id": ["src-a", "src-b"]})
    files = {"coalition_events": events, "sources": sources}
    column = next(column for column in columns(TABLES["coalition_events"]) if column.name == "source_ids")
    ids = {table: tf.data.column("id").combine_chunks() for table, tf in files.items()}
    found, kinds = references._resolve(events, column, ids, files)  # noqa: SLF001 - the unit under test
    pattern = re.compile(column.pattern or "")
    expected = [
        (line, item)
        for line, cell in zip(range(2, len(cells) + 2), cells, strict=True)
        if cell
        for item in cell.split(LIST_DELIMITER)
        if item not in {"src-a", "src-b"} and pattern.fullmatch(item)
    ]
    assert (list(zip(found.lines.tolist(), found.values.to_pylist(), strict=True)), kinds) == (expected, [])


def test_a_named_hint_names_three_records_by_id_and_counts_the_rest():
    matches = [references.NameMatch(f"r{k}", "AGX", alias=k != 3) for k in (4, 3, 2, 1, 0)]
    assert references._named_hint(matches) == (  # noqa: SLF001 - the unit under test
        "did you mean `r0` (AGX is one of its aliases), `r1` (AGX is one of its aliases), "
        "`r2` (AGX is one of its aliases) or one of 2 more records so called?"
    )
    assert references._named_hint(matches[:2]) == (  # noqa: SLF001 - the unit under test
        "did you mean `r3` (its name is AGX) or `r4` (AGX is one of its aliases)?"
    )
