"""The fast CSV path cut into many pieces finds exactly what the reference reader finds."""

import csv
import io
import itertools
import json
import sys
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_tools.reading import fastcsv
from dataset_tools.reading import tables as read
from dataset_tools.validation import parallel
from dataset_tools.validation.problems import Problem
from dataset_tools.validation.validator import _validate as validate  # the private reference path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate, generate_real, manifest_path


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench") / "faulty"
    generate(folder, events=3000, participants=3000, organisations=200, faults=0.02, seed=7)
    return folder


@pytest.mark.parametrize("pieces", [1, 2, 7])
def test_pieces_agree_with_the_reference_reader_and_the_manifest(faulty, monkeypatch, pieces):
    monkeypatch.setattr(fastcsv, "PIECE", 4096)
    monkeypatch.setattr(fastcsv.os, "cpu_count", lambda: pieces)
    fast = validate(faulty)
    manifest = json.loads(manifest_path(faulty).read_text(encoding="utf-8"))
    expected = sorted((m["file"], m["line"], m["field"] or "", m["code"]) for m in manifest)
    assert sorted((Path(p.file).name, p.line, p.field or "", p.code) for p in fast.problems) == expected
    assert fast.problems == validate(faulty, reference=True).problems


@pytest.fixture(scope="module")
def faulty_real(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench") / "faulty-real"
    generate_real(folder, rows=6000, faults=0.02, seed=11)
    return folder


@pytest.mark.parametrize("shape", ["faulty", "faulty_real"])
def test_work_on_threads_finds_what_work_on_one_thread_finds(request, monkeypatch, shape):
    # the shipped data and the tests' small tables stay under PARALLEL_ROWS: every pool and rapidfuzz's
    # workers run on the calling thread; here every one of them is made to start its threads
    folder = request.getfixturevalue(shape)
    alone = validate(folder).problems
    monkeypatch.setattr(parallel, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(fastcsv.os, "cpu_count", lambda: 3)
    assert validate(folder).problems == alone
    assert any(problem.code == "possible-duplicate" for problem in alone) or shape == "faulty"


def _records(raw: bytes, body: int) -> tuple[np.ndarray, np.ndarray]:
    buf = np.frombuffer(raw, dtype=np.uint8, offset=body)
    return fastcsv._records(len(buf), *fastcsv._offsets(buf, ord("\n"), ord('"')))  # noqa: SLF001 - the rule itself


def test_cuts_fall_between_records_when_cells_span_lines(monkeypatch):
    monkeypatch.setattr(fastcsv, "PIECE", 1000)
    monkeypatch.setattr(fastcsv.os, "cpu_count", lambda: 8)
    raw = b"a,b\n" + b'1,"x\ny\nz"\n' * 2000
    ends, firsts = _records(raw, 4)
    assert ends.tolist() == [10 * k for k in range(1, 2001)]
    assert firsts.tolist() == [2 + 3 * k for k in range(2000)]
    cuts = fastcsv._split(ends, 8)  # noqa: SLF001 - the cutting rule itself
    assert len(cuts) == 9
    assert [raw[4 + ends[cut - 1] - 3 : 4 + ends[cut - 1]] for cut in cuts[1:-1]] == [b'z"\n'] * 7
    parsed = fastcsv.parse(raw, 4, 2)
    assert parsed is not None
    assert parsed.lines.tolist() == [2 + 3 * k for k in range(2000)]
    assert set(parsed.table.column(1).to_pylist()) == {"x\ny\nz"}


def test_a_cut_meant_for_inside_a_cell_of_many_lines_and_doubled_quotes_moves_past_it(monkeypatch):
    monkeypatch.setattr(fastcsv, "PIECE", 1000)
    monkeypatch.setattr(fastcsv.os, "cpu_count", lambda: 4)
    cell = b'"' + b'""\n' * 5000 + b'x"'
    raw = b"a,b\n" + b"1," + cell + b"\n" + b"2,y\n" * 3000
    ends, _ = _records(raw, 4)
    assert fastcsv._split(ends, 4)[1] == 1  # noqa: SLF001 - the cuts meant for inside the cell move past it
    parsed = fastcsv.parse(raw, 4, 2)
    assert parsed is not None
    assert parsed.lines.tolist() == [2] + [5003 + k for k in range(3000)]


def test_the_offsets_are_found_across_scan_blocks(monkeypatch):
    monkeypatch.setattr(fastcsv, "SCAN", 3)
    buf = np.frombuffer(b'a"\n""\n\n"x', dtype=np.uint8)
    feeds, quotes = fastcsv._offsets(buf, ord("\n"), ord('"'))  # noqa: SLF001 - the scan itself
    assert feeds.tolist() == [2, 5, 6]
    assert quotes.tolist() == [1, 3, 4, 7]
    assert [found.tolist() for found in fastcsv._offsets(buf[:0], ord("\n"))] == [[]]  # noqa: SLF001


def test_a_piece_where_pyarrow_finds_other_records_is_declined(monkeypatch):
    real = fastcsv._records  # noqa: SLF001 - made to disagree with pyarrow

    def one_record_short(size, line_feeds, quotes):
        ends, firsts = real(size, line_feeds, quotes)
        return ends[1:], firsts[1:]

    monkeypatch.setattr(fastcsv, "_records", one_record_short)
    assert fastcsv.parse(b"x,y\n1,2\n3,4\n", 4, 2) is None


def test_a_line_break_inside_a_cell_where_pyarrow_would_end_a_block_keeps_both_its_characters(monkeypatch):
    # pyarrow drops the LF of a CRLF inside a quoted cell when a read block ends between the CR and the
    # LF (apache/arrow#51368); found by a tester with the CR at byte 16 MiB - 1, where the reader's blocks
    # ended. Each piece is now one block, so no block ends inside a piece.
    monkeypatch.setattr(fastcsv.os, "cpu_count", lambda: 1)
    monkeypatch.setattr(fastcsv, "LARGEST", 32 * 1024 * 1024)  # one piece, so the CR is where a 16 MiB block ended
    block = 16 * 1024 * 1024
    filler = b"x" * 60 + b',"note"\n'
    before = filler * ((block - 100) // len(filler))
    pad = b"y" * (block - 1 - len(before) - len(b'1,"crlf'))  # the CR at body offset 16 MiB - 1
    body = before + pad + b'1,"crlf\r\ninside"\n' + b'2,"crlf\r\ninside",extra\n' + filler * 4
    assert body.index(b"\r") == block - 1
    parsed = fastcsv.parse(b"a,b\n" + body, 4, 2)
    assert parsed is not None
    row = len(before) // len(filler)
    assert parsed.table.column(1)[row].as_py() == "crlf\r\ninside"  # the padding starts its record
    assert parsed.invalid == [(int(parsed.lines[row]) + 2, '2,"crlf\r\ninside",extra')]


def test_a_piece_is_read_as_one_block(monkeypatch):
    monkeypatch.setattr(fastcsv.os, "cpu_count", lambda: 1)
    monkeypatch.setattr(fastcsv, "LARGEST", 32 * 1024 * 1024)
    # 20 MB in one piece: more than one block of pyarrow's own (1 MiB) or of this reader's before (16 MiB)
    body = b'1,"a\nb"\n' * 2_500_000
    parsed = fastcsv.parse(b"a,b\n" + body, 4, 2)
    assert parsed is not None
    assert [column.num_chunks for column in parsed.table.columns] == [1, 1]
    assert parsed.lines.tolist()[-1] == 2 + 2 * (2_500_000 - 1)


def test_a_body_bigger_than_the_largest_piece_is_cut_into_more_pieces_than_cores(monkeypatch):
    monkeypatch.setattr(fastcsv.os, "cpu_count", lambda: 1)
    monkeypatch.setattr(fastcsv, "LARGEST", 1000)
    body = b"1,abcdefgh\n" * 500  # 5,500 bytes: 6 pieces, each one block, read on one thread
    parsed = fastcsv.parse(b"a,b\n" + body, 4, 2)
    assert parsed is not None
    assert [column.num_chunks for column in parsed.table.columns] == [6, 6]
    assert parsed.lines.tolist() == list(range(2, 502))


PIECES_OF_GARBAGE = st.lists(
    st.sampled_from(
        ["a", "é", "\ufeff", ",", '"', '""', "\n", "\r\n", " ", ',"', '",', '"\n', '\n"', "x,y\n", "state-a,S,\n"]
    ),
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
@given(body=PIECES_OF_GARBAGE, piece=st.sampled_from([1, 8, 64]), cores=st.sampled_from([2, 3, 7]))
def test_any_body_cut_anywhere_reads_as_the_reference_reader_reads_it(tmp_path_factory, body, piece, cores):
    path = tmp_path_factory.mktemp("cut") / "organisations.csv"
    path.write_bytes(b"id,name,aliases\n" + body.encode())
    with patch.object(fastcsv, "PIECE", piece), patch.object(fastcsv.os, "cpu_count", lambda: cores):
        fast = _read(path, reference=False)
    assert fast == _read(path, reference=True)


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


RFC_4180_RECORDS = st.lists(
    st.lists(
        st.one_of(
            st.text(alphabet="ab\u00e9 ", max_size=4),
            st.text(alphabet='ab"\n\r, ', max_size=6).map(lambda cell: '"' + cell.replace('"', '""') + '"'),
        ),
        min_size=1,
        max_size=3,
    ).map(",".join),
    min_size=1,
    max_size=30,
)
"""Records quoted as RFC 4180 quotes them, cells over lines included."""


@given(records=RFC_4180_RECORDS, parts=st.integers(1, 9), piece=st.sampled_from([1, 4, 16]))
def test_records_end_at_their_line_feeds_and_every_cut_falls_between_them(records, parts, piece):
    raw = b"x,y\n" + "".join(record + "\n" for record in records).encode()
    ends, firsts = _records(raw, 4)
    assert ends.tolist() == list(itertools.accumulate(len(record.encode()) + 1 for record in records))
    assert firsts.tolist() == list(itertools.accumulate((record.count("\n") + 1 for record in records[:-1]), initial=2))
    cuts = fastcsv._split(ends, parts, piece)  # noqa: SLF001 - the cutting rule itself
    assert cuts[0] == 0
    assert cuts[-1] == len(records)
    assert cuts == sorted(set(cuts))


ADVERSARIAL_CELLS = st.one_of(
    st.text(alphabet="ab\u00e9 ", max_size=3),
    st.lists(st.sampled_from(["a", "\u00e9", " ", ",", '"', "\n", "\r\n"]), max_size=5).map(
        lambda parts: '"' + "".join(parts).replace('"', '""') + '"'
    ),
)
ADVERSARIAL_BODIES = st.tuples(
    st.lists(
        st.tuples(st.lists(ADVERSARIAL_CELLS, max_size=4).map(",".join), st.sampled_from(["\n", "\r\n"])),
        max_size=12,
    ),
    st.booleans(),
).map(lambda body: "".join(record + end for record, end in body[0])[: None if body[1] else -1] if body[0] else "")
"""RFC 4180 bodies: quoted cells over LF and CRLF lines, doubled quotes, blank and ragged records, maybe no last break.

Dropping the last character of a body ending in CRLF leaves a carriage return that ends no line: declined.
"""


def _reference_records(body: str, width: int) -> list[tuple[int, list[str]]]:
    """(first line, cells) of each record, as the csv module reads the body under a one-line header."""
    reader = csv.reader(io.StringIO(body, newline=""))
    records, line = [], 2
    for cells in reader:
        records.append((line, cells or [""] * width))  # a blank line: a row of empty cells
        line = reader.line_num + 2
    return records


@settings(max_examples=500, deadline=None)
@given(body=ADVERSARIAL_BODIES, piece=st.sampled_from([1, 8, 64]), cores=st.sampled_from([1, 2, 3, 7]))
def test_every_record_of_a_plain_body_lands_on_its_line_or_the_body_is_declined(body, piece, cores):
    with patch.object(fastcsv, "PIECE", piece), patch.object(fastcsv.os, "cpu_count", lambda: cores):
        parsed = fastcsv.parse(b"x,y,z\n" + body.encode(), 6, 3)
    if parsed is None:
        assert body == "" or body.endswith("\r")  # nothing to read, or a carriage return that ends no line
        return
    rows = [(int(line), list(row.values())) for line, row in zip(parsed.lines, parsed.table.to_pylist(), strict=True)]
    ragged = [(line, next(csv.reader(io.StringIO(text, newline="")))) for line, text in parsed.invalid]
    empty = [(int(line), ["", "", ""]) for line in parsed.empty]  # lines with nothing on them: no rows
    assert sorted(rows + ragged + empty) == _reference_records(body, 3)


def _rfc4180_quote(raw: bytes, index: int, at: int) -> bool:
    """The rule for the ``index``-th quote (at offset ``at``), one quote at a time."""
    if index % 2 == 0:
        return at == 0 or raw[at - 1 : at] in (b",", b"\n", b'"')
    return raw[at + 1 : at + 2] in (b"", b",", b"\n", b'"') or raw[at + 1 : at + 3] == b"\r\n"


@settings(max_examples=500)
@given(st.lists(st.sampled_from([b"a", b",", b'"', b'""', b"\n", b"\r", b"\r\n", b'"\r', b'"\r\n']), max_size=12))
def test_the_quote_check_applies_the_rule_to_every_quote(parts):
    raw = b"".join(parts)
    quotes = [at for at, byte in enumerate(raw) if byte == ord('"')]
    expected = len(quotes) % 2 == 0 and all(_rfc4180_quote(raw, index, at) for index, at in enumerate(quotes))
    buf = np.frombuffer(raw, dtype=np.uint8)
    assert fastcsv._quotes_are_rfc4180(buf, np.asarray(quotes, dtype=np.int64)) == expected  # noqa: SLF001
