"""'Did you mean …?' suggestions: the closest valid value to a wrong one."""

from __future__ import annotations

import re
from collections.abc import Sequence

from anyascii import anyascii
from rapidfuzz import process, utils
from rapidfuzz.distance import OSA

CUTOFF = 0.6
"""Minimum similarity (0-1) for a suggestion; below it, no suggestion beats a wrong one."""


def nearest(value: str, choices: Sequence[str], limit: int = 1) -> str | None:
    """The choice closest to ``value`` (case-insensitive), or None when nothing is close."""
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


def did_you_mean(value: str, choices: Sequence[str]) -> str | None:
    """A hint such as "did you mean `isis`?", or None."""
    close = nearest(value, choices)
    return f"did you mean `{close}`?" if close else None


def slugify(text: str) -> str:
    """A name written as an id would be: ``Daesh`` → ``daesh``, ``Hakan Fidan`` → ``hakan-fidan``."""
    return "-".join(re.findall(r"[a-z0-9]+", anyascii(text).lower()))
