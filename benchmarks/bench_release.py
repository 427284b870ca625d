"""Benchmark: build a release of the seeded 2M-row synthetic dataset; print time and peak memory.

    python benchmarks/bench_release.py [--events N] [--participants N] [--organisations N]

The data comes from ``benchmarks/generate.py`` (the validator benchmark's generator, same
seed), written once to ``benchmarks/out/data-*`` and reused. The release (validation
included) runs in a child process, so its peak resident memory is measured alone. Targets:
under 60 s and under 3 GiB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate  # the sibling script, found through sys.path

HERE = Path(__file__).parent
TARGET_SECONDS = 60
TARGET_BYTES = 3 * 1024**3
CHILD = """
import json, sys
from pathlib import Path
from dataset_tools.release import build as release
built = release.build(Path(sys.argv[1]), Path(sys.argv[2]), version="9.9.9", created="2025-01-01T00:00:00Z")
print(json.dumps({"timings": built.timings, "counts": built.counts}))
"""


def main() -> None:
    """Generate (once), build the release, print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=10_000)
    args = parser.parse_args()
    data = HERE / "out" / f"data-{args.events}-{args.participants}-{args.organisations}"
    if not (data / "coalition_events.csv").exists():
        print(f"generating {data} …", flush=True)
        generate(data, events=args.events, participants=args.participants, organisations=args.organisations, faults=0.0)
    out = HERE / "out" / "release"
    start = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(data), str(out)], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        sys.exit(child.returncode)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # kilobytes on Linux
    result = json.loads(child.stdout)
    rows = sum(result["counts"].values())
    archive = out / "coalitions-9.9.9.zip"
    print(f"rows: {rows:,} in {len(result['counts'])} tables")
    print("stages: " + ", ".join(f"{stage} {value:.1f} s" for stage, value in result["timings"].items()))
    print(f"release built in {seconds:.1f} s (target < {TARGET_SECONDS} s)")
    print(f"peak memory {peak / 1024**3:.2f} GiB (target < {TARGET_BYTES / 1024**3:.0f} GiB)")
    print(f"archive {archive.stat().st_size / 1024**2:.0f} MiB")
    if seconds >= TARGET_SECONDS or peak >= TARGET_BYTES:
        print("target missed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
