"""The data dictionary, generated from the models: Markdown for the repository, one HTML page for readers.

Per table: every field with its type, whether it is required, its description, what it
references (foreign keys), its vocabulary values with their definitions, and an example.
Examples come from the shipped dataset (``datasets/``): for each field, the value of the
first record, by id, that has one. So a data change can make the dictionary stale, and
``dataset-tools schema generate`` (which the staleness test names) brings it up to date.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataset_tools.escape import markdown_code
from dataset_tools.schema.models import ADDED_IN, LIST_DELIMITER, SCHEMA_VERSION, TABLES, Column, columns

MARKDOWN = "docs/data-dictionary.md"
HTML = "docs/data-dictionary.html"
EXAMPLE_LIMIT = 60
"""Examples longer than this many characters are cut, with an ellipsis."""
COMMAND = "dataset-tools schema generate"

CONVENTIONS = (
    "Every record has an `id` (a lowercase slug, unique across all tables) and, except sources, cites at "
    "least one source in `source_ids`. Dates are ISO 8601 with their precision kept (`2025`, `2025-02`, "
    "`2025-02-04`). In CSV an empty cell is a missing value and lists are separated by "
    f"`{LIST_DELIMITER}`; in JSON lists are arrays and missing is `null`. An optional column may be left out of "
    "a file; a table added by a minor version ("
    + "; ".join(f"`{table}`, {version}" for table, version in ADDED_IN.items())
    + ") may be left out of a dataset, and then has no records."
)


@dataclass(frozen=True)
class Entry:
    """One field of the dictionary, in plain text (each renderer escapes it)."""

    column: Column
    type: str
    references: str
    example: str


def render(datasets: Path) -> dict[str, str]:
    """Both dictionaries, by path from the repository root; examples from ``datasets``."""
    entries = {table: _entries(table, examples(datasets, table)) for table in TABLES}
    return {MARKDOWN: markdown(entries), HTML: html_page(entries)}


def examples(datasets: Path, table: str) -> dict[str, str]:
    """Field → example value from the table's file in ``datasets``; empty when there is none.

    A file that cannot be read gives no examples: validation reports it, not the dictionary.
    """
    records = _records(datasets, table)
    found: dict[str, str] = {}
    for record in sorted(records, key=lambda record: str(record.get("id") or "")):
        for name, value in record.items():
            text = LIST_DELIMITER.join(map(str, value)) if isinstance(value, list) else value
            if name not in found and isinstance(text, str) and text:
                found[name] = text if len(text) <= EXAMPLE_LIMIT else text[: EXAMPLE_LIMIT - 1] + "…"
    return found


def _records(datasets: Path, table: str) -> list[dict[str, Any]]:
    """The rows of ``table``'s file in ``datasets``, as the validator reads them ([] when it has none)."""
    from dataset_tools.reading import files  # noqa: PLC0415 - the reader is needed only with a datasets folder
    from dataset_tools.reading.tables import read_table  # noqa: PLC0415

    try:
        path = files.list_folder(datasets).tables.get(table)
        return read_table(path, table, path.as_posix()).data.to_pylist() if path is not None else []
    except OSError:
        return []


def _entries(table: str, found: dict[str, str]) -> list[Entry]:
    return [
        Entry(column, _type_name(column), _references(column), found.get(column.name, ""))
        for column in columns(TABLES[table])
    ]


def markdown(entries: dict[str, list[Entry]]) -> str:
    """The dictionary as Markdown."""
    lines = [
        "# Data dictionary",
        "",
        f"Schema version {SCHEMA_VERSION}. Generated from `dataset_tools/schema/models.py` and the examples in",
        f"`datasets/` by `{COMMAND}`; do not edit by hand. Also as one [HTML page](data-dictionary.html).",
        "",
        CONVENTIONS,
        "",
        "Tables: " + ", ".join(f"[`{table}`](#{table})" for table in entries) + ".",
        "",
    ]
    for table, rows in entries.items():
        lines += [f"## {table}", "", _doc(table), ""]
        lines += ["| field | type | required | description | references | example |", "| --- " * 6 + "|"]
        lines += [
            f"| `{entry.column.name}` | {entry.type} | {'yes' if entry.column.required else 'no'} "
            f"| {_cell(entry.column.description)} | {entry.references} | {_code(entry.example)} |"
            for entry in rows
        ]
        lines.append("")
        for entry in rows:
            if entry.column.vocabulary is not None:
                lines += [f"`{table}.{entry.column.name}` values:", ""]
                definitions = entry.column.vocabulary.definitions().items()
                lines += [f"- `{value}`: {text}" for value, text in definitions]
                lines.append("")
    return "\n".join(lines)


