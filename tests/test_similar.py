"""Likely duplicates: names and aliases that match after transliteration and case folding."""

from __future__ import annotations

import itertools
import random
import re
import string
import time
from unittest import mock

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from dataset_tools.names import ascii_column, ascii_text, comparable, skeleton, skeleton_columns
from dataset_tools.reading.tables import read_table
from dataset_tools.validation import similar
from dataset_tools.validation.problems import CODES, Severity
from dataset_tools.validation.similar import (
    NAMED_TABLES,
    Named,
    _key_column,
    _key_numbers,
    _name_texts,
    _numbers_of,
    _similar_entries,
    _words,
    duplicate_names,
    from_columns,
    key,
    keys,
    likely_duplicates,
)


def found(records, **kwargs):
    return [
        (problem.line, problem.field, problem.value, problem.code)
        for problem in likely_duplicates("organisations", "datasets/organisations.csv", records, **kwargs)
    ]


def test_the_code_is_a_documented_warning():
    severity, meaning, todo = CODES["possible-duplicate"]
    assert severity is Severity.WARNING
    assert meaning
    assert todo
    assert NAMED_TABLES == ("organisations", "actors")


def test_key_transliterates_folds_case_and_sorts_words():
    assert key("Hakan FİDAN") == key("fidan, hakan") == "fidan hakan"
    assert key("Türkiye") == key("TURKIYE")
    assert key("Ḥayʼat Taḥrīr al-Shām") == key("Hayat Tahrir al Sham")
    assert key("Da'esh") == key("Daesh")
    assert key("---") == ""


@settings(deadline=None)
@given(st.lists(st.text() | st.text(alphabet="ab1 '`\u2019\u00c9-")))  # quotes, dropped; dashes, spaces
def test_keys_of_a_column_are_each_texts_key_as_defined(texts):
    def defined(text):  # the definition: ASCII, case-folded, apostrophes dropped, words only, words sorted
        return " ".join(sorted(re.findall("[0-9a-z]+", comparable(text).replace("'", "").replace("`", ""))))

    assert keys(texts) == [defined(text) for text in texts]


@settings(deadline=None)
@given(st.lists(st.none() | st.text() | st.text(alphabet=string.printable)))
def test_keys_of_a_sliced_column_with_nulls_are_each_texts_key(texts):
    column = pa.array(texts, type=pa.large_string())[1:]  # its data starts at an offset
    assert _key_column(column).to_pylist() == keys([text or "" for text in texts[1:]])


@settings(deadline=None)
@given(st.lists(st.text(alphabet="ab 0123456789")))
def test_the_numbers_of_a_column_of_keys_are_each_keys_numbers_as_defined(keys):
    def defined(key):  # the digits of each word that has some, each once, sorted
        return " ".join(sorted({re.sub("[^0-9]+", "", word) for word in key.split() if re.search("[0-9]", word)}))

    assert _numbers_of(pa.array(keys, type=pa.large_string())).to_pylist() == [defined(key) for key in keys]


@settings(deadline=None)
@given(st.lists(st.text() | st.text(alphabet=string.printable)))
def test_skeletons_of_a_column_are_each_texts_skeleton(texts):
    assert skeleton_columns(pa.array(texts, type=pa.large_string()))[0].to_pylist() == [skeleton(t) for t in texts]


@settings(deadline=None)
@given(st.lists(st.none() | st.text() | st.text(alphabet=string.printable)))
def test_columns_with_nulls_are_each_texts_ascii_form_and_skeleton(texts):
    column = pa.array(texts, type=pa.large_string())[1:]  # a slice: a column whose data starts at an offset
    expected = texts[1:]
    assert ascii_column(column).to_pylist() == [None if text is None else ascii_text(text) for text in expected]
    written = skeleton_columns(column)[0]
    assert written.to_pylist() == [None if text is None else skeleton(text) for text in expected]


