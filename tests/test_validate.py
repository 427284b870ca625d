"""Each problem code on a tiny input, with the exact (line, field, code) list expected.

Every case starts from the valid mini dataset in fixtures/valid/, then replaces, adds or
deletes files. Cases run on both the fast and the reference path, which must agree.
"""

import ast
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataset_tools.cli import cli
from dataset_tools.validation import cells as columns_module
from dataset_tools.validation.formats import github, json_text
from dataset_tools.validation.problems import CODES
from dataset_tools.validation.validator import _validate as validate  # the private reference path

VALID = Path(__file__).parent / "fixtures" / "valid"
ORG_HEADER = "id,name,aliases,kind,country,parent_id,founded,dissolved,wikidata_id,source_ids,notes\n"
ORG = "state-c,State C,,state,JO,,,,,src-example-report,\n"
EVENT_HEADER = "id,kind,date,end_date,coalition_id,title,summary,location,country,source_ids,confidence,notes\n"
DELETE = None


def after(name: str, row: int = 1) -> int:
    """The line of the ``row``-th record appended to the fixture's ``name``."""
    return (VALID / name).read_bytes().count(b"\n") + row


# code → (files: bytes replaces a file, str appends rows to the fixture's file, None deletes it;
#         expected [(file, line, field, code)])
CASES: dict[str, tuple[dict[str, bytes | None], list[tuple[str, int | None, str | None, str]]]] = {
    "unknown-file": ({"notes.txt": b"hello\n"}, [("notes.txt", None, None, "unknown-file")]),
    "missing-table": ({"designations.csv": DELETE}, [("designations.csv", None, None, "missing-table")]),
    "duplicate-table": ({"designations.json": b"[]\n"}, [("designations.json", None, None, "duplicate-table")]),
    "empty-file": ({"designations.csv": b""}, [("designations.csv", None, None, "empty-file")]),
    "encoding-error": (
        {
            "designations.csv": "id,authority_id,subject_id,kind,list_name,source_ids\nd-1,a,b,c,Liste é\n".encode()
            + b"\xff\n"
        },
        [
            ("designations.csv", 2, None, "missing-cell"),
            ("designations.csv", 3, None, "encoding-error"),
            ("designations.csv", 3, None, "missing-cell"),
        ],
    ),
    "byte-order-mark": (
        {"designations.csv": b"\xef\xbb\xbfid,authority_id,subject_id,kind,list_name,source_ids\n"},
        [("designations.csv", 1, None, "byte-order-mark")],
    ),
    "nul-byte": (
        {"organisations.csv": "state-c,State\x00C,,state,JO,,,,,src-example-report,\n"},
        [
            ("organisations.csv", after("organisations.csv", 1), None, "nul-byte"),
            ("organisations.csv", after("organisations.csv", 1), "name", "constraint-error"),
        ],
    ),
    "parse-error": (
        {"organisations.csv": ORG + 'state-d,"State D,,state,JO,,,,,src-example-report,\n'},
        [("organisations.csv", after("organisations.csv", 2), None, "parse-error")],
    ),
    "blank-label": (
        {"designations.csv": b"id,,authority_id,subject_id,kind,list_name,source_ids\n"},
        [("designations.csv", 1, None, "blank-label")],
    ),
    "duplicate-label": (
        {"designations.csv": b"id,authority_id,subject_id,kind,kind,list_name,source_ids\n"},
        [("designations.csv", 1, "kind", "duplicate-label")],
    ),
    "extra-label": (
        {"designations.csv": b"id,authority_id,subject_id,kind,list_name,source_ids,colour\n"},
        [("designations.csv", 1, "colour", "extra-label")],
    ),
    "missing-label": (
        {"designations.csv": b"id,authority_id,subject_id,kind,source_ids\n"},
        [("designations.csv", 1, "list_name", "missing-label")],
    ),
    "blank-row": (
        {"organisations.csv": "\n" + ORG},
        [("organisations.csv", after("organisations.csv", 1), None, "blank-row")],
    ),
    "extra-cell": (
        {"organisations.csv": ORG[:-1] + ",x\n"},
        [("organisations.csv", after("organisations.csv", 1), None, "extra-cell")],
    ),
    "missing-cell": (
        {"organisations.csv": "state-c,State C\n"},
        [("organisations.csv", after("organisations.csv", 1), None, "missing-cell")],
    ),
    "required-error": (
        {"organisations.csv": "state-c,,,state,JO,,,,,src-example-report,\n"},
        [("organisations.csv", after("organisations.csv", 1), "name", "required-error")],
    ),
    "type-error": (
        {"organisations.csv": "state-c,State C,,state,JO,,2023-02-29,,,src-example-report,\n"},
        [("organisations.csv", after("organisations.csv", 1), "founded", "type-error")],
    ),
    "constraint-error": (
        {"organisations.csv": "state-c,State C,,country,jo,,,,Q0,src-example-report,\n"},
        [
            ("organisations.csv", after("organisations.csv", 1), "country", "constraint-error"),
            ("organisations.csv", after("organisations.csv", 1), "kind", "constraint-error"),
            ("organisations.csv", after("organisations.csv", 1), "wikidata_id", "constraint-error"),
        ],
    ),
    "self-reference-error": (
        {"organisations.csv": "state-c,State C,,state,JO,state-c,,,,src-example-report,\n"},
        [("organisations.csv", after("organisations.csv", 1), "parent_id", "self-reference-error")],
    ),
    "future-date": (
        {"organisations.csv": "state-c,State C,,state,JO,,2999-02,,,src-example-report,\n"},
        [("organisations.csv", after("organisations.csv", 1), "founded", "future-date")],
    ),
    "primary-key": (
        {"organisations.csv": ORG + ORG},
        [("organisations.csv", after("organisations.csv", 2), "id", "primary-key")],
    ),
    "unique-error": (
        {"coalition_events.csv": "state-a,meeting,2025-02-04,,,A meeting,,Ankara,TR,src-example-report,high,\n"},
        [
            ("coalition_events.csv", after("coalition_events.csv", 1), "id", "unique-error"),
            ("organisations.csv", 4, "id", "unique-error"),
        ],
    ),
    "foreign-key": (
        {"organisations.csv": "state-c,State C,,state,JO,state-x,,,,src-example-report;src-nope,\n"},
        [
            ("organisations.csv", after("organisations.csv", 1), "parent_id", "foreign-key"),
            ("organisations.csv", after("organisations.csv", 1), "source_ids", "foreign-key"),
        ],
    ),
    "possible-duplicate": (
        {"organisations.csv": "state-c,State-A,,state,TR,,,,,src-example-report,\n"},
        [("organisations.csv", after("organisations.csv"), "name", "possible-duplicate")],
    ),
    "deceptive-character": (
        {"organisations.csv": "state-c,State \u202eC,,state,JO,,,,,src-example-report,\n"},
        [("organisations.csv", after("organisations.csv", 1), "name", "deceptive-character")],
    ),
    "formula-cell": (
        {"organisations.csv": "state-c,=1+1,,state,JO,,,,,src-example-report,\n"},
        [("organisations.csv", after("organisations.csv", 1), "name", "formula-cell")],
    ),
    "stray-combining-mark": (
        {"organisations.csv": "state-c,\u0301State C,,state,JO,,,,,src-example-report,\n"},
        [("organisations.csv", after("organisations.csv", 1), "name", "stray-combining-mark")],
    ),
    "schema-version-error": (
        {"datapackage.json": b'{"name": "coalitions", "x-schema-version": "2.0.0"}\n'},
        [("datapackage.json", 1, "x-schema-version", "schema-version-error")],
    ),
    "succession-cycle": (
        {
            "successions.csv": (
                "state-a-renamed-state-b,state-a,state-b,renamed,2025,src-example-report,,\n"
                "state-b-merged-into-state-a,state-b,state-a,merged-into,2025,src-example-report,,\n"
            )
        },
        [
            ("successions.csv", after("successions.csv", 1), "successor_id", "succession-cycle"),
            ("successions.csv", after("successions.csv", 2), "successor_id", "succession-cycle"),
        ],
    ),
    "reference-kind-error": (
        {"coalition_events.csv": "2025-02-04-meeting,meeting,2025-02-04,,state-a,A meeting,,,,person-a,high,\n"},
        [
            ("coalition_events.csv", after("coalition_events.csv", 1), "coalition_id", "reference-kind-error"),
            ("coalition_events.csv", after("coalition_events.csv", 1), "source_ids", "reference-kind-error"),
        ],
    ),
}