def _doc(table: str) -> str:
    return (TABLES[table].__doc__ or "").strip()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """An example from the data as one inline code span (see :func:`dataset_tools.escape.markdown_code`)."""
    return markdown_code(text.replace("\r", " ")) if text else ""


STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
h1, h2 { line-height: 1.2; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } code { font-family: ui-monospace, monospace; background: #f5f5f5; padding: 0 0.2rem; }
dl { margin-left: 1rem; } dt { font-family: ui-monospace, monospace; margin-top: 0.4rem; } dd { margin-left: 1.5rem; }
nav a { margin-right: 0.8rem; }
""".strip()


def html_page(entries: dict[str, list[Entry]]) -> str:
    """The dictionary as one self-contained HTML page (inline CSS, no external assets)."""
    nav = " ".join(f'<a href="#{table}">{table}</a>' for table in entries)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>coalitions data dictionary, schema {SCHEMA_VERSION}</title>",
        f"<style>\n{STYLE}\n</style></head>",
        "<body>",
        "<h1>Data dictionary</h1>",
        (
            f"<p>Schema version {SCHEMA_VERSION}. Generated from <code>dataset_tools/schema/models.py</code> and the "
            f"examples in <code>datasets/</code> by <code>{COMMAND}</code>.</p>"
        ),
        f"<p>{_inline(CONVENTIONS)}</p>",
        f"<nav>{nav}</nav>",
    ]
    for table, rows in entries.items():
        parts += [f'<h2 id="{table}">{table}</h2>', f"<p>{_inline(_doc(table))}</p>", "<table>"]
        parts.append(
            "<tr><th>field</th><th>type</th><th>required</th><th>description</th><th>references</th>"
            "<th>example</th></tr>"
        )
        parts += [
            f'<tr id="{table}.{entry.column.name}"><td><code>{entry.column.name}</code></td>'
            f"<td>{entry.type}</td><td>{'yes' if entry.column.required else 'no'}</td>"
            f"<td>{_inline(entry.column.description)}</td><td>{_inline(entry.references)}</td>"
            f"<td>{f'<code>{html.escape(entry.example)}</code>' if entry.example else ''}</td></tr>"
            for entry in rows
        ]
        parts.append("</table>")
        for entry in rows:
            if entry.column.vocabulary is not None:
                parts += [f"<p>Values of <code>{table}.{entry.column.name}</code>:</p>", "<dl>"]
                definitions = entry.column.vocabulary.definitions().items()
                parts += [f"<dt>{html.escape(value)}</dt><dd>{html.escape(text)}</dd>" for value, text in definitions]
                parts.append("</dl>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _inline(text: str) -> str:
    """Escape ``text`` for HTML and turn its `backtick` spans into code elements."""
    pieces = html.escape(text, quote=False).split("`")
    return "".join(f"<code>{piece}</code>" if index % 2 else piece for index, piece in enumerate(pieces))


def _type_name(column: Column) -> str:
    if column.is_date:
        name = "partial date"
    elif column.vocabulary is not None:
        name = "vocabulary"
    elif column.references:
        name = "id"
    elif column.enum:
        name = f"code (one of {len(column.enum)})"
    else:
        name = "text"
    return f"list of {name}" if column.is_list else name


def _references(column: Column) -> str:
    if not column.references:
        return ""
    text = " or ".join(f"`{table}`.`id`" for table in column.references)
    if column.organisation_kinds:
        text += " of kind " + ", ".join(f"`{kind}`" for kind in column.organisation_kinds)
    return text
