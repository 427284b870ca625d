"""Records as written, for the commands that rewrite files (``fmt``, ``migrate``): strict, never lossy.

Where the validator's reader (:mod:`dataset_tools.reading.tables`) reports every problem and
reads on, these readers stop at what would make a rewrite lose data: a CSV record whose
quoting is not RFC 4180 (the validator calls the same record a ``parse-error``), a JSON key
given twice. Each yields (first physical line, record); line breaks inside quoted cells count
as the validator counts them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from dataset_tools.validation.problems import Problem


def csv_records(text: str, file: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) of every record, header included; stops at a parse error."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(
                Problem(
                    "parse-error",
                    file,
                    line,
                    f"the CSV cannot be parsed from this line on: {error}",
                    hint="look for a quote that is not closed, or a quote in the middle of an unquoted cell",
                )
            )
            return
        yield line, row
        line = reader.line_num + 1


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    """``parse_constant`` for :mod:`json`: NaN and Infinity are not JSON (RFC 8259), and would be written back."""
    raise _ConstantError(name)


class _ConstantError(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not a JSON value (RFC 8259); write a string, or leave the field out")


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def json_objects(text: str, file: str, problems: list[Problem]) -> list[tuple[int, Any]]:
    """(line, value) of every element of the top-level array."""
    decoder = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    stripped = text.lstrip(" \t\r\n")
    pos = len(text) - len(stripped)
    if not stripped.startswith("["):
        line = text.count("\n", 0, pos) + 1
        problems.append(Problem("parse-error", file, line, "a JSON table must be an array of objects"))
        return []
    pos += 1
    found: list[tuple[int, Any]] = []
    expect_value = True
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        line = text.count("\n", 0, pos) + 1
        if pos < len(text) and text[pos] == "]" and (not found or not expect_value):
            pos += 1
            break
        if pos < len(text) and text[pos] == "," and not expect_value:
            pos += 1
            expect_value = True
            continue
        if not expect_value:
            problems.append(Problem("parse-error", file, line, "invalid JSON: expected ',' or ']'"))
            return found
        try:
            value, pos = decoder.raw_decode(text, pos)
        except _DuplicateKeyError as error:
            problems.append(
                Problem(
                    "duplicate-label",
                    file,
                    line,
                    f"key {error.key!r} appears twice in this object; formatting would keep only one",
                    field=error.key,
                    hint="keep one of them",
                )
            )
            return found
        except (ValueError, RecursionError) as error:  # bad JSON; an integer of thousands of digits; too deep
            problems.append(_unreadable(file, line, error, first=1))  # the decoder counts the whole text's lines
            return found
        found.append((line, value))
        expect_value = False
    if text[pos:].strip(" \t\r\n"):
        line = text.count("\n", 0, pos) + 1
        problems.append(Problem("parse-error", file, line, "invalid JSON: text after the closing ]"))
    return found


def json_lines(text: str, file: str, problems: list[Problem]) -> list[tuple[int, Any]]:
    """(line, value) of every non-blank line of a JSON Lines file."""
    found: list[tuple[int, Any]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            found.append((number, json.loads(line, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)))
        except _DuplicateKeyError as error:
            problems.append(
                Problem(
                    "duplicate-label", file, number, f"key {error.key!r} appears twice in this object", field=error.key
                )
            )
        except (ValueError, RecursionError) as error:  # bad JSON; an integer of thousands of digits; too deep
            problems.append(_unreadable(file, number, error, first=number))
    return found


def _unreadable(file: str, line: int, error: Exception, *, first: int) -> Problem:
    """The parse-error for JSON that cannot be read at ``line``: bad syntax, too deep, or a huge integer.

    A syntax error is placed on its own line, counted from ``first``, the line the decoded text starts on.
    """
    if isinstance(error, json.JSONDecodeError):
        return Problem("parse-error", file, first + error.lineno - 1, f"invalid JSON: {error.msg}")
    why = "it is nested too deeply" if isinstance(error, RecursionError) else str(error)
    return Problem("parse-error", file, line, f"the JSON cannot be read here: {why}")
