"""The pre-commit hooks, run for real with `pre-commit try-repo` on a contributor's repository.

Cost: pre-commit builds a virtual environment and pip-installs this repository and its
dependencies into it (about 30 s here), so this is the one test that does so. It skips only
when pre-commit or git is missing; the `test` extra installs pre-commit, so CI runs it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dataset_tools.schema.models import TABLES, columns

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "fixtures" / "valid"

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed"),
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.skipif(not (ROOT / ".git").exists(), reason="try-repo needs this repository's git checkout"),
]


def test_broken_csv_fails_both_hooks_with_the_line_and_is_left_untouched(tmp_path):
    repo = tmp_path / "contributor"
    datasets = repo / "datasets"
    shutil.copytree(VALID, datasets)
    organisations = datasets / "organisations.csv"
    lines = organisations.read_text(encoding="utf-8").split("\n")
    lines[2] += ",oops"  # a comma that should have been quoted: 12 cells on line 3
    organisations.write_text("\n".join(lines), encoding="utf-8")
    broken = organisations.read_bytes()
    env = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "add data"]):
        subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True)

    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "format dataset tables (dataset-tools fmt)" in output
    assert "datasets/organisations.csv:3: this row has 12 cells but the header has 11 [extra-cell]" in output
    assert "validate dataset tables (dataset-tools validate)" in output
    assert "line 3: this row has 12 cells but the header has 11 [extra-cell, error]" in output
    assert output.count("Failed") == 2
    assert organisations.read_bytes() == broken


def _working_copy(tmp_path: Path) -> Path:
    """This repository's files as they are now (tracked and new, not ignored), committed in a fresh git repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    copy = tmp_path / "clone"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    return copy


def test_contributings_setup_runs_the_repositorys_own_hooks_on_commit(tmp_path):
    copy = _working_copy(tmp_path)
    env = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "VIRTUAL_ENV": sys.prefix}
    env["PATH"] = os.pathsep.join(
        part for part in env["PATH"].split(os.pathsep) if Path(part) != Path(sys.prefix) / "bin"
    )

    def run(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, check=False, timeout=600)

    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "--no-verify", "-m", "base"]):
        assert run(*command).returncode == 0
    installed = run(sys.executable, "-m", "pre_commit", "install")  # CONTRIBUTING: .venv/bin/pre-commit install
    assert installed.returncode == 0, installed.stdout + installed.stderr

    organisations = copy / "datasets" / "organisations.csv"
    lines = organisations.read_text(encoding="utf-8").split("\n")
    lines[2] += ",oops"
    organisations.write_text("\n".join(lines), encoding="utf-8")
    run("git", "add", "-A")
    refused = run("git", "commit", "-m", "broken row")
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert "validate dataset tables (dataset-tools validate)" in output
    width = len(columns(TABLES["organisations"]))  # datasets/ is in canonical form: every column of the model
    extra = f"datasets/organisations.csv:3: this row has {width + 1} cells but the header has {width} [extra-cell]"
    assert extra in output

    lines[2] = lines[2].removesuffix(",oops")
    organisations.write_text("\n".join(lines), encoding="utf-8")
    (copy / "notes.py").write_text('"""A new module."""\n\nVALUE = 1\n', encoding="utf-8")
    run("git", "add", "-A")
    accepted = run("git", "commit", "-m", "fixed")
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert "lint (ruff check)" in output
    assert "Passed" in output
