"""Likely duplicates: records of one table whose names or aliases closely match.

Names are compared as *keys*: transliterated to ASCII (``anyascii``: ``Hakan Fidan`` and
``هاكان فيدان`` meet in Latin letters), case-folded, punctuation turned into spaces, and
words sorted, so that ``Fidan, Hakan`` and ``hakan fidan`` are one key. Two records whose
keys are equal, or whose similarity (rapidfuzz's ``ratio``, 0–100) reaches ``CUTOFF``, are
reported as a ``possible-duplicate`` warning on the newer record, naming the other one.
So are two records with a name or alias that *looks* the same, written with other
characters, whatever its case (:func:`dataset_tools.names.look_alike`: their confusable
skeletons, Unicode TR39, as written or in lower case, are equal: ``Іslamic State`` with a
Cyrillic ``І`` and ``Islamic State``; ``Islamic Ѕtate`` with a Cyrillic ``Ѕ`` and ``ISLAMIC STATE``).

Keys are compared only within blocks: keys that share their first letter, and keys that
share their last letter (and hold the same numbers). A pair that differs in both its first
and its last letter is not found; such names are rarely near-duplicates. In a block of at
most ``EXHAUSTIVE`` keys (every block of the shipped data), a key is scored against every
key of a length that can reach the cutoff (see ``_longest_partner``), in compiled code:
the pairs of all blocks of at most ``_BATCHED`` keys together, in one rapidfuzz ``cpdist``
call (a block of one key has none), and a larger block with ``cdist``, a bounded chunk at a
time. In a larger block, whose every pair
would cost the square of its size, a key is scored only against the keys near it in sorted
order that share at least half of it at their start or at their end (see
``_scored_neighbours``): every pair that differs in one place is still found (unless more
than ``WINDOW`` keys share as much with one of them), and the work grows in proportion to
the number of keys. All such blocks are searched together: the distinct keys are sorted
once, forwards and backwards, and put in order of their block.

The check works on columns: the records' texts (names, then aliases), their keys and
skeletons are Arrow columns and the pairs numpy arrays; only a record that is reported is
built as a :class:`Named`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from difflib import SequenceMatcher
from itertools import combinations
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from dataset_tools.names import ascii_column, look_alike, skeleton_columns
from dataset_tools.reading.tables import TableFile
from dataset_tools.schema.models import LIST_DELIMITER
from dataset_tools.validation.parallel import beside, workers
from dataset_tools.validation.problems import Problem

CUTOFF = 90.0
"""Minimum similarity (0-100) of two keys for a warning. At 90 a ten-letter name may differ
in one letter; short names (``Iraq``, ``Iran``) must match exactly."""

WORD_CUTOFF = 75.0
"""Minimum similarity of the words in which two matching keys differ (``jordan``/``jordon``
pass; ``iraq``/``jordan`` do not)."""

LONGEST = 500
"""Longest name or alias compared (in characters): the models' limit for one (longer is a
constraint-error already). Comparing two texts costs the product of their lengths."""

_SMALL = 16
"""Texts sharing one confusable skeleton that are paired with each other: a skeleton shared by
more is reported for its first few."""

NAMED_TABLES = ("organisations", "actors")
"""The tables whose records have a name and aliases, and are checked for duplicates."""


class Named(NamedTuple):
    """What the duplicate check needs of one record."""

    id: str
    line: int | None
    """The line of the record's name (which orders records: the later one is warned)."""
    name: str
    aliases: Sequence[str] = ()
    aliases_line: int | None = None
    """The line of the record's aliases, when not ``line`` (a JSON record writes each key on its own line)."""

    def line_of(self, field: str) -> int | None:
        """The line of ``field`` (``name`` or ``aliases``) of this record."""
        return self.aliases_line if field == "aliases" and self.aliases_line is not None else self.line


_NOT_DIGIT = re.compile("[^0-9]+")


def key(text: str) -> str:
    """The comparison key of a name: ASCII, case-folded, apostrophes dropped, words only, words sorted."""
    return keys([text])[0]


def keys(texts: Sequence[str]) -> list[str]:
    """:func:`key` of each text, a column at a time (see :func:`_key_column`)."""
    return _key_column(pa.array(texts, type=pa.large_string())).to_pylist()


def _key_column(texts: pa.LargeStringArray, ascii_texts: pa.LargeStringArray | None = None) -> pa.LargeStringArray:
    """:func:`key` of each text of a column (a null text has the empty key); ``ascii_texts``: ASCII forms, if known.

    Each text is made ASCII (:func:`dataset_tools.names.ascii_column`); the rest works on the
    bytes of the whole column with numpy: apostrophes dropped, upper-case letters lowered
    (which is case folding, in ASCII), any byte but ``[0-9a-z]`` made a space; then Arrow
    splits the texts into words, and sorts and joins them (:func:`_joined`).
    """
    column = ascii_column(texts) if ascii_texts is None else ascii_texts
    column = pc.fill_null(column, "") if column.null_count else column
    _validity, offsets_buffer, data_buffer = column.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[column.offset : column.offset + len(column) + 1]
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]] if data_buffer else np.zeros(0, np.uint8)
    )
    offsets = offsets - offsets[0]
    quotes = np.flatnonzero((data == ord("'")) | (data == ord("`")))
    offsets = offsets - np.searchsorted(quotes, offsets)  # less the quotes before each text
    spaced = pa.LargeStringArray.from_buffers(
        len(column), pa.py_buffer(offsets), pa.py_buffer(_KEY_BYTES[np.delete(data, quotes)])
    )
    pieces = pc.split_pattern(spaced, " ")
    return _joined(pieces, pc.list_flatten(pieces))