@pytest.mark.parametrize(
    ("latin", "look_alike"),
    [
        ("Islamic State", "\u0406slamic State"),  # Cyrillic capital І
        ("Hezbollah", "\u041de\u0437bollah".replace("\u0437", "z")),  # Cyrillic capital Н
        ("Hezbollah", "H\u0435zb\u043ell\u0430h"),  # Cyrillic small е, о, а
        ("Bahrain", "\u0412ahrain"),  # Cyrillic capital В
        ("Bahrain", "\u0392ahrain"),  # Greek capital Beta
    ],
)
def test_a_look_alike_in_other_letters_is_a_duplicate(latin, look_alike):
    assert skeleton(look_alike) == skeleton(latin)
    records = [Named("a", 2, latin), Named("b", 3, look_alike)]
    assert found(records) == [(3, "name", look_alike, "possible-duplicate")]


@pytest.mark.parametrize(
    ("latin", "look_alike"),
    [
        ("Hezbollah", "\u041de\u0437bollah".replace("\u0437", "z")),  # only the skeletons match
        ("Islamic State", "\u0406slamic State"),  # the keys match too
        ("ISIS", "\uff29\uff33\uff29\uff33"),  # full-width letters
        ("T\u00fcrkiye", "\u0422\u00fcrkiye"),  # the plain one is not ASCII either: Cyrillic Т among Latin
        ("\u0425\u0435\u0437\u0431\u043e\u043b\u043b\u0430", "X\u0435\u0437\u0431\u043e\u043b\u043b\u0430"),  # Latin X
    ],
)
def test_the_look_alike_spelling_is_warned_whichever_line_it_stands_on(latin, look_alike):
    for latin_line, other_line in ((2, 3), (3, 2)):
        for new_ids in (None, {"plain", "odd"}):  # in a pull request that adds both, too
            records = [Named("plain", latin_line, latin), Named("odd", other_line, look_alike)]
            [problem] = likely_duplicates("organisations", "organisations.csv", records, new_ids=new_ids)
            assert (problem.line, problem.value) == (other_line, look_alike)
            assert "keep one record (`plain`)" in problem.hint
            assert "it is written with U+" in problem.message
            assert "U+0054" not in problem.message
            assert "U+0425" not in problem.message


def test_a_look_alike_warning_names_the_letters_from_another_script():
    records = [Named("hezbollah", 2, "Hezbollah"), Named("b", 3, "H\u0435zbollah")]
    [problem] = likely_duplicates("organisations", "organisations.csv", records)  # the keys match: both hezbollah
    assert problem.message == (
        "'H\u0435zbollah' matches the name 'Hezbollah' of 'hezbollah' (line 2); "
        "it is written with U+0435 CYRILLIC SMALL LETTER IE"
    )
    records = [Named("bahrain", 2, "Bahrain"), Named("b", 3, "\u0412ahrain")]  # only the skeletons match
    [problem] = likely_duplicates("organisations", "organisations.csv", records)
    assert problem.message == (
        "'\u0412ahrain' looks the same as (in other letters) the name 'Bahrain' of 'bahrain' (line 2); "
        "it is written with U+0412 CYRILLIC CAPITAL LETTER VE"
    )


def warnings(records):
    return [
        (problem.line, problem.field, problem.code, problem.message)
        for problem in likely_duplicates("organisations", "organisations.csv", records)
    ]


