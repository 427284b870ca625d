"""The one reader of ``datapackage.json``: a dataset's descriptor or a release's.

Every command reads it here, so a descriptor saved with a byte order mark, one that is
not JSON, not an object, nested too deeply, a link out of its folder, a FIFO or
``/dev/zero`` is treated alike by validate (a problem), and by diff, release and
``load()`` (an :class:`UnreadableInput` naming the file and what to do). It is read in
full only up to :data:`LIMIT` bytes, never from anything but a regular file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataset_tools.errors import UnreadableInput
from dataset_tools.reading import files
from dataset_tools.reading.encodings import BOM
from dataset_tools.validation.problems import Problem

LIMIT = 16 * 1024 * 1024
"""The largest descriptor read, in bytes (a release's, with every table's schema, is about 100 KiB)."""


@dataclass
class Descriptor:
    """A descriptor as read: its object (None when unreadable), its text, and what is wrong with it."""

    data: dict[str, Any] | None
    text: str = ""
    problems: list[Problem] = field(default_factory=list)


def parse(raw: bytes, file: str, code: str = "schema-version-error") -> Descriptor:
    """Read a descriptor's bytes; problems (``code`` for an unreadable one) name ``file``."""
    result = Descriptor(None)

    def problem(message: str, line: int | None = None, hint: str = "fix the JSON syntax") -> Descriptor:
        result.problems.append(Problem(code, file, line, message, hint=hint))
        return result

    if len(raw) > LIMIT:
        return problem(f"the descriptor is over {LIMIT // (1024 * 1024)} MiB, so it was not read", hint="shorten it")
    if raw.startswith(BOM):
        result.problems.append(
            Problem(
                "byte-order-mark",
                file,
                1,
                "the file starts with a UTF-8 byte order mark",
                hint="save it as UTF-8 without BOM",
            )
        )
        raw = raw[len(BOM) :]
    try:
        result.text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return problem("the descriptor is not valid UTF-8", line, hint="save it as UTF-8")
    try:
        data = json.loads(result.text)
    except json.JSONDecodeError as error:
        return problem(f"the descriptor is not valid JSON: {error.msg}", error.lineno)
    except RecursionError:
        return problem("the descriptor is nested too deeply to read")
    except ValueError as error:  # e.g. an integer longer than Python converts
        return problem(f"the descriptor cannot be read: {error}")
    if not isinstance(data, dict):
        return problem(f"the descriptor must be a JSON object, not {type(data).__name__}", 1, hint="write {...}")
    result.data = data
    return result


def read(path: Path, file: str) -> Descriptor:
    """The descriptor at ``path`` (a file inside its folder); problems name ``file``."""
    hint = f"make {path.name} a readable JSON file in the dataset folder, or remove it"
    wrong = files.oddity(path, path.parent)
    if wrong is not None:
        return Descriptor(
            None, problems=[Problem("schema-version-error", file, None, f"{path.name} {wrong}", hint=hint)]
        )
    try:
        raw = files.read_bytes(path, limit=LIMIT)
    except UnreadableInput as error:
        return Descriptor(None, problems=[Problem("schema-version-error", file, None, str(error), hint=hint)])
    return parse(raw, file)


def load(path: Path, raw: bytes | None = None) -> dict[str, Any]:
    """The descriptor's object (from ``raw`` when given, else from ``path``).

    Raises :class:`UnreadableInput` naming the file and what is wrong when it cannot be used.
    """
    found = parse(raw, path.as_posix()) if raw is not None else read(path, path.as_posix())
    if found.data is None:
        first = next(problem for problem in found.problems if problem.code != "byte-order-mark")
        where = f"{first.file} line {first.line}" if first.line else first.file
        raise UnreadableInput(f"{where}: {first.message.removeprefix(path.as_posix() + ': ')}; fix or remove it")
    return found.data
