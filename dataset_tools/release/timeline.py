"""Timelines: who was in a coalition when; who listed an organisation or person, and until when.

:func:`of` gathers the spans of one record: for a coalition, its members (memberships) and
its events; for an organisation or a person, its designations by authority, the positions
held by or in it, its memberships of coalitions, and its successions (schema 1.1, when the
release has them). :meth:`Timeline.svg` draws them as an SVG written by this module
(no plotting library: a few rectangles, lines and text, formatted with fixed precision),
so the same data always gives the same bytes.

Dates are drawn as honestly as they are known. A partial date is the span of days it may
be: a membership that started ``2014-09`` begins with a pale band over September 2014, and
is solid only from the last day it may have started to the first day it may have ended.
A missing start is drawn as a dashed line from the axis ("since before"); a missing end
runs to the axis' end with an arrow ("still"). An ``attested`` date (schema 1.1: a day a
source shows the relation in force, its start unknown) is a diamond, with the line before
it dashed: "in force by" that day, not "from" it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from dataset_tools.schema.dates import PartialDate

if TYPE_CHECKING:
    from pathlib import Path

    from dataset_tools.release.loading import Dataset

WIDTH, LABELS, RIGHT = 960, 300, 24
"""The drawing's width; the width of the labels' column; the margin right of the axis."""
ROW, TOP, BAR = 24, 56, 10
"""Height of a lane; height of the title block; thickness of a bar."""
COLOURS = {
    "membership": "#1f6fb4",
    "designation": "#c0392b",
    "position": "#2e8b57",
    "succession": "#8e44ad",
    "event": "#555555",
}
"""Colour of each kind of span (colour-blind-safe enough to tell apart, and labelled besides)."""
HEADINGS = {
    "membership": "Members",
    "designation": "Designations, by authority",
    "position": "Positions",
    "succession": "Successions",
    "event": "Events",
}
FONT = "font-family:DejaVu Sans,Arial,sans-serif"
LIMIT = 100
"""At most this many spans of one kind and one relation are drawn (the earliest); the rest are counted."""


@dataclass(frozen=True)
class Date:
    """A partial date as the span of days it may be (``first`` = ``last`` for a day), and its text."""

    text: str
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class Span:
    """One relation over time: from ``start`` to ``end`` (None: not known / not ended)."""

    kind: str
    label: str
    start: Date | None
    end: Date | None
    attested: Date | None = None
    note: str = ""
    """What the tooltip adds (e.g. the list's name)."""
    instant: bool = False
    """An event or a succession: a point (or a partial date's span), not a period."""


def _known_from(span: Span) -> tuple[dt.date, str]:
    """Drawing order: by the first day a span is known to hold (its start, else its attested date), then label.

    A span with neither comes last, so that a known early member is never pushed out of sight.
    """
    known = span.start or span.attested
    return (known.first if known else dt.date.max, span.label)


@dataclass
class Timeline:
    """The spans of one record, grouped by kind, ready to draw."""

    id: str
    name: str
    spans: list[Span] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)
    """Kind → spans left out beyond ``LIMIT`` (the drawing says how many)."""
    until: dt.date | None = None
    """The latest day the data speaks of (any date in any table, a source's access date included):
    a relation not ended is drawn up to it, not only to the last date of its own record."""

    def svg(self) -> str:
        r"""The timeline as an SVG document (UTF-8 text, ``\\n`` line ends, byte-reproducible)."""
        return _draw(self)

    def _repr_svg_(self) -> str:  # Jupyter shows the drawing
        return self.svg()

    def to_frame(self) -> pd.DataFrame:
        """The spans as a table: kind, label, start, end, attested (as written) and note."""
        return pd.DataFrame(
            {
                "kind": [span.kind for span in self.spans],
                "label": [span.label for span in self.spans],
                "start": [span.start.text if span.start else None for span in self.spans],
                "end": [span.end.text if span.end else None for span in self.spans],
                "attested": [span.attested.text if span.attested else None for span in self.spans],
                "note": [span.note for span in self.spans],
            },
            dtype="string",
        )


def _date(row: dict[str, str], column: str) -> Date | None:
    """The partial date in ``row[column]`` with the span of days it may be, or None."""
    text = row.get(column) or ""
    if not text:
        return None
    date = PartialDate.parse(text)
    return Date(text, date.start, date.end)


def _rows(
    data: Dataset, table: str, column: str, value: str, omitted: dict[str, int], kind: str
) -> list[dict[str, str]]:
    """The rows of ``table`` where ``column`` is ``value``: the first ``LIMIT`` by start (the rest counted)."""
    found, total = data.where(table, column, value, first=LIMIT)
    if total > LIMIT:
        omitted[kind] = omitted.get(kind, 0) + total - LIMIT
    return found