_GREEK_CAPITALS = "\u1f48\u039c\u0386\u0394\u0391 SHIELD \u00d6CALAN"  # ὈΜΆΔΑ SHIELD ÖCALAN
_GREEK_SMALL = "\u1f48\u03bc\u03ac\u03b4\u03b1 Shield \u00d6\u0441\u0430lan"  # Ὀμάδα Shield Öсаlan, Cyrillic с, а


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (  # the regression of 5867c2d: as written, Latin capital I maps to l and small i does not
            "ISLAMIC STATE",
            "Islamic \u0405tate",
            (
                "'Islamic \u0405tate' looks the same as (in other letters) the name 'ISLAMIC STATE' of 'a' (line 2); "
                "it is written with U+0405 CYRILLIC CAPITAL LETTER DZE"
            ),
        ),
        (
            "ISLAMIC STATE",
            "\u0406slamic \u0405tate",
            (
                "'\u0406slamic \u0405tate' looks the same as (in other letters) the name 'ISLAMIC STATE' of 'a' "
                "(line 2); it is written with U+0406 CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I, "
                "U+0405 CYRILLIC CAPITAL LETTER DZE"
            ),
        ),
        (
            _GREEK_CAPITALS,
            _GREEK_SMALL,
            (
                f"{_GREEK_SMALL!r} looks the same as (in other letters) the name {_GREEK_CAPITALS!r} of 'a' (line 2); "
                "it is written with U+0441 CYRILLIC SMALL LETTER ES, U+0430 CYRILLIC SMALL LETTER A"
            ),
        ),
        (  # found as written: Cyrillic capital Н maps to H, its small н to ʜ
            "Hezbollah",
            "\u041dezbollah",
            (
                "'\u041dezbollah' looks the same as (in other letters) the name 'Hezbollah' of 'a' (line 2); "
                "it is written with U+041D CYRILLIC CAPITAL LETTER EN"
            ),
        ),
        (  # the keys match too (Cyrillic І is I in ASCII)
            "Islamic State",
            "\u0406slamic State",
            (
                "'\u0406slamic State' matches the name 'Islamic State' of 'a' (line 2); "
                "it is written with U+0406 CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I"
            ),
        ),
        (  # the same letters in another case: a duplicate, not a look-alike
            "ISLAMIC STATE",
            "Islamic State",
            "'Islamic State' matches the name 'ISLAMIC STATE' of 'a' (line 2)",
        ),
    ],
)
def test_look_alikes_are_found_whatever_their_case(first, second, message):
    assert warnings([Named("a", 2, first), Named("b", 3, second)]) == [(3, "name", "possible-duplicate", message)]


def test_a_look_alike_written_first_is_warned_on_its_own_line():
    assert warnings([Named("a", 2, "Islamic \u0405tate"), Named("b", 3, "ISLAMIC STATE")]) == [
        (
            2,
            "name",
            "possible-duplicate",
            (
                "'Islamic \u0405tate' looks the same as (in other letters) the name 'ISLAMIC STATE' of 'b' (line 3); "
                "it is written with U+0405 CYRILLIC CAPITAL LETTER DZE"
            ),
        )
    ]


def test_texts_that_look_alike_only_in_part_are_not_look_alikes():
    records = [
        Named("a", 2, "ISLAMIC STATE"),
        Named("b", 3, "Islamic \u0405tates"),  # one letter more
        Named("c", 4, "Hamas"),
        Named("d", 5, "\u041dAMA\u0405 BRIGADES"),  # Cyrillic Н, Ѕ: not Hamas
    ]
    assert warnings(records) == []


def test_a_warning_on_an_alias_is_on_its_line_and_names_the_line_of_the_other_records_alias(tmp_path):
    path = tmp_path / "organisations.json"
    path.write_text(
        """[
  {
    "id": "islamic-state",
    "name": "Islamic State",
    "aliases": [
      "ISIL",
      "Daesh"
    ],
    "kind": "armed-group"
  },
  {
    "id": "tanzim",
    "name": "Tanzim",
    "kind": "armed-group",
    "aliases": ["DAESH"]
  },
  {
    "kind": "armed-group",
    "id": "isil",
    "name": "ISIL"
  }
]
""",
        encoding="utf-8",
    )
    table = read_table(path, "organisations", "organisations.json")
    assert table.problems == []
    assert [(problem.line, problem.field, problem.code, problem.message) for problem in duplicate_names(table)] == [
        (15, "aliases", "possible-duplicate", "'DAESH' matches the alias 'Daesh' of 'islamic-state' (line 5)"),
        (20, "name", "possible-duplicate", "'ISIL' matches the alias 'ISIL' of 'islamic-state' (line 5)"),
    ]


def test_a_records_aliases_may_stand_on_another_line_than_its_name():
    records = [Named("a", 2, "Alpha Group", ["Beta Group"], aliases_line=4), Named("b", 6, "Gamma", ["BETA GROUP"], 9)]
    assert warnings(records) == [
        (9, "aliases", "possible-duplicate", "'BETA GROUP' matches the alias 'Beta Group' of 'a' (line 4)")
    ]


