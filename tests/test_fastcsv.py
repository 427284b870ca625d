"""The fast CSV path cut into many pieces finds exactly what the reference reader finds."""

import json
import sys
from pathlib import Path

import pytest

from dataset_tools import fastcsv, read
from dataset_tools.validation import validate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate, manifest_path


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench") / "faulty"
    generate(folder, events=3000, participants=3000, organisations=200, faults=0.02, seed=7)
    return folder


@pytest.mark.parametrize("mapped", [False, True], ids=["read", "mapped"])
@pytest.mark.parametrize("pieces", [1, 2, 7])
def test_pieces_agree_with_the_reference_reader_and_the_manifest(faulty, monkeypatch, pieces, mapped):
    monkeypatch.setattr(read, "MAP_FROM", 0 if mapped else 1 << 40)
    monkeypatch.setattr(fastcsv, "PIECE", 4096)
    monkeypatch.setattr(fastcsv, "_BLOCK", 1000)
    monkeypatch.setattr(fastcsv.os, "cpu_count", lambda: pieces)
    fast = validate(faulty)
    manifest = json.loads(manifest_path(faulty).read_text(encoding="utf-8"))
    expected = sorted((m["file"], m["line"], m["field"] or "", m["code"]) for m in manifest)
    assert sorted((Path(p.file).name, p.line, p.field or "", p.code) for p in fast.problems) == expected
    assert fast.problems == validate(faulty, reference=True).problems


def test_a_cut_inside_a_quoted_cell_still_reads_every_record_on_its_line(monkeypatch):
    monkeypatch.setattr(fastcsv, "PIECE", 1000)
    monkeypatch.setattr(fastcsv.os, "cpu_count", lambda: 8)
    raw = b"a,b\n" + b'1,"x\ny\nz"\n' * 2000
    bounds = fastcsv._split(raw, 4, 8)  # noqa: SLF001 - the cutting rule itself
    assert any(raw[:cut].count(b'"') % 2 for cut in bounds[1:-1])  # some cut lands inside a cell
    parsed = fastcsv.parse(raw, 4, 2)
    assert parsed is not None
    assert parsed.lines.tolist() == [2 + 3 * k for k in range(2000)]
    assert set(parsed.table.column(1).to_pylist()) == {"x\ny\nz"}
