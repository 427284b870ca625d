"""Problems are values: what is wrong, where, and what to do about it.

``CODES`` is public API: each code's one-line description feeds the docs, and a code,
once published, keeps its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple


class Severity(StrEnum):
    """An error fails validation; a warning does so only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


class Code(NamedTuple):
    """One problem code of the catalogue."""

    severity: Severity
    meaning: str
    """One line: what the problem is."""
    todo: str
    """One line: what a contributor does about it."""


CODES: dict[str, Code] = {
    # the dataset folder
    "unknown-file": Code(
        Severity.ERROR,
        "A file or entry in the dataset folder is not one of the tables: another file, a folder, a link that is"
        " broken or leads out of the folder, a FIFO or device, an unreadable file.",
        "Rename it to a table name (`organisations.csv`, …) or move it out of `datasets/`.",
    ),
    "missing-table": Code(
        Severity.ERROR,
        "A table of the schema has no file in the dataset folder.",
        "Add the file with its header line, even if it has no records yet.",
    ),
    "duplicate-table": Code(
        Severity.ERROR,
        "A table has more than one file (e.g. both CSV and JSON).",
        "Keep one format per table; move the records into one file.",
    ),
    # the dataset's schema version (datapackage.json) and migrations
    "schema-version-error": Code(
        Severity.ERROR,
        "The dataset declares a schema version this dataset-tools cannot validate (or its datapackage.json cannot"
        " be read); the hint names the migration.",
        "Run the migration the hint names (`dataset-tools migrate`), or update dataset-tools.",
    ),
    "migration-error": Code(
        Severity.ERROR,
        "A record cannot be migrated to the target schema without losing data; nothing was written.",
        "Fix the record the message names by hand, then migrate again.",
    ),
    # the file itself
    "empty-file": Code(
        Severity.ERROR,
        "The file has no content, not even a header.",
        "Write the header line (the hint gives it).",
    ),
    "encoding-error": Code(
        Severity.ERROR,
        "The file is not valid UTF-8: another encoding (UTF-16, Windows-1252 …), binary content, or in JSON an"
        " escape of half a character.",
        "Convert it with the command the hint names (`dataset-tools fmt --from-encoding cp1252 FILE`), or save it"
        " as UTF-8; in JSON, write the character itself rather than a lone `\\ud800`-style escape.",
    ),
    "byte-order-mark": Code(
        Severity.WARNING,
        "The file starts with a UTF-8 byte order mark.",
        "Save as UTF-8 without BOM, or run `dataset-tools fmt`, which removes it.",
    ),
    "nul-byte": Code(
        Severity.ERROR,
        "The file contains a NUL byte, which no text field may hold.",
        "Delete it; it is usually a copy-paste or export accident.",
    ),
    "parse-error": Code(
        Severity.ERROR,
        "The file cannot be parsed here (unterminated or undoubled quote, another delimiter, bad JSON).",
        'Close the quote, or double a quote inside a quoted cell (`""`); save as comma-separated CSV;'
        " fix the JSON syntax.",
    ),
    "blank-label": Code(
        Severity.ERROR,
        "A header cell is empty.",
        "Name the column after a field, or remove it (often a trailing comma).",
    ),
    "duplicate-label": Code(
        Severity.ERROR,
        "Two header cells, or two keys of one JSON record, have the same name.",
        "Delete one of the columns (or keys): only the last value of a repeated JSON key is checked.",
    ),
    "extra-label": Code(
        Severity.ERROR,
        "A header cell (or JSON key) names no field of the table.",
        "Rename it to a field (the hint suggests one) or remove it; new fields are schema changes.",
    ),
    "missing-label": Code(
        Severity.ERROR,
        "A required field of the table has no column.",
        "Add the column.",
    ),
    "blank-row": Code(
        Severity.ERROR,
        "A row has no values at all (three or more blank lines in a row are one problem naming them).",
        "Delete the line (`dataset-tools fmt` does).",
    ),
    "extra-cell": Code(
        Severity.ERROR,
        "A row has more cells than the header.",
        'Quote a cell that contains a comma: `"Iraq, Syria"`.',
    ),
    "missing-cell": Code(
        Severity.ERROR,
        "A row has fewer cells than the header.",
        "Add the missing commas: empty cells are fine for optional fields.",
    ),
    # each field
    "required-error": Code(
        Severity.ERROR,
        "A required field is empty.",
        "Fill it; the hint describes the field.",
    ),
    "type-error": Code(
        Severity.ERROR,
        "A value is not of the field's type (a date that is not a date, a JSON number).",
        "Write dates as `2025`, `2025-02` or `2025-02-04`; in JSON, write values as strings.",
    ),
    "constraint-error": Code(
        Severity.ERROR,
        "A value breaks the field's pattern, length or vocabulary.",
        "Use an allowed value (the hint suggests the closest); ids are lowercase slugs; no outer spaces.",
    ),
    "deceptive-character": Code(
        Severity.ERROR,
        "A name or other one-line text holds an invisible or text-reordering character (bidi control, zero-width).",
        "Delete the character the message names (retype the text if unsure); only ZWNJ and ZWJ, which Persian and"
        " Kurdish need, may stay.",
    ),
    "formula-cell": Code(
        Severity.WARNING,
        "A cell starts with =, +, - or @, which a spreadsheet opening the CSV would run as a formula.",
        "Reword the text so it starts otherwise; if it is meant, say so in the pull request (reviewers open the"
        " CSV as text).",
    ),
    "stray-combining-mark": Code(
        Severity.WARNING,
        "A text value, list item or word starts with a combining mark (an accent with no letter before it), which"
        " shows on whatever is printed before it.",
        "Remove the mark the message names, or write it after its letter (or the accented letter itself).",
    ),
    # each record
    "date-order-error": Code(
        Severity.ERROR,
        "A record ends before it starts, is attested outside its span, or succeeds an organisation not yet founded.",
        "Check both dates against the source; one is probably a typo.",
    ),
    "self-reference-error": Code(
        Severity.ERROR,
        "A record refers to itself where it must refer to another.",
        "Point the reference at the other record (e.g. a parent, a coalition).",
    ),
    "future-date": Code(
        Severity.WARNING,
        "A date is after today: most often a mistyped year.",
        "Check the year (`2052` for `2025`); record a planned event once it has happened.",
    ),
    # each table, and across tables
    "primary-key": Code(
        Severity.ERROR,
        "An id appears twice in one table.",
        "Give the new record its own id, or merge the two records.",
    ),
    "unique-error": Code(
        Severity.ERROR,
        "An id is used in two tables; ids are unique across all tables.",
        "Choose a more specific id for the new record.",
    ),
    "foreign-key": Code(
        Severity.ERROR,
        "A reference names an id that no record of the right table has.",
        "Correct the id (the hint suggests the closest), or add the missing record.",
    ),
    "reference-kind-error": Code(
        Severity.ERROR,
        "A reference resolves, but to a record of the wrong kind (e.g. a coalition_id that is a state).",
        "Point it at a record of the kind the field needs, or correct that record's `kind`.",
    ),
    "succession-cycle": Code(
        Severity.ERROR,
        "Renamed or merged-into successions lead from an organisation back to itself.",
        "Check which organisation came first (`predecessor_id` is the one before the change), or record the"
        " link with another kind.",
    ),
    "possible-duplicate": Code(
        Severity.WARNING,
        "A record's name or alias closely matches another record's in the same table: maybe the same entity.",
        "If it is the same entity, merge: keep one record and add the other spelling to its aliases; if not,"
        " say how they differ in `notes`.",
    ),
}
"""Every problem code: its severity, what it means and what to do (CONTRIBUTING.md's table is generated from it)."""


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
        return CODES[self.code].severity

    def sort_key(self) -> tuple[Any, ...]:
        """Order: file, line (file-wide problems first), field, code, value."""
        return (self.file, self.line or 0, self.field or "", self.code, self.value or "")

    def rank(self) -> tuple[bool, tuple[Any, ...]]:
        """Order of what a cap keeps: errors before warnings, then :meth:`sort_key`."""
        return (self.severity is not Severity.ERROR, self.sort_key())

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


