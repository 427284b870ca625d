"""Migrations, proven on a fixture schema pair: the real schema 1 and a schema 2 defined here.

Schema 2 of ``coalition_events`` renames ``coalition_id`` to ``coalition``, splits the partial
``date`` into ``date_year``/``date_month``/``date_day``, and drops the ``medium`` confidence,
which therefore cannot be represented: such a record is an error, never silently changed.
"""

import csv
import io
import json

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import records

from dataset_tools.cli import cli
from dataset_tools.schema import compat, migrate, migrations
from dataset_tools.schema.migrate import Migration, TableMigration, Unrepresentable
from dataset_tools.schema.models import CoalitionEvent, columns, to_json, to_row
from dataset_tools.writing.canonical import csv_text

V1_FIELDS = tuple(column.name for column in columns(CoalitionEvent))
V2_FIELDS = tuple(
    name
    for field in V1_FIELDS
    for name in {"date": ("date_year", "date_month", "date_day"), "coalition_id": ("coalition",)}.get(field, (field,))
)


def upgrade(record):
    record = dict(record)
    if record.get("confidence") == "medium":
        raise Unrepresentable("confidence", "schema 2 has no `medium` confidence; choose `high` or `low` first")
    parts = (record.pop("date", None) or "").split("-")
    record["date_year"], record["date_month"], record["date_day"] = [*(p or None for p in parts), None, None][:3]
    record["coalition"] = record.pop("coalition_id", None)
    return record


def downgrade(record):
    record = dict(record)
    parts = [record.pop(name, None) for name in ("date_year", "date_month", "date_day")]
    record["date"] = "-".join(part for part in parts if part) or None
    record["coalition_id"] = record.pop("coalition", None)
    return record


EVENTS = TableMigration(
    source_fields=V1_FIELDS,
    target_fields=V2_FIELDS,
    upgrade=upgrade,
    downgrade=downgrade,
    source_lists=frozenset({"source_ids"}),
    target_lists=frozenset({"source_ids"}),
)
V1_TO_V2 = Migration(1, 2, "2.0.0", "coalition_id → coalition; date split in three", {"coalition_events": EVENTS})


def write_v1(folder, events, fmt="csv"):
    folder.mkdir(exist_ok=True)
    (folder / "datapackage.json").write_text(json.dumps({"name": "coalitions", "x-schema-version": "1.0.0"}))
    if fmt == "csv":
        text = csv_text(V1_FIELDS, [list(to_row(event).values()) for event in events])
    else:
        text = json.dumps([to_json(event) for event in events], indent=2, ensure_ascii=False) + "\n"
    path = folder / f"coalition_events.{fmt}"
    path.write_text(text, encoding="utf-8", newline="")
    (folder / "sources.csv").write_text("id,title,kind\nsrc,A source,report\n")
    return path


def event(**fields):
    base = {"id": "e1", "kind": "meeting", "date": "2025-02", "title": "Ankara meeting", "source_ids": ["src"]}
    return CoalitionEvent.model_validate({**base, **fields})


def test_migration_renames_and_splits_and_reports(tmp_path):
    path = write_v1(tmp_path, [event(coalition_id="gcdi"), event(id="e2", date="2024", confidence="high")])
    untouched = (tmp_path / "sources.csv").read_bytes()
    result = migrate.migrate(tmp_path, 2, migrations=[V1_TO_V2])
    assert result.problems == []
    assert (result.source, result.target) == ("1.0.0", "2.0.0")
    assert result.written == ["coalition_events.csv", "datapackage.json"]
    (report,) = result.tables
    assert (report.records, report.changed) == (2, 2)
    assert report.added == ["date_year", "date_month", "date_day", "coalition"]
    assert report.removed == ["date", "coalition_id"]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(V2_FIELDS)
    assert lines[1] == "e1,meeting,2025,02,,,gcdi,Ankara meeting,,,,src,,"
    assert lines[2] == "e2,meeting,2024,,,,,Ankara meeting,,,,src,high,"
    assert compat.declared_version(tmp_path) == "2.0.0"
    assert (tmp_path / "sources.csv").read_bytes() == untouched
    assert list(tmp_path.glob(".*tmp")) == []


