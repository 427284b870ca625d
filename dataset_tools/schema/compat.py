"""Schema compatibility: classify every difference between two published schemas.

``compare(old, new)`` takes two schemas, each a mapping of table name to its Frictionless
Table Schema descriptor (the ``schemas/vN/<table>.tableschema.json`` files), and returns
one :class:`Change` per difference. Each change has a level, as in the Data Package
Version recipe:

- ``major`` (breaking): a table or field removed or renamed, a field moved, a type
  changed or narrowed, a vocabulary value removed, an optional field made required, a
  new required field, a pattern added or changed, a length tightened, a key changed;
- ``minor`` (compatible): a new table, a new optional field, a new vocabulary value, a
  looser constraint (a pattern or limit dropped, a limit raised, required → optional);
- ``patch``: descriptions and vocabulary definitions, which change no valid record.

A changed pattern is breaking unless it is dropped: whether one regular expression
accepts everything another does is not decidable in general, so the check does not guess.
The comparison is pure (no files, no git), so property tests can run it on random edits.

A dataset declares the schema it follows in its ``datapackage.json`` (``x-schema-version``):
:func:`declared_version` reads it, and :func:`check_declared` turns a declaration of another
major version into a ``schema-version-error`` whose hint names the ``migrate`` command.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from dataset_tools.reading import descriptor as descriptor_file
from dataset_tools.schema import migrations
from dataset_tools.schema.models import SCHEMA_VERSION
from dataset_tools.validation.problems import Problem
from dataset_tools.writing.atomic import atomic_write


class Level(StrEnum):
    """How much of a version bump a change needs."""

    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"

    @property
    def rank(self) -> int:
        """0 for patch, 1 for minor, 2 for major."""
        return list(Level).index(self)


@dataclass(frozen=True)
class Change:
    """One difference between two schemas."""

    table: str
    field: str | None
    kind: str
    level: Level
    message: str

    @property
    def breaking(self) -> bool:
        """True when records valid under the old schema may be invalid under the new one."""
        return self.level is Level.MAJOR

    def __str__(self) -> str:
        where = f"{self.table}.{self.field}" if self.field else self.table
        return f"{where}: {self.message} [{self.kind}, {self.level.value}]"


Descriptor = Mapping[str, Any]
"""A Table Schema descriptor, as parsed from JSON."""

UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems")
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems")
WIDER_TYPES = {("integer", "number"), ("year", "integer"), ("year", "number")}
"""(old, new) type pairs where every old value is a valid new value; any type → string or any, too."""
IGNORED_KEYS = {"x-schema-version", "$schema"}
"""Keys that record the version or the dialect, not the shape."""


def compare(old: Mapping[str, Descriptor], new: Mapping[str, Descriptor]) -> list[Change]:
    """Every difference from ``old`` to ``new`` (table name → Table Schema), tables in ``new`` order."""
    changes = [Change(table, None, "table-removed", Level.MAJOR, "table removed") for table in old if table not in new]
    for table, descriptor in new.items():
        if table in old:
            changes.extend(compare_table(table, old[table], descriptor))
        else:
            changes.append(Change(table, None, "table-added", Level.MINOR, "new table"))
    return changes


def highest(changes: list[Change]) -> Level | None:
    """The level of the biggest change, or None when there is none."""
    return max((change.level for change in changes), key=lambda level: level.rank, default=None)


def compare_table(table: str, old: Descriptor, new: Descriptor) -> Iterator[Change]:
    """The differences between two versions of one table's Table Schema."""
    old_fields = {field["name"]: field for field in old.get("fields", [])}
    new_fields = {field["name"]: field for field in new.get("fields", [])}
    yield from _compare_names(table, old_fields, new_fields)
    old_order = [name for name in old_fields if name in new_fields]
    new_order = [name for name in new_fields if name in old_fields]
    if old_order != new_order:
        moved = next(a for a, b in zip(old_order, new_order, strict=True) if a != b)
        yield Change(table, moved, "field-moved", Level.MAJOR, "fields are in a different order")
    for name, field in new_fields.items():
        if name in old_fields:
            yield from compare_field(table, old_fields[name], field)
    yield from _compare_keys(table, old, new)


