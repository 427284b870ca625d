import re
from html.parser import HTMLParser
from pathlib import Path

from dataset_tools.schema import compat, dictionary, publish
from dataset_tools.schema.models import TABLES, columns
from dataset_tools.validation.problems import CODES

ROOT = Path(__file__).resolve().parent.parent


def test_dictionaries_are_current_and_name_the_fixing_command():
    stale = [path for path in publish.stale(ROOT) if path.startswith("docs/")]
    assert not stale, f"{stale} are stale (a model or datasets/ changed): run `{publish.REGENERATE}`"


def test_every_field_and_vocabulary_value_is_documented():
    text = (ROOT / dictionary.MARKDOWN).read_text(encoding="utf-8")
    page = (ROOT / dictionary.HTML).read_text(encoding="utf-8")
    for table, model in TABLES.items():
        assert f"## {table}" in text
        for column in columns(model):
            assert f"| `{column.name}` |" in text
            assert f'id="{table}.{column.name}"' in page
            for value in column.vocabulary.definitions() if column.vocabulary else ():
                assert f"- `{value}`: " in text
                assert f"<dt>{value}</dt>" in page


def test_examples_come_from_the_first_record_by_id_that_has_a_value(tmp_path):
    (tmp_path / "actors.csv").write_text(
        "id,name,aliases,born,source_ids\nzeta,Zeta Z,,,s\nalpha,Alpha A,,,s\nbeta,Beta B,Bê;B.,1960-05,s\n"
    )
    assert dictionary.examples(tmp_path, "actors") == {
        "id": "alpha",
        "name": "Alpha A",
        "aliases": "Bê;B.",
        "born": "1960-05",
        "source_ids": "s",
    }
    (tmp_path / "sources.csv").write_bytes(b"\xff\xfe not utf-8")
    assert dictionary.examples(tmp_path, "sources") == {}
    assert dictionary.examples(tmp_path, "positions") == {}


def test_examples_are_escaped_and_cut(tmp_path):
    (tmp_path / "sources.json").write_text(
        '[{"id": "s", "title": "A | B <b>' + "x" * 80 + '</b>", "kind": "report"}]', encoding="utf-8"
    )
    entries = {"sources": dictionary._entries("sources", dictionary.examples(tmp_path, "sources"))}  # noqa: SLF001
    row = next(line for line in dictionary.markdown(entries).splitlines() if line.startswith("| `title`"))
    assert "A \\| B <b>xxx" in row
    assert row.endswith("x…` |")
    assert "A | B &lt;b&gt;" in dictionary.html_page(entries)


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.external = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href"} and value and not value.startswith("#"):
                self.external.append((tag, value))


def test_html_page_is_self_contained():
    page = (ROOT / dictionary.HTML).read_text(encoding="utf-8")
    parser = _Assets()
    parser.feed(page)
    assert parser.external == []
    assert "<style>" in page
    assert not re.search(r"@import|url\(", page)


def test_readme_links_both_dictionaries():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/data-dictionary.md)" in readme
    assert "(docs/data-dictionary.html)" in readme


def test_shipped_dataset_declares_the_current_schema():
    assert compat.declared_version(ROOT / "datasets") == publish.SCHEMA_VERSION
    assert compat.check_declared(ROOT / "datasets") == []


def test_new_problem_codes_are_registered():
    assert "schema-version-error" in CODES
    assert "migration-error" in CODES
