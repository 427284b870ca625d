"""The vectorised field test rejects exactly the values that :func:`checks.explain` explains."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataset_tools.schema.models import TABLES, Column, columns
from dataset_tools.validation import checks

EVERY_COLUMN = {f"{table}.{column.name}": column for table, model in TABLES.items() for column in columns(model)}
DATE = next(column for column in EVERY_COLUMN.values() if column.is_date)

DIGITS = st.sampled_from("0123456789")
DATE_LIKE = st.one_of(
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)),
    st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(0, 9999), st.integers(0, 13)),
    st.text(st.sampled_from("0123456789- \n"), min_size=1, max_size=11),
)
TRICKY = st.text(st.sampled_from([*"aZ9-;_ .", "\n", "\t", "\x00", "é", "ş", "د"]), min_size=1, max_size=12)


def rejected(column: Column, values: list[str]) -> list[bool]:
    return checks._bad_values(column, pa.array(values, pa.string())).tolist()  # noqa: SLF001 - the unit under test


@given(values=st.lists(DATE_LIKE, max_size=40))
def test_dates_on_the_calendar(values: list[str]) -> None:
    """Leap years, month lengths and year 0 decided as :class:`PartialDate` decides them."""
    assert rejected(DATE, values) == [checks.explain(DATE, value) is not None for value in values]


def test_calendar_examples() -> None:
    values = ["2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2025-04-31", "2025-12-31", "0000", "2025-02-30"]
    assert rejected(DATE, values) == [False, True, True, False, True, False, True, True]


def test_a_date_with_a_final_line_break_is_no_date() -> None:
    """Python's ``$`` matches before a final line break; a date cell must hold the date alone."""
    assert rejected(DATE, ["2024\n", "2024-01-02\n"]) == [True, True]
    assert checks.explain(DATE, "2024\n") is not None


@pytest.mark.parametrize("name", sorted(EVERY_COLUMN))
@given(values=st.lists(st.one_of(TRICKY, DATE_LIKE), max_size=20))
def test_every_column_agrees_with_explain(name: str, values: list[str]) -> None:
    column = EVERY_COLUMN[name]
    assert rejected(column, values) == [checks.explain(column, value) is not None for value in values]


@given(column=st.sampled_from(sorted(EVERY_COLUMN)), value=st.one_of(TRICKY, st.text(max_size=12)))
def test_every_value_a_field_refuses_comes_with_what_to_do(column: str, value: str) -> None:
    found = checks.explain(EVERY_COLUMN[column], value)
    assert found is None or found[2].strip(), (column, value, found)
