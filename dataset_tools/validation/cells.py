"""Where a field's cell starts on its line: the ``col`` of a GitHub annotation.

Problems carry a file, a line and a field; an editor or a pull-request annotation can also
point at the column. Only a few problems are annotated, so this reads the lines it needs
when asked, instead of keeping every cell's offset while validating.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from dataset_tools.reading import files
from dataset_tools.reading.encodings import BOM

Place = tuple[str, int | None, str | None]
"""(file, line, field) of a problem."""


def _lines(path: str, numbers: set[int]) -> dict[int, str]:
    """Lines ``numbers`` (1-based) of a file, without their line ends ({} if it cannot be read)."""
    return files.read_lines(Path(path), numbers)


def cell_columns(places: Iterable[Place]) -> dict[Place, int | None]:
    """The 1-based column where each place's cell (CSV) or key (JSON) starts, if it can be told.

    Each file is read once, up to the last line asked for.
    """
    wanted = [place for place in dict.fromkeys(places) if place[1] and place[2]]
    numbers: dict[str, set[int]] = defaultdict(lambda: {1})
    for file, line, _field in wanted:
        numbers[file].add(line or 1)
    texts = {file: _lines(file, found) for file, found in numbers.items()}
    return {place: _column(place, texts[place[0]]) for place in wanted}


def cell_column(file: str, line: int | None, field: str | None) -> int | None:
    """The 1-based column where ``field``'s cell (CSV) or key (JSON) starts on ``line``, if it can be told."""
    return cell_columns([(file, line, field)]).get((file, line, field))


def _column(place: Place, lines: dict[int, str]) -> int | None:
    file, line, field = place
    text = lines.get(line or 0)
    if text is None or not field:
        return None
    if file.endswith((".json", ".jsonl", ".ndjson")):
        found = text.find(json.dumps(field))
        return found + 1 if found >= 0 else None
    try:
        header = next(csv.reader([lines.get(1, "").removeprefix(BOM.decode("utf-8"))]))
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
