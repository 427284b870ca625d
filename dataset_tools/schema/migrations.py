"""The registry of schema migrations: one step per major version, and the chain between two.

Kept apart from :mod:`dataset_tools.schema.migrate` (which reads and rewrites files) so
that :mod:`dataset_tools.schema.compat` can name the migration in a hint without an
import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]
"""One record in JSON form: field → string, list of strings, or None."""


class Unrepresentable(ValueError):
    """Raised by an ``upgrade`` function for a value the new schema cannot hold."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TableMigration:
    """How one table changes between two major versions."""

    source_fields: tuple[str, ...]
    """The table's fields in the old schema, in order."""
    target_fields: tuple[str, ...]
    """The table's fields in the new schema, in order (the new CSV header)."""
    upgrade: Callable[[Record], Record]
    downgrade: Callable[[Record], Record]
    """The inverse of ``upgrade``: the proof that nothing is lost."""
    source_lists: frozenset[str] = frozenset()
    """Old fields that are lists (``;``-separated in CSV)."""
    target_lists: frozenset[str] = frozenset()
    """New fields that are lists."""


@dataclass(frozen=True)
class Migration:
    """One major step: schema ``source`` → ``target`` (= source + 1)."""

    source: int
    target: int
    version: str
    """The schema version the data declares after this step, e.g. ``2.0.0``."""
    description: str
    tables: Mapping[str, TableMigration]
    """The tables that change; the others are left as they are."""


MIGRATIONS: list[Migration] = []
"""Every migration, oldest first. Schema 1 is the first published schema, so there is none yet;
a major version adds its step here (``dataset-tools schema check`` insists on it)."""


def find(source: int, target: int, migrations: list[Migration] | None = None) -> list[Migration] | None:
    """The chain of steps from major ``source`` up to ``target``, or None if a step is missing."""
    registry = MIGRATIONS if migrations is None else migrations  # read now: tests may replace the registry
    chain = []
    for major in range(source, target):
        step = next((m for m in registry if m.source == major and m.target == major + 1), None)
        if step is None:
            return None
        chain.append(step)
    return chain
