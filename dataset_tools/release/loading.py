"""Load a release as pandas DataFrames, offline, and answer the questions users ask of it.

``dataset_tools.load()`` reads the release this package carries (``dataset_tools/data/``,
found through ``importlib.resources``) on first call; ``load(path)`` reads any release
folder or ``.zip``, or a dataset folder. (The module is ``loading``, not ``load``: a
submodule named ``load`` would replace the ``dataset_tools.load`` function on import.)

Column dtypes (the same for every table):

- text, ids, codes and vocabulary values: ``string`` (pandas ``StringDtype``), missing ``<NA>``;
- lists (``aliases``, ``nationality``, ``source_ids``): ``object``, each cell a Python ``list``
  of ``str`` (``[]`` when empty);
- partial dates (``2025``, ``2025-02``, ``2025-02-04``): ``string``, kept as written, plus two
  derived ``datetime64[s]`` columns, ``<field>_first`` and ``<field>_last``: the first and the
  last day the date may be (``2025-02`` → 2025-02-01 and 2025-02-28), ``NaT`` when missing.

"Active on a date" means *possibly* active: the start's first day is on or before the
date's last day, and the end is missing or its last day is after the date's first day.
A missing start counts as "since before"; a missing end as "still".

An ``attested`` date (schema 1.1: a day a source shows the relationship in force, when its
start is unknown) places a record in time: it was *certainly* in force on that date and
possibly before it. The queries that take a date add ``in_force``: ``certainly`` when the
record certainly started by the date's last day (its start's last day, or its attested
date's, whichever is earlier) and its end is missing or its first day is after the date's
first day; else ``possibly``. A record with neither a start nor an attested date is only
ever ``possibly`` in force.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from dataset_tools.errors import UnreadableInput, UsageError
from dataset_tools.reading import packages
from dataset_tools.schema.dates import PartialDate
from dataset_tools.schema.models import ATTESTED, LIST_DELIMITER, TABLES, Record, columns, from_row
from dataset_tools.schema.vocab import SuccessionKind

DATE_FIRST, DATE_LAST = "_first", "_last"
"""Suffixes of the derived columns of a partial date."""

CERTAINLY, POSSIBLY = "certainly", "possibly"
"""The values of ``in_force``."""

CONTINUING = (SuccessionKind.RENAMED.value, SuccessionKind.MERGED_INTO.value, SuccessionKind.ABSORBED_BY.value)
"""Succession kinds after which the predecessor lives on in its successor: what was listed under
it counts for the successor (``include_predecessors``). A body that a successor split from, or
that it replaced, is another body."""


class Dataset(Mapping[str, pd.DataFrame]):
    """Every table of one release, by name, as DataFrames; plus the questions users ask."""

    def __init__(self, tables: dict[str, pa.Table], version: str | None, schema_version: str | None) -> None:
        self._strings = tables
        self._frames: dict[str, pd.DataFrame] = {}
        self.version = version
        """The data release version (``None`` for a dataset folder)."""
        self.schema_version = schema_version
        """The schema version the release was built with."""

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self._strings:
            raise KeyError(f"no table {table!r}; the tables are {', '.join(TABLES)}")
        if table not in self._frames:
            self._frames[table] = frame(table, self._strings[table])
        return self._frames[table]

    def __iter__(self) -> Iterator[str]:
        return iter(self._strings)

    def __len__(self) -> int:
        return len(self._strings)

    def __repr__(self) -> str:
        counts = ", ".join(f"{table}={data.num_rows}" for table, data in self._strings.items())
        return f"<Dataset {self.version or 'unversioned'}: {counts}>"

    def records(self, table: str) -> list[Record]:
        """The records of ``table`` as validated pydantic models (immutable)."""
        model = TABLES[table]
        return [model.model_validate(from_row(model, row)) for row in self._strings[table].to_pylist()]

    def designations_active(
        self,
        on: str | dt.date,
        *,
        authority: str | None = None,
        subject: str | None = None,
        include_predecessors: bool = False,
    ) -> pd.DataFrame:
        """Designations possibly in force on ``on``, optionally of one authority or subject (by id).

        Adds ``authority_name``, ``subject_name`` and ``in_force`` (``certainly`` or
        ``possibly``); sorted by subject name, then id. With ``include_predecessors`` (which
        needs ``subject``), also the designations of the subject's predecessors through
        renamed, merged-into and absorbed-by successions (``CONTINUING``), however far back,
        with ``under_predecessor`` True on them. Raises :class:`UsageError` for a date that
        is not one, or ``include_predecessors`` without ``subject``.
        """
        data = self["designations"]
        mask = _active(data, "listed", "delisted", on)
        if authority is not None:
            mask = mask & _is(data["authority_id"], authority)
        predecessors: list[str] = []
        if include_predecessors:
            if subject is None:
                raise UsageError("include_predecessors needs a subject: designations_active(on, subject=ID, ...)")
            predecessors = [org for org, *_ in self._links(subject, "predecessor", CONTINUING)]
        if subject is not None:
            mask = mask & data["subject_id"].isin([subject, *predecessors]).fillna(value=False).to_numpy(dtype=bool)
        result = data[mask].copy()
        result["authority_name"] = result["authority_id"].map(self._names()).astype("string")
        result["subject_name"] = result["subject_id"].map(self._names()).astype("string")
        result["in_force"] = _in_force(result, "listed", "delisted", on)
        if include_predecessors:
            result["under_predecessor"] = result["subject_id"].isin(predecessors).astype(bool)
        return _ordered(result, ["subject_name", "id"])

    def members(self, coalition: str, on: str | dt.date | None = None) -> pd.DataFrame:
        """Memberships of a coalition (by id), possibly current on ``on`` when given; adds ``member_name``.

        With ``on``, also ``in_force`` (``certainly`` or ``possibly``).
        """
        data = self["memberships"]
        mask = _is(data["coalition_id"], coalition)
        if on is not None:
            mask = mask & _active(data, "start", "end", on)
        result = data[mask].copy()
        result["member_name"] = result["member_id"].map(self._names()).astype("string")
        if on is not None:
            result["in_force"] = _in_force(result, "start", "end", on)
        return _ordered(result, ["member_name", "id"])

    def positions(self, actor: str, on: str | dt.date | None = None) -> pd.DataFrame:
        """A person's positions (by actor id), possibly held on ``on`` when given; adds ``organisation_name``.

        Oldest first: by start, or by the attested date of a position without one. With
        ``on``, also ``in_force`` (``certainly`` or ``possibly``).
        """
        data = self["positions"]
        mask = _is(data["actor_id"], actor)
        if on is not None:
            mask = mask & _active(data, "start", "end", on)
        result = data[mask].copy()
        result["organisation_name"] = result["organisation_id"].map(self._names()).astype("string")
        if on is not None:
            result["in_force"] = _in_force(result, "start", "end", on)
        since = result["start_first"].fillna(result[ATTESTED + DATE_FIRST])
        order = pd.DataFrame({"since": since, "id": result["id"]}).sort_values(
            ["since", "id"], kind="stable", na_position="first"
        )
        return result.loc[order.index].reset_index(drop=True)

    def lineage(self, organisation: str) -> pd.DataFrame:
        """An organisation's predecessors and successors (by id), through every kind of succession.

        One row per organisation of the lineage: ``id``, ``name``, ``kind`` (of the
        succession that links it toward ``organisation``), ``date`` (of that succession,
        as written) and ``direction`` (``predecessor`` or ``successor``). Oldest first:
        predecessors from the most distant, then successors from the nearest; the links of
        one step in date order (undated ones first), then by id. Empty for an organisation
        without successions.
        """
        rows = [
            (org, kind, date, direction, step)
            for direction in ("predecessor", "successor")
            for org, kind, date, step in self._links(organisation, direction)
        ]
        found = pd.DataFrame(rows, columns=["id", "kind", "date", "direction", "step"])
        found["rank"] = np.where(found["direction"] == "predecessor", -found["step"], found["step"])
        found["date_first"] = date_bounds(found["date"].astype("string").replace("", pd.NA))[0]
        found = found.sort_values(["rank", "date_first", "id"], kind="stable", na_position="first")
        result = pd.DataFrame(
            {
                "id": found["id"].astype("string"),
                "name": found["id"].map(self._names()).astype("string"),
                "kind": found["kind"].astype("string"),
                "date": found["date"].astype("string").replace("", pd.NA),
                "direction": found["direction"].astype("string"),
            }
        )
        return result.reset_index(drop=True)

    def _links(
        self, organisation: str, direction: str, kinds: tuple[str, ...] | None = None
    ) -> list[tuple[str, str, str, int]]:
        """The organisations before (``predecessor``) or after (``successor``) ``organisation``.

        Followed step by step through successions of ``kinds`` (default: all), each
        organisation once, at its nearest step: (id, kind, date, step), nearest first.
        """
        strings = self._strings["successions"]
        here, there = (
            ("successor_id", "predecessor_id") if direction == "predecessor" else ("predecessor_id", "successor_id")
        )
        links: dict[str, list[tuple[str, str, str]]] = {}
        for near, far, kind, date in zip(
            *(strings.column(name).to_pylist() for name in (here, there, "kind", "date")), strict=True
        ):
            if kinds is None or kind in kinds:
                links.setdefault(near, []).append((far, kind, date))
        found: list[tuple[str, str, str, int]] = []
        seen, frontier, step = {organisation}, [organisation], 0
        while frontier:
            step += 1
            following = []
            for node in frontier:
                for far, kind, date in sorted(links.get(node, [])):
                    if far not in seen:
                        seen.add(far)
                        following.append(far)
                        found.append((far, kind, date, step))
            frontier = following
        return found

    def events(self, coalition: str) -> pd.DataFrame:
        """A coalition's events (by id), in date order (first day, then last day, then id)."""
        data = self["coalition_events"]
        result = data[_is(data["coalition_id"], coalition)]
        return _ordered(result, ["date_first", "date_last", "id"])

    def _names(self) -> dict[str, str]:
        """Id → name of every organisation and person."""
        names: dict[str, str] = {}
        for table in ("organisations", "actors"):
            strings = self._strings[table]
            names.update(zip(strings.column("id").to_pylist(), strings.column("name").to_pylist(), strict=True))
        return names


