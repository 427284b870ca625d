import json
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import dataset_tools
from dataset_tools import validate
from dataset_tools.cli import cli
from dataset_tools.errors import ReleaseRefused, UsageError
from dataset_tools.reading import packages
from dataset_tools.release import build as release
from dataset_tools.release import loading, outputs
from dataset_tools.schema.models import SCHEMA_VERSION, TABLES, columns
from dataset_tools.writing.canonical import csv_text

FIXTURES = Path(__file__).parent / "fixtures" / "release"
CREATED = "2025-05-01T12:00:00Z"
FRICTIONLESS = shutil.which("frictionless") or str(Path(__import__("sys").executable).parent / "frictionless")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    release.build(FIXTURES / "old", out, version="0.1.0", created=CREATED)
    previous = release.find_previous(out, "0.2.0")
    return release.build(FIXTURES / "new", out, version="0.2.0", created=CREATED, previous=previous)


def test_release_layout(built):
    names = sorted(path.relative_to(built.folder).as_posix() for path in built.folder.rglob("*") if path.is_file())
    for table in TABLES:
        for expected in (f"csv/{table}.csv", f"json/{table}.json", f"parquet/{table}.parquet"):
            assert expected in names
        assert f"schemas/{table}.tableschema.json" in names
        assert f"schemas/{table}.schema.json" in names
    for expected in (
        "datapackage.json",
        "coalitions.db",
        "metadata.json",
        "settings.json",
        "data-dictionary.md",
        "RELEASE_NOTES.md",
    ):
        assert expected in names
    assert built.archive.name == "coalitions-0.2.0.zip"
    with zipfile.ZipFile(built.archive) as archive:
        members = archive.namelist()
        assert members == sorted(members)
        assert set(members) == set(names) - {release.MARKER}  # datapackage.json at the root: a zipped data package
        assert {info.date_time for info in archive.infolist()} == {release.ZIP_TIME}


