import json
from pathlib import Path

from click.testing import CliRunner

from dataset_tools.cli import cli
from dataset_tools.reading import packages
from dataset_tools.release import diff

FIXTURES = Path(__file__).parent / "fixtures" / "release"


def changes():
    return diff.compare(packages.read_tables(FIXTURES / "old"), packages.read_tables(FIXTURES / "new"))


def test_added_changed_removed_per_table():
    result = diff.summary(changes())
    assert result["organisations"] == {"added": 1, "changed": 0, "removed": 0}
    assert result["positions"] == {"added": 0, "changed": 1, "removed": 0}
    assert result["designations"] == {"added": 0, "changed": 0, "removed": 1}
    assert result["event_participants"] == {"added": 3, "changed": 0, "removed": 0}
    (change,) = changes().tables["positions"].changed
    assert change.id == "hakan-fidan-foreign-minister"
    assert change.fields == {"start": ("2023-06", "2023-06-04"), "confidence": ("medium", "high")}


def test_same_data_is_no_change():
    same = diff.compare(packages.read_tables(FIXTURES / "new"), packages.read_tables(FIXTURES / "new"))
    assert same.empty
    assert diff.to_text(same) == "No records added, changed or removed.\n"


def test_text_output():
    text = diff.to_text(changes())
    assert "positions: 0 added, 1 changed, 0 removed\n  ~ hakan-fidan-foreign-minister\n" in text
    assert "      start: 2023-06 -> 2023-06-04\n" in text
    assert "  - uk-proscribed-isis (Old list)" not in text
    assert "  - uk-proscribed-isis\n" in text
    assert "  + regional-operations-centre (Türkiye, Iraq, Syria and Jordan operations centre)\n" in text


def test_markdown_caps_long_lists():
    markdown = diff.to_markdown(changes(), limit=1)
    assert "Added (3):\n\n- `amman-meeting-fidan`\n- … and 2 more" in markdown


def test_cli_formats_and_exit_code():
    args = ["diff", str(FIXTURES / "old"), str(FIXTURES / "new")]
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["summary"]["designations"]["removed"] == 1
    assert data["tables"]["positions"]["changed"][0]["fields"]["start"] == {"old": "2023-06", "new": "2023-06-04"}
    assert data["tables"]["designations"]["removed"][0]["id"] == "uk-proscribed-isis"
    assert CliRunner().invoke(cli, [*args, "--exit-code"]).exit_code == 1
    same = CliRunner().invoke(cli, ["diff", str(FIXTURES / "new"), str(FIXTURES / "new"), "--exit-code"])
    assert same.exit_code == 0
    markdown = CliRunner().invoke(cli, [*args, "--format", "markdown"])
    assert markdown.output.startswith("## `organisations`\n")
    assert CliRunner().invoke(cli, ["diff", str(FIXTURES / "missing"), str(FIXTURES / "new")]).exit_code == 2


def test_a_dataset_that_would_lose_records_is_refused_with_its_line_and_no_usage_banner(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in (FIXTURES / "new").iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    with (broken / "actors.csv").open("a", encoding="utf-8") as handle:
        handle.write("x,y\n")
    line = (broken / "actors.csv").read_text(encoding="utf-8").count("\n")
    result = CliRunner().invoke(cli, ["diff", str(FIXTURES / "new"), str(broken)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {(broken / 'actors.csv').as_posix()} line {line}: this row has 2 cells")
    assert "Usage:" not in result.output
