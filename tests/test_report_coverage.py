"""The news report on the Turkey–Iraq–Syria–Jordan alliance is encoded completely.

Source document: shared/source-documents/000_6595af637ea0c392.txt, recorded in
datasets/sources.csv as ``report-turkey-iraq-syria-jordan-alliance``. Each entity the
report names must exist under its correct name, with the report's spelling as the name
or an alias, and each claim the report makes must be a record that cites the report.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

DATASETS = Path(__file__).resolve().parent.parent / "datasets"
REPORT = "report-turkey-iraq-syria-jordan-alliance"
ALLIANCE = "turkey-iraq-syria-jordan-alliance"
TABLES = (
    "sources",
    "organisations",
    "actors",
    "positions",
    "memberships",
    "designations",
    "coalition_events",
    "event_participants",
)

# (record id, table, spelling used in the report)
ENTITIES = [
    ("turkey", "organisations", "Turkey"),
    ("turkey", "organisations", "Ankara"),
    ("iraq", "organisations", "Iraq"),
    ("syria", "organisations", "Syria"),
    ("jordan", "organisations", "Jordan"),
    ("united-states", "organisations", "United States"),
    ("iran", "organisations", "Iran"),
    ("russia", "organisations", "Russia"),
    ("isis", "organisations", "Islamic State (ISIS)"),
    ("isis", "organisations", "ISIS"),
    ("sdf", "organisations", "Syrian Democratic Forces"),
    ("sdf", "organisations", "SDF"),
    ("ypg", "organisations", "YPG"),
    ("syria-caretaker-government", "organisations", "Syria's newly established government"),
    ("turkey-ministry-of-national-defence", "organisations", "Turkey's Ministry of Defence"),
    ("anadolu-agency", "organisations", "Anadolu news agency"),
    ("turkey-iraq-syria-jordan-alliance", "organisations", "new alliance"),
    ("hakan-fidan", "actors", "Hakan Fidan"),
    ("recep-tayyip-erdogan", "actors", "Recep Tayyip Erdoğan"),
    ("ahmed-al-sharaa", "actors", "Ahmed Al-Sarraj"),
    ("zeki-akturk", "actors", "Zeki Akterk"),
    ("bashar-al-assad", "actors", "Bashar al-Assad"),
]

# Correct names the misspellings must resolve to, and well-known alternative spellings.
CORRECT_NAMES = [
    ("ahmed-al-sharaa", "actors", "Ahmed al-Sharaa"),
    ("zeki-akturk", "actors", "Zeki Aktürk"),
    ("recep-tayyip-erdogan", "actors", "Recep Tayyip Erdoğan"),
]
ALTERNATIVE_SPELLINGS = [
    ("ahmed-al-sharaa", "actors", "Abu Mohammad al-Jawlani"),
    ("ahmed-al-sharaa", "actors", "Abu Mohammad al-Julani"),
    ("recep-tayyip-erdogan", "actors", "Recep Tayyip Erdogan"),
    ("isis", "organisations", "ISIL"),
    ("isis", "organisations", "Daesh"),
    ("isis", "organisations", "Islamic State of Iraq and the Levant"),
    ("turkey", "organisations", "Türkiye"),
]

# The earlier coalitions the report mentions, and who leads each.
EARLIER_COALITIONS = [
    ("global-coalition-to-defeat-isis", "united-states"),
    ("russia-led-coalition-syria", "russia"),
    ("axis-of-resistance", "iran"),
]


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """Read one CSV table of the dataset as a tuple of rows."""
    with (DATASETS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def by_id(name: str) -> dict[str, dict[str, str]]:
    """Index a table's rows by id."""
    return {row["id"]: row for row in table(name)}


def cites_report(row: dict[str, str]) -> bool:
    """Whether a record lists the report among its sources."""
    return REPORT in row["source_ids"].split(";")


def names_of(row: dict[str, str]) -> list[str]:
    """The name and every alias of an organisation or actor."""
    return [row["name"], *filter(None, row["aliases"].split(";"))]