def _compare_names(table: str, old_fields: dict[str, Any], new_fields: dict[str, Any]) -> Iterator[Change]:
    """Fields removed, renamed (removed, and one field of the same shape added) and added."""
    removed = [name for name in old_fields if name not in new_fields]
    added = [name for name in new_fields if name not in old_fields]
    renamed: dict[str, str] = {}
    for name in removed:
        twins = [other for other in added if _shape(new_fields[other]) == _shape(old_fields[name])]
        if len(twins) == 1 and twins[0] not in renamed.values():
            renamed[name] = twins[0]
    for name in removed:
        if name in renamed:
            message = f"field renamed to `{renamed[name]}` (or removed, and a field of the same shape added)"
            yield Change(table, name, "field-renamed", Level.MAJOR, message)
        else:
            yield Change(table, name, "field-removed", Level.MAJOR, "field removed")
    for name in added:
        if name in renamed.values():
            continue
        if _constraints(new_fields[name]).get("required"):
            yield Change(table, name, "required-field-added", Level.MAJOR, "new required field")
        else:
            yield Change(table, name, "field-added", Level.MINOR, "new optional field")


def _compare_keys(table: str, old: Descriptor, new: Descriptor) -> Iterator[Change]:
    if old.get("primaryKey") != new.get("primaryKey"):
        message = f"primary key changed from {old.get('primaryKey')} to {new.get('primaryKey')}"
        yield Change(table, None, "primary-key-changed", Level.MAJOR, message)
    old_keys = {_canonical(key) for key in old.get("foreignKeys", [])}
    new_keys = {_canonical(key) for key in new.get("foreignKeys", [])}
    for key in sorted(old_keys - new_keys):
        yield Change(table, _key_field(key), "foreign-key-removed", Level.MAJOR, f"foreign key removed: {key}")
    for key in sorted(new_keys - old_keys):
        yield Change(table, _key_field(key), "foreign-key-added", Level.MAJOR, f"foreign key added: {key}")
    if old.get("missingValues", [""]) != new.get("missingValues", [""]):
        message = f"missing values changed from {old.get('missingValues')} to {new.get('missingValues')}"
        yield Change(table, None, "missing-values-changed", Level.MAJOR, message)
    handled = {"fields", "primaryKey", "foreignKeys", "missingValues", *IGNORED_KEYS}
    for key in sorted((set(old) | set(new)) - handled):
        if old.get(key) != new.get(key):
            yield Change(table, None, "metadata-changed", Level.PATCH, f"`{key}` changed")


def compare_field(table: str, old: Descriptor, new: Descriptor) -> Iterator[Change]:
    """The differences between two versions of one field."""
    name = new["name"]

    def change(kind: str, level: Level, message: str) -> Change:
        return Change(table, name, kind, level, message)

    old_type, new_type = old.get("type", "any"), new.get("type", "any")
    if old_type != new_type:
        wider = new_type in ("string", "any") or (old_type, new_type) in WIDER_TYPES
        kind, level = ("type-widened", Level.MINOR) if wider else ("type-changed", Level.MAJOR)
        yield change(kind, level, f"type changed from {old_type} to {new_type}")
    if old.get("format", "default") != new.get("format", "default"):
        yield change("format-changed", Level.MAJOR, f"format changed from {old.get('format')} to {new.get('format')}")
    yield from _compare_constraints(change, _constraints(old), _constraints(new))
    yield from _compare_references(change, old, new)
    old_labels = {item["value"]: item.get("label") for item in old.get("categories", []) if isinstance(item, dict)}
    new_labels = {item["value"]: item.get("label") for item in new.get("categories", []) if isinstance(item, dict)}
    for value, label in new_labels.items():
        if value in old_labels and old_labels[value] != label:
            yield change("definition-changed", Level.PATCH, f"definition of `{value}` changed")
    handled = {"name", "type", "format", "constraints", "categories", "x-references", "x-organisation-kinds"}
    for key in sorted((set(old) | set(new)) - handled):
        if old.get(key) != new.get(key):
            yield change("metadata-changed", Level.PATCH, f"`{key}` changed")


