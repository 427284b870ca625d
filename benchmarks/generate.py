"""A seeded synthetic dataset for the benchmarks, optionally with injected faults and their manifest.

    python benchmarks/generate.py OUT [--events N] [--participants N] [--organisations N] [--faults 0.01]

Writes every table as CSV into OUT. With ``--faults F``, a fraction F of the coalition_events
and event_participants rows carry one fault each, of every kind the validator
knows, and ``OUT.manifest.json`` (beside the folder, not in it) lists each as {file, line, row, field, code}: the
problem a correct validator must report, and nothing else. Text fields mix commas, quotes,
newlines, Turkish and Arabic, as real records do.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dataset_tools.schema.models import TABLES, columns
from dataset_tools.writing.canonical import quote

WORDS = [
    "Ankara",
    "Bağdat",
    "Şam",
    "Amman",
    "İstihbarat",
    "güvenlik",
    "işbirliği",
    "داعش",
    "التحالف",
    "الأمن",
    'the "joint" cell',
    "border, security",
    "meeting",
    "operation",
    "coalition",
    "intelligence",
]
EVENT_KINDS = ["formation", "announcement", "agreement", "meeting", "summit", "joint-operation", "statement"]
ROLES = ["host", "guest", "announcer", "participant", "member", "lead", "target", "outlet"]
COUNTRIES = ["TR", "IQ", "SY", "JO", "US", "RU", "IR", "NA", "FR", "GB"]

Row = dict[str, str]
Fault = Callable[[Row, random.Random], tuple[str | None, str]]
"""Changes a row in place; returns the (field, code) the validator must report."""


def _text(rng: random.Random, words: int, newline: bool = False) -> str:
    parts = [rng.choice(WORDS) for _ in range(words)]
    if newline and rng.random() < 0.1:
        parts.insert(words // 2, "\n")
    return " ".join(parts).replace(" \n ", "\n")


def _date(rng: random.Random) -> str:
    year = rng.randint(2014, 2025)
    precision = rng.random()
    if precision < 0.1:
        return f"{year}"
    month = rng.randint(1, 12)
    if precision < 0.3:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


class Dataset:
    """Rows per table, faults per row, and the lines they land on once written."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.rows: dict[str, list[Row]] = {table: [] for table in TABLES}
        self.faults: dict[str, dict[int, tuple[str | None, str, str]]] = {table: {} for table in TABLES}
        """table → row index → (field, code, layout) where layout is "", "blank-before", "extra" or "missing"."""
        self.extra: list[dict[str, Any]] = []
        """Problems a fault causes in another table (an id clash is reported on both records)."""

    def add(self, table: str, row: Row) -> None:
        """Append a row with every column of the table, empty where not given."""
        self.rows[table].append({column.name: row.get(column.name, "") for column in columns(TABLES[table])})

    def write(self, out: Path) -> list[dict[str, Any]]:
        """Write every table; return the manifest of expected problems."""
        out.mkdir(parents=True, exist_ok=True)
        manifest = []
        for table, rows in self.rows.items():
            header = [column.name for column in columns(TABLES[table])]
            chunks = [",".join(header) + "\n"]
            line, record = 2, 2
            for index, row in enumerate(rows):
                field, code, layout = self.faults[table].get(index, (None, "", ""))
                if layout == "blank-before":
                    chunks.append("\n")
                    manifest.append(
                        {"file": f"{table}.csv", "line": line, "row": record, "field": None, "code": "blank-row"}
                    )
                    line += 1
                    record += 1
                cells = [quote(row[name]) for name in header]
                if layout == "extra":
                    cells.append("surplus")
                elif layout == "missing":
                    cells.pop()
                text = ",".join(cells) + "\n"
                if code and layout != "blank-before":
                    manifest.append({"file": f"{table}.csv", "line": line, "row": record, "field": field, "code": code})
                chunks.append(text)
                line += text.count("\n")
                record += 1
            (out / f"{table}.csv").write_text("".join(chunks), encoding="utf-8", newline="\n")
        return manifest + self.extra


