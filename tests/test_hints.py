"""Hints: transliteration cached word by word is anyascii of the whole text, exactly."""

from __future__ import annotations

import unicodedata

from anyascii import anyascii
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import process, utils
from rapidfuzz.distance import OSA

from dataset_tools.names import ascii_text, slugify
from dataset_tools.validation.hints import CUTOFF, did_you_mean, suggestions


@given(st.text())
def test_ascii_text_is_anyascii_word_for_word(text: str) -> None:
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
