"""Look-alikes ignoring case: the definition in dataset_tools.names, and its column form."""

from __future__ import annotations

import string
import unicodedata
from unittest import mock

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_tools import names
from dataset_tools.names import (
    _BY_TABLE,
    _translated,
    ascii_column,
    ascii_text,
    look_alike,
    skeleton,
    skeleton_columns,
    slug_of_ascii,
    slugify,
)
from dataset_tools.validation.similar import likely_duplicates

LOOK_ALIKE_LETTERS = [  # each group: letters of Latin, Cyrillic, Greek that look alike in lower case
    "a\u0430\u03b1",
    "c\u0441",
    "e\u0435",
    "i\u0456\u03b9\u0131",  # dotless ı: its capital is Latin I
    "o\u043e\u03bf",
    "p\u0440\u03c1",
    "s\u0455",
    "x\u0445\u03c7",
    "y\u0443",
    "h\u04bb",
    "j\u0458",
    "lmnt ",
]


@pytest.mark.parametrize(
    ("text", "other", "as_written", "lowered"),
    [
        ("ISLAMIC STATE", "Islamic \u0405tate", False, True),  # Cyrillic capital Ѕ; Latin I maps to l, i does not
        ("ISLAMIC STATE", "\u0406slamic \u0405tate", False, True),  # Cyrillic capitals І and Ѕ
        (  # Greek capitals and small letters, Cyrillic small с and а
            "\u1f48\u039c\u0386\u0394\u0391 SHIELD \u00d6CALAN",
            "\u1f48\u03bc\u03ac\u03b4\u03b1 Shield \u00d6\u0441\u0430lan",
            False,
            True,
        ),
        ("Hezbollah", "\u041dezbollah", True, False),  # Cyrillic capital Н maps to H; small н to ʜ, not h
        ("Islamic State", "\u0406slamic State", True, True),  # Cyrillic capital І
        ("ISLAMIC STATE", "Islamic State", False, True),  # the same letters in another case
        ("Hezbollah", "Hamas", False, False),
        ("Islamic State", "Islamic States", False, False),
    ],
)
def test_texts_look_alike_ignoring_case_by_either_skeleton(text, other, as_written, lowered):
    assert (skeleton(text) == skeleton(other)) is as_written
    assert (skeleton(text, lowered=True) == skeleton(other, lowered=True)) is lowered
    assert look_alike(text, other) is (as_written or lowered)
    assert look_alike(other, text) is (as_written or lowered)


def test_the_lowered_skeleton_is_the_skeleton_of_the_lower_case():
    assert skeleton("ISLAMIC \u0405TATE", lowered=True) == skeleton("islamic \u0455tate") == "islamic state"
    assert skeleton("ISLAMIC STATE") == "lslamlc state"  # as written, Latin capital I maps to l


_TEXTS = st.lists(
    st.none()
    | st.text()
    | st.text(alphabet=string.printable)
    | st.text(alphabet="".join(LOOK_ALIKE_LETTERS) + "ISTЅІН")
)


@settings(deadline=None)
@given(_TEXTS)
def test_both_skeletons_of_a_column_are_each_texts_skeletons(texts):
    column = pa.array(texts, type=pa.large_string())[1:]  # a slice: a column whose data starts at an offset
    written, lowered = skeleton_columns(column)
    assert written.to_pylist() == [None if text is None else skeleton(text) for text in texts[1:]]
    assert lowered.to_pylist() == [None if text is None else skeleton(text, lowered=True) for text in texts[1:]]


@st.composite
def look_alike_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """Two lower-case texts of the same letters, each letter drawn from one group of look-alikes (or not)."""
    groups = draw(st.lists(st.sampled_from(LOOK_ALIKE_LETTERS), min_size=1, max_size=12))
    text = "".join(draw(st.sampled_from(group)) for group in groups)
    other = "".join(draw(st.sampled_from(group)) for group in groups)
    return text, other


@settings(deadline=None)
@given(look_alike_pairs())
def test_upper_case_never_loses_a_look_alike_found_in_lower_case(pair):
    text, other = pair
    if look_alike(text, other):
        assert look_alike(text.upper(), other.upper())


@settings(deadline=None)
@given(look_alike_pairs())
def test_the_duplicate_check_never_loses_in_upper_case_a_pair_it_finds_in_lower_case(pair):
    def warned(text, other):
        return [
            problem.line
            for problem in likely_duplicates("organisations", "o.csv", [("a", 2, text, ()), ("b", 3, other, ())])
        ]

    text, other = pair
    if warned(text, other):
        assert len(warned(text.upper(), other.upper())) == 1