def _compare_constraints(change: Any, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for flag in ("required", "unique"):
        before, after = bool(old.get(flag)), bool(new.get(flag))
        if after and not before:
            kind = "made-required" if flag == "required" else "made-unique"
            yield change(kind, Level.MAJOR, f"optional → {flag}" if flag == "required" else "values must now be unique")
        elif before and not after:
            yield change(f"no-longer-{flag}", Level.MINOR, f"no longer {flag}")
    yield from _compare_enum(change, old.get("enum"), new.get("enum"))
    yield from _compare_bounds(change, old, new)
    handled = {"required", "unique", "enum", "pattern", *UPPER_BOUNDS, *LOWER_BOUNDS}
    for key in sorted((set(old) | set(new)) - handled):
        if old.get(key) != new.get(key):
            yield change("constraint-changed", Level.MAJOR, f"constraint `{key}` changed")


def _compare_bounds(change: Any, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    if old.get("pattern") != new.get("pattern"):
        if old.get("pattern") is None:
            yield change("pattern-added", Level.MAJOR, f"pattern added: {new['pattern']}")
        elif new.get("pattern") is None:
            yield change("pattern-removed", Level.MINOR, "pattern dropped")
        else:
            message = f"pattern changed from {old['pattern']} to {new['pattern']}"
            yield change("pattern-changed", Level.MAJOR, message)
    for key in UPPER_BOUNDS + LOWER_BOUNDS:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        upper = key in UPPER_BOUNDS
        tighter = before is None or (after is not None and (after < before if upper else after > before))
        level = Level.MAJOR if tighter else Level.MINOR
        kind = "constraint-tightened" if tighter else "constraint-loosened"
        yield change(kind, level, f"{key} changed from {before} to {after}")


def _compare_enum(change: Any, old: list[Any] | None, new: list[Any] | None) -> Iterator[Change]:
    if old == new:
        return
    if old is None:
        yield change("enum-added", Level.MAJOR, "values restricted to a vocabulary")
    elif new is None:
        yield change("enum-removed", Level.MINOR, "values no longer restricted to a vocabulary")
    else:
        for value in old:
            if value not in new:
                yield change("value-removed", Level.MAJOR, f"vocabulary value `{value}` removed")
        for value in new:
            if value not in old:
                yield change("value-added", Level.MINOR, f"vocabulary value `{value}` added")


def _compare_references(change: Any, old: Descriptor, new: Descriptor) -> Iterator[Change]:
    before, after = set(old.get("x-references", [])), set(new.get("x-references", []))
    if before and not after:
        yield change("reference-removed", Level.MINOR, "no longer a reference")
    elif after and not before:
        yield change("reference-added", Level.MAJOR, f"now a reference to {sorted(after)}")
    else:
        for table in sorted(before - after):
            yield change("reference-narrowed", Level.MAJOR, f"may no longer refer to `{table}`")
        for table in sorted(after - before):
            yield change("reference-widened", Level.MINOR, f"may now also refer to `{table}`")
    before, after = set(old.get("x-organisation-kinds", [])), set(new.get("x-organisation-kinds", []))
    if before != after:
        narrower = (after and not before) or bool(before - after and after)
        level = Level.MAJOR if narrower else Level.MINOR
        message = f"organisation kinds changed from {sorted(before) or 'any'} to {sorted(after) or 'any'}"
        yield change("reference-kinds-changed", level, message)


def _constraints(field: Descriptor) -> dict[str, Any]:
    return dict(field.get("constraints", {}))


def _shape(field: Descriptor) -> str:
    """What a field accepts, without its name or prose: equal shapes suggest a rename."""
    values = [item["value"] for item in field.get("categories", []) if isinstance(item, dict)]
    keys = ("type", "format", "x-references", "x-organisation-kinds")
    return _canonical({"constraints": _constraints(field), "values": values, **{k: field.get(k) for k in keys}})


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _key_field(key: str) -> str | None:
    fields = json.loads(key).get("fields")
    return ",".join(fields) if isinstance(fields, list) else fields


DESCRIPTOR = "datapackage.json"
"""The dataset's descriptor, in the dataset folder beside the table files."""
VERSION_KEY = "x-schema-version"
"""The descriptor's key for the schema version the data follows, e.g. ``"1.0.0"``."""


def declared_version(folder: Path) -> str | None:
    """The schema version the dataset in ``folder`` declares, or None if it declares none.

    A missing or unreadable ``datapackage.json`` declares nothing; :func:`check_declared`
    says what is wrong with one that exists.
    """
    found = descriptor_file.read(folder / DESCRIPTOR, DESCRIPTOR)
    version = found.data.get(VERSION_KEY) if found.data is not None else None
    return version if isinstance(version, str) else None


def major_of(version: str | None) -> int | None:
    """The major number of a ``MAJOR.MINOR.PATCH`` version, or None if it is not one."""
    match = re.fullmatch(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)", version or "")
    return int(match[1]) if match else None


def check_declared(folder: Path, file: str | None = None, current: str = SCHEMA_VERSION) -> list[Problem]:
    """Problems with the dataset's declared schema version, against the ``current`` one.

    No ``datapackage.json`` means the data follows the current schema (nothing to report).
    A declaration that cannot be read, or that names another major version, is a
    ``schema-version-error`` whose message names the command that fixes it. ``file`` is
    the descriptor's path as problems should name it (default: ``folder/datapackage.json``).
    """
    path = folder / DESCRIPTOR
    name = file or path.as_posix()
    if not path.exists():
        return []

    def problem(message: str, line: int | None = None, value: str | None = None, hint: str | None = None) -> Problem:
        return Problem("schema-version-error", name, line, message, field=VERSION_KEY, value=value, hint=hint)

    found = descriptor_file.read(path, name)
    if found.data is None:
        return found.problems
    text, data = found.text, found.data
    noted = [problem for problem in found.problems if problem.code == "byte-order-mark"]
    line = next((number for number, row in enumerate(text.splitlines(), 1) if f'"{VERSION_KEY}"' in row), None)
    version = data.get(VERSION_KEY)
    example = f'"{VERSION_KEY}": "{current}"'
    if not isinstance(version, str) or major_of(version) is None:
        shown = None if version is None else json.dumps(version)
        return [*noted, problem(f"{VERSION_KEY} must be a version like {current}", line, shown, f"write {example}")]
    declared, supported = major_of(version), major_of(current)
    assert supported is not None
    if declared == supported:
        return noted
    if declared is not None and declared < supported:
        message = f"the data follows schema {version}, but this dataset-tools validates schema {current}"
        if migrations.find(declared, supported) is None:
            hint = (
                f"schema {declared}.x was never published and has no migration: write {example} if the data "
                f"already follows schema {current}, else upgrade it by hand (docs/data-dictionary.md)"
            )
            return [*noted, problem(message, line, version, hint)]
        command = f"dataset-tools migrate --to {supported} {folder.as_posix()}"
        return [*noted, problem(message, line, version, f"upgrade the data with `{command}`")]
    message = f"the data follows schema {version}, newer than the schema {current} of this dataset-tools"
    return [*noted, problem(message, line, version, "upgrade dataset-tools: `pip install -U coalition-dataset`")]


def write_declared(folder: Path, version: str) -> None:
    """Record ``version`` as the schema the dataset follows, keeping the descriptor's other keys."""
    atomic_write(folder / DESCRIPTOR, declared_text(folder, version))


def declared_text(folder: Path, version: str) -> str:
    """The text of ``folder``'s descriptor once it declares ``version`` (its other keys kept)."""
    path = folder / DESCRIPTOR
    data: dict[str, Any] = {"name": "coalitions"}
    if path.exists():
        data = descriptor_file.load(path)
    data[VERSION_KEY] = version
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
