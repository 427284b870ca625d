"""The console command's process tuning (``dataset_tools/process.py``) against none, on the same data.

    python benchmarks/bench_process.py [FOLDER ...] [--runs 9]

Runs ``python -m dataset_tools validate --format json FOLDER`` (the console command, which
tunes its garbage collector) and the same command through the click group
``dataset_tools.cli.cli`` (which leaves its process as it is), interleaved (a shared
machine drifts), and prints the medians of wall seconds, CPU seconds and peak memory, and
the median of the per-round ratios untuned/tuned. The default folder is the shipped data
(``datasets``). Issue 16 point 9: the tuning stays only while it buys a user-visible gain at
realistic sizes. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import measure

UNTUNED = "from dataset_tools.cli import cli; cli()"
"""The command without :func:`dataset_tools.cli.main`, so without the process tuning."""


def main() -> None:
    """Measure each folder, print one block per folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", type=Path, nargs="*", default=[Path("datasets")])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    for folder in args.folders:
        arguments = ["validate", "--format", "json", str(folder)]
        commands = {
            "tuned (python -m dataset_tools)": [sys.executable, "-m", "dataset_tools", *arguments],
            "untuned (dataset_tools.cli.cli)": [sys.executable, "-c", UNTUNED, *arguments],
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
        for command in commands.values():  # once each first: disk caches warm for both alike
            measure(command)
        for _ in range(args.runs):
            for name, command in commands.items():
                runs[name].append(measure(command))
        print(f"{folder} ({args.runs} runs each, medians)")
        for name, results in runs.items():
            wall = statistics.median(result["wall"] for result in results)
            cpu = statistics.median(result["cpu"] for result in results)
            rss = statistics.median(result["rss"] for result in results)
            print(f"  {name:34s} {wall:7.2f} s wall {cpu:7.2f} s CPU {rss:7.0f} MiB")
        tuned, untuned = runs.values()
        for key in ("wall", "cpu"):
            ratios = [slow[key] / fast[key] for fast, slow in zip(tuned, untuned, strict=True)]
            spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
            print(f"  untuned/tuned {key:4s}: median {statistics.median(ratios):.2f} (range {spread})")


if __name__ == "__main__":
    main()