SUCCESSION = "src-example-report,medium,\n"
"""The end of a succession row: its source, confidence and empty notes."""

# the rules schema 1.1 added, each on its own input: rule → (files, expected [(file, line, field, code)])
RULES_1_1: dict[str, tuple[dict[str, bytes | None], list[tuple[str, int | None, str | None, str]]]] = {
    "attested-before-start": (
        {"memberships.csv": "coalition-x-ministry,state-a-ministry,coalition-x,member,2025-02,,2024-12," + SUCCESSION},
        [("memberships.csv", after("memberships.csv"), "attested", "date-order-error")],
    ),
    "attested-after-end": (
        {"positions.csv": "person-a-adviser,person-a,state-a-ministry,Adviser,2020,2021-06,2022," + SUCCESSION},
        [("positions.csv", after("positions.csv"), "attested", "date-order-error")],
    ),
    "attested-outside-listing": (
        {
            "designations.csv": (
                "state-b-lists-x,state-b,armed-group-x,declared-terrorist,Statements,,,2016,2019,2015,"
                + SUCCESSION
                + "state-b-lists-y,state-b,armed-group-x,declared-terrorist,Statements,,,2016,2019,2020-01,"
                + SUCCESSION
            )
        },
        [
            ("designations.csv", after("designations.csv", 1), "attested", "date-order-error"),
            ("designations.csv", after("designations.csv", 2), "attested", "date-order-error"),
        ],
    ),
    "attested-within-its-span": (
        {"positions.csv": "person-a-adviser,person-a,state-a-ministry,Adviser,2020,2021-06,2021," + SUCCESSION},
        [],
    ),
    "succession-self-reference": (
        {"successions.csv": "state-a-renamed,state-a,state-a,renamed,," + SUCCESSION},
        [("successions.csv", after("successions.csv"), "successor_id", "self-reference-error")],
    ),
    "succession-to-a-person": (
        {"successions.csv": "state-a-renamed-person-a,state-a,person-a,renamed,," + SUCCESSION},
        [("successions.csv", after("successions.csv"), "successor_id", "reference-kind-error")],
    ),
    "succession-to-a-missing-id": (
        {"successions.csv": "state-a-renamed-state-z,state-a,state-z,renamed,," + SUCCESSION},
        [("successions.csv", after("successions.csv"), "successor_id", "foreign-key")],
    ),
    "succession-before-founding": (
        {"successions.csv": "agx-renamed-state-b,armed-group-x,state-b,renamed,2012-12," + SUCCESSION},
        [("successions.csv", after("successions.csv"), "date", "date-order-error")],
    ),
    "succession-in-the-founding-year": (  # 2013 may be any day of 2013: not certainly before
        {"successions.csv": "agx-renamed-state-b,armed-group-x,state-b,renamed,2013-01-01," + SUCCESSION},
        [],
    ),
    "succession-cycle-of-three": (
        {
            "successions.csv": (
                "a-renamed-b,state-a,state-b,renamed,,"
                + SUCCESSION
                + "b-merged-into-m,state-b,state-a-ministry,merged-into,,"
                + SUCCESSION
                + "m-renamed-a,state-a-ministry,state-a,renamed,,"
                + SUCCESSION
            )
        },
        [("successions.csv", after("successions.csv", row), "successor_id", "succession-cycle") for row in (1, 2, 3)],
    ),
    "no-cycle-through-other-kinds": (  # a split-from back-link is no cycle of renamed and merged-into links
        {
            "successions.csv": (
                "a-renamed-b,state-a,state-b,renamed,,"
                + SUCCESSION
                + "b-split-from-a,state-b,state-a,split-from,,"
                + SUCCESSION
            )
        },
        [],
    ),
}


