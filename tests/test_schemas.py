import json
from pathlib import Path

import jsonschema
import pytest
from frictionless import Schema

from dataset_tools.schema import publish
from dataset_tools.schema.models import TABLES

ROOT = Path(__file__).resolve().parent.parent


def test_generated_files_are_current():
    stale = publish.stale(ROOT)
    assert not stale, f"stale generated files {stale}: run `{publish.REGENERATE}`"


@pytest.mark.parametrize("table", sorted(TABLES))
def test_table_schema_passes_frictionless_descriptor_validation(table):
    descriptor = json.loads((ROOT / "schemas/v1" / f"{table}.tableschema.json").read_text())
    report = Schema.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    assert descriptor["primaryKey"] == ["id"]
    assert descriptor["missingValues"] == [""]


@pytest.mark.parametrize("table", sorted(TABLES))
def test_json_schema_passes_the_2020_12_metaschema(table):
    descriptor = json.loads((ROOT / "schemas/v1" / f"{table}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(descriptor)
    assert descriptor["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_foreign_keys_point_at_tables_that_exist():
    for table in TABLES:
        descriptor = json.loads((ROOT / "schemas/v1" / f"{table}.tableschema.json").read_text())
        for key in descriptor.get("foreignKeys", []):
            assert key["reference"].get("resource", table) in TABLES


def test_every_field_has_a_description():
    for model in TABLES.values():
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no description"
