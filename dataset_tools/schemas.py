"""Generate the published schema files and the data dictionary from the models.

``render()`` returns every generated file as text, keyed by its path relative to the
repository root; ``write()`` writes them, ``stale()`` names those that differ on disk.
A test calls ``stale()`` so that a changed model with unregenerated files fails CI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dataset_tools.models import LIST_DELIMITER, SCHEMA_VERSION, TABLES, Column, Record, columns

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MISSING_VALUES = [""]
"""Only an empty cell is missing: "NA" is Namibia and "null" may be a name."""

REGENERATE = "dataset-tools schema generate"
"""The command that rewrites every generated file."""


def major_version() -> str:
    """``v1`` for schema 1.x.y: the folder the schema files live in."""
    return "v" + SCHEMA_VERSION.split(".", 1)[0]


def dumps(data: Any) -> str:
    """Canonical JSON text: two-space indent, UTF-8 kept, final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def json_schema(table: str, model: type[Record]) -> dict[str, Any]:
    """The JSON Schema (2020-12) of one record of ``table``."""
    schema = model.model_json_schema()
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": table,
        "x-schema-version": SCHEMA_VERSION,
        **{key: value for key, value in schema.items() if key != "title"},
    }


def _unanchored(pattern: str) -> str:
    """Table Schema patterns are implicitly anchored: drop our explicit ``^…$``."""
    return pattern.removeprefix("^").removesuffix("$")


def _item_pattern(column: Column) -> str | None:
    if column.pattern:
        return _unanchored(column.pattern)
    if column.enum:
        return "|".join(column.enum)
    return None


def table_field(column: Column) -> dict[str, Any]:
    """One Table Schema field for a column. Lists and partial dates are strings."""
    field: dict[str, Any] = {"name": column.name, "type": "string", "description": column.description}
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.is_list:
        item = _item_pattern(column)
        if item:
            constraints["pattern"] = f"({item})(;({item}))*"
        field["description"] += f" A list: items separated by `{LIST_DELIMITER}`."
    else:
        if column.pattern:
            constraints["pattern"] = _unanchored(column.pattern)
        if column.enum:
            constraints["enum"] = list(column.enum)
        if column.max_length:
            constraints["maxLength"] = column.max_length
    if column.vocabulary is not None:
        field["categories"] = [
            {"value": value, "label": definition} for value, definition in column.vocabulary.definitions().items()
        ]
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(table: str, model: type[Record]) -> dict[str, Any]:
    """The Frictionless Table Schema of ``table``, with primary and foreign keys.

    Foreign keys are declared where a column refers to exactly one table with one id;
    references to several tables (an actor *or* an organisation) and lists of ids are
    checked by ``dataset-tools validate``, which Table Schema cannot express.
    """
    cols = columns(model)
    foreign_keys = []
    for column in cols:
        if len(column.references) == 1 and not column.is_list:
            reference: dict[str, Any] = {"fields": ["id"]}
            if column.references[0] != table:
                reference = {"resource": column.references[0], **reference}
            foreign_keys.append({"fields": [column.name], "reference": reference})
    schema: dict[str, Any] = {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "name": table,
        "description": (model.__doc__ or "").strip(),
        "x-schema-version": SCHEMA_VERSION,
        "fields": [table_field(column) for column in cols],
        "missingValues": MISSING_VALUES,
        "primaryKey": ["id"],
    }
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def data_dictionary() -> str:
    """The data dictionary as Markdown: every table, field, vocabulary value and reference."""
    lines = [
        "# Data dictionary",
        "",
        f"Schema version {SCHEMA_VERSION}. Generated from `dataset_tools/models.py` by `{REGENERATE}`.",
        "",
        "Conventions: every record has an `id` (a lowercase slug, unique across all tables) and,",
        "except sources, cites at least one source in `source_ids`. Dates are ISO 8601 with their",
        "precision kept (`2025`, `2025-02`, `2025-02-04`). In CSV an empty cell is a missing value",
        f"and lists are separated by `{LIST_DELIMITER}`; in JSON lists are arrays and missing is `null`.",
        "",
        "Tables: " + ", ".join(f"[`{table}`](#{table})" for table in TABLES) + ".",
        "",
    ]
    for table, model in TABLES.items():
        lines += [f"## {table}", "", (model.__doc__ or "").strip(), ""]
        lines += ["| field | type | required | description |", "| --- | --- | --- | --- |"]
        for column in columns(model):
            lines.append(
                f"| `{column.name}` | {_type_name(column)} | {'yes' if column.required else 'no'} "
                f"| {_describe(column)} |"
            )
        lines.append("")
        for column in columns(model):
            if column.vocabulary is not None:
                lines += [f"`{table}.{column.name}` values:", ""]
                lines += [f"- `{value}`: {text}" for value, text in column.vocabulary.definitions().items()]
                lines.append("")
    return "\n".join(lines)


def _type_name(column: Column) -> str:
    if column.is_date:
        name = "partial date"
    elif column.vocabulary is not None:
        name = "vocabulary"
    elif column.references:
        name = "id"
    elif column.enum:
        name = "code"
    else:
        name = "text"
    return f"list of {name}" if column.is_list else name


def _describe(column: Column) -> str:
    text = column.description
    if column.references:
        targets = " or ".join(f"`{table}`" for table in column.references)
        text += f" References {targets}"
        if column.organisation_kinds:
            text += " of kind " + ", ".join(f"`{kind}`" for kind in column.organisation_kinds)
        text += "."
    if column.enum and column.vocabulary is None:
        text += f" One of {len(column.enum)} codes."
    return text.replace("|", "\\|")


def render() -> dict[str, str]:
    """Every generated file, as text, by path relative to the repository root."""
    folder = f"schemas/{major_version()}"
    files: dict[str, str] = {}
    for table, model in TABLES.items():
        files[f"{folder}/{table}.schema.json"] = dumps(json_schema(table, model))
        files[f"{folder}/{table}.tableschema.json"] = dumps(table_schema(table, model))
    files["docs/data-dictionary.md"] = data_dictionary()
    return files


def write(root: Path) -> list[str]:
    """Write every generated file under ``root``; return the paths that changed."""
    changed = []
    for relative, text in render().items():
        path = root / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            changed.append(relative)
    return changed


def stale(root: Path) -> list[str]:
    """Paths of generated files that are missing or differ from what the models give."""
    result = []
    for relative, text in render().items():
        path = root / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            result.append(relative)
    return result