def test_an_alias_matching_another_records_name_is_reported_on_the_later_record():
    records = [
        Named("isis", 2, "Islamic State", ["ISIL", "Daesh"]),
        Named("hts", 3, "Hayat Tahrir al-Sham", []),
        Named("islamic-state-2", 4, "IS", ["islamic state"]),
    ]
    assert found(records) == [(4, "aliases", "islamic state", "possible-duplicate")]


def test_message_names_the_candidate_and_its_line():
    records = [Named("hakan-fidan", 2, "Hakan Fidan"), Named("fidan-hakan", 7, "FIDAN, Hakan")]
    (problem,) = likely_duplicates("actors", "datasets/actors.csv", records)
    assert problem.file == "datasets/actors.csv"
    assert problem.line == 7
    assert problem.field == "name"
    assert problem.message == "'FIDAN, Hakan' matches the name 'Hakan Fidan' of 'hakan-fidan' (line 2)"
    assert problem.hint == (
        "if they are the same person, keep one record (`hakan-fidan`) and add this spelling to its aliases; "
        "if they differ, say how in notes"
    )


def test_transliterated_and_misspelled_names_match():
    records = [
        Named("hayat-tahrir-al-sham", 2, "Hayat Tahrir al-Sham", []),
        Named("htş", 3, "Heyet Tahrir el-Şam", ["Hayat Tahrir al-Shām"]),
        Named("muhammad-ali", 4, "Mohammed Abdullah Ali"),
        Named("muhammad-ali-2", 5, "Mohammad Abdullah Ali"),
    ]
    assert found(records) == [
        (3, "aliases", "Hayat Tahrir al-Shām", "possible-duplicate"),
        (5, "name", "Mohammad Abdullah Ali", "possible-duplicate"),
    ]


def test_short_different_names_do_not_match():
    records = [
        Named("iraq", 2, "Iraq"),
        Named("iran", 3, "Iran"),
        Named("mali", 4, "Mali"),
        Named("niger", 5, "Niger"),
        Named("nigeria", 6, "Nigeria"),
        Named("sudan", 7, "Sudan"),
        Named("south-sudan", 8, "South Sudan"),
        Named("iraq-mfa", 9, "Ministry of Foreign Affairs of Iraq"),
        Named("jordan-mfa", 10, "Ministry of Foreign Affairs of Jordan"),
        Named("syria-mfa", 11, "Ministry of Foreign Affairs of Syria"),
    ]
    assert found(records) == []


def test_names_that_differ_in_a_number_are_siblings_not_duplicates():
    records = [
        Named("brigade-17", 2, "Brigade 17"),
        Named("brigade-18", 3, "Brigade 18"),
        Named("person-1", 4, "Kişi 1"),
        Named("person-10", 5, "Kişi 10"),
        Named("brigade-17-copy", 6, "Brigade-17"),
    ]
    assert found(records) == [(6, "name", "Brigade-17", "possible-duplicate")]


def test_spelling_variants_of_the_differing_word_still_match():
    records = [
        Named("a", 2, "Ministry of Foreign Affairs of Turkey"),
        Named("b", 3, "Ministry of Foreign Affairs of Turkiye"),
    ]
    assert found(records) == [(3, "name", "Ministry of Foreign Affairs of Turkiye", "possible-duplicate")]


def test_a_records_own_names_never_match_each_other():
    assert found([Named("isis", 2, "Islamic State", ["Islamic State", "ISLAMIC STATE ", "Islamic States"])]) == []


def test_new_ids_limit_warnings_to_new_records():
    records = [
        Named("a", 2, "Alpha Group"),
        Named("b", 3, "Alpha Group"),
        Named("c", 4, "ALPHA group"),
    ]
    assert found(records, new_ids={"a"}) == [(2, "name", "Alpha Group", "possible-duplicate")] * 2
    assert found(records, new_ids=set()) == []
    assert len(found(records)) == 3


def test_one_warning_per_pair_of_records():
    records = [Named("a", 2, "Alpha Group", ["Alpha Grp", "The Alpha Group"]), Named("b", 3, "Alpha Group", ["Alpha"])]
    assert len(found(records)) == 1