_KEY_BYTES = np.array(
    [code if chr(code) in "0123456789abcdefghijklmnopqrstuvwxyz" else ord(" ") for code in range(256)], np.uint8
)
"""Each byte of an ASCII text as it stands in a key: a digit or small letter as it is, a capital
lowered, any other a space."""
_KEY_BYTES[ord("A") : ord("Z") + 1] = np.arange(ord("a"), ord("z") + 1)


def _joined(pieces: pa.LargeListArray, words: pa.Array, *, once: bool = False) -> pa.LargeStringArray:
    """Each list of ``pieces`` as one string: its non-empty ``words``, sorted and joined by a space.

    ``words`` holds one word per piece, flattened; with ``once``, a word repeated in a list
    is kept once.
    """
    kept = pc.not_equal(pc.binary_length(words), 0)
    table = pa.table({"owner": pc.filter(pc.list_parent_indices(pieces), kept), "word": pc.filter(words, kept)})
    table = table.take(pc.sort_indices(table, sort_keys=[("owner", "ascending"), ("word", "ascending")]))
    owner, word = table.column("owner").combine_chunks(), table.column("word").combine_chunks()
    if once and len(table) > 1:  # drop a row equal to the one before it
        again = pc.and_(pc.equal(owner[1:], owner[:-1]), pc.equal(word[1:], word[:-1]))
        keep = pa.array(np.concatenate(([True], ~again.to_numpy(zero_copy_only=False))))
        owner, word = owner.filter(keep), word.filter(keep)
    counts = np.bincount(owner.to_numpy(), minlength=len(pieces))
    offsets = pa.array(np.concatenate(([0], np.cumsum(counts))), type=pa.int64())
    return pc.binary_join(pa.LargeListArray.from_arrays(offsets, word), pa.scalar(" ", pa.large_string()))


def _numbers(words: Iterable[str]) -> set[str]:
    """The digits of each word that has some (words of keys: ASCII letters and digits)."""
    return {digits for word in words if (digits := _NOT_DIGIT.sub("", word))}


def words_agree(first: str, second: str) -> bool:
    """True unless the words in which two similar keys differ are unlike each other.

    ``Ministry of Foreign Affairs of Iraq`` and ``… of Jordan`` are 90 % alike as a whole,
    but differ in ``iraq`` against ``jordan``: two bodies, not two spellings of one.
    """
    only_first = set(first.split()) - set(second.split())
    only_second = set(second.split()) - set(first.split())
    if not only_first or not only_second:
        return True
    if _numbers(only_first) != _numbers(only_second):
        return False  # "Brigade 17" and "Brigade 18", "S/RES/2253" and "S/RES/2254": numbered siblings
    return fuzz.ratio(" ".join(sorted(only_first)), " ".join(sorted(only_second))) >= WORD_CUTOFF


def from_columns(
    ids: Sequence[str], lines: Sequence[int | None], names: Sequence[str], aliases: Sequence[str]
) -> list[Named]:
    """Records from CSV-style columns (alias cells are ``;``-separated)."""
    return [
        Named(id_, line, name, [item for item in cell.split(LIST_DELIMITER) if item] if cell else [])
        for id_, line, name, cell in zip(ids, lines, names, aliases, strict=True)
    ]


def likely_duplicates(
    table: str,
    file: str,
    records: Iterable[Named | tuple[str, int | None, str, Sequence[str]]],
    *,
    new_ids: Collection[str] | None = None,
    cutoff: float = CUTOFF,
    related: Collection[frozenset[str]] = (),
) -> Iterator[Problem]:
    """``possible-duplicate`` warnings for the records of one table (in file ``file``).

    With ``new_ids`` (the ids a change adds), only pairs that involve a new record are
    reported, on the new record; without it, every pair is reported once, on the record
    further down the file, unless the two look the same and one is written with look-alike
    letters (``Неzbollah`` with a Cyrillic ``Н``; see :func:`_odd_one`): then on that one,
    whichever line it stands on. A record's own name and aliases never match each other, and
    neither do two records whose ids form a pair in ``related`` (a branch named after its
    parent, such as ``ISIL - Libya`` and ``ISIL``, is a distinct record by declaration).
    """
    named = [Named(*record) for record in records]
    texts = [text for record in named for text in (record.name, *record.aliases)]
    owner = np.repeat(np.arange(len(named)), [1 + len(record.aliases) for record in named])
    column = pa.array([text if isinstance(text, str) else None for text in texts], type=pa.large_string())
    yield from _duplicates(
        table, file, named.__getitem__, owner, column, new_ids=new_ids, cutoff=cutoff, related=related
    )


