"""'Did you mean …?' suggestions: the closest valid value to a wrong one."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rapidfuzz import process, utils
from rapidfuzz.distance import OSA

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

    rapidfuzz compares every pair on every core without the GIL, so the other checks go on
    meanwhile; asking value by value held the GIL for 0.05 s per hundred values against
    ten thousand ids. Of equally close choices the first wins, as in a search for one value.
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
    scores = process.cdist(
        [utils.default_process(value) for value in values],
        [utils.default_process(choice) for choice in choices],
        scorer=OSA.normalized_similarity,
        score_cutoff=CUTOFF,
        dtype=np.float64,
        workers=-1,
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
