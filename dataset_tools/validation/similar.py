"""Likely duplicates: records of one table whose names or aliases closely match.

Names are compared as *keys*: transliterated to ASCII (``anyascii``: ``Hakan Fidan`` and
``هاكان فيدان`` meet in Latin letters), case-folded, punctuation turned into spaces, and
words sorted, so that ``Fidan, Hakan`` and ``hakan fidan`` are one key. Two records whose
keys are equal, or whose similarity (rapidfuzz's ``ratio``, 0–100) reaches ``CUTOFF``, are
reported as a ``possible-duplicate`` warning on the newer record, naming the other one.
So are two records with a name or alias that *looks* the same, written with other
characters: their confusable skeletons (:func:`dataset_tools.names.skeleton`, Unicode
TR39) are equal (``Іslamic State`` with a Cyrillic ``І`` and ``Islamic State``).

Keys are compared only within blocks: keys that share their first letter, and keys that
share their last letter (and hold the same numbers). A pair that differs in both its first
and its last letter is not found; such names are rarely near-duplicates. Within a block, a
pigeonhole filter picks the pairs worth scoring (see ``_similar_entries``): a few per name
rather than every pair, though the work of finding them still grows with the block's size.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import combinations
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from dataset_tools.names import comparable, skeleton
from dataset_tools.reading.tables import TableFile
from dataset_tools.schema.models import LIST_DELIMITER
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
    name: str
    aliases: Sequence[str] = ()


_NO_APOSTROPHES = str.maketrans("", "", "'`")
_WORD = re.compile("[0-9a-z]+")
_NOT_DIGIT = re.compile("[^0-9]+")
_DIGIT = re.compile("[0-9]")


def key(text: str) -> str:
    """The comparison key of a name: ASCII, case-folded, apostrophes dropped, words only, words sorted."""
    return " ".join(sorted(_WORD.findall(comparable(text).translate(_NO_APOSTROPHES))))


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
    further down the file. A record's own name and aliases never match each other, and
    neither do two records whose ids form a pair in ``related`` (a branch named after its
    parent, such as ``ISIL - Libya`` and ``ISIL``, is a distinct record by declaration).
    """
    named = [Named(*record) for record in records]
    entries: list[tuple[str, int, str]] = []  # (key, record index, the text as written)
    for index, record in enumerate(named):
        texts = [record.name, *record.aliases]
        own = set()
        for text in texts:
            k = key(text) if isinstance(text, str) and len(text) <= LONGEST else ""
            if k and k not in own:
                own.add(k)
                entries.append((k, index, text))
    best: dict[tuple[int, int], tuple[float, int, int]] = {}  # record pair → (score, entry, entry)
    for a, b, score in _similar_entries([entry[0] for entry in entries], [entry[1] for entry in entries], cutoff):
        ra, rb = entries[a][1], entries[b][1]
        if ra == rb or not words_agree(entries[a][0], entries[b][0]):
            continue
        pair = (min(ra, rb), max(ra, rb))
        if pair not in best or score > best[pair][0]:
            best[pair] = (score, a, b) if ra < rb else (score, b, a)
    alike = _look_alikes(entries, best)
    new = set(new_ids) if new_ids is not None else None
    for (ra, rb), (score, ea, eb) in sorted(best.items()):
        if related and frozenset((named[ra].id, named[rb].id)) in related:
            continue
        target, other, e_target, e_other = _report_on(named, ra, rb, ea, eb, new)
        if target is None:
            continue
        text, other_text = entries[e_target][2], entries[e_other][2]
        yield _problem(table, file, named[target], text, named[other], other_text, score, alike=(ra, rb) in alike)


def _look_alikes(
    entries: list[tuple[str, int, str]], best: dict[tuple[int, int], tuple[float, int, int]]
) -> set[tuple[int, int]]:
    """Add to ``best`` the record pairs whose texts share a confusable skeleton and differ in letters."""
    by_skeleton: dict[str, list[int]] = defaultdict(list)
    for position, (_key, _owner, text) in enumerate(entries):
        by_skeleton[skeleton(text)].append(position)
    alike = set()
    for members in by_skeleton.values():
        for a, b in combinations(members[:_SMALL], 2):  # a skeleton shared by many is reported for the first few
            ra, rb = entries[a][1], entries[b][1]
            if ra == rb or (min(ra, rb), max(ra, rb)) in best:
                continue
            pair = (min(ra, rb), max(ra, rb))
            best[pair] = (100.0, a, b) if ra < rb else (100.0, b, a)
            alike.add(pair)
    return alike


