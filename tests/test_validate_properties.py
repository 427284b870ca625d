"""Properties of validation: valid records validate, one corruption gives exactly one problem
on its line, garbage never raises, and the fast and reference paths always agree."""

import csv
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import ordered_records, succession_chains

from dataset_tools.schema.models import ITEM_PATTERN, TABLES, TEXT_PATTERN, columns, to_row
from dataset_tools.validation.validator import _validate as validate  # the private reference path
from dataset_tools.writing import fmt
from dataset_tools.writing.canonical import csv_text

VALID = Path(__file__).parent / "fixtures" / "valid"
# one valid target per referenced table (coalition references need a coalition)
TARGETS = {
    "sources": "src-example-report",
    "organisations": "state-a",
    "actors": "person-a",
    "coalition_events": "2025-02-coalition-x-announced",
}
COALITION = "coalition-x"
OTHERS = {"organisations": "state-b", "actors": "person-a"}
"""A second target, for the second field of a pair that may not name the same record (successions)."""
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _fresh(tmp_path: Path) -> Path:
    """A copy of the valid fixture in canonical form: every column of the models, in their order."""
    folder = tmp_path / "data"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(VALID, folder)
    fmt.format_folder(folder)  # the fixture may predate an optional column
    return folder


def _resolvable(table: str, row: dict[str, str], number: int) -> dict[str, str]:
    """Point every reference of a generated row at a fixture record, and make its id new."""
    row = dict(row, id=f"generated-{number}-{row['id']}"[:120].rstrip("-"))
    seconds = {second for _, second in TABLES[table].distinct_references}
    for column in columns(TABLES[table]):
        if column.references and row[column.name]:
            target = COALITION if column.organisation_kinds else TARGETS[column.references[0]]
            if column.name in seconds and not column.organisation_kinds:
                target = OTHERS[column.references[-1]]
            row[column.name] = ";".join([target] * len(row[column.name].split(";")))
    return row


def _append(folder: Path, table: str, rows: list[dict[str, str]]) -> int:
    """Append rows to a fixture table; return the line of the first."""
    path = folder / f"{table}.csv"
    first = path.read_bytes().count(b"\n") + 1
    text = csv_text([], [list(row.values()) for row in rows]).lstrip("\n")
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return first


@pytest.mark.parametrize("table", sorted(TABLES))
@SETTINGS
@given(data=st.data())
def test_any_valid_record_validates(tmp_path, table, data):
    generated = data.draw(st.lists(ordered_records(TABLES[table]), min_size=1, max_size=3))  # dates in order
    rows = [_resolvable(table, to_row(record), number) for number, record in enumerate(generated)]
    folder = _fresh(tmp_path)
    _append(folder, table, rows)
    report = validate(folder)
    # generated names may repeat, and generated dates run to 2100: a possible-duplicate or
    # future-date warning is right then, and the data stays valid
    assert [p for p in report.problems if p.code not in {"possible-duplicate", "future-date"}] == []
    assert report.valid


CHAIN_NAMES = ("Alpha Front", "Bravo Army", "Charlie Brigades", "Delta Movement", "Echo Council", "Foxtrot Union")


def _chain_files(folder: Path, links: list[tuple[str, str, str, str, str]]) -> int:
    """Append the chain's organisations and links to the fixture; return the line of the first link."""
    orgs = [
        {"id": f"chain-{k}", "name": CHAIN_NAMES[k], "kind": "armed-group", "source_ids": "src-example-report"}
        for k in range(len(links) + 1)
    ]
    _append(folder, "organisations", [_row("organisations", org) for org in orgs])
    return _append(folder, "successions", [_row("successions", _link(*link)) for link in links])


def _link(id_: str, predecessor: str, successor: str, kind: str, date: str) -> dict[str, str]:
    return {"id": id_, "predecessor_id": predecessor, "successor_id": successor, "kind": kind, "date": date}


def _row(table: str, cells: dict[str, str]) -> dict[str, str]:
    """A full row of ``table``: every column, in order, empty where ``cells`` says nothing; cites a source."""
    cells = {"source_ids": "src-example-report", **cells}
    return {column.name: cells.get(column.name, "") for column in columns(TABLES[table])}


