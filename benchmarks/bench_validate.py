"""Validator speed, memory and accuracy, side by side with frictionless and the pyarrow parse floor.

    python benchmarks/bench_validate.py [--events N] [--participants N] [--organisations N] [--work DIR]

Generates (once, seeded) a clean dataset and one with 1% injected faults plus their
manifest, then runs each tool in its own process and prints wall seconds, rows per second,
peak resident memory, and faults found against the manifest. The fast tools run
``--repeat`` times and their median run is shown (a shared machine is noisy); the slow
ones run once. The ratios at the bottom are measured in this run. Every figure comes from
this machine; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import manifest_path

from dataset_tools.schema import publish
from dataset_tools.schema.models import SCHEMA_VERSION, TABLES

PYARROW_READ = """
import sys
import pyarrow as pa
from pyarrow import csv
for path in sys.argv[1:]:
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
    """Run ``command``; return wall seconds, peak RSS (MiB), exit code and stdout."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
    return {
        "wall": wall,
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


def main() -> None:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path("benchmarks/out"))
    parser.add_argument("--skip-frictionless", action="store_true", help="skip the slowest tool")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fast tools; the median is shown")
    args = parser.parse_args()
    sizes = {"events": args.events, "participants": args.participants, "organisations": args.organisations}
    tag = "-".join(str(value) for value in sizes.values())
    clean, faulty = args.work / f"clean-{tag}", args.work / f"faulty-{tag}"
    for folder, faults in ((clean, 0.0), (faulty, 0.01)):
        if not (folder / "coalition_events.csv").exists():
            print(f"generating {folder} …", flush=True)
            # in a process of its own: a child's peak memory counts its parent's at fork time
            options = [f"--{name}={value}" for name, value in sizes.items()]
            script = str(Path(__file__).with_name("generate.py"))
            subprocess.run([sys.executable, script, str(folder), *options, f"--faults={faults}"], check=True)
    manifest = json.loads(manifest_path(faulty).read_text(encoding="utf-8"))
    rows = sum(sum(1 for _ in (clean / f"{table}.csv").open(encoding="utf-8")) - 1 for table in TABLES)
    big = [str(faulty / "coalition_events.csv"), str(faulty / "event_participants.csv")]
    tools: dict[str, list[str]] = {
        "dataset-tools validate": [sys.executable, "-m", "dataset_tools", "validate", str(faulty), "--format", "json"],
        "dataset-tools reference path": [sys.executable, "-c", REFERENCE, str(faulty)],
        "pyarrow CSV read (parse floor)": [sys.executable, "-c", PYARROW_READ, *big],
    }
    if not args.skip_frictionless:
        descriptor = frictionless_descriptor(faulty)
        tools["frictionless validate"] = [
            str(Path(sys.executable).with_name("frictionless")),
            *["validate", str(descriptor), "--json", "--limit-errors", "100000000"],
        ]
    print(f"\n{rows:,} data rows (faulty copy), {len(manifest):,} injected faults, on {os.cpu_count()} cores\n")
    print(f"{'tool':38} {'wall s':>8} {'rows/s':>12} {'peak MiB':>9} {'found':>14} {'false +':>8}")
    results: dict[str, dict[str, Any]] = {}
    ours: dict[str, list[tuple[Any, ...]]] = {}
    for name, command in tools.items():
        runs = args.repeat if name in ("dataset-tools validate", "pyarrow CSV read (parse floor)") else 1
        result = sorted((measure(command) for _ in range(runs)), key=lambda run: run["wall"])[runs // 2]
        found, false = "", ""
        if name.startswith("dataset-tools"):
            hits, extra, ours[name] = ours_found(result["stdout"], manifest)
            found, false = f"{hits}/{len(manifest)}", str(extra)
        elif name.startswith("frictionless"):
            hits, extra = frictionless_found(result["stdout"], manifest)
            found, false = f"{hits}/{len(manifest)}", str(extra)
        results[name] = result
        print(
            f"{name:38} {result['wall']:8.2f} {rows / result['wall']:12,.0f} {result['rss']:9.0f} "
            f"{found:>14} {false:>8}",
            flush=True,
        )
    fast = results["dataset-tools validate"]["wall"]
    print()
    same = ours["dataset-tools validate"] == ours["dataset-tools reference path"]
    print(f"fast vs reference path: identical problems = {same}")
    print(
        f"dataset-tools / pyarrow parse floor (wall): {fast / results['pyarrow CSV read (parse floor)']['wall']:.2f}x"
    )
    if "frictionless validate" in results:
        print(f"dataset-tools rows/s / frictionless rows/s: {results['frictionless validate']['wall'] / fast:.1f}x")


if __name__ == "__main__":
    main()
