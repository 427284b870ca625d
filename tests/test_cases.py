"""The peer cases (situations rebuilt from public bug reports about other validators), as tests of our own.

Each folder under ``fixtures/cases/`` holds the case's ``data/`` and its ``expected.json``;
the exact problems each must give are pinned here, as (file, line, field, code).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import dataset_tools
from dataset_tools.cli import cli

CASES = Path(__file__).parent / "fixtures" / "cases"

EXACT: dict[str, list[tuple[str, int | None, str | None, str]]] = {
    "02-uppercase-extension-dropped-by-release": [],
    "04-utf16-file-cascades": [("organisations.csv", 1, None, "encoding-error")],
    "05-undoubled-quote-in-quoted-cell": [("organisations.csv", 7, None, "parse-error")],
    "06-hidden-files-fail-the-folder": [],
    "08-nbsp-outer-whitespace-passes": [
        ("organisations.csv", 7, "name", "constraint-error"),
        ("organisations.csv", 8, "name", "constraint-error"),
    ],
    "09-descriptor-bom-error-and-traceback": [("datapackage.json", 1, None, "byte-order-mark")],
    "13-null-like-strings-and-leading-zeros-survive-release": [],
    "14-dates-outside-pandas-nanosecond-range-load": [("organisations.csv", 7, "dissolved", "future-date")],
    "15-calendar-dates-and-date-lookalikes": [
        *[("organisations.csv", line, "founded", "type-error") for line in [8, 9, *range(11, 26)]],
        ("organisations.csv", 26, "founded", "future-date"),  # 9999-12-31: a real date, after today
        *[("organisations.csv", line, "founded", "type-error") for line in [28, 29, 30]],
    ],
    "16-bom-with-quoted-header-crlf": [("organisations.csv", 1, None, "byte-order-mark")],
    "17-two-blank-header-cells-not-duplicates": [
        ("organisations.csv", 1, None, "blank-label"),
        ("organisations.csv", 1, None, "blank-label"),
    ],
    "18-github-annotations-escape-paths-and-values": [("organisations.csv", 7, "kind", "constraint-error")],
    "19-latin-nfc-nfd-names-are-duplicates": [("actors.csv", 3, "name", "possible-duplicate")],
    "20-blank-and-space-rows-crlf-line-numbers": [
        ("organisations.csv", 7, None, "blank-row"),
        ("organisations.csv", 8, None, "blank-row"),
        ("organisations.csv", 9, "kind", "constraint-error"),
        ("organisations.csv", 12, None, "blank-row"),
    ],
    "21-json-nan-is-an-error": [("actors.json", 2, "notes", "type-error")],
    "22-open-quote-swallows-next-line-rfc-valid": [("organisations.csv", 9, "kind", "constraint-error")],
    "23-jsonl-bom-and-crlf": [("actors.jsonl", 1, None, "byte-order-mark")],
    "24-crlf-file-quoted-crlf-newlines-line-numbers": [("organisations.csv", 11, "kind", "constraint-error")],
    "25-trailing-empty-line-is-blank-row": [("organisations.csv", 7, None, "blank-row")],
    "26-header-trailing-comma-rows-without": [
        ("organisations.csv", 1, None, "blank-label"),
        *[("organisations.csv", line, None, "missing-cell") for line in range(2, 7)],
    ],
}


def expected(case: str) -> dict:
    return json.loads((CASES / case / "expected.json").read_text(encoding="utf-8"))


def run(folder: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["validate", str(folder), "--format", "json", *args])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.output)


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """A writable copy of a case's folder, with the working directory beside it."""
    monkeypatch.chdir(tmp_path)

    def make(case: str, folder: str = "data") -> Path:
        return Path(shutil.copytree(CASES / case / folder, tmp_path / folder))

    return make


def test_every_case_is_pinned():
    assert sorted(EXACT) == sorted(path.name for path in CASES.iterdir())


@pytest.mark.parametrize("case", sorted(EXACT))
def test_each_case_gives_exactly_its_problems(copy, case):
    want = expected(case)
    code, report = run(copy(case), *want.get("args", "").split())
    found = [(Path(p["file"]).name, p["line"], p["field"], p["code"]) for p in report["problems"]]
    assert (code, found) == (want["exit"], EXACT[case])


def test_hidden_files_and_os_litter_are_skipped_with_a_note(copy):
    _, report = run(copy("06-hidden-files-fail-the-folder"))
    assert report["notes"] == ["skipped 2 file(s) that are not data: .DS_Store, .gitkeep"]


@pytest.mark.parametrize("folder", ["data", "variant-ndjson"])
def test_release_reads_the_table_file_validate_read_whatever_the_suffix_case(copy, tmp_path, folder):
    source = copy("02-uppercase-extension-dropped-by-release", folder)
    result = CliRunner().invoke(
        cli, ["release", str(source), "--out", "out", "--version", "0.0.1", "--created", "2025-01-01T00:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    actors = (tmp_path / "out" / "coalitions-0.0.1" / "csv" / "actors.csv").read_text(encoding="utf-8")
    assert actors.splitlines()[1].startswith("person-a,")
    assert len(dataset_tools.load(source)["actors"]) == 1


def test_a_descriptor_with_a_byte_order_mark_is_read_by_diff_and_load(copy, tmp_path):
    source = copy("09-descriptor-bom-error-and-traceback")
    plain = Path(shutil.copytree(source, tmp_path / "plain"))
    (plain / "datapackage.json").write_bytes((source / "datapackage.json").read_bytes().removeprefix(b"\xef\xbb\xbf"))
    result = CliRunner().invoke(cli, ["diff", str(plain), str(source)])
    assert (result.exit_code, result.output) == (0, "No records added, changed or removed.\n")
    assert dataset_tools.load(source).schema_version == "1.0.0"


def test_an_invisible_space_at_a_names_edge_is_named_with_what_removes_it(copy):
    _, report = run(copy("08-nbsp-outer-whitespace-passes"))
    messages = sorted({(p["message"], p["hint"]) for p in report["problems"]})
    assert messages[0][1] == "remove it: `dataset-tools fmt` strips whitespace at both ends of a cell"
    assert all("(U+00A0 NO-BREAK SPACE)" in message for message, _ in messages), messages
