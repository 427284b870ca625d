"""Adding an optional field is the model, a CHANGELOG line and one command (CONTRIBUTING, "Where a change goes").

The test adds a field to a model in memory, in a copy of every file the generator reads or
writes, and holds the whole path to what CONTRIBUTING promises: ``schema check`` names the
one field as a minor change and the version it needs, ``schema generate`` rewrites exactly
the files that restate the models, and afterwards nothing is stale and the data is valid.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pydantic import Field, create_model

from dataset_tools import names, validate
from dataset_tools.reading import files
from dataset_tools.schema import codelists, dictionary, models, publish
from dataset_tools.schema.codelists import Url
from dataset_tools.schema.compat import Level, highest

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ["schemas", "docs", publish.CONTRIBUTING, publish.DATASETS, codelists.CODE_LISTS, names.CONFUSABLES]
"""Everything ``schema generate`` reads or writes, from the repository root."""


def copy_of_the_repository(target: Path) -> Path:
    for name in INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
    return target


def next_minor(version: str) -> str:
    parsed = publish.parse_version(version)
    assert parsed is not None
    return f"{parsed[0]}.{parsed[1] + 1}.0"


def test_an_optional_field_is_the_model_and_one_command(tmp_path, monkeypatch):
    root = copy_of_the_repository(tmp_path)
    assert publish.stale(root) == [], "the copy holds every file the generator reads"
    published = publish.SCHEMA_VERSION

    # By hand: the field, in its model (named so as not to be one the model already has).
    organisation = models.TABLES["organisations"]
    name = next(name for name in ("website", "homepage", "web_address") if name not in organisation.model_fields)
    field = (Url | None, Field(None, description="The organisation's official website."))
    extended = create_model("Organisation", __base__=organisation, __doc__=organisation.__doc__, **{name: field})
    monkeypatch.setitem(models.TABLES, "organisations", extended)

    # `dataset-tools schema check` names the field, says minor, and names the version it needs.
    verdict = publish.check(root)
    assert [str(change) for change in verdict.changes] == [
        f"organisations.{name}: new optional field [field-added, minor]"
    ]
    assert highest(verdict.changes) is Level.MINOR
    assert verdict.errors == [
        (
            f"compatible changes since the published {published} need a new minor version: set SCHEMA_VERSION "
            f"to {next_minor(published)} in dataset_tools/schema/models.py"
        )
    ]

    # By hand, as the check says: the minor version (one line of models.py).
    for module in (publish, dictionary):
        monkeypatch.setattr(module, "SCHEMA_VERSION", next_minor(published))
    assert publish.check(root).errors == []

    # `dataset-tools schema generate`: exactly the files that restate the models change.
    regenerated = sorted(
        [
            *(f"schemas/v1/{table}.{kind}.json" for table in models.TABLES for kind in ("schema", "tableschema")),
            publish.INDEX,
            dictionary.MARKDOWN,
            dictionary.HTML,
            publish.CONTRIBUTING,
            "datasets/datapackage.json",
            "datasets/organisations.csv",
        ]
    )
    assert sorted(publish.stale(root)) == regenerated
    assert sorted(publish.write(root)) == regenerated
    assert publish.stale(root) == []
    verdict = publish.check(root)
    assert (verdict.ok, verdict.changes, verdict.published) == (True, [], next_minor(published))

    # The field reached every file that lists the table's columns, and the data stays valid.
    header = ",".join(column.name for column in models.columns(extended))
    assert name in header
    contributing = (root / publish.CONTRIBUTING).read_text(encoding="utf-8")
    assert f"<!-- example: organisations -->\n```csv\n{header}\n" in contributing
    assert f"<!-- example: organisations; columns: {header} -->" in contributing
    assert f"`{name}`" in (root / dictionary.MARKDOWN).read_text(encoding="utf-8")
    path = files.list_folder(root / publish.DATASETS).tables["organisations"]
    assert path.read_text(encoding="utf-8").startswith(header + "\n")
    report = validate(root / publish.DATASETS)
    assert [problem.code for problem in report.problems if problem.severity == "error"] == []