def _report_on(
    named: list[Named], ra: int, rb: int, ea: int, eb: int, new: set[str] | None
) -> tuple[int | None, int, int, int]:
    """Which record of a pair gets the warning: the new one, else the later one."""
    a_new = new is None or named[ra].id in new
    b_new = new is None or named[rb].id in new
    if not (a_new or b_new):
        return None, ra, ea, eb
    if a_new and not b_new:
        return ra, rb, ea, eb
    if b_new and not a_new:
        return rb, ra, eb, ea
    line_a, line_b = named[ra].line or 0, named[rb].line or 0
    return (ra, rb, ea, eb) if line_a > line_b else (rb, ra, eb, ea)


def _problem(  # noqa: PLR0913 - the two records, the two texts that matched, and how
    table: str, file: str, record: Named, text: str, candidate: Named, other: str, score: float, *, alike: bool = False
) -> Problem:
    """The warning on ``record`` (whose ``text`` matched), naming ``candidate`` (whose ``other`` did)."""
    field = "name" if text == record.name else "aliases"
    their = "name" if other == candidate.name else "alias"
    where = f" (line {candidate.line})" if candidate.line else ""
    how = "looks the same as (in other letters)" if alike else "matches" if score >= 100 else "closely matches"
    what = "person" if table == "actors" else "organisation"
    return Problem(
        code="possible-duplicate",
        file=file,
        line=record.line,
        field=field,
        value=text,
        message=f"{text!r} {how} the {their} {other!r} of {candidate.id!r}{where}",
        hint=(
            f"if they are the same {what}, keep one record (`{candidate.id}`) and add this spelling to its "
            "aliases; if they differ, say how in notes"
        ),
    )


def _similar_entries(keys: list[str], owners: list[int], cutoff: float) -> Iterator[tuple[int, int, float]]:
    """Pairs of key positions (i < j) of different owners whose keys are equal or at least ``cutoff`` similar.

    Two keys are compared when they share a block: the numbers they hold and their first
    letter, or those numbers and their last letter. Pairs come in block order (first-letter
    blocks, then last-letter ones, each block where its first key stands), and by (i, j)
    within a block; a pair in both kinds of block comes once, in the first.

    Within a block, the pairs worth scoring are found without comparing every key with every
    other: a pigeonhole filter (the partition filter of Li, Deng, Wang and Feng, "PASS-JOIN",
    PVLDB 5(3), 2011). Keys are ASCII (see :func:`key`). For keys ``s`` and ``t`` with
    ``len(t) <= len(s)``, ``ratio >= cutoff`` allows at most ``tau = (1 - cutoff/100) *
    (len(s) + len(t))`` insertions and deletions, and ``tau < 2 (1 - cutoff/100) len(s)``.
    Cut ``s`` into ``tau + 1`` disjoint pieces: each edit touches at most one piece, so one
    piece is found whole in ``t``, shifted by at most ``tau``. Keys are cut into more pieces
    than that where they are long enough (three letters each): then any ``tau + 2`` pieces
    hold two whole ones, so only the ``tau + 2`` rarest are looked for, and a pair must share
    two. Finding pieces is a sort and a search in NumPy; only the pairs that pass are scored,
    by rapidfuzz. Keys up to 1,533 letters, 2**27 keys, ``cutoff`` above 50.
    """
    if cutoff <= 50:  # below, tau + 1 pieces no longer fit in a key
        raise ValueError(f"cutoff must be above 50, not {cutoff}")
    count = len(keys)
    if count < 2:
        return
    numbers = [_key_numbers(text) for text in keys]
    blocks = [
        _block_ids([(number, text[position]) for text, number in zip(keys, numbers, strict=True)])
        for position in (0, -1)
    ]
    owner, packed = np.asarray(owners, dtype=np.int64), _Keys.of(keys)
    pairs = np.concatenate([_sharing_a_piece(kind, packed, block, owner, cutoff) for kind, block in enumerate(blocks)])
    if not len(pairs):
        return
    # one row per (i, j): the first kind of block that found it
    pairs = pairs[np.lexsort((pairs[:, 0], pairs[:, 2], pairs[:, 1]))]
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = (pairs[1:, 1] != pairs[:-1, 1]) | (pairs[1:, 2] != pairs[:-1, 2])
    pairs = pairs[first]
    text = np.array(keys, dtype=object)
    scores = process.cpdist(
        text[pairs[:, 1]], text[pairs[:, 2]], scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.float64, workers=-1
    )
    found = scores > 0
    pairs, scores = pairs[found], scores[found]
    # old order: by kind of block, then where the block's first key stands, then (i, j)
    block_start = [_first_members(block) for block in blocks]
    starts = np.where(pairs[:, 0] == 0, block_start[0][blocks[0][pairs[:, 1]]], block_start[1][blocks[1][pairs[:, 1]]])
    order = np.lexsort((pairs[:, 2], pairs[:, 1], starts, pairs[:, 0]))
    for row in order:
        yield int(pairs[row, 1]), int(pairs[row, 2]), float(scores[row])