# Characters whose treatment depends on their neighbours (combining marks, in and out of their
# canonical order, final sigma, Hangul jamo and syllables, the Arabic article), that turn into more
# than one (ß, İ, ligatures, ㍻, ⑴, ½, ΐ, emoji, whose anyascii forms are words), that NFKC and NFKD
# take apart differently (Å as Ångström, ẛ̣), NUL, those either side of the surrogates and at the end
# of the Basic Multilingual Plane, full-width and mathematical letters whose NFKC form is ASCII, and
# plain letters: the column functions work on all texts joined into one string, so each text's
# result must not leak into its neighbour's.
_TRICKY = (
    "eaE\u0301\u0308\u0327\u0323\u0345\u03a3\u03c3\u03c2 \u00df\u0130\ufb01\u2460\u337b\u2474\u00bd"
    "\u0390\U0001f600\u1100\u1161\u11a8\uac00\u0627\u0644\u0647\x00-'\"%m\u212b\u1e9b\ud7ff\ue000"
    "\uffff\uff21\U0001d400\u0405"
)


@settings(deadline=None)
@given(st.lists(st.none() | st.text(alphabet=_TRICKY, max_size=8)), st.sampled_from([_BY_TABLE, 1]))
def test_column_forms_are_each_texts_form_whatever_its_neighbours(texts, by_table):
    column = pa.array(texts, type=pa.large_string())
    with mock.patch.object(names, "_BY_TABLE", by_table):  # 1: every joined text through the tables, as a long one
        written, lowered = skeleton_columns(column)
        ascii_forms = ascii_column(column)
    assert written.to_pylist() == [None if text is None else skeleton(text) for text in texts]
    assert lowered.to_pylist() == [None if text is None else skeleton(text, lowered=True) for text in texts]
    assert ascii_forms.to_pylist() == [None if text is None else ascii_text(text) for text in texts]
    assert slug_of_ascii(ascii_forms).to_pylist() == [None if t is None else slugify(t) for t in texts]


def test_a_text_holding_the_separator_is_still_each_texts_form():
    texts = ["a\x00b", "\u0130stanbul", "\u0417\x00"]
    column = pa.array(texts, type=pa.large_string())
    assert ascii_column(column).to_pylist() == [ascii_text(text) for text in texts]
    assert skeleton_columns(column)[0].to_pylist() == [skeleton(text) for text in texts]


_MAPPED = "ab\x00\x7f\x80\x81\xff\u0100\u0627\ud7ff\ue000\uffff\U00010000\U0001f600"
"""Characters a replacement table may map from and to: ASCII, NUL, the first characters a stand-in
could be (U+0080 on), the last of one byte per character (U+00FF) and the first past it, those
either side of the surrogates and at the end of the Basic Multilingual Plane (two bytes per
character in UTF-16), and past it (four)."""


@settings(deadline=None)
@given(st.text(alphabet=_MAPPED), st.dictionaries(st.sampled_from(_MAPPED), st.text(alphabet=_MAPPED, max_size=3)))
def test_translating_through_the_table_is_str_translate(text, forms):
    # replacements of none, one or several characters, into and out of one byte per character
    table = {ord(character): form for character, form in forms.items()}
    assert _translated(text, lambda code: table.get(code, chr(code))) == text.translate(table)
    long = text * (_BY_TABLE // max(len(text), 1) + 1)  # found through tables of every code point, not by sorting
    assert _translated(long, lambda code: table.get(code, chr(code))) == long.translate(table)


def test_a_table_of_many_characters_replaced_by_several_is_str_translate_too():
    # more than the stand-ins the table takes: the whole text goes through str.translate
    table = {code: chr(code) * 2 for code in range(0x410, 0x450)}  # every Cyrillic capital and small letter, doubled
    text = "".join(map(chr, range(0x400, 0x460))) * 3
    assert _translated(text, lambda code: table.get(code, chr(code))) == text.translate(table)


def _fully_mapped(text: str, *, lowered: bool = False) -> str:
    """:func:`skeleton` of ``text`` through the full mapping, as a text in other letters takes it (no ASCII path)."""
    mapping, _table = names._prototypes()  # noqa: SLF001 - the table the two paths share
    text = text.lower() if lowered else text
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    return names._mapped(decomposed, lambda part: part.translate(mapping))  # noqa: SLF001


@settings(deadline=None)
@given(st.lists(st.text(alphabet=string.printable[:95] + "''\"\"``mmrn%%", max_size=10), max_size=8))
def test_the_ascii_path_of_a_skeleton_is_the_full_mapping(texts):
    """A quote before a double quote maps to three quotes, which fold to a double quote before a quote: the ASCII
    path writes the multi-letter prototypes before folding, as the full mapping does (else 'Daesh'"' missed)."""
    expected = [_fully_mapped(text) for text in texts]
    expected_lowered = [_fully_mapped(text, lowered=True) for text in texts]
    assert [skeleton(text) for text in texts] == expected
    assert [skeleton(text, lowered=True) for text in texts] == expected_lowered
    written, lowered = skeleton_columns(pa.array(texts, type=pa.large_string()))
    assert (written.to_pylist(), lowered.to_pylist()) == (expected, expected_lowered)


def test_a_quote_written_otherwise_before_a_double_quote_looks_alike():
    assert look_alike('Daesh\u2019"', "Daesh'\"")
    assert look_alike("the 'State'\"", "th\u0435 'State'\"")  # a Cyrillic е
