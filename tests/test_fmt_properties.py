"""What fmt writes always validates: every table, every format, every edge (no records, lists, cells over lines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import records

from dataset_tools.schema.models import TABLES, columns, to_row
from dataset_tools.validation.validator import validate
from dataset_tools.writing import fmt
from dataset_tools.writing.canonical import csv_text

SPACES = ["", " ", "\t", "\u00a0", "\u3000"]
"""Outer whitespace fmt trims (as ``str.strip`` does)."""
RECORD_RULES = {"self-reference-error", "date-order-error"}
"""Rules across a record's fields, which the generated records do not keep (fmt neither makes nor mends them)."""


def _messy(value: str, pad: tuple[str, str]) -> str:
    return pad[0] + value + pad[1] if value else value


def _write(path: Path, table: str, rows: list[dict], pad: tuple[str, str], crlf: bool) -> None:
    """The rows as a contributor might write them: outer whitespace, CRLF line ends, in reverse order."""
    names = [column.name for column in columns(TABLES[table])]
    lists = {column.name for column in columns(TABLES[table]) if column.is_list}
    if path.suffix == ".csv":
        text = csv_text(names, [[_messy(row[name], pad) for name in names] for row in reversed(rows)])
        if crlf:
            text = text.replace("\n", "\r\n")
        path.write_bytes(text.encode())
        return
    objects = [
        {
            name: (row[name].split(";") if row[name] else []) if name in lists else _messy(row[name], pad) or None
            for name in names
        }
        for row in reversed(rows)
    ]
    end = "\r\n" if crlf else "\n"
    if path.suffix == ".json":
        text = json.dumps(objects, ensure_ascii=False, indent=1).replace("\n", end) if objects else ""
    else:
        text = "".join(json.dumps(obj, ensure_ascii=False) + end for obj in objects)
    path.write_bytes(text.encode())


@pytest.mark.parametrize("suffix", [".csv", ".json", ".jsonl"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), pad=st.tuples(st.sampled_from(SPACES), st.sampled_from(SPACES)), crlf=st.booleans())
def test_what_fmt_writes_validates(tmp_path, suffix, data, pad, crlf):
    table = data.draw(st.sampled_from(sorted(TABLES)))
    generated = data.draw(st.lists(records(TABLES[table]), max_size=4, unique_by=lambda record: record.id))
    path = tmp_path / f"{table}{suffix}"
    _write(path, table, [to_row(record) for record in generated], pad, crlf)
    change = fmt.format_file(path)
    assert change.problems == ()
    report = validate(path)
    about_the_file = [problem for problem in report.problems if problem.code not in RECORD_RULES]
    assert [problem for problem in about_the_file if problem.severity == "error"] == []
    assert report.rows == len(generated)
    assert fmt.format_file(path).changed is False  # canonical form is a fixed point
