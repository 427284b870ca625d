"""What a dataset folder holds, and the one way any command opens a file in it.

A folder holds more than tables. This module decides, once for every command, which
entries are table files (one list of table names and suffixes, suffixes compared
case-insensitively), which are litter to skip with a note (dot-files, ``Thumbs.db``,
editor backups), and which are filesystem oddities that get one problem saying what they
are: a broken link, a link out of the folder, a FIFO, socket or device, an unreadable
file, a folder named like a table.

A dataset folder is a boundary: a link that leads out of it is never followed, so no
byte of its target is read or echoed (a link to ``/etc/passwd`` named ``actors.csv``).
Links that stay inside the folder are followed. Only regular files are ever opened, and
they are opened without blocking, so a FIFO never makes a command wait.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dataset_tools.errors import UnreadableInput, UsageError
from dataset_tools.schema.models import TABLES
from dataset_tools.validation.problems import Problem

FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
"""Table file suffixes (compared in lower case) and the format each means, in the order they are preferred."""
DESCRIPTOR = "datapackage.json"
"""The dataset's own descriptor (name, schema version); not a table."""
LITTER = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini", "icon\r", "__macosx"})
"""Files operating systems leave in folders (lower case); dot-files and editor backups are litter too."""


def look(path: Path) -> bool:
    """Whether ``path`` exists (a broken link counts); raises :class:`UnreadableInput` when it cannot be looked at.

    A name too long for the file system (a component over 255 bytes), a permission denied
    on the way, a loop of links: one message naming the path, never a traceback.
    """
    try:
        path.lstat()
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        return False
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot be looked at ({error.strerror or error})") from None
    return True


def table_of(path: Path | str) -> str | None:
    """The table a file name stands for (``organisations.CSV`` → ``organisations``), or None."""
    name = Path(path).name
    stem, dot, suffix = name.rpartition(".")
    if not dot or f".{suffix.lower()}" not in FORMATS or stem not in TABLES:
        return None
    return stem


def format_of(path: Path | str) -> str:
    """``csv``, ``json`` or ``jsonl``, from the file's suffix (raises KeyError for another suffix)."""
    return FORMATS[Path(path).suffix.lower()]


def is_litter(name: str) -> bool:
    """True for files an editor or operating system leaves behind: ``.DS_Store``, ``x.csv~``, ``Thumbs.db``."""
    return name.startswith((".", "#")) or name.endswith("~") or name.lower() in LITTER


def table_names() -> str:
    """The table file names, for messages."""
    return ", ".join(f"{table}.csv" for table in TABLES)


def suffixes() -> str:
    """The table file suffixes, for messages (``.csv, .json, .jsonl, .ndjson``)."""
    return ", ".join(FORMATS)


