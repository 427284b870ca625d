"""Generate, from the models, every file of the repository that restates them.

That is the published schema files and their index, the data dictionary, the coverage
page, CONTRIBUTING.md's table of problem codes and its CSV examples, and the columns of
``datasets/``'s tables (their canonical form) with the schema version it declares; and,
from pycountry, the code lists validation reads (``dataset_tools/schema/isocodes.py``), and from
confusable-homoglyphs, the look-alike table skeletons read (``dataset_tools/confusables.py``). So a
new optional field is the model and a CHANGELOG line by hand, and ``dataset-tools schema
generate`` for the rest.

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

from dataset_tools import names
from dataset_tools.reading import files
from dataset_tools.release import coverage
from dataset_tools.schema import codelists, compat, dictionary, migrate
from dataset_tools.schema.compat import Change, Level, compare, highest
from dataset_tools.schema.models import LIST_DELIMITER, SCHEMA_VERSION, TABLES, Column, Record, columns
from dataset_tools.validation import problems
from dataset_tools.writing import fmt
from dataset_tools.writing.atomic import atomic_write

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MISSING_VALUES = [""]
"""Only an empty cell is missing: "NA" is Namibia and "null" may be a name."""

REGENERATE = "dataset-tools schema generate"
"""The command that rewrites every generated file."""
CONTRIBUTING = "CONTRIBUTING.md"
"""The contributors' guide, whose table of problem codes and CSV examples are generated."""
DATASETS = "datasets"
"""The repository's data: its tables are kept in canonical form (``dataset-tools fmt``), whose columns are
the models', and its ``datapackage.json`` declares the schema version it follows."""
EXAMPLE = re.compile(
    r"<!-- example: (?P<table>[a-z_]+)(?:; columns: (?P<columns>[a-z_,]+))? -->\n```csv\n(?P<body>.*?)```",
    flags=re.DOTALL,
)
"""A CSV example in CONTRIBUTING.md: a block that starts with its header line, or, marked with
``columns:``, rows alone (the lines a contributor adds to a file), whose header the marker keeps."""
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
    found: dict[str, str] = {}
    for table, model in TABLES.items():
        found[f"{folder}/{table}.schema.json"] = dumps(json_schema(table, model))
        found[f"{folder}/{table}.tableschema.json"] = dumps(table_schema(table, model))
    return found


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


def build_index(published: dict[str, str], previous: dict[str, Any] | None) -> dict[str, Any]:
    """The index after publishing ``published`` (the current major's schema files, by path).

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
        "files": {path: sha256(text) for path, text in sorted(published.items())},
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
    generated = schema_files()
    generated[INDEX] = dumps(build_index(generated, read_index(root)))
    generated[codelists.CODE_LISTS] = codelists.code_lists_module()
    generated[names.CONFUSABLES] = names.confusables_module()
    generated.update(dictionary.render(root / DATASETS))
    generated.update(coverage.render(root))
    contributing = root / CONTRIBUTING
    if contributing.exists():  # its table of problem codes, from the catalogue, and its examples
        text = problems.with_codes_table(contributing.read_text(encoding="utf-8"))
        generated[CONTRIBUTING] = canonical_examples(text)
    generated.update(canonical_tables(root))
    generated.update(declared_version(root))
    return generated


def canonical_examples(text: str) -> str:
    """``text`` (CONTRIBUTING.md) with each CSV example (:data:`EXAMPLE`) in canonical form: the models' columns.

    The rows keep their cells and are put in canonical form by fmt's own function, so a
    field added to a model adds an empty cell to every example of its table. A block that
    fmt cannot put in canonical form (a column the table no longer has) is left as it is,
    for the test of the examples to name.
    """

    def regenerate(match: re.Match[str]) -> str:
        table, header, body = match["table"], match["columns"], match["body"]
        if table not in TABLES:
            return match[0]
        result, _ = fmt.canonical_text(f"{header}\n{body}" if header else body, table, CONTRIBUTING, ".csv")
        if result is None:
            return match[0]
        if header is None:
            return f"<!-- example: {table} -->\n```csv\n{result}```"
        header, _, rows = result.partition("\n")
        return f"<!-- example: {table}; columns: {header} -->\n```csv\n{rows}```"

    return EXAMPLE.sub(regenerate, text)


def canonical_tables(root: Path) -> dict[str, str]:
    """The canonical form (as ``dataset-tools fmt`` writes it) of each table file in ``datasets/``.

    A missing folder, a link, and a file that fmt cannot format without loss are left out:
    ``dataset-tools fmt`` and ``validate`` say what is wrong with them. The tests' fixtures
    are not regenerated: a fixture that lacks an optional column is still valid data, and a
    test that needs the models' columns formats its own copy.
    """
    folder = root / DATASETS
    if not folder.is_dir() or folder.is_symlink():
        return {}
    found: dict[str, str] = {}
    for table, path in files.list_folder(folder).tables.items():
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            continue
        try:
            text = files.read_bytes(path).decode("utf-8")
        except (OSError, UnicodeDecodeError):  # UnreadableInput is an OSError
            continue
        result, _ = fmt.canonical_text(text, table, relative, path.suffix.lower())
        if result is not None:
            found[relative] = result
    return found


def declared_version(root: Path) -> dict[str, str]:
    """``datasets/datapackage.json`` declaring SCHEMA_VERSION, when it declares an older version of the same major.

    Data of the same major version follows the current schema once its tables are in
    canonical form (a minor version only adds), so its declaration moves with the models.
    Another major needs ``dataset-tools migrate``; a newer or unreadable declaration is left
    for ``validate`` to report. Empty when there is nothing to change.
    """
    folder = root / DATASETS
    declared = parse_version(compat.declared_version(folder) or "")
    current = parse_version(SCHEMA_VERSION)
    if declared is None or current is None or declared[0] != current[0] or declared >= current:
        return {}
    return {f"{DATASETS}/{compat.DESCRIPTOR}": compat.declared_text(folder, SCHEMA_VERSION)}


def _differs(path: Path, text: str) -> bool:
    """Whether the file at ``path`` is missing or holds other bytes than ``text`` in UTF-8."""
    try:
        return files.read_bytes(path) != text.encode("utf-8")
    except OSError:  # UnreadableInput is an OSError: missing, or not a regular file
        return True


def write(root: Path) -> list[str]:
    """Write every generated file under ``root`` (each atomically); return the paths that changed."""
    changed = []
    for relative, text in render(root).items():
        path = root / relative
        if _differs(path, text):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, text)
            changed.append(relative)
    return changed


def stale(root: Path) -> list[str]:
    """Paths of generated files that are missing or differ from what the models give."""
    return [relative for relative, text in render(root).items() if _differs(root / relative, text)]


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