def _duplicates(  # noqa: PLR0913 - likely_duplicates' arguments, its records as columns
    table: str,
    file: str,
    record: Callable[[int], Named],
    owner: Ints,
    texts: pa.LargeStringArray,
    *,
    new_ids: Collection[str] | None,
    cutoff: float,
    related: Collection[frozenset[str]],
    ascii_texts: pa.LargeStringArray | None = None,
) -> Iterator[Problem]:
    """:func:`likely_duplicates` of records given as columns: ``texts`` (null: none), each of record ``owner``.

    ``texts`` holds each record's name, then its aliases, record by record; ``record(i)`` is the
    i-th record (only reported records are asked for). ``ascii_texts``: the texts' ASCII forms, if known.
    """
    valid = pc.and_kleene(pc.is_valid(texts), pc.less_equal(pc.utf8_length(texts), LONGEST))  # null text: False
    mask = valid.to_numpy(zero_copy_only=False)
    kept = pa.array(mask)
    texts, owner = texts.filter(kept), owner[mask]
    key_column = _key_column(texts, None if ascii_texts is None else ascii_texts.filter(kept))
    # entries: the first text of each record with each key, in order (key, record, the text as written)
    encoded = pc.dictionary_encode(key_column).indices.to_numpy().astype(np.int64)
    firsts = np.unique(owner * (int(encoded.max(initial=0)) + 1) + encoded, return_index=True)[1]
    firsts = np.sort(firsts[pc.not_equal(pc.binary_length(key_column), 0).to_numpy(zero_copy_only=False)[firsts]])
    keys_, entry_owner, entry_text = key_column.take(firsts), owner[firsts], texts.take(firsts)
    best: dict[tuple[int, int], tuple[float, int, int]] = {}  # record pair → (score, entry, entry)
    # the skeletons (mostly Unicode in C), and the texts grouped by them, beside the keys' scores
    with beside(len(entry_text), lambda: _skeleton_groups(entry_text)) as groups:
        for a, b, score in _similar_entries(keys_, entry_owner, cutoff):
            ra, rb = int(entry_owner[a]), int(entry_owner[b])
            if not words_agree(keys_[a].as_py(), keys_[b].as_py()):
                continue
            pair = (min(ra, rb), max(ra, rb))
            if pair not in best or score > best[pair][0]:
                best[pair] = (score, a, b) if ra < rb else (score, b, a)
        alike = _look_alikes(groups(), entry_owner, best)
    new = set(new_ids) if new_ids is not None else None
    for (ra, rb), (score, ea, eb) in sorted(best.items()):
        if related and frozenset((record(ra).id, record(rb).id)) in related:
            continue
        said = {ea: entry_text[ea].as_py(), eb: entry_text[eb].as_py()}
        target, other, e_target, e_other = _report_on(
            record(ra), record(rb), ra, rb, ea, eb, new=new, texts=(said[ea], said[eb])
        )
        if target is None:
            continue
        text, other_text = said[e_target], said[e_other]
        yield _problem(table, file, record(target), text, record(other), other_text, score, alike=(ra, rb) in alike)


def _skeleton_groups(texts: pa.LargeStringArray) -> list[npt.NDArray[np.int32]]:
    """The texts grouped by their confusable skeleton as written, and by that of their lower case.

    For each of the two skeletons (:func:`dataset_tools.names.skeleton_columns`), the group
    of each text: texts with equal skeletons share one, numbered in the order of their first text.
    """
    return [shared.dictionary_encode().indices.to_numpy() for shared in skeleton_columns(texts)]


def _look_alikes(
    groups: Iterable[npt.NDArray[np.int32]], owner: Ints, best: dict[tuple[int, int], tuple[float, int, int]]
) -> set[tuple[int, int]]:
    """Add to ``best`` the record pairs whose texts (of records ``owner``) look alike, and return them.

    Texts look alike when they share a confusable skeleton as written or one of their lower
    case (:func:`dataset_tools.names.look_alike`; ``groups``: the texts grouped by each, from
    :func:`_skeleton_groups`): texts are paired within a group of each in turn; a pair found by
    both, or by the keys already, is kept once.
    """
    alike = set()
    for group in groups:
        twice = np.flatnonzero(np.bincount(group, minlength=1)[group] > 1)
        twice = twice[np.argsort(group[twice], kind="stable")]  # by group, then position
        for members in np.split(twice, np.flatnonzero(np.diff(group[twice])) + 1):
            for a, b in combinations(members[:_SMALL].tolist(), 2):  # a skeleton shared by many: its first few
                ra, rb = int(owner[a]), int(owner[b])
                if ra == rb or (min(ra, rb), max(ra, rb)) in best:
                    continue
                pair = (min(ra, rb), max(ra, rb))
                best[pair] = (100.0, a, b) if ra < rb else (100.0, b, a)
                alike.add(pair)
    return alike


def _report_on(  # noqa: PLR0913 - the pair, its entries, the new ids, and the texts that matched
    record_a: Named,
    record_b: Named,
    ra: int,
    rb: int,
    ea: int,
    eb: int,
    *,
    new: set[str] | None,
    texts: tuple[str, str],
) -> tuple[int | None, int, int, int]:
    """Which record of a pair gets the warning: the new one; else the odd one of a look-alike pair; else the later one.

    The odd one (:func:`_odd_one`) is the record written with the look-alike letters: it is
    warned, its letters are named, and the plain spelling is the record to keep, whichever
    line each stands on.
    """
    a_new = new is None or record_a.id in new
    b_new = new is None or record_b.id in new
    if not (a_new or b_new):
        return None, ra, ea, eb
    if a_new and not b_new:
        return ra, rb, ea, eb
    if b_new and not a_new:
        return rb, ra, eb, ea
    odd = _odd_one(*texts)
    if odd is None:
        line_a, line_b = record_a.line or 0, record_b.line or 0
        odd = 0 if line_a > line_b else 1
    return (ra, rb, ea, eb) if odd == 0 else (rb, ra, eb, ea)


def _odd_one(text: str, other: str) -> int | None:
    """Of two texts that look the same (:func:`_look_the_same`), the one written with look-alike letters: 0, 1 or None.

    That is the one mixing scripts when the other does not (``Неzbollah``, Cyrillic ``Н`` among
    Latin letters; ``Xезболла``, a Latin ``X`` among Cyrillic ones), else the one not in ASCII
    when the other is (``ＩＳＩＳ`` in full-width letters); None when neither is (or the two do
    not look the same). A letter's script is the first word of its Unicode name.
    """
    if not _look_the_same(text, other):
        return None
    mixed = [len({unicodedata.name(c, "").partition(" ")[0] for c in t if c.isalpha()}) > 1 for t in (text, other)]
    if mixed[0] != mixed[1]:
        return 0 if mixed[0] else 1
    plain = [text.isascii(), other.isascii()]
    if plain[0] != plain[1]:
        return 1 if plain[0] else 0
    return None


