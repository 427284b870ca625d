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

from dataset_tools.schema.dates import PartialDate
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
        self.extra: list[tuple[str, int, str, str]] = []
        """Problems a fault causes in another record, as (table, row index, field, code): an id clash is
        reported on both records."""

    def add(self, table: str, row: Row) -> None:
        """Append a row with every column of the table, empty where not given."""
        self.rows[table].append({column.name: row.get(column.name, "") for column in columns(TABLES[table])})

    def write(self, out: Path) -> list[dict[str, Any]]:
        """Write every table; return the manifest of expected problems."""
        out.mkdir(parents=True, exist_ok=True)
        manifest = []
        lines: dict[str, list[int]] = {}
        for table, rows in self.rows.items():
            lines[table] = []
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
                lines[table].append(line)
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
        for table, index, field, code in self.extra:
            line = lines[table][index]
            manifest.append({"file": f"{table}.csv", "line": line, "row": line, "field": field, "code": code})
        return manifest


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

    unclashed = iter(range(len(org_ids)))

    def clash_with_organisation(row: Row, _rng: random.Random) -> tuple[str | None, str]:
        index = next(unclashed)  # each clash its own id, or two clashes would also be a duplicate
        row["id"] = org_ids[index]
        dataset.extra.append(("organisations", index, "id", "unique-error"))
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


