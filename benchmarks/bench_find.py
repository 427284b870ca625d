"""How long ``Dataset.find`` takes a query on the real data grown to the size of a coming release.

Usage: python benchmarks/bench_find.py [TOTAL ...]   (default: 2000 10000 records in all tables)

Every table of ``datasets/`` is copied until the whole holds about TOTAL records; each copy's
ids get a suffix and its names and aliases a seeded extra word, so the index holds as many
distinct spellings as real records of that shape would (organisations and people with many
aliases, long source titles). Prints the time to build the name index (the first query) and
the median and worst time of a query afterwards, over queries of every kind ``find`` answers:
exact names and aliases, other scripts, dashes, articles and misspellings.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from dataset_tools.reading import packages
from dataset_tools.release.loading import Dataset
from dataset_tools.schema.models import LIST_DELIMITER

DATASETS = Path(__file__).resolve().parent.parent / "datasets"
QUERIES = [
    "Daesh",
    "Islamic State",
    "Ahmed Al-Sarraj",
    "Turkey-Iraq-Syria-Jordan",
    "هاكان فيدان",
    "ابو محمد الجولاني",
    "Эрдоган",
    "Erdgan",
    "al nusra",
    "Türkiye",
    "Global Coalition to Defeat ISIS",
    "Syrian Democratic Forces",
    "Jawlani",
    "Home Ofice",
]
EXTRA = ["North", "Southern", "Harakat", "Liwa", "Jaysh", "Ansar", "Kata'ib", "Saraya", "Union", "Front", "Council"]
ROUNDS = 5


def grown(total: int, seed: int = 7) -> dict[str, pa.Table]:
    """The real tables, copied until about ``total`` records in all."""
    rng = random.Random(seed)
    real = packages.read_tables(DATASETS)
    copies = max(1, round(total / sum(data.num_rows for data in real.values())))
    tables = {}
    for table, data in real.items():
        parts = [data]
        for copy in range(1, copies):
            columns = {}
            for name in data.column_names:
                values = data.column(name)
                if name == "id" or name.endswith("_id"):
                    suffixed = pc.binary_join_element_wise(values, f"-{copy}", "")
                    values = pc.if_else(pc.equal(values, ""), values, suffixed)
                elif name in ("name", "title", "aliases"):
                    word = [rng.choice(EXTRA) for _ in range(data.num_rows)]
                    joined = pc.binary_join_element_wise(values, pa.array(word), " ")
                    if name == "aliases":
                        joined = pc.replace_substring(joined, LIST_DELIMITER, f" {rng.choice(EXTRA)}{LIST_DELIMITER}")
                    values = pc.if_else(pc.equal(values, ""), values, joined)
                columns[name] = values
            parts.append(pa.table(columns))
        tables[table] = pa.concat_tables(parts)
    return tables


def main(sizes: list[int]) -> None:
    """Time the first query (which builds the index) and the queries after it, at each size."""
    for size in sizes:
        tables = grown(size)
        records = sum(data.num_rows for data in tables.values())
        data = Dataset(tables, "bench", None)
        started = time.perf_counter()
        data.find("warm-up")
        first = time.perf_counter() - started
        index = data._shared.index  # noqa: SLF001 - the benchmark reports the index's size
        times = []
        for _ in range(ROUNDS):
            for query in QUERIES:
                started = time.perf_counter()
                data.find(query)
                times.append(time.perf_counter() - started)
        print(
            f"{records:>6} records, {len(index.spellings):>6} spellings: index {first * 1000:6.1f} ms; "
            f"a query: median {statistics.median(times) * 1000:5.2f} ms, worst {max(times) * 1000:5.2f} ms "
            f"({len(times)} queries)"
        )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [2000, 10_000])
