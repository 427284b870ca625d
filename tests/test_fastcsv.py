"""The fast CSV path finds exactly what the reference reader finds."""

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_tools.reading import fastcsv
from dataset_tools.reading import tables as read
from dataset_tools.validation.problems import Problem
from dataset_tools.validation.validator import _validate as validate  # the private reference path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate, manifest_path


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench") / "faulty"
    generate(folder, events=3000, participants=3000, organisations=200, faults=0.02, seed=7)
    return folder


def test_the_fast_path_agrees_with_the_reference_reader_and_the_manifest(faulty):
    fast = validate(faulty)
    manifest = json.loads(manifest_path(faulty).read_text(encoding="utf-8"))
    expected = sorted((m["file"], m["line"], m["field"] or "", m["code"]) for m in manifest)
    assert sorted((Path(p.file).name, p.line, p.field or "", p.code) for p in fast.problems) == expected
    assert fast.problems == validate(faulty, reference=True).problems


PIECES_OF_GARBAGE = st.lists(
    st.sampled_from(["a", "é", ",", '"', '""', "\n", "\r\n", " ", ',"', '",', '"\n', '\n"', "x,y\n", "state-a,S,\n"]),
    max_size=120,
).map("".join)


def _read(path, *, reference):
    tf = read.read_table(path, "organisations", "o.csv", reference=reference)
    return (
        sorted(tf.problems, key=Problem.sort_key),
        tf.data.to_pylist(),
        tf.lines.tolist(),
        tf.unread_ids,
        tf.incomplete,
    )


@settings(max_examples=300, deadline=None)
@given(body=PIECES_OF_GARBAGE)
def test_any_body_reads_as_the_reference_reader_reads_it(tmp_path_factory, body):
    path = tmp_path_factory.mktemp("garbage") / "organisations.csv"
    path.write_bytes(b"id,name,aliases\n" + body.encode())
    assert _read(path, reference=False) == _read(path, reference=True)


@pytest.mark.parametrize(
    "body",
    [
        b'a,"b\nc",d\n' * 3,  # cells over two lines
        b'a,"b\nc",d,e\n' + b"f,g,h\n",  # a ragged record over two lines
    ],
)
def test_cells_over_lines_stay_on_the_fast_path(body):
    parsed = fastcsv.parse(b"x,y,z\n" + body, 6, 3)
    assert parsed is not None
    reference = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert [list(row.values()) for row in parsed.table.to_pylist()] == [row for row in reference if len(row) == 3]


@pytest.mark.parametrize(
    "body",
    [
        b'a,b,"c\nd,e,f\n',
        b'a,b,"c\nd,e,f',
        b'a,"b\nc\n',
        b"a,b,c\r\nd,e\rf\n",
        b'a,"b"c,d\n' * 3,  # text after a closing quote: pyarrow would drop the quote
        b'a,b"c,d\n' * 3,  # a stray quote inside an unquoted cell: the reference reader keeps it
    ],
    ids=["open-quote", "open-quote-no-final-break", "open-quote-ragged", "lone-carriage-return", "text-after", "stray"],
)
def test_a_quote_open_at_the_end_or_a_lone_carriage_return_goes_to_the_reference_reader(body):
    assert fastcsv.parse(b"x,y,z\n" + body, 6, 3) is None