def of(data: Dataset, record: str) -> Timeline:
    """The timeline of the organisation or person ``record`` (an id, or a name :meth:`Dataset.resolve` accepts).

    Raises:
        UnknownId: ``record`` names no organisation or person.

    """
    record = data.resolve(record)
    names = data._names()  # noqa: SLF001 - one module's view of the other's names
    timeline = Timeline(record, names[record], until=data.latest())
    for row in _rows(data, "memberships", "coalition_id", record, timeline.omitted, "membership"):
        label = f"{names.get(row['member_id'], row['member_id'])} ({row['role']})"
        timeline.spans.append(_span("membership", label, row, "start", "end"))
    for row in _rows(data, "memberships", "member_id", record, timeline.omitted, "membership"):
        label = f"in {names.get(row['coalition_id'], row['coalition_id'])} ({row['role']})"
        timeline.spans.append(_span("membership", label, row, "start", "end"))
    for row in _rows(data, "designations", "subject_id", record, timeline.omitted, "designation"):
        label = names.get(row["authority_id"], row["authority_id"])
        timeline.spans.append(_span("designation", label, row, "listed", "delisted", note=str(row["list_name"])))
    for row in _rows(data, "positions", "actor_id", record, timeline.omitted, "position"):
        label = f"{row['role']}, {names.get(row['organisation_id'], row['organisation_id'])}"
        timeline.spans.append(_span("position", label, row, "start", "end"))
    for row in _rows(data, "positions", "organisation_id", record, timeline.omitted, "position"):
        label = f"{names.get(row['actor_id'], row['actor_id'])}: {row['role']}"
        timeline.spans.append(_span("position", label, row, "start", "end"))
    if "successions" in data:  # schema 1.1
        for column, other, verb in (
            ("predecessor_id", "successor_id", "successor:"),
            ("successor_id", "predecessor_id", "predecessor:"),
        ):
            for row in _rows(data, "successions", column, record, timeline.omitted, "succession"):
                label = f"{verb} {names.get(row[other], row[other])} ({row['kind']})"
                timeline.spans.append(Span("succession", label, _date(row, "date"), None, instant=True))
    for row in _rows(data, "coalition_events", "coalition_id", record, timeline.omitted, "event"):
        timeline.spans.append(
            Span(
                "event",
                str(row["title"]),
                _date(row, "date"),
                _date(row, "end_date"),
                instant=True,
                note=str(row["kind"]),
            )
        )
    return timeline


def _span(kind: str, label: str, row: Any, start: str, end: str, note: str = "") -> Span:
    return Span(kind, label, _date(row, start), _date(row, end), attested=_date(row, "attested"), note=note)


def _days(day: dt.date) -> int:
    return day.toordinal()