def _problem(  # noqa: PLR0913 - the two records, the two texts that matched, and how
    table: str, file: str, record: Named, text: str, candidate: Named, other: str, score: float, *, alike: bool = False
) -> Problem:
    """The warning on ``record`` (whose ``text`` matched), naming ``candidate`` (whose ``other`` did)."""
    field = "name" if text == record.name else "aliases"
    their = "name" if other == candidate.name else "alias"
    candidate_line = candidate.line_of("name" if their == "name" else "aliases")
    where = f" (line {candidate_line})" if candidate_line else ""
    if _one_text_in_two_forms(text, other):
        case = "" if unicodedata.normalize("NFC", text) == unicodedata.normalize("NFC", other) else " and in case"
        detail = (
            f"; they are one text in Unicode NFC, its letters written with other code points{case}:"
            " `dataset-tools fmt` writes both in NFC"
        )
    elif letters := _letters_not_in(text, other) if _look_the_same(text, other) else "":
        detail = f"; it is written with {letters}"
    else:
        detail = ""
    how = "looks the same as (in other letters)" if alike else "matches" if score >= 100 else "closely matches"
    what = "person" if table == "actors" else "organisation"
    return Problem(
        code="possible-duplicate",
        file=file,
        line=record.line_of(field),
        field=field,
        value=text,
        message=f"{text!r} {how} the {their} {other!r} of {candidate.id!r}{where}{detail}",
        hint=(
            f"if they are the same {what}, keep one record (`{candidate.id}`) and add this spelling to its "
            "aliases; if they differ, say how in notes"
        ),
    )


def _one_text_in_two_forms(text: str, other: str) -> bool:
    """True when two texts that differ in more than case are one in Unicode NFC, ignoring case (``é``; ``e`` + U+0301).

    `dataset-tools fmt` writes every text in NFC, so the two then read the same.
    """
    nfc, other_nfc = unicodedata.normalize("NFC", text), unicodedata.normalize("NFC", other)
    return text.casefold() != other.casefold() and nfc.casefold() == other_nfc.casefold()


def _look_the_same(text: str, other: str) -> bool:
    """True when two texts look alike (:func:`dataset_tools.names.look_alike`) yet differ in more than case.

    A reader cannot tell them apart, though they are written with different letters
    (``Islamic Ѕtate`` and ``ISLAMIC STATE``; not ``Islamic State`` and ``ISLAMIC STATE``).
    """
    return text.casefold() != other.casefold() and look_alike(text, other)


def _letters_not_in(text: str, other: str) -> str:
    """The letters of ``text`` that differ from ``other``'s, ignoring case: each by its code point and Unicode name.

    The two texts are aligned letter by letter in lower case (each letter lowered alone, so
    that positions stay those of ``text``; ``difflib``'s longest matching blocks), and the
    letters of ``text`` outside the matching blocks are named: what to look for. ``Islamic
    Ѕtate`` against ``ISLAMIC STATE``: only ``U+0405 CYRILLIC CAPITAL LETTER DZE``; the other way
    round, ``U+0053 LATIN CAPITAL LETTER S`` (a letter that ``other`` also has elsewhere, as
    ``s`` in ``slamic``, still differs where it stands).
    """
    lowered, other_lowered = [letter.lower() for letter in text], [letter.lower() for letter in other]
    matcher = SequenceMatcher(None, lowered, other_lowered, autojunk=False)
    differ = (text[i1:i2] for tag, i1, i2, _j1, _j2 in matcher.get_opcodes() if tag in {"replace", "delete"})
    letters = dict.fromkeys(letter for part in differ for letter in part)
    return ", ".join(f"U+{ord(letter):04X} {unicodedata.name(letter, 'an unnamed character')}" for letter in letters)


def _similar_entries(
    keys: Sequence[str] | pa.LargeStringArray, owners: Sequence[int] | Ints, cutoff: float
) -> Iterator[tuple[int, int, float]]:
    """Pairs of key positions (i < j) of different owners whose keys are equal or at least ``cutoff`` similar.

    Two keys are compared when they share a block: the numbers they hold and their first
    letter, or those numbers and their last letter. Pairs come in block order (first-letter
    blocks, then last-letter ones, each block where its first key stands), and by (i, j)
    within a block; a pair in both kinds of block comes once, in the first. ``cutoff`` must
    be in [1, 100] (else ``ValueError``).

    Within a block, a key is scored only against keys whose length allows the cutoff (see
    :func:`_longest_partner`), by rapidfuzz (compiled, on every core) with ``score_cutoff``,
    a bounded number of scores at a time: the pairs of all small blocks in ``process.cpdist``
    calls of at most ``_CELLS`` pairs, a larger block sorted by length and cut into chunks of
    ``_ROWS`` keys, each scored against its band window by ``process.cdist`` (see
    :func:`_scored_in_bands`). In a block of more than
    ``EXHAUSTIVE`` keys, only neighbours in sorted order are scored (:func:`_scored_neighbours`;
    the keys must then be ASCII, as :func:`key` makes them).
    """
    if not 1 <= cutoff <= 100:  # so that a passing score is a whole percent above 0 (see _scored_in_bands)
        raise ValueError(f"cutoff must be 1 to 100, not {cutoff}")
    count = len(keys)
    if count < 2:
        return
    column = keys if isinstance(keys, pa.LargeStringArray) else pa.array(keys, type=pa.large_string())
    numbers = _numbers_of(column)
    length = pc.utf8_length(column).to_numpy()
    owner, text = np.asarray(owners, dtype=np.int64), column.to_numpy(zero_copy_only=False)
    blocks, found = [], []
    for letter in (pc.utf8_slice_codeunits(column, 0, 1), pc.utf8_slice_codeunits(column, -1)):
        # a block number per key: keys with equal labels share one, numbered in the order of their first key
        label = pc.binary_join_element_wise(numbers, letter, pa.scalar("\x00", pa.large_string()))
        blocks.append(label.dictionary_encode().indices.to_numpy().astype(np.int64))
    largest = max(int(np.bincount(block).max()) for block in blocks)
    sorted_keys = _sorted_keys(column) if largest > max(EXHAUSTIVE, _BATCHED) else None  # for large blocks
    for kind, block in enumerate(blocks):
        for first, second, score in _scored_in_bands(text, sorted_keys, length, block, cutoff):
            keep = owner[first] != owner[second]
            i, j = np.minimum(first[keep], second[keep]), np.maximum(first[keep], second[keep])
            # rows (kind, i, j, score), the score's float64 bits kept as an int64
            found.append(np.column_stack((np.full(len(i), kind), i, j, score[keep].view(np.int64))))
    if not found:
        return
    pairs = np.concatenate(found)
    # one row per (i, j): the first kind of block that found it (``np.unique`` gives first occurrences)
    pairs = pairs[np.unique(pairs[:, 1] * count + pairs[:, 2], return_index=True)[1]]
    # block ids number blocks in the order of their first key: order by kind, block, then (i, j)
    in_block = np.where(pairs[:, 0] == 0, blocks[0][pairs[:, 1]], blocks[1][pairs[:, 1]])
    scores = pairs[:, 3].view(np.float64)
    for row in np.lexsort((pairs[:, 2], pairs[:, 1], in_block, pairs[:, 0])):
        yield int(pairs[row, 1]), int(pairs[row, 2]), float(scores[row])


