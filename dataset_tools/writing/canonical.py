r"""Canonical CSV text: UTF-8, LF line ends, RFC 4180 minimal quoting.

The stdlib writer does not quote a lone carriage return when the line terminator is
``\\n``, which a reader then takes for a line end; this writer quotes every field that
holds a comma, a quote, a CR or an LF, and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_SPECIAL = frozenset(',"\r\n')


def quote(value: str) -> str:
    """One field, quoted only if it must be."""
    if _SPECIAL.isdisjoint(value):
        return value
    return '"' + value.replace('"', '""') + '"'


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The whole file: the header, then one line per row, each ending in LF."""
    lines = [",".join(quote(cell) for cell in header)]
    lines.extend(",".join(quote(cell) for cell in row) for row in rows)
    return "\n".join(lines) + "\n"
