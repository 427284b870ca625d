import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dataset_tools
from dataset_tools.errors import UnknownId, UsageError
from dataset_tools.names import consonants, search_key
from dataset_tools.release import build as release

FIXTURES = Path(__file__).parent / "fixtures" / "release"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    built = release.build(FIXTURES / "new", out, version="0.2.0", created="2025-01-01T00:00:00Z")
    return dataset_tools.load(built.folder)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Ahmed Al-Sharaa", "ahmed sharaa"),
        ("Ebubekir el-Bağdadi", "ebubekir bagdadi"),
        ("ad-Dawla al-Islamiyya", "dawla islamiyya"),
        ("Da'esh", "daesh"),
        ("Hay’at Tahrir al-Sham", "hayat tahrir sham"),
        ("Turkey–Iraq–Syria", "turkey iraq syria"),
        ("Turkey-Iraq-Syria", "turkey iraq syria"),
        ("“Türkiye”", "turkiye"),
        ("الدولة الإسلامية", "dwlh slmyh"),
        ("Эрдоган", "erdogan"),
        ("IŞİD", "isid"),
    ],
)
def test_search_key(text, key):
    assert search_key(text) == key


def test_consonants_meet_across_arabic_script():
    assert consonants(search_key("هاكان فيدان")) == consonants(search_key("Hakan Fidan")) == "hkn fdn"
    assert consonants(search_key("أبو بكر البغدادي")) == consonants(search_key("Abu Bakr al-Baghdadi")) == "b bkr bghdd"


@given(st.text(max_size=30))
def test_search_key_is_idempotent_and_never_raises(text):
    key = search_key(text)
    assert search_key(key) == key
    assert key == key.strip()


def _top(frame, n=1):
    return list(zip(frame["id"], frame["matched"], frame["score"], strict=True))[:n]


def test_find_columns_and_exact_alias_first(data):
    found = data.find("Daesh")
    assert list(found.columns) == ["id", "table", "name", "matched", "score"]
    assert [str(dtype) for dtype in found.dtypes] == ["string", "string", "string", "string", "float64"]
    assert _top(found) == [("isis", "Daesh", 100.0)]
    assert found["table"].iloc[0] == "organisations"
    assert found["name"].iloc[0] == "Islamic State"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daesh", ("isis", "Daesh", 100.0)),
        ("DAESH", ("isis", "Daesh", 100.0)),
        ("Isid", ("isis", "IŞİD", 100.0)),
        ("Deaş", ("isis", "DEAŞ", 100.0)),
        ("الدولة الإسلامية", ("isis", "الدولة الإسلامية", 100.0)),
        ("Turkey", ("turkey", "Turkey", 100.0)),
        ("Türkiye", ("turkey", "Türkiye", 100.0)),
        ("Baghdadi", ("abu-bakr-al-baghdadi", "Abu Bakr al-Baghdadi", 90.0)),
        ("Ebubekir al-Bagdadi", ("abu-bakr-al-baghdadi", "Ebubekir el-Bağdadi", 100.0)),
        ("Abu Bakr Baghdadi", ("abu-bakr-al-baghdadi", "Abu Bakr al-Baghdadi", 100.0)),
        ("Hakan Fidn", ("hakan-fidan", "Hakan Fidan", 99.0)),
        ("Islamic State of Iraq and Syria, ISIS", ("isis", "Islamic State of Iraq and Syria, ISIS", 100.0)),
    ],
)
def test_find_across_scripts_and_spellings(data, text, expected):
    assert _top(data.find(text)) == [expected]


