import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dataset_tools.cli import cli
from dataset_tools.schema import compat, migrate, migrations, publish
from dataset_tools.schema.compat import Level, compare, highest

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = publish.current_schemas()


def test_schema_check_passes_on_the_repository(monkeypatch):
    # CI runs this: the models agree with the published schema and its recorded version.
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["schema", "check"])
    assert result.exit_code == 0, result.output
    assert "The schema version fits the changes." in result.output


def test_published_schema_equals_the_models():
    assert compare(publish.published_schemas(ROOT, "schemas/v1", list(PUBLISHED)), PUBLISHED) == []


def edited(edit):
    new = copy.deepcopy(PUBLISHED)
    edit(new)
    return new


def field_of(descriptor, table, name):
    return next(field for field in descriptor[table]["fields"] if field["name"] == name)


def kinds(new):
    return [(change.table, change.field, change.kind, change.level) for change in compare(PUBLISHED, new)]


def test_each_breaking_class_is_caught():  # noqa: C901 - one small edit function per breaking class
    def remove(d):
        d["actors"]["fields"] = [f for f in d["actors"]["fields"] if f["name"] != "born"]

    def rename(d):
        field_of(d, "actors", "born")["name"] = "birth_date"

    def narrow_type(d):
        field_of(d, "actors", "born")["type"] = "date"

    def remove_value(d):
        field = field_of(d, "memberships", "role")
        field["constraints"]["enum"].remove("observer")

    def require(d):
        field_of(d, "actors", "born").setdefault("constraints", {})["required"] = True

    def tighten_pattern(d):
        field_of(d, "actors", "born")["constraints"]["pattern"] = "[0-9]{4}"

    def change_key(d):
        d["actors"]["primaryKey"] = ["name"]

    def drop_foreign_key(d):
        d["memberships"]["foreignKeys"].pop()

    def shorten(d):
        field_of(d, "actors", "name")["constraints"]["maxLength"] = 100

    def remove_table(d):
        del d["actors"]

    def move(d):
        fields = d["actors"]["fields"]
        fields[1], fields[2] = fields[2], fields[1]

    expected = [
        (remove, ("actors", "born", "field-removed")),
        (rename, ("actors", "born", "field-renamed")),
        (narrow_type, ("actors", "born", "type-changed")),
        (remove_value, ("memberships", "role", "value-removed")),
        (require, ("actors", "born", "made-required")),
        (tighten_pattern, ("actors", "born", "pattern-changed")),
        (change_key, ("actors", None, "primary-key-changed")),
        (drop_foreign_key, ("memberships", "coalition_id", "foreign-key-removed")),
        (shorten, ("actors", "name", "constraint-tightened")),
        (remove_table, ("actors", None, "table-removed")),
        (move, ("actors", "name", "field-moved")),
    ]
    for edit, change in expected:
        assert kinds(edited(edit)) == [(*change, Level.MAJOR)], edit.__name__


def test_each_compatible_class_is_minor():
    def add_optional(d):
        d["actors"]["fields"].append({"name": "died", "type": "string", "description": "When the person died."})

    def add_value(d):
        field_of(d, "memberships", "role")["constraints"]["enum"].append("founder")

    def loosen(d):
        field_of(d, "actors", "name")["constraints"]["maxLength"] = 1000

    def make_optional(d):
        del field_of(d, "actors", "name")["constraints"]["required"]

    def drop_pattern(d):
        del field_of(d, "actors", "born")["constraints"]["pattern"]

    expected = [
        (add_optional, ("actors", "died", "field-added")),
        (add_value, ("memberships", "role", "value-added")),
        (loosen, ("actors", "name", "constraint-loosened")),
        (make_optional, ("actors", "name", "no-longer-required")),
        (drop_pattern, ("actors", "born", "pattern-removed")),
    ]
    for edit, change in expected:
        assert kinds(edited(edit)) == [(*change, Level.MINOR)], edit.__name__


def test_prose_changes_are_patch():
    def reword(d):
        field_of(d, "actors", "born")["description"] = "Born on."
        field_of(d, "memberships", "role")["categories"][0]["label"] = "Leads it."

    assert highest(compare(PUBLISHED, edited(reword))) is Level.PATCH


