"""What changed between two versions of the dataset: records added, changed (field by field) and removed.

Records are matched by ``id`` (ids are never reused or renamed), and compared cell by cell
on their canonical CSV text, so ``2025-02`` → ``2025-02-04`` is a change and a reordered
file is not. ``compare`` takes tables as :mod:`dataset_tools.folders` reads them; the
renderers give the same diff as text, JSON (for tools and CI) and Markdown (for release
notes and pull-request comments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from dataset_tools.escape import markdown, markdown_code, terminal
from dataset_tools.schema.models import TABLES


@dataclass(frozen=True)
class Change:
    """One record present in both versions with at least one differing field."""

    id: str
    fields: dict[str, tuple[str, str]]
    """Field → (old text, new text); ``""`` is a missing value."""


@dataclass(frozen=True)
class TableDiff:
    """The changes to one table, each list sorted by id."""

    added: list[dict[str, str]] = field(default_factory=list)
    """The new records, whole."""
    changed: list[Change] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    """The records that are gone, whole, as they were."""

    @property
    def empty(self) -> bool:
        """True when the table did not change."""
        return not (self.added or self.changed or self.removed)


@dataclass(frozen=True)
class Diff:
    """The changes to every table, in the order of ``TABLES``."""

    tables: dict[str, TableDiff]

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return all(table.empty for table in self.tables.values())


def compare(old: dict[str, pa.Table], new: dict[str, pa.Table]) -> Diff:
    """The records added, changed and removed from ``old`` to ``new``, per table."""
    return Diff({table: _compare_table(old[table], new[table]) for table in TABLES})


def _compare_table(old: pa.Table, new: pa.Table) -> TableDiff:
    names = new.column_names
    old_ids = np.asarray(old.column("id").to_pylist(), dtype=object)
    new_ids = np.asarray(new.column("id").to_pylist(), dtype=object)
    old_index = {identifier: row for row, identifier in enumerate(old_ids)}
    new_index = {identifier: row for row, identifier in enumerate(new_ids)}
    added_rows = sorted((identifier, row) for identifier, row in new_index.items() if identifier not in old_index)
    removed_rows = sorted((identifier, row) for identifier, row in old_index.items() if identifier not in new_index)
    common = sorted(identifier for identifier in new_index if identifier in old_index)
    old_rows = np.fromiter((old_index[identifier] for identifier in common), dtype=np.int64, count=len(common))
    new_rows = np.fromiter((new_index[identifier] for identifier in common), dtype=np.int64, count=len(common))
    differing: dict[int, dict[str, tuple[str, str]]] = {}
    for name in names:
        if name not in old.column_names:
            continue
        before = np.asarray(old.column(name).to_pylist(), dtype=object)[old_rows]
        after = np.asarray(new.column(name).to_pylist(), dtype=object)[new_rows]
        for position in np.flatnonzero(before != after):
            differing.setdefault(int(position), {})[name] = (before[position], after[position])
    return TableDiff(
        added=_records(new, [row for _, row in added_rows]),
        changed=[Change(common[position], differing[position]) for position in sorted(differing)],
        removed=_records(old, [row for _, row in removed_rows]),
    )


def _records(data: pa.Table, rows: list[int]) -> list[dict[str, str]]:
    return data.take(pa.array(rows, pa.int64())).to_pylist() if rows else []


def summary(diff: Diff) -> dict[str, dict[str, int]]:
    """Per table, how many records were added, changed and removed."""
    return {
        table: {"added": len(part.added), "changed": len(part.changed), "removed": len(part.removed)}
        for table, part in diff.tables.items()
    }


def to_json(diff: Diff) -> dict[str, Any]:
    """The diff as JSON-ready data: a summary, then every table's records and field changes."""
    return {
        "summary": summary(diff),
        "tables": {
            table: {
                "added": part.added,
                "changed": [
                    {
                        "id": change.id,
                        "fields": {name: {"old": old, "new": new} for name, (old, new) in change.fields.items()},
                    }
                    for change in part.changed
                ],
                "removed": part.removed,
            }
            for table, part in diff.tables.items()
        },
    }


def _label(record: dict[str, str]) -> str:
    """A record's id, and its name or title when it has one (terminal-safe)."""
    name = record.get("name") or record.get("title") or ""
    return terminal(f"{record['id']} ({name})" if name else record["id"])


def _one_line(text: str) -> str:
    """A value on one terminal line: line breaks and every control or bidi character escaped."""
    return terminal(text) if text else "(empty)"


def to_text(diff: Diff) -> str:
    """The diff for a terminal: one block per changed table."""
    if diff.empty:
        return "No records added, changed or removed.\n"
    lines = []
    for table, part in diff.tables.items():
        if part.empty:
            continue
        lines.append(f"{table}: {len(part.added)} added, {len(part.changed)} changed, {len(part.removed)} removed")
        lines += [f"  + {_label(record)}" for record in part.added]
        for change in part.changed:
            lines.append(f"  ~ {terminal(change.id)}")
            lines += [
                f"      {name}: {_one_line(old)} -> {_one_line(new)}" for name, (old, new) in change.fields.items()
            ]
        lines += [f"  - {_label(record)}" for record in part.removed]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return markdown_code(_one_line(text)) if text else "*(empty)*"


def _capped(items: list[Any], limit: int | None) -> tuple[list[Any], str | None]:
    if limit is None or len(items) <= limit:
        return items, None
    return items[:limit], f"- … and {len(items) - limit} more (`dataset-tools diff --format json` lists them all)"


def to_markdown(diff: Diff, *, limit: int | None = None, heading_level: int = 2) -> str:
    """The diff as Markdown, for release notes and pull-request comments.

    ``limit`` caps how many records are listed per table and kind of change.
    """
    if diff.empty:
        return "No records added, changed or removed.\n"
    hashes = "#" * heading_level
    lines: list[str] = []
    for table, part in diff.tables.items():
        if part.empty:
            continue
        lines += [f"{hashes} `{table}`", ""]
        for title, records in (("Added", part.added), ("Removed", part.removed)):
            if records:
                shown, more = _capped(records, limit)
                lines += [f"{title} ({len(records)}):", ""]
                lines += [f"- {markdown_code(record['id'])}" + _name(record) for record in shown]
                lines += [more, ""] if more else [""]
        if part.changed:
            shown, more = _capped(part.changed, limit)
            lines += [f"Changed ({len(part.changed)}):", ""]
            for change in shown:
                fields = "; ".join(
                    f"{markdown_code(name)} {_cell(old)} → {_cell(new)}" for name, (old, new) in change.fields.items()
                )
                lines.append(f"- {markdown_code(change.id)}: {fields}")
            lines += [more, ""] if more else [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _name(record: dict[str, str]) -> str:
    name = record.get("name") or record.get("title") or ""
    return f" {markdown(name)}" if name else ""
