"""Validator speed, memory and accuracy on two shapes of data and three sizes, beside frictionless and pyarrow.

    python benchmarks/bench_validate.py [--sizes 100000 300000 1000000] [--shapes real events]
                                        [--frictionless-up-to 100000] [--repeat 3] [--work DIR]

For each shape and size, generates (once, seeded, ``generate.py``) a clean dataset and one
with 1% injected faults plus their manifest, then runs each tool in its own process on the
faulty copy and prints wall seconds, rows per second, peak resident memory, and faults
found against the manifest:

- ``dataset-tools validate`` (its console script, ``--format json``: ``commands.script``), ``--repeat`` runs,
  the median shown;
- the reference path (row by row through the pydantic models: the tests' oracle), once;
- ``frictionless validate`` with the project's Table Schemas, once, up to ``--frictionless-up-to``
  rows; above that its rows/s is carried over from the largest size it ran (said so in the output);
- the pyarrow parse floor: ``pyarrow.csv.read_csv`` of the same files as strings, median;
- start-up: ``dataset-tools validate`` on the shipped dataset (``datasets/``, 1,332 rows: every
  check's first use is paid, as at any size, and the rows cost almost nothing), so that growth
  is shown both with it and beyond it; and, with no fixed cost to subtract, what each row
  added between two sizes costs.

*real* is the dataset's own shape (every table, named records with 0-20 aliases in four scripts,
long multi-line notes; ``generate.py --shape real``); *events* is the older shape (events and
participants only, 0.5% organisations with two aliases). The ratios at the bottom are
measured in this run against the targets of issue 17. Nothing is asserted. Every tool runs
with its bytecode cached (``PYTHONPYCACHEPREFIX`` under ``--work``), as an installed one does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from commands import environment, script
from generate import manifest_path

from dataset_tools.schema import publish
from dataset_tools.schema.models import SCHEMA_VERSION, TABLES

PYARROW_READ = """
import sys
import pyarrow as pa
from pyarrow import csv
for path in sys.argv[1:]:
    if path.endswith(".json"):
        continue
    header = open(path, encoding="utf-8").readline().rstrip("\\n").split(",")
    csv.read_csv(
        path,
        parse_options=csv.ParseOptions(newlines_in_values=True, invalid_row_handler=lambda row: "skip"),
        convert_options=csv.ConvertOptions(column_types={name: pa.string() for name in header}),
    )