def _key_numbers(text: str) -> str:
    return " ".join(sorted(_numbers(text.split()))) if _DIGIT.search(text) else ""


def _block_ids(labels: list[tuple[str, str]]) -> npt.NDArray[np.int64]:
    """A block number per key: keys with equal labels share one."""
    ids: dict[tuple[str, str], int] = {}
    return np.fromiter((ids.setdefault(label, len(ids)) for label in labels), dtype=np.int64, count=len(labels))


def _first_members(block: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For each block number, the position of its first key."""
    first = np.full(int(block.max()) + 1, len(block), dtype=np.int64)
    np.minimum.at(first, block, np.arange(len(block), dtype=np.int64))
    return first


_WIDTH = 3
"""Letters in a piece where a key is long enough for tau + 1 of them; a shorter key has fewer per piece."""

_CANDIDATES = 1_000_000
"""Candidate pairs taken from the index at once: bounds the memory of one step."""

_MASKS = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF], dtype=np.uint64)
"""The low ``n`` letters of a four-letter window."""

Ints = npt.NDArray[np.int64]


class _Keys(NamedTuple):
    """Keys as one ASCII buffer: where each starts, how long it is, and every four-letter window as a number."""

    offset: Ints
    length: Ints
    windows: npt.NDArray[np.uint64]
    """Letters i..i+3 of the buffer as one little-endian number (NUL-padded at the end; no key holds a NUL)."""

    @classmethod
    def of(cls, keys: list[str]) -> _Keys:
        data = np.frombuffer("".join(keys).encode("ascii") + bytes(3), dtype=np.uint8).astype(np.uint64)
        windows = data[:-3] | data[1:-2] << np.uint64(8) | data[2:-1] << np.uint64(16) | data[3:] << np.uint64(24)
        length = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        return cls(np.cumsum(length) - length, length, windows)

    def piece(self, key: Ints, at: Ints, size: Ints | int) -> npt.NDArray[np.uint64]:
        """The ``size`` letters (at most four) at ``at`` in each ``key``, as numbers (distinct sizes never collide)."""
        return self.windows[self.offset[key] + at] & _MASKS[size]


def _spread(counts: Ints) -> tuple[Ints, Ints]:
    """For ``counts`` [2, 3]: the row each item belongs to, [0, 0, 1, 1, 1], and its place in it, [0, 1, 0, 1, 2]."""
    row = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    return row, np.arange(len(row), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)


def _sharing_a_piece(kind: int, keys: _Keys, block: Ints, owners: Ints, cutoff: float) -> Ints:
    """Rows (kind, i, j), i < j, of keys of different owners in one block that pass the partition filter.

    Every such pair whose keys are at least ``cutoff`` similar is among them (see
    :func:`_similar_entries`); most others are not.
    """
    spare = 1 - cutoff / 100
    need = np.floor(2 * spare * keys.length + 1e-9).astype(np.int64) + 1  # tau + 1 for the longest partner
    width = np.where(keys.length // _WIDTH >= need, _WIDTH, keys.length // need)
    # each key s cut into pieces side by side; each looked for at every place a shift may take it: with
    # d = del + ins <= tau edits and del - ins = len(s) - len(t) >= 0, a whole piece moves by -del..ins,
    # so by -tau..tau/2
    pieces = keys.length // width
    source, nth = _spread(pieces)
    first_piece = np.cumsum(pieces) - pieces
    at, size, shift = nth * width[source], width[source], need[source] - 1
    low = np.maximum(at - shift, 0)
    probe, step = _spread(at + shift // 2 - low + 1)
    probe_key = _join_key(block[source[probe]], keys.piece(source[probe], at[probe], size[probe]), low[probe] + step)
    owner_t, where, joined, by_key = _substrings(keys, block, np.unique(width).tolist())
    by_probe = np.argsort(probe_key)
    first = np.empty(len(probe_key), dtype=np.int64)
    hits = np.empty(len(probe_key), dtype=np.int64)
    first[by_probe] = np.searchsorted(joined, probe_key[by_probe], side="left")
    hits[by_probe] = np.searchsorted(joined, probe_key[by_probe], side="right") - first[by_probe]
    # tau edits leave at least `pieces - tau` pieces whole, so any `need` + 1 of them hold two whole ones
    # (one, if a key has only `need`): look only for the rarest, and keep pairs that share that many
    probed = np.minimum(pieces, need + 1)
    common = np.bincount(probe, weights=hits, minlength=len(source))
    rarest = np.lexsort((common, source))
    rank = np.arange(len(source)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    chosen = np.zeros(len(source), dtype=bool)
    chosen[rarest[rank < probed[source[rarest]]]] = True
    rows = np.flatnonzero(chosen[probe] & (hits > 0))
    found = []
    ends = np.cumsum(hits[rows])
    begin = 0
    while begin < len(rows):  # a bounded number of candidates at a time
        done = int(ends[begin - 1]) if begin else 0
        end = max(int(np.searchsorted(ends, done + _CANDIDATES, side="right")), begin + 1)
        row, nth = _spread(hits[rows[begin:end]])
        row = rows[begin:end][row]
        match = by_key[first[row] + nth]
        t, p = owner_t[match], probe[row]
        s = source[p]
        ls, lt = keys.length[s], keys.length[t]
        tau, moved = np.floor(spare * (ls + lt) + 1e-9).astype(np.int64), 2 * (where[match] - at[p])
        keep = (lt <= ls) & (ls - lt <= tau) & (owners[s] != owners[t])
        keep &= (moved >= lt - ls - tau) & (moved <= tau - ls + lt)
        found.append(_distinct(s[keep] << 36 | t[keep] << 9 | p[keep] - first_piece[s[keep]]))
        begin = end
    shared = _distinct(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    if not len(shared):
        return np.empty((0, 3), dtype=np.int64)
    pair = shared >> 9
    starts = np.flatnonzero(np.concatenate(([True], pair[1:] != pair[:-1])))
    pair = pair[starts]
    enough = np.diff(np.append(starts, len(shared))) >= probed[pair >> 27] - need[pair >> 27] + 1
    s, t = pair[enough] >> 27, pair[enough] & (1 << 27) - 1
    pairs = _distinct(np.minimum(s, t) << 32 | np.maximum(s, t))
    return np.column_stack((np.full(len(pairs), kind), pairs >> 32, pairs & 0xFFFFFFFF))


def _substrings(keys: _Keys, block: Ints, widths: list[int]) -> tuple[Ints, Ints, npt.NDArray[np.uint64], Ints]:
    """Every substring of every key, of each width: its key, its place, its join key sorted, and the sorting order."""
    target, place, target_key = [], [], []
    for piece_size in widths:
        fits = np.flatnonzero(keys.length >= piece_size)
        row, start = _spread(keys.length[fits] - piece_size + 1)
        target.append(fits[row])
        place.append(start)
        target_key.append(_join_key(block[fits[row]], keys.piece(fits[row], start, piece_size), start))
    joined = np.concatenate(target_key)
    by_key = np.argsort(joined)
    return np.concatenate(target), np.concatenate(place), joined[by_key], by_key


def _distinct(values: Ints) -> Ints:
    """``values`` sorted, each once (``np.unique`` by sorting: faster here than its hash table)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def _join_key(block: Ints, piece: npt.NDArray[np.uint64], place: Ints) -> npt.NDArray[np.uint64]:
    """One number per (block, piece, place): 25, 24 and 15 bits (an overflow only lets more pairs through)."""
    return (block.astype(np.uint64) << np.uint64(39)) | (piece << np.uint64(15)) | place.astype(np.uint64)


def duplicate_names(tf: TableFile) -> Iterator[Problem]:
    """The validator's check: likely duplicates among one table file's records."""
    if tf.table not in NAMED_TABLES or not {"id", "name"} <= set(tf.data.column_names):
        return
    ids = tf.data.column("id").to_pylist()
    names = tf.data.column("name").to_pylist()
    aliases = tf.data.column("aliases").to_pylist() if "aliases" in tf.data.column_names else [""] * len(ids)
    records = from_columns(ids, tf.lines_for("name").tolist(), names, aliases)
    first = {record.id: record for record in reversed(records)}  # a repeated id is a primary-key error already
    related: set[frozenset[str]] = set()
    if "parent_id" in tf.data.column_names:
        parents = tf.data.column("parent_id").to_pylist()
        related = {frozenset((child, parent)) for child, parent in zip(ids, parents, strict=True) if child and parent}
    yield from likely_duplicates(
        tf.table, tf.file, [record for record in records if first[record.id] is record], related=related
    )