def make_dataset(tmp_path: Path, files: dict[str, bytes | None]) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    for name, content in files.items():
        if content is None:
            (folder / name).unlink()
        elif isinstance(content, str):
            with (folder / name).open("a", encoding="utf-8", newline="") as handle:
                handle.write(content)
        else:
            (folder / name).write_bytes(content)
    return folder


def located(report) -> list[tuple[str, int | None, str | None, str]]:
    return [(Path(p.file).name, p.line, p.field, p.code) for p in report.problems]


def test_the_valid_fixture_is_valid():
    report = validate(VALID)
    assert report.problems == []
    assert report.valid
    assert report.rows == 16


def test_every_code_has_a_case():
    tested = {code for _, expected in CASES.values() for *_, code in expected} | {"date-order-error"}  # below
    tested_elsewhere = {"migration-error"}  # a problem of `migrate`, tested in test_migrate.py
    assert tested >= set(CODES) - tested_elsewhere


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_problem_is_found_on_its_line(tmp_path, case, reference):
    files, expected = CASES[case]
    folder = make_dataset(tmp_path, files)
    report = validate(folder, reference=reference)
    assert located(report) == sorted(expected, key=lambda p: (p[0], p[1] or 0, p[2] or "", p[3]))


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_branch_is_compared_with_every_record_but_its_parent(tmp_path, reference):
    front = "Armed Group of the Northern Levant Front"
    records = (
        f"front,{front},,armed-group,,,,,,src-example-report,\n"
        f"front-idlib,{front} - Idlib,,armed-group,,front,,,,src-example-report,\n"  # a branch of its parent
        f"front-aleppo,{front} - Aleppo,,armed-group,,coalition-x,,,,src-example-report,\n"  # parent elsewhere
    )
    report = validate(make_dataset(tmp_path, {"organisations.csv": records}), reference=reference)
    assert located(report) == [("organisations.csv", 9, "name", "possible-duplicate")]
    assert "'front' (line 7)" in report.problems[0].message


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
@pytest.mark.parametrize("rule", sorted(RULES_1_1))
def test_each_rule_of_schema_1_1_is_found_on_its_line(tmp_path, rule, reference):
    files, expected = RULES_1_1[rule]
    report = validate(make_dataset(tmp_path, files), reference=reference)
    assert located(report) == sorted(expected, key=lambda p: (p[0], p[1] or 0, p[2] or "", p[3]))
    assert all(problem.hint for problem in report.problems)


def test_problems_of_schema_1_1_say_what_and_what_to_do(tmp_path):
    files = {
        **RULES_1_1["succession-cycle-of-three"][0],
        "positions.csv": RULES_1_1["attested-after-end"][0]["positions.csv"],
    }
    files["successions.csv"] += "agx-renamed-state-b,armed-group-x,state-b,renamed,2012-12," + SUCCESSION
    found = {
        (Path(p.file).name, p.field, p.value): (p.message, p.hint)
        for p in validate(make_dataset(tmp_path, files)).problems
    }
    assert found[("positions.csv", "attested", "2022")] == (
        "attested 2022 is after end 2021-06",
        "a source can show the record in force only between its start and end: check attested and end",
    )
    cycle = "`state-a` → `state-b` → `state-a-ministry` → `state-a`"
    direction = "check which organisation came first (predecessor_id is the one before the change)"
    assert found[("successions.csv", "successor_id", "state-b")] == (
        f"this renamed link closes a cycle, {cycle}: an organisation cannot be its own predecessor",
        f"{direction}, or record the link with another kind",
    )
    organisations = (tmp_path / "data" / "organisations.csv").as_posix()
    sources = "check this date and the founded date of `armed-group-x` against their sources"
    assert found[("successions.csv", "date", "2012-12")] == (
        f"date 2012-12 is before `armed-group-x` was founded (2013, in {organisations})",
        f"an organisation is succeeded only once it exists: {sources}",
    )