TABLE_START = (
    "<!-- problem codes: generated from dataset_tools/validation/problems.py by `dataset-tools schema generate` -->"
)
TABLE_END = "<!-- end of problem codes -->"


def plural(count: int, noun: str) -> str:
    """``count`` with ``noun``, plural unless the count is one: ``1 cell``, ``2 cells``, ``0 errors``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def codes_table() -> str:
    """The Markdown table of every code, as CONTRIBUTING.md shows it."""
    rows = [f"| `{code}` | {entry.severity.value} | {entry.meaning} | {entry.todo} |" for code, entry in CODES.items()]
    return "\n".join(["| code | severity | what it means | what to do |", "| --- | --- | --- | --- |", *rows])


def with_codes_table(text: str) -> str:
    """``text`` (CONTRIBUTING.md) with the table between its markers regenerated; unchanged without markers."""
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        return text
    return text[: start + len(TABLE_START)] + "\n" + codes_table() + "\n" + text[end:]


def cap(problems: list[Problem], limit: int | None) -> list[Problem]:
    """The ``limit`` problems a capped report shows: errors before warnings, then in file order.

    The kept problems come back in :meth:`Problem.sort_key` order; ``None`` keeps them all.
    """
    if limit is None or len(problems) <= limit:
        return problems
    return sorted(sorted(problems, key=Problem.rank)[:limit], key=Problem.sort_key)
