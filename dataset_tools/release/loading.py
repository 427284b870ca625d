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
from dataset_tools.schema.models import LIST_DELIMITER, TABLES, Record, columns, from_row

DATE_FIRST, DATE_LAST = "_first", "_last"
"""Suffixes of the derived columns of a partial date."""


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
        self, on: str | dt.date, *, authority: str | None = None, subject: str | None = None
    ) -> pd.DataFrame:
        """Designations possibly in force on ``on``, optionally of one authority or subject (by id).

        Adds ``authority_name`` and ``subject_name``; sorted by subject name, then id.
        """
        data = self["designations"]
        mask = _active(data, "listed", "delisted", on)
        if authority is not None:
            mask = mask & _is(data["authority_id"], authority)
        if subject is not None:
            mask = mask & _is(data["subject_id"], subject)
        result = data[mask].copy()
        result["authority_name"] = result["authority_id"].map(self._names()).astype("string")
        result["subject_name"] = result["subject_id"].map(self._names()).astype("string")
        return _ordered(result, ["subject_name", "id"])

    def members(self, coalition: str, on: str | dt.date | None = None) -> pd.DataFrame:
        """Memberships of a coalition (by id), possibly current on ``on`` when given; adds ``member_name``."""
        data = self["memberships"]
        mask = _is(data["coalition_id"], coalition)
        if on is not None:
            mask = mask & _active(data, "start", "end", on)
        result = data[mask].copy()
        result["member_name"] = result["member_id"].map(self._names()).astype("string")
        return _ordered(result, ["member_name", "id"])

    def positions(self, actor: str) -> pd.DataFrame:
        """A person's positions (by actor id), oldest first; adds ``organisation_name``."""
        data = self["positions"]
        result = data[_is(data["actor_id"], actor)].copy()
        result["organisation_name"] = result["organisation_id"].map(self._names()).astype("string")
        return _ordered(result, ["start_first", "id"])

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