@SETTINGS
@given(links=succession_chains())
def test_a_chain_of_successions_validates_and_closing_it_makes_each_link_a_cycle(tmp_path, links):
    folder = _fresh(tmp_path)
    first = _chain_files(folder, links)
    assert validate(folder).problems == validate(folder, reference=True).problems == []
    last = f"chain-{len(links)}"
    _append(
        folder, "successions", [_row("successions", _link(f"{last}-renamed-chain-0", last, "chain-0", "renamed", ""))]
    )
    report = validate(folder)
    assert [(p.line, p.field, p.code) for p in report.problems] == [
        (first + k, "successor_id", "succession-cycle") for k in range(len(links) + 1)
    ]
    assert validate(folder, reference=True).problems == report.problems


CORRUPTIONS = {
    "date": (
        st.sampled_from(["2025-02-30", "2025-2", "25", "2025-13-01", "February 2025", "2025-02-04T10:00"]),
        "type-error",
    ),
    "vocabulary": (st.text(alphabet="abcdefgh-", min_size=1, max_size=12), "constraint-error"),
    "reference": (st.text(alphabet="abc0", min_size=1, max_size=8).map(lambda s: f"no-such-{s}"), "foreign-key"),
    "text": (st.sampled_from([" leading", "trailing ", "two\nlines", "\ttab"]), "constraint-error"),
    "required": (st.just(""), "required-error"),
}


def _corruptible(table: str) -> list[tuple[str, str]]:
    """(column, corruption kind) pairs that can be corrupted without touching another record."""
    pairs = []
    for column in columns(TABLES[table]):
        if column.name == "id":
            continue  # other records refer to ids: changing one is more than one problem
        if column.required:
            pairs.append((column.name, "required"))
        if column.is_date:
            pairs.append((column.name, "date"))
        elif column.vocabulary is not None:
            pairs.append((column.name, "vocabulary"))
        elif column.references:
            pairs.append((column.name, "reference"))
        elif column.pattern in (TEXT_PATTERN, ITEM_PATTERN):  # one-line text and list items, whatever the name
            pairs.append((column.name, "text"))
    return pairs


@pytest.mark.parametrize("table", sorted(TABLES))
@SETTINGS
@given(data=st.data())
def test_corrupting_one_field_gives_exactly_that_problem_on_that_line(tmp_path, table, data):
    folder = _fresh(tmp_path)
    path = folder / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header, starts, rows = next(reader), [], []
        for cells in reader:
            starts.append(reader.line_num - sum(cell.count("\n") for cell in cells))
            rows.append(cells)
    if not rows:
        return
    row = data.draw(st.integers(0, len(rows) - 1), label="row")
    name, kind = data.draw(st.sampled_from(_corruptible(table)), label="field")
    strategy, code = CORRUPTIONS[kind]
    value = data.draw(strategy, label="value")
    index = header.index(name)
    column = columns(TABLES[table])[index]
    if rows[row][index] == value or value in column.enum:
        return
    rows[row][index] = value
    path.write_text(csv_text(header, rows), encoding="utf-8")
    report = validate(folder)
    assert [(p.line, p.field, p.code) for p in report.problems] == [(starts[row], name, code)]
    assert validate(folder, reference=True).problems == report.problems


CSV_GARBAGE = st.lists(
    st.sampled_from(['"', ",", "\n", "\r\n", "\r", "a", "é", "داعش", " ", "\x00", '""', "id", "state-a", ";"]),
    max_size=40,
).map("".join)


@pytest.mark.parametrize("table", ["organisations", "event_participants"])
@SETTINGS
@given(body=st.one_of(CSV_GARBAGE.map(str.encode), st.binary(max_size=200)))
def test_garbage_gives_problems_never_an_exception_and_both_paths_agree(tmp_path, table, body):
    folder = _fresh(tmp_path)
    header = ",".join(column.name for column in columns(TABLES[table])).encode()
    (folder / f"{table}.csv").write_bytes(header + b"\n" + body)
    fast = validate(folder)
    reference = validate(folder, reference=True)
    assert fast.problems == reference.problems
    (folder / f"{table}.csv").write_bytes(body)
    assert validate(folder).problems == validate(folder, reference=True).problems


@SETTINGS
@given(body=st.binary(max_size=300) | st.text(max_size=100).map(str.encode))
def test_json_garbage_gives_problems_never_an_exception(tmp_path, body):
    folder = _fresh(tmp_path)
    (folder / "designations.csv").unlink()
    (folder / "designations.json").write_bytes(body)
    report = validate(folder)
    assert all(problem.file.endswith("designations.json") for problem in report.problems)
