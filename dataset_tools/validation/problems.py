"""Problems are values: what is wrong, where, and what to do about it.

``CODES`` is public API: each code's one-line description feeds the docs, and a code,
once published, keeps its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """An error fails validation; a warning does so only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


CODES: dict[str, tuple[Severity, str]] = {
    # the dataset folder
    "unknown-file": (Severity.ERROR, "A file in the dataset folder is not one of the tables."),
    "missing-table": (Severity.ERROR, "A table of the schema has no file in the dataset folder."),
    "duplicate-table": (Severity.ERROR, "A table has more than one file (e.g. both CSV and JSON)."),
    # the dataset's schema version (datapackage.json) and migrations
    "schema-version-error": (
        Severity.ERROR,
        "The dataset declares a schema version this dataset-tools cannot validate; the hint names the migration.",
    ),
    "migration-error": (
        Severity.ERROR,
        "A record cannot be migrated to the target schema without losing data; nothing was written.",
    ),
    # the file itself
    "empty-file": (Severity.ERROR, "The file has no content, not even a header."),
    "encoding-error": (Severity.ERROR, "The file is not valid UTF-8 (in JSON: an escape of half a character)."),
    "byte-order-mark": (Severity.WARNING, "The file starts with a UTF-8 byte order mark."),
    "nul-byte": (Severity.ERROR, "The file contains a NUL byte, which no text field may hold."),
    "parse-error": (Severity.ERROR, "The file cannot be parsed from here on (unterminated quote, bad JSON)."),
    "blank-label": (Severity.ERROR, "A header cell is empty."),
    "duplicate-label": (Severity.ERROR, "Two header cells, or two keys of one JSON record, have the same name."),
    "extra-label": (Severity.ERROR, "A header cell (or JSON key) names no field of the table."),
    "missing-label": (Severity.ERROR, "A required field of the table has no column."),
    "blank-row": (Severity.ERROR, "A row has no values at all."),
    "extra-cell": (Severity.ERROR, "A row has more cells than the header."),
    "missing-cell": (Severity.ERROR, "A row has fewer cells than the header."),
    # each field
    "required-error": (Severity.ERROR, "A required field is empty."),
    "type-error": (Severity.ERROR, "A value is not of the field's type (a date that is not a date, a JSON number)."),
    "constraint-error": (Severity.ERROR, "A value breaks the field's pattern, length or vocabulary."),
    # each record
    "date-order-error": (
        Severity.ERROR,
        "A record ends before it starts, is attested outside its span, or succeeds an organisation not yet founded.",
    ),
    "self-reference-error": (Severity.ERROR, "A record refers to itself where it must refer to another."),
    # each table, and across tables
    "primary-key": (Severity.ERROR, "An id appears twice in one table."),
    "unique-error": (Severity.ERROR, "An id is used in two tables; ids are unique across all tables."),
    "foreign-key": (Severity.ERROR, "A reference names an id that no record of the right table has."),
    "reference-kind-error": (
        Severity.ERROR,
        "A reference resolves, but to a record of the wrong kind (e.g. a coalition_id that is a state).",
    ),
    "succession-cycle": (
        Severity.ERROR,
        "Renamed or merged-into successions lead from an organisation back to itself.",
    ),
    "possible-duplicate": (
        Severity.WARNING,
        "A record's name or alias closely matches another record's in the same table: maybe the same entity.",
    ),
}
"""Every problem code: its severity and a one-line description."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located as precisely as it can be."""

    code: str
    file: str
    line: int | None
    message: str
    field: str | None = None
    value: str | None = None
    hint: str | None = None

    @property
    def severity(self) -> Severity:
        """Error or warning, from the code."""
        return CODES[self.code][0]

    def sort_key(self) -> tuple[Any, ...]:
        """Order: file, line (file-wide problems first), field, code, value."""
        return (self.file, self.line or 0, self.field or "", self.code, self.value or "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: every attribute, plus the severity."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
        }
