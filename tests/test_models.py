import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from strategies import records

from dataset_tools.schema.dates import PartialDate, PartialDateError, Precision
from dataset_tools.schema.models import TABLES, Organisation, columns, from_row, to_json, to_row
from dataset_tools.writing.canonical import csv_text


@pytest.mark.parametrize("table", sorted(TABLES))
@given(data=st.data())
def test_record_round_trips_through_json(table, data):
    model = TABLES[table]
    record = data.draw(records(model))
    text = json.dumps(to_json(record), ensure_ascii=False)
    assert model.model_validate(json.loads(text)) == record


@pytest.mark.parametrize("table", sorted(TABLES))
@given(data=st.data())
def test_record_round_trips_through_a_csv_row(table, data):
    model = TABLES[table]
    record = data.draw(records(model))
    header = list(model.model_fields)
    text = csv_text(header, [list(to_row(record).values())])
    (row,) = csv.DictReader(io.StringIO(text, newline=""))
    assert model.model_validate(from_row(model, row)) == record


@pytest.mark.parametrize(
    ("text", "precision", "start", "end"),
    [
        ("2025", Precision.YEAR, "2025-01-01", "2025-12-31"),
        ("2025-02", Precision.MONTH, "2025-02-01", "2025-02-28"),
        ("2024-02", Precision.MONTH, "2024-02-01", "2024-02-29"),
        ("2025-02-04", Precision.DAY, "2025-02-04", "2025-02-04"),
    ],
)
def test_partial_date_keeps_its_precision_and_interval(text, precision, start, end):
    date = PartialDate.parse(text)
    assert (str(date), date.precision, str(date.start), str(date.end)) == (text, precision, start, end)


@pytest.mark.parametrize("text", ["2025-02-29", "2025-13", "2025-00", "25", "2025-2-4", "2025-02-04T10:00", "0000"])
def test_partial_date_rejects_what_is_not_a_calendar_date(text):
    with pytest.raises(PartialDateError):
        PartialDate.parse(text)


def test_a_month_is_not_certainly_before_a_day_inside_it():
    february = PartialDate.parse("2025-02")
    assert not february.certainly_before(PartialDate.parse("2025-02-04"))
    assert february.certainly_before(PartialDate.parse("2025-03-01"))


def test_na_is_namibia_not_a_missing_value():
    org = Organisation.model_validate({"id": "x", "name": "X", "kind": "state", "country": "NA", "source_ids": ["s"]})
    assert org.country == "NA"


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "XX"), ("id", "Bad Id"), ("wikidata_id", "Q0"), ("kind", "country"), ("name", " padded")],
)
def test_invalid_values_are_rejected(field, value):
    data = {"id": "x", "name": "X", "kind": "state", "source_ids": ["s"], field: value}
    with pytest.raises(ValidationError) as caught:
        Organisation.model_validate(data)
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


def _resolved(prop, defs):
    """A JSON Schema property without ``$ref`` and without its ``null`` branch."""
    if "$ref" in prop:
        return _resolved(defs[prop["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in prop:
        (branch,) = [item for item in prop["anyOf"] if item.get("type") != "null"]
        return _resolved(branch, defs)
    return prop


@pytest.mark.parametrize("table", sorted(TABLES))
def test_columns_say_what_the_json_schema_says(table):
    # columns() reads the field types so that no model is built; pydantic's JSON Schema is the oracle
    schema = TABLES[table].model_json_schema()
    defs = schema.get("$defs", {})
    found, expected = [], []
    for column in columns(TABLES[table]):
        prop = schema["properties"][column.name]
        item = _resolved(prop, defs)
        min_items = item.get("minItems", 0) if column.is_list else 0
        if column.is_list:
            item = _resolved(item["items"], defs)
        found.append((column.name, column.pattern, column.enum, column.max_length, column.min_items))
        found[-1] += (column.references, column.organisation_kinds, column.required)
        expected.append(
            (column.name, item.get("pattern"), tuple(item.get("enum", ())), item.get("maxLength"), min_items)
        )
        expected[-1] += (tuple(prop.get("x-references", ())), tuple(prop.get("x-organisation-kinds", ())))
        expected[-1] += (column.name in schema.get("required", []),)
    assert found == expected
