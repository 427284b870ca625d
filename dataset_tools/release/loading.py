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

Every ``load()`` gives a new :class:`Dataset` whose DataFrames are its own: a caller may change
them without changing what another caller, or the next ``load()``, sees. (The packaged release
is read once; what is shared between calls is immutable: the Arrow tables and the name index.)

Helpers take an id or an unambiguous name (``members("Global Coalition to Defeat ISIS")``,
``authority="Turkey"``) and never answer an unknown one with an empty table: they raise
:class:`~dataset_tools.errors.UnknownId` naming the nearest records.

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
from collections.abc import Iterator, Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dataset_tools.errors import UnknownId, UnreadableInput, UsageError
from dataset_tools.names import search_key
from dataset_tools.reading import packages
from dataset_tools.release import outputs, search, timeline
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


ORGANISATION, PERSON = ("organisations",), ("actors",)
SUBJECT = ("organisations", "actors")
WHAT = {"organisations": "an organisation", "actors": "a person", "sources": "a source"}
SHOWN = 3
"""How many near records an :class:`~dataset_tools.errors.UnknownId` names."""


class Entity(NamedTuple):
    """What an id names: its table, its name or title, and (for organisations) its kind."""

    table: str
    name: str
    kind: str


class Shared:
    """The immutable part of a loaded release, shared by every :class:`Dataset` made from it."""

    def __init__(self, tables: dict[str, pa.Table], version: str | None, schema_version: str | None) -> None:
        self.tables = tables
        self.version = version
        self.schema_version = schema_version
        self._grouped: dict[tuple[str, str], tuple[pa.Table, dict[str, tuple[int, int]]]] = {}

    @cached_property
    def index(self) -> search.Index:
        """The name index (built on first use)."""
        return search.build(self.tables)

    @cached_property
    def entities(self) -> dict[str, Entity]:
        """Every id → :class:`Entity` (ids are unique across tables)."""
        found: dict[str, Entity] = {}
        for table, data in self.tables.items():
            names = _name_column(data)
            kinds = data.column("kind").to_pylist() if table == "organisations" else [""] * data.num_rows
            found.update(
                zip(data.column("id").to_pylist(), map(Entity, [table] * data.num_rows, names, kinds), strict=True)
            )
        return found

    def grouped(self, table: str, column: str) -> tuple[pa.Table, dict[str, tuple[int, int]]]:
        """``table`` sorted by ``column``, when each record is known to hold and id; each value's (offset, count).

        "When it is known to hold" is the first date column (a start, ``listed``, ``date``) or,
        where that is empty, ``attested``; records with neither come last.
        """
        key = (table, column)
        if key not in self._grouped:
            data = self.tables[table]
            dated = [item.name for item in columns(TABLES[table]) if item.is_date]
            order = [column, "id"]
            if dated:
                known = [pc.if_else(pc.equal(data.column(name), ""), None, data.column(name)) for name in dated[:1]]
                if "attested" in dated:
                    known.append(pc.if_else(pc.equal(data.column("attested"), ""), None, data.column("attested")))
                when = pc.fill_null(pc.coalesce(*known), "\uffff")  # undated records sort after every date
                data = data.append_column("_known", when)
                order = [column, "_known", "id"]
            ordered = data.sort_by([(name, "ascending") for name in order])
            if dated:
                ordered = ordered.drop_columns(["_known"])
            values, offsets, counts = np.unique(
                np.asarray(ordered.column(column).to_numpy(zero_copy_only=False), dtype=object),
                return_index=True,
                return_counts=True,
            )
            ranges = dict(zip(values.tolist(), zip(offsets.tolist(), counts.tolist(), strict=True), strict=True))
            self._grouped[key] = (ordered, ranges)
        return self._grouped[key]

    @cached_property
    def names(self) -> dict[str, str]:
        """Id → name of every organisation and person."""
        found: dict[str, str] = {}
        for table in SUBJECT:
            data = self.tables[table]
            found.update(zip(data.column("id").to_pylist(), data.column("name").to_pylist(), strict=True))
        return found

    @cached_property
    def latest(self) -> dt.date | None:
        """The latest last day of any partial date in any table (None when there is none)."""
        candidates: list[str] = []
        for table, data in self.tables.items():
            for column in columns(TABLES[table]):
                if not column.is_date:
                    continue
                values = data.column(column.name)
                lengths = pc.utf8_length(values)
                for length in (4, 7, 10):  # per precision: the latest text is the latest date
                    latest = pc.max(pc.filter(values, pc.equal(lengths, length))).as_py()
                    if latest:
                        candidates.append(latest)
        if not candidates:
            return None
        _first, last = outputs.date_bounds(candidates)
        return last.max().astype(dt.date)

    @cached_property
    def coalitions(self) -> frozenset[str]:
        """Organisations that are coalitions: of kind ``coalition``, or with members or events of their own."""
        data = self.tables
        listed = {key for key, entity in self.entities.items() if entity.kind == "coalition"}
        listed.update(data["memberships"].column("coalition_id").to_pylist())
        listed.update(data["coalition_events"].column("coalition_id").to_pylist())
        return frozenset(record for record in listed if record in self.entities)