def test_a_value_the_new_schema_cannot_hold_is_an_error_and_nothing_is_written(tmp_path):
    path = write_v1(tmp_path, [event(), event(id="e2", confidence="medium")])
    before = path.read_bytes()
    result = migrate.migrate(tmp_path, 2, migrations=[V1_TO_V2])
    assert [(p.code, p.line, p.field) for p in result.problems] == [("migration-error", 3, "confidence")]
    assert "record e2 cannot be migrated to schema 2" in result.problems[0].message
    assert path.read_bytes() == before
    assert compat.declared_version(tmp_path) == "1.0.0"


def test_a_lossy_migration_is_refused(tmp_path):
    def forgetful(record):
        record = upgrade(record)
        record["notes"] = None
        return record

    lossy = Migration(
        1,
        2,
        "2.0.0",
        "drops notes",
        {"coalition_events": EVENTS.__class__(**{**EVENTS.__dict__, "upgrade": forgetful})},
    )
    path = write_v1(tmp_path, [event(notes="Kept from the source.")])
    before = path.read_bytes()
    result = migrate.migrate(tmp_path, 2, migrations=[lossy])
    assert [(p.line, p.field) for p in result.problems] == [(2, "notes")]
    assert "would lose data" in result.problems[0].message
    assert path.read_bytes() == before


def test_dry_run_writes_nothing(tmp_path):
    path = write_v1(tmp_path, [event()])
    before = path.read_bytes()
    result = migrate.migrate(tmp_path, 2, migrations=[V1_TO_V2], dry_run=True)
    assert result.problems == []
    assert result.written == []
    assert result.tables[0].changed == 1
    assert path.read_bytes() == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(records(CoalitionEvent), max_size=6, unique_by=lambda e: e.id), fmt=st.sampled_from(["csv", "json"])
)
def test_migrating_generated_records_loses_nothing(tmp_path_factory, events, fmt):
    folder = tmp_path_factory.mktemp("data")
    path = write_v1(folder, events, fmt)
    before = path.read_bytes()
    result = migrate.migrate(folder, 2, migrations=[V1_TO_V2])
    medium = [e.id for e in events if e.confidence == "medium"]
    if medium:
        assert sorted(p.message.split()[1] for p in result.problems) == sorted(medium)
        assert path.read_bytes() == before
        return
    assert result.problems == []
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
        back = [
            downgrade({k: (v.split(";") if k == "source_ids" else v) or None for k, v in row.items()}) for row in rows
        ]
    else:
        back = [downgrade(item) for item in json.loads(path.read_text(encoding="utf-8"))]
    restored = [CoalitionEvent.model_validate({k: v for k, v in record.items() if v is not None}) for record in back]
    assert restored == events


def test_cli_migrate_reports_and_exit_codes(tmp_path, monkeypatch):
    write_v1(tmp_path, [event()])
    runner = CliRunner()
    result = runner.invoke(cli, ["migrate", "--to", "1", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{tmp_path} already follows schema 1.0.0; nothing to do.\n"
    result = runner.invoke(cli, ["migrate", "--to", "2", str(tmp_path)])
    assert result.exit_code == 2
    assert "no migration from schema 1 to 2 is registered" in result.output
    monkeypatch.setattr(migrations, "MIGRATIONS", [V1_TO_V2])
    result = runner.invoke(cli, ["migrate", "--to", "2", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "step: coalition_id → coalition; date split in three",
        (
            "coalition_events.csv: 1 of 1 record(s) changed; added date_year, date_month, date_day, coalition;"
            " removed date, coalition_id"
        ),
        f"Migrated {tmp_path} from schema 1.0.0 to 2.0.0: wrote coalition_events.csv, datapackage.json.",
    ]


def test_migrate_without_a_declared_version_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["migrate", "--to", "2", str(tmp_path)])
    assert result.exit_code == 2
    assert "no valid x-schema-version to migrate from" in result.output
