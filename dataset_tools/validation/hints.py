"""'Did you mean …?' suggestions: the closest valid value to a wrong one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from dataset_tools.validation import parallel

CUTOFF = 0.6
"""Minimum similarity (0-1) for a suggestion; below it, no suggestion beats a wrong one."""
LONGEST = 200
"""Longest value, and longest choice, compared for a suggestion (in characters). Comparing
two strings costs the product of their lengths, so a 1 MB id against a 1 MB reference took
65 s; ids, labels and vocabulary values are far shorter, so nothing useful is lost."""


def nearest(value: str, choices: Sequence[str], limit: int = 1) -> str | None:
    """The choice closest to ``value`` (case-insensitive), or None when nothing is close.

    Values and choices longer than :data:`LONGEST` are not compared (no suggestion).
    """
    if len(value) > LONGEST:
        return None
    from rapidfuzz import process, utils  # noqa: PLC0415 - loaded by the first hint; reading a clean file needs none
    from rapidfuzz.distance import OSA  # noqa: PLC0415

    choices = [choice for choice in choices if len(choice) <= LONGEST]
    found = process.extract(  # OSA: a swap of two letters (irqa → iraq) is one edit, not two
        value,
        choices,
        scorer=OSA.normalized_similarity,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=CUTOFF,
    )
    if not found:
        return None
    return ", ".join(match for match, _score, _index in found)


def suggestions(values: Sequence[str], choices: Sequence[str]) -> list[str | None]:
    """:func:`did_you_mean` of each of ``values`` against one long list, all compared in one call.

    rapidfuzz compares every pair without the GIL (on every core, for many pairs), so the other
    checks go on meanwhile, where asking value by value held the GIL. Of equally close choices
    the first wins, as in a search for one value.
    """
    short_values = [index for index, value in enumerate(values) if len(value) <= LONGEST]
    short_choices = [choice for choice in choices if len(choice) <= LONGEST]
    if len(short_values) < len(values) or len(short_choices) < len(choices):  # see LONGEST
        found = suggestions([values[index] for index in short_values], short_choices)
        hints: list[str | None] = [None] * len(values)
        for index, hint in zip(short_values, found, strict=True):
            hints[index] = hint
        return hints
    if not values or not choices:
        return [None] * len(values)
    from rapidfuzz import process, utils  # noqa: PLC0415 - as in nearest()
    from rapidfuzz.distance import OSA  # noqa: PLC0415

    scores = process.cdist(
        [utils.default_process(value) for value in values],
        [utils.default_process(choice) for choice in choices],
        scorer=OSA.normalized_similarity,
        score_cutoff=CUTOFF,
        dtype=np.float64,
        workers=parallel.workers(len(values) * len(choices)),
    )
    best = scores.argmax(axis=1)  # the first of the highest
    return [
        f"did you mean `{choices[index]}`?" if score >= CUTOFF else None
        for index, score in zip(best.tolist(), scores[np.arange(len(values)), best].tolist(), strict=True)
    ]


def did_you_mean(value: str, choices: Sequence[str]) -> str | None:
    """A hint such as "did you mean `isis`?", or None."""
    close = _nearest_fixed(value, choices) if isinstance(choices, tuple) else nearest(value, choices)
    return f"did you mean `{close}`?" if close else None


@lru_cache(maxsize=4096)
def _nearest_fixed(value: str, choices: tuple[str, ...]) -> str | None:
    """:func:`nearest` for a fixed list (a vocabulary): the same wrong value is often written many times."""
    return nearest(value, choices)


COUNTRY_NAMES = {
    "turkey": "TR",
    "republic of turkey": "TR",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "russia": "RU",
    "palestine": "PS",
    "america": "US",
    "the netherlands": "NL",
    "holland": "NL",
    "ivory coast": "CI",
    "north korea": "KP",
    "laos": "LA",
    "burma": "MM",
    "swaziland": "SZ",
    "cape verde": "CV",
    "east timor": "TL",
    "macedonia": "MK",
    "vatican": "VA",
}
"""Country names in common use that ISO 3166-1 (as pycountry has it) does not list: name → alpha-2 code."""


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Every spelling of every country (names, official and common names, alpha-3 codes) → its alpha-2 code.

    Spellings are compared as :func:`dataset_tools.names.search_key` makes them (case, diacritics,
    punctuation do not count), so ``Türkiye``, ``TURKIYE`` and ``türkiye`` are one spelling.
    """
    import pycountry  # noqa: PLC0415 - its databases load on first use

    from dataset_tools.names import search_key  # noqa: PLC0415 - only a hint needs names

    found: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("alpha_3", "name", "official_name", "common_name"):
            if spelling := getattr(country, attribute, None):
                found.setdefault(search_key(spelling), country.alpha_2)
    found.update({search_key(name): code for name, code in COUNTRY_NAMES.items()})
    return found