_CELLS = 1 << 21
"""Pairs scored in one ``cpdist`` call: bounds the memory of a step."""

_ROWS = 64
"""Keys of a block of at most ``EXHAUSTIVE`` scored in one ``cdist`` call, against the band window of the last one.

Each key of a chunk of ``r`` keys (sorted by length) is scored against every key from the
chunk's second up to its last key's longest partner: about ``r * r / 2`` pairs, and those
past a key's own band, are scored for nothing. With 64 that waste is small beside a band of
hundreds of keys (where a chunk of a whole block scored about twice the pairs needed: see
the commit that set it), in a few hundred calls; and a chunk's scores, at most
``_ROWS * EXHAUSTIVE``, take far less memory than ``_CELLS``.
"""

Ints = npt.NDArray[np.int64]

EXHAUSTIVE = 1_000
"""Keys in a block up to which every pair in the length band is scored. The largest block of
the shipped data holds 142 keys (organisations' first letter ``a``)."""

WINDOW = 64
"""In a larger block, the most keys after each one, in each of two sorted orders, that it may be scored against."""


def _longest_partner(length: Ints, cutoff: float) -> Ints:
    """The longest key that a key of each ``length`` can reach ``cutoff`` with: the bound of ``ratio``.

    rapidfuzz's ``ratio`` of ``s`` and ``t`` is ``100 * (1 - indel / (len(s) + len(t)))``, where
    ``indel`` is the number of insertions and deletions turning one into the other (the
    normalised Indel similarity; rapidfuzz's documentation of ``fuzz.ratio`` and
    ``distance.Indel``). With ``m = len(t) <= n = len(s)``, at least ``n - m`` letters must be
    deleted, so ``indel >= n - m`` and ``ratio <= 100 * (1 - (n - m) / (n + m)) = 200 m / (n + m)``.
    ``ratio >= c`` thus needs ``200 m >= c (n + m)``, i.e. ``m / n >= c / (200 - c)``: for
    ``c = 90``, ``m / n >= 9 / 11 = 0.8181…`` (a 30-letter key meets keys of 25 to 36 letters).
    So a key of length ``m`` need only meet keys up to ``n = m (200 - c) / c`` letters long
    (rounded down; a hair of slack against rounding only lets more pairs be scored).
    """
    return np.floor(length * ((200 - cutoff) / cutoff) + 1e-9).astype(np.int64)