def without_columns(text: str, names: set[str]) -> str:
    """A simple CSV text (no quoted commas) without the columns ``names``."""
    rows = [line.split(",") for line in text.splitlines()]
    keep = [index for index, name in enumerate(rows[0]) if name not in names]
    return "".join(",".join(row[index] for index in keep) + "\n" for row in rows)


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
@pytest.mark.parametrize("declared", ["1.0.0", "1.1.0", None])
def test_a_dataset_without_what_1_1_added_is_valid(tmp_path, reference, declared):
    files: dict[str, bytes | None] = {"successions.csv": DELETE}
    for name in ("memberships.csv", "positions.csv", "designations.csv"):
        files[name] = without_columns((VALID / name).read_text(encoding="utf-8"), {"attested"}).encode()
    if declared:
        files["datapackage.json"] = json.dumps({"name": "coalitions", "x-schema-version": declared}).encode()
    report = validate(make_dataset(tmp_path, files), reference=reference)
    assert (report.problems, report.notes, report.valid) == ([], [], True)


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_dates_are_compared_by_the_interval_they_cover(tmp_path, reference):
    body = (
        "state-c,State C,,state,JO,,2020-05,2019-12,,src-example-report,\n"  # certainly before: a problem
        "state-d,State D,,state,JO,,2020-05,2020,,src-example-report,\n"  # 2020 may be December: fine
        "state-e,State E,,state,JO,,2020-05-31,2020-05,,src-example-report,\n"  # same month: fine
    )
    folder = make_dataset(tmp_path, {"organisations.csv": body})
    line = after("organisations.csv")
    report = validate(folder, reference=reference)
    assert located(report) == [("organisations.csv", line, "dissolved", "date-order-error")]


def test_line_numbers_count_newlines_inside_quoted_cells(tmp_path):
    body = (
        'state-c,State C,,state,JO,,,,,src-example-report,"two\nlines"\n'
        "state-d,State D,,state,XX,,,,,src-example-report,\n"
    )
    folder = make_dataset(tmp_path, {"organisations.csv": body})
    line = after("organisations.csv", 3)
    for reference in (False, True):
        assert located(validate(folder, reference=reference)) == [
            ("organisations.csv", line, "country", "constraint-error")
        ]


def test_json_tables_are_checked_like_csv_on_each_fields_own_line(tmp_path):
    folder = make_dataset(tmp_path, {"designations.csv": None})
    (folder / "designations.json").write_text(
        '[\n  {"id": "d-1", "authority_id": "state-a", "subject_id": "armed-group-x",\n'
        '   "kind": "sanctions", "list_name": "L", "source_ids": ["src-example-list"]},\n'
        '  {"id": "d-2", "authority_id": "state-a", "subject_id": "armed-group-x",\n'
        '   "kind": "sanction", "list_name": "L", "source_ids": "src-example-list", "listed": 2014}\n]\n',
        encoding="utf-8",
    )
    assert located(validate(folder)) == [
        ("designations.json", 5, "kind", "constraint-error"),
        ("designations.json", 5, "listed", "type-error"),
        ("designations.json", 5, "source_ids", "type-error"),
    ]


def test_hints_suggest_the_nearest_id_and_value(tmp_path):
    body = "state-c,State C,,coalitoin,JO,state-aa,,,,src-example-report,\n"
    folder = make_dataset(tmp_path, {"organisations.csv": body})
    hints = {p.field: p.hint for p in validate(folder).problems}
    assert hints == {"kind": "did you mean `coalition`?", "parent_id": "did you mean `state-a`?"}


def test_validation_never_changes_its_input(tmp_path):
    folder = make_dataset(tmp_path, {"organisations.csv": "\n bad ,\n"})
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    validate(folder)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_max_errors_keeps_the_first_problems_and_counts_the_rest(tmp_path):
    folder = make_dataset(tmp_path, {"organisations.csv": ORG + ORG + ORG})
    report = validate(folder, max_errors=1)
    assert (len(report.problems), report.omitted, report.errors) == (1, 1, 2)


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_lengths_count_characters_not_bytes(tmp_path, reference):
    body = (
        f"state-c,{'ş' * 500},,state,JO,,,,,src-example-report,\n"
        f"state-d,{'ğ' * 501},,state,JO,,,,,src-example-report,\n"
    )
    folder = make_dataset(tmp_path, {"organisations.csv": body})
    problems = validate(folder, reference=reference).problems
    assert [(p.line, p.field, p.code) for p in problems] == [
        (after("organisations.csv", 2), "name", "constraint-error")
    ]
    assert problems[0].message == "name is 501 characters long; the limit is 500"


def test_a_broken_row_still_exists_for_the_records_that_refer_to_it(tmp_path):
    orgs = (VALID / "organisations.csv").read_text(encoding="utf-8")
    broken = orgs.replace("coalition-x,Coalition X,,coalition,", "coalition-x,Coalition X, with a comma,,coalition,")
    folder = make_dataset(tmp_path, {"organisations.csv": broken.encode()})
    report = validate(folder)
    assert located(report) == [("organisations.csv", 3, None, "extra-cell")]  # no foreign-key errors elsewhere


def test_references_into_a_table_that_cannot_be_read_are_not_checked_and_the_report_says_so(tmp_path):
    folder = make_dataset(tmp_path, {"actors.csv": None})
    report = validate(folder)
    assert located(report) == [("actors.csv", None, None, "missing-table")]
    assert report.notes == ["references to actors were not checked: its file is missing or could not be read whole"]
    assert not report.valid


def test_counts_include_problems_that_max_errors_leaves_out(tmp_path):
    body = "state-c,State C,,stat,JO,,,,,src-example-report,\n" * 3
    folder = make_dataset(
        tmp_path, {"organisations.csv": body, "positions.csv": b"\xef\xbb\xbf" + (VALID / "positions.csv").read_bytes()}
    )
    full = validate(folder)
    cut = validate(folder, max_errors=2)
    assert (full.errors, full.warnings) == (cut.errors, cut.warnings) == (5, 1)
    assert (len(cut.problems), cut.omitted) == (2, 4)