ALL_FIELDS = [(table, field["name"]) for table, d in PUBLISHED.items() for field in d["fields"]]


@given(st.sampled_from(ALL_FIELDS))
def test_removing_any_field_is_breaking(target):
    table, name = target
    new = edited(lambda d: d[table].update(fields=[f for f in d[table]["fields"] if f["name"] != name]))
    changes = compare(PUBLISHED, new)
    assert highest(changes) is Level.MAJOR
    assert any(change.field == name and change.breaking for change in changes)


@given(
    st.sampled_from(list(PUBLISHED)),
    st.from_regex(r"[a-z]{1,10}_x", fullmatch=True),
    st.integers(0, 30),
    st.fixed_dictionaries({}, optional={"pattern": st.just("[a-z]+"), "maxLength": st.integers(1, 99)}),
)
def test_adding_an_optional_field_anywhere_is_compatible(table, name, position, constraints):
    field = {"name": name, "type": "string", "description": "New."}
    if constraints:
        field["constraints"] = constraints

    def add(d):
        fields = d[table]["fields"]
        fields.insert(min(position, len(fields)), field)

    changes = compare(PUBLISHED, edited(add))
    assert [(c.table, c.field, c.kind, c.level) for c in changes] == [(table, name, "field-added", Level.MINOR)]


@given(st.sampled_from(ALL_FIELDS), st.booleans())
def test_adding_a_required_field_is_breaking(target, required):
    table, name = target
    field = {"name": "new_x", "type": "string", "description": "New.", "constraints": {"required": required}}
    changes = compare(PUBLISHED, edited(lambda d: d[table]["fields"].append(field)))
    assert highest(changes) is (Level.MAJOR if required else Level.MINOR)
    del name


ENUM_FIELDS = [(t, f["name"]) for t, d in PUBLISHED.items() for f in d["fields"] if "enum" in f.get("constraints", {})]


@given(st.sampled_from(ENUM_FIELDS), st.data())
def test_vocabulary_edits_are_classified(target, data):
    table, name = target
    values = field_of(PUBLISHED, table, name)["constraints"]["enum"]
    removed = data.draw(st.sets(st.sampled_from(values), max_size=3))
    added = data.draw(st.sets(st.from_regex(r"zz-[a-z]{1,5}", fullmatch=True), max_size=3))

    def edit(d):
        field = field_of(d, table, name)
        field["constraints"]["enum"] = [v for v in values if v not in removed] + sorted(added)

    changes = compare(PUBLISHED, edited(edit))
    assert sorted(c.kind for c in changes) == sorted(["value-removed"] * len(removed) + ["value-added"] * len(added))
    assert all(c.breaking == (c.kind == "value-removed") for c in changes)
    assert (highest(changes) is Level.MAJOR) == bool(removed)


@given(st.sampled_from(ALL_FIELDS), st.sampled_from(["required", "pattern", "maxLength", "minLength", "unique"]))
def test_tightening_any_constraint_is_breaking_and_loosening_it_back_is_not(target, key):
    table, name = target
    tight = {"required": True, "pattern": "x", "maxLength": 1, "minLength": 50, "unique": True}[key]
    new = edited(lambda d: field_of(d, table, name).setdefault("constraints", {}).update({key: tight}))
    if field_of(PUBLISHED, table, name).get("constraints", {}).get(key) == tight:
        return
    assert highest(compare(PUBLISHED, new)) is Level.MAJOR
    # Whether one regex accepts all another does is undecidable: a changed pattern stays breaking.
    had_pattern = key == "pattern" and "pattern" in field_of(PUBLISHED, table, name).get("constraints", {})
    assert highest(compare(new, PUBLISHED)) is (Level.MAJOR if had_pattern else Level.MINOR)


@pytest.mark.parametrize("table", list(PUBLISHED))
def test_comparing_a_schema_with_itself_finds_nothing(table):
    assert compare({table: PUBLISHED[table]}, {table: json.loads(json.dumps(PUBLISHED[table]))}) == []