def _axis(spans: list[Span], until: dt.date | None) -> tuple[dt.date, dt.date]:
    """From 1 January of the earliest year any date may be in, to 1 January after the latest.

    The latest is ``until`` when a period is not ended (it runs on to there).
    """
    days = [
        day
        for span in spans
        for date in (span.start, span.end, span.attested)
        if date is not None
        for day in (date.first, date.last)
    ]
    if days and until and any(span.end is None and not span.instant for span in spans):
        days.append(until)
    if not days:
        return dt.date(2000, 1, 1), dt.date(2001, 1, 1)
    return dt.date(min(days).year, 1, 1), dt.date(max(days).year + 1, 1, 1)


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _draw(timeline: Timeline) -> str:
    from xml.sax.saxutils import escape  # noqa: PLC0415 - it imports urllib.request; only drawing needs it

    begin, finish = _axis(timeline.spans, timeline.until)
    left, right = LABELS, WIDTH - RIGHT
    scale = (right - left) / max(1, _days(finish) - _days(begin))

    def x(day: dt.date) -> str:
        return _number(left + (_days(day) - _days(begin)) * scale)

    groups = [kind for kind in HEADINGS if any(span.kind == kind for span in timeline.spans)]
    lines: list[str] = []
    y = TOP
    for kind in groups:
        lines.append(f'<text x="8" y="{y + 16}" style="{FONT};font-size:13px;font-weight:bold">{HEADINGS[kind]}</text>')
        y += ROW
        spans = sorted(
            (span for span in timeline.spans if span.kind == kind),
            key=_known_from,
        )
        for span in spans:
            middle = y + ROW // 2
            colour = COLOURS[kind]
            tip = escape(_tooltip(span))
            lines.append(f"<g><title>{tip}</title>")
            label = span.label if len(span.label) <= 44 else span.label[:43] + "…"
            lines.append(f'<text x="16" y="{middle + 4}" style="{FONT};font-size:12px">{escape(label)}</text>')
            top = middle - BAR // 2
            if span.instant:
                first = span.start.first if span.start else begin
                last = (span.end or span.start).last if span.start else begin
                width = max(2.0, (_days(last) - _days(first) + 1) * scale)
                lines.append(
                    f'<rect x="{x(first)}" y="{top}" width="{_number(width)}" height="{BAR}" fill="{colour}"'
                    f' fill-opacity="{0.9 if span.start and span.start.first == span.start.last else 0.45}"/>'
                )
            else:
                lines += _period(span, begin, finish, top, colour, x)
            lines.append("</g>")
            y += ROW
        if timeline.omitted.get(kind):
            more = f"… and {timeline.omitted[kind]} more (the earliest {LIMIT} are drawn)"
            lines.append(f'<text x="16" y="{y + ROW // 2 + 4}" style="{FONT};font-size:12px;fill:#555">{more}</text>')
            y += ROW
    height = y + 70
    axis = [f'<line x1="{left}" y1="{y + 4}" x2="{right}" y2="{y + 4}" stroke="#333"/>']
    years = list(range(begin.year, finish.year + 1))
    step = max(1, -(-len(years) // 11))  # at most 11 year labels
    for year in years[::step]:
        at = x(dt.date(year, 1, 1))
        axis.append(f'<line x1="{at}" y1="{TOP}" x2="{at}" y2="{y + 8}" stroke="#ddd"/>')
        axis.append(f'<text x="{at}" y="{y + 20}" text-anchor="middle" style="{FONT};font-size:11px">{year}</text>')
    legend = _legend(y + 36)
    title = escape(f"{timeline.name} ({timeline.id})")
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">',
        f"<title>{title}: timeline</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="8" y="24" style="{FONT};font-size:17px;font-weight:bold">{title}</text>',
        (
            f'<text x="8" y="42" style="{FONT};font-size:11px;fill:#555">'
            "Pale: the span a partial date may fall in. Dashed: start unknown. Arrow: not ended. "
            "Diamond: in force by (attested).</text>"
        ),
    ]
    if not groups:
        head.append(f'<text x="8" y="{TOP + 16}" style="{FONT};font-size:12px">No dated relations recorded.</text>')
    return "\n".join([*head, *axis, *lines, *legend, "</svg>"]) + "\n"


def _period(span: Span, begin: dt.date, finish: dt.date, top: int, colour: str, x: Any) -> list[str]:
    """A bar from start to end: pale where a partial date may fall, solid where the relation certainly held."""
    drawn: list[str] = []
    middle = top + BAR // 2
    start, end = span.start, span.end
    if start is not None:
        solid_from = start.last
        if start.first < start.last:
            drawn.append(_rect(x(start.first), x(start.last + dt.timedelta(days=1)), top, colour, 0.35))
    elif span.attested is not None:  # in force by the attested day; when it began is not known
        solid_from = span.attested.last
        drawn.append(
            f'<line x1="{x(begin)}" y1="{middle}" x2="{x(span.attested.first)}" y2="{middle}" stroke="{colour}"'
            ' stroke-width="2" stroke-dasharray="4 3"/>'
        )
        at = float(x(span.attested.first))
        drawn.append(
            f'<path d="M{_number(at)} {top - 2}l6 7l-6 7l-6-7z" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
        )
    else:  # since before: no start known
        solid_from = begin
        drawn.append(
            f'<line x1="{x(begin)}" y1="{middle}" x2="{x(begin + dt.timedelta(days=180))}" y2="{middle}"'
            f' stroke="{colour}" stroke-width="2" stroke-dasharray="4 3"/>'
        )
        solid_from = begin + dt.timedelta(days=180)
    if end is not None:
        solid_to = end.first
        if end.first < end.last:
            drawn.append(_rect(x(end.first), x(end.last + dt.timedelta(days=1)), top, colour, 0.35))
    else:
        solid_to = finish
        arrow = float(x(finish))
        drawn.append(f'<path d="M{_number(arrow)} {middle}l-7-6v12z" fill="{colour}"/>')
        solid_to = finish - dt.timedelta(days=1)
    if solid_from < solid_to:
        drawn.append(_rect(x(solid_from), x(solid_to), top, colour, 0.9))
    return drawn


def _rect(left: str, right: str, top: int, colour: str, opacity: float) -> str:
    width = _number(max(1.0, float(right) - float(left)))
    return f'<rect x="{left}" y="{top}" width="{width}" height="{BAR}" fill="{colour}" fill-opacity="{opacity}"/>'


def _tooltip(span: Span) -> str:
    start = span.start.text if span.start else "start unknown"
    if span.instant:
        when = start + (f" – {span.end.text}" if span.end else "")
    else:
        end = span.end.text if span.end else "not ended"
        when = f"{start} – {end}"
        if span.attested:
            when += f"; in force by {span.attested.text}"
    return f"{span.label}: {when}" + (f" ({span.note})" if span.note else "")


def _legend(y: int) -> list[str]:
    drawn = []
    at = 8
    for kind, colour in COLOURS.items():
        drawn.append(f'<rect x="{at}" y="{y}" width="14" height="{BAR}" fill="{colour}" fill-opacity="0.9"/>')
        drawn.append(f'<text x="{at + 18}" y="{y + 9}" style="{FONT};font-size:11px">{kind}</text>')
        at += 130
    return drawn


def write_coalitions(data: Dataset, folder: Path) -> list[Path]:
    """Write ``<folder>/<id>.svg``, the timeline of every coalition in ``data``, in id order; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for record in sorted(data.coalitions()):
        path = folder / f"{record}.svg"
        path.write_text(of(data, record).svg(), encoding="utf-8", newline="\n")
        written.append(path)
    return written
