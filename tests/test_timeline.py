import datetime as dt
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import dataset_tools
from dataset_tools.errors import UnknownId
from dataset_tools.release import build as release
from dataset_tools.release import timeline
from dataset_tools.release.timeline import Date, Span, Timeline

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "release"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def data():
    return dataset_tools.load(FIXTURES / "new")


def _x(day: dt.date, begin: dt.date, finish: dt.date) -> float:
    scale = (timeline.WIDTH - timeline.RIGHT - timeline.LABELS) / (finish.toordinal() - begin.toordinal())
    return round(timeline.LABELS + (day.toordinal() - begin.toordinal()) * scale, 1)


def _group(svg: str, title_start: str) -> ET.Element:
    root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314 - our own output
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if title is not None and title.text and title.text.startswith(title_start):
            return group
    raise AssertionError(f"no group titled {title_start!r}")


def _rects(group: ET.Element) -> list[tuple[float, float, str]]:
    return [
        (float(rect.get("x", "0")), float(rect.get("width", "0")), rect.get("fill-opacity", ""))
        for rect in group.iter(f"{SVG}rect")
    ]


def test_coalition_members_and_events(data):
    frame = data.timeline("global-coalition-against-daesh").to_frame()
    assert frame.fillna("").values.tolist() == [
        ["membership", "Jordan (member)", "2014", "2024-12", "", ""],  # earliest first
        ["membership", "Türkiye (member)", "2014-09", "", "", ""],
        ["membership", "United States (lead)", "2014-09", "", "", ""],
        ["event", "Global Coalition formed", "2014-09", "", "", "formation"],
    ]


def test_organisation_and_person(data):
    isis = data.timeline("Daesh").to_frame()
    assert isis[["kind", "label", "start", "end", "note"]].fillna("").values.tolist() == [
        ["designation", "US Department of State", "2004-12-17", "", "Foreign Terrorist Organizations"],
        ["designation", "Türkiye", "2013", "", "Terör örgütleri listesi"],
        ["position", "Abu Bakr al-Baghdadi: Leader", "2010-05", "2019-10-27", ""],
    ]
    person = data.timeline("abu-bakr-al-baghdadi").to_frame()
    assert person[["kind", "label", "start", "end"]].fillna("").values.tolist() == [
        ["designation", "US Department of State", "2011-10", "2020"],
        ["position", "Leader, Islamic State", "2010-05", "2019-10-27"],
    ]


def test_a_month_precise_start_is_drawn_as_a_span(data):
    drawn = data.timeline("global-coalition-against-daesh")
    assert drawn.until == dt.date(2025, 12, 31)  # the latest date in the data: not-ended bars run to it
    svg = drawn.svg()
    begin, finish = dt.date(2014, 1, 1), dt.date(2026, 1, 1)
    rects = _rects(_group(svg, "Türkiye (member): 2014-09 – not ended"))
    september = _x(dt.date(2014, 9, 1), begin, finish)
    october = _x(dt.date(2014, 10, 1), begin, finish)
    assert rects[0] == (september, pytest.approx(october - september, abs=0.11), "0.35")  # pale: September 2014
    assert rects[1][0] == _x(dt.date(2014, 9, 30), begin, finish)  # solid only from the month's last day
    assert rects[1][2] == "0.9"
    group = _group(svg, "Türkiye (member)")
    assert [path.get("d") for path in group.iter(f"{SVG}path")] == ["M936 116l-7-6v12z"]  # not ended: an arrow
    jordan = _rects(_group(svg, "Jordan (member): 2014 – 2024-12"))
    assert jordan[0][:2] == (300.0, pytest.approx(_x(dt.date(2015, 1, 1), begin, finish) - 300, abs=0.11))
    assert jordan[1][0] == _x(dt.date(2024, 12, 1), begin, finish)  # the end's month, pale


def test_in_force_by_is_drawn_as_such():
    day = Date("2015-06-01", dt.date(2015, 6, 1), dt.date(2015, 6, 1))
    drawing = Timeline("x", "X", [Span("membership", "A (member)", None, None, attested=day)]).svg()
    group = _group(drawing, "A (member): start unknown – not ended; in force by 2015-06-01")
    lines = list(group.iter(f"{SVG}line"))
    assert [line.get("stroke-dasharray") for line in lines] == ["4 3"]  # dashed up to the attested day
    assert float(lines[0].get("x2", "0")) == _x(dt.date(2015, 6, 1), dt.date(2015, 1, 1), dt.date(2016, 1, 1))
    paths = [path.get("d", "") for path in group.iter(f"{SVG}path")]
    assert any(re.fullmatch(r"M[0-9.]+ [0-9]+l6 7l-6 7l-6-7z", path) for path in paths)  # the diamond


def test_unknown_start_is_dashed():
    drawing = Timeline("x", "X", [Span("designation", "B", None, None)]).svg()
    assert [line.get("stroke-dasharray") for line in _group(drawing, "B: start unknown").iter(f"{SVG}line")] == ["4 3"]


