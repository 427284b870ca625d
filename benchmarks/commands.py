"""The commands the benchmarks time, run as a user runs them: each tool's console script."""

from __future__ import annotations

import sys
from pathlib import Path


def script(name: str) -> list[str]:
    """The console script ``name`` installed beside this Python (``dataset-tools``, ``frictionless``), as a command.

    Where there is none (an environment without scripts), ``dataset-tools`` is run as
    ``python -m dataset_tools``: the same program through runpy's frames, which under CPython
    3.11 cost 35-45 ms more on the shipped data (a thread's frames live in 16 KiB chunks mapped
    and unmapped as the call depth crosses one, and pyarrow's import of pandas ran on such an
    edge). Raises FileNotFoundError for another missing script.
    """
    found = Path(sys.executable).with_name(name)
    if found.exists():
        return [str(found)]
    if name == "dataset-tools":
        return [sys.executable, "-m", "dataset_tools"]
    raise FileNotFoundError(f"{found}: not installed (pip install -e '.[test]')")