def generate(
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
    return _finish(data, out, faults)


def _finish(data: Dataset, out: Path, faults: float) -> dict[str, Any]:
    """Write the tables (and, with faults, the manifest); return the summary."""
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


# --- the real shape: every table, in the proportions of the dataset and its staged research ---

SHARES = {
    "sources": 0.378,
    "event_participants": 0.328,
    "organisations": 0.108,
    "coalition_events": 0.074,
    "actors": 0.032,
    "memberships": 0.032,
    "designations": 0.023,
    "positions": 0.014,
    "successions": 0.011,
}
"""Each table's share of the rows: datasets/ and /work/staging/*/new/ together (622 rows, 2026-11-30)."""

ALIAS_COUNTS = [0] * 5 + [1] * 14 + [2] * 17 + [3] * 17 + [4] * 8 + [5] * 15 + [6] * 3 + [8, 10, 11, 15, 16, 19, 20]
"""How many aliases a named record has, drawn from the real organisations' and people's counts."""

CONSONANTS = "bcdfghjklmnprstvwyz"
"""The 19 letters of a name code (GF(19)); each has an Arabic and a Cyrillic letter."""
VOWELS = "aeiou"
ARABIC = dict(zip("bcdfghjklmnprstvwyzaiu", "بكدفغهجكلمنبرستفويزايو", strict=True))
CYRILLIC = dict(zip("bcdfghjklmnprstvwyzaeiou", "бцдфгхжклмнпрстввйзаеиоу", strict=True))
TURKISH = str.maketrans("sicgou", "şıçğöü")
ORG_FORMS = ["{} Front", "{} Brigades", "Ministry of {}", "{} Movement", "Jabhat {}", "{} Party", "{} Council"]
GIVEN = ["Ahmed", "Mohammed", "Hakan", "Mustafa", "Ali", "Fatma", "Sergei", "Olga", "Hassan", "Leyla"]


def name_code(number: int, rng: random.Random) -> str:
    """A pronounceable code of three words, unique per ``number`` and far from every other.

    The twelve consonants are a Reed-Solomon codeword over GF(19) (five message digits, the
    polynomial evaluated at 0..11): two codes share at most four consonants in place, so two
    records' names differ in at least eight letters and never reach the duplicate check's
    cutoff by chance — only the look-alikes planted on purpose do. Vowels are drawn at
    random, as names' are. Up to 19**5 = 2,476,099 codes.
    """
    digits = [(number // 19**power) % 19 for power in range(5)]
    letters = []
    for x in range(12):
        value = sum(digit * x**power for power, digit in enumerate(digits)) % 19
        letters.append(CONSONANTS[value] + rng.choice(VOWELS))
    return " ".join("".join(letters[start : start + 4]).capitalize() for start in (0, 4, 8))


def _script(text: str, letters: dict[str, str]) -> str:
    return " ".join("".join(letters.get(c, "") for c in word.lower()) for word in text.split())


def aliases_of(name: str, code: str, rng: random.Random) -> list[str]:
    """0-20 other spellings of one record's name: Arabic, Cyrillic and Turkish script, other forms."""
    forms = [
        _script(code, ARABIC),
        _script(code, CYRILLIC),
        name.translate(TURKISH),
        name.upper(),
        f"al-{code}",
        f"The {name}",
        name.replace(" ", "-"),
        f"{code} (organisation)",
        _script(name, ARABIC),
        _script(name, CYRILLIC),
    ]
    wanted = rng.choice(ALIAS_COUNTS)
    out = list(dict.fromkeys(form for form in forms if form and form != name))[:wanted]
    number = 2
    while len(out) < wanted:  # the long tail: numbered spellings as sources give them
        out.append(f"{code} {_script(code, CYRILLIC).split()[0]} {number}")
        number += 1
    return out


NOTE_LINES = [
    "The report: 'a coalition led by Ankara'.",
    "Dates from a Wikipedia infobox copy only; day and month not seen.",
    'Quotes the ministry: "joint operations, intelligence sharing".',
    "الأمن والتعاون في مواجهة داعش",
    "Türkiye, Irak, Suriye ve Ürdün arasında işbirliği.",
    "Совместная операция против ИГИЛ.",
    "One source; the listed spelling is from news reports, not the list itself.",
]


def _note(rng: random.Random, lines: int) -> str:
    return "\n".join(" ".join(rng.choice(NOTE_LINES) for _ in range(rng.randint(1, 4))) for _ in range(lines))


def _sources(rng: random.Random, count: int) -> str:
    return ";".join(f"src-{rng.randrange(count)}" for _ in range(rng.randint(1, 3)))


def _ordered_dates(rng: random.Random) -> tuple[str, str]:
    start = _date(rng)
    if rng.random() < 0.6:
        return start, ""
    end = _date(rng)
    return (start, end) if PartialDate.parse(start).start <= PartialDate.parse(end).end else (end, start)


def generate_real(out: Path, *, rows: int, faults: float, seed: int = 20261130) -> dict[str, Any]:  # noqa: C901, PLR0912
    """Every table in the real proportions, ``rows`` rows in all; faults of every kind (see module docstring)."""
    data = Dataset(seed)
    rng = data.rng
    size = {table: max(20, round(rows * share)) for table, share in SHARES.items() if table in TABLES}
    n_src, n_org, n_act, n_ev = size["sources"], size["organisations"], size["actors"], size["coalition_events"]
    for n in range(n_src):
        data.add(
            "sources",
            {
                "id": f"src-{n}",
                "title": f"Source {n}: {_text(rng, 6)}",
                "publisher": rng.choice(["Anadolu Agency", "Al Bawaba", "ТАСС", "وكالة الأنباء"]),
                "url": f"https://example.org/{n}/{rng.choice(['news', 'haber', 'akhbar'])}",
                "published": _date(rng) if rng.random() < 0.65 else "",
                "language": rng.choice(["en", "ar", "tr", "ru", "fr", "de"]),
                "kind": rng.choice(["news-report", "official-list", "report", "government-statement"]),
                "notes": _note(rng, rng.choice([1, 1, 2, 4, 8])) if rng.random() < 0.94 else "",
            },
        )
    codes = [name_code(number, rng) for number in rng.sample(range(19**5), n_org + n_act)]
    kinds = ["armed-group", "ministry", "government", "media", "military", "political-party"]
    for n in range(n_org):
        code = codes[n]
        kind = "coalition" if n % 10 == 0 else "state" if n % 10 == 1 else rng.choice(kinds)
        name = rng.choice(ORG_FORMS).format(code) if kind != "state" else code
        founded, dissolved = _ordered_dates(rng)
        data.add(
            "organisations",
            {
                "id": f"org-{n}",
                "name": name,
                "aliases": ";".join(aliases_of(name, code, rng)),
                "kind": kind,
                "country": rng.choice(COUNTRIES) if rng.random() < 0.8 else "",
                "parent_id": f"org-{rng.randrange(n)}" if n and rng.random() < 0.3 else "",
                "founded": founded if rng.random() < 0.3 else "",
                "dissolved": dissolved if rng.random() < 0.1 else "",
                "source_ids": _sources(rng, n_src),
                "notes": _note(rng, 1) if rng.random() < 0.9 else "",
            },
        )
    # look-alikes that are not duplicates: numbered siblings and ministries of different states
    for n in range(2, n_org - 1, 50):
        row = data.rows["organisations"][n]
        code = codes[n]
        row["name"], row["aliases"] = f"{code} Brigade {n % 90 + 10}", ""
        data.rows["organisations"][n + 1].update(name=f"{code} Brigade {n % 90 + 11}", aliases="")
    for n in range(5, n_org - 1, 50):
        code = codes[n]
        data.rows["organisations"][n].update(name=f"{code} Iraq", aliases="")
        data.rows["organisations"][n + 1].update(name=f"{code} Jordan", aliases="")
    for n in range(n_act):
        code = codes[n_org + n]
        name = f"{rng.choice(GIVEN)} {code}"
        data.add(
            "actors",
            {
                "id": f"actor-{n}",
                "name": name,
                "aliases": ";".join(aliases_of(name, code, rng)),
                "nationality": ";".join(rng.sample(COUNTRIES, rng.choice([0, 1, 1, 2]))),
                "born": _date(rng).replace("20", "19", 1) if rng.random() < 0.2 else "",
                "source_ids": _sources(rng, n_src),
                "notes": _note(rng, 1),
            },
        )
    coalitions = [f"org-{n}" for n in range(0, n_org, 10)]
    states = [f"org-{n}" for n in range(1, n_org, 10)]
    has_attested = "attested" in {column.name for column in columns(TABLES["positions"])}
    for n in range(size["positions"]):
        start, end = _ordered_dates(rng)
        data.add(
            "positions",
            {
                "id": f"pos-{n}",
                "actor_id": f"actor-{rng.randrange(n_act)}",
                "organisation_id": f"org-{rng.randrange(n_org)}",
                "role": rng.choice(["Minister of Foreign Affairs", "Emir (leader)", "Spokesman", "Bakan"]),
                "start": start,
                "end": end,
                "attested": end or start if has_attested and rng.random() < 0.2 else "",
                "source_ids": _sources(rng, n_src),
                "confidence": rng.choice(["high", "medium", "low", ""]),
                "notes": _note(rng, 1),
            },
        )
    for n in range(size["memberships"]):
        start, end = _ordered_dates(rng)
        data.add(
            "memberships",
            {
                "id": f"mem-{n}",
                "member_id": rng.choice(states),
                "coalition_id": rng.choice(coalitions),
                "role": rng.choice(["lead", "member", "member", "partner", "observer"]),
                "start": start if rng.random() < 0.9 else "",
                "end": end,
                "attested": end or start if has_attested and rng.random() < 0.2 else "",
                "source_ids": _sources(rng, n_src),
                "confidence": rng.choice(["high", "medium", ""]),
                "notes": _note(rng, 1),
            },
        )
    for n in range(size["designations"]):
        listed, delisted = _ordered_dates(rng)
        authority = rng.choice(states)
        subject = f"org-{rng.randrange(n_org)}" if rng.random() < 0.8 else f"actor-{rng.randrange(n_act)}"
        subject = subject if subject != authority else "org-2"
        data.add(
            "designations",
            {
                "id": f"des-{n}",
                "authority_id": authority,
                "subject_id": subject,
                "kind": rng.choice(["terrorist-designation", "sanctions", "proscription"]),
                "list_name": rng.choice(["Foreign Terrorist Organizations", "EU terrorist list", "ISIL (Da'esh)"]),
                "listed_name": rng.choice(["", "Jabhat al-Nusra", "جبهة النصرة"]),
                "listed": listed if rng.random() < 0.65 else "",
                "delisted": delisted,
                "source_ids": _sources(rng, n_src),
                "confidence": rng.choice(["high", "medium", "low"]),
                "notes": _note(rng, 2),
            },
        )
    for n in range(n_ev):
        date, end = _ordered_dates(rng)
        data.add(
            "coalition_events",
            {
                "id": f"e-{n}",
                "kind": rng.choice(EVENT_KINDS),
                "date": date,
                "end_date": end if rng.random() < 0.15 else "",
                "coalition_id": rng.choice(coalitions) if rng.random() < 0.7 else "",
                "title": _text(rng, 8),
                "summary": _text(rng, 40, newline=True),
                "location": rng.choice(WORDS[:4]) if rng.random() < 0.6 else "",
                "country": rng.choice(COUNTRIES),
                "source_ids": _sources(rng, n_src),
                "confidence": rng.choice(["high", "medium", "low"]),
                "notes": _note(rng, 1),
            },
        )
    for n in range(size["event_participants"]):
        who = f"org-{rng.randrange(n_org)}" if rng.random() < 0.85 else f"actor-{rng.randrange(n_act)}"
        data.add(
            "event_participants",
            {
                "id": f"p-{n}",
                "event_id": f"e-{rng.randrange(n_ev)}",
                "participant_id": who,
                "role": rng.choice(ROLES),
                "source_ids": _sources(rng, n_src),
                "confidence": rng.choice(["high", "medium", ""]),
                "notes": _note(rng, 1) if rng.random() < 0.3 else "",
            },
        )
    if "successions" in TABLES:
        unfounded = [n for n, row in enumerate(data.rows["organisations"]) if not row["founded"]]
        for n in range(size["successions"]):
            first, second = sorted(rng.sample(unfounded, 2))  # earlier to later: no chain comes back
            data.add(
                "successions",
                {
                    "id": f"succ-{n}",
                    "predecessor_id": f"org-{first}",
                    "successor_id": f"org-{second}",
                    "kind": rng.choice(["renamed", "merged-into", "split-from", "absorbed-by", "replaced-by"]),
                    "date": _date(rng),
                    "source_ids": _sources(rng, n_src),
                    "confidence": rng.choice(["high", "medium"]),
                    "notes": _note(rng, 2),
                },
            )
    if faults:
        _inject(data, faults, _real_fault_kinds(data, codes, n_org))
    return _finish(data, out, faults)


def _real_fault_kinds(  # noqa: C901
    data: Dataset, codes: list[str], n_org: int
) -> dict[str, list[tuple[str, Fault]]]:
    """Faults of every kind for every table; ids and kinds of records others refer to stay as they are."""
    counter = iter(range(10**9))
    coalition = data.rows["organisations"][0]["id"]
    state = data.rows["organisations"][1]["id"]
    an_actor = data.rows["actors"][0]["id"]

    def setter(field: str, value: str, code: str) -> Fault:
        def apply(row: Row, _rng: random.Random) -> tuple[str | None, str]:
            row[field] = value.format(n=next(counter))
            return field, code

        return apply

    def order(first: str, second: str, start: str = "2025-03-10", end: str = "2025-03-01") -> Fault:
        """``second`` before ``first`` (an organisation's before every succession date: no problem follows)."""

        def apply(row: Row, _rng: random.Random) -> tuple[str | None, str]:
            row[first], row[second] = start, end
            if "attested" in row:
                row["attested"] = ""  # or it would be outside the span too
            return second, "date-order-error"

        return apply

    def itself(field: str) -> Fault:
        def apply(row: Row, _rng: random.Random) -> tuple[str | None, str]:
            row[field] = row["id"]
            return field, "self-reference-error"

        return apply

    def same(first: str, second: str, reported: str) -> Fault:
        """``second`` set to ``first``'s id; the problem is reported on ``reported``."""

        def apply(row: Row, _rng: random.Random) -> tuple[str | None, str]:
            row[second] = row[first]
            return reported, "self-reference-error"

        return apply

    def duplicate_of(table: str) -> Fault:
        """A later record that is an earlier one again, its name misspelled by one letter."""
        rows = data.rows[table]

        def apply(row: Row, rng: random.Random) -> tuple[str | None, str]:
            index = int(row["id"].rsplit("-", 1)[1])
            while True:
                other = rng.randrange(index)
                if other % 50 not in (2, 3, 5, 6) and other not in data.faults[table]:
                    break
            name = rows[other]["name"]
            at = name.index(codes[other if table == "organisations" else n_org + other]) + 3  # the code's 2nd vowel:
            # a misspelt form word ("Purty") could sort into another place among the key's words
            row["name"], row["aliases"] = name[:at] + ("u" if name[at] != "u" else "a") + name[at + 1 :], ""
            return "name", "possible-duplicate"

        return apply

    unclashed = iter(range(10**9))

    def clash(table: str) -> Fault:
        """The id of a record of ``table`` (each clash its own, or two clashes would also be a duplicate)."""

        def apply(row: Row, _rng: random.Random) -> tuple[str | None, str]:
            index = next(unclashed)
            row["id"] = data.rows[table][index]["id"]
            data.extra.append((table, index, "id", "unique-error"))
            return "id", "unique-error"

        return apply

    unknown_source = setter("source_ids", "src-0;no-such-source", "foreign-key")
    empty_item = setter("source_ids", "src-0;", "constraint-error")
    trailing = setter("notes", "ends with a space ", "constraint-error")
    kinds: dict[str, list[tuple[str, Fault]]] = {
        "sources": [
            ("missing title", setter("title", "", "required-error")),
            ("unknown kind", setter("kind", "newsreport", "constraint-error")),
            ("impossible date", setter("published", "2025-02-30", "type-error")),
            ("unknown language", setter("language", "xx", "constraint-error")),
            ("url without scheme", setter("url", "example.org/page", "constraint-error")),
            ("notes with trailing space", trailing),
        ],
        "organisations": [
            ("unknown country", setter("country", "XX", "constraint-error")),
            ("dissolved before founded", order("founded", "dissolved", "1901-03-10", "1901-03-01")),
            ("unknown parent", setter("parent_id", "no-such-parent", "foreign-key")),
            ("its own parent", itself("parent_id")),
            ("parent that is a source", setter("parent_id", "src-1", "reference-kind-error")),
            ("bad wikidata id", setter("wikidata_id", "Q-{n}", "constraint-error")),
            ("empty alias", setter("aliases", "Alias {n};;Other {n}", "constraint-error")),
            ("unknown source in a list", unknown_source),
            ("a duplicate of an earlier record", duplicate_of("organisations")),
        ],
        "actors": [
            ("unknown nationality", setter("nationality", "TR;XX", "constraint-error")),
            ("impossible birth date", setter("born", "1970-02-30", "type-error")),
            ("missing sources", setter("source_ids", "", "required-error")),
            ("a duplicate of an earlier record", duplicate_of("actors")),
        ],
        "positions": [
            ("unknown person", setter("actor_id", "no-such-person", "foreign-key")),
            ("person that is an organisation", setter("actor_id", state, "reference-kind-error")),
            ("end before start", order("start", "end")),
            ("missing role", setter("role", "", "required-error")),
            ("duplicate id", setter("id", "pos-0", "primary-key")),
            ("id used by an actor", clash("actors")),
        ],
        "memberships": [
            ("coalition that is a state", setter("coalition_id", state, "reference-kind-error")),
            ("member of itself", same("coalition_id", "member_id", "coalition_id")),
            ("unknown role", setter("role", "boss", "constraint-error")),
            ("end before start", order("start", "end")),
            ("id not a slug", setter("id", "Not_A_Slug_{n}", "constraint-error")),
        ],
        "designations": [
            ("unknown subject", setter("subject_id", "no-such-subject", "foreign-key")),
            ("authority designates itself", same("authority_id", "subject_id", "subject_id")),
            ("delisted before listed", order("listed", "delisted")),
            ("unknown kind", setter("kind", "terror", "constraint-error")),
            ("multi-line list name", setter("list_name", "EU\nlist", "constraint-error")),
        ],
        "coalition_events": [
            ("impossible date", setter("date", "2025-02-30", "type-error")),
            ("date without zero padding", setter("date", "2025-2", "type-error")),
            ("unknown kind", setter("kind", "meetign", "constraint-error")),
            ("missing title", setter("title", "", "required-error")),
            ("unknown coalition", setter("coalition_id", "no-such-coalition", "foreign-key")),
            ("coalition that is a state", setter("coalition_id", state, "reference-kind-error")),
            ("end before start", order("date", "end_date")),
            ("bad confidence", setter("confidence", "certain", "constraint-error")),
            ("empty list item", empty_item),
        ],
        "event_participants": [
            ("unknown event", setter("event_id", "no-such-event", "foreign-key")),
            ("participant that is a source", setter("participant_id", "src-2", "reference-kind-error")),
            ("unknown role", setter("role", "hots", "constraint-error")),
            ("duplicate id", setter("id", "p-0", "primary-key")),
            ("notes with trailing space", trailing),
        ],
        "successions": [
            ("unknown predecessor", setter("predecessor_id", "no-such-body", "foreign-key")),
            ("successor is a person", setter("successor_id", an_actor, "reference-kind-error")),
            ("unknown kind", setter("kind", "became", "constraint-error")),
            ("coalition succeeds itself", same("predecessor_id", "successor_id", "successor_id")),
        ],
    }
    del coalition
    return {table: faults for table, faults in kinds.items() if table in TABLES}


REFERENCED = {"sources", "organisations", "actors", "coalition_events"}
"""Tables other records point to: their rows get no layout fault (it would hide the record's id)."""


def _inject(data: Dataset, fraction: float, kinds: dict[str, list[tuple[str, Fault]]]) -> None:
    """Give a ``fraction`` of each table's rows one fault each, of a kind drawn in turn."""
    rng = data.rng
    for table, table_kinds in kinds.items():
        layouts = [] if table in REFERENCED else LAYOUT_FAULTS
        for index in sorted(_choose_faults(rng, len(data.rows[table]), fraction)):
            pick = rng.randrange(len(table_kinds) + len(layouts))
            if pick < len(table_kinds):
                field, code = table_kinds[pick][1](data.rows[table][index], rng)
                data.faults[table][index] = (field, code, "")
            else:
                layout, code = layouts[pick - len(table_kinds)]
                data.faults[table][index] = (None, code, layout)


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--faults", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=20250204)
    parser.add_argument("--shape", choices=["events", "real"], default="events")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in all, for --shape real")
    args = parser.parse_args()
    if args.shape == "real":
        print(json.dumps(generate_real(args.out, rows=args.rows, faults=args.faults, seed=args.seed), indent=1))
        return
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