def participants(event_id: str) -> dict[str, str]:
    """Map each participant of an event to its role."""
    return {row["participant_id"]: row["role"] for row in table("event_participants") if row["event_id"] == event_id}


def test_report_is_a_source_without_invented_publisher_url_or_date() -> None:
    report = by_id("sources")[REPORT]
    assert report["kind"] == "news-report"
    assert report["publisher"] == ""
    assert report["url"] == ""
    assert report["published"] == ""
    assert "unknown" in report["notes"].lower()


@pytest.mark.parametrize(("record_id", "table_name", "spelling"), ENTITIES)
def test_report_entity_is_present_under_report_spelling(record_id: str, table_name: str, spelling: str) -> None:
    row = by_id(table_name).get(record_id)
    assert row is not None, f"{record_id} missing from {table_name}.csv"
    assert spelling in names_of(row), f"{spelling!r} is neither the name nor an alias of {record_id}"
    assert cites_report(row), f"{record_id} does not cite the report"


@pytest.mark.parametrize(("record_id", "table_name", "name"), CORRECT_NAMES)
def test_misspelled_people_carry_their_correct_name(record_id: str, table_name: str, name: str) -> None:
    assert by_id(table_name)[record_id]["name"] == name


@pytest.mark.parametrize(("record_id", "table_name", "spelling"), ALTERNATIVE_SPELLINGS)
def test_alternative_spellings_are_aliases(record_id: str, table_name: str, spelling: str) -> None:
    assert spelling in names_of(by_id(table_name)[record_id])


def test_no_second_record_for_a_misspelling() -> None:
    for table_name in ("actors", "organisations"):
        for row in table(table_name):
            assert row["name"] not in {"Ahmed Al-Sarraj", "Zeki Akterk"}


@pytest.mark.parametrize("state", ["turkey", "iraq", "syria", "jordan"])
def test_four_states_are_members_of_the_alliance(state: str) -> None:
    rows = [r for r in table("memberships") if r["member_id"] == state and r["coalition_id"] == ALLIANCE]
    assert rows
    assert all(cites_report(r) for r in rows)
    assert by_id("organisations")[ALLIANCE]["kind"] == "coalition"


def test_alliance_announcement_by_fidan_through_anadolu() -> None:
    event = by_id("coalition_events")["2025-02-05-alliance-announcement"]
    assert event["kind"] == "announcement"
    assert event["coalition_id"] == ALLIANCE
    assert cites_report(event)
    roles = participants(event["id"])
    assert roles["hakan-fidan"] == "announcer"
    assert roles["anadolu-agency"] == "outlet"


def test_initial_agreement_names_the_cooperation_areas() -> None:
    event = by_id("coalition_events")["2025-02-alliance-initial-agreement"]
    assert event["kind"] == "agreement"
    assert cites_report(event)
    summary = event["summary"].lower()
    for area in ("foreign ministries", "defence", "intelligence", "border security", "military operations"):
        assert area in summary
    roles = participants(event["id"])
    assert {"turkey-ministry-of-foreign-affairs", "turkey-ministry-of-national-defence", "turkey-mit"} <= roles.keys()


@pytest.mark.parametrize("subject", ["sdf", "ypg"])
def test_turkey_designates_sdf_and_ypg(subject: str) -> None:
    rows = [r for r in table("designations") if r["authority_id"] == "turkey" and r["subject_id"] == subject]
    assert len(rows) == 1
    row = rows[0]
    assert row["kind"] == "declared-terrorist"  # official statements, no published legal listing (audit A14)
    assert cites_report(row)
    assert row["listed"] == "", "the listing date is unknown and must not be invented"


def test_ypg_is_the_sdf_affiliate() -> None:
    assert by_id("organisations")["ypg"]["parent_id"] == "sdf"


