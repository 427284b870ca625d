"""fmt: canonical form, idempotence, atomic writes, and nothing lost (hypothesis)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_tools.cli import cli
from dataset_tools.schema.models import TABLES, columns
from dataset_tools.writing import atomic, fmt

FIXTURES = Path(__file__).parent / "fixtures"
ORGANISATIONS = [column.name for column in columns(TABLES["organisations"])]
LISTS = {column.name for column in columns(TABLES["organisations"]) if column.is_list}
HEADER = ",".join(ORGANISATIONS)


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- canonical form -------------------------------------------------------------------------

MESSY = (
    "\ufeffname,id,kind,source_ids,aliases\r\n"
    '" Islamic State ",isis,armed-group,src-b ; src-a,"Daesh; ISIL ;Da\u0027esh"\r\n'
    "\r\n"
    'Hayat Tahrir al-Sham,hts,armed-group,src-a,"HTS\r\nline two"\r\n'
    "Caf\u0065\u0301 Group,cafe,armed-group,src-a,\r\n"
    ",,,,\r\n"
)


def line(**cells: str) -> str:
    """One CSV line of organisations: the cells given (written as the file holds them), the others empty.

    Expected rows are built by field name, so a field added to the model needs no edit here.
    """
    assert set(cells) <= set(ORGANISATIONS), sorted(set(cells) - set(ORGANISATIONS))
    return ",".join(cells.get(name, "") for name in ORGANISATIONS) + "\n"


CANONICAL = (
    f"{HEADER}\n"
    + line(id="cafe", name="Caf\u00e9 Group", kind="armed-group", source_ids="src-a")
    + line(id="hts", name="Hayat Tahrir al-Sham", aliases='"HTS\nline two"', kind="armed-group", source_ids="src-a")
    + line(id="isis", name="Islamic State", aliases="Daesh;ISIL;Da'esh", kind="armed-group", source_ids="src-b;src-a")
)


def test_messy_csv_becomes_canonical(tmp_path):
    path = write(tmp_path / "organisations.csv", MESSY)
    change = fmt.format_file(path)
    assert change.changed
    assert change.problems == ()
    assert path.read_bytes() == CANONICAL.encode("utf-8")


def test_canonical_csv_is_left_alone(tmp_path):
    path = write(tmp_path / "organisations.csv", CANONICAL)
    before = path.stat().st_mtime_ns
    change = fmt.format_file(path)
    assert not change.changed
    assert path.stat().st_mtime_ns == before


def test_empty_csv_gets_the_header(tmp_path):
    path = write(tmp_path / "organisations.csv", "")
    assert fmt.format_file(path).changed
    assert path.read_text(encoding="utf-8") == HEADER + "\n"


def test_json_becomes_canonical(tmp_path):
    records = [
        {"kind": "state", "id": "turkey", "name": " Türkiye ", "source_ids": ["src-a"], "aliases": ["Turkey "]},
        {"id": "iraq", "name": "Iraq", "kind": "state", "source_ids": ["src-a"]},
    ]
    path = write(tmp_path / "organisations.json", json.dumps(records))
    fmt.format_file(path)
    result = json.loads(path.read_text(encoding="utf-8"))
    assert [record["id"] for record in result] == ["iraq", "turkey"]
    assert all(list(record) == ORGANISATIONS for record in result)
    assert result[1]["name"] == "Türkiye"
    assert result[1]["aliases"] == ["Turkey"]
    assert result[0]["aliases"] is None
    assert path.read_text(encoding="utf-8").endswith("}\n]\n")
    assert not fmt.format_file(path).changed


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_valid_fixture_is_canonical_but_for_the_optional_columns_it_predates(tmp_path):
    folder = Path(shutil.copytree(FIXTURES / "valid", tmp_path / "valid"))
    changes = fmt.format_folder(folder)
    assert len(changes) == len(TABLES)
    assert [change.file for change in changes if change.problems] == []
    for change in changes:
        names = [column.name for column in columns(TABLES[change.path.stem])]
        header, before = _rows(FIXTURES / "valid" / change.path.name)
        assert change.changed is (header != names), change.file  # a file with every column is left as it is
        assert _rows(change.path) == (names, [{name: row.get(name, "") for name in names} for row in before])


# --- nothing is lost: what canonical form cannot hold is an error, the file untouched -------

LOSSY = [
    (
        "extra column",
        "organisations.csv",
        f"{HEADER},colour\n" + line(id="isis", name="IS", kind="armed-group", source_ids="s").rstrip("\n") + ",black\n",
        [(1, "extra-label")],
    ),
    ("duplicate column", "organisations.csv", "id,name,name\nisis,a,b\n", [(1, "duplicate-label")]),
    ("blank label", "organisations.csv", "id,,name\nisis,x,IS\n", [(1, "blank-label")]),
    (
        "ragged rows",
        "organisations.csv",
        'id,name\nisis,"Islamic\nState",extra\nhts\nok,Fine\n',
        [(2, "extra-cell"), (4, "missing-cell")],
    ),
    ("unclosed quote", "organisations.csv", 'id,name\nisis,"Islamic State\n', [(2, "parse-error")]),
    ("invalid UTF-8", "organisations.csv", b"id,name\nisis,\xc3\xa9\nhts,\xff\xfe\n", [(3, "encoding-error")]),
    ("Windows-1252", "organisations.csv", b"id,name\nisis,ok\nhts,Caf\xe9\n", [(1, "encoding-error")]),
    ("UTF-16", "organisations.csv", "id,name\nisis,ok\n".encode("utf-16"), [(1, "encoding-error")]),
    ("NUL byte", "organisations.csv", "id,name\nisis,a\x00b\n", [(2, "nul-byte")]),
    (
        "unknown JSON key",
        "organisations.json",
        '[\n  {"id": "isis"},\n  {"id": "a", "colour": 1}\n]',
        [(3, "extra-label")],
    ),
    ("duplicate JSON key", "organisations.json", '[\n  {"id": "isis", "id": "x"}\n]', [(2, "duplicate-label")]),
    ("NaN", "organisations.json", '[\n  {"id": "isis", "notes": NaN}\n]', [(2, "type-error")]),  # validate's code
    ("Infinity in JSON Lines", "organisations.jsonl", '{"id": "isis", "notes": -Infinity}\n', [(1, "type-error")]),
    ("not an object", "organisations.json", '[\n  {"id": "isis"},\n  "hts"\n]', [(3, "type-error")]),
    ("bad JSON", "organisations.json", '[\n  {"id": "isis"},\n  {"id": }\n]', [(3, "parse-error")]),
    ("trailing comma", "organisations.json", '[\n  {"id": "isis"},\n]', [(3, "parse-error")]),
    (
        "bad JSON line",
        "organisations.jsonl",
        '{"id": "isis"}\n\n{"id": \n{"id": "a", "x": 1}\n',
        [(3, "parse-error"), (4, "extra-label")],
    ),
]


@pytest.mark.parametrize(("name", "filename", "content", "expected"), LOSSY, ids=[case[0] for case in LOSSY])
def test_unrepresentable_input_is_an_error_and_the_file_is_untouched(tmp_path, name, filename, content, expected):
    path = write(tmp_path / filename, content)
    before = path.read_bytes()
    change = fmt.format_file(path)
    assert [(problem.line, problem.code) for problem in change.problems] == expected, name
    assert not change.changed
    assert path.read_bytes() == before
    assert sorted(tmp_path.iterdir()) == [path]


def test_non_table_file_is_a_usage_error(tmp_path):
    path = write(tmp_path / "notes.csv", "a\n")
    result = CliRunner().invoke(cli, ["fmt", str(path)])
    assert result.exit_code == 2
    assert "not a table file" in result.output


# --- atomic writes --------------------------------------------------------------------------


def test_write_keeps_permissions_and_leaves_no_temporary_file(tmp_path):
    path = write(tmp_path / "organisations.csv", MESSY)
    path.chmod(0o640)
    fmt.format_file(path)
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_failed_write_leaves_the_original(tmp_path, monkeypatch):
    path = write(tmp_path / "organisations.csv", MESSY)

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "fsync", fail)
    with pytest.raises(OSError, match="disk full"):
        fmt.format_file(path)
    assert path.read_bytes() == MESSY.encode("utf-8")
    assert sorted(tmp_path.iterdir()) == [path]


# --- the command ----------------------------------------------------------------------------


def test_check_lists_files_and_changes_nothing(tmp_path):
    write(tmp_path / "organisations.csv", MESSY)
    write(tmp_path / "actors.csv", "id,name,source_ids\nhakan-fidan,Hakan Fidan,src-a\n")
    shutil.copy(FIXTURES / "valid" / "sources.csv", tmp_path / "sources.csv")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    result = CliRunner().invoke(cli, ["fmt", "--check", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        result.stdout == f"would reformat {tmp_path / 'actors.csv'}\nwould reformat {tmp_path / 'organisations.csv'}\n"
    )
    assert result.stderr == "2 of 3 file(s) would be reformatted\n"
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_fmt_rewrites_then_check_passes(tmp_path):
    path = write(tmp_path / "organisations.csv", MESSY)
    result = CliRunner().invoke(cli, ["fmt", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout == f"reformatted {path}\n"
    assert path.read_text(encoding="utf-8") == CANONICAL
    again = CliRunner().invoke(cli, ["fmt", "--check", str(path)])
    assert again.exit_code == 0
    assert again.stdout == ""
    assert again.stderr == "0 of 1 file(s) would be reformatted\n"


def test_fmt_reports_lossy_files_with_line_and_exits_1(tmp_path):
    path = write(tmp_path / "organisations.csv", "id,name\nisis,a,b\n")
    result = CliRunner().invoke(cli, ["fmt", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:2: this row has 3 cells but the header has 2 [extra-cell]\n"
        "0 of 1 file(s) reformatted; 1 left untouched: fix the problems above, then run fmt again\n"
    )


def test_fmt_github_format_annotates(tmp_path):
    path = write(tmp_path / "organisations.csv", "id,name\nisis,a,b\n")
    write(tmp_path / "actors.csv", "id,name\nb,B\na,A\n")
    result = CliRunner().invoke(cli, ["fmt", "--check", "--format", "github", str(tmp_path)])
    assert result.exit_code == 1
    actors = tmp_path / "actors.csv"
    assert result.stdout.splitlines() == [
        (
            f"::error file={actors},title=fmt::{actors} is not in canonical form; "
            "run `dataset-tools fmt` and commit the result"
        ),
        (
            f"::error file={path},line=2,title=extra-cell::this row has 3 cells but the header has 2 "
            "(hint: quote cells that contain commas)"
        ),
    ]


def test_missing_path_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["fmt", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


# --- properties: idempotent and lossless ----------------------------------------------------

# Cells hold what contributors type: outer spaces and tabs, commas, quotes, semicolons, CR, LF,
# CRLF, non-breaking spaces, decomposed accents (NFD), Turkish and Arabic letters.
_CELL = st.lists(st.sampled_from([*'ab ,";\r\n\t\u00a0e\u0301\u00e9İışد-', "\r\n"]), max_size=12).map("".join)
_ID = st.text(alphabet="abc-", max_size=3)


def expected_cell(value: str, is_list: bool) -> str:
    """The documented normalisation, written independently of fmt."""

    def one(text: str) -> str:
        return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").strip())

    return ";".join(one(item) for item in value.split(";")) if is_list else one(value)


@st.composite
def csv_files(draw):
    """A CSV of organisations in any column order, quoting and line ending; with its rows as dicts."""
    extra = draw(st.lists(st.sampled_from([n for n in ORGANISATIONS if n != "id"]), unique=True))
    header = draw(st.permutations(["id", *extra]))
    rows = draw(
        st.lists(
            st.fixed_dictionaries({name: (_ID if name == "id" else _CELL) for name in header}),
            max_size=6,
        )
    )
    buffer = io.StringIO(newline="")
    terminator = draw(st.sampled_from(["\n", "\r\n"]))
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator=terminator)
    writer.writerow(header)
    writer.writerows([[row[name] for name in header] for row in rows])
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return bom + buffer.getvalue(), rows


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def expected_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    result = []
    for row in rows:
        cells = {name: expected_cell(row.get(name, ""), name in LISTS) for name in ORGANISATIONS}
        if any(cells.values()):
            result.append(cells)
    return sorted(result, key=lambda cells: cells["id"])


@settings(max_examples=150, deadline=None)
@given(csv_files())
def test_fmt_csv_is_lossless_and_idempotent(case):
    text, rows = case
    once, problems = fmt.canonical_text(text, "organisations", "organisations.csv", ".csv")
    assert problems == []
    assert once is not None
    assert parse_csv(once) == expected_rows(rows)
    twice, _ = fmt.canonical_text(once, "organisations", "organisations.csv", ".csv")
    assert twice == once
    assert "\r" not in once  # LF line ends, inside cells too


_JSON_VALUE = st.one_of(st.none(), _CELL, st.lists(_CELL, max_size=3))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries({"id": _ID}, optional={name: _JSON_VALUE for name in ORGANISATIONS if name != "id"}),
        max_size=6,
    ),
    st.sampled_from([None, 2, 4]),
    st.sampled_from([".json", ".jsonl"]),
)
def test_fmt_json_is_lossless_and_idempotent(records, indent, suffix):
    if suffix == ".jsonl":
        text = "".join(json.dumps(record, ensure_ascii=bool(indent)) + "\n" for record in records)
    else:
        text = json.dumps(records, indent=indent, ensure_ascii=bool(indent))
    once, problems = fmt.canonical_text(text, "organisations", f"organisations{suffix}", suffix)
    assert problems == []
    assert once is not None

    def norm(value):
        if isinstance(value, str):
            return expected_cell(value, is_list=False)
        if isinstance(value, list):
            return [norm(item) for item in value]
        return value

    expected = [{name: norm(record.get(name)) for name in ORGANISATIONS} for record in records]
    expected = [record for record in expected if any(value not in (None, "", []) for value in record.values())]
    parsed = [json.loads(line) for line in once.splitlines()] if suffix == ".jsonl" else json.loads(once)
    assert parsed == sorted(expected, key=lambda record: record["id"])
    twice, _ = fmt.canonical_text(once, "organisations", f"organisations{suffix}", suffix)
    assert twice == once
