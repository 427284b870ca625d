"""Generate the published schema files and the data dictionary from the models (and the code lists from pycountry).

``render()`` returns every generated file as text, keyed by its path relative to the
repository root; ``write()`` writes them, ``stale()`` names those that differ on disk.
A test calls ``stale()`` so that a changed model with unregenerated files fails CI.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from dataset_tools.release import coverage
from dataset_tools.schema import codelists, dictionary, migrate
from dataset_tools.schema.compat import Change, Level, compare, highest
from dataset_tools.schema.models import LIST_DELIMITER, SCHEMA_VERSION, TABLES, Column, Record, columns
from dataset_tools.validation import problems
from dataset_tools.writing.atomic import atomic_write

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MISSING_VALUES = [""]
"""Only an empty cell is missing: "NA" is Namibia and "null" may be a name."""

REGENERATE = "dataset-tools schema generate"
CONTRIBUTING = "CONTRIBUTING.md"
"""The contributors' guide, whose table of problem codes is generated."""
"""The command that rewrites every generated file."""
INDEX = "schemas/index.json"
"""The index of published schemas: every major version, its current version, tables and file hashes."""


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
        constraints.update(_scalar_constraints(column))
    field.update(_references(column))
    if column.vocabulary is not None:
        field["categories"] = [
            {"value": value, "label": definition} for value, definition in column.vocabulary.definitions().items()
        ]
    if constraints:
        field["constraints"] = constraints
    return field


def _scalar_constraints(column: Column) -> dict[str, Any]:
    constraints: dict[str, Any] = {}
    if column.pattern:
        constraints["pattern"] = _unanchored(column.pattern)
    if column.enum:
        constraints["enum"] = list(column.enum)
    if column.max_length:
        constraints["maxLength"] = column.max_length
    return constraints


def _references(column: Column) -> dict[str, Any]:
    """What a reference field may point at, for references Table Schema's foreign keys cannot state."""
    extra: dict[str, Any] = {}
    if column.references:
        extra["x-references"] = list(column.references)
    if column.organisation_kinds:
        extra["x-organisation-kinds"] = list(column.organisation_kinds)
    return extra


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


def schema_files() -> dict[str, str]:
    """The schema files of the current major version, as text, by path from the repository root."""
    folder = f"schemas/{major_version()}"
    files: dict[str, str] = {}
    for table, model in TABLES.items():
        files[f"{folder}/{table}.schema.json"] = dumps(json_schema(table, model))
        files[f"{folder}/{table}.tableschema.json"] = dumps(table_schema(table, model))
    return files