"""


REFERENCE = """
import sys
from dataset_tools.validation import formats, validator
print(formats.json_text(validator._validate(sys.argv[1], reference=True)))
"""
"""The private reference path (the tests' oracle), run as the command would run the fast one."""


def measure(command: list[str]) -> dict[str, Any]:
    """Run ``command``; return wall seconds, CPU seconds (user and system), peak RSS (MiB), exit code and stdout."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=environment())
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
        "exit": os.waitstatus_to_exitcode(status),
        "stdout": stdout,
    }


def frictionless_descriptor(folder: Path) -> Path:
    """A Data Package over ``folder``'s CSVs with the project's own Table Schemas, inline."""
    resources = [
        {
            "name": table,
            "path": f"{table}.csv",
            "format": "csv",
            "encoding": "utf-8",
            "schema": publish.table_schema(table, model),
        }
        for table, model in TABLES.items()
    ]
    path = folder / "datapackage.json"
    descriptor = {"name": "bench", "x-schema-version": SCHEMA_VERSION, "resources": resources}
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    return path


def ours_found(stdout: str, manifest: list[dict[str, Any]]) -> tuple[int, int, list[tuple[Any, ...]]]:
    """(faults found, false positives, the problems) for our JSON report."""
    report = json.loads(stdout)
    got = [(Path(p["file"]).name, p["line"], p["field"], p["code"]) for p in report["problems"]]
    expected = {(m["file"], m["line"], m["field"], m["code"]) for m in manifest}
    return len(expected & set(got)), len(set(got) - expected), got


def frictionless_found(stdout: str, manifest: list[dict[str, Any]]) -> tuple[int, int]:
    """(faults found, rows wrongly flagged) for frictionless, matched by file and row number."""
    report = json.loads(stdout)
    flagged = set()
    for task in report.get("tasks", []):
        name = task.get("name") or Path(task.get("place", "")).stem
        for error in task.get("errors", []):
            if error.get("rowNumber"):
                flagged.add((f"{name}.csv", error["rowNumber"]))
    expected = {(m["file"], m["row"]) for m in manifest}
    return len(expected & flagged), len(flagged - expected)


TOOLS = ("dataset-tools validate", "reference path (oracle)", "frictionless validate", "pyarrow parse floor")
TARGETS = "targets: >= 20x frictionless rows/s, <= 3x parse floor, < 2048 MiB, all found, 0 false +, linear +-20%"


def generated(work: Path, shape: str, size: int) -> tuple[Path, Path]:
    """The clean and faulty folders of one shape and size, generated in a process of their own if missing."""
    folders = []
    for faults in (0.0, 0.01):
        folder = work / f"{shape}-{size}-{'faulty' if faults else 'clean'}"
        if not (folder / "coalition_events.csv").exists():
            print(f"generating {folder} …", flush=True)
            options = [f"--rows={size}", "--shape=real"]
            if shape == "events":
                options = [f"--events={size // 2}", f"--participants={size // 2}", f"--organisations={size // 200}"]
            script = str(Path(__file__).with_name("generate.py"))
            subprocess.run(
                [sys.executable, script, str(folder), *options, f"--faults={faults}"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        folders.append(folder)
    return folders[0], folders[1]


def run_size(shape: str, size: int, args: argparse.Namespace, speed: dict[str, float]) -> dict[str, Any]:
    """Measure every tool on one generated size; print one line per tool; return the figures."""
    clean, faulty = generated(args.work, shape, size)
    manifest = json.loads(manifest_path(faulty).read_text(encoding="utf-8"))
    ours = [*script("dataset-tools"), "validate", "--format", "json"]
    commands = {
        "dataset-tools validate": [*ours, str(faulty)],
        "reference path (oracle)": [sys.executable, "-c", REFERENCE, str(faulty)],
        "frictionless validate": [
            *script("frictionless"),
            *["validate", str(frictionless_descriptor(faulty)), "--json", "--limit-errors", "100000000"],
        ],
        "pyarrow parse floor": [sys.executable, "-c", PYARROW_READ, *map(str, sorted(faulty.iterdir()))],
    }
    results: dict[str, Any] = {}
    problems: dict[str, list[tuple[Any, ...]]] = {}
    rows = 0
    for name in TOOLS:
        if name == "frictionless validate" and size > args.frictionless_up_to:
            results[name] = {"wall": rows / speed[shape], "rss": float("nan"), "carried": True}
            print(f"{shape:6} {rows:>9,} {name:26} {'':>7} {speed[shape]:>10,.0f}*  (carried over, not run)")
            continue
        runs = args.repeat if name in ("dataset-tools validate", "pyarrow parse floor") else 1
        result = sorted((measure(commands[name]) for _ in range(runs)), key=lambda run: run["wall"])[runs // 2]
        found = ""
        if name in ("dataset-tools validate", "reference path (oracle)"):
            rows = rows or json.loads(result["stdout"])["rows"]
            hits, extra, problems[name] = ours_found(result["stdout"], manifest)
            found, result["found"], result["false"] = f"{hits}/{len(manifest)} {extra:>7}", hits, extra
        elif name == "frictionless validate":
            hits, extra = frictionless_found(result["stdout"], manifest)
            found = f"{hits}/{len(manifest)} {extra:>7}"
            speed[shape] = rows / result["wall"]
        results[name] = result
        print(
            f"{shape:6} {rows:>9,} {name:26} {result['wall']:7.2f} {rows / result['wall']:>10,.0f}  "
            f"{result['rss']:8.0f} {found:>20}",
            flush=True,
        )
    clean_run = measure([*ours, str(clean)])
    clean_problems = len(json.loads(clean_run["stdout"])["problems"])
    print(f"{shape:6} {rows:>9,} {'validate, clean copy':26} {clean_run['wall']:7.2f}   problems: {clean_problems}")
    same = problems["dataset-tools validate"] == problems["reference path (oracle)"]
    return {"rows": rows, "results": results, "same": same, "clean": clean_problems, "manifest": len(manifest)}


def start_up(repeat: int) -> float:
    """Median wall seconds of ``dataset-tools validate`` on the shipped dataset: the cost paid at any size.

    A dataset of headers only would leave out what the first rows pay once (pyarrow imports
    pandas on its first array, the name checks load rapidfuzz and the confusables), and so
    count it as growth.
    """
    folder = Path(__file__).resolve().parents[1] / "datasets"
    command = [*script("dataset-tools"), "validate", "--format", "json", str(folder)]
    return float(sorted(measure(command)["wall"] for _ in range(max(repeat, 3)))[max(repeat, 3) // 2])


def main() -> None:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--shapes", nargs="+", choices=["real", "events"], default=["real", "events"])
    parser.add_argument("--frictionless-up-to", type=int, default=100_000, help="largest size frictionless runs at")
    parser.add_argument("--real-up-to", type=int, default=10**9, help="largest size of the real shape to run")
    parser.add_argument("--work", type=Path, default=Path("benchmarks/out"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fast tools; the median is shown")
    args = parser.parse_args()
    # every tool runs with its bytecode cached, as an installed package's does (pip compiles it): in a
    # scratch folder, even where the environment says not to write bytecode (which would make each run
    # compile its modules again); the start-up runs below fill it
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str((args.work / "pycache").resolve())
    print(f"on {os.cpu_count()} cores; {TARGETS}\n")
    print(
        f"{'shape':6} {'rows':>9} {'tool':26} {'wall s':>7} {'rows/s':>10}  {'peak MiB':>8} {'found':>12} {'false +'}"
    )
    speed: dict[str, float] = {}
    measured: dict[tuple[str, int], dict[str, Any]] = {}
    fixed = start_up(args.repeat)
    lines = [f"start-up: validate on the shipped dataset takes {fixed:.2f} s (median)"]
    print(lines[0], flush=True)
    for shape in args.shapes:
        for size in args.sizes:
            if shape == "real" and size > args.real_up_to:
                lines.append(f"{shape:6} {size:>9,}: not run (--real-up-to {args.real_up_to:,})")
                print(lines[-1], flush=True)
                continue
            measured[shape, size] = run_size(shape, size, args, speed)
            lines.append(summary(shape, size, measured[shape, size]))
            print(lines[-1], flush=True)
        sizes = [size for (s, size) in measured if s == shape]

        def per_row(size: int, shape: str = shape, less: float = 0.0) -> float:
            wall = measured[shape, size]["results"]["dataset-tools validate"]["wall"]
            return float((wall - less) / measured[shape, size]["rows"])

        for less, what in ((0.0, ""), (fixed, " beyond start-up")):
            first = per_row(sizes[0], less=less)
            growth = ", ".join(f"{size:,}: {per_row(size, less=less) / first:.2f}" for size in sizes)
            lines.append(
                f"{shape}: seconds per row{what} relative to {sizes[0]:,} rows (1.00 = linear, 0.80-1.20): {growth}"
            )
            print(lines[-1], flush=True)
        if len(sizes) > 2:  # what each added row costs, between consecutive sizes: no fixed cost to subtract
            added = [marginal(measured[shape, a], measured[shape, b]) for a, b in pairwise(sizes)]
            growth = "not measurable (the first step cost nothing: noise)"  # nothing to divide by
            if added[0] > 0:
                steps = zip(sizes[2:], added[1:], strict=True)
                growth = ", ".join(f"{b:,}: {cost / added[0]:.2f}" for b, cost in steps)
            lines.append(
                f"{shape}: seconds per added row relative to {sizes[0]:,}-{sizes[1]:,} "
                f"(1.00 = linear, 0.80-1.20): {growth}"
            )
            print(lines[-1], flush=True)
    print("\n" + "\n".join(lines))


def marginal(smaller: dict[str, Any], bigger: dict[str, Any]) -> float:
    """Wall seconds per row that ``bigger`` adds to ``smaller`` (two sizes of one shape; 0.0 if as many rows)."""
    if bigger["rows"] == smaller["rows"]:
        return 0.0
    wall = bigger["results"]["dataset-tools validate"]["wall"] - smaller["results"]["dataset-tools validate"]["wall"]
    return float(wall / (bigger["rows"] - smaller["rows"]))


def summary(shape: str, size: int, figures: dict[str, Any]) -> str:
    """One line of ratios for one shape and size."""
    results, fast = figures["results"], figures["results"]["dataset-tools validate"]
    friction = results["frictionless validate"]
    carried = " (frictionless carried over from a smaller size)" if friction.get("carried") else ""
    return (
        f"{shape:6} {size:>9,}: {friction['wall'] / fast['wall']:5.1f}x frictionless rows/s, "
        f"{fast['wall'] / results['pyarrow parse floor']['wall']:5.2f}x parse floor, {fast['rss']:5.0f} MiB, "
        f"found {fast['found']}/{figures['manifest']}, false + {fast['false']}, clean copy {figures['clean']} "
        f"problems, identical to the oracle: {figures['same']}{carried}"
    )


if __name__ == "__main__":
    main()
