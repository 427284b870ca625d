"""The GitHub workflows, the composite action and the pre-commit hooks.

Their shell steps are run here, on a contributor's broken CSV, the way the runner would run
them (bash, with the step's env), so that the annotations they print are tested, not hoped for.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from dataset_tools.cli import cli
from dataset_tools.schema.models import TABLES
from dataset_tools.writing import fmt

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "fixtures" / "valid"
WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def steps(document: dict) -> list[dict]:
    if "runs" in document:
        return document["runs"]["steps"]
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def step(document: dict, name: str) -> dict:
    (found,) = [item for item in steps(document) if item.get("name") == name]
    return found


def run_step(item: dict, cwd: Path, expressions: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Run one `run:` step in bash as the runner would: its env with `${{ … }}` filled in."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "RUNNER_TEMP": str(tmp_path / "runner")}
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "summary.md")
    (tmp_path / "runner").mkdir(exist_ok=True)
    for name, value in item.get("env", {}).items():
        env[name] = re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda match: expressions[match.group(1)], str(value))
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", item["run"]], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def broken_dataset(folder: Path) -> Path:
    """The valid mini-dataset, with one extra cell on line 3 of organisations.csv."""
    datasets = folder / "datasets"
    shutil.copytree(VALID, datasets)
    path = datasets / "organisations.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] += ",oops"
    path.write_text("\n".join(lines), encoding="utf-8")
    return datasets


EXTRA_CELL = (
    "::error file=datasets/organisations.csv,line=3,title=extra-cell::"
    "this row has 12 cells but the header has 11 (hint: quote cells that contain commas)"
)


# --- lint -------------------------------------------------------------------------------------


def test_workflows_and_action_pass_actionlint():
    actionlint = shutil.which("actionlint", path=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install -e '.[test]' installs it)")
    if not (ROOT / ".git").exists():
        pytest.skip("actionlint needs the git checkout")
    # `uses: ./` in validate.yml makes actionlint check action.yml's inputs too.
    result = subprocess.run([actionlint, "-no-color"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_expression_is_spliced_into_a_script():
    """`${{ … }}` inside `run:` is a script-injection risk: values go through `env:`."""
    documents = [*sorted(WORKFLOWS.glob("*.yml")), ROOT / "action.yml"]
    for path in documents:
        for item in steps(load(path)):
            assert "${{" not in item.get("run", ""), f"{path.name}: {item.get('name')}"


def test_every_command_the_automation_calls_exists():
    texts = [path.read_text(encoding="utf-8") for path in [*WORKFLOWS.glob("*.yml"), ROOT / "action.yml"]]
    texts += [hook["entry"] for hook in load(ROOT / ".pre-commit-hooks.yaml")]
    calls = {tuple(match.split()) for text in texts for match in re.findall(r"dataset-tools ([a-z]+(?: check)?)", text)}
    assert {("fmt",), ("validate",), ("schema", "check"), ("diff",), ("release",)} <= calls
    for call in sorted(calls):
        result = CliRunner().invoke(cli, [*call, "--help"])
        assert result.exit_code == 0, f"dataset-tools {' '.join(call)}: {result.output}"


# --- validate.yml -----------------------------------------------------------------------------


def test_validate_workflow_runs_every_check_on_pull_requests():
    workflow = load(WORKFLOWS / "validate.yml")
    assert "pull_request" in triggers(workflow)
    runs = [item.get("run", "") for item in workflow["jobs"]["validate"]["steps"]]
    commands = ["fmt --check", "validate datasets --format github", "schema check", "diff "]
    positions = [next(i for i, run in enumerate(runs) if command in run) for command in commands]
    assert positions == sorted(positions)
    for item in workflow["jobs"]["validate"]["steps"][3:]:
        assert "!cancelled()" in item["if"], "every check runs even when an earlier one failed"


def test_validation_step_annotates_the_broken_line(tmp_path):
    broken_dataset(tmp_path)
    result = run_step(step(load(WORKFLOWS / "validate.yml"), "Validate"), tmp_path, {}, tmp_path)
    assert result.returncode == 1
    annotations = result.stdout.splitlines()
    assert EXTRA_CELL in annotations
    # the broken row still holds `coalition-x`: the records that refer to it are not flagged as well
    assert [line for line in annotations if "foreign-key" in line] == []
    assert "extra-cell" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_formatting_step_annotates_the_unformattable_line_and_changes_nothing(tmp_path):
    datasets = broken_dataset(tmp_path)
    before = {path.name: path.read_bytes() for path in datasets.iterdir()}
    result = run_step(step(load(WORKFLOWS / "validate.yml"), "Canonical formatting"), tmp_path, {}, tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [EXTRA_CELL]
    assert {path.name: path.read_bytes() for path in datasets.iterdir()} == before


def test_valid_data_passes_the_checks(tmp_path):
    shutil.copytree(VALID, tmp_path / "datasets")
    fmt.format_folder(tmp_path / "datasets")  # the fixture may predate an optional column: add it
    workflow = load(WORKFLOWS / "validate.yml")
    for name in ("Canonical formatting", "Validate"):
        result = run_step(step(workflow, name), tmp_path, {}, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_summary_lists_records_added_changed_and_removed_against_the_base(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(VALID, repo / "datasets")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    actors = repo / "datasets" / "actors.csv"
    header, *rows = actors.read_text(encoding="utf-8").splitlines()
    new = "zeynep-new,Zeynep New,,,,,src-example-report,"
    actors.write_text("\n".join([header, *rows, new]) + "\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "add a person")
    item = step(load(WORKFLOWS / "validate.yml"), "Records added, changed and removed")
    result = run_step(item, repo, {"github.event.pull_request.base.sha": base}, tmp_path)
    assert result.returncode == 0, result.stderr
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## Records changed by this pull request\n")
    assert "`zeynep-new`" in summary
    assert "`src-example-report`" not in summary  # unchanged records are not listed


# --- release.yml ------------------------------------------------------------------------------


def test_release_workflow_builds_on_a_version_tag_and_attaches_the_files():
    workflow = load(WORKFLOWS / "release.yml")
    assert triggers(workflow) == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    assert workflow["permissions"] == {"contents": "write"}
    runs = "\n".join(item.get("run", "") for item in steps(workflow))
    assert "dataset-tools release datasets --version" in runs
    assert "gh release create" in runs
    assert "RELEASE_NOTES.md" in runs


# --- action.yml -------------------------------------------------------------------------------


def action_expressions(**inputs: str) -> dict[str, str]:
    action = load(ROOT / "action.yml")
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    values.update(inputs)
    return {f"inputs.{name}": value for name, value in values.items()}


def test_action_annotates_the_broken_line(tmp_path):
    broken_dataset(tmp_path)
    action = load(ROOT / "action.yml")
    result = run_step(step(action, "Validate"), tmp_path, action_expressions(), tmp_path)
    assert result.returncode == 1
    assert EXTRA_CELL in result.stdout.splitlines()
    result = run_step(step(action, "Canonical formatting"), tmp_path, action_expressions(), tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [EXTRA_CELL]


def test_action_strict_input_fails_on_warnings(tmp_path):
    datasets = tmp_path / "tables"
    shutil.copytree(VALID, datasets)
    positions = datasets / "positions.csv"
    positions.write_bytes(b"\xef\xbb\xbf" + positions.read_bytes())  # a byte order mark is a warning
    action = load(ROOT / "action.yml")
    lenient = run_step(step(action, "Validate"), tmp_path, action_expressions(path="tables"), tmp_path)
    assert lenient.returncode == 0, lenient.stdout
    strict = run_step(step(action, "Validate"), tmp_path, action_expressions(path="tables", strict="true"), tmp_path)
    assert strict.returncode == 1
    assert "::warning file=tables/positions.csv,line=1,title=byte-order-mark" in strict.stdout


# --- .pre-commit-hooks.yaml -------------------------------------------------------------------


def test_hooks_match_every_table_file_and_nothing_else():
    hooks = {hook["id"]: hook for hook in load(ROOT / ".pre-commit-hooks.yaml")}
    assert set(hooks) == {"dataset-tools-fmt", "dataset-tools-validate"}
    fmt_files = re.compile(hooks["dataset-tools-fmt"]["files"])
    for table in TABLES:
        for suffix in (".csv", ".json", ".jsonl", ".ndjson"):
            assert fmt_files.search(f"datasets/{table}{suffix}"), table
    assert not fmt_files.search("datasets/README.md")
    assert not fmt_files.search("tests/fixtures/valid/actors.csv")
    assert hooks["dataset-tools-validate"]["pass_filenames"] is False
    assert hooks["dataset-tools-validate"]["args"] == ["datasets"]


def test_the_test_workflow_runs_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", readme.split("## Quick start", 1)[1], re.DOTALL)
    assert block
    command = [line for line in block.group(1).splitlines() if line.strip()][1]
    workflow = load(WORKFLOWS / "test.yml")
    assert set(triggers(workflow)) == {"pull_request", "push"}
    assert step(workflow, "Test")["run"] == command