def _name_column(data: pa.Table) -> list[str]:
    for column in ("name", "title", "role", "list_name"):
        if column in data.column_names:
            return data.column(column).to_pylist()
    return data.column("id").to_pylist()


class Dataset(Mapping[str, pd.DataFrame]):
    """Every table of one release, by name, as DataFrames of this object's own; plus the questions users ask."""

    def __init__(
        self,
        tables: dict[str, pa.Table] | Shared,
        version: str | None = None,
        schema_version: str | None = None,
    ) -> None:
        self._shared = tables if isinstance(tables, Shared) else Shared(tables, version, schema_version)
        self._strings = self._shared.tables
        self._frames: dict[str, pd.DataFrame] = {}
        self.version = self._shared.version
        """The data release version (``None`` for a dataset folder)."""
        self.schema_version = self._shared.schema_version
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

    def find(self, text: str, *, tables: Sequence[str] | None = None, limit: int = 10) -> pd.DataFrame:
        """Records whose name, alias or title matches ``text``, best first (see :mod:`dataset_tools.release.search`).

        Columns ``id``, ``table``, ``name``, ``matched`` (the spelling that matched) and ``score``
        (100 for an exact hit, which ranks first; else 75-99). ``tables`` limits the search to
        some of ``organisations``, ``actors``, ``coalition_events`` and ``sources``.

        Raises:
            UsageError: a table in ``tables`` that has no names.

        """
        unknown = sorted(set(tables or ()) - set(search.NAMED))
        if unknown:
            raise UsageError(f"cannot search {', '.join(unknown)}: the tables with names are {', '.join(search.NAMED)}")
        return search.find(self._shared.index, text, tables=tables, limit=limit)

    def resolve(self, value: str, tables: Sequence[str] = SUBJECT, *, role: str | None = None) -> str:
        """The id of the one record of ``tables`` that ``value`` is the id or the name (or an alias) of.

        ``role="coalition"`` accepts only coalitions. A name that is some record's own name wins
        over one that is only others' alias.

        Raises:
            UnknownId: ``value`` names no such record (the nearest are named), or several.

        """
        wanted = role or " or ".join(WHAT[table].split(" ", 1)[1] for table in tables)
        entities = self._shared.entities

        def fits(record: str) -> bool:
            entity = entities[record]
            return entity.table in tables and (role != "coalition" or record in self._shared.coalitions)

        if value in entities:
            if fits(value):
                return value
            entity = entities[value]
            what = _article(entity.kind) if entity.kind else WHAT.get(entity.table, f"a record of {entity.table}")
            raise UnknownId(f"`{value}` ({entity.name}) is {what}, not a {wanted}")
        found = self.find(value, tables=[table for table in tables if table in search.NAMED], limit=50)
        found = found[np.array([fits(record) for record in found["id"]], dtype=bool)]
        exact = found[found["score"] == 100.0]
        if len(exact) == 1:
            return str(exact["id"].iloc[0])
        by_name = exact[exact["name"].map(search_key) == search_key(value)]
        if len(by_name) == 1:
            return str(by_name["id"].iloc[0])
        if len(exact) > 1:
            candidates = tuple(zip(exact["id"], exact["name"], strict=True))
            raise UnknownId(f"`{value}` names {len(exact)} records: {_listed(candidates)}; give the id", candidates)
        candidates = tuple(zip(found["id"], found["name"], strict=True))[:SHOWN]
        if not candidates:
            ids = [record for record in entities if fits(record)]
            near = [choice for choice, _score, _at in _nearest_ids(value, ids)]
            candidates = tuple((record, entities[record].name) for record in near)
        hint = f"; did you mean {_listed(candidates, ' or ')}?" if candidates else ""
        raise UnknownId(f"no {wanted} `{value}`{hint}", candidates)

    def designations_active(
        self,
        on: str | int | dt.date,
        *,
        authority: str | None = None,
        subject: str | None = None,
        include_predecessors: bool = False,
    ) -> pd.DataFrame:
        """Designations possibly in force on ``on``, optionally of one authority or subject (id or name).

        Adds ``authority_name``, ``subject_name`` and ``in_force`` (``certainly`` or
        ``possibly``); sorted by subject name, then id. With ``include_predecessors`` (which
        needs ``subject``), also the designations of the subject's predecessors through
        renamed, merged-into and absorbed-by successions (``CONTINUING``), however far back,
        with ``under_predecessor`` True on them.

        Raises:
            UsageError: ``on`` is not a date, or ``include_predecessors`` without ``subject``.
            UnknownId: ``authority`` or ``subject`` names no record (see :meth:`resolve`).

        """
        data = self["designations"]
        mask = _active(data, "listed", "delisted", on)
        if authority is not None:
            mask = mask & _is(data["authority_id"], self.resolve(authority, ORGANISATION, role="authority"))
        predecessors: list[str] = []
        if subject is not None:
            subject = self.resolve(subject, SUBJECT)
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

    def members(self, coalition: str, on: str | int | dt.date | None = None) -> pd.DataFrame:
        """Memberships of a coalition (id or name), possibly current on ``on`` when given; adds ``member_name``.

        With ``on``, also ``in_force`` (``certainly`` or ``possibly``).

        Raises:
            UnknownId: ``coalition`` names no coalition (see :meth:`resolve`).

        """
        data = self["memberships"]
        mask = _is(data["coalition_id"], self.resolve(coalition, ORGANISATION, role="coalition"))
        if on is not None:
            mask = mask & _active(data, "start", "end", on)
        result = data[mask].copy()
        result["member_name"] = result["member_id"].map(self._names()).astype("string")
        if on is not None:
            result["in_force"] = _in_force(result, "start", "end", on)
        return _ordered(result, ["member_name", "id"])

    def positions(self, actor: str, on: str | int | dt.date | None = None) -> pd.DataFrame:
        """A person's positions (actor id or name), possibly held on ``on`` when given; adds ``organisation_name``.

        Oldest first: by start, or by the attested date of a position without one. With
        ``on``, also ``in_force`` (``certainly`` or ``possibly``).

        Raises:
            UnknownId: ``actor`` names no person (see :meth:`resolve`).

        """
        data = self["positions"]
        mask = _is(data["actor_id"], self.resolve(actor, PERSON))
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

        Raises:
            UnknownId: ``organisation`` names no organisation (see :meth:`resolve`).

        """
        organisation = self.resolve(organisation, ORGANISATION)
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
        """A coalition's events (id or name), in date order (first day, then last day, then id).

        Raises:
            UnknownId: ``coalition`` names no coalition (see :meth:`resolve`).

        """
        data = self["coalition_events"]
        result = data[_is(data["coalition_id"], self.resolve(coalition, ORGANISATION, role="coalition"))]
        return _ordered(result, ["date_first", "date_last", "id"])

    def latest(self) -> dt.date | None:
        """The latest day any date in the data may be (a source's access date included): the data's "as of"."""
        return self._shared.latest

    def coalitions(self) -> list[str]:
        """The ids of every coalition: organisations of kind ``coalition``, or with members or events."""
        return sorted(self._shared.coalitions)

    def timeline(self, record: str) -> timeline.Timeline:
        """The timeline of an organisation or person (id or name); ``.svg()`` draws it (see :mod:`.timeline`).

        For a coalition: its members over time and its events; for an organisation or a
        person: its designations by authority, positions, memberships and successions.

        Raises:
            UnknownId: ``record`` names no organisation or person (see :meth:`resolve`).

        """
        return timeline.of(self, record)

    def _names(self) -> dict[str, str]:
        """Id → name of every organisation and person (shared: do not change it)."""
        return self._shared.names

    def where(
        self, table: str, column: str, value: str, *, first: int | None = None
    ) -> tuple[list[dict[str, str]], int]:
        """The records of ``table`` whose ``column`` is ``value``, as text rows (``""`` when empty), and how many.

        Earliest first, by the table's first date column as written (text order is date
        order for partial dates: ``2014`` < ``2014-03`` < ``2014-03-05``), then id; with
        ``first``, only that many. Read from the shared Arrow columns, grouped once per
        column (:meth:`Shared.grouped`), so asking about each of a thousand coalitions costs
        one sort, not a thousand scans.
        """
        ordered, ranges = self._shared.grouped(table, column)
        start, count = ranges.get(value, (0, 0))
        return ordered.slice(start, count if first is None else min(count, first)).to_pylist(), count


def _listed(candidates: Sequence[tuple[str, str]], last: str = ", ") -> str:
    shown = [f"`{record}` ({name})" for record, name in candidates]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + last + shown[-1]


def _nearest_ids(value: str, ids: Sequence[str]) -> list[tuple[str, float, int]]:
    from rapidfuzz import process  # noqa: PLC0415 - only a failed look-up needs it
    from rapidfuzz.distance import OSA  # noqa: PLC0415

    from dataset_tools.validation.hints import CUTOFF  # noqa: PLC0415

    return process.extract(value, ids, scorer=OSA.normalized_similarity, limit=SHOWN, score_cutoff=CUTOFF)


def _is(column: pd.Series, value: str) -> np.ndarray:
    """Where ``column`` equals ``value`` (a missing cell never does)."""
    return (column == value).fillna(value=False).to_numpy(dtype=bool)


def _ordered(data: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return data.sort_values(by, kind="stable", na_position="first").reset_index(drop=True)


def _article(kind: str) -> str:
    """``an armed group``, ``a state``: a vocabulary value as words, with its article."""
    words = kind.replace("-", " ")
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def _day_range(on: str | int | dt.date) -> tuple[pd.Timestamp, pd.Timestamp]:
    if isinstance(on, dt.date):
        return pd.Timestamp(on), pd.Timestamp(on)
    try:
        date = PartialDate.parse(str(on) if isinstance(on, int) and not isinstance(on, bool) else on)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return pd.Timestamp(date.start), pd.Timestamp(date.end)


def _active(data: pd.DataFrame, start: str, end: str, on: str | int | dt.date) -> np.ndarray:
    first, last = _day_range(on)
    started = data[start + DATE_FIRST].isna() | (data[start + DATE_FIRST] <= last)
    going = data[end + DATE_LAST].isna() | (data[end + DATE_LAST] > first)
    return (started & going).to_numpy(dtype=bool)


def _in_force(data: pd.DataFrame, start: str, end: str, on: str | int | dt.date) -> pd.Series:
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
    """The first and last day each partial date may be, as ``datetime64[s]`` (``NaT`` when missing).

    Computed by :func:`dataset_tools.release.outputs.date_bounds`, as the release's columns are.
    """
    first, last = outputs.date_bounds(dates.tolist())
    return pd.Series(first.astype("datetime64[s]"), index=dates.index), pd.Series(
        last.astype("datetime64[s]"), index=dates.index
    )


def packaged() -> Path:
    """The folder of the release this package carries."""
    return Path(str(importlib.resources.files("dataset_tools") / "data"))


@cache
def _load_packaged() -> Shared:
    return _read(packaged())


def load(path: str | Path | None = None) -> Dataset:
    """The release this package carries (read once), or the release or dataset at ``path``.

    Each call gives a new :class:`Dataset` with DataFrames of its own.
    """
    if path is None:
        if not (packaged() / "datapackage.json").exists():
            raise UnreadableInput(
                f"{packaged()}: this installation carries no release; build one with "
                "`dataset-tools release --install-into-package`, or give load() a release's path"
            )
        return Dataset(_load_packaged())
    return Dataset(_read(Path(path)))


def _read(path: Path) -> Shared:
    tables = packages.read_tables(path)
    descriptor = packages.descriptor(path)
    return Shared(tables, descriptor.get("version"), descriptor.get("x-schema-version"))