def test_find_dashes_match_en_dashes(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for table in (FIXTURES / "new").iterdir():
        (folder / table.name).write_bytes(table.read_bytes())
    organisations = folder / "organisations.csv"
    organisations.write_text(
        organisations.read_text(encoding="utf-8")
        + "quad,Turkey–Iraq–Syria–Jordan alliance against ISIS,,coalition,,,2025-02,,,aa-fidan-ankara,\n",
        encoding="utf-8",
    )
    found = dataset_tools.load(folder).find("Turkey-Iraq-Syria-Jordan")
    assert _top(found) == [("quad", "Turkey–Iraq–Syria–Jordan alliance against ISIS", 90.0)]


def test_find_tables_and_limit(data):
    assert list(data.find("Türkiye", tables=["actors"])["id"]) == []
    assert len(data.find("Ministry", limit=1)) == 1
    with pytest.raises(UsageError, match="cannot search designations"):
        data.find("x", tables=["designations"])


def test_find_nothing_is_an_empty_frame(data):
    found = data.find("zzqxv")
    assert found.empty
    assert list(found.columns) == ["id", "table", "name", "matched", "score"]


def test_helpers_accept_unambiguous_names(data):
    assert len(data.members("Global Coalition to Defeat ISIS")) == 3
    assert len(data.members("Global Coalition against Daesh")) == 3
    by_name = data.designations_active("2021", authority="State Department")
    assert list(by_name["id"]) == list(data.designations_active("2021", authority="us-state-department")["id"])
    assert list(data.designations_active("2015", authority="Turkey")["id"]) == ["turkey-isis"]
    assert list(data.positions("Hakan Fidan")["id"]) == ["hakan-fidan-foreign-minister"]
    assert list(data.designations_active("2015", subject="Daesh")["id"]) == ["turkey-isis", "us-fto-isis"]


def test_unknown_ids_raise_with_the_nearest(data):
    with pytest.raises(UnknownId) as raised:
        data.designations_active("2024", authority="turky")
    assert str(raised.value) == "no authority `turky`; did you mean `turkey` (Türkiye)?"
    assert raised.value.candidates[0] == ("turkey", "Türkiye")
    assert isinstance(raised.value, KeyError)
    with pytest.raises(UnknownId, match=r"^no coalition `global-coalition-against-daes`; did you mean "):
        data.members("global-coalition-against-daes")
    with pytest.raises(UnknownId, match=r"^`hakan-fidan` \(Hakan Fidan\) is a person, not a coalition$"):
        data.members("hakan-fidan")
    with pytest.raises(UnknownId, match=r"^`turkey` \(Türkiye\) is a state, not a coalition$"):
        data.events("turkey")
    with pytest.raises(UnknownId, match=r"^no person `Fidn Hakn"):
        data.positions("Fidn Hakn")
    with pytest.raises(UnknownId, match=r"^`isis` \(Islamic State\) is an armed group, not a person$"):
        data.positions("isis")


def test_ambiguous_names_raise(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for table in (FIXTURES / "new").iterdir():
        (folder / table.name).write_bytes(table.read_bytes())
    organisations = folder / "organisations.csv"
    organisations.write_text(
        organisations.read_text(encoding="utf-8")
        + "state-dept-2,Other Department,State Department,ministry,US,united-states,,,,us-fto-list,\n",
        encoding="utf-8",
    )
    with pytest.raises(UnknownId) as raised:
        dataset_tools.load(folder).designations_active("2020", authority="State Department")
    assert str(raised.value) == (
        "`State Department` names 2 records: `state-dept-2` (Other Department), "
        "`us-state-department` (US Department of State); give the id"
    )


def test_each_load_has_its_own_tables():
    first = dataset_tools.load()
    first["organisations"].loc[0, "name"] = "changed"
    first["organisations"]["aliases"].iloc[0].append("changed")
    second = dataset_tools.load()
    assert second is not first
    assert second["organisations"].loc[0, "name"] != "changed"
    assert "changed" not in second["organisations"]["aliases"].iloc[0]


def test_cli_find():
    result = subprocess.run(
        [sys.executable, "-m", "dataset_tools", "find", "Ebubekir al-Bagdadi", "--data", str(FIXTURES / "new")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "100.0  abu-bakr-al-baghdadi  [actors]  Abu Bakr al-Baghdadi  (as “Ebubekir el-Bağdadi”)"
    )
    result = subprocess.run(
        [sys.executable, "-m", "dataset_tools", "find", "Daesh", "--format", "json", "--limit", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == [
        {"id": "isis", "table": "organisations", "name": "Islamic State", "matched": "Daesh", "score": 100.0}
    ]
    result = subprocess.run(
        [sys.executable, "-m", "dataset_tools", "find", "zzqxv"], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "nothing matches 'zzqxv'\n")
    result = subprocess.run(
        [sys.executable, "-m", "dataset_tools", "find", " "], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stderr) == (
        2,
        "Error: give the name to look for, e.g. `dataset-tools find Daesh`\n",
    )


def test_a_year_may_be_given_as_a_number(data):
    assert list(data.members("global-coalition-to-defeat-isis", on=2016)["id"]) == list(
        data.members("global-coalition-to-defeat-isis", on="2016")["id"]
    )
    with pytest.raises(UsageError, match="is not a date"):
        data.members("global-coalition-to-defeat-isis", on=True)


def test_find_frame_is_plain_pandas(data):
    found = data.find("Turkey")
    pd.testing.assert_frame_equal(found, data.find("turkey"))


def test_a_table_records_cannot_be_found_in_is_a_usage_error(data):
    with pytest.raises(UsageError, match=r"^cannot search designations: the tables with names are"):
        data.find("Daesh", tables=["designations"])
    result = subprocess.run(
        [sys.executable, "-m", "dataset_tools", "find", "Daesh", "--table", "positions"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot search positions" in result.stderr