def _is(column: pd.Series, value: str) -> np.ndarray:
    """Where ``column`` equals ``value`` (a missing cell never does)."""
    return (column == value).fillna(value=False).to_numpy(dtype=bool)


def _ordered(data: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return data.sort_values(by, kind="stable", na_position="first").reset_index(drop=True)


def _day_range(on: str | dt.date) -> tuple[pd.Timestamp, pd.Timestamp]:
    if isinstance(on, dt.date):
        return pd.Timestamp(on), pd.Timestamp(on)
    try:
        date = PartialDate.parse(on)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return pd.Timestamp(date.start), pd.Timestamp(date.end)


def _active(data: pd.DataFrame, start: str, end: str, on: str | dt.date) -> np.ndarray:
    first, last = _day_range(on)
    started = data[start + DATE_FIRST].isna() | (data[start + DATE_FIRST] <= last)
    going = data[end + DATE_LAST].isna() | (data[end + DATE_LAST] > first)
    return (started & going).to_numpy(dtype=bool)


def _in_force(data: pd.DataFrame, start: str, end: str, on: str | dt.date) -> pd.Series:
    """``certainly`` or ``possibly`` for records possibly in force on ``on`` (see the module docstring)."""
    first, last = _day_range(on)
    known = data[[start + DATE_LAST, ATTESTED + DATE_LAST]].min(axis=1)
    ends = data[end + DATE_FIRST]
    certain = known.notna() & (known <= last) & (ends.isna() | ((ends > first) & (ends > known)))
    return pd.Series(np.where(certain.to_numpy(dtype=bool), CERTAINLY, POSSIBLY), index=data.index, dtype="string")


def frame(table: str, data: pa.Table) -> pd.DataFrame:
    """One table of string columns as a DataFrame with the documented dtypes."""
    result: dict[str, pd.Series | pd.api.extensions.ExtensionArray] = {}
    for column in columns(TABLES[table]):
        text = np.asarray(data.column(column.name).to_pylist(), dtype=object)
        if column.is_list:
            values = np.empty(len(text), dtype=object)
            values[:] = [cell.split(LIST_DELIMITER) if cell else [] for cell in text]
            result[column.name] = pd.Series(values, dtype=object)
            continue
        series = pd.Series(text, dtype="string").replace("", pd.NA)
        result[column.name] = series
        if column.is_date:
            result[column.name + DATE_FIRST], result[column.name + DATE_LAST] = date_bounds(series)
    return pd.DataFrame(result)


def date_bounds(dates: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The first and last day each partial date may be, as ``datetime64[s]`` (``NaT`` when missing)."""
    text = dates.astype("string")
    length = text.str.len()
    first_text = text.where(length != 4, text + "-01-01").where(length != 7, text + "-01")
    first = pd.to_datetime(first_text, format="%Y-%m-%d").astype("datetime64[s]")
    last = first.where(length == 10, first + pd.offsets.MonthEnd(0))
    last = last.where(length != 4, pd.to_datetime(text + "-12-31", format="%Y-%m-%d", errors="coerce"))
    return first, last.astype("datetime64[s]")


def packaged() -> Path:
    """The folder of the release this package carries."""
    return Path(str(importlib.resources.files("dataset_tools") / "data"))


@cache
def _load_packaged() -> Dataset:
    return _load(packaged())


def load(path: str | Path | None = None) -> Dataset:
    """The release this package carries (read once, then cached), or the release or dataset at ``path``."""
    if path is None:
        if not (packaged() / "datapackage.json").exists():
            raise UnreadableInput(
                f"{packaged()}: this installation carries no release; build one with "
                "`dataset-tools release --install-into-package`, or give load() a release's path"
            )
        return _load_packaged()
    return _load(Path(path))


def _load(path: Path) -> Dataset:
    tables = packages.read_tables(path)
    descriptor = packages.descriptor(path)
    return Dataset(tables, descriptor.get("version"), descriptor.get("x-schema-version"))
