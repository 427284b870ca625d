"""Where a field's cell starts on its line: the ``col`` of a GitHub annotation.

Problems carry a file, a line and a field; an editor or a pull-request annotation can also
point at the column. Only a few problems are annotated, so this reads the lines it needs
when asked, instead of keeping every cell's offset while validating.
"""

from __future__ import annotations

import csv
import itertools
import json
from functools import lru_cache
from pathlib import Path


def _line(path: str, number: int) -> str | None:
    """Line ``number`` (1-based) of a file, without its line end (cached while the file is unchanged)."""
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError:
        return None
    return _cached_line(path, number, stamp)


@lru_cache(maxsize=256)
def _cached_line(path: str, number: int, _stamp: int) -> str | None:
    """Read up to line ``number``, no further."""
    try:
        with Path(path).open(encoding="utf-8", errors="replace", newline="") as handle:
            found = next(itertools.islice(handle, number - 1, number), None)
    except OSError:
        return None
    return None if found is None else found.rstrip("\r\n")


def cell_column(file: str, line: int | None, field: str | None) -> int | None:
    """The 1-based column where ``field``'s cell (CSV) or key (JSON) starts on ``line``, if it can be told."""
    text = _line(file, line) if line and field else None
    if text is None or not field:
        return None
    if file.endswith((".json", ".jsonl", ".ndjson")):
        found = text.find(json.dumps(field))
        return found + 1 if found >= 0 else None
    first = _line(file, 1)
    try:
        header = next(csv.reader([(first or "").lstrip("\ufeff")]))
    except (csv.Error, StopIteration):
        return None
    if field not in header:
        return None
    return _offset(text, header.index(field))


def _offset(text: str, index: int) -> int | None:
    """Column of cell ``index`` in a CSV line, or None if the line ends first (inside a quoted cell)."""
    cell, quoted = 0, False
    if index == 0:
        return 1
    for position, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            cell += 1
            if cell == index:
                return position + 2
    return None