def _scored_in_bands(
    text: npt.NDArray[np.object_], keys: _SortedKeys | None, length: Ints, block: Ints, cutoff: float
) -> Iterator[tuple[Ints, Ints, npt.NDArray[np.float64]]]:
    """Chunks of (i, j, score), positions of two keys of one block scoring at least ``cutoff``, each pair once.

    ``text`` holds the keys as Python strings; ``keys``, the distinct keys sorted (:func:`_sorted_keys`),
    is needed (not ``None``) when a block holds more than ``EXHAUSTIVE`` keys.

    Keys are sorted by block, then length (then position); each key is paired with the keys
    after it in its block up to the longest partner of its length (:func:`_longest_partner`),
    with ``i`` before ``j`` in that order. A block of one key has no pair. The pairs of all
    blocks of at most ``_BATCHED`` keys are scored together, in one ``process.cpdist`` call
    per ``_CELLS`` pairs (one call per block would cost each block the start of rapidfuzz's
    threads); a larger block of at most ``EXHAUSTIVE`` keys is scored ``_ROWS`` consecutive
    keys at a time against the keys after the first of them up to the longest partner of the
    last (``process.cdist``, which prepares each key once for all its partners); the
    blocks of more than ``EXHAUSTIVE`` keys together by :func:`_scored_neighbours`.
    """
    order = np.lexsort((length, block))
    block, length = block[order], length[order]
    scale = int(max(length.max(), _longest_partner(length, cutoff).max())) + 1
    sorted_by = block * scale + length
    reach = np.searchsorted(sorted_by, block * scale + _longest_partner(length, cutoff), side="right")
    edges = np.flatnonzero(np.diff(block)) + 1
    starts, stops = np.concatenate(([0], edges)), np.append(edges, len(block))
    size = stops - starts
    batched = np.repeat((size > 1) & (size <= _BATCHED), size)  # sorted positions of keys of small blocks
    yield from _scored_pairs(text, order, np.flatnonzero(batched), reach, cutoff)
    large = (size > _BATCHED) & (size > EXHAUSTIVE)
    if large.any():  # the keys of every large block, in one pass
        if keys is None:
            raise ValueError("the keys of a block of more than EXHAUSTIVE keys must be given sorted")
        yield _scored_neighbours(text, keys, order[np.repeat(large, size)], size[large], cutoff)
    middle = (size > _BATCHED) & ~large
    for start, stop in zip(starts[middle].tolist(), stops[middle].tolist(), strict=True):
        for a in range(start, stop - 1, _ROWS):
            rows = min(stop - 1 - a, _ROWS)
            end = int(reach[a + rows - 1])  # the last key's band ends furthest: keys are sorted by length
            near = process.cdist(  # whole percents, a point below the cutoff: a superset, rescored below
                text[order[a : a + rows]],
                text[order[a + 1 : end]],
                scorer=fuzz.ratio,
                score_cutoff=cutoff - 1,
                dtype=np.uint8,
                workers=workers(rows * (end - a - 1)),
            )
            cell = np.flatnonzero(near)
            row, column = np.divmod(cell, max(end - a - 1, 1))
            after = column >= row  # column c is key a + 1 + c: after row r's key a + r
            first, second = order[a + row[after]], order[a + 1 + column[after]]
            score = process.cpdist(
                text[first],
                text[second],
                scorer=fuzz.ratio,
                score_cutoff=cutoff,
                dtype=np.float64,
                workers=workers(len(first)),
            )
            yield first[score > 0], second[score > 0], score[score > 0]


_BATCHED = 64
"""Keys in a block up to which its pairs are scored with those of other small blocks, in one call."""


def _scored_pairs(
    text: npt.NDArray[np.object_], order: Ints, keys: Ints, reach: Ints, cutoff: float
) -> Iterator[tuple[Ints, Ints, npt.NDArray[np.float64]]]:
    """(i, j, score) for each sorted position ``p`` in ``keys`` and each ``q`` with ``p < q < reach[p]``.

    ``order`` maps sorted positions to positions in ``text``; pairs are scored ``_CELLS`` at a time.
    """
    ends = np.cumsum(reach[keys] - keys - 1)  # pairs are numbered key by key: key k's end before ends[k]
    total = int(ends[-1]) if len(ends) else 0
    for start in range(0, total, _CELLS):
        pair = np.arange(start, min(start + _CELLS, total))
        key_of = np.searchsorted(ends, pair, side="right")
        p = keys[key_of]
        q = reach[p] - (ends[key_of] - pair)  # the last pair of key p is (p, reach[p] - 1)
        first, second = order[p], order[q]
        score = process.cpdist(
            text[first], text[second], scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.float64, workers=workers(len(p))
        )
        yield first[score > 0], second[score > 0], score[score > 0]


def _scored_neighbours(
    text: npt.NDArray[np.object_], keys: _SortedKeys, members: Ints, size: Ints, cutoff: float
) -> tuple[Ints, Ints, npt.NDArray[np.float64]]:
    """(i, j, score) for the keys at positions ``members`` (of large blocks) that share half of themselves.

    ``members`` holds the keys of each large block in turn, ``size`` the number of keys of each.
    Two distinct keys of one block are scored when they share about half of the shorter one
    at their start or at their end (see :func:`_sharing_half`), and stand within ``WINDOW``
    of each other in the order of the block's keys (or of its keys read backwards): the
    sorted-neighbourhood method of record linkage (Hernández and Stolfo, "The merge/purge
    problem for large databases", SIGMOD 1995), with the window cut short where keys stop
    sharing that much. Keys that differ in one place share everything before it or
    everything after it, so such a pair is always scored. Equal keys are all paired, score
    100. Each pair comes once, with ``i`` and ``j`` positions in ``text``.

    All large blocks are done at once: the distinct keys, sorted once (``keys``, see
    :func:`_sorted_keys`), are put in order of their block (a stable sort keeps each block's
    keys sorted), windows stop at a block's edge, and the pairs are scored in one
    ``process.cpdist`` call.
    """
    distinct = len(keys.holder)
    of_member = keys.of_key[members]
    key_block = np.full(distinct, -1, dtype=np.int64)  # the large block of each distinct key (-1: none)
    key_block[of_member] = np.repeat(np.arange(len(size)), size)
    length = keys.length
    shortest = np.ceil(length * (cutoff / (200 - cutoff)) - 1e-9).astype(np.int64)  # see _longest_partner
    small = key_block.astype(np.min_scalar_type(len(size)))  # numpy sorts integers of 16 bits or less by radix
    found = []
    for side, words in zip(keys.orders, keys.words, strict=True):
        order = side[key_block[side] >= 0]
        order = order[np.argsort(small[order], kind="stable")]  # by block, sorted within each
        first, second = _sharing_half(words[order], key_block[order], length[order], shortest[order])
        found.append((order[first], order[second]))
    u, v = np.concatenate([pair[0] for pair in found]), np.concatenate([pair[1] for pair in found])
    u, v = np.divmod(np.unique(np.minimum(u, v) * distinct + np.maximum(u, v)), max(distinct, 1))
    score = process.cpdist(
        text[keys.holder[u]],
        text[keys.holder[v]],
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        dtype=np.float64,
        workers=workers(len(u)),
    )
    u, v, score = u[score > 0], v[score > 0], score[score > 0]
    # every text of key u with every text of key v, for each scored pair (u, v), and the texts of
    # one key with each other (score 100): only the members of those keys are grouped by key
    count = np.bincount(of_member, minlength=distinct)
    wanted = count > 1
    wanted[u], wanted[v] = True, True
    kept = np.flatnonzero(wanted[of_member])
    holders = members[kept[np.argsort(of_member[kept], kind="stable")]]  # by key (increasing within one)
    starts = np.concatenate(([0], np.cumsum(np.where(wanted, count, 0))))
    first, second = _products(holders, starts, count, u, v)
    shared = np.flatnonzero(count > 1)
    i, j = _products(holders, starts, count, shared, shared)
    return (
        np.concatenate((first, i[i < j])),
        np.concatenate((second, j[i < j])),
        np.concatenate((np.repeat(score, count[u] * count[v]), np.full(int((i < j).sum()), 100.0))),
    )