def test_strict_makes_warnings_fail_and_says_so(tmp_path):
    folder = make_dataset(tmp_path, {"positions.csv": b"\xef\xbb\xbf" + (VALID / "positions.csv").read_bytes()})
    assert validate(folder).valid
    assert not validate(folder, strict=True).valid


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_line_of_spaces_is_a_blank_row(tmp_path, reference):
    folder = make_dataset(tmp_path, {"organisations.csv": "   \n"})
    assert located(validate(folder, reference=reference)) == [
        ("organisations.csv", after("organisations.csv"), None, "blank-row")
    ]


def test_an_unknown_id_that_is_a_records_alias_suggests_that_record(tmp_path):
    body = "2025-03-meeting,meeting,2025-03,,coalition-x,A meeting,,,,src-example-report,high,\n"
    participants = "2025-03-meeting-agx,2025-03-meeting,agx,target,src-example-report,,\n"
    folder = make_dataset(tmp_path, {"coalition_events.csv": body, "event_participants.csv": participants})
    (problem,) = validate(folder).problems
    assert (problem.code, problem.value, problem.hint) == (
        "foreign-key",
        "agx",
        "did you mean `armed-group-x`? (AGX is one of its aliases)",
    )


_AGX_AGAIN = "agx-front,AGX Front,AGX,armed-group,,,2014,,,src-example-report,\n"  # also called AGX
_COALITION_AGX = "coalition-agx,Coalition Y,AGX,coalition,,,2020,,,src-example-report,\n"


@pytest.mark.parametrize("first", [False, True], ids=["appended", "first"])
def test_a_name_several_records_share_suggests_each_whatever_their_order(tmp_path, first):
    participants = "2025-02-coalition-x-announced-agx,2025-02-coalition-x-announced,agx,target,src-example-report,,\n"
    folder = make_dataset(tmp_path, {"event_participants.csv": participants})
    organisations = (folder / "organisations.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    organisations.insert(1 if first else len(organisations), _AGX_AGAIN)
    (folder / "organisations.csv").write_text("".join(organisations), encoding="utf-8")
    hints = [(p.code, p.value, p.hint) for p in validate(folder).problems if p.code == "foreign-key"]
    assert hints == [
        (
            "foreign-key",
            "agx",
            "did you mean `agx-front` (AGX is one of its aliases) or `armed-group-x` (AGX is one of its aliases)?",
        )
    ]


def test_a_name_suggests_only_records_the_column_may_name(tmp_path):
    # coalition_id may name a coalition only: of two organisations called AGX, the coalition
    memberships = "coalition-agx-state-a,state-a,agx,member,2025-02,,,src-example-report,medium,\n"
    # actor_id may name a person only: the person called Grup X, not the organisation
    actors = "person-grup-x,Person Grup,Grup X,TR,1970,,src-example-report,\n"
    positions = "person-grup-x-role,grup-x,state-a-ministry,Adviser,2024,,,src-example-report,high,\n"
    folder = make_dataset(
        tmp_path,
        {
            "organisations.csv": _COALITION_AGX,
            "memberships.csv": memberships,
            "actors.csv": actors,
            "positions.csv": positions,
        },
    )
    hints = [(p.field, p.value, p.hint) for p in validate(folder).problems if p.code == "foreign-key"]
    assert hints == [
        ("coalition_id", "agx", "did you mean `coalition-agx`? (AGX is one of its aliases)"),
        ("actor_id", "grup-x", "did you mean `person-grup-x`? (Grup X is one of its aliases)"),
    ]


def test_a_name_suggests_a_record_whose_own_kind_is_wrong_as_the_kind_check_accepts_it(tmp_path):
    # an organisation with a misspelt kind is reported there, and may be named (no reference-kind-error)
    organisations = "zz-coalition,Coalition Z,AGX,coalitoin,,,2020,,,src-example-report,\n"
    memberships = "zz-state-a,state-a,agx,member,2025-02,,,src-example-report,medium,\n"
    folder = make_dataset(tmp_path, {"organisations.csv": organisations, "memberships.csv": memberships})
    hints = [(p.field, p.code, p.hint) for p in validate(folder).problems if p.file.endswith("memberships.csv")]
    assert hints == [("coalition_id", "foreign-key", "did you mean `zz-coalition`? (AGX is one of its aliases)")]


def test_a_name_that_is_a_records_own_name_says_so(tmp_path):
    participants = (
        "2025-02-coalition-x-announced-cy,2025-02-coalition-x-announced,coalition-y,target,src-example-report,,\n"
    )
    folder = make_dataset(tmp_path, {"event_participants.csv": participants, "organisations.csv": _COALITION_AGX})
    hints = [(p.value, p.hint) for p in validate(folder).problems if p.code == "foreign-key"]
    assert hints == [("coalition-y", "did you mean `coalition-agx`? (its name is Coalition Y)")]


def test_github_annotations_point_at_the_cells_column(tmp_path):
    body = 'state-c,"State, C",,stat,JO,,,,,src-example-report,\n'
    folder = make_dataset(tmp_path, {"organisations.csv": body})
    line = after("organisations.csv")
    (annotation, *_rest) = github(validate(folder)).splitlines()
    text = (folder / "organisations.csv").read_text(encoding="utf-8").splitlines()[line - 1]
    column = int(annotation.split(",col=")[1].split(",")[0])
    assert annotation.startswith(f"::error file={(folder / 'organisations.csv').as_posix()},line={line},col=")
    assert text[column - 1 :].startswith("stat,")


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_cell_longer_than_the_csv_modules_limit_is_a_constraint_error(tmp_path, reference):
    body = f"state-c,State C,,state,JO,,,,,src-example-report,{'x' * 200_000}\n"
    folder = make_dataset(tmp_path, {"organisations.csv": body})
    expected = ("organisations.csv", after("organisations.csv"), "notes", "constraint-error")
    if reference:  # the csv module stops at its limit (131,072 characters a cell), which validate leaves alone
        expected = ("organisations.csv", after("organisations.csv"), None, "parse-error")
    before = csv.field_size_limit(131_072)  # its default; an import of frictionless raises it for the process
    try:
        assert located(validate(folder, reference=reference)) == [expected]
    finally:
        csv.field_size_limit(before)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[\n{"id": "d-1"}\n]\n[{"id": "d-2"}]\n', 4),  # a second array after the first
        ('[\n{"id": "d-1"},\n', 3),  # never closed
        ('[\n{"id": "d-1"},\n]\n', 3),  # a comma before ]
        ('[{"notes": ' + "[" * 5000 + "]" * 5000 + "}]\n", 1),  # nested beyond reading
    ],
    ids=["more-after", "unclosed", "trailing-comma", "too-deep"],
)
def test_malformed_json_tables_are_parse_errors(tmp_path, text, line):
    folder = make_dataset(tmp_path, {"designations.csv": None, "designations.json": text.encode()})
    problems = [(p.line, p.code) for p in validate(folder).problems if p.file.endswith("designations.json")]
    assert (line, "parse-error") in problems


