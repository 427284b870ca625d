"""The one reader: what a folder holds, encodings, line breaks, whitespace, descriptors and archives."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import dataset_tools
from dataset_tools.cli import cli
from dataset_tools.errors import UnreadableInput
from dataset_tools.reading import bytematch, packages
from dataset_tools.reading.tables import TableFile
from dataset_tools.schema import models
from dataset_tools.validation import checks
from dataset_tools.validation.validator import _validate, validate
from dataset_tools.writing import fmt

VALID = Path(__file__).parent / "fixtures" / "valid"
ORG_HEADER = "id,name,aliases,kind,country,parent_id,founded,dissolved,wikidata_id,source_ids,notes\n"
SECRET = "TOP-SECRET-5f2c"  # noqa: S105 - a marker to look for in the output, not a password


def make_dataset(tmp_path: Path, files: dict[str, bytes | None] | None = None) -> Path:
    folder = Path(shutil.copytree(VALID, tmp_path / "data"))
    for name, content in (files or {}).items():
        if content is None:
            (folder / name).unlink()
        else:
            (folder / name).write_bytes(content)
    return folder


def located(report) -> list[tuple[str, int | None, str | None, str]]:
    return [(Path(p.file).name, p.line, p.field, p.code) for p in report.problems]


ORGS = (VALID / "organisations.csv").read_text(encoding="utf-8")
LAST = ORGS.count("\n")
"""The last line of the valid organisations.csv: rows appended to it start on LAST + 1."""


def orgs(*rows: str) -> bytes:
    return (ORGS + "".join(rows)).encode()


# --- what a folder holds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [".DS_Store", ".gitkeep", "Thumbs.db", "desktop.ini", "actors.csv~", ".actors.csv.swp"]
)
def test_litter_is_skipped_with_a_note(tmp_path, name):
    folder = make_dataset(tmp_path, {name: b"\x00\x01 not data"})
    report = validate(folder)
    assert (report.problems, report.notes) == ([], [f"skipped 1 file(s) that are not data: {name}"])


@pytest.fixture
def secret(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text(f"id,name\n{SECRET},{SECRET}\n", encoding="utf-8")
    return outside


@pytest.mark.parametrize("output", ["text", "json", "github"])
def test_a_link_out_of_the_folder_is_one_problem_and_never_read(tmp_path, secret, output):
    folder = make_dataset(tmp_path, {"actors.csv": None})
    (folder / "actors.csv").symlink_to(secret)
    result = CliRunner().invoke(cli, ["validate", str(folder), "--format", output])
    assert result.exit_code == 1
    assert SECRET not in result.output
    assert "outside.csv" not in result.output
    report = validate(folder)
    assert located(report) == [("actors.csv", None, None, "unknown-file")]
    assert (
        report.problems[0].message == "actors.csv is a link to a file outside the dataset folder, which is never read"
    )


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ"])
def test_fmt_check_never_reads_a_link_out_of_the_folder(tmp_path, target):
    folder = make_dataset(tmp_path, {"actors.csv": None})
    (folder / "actors.csv").symlink_to(target)
    result = CliRunner().invoke(cli, ["fmt", "--check", str(folder)])
    assert "root:" not in result.output
    assert "PATH=" not in result.output
    alone = CliRunner().invoke(cli, ["fmt", "--check", str(folder / "actors.csv")])
    assert alone.exit_code == 2
    assert "outside the dataset folder" in alone.output


def test_a_link_inside_the_folder_is_followed(tmp_path):
    folder = make_dataset(tmp_path)
    (folder / "actors.csv").rename(folder / "people.data")
    (folder / "actors.csv").symlink_to("people.data")
    assert located(validate(folder)) == [("people.data", None, None, "unknown-file")]


def test_each_filesystem_oddity_is_one_problem_that_says_what_it_is(tmp_path):
    folder = make_dataset(tmp_path, {"actors.csv": None, "positions.csv": None, "memberships.csv": None})
    (folder / "actors.csv").symlink_to(folder / "gone.csv")
    os.mkfifo(folder / "positions.csv")  # a reader would wait on it for ever
    (folder / "memberships.csv").mkdir()
    messages = {Path(p.file).name: (p.code, p.message) for p in validate(folder).problems}
    assert messages == {
        "actors.csv": ("unknown-file", "actors.csv is a broken link (its target does not exist)"),
        "positions.csv": ("unknown-file", "positions.csv is a named pipe (FIFO), not a file; it was not read"),
        "memberships.csv": ("unknown-file", "memberships.csv is a folder, not a table file"),
    }


def test_a_fifo_named_alone_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "actors.csv")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "actors.csv")])
    assert result.exit_code == 2
    assert "named pipe" in result.output


def test_table_suffixes_are_compared_case_insensitively_by_every_command(tmp_path):
    folder = make_dataset(tmp_path)
    fmt.format_folder(folder)  # the fixture may predate an optional column: fmt --check below wants it
    (folder / "actors.csv").rename(folder / "actors.CSV")
    assert validate(folder).problems == []
    assert packages.read_tables(folder)["actors"].num_rows == 1
    result = CliRunner().invoke(cli, ["fmt", "--check", str(folder)])
    assert result.exit_code == 0, result.output


# --- encodings and dialects -------------------------------------------------------------------

TEXT = "".join(char for char in ORGS if ord(char) < 0x100).replace("State A", "État A")  # Latin-1 only


@pytest.mark.parametrize(
    ("raw", "looks_like", "command"),
    [
        (TEXT.encode("utf-16"), "UTF-16 (little-endian, with a byte order mark)", "--from-encoding utf-16"),
        (TEXT.encode("utf-16-be"), "UTF-16 (big-endian, without a byte order mark)", "--from-encoding utf-16-be"),
        (TEXT.encode("utf-16-le"), "UTF-16 (little-endian, without a byte order mark)", "--from-encoding utf-16-le"),
        (TEXT.encode("utf-32"), "UTF-32 (little-endian, with a byte order mark)", "--from-encoding utf-32"),
        (TEXT.encode("cp1252"), "Windows-1252 (Latin-1) text", "--from-encoding cp1252"),
        (b"PK\x03\x04" + bytes(range(256)) * 4, "a zip archive", None),
    ],
    ids=["utf-16", "utf-16-be", "utf-16-le", "utf-32", "cp1252", "xlsx"],
)
def test_a_file_in_another_encoding_is_one_problem_naming_it_and_the_command(tmp_path, raw, looks_like, command):
    folder = make_dataset(tmp_path, {"organisations.csv": raw})
    report = validate(folder)
    assert located(report) == [("organisations.csv", 1, None, "encoding-error")]
    assert looks_like in report.problems[0].message
    if command:
        assert command in report.problems[0].hint
        result = CliRunner().invoke(cli, ["fmt", *command.split(), str(folder / "organisations.csv")])
        assert result.exit_code == 0, result.output
        assert validate(folder).problems == []
        assert "État A" in (folder / "organisations.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("codec", ["cp1252", "latin-1", "utf-16"])
def test_converting_leaves_a_file_that_is_utf8_already_as_it_is(tmp_path, codec):
    folder = make_dataset(tmp_path, {"organisations.csv": TEXT.encode("cp1252")})
    assert CliRunner().invoke(cli, ["fmt", "--from-encoding", "cp1252", str(folder)]).exit_code == 0
    converted = {path.name: path.read_bytes() for path in folder.iterdir()}
    result = CliRunner().invoke(cli, ["fmt", "--from-encoding", codec, str(folder)])  # again, or the wrong codec
    assert result.exit_code == 0, result.output
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == converted
    assert "État A" in (folder / "organisations.csv").read_text(encoding="utf-8")
    assert validate(folder).problems == []


def test_control_characters_from_a_binary_file_are_not_echoed(tmp_path):
    folder = make_dataset(tmp_path, {"organisations.csv": b"\x1b[31m\x07" * 200})
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "binary data" in result.output


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_file_separated_otherwise_than_by_commas_is_one_problem(tmp_path, delimiter, name):
    text = TEXT.replace(",", delimiter)
    report = validate(make_dataset(tmp_path, {"organisations.csv": text.encode()}))
    assert located(report) == [("organisations.csv", 1, None, "parse-error")]
    assert report.problems[0].message == f"the file is separated by {name}, not commas, so it was not read"


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_an_undoubled_quote_in_a_quoted_cell_is_a_parse_error_on_both_paths(tmp_path, reference):
    from dataset_tools.validation.validator import _validate  # noqa: PLC0415 - the private oracle

    row = 'state-x,State X,,state,FR,,,,,src-example-report,"the decree says "temporary"\n'
    report = _validate(make_dataset(tmp_path, {"organisations.csv": orgs(row)}), reference=reference)
    assert located(report) == [("organisations.csv", LAST + 1, None, "parse-error")]
    fmt = CliRunner().invoke(cli, ["fmt", "--check", str(tmp_path / "data" / "organisations.csv")])
    assert f"organisations.csv:{LAST + 1}:" in fmt.output
    assert "[parse-error]" in fmt.output


# --- whitespace -------------------------------------------------------------------------------


def test_whitespace_is_what_str_strip_removes_everywhere():
    everything = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    assert set(bytematch.WHITESPACE) == everything


@pytest.mark.parametrize("space", ["\u00a0", "\u2009", "\u3000", "\u2028", "\u1680"])
@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_unicode_whitespace_at_a_names_edge_is_a_constraint_error(tmp_path, space, reference):
    from dataset_tools.validation.validator import _validate  # noqa: PLC0415 - the private oracle

    rows = [
        f"state-x,State X{space},,state,FR,,,,,src-example-report,\n",
        f"state-y,{space},,state,FR,,,,,src-example-report,\n",
        f"state-z,State{space}Z,,state,FR,,,,,src-example-report,\n",
    ]
    report = _validate(make_dataset(tmp_path, {"organisations.csv": orgs(*rows)}), reference=reference)
    assert located(report) == [
        ("organisations.csv", LAST + 1, "name", "constraint-error"),
        ("organisations.csv", LAST + 2, "name", "constraint-error"),
    ]


# --- every rule of the models on the default path ----------------------------------------------


def test_no_model_needs_the_row_by_row_fallback_today():
    assert [table for table, model in models.TABLES.items() if checks.needs_model(model)] == []


def test_a_rule_the_column_checks_do_not_know_is_enforced_through_the_model(tmp_path, monkeypatch):
    from pydantic import field_validator  # noqa: PLC0415

    class Stricter(models.TABLES["organisations"]):
        @field_validator("name")
        @classmethod
        def no_state_b(cls, value: str) -> str:
            if value == "State B":
                raise ValueError("not State B")
            return value

    monkeypatch.setitem(models.TABLES, "organisations", Stricter)
    line = next(
        n for n, text in enumerate((VALID / "organisations.csv").open(encoding="utf-8"), 1) if ",State B," in text
    )
    assert ("organisations.csv", line, "name", "constraint-error") in located(validate(make_dataset(tmp_path)))


# --- line numbers, blank lines, JSON limits ----------------------------------------------------


def test_a_run_of_blank_lines_is_one_problem_naming_its_lines(tmp_path):
    body = "state-x,State X,,state,FR,,,,,src-example-report,\n" + "\n" * 5 + ",,,,,,,,,,\r\n"
    report = validate(make_dataset(tmp_path, {"organisations.csv": orgs(body)}))
    assert located(report) == [("organisations.csv", LAST + 2, None, "blank-row")]
    assert report.problems[0].message == f"lines {LAST + 2} to {LAST + 7} are blank (6 lines)"


def test_two_hundred_thousand_blank_json_lines_are_one_problem(tmp_path):
    record = '{"id": "person-b", "name": "B", "source_ids": ["src-example-report"]}\n'
    folder = make_dataset(tmp_path, {"actors.csv": None, "actors.jsonl": (record + "\n" * 200_000 + record).encode()})
    problems = [p for p in validate(folder).problems if p.code == "blank-row"]
    assert [(p.line, p.message) for p in problems] == [(2, "lines 2 to 200001 are blank (200,000 lines)")]


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_an_integer_of_5000_digits_is_a_type_error_that_keeps_its_digits(tmp_path, suffix):
    digits = "7" * 5000
    record = f'{{"id": "person-a", "name": "A", "notes": {digits}, "source_ids": ["src-example-report"]}}'
    text = f"[\n{record}\n]\n" if suffix == ".json" else record + "\n"
    report = validate(make_dataset(tmp_path, {"actors.csv": None, f"actors{suffix}": text.encode()}))
    (problem,) = report.problems
    assert (problem.code, problem.field, problem.value) == ("type-error", "notes", "7" * 199 + "…")
    fmt = CliRunner().invoke(cli, ["fmt", "--check", str(tmp_path / "data" / f"actors{suffix}")])
    assert fmt.exit_code == 1
    assert "Traceback" not in fmt.output


def test_json_nested_a_million_deep_is_one_clear_problem(tmp_path):
    text = '[{"id": "person-b", "notes": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}]"
    folder = make_dataset(tmp_path, {"actors.csv": None, "actors.json": text.encode()})
    assert located(validate(folder)) == [("actors.json", 1, None, "parse-error")]
    fmt = CliRunner().invoke(cli, ["fmt", "--check", str(folder / "actors.json")])
    assert fmt.exit_code == 1
    assert "[parse-error]" in fmt.output


# --- datapackage.json and release archives -----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "the descriptor is not valid JSON: Expecting property name enclosed in double quotes"),
        (b"[1, 2]", "the descriptor must be a JSON object, not list"),
        (b"\xff\xfe{}", "the descriptor is not valid UTF-8"),
    ],
)
def test_a_broken_descriptor_is_a_problem_in_validate_and_a_clear_error_in_diff_and_load(tmp_path, raw, message):
    folder = make_dataset(tmp_path, {"datapackage.json": raw})
    (problem,) = validate(folder).problems
    assert (problem.code, problem.message) == ("schema-version-error", message)
    with pytest.raises(UnreadableInput, match=r"datapackage\.json"):
        dataset_tools.load(folder)
    result = CliRunner().invoke(cli, ["diff", str(folder), str(VALID)])
    assert result.exit_code == 2
    assert "datapackage.json" in result.output
    assert "Traceback" not in result.output


def test_a_descriptor_linked_to_dev_zero_is_never_read(tmp_path):
    folder = make_dataset(tmp_path)
    (folder / "datapackage.json").symlink_to("/dev/zero")
    (problem,) = validate(folder).problems
    assert problem.message == "datapackage.json is a link to a file outside the dataset folder, which is never read"
    assert problem.hint == "make datapackage.json a readable JSON file in the dataset folder, or remove it"
    with pytest.raises(UnreadableInput):
        dataset_tools.load(folder)


def release_zip(tmp_path: Path, resources: list[dict], members: dict[str, bytes]) -> Path:
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("r/datapackage.json", json.dumps({"name": "coalitions", "resources": resources}))
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("resources", "members", "says"),
    [
        ([{"name": "actors", "path": "../../etc/passwd"}], {}, "leads out of the release"),
        ([{"name": "actors", "path": "/etc/passwd"}], {}, "leads out of the release"),
        ([{"name": "actors", "path": "csv/actors.csv"}], {}, "missing from the archive"),
        ([{"name": "actors", "path": "csv/actors.csv"}], {"r/csv/actors.csv": b"\n" * 50_000_000}, "would expand"),
        ({"not": "a list"}, {}, "resources must be a list"),
    ],
    ids=["dot-dot", "absolute", "missing", "bomb", "wrong-type"],
)
def test_a_release_archive_is_read_only_within_its_limits(tmp_path, resources, members, says):
    path = release_zip(tmp_path, resources, members)
    with pytest.raises(UnreadableInput, match=says):
        dataset_tools.load(path)


@pytest.mark.parametrize("cut", [0, 10, -22])
def test_a_truncated_or_foreign_archive_is_exit_2_for_diff_and_release_previous(tmp_path, cut):
    whole = release_zip(tmp_path, [], {})
    broken = tmp_path / "broken.zip"
    broken.write_bytes(whole.read_bytes()[:cut] if cut else b"not a zip at all")
    result = CliRunner().invoke(cli, ["diff", str(broken), str(VALID)])
    assert result.exit_code == 2
    assert "broken.zip" in result.output
    assert "Traceback" not in result.output
    with pytest.raises(UnreadableInput, match=r"broken\.zip"):
        dataset_tools.load(broken)
    release = CliRunner().invoke(
        cli, ["release", str(VALID), "--out", str(tmp_path / "out"), "--version", "9.0.0", "--previous", str(broken)]
    )
    assert release.exit_code == 2
    assert "broken.zip" in release.output
    assert "Traceback" not in release.output


def test_an_unwritable_step_summary_is_exit_2_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "such" / "summary.md"))
    result = CliRunner().invoke(cli, ["validate", str(VALID), "--format", "github"])
    assert result.exit_code == 2
    assert "summary.md" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [["validate"], ["fmt", "--check"], ["diff", "."]])
def test_a_path_component_over_255_bytes_is_exit_2_naming_it(tmp_path, command):
    long = tmp_path / ("a" * 300)
    arguments = [*command[:1], str(long), *command[1:]] if command[0] == "diff" else [*command, str(long)]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2
    assert "File name too long" in result.output
    with pytest.raises(UnreadableInput, match="File name too long"):
        dataset_tools.load(long)


READS = {"open", "read_text", "read_bytes", "reader", "DictReader", "load", "loads", "read_csv", "ZipFile"}
"""Calls that open or parse a file (or text read from one)."""
READERS = {"files", "descriptor", "descriptor_file", "packages", "records", "encodings"}
"""The reader's modules, as the package imports them: their calls are the reader's."""
ALLOWED = {
    ("release/build.py", "ZipFile"): "writes the release archive",
    ("cli.py", "open"): "appends the report to $GITHUB_STEP_SUMMARY",
    ("schema/publish.py", "read_text"): "the generated schema files, index and CONTRIBUTING.md",
    ("schema/publish.py", "loads"): "the generated schema files and index",
    ("schema/compat.py", "loads"): "a schema key already in memory",
    ("release/coverage.py", "read_text"): "docs/coverage.toml",
    ("release/coverage.py", "loads"): "docs/coverage.toml",
    ("release/coverage.py", "load"): "dataset_tools.load(), which reads through the reader",
    ("cli.py", "load"): "find and timeline: dataset_tools.load(), which reads through the reader",
    ("release/outputs.py", "open"): "writes a release's files",
    ("release/build.py", "open"): "hashes and zips the release it wrote",
    ("validation/cells.py", "reader"): "a header line the reader gave",
    ("writing/atomic.py", "open"): "writes a file atomically",
    ("writing/atomic.py", "read_bytes"): "a file's bytes, re-read to check nothing changed before replacing it",
    ("writing/transaction.py", "open"): "the migration journal",
    ("writing/transaction.py", "loads"): "the migration journal",
    ("writing/transaction.py", "read_bytes"): "a file kept to restore it if a migration stops half-way",
}


def test_no_module_outside_the_reader_opens_a_table_file():
    import ast  # noqa: PLC0415

    package = Path(dataset_tools.__file__).parent
    found = set()
    for path in package.rglob("*.py"):
        relative = path.relative_to(package).as_posix()
        if relative.startswith("reading/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                receiver = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
                if name in READS and receiver not in READERS:
                    found.add((relative, name))
    assert found - set(ALLOWED) == set(), "read table files through dataset_tools.reading"


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("suffix", [".csv", ".json", ".jsonl"])
def test_every_line_break_counts_alike_in_every_format(tmp_path, end, suffix):
    good = {"id": "person-a", "name": "A", "source_ids": ["src-example-report"]}
    bad = {"id": "person-b", "name": "B", "born": "1968-13", "source_ids": ["src-example-report"]}
    if suffix == ".csv":
        lines = [
            "id,name,born,source_ids,notes",
            "person-a,A,,src-example-report,",
            "person-b,B,1968-13,src-example-report,",
        ]
        lines.insert(2, '"person-c","C",,src-example-report,"notes over\ntwo lines"'.replace("\n", end))
        text, line = end.join(lines) + end, 5
    elif suffix == ".json":
        text, line = "[" + end + json.dumps(good) + "," + end + end + json.dumps(bad) + end + "]" + end, 4
    else:
        text, line = json.dumps(good) + end + json.dumps(bad) + end, 2
    folder = make_dataset(tmp_path, {"actors.csv": None, f"actors{suffix}": text.encode()})
    assert located(validate(folder)) == [(f"actors{suffix}", line, "born", "type-error")]


def test_a_descriptor_that_is_a_fifo_is_never_waited_on(tmp_path):
    folder = make_dataset(tmp_path)
    (folder / "datapackage.json").unlink(missing_ok=True)
    os.mkfifo(folder / "datapackage.json")
    (problem,) = validate(folder).problems
    assert problem.message == "datapackage.json is a named pipe (FIFO), not a file; it was not read"
    assert problem.hint == "make datapackage.json a readable JSON file in the dataset folder, or remove it"
    with pytest.raises(UnreadableInput, match="named pipe"):
        dataset_tools.load(folder)


# --- what a JSON record's value holds is located at its key --------------------------------------


def _fmt_layout_orgs(*bad: str) -> tuple[bytes, int]:
    """organisations.json as `dataset-tools fmt` lays it out (one key a line), ``bad`` records appended.

    Returns the bytes and the line the first appended record's ``{`` is on.
    """
    rows = [{k: v for k, v in row.items() if v} for row in csv_records(ORGS)]
    for row in rows:
        for name in ("aliases", "source_ids"):
            if name in row:
                row[name] = row[name].split(";")
    head = json.dumps(rows, ensure_ascii=False, indent=2)[: -len("\n]")]
    return (head + ",\n" + ",\n".join(bad) + "\n]\n").encode(), head.count("\n") + 2


def csv_records(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


SURROGATES = """  {
    "id": "surr-group",
    "name": "Surr \\ud800 Group",
    "aliases": [
      "ok",
      "\\udc00x",
      7
    ],
    "kind": "armed-group",
    "source_ids": [
      "src-example-report"
    ]
  }"""
"""Lone surrogates in name (line +2) and in an item of aliases (+3), and a number among the aliases (+3)."""
HIDDEN = """  {
    "notes": "a note that says \\"name\\": here",
    "id": "hidden-group",
    "n\\u0061me": "Nul\\u0000 Group",
    "aliases": ["Bell\\u0007", "Over\\u202eride"],
    "title_or_kind": "x",
    "kin\\u0064": "armed-group",
    "n\\u00e4me": "x",
    "source_ids": ["src-example-report"]
  }"""
"""A key written with escapes, found as JSON reads it; ``"name":`` inside a string is no key."""


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_what_a_json_value_holds_is_on_its_keys_line_and_names_its_field(tmp_path, reference):
    raw, first = _fmt_layout_orgs(SURROGATES, HIDDEN)
    folder = make_dataset(tmp_path, {"organisations.csv": None, "organisations.json": raw})
    second = first + SURROGATES.count("\n") + 1
    expected = [
        (first + 2, "name", "encoding-error"),
        (first + 3, "aliases", "encoding-error"),
        (first + 3, "aliases", "type-error"),
        (second + 3, "name", "constraint-error"),  # a NUL
        (second + 4, "aliases", "deceptive-character"),  # one a record and field, naming the first character
        (second + 5, "title_or_kind", "extra-label"),
        (second + 7, "n\u00e4me", "extra-label"),
    ]
    report = _validate(folder, reference=reference)
    assert sorted((p.line, p.field, p.code) for p in report.problems if p.code != "possible-duplicate") == expected


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_what_a_json_lines_value_holds_names_its_field(tmp_path, reference):
    records = [json.dumps(json.loads(record)) for record in (SURROGATES, HIDDEN)]
    lines = [
        json.dumps({"id": row["id"], "name": row["name"], "kind": row["kind"], "source_ids": ["src-example-report"]})
        for row in csv_records(ORGS)
    ]
    folder = make_dataset(
        tmp_path, {"organisations.csv": None, "organisations.jsonl": "\n".join([*lines, *records, ""]).encode()}
    )
    first, second = len(lines) + 1, len(lines) + 2
    expected = [
        (first, "aliases", "encoding-error"),
        (first, "aliases", "type-error"),
        (first, "name", "encoding-error"),
        (second, "aliases", "deceptive-character"),
        (second, "name", "constraint-error"),
        (second, "n\u00e4me", "extra-label"),
        (second, "title_or_kind", "extra-label"),
    ]
    report = _validate(folder, reference=reference)
    assert sorted((p.line, p.field, p.code) for p in report.problems if p.code != "possible-duplicate") == expected


@pytest.mark.parametrize(
    ("filename", "record", "expected"),
    [
        (
            "organisations.json",
            '[\n  {\n    "id": "bell",\n    "aliases": [\n      "ok",\n      "Bell\x07"\n    ]\n  }\n]\n',
            [(4, "aliases", "parse-error")],  # the key's line, as a type-error of the item would be
        ),
        (
            "organisations.jsonl",
            '{"id": "nul", "notes": "say \\"name\\": x", "name": "Nul\x00"}\n',
            [(1, None, "nul-byte"), (1, "name", "parse-error")],
        ),
        (
            "organisations.json",
            '[\n  {\n    "id": "tab",\n    "name": "Ta\tb"\n  }\n]\n',
            [(4, "name", "parse-error")],
        ),
        (  # in a key: no field is named, not the key before it
            "organisations.json",
            '[\n  {\n    "id": "tab",\n    "aliases": ["a"],\n    "no\ttes": "x"\n  }\n]\n',
            [(5, None, "parse-error")],
        ),
        (
            "organisations.jsonl",
            '{"id": "a", "na\tme": "B"}\n',
            [(1, None, "parse-error")],
        ),
    ],
    ids=["bell in an alias", "NUL in JSON Lines", "tab in JSON", "tab in a key", "tab in a JSON Lines key"],
)
def test_a_control_character_written_raw_in_json_names_its_field(tmp_path, filename, record, expected):
    path = tmp_path / filename
    path.write_bytes(record.encode())
    problems = validate(path).problems
    assert [(p.line, p.field, p.code) for p in problems] == expected
    assert problems[-1].hint
    if "no\ttes" in record:
        assert problems[-1].message.startswith("invalid JSON: a key holds U+0009 CHARACTER TABULATION")
    if filename == "organisations.json" and "Bell" in record:
        assert problems[-1].message == (
            "invalid JSON: the value of 'aliases' holds U+0007 a control character written as it is, "
            "which JSON allows only as an escape"
        )


def test_a_derived_value_is_made_once_and_may_ask_for_another():
    """``TableFile.derived``: callers of one name on several threads share one result; ``make`` may ask another."""
    tf = TableFile(table="organisations", path=Path("organisations.csv"), file="organisations.csv", format="csv")
    made: list[str] = []
    results: list[str] = []
    started = threading.Barrier(4)

    def outer() -> str:
        made.append("outer")
        time.sleep(0.05)  # the other callers arrive meanwhile
        return tf.derived("inner", lambda: made.append("inner") or "i") + "o"

    def ask() -> None:
        started.wait()
        results.append(tf.derived("outer", outer))

    threads = [threading.Thread(target=ask, daemon=True) for _ in range(4)]  # daemon: a deadlock fails, not hangs
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert (results, sorted(made)) == (["io"] * 4, ["inner", "outer"])


def test_a_derived_value_being_made_holds_up_no_other_name():
    tf = TableFile(table="organisations", path=Path("organisations.csv"), file="organisations.csv", format="csv")
    inside, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow() -> str:
        inside.set()
        release.wait(10)
        return "s"

    making = threading.Thread(target=lambda: tf.derived("slow", slow), daemon=True)
    making.start()
    inside.wait(10)
    asking = threading.Thread(target=lambda: (tf.derived("fast", lambda: "f"), done.set()), daemon=True)
    asking.start()
    other_made = done.wait(5)
    release.set()
    making.join(10)
    assert other_made


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
@pytest.mark.parametrize(
    ("field", "value"),
    [("name", 5), ("name", True), ("name", ["A"]), ("name", {"text": "A"}), ("source_ids", [5]), ("source_ids", 7)],
)
def test_a_json_value_of_the_wrong_type_in_a_required_field_is_a_type_error_only(tmp_path, reference, field, value):
    """The field is not empty: it holds a value of the wrong type, and says so once (no required-error too)."""
    record = {"id": "person-a", "name": "A", "source_ids": ["src-example-report"], field: value}
    folder = make_dataset(
        tmp_path, {"actors.csv": None, "actors.json": ("[\n" + json.dumps(record) + "\n]\n").encode()}
    )
    assert located(_validate(folder, reference=reference)) == [("actors.json", 2, field, "type-error")]
