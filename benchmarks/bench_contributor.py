"""What a contributor waits for: validating the shipped data, and loading it, each in a fresh process.

    python benchmarks/bench_contributor.py [--data datasets] [--runs 7]

Runs each command ``--runs`` times, interleaved (a shared machine drifts), and prints the
median wall seconds beside the floor every one of them pays: a bare
``python -c "import pyarrow, pydantic, pandas"``. Frictionless validates the same files
with the project's Table Schemas (a copy of the folder with an inline descriptor). The
target (issue 17) is validate and load() within 1.3x of the import floor. Nothing is asserted.

Every command runs with its compiled bytecode cached, as on a contributor's second run: in a
scratch folder (``PYTHONPYCACHEPREFIX``), filled by a first run of each, even where the
environment says not to write bytecode (``PYTHONDONTWRITEBYTECODE``, which would make every
run compile the package's own modules again); ``--no-bytecode-cache`` measures that instead.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import frictionless_descriptor
from commands import environment, script

FLOOR = "import floor: python -c 'import pyarrow, pydantic, pandas'"
TARGET = 1.3
"""Most a contributor's command may take, as a multiple of the import floor."""


def wall(command: list[str], env: dict[str, str]) -> float:
    """Seconds ``command`` takes, its output discarded."""
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
    return time.perf_counter() - start


def main() -> None:
    """Measure, print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("datasets"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-bytecode-cache", action="store_true", help="run as the environment says (see above)")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "data"
        shutil.copytree(args.data, copy)
        env = environment()
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pycache")
        commands = {
            FLOOR: [python, "-c", "import pyarrow, pydantic, pandas"],
            "dataset-tools validate": [*script("dataset-tools"), "validate", str(args.data)],
            "dataset_tools.load()": [python, "-c", f"import dataset_tools; dataset_tools.load({str(args.data)!r})"],
            "frictionless validate": [
                *script("frictionless"),
                *["validate", str(frictionless_descriptor(copy))],
            ],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():  # once each first: disk and bytecode caches warm for all alike
            wall(command, env)
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(wall(command, env))
    floor = statistics.median(times[FLOOR])
    rows = sum(max(0, len(path.read_text(encoding="utf-8").splitlines()) - 1) for path in args.data.glob("*.csv"))
    cache = "bytecode not cached" if args.no_bytecode_cache else "bytecode cached"
    print(f"{args.data} (~{rows:,} lines of records), medians of {args.runs} interleaved runs, {cache}\n")
    print(f"{'command':58} {'median s':>9} {'x floor':>8}")
    for name, values in times.items():
        median = statistics.median(values)
        mark = "" if name in (FLOOR, "frictionless validate") else ("  ok" if median / floor <= TARGET else "  over")
        print(f"{name:58} {median:9.3f} {median / floor:8.2f}{mark}")
    print(f"\ntarget: dataset-tools validate and load() within {TARGET}x of the import floor")


if __name__ == "__main__":
    main()
