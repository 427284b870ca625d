"""docs/coverage.md: areas counted from the data, against their known totals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dataset_tools.errors import UsageError
from dataset_tools.release import coverage
from dataset_tools.schema import publish
from dataset_tools.schema.models import TABLES, columns

ROOT = Path(__file__).resolve().parents[1]


def test_coverage_page_is_current():
    assert "docs/coverage.md" not in publish.stale(ROOT), f"run `{publish.REGENERATE}`"


def test_every_area_names_a_table_and_columns_that_exist():
    for area in coverage.read_areas(ROOT / coverage.AREAS_FILE):
        assert area.table in TABLES, area.name
        names = {column.name for column in columns(TABLES[area.table])}
        assert set(area.where) <= names, area.name
        assert area.date_field is None or area.date_field in names, area.name


def test_count_filters_by_equality_and_lists_and_measures_gaps():
    events = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "coalition_id": pd.array(["x", "x", "y", None], dtype="string"),
            "date": pd.array(["2014-09", "2019", "2016-01-02", "2025"], dtype="string"),
        }
    )
    only_x = coverage.Area("x", "coalition_events", where={"coalition_id": "x"}, date_field="date")
    assert coverage.count(only_x, {"coalition_events": events}) == coverage.Count(only_x, 2, 2014, 2019, 5)
    either = coverage.Area("x or y", "coalition_events", where={"coalition_id": ["x", "y"]})
    assert coverage.count(either, {"coalition_events": events}).present == 3
    absent = coverage.Area("none", "successions")
    assert coverage.count(absent, {"coalition_events": events}).present == 0


def test_a_known_total_needs_its_source(tmp_path):
    path = tmp_path / "coverage.toml"
    path.write_text('[[area]]\nname = "members"\ntable = "memberships"\nknown_total = 90\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"area 1 \(members\) gives a known_total without its total_source"):
        coverage.read_areas(path)


def test_an_unknown_key_is_named(tmp_path):
    path = tmp_path / "coverage.toml"
    path.write_text('[[area]]\nname = "members"\ntable = "memberships"\ntotl = 9\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"area 1: .*totl"):
        coverage.read_areas(path)


def test_markdown_shows_present_of_total_and_escapes_pipes():
    area = coverage.Area("a | b", "actors", known_total=12, total_source="the list")
    text = coverage.render_markdown([coverage.Count(area, 5)])
    assert "| a \\| b | 5 of 12 | 12 | the list |  |  |" in text