def country_hint(value: str) -> str | None:
    """``did you mean `TR`?`` for a country written as a name or alpha-3 code (``Turkey``, ``UK``, ``TUR``).

    Names come from pycountry (ISO 3166-1) and ``COUNTRY_NAMES``; None when ``value`` names no country.
    """
    from dataset_tools.names import search_key  # noqa: PLC0415

    code = _countries().get(search_key(value))
    return f"did you mean `{code}`?" if code else None


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_NUMERIC = re.compile(r"^\s*(\d{1,4})\s*[./\-\s]\s*(\d{1,2})(?:\s*[./\-\s]\s*(\d{1,4}))?\s*$")
_WORDS = re.compile(
    r"^\s*(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([A-Za-z]+)\.?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(\d{4})\s*$"
)


def date_hint(value: str) -> str | None:
    """The ISO form of a date written another common way, as a hint; None when nothing reads as a date.

    ``2025/02/04``, ``2025.02.04`` → ``2025-02-04``; ``04.02.2025`` → ``2025-02-04`` (dotted: day
    first); ``04/02/2025`` could be either, so when both readings are dates and differ the hint
    names both (``2025-02-04`` day first, ``2025-04-02`` month first); ``02/2025`` → ``2025-02``;
    ``4 February 2025``, ``Feb 4, 2025`` → ``2025-02-04``; ``February 2025`` → ``2025-02``.
    """
    if match := _NUMERIC.match(value):
        first, second, third = match.groups()
        if len(first) == 4:
            return _iso_hint([(int(first), int(second), int(third) if third else None)])
        if third is None or len(third) != 4:
            return None
        day_first = (int(third), int(second), int(first))
        if "." in value:  # 04.02.2025: dotted dates are day first wherever they are written
            return _iso_hint([day_first])
        return _iso_hint(list(dict.fromkeys([day_first, (int(third), int(first), int(second))])))
    if match := re.fullmatch(r"\s*(\d{1,2})\s*[./\-]\s*(\d{4})\s*", value):
        return _iso_hint([(int(match.group(2)), int(match.group(1)), None)])
    if match := _WORDS.match(value):
        before, month_name, after, year = match.groups()
        month = _MONTHS.get(month_name.lower())
        day = before or after
        if month is None or (before and after):
            return None
        return _iso_hint([(int(year), month, int(day) if day else None)])
    return None


def _iso_hint(readings: list[tuple[int, int, int | None]]) -> str | None:
    import datetime as dt  # noqa: PLC0415 - only a hint needs it

    valid = []
    for year, month, day in readings:
        try:
            dt.date(year, month, day or 1)
        except ValueError:
            continue
        valid.append(f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else ""))
    if not valid:
        return None
    if len(valid) == 1:
        return f"did you mean `{valid[0]}`?"
    return f"did you mean `{valid[0]}` (day first) or `{valid[1]}` (month first)?"
