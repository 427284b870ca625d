"""Hypothesis strategies for valid records of every table, derived from the models.

One strategy per column kind, picked from ``dataset_tools.schema.models.columns``, so a new
field is covered without touching this file.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from dataset_tools.schema.codelists import URL_PATTERN
from dataset_tools.schema.dates import PartialDate
from dataset_tools.schema.ids import QID_PATTERN
from dataset_tools.schema.models import ATTESTED, LONG_TEXT_PATTERN, TABLES, Column, Record, columns
from dataset_tools.schema.vocab import SuccessionKind

slugs = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8), min_size=1, max_size=4
).map("-".join)


@st.composite
def partial_dates(draw: st.DrawFn) -> str:
    """A valid partial date at any precision, as text."""
    year = draw(st.integers(1900, 2100))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        return f"{year:04d}"
    month = draw(st.integers(1, 12))
    if precision == "month":
        return f"{year:04d}-{month:02d}"
    day = draw(st.integers(1, PartialDate(year, month).end.day))
    return f"{year:04d}-{month:02d}-{day:02d}"


# Names in the scripts this dataset meets: Latin with Turkish letters, Arabic, punctuation
# that CSV must quote (comma, quote), and spaces inside.
_LETTERS = "abcxyzABCXYZ0189çğıİöşüÇĞÖŞÜالدولةداعش'\"-.,() "


def _text(column: Column) -> st.SearchStrategy[str]:
    limit = min(column.max_length or 60, 60)
    middle = st.text(alphabet=_LETTERS + ("\n\r" if column.pattern == LONG_TEXT_PATTERN else ""), max_size=limit - 2)
    edge = st.sampled_from("abzAZçğİşÜد0'\"(.")
    return st.one_of(edge, st.tuples(edge, middle, edge).map("".join)).filter(
        lambda text: ";" not in text or not column.is_list
    )


def column_values(column: Column) -> st.SearchStrategy[Any]:
    """A strategy for one column's valid value (an item, for list columns)."""
    if column.vocabulary is not None:
        return st.sampled_from([member.value for member in column.vocabulary])
    if column.enum:
        return st.sampled_from(column.enum)
    if column.is_date:
        return partial_dates()
    if column.name == "id" or column.references:
        return slugs
    if column.pattern == URL_PATTERN:  # by type, not name: a new URL field is drawn as a URL
        return st.tuples(slugs, st.sampled_from(["org", "int", "gov.tr"]), slugs).map(
            lambda parts: f"https://{parts[0]}.{parts[1]}/{parts[2]}"
        )
    if column.pattern == QID_PATTERN:
        return st.integers(1, 10**9).map(lambda number: f"Q{number}")
    return _text(column)


def column_strategy(column: Column) -> st.SearchStrategy[Any]:
    """A strategy for one column's full value, ``None`` allowed where the field is optional."""
    item = column_values(column)
    if column.is_list:
        return st.lists(item, min_size=max(column.min_items, 0), max_size=3)
    if column.required:
        return item
    return st.none() | item


def record_data(model: type[Record]) -> st.SearchStrategy[dict[str, Any]]:
    """JSON-like input for ``model``: every field drawn from its column strategy."""
    return st.fixed_dictionaries({column.name: column_strategy(column) for column in columns(model)})


def records(model: type[Record]) -> st.SearchStrategy[Record]:
    """Valid model instances of ``model``."""
    return record_data(model).map(model.model_validate)


tables = st.sampled_from(sorted(TABLES))


def in_order(model: type[Record], row: dict[str, Any]) -> dict[str, Any]:
    """``row`` (CSV cells or model input) with its dates in the order the record checks want.

    The dates of each chain (start, attested, end, for a relationship with an ``attested``
    date; else each pair of ``ordered_dates``) are sorted by their first day, so that no
    date of a chain is certainly before an earlier one.
    """
    chains: list[tuple[str, ...]] = list(model.ordered_dates)
    if model.attested_within is not None:
        start, end = model.attested_within
        chains = [(start, ATTESTED, end)]
    row = dict(row)
    for chain in chains:
        present = [name for name in chain if row.get(name)]
        values = sorted((row[name] for name in present), key=lambda text: PartialDate.parse(text).start)
        row.update(zip(present, values, strict=True))
    return row


def ordered_records(model: type[Record]) -> st.SearchStrategy[Record]:
    """Valid model instances of ``model`` whose dates are also in order (``attested`` within its span)."""
    return record_data(model).map(lambda data: in_order(model, data)).map(model.model_validate)


CHAIN_KINDS = (SuccessionKind.RENAMED.value, SuccessionKind.MERGED_INTO.value)
"""The succession kinds that may not form a cycle."""


@st.composite
def succession_chains(draw: st.DrawFn, max_size: int = 6) -> list[tuple[str, str, str, str]]:
    """A chain of organisations, each succeeding the last: ``(id, predecessor, successor, kind)`` per link.

    The organisations are ``chain-0``, ``chain-1``, …; links are dated in order, or undated.
    """
    size = draw(st.integers(2, max_size))
    kinds = draw(st.lists(st.sampled_from(CHAIN_KINDS), min_size=size - 1, max_size=size - 1))
    years = sorted(draw(st.lists(st.integers(1990, 2025), min_size=size - 1, max_size=size - 1)))
    dated = draw(st.lists(st.booleans(), min_size=size - 1, max_size=size - 1))
    return [
        (f"chain-{k}-{kind}-chain-{k + 1}", f"chain-{k}", f"chain-{k + 1}", kind, str(year) if date else "")
        for k, (kind, year, date) in enumerate(zip(kinds, years, dated, strict=True))
    ]