def test_svg_is_well_formed_and_reproducible(data):
    first = data.timeline("isis").svg()
    ET.fromstring(first.encode("utf-8"))  # noqa: S314 - our own output
    assert first == dataset_tools.load(FIXTURES / "new").timeline("isis").svg()
    assert first.endswith("</svg>\n")


def test_unknown_record_raises(data):
    with pytest.raises(UnknownId, match="did you mean `isis`"):
        data.timeline("isiss")


def test_release_carries_one_svg_per_coalition(tmp_path):
    built = release.build(FIXTURES / "new", tmp_path, version="0.2.0", created="2025-01-01T00:00:00Z")
    names = sorted(path.name for path in (built.folder / "timelines").iterdir())
    assert names == ["global-coalition-against-daesh.svg", "regional-operations-centre.svg"]
    data = dataset_tools.load(built.folder)
    assert (built.folder / "timelines" / names[0]).read_text(encoding="utf-8") == data.timeline(
        "global-coalition-against-daesh"
    ).svg()


def test_cli_timeline(tmp_path):
    out = tmp_path / "t.svg"
    command = [sys.executable, "-m", "dataset_tools", "timeline", "Islamic State", "--data", str(FIXTURES / "new")]
    result = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (0, f"wrote {out}\n")
    assert out.read_text(encoding="utf-8") == dataset_tools.load(FIXTURES / "new").timeline("isis").svg()
    result = subprocess.run(
        [sys.executable, "-m", "dataset_tools", "timeline", "nobody-at-all", "--data", str(FIXTURES / "new")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("Error: no organisation or person `nobody-at-all`")


def test_readme_timeline_is_current():
    shown = ROOT / "docs" / "timelines" / "global-coalition-to-defeat-isis.svg"
    assert "docs/timelines/global-coalition-to-defeat-isis.svg" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert (
        shown.read_text(encoding="utf-8") == dataset_tools.load().timeline("global-coalition-to-defeat-isis").svg()
    ), (
        "stale: run `dataset-tools timeline global-coalition-to-defeat-isis -o "
        "docs/timelines/global-coalition-to-defeat-isis.svg`"
    )


def test_only_the_earliest_spans_are_drawn_and_the_rest_counted():
    import pyarrow as pa  # noqa: PLC0415

    from dataset_tools.reading import packages  # noqa: PLC0415
    from dataset_tools.release.loading import Dataset  # noqa: PLC0415
    from dataset_tools.schema.models import TABLES  # noqa: PLC0415

    tables = {table: packages.empty(table) for table in TABLES}
    organisation = dict.fromkeys(packages.names("organisations"), "")
    organisation.update(id="c", name="C", kind="coalition", source_ids="s")
    tables["organisations"] = pa.Table.from_pylist([organisation])
    event = dict.fromkeys(packages.names("coalition_events"), "")
    events = [
        {**event, "id": f"e{n:02d}", "kind": "meeting", "date": f"{2044 - n}", "coalition_id": "c", "title": f"E{n}"}
        for n in range(timeline.LIMIT + 5)
    ]
    tables["coalition_events"] = pa.Table.from_pylist(events)
    data = Dataset(tables)
    found, total = data.where("coalition_events", "coalition_id", "c", first=timeline.LIMIT)
    assert (len(found), total) == (timeline.LIMIT, timeline.LIMIT + 5)
    assert found[0]["id"] == f"e{timeline.LIMIT + 4}"  # the earliest first
    drawn = data.timeline("c")
    assert drawn.omitted == {"event": 5}
    assert f"… and 5 more (the earliest {timeline.LIMIT} are drawn)" in drawn.svg()


def test_members_are_drawn_by_when_they_are_known_to_hold_undated_last():
    import pyarrow as pa  # noqa: PLC0415

    from dataset_tools.reading import packages  # noqa: PLC0415
    from dataset_tools.release.loading import Dataset  # noqa: PLC0415
    from dataset_tools.schema.models import TABLES  # noqa: PLC0415

    tables = {table: packages.empty(table) for table in TABLES}
    blank = dict.fromkeys(packages.names("organisations"), "")
    states = [{**blank, "id": name, "name": name.title(), "kind": "state", "source_ids": "s"} for name in "abcd"]
    tables["organisations"] = pa.Table.from_pylist(
        [{**blank, "id": "c", "name": "C", "kind": "coalition", "source_ids": "s"}, *states]
    )
    member = dict.fromkeys(packages.names("memberships"), "")
    dates = {"a": ("", ""), "b": ("", "2016-05"), "c2": ("2014-09", ""), "d": ("2015", "")}
    tables["memberships"] = pa.Table.from_pylist(
        [
            {
                **member,
                "id": f"m-{key}",
                "member_id": key[0],
                "coalition_id": "c",
                "role": "member",
                "start": start,
                "attested": attested,
                "source_ids": "s",
            }
            for key, (start, attested) in dates.items()
        ]
    )
    data = Dataset(tables)
    found, _ = data.where("memberships", "coalition_id", "c")
    assert [row["id"] for row in found] == ["m-c2", "m-d", "m-b", "m-a"]
    svg = data.timeline("c").svg()
    assert svg.index(">C (member)<") < svg.index(">D (member)<") < svg.index(">B (member)<") < svg.index(">A (member)<")
