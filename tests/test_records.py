"""fmt and migrate read through the one reader (issue 16): what fmt refuses, validate reports, on the same line.

fmt's records come from :mod:`dataset_tools.reading.records`, which reads with the
validator's reader; so every problem fmt reports is one validate reports on the same
line, fmt never reads a cell otherwise than validate does, and fmt lists a folder (and
refuses a half-migrated one) as validate does.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_tools.cli import cli
from dataset_tools.reading import records
from dataset_tools.reading.tables import TableFile, parse
from dataset_tools.schema import migrate
from dataset_tools.schema.models import TABLES, columns
from dataset_tools.validation.validator import validate
from dataset_tools.writing import fmt, transaction

VALID = Path(__file__).parent / "fixtures" / "valid"
NAMES = [column.name for column in columns(TABLES["organisations"])]
HEADER = ",".join(NAMES)


def row(id_: str, name: str = "Name", notes: str = "") -> str:
    return f"{id_},{name},,state,TR,,,,,src,{notes}"


def located(problems) -> list[tuple[int | None, str | None, str]]:
    return [(p.line, p.field, p.code) for p in problems]


# --- what fmt refuses, validate reports, on the same line ---------------------------------------

REFUSED = [
    (
        "undoubled quote, lines ending in a lone CR",
        "organisations.csv",
        "\r".join([HEADER, row("a"), row("b", notes='"says "temporary"'), row("c"), ""]).encode(),
        [(3, None, "parse-error")],
    ),
    (
        "bad UTF-8, lines ending in a lone CR",
        "organisations.csv",
        b"\r".join([HEADER.encode(), row("a").encode(), row("b").encode() + b"Caf\xc3\xa9 \xff", b""]),
        [(3, None, "encoding-error")],
    ),
    (
        "NUL byte, CRLF",
        "organisations.csv",
        "\r\n".join([HEADER, row("a"), row("b", "a\x00b"), ""]).encode(),
        [(3, None, "nul-byte")],
    ),
    ("semicolons", "organisations.csv", b"id;name;kind;source_ids\na;A;state;src\n", [(1, None, "parse-error")]),
    (
        "a column that is no field",
        "organisations.csv",
        f"{HEADER},colour\n{row('a')},red\n".encode(),
        [(1, "colour", "extra-label")],
    ),
    (
        "a key written twice, on its own line",
        "organisations.json",
        b'[\n  {\n    "id": "a",\n    "name": "A",\n    "name": "B"\n  }\n]\n',
        [(4, "name", "duplicate-label")],
    ),
    (
        "NaN, on its key's line",
        "organisations.json",
        b'[\n  {\n    "id": "a",\n    "notes": NaN\n  }\n]\n',
        [(4, "notes", "type-error")],
    ),
    (
        "a number written back otherwise",
        "organisations.json",
        b'[\n  {"id": "a",\n   "name": 1.50}\n]\n',
        [(3, "name", "type-error")],
    ),
    (
        "a lone surrogate",
        "organisations.json",
        b'[\n  {"id": "a",\n   "name": "x\\ud800"}\n]\n',
        [(3, "name", "encoding-error")],
    ),
    (
        "an unknown key in two records, reported once",
        "organisations.json",
        b'[\n  {"id": "a",\n   "colour": "red"},\n  {"id": "b", "colour": "blue"}\n]\n',
        [(3, "colour", "extra-label")],
    ),
    ("not an object", "organisations.jsonl", b'{"id": "a"}\n["b"]\n', [(2, None, "type-error")]),
    (
        "bad JSON after CRLF",
        "organisations.json",
        b'[\r\n{"id": "a"},\r\n{"id": }\r\n]\r\n',
        [(3, None, "parse-error")],
    ),
]


@pytest.mark.parametrize(("name", "filename", "content", "expected"), REFUSED, ids=[case[0] for case in REFUSED])
def test_what_fmt_refuses_validate_reports_on_the_same_line(tmp_path, name, filename, content, expected):
    path = tmp_path / filename
    path.write_bytes(content)
    change = fmt.format_file(path)
    assert located(change.problems) == expected, name
    assert path.read_bytes() == content
    assert set(expected) <= set(located(validate(path).problems)), name


ORGS_WITH_QUOTE = "\n".join(
    [
        HEADER,
        row("a"),
        row("b"),
        row("c"),
        row("d"),
        row("e"),
        row("f", notes='"Listed; the decree says "temporary'),
        "",
    ]
)


def test_an_undoubled_quote_is_refused_by_fmt_as_validate_reports_it(tmp_path):
    """The peer case 05: fmt and validate both call line 7 a parse-error; the quote is never dropped."""
    path = tmp_path / "organisations.csv"
    path.write_text(ORGS_WITH_QUOTE, encoding="utf-8")
    assert located(fmt.format_file(path).problems) == [(7, None, "parse-error")]
    assert (7, None, "parse-error") in located(validate(path).problems)


def test_migrate_refuses_an_undoubled_quote_on_the_line_validate_reports(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    (folder / "datapackage.json").write_text(json.dumps({"name": "coalitions", "x-schema-version": "1.0.0"}))
    path = folder / "organisations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, 'x-org,X,,state,TR,,,,,src-example-report,"the decree says "temporary" here"\n')
    path.write_text("".join(lines), encoding="utf-8")
    step = migrate.TableMigration(tuple(NAMES), (*NAMES, "extra"), dict, dict)
    result = migrate.migrate(
        folder, 2, migrations=[migrate.Migration(1, 2, "2.0.0", "adds extra", {"organisations": step})]
    )
    assert [(p.line, p.code, p.message) for p in result.problems] == [
        (
            3,
            "migration-error",
            "a quote inside a quoted cell is not doubled, so the cell cannot be read as written: fix it first",
        )
    ]
    assert (3, None, "parse-error") in located(validate(folder).problems)
    assert result.written == []


# --- property: fmt reads every cell as validate does, and refuses only what validate reports ---

_PIECES = ["a", "b", " ", "é", "e\u0301", ",", '"', '""', ";", "\n", "\r", "\r\n", "\u00a0", "\x00", "x-y"]


@st.composite
def raw_csv(draw) -> bytes:
    """A CSV file of organisations as a contributor might get it wrong: any quote, comma or line break anywhere."""
    header = draw(st.permutations(NAMES[:4])) + draw(st.sampled_from([[], ["notes"], ["colour"], [" name"]]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 5))):
        cells = draw(st.lists(st.lists(st.sampled_from(_PIECES), max_size=4).map("".join), min_size=1, max_size=6))
        lines.append(",".join(cells))
    return (end.join(lines) + draw(st.sampled_from(["", end]))).encode()


def _cells_as_validate_reads_them(raw: bytes, reference: bool) -> tuple[list[tuple[int | None, str]], list[list[str]]]:
    read = TableFile(table="organisations", path=Path("organisations.csv"), file="organisations.csv", format="csv")
    parse(raw, read, reference=reference)
    columns_read = [read.data.column(name).to_pylist() if name in read.data.column_names else None for name in NAMES]
    rows = [[column[i] if column is not None else "" for column in columns_read] for i in range(read.data.num_rows)]
    return [(p.line, p.code) for p in read.problems], rows


def _normalised(cells: list[str]) -> list[str]:
    lists = {column.name for column in columns(TABLES["organisations"]) if column.is_list}

    def one(text: str) -> str:
        return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").strip())

    return [";".join(map(one, c.split(";"))) if n in lists else one(c) for n, c in zip(NAMES, cells, strict=True)]


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
@settings(max_examples=300, deadline=None)
@given(raw=raw_csv())
def test_fmt_reads_every_cell_as_validate_does(reference, raw):
    text, problems = fmt.canonical(
        records.from_bytes(raw, "organisations", "organisations.csv", "csv"), "organisations"
    )
    reported, rows = _cells_as_validate_reads_them(raw, reference)
    lines = {line for line, _ in reported}
    assert {p.line for p in problems} <= lines  # what fmt refuses, validate reports on that line
    if text is None:
        assert problems
        return
    written = list(csv.reader(io.StringIO(text, newline="")))[1:]
    expected = sorted((cells for cells in map(_normalised, rows) if any(cells)), key=lambda cells: cells[0])
    assert written == expected  # no cell altered beyond fmt's normalisation of what validate read


_VALUES = ['"a"', '" b "', '["x", "y"]', '[""]', "null", "1", "-0", "1.50", "2.5", "NaN", "-Infinity", "9" * 4001, "{}"]


@st.composite
def raw_json(draw) -> tuple[bytes, str]:
    """JSON or JSON Lines of organisations, with numbers, constants, repeated and unknown keys, over any lines."""
    fmt_ = draw(st.sampled_from(["json", "jsonl"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    objects = []
    for n in range(draw(st.integers(0, 4))):
        keys = ["id", *draw(st.lists(st.sampled_from(["name", "notes", "aliases", "colour"]), max_size=3))]
        pairs = [f'"{key}": ' + (f'"o{n}"' if key == "id" else draw(st.sampled_from(_VALUES))) for key in keys]
        inside = (end + "  ") if fmt_ == "json" and draw(st.booleans()) else " "
        objects.append("{" + ("," + inside).join(pairs) + "}")
    if draw(st.booleans()) and objects:
        objects.append(draw(st.sampled_from(['"text"', "[1]", "{", '{"id": }'])))
    if fmt_ == "jsonl":
        return end.join(objects).encode() + end.encode(), fmt_
    return ("[" + end + ("," + end).join(objects) + end + "]" + end).encode(), fmt_


@settings(max_examples=300, deadline=None)
@given(case=raw_json())
def test_fmt_refuses_json_only_where_validate_reports(case):
    raw, fmt_ = case
    found = records.from_bytes(raw, "organisations", f"organisations.{fmt_}", fmt_)
    _, problems = fmt.canonical(found, "organisations")
    read = TableFile(table="organisations", path=Path("x"), file=f"organisations.{fmt_}", format=fmt_)
    parse(raw, read)
    assert {(p.line, p.field) for p in problems} <= {(p.line, p.field) for p in read.problems}


# --- a folder, as validate lists it ----------------------------------------------------------


def test_fmt_reports_each_filesystem_oddity_as_validate_does(tmp_path):
    secret = tmp_path / "outside.csv"
    secret.write_text("id,name\nTOP-SECRET,x\n")
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    for name in ("actors.csv", "positions.csv", "memberships.csv", "designations.csv"):
        (folder / name).unlink()
    (folder / "actors.csv").symlink_to(secret)
    (folder / "designations.csv").symlink_to(folder / "gone.csv")
    os.mkfifo(folder / "positions.csv")  # never opened: fmt would wait on it for ever
    (folder / "memberships.csv").mkdir()
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    before = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file() and not path.is_symlink()}
    for args in (["fmt", "--check", str(folder)], ["fmt", str(folder)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [
            f"note: {folder}: skipped 1 file(s) that are not data: .DS_Store",
            (
                f"{folder}/actors.csv: actors.csv is a link to a file outside the dataset folder, which is never read"
                " [unknown-file]"
            ),
            f"{folder}/designations.csv: designations.csv is a broken link (its target does not exist) [unknown-file]",
            f"{folder}/memberships.csv: memberships.csv is a folder, not a table file [unknown-file]",
            f"{folder}/positions.csv: positions.csv is a named pipe (FIFO), not a file; it was not read [unknown-file]",
            "0 of 9 file(s) "
            + ("would be reformatted" if "--check" in args else "reformatted")
            + "; 4 left untouched: fix the problems above, then run fmt again",
        ]
        assert "TOP-SECRET" not in result.output
        assert "Traceback" not in result.output
    by_fmt = {(Path(c.file).name, p.code, p.message) for c in fmt.format_folder(folder, check=True) for p in c.problems}
    by_validate = {
        (Path(p.file).name, p.code, p.message) for p in validate(folder).problems if p.code == "unknown-file"
    }
    assert by_fmt == by_validate
    assert {
        path.name: path.read_bytes() for path in folder.iterdir() if path.is_file() and not path.is_symlink()
    } == before


def test_fmt_and_validate_report_a_file_that_is_not_a_table_alike(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    (folder / "notes.txt").write_text("hi\n")
    result = CliRunner().invoke(cli, ["fmt", "--check", str(folder)])
    assert result.exit_code == 1, result.output
    hint = ".csv, .json, .jsonl, .ndjson"
    by_fmt = [(Path(c.file).name, p.code, p.hint) for c in fmt.format_folder(folder, check=True) for p in c.problems]
    by_validate = [(Path(p.file).name, p.code, p.hint) for p in validate(folder).problems if p.code == "unknown-file"]
    assert by_fmt == by_validate == [("notes.txt", "unknown-file", by_fmt[0][2])]
    assert hint in by_fmt[0][2]


@pytest.mark.parametrize("command", [["fmt", "--check"], ["fmt"], ["validate"]])
def test_a_folder_without_tables_is_a_usage_error_for_every_command(tmp_path, command):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, [*command, str(tmp_path / "empty")])
    assert result.exit_code == 2, result.output
    assert "not a dataset folder: it holds none of the table files" in result.output
    assert "Traceback" not in result.output


def test_fmt_never_opens_a_device_in_a_folder(tmp_path):
    (tmp_path / "organisations.csv").write_text(HEADER + "\n")
    try:
        os.mknod(tmp_path / "actors.csv", stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    result = CliRunner().invoke(cli, ["fmt", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path}/actors.csv: actors.csv is a device, not a file; it was not read [unknown-file]",
        "0 of 2 file(s) reformatted; 1 left untouched: fix the problems above, then run fmt again",
    ]


def test_fmt_formats_one_file_per_table_and_says_which_it_left(tmp_path):
    (tmp_path / "organisations.csv").write_text(HEADER + "\n" + row("b") + "\n" + row("a") + "\n")
    (tmp_path / "organisations.json").write_text('[{"id": "c"}]')
    result = CliRunner().invoke(cli, ["fmt", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == f"reformatted {tmp_path}/organisations.csv\n"
    assert result.stderr.splitlines() == [
        (
            f"{tmp_path}/organisations.json: organisations already has a file, organisations.csv; only that one was"
            " checked [duplicate-table]"
        ),
        "1 of 2 file(s) reformatted; 1 left untouched: fix the problems above, then run fmt again",
    ]
    assert (tmp_path / "organisations.json").read_text() == '[{"id": "c"}]'


def test_fmt_github_annotates_a_folder_oddity(tmp_path):
    (tmp_path / "organisations.csv").write_text(HEADER + "\n")
    (tmp_path / "actors.csv").mkdir()
    result = CliRunner().invoke(cli, ["fmt", "--check", "--format", "github", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        (
            f"::error file={tmp_path / 'actors.csv'},title=unknown-file::actors.csv is a folder, not a table file "
            "(hint: make actors.csv a file of the table's records, and move the folder elsewhere)"
        )
    ]


# --- a folder an interrupted migration left half done -------------------------------------------

PENDING = (
    "a migration was interrupted here, so its tables may follow two schema versions; "
    "run `dataset-tools migrate --to N` (N: the major version it was migrating to) to complete or roll it back, then "
)


@pytest.mark.parametrize("named", ["folder", "file"])
def test_fmt_refuses_a_folder_an_interrupted_migration_left_half_done(tmp_path, named):
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    (folder / "organisations.csv").write_text(HEADER + "\n" + row("b") + "\n" + row("a") + "\n")
    (folder / f".organisations.csv{transaction.NEW}").write_text("half a migration")
    (folder / transaction.JOURNAL).write_text(json.dumps({"files": ["organisations.csv"]}))
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    target = folder if named == "folder" else folder / "organisations.csv"
    for args in (["fmt", str(target)], ["fmt", "--check", str(target)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2
        assert f"{folder}: {PENDING}run fmt" in " ".join(result.output.split())
        assert "Traceback" not in result.output
    validated = CliRunner().invoke(cli, ["validate", str(folder)])
    assert f"{folder}: {PENDING}validate" in " ".join(validated.output.split())  # one message, two commands
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_bytes_the_named_encoding_cannot_decode_are_a_problem_that_says_what_to_do():
    raw = b"id,name\nstate-c,State C\nx-1,\x81\xff\n"  # not UTF-8, and 0x81 is no cp1252 character
    found = records.from_bytes(raw, "organisations", "organisations.csv", "csv", from_encoding="cp1252")
    assert located(found.problems) == [(3, None, "encoding-error")]
    assert found.problems[0].hint == (
        "name the file's real encoding with --from-encoding, or fix the bytes on this line in cp1252"
    )
