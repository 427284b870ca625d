"""JSON numbers, for the commands that write a file back (``fmt``, ``migrate``).

Every field of a table is text, so the validator reports a JSON number as a type-error;
a command that writes the file back keeps it, but only if it writes it back exactly as
written. :func:`number` reads a number's text (the reader hands it over as written, see
:mod:`dataset_tools.reading.tables`) and refuses, with :class:`ValueError`:

- an integer of more than :data:`LONGEST_NUMBER` digits (:class:`NumberTooLongError`;
  Python refuses to convert more than 4,300, ``sys.get_int_max_str_digits``);
- ``NaN`` and ``Infinity``, which are not JSON (RFC 8259, section 6);
- a number :mod:`json` would write otherwise (``1.50`` as ``1.5``, ``1e5`` as ``100000.0``, ``-0`` as ``0``).

A key written twice in one object is the reader's to find (it remembers every key given).
"""

from __future__ import annotations

import json
import re

LONGEST_NUMBER = 4000
"""Digits of the longest JSON integer read (Python refuses to convert more than 4,300)."""
CONSTANTS = frozenset({"NaN", "Infinity", "-Infinity"})
"""What :mod:`json` reads as numbers but RFC 8259 does not allow."""

_INTEGER = re.compile(r"-?[0-9]+")


class NumberTooLongError(ValueError):
    """A JSON integer of more than :data:`LONGEST_NUMBER` digits; ``digits`` says how many."""

    def __init__(self, digits: int) -> None:
        super().__init__(f"a JSON number of {digits} digits; every field of a table is text")
        self.digits = digits


def number(text: str) -> int | float:
    """The value of the JSON number written ``text``; raises :class:`ValueError` unless it is written back the same.

    :class:`NumberTooLongError` for an integer of more than :data:`LONGEST_NUMBER` digits.
    """
    if text in CONSTANTS:
        msg = f"{text} is not a JSON value (RFC 8259); write a string, or leave the field out"
        raise ValueError(msg)
    if _INTEGER.fullmatch(text):
        digits = len(text.removeprefix("-"))
        if digits > LONGEST_NUMBER:
            raise NumberTooLongError(digits)
        value: int | float = int(text)
    else:
        value = float(text)
    again = json.dumps(value)
    if again != text:
        msg = f"the JSON number {text} would be written back as {again}; every field of a table is text"
        raise ValueError(msg)
    return value
