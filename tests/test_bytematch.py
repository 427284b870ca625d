"""The byte-level pattern tests agree with the regex engine, string for string."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataset_tools.reading import bytematch
from dataset_tools.schema.ids import QID_PATTERN, SLUG_PATTERN
from dataset_tools.schema.models import ITEM_PATTERN, LONG_TEXT_PATTERN, TABLES, TEXT_PATTERN, columns

SHAPED = [TEXT_PATTERN, LONG_TEXT_PATTERN, ITEM_PATTERN, SLUG_PATTERN]

ALPHABET = st.sampled_from([*"ab9z-;Q_ \t\n\r\f\v\x00éşد", "\u00a0", "\u2028", "😀"])
TEXTS = st.lists(st.text(ALPHABET, max_size=8), max_size=30)


def expected(pattern: str, texts: list[str]) -> list[bool]:
    compiled = re.compile(pattern)
    return [compiled.fullmatch(text) is None for text in texts]


def test_the_models_text_and_id_patterns_take_the_byte_path() -> None:
    used = {column.pattern for model in TABLES.values() for column in columns(model) if column.pattern}
    assert set(SHAPED) <= used
    assert all(bytematch.matcher(pattern) is not None for pattern in SHAPED)


@pytest.mark.parametrize(
    "pattern",
    [
        QID_PATTERN,
        r"^[0-9]{4}$",
        r"^[^a]([^ab]*[^a])?$",  # the inner class holds a character the edges allow
        r"^[^\s]([^\n]*[^\s])?$",  # \s holds non-ASCII spaces in Python
        r"^[^é]([^é]*[^é])?$",
        r"^[a-z]+(a[a-z]+)*$",  # the separator is one of the characters
        r"^[a-z]+(.[a-z]+)*$",  # the separator is a regex operator
    ],
)
def test_other_patterns_go_to_the_regex_engine(pattern: str) -> None:
    assert bytematch.matcher(pattern) is None
    assert bytematch.bad_values(pattern, pa.array(["a"])) is None


@pytest.mark.parametrize("pattern", SHAPED)
@given(texts=TEXTS)
def test_bytes_agree_with_the_regex(pattern: str, texts: list[str]) -> None:
    found = bytematch.bad_values(pattern, pa.array(texts, pa.string()))
    assert found is not None
    assert found.tolist() == expected(pattern, texts)


@pytest.mark.parametrize("pattern", [TEXT_PATTERN, SLUG_PATTERN])
@given(texts=TEXTS, cut=st.integers(0, 30), large=st.booleans())
def test_slices_chunks_and_large_strings(pattern: str, texts: list[str], cut: int, large: bool) -> None:
    """Offsets that do not start at zero, several chunks, 64-bit offsets: the same answers."""
    array = pa.array(["x", *texts], pa.large_string() if large else pa.string()).slice(1)
    chunked = pa.chunked_array([array.slice(0, cut), array.slice(cut)], type=array.type)
    found = bytematch.bad_values(pattern, chunked)
    assert found is not None
    assert found.tolist() == expected(pattern, texts)


def test_a_character_class_that_starts_with_a_caret_is_read_literally() -> None:
    found = bytematch.bad_values(r"^[^^a]([^^a]*[^^a])?$", pa.array(["^x", "x", "a", "b^c"]))
    assert found is not None
    assert found.tolist() == [True, False, True, True]


@given(texts=st.lists(st.text(st.sampled_from([*"ab9-;Q é"]), max_size=8), max_size=30))
def test_lists_of_slugs_are_tested_whole(texts: list[str]) -> None:
    """A cell is bad exactly when one of its ``;``-separated items is (an empty item included)."""
    compiled = re.compile(SLUG_PATTERN)
    found = bytematch.bad_values(SLUG_PATTERN, pa.array(texts, pa.string()), ";")
    assert found is not None
    assert found.tolist() == [any(compiled.fullmatch(item) is None for item in text.split(";")) for text in texts]


def test_lists_of_text_go_item_by_item() -> None:
    assert bytematch.matcher(ITEM_PATTERN, ";") is None


NEAR_SPACE = [*bytematch.WHITESPACE, *map(chr, range(0x2010, 0x2028)), "\u3001", "\u205e", "\u2060", "\u1681", "\u00a1"]
"""Every whitespace character, and characters sharing its first bytes (dashes, quotes, ideographic comma, …)."""
EDGE_ALPHABET = st.sampled_from([*NEAR_SPACE, *"aZ.é", "\u0434", "\u062f", "\u10d0", "\u4e00", "\U0001f600"])


@given(texts=st.lists(st.text(EDGE_ALPHABET, max_size=4), max_size=30), cut=st.integers(0, 30), large=st.booleans())
def test_outer_space_is_what_str_strip_removes(texts: list[str], cut: int, large: bool) -> None:
    """The byte test equals ``value != value.strip()``, the rule's definition, in slices and chunks too."""
    array = pa.array(["\u3000", *texts], pa.large_string() if large else pa.string()).slice(1)
    chunked = pa.chunked_array([array.slice(0, cut), array.slice(cut)], type=array.type)
    assert bytematch.outer_space(chunked).tolist() == [text != text.strip() for text in texts]


@given(texts=TEXTS, size=st.integers(0, 12), cut=st.integers(0, 30), large=st.booleans())
def test_longer_is_more_bytes_than_the_size(texts: list[str], size: int, cut: int, large: bool) -> None:
    """The offsets' test equals ``len(text.encode()) > size``, in slices and chunks too."""
    array = pa.array(["x", *texts], pa.large_string() if large else pa.string()).slice(1)
    chunked = pa.chunked_array([array.slice(0, cut), array.slice(cut)], type=array.type)
    assert bytematch.longer(chunked, size).tolist() == [len(text.encode()) > size for text in texts]
