"""Find records by the name a reader has in hand: names, aliases and titles, across scripts and spellings.

:func:`build` indexes once what every record is called (organisations' and people's names and
aliases, and the names lists give them in ``designations.listed_name``; sources' and events'
titles); :func:`find` then answers a query in milliseconds. Names are compared as
:mod:`dataset_tools.names` says (the one normalisation of names): case, diacritics, scripts,
dashes, quotes and the Arabic article do not count. A query is scored, per spelling, as:

- 100 when its :func:`~dataset_tools.names.search_key` equals the spelling's: an exact hit;
- else the best of rapidfuzz's ``WRatio`` over the keys (it takes whole words in any order,
  and the query as a part of a long name, into account; a spelling much shorter than the
  query must match it whole, by ``ratio``) and ``ratio`` over the
  :func:`~dataset_tools.names.consonants` (the key without vowels, which a name keeps across
  Arabic script and back), capped at 99, so that no near hit ever ranks above an exact one.

Each record appears once, with the spelling that scored best (``matched``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from dataset_tools.names import consonants, search_key
from dataset_tools.schema.models import LIST_DELIMITER

NAMED: dict[str, tuple[str, str | None]] = {
    "organisations": ("name", "aliases"),
    "actors": ("name", "aliases"),
    "coalition_events": ("title", None),
    "sources": ("title", None),
}
"""The tables a record can be found in: the column of its name and that of its other names."""
LISTED_AS = ("designations", "subject_id", "listed_name")
"""A list's own spelling of a subject's name is one more name of the subject."""
CUTOFF = 75.0
"""Lowest score (0-100) a near hit needs to be shown."""
NEAR = 99.0
"""The highest score of anything but an exact hit."""
SHORT = 0.6
"""A spelling shorter than this share of the query must match it whole, not as a part."""
COLUMNS = ["id", "table", "name", "matched", "score"]


@dataclass(frozen=True)
class Index:
    """Every spelling of every named record: the record's position, the spelling and its keys.

    Immutable once built, so one index serves every caller of the same data.
    """

    ids: tuple[str, ...]
    tables: tuple[str, ...]
    names: tuple[str, ...]
    owner: tuple[int, ...]
    """Per spelling, the position of its record in ``ids``."""
    spellings: tuple[str, ...]
    keys: tuple[str, ...]
    consonants: tuple[str, ...]
    exact: Mapping[str, tuple[int, ...]]
    """Search key → the spellings that have it."""


def build(data: Mapping[str, pa.Table]) -> Index:
    """Index the names of ``data`` (string columns as :mod:`dataset_tools.reading.packages` reads them)."""
    ids: list[str] = []
    tables: list[str] = []
    names: list[str] = []
    position: dict[str, int] = {}
    owner: list[int] = []
    spellings: list[str] = []
    for table, (name_column, other_column) in NAMED.items():
        if table not in data:
            continue
        rows = data[table]
        others = rows.column(other_column).to_pylist() if other_column else [""] * rows.num_rows
        for record, name, other in zip(
            rows.column("id").to_pylist(), rows.column(name_column).to_pylist(), others, strict=True
        ):
            position[record] = len(ids)
            ids.append(record)
            tables.append(table)
            names.append(name)
            for spelling in [name, *(other.split(LIST_DELIMITER) if other else [])]:
                owner.append(position[record])
                spellings.append(spelling)
    listed_table, subject, listed = LISTED_AS
    if listed_table in data:
        rows = data[listed_table]
        for record, spelling in zip(rows.column(subject).to_pylist(), rows.column(listed).to_pylist(), strict=True):
            if spelling and record in position:
                owner.append(position[record])
                spellings.append(spelling)
    keys = [search_key(spelling) for spelling in spellings]
    exact: dict[str, list[int]] = {}
    for at, key in enumerate(keys):
        exact.setdefault(key, []).append(at)
    return Index(
        ids=tuple(ids),
        tables=tuple(tables),
        names=tuple(names),
        owner=tuple(owner),
        spellings=tuple(spellings),
        keys=tuple(keys),
        consonants=tuple(consonants(key) for key in keys),
        exact={key: tuple(found) for key, found in exact.items()},
    )


def scores(index: Index, text: str, tables: Iterable[str] | None = None) -> dict[int, tuple[float, int]]:
    """Record position → (best score, spelling position) for ``text``; only records scoring ``CUTOFF`` or more."""
    wanted = None if tables is None else set(tables)
    key = search_key(text)
    best: dict[int, tuple[float, int]] = {}
    hits = [(100.0, spelling) for spelling in index.exact.get(key, ())] if key else []
    if key:
        hits += _near(index, key, limit=max(50, 5 * len(hits)))
    for score, spelling in hits:
        record = index.owner[spelling]
        if wanted is not None and index.tables[record] not in wanted:
            continue
        if record not in best or score > best[record][0]:
            best[record] = (score, spelling)
    return best


def _near(index: Index, key: str, limit: int) -> list[tuple[float, int]]:
    """(score, spelling position) of the spellings near ``key``, by key and by consonants, at most 99."""
    from rapidfuzz import fuzz, process  # noqa: PLC0415 - loaded by the first search, not by load()

    found = []
    for choice, score, spelling in process.extract(
        key, index.keys, scorer=fuzz.WRatio, limit=limit, score_cutoff=CUTOFF
    ):
        whole = fuzz.ratio(key, choice, score_cutoff=CUTOFF)  # a short name inside a long query: the query says more
        found.append((min(float(whole if len(choice) < SHORT * len(key) else score), NEAR), spelling))
    bones = consonants(key)
    if bones:
        found += [
            (min(float(score), NEAR), spelling)
            for _choice, score, spelling in process.extract(
                bones, index.consonants, scorer=fuzz.ratio, limit=limit, score_cutoff=CUTOFF
            )
        ]
    return [(score, spelling) for score, spelling in found if score]


def find(index: Index, text: str, *, tables: Sequence[str] | None = None, limit: int = 10) -> pd.DataFrame:
    """The records best matching ``text``: columns ``id``, ``table``, ``name``, ``matched``, ``score``.

    Sorted by score (exact hits, 100, first), then by how close the matched spelling is to the
    query as a whole (of two names containing the query, the shorter first), then name, then id;
    at most ``limit`` rows.
    """
    from rapidfuzz import fuzz  # noqa: PLC0415 - as in _near

    found = scores(index, text, tables)
    key = search_key(text)

    def rank(record: int) -> tuple[float, float, str, str]:
        score, spelling = found[record]
        return (-score, -fuzz.ratio(key, index.keys[spelling]), index.names[record], index.ids[record])

    order = sorted(found, key=rank)[:limit]
    return pd.DataFrame(
        {
            "id": pd.array([index.ids[record] for record in order], dtype="string"),
            "table": pd.array([index.tables[record] for record in order], dtype="string"),
            "name": pd.array([index.names[record] for record in order], dtype="string"),
            "matched": pd.array([index.spellings[found[record][1]] for record in order], dtype="string"),
            "score": pd.array([round(found[record][0], 1) for record in order], dtype="float64"),
        },
        columns=COLUMNS,
    )