def test_from_columns_splits_alias_cells():
    records = from_columns(["a", "b"], [2, 3], ["Alpha", "Beta"], ["A;Al", ""])
    assert records == [Named("a", 2, "Alpha", ["A", "Al"]), Named("b", 3, "Beta", [])]


def test_ten_thousand_organisations_in_one_call():
    rng = random.Random(7)  # noqa: S311 - seeded test data, not cryptography

    def word():
        return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 10)))

    records = [
        Named(f"org-{i}", i + 2, f"{word()} {word()}", [f"{word()} {word()}" for _ in range(rng.randint(0, 2))])
        for i in range(10_000)
    ]
    records.append(Named("copy", 10_002, records[1234].name.upper()))
    problems = list(likely_duplicates("organisations", "o.csv", records))
    assert any(problem.line == 10_002 and "'org-1234'" in problem.message for problem in problems)


def _every_pair(keys, owners, cutoff):
    """The pairs the blocked search must find, in its order, by comparing every key with every other."""
    numbers = [_key_numbers(text) for text in keys]
    found, seen = [], set()
    for kind, position in enumerate((0, -1)):
        labels = [(number, text[position]) for text, number in zip(keys, numbers, strict=True)]
        for i, j in itertools.combinations(range(len(keys)), 2):
            score = fuzz.ratio(keys[i], keys[j], score_cutoff=cutoff)
            if labels[i] == labels[j] and owners[i] != owners[j] and score and (i, j) not in seen:
                seen.add((i, j))
                found.append(((kind, labels.index(labels[i]), i, j), score))
    return [(i, j, score) for (_, _, i, j), score in sorted(found)]


# few letters, so that near and equal keys are common; digits, so that numbered blocks occur
_KEYS = st.lists(st.text(alphabet="abcn 17", min_size=1, max_size=24).map(str.strip).filter(bool), max_size=40)


# small blocks scored together; or each alone, in chunks of all its keys, of one key or of three
@pytest.mark.parametrize(("batched", "rows"), [(64, 64), (1, 64), (1, 1), (1, 3)])
@settings(max_examples=300, deadline=None)
@given(_KEYS, st.data(), st.sampled_from([90.0, 80.0, 60.0]))
def test_the_blocked_search_finds_what_comparing_every_pair_finds(batched, rows, keys, data, cutoff):
    owners = data.draw(st.lists(st.integers(0, 5), min_size=len(keys), max_size=len(keys)))
    with mock.patch.multiple(similar, _BATCHED=batched, _ROWS=rows):
        assert list(_similar_entries(keys, owners, cutoff)) == _every_pair(keys, owners, cutoff)


@settings(max_examples=300, deadline=None)
@given(_KEYS, st.data(), st.sampled_from([90.0, 80.0, 60.0]))
def test_in_a_large_block_every_pair_that_differs_in_one_place_is_found_and_nothing_else(keys, data, cutoff):
    owners = data.draw(st.lists(st.integers(0, 5), min_size=len(keys), max_size=len(keys)))
    every = _every_pair(keys, owners, cutoff)
    with mock.patch.object(similar, "EXHAUSTIVE", 1):  # every block counts as large
        got = list(_similar_entries(keys, owners, cutoff))
    assert got == [pair for pair in every if pair in set(got)]  # a part of what every pair gives, in its order
    one_edit = [(i, j, score) for i, j, score in every if Levenshtein.distance(keys[i], keys[j]) <= 1]
    assert set(one_edit) <= set(got)


def _common_start(first, second):
    """The number of letters two texts share at their start."""
    return next(
        (at for at, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), min(len(first), len(second))
    )


