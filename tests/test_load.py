import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import dataset_tools
from dataset_tools.errors import UsageError
from dataset_tools.release import build as release
from dataset_tools.release import loading
from dataset_tools.schema.models import SCHEMA_VERSION, TABLES, Actor, columns

FIXTURES = Path(__file__).parent / "fixtures" / "release"
SUCCESSIONS = Path(__file__).parent / "fixtures" / "successions"
"""The release fixture's records plus a chain aqi → isi → isis → splinter-front, and records known only by
an ``attested`` date (schema 1.1)."""
README = Path(__file__).parent.parent / "README.md"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    built = release.build(FIXTURES / "new", out, version="0.2.0", created="2025-01-01T00:00:00Z")
    return dataset_tools.load(built.folder)


def test_import_stays_cheap():
    code = "import sys, dataset_tools; print('pandas' in sys.modules, 'pyarrow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_tables_and_documented_dtypes(data):
    assert list(data) == list(TABLES)
    assert (data.version, data.schema_version) == ("0.2.0", SCHEMA_VERSION)
    for table, model in TABLES.items():
        frame = data[table]
        for column in columns(model):
            if column.is_list:
                assert frame[column.name].dtype == object
                assert all(isinstance(cell, list) for cell in frame[column.name])
            else:
                assert frame[column.name].dtype == "string", (table, column.name)
            if column.is_date:
                assert frame[column.name + "_first"].dtype == "datetime64[s]"
                assert frame[column.name + "_last"].dtype == "datetime64[s]"


def test_partial_dates_keep_text_and_bounds(data):
    positions = data["positions"].set_index("id")
    leader = positions.loc["abu-bakr-al-baghdadi-leader"]
    assert leader["start"] == "2010-05"
    assert leader["start_first"] == pd.Timestamp("2010-05-01")
    assert leader["start_last"] == pd.Timestamp("2010-05-31")
    minister = positions.loc["hakan-fidan-foreign-minister"]
    assert pd.isna(minister["end"])
    assert pd.isna(minister["end_last"])
    designations = data["designations"].set_index("id")
    assert designations.loc["us-sdgt-al-baghdadi", "delisted_last"] == pd.Timestamp("2020-12-31")


def test_missing_is_na_and_lists_split(data):
    isis = data["organisations"].set_index("id").loc["isis"]
    assert isis["aliases"] == ["ISIL", "Daesh", "الدولة الإسلامية", "IŞİD"]
    assert pd.isna(isis["country"])


def test_designations_active(data):
    assert list(data.designations_active("2015-01-01")["id"]) == ["us-sdgt-al-baghdadi", "turkey-isis", "us-fto-isis"]
    assert list(data.designations_active("2021", authority="us-state-department")["id"]) == ["us-fto-isis"]
    assert list(data.designations_active(dt.date(2012, 1, 1), subject="isis")["id"]) == ["us-fto-isis"]
    assert list(data.designations_active("2013", subject="isis")["id"]) == ["turkey-isis", "us-fto-isis"]
    assert data.designations_active("2015", subject="isis")["subject_name"].tolist() == ["Islamic State"] * 2
    with pytest.raises(UsageError):
        data.designations_active("June 2020")


def test_members_positions_events(data):
    members = data.members("global-coalition-against-daesh", on="2025-01-01")
    assert list(members["member_name"]) == ["Türkiye", "United States"]
    assert len(data.members("global-coalition-against-daesh")) == 3
    assert list(data.members("global-coalition-against-daesh", on="2024-12")["member_id"]) == [
        "jordan",
        "turkey",
        "united-states",
    ]
    positions = data.positions("hakan-fidan")
    assert list(positions["organisation_name"]) == ["Ministry of Foreign Affairs, Türkiye"]
    events = data.events("regional-operations-centre")
    assert list(events["id"]) == ["2025-03-ankara-agreement", "2025-03-09-amman-meeting"]


def test_records_are_models(data):
    actors = data.records("actors")
    assert all(isinstance(actor, Actor) for actor in actors)
    assert actors[0].aliases == ["أبو بكر البغدادي", "Ebubekir el-Bağdadi"]


def test_loads_a_zip_and_a_dataset_folder(tmp_path):
    built = release.build(FIXTURES / "new", tmp_path, version="0.2.0", created="2025-01-01T00:00:00Z")
    from_zip = dataset_tools.load(built.archive)
    from_folder = dataset_tools.load(FIXTURES / "new")
    for table in TABLES:
        pd.testing.assert_frame_equal(from_zip[table], from_folder[table].sort_values("id").reset_index(drop=True))
    assert (from_zip.version, from_zip.schema_version) == ("0.2.0", SCHEMA_VERSION)
    assert dataset_tools.load(built.folder).version == "0.2.0"


