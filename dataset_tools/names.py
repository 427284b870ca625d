"""How names are compared: the one normalisation every comparison of names uses.

Duplicate warnings, "did you mean" hints and searches by name all ask this module, so that
they agree on when two spellings are the same name. A name is compared in three steps:

1. Unicode NFKC (compatibility composition, `UAX #15 <https://unicode.org/reports/tr15/>`_):
   a decomposed ``é`` (``e`` + U+0301) and a precomposed one meet, and so do full-width
   letters, ligatures and the no-break space with their plain forms;
2. transliteration to ASCII with ``anyascii``, word by word (``هاكان فيدان`` → ``hakan fydan``,
   ``Türkiye`` → ``Turkiye``);
3. case folding.

Searching by name (:func:`search_key`, :func:`consonants`) goes further, so that the name a
reader has in hand meets the one recorded: quotes and apostrophes go (``Da'esh`` = ``Daesh``),
dashes and other punctuation become spaces (``Turkey-Iraq`` = ``Turkey–Iraq``), and the Arabic
article goes, written in Arabic (``ال``) or in Latin letters (``al-``, ``el-``, and the forms
it takes before sun letters, ``ad-``, ``as-``, ``ash-`` …: ``al-Baghdadi`` = ``el-Bağdadi`` =
``Baghdadi``). :func:`consonants` also drops vowels and the letters Arabic writes for long vowels
(``w``, ``y``), since a transliteration from Arabic script carries no short vowels
(``هاكان فيدان`` → ``hkn fydn``, ``Hakan Fidan`` → ``hkn fdn``: both ``hkn fdn``).

Stored text is never changed by this module: it only builds keys to compare.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from anyascii import anyascii

_WORD = re.compile("[a-z0-9]+")
_QUOTES = re.compile("['\"`]")
"""Quotes and apostrophes as ``anyascii`` leaves them (``’``, ``ʼ``, ``“`` all become ``'`` or ``"``)."""
_LATIN_ARTICLE = re.compile(r"\b(?:al|el|ad|an|ar|as|ash|at|ath|az|adh|dh)-|\b(?:al|el) ")
"""The Arabic article in Latin letters: hyphened in any of its assimilated forms, or ``al``/``el`` as a word."""
_ARABIC_ARTICLE = "ال"
_VOWELS = re.compile("[aeiouwy]")


def ascii_text(text: str) -> str:
    """``text`` after NFKC, in ASCII letters (``anyascii``'s, one character at a time)."""
    text = unicodedata.normalize("NFKC", text)
    return text if text.isascii() else text.translate(_TRANSLITERATION)


class _Transliteration(dict[int, str]):
    """``anyascii``'s ASCII for each character met so far, as a table for ``str.translate``.

    ``anyascii`` transliterates character by character (its ``anyascii`` function looks each
    code point up in a table of its block), so a text's transliteration is its characters'
    joined, and translating with this table gives what ``anyascii(text)`` does.
    """

    def __missing__(self, code: int) -> str:
        self[code] = ascii_form = anyascii(chr(code))
        return ascii_form


_TRANSLITERATION = _Transliteration()


def comparable(text: str) -> str:
    """``text`` as names are compared: NFKC, ASCII, case-folded (``Türkiye`` → ``turkiye``)."""
    return ascii_text(text).casefold()


def slugify(text: str) -> str:
    """A name written as an id (:func:`slug_of_ascii`): ``Daesh`` → ``daesh``, ``Hakan Fidan`` → ``hakan-fidan``."""
    return str(slug_of_ascii(pa.array([ascii_text(text)], type=pa.large_string()))[0].as_py())


def ascii_column(texts: pa.LargeStringArray) -> pa.LargeStringArray:
    """:func:`ascii_text` of each text of a column (a null stays null): ASCII texts are their own.

    The others are made ASCII together (:func:`_joined_through`): NFKC, then each character
    replaced by its transliteration through a table of the characters they hold.
    """
    other = pc.invert(pc.fill_null(pc.string_is_ascii(texts), fill_value=True))
    converted = _joined_through(texts.filter(other), _ascii_of_joined, ascii_text)
    return pc.replace_with_mask(texts, other, converted)


def _ascii_of_joined(text: str) -> str:
    """:func:`ascii_text` of a text of texts joined by NULs (which it keeps): see :func:`_joined_through`."""
    return _translated(unicodedata.normalize("NFKC", text), _TRANSLITERATION.__getitem__)


_SEPARATOR = "\x00"
"""What :func:`_joined` puts between texts: a character that Unicode normalisation, case
mapping and both character tables keep as it is and never join to a neighbour (it is a starter
of combining class 0 that composes with nothing, neither cased nor case-ignorable)."""


def _joined_through(
    texts: pa.LargeStringArray, joined: Callable[[str], str], each: Callable[[str], str]
) -> pa.LargeStringArray:
    """``each(text)`` for every text of a column without nulls, computed as ``joined`` of all texts at once.

    ``joined`` gets the texts joined by ``_SEPARATOR`` (:func:`_joined`) and must give, for each,
    what ``each`` does, still separated: true of NFKC, NFKD and NFD, ``str.casefold`` and
    ``str.lower`` (whose final-sigma rule stops at the separator as at a text's end),
    :func:`_translated`, and replacing substrings without the separator. A few passes in C over
    one string then replace a Python call per text (:func:`_parted`).
    """
    return _parted(joined(_joined(texts)), texts, each)


def _joined(texts: pa.LargeStringArray) -> str:
    """The texts of a column without nulls, joined by ``_SEPARATOR`` into one string."""
    whole = pc.binary_join(
        pa.LargeListArray.from_arrays(pa.array([0, len(texts)], type=pa.int64()), texts),
        pa.scalar(_SEPARATOR, type=pa.large_string()),
    )
    return str(whole[0].as_py())


def _parted(whole: str, texts: pa.LargeStringArray, each: Callable[[str], str]) -> pa.LargeStringArray:
    """``whole``, a result for the texts joined by :func:`_joined`, split again at the separators into a column.

    A text that holds the separator itself is rare and breaks the count of parts: then
    ``each(text)`` is what each text's part must be, and it is called per text.
    """
    if not len(texts):
        return pa.array([], type=pa.large_string())
    parts = pc.list_flatten(pc.split_pattern(pa.array([whole], type=pa.large_string()), _SEPARATOR))
    if len(parts) != len(texts):  # a text holds a NUL itself
        return pa.array([each(text) for text in texts.to_pylist()], type=pa.large_string())
    return parts


_CODE_POINTS = 0x110000
_BASIC_PLANE = 0x10000
"""Code points below U+10000 (the Basic Multilingual Plane): one UTF-16 unit each, outside the surrogates."""
_SURROGATES = range(0xD800, 0xE000)
_BY_TABLE = 1 << 13
"""Characters from which :func:`_translated` finds a text's distinct characters, and the form of
each, through tables of every code point (up to megabytes to clear and scan, whatever the text's
length) rather than by sorting (``np.unique``, ``np.searchsorted``: time growing as n log n in the
text's length): the two cost about the same at a few thousand characters with tables of all 0x110000
(measured: see the commit that set it). The 65,536-entry tables of text in the Basic Multilingual
Plane cost less and win earlier, by too little below this for a second threshold (see the commit
that says where)."""
_STAND_INS = 32
"""The most characters with a replacement other than one character that :func:`_translated` maps
through stand-ins; with more, the text is translated by ``str.translate``. Each stand-in costs one
``str.replace`` over the whole text, so many of them cost more than ``str.translate`` does (where
they meet was measured: see the commit that set it). Text in Cyrillic, Arabic, Hebrew or Greek has
19-91 letters that ``anyascii`` writes as several, CJK and Hangul almost all."""


def _translated(text: str, replacement: Callable[[int], str]) -> str:
    """``text`` with each character replaced by ``replacement(code point)``: ``str.translate`` by a table lookup.

    ``replacement`` is asked once per distinct character, found by sorting a short text's code
    points or through a table of every code point for a long one (``_BY_TABLE``); each
    character's replacement is then looked up in compiled code (NumPy for a short text, an
    Arrow ``take`` of a table of one entry per code point for a long one). Text all in the
    Basic Multilingual Plane (most) is read as UTF-16, two bytes a character, and its tables
    have 65,536 entries. A character replaced by none or by several (few:
    ``anyascii`` writes ``ß`` as ``ss``) is first replaced by a stand-in, a character in
    neither the text's replacements nor the text, and each stand-in then by its replacement
    (``str.replace``). The result is written in the narrowest of one byte per character
    (Latin-1: ASCII, for transliteration), two (UTF-16) or four (UTF-32) that holds it.
    """
    units = text.encode("utf-16-le")
    basic = len(units) == 2 * len(text)  # no character past U+FFFF: each is one UTF-16 unit, its code point
    codes = np.frombuffer(units, dtype=np.uint16) if basic else np.frombuffer(text.encode("utf-32-le"), np.uint32)
    by_table = len(codes) >= _BY_TABLE
    if by_table:
        seen = np.zeros(_BASIC_PLANE if basic else _CODE_POINTS, dtype=np.bool_)
        seen[codes] = True
        distinct = np.flatnonzero(seen)
    else:
        distinct = np.unique(codes)
    present = distinct.tolist()
    forms = [replacement(code) for code in present]
    uneven = [row for row, form in enumerate(forms) if len(form) != 1]
    if len(uneven) > _STAND_INS:
        return text.translate(dict(zip(present, forms, strict=True)))
    used = set("".join(forms)) | {chr(code) for code in present}
    free = (chr(code) for code in range(0x80, _CODE_POINTS) if code not in _SURROGATES and chr(code) not in used)
    stand_ins = {row: next(free) for row in uneven}
    slots = [ord(stand_ins.get(row) or form) for row, form in enumerate(forms)]
    widest = max(slots, default=0)
    if widest < 0x100:
        dtype, encoding = np.dtype(np.uint8), "latin-1"
    elif widest < _BASIC_PLANE:
        dtype, encoding = np.dtype("<u2"), "utf-16-le"
    else:
        dtype, encoding = np.dtype("<u4"), "utf-32-le"
    if by_table:  # Arrow's take reads the narrow codes as they are (NumPy's gather widens them to 8 bytes each)
        lookup = np.zeros(len(seen), dtype=dtype)
        lookup[distinct] = slots
        taken = pc.take(pa.array(lookup), pa.array(codes)).buffers()[1]
        result = str(taken.slice(0, len(codes) * dtype.itemsize), encoding)
    else:
        result = np.array(slots, dtype=dtype)[np.searchsorted(distinct, codes)].tobytes().decode(encoding)
    for row, stand_in in stand_ins.items():
        result = result.replace(stand_in, forms[row])
    return result


def slug_of_ascii(ascii_texts: pa.LargeStringArray) -> pa.LargeStringArray:
    """Texts written as ids, given as their :func:`ascii_column`: lowered, each run of other than ``[a-z0-9]`` a ``-``.

    A null stays null. The one rule of :func:`slugify`, which asks it of one text.
    """
    return pc.utf8_trim(pc.replace_substring_regex(pc.ascii_lower(ascii_texts), "[^a-z0-9]+", "-"), "-")


def search_key(text: str) -> str:
    """``text`` as searches compare it: :func:`comparable`, without quotes, articles or punctuation.

    ``Ahmed Al-Sharaa`` → ``ahmed sharaa``; ``Turkey–Iraq–Syria`` → ``turkey iraq syria``;
    ``الدولة الإسلامية`` → ``dwlh slmyh``.
    """
    words = unicodedata.normalize("NFKC", text).split()
    words = [word[2:] if word.startswith(_ARABIC_ARTICLE) and len(word) > 3 else word for word in words]
    folded = _QUOTES.sub("", comparable(" ".join(words)))
    return " ".join(_WORD.findall(_LATIN_ARTICLE.sub("", folded)))


def consonants(key: str) -> str:
    """A :func:`search_key` without vowels, ``w`` or ``y``: what a name keeps across Arabic script and back."""
    return " ".join(word for word in _VOWELS.sub("", key).split() if word)


# --- look-alikes (Unicode TR39 confusables) -----------------------------------------------------

_ASCII_AFTER = (("''", '"'), ("rn", "m"), ("\u00ba/\u2080", "%"))
"""The ASCII characters whose prototype is several characters, as (prototype, character): both
paths fold each prototype back, left to right, after mapping (``m`` → ``rn`` → ``m``). The ASCII
path, whose byte table maps one character to one, first writes these prototypes as the full
mapping does (:func:`_ascii_folded`) where a fold can join characters across a prototype's edge
(see ``_ASCII_WRITTEN``: a quote before a double quote maps to three quotes, which fold to a
double quote before a quote), so that the two paths fold the same text."""
_ASCII_WRITTEN = tuple(
    (long, short) for long, short in _ASCII_AFTER if any(long[:size] == long[-size:] for size in range(1, len(long)))
)
"""Of ``_ASCII_AFTER``, the prototypes that begin as they end (``''``): folding, left to right, can
join one to a neighbour, so the ASCII path writes them before folding. The others fold back to
exactly what was there (``rn`` cannot overlap itself): writing them would change nothing."""


CONFUSABLES = "dataset_tools/confusables.py"
"""The generated module that holds the look-alike prototypes, by path from the repository root."""


@lru_cache(maxsize=1)
def _prototypes() -> tuple[dict[int, str], bytes]:
    """Each confusable character's prototype, and the ASCII part as a byte translation table.

    Read from the generated :mod:`dataset_tools.confusables` (see :func:`library_prototypes`),
    loaded on first use: its 5,257 entries are constants of its compiled module.
    """
    from dataset_tools import confusables  # noqa: PLC0415 - only skeletons need it; load() never does

    return confusables.PROTOTYPES, confusables.ASCII_TABLE


def library_prototypes() -> tuple[dict[int, str], bytes]:
    """Each confusable character's prototype, and the ASCII part as a byte translation table.

    From UTS #39's ``confusables.txt`` as the ``confusable-homoglyphs`` package ships it. The
    package stores, for a character of the file's source column, the one prototype it maps
    to, and for a prototype every character that maps to it. A character with one entry is
    therefore a source, except in a pair where each is the other's only entry: either may
    be the prototype, and the smaller is taken for both (skeletons only need to agree).
    :func:`confusables_module` writes them into :mod:`dataset_tools.confusables`, which
    :func:`skeleton` reads.
    """
    from confusable_homoglyphs import confusables  # noqa: PLC0415 - only generating the module reads its table

    data: dict[str, list[dict[str, str]]] = confusables.confusables_data
    mapping: dict[int, str] = {}
    for character, entries in data.items():
        if len(character) != 1 or len(entries) != 1:
            continue
        target = entries[0]["c"].strip("\u200e")  # the package wraps right-to-left letters in LRMs
        back = data.get(target, [])
        if len(back) == 1 and back[0]["c"].strip("\u200e") == character:
            target = min(character, target)
        if target != character:
            mapping[ord(character)] = target
    table = bytearray(range(256))
    for code, target in mapping.items():
        if code < 128 and len(target) == 1 and target.isascii():
            table[code] = ord(target)
    return mapping, bytes(table)


def confusables_module() -> str:
    """The text of :mod:`dataset_tools.confusables`, from the confusable-homoglyphs installed now.

    ``dataset-tools schema generate`` writes it, and a test fails when it differs (so a new
    confusable-homoglyphs that changes the table is noticed). Characters outside printable
    ASCII are written as escapes, so that no invisible or right-to-left letter is in the source.
    """
    mapping, table = library_prototypes()
    changed = [code for code in range(256) if table[code] != code]
    sources, targets = bytes(changed), bytes(table[code] for code in changed)
    entries = "".join(f"    0x{code:04X}: {_literal(target)},\n" for code, target in sorted(mapping.items()))
    return (
        '"""Each confusable character\'s prototype (Unicode UTS #39), as confusable-homoglyphs ships them.\n\n'
        "Generated by `dataset-tools schema generate` (:func:`dataset_tools.names.library_prototypes`);\n"
        "do not edit by hand. Skeletons read the table from here rather than from the package, whose\n"
        "JSON files are parsed on import, and a test fails when the package's table differs from this.\n"
        '"""\n\n'
        f"PROTOTYPES = {{\n{entries}}}\n"
        '"""A character\'s code point, and the text of its prototype (for ``str.translate``)."""\n'
        f"ASCII_TABLE = bytes.maketrans({_literal(sources)}, {_literal(targets)})\n"
        '"""The ASCII characters mapped to one ASCII character, as a byte translation table."""\n'
    )


def _literal(text: str | bytes) -> str:
    r"""``text`` as a double-quoted literal (``b``-prefixed for bytes): printable ASCII as it is, the rest escaped.

    Each character is written as :func:`ascii` writes it (``\xa0``, ``\u2080``, ``\U0002a600``).
    """
    prefix, characters = ("b", text.decode("latin-1")) if isinstance(text, bytes) else ("", text)
    escaped = "".join('\\"' if character == '"' else ascii(character)[1:-1] for character in characters)
    return f'{prefix}"{escaped}"'


def skeleton(text: str, *, lowered: bool = False) -> str:
    """``text``'s confusable skeleton (UTS #39 §4) after NFKC, then case-folded; with ``lowered``, ``text.lower()``'s.

    Two texts that look alike have the same one (``Іslamic State`` in Cyrillic and ``Islamic
    State``; ``Неzbollah`` with a Cyrillic capital ``Н`` and ``Hezbollah``). Letters are mapped
    to their prototypes before case folding, as written: a capital look-alike maps to a Latin
    capital, while its small letter may map to something else (Cyrillic ``н`` to small
    capital ``ʜ``). So the skeleton of a text depends on its case: whether two texts look
    alike *ignoring case* is :func:`look_alike`, which also compares ``lowered`` skeletons.

    Source: `UTS #39 <https://www.unicode.org/reports/tr39/#Confusable_Detection>`_, its data
    from the ``confusable-homoglyphs`` package (copied into :mod:`dataset_tools.confusables`). ASCII
    text takes a byte-level fast path.
    """
    if lowered:
        text = text.lower()
    mapping, table = _prototypes()
    normal = unicodedata.normalize("NFKC", text)
    if normal.isascii():
        return _ascii_folded(normal.encode("ascii").translate(table).decode("ascii").lower())  # folding is lowering
    return _mapped(unicodedata.normalize("NFD", normal), lambda decomposed: decomposed.translate(mapping))


def _mapped(decomposed: str, prototypes: Callable[[str], str]) -> str:
    """The skeleton of a text whose NFKC form is not ASCII, in NFD: ``prototypes`` gives each character its own.

    Each character's prototype, NFD again, case folding, then the ASCII folds (UTS #39's
    ``skeleton``, case-folded). A text's NFKC form in NFD is its NFKD form: NFKC composes the
    NFKD form, and NFD takes apart just what composition joined (`UAX #15
    <https://unicode.org/reports/tr15/>`_: NFKC is the canonical composition of NFKD).
    """
    return _folded(unicodedata.normalize("NFD", prototypes(decomposed)).casefold())


def _ascii_folded(mapped: str) -> str:
    """An ASCII text mapped by the byte table, the prototypes ``_ASCII_WRITTEN`` names written, then folded.

    See ``_ASCII_AFTER``: what the full mapping of the same text gives, folded.
    """
    for long, short in _ASCII_WRITTEN:
        mapped = mapped.replace(short, long)
    return _folded(mapped)


def _folded(mapped: str) -> str:
    """``mapped`` with the multi-letter prototypes of ASCII characters folded back (see ``_ASCII_AFTER``)."""
    for long, short in _ASCII_AFTER:
        mapped = mapped.replace(long, short)
    return mapped


def look_alike(text: str, other: str) -> bool:
    """True when two texts look alike, ignoring case: equal skeletons as written, or of their lower case.

    Neither comparison alone is enough, because the confusables table maps a capital and its
    small letter apart (see :func:`skeleton`):

    - as written, Cyrillic ``Неzbollah`` meets ``Hezbollah`` (capital ``Н`` maps to ``H``), which
      their lower case forms would miss (``н`` maps to small capital ``ʜ``, ``h`` to itself);
    - in lower case, ``Islamic Ѕtate`` (Cyrillic capital ``Ѕ``) meets ``ISLAMIC STATE``, which their
      skeletons as written miss (Latin capital ``I`` maps to ``l`` while small ``i`` does not:
      ``lslamic state`` against ``lslamlc state``); lowered, ``ѕ`` and ``i`` meet ``s`` and ``i``.

    Texts equal but for case look alike (both their lowered skeletons are one).
    :func:`skeleton_columns` gives both skeletons of a column of texts.
    """
    return skeleton(text) == skeleton(other) or skeleton(text, lowered=True) == skeleton(other, lowered=True)


def skeleton_columns(texts: pa.LargeStringArray) -> tuple[pa.LargeStringArray, pa.LargeStringArray]:
    """Both skeletons :func:`look_alike` compares, of each text of a column: as written, and ``lowered``.

    A null stays null. The skeletons of ASCII texts come from one byte table (lowered: of
    their ASCII lower case, Arrow's ``ascii_lower``; see :func:`_ascii_skeletons`). The texts
    in other letters are joined once (:func:`_joined`), decomposed once (NFKD) and mapped together
    (:func:`_skeleton_of_decomposed`), their lower case from the same joined string, and lowered
    ones mapped again only where lowering changes them (most do not: Arabic has no case, and
    much text is in lower case already). The few whose NFKC form is ASCII (full-width letters)
    take :func:`skeleton`'s ASCII path, one at a time.
    """
    plain = pc.fill_null(pc.string_is_ascii(texts), fill_value=True)
    ascii_texts, others = texts.filter(plain), texts.filter(pc.invert(plain))
    whole = _joined(others)
    decomposed = unicodedata.normalize("NFKD", whole)  # each text's NFKC form in NFD (see _mapped)
    written = _parted(_skeleton_of_decomposed(decomposed), others, skeleton)
    lower = _parted(whole.lower(), others, str.lower)
    changed = pc.not_equal(lower, others)
    lowered = pc.replace_with_mask(
        written, changed, _joined_through(lower.filter(changed), _skeleton_of_joined, skeleton)
    )
    normal_ascii = pc.string_is_ascii(_parted(decomposed, others, _nfkd))  # NFKD is ASCII where NFKC is
    if pc.any(normal_ascii).as_py():
        fixed = others.filter(normal_ascii).to_pylist()
        written = pc.replace_with_mask(written, normal_ascii, pa.array([skeleton(t) for t in fixed], pa.large_string()))
        lowered = pc.replace_with_mask(
            lowered, normal_ascii, pa.array([skeleton(t, lowered=True) for t in fixed], pa.large_string())
        )
    return (
        _merged(texts, plain, _ascii_skeletons(ascii_texts), written),
        _merged(texts, plain, _ascii_skeletons(pc.ascii_lower(ascii_texts)), lowered),
    )


def _nfkd(text: str) -> str:
    """``text`` in Unicode NFKD (for :func:`_parted`, which asks a function)."""
    return unicodedata.normalize("NFKD", text)


def _skeleton_of_joined(text: str) -> str:
    """:func:`skeleton` of texts in other letters, joined by NULs (see :func:`_joined_through`): :func:`_mapped`."""
    return _skeleton_of_decomposed(_nfkd(text))


def _skeleton_of_decomposed(decomposed: str) -> str:
    """:func:`_skeleton_of_joined` of texts joined by NULs, given in NFKD."""
    mapping, _table = _prototypes()
    return _mapped(decomposed, lambda text: _translated(text, lambda c: mapping.get(c, chr(c))))


def _merged(
    texts: pa.LargeStringArray, plain: pa.BooleanArray, ascii_part: pa.LargeStringArray, others: pa.LargeStringArray
) -> pa.LargeStringArray:
    """A column like ``texts``: ``ascii_part`` where ``plain`` is true, in order, and ``others`` elsewhere."""
    merged = pc.replace_with_mask(texts, plain, ascii_part)
    return pc.replace_with_mask(merged, pc.invert(plain), others)


def _ascii_skeletons(texts: pa.LargeStringArray) -> pa.LargeStringArray:
    """:func:`skeleton` of each text of a column of ASCII texts (or nulls), all at once.

    An ASCII text is its own NFKC form; its skeleton takes the ASCII part of the mapping
    (one letter for another, none of them mapped again) and lower case (which is case
    folding, in ASCII): one byte table, applied to the bytes of all the texts at once.
    Then the multi-letter prototypes written (``_ASCII_WRITTEN``) and folded back, which Arrow
    does as ``str.replace`` does, left to right (:func:`_ascii_folded`).
    """
    validity, offsets, data = texts.buffers()
    if data is not None:  # a filtered array's own data: its texts' bytes (and any padding), translated at once
        data = pa.py_buffer(data.to_pybytes().translate(_ascii_table()))
    texts = pa.LargeStringArray.from_buffers(len(texts), offsets, data, validity, offset=texts.offset)
    for long, short in _ASCII_WRITTEN:
        texts = pc.replace_substring(texts, short, long)
    for long, short in _ASCII_AFTER:
        texts = pc.replace_substring(texts, long, short)
    return texts


def _ascii_table() -> bytes:
    """The ASCII part of the confusable mapping, then lower case, as one byte translation table."""
    return _prototypes()[1].lower()  # lowers the table's targets: what mapping, then lowering, gives
