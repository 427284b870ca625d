"""Records as a table file writes them, for the commands that write the file back (``fmt``, ``migrate``).

The validator reads a table into string columns and reports every oddity; a command that
rewrites the file needs the records themselves, exactly as written, and must refuse what
it could not write back unchanged. Both come from the one reader
(:func:`dataset_tools.reading.tables.parse`): the same encoding identification, the same
CSV dialect (its reference reader), the same line breaks (LF, CRLF, a lone CR) and so the
same line numbers, the same JSON walk, with numbers judged by
:mod:`dataset_tools.reading.strict_json`. What is refused here is reported by the
validator on the same line.

Refused (:attr:`Records.problems`): a file in another encoding or with bytes that are
not UTF-8, a NUL byte, a record that cannot be parsed (an unclosed quote, an undoubled
quote in a quoted cell, bad JSON), a ragged row, a JSON record that is not an object, a
key written twice, a JSON number that would be written back otherwise, a lone surrogate.
Not refused, as nothing is lost: blank rows, a UTF-8 byte order mark, an empty file. The
header against the schema is the caller's to judge (fmt: the current schema; migrate: the
schema it migrates from).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dataset_tools.errors import UnreadableInput
from dataset_tools.reading import files
from dataset_tools.reading.tables import TableFile, Written, parse, split_lines
from dataset_tools.validation.problems import Problem

__all__ = ["Records", "Written", "from_bytes", "read"]

NOTHING_LOST = frozenset({"blank-row", "byte-order-mark", "empty-file"})
"""What the reader reports that a rewrite loses nothing to: it drops blank rows and the mark, and writes a header."""
HEADER = frozenset({"blank-label", "duplicate-label", "extra-label", "missing-label"})
"""The reader's CSV header checks, against the current schema: the caller judges the header itself."""


@dataclass
class Records:
    """One table file's records as written, and what prevents writing them back unchanged."""

    file: str
    """The path as problems name it."""
    format: str
    raw: bytes
    """The bytes read: a rewrite refuses a file that no longer holds them."""
    header: list[str] = field(default_factory=list)
    """CSV: the header as written (empty when there is none); JSON: empty."""
    header_line: int = 1
    rows: list[Written] = field(default_factory=list)
    """Every record read (with problems, possibly not all of them)."""
    problems: list[Problem] = field(default_factory=list)


def read(path: Path, table: str, file: str, *, from_encoding: str | None = None) -> Records:
    """The records of table file ``path`` (named ``file`` in problems); see :func:`from_bytes` for ``from_encoding``.

    Raises :class:`UnreadableInput` (naming ``file``) for anything but a regular file, or a read that fails.
    """
    try:
        raw = files.read_bytes(path)
    except UnreadableInput as error:
        raise UnreadableInput(str(error).replace(str(path), file, 1)) from None
    return from_bytes(raw, table, file, files.format_of(path), from_encoding=from_encoding)


def from_bytes(raw: bytes, table: str, file: str, fmt: str, *, from_encoding: str | None = None) -> Records:
    """The records of a table file of ``table`` in format ``fmt`` (``csv``, ``json``, ``jsonl``) holding ``raw``.

    ``from_encoding`` names the codec the bytes are in (``cp1252``, ``utf-16`` …): unless they
    are valid UTF-8 already (then they are read as they are), they are decoded with it,
    strictly (a byte it cannot decode is a problem, never replaced), then read as their
    UTF-8 would be. Without it, bytes that are not UTF-8 are a problem naming
    the command that converts them.
    """
    found = Records(file, fmt, raw)
    utf8 = raw
    if from_encoding is not None and not _is_utf8(raw):  # UTF-8 already: decoding it again would garble it
        try:
            utf8 = raw.decode(from_encoding).encode("utf-8", "surrogatepass")
        except UnicodeDecodeError as error:
            message = f"this line cannot be decoded as {from_encoding}, so the file cannot be converted without loss"
            line = len(split_lines(raw[: error.start]))
            hint = (
                f"name the file's real encoding with --from-encoding, or fix the bytes on this line in {from_encoding}"
            )
            found.problems.append(Problem("encoding-error", file, line, message, hint=hint))
            return found
    result = TableFile(table=table, path=Path(file), file=file, format=fmt, written=[])
    parse(utf8, result, reference=True)
    found.header, found.header_line, found.rows = result.header, result.header_line, result.written or []
    found.problems = [
        problem
        for problem in result.problems
        if problem.code not in NOTHING_LOST and not (fmt == "csv" and problem.code in HEADER)
    ]
    return found


def _is_utf8(raw: bytes) -> bool:
    """True when ``raw`` decodes as UTF-8 (a byte order mark included)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