def test_a_stray_quote_inside_a_cell_is_kept_as_text(tmp_path):
    orgs = (VALID / "organisations.csv").read_text(encoding="utf-8").replace("Armed Group X,", 'Armed Group X 12" gun,')
    folder = make_dataset(tmp_path, {"organisations.csv": orgs.encode()})
    assert validate(folder).problems == []


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_quote_left_open_reports_the_record_that_swallowed_the_next_ones(tmp_path, reference):
    orgs = (VALID / "organisations.csv").read_text(encoding="utf-8")
    orgs = orgs.replace("Armed Group X", 'Armed Group" X').replace("state-a,State A", 'state-a,"State A')
    folder = make_dataset(tmp_path, {"organisations.csv": orgs.encode()})
    report = validate(folder, reference=reference)
    assert located(report) == [("organisations.csv", 4, None, "missing-cell")]
    assert "a quote is probably not closed" in report.problems[0].hint
    assert report.notes == [
        "references to organisations were not checked: its file is missing or could not be read whole"
    ]


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_row_of_one_cell_is_said_to_have_one_cell(tmp_path, reference):
    orgs = (VALID / "organisations.csv").read_text(encoding="utf-8") + "solo\n"
    folder = make_dataset(tmp_path, {"organisations.csv": orgs.encode()})
    messages = [problem.message for problem in validate(folder, reference=reference).problems]
    assert messages == ["this row has 1 cell but the header has 11"]


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_record_with_a_lone_carriage_return_in_a_cell_runs_over_two_lines(tmp_path, reference):
    # a lone CR is a line break (the one definition every line number uses): the record runs over 2 lines
    orgs = (VALID / "organisations.csv").read_text(encoding="utf-8") + 'two,"cells\rquoted"\n'
    folder = make_dataset(tmp_path, {"organisations.csv": orgs.encode()})
    report = validate(folder, reference=reference)
    ragged = [problem for problem in report.problems if problem.code == "missing-cell"]
    assert [problem.message for problem in ragged] == [
        "this record has 2 cells but the header has 11, and runs over 2 lines"
    ]


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_ragged_record_quoted_plainly_over_two_lines_is_not_blamed_on_a_stray_quote_elsewhere(tmp_path, reference):
    orgs = (VALID / "organisations.csv").read_text(encoding="utf-8").replace("Armed Group X,", 'Armed Group X 12" gun,')
    orgs += 'extra-org,"Two\nlines",,armed-group,,,,,,src-example-report,,one too many\n'
    folder = make_dataset(tmp_path, {"organisations.csv": orgs.encode()})
    report = validate(folder, reference=reference)
    line = orgs.count("\n") - 1
    assert located(report) == [("organisations.csv", line, None, "extra-cell")]
    assert report.problems[0].message == "this row has 12 cells but the header has 11"
    assert report.notes == []  # the records are all known: references to them are checked


def test_many_undecodable_lines_are_reported_in_linear_time(tmp_path):
    rows = b"".join(b"state-%d,Caf\xe9 %d,,state,FR,,,,,src-example-report,\n" % (n, n) for n in range(20_000))
    folder = make_dataset(tmp_path, {"organisations.csv": (VALID / "organisations.csv").read_bytes() + rows})
    problems = validate(folder, max_errors=3).problems
    assert [(p.line, p.code) for p in problems[:2]] == [(7, "encoding-error"), (8, "encoding-error")]


def test_a_line_of_spaces_before_the_header_is_a_blank_row_not_the_header(tmp_path):
    folder = make_dataset(tmp_path, {"organisations.csv": b"  \n" + (VALID / "organisations.csv").read_bytes()})
    assert located(validate(folder)) == [("organisations.csv", 1, None, "blank-row")]