def test_packaged_release_loads_offline():
    data = dataset_tools.load()
    assert data.version
    assert data is dataset_tools.load()
    assert loading.packaged().joinpath("datapackage.json").exists()
    for table in TABLES:
        assert data[table]["id"].is_unique


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - the README's own examples


@pytest.fixture(scope="module")
def lineage_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    built = release.build(SUCCESSIONS, out, version="0.3.0", created="2025-01-01T00:00:00Z")
    return dataset_tools.load(built.folder)


def rows(frame: pd.DataFrame, *names: str) -> list[tuple]:
    return [
        tuple(None if pd.isna(value) else value for value in row) for row in frame[list(names)].itertuples(index=False)
    ]


def test_lineage_lists_predecessors_then_successors_in_date_order(lineage_data):
    lineage = lineage_data.lineage("isis")
    assert list(lineage.columns) == ["id", "name", "kind", "date", "direction"]
    assert rows(lineage, *lineage.columns) == [
        ("aqi", "al-Qaeda in Iraq", "renamed", "2006-10", "predecessor"),
        ("isi", "Islamic State of Iraq", "renamed", "2013-04", "predecessor"),
        ("splinter-front", "Splinter Front", "split-from", "2015", "successor"),
    ]
    assert rows(lineage_data.lineage("isi"), "id", "kind", "direction") == [
        ("aqi", "renamed", "predecessor"),
        ("isis", "renamed", "successor"),
        ("splinter-front", "split-from", "successor"),
    ]
    assert all(lineage_data.lineage(org).empty for org in ("turkey", "no-such-organisation"))
    assert lineage_data.lineage("turkey").dtypes.tolist() == ["string"] * 5


def test_lineage_of_an_undated_chain_follows_the_links(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SUCCESSIONS, folder)
    text = (folder / "successions.csv").read_text(encoding="utf-8")
    (folder / "successions.csv").write_text(text.replace("2006-10,", ",").replace("2013-04,", ","), encoding="utf-8")
    assert rows(dataset_tools.load(folder).lineage("splinter-front"), "id", "date", "direction") == [
        ("aqi", None, "predecessor"),
        ("isi", None, "predecessor"),
        ("isis", "2015", "predecessor"),
    ]


def test_designations_of_predecessors_are_included_and_marked(lineage_data):
    found = lineage_data.designations_active("2010-06-01", subject="isis", include_predecessors=True)
    assert rows(found, "id", "subject_id", "in_force", "under_predecessor") == [
        ("us-fto-isis", "isis", "certainly", False),
        ("turkey-declares-isi", "isi", "certainly", True),
        ("turkey-aqi", "aqi", "certainly", True),
    ]
    assert list(lineage_data.designations_active("2010-06-01", subject="isis")["id"]) == ["us-fto-isis"]
    # a body that broke away does not inherit what was listed under the one it left
    splinter = lineage_data.designations_active("2020", subject="splinter-front", include_predecessors=True)
    assert rows(splinter, "id", "under_predecessor") == [("turkey-splinter-front", False)]
    with pytest.raises(UsageError):
        lineage_data.designations_active("2020", include_predecessors=True)


def test_an_attested_record_is_certainly_in_force_on_its_date_and_possibly_before(lineage_data):
    on_the_day = lineage_data.designations_active("2010-06-01", subject="isi")
    before = lineage_data.designations_active("2009", subject="isi")
    assert rows(on_the_day, "id", "in_force") == [("turkey-declares-isi", "certainly")]
    assert rows(before, "id", "in_force") == [("turkey-declares-isi", "possibly")]
    assert rows(lineage_data.members("regional-operations-centre", on="2025-03-09"), "id", "in_force") == [
        ("jordan-in-regional-centre", "certainly"),
        ("turkey-in-regional-centre", "possibly"),  # started in March 2025: maybe after the 9th
    ]
    assert rows(lineage_data.members("regional-operations-centre", on="2025-01"), "id", "in_force") == [
        ("jordan-in-regional-centre", "possibly")
    ]
    assert rows(lineage_data.positions("hakan-fidan", on="2023"), "id", "in_force") == [
        ("hakan-fidan-foreign-minister", "certainly"),
        ("hakan-fidan-special-envoy", "possibly"),
    ]


def test_positions_place_an_attested_position_at_its_date(lineage_data):
    assert rows(lineage_data.positions("hakan-fidan"), "id", "start", "attested") == [
        ("hakan-fidan-foreign-minister", "2023-06-04", None),
        ("hakan-fidan-special-envoy", None, "2024-01"),
    ]