def test_declared_version_reads_the_descriptor(tmp_path):
    assert compat.declared_version(tmp_path) is None
    (tmp_path / "datapackage.json").write_text('{"name": "coalitions", "x-schema-version": "1.2.0"}')
    assert compat.declared_version(tmp_path) == "1.2.0"


SNAPSHOTS = ROOT / "tests" / "fixtures" / "schemas"
"""The Table Schemas of published versions, as published (copied before the next replaced them in schemas/v1)."""


def snapshot(version):
    """The Table Schemas of ``version`` as published, by table, in the order of the models' tables."""
    found = {path.name.split(".")[0]: json.loads(path.read_text()) for path in (SNAPSHOTS / version).glob("*.json")}
    return {table: found[table] for table in PUBLISHED if table in found}


def test_schema_1_1_0_is_a_minor_change_from_1_0_0():
    changes = compare(snapshot("1.0.0"), snapshot("1.1.0"))
    assert [str(change) for change in changes] == [
        "positions.attested: new optional field [field-added, minor]",
        "memberships.attested: new optional field [field-added, minor]",
        "designations.attested: new optional field [field-added, minor]",
        "designations.kind: vocabulary value `declared-terrorist` added [value-added, minor]",
        "coalition_events.kind: vocabulary value `offensive` added [value-added, minor]",
        "coalition_events.kind: vocabulary value `strike-campaign` added [value-added, minor]",
        "coalition_events.kind: vocabulary value `raid` added [value-added, minor]",
        "coalition_events.kind: vocabulary value `declaration` added [value-added, minor]",
        "successions: new table [table-added, minor]",
    ]
    assert highest(changes) is Level.MINOR


@pytest.mark.parametrize("version", sorted(path.name for path in SNAPSHOTS.iterdir()))
def test_every_version_of_the_major_is_at_most_a_minor_change_from_the_published_one(version):
    assert version.split(".")[0] == publish.SCHEMA_VERSION.split(".")[0]
    assert publish.parse_version(version) <= publish.parse_version(publish.SCHEMA_VERSION)
    assert highest(compare(snapshot(version), PUBLISHED)) in (Level.MINOR, Level.PATCH, None)


def next_minor(version):
    """``1.3.0`` for ``1.2.5``: the version a compatible change to ``version`` needs."""
    major, minor, _ = publish.parse_version(version)
    return f"{major}.{minor + 1}.0"


def published_repo(tmp_path, edit=None):
    """A copy of the published schemas, optionally edited as if published from other models."""
    for path in (ROOT / "schemas").rglob("*.json"):
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    if edit:
        descriptor = json.loads((tmp_path / "schemas/v1/actors.tableschema.json").read_text())
        edit(descriptor)
        (tmp_path / "schemas/v1/actors.tableschema.json").write_text(publish.dumps(descriptor))
        index = json.loads((tmp_path / publish.INDEX).read_text())
        for path in index["majors"]["1"]["files"]:
            index["majors"]["1"]["files"][path] = publish.sha256((tmp_path / path).read_text())
        (tmp_path / publish.INDEX).write_text(publish.dumps(index))
    return tmp_path


def with_legacy_field(descriptor):
    descriptor["fields"].append({"name": "legacy", "type": "string", "description": "Gone from the models."})


def without_born(descriptor):
    descriptor["fields"] = [f for f in descriptor["fields"] if f["name"] != "born"]


def test_a_breaking_change_without_a_major_bump_fails_naming_the_change(tmp_path):
    verdict = publish.check(published_repo(tmp_path, with_legacy_field))
    assert [str(change) for change in verdict.changes] == ["actors.legacy: field removed [field-removed, major]"]
    assert len(verdict.errors) == 1
    assert "need a new major version: set SCHEMA_VERSION to 2.0.0" in verdict.errors[0]


