import json
from pathlib import Path

import jsonschema
import pycountry
import pytest
from frictionless import Schema

from dataset_tools import confusables, names
from dataset_tools.schema import codelists, publish
from dataset_tools.schema.models import TABLES

ROOT = Path(__file__).resolve().parent.parent


def test_generated_files_are_current():
    stale = publish.stale(ROOT)
    assert not stale, f"stale generated files {stale}: run `{publish.REGENERATE}`"


def test_the_code_lists_validation_reads_are_pycountrys():
    message = f"the code lists differ from pycountry's: run `{publish.REGENERATE}`"
    assert codelists.country_codes() == tuple(sorted(country.alpha_2 for country in pycountry.countries)), message
    languages = sorted(language.alpha_2 for language in pycountry.languages if hasattr(language, "alpha_2"))
    assert codelists.language_codes() == tuple(languages), message
    assert {"TR", "IQ", "NA"} <= set(codelists.country_codes())
    assert {"en", "ar", "tr"} <= set(codelists.language_codes())


def test_the_look_alikes_skeletons_read_are_confusable_homoglyphs():
    message = f"the look-alike table differs from confusable-homoglyphs': run `{publish.REGENERATE}`"
    assert names.library_prototypes() == (confusables.PROTOTYPES, confusables.ASCII_TABLE), message
    assert (confusables.PROTOTYPES[0x0406], confusables.PROTOTYPES[0x041D]) == ("l", "H")  # Cyrillic І (as Latin I), Н
    assert bytes(range(256)).translate(confusables.ASCII_TABLE)[32:127] == (
        b" !\"#$%&'()*+,-./Ol23456789:;<=>?@ABCDEFGHlJKLMNOPQRSTUVWXYZ[\\]^_'abcdefghijklmnopqrstuvwxyz{l}~"
    )


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
