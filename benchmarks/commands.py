"""The commands the benchmarks time, run as a user runs them: each tool's console script."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The checkout the benchmarks measure: the repository holding them."""


def environment() -> dict[str, str]:
    """The environment of this process, with :data:`ROOT` first on ``PYTHONPATH``.

    A console script imports ``dataset_tools`` from wherever the package was installed
    (an editable install points at one checkout); so that every command measures the code of
    the checkout the benchmark runs from (a worktree of another commit, say), it is put first.
    """
    found = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *([found] if found else [])])}


def script(name: str) -> list[str]:
    """The console script ``name`` installed beside this Python (``dataset-tools``, ``frictionless``), as a command.

    Where there is none (an environment without scripts), ``dataset-tools`` is run as
    ``python -m dataset_tools``: the same program through runpy's frames, which under CPython
    3.11 cost measurably more (a thread's frames live in 16 KiB chunks mapped and unmapped as
    the call depth crosses one, and pyarrow's import of pandas ran on such an edge: see the
    commit). Raises FileNotFoundError for another missing script.
    """
    found = Path(sys.executable).with_name(name)
    if found.exists():
        return [str(found)]
    if name == "dataset-tools":
        return [sys.executable, "-m", "dataset_tools"]
    raise FileNotFoundError(f"{found}: not installed (pip install -e '.[test]')")