def sha256(text: str) -> str:
    """The hash the index records for a file: ``sha256:`` and the hex digest of its UTF-8 bytes."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_index(root: Path) -> dict[str, Any] | None:
    """The published index, or None when there is none (or it is not valid JSON)."""
    try:
        data = json.loads((root / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("majors"), dict) else None


def build_index(files: dict[str, str], previous: dict[str, Any] | None) -> dict[str, Any]:
    """The index after publishing ``files`` (the current major's schema files).

    Entries of other major versions are kept as they were: a published major is frozen.
    """
    majors: dict[str, Any] = dict(previous["majors"]) if previous else {}
    major = SCHEMA_VERSION.split(".", 1)[0]
    history = list(majors.get(major, {}).get("history", []))
    if SCHEMA_VERSION not in history:
        history.append(SCHEMA_VERSION)
    majors[major] = {
        "version": SCHEMA_VERSION,
        "history": history,
        "folder": f"schemas/{major_version()}",
        "tables": list(TABLES),
        "files": {path: sha256(text) for path, text in sorted(files.items())},
    }
    return {
        "name": "coalitions",
        "description": "Every published major version of the schema: its current version, tables and file hashes.",
        "current": SCHEMA_VERSION,
        "majors": {key: majors[key] for key in sorted(majors, key=int)},
    }


def render(root: Path) -> dict[str, str]:
    """Every generated file, as text, by path relative to the repository root.

    The index keeps the history found in ``root``; the data dictionary takes its examples
    from ``root/datasets``.
    """
    files = schema_files()
    files[INDEX] = dumps(build_index(files, read_index(root)))
    files[codelists.CODE_LISTS] = codelists.code_lists_module()
    files.update(dictionary.render(root / "datasets"))
    files.update(coverage.render(root))
    contributing = root / CONTRIBUTING
    if contributing.exists():  # its table of problem codes, from the catalogue
        files[CONTRIBUTING] = problems.with_codes_table(contributing.read_text(encoding="utf-8"))
    return files


def write(root: Path) -> list[str]:
    """Write every generated file under ``root`` (each atomically); return the paths that changed."""
    changed = []
    for relative, text in render(root).items():
        path = root / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, text)
            changed.append(relative)
    return changed


def stale(root: Path) -> list[str]:
    """Paths of generated files that are missing or differ from what the models give."""
    result = []
    for relative, text in render(root).items():
        path = root / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            result.append(relative)
    return result


@dataclasses.dataclass
class Verdict:
    """What ``dataset-tools schema check`` found: the changes since publication, and what is wrong."""

    current: str
    """SCHEMA_VERSION, the version the models say they are."""
    published: str | None
    """The published version the models were compared with (None if nothing is published)."""
    changes: list[Change] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    """Why the check fails and ``schema generate`` refuses to publish."""
    stale: list[str] = dataclasses.field(default_factory=list)
    """Why the check fails, though ``schema generate`` would fix it (a missing or outdated index)."""

    @property
    def ok(self) -> bool:
        """True when the recorded version matches the changes and the index is current."""
        return not self.errors and not self.stale


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``(major, minor, patch)`` of a ``MAJOR.MINOR.PATCH`` version, or None if it is not one."""
    match = re.fullmatch(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)", text)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def published_schemas(root: Path, folder: str, tables: list[str]) -> dict[str, dict[str, Any]]:
    """The published Table Schemas in ``folder`` (from the repository root), by table."""
    return {
        table: json.loads((root / folder / f"{table}.tableschema.json").read_text(encoding="utf-8")) for table in tables
    }


def current_schemas() -> dict[str, dict[str, Any]]:
    """The Table Schemas the models give now, by table."""
    return {table: table_schema(table, model) for table, model in TABLES.items()}


def check(root: Path) -> Verdict:
    """Compare the models with the published schema of their major version (or the last one).

    Passes when the change since publication fits the bump from the published version to
    SCHEMA_VERSION: breaking changes need a new major version (with a registered migration),
    compatible ones a new minor version; descriptions may change with any version.
    """
    current = parse_version(SCHEMA_VERSION)
    if current is None:
        return Verdict(SCHEMA_VERSION, None, errors=[f"SCHEMA_VERSION {SCHEMA_VERSION!r} is not MAJOR.MINOR.PATCH"])
    index = read_index(root)
    verdict = Verdict(SCHEMA_VERSION, None)
    entries: dict[str, Any] = index["majors"] if index else {}
    if index is None:
        verdict.stale.append(f"{INDEX} is missing or unreadable: run `{REGENERATE}`")
        folder = f"schemas/{major_version()}"
        tables = sorted(path.name.split(".")[0] for path in (root / folder).glob("*.tableschema.json"))
        if tables:
            first = json.loads((root / folder / f"{tables[0]}.tableschema.json").read_text(encoding="utf-8"))
            entries = {str(current[0]): {"version": first.get("x-schema-version", ""), "folder": folder}}
            entries[str(current[0])]["tables"] = tables
    _check_hashes(root, entries, str(current[0]), verdict)
    newer = sorted(int(key) for key in entries if key.isdigit() and int(key) > current[0])
    if newer:
        latest = entries[str(newer[-1])].get("version")
        verdict.errors.append(f"SCHEMA_VERSION {SCHEMA_VERSION} is older than the published {latest}")
    majors = [int(key) for key in entries if key.isdigit() and int(key) <= current[0]]
    if not majors:
        return verdict  # nothing published yet: the first `schema generate` publishes
    entry = entries[str(max(majors))]
    verdict.published = str(entry.get("version", ""))
    try:
        old = published_schemas(root, entry["folder"], entry["tables"])
    except (OSError, ValueError, KeyError) as error:
        verdict.errors.append(f"cannot read the published schema {verdict.published}: {error}")
        return verdict
    verdict.changes = compare(old, current_schemas())
    _judge(verdict, current, max(majors))
    if index is not None and index.get("current") != SCHEMA_VERSION and not verdict.errors:
        verdict.stale.append(f"{INDEX} records {index.get('current')}, not {SCHEMA_VERSION}: run `{REGENERATE}`")
    return verdict


def _check_hashes(root: Path, entries: dict[str, Any], major: str, verdict: Verdict) -> None:
    for key, entry in entries.items():
        for path, digest in entry.get("files", {}).items():
            try:
                actual = sha256((root / path).read_text(encoding="utf-8"))
            except OSError:
                actual = None
            if actual == digest:
                continue
            if key == major:
                verdict.stale.append(
                    f"{path} does not match {INDEX}: published files are generated, run `{REGENERATE}`"
                )
            else:
                verdict.errors.append(f"{path} was changed after schema {entry.get('version')} was published")


def _judge(verdict: Verdict, current: tuple[int, int, int], published_major: int) -> None:
    """Say what is wrong when the version bump does not fit the changes."""
    published = parse_version(verdict.published or "")
    if published is None:
        verdict.errors.append(f"{INDEX} records no valid version for schema v{published_major}")
        return
    level = highest(verdict.changes)
    if current < published:
        verdict.errors.append(f"SCHEMA_VERSION {SCHEMA_VERSION} is older than the published {verdict.published}")
    elif current[0] > published[0]:
        if current[1:] != (0, 0):
            verdict.errors.append(f"a new major version starts at {current[0]}.0.0, not {SCHEMA_VERSION}")
        if not migrate.find(published[0], current[0]):
            verdict.errors.append(
                f"schema {current[0]} has no migration from schema {published[0]}: add one to "
                "MIGRATIONS in dataset_tools/schema/migrate.py, so that `dataset-tools migrate` can upgrade old data"
            )
    elif level is Level.MAJOR:
        verdict.errors.append(
            f"breaking changes since the published {verdict.published} need a new major version: set "
            f"SCHEMA_VERSION to {published[0] + 1}.0.0 in dataset_tools/schema/models.py and add a migration "
            f"from schema {published[0]} to {published[0] + 1} in dataset_tools/schema/migrate.py, "
            "or undo the breaking changes"
        )
    elif level is Level.MINOR and current[1] <= published[1]:
        verdict.errors.append(
            f"compatible changes since the published {verdict.published} need a new minor version: set "
            f"SCHEMA_VERSION to {published[0]}.{published[1] + 1}.0 in dataset_tools/schema/models.py"
        )
