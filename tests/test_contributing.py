"""CONTRIBUTING.md is complete and true: every problem code, valid examples, a real worked example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataset_tools.cli import cli
from dataset_tools.schema.models import TABLES, columns
from dataset_tools.validation import problems
from dataset_tools.validation.problems import CODES

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
FIX = "update CONTRIBUTING.md to match"


def section(title: str) -> str:
    start = GUIDE.index(f"\n## {title}\n")
    end = GUIDE.find("\n## ", start + 1)
    return GUIDE[start : end if end != -1 else None]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_the_table_of_problem_codes_is_generated_from_the_catalogue():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert problems.with_codes_table(text) == text, (
        "the table of problem codes is stale: run `dataset-tools schema generate`"
    )


def test_every_problem_code_is_documented_with_its_severity():
    rows = re.findall(r"^\| `([a-z-]+)` \| (error|warning) \|", section("Problem codes"), flags=re.MULTILINE)
    documented = dict(rows)
    assert len(rows) == len(documented), "a code is documented twice"
    expected = {code: entry.severity.value for code, entry in CODES.items()}
    missing = sorted(set(expected) - set(documented))
    assert not missing, f"add these codes to the table in CONTRIBUTING.md, 'Problem codes': {missing}"
    assert documented == expected, FIX


def example_dataset(folder: Path) -> Path:
    """The examples of 'Add records', one file per table; a later line with the same id replaces an earlier one."""
    found = re.findall(r"<!-- example: ([a-z_]+) -->\n```csv\n(.*?)```", section("Add records"), flags=re.DOTALL)
    tables: dict[str, tuple[str, dict[str, str]]] = {}
    for table, text in found:
        header, *lines = text.splitlines()
        assert header == ",".join(column.name for column in columns(TABLES[table])), f"{table}: {FIX}"
        _, rows = tables.setdefault(table, (header, {}))
        rows.update((line.split(",", 1)[0], line) for line in lines)
    assert set(tables) == set(TABLES), "every table has an example"
    datasets = folder / "datasets"
    datasets.mkdir()
    for table, (header, rows) in tables.items():
        (datasets / f"{table}.csv").write_text("\n".join([header, *rows.values()]) + "\n", encoding="utf-8")
    return datasets


def validate(datasets: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(datasets.parent)
    result = CliRunner().invoke(cli, ["validate", "datasets"])
    return result.exit_code, result.output


def test_the_examples_are_a_valid_canonical_dataset(tmp_path, monkeypatch):
    datasets = example_dataset(tmp_path)
    code, output = validate(datasets, monkeypatch)
    assert code == 0, output
    assert output.startswith("valid: 0 errors, 0 warnings"), output
    check = CliRunner().invoke(cli, ["fmt", "--check", str(datasets)])
    assert check.exit_code == 0, check.output


def test_the_worked_example_shows_the_validators_real_output(tmp_path, monkeypatch):
    worked = section("Worked example: fixing a failing pull request")
    broken, fixed = blocks(worked, "csv")
    (shown,) = blocks(worked, "text")
    datasets = example_dataset(tmp_path)
    organisations = datasets / "organisations.csv"
    original = organisations.read_text(encoding="utf-8")
    organisations.write_text(original + broken, encoding="utf-8")
    code, output = validate(datasets, monkeypatch)
    assert code == 1
    assert output == shown, f"the validator's output changed: {FIX}"
    check = CliRunner().invoke(cli, ["fmt", "--check", str(datasets)])
    assert check.stdout == f"would reformat {organisations}\n"
    organisations.write_text(original + fixed, encoding="utf-8")
    assert CliRunner().invoke(cli, ["fmt", str(datasets)]).exit_code == 0
    code, output = validate(datasets, monkeypatch)
    assert code == 0, output