def _products(holders: Ints, starts: Ints, size: Ints, u: Ints, v: Ints) -> tuple[Ints, Ints]:
    """For each pair (u, v) of groups, every member of group ``u`` with every member of group ``v``.

    Group ``k``'s members are ``holders[starts[k] : starts[k] + size[k]]``.
    """
    count = size[u] * size[v]
    of_pair = np.repeat(np.arange(len(u)), count)
    rank = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    x, y = np.divmod(rank, size[v][of_pair])
    return holders[starts[u][of_pair] + x], holders[starts[v][of_pair] + y]


Words = npt.NDArray[np.uint64]


class _SortedKeys(NamedTuple):
    """The distinct keys of a column, in the order of their start and in the order of their end."""

    of_key: Ints
    """The distinct key at each position of the column (numbered in the order of its first position)."""
    holder: Ints
    """A position of each distinct key."""
    length: Ints
    """Each distinct key's length."""
    words: tuple[Words, Words]
    """Each distinct key's first ``_PREFIX`` letters, and its last ones read backwards (:func:`_words`)."""
    orders: tuple[Ints, Ints]
    """The distinct keys sorted by each of ``words`` (:func:`_sorted_by`)."""


def _sorted_keys(column: pa.LargeStringArray) -> _SortedKeys:
    """:class:`_SortedKeys` of the keys of ``column`` (ASCII, not null)."""
    encoded = column.dictionary_encode()
    of_key = encoded.indices.to_numpy().astype(np.int64)
    holder = np.zeros(len(encoded.dictionary), dtype=np.int64)
    holder[of_key] = np.arange(len(of_key))  # any of a key's positions: they hold the same text
    length = pc.binary_length(encoded.dictionary).to_numpy().astype(np.int64)
    words = _words(encoded.dictionary), _words(encoded.dictionary, backward=True)
    return _SortedKeys(of_key, holder, length, words, (_sorted_by(words[0], length), _sorted_by(words[1], length)))