def _neighbour_pairs(keys, owners, cutoff):
    """The pairs a large block's sorted-neighbourhood search must find, in the order of :func:`_every_pair`.

    By its definition, block by block: the block's distinct keys are sorted by their first 64
    letters (a shorter start first), then length, then first position, and so are the keys read
    backwards; two keys are candidates when they stand within ``WINDOW`` of each other in one of
    these orders and every key from one to the other shares at least half of the shorter one's
    letters (all 64 at most) with the next one.
    """
    numbers = [_key_numbers(text) for text in keys]
    found, seen = [], set()
    for kind, position in enumerate((0, -1)):
        labels = [(number, text[position]) for text, number in zip(keys, numbers, strict=True)]
        candidates = set()
        for label in dict.fromkeys(labels):
            distinct = list(dict.fromkeys(text for text, other in zip(keys, labels, strict=True) if other == label))
            for side in (lambda text: text, lambda text: text[::-1]):
                ordered = sorted(distinct, key=lambda text, side=side: (side(text)[:64], len(text)))
                common = [
                    _common_start(side(ordered[c])[:64], side(ordered[c + 1])[:64]) for c in range(len(ordered) - 1)
                ]
                for a, b in itertools.combinations(range(len(ordered)), 2):
                    need = min((min(len(ordered[a]), len(ordered[b])) - 1) // 2, 64)
                    if b - a <= similar.WINDOW and min(common[a:b]) >= need:
                        candidates.add(frozenset((ordered[a], ordered[b])))
        for i, j in itertools.combinations(range(len(keys)), 2):
            near = keys[i] == keys[j] or frozenset((keys[i], keys[j])) in candidates
            score = fuzz.ratio(keys[i], keys[j], score_cutoff=cutoff)
            if labels[i] == labels[j] and owners[i] != owners[j] and near and score and (i, j) not in seen:
                seen.add((i, j))
                found.append(((kind, labels.index(labels[i]), i, j), score))
    return [(i, j, score) for (_, _, i, j), score in sorted(found)]


# keys that share long starts (more than the 64 letters compared, or first differing in any of
# their eight-letter words) and ends, in few letters
_LONG_KEYS = st.lists(
    st.builds(
        lambda start, middle, end: (start + middle + end).strip(),
        st.sampled_from(["", "a" * 70, "ab" * 34 + "b", "b a", "a" * 30, "a" * 45 + "b" * 25, "a" * 61 + "b"]),
        st.text(alphabet="ab 1", max_size=6),
        st.sampled_from(["", "b" * 66, "a b", "a" * 20 + "b" * 46, "b" * 33]),
    ).filter(bool),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_KEYS, _LONG_KEYS), st.data(), st.sampled_from([90.0, 60.0, 30.0]), st.sampled_from([1, 2, 64]))
def test_all_large_blocks_at_once_find_what_each_blocks_sorted_neighbourhood_finds(keys, data, cutoff, window):
    owners = data.draw(st.lists(st.integers(0, 5), min_size=len(keys), max_size=len(keys)))
    every_block_large = {"EXHAUSTIVE": 1, "_BATCHED": 1, "WINDOW": window}
    with mock.patch.multiple(similar, **every_block_large):
        assert list(_similar_entries(keys, owners, cutoff)) == _neighbour_pairs(keys, owners, cutoff)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab 1z", max_size=80), max_size=12), st.integers(0, 3), st.booleans())
