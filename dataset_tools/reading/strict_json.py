"""Decoding JSON without loss, for the commands that rewrite a file (``fmt``, ``migrate``).

The validator reads JSON through :mod:`dataset_tools.reading.tables`, which keeps every
oddity (a repeated key, a huge integer, NaN) to report it as a problem on its line; a
command that writes the file back must instead refuse what it could not write back
unchanged. These hooks make :mod:`json` refuse it:

- a key written twice in one object (:class:`RepeatedKeyError`; :mod:`json` keeps the last);
- an integer of more than :data:`LONGEST_NUMBER` digits (:class:`NumberTooLongError`; Python
  refuses to convert more than 4,300 digits, ``sys.get_int_max_str_digits``);
- ``NaN`` and ``Infinity``, which are not JSON (RFC 8259, section 6).
"""

from __future__ import annotations

from typing import Any

LONGEST_NUMBER = 4000
"""Digits of the longest JSON integer read (Python refuses to convert more than 4,300)."""


class NumberTooLongError(ValueError):
    """A JSON integer of more than :data:`LONGEST_NUMBER` digits; ``digits`` says how many."""

    def __init__(self, digits: int) -> None:
        super().__init__(f"a JSON number of {digits} digits")
        self.digits = digits


class RepeatedKeyError(ValueError):
    """A key written twice in one JSON object; ``key`` names it."""

    def __init__(self, key: str) -> None:
        super().__init__(f"key {key!r} appears twice in one object")
        self.key = key


def parse_int(digits: str) -> int:
    """``parse_int`` for :mod:`json`: :class:`NumberTooLongError` past :data:`LONGEST_NUMBER` digits."""
    if len(digits) > LONGEST_NUMBER:
        raise NumberTooLongError(len(digits))
    return int(digits)


def no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for :mod:`json`: :class:`RepeatedKeyError` for a key written twice."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise RepeatedKeyError(key)
        result[key] = value
    return result


def no_constant(name: str) -> Any:
    """``parse_constant`` for :mod:`json`: NaN and Infinity are not JSON (RFC 8259); raises ValueError."""
    msg = f"{name} is not a JSON value (RFC 8259); write a string, or leave the field out"
    raise ValueError(msg)


HOOKS: dict[str, Any] = {"object_pairs_hook": no_repeated_keys, "parse_int": parse_int, "parse_constant": no_constant}
"""Keyword arguments of :func:`json.loads` (or :class:`json.JSONDecoder`) that decode without loss."""