def _words(keys: pa.LargeStringArray, *, backward: bool = False) -> Words:
    """A key's first ``_PREFIX`` letters (ASCII, not null; NULs past its end) in 64-bit words; or its last, backwards.

    Each word holds eight letters, the first as its most significant byte: rows of words
    compare as numbers as the letters compare as text. Only the words up to the longest
    key's are given (those after are NULs for every key).
    """
    if backward:
        keys = pc.binary_reverse(keys.cast(pa.large_binary())).cast(pa.large_string())  # ASCII: letters are bytes
    count = min(-(-int(pc.max(pc.binary_length(keys)).as_py() or 0) // 8), _PREFIX // 8)
    padded = pc.utf8_rpad(pc.utf8_slice_codeunits(keys, 0, _PREFIX), width=_PREFIX, padding="\x00")
    _validity, offsets, data = padded.buffers()
    start = int(np.frombuffer(offsets, dtype=np.int64)[padded.offset])
    letters = np.frombuffer(data, dtype=">u8", count=len(padded) * (_PREFIX // 8), offset=start)
    return letters.reshape(len(padded), _PREFIX // 8)[:, :count].astype(np.uint64)


_PREFIX = 64
"""Letters of a key's start (or end) that :func:`_sharing_half` compares: sharing that many is enough."""


def _sorted_by(words: Words, length: Ints) -> Ints:
    """Positions of the rows of ``words`` sorted by their words, then by ``length``, then by position.

    Arrow's stable sort of the columns (one word a column, most significant first, then the length).
    """
    table = pa.table({**{f"word {column}": words[:, column] for column in range(words.shape[1])}, "length": length})
    return pc.sort_indices(table, [(name, "ascending") for name in table.column_names]).to_numpy().astype(np.int64)


def _sharing_half(words: Words, block: Ints, length: Ints, shortest: Ints) -> tuple[Ints, Ints]:
    """Pairs (i, j) of keys of one block within ``WINDOW`` of each other that share enough of their start.

    The keys are given sorted by ``block``, then by their start: ``words`` holds each key's
    first ``_PREFIX`` letters (:func:`_words`), ``length`` its length. Two keys share enough
    when their common start is at least ``(n - 1) // 2`` letters long (``n``: the shorter one's
    length), or ``_PREFIX``: a key that differs from another in one place shares at least that
    much with it at its start or at its end. What a key shares with a later one is the least
    of what each key between them shares with the next; a key shares nothing with one of
    another block.

    ``shortest`` is the shortest key each key can reach the cutoff with: a key's window ends
    when it shares too little with the next keys to meet even that one, and a pair of keys
    too unlike in length to reach the cutoff is not given (either would score below it).
    """
    count = len(words)
    if count < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    differ = words[1:] ^ words[:-1]
    rows = np.arange(count - 1)
    at = (differ != 0).argmax(axis=1)  # the first word in which a key and the next differ
    top = differ[rows, at]
    equal_bytes = (top.astype(">u8").view(np.uint8).reshape(-1, 8) != 0).argmax(axis=1)  # in that word
    common = np.where(top != 0, 8 * at + equal_bytes, _PREFIX)  # start shared by neighbours
    common[block[1:] != block[:-1]] = -1
    least = np.minimum((shortest - 1) // 2, _PREFIX)  # the least a key must share with a partner
    key, shared = rows, common  # keys still looking, and what each shares with the key ``step`` after it
    firsts, seconds = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for step in range(1, WINDOW + 1):
        looking = shared >= least[key]
        key, shared = key[looking], shared[looking]
        if not len(key):
            break
        other = key + step
        need = np.minimum((np.minimum(length[key], length[other]) - 1) // 2, _PREFIX)
        hit = (shared >= need) & (length[other] >= shortest[key]) & (length[key] >= shortest[other])
        firsts.append(key[hit])
        seconds.append(other[hit])
        going = other < count - 1
        key, shared = key[going], np.minimum(shared[going], common[other[going]])
    return np.concatenate(firsts), np.concatenate(seconds)


def _key_numbers(text: str) -> str:
    """The numbers a key holds: :func:`_numbers` of its words, sorted and joined by spaces."""
    return _numbers_of(pa.array([text], type=pa.large_string()))[0].as_py()


def _numbers_of(column: pa.LargeStringArray) -> pa.LargeStringArray:
    """:func:`_key_numbers` of each key of ``column``, a column at a time (only keys with a digit are split)."""
    digits = pc.match_substring_regex(column, "[0-9]").to_numpy(zero_copy_only=False)
    pieces = pc.split_pattern(column.filter(pa.array(digits)), " ")
    numbers = _joined(pieces, pc.replace_substring_regex(pc.list_flatten(pieces), "[^0-9]+", ""), once=True)
    return pc.replace_with_mask(pa.repeat(pa.scalar("", pa.large_string()), len(column)), pa.array(digits), numbers)


class NameTexts(NamedTuple):
    """The names and aliases of a table file's records as columns: each record's name, then its aliases in order."""

    owner: Ints
    """The row (of the file's ``data``) of each text's record."""
    place: Ints
    """0 for a record's name, ``k`` for its ``k``-th alias."""
    texts: pa.LargeStringArray
    """The texts as written (null where a record has no name; an empty alias item is an empty text)."""
    ascii: pa.LargeStringArray
    """:func:`dataset_tools.names.ascii_column` of ``texts``."""


def name_texts(tf: TableFile) -> NameTexts:
    """The names and aliases of ``tf``'s records (a table with ``name``), made once per file.

    The duplicate-name check and the cross-table check's "did you mean" (which writes every
    name as an id) both read them, and their ASCII forms, from here (see ``TableFile.derived``).
    """
    return tf.derived("name_texts", lambda: _name_texts(tf.data))


def _name_texts(data: pa.Table) -> NameTexts:
    names = data.column("name").combine_chunks().cast(pa.large_string())
    owner, place, texts = np.arange(len(data)), np.zeros(len(data), dtype=np.int64), names
    if "aliases" in data.column_names:
        cells = pc.split_pattern(data.column("aliases").combine_chunks().cast(pa.large_string()), LIST_DELIMITER)
        parent = pc.list_parent_indices(cells).to_numpy()  # ascending: the items of a cell stand together
        owner = np.concatenate((owner, parent))
        place = np.concatenate((place, np.arange(len(parent)) - np.searchsorted(parent, parent) + 1))
        order = np.argsort(owner, kind="stable")  # each record's name, then its aliases in order
        owner, place = owner[order], place[order]
        texts = pa.concat_arrays([names, pc.list_flatten(cells)]).take(pa.array(order))
    owner.flags.writeable = place.flags.writeable = False  # shared by checks on several threads
    return NameTexts(owner, place, texts, ascii_column(texts))


def duplicate_names(tf: TableFile) -> Iterator[Problem]:
    """The validator's check: likely duplicates among one table file's records.

    A repeated id is a primary-key error already: only its first record is compared. The
    records' texts are columns (:func:`name_texts`), a record is built as :class:`Named` only
    when it is reported.
    """
    if tf.table not in NAMED_TABLES or not {"id", "name"} <= set(tf.data.column_names):
        return
    data = tf.data.select([name for name in ("id", "name", "parent_id") if name in tf.data.column_names])
    ids, names = data.column("id").combine_chunks(), data.column("name").combine_chunks().cast(pa.large_string())
    lines, alias_lines = tf.lines_for("name"), tf.lines_for("aliases")
    related: set[frozenset[str]] = set()
    if "parent_id" in data.column_names:  # the records with a parent (and an id): few
        parents = data.column("parent_id").combine_chunks()
        both = pc.and_(pc.not_equal(pc.binary_length(ids), 0), pc.not_equal(pc.binary_length(parents), 0))
        both = pc.fill_null(both, fill_value=False)
        pairs = zip(ids.filter(both).to_pylist(), parents.filter(both).to_pylist(), strict=True)
        related = {frozenset(pair) for pair in pairs}
    every = name_texts(tf)
    compared = np.zeros(len(data), dtype=bool)
    compared[tf.first_records()] = True
    kept = compared[every.owner]
    kept_mask = pa.array(kept)

    def record(index: int) -> Named:
        line = int(lines[index]) if lines[index] is not None else None
        aliases_line = int(alias_lines[index]) if alias_lines[index] is not None else None
        return Named(ids[index].as_py(), line, names[index].as_py(), aliases_line=aliases_line)

    yield from _duplicates(
        tf.table,
        tf.file,
        record,
        every.owner[kept],
        every.texts.filter(kept_mask),
        new_ids=None,
        cutoff=CUTOFF,
        related=related,
        ascii_texts=every.ascii.filter(kept_mask),
    )