def _fault_kinds(dataset: Dataset) -> dict[str, list[tuple[str, Fault]]]:
    org_ids = [row["id"] for row in dataset.rows["organisations"]]
    states = [row["id"] for row in dataset.rows["organisations"] if row["kind"] == "state"]
    source_id = dataset.rows["sources"][0]["id"]

    counter = iter(range(10**9))

    def setter(field: str, value: str, code: str) -> Fault:
        """Set ``field`` to ``value``; ``{n}`` in it becomes a running number (ids stay distinct)."""

        def apply(row: Row, _rng: random.Random) -> tuple[str | None, str]:
            row[field] = value.format(n=next(counter))
            return field, code

        return apply

    def end_before_start(row: Row, _rng: random.Random) -> tuple[str | None, str]:
        row["date"], row["end_date"] = "2025-03-10", "2025-03-01"
        return "end_date", "date-order-error"

    def unknown_list_item(row: Row, _rng: random.Random) -> tuple[str | None, str]:
        row["source_ids"] = f"{source_id};no-such-source"
        return "source_ids", "foreign-key"

    def empty_list_item(row: Row, _rng: random.Random) -> tuple[str | None, str]:
        row["source_ids"] = f"{source_id};"
        return "source_ids", "constraint-error"

    unclashed = iter(org_ids)

    def clash_with_organisation(row: Row, _rng: random.Random) -> tuple[str | None, str]:
        row["id"] = next(unclashed)  # each clash its own id, or two clashes would also be a duplicate
        line = org_ids.index(row["id"]) + 2  # organisations are one line each: the clash is reported there too
        dataset.extra.append(
            {"file": "organisations.csv", "line": line, "row": line, "field": "id", "code": "unique-error"}
        )
        return "id", "unique-error"

    events: list[tuple[str, Fault]] = [
        ("impossible date", setter("date", "2025-02-30", "type-error")),
        ("date without zero padding", setter("date", "2025-2", "type-error")),
        ("unknown kind", setter("kind", "meetign", "constraint-error")),
        ("missing title", setter("title", "", "required-error")),
        ("title with trailing space", setter("title", "Ankara meeting ", "constraint-error")),
        ("unknown country", setter("country", "XX", "constraint-error")),
        ("unknown coalition", setter("coalition_id", "no-such-coalition", "foreign-key")),
        ("coalition that is a state", setter("coalition_id", states[0], "reference-kind-error")),
        ("end before start", end_before_start),
        ("unknown source in a list", unknown_list_item),
        ("empty list item", empty_list_item),
        ("id used by an organisation", clash_with_organisation),
        ("id not a slug", setter("id", "Not_A_Slug_{n}", "constraint-error")),
        ("duplicate id", setter("id", "e-0", "primary-key")),
        ("bad confidence", setter("confidence", "certain", "constraint-error")),
    ]
    participants: list[tuple[str, Fault]] = [
        ("unknown event", setter("event_id", "no-such-event", "foreign-key")),
        ("participant that is a source", setter("participant_id", source_id, "reference-kind-error")),
        ("unknown role", setter("role", "hots", "constraint-error")),
        ("missing sources", setter("source_ids", "", "required-error")),
        ("empty list item", empty_list_item),
        ("unknown source in a list", unknown_list_item),
        ("id used by an organisation", clash_with_organisation),
        ("duplicate id", setter("id", "p-0", "primary-key")),
    ]
    return {"coalition_events": events, "event_participants": participants}


LAYOUT_FAULTS = [("blank-before", "blank-row"), ("extra", "extra-cell"), ("missing", "missing-cell")]


