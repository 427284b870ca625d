"""Tell what a table file's bytes are before parsing them: UTF-8, or what else it looks like.

A file saved as UTF-16 ("Unicode text" in Excel), UTF-32, Windows-1252 or as a binary
workbook parses as garbage: every header cell unknown, every row ragged, a NUL byte on
every line. Recognised first, such a file gets one problem on line 1 that names what it
looks like and the command that converts it, and nothing is made up from its bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SAMPLE = 64 * 1024
"""Bytes looked at to recognise a file's encoding."""

BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte order mark (U+FEFF written in UTF-8)."""

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32 (little-endian, with a byte order mark)"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32 (big-endian, with a byte order mark)"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 (little-endian, with a byte order mark)"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 (big-endian, with a byte order mark)"),
)
_MAGIC = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx or OpenDocument workbook?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (an Excel .xls workbook?)"),
    (b"%PDF", "a PDF document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "a gzip archive"),
)


_UTF8_CHARACTER = re.compile("[^\x00-\x7f\ufffd]")


@dataclass(frozen=True)
class Foreign:
    """A file that is not UTF-8 text: what it looks like, and how to convert it."""

    looks_like: str
    encoding: str | None
    """The codec that decodes it losslessly (``fmt --from-encoding``), or None for binary content."""

    def message(self) -> str:
        """The problem's message."""
        return f"the file is not UTF-8 text: it looks like {self.looks_like}, so it was not read"

    def hint(self, file: str) -> str:
        """What to do, naming the command that converts the file."""
        if self.encoding is None:
            return "export the table as CSV (UTF-8) and replace this file with it"
        return f"convert it to UTF-8 with `dataset-tools fmt --from-encoding {self.encoding} {file}`"


def _text_without_bom(raw: bytes, encoding: str, width: int) -> Foreign | None:
    """UTF-16 or UTF-32 without a byte order mark: ASCII text with the NUL bytes of its wide characters."""
    sample = raw[: SAMPLE - SAMPLE % width]
    if len(sample) < 2 * width or len(sample) % width:
        return None
    columns = [sample[i::width] for i in range(width)]
    zeros = [column.count(0) / len(column) for column in columns]
    order = "little" if encoding.endswith("le") else "big"
    text = 0 if order == "little" else width - 1
    if zeros[text] < 0.05 and all(share > 0.9 for i, share in enumerate(zeros) if i != text):
        return Foreign(f"{encoding.upper()[:6]} ({order}-endian, without a byte order mark)", encoding)
    return None


def identify(raw: bytes) -> Foreign | None:
    """What ``raw`` looks like when it is not UTF-8 text (a UTF-8 BOM is UTF-8); None for UTF-8 or mostly UTF-8.

    Rules, in order: a UTF-16/32 byte order mark; the magic bytes of a binary format;
    UTF-16/32 without a mark (every second or fourth byte NUL); binary content (NUL bytes
    or control characters in much of the sample); text that is not valid UTF-8 and holds
    no multi-byte UTF-8 character at all: Windows-1252 (Latin-1). A file with valid
    UTF-8 characters and a few bad bytes is mostly UTF-8: its bad lines are reported one
    by one.
    """
    head = bytes(raw[:SAMPLE])
    signed = _signature(head)
    if signed is not None:
        return signed
    if b"\x00" in head:
        for encoding, width in (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2)):
            found = _text_without_bom(head, encoding, width)
            if found is not None:
                return found
    controls = sum(head.count(bytes([byte])) for byte in range(32) if byte not in (9, 10, 13))
    if head and controls / len(head) > 0.1:
        return Foreign("binary data, not text", None)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3 and error.reason == "unexpected end of data":
            return None  # the sample cut a character in two
        return single_byte(raw)
    return None


def _signature(head: bytes) -> Foreign | None:
    """A UTF-16 or UTF-32 byte order mark, or the magic bytes of a binary format."""
    for bom, encoding, looks_like in _BOMS:
        if head.startswith(bom):
            return Foreign(looks_like, encoding.rpartition("-")[0])  # the codec reads the mark, and drops it
    for magic, looks_like in _MAGIC:
        if head.startswith(magic):
            return Foreign(looks_like, None)
    return None


def single_byte(raw: bytes) -> Foreign | None:
    """Windows-1252 or Latin-1 text: not valid UTF-8, and not one multi-byte UTF-8 character in it; else None."""
    text = bytes(raw).decode("utf-8", errors="replace")
    if _UTF8_CHARACTER.search(text):
        return None  # real UTF-8 characters beside the bad bytes: mostly UTF-8
    try:
        bytes(raw).decode("cp1252")
    except UnicodeDecodeError:
        return Foreign("Latin-1 (ISO 8859-1) text", "latin-1")
    return Foreign("Windows-1252 (Latin-1) text, as Excel saves CSV on Windows", "cp1252")
