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
