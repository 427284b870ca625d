"""Hints: transliteration cached word by word is anyascii of the whole text, exactly."""

from __future__ import annotations

from anyascii import anyascii
from hypothesis import given
from hypothesis import strategies as st

from dataset_tools.hints import ascii_text, did_you_mean, slugify, suggester


@given(st.text())
def test_ascii_text_is_anyascii_word_for_word(text: str) -> None:
    assert ascii_text(text) == anyascii(text)


def test_slugify_writes_names_as_ids() -> None:
    assert slugify("Hakan Fidan") == "hakan-fidan"
    assert slugify("Hay'at Tahrir al-Sham") == "hay-at-tahrir-al-sham"
    assert slugify("Türkiye Cumhuriyeti") == "turkiye-cumhuriyeti"


def test_a_fixed_vocabulary_and_a_list_give_the_same_hint() -> None:
    choices = ("iraq", "iran", "israel")
    assert did_you_mean("irqa", choices) == did_you_mean("irqa", list(choices)) == "did you mean `iraq`?"


def test_a_prepared_list_suggests_what_did_you_mean_suggests() -> None:
    choices = ["state-a", "armed-group-x", "coalition-x", "Person-B"]
    hint = suggester(choices)
    for value in ["state-b", "armed-grup-x", "person-b", "zzzz", "COALITION-X"]:
        assert hint(value) == did_you_mean(value, choices)
    assert hint("person-b") == "did you mean `Person-B`?"
