"""Hints: transliteration one character at a time is anyascii of the whole text, exactly."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import pytest
from anyascii import anyascii
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import process, utils
from rapidfuzz.distance import OSA

from dataset_tools import validate
from dataset_tools.names import ascii_text, slugify
from dataset_tools.validation import future
from dataset_tools.validation.hints import CUTOFF, country_hint, date_hint, did_you_mean, suggestions
from dataset_tools.validation.validator import _validate as oracle  # the private reference path

VALID = Path(__file__).parent / "fixtures" / "valid"


@given(st.text())
def test_ascii_text_is_anyascii_of_the_whole_text(text: str) -> None:
    assert ascii_text(text) == anyascii(unicodedata.normalize("NFKC", text))


def test_slugify_writes_names_as_ids() -> None:
    assert slugify("Hakan Fidan") == "hakan-fidan"
    assert slugify("Hay'at Tahrir al-Sham") == "hay-at-tahrir-al-sham"
    assert slugify("Türkiye Cumhuriyeti") == "turkiye-cumhuriyeti"


def test_a_fixed_vocabulary_and_a_list_give_the_same_hint() -> None:
    choices = ("iraq", "iran", "israel")
    assert did_you_mean("irqa", choices) == did_you_mean("irqa", list(choices)) == "did you mean `iraq`?"


def test_many_values_at_once_get_what_did_you_mean_suggests() -> None:
    choices = ["state-a", "armed-group-x", "coalition-x", "Person-B"]
    values = ["state-b", "armed-grup-x", "person-b", "zzzz", "COALITION-X"]
    assert suggestions(values, choices) == [did_you_mean(value, choices) for value in values]
    assert suggestions(["person-b"], choices) == ["did you mean `Person-B`?"]
    assert suggestions(["x"], []) == [None]


def _one_at_a_time(value: str, choices: list[str]) -> str | None:
    """How hints were found before: one search per value (rapidfuzz's extractOne)."""
    prepared = [utils.default_process(choice) for choice in choices]
    found = process.extractOne(
        utils.default_process(value), prepared, scorer=OSA.normalized_similarity, score_cutoff=CUTOFF
    )
    return f"did you mean `{choices[found[2]]}`?" if found else None


@given(
    values=st.lists(st.text(alphabet="abcA-é ", max_size=6), max_size=8),
    choices=st.lists(st.text(alphabet="abcA-é ", max_size=6), max_size=12),
)
def test_many_values_at_once_pick_what_one_search_per_value_picks_ties_included(values, choices) -> None:
    assert suggestions(values, choices) == [_one_at_a_time(value, choices) for value in values]


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("Turkey", "did you mean `TR`?"),
        ("Türkiye", "did you mean `TR`?"),
        ("TURKIYE", "did you mean `TR`?"),
        ("UK", "did you mean `GB`?"),
        ("United Kingdom", "did you mean `GB`?"),
        ("TUR", "did you mean `TR`?"),
        ("Syria", "did you mean `SY`?"),
        ("Russia", "did you mean `RU`?"),
        ("Narnia", None),
    ],
)
def test_country_names_hint_their_codes(value, hint) -> None:
    assert country_hint(value) == hint


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("2025/02/04", "did you mean `2025-02-04`?"),
        ("2025.02.04", "did you mean `2025-02-04`?"),
        ("2025-2-4", "did you mean `2025-02-04`?"),
        ("04.02.2025", "did you mean `2025-02-04`?"),
        ("13/02/2025", "did you mean `2025-02-13`?"),
        ("04/02/2025", "did you mean `2025-02-04` (day first) or `2025-04-02` (month first)?"),
        ("02/2025", "did you mean `2025-02`?"),
        ("2025/02", "did you mean `2025-02`?"),
        ("4 February 2025", "did you mean `2025-02-04`?"),
        ("Feb 4, 2025", "did you mean `2025-02-04`?"),
        ("March 2021", "did you mean `2021-03`?"),
        ("31.02.2025", None),
        ("soon", None),
    ],
)
def test_date_spellings_hint_the_iso_form(value, hint) -> None:
    assert date_hint(value) == hint


def _problems(folder, reference=False):
    report = oracle(folder, reference=True) if reference else validate(folder)
    return [
        (problem.file.rsplit("/", 1)[-1], problem.line, problem.field, problem.code, problem.hint)
        for problem in report.problems
    ]


@pytest.mark.parametrize("reference", [False, True])
def test_validation_gives_country_and_date_hints_and_warns_of_future_dates(tmp_path, monkeypatch, reference) -> None:
    shutil.copytree(VALID, tmp_path / "d")
    folder = tmp_path / "d"
    organisations = folder / "organisations.csv"
    text = organisations.read_text(encoding="utf-8")
    text = text.replace("state-a,State A,Devlet A,state,TR,", "state-a,State A,Devlet A,state,Türkiye,")
    text = text.replace(
        "coalition-x,Coalition X,,coalition,,,2025-02,", "coalition-x,Coalition X,,coalition,,,04.02.2025,"
    )
    text = text.replace(
        "armed-group-x,Armed Group X,AGX;Grup X,armed-group,,,2013,,",
        "armed-group-x,Armed Group X,AGX;Grup X,armed-group,,,2013,2031,",
    )
    organisations.write_text(text, encoding="utf-8")
    actors = folder / "actors.csv"
    actors.write_text(actors.read_text(encoding="utf-8").replace(",TR,1968,", ",UK,1968,"), encoding="utf-8")
    monkeypatch.setattr(future, "today", lambda: dt.date(2030, 12, 31))
    assert _problems(folder, reference) == [
        ("actors.csv", 2, "nationality", "constraint-error", "did you mean `GB`?"),
        (
            "organisations.csv",
            2,
            "dissolved",
            "future-date",
            "check the year; a planned event is recorded once it has happened",
        ),
        ("organisations.csv", 3, "founded", "type-error", "did you mean `2025-02-04`?"),
        ("organisations.csv", 4, "country", "constraint-error", "did you mean `TR`?"),
    ]
    monkeypatch.setattr(future, "today", lambda: dt.date(2031, 1, 1))
    assert [problem[3] for problem in _problems(folder, reference)] == [
        "constraint-error",
        "type-error",
        "constraint-error",
    ]