def test_a_compatible_change_needs_a_minor_bump(tmp_path, monkeypatch):
    root = published_repo(tmp_path, without_born)
    verdict = publish.check(root)
    assert [change.kind for change in verdict.changes] == ["field-added"]
    published, bumped = publish.SCHEMA_VERSION, next_minor(publish.SCHEMA_VERSION)
    assert verdict.errors == [
        (
            f"compatible changes since the published {published} need a new minor version: set SCHEMA_VERSION to "
            f"{bumped} in dataset_tools/schema/models.py"
        )
    ]
    monkeypatch.setattr(publish, "SCHEMA_VERSION", bumped)
    verdict = publish.check(root)
    assert verdict.errors == []
    assert verdict.stale == [f"{publish.INDEX} records {published}, not {bumped}: run `{publish.REGENERATE}`"]


def test_a_new_major_needs_its_migration(tmp_path, monkeypatch):
    root = published_repo(tmp_path, with_legacy_field)
    monkeypatch.setattr(publish, "SCHEMA_VERSION", "2.0.0")
    verdict = publish.check(root)
    assert any("schema 2 has no migration from schema 1" in error for error in verdict.errors)
    step = migrate.Migration(1, 2, "2.0.0", "drop legacy", {})
    monkeypatch.setattr(migrations, "MIGRATIONS", [step])
    assert publish.check(root).errors == []


def test_a_hand_edited_published_file_is_caught(tmp_path):
    root = published_repo(tmp_path)
    path = root / "schemas/v1/sources.schema.json"
    path.write_text(path.read_text().replace("Title of the document", "Title"))
    verdict = publish.check(root)
    assert verdict.errors == []
    assert verdict.stale == [
        (
            "schemas/v1/sources.schema.json does not match schemas/index.json: published files are generated, "
            "run `dataset-tools schema generate`"
        )
    ]


def test_older_versions_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "SCHEMA_VERSION", "0.9.0")
    verdict = publish.check(published_repo(tmp_path))
    assert verdict.errors == [f"SCHEMA_VERSION 0.9.0 is older than the published {publish.read_index(ROOT)['current']}"]
    assert not verdict.ok


def write_descriptor(folder, text):
    (folder / "datapackage.json").write_text(text, encoding="utf-8")


def test_check_declared_names_the_migration(tmp_path):
    assert compat.check_declared(tmp_path) == []
    write_descriptor(tmp_path, '{\n  "name": "coalitions",\n  "x-schema-version": "0.3.1"\n}\n')
    (problem,) = compat.check_declared(tmp_path, file="datasets/datapackage.json", current="1.0.0")
    assert (problem.code, problem.file, problem.line, problem.field, problem.value) == (
        "schema-version-error",
        "datasets/datapackage.json",
        3,
        "x-schema-version",
        "0.3.1",
    )
    assert problem.message == "the data follows schema 0.3.1, but this dataset-tools validates schema 1.0.0"
    assert problem.hint == (
        'schema 0.x was never published and has no migration: write "x-schema-version": "1.0.0" if the data '
        "already follows schema 1.0.0, else upgrade it by hand (docs/data-dictionary.md)"
    )


def test_check_declared_names_the_migration_command_when_one_exists(tmp_path, monkeypatch):
    monkeypatch.setattr(migrations, "find", lambda source, target: [] if (source, target) == (0, 1) else None)
    write_descriptor(tmp_path, '{\n  "name": "coalitions",\n  "x-schema-version": "0.3.1"\n}\n')
    (problem,) = compat.check_declared(tmp_path, current="1.0.0")
    assert problem.hint == f"upgrade the data with `dataset-tools migrate --to 1 {tmp_path.as_posix()}`"


def test_check_declared_other_cases(tmp_path):
    write_descriptor(tmp_path, '{"x-schema-version": "1.4.2"}')
    assert compat.check_declared(tmp_path, current="1.0.0") == []
    write_descriptor(tmp_path, '{"x-schema-version": "2.0.0"}')
    (newer,) = compat.check_declared(tmp_path, current="1.0.0")
    assert "newer than the schema 1.0.0" in newer.message
    write_descriptor(tmp_path, '{"x-schema-version": 1}')
    (bad,) = compat.check_declared(tmp_path, current="1.0.0")
    assert (bad.value, bad.hint) == ("1", 'write "x-schema-version": "1.0.0"')
    write_descriptor(tmp_path, "{not json")
    (broken,) = compat.check_declared(tmp_path)
    assert broken.message.startswith("the descriptor is not valid JSON")
