"""pyarrow's regex engine (RE2) reads the models' patterns as Python's ``re`` does, string for string."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_tools.reading import bytematch
from dataset_tools.schema.models import TABLES, columns

PATTERNS = sorted({column.pattern for model in TABLES.values() for column in columns(model) if column.pattern})

PIECES = st.sampled_from([*"ab9z0-;Q_:/. \t\n\r\f\v\x00éşد", "\u00a0", "\u2028", "\u0085", "\x1c", "😀", "https://"])
TEXTS = st.lists(st.lists(PIECES, max_size=8).map("".join), max_size=30)


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(deadline=None)
@given(texts=TEXTS)
def test_every_pattern_of_the_models_means_the_same_to_pyarrow_and_to_python(pattern: str, texts: list[str]) -> None:
    found = pa.compute.match_substring_regex(pa.array(texts, pa.string()), pattern).to_pylist()
    assert found == [re.fullmatch(pattern, text) is not None for text in texts]


@settings(deadline=None)
@given(texts=TEXTS, cut=st.integers(0, 30), large=st.booleans())
def test_outer_space_is_what_str_strip_removes(texts: list[str], cut: int, large: bool) -> None:
    """Slices, several chunks and 64-bit offsets give the same answers."""
    array = pa.array(["x", *texts], pa.large_string() if large else pa.string()).slice(1)
    chunked = pa.chunked_array([array.slice(0, cut), array.slice(cut)], type=array.type)
    assert bytematch.outer_space(chunked).tolist() == [text != text.strip() for text in texts]
    assert bytematch.empty(chunked).tolist() == [text == "" for text in texts]