def test_an_empty_list_item_says_so(tmp_path):
    folder = make_dataset(
        tmp_path, {"organisations.csv": "state-c,State C,Devlet C;,state,JO,,,,,src-example-report,\n"}
    )
    (problem,) = validate(folder).problems
    assert (problem.field, problem.message, problem.hint) == (
        "aliases",
        "aliases has an empty item",
        "remove the extra ';'",
    )


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_several_empty_items_in_one_cell_are_one_problem(tmp_path, reference):
    folder = make_dataset(
        tmp_path, {"organisations.csv": "state-c,State C,Devlet C;;;D,state,JO,,,,,src-example-report,\n"}
    )
    problems = validate(folder, reference=reference).problems
    assert [(p.line, p.field, p.code, p.message) for p in problems] == [
        (7, "aliases", "constraint-error", "aliases has an empty item")
    ]


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "invalid"])
def test_the_json_format_is_the_report_and_the_exit_code_says_valid(tmp_path, broken):
    folder = make_dataset(tmp_path, {"organisations.csv": "state-c,State C,,stat,JO,,,,,src-example-report,\n"})
    if not broken:
        folder = VALID
    result = CliRunner().invoke(cli, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == (1 if broken else 0), result.output
    assert json.loads(result.output) == validate(folder).to_dict()
    assert len(json.loads(result.output)["problems"]) == (1 if broken else 0)


def test_an_unreadable_path_exits_2_without_a_traceback(tmp_path):
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nowhere"), "--format", "json"])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output
    assert "Traceback" not in result.output


def test_validation_leaves_the_callers_process_as_it_was():
    interval, limit = sys.getswitchinterval(), csv.field_size_limit()
    validate(VALID)
    assert (sys.getswitchinterval(), csv.field_size_limit()) == (interval, limit)


@pytest.mark.parametrize("ending", [b"\r\r\n", b"\r\r"])
def test_a_header_ending_in_two_carriage_returns_reads_alike_on_both_paths(tmp_path, ending):
    header = (VALID / "sources.csv").read_bytes().split(b"\n", 1)[0].rstrip(b"\r")
    folder = make_dataset(tmp_path, {"sources.csv": header + ending + b"BAD,T,,,,,,en,news-report,\n"})
    assert validate(folder).problems == validate(folder, reference=True).problems


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_lone_surrogate_in_json_is_an_encoding_error_not_a_traceback(tmp_path, suffix):
    record = '{"id": "j-8", "name": "A\\ud800", "kind": "state", "source_ids": ["src-example-report"]}'
    text = f"[{record}]\n" if suffix == ".json" else record + "\n"
    folder = make_dataset(tmp_path, {"organisations.csv": None, f"organisations{suffix}": text.encode()})
    report = validate(folder)
    assert ("encoding-error", 1, "A\ufffd") in [(p.code, p.line, p.value) for p in report.problems]
    assert json.loads(json_text(report))["problems"]  # the report itself can be written out


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_key_repeated_in_a_json_record_is_reported_not_lost(tmp_path, suffix):
    record = '{"id": "j-8", "name": "A", "kind": "state", "kind": "stat", "source_ids": ["src-example-report"]}'
    text = f"[{record}]\n" if suffix == ".json" else record + "\n"
    folder = make_dataset(tmp_path, {"organisations.csv": None, f"organisations{suffix}": text.encode()})
    found = [(p.code, p.line, p.field) for p in validate(folder).problems]
    assert ("duplicate-label", 1, "kind") in found
    assert ("constraint-error", 1, "kind") in found  # the last value is the one checked
    assert validate(folder).problems == validate(folder, reference=True).problems


def test_github_annotations_read_each_file_once_however_many_problems(tmp_path, monkeypatch):
    rows = "".join(f"state-{n},State {n},,stat,JO,,,,,src-example-report,\n" for n in range(300))
    folder = make_dataset(tmp_path, {"organisations.csv": rows})
    reads = []
    real = columns_module._lines  # noqa: SLF001 - counting the reads is the point
    monkeypatch.setattr(columns_module, "_lines", lambda path, numbers: (reads.append(path), real(path, numbers))[1])
    output = github(validate(folder)).splitlines()
    assert len([line for line in output if line.startswith("::error")]) == 10
    assert "more problem(s) not annotated" in output[10]
    assert len(reads) == len(set(reads)) == 1


@pytest.mark.parametrize(("target", "code"), [(VALID, 0), (Path("nowhere"), 2)])
def test_the_console_command_exits_with_its_code_and_all_its_output(tmp_path, target, code):
    folder = make_dataset(tmp_path, {"organisations.csv": ORG_HEADER.replace("id,", "id,id,")}) if code else target
    done = subprocess.run(
        [sys.executable, "-m", "dataset_tools", "validate", str(folder), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if code:
        assert done.returncode == 1  # the broken header: invalid data
        assert json.loads(done.stdout)["errors"] >= 1
    else:
        assert done.returncode == 0
        assert json.loads(done.stdout)["valid"] is True


AFTER_THE_COMMAND = """
import atexit, sys
from dataset_tools import cli
atexit.register(lambda: print("atexit ran", flush=True))
sys.argv = ["dataset-tools", "validate", sys.argv[1], "--format", "json"]
cli.main()
"""


def test_the_console_command_ends_the_process_normally_so_atexit_handlers_run():
    done = subprocess.run(
        [sys.executable, "-c", AFTER_THE_COMMAND, str(VALID)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == "atexit ran"


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_an_empty_reference_names_nothing_even_beside_a_record_without_an_id(tmp_path, reference):
    folder = make_dataset(
        tmp_path,
        {
            "organisations.csv": ",State C,,state,JO,,,,,src-example-report,\n",
            "coalition_events.csv": "2025-03-talks,meeting,2025-03,,,Talks,,,,src-example-report,high,\n",
        },
    )
    assert located(validate(folder, reference=reference)) == [
        ("organisations.csv", after("organisations.csv"), "id", "required-error")
    ]


def test_a_folder_named_like_a_table_is_one_problem_that_calls_it_a_folder(tmp_path):
    folder = make_dataset(tmp_path, {"positions.csv": DELETE})
    (folder / "positions.csv").mkdir()
    report = validate(folder)
    assert located(report) == [("positions.csv", None, None, "unknown-file")]
    assert report.problems[0].message == "positions.csv is a folder, not a table file"


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_succession_cycle_is_found_in_the_successions_file_alone(tmp_path, reference):
    files, expected = CASES["succession-cycle"]
    folder = make_dataset(tmp_path, files)
    report = validate(folder / "successions.csv", reference=reference)
    assert located(report) == expected


@pytest.mark.parametrize(
    "where", ["reading", "saying why a file is unreadable", "a file's check", "a check of all tables"]
)
def test_a_bug_in_any_task_reaches_the_caller_and_nothing_waits_for_it(tmp_path, monkeypatch, where):
    """The pool's tasks hand files to each other: one that raises must not leave another waiting forever."""
    from dataset_tools.validation import validator  # noqa: PLC0415 - patched here only

    def broken(*_args: object, **_kwargs: object) -> list[object]:
        raise RuntimeError(where)

    def gone(*_args: object, **_kwargs: object) -> None:
        raise FileNotFoundError(2, "No such file or directory")

    if where == "reading":
        monkeypatch.setattr(validator, "read_table", broken)
    elif where == "saying why a file is unreadable":
        monkeypatch.setattr(validator, "read_table", gone)
        monkeypatch.setattr(validator, "_why", broken)
    elif where == "a file's check":
        monkeypatch.setattr(validator, "FILE_CHECKS", [*validator.FILE_CHECKS, broken])
    else:
        monkeypatch.setattr(validator, "TABLE_CHECKS", [*validator.TABLE_CHECKS, broken])
    with pytest.raises(RuntimeError, match=where):
        validator.validate(make_dataset(tmp_path, {}))


# --- every problem says what to do -------------------------------------------------------------

BAD_FIELDS = (
    "hezbollah-nul,Hezbollah\x00,,armed-group,,,,,,src-example-report,\n"  # a NUL: nul-byte and constraint-error
    "!!!,Bang,,armed-group,,,,,,src-example-report,\n"  # an id with nothing to slugify
    "q-zero,Q Zero,,armed-group,,,,,Q0,src-example-report,\n"  # no Wikidata id
    "no-country,No Country,,armed-group,QQ,,,,,src-example-report,\n"  # no country code close to it
    "no-kind,No Kind,,zzzzzzzz,,,,,,src-example-report,\n"  # no kind close to it
    'broken-line,"Broken\nLine",,armed-group,,,,,,src-example-report,\n'  # a line break in a one-line text
)
BAD_SOURCE = "src-bad,Bad,Example,not a url,,,,qq,news-report,\n"  # no URL; no language code close to it


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_a_field_problem_says_what_to_do_where_nothing_close_can_be_suggested(tmp_path, reference):
    folder = make_dataset(tmp_path, {"organisations.csv": BAD_FIELDS, "sources.csv": BAD_SOURCE})
    report = validate(folder, reference=reference)
    org, src = after("organisations.csv"), after("sources.csv")
    assert [(line, field, code) for _, line, field, code in located(report)] == [
        (org, None, "nul-byte"),
        (org, "name", "constraint-error"),
        (org + 1, "id", "constraint-error"),
        (org + 2, "wikidata_id", "constraint-error"),
        (org + 3, "country", "constraint-error"),
        (org + 4, "kind", "constraint-error"),
        (org + 5, "name", "constraint-error"),
        (src, "language", "constraint-error"),
        (src, "url", "constraint-error"),
    ]
    assert [problem for problem in report.problems if not problem.hint] == []


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_every_problem_of_every_case_says_what_to_do(tmp_path, reference):
    """Every code's case: no problem is without a hint (the catalogue's property, on real inputs)."""
    unhinted = []
    for number, case in enumerate(sorted(CASES)):
        files, _ = CASES[case]
        report = validate(make_dataset(tmp_path / str(number), files), reference=reference)
        unhinted += [(case, problem.code, problem.field) for problem in report.problems if not problem.hint]
    assert unhinted == []


def test_every_problem_the_code_makes_is_given_a_hint():
    """Each ``Problem(…)`` and ``tf.problem(…)`` call passes a hint that is not ``None`` (a file's local helper
    ``problem(…)`` has its own default); the tests above check that the hints computed are not empty."""
    package = Path(__file__).parent.parent / "dataset_tools"
    unhinted = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            made = isinstance(node.func, ast.Name) and node.func.id == "Problem"
            if not made and not (isinstance(node.func, ast.Attribute) and node.func.attr == "problem"):
                continue
            if any(keyword.arg is None for keyword in node.keywords):
                continue  # TableFile.problem handing its caller's keywords on: its callers are checked
            hint = next((keyword.value for keyword in node.keywords if keyword.arg == "hint"), None)
            if hint is None and made and len(node.args) >= 7:
                hint = node.args[6]
            if hint is None or (isinstance(hint, ast.Constant) and not hint.value):
                unhinted.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    assert unhinted == []
