"""'Did you mean …?' suggestions: the closest valid value to a wrong one."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

CUTOFF = 60.0
"""Minimum similarity (0-100) for a suggestion; below it, no suggestion beats a wrong one."""


def nearest(value: str, choices: Sequence[str], limit: int = 1) -> str | None:
    """The choice closest to ``value`` (case-insensitive), or None when nothing is close."""
    found = process.extract(
        value, choices, scorer=fuzz.ratio, processor=utils.default_process, limit=limit, score_cutoff=CUTOFF
    )
    if not found:
        return None
    return ", ".join(match for match, _score, _index in found)


def did_you_mean(value: str, choices: Sequence[str]) -> str | None:
    """A hint such as "did you mean `isis`?", or None."""
    close = nearest(value, choices)
    return f"did you mean `{close}`?" if close else None