def display(path: Path) -> str:
    """A path as problems name it: relative to the working directory when inside it."""
    try:
        return path.absolute().relative_to(Path.cwd().absolute()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class Listing:
    """The entries of a dataset folder, sorted out."""

    tables: dict[str, Path] = field(default_factory=dict)
    """The file read for each table found (the first, by name, when a table has several)."""
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Names of litter files skipped."""

    def note(self) -> str | None:
        """What was skipped as litter, in words; None when nothing was."""
        if not self.skipped:
            return None
        return f"skipped {len(self.skipped)} file(s) that are not data: {', '.join(self.skipped)}"


def oddity(path: Path, folder: Path) -> str | None:
    """What is wrong with ``path`` as a file to read from ``folder``, in words; None for a readable regular file.

    Looks with ``lstat`` and ``stat`` only: nothing is opened but a regular file, without
    blocking, and a link out of ``folder`` is never followed past its resolution.
    """
    try:
        wrong = _link(path, folder) if stat.S_ISLNK(path.lstat().st_mode) else None
        mode = path.stat().st_mode if wrong is None else 0
    except OSError as error:
        return f"cannot be looked at ({error.strerror or error})"
    if wrong is not None:
        return wrong
    if not stat.S_ISREG(mode):
        return next((words for test, words in _KINDS if test(mode)), "is not a regular file; it was not read")
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    except OSError as error:
        return f"cannot be read ({error.strerror or error}); check its permissions"
    return None


_KINDS = (
    (stat.S_ISDIR, "is a folder, not a table file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a file; it was not read"),
    (stat.S_ISSOCK, "is a socket, not a file; it was not read"),
    (stat.S_ISCHR, "is a device, not a file; it was not read"),
    (stat.S_ISBLK, "is a device, not a file; it was not read"),
)


def _link(path: Path, folder: Path) -> str | None:
    """What is wrong with a symbolic link: broken, or leading out of ``folder``; None when it stays inside."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "is a broken link (its target does not exist)"
    try:
        target.relative_to(folder.resolve())
    except ValueError:
        return "is a link to a file outside the dataset folder, which is never read"
    return None


def list_dataset(folder: Path, show: Callable[[Path], str] = display) -> Listing:
    """:func:`list_folder`, for a command given a dataset folder.

    Raises :class:`UsageError` when the folder holds no table file and no entry named like one
    (an empty folder, or the wrong one): a command has nothing to do there.
    """
    listing = list_folder(folder, show)
    if not listing.tables and not any(table_of(problem.file) for problem in listing.problems):
        raise UsageError(f"{folder}: not a dataset folder: it holds none of the table files ({table_names()})")
    return listing


def list_folder(folder: Path, show: Callable[[Path], str] = display) -> Listing:
    """Sort a dataset folder's entries into tables, litter and problems (``show`` names paths in problems).

    Raises :class:`UnreadableInput` when the folder itself cannot be listed.
    """
    listing = Listing()
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        raise UnreadableInput(f"{folder}: cannot list the folder ({error.strerror or error})") from None
    for path in entries:
        name = path.name
        if is_litter(name):
            listing.skipped.append(name)
            continue
        if len(os.fsencode(name)) > 255:
            listing.problems.append(
                Problem("unknown-file", show(path), None, "its name is over 255 bytes", hint="rename or remove it")
            )
            continue
        if name == DESCRIPTOR:  # read (and any oddity of it reported) by the descriptor's reader
            continue
        table, wrong = table_of(path), oddity(path, folder)
        if wrong is not None:
            hint = "replace it with the table's file" if table else "remove it from the dataset folder"
            if wrong.startswith("is a folder") and table:
                hint = f"make {name} a file of the table's records, and move the folder elsewhere"
            listing.problems.append(Problem("unknown-file", show(path), None, f"{name} {wrong}", hint=hint))
            continue
        if table is None:
            listing.problems.append(
                Problem(
                    "unknown-file",
                    show(path),
                    None,
                    f"{name} is not a table of the dataset",
                    hint=f"tables are {table_names()} (or {suffixes()}); move other files elsewhere",
                )
            )
        elif table in listing.tables:
            listing.problems.append(
                Problem(
                    "duplicate-table",
                    show(path),
                    None,
                    f"{table} already has a file, {listing.tables[table].name}; only that one was checked",
                    hint="keep one file per table",
                )
            )
        else:
            listing.tables[table] = path
    return listing


def check_file(path: Path) -> None:
    """Raise :class:`UnreadableInput` unless ``path`` is a regular file that may be read.

    A file named alone is bounded by its own folder: a link out of it is not followed.
    """
    wrong = oddity(path, path.parent)
    if wrong is not None:
        raise UnreadableInput(f"{path}: {wrong}")


def read_bytes(path: Path, *, limit: int | None = None) -> bytes:
    """The bytes of a regular file, opened without blocking; at most ``limit`` + 1 bytes when a limit is given.

    Raises :class:`UnreadableInput` for anything but a regular file, or a read that fails.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise UnreadableInput(f"{path}: not a regular file; it was not read")
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read() if limit is None else stream.read(limit + 1)
    except OSError as error:
        if isinstance(error, UnreadableInput):
            raise
        raise UnreadableInput(f"{path}: cannot be read ({error.strerror or error})") from None
    finally:
        os.close(handle)


def read_lines(path: Path, numbers: set[int]) -> dict[int, str]:
    """Lines ``numbers`` (1-based) of a regular file, without their line ends; {} if it cannot be read.

    Lines end at LF, CRLF or a lone CR (the one definition every line number uses); bad
    UTF-8 shows as U+FFFD. One pass, no further than the last line asked for.
    """
    found: dict[int, str] = {}
    last = max(numbers, default=0)
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return {}
    with os.fdopen(handle, "r", encoding="utf-8", errors="replace", newline="") as stream:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return {}
        for number, text in enumerate(stream, start=1):
            if number in numbers:
                found[number] = text.rstrip("\r\n")
            if number >= last:
                break
    return found