def test_datapackage_descriptor(built):
    package = json.loads((built.folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert package["name"] == "coalitions"
    assert package["version"] == "0.2.0"
    assert package["x-schema-version"] == SCHEMA_VERSION
    assert package["created"] == CREATED
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    for key in ("title", "description", "sources", "contributors", "keywords"):
        assert package[key]
    assert [resource["name"] for resource in package["resources"]] == list(TABLES)
    for resource in package["resources"]:
        path = built.folder / resource["path"]
        assert resource["bytes"] == path.stat().st_size
        assert resource["hash"] == "sha256:" + release.sha256(path)
        assert (resource["format"], resource["mediatype"], resource["encoding"]) == ("csv", "text/csv", "utf-8")
        assert resource["schema"]["primaryKey"] == ["id"]
    positions = next(resource for resource in package["resources"] if resource["name"] == "positions")
    assert {"fields": ["actor_id"], "reference": {"resource": "actors", "fields": ["id"]}} in positions["schema"][
        "foreignKeys"
    ]


def test_csv_is_canonical(built):
    for table, model in TABLES.items():
        text = (built.folder / "csv" / f"{table}.csv").read_bytes().decode("utf-8")
        rows = packages.read_tables(FIXTURES / "new")[table].to_pylist()
        rows.sort(key=lambda row: row["id"])
        names = [column.name for column in columns(model)]
        assert text == csv_text(names, [[row[name] for name in names] for row in rows])
    events = (built.folder / "csv" / "coalition_events.csv").read_text(encoding="utf-8")
    assert '"Foreign ministers met in Amman.\nThey agreed a joint operations centre."' in events


def test_two_builds_are_byte_identical(tmp_path):
    first = release.build(FIXTURES / "new", tmp_path / "a", version="1.0.0", created=CREATED)
    second = release.build(FIXTURES / "new", tmp_path / "b", version="1.0.0", created=CREATED)
    assert first.archive.read_bytes() == second.archive.read_bytes()
    files = sorted(path.relative_to(first.folder) for path in first.folder.rglob("*") if path.is_file())
    for relative in files:
        assert (first.folder / relative).read_bytes() == (second.folder / relative).read_bytes(), relative


def test_frictionless_cli_finds_no_error(built):
    result = subprocess.run(
        [FRICTIONLESS, "validate", "--json", "datapackage.json"],
        cwd=built.folder,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    assert report["valid"], result.stdout[:2000]
    assert result.returncode == 0


def test_our_validator_agrees(built):
    folder = built.folder / "csv"
    assert validate(folder).valid


def test_sqlite_has_keys_and_passes_foreign_key_check(built):
    connection = sqlite3.connect(built.folder / "coalitions.db")
    connection.execute("PRAGMA foreign_keys = ON")
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for table in TABLES:
        (count,) = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608
        assert count == built.counts[table]
    keys = connection.execute('PRAGMA foreign_key_list("positions")').fetchall()
    assert {(row[2], row[3], row[4]) for row in keys} == {
        ("entities", "id", "id"),
        ("entities", "actor_id", "id"),
        ("entities", "organisation_id", "id"),
    }
    for table, column in (("designations", "subject_id"), ("event_participants", "participant_id")):
        keys = connection.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()
        assert ("entities", column, "id") in {(row[2], row[3], row[4]) for row in keys}
    indexes = {row[1] for row in connection.execute('PRAGMA index_list("designations")')}
    assert {"designations_authority_id", "designations_subject_id"} <= indexes
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute(
            "INSERT INTO positions (id, actor_id, organisation_id, role, source_ids) "
            "VALUES ('x', 'nobody', 'isis', 'r', 's')"
        )
    assert connection.execute("SELECT notes FROM positions WHERE id = 'hakan-fidan-foreign-minister'").fetchone() == (
        None,
    )


def test_datasette_metadata(built):
    metadata = json.loads((built.folder / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["license"] == "CC-BY-4.0"
    assert metadata["title"]
    assert metadata["description"]
    assert metadata["source"]
    tables = metadata["databases"]["coalitions"]["tables"]
    assert set(tables) == {*TABLES, "entities"}
    for table, model in TABLES.items():
        assert tables[table]["title"]
        assert tables[table]["description"]
        expected = set()
        for column in columns(model):
            expected |= (
                {column.name, f"{column.name}_first", f"{column.name}_last"} if column.is_date else {column.name}
            )
        assert set(tables[table]["columns"]) == expected
    assert tables["designations"]["facets"] == [
        "kind",
        "confidence",
        {"array": "source_ids"},
        {"date": "listed_first"},
    ]
    assert tables["designations"]["columns"]["listed"].endswith(
        "A partial date, kept as written (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`): `2013` is the whole year, not a day;"
        " `listed_first` and `listed_last` are its first and last possible days."
    )
    assert tables["organisations"]["label_column"] == "name"
    assert tables["organisations"]["fts_table"] == "organisations_fts"
    assert json.loads((built.folder / "settings.json").read_text(encoding="utf-8")) == {"suggest_facets": False}


def test_sqlite_for_browsing(built):
    connection = sqlite3.connect(built.folder / "coalitions.db")
    assert connection.execute("SELECT \"table\", name FROM entities WHERE id = 'isis'").fetchone() == (
        "organisations",
        "Islamic State",
    )
    (entities,) = connection.execute("SELECT count(*) FROM entities").fetchone()
    assert entities == sum(built.counts.values())
    row = connection.execute(
        "SELECT aliases, source_ids, founded, founded_first, founded_last FROM organisations WHERE id = 'isis'"
    ).fetchone()
    assert row == (
        '["ISIL","Daesh","الدولة الإسلامية","IŞİD"]',
        '["un-sc-2253","us-fto-list"]',
        "2006",
        "2006-01-01",
        "2006-12-31",
    )
    assert connection.execute(
        "SELECT listed, listed_first, listed_last FROM designations WHERE id = 'us-sdgt-al-baghdadi'"
    ).fetchone() == ("2011-10", "2011-10-01", "2011-10-31")
    assert connection.execute(
        "SELECT record_id, source_id, position FROM record_sources WHERE record_id = 'isis'"
    ).fetchall() == [
        ("isis", "un-sc-2253", 1),
        ("isis", "us-fto-list", 2),
    ]
    assert connection.execute(
        "SELECT value FROM organisations, json_each(organisations.aliases) "
        "WHERE organisations.id = 'isis' AND value = 'Daesh'"
    ).fetchall() == [("Daesh",)]
    found = connection.execute(
        "SELECT id FROM organisations WHERE rowid IN "
        "(SELECT rowid FROM organisations_fts WHERE organisations_fts MATCH ?)",
        ["isid"],
    ).fetchall()
    assert found == [("isis",)]  # IŞİD, without its diacritics


def test_parquet_has_date_bounds(built):
    table = pq.read_table(built.folder / "parquet" / "designations.parquet")
    assert table.column_names[7:10] == ["listed", "listed_first", "listed_last"]
    assert table.schema.field("listed_first").type == pa.timestamp("ms")
    rows = {row["id"]: row for row in table.to_pylist()}
    assert (rows["us-sdgt-al-baghdadi"]["listed_first"], rows["us-sdgt-al-baghdadi"]["listed_last"]) == (
        pd.Timestamp("2011-10-01"),
        pd.Timestamp("2011-10-31"),
    )
    assert rows["us-fto-isis"]["delisted_first"] is None
    frame = pd.read_parquet(built.folder / "parquet" / "designations.parquet")
    loaded = dataset_tools.load(built.folder)["designations"]
    assert frame["listed_first"].dtype == "datetime64[ms]"
    after = pd.Timestamp("2010-01-01")  # the same question, asked of either, gets the same answer
    assert list(frame[frame["listed_first"] > after]["id"]) == list(loaded[loaded["listed_first"] > after]["id"])


def test_frictionless_validates_the_zip(built):
    result = subprocess.run(
        [FRICTIONLESS, "validate", "--json", str(built.archive)], capture_output=True, text=True, check=False
    )
    report = json.loads(result.stdout)
    assert report["valid"], result.stdout[:2000]
    assert sorted(task["name"] for task in report["tasks"]) == sorted(TABLES)


def test_pandas_reads_every_csv_to_documented_dtypes(built):
    for table in TABLES:
        frame = pd.read_csv(
            built.folder / "csv" / f"{table}.csv", dtype="string", keep_default_na=False, na_values=[""]
        )
        assert list(frame.columns) == [column.name for column in columns(TABLES[table])]
        assert all(dtype == "string" for dtype in frame.dtypes)
        assert len(frame) == built.counts[table]


def test_parquet_has_real_types(built):
    data = pq.read_table(built.folder / "parquet" / "organisations.parquet")
    assert data.schema.field("aliases").type == pa.list_(pa.string())
    assert data.schema.field("name").type == pa.string()
    isis = next(row for row in data.to_pylist() if row["id"] == "isis")
    assert isis["aliases"] == ["ISIL", "Daesh", "الدولة الإسلامية", "IŞİD"]
    assert isis["country"] is None


def test_json_records(built):
    records = json.loads((built.folder / "json" / "actors.json").read_text(encoding="utf-8"))
    assert [record["id"] for record in records] == ["abu-bakr-al-baghdadi", "hakan-fidan"]
    assert records[1]["aliases"] == []
    assert records[1]["notes"] is None
    assert list(records[0]) == [column.name for column in columns(TABLES["actors"])]


def test_release_notes_count_and_diff(built):
    notes = (built.folder / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "| `organisations` | 8 | 1 | 0 | 0 |" in notes
    assert "| `designations` | 3 | 0 | 0 | 1 |" in notes
    assert "## Changes since 0.1.0" in notes
    assert "- `hakan-fidan-foreign-minister`: `start` `2023-06` → `2023-06-04`; `confidence` `medium` → `high`" in notes
    assert "- `uk-proscribed-isis`" in notes


def test_invalid_data_is_refused(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(FIXTURES / "new", broken)
    path = broken / "positions.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("hakan-fidan,turkey-mfa", "hakan-fidn,turkey-mfa"))
    with pytest.raises(ReleaseRefused, match=r"positions\.csv"):
        release.build(broken, tmp_path / "out", version="1.0.0", created=CREATED)
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(cli, ["release", str(broken), "--out", str(tmp_path / "out"), "--version", "1.0.0"])
    assert result.exit_code == 1
    assert result.output.startswith("Release refused: ")


def test_cli_release_and_usage_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1746100800")
    args = ["release", str(FIXTURES / "new"), "--out", str(tmp_path), "--version", "1.2.3"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    package = json.loads((tmp_path / "coalitions-1.2.3" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["created"] == "2025-05-01T12:00:00Z"
    assert CliRunner().invoke(cli, [*args[:-1], "one"]).exit_code == 2
    assert CliRunner().invoke(cli, ["release", str(tmp_path / "missing"), "--out", str(tmp_path)]).exit_code == 2


def test_created_sources():
    assert release.created_from("2025-05-01T14:00:00+02:00", {}) == "2025-05-01T12:00:00Z"
    assert release.created_from(None, {"SOURCE_DATE_EPOCH": "0"}) == "1970-01-01T00:00:00Z"
    with pytest.raises(UsageError):
        release.created_from("yesterday", {})


def test_find_previous_picks_newest_older(tmp_path):
    for version in ("0.9.0", "0.10.0", "2.0.0"):
        folder = tmp_path / f"coalitions-{version}"
        folder.mkdir()
        (folder / "datapackage.json").write_text(json.dumps({"version": version}))
    assert release.find_previous(tmp_path, "1.0.0") == tmp_path / "coalitions-0.10.0"
    assert release.find_previous(tmp_path, "0.1.0") is None


@pytest.mark.parametrize(
    "value",
    ["plain", 'quote " and \\ backslash', "line\nbreak\r\ttab", "bell\x07 form\x0c back\x08", "الدولة;IŞİD", "a;b;c"],
)
def test_json_cells_match_json_dumps(tmp_path, value):
    data = packages.empty("actors").to_pylist()
    row = dict.fromkeys(packages.names("actors"), "")
    row.update(id="x", name=value, aliases=value, notes=value)
    data = pa.Table.from_pylist([row, {**row, "id": "y", "notes": ""}])
    path = tmp_path / "actors.json"
    outputs.write_json(data, "actors", path)
    records = json.loads(path.read_text(encoding="utf-8"))
    assert records == outputs.typed(data, "actors").to_pylist()
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    assert path.read_text(encoding="utf-8") == "[\n" + ",\n".join(encode(record) for record in records) + "\n]\n"


def test_package_metadata_names_both_licences():
    import importlib.metadata  # noqa: PLC0415

    metadata = importlib.metadata.metadata("coalition-dataset")
    assert metadata["License-Expression"] == "MIT AND CC-BY-4.0"
    assert sorted(metadata.get_all("License-File") or []) == ["LICENSE", "LICENSES/CC-BY-4.0.txt"]


SUCCESSIONS = Path(__file__).parent / "fixtures" / "successions"
SUCCESSION_ROWS = [
    ("aqi-renamed-isi", "aqi", "isi", "renamed", "2006-10"),
    ("isi-renamed-isis", "isi", "isis", "renamed", "2013-04"),
    ("splinter-front-split-from-isis", "isis", "splinter-front", "split-from", "2015"),
]


def test_the_release_carries_successions_in_every_format(tmp_path):
    built = release.build(SUCCESSIONS, tmp_path, version="0.3.0", created=CREATED)
    head = ["id", "predecessor_id", "successor_id", "kind", "date"]
    csv_rows = packages.read_tables(built.folder)["successions"].select(head).to_pylist()
    assert [tuple(row.values()) for row in csv_rows] == SUCCESSION_ROWS
    json_rows = json.loads((built.folder / "json" / "successions.json").read_text(encoding="utf-8"))
    assert [tuple(row[name] for name in head) for row in json_rows] == SUCCESSION_ROWS
    assert json_rows[0]["source_ids"] == ["un-sc-2253"]
    parquet = pq.read_table(built.folder / "parquet" / "successions.parquet")
    assert [tuple(row[name] for name in head) for row in parquet.to_pylist()] == SUCCESSION_ROWS
    assert parquet.schema.field("source_ids").type == pa.list_(pa.string())
    connection = sqlite3.connect(built.folder / "coalitions.db")
    connection.execute("PRAGMA foreign_keys = ON")
    assert connection.execute('SELECT id, predecessor_id, successor_id, kind, date FROM "successions"').fetchall() == (
        SUCCESSION_ROWS
    )
    keys = connection.execute('PRAGMA foreign_key_list("successions")').fetchall()
    assert sorted(
        (key[2], key[3], key[4]) for key in keys
    ) == [  # every reference: to entities (test_sqlite_for_browsing)
        ("entities", "id", "id"),
        ("entities", "predecessor_id", "id"),
        ("entities", "successor_id", "id"),
    ]
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert connection.execute(
        "SELECT date_first, date_last FROM successions WHERE id = 'aqi-renamed-isi'"
    ).fetchone() == (
        "2006-10-01",
        "2006-10-31",
    )
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute(
            'INSERT INTO "successions" (id, predecessor_id, successor_id, kind, source_ids) '
            'VALUES ("x", "aqi", "nowhere", "renamed", "[]")'
        )
    package = json.loads((built.folder / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(resource for resource in package["resources"] if resource["name"] == "successions")
    assert resource["schema"]["foreignKeys"] == [
        {"fields": ["predecessor_id"], "reference": {"resource": "organisations", "fields": ["id"]}},
        {"fields": ["successor_id"], "reference": {"resource": "organisations", "fields": ["id"]}},
    ]


def test_a_dataset_without_successions_releases_an_empty_table(built):
    assert (built.folder / "csv" / "successions.csv").read_text(encoding="utf-8") == (
        ",".join(column.name for column in columns(TABLES["successions"])) + "\n"
    )
    assert json.loads((built.folder / "json" / "successions.json").read_text(encoding="utf-8")) == []


def test_the_command_compares_with_and_installs_into_the_release_load_reads(tmp_path, monkeypatch):
    package = tmp_path / "package-data"
    release.build(FIXTURES / "old", tmp_path / "earlier", version="0.1.0", created=CREATED)
    shutil.copytree(tmp_path / "earlier" / "coalitions-0.1.0", package)
    monkeypatch.setattr(loading, "packaged", lambda: package)
    args = ["release", str(FIXTURES / "new"), "--out", str(tmp_path / "out"), "--version", "0.2.0"]
    result = CliRunner().invoke(cli, [*args, "--created", "2025-01-01T00:00:00Z", "--install-into-package"])
    assert result.exit_code == 0, result.output
    notes = (package / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "since 0.1.0" in notes  # the packaged release was found as the previous one
    assert json.loads((package / "datapackage.json").read_text(encoding="utf-8"))["version"] == "0.2.0"
    assert f"installed into {package}" in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["earlier", "out", "package-data"]  # nothing left over