def generate(  # noqa: C901 - one loop per table reads better than eight helpers
    out: Path, *, events: int, participants: int, organisations: int, faults: float, seed: int = 20250204
) -> dict[str, Any]:
    """Build and write the dataset; return a summary (row counts, fault counts by code)."""
    data = Dataset(seed)
    rng = data.rng
    for n in range(100):
        data.add(
            "sources",
            {"id": f"src-{n}", "title": f"Source {n}: {_text(rng, 3)}", "kind": "news-report", "language": "tr"},
        )
    for n in range(organisations):
        kind = "coalition" if n % 10 == 0 else "state" if n % 10 == 1 else rng.choice(["ministry", "armed-group"])
        data.add(
            "organisations",
            {
                "id": f"org-{n}",
                "name": f"Örgüt {n} {_text(rng, 2)}",
                "aliases": f"Org {n};منظمة {n}",
                "kind": kind,
                "country": rng.choice(COUNTRIES),
                "founded": _date(rng),
                "source_ids": f"src-{rng.randrange(100)}",
            },
        )
    coalitions = [f"org-{n}" for n in range(0, organisations, 10)]
    for n in range(1000):
        data.add("actors", {"id": f"actor-{n}", "name": f"Kişi {n}", "nationality": "TR", "source_ids": "src-1"})
    fault_kinds = _fault_kinds(data)
    event_faults = _choose_faults(rng, events, faults)
    for n in range(events):
        data.add(
            "coalition_events",
            {
                "id": f"e-{n}",
                "kind": rng.choice(EVENT_KINDS),
                "date": _date(rng),
                "coalition_id": rng.choice(coalitions),
                "title": _text(rng, 3),
                "summary": _text(rng, 8, newline=True),
                "location": rng.choice(WORDS[:4]),
                "country": rng.choice(COUNTRIES),
                "source_ids": f"src-{rng.randrange(100)};src-{rng.randrange(100)}",
                "confidence": rng.choice(["high", "medium", "low", ""]),
            },
        )
    clean_events = [n for n in range(events) if n not in event_faults]
    participant_faults = _choose_faults(rng, participants, faults)
    for n in range(participants):
        who = f"org-{rng.randrange(organisations)}" if rng.random() < 0.7 else f"actor-{rng.randrange(1000)}"
        data.add(
            "event_participants",
            {
                "id": f"p-{n}",
                "event_id": f"e-{rng.choice(clean_events)}",
                "participant_id": who,
                "role": rng.choice(ROLES),
                "source_ids": f"src-{rng.randrange(100)}",
            },
        )
    for table, chosen in (("coalition_events", event_faults), ("event_participants", participant_faults)):
        kinds = fault_kinds[table]
        for index in sorted(chosen):
            pick = rng.randrange(len(kinds) + len(LAYOUT_FAULTS))
            if pick < len(kinds):
                field, code = kinds[pick][1](data.rows[table][index], rng)
                data.faults[table][index] = (field, code, "")
            else:
                layout, code = LAYOUT_FAULTS[pick - len(kinds)]
                data.faults[table][index] = (None, code, layout)
    manifest = data.write(out)
    if faults:
        manifest_path(out).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    codes: dict[str, int] = {}
    for entry in manifest:
        codes[entry["code"]] = codes.get(entry["code"], 0) + 1
    return {"rows": {table: len(rows) for table, rows in data.rows.items()}, "faults": codes}


def manifest_path(out: Path) -> Path:
    """Where the manifest of a generated folder is written: beside it, so it is no stray file in it."""
    return out.with_name(out.name + ".manifest.json")


def _choose_faults(rng: random.Random, count: int, fraction: float) -> set[int]:
    # never the first row: a duplicate or clash needs something earlier to clash with
    return set(rng.sample(range(1, count), int(count * fraction))) if fraction and count > 1 else set()


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--faults", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=20250204)
    args = parser.parse_args()
    summary = generate(
        args.out,
        events=args.events,
        participants=args.participants,
        organisations=args.organisations,
        faults=args.faults,
        seed=args.seed,
    )
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