def test_the_words_of_a_column_are_each_keys_first_or_last_letters_padded_with_nuls(texts, cut, backward):
    column = pa.array(["z" * 9, *texts], type=pa.large_string())[min(cut, len(texts) + 1) :]  # sliced: an offset
    longest = max((len(text) for text in column.to_pylist()), default=0)
    count = min(-(-longest // 8), 8)
    expected = []
    for text in column.to_pylist():
        letters = (text[::-1] if backward else text)[:64].ljust(64, "\x00").encode()
        expected.append([int.from_bytes(letters[8 * word : 8 * word + 8], "big") for word in range(count)])
    words = _words(column, backward=backward)
    assert words.shape == (len(column), count)
    assert words.tolist() == expected


def test_a_large_block_finds_misspellings_among_many_names():
    rng = random.Random(11)  # noqa: S311 - seeded test data, not cryptography
    names = [" ".join("".join(rng.choices("bdfgklmnprstvz", k=3)) + "a" for _ in range(3)) for _ in range(6_000)]
    texts = [*names]
    planted = {}
    for index in rng.sample(range(len(names)), 40):
        at = 5 * rng.randrange(3) + 3  # a word's last letter, "a": the words keep their order in the key
        misspelt = names[index][:at] + "o" + names[index][at + 1 :]
        planted[len(texts)] = index
        texts.append(misspelt)
    keys = [key(text) for text in texts]
    assert max(sum(k[0] == letter for k in keys) for letter in "bdfgklmnprstvz") > similar.EXHAUSTIVE
    pairs = {(i, j) for i, j, _ in _similar_entries(keys, list(range(len(keys))), 90.0)}
    misspellings = {(index, copy) for copy, index in planted.items() if fuzz.ratio(keys[index], keys[copy]) >= 90}
    assert len(misspellings) == 40
    assert misspellings <= pairs


def test_a_branch_named_after_its_declared_parent_is_not_a_duplicate():
    records = [
        Named("isis", 2, "Islamic State", ["Islamic State in Iraq and the Levant"]),
        Named("isil-libya", 3, "Islamic State in Iraq and the Levant - Libya", []),
    ]
    assert found(records) == [(3, "name", "Islamic State in Iraq and the Levant - Libya", "possible-duplicate")]
    related = [frozenset(("isil-libya", "isis"))]
    assert list(likely_duplicates("organisations", "organisations.csv", records, related=related)) == []


def test_a_record_without_a_name_is_compared_by_its_other_texts():
    records = [("a", 2, None, ("Foo Brigade",)), ("b", 3, "Foo Brigade", ()), ("c", 4, None, ())]
    found = [(p.line, p.field, p.code) for p in likely_duplicates("organisations", "o.csv", records)]
    assert found == [(3, "name", "possible-duplicate")]


def test_name_texts_are_each_records_name_then_its_aliases_made_once(tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_text(
        "id,name,aliases\n"
        "a,Türkiye,Turkey;;Türkiye Cumhuriyeti\n"  # an empty item is an empty text
        "b,,\n"  # an empty name and an empty aliases cell: two empty texts (both dropped by their users)
        "c,داعش,ISIS\n",
        encoding="utf-8",
    )
    tf = read_table(path, "organisations", "organisations.csv")

    def slow(data):  # the first caller is still making them when the others ask
        time.sleep(0.05)
        return _name_texts(data)

    counting = mock.Mock(wraps=slow)
    with mock.patch.object(similar, "_name_texts", counting):
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415 - only this test asks from threads

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: similar.name_texts(tf), range(8)))
    assert counting.call_count == 1
    assert all(result is results[0] for result in results)
    every = results[0]
    assert every.owner.tolist() == [0, 0, 0, 0, 1, 1, 2, 2]
    assert every.place.tolist() == [0, 1, 2, 3, 0, 1, 0, 1]
    assert every.texts.to_pylist() == ["Türkiye", "Turkey", "", "Türkiye Cumhuriyeti", "", "", "داعش", "ISIS"]
    assert every.ascii.to_pylist() == ["Turkiye", "Turkey", "", "Turkiye Cumhuriyeti", "", "", "d`sh", "ISIS"]


@pytest.mark.parametrize(
    ("first", "second", "detail"),
    [
        ("Caf\u00e9", "Cafe\u0301", ""),  # é, and e with a combining acute
        ("\uac01", "\u1100\u1161\u11a8", ""),  # a Hangul syllable, and its jamo
        ("Caf\u00e9", "CAFE\u0301", " and in case"),
        ("\u0391\u03b8\u03ae\u03bd\u03b1", "\u0391\u03b8\u1f75\u03bd\u03b1", ""),  # both composed: tonos, oxia
        ("Nguye\u0323\u0302n", "Nguye\u0302\u0323n", ""),  # both decomposed, the marks in another order
        ("\u8c48", "\uf900", ""),  # a CJK compatibility ideograph
    ],
)
def test_texts_one_in_unicode_nfc_are_said_to_differ_only_in_form(first, second, detail):
    [problem] = likely_duplicates("organisations", "o.csv", [Named("a", 2, first), Named("b", 3, second)])
    assert problem.message == (
        f"{second!r} matches the name {first!r} of 'a' (line 2); they are one text in Unicode NFC, its letters "
        f"written with other code points{detail}: `dataset-tools fmt` writes both in NFC"
    )
