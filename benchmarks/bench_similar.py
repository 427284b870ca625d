"""How long the possible-duplicate check takes on N synthetic organisations.

Usage: python benchmarks/bench_similar.py [N ...]   (default: 1000 10000 50000)

Names are two to four random words with up to three aliases each, seeded, plus one
planted near-duplicate per thousand records, which the check must find.
"""

from __future__ import annotations

import random
import string
import sys
import time

from dataset_tools.validation.similar import Named, likely_duplicates


def synthetic(count: int, seed: int = 7) -> list[Named]:
    """``count`` random organisations, then one planted near-duplicate per thousand."""
    rng = random.Random(seed)

    def name() -> str:
        return " ".join(
            "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10))) for _ in range(rng.randint(2, 4))
        )

    records = [Named(f"org-{i}", i + 2, name(), [name() for _ in range(rng.randint(0, 3))]) for i in range(count)]
    for number in range(count // 1000):
        original = records[number * 1000]
        records.append(Named(f"copy-{number}", count + number + 2, original.name.title() + "s"))
    return records


def main(sizes: list[int]) -> None:
    """Time the check at each size and print the figures."""
    for size in sizes:
        records = synthetic(size)
        started = time.perf_counter()
        problems = list(likely_duplicates("organisations", "organisations.csv", records))
        elapsed = time.perf_counter() - started
        planted = sum(1 for problem in problems if problem.value and problem.line and problem.line > size + 1)
        print(
            f"{size:>7} organisations: {elapsed:6.2f} s, {len(problems)} warnings, "
            f"{planted}/{size // 1000} planted found"
        )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000, 10_000, 50_000])