def test_ankara_meeting_on_2025_02_04() -> None:
    event = by_id("coalition_events")["2025-02-04-ankara-meeting"]
    assert event["date"] == "2025-02-04"
    assert event["location"] == "Ankara"
    assert cites_report(event)
    assert "no year" in event["notes"]
    roles = participants(event["id"])
    assert roles["recep-tayyip-erdogan"] == "host"
    assert roles["ahmed-al-sharaa"] == "guest"


def test_trilateral_initiative_announced_by_akturk() -> None:
    event = by_id("coalition_events")["2025-turkey-syria-jordan-trilateral-initiative-announcement"]
    assert cites_report(event)
    roles = participants(event["id"])
    assert roles["zeki-akturk"] == "announcer"
    assert {roles["turkey"], roles["syria"], roles["jordan"]} == {"lead"}
    assert roles["isis"] == "target"
    assert "iraq" not in roles


def test_assad_departure_in_december_2024() -> None:
    event = by_id("coalition_events")["2024-12-08-assad-leaves-syria"]
    assert event["date"].startswith("2024-12")
    assert cites_report(event)
    assert participants(event["id"])["bashar-al-assad"] == "participant"
    position = by_id("positions")["bashar-al-assad-president-of-syria"]
    assert position["end"].startswith("2024-12")


def test_sdf_manages_isis_prisons_and_turkey_wants_them_transferred() -> None:
    event = by_id("coalition_events")["2025-turkey-demands-transfer-of-isis-prisons"]
    assert cites_report(event)
    assert "prison" in event["summary"]
    roles = participants(event["id"])
    assert roles["turkey"] == "announcer"
    assert roles["sdf"] == "target"
    assert "syria-caretaker-government" in roles  # the transitional government dates from 2025-03-29


@pytest.mark.parametrize(("coalition_id", "leader"), EARLIER_COALITIONS)
def test_earlier_coalitions_and_their_leaders(coalition_id: str, leader: str) -> None:
    coalition = by_id("organisations")[coalition_id]
    assert coalition["kind"] == "coalition"
    assert cites_report(coalition)
    leads = [
        r
        for r in table("memberships")
        if r["coalition_id"] == coalition_id and r["member_id"] == leader and r["role"] == "lead"
    ]
    assert leads
    assert all(cites_report(r) for r in leads)


def test_iran_led_coalition_is_marked_uncertain() -> None:
    notes = by_id("organisations")["axis-of-resistance"]["notes"].lower()
    assert "uncertain" in notes or "interpretation" in notes
    lead = by_id("memberships")["axis-of-resistance-iran"]
    assert lead["confidence"] in {"medium", "low"}


@pytest.mark.parametrize(
    ("actor_id", "organisation_id", "start"),
    [
        ("hakan-fidan", "turkey-ministry-of-foreign-affairs", "2023-06"),
        ("recep-tayyip-erdogan", "turkey", "2014-08-28"),
        ("ahmed-al-sharaa", "syria", "2025-01-29"),
        ("zeki-akturk", "turkey-ministry-of-national-defence", ""),
    ],
)
def test_positions_of_people_named(actor_id: str, organisation_id: str, start: str) -> None:
    rows = [r for r in table("positions") if r["actor_id"] == actor_id and r["organisation_id"] == organisation_id]
    assert rows
    assert rows[0]["start"] == start
    assert cites_report(rows[0])


@pytest.mark.parametrize("name", TABLES)
def test_every_record_cites_an_existing_source(name: str) -> None:
    sources = set(by_id("sources"))
    if name == "sources":
        return
    for row in table(name):
        cited = row["source_ids"].split(";")
        assert all(cited), f"{name}.csv {row['id']} cites no source"
        missing = [s for s in cited if s not in sources]
        assert not missing, f"{name}.csv {row['id']} cites unknown sources {missing}"


def test_ids_are_unique_across_all_tables() -> None:
    ids = [row["id"] for name in TABLES for row in table(name)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", TABLES)
def test_rows_are_sorted_by_id(name: str) -> None:
    ids = [row["id"] for row in table(name)]
    assert ids == sorted(ids)
