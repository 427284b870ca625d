"""Validate a dataset folder (or one table file): every problem, in one run, never raising for bad data."""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from dataset_tools.errors import UnreadableInput, UsageError
from dataset_tools.reading import files
from dataset_tools.reading.files import DESCRIPTOR, display, format_of
from dataset_tools.reading.tables import TableFile, read_table
from dataset_tools.schema import compat
from dataset_tools.schema.models import ADDED_IN, TABLES, columns
from dataset_tools.validation import checks, deceptive, future, references, similar, successions
from dataset_tools.validation.problems import Problem, Severity, cap
from dataset_tools.writing import transaction

__all__ = ["DESCRIPTOR", "Report", "display", "read_dataset", "read_tables", "validate"]

FileCheck = Callable[[TableFile], Iterator[Problem]]
DatasetCheck = Callable[[Path, dict[str, TableFile]], Iterable[Problem]]


def declared_schema(folder: Path, _files: dict[str, TableFile]) -> list[Problem]:
    """The dataset declares a schema version this package can check (datasets/datapackage.json)."""
    return compat.check_declared(folder, display(folder / DESCRIPTOR))


def unique_ids(_root: Path, files: dict[str, TableFile]) -> Iterator[Problem]:
    """Ids unique in their table, and across all tables read."""
    return references.id_checks(files)


def cross_table(_folder: Path, files: dict[str, TableFile]) -> Iterator[Problem]:
    """Every reference resolves, to the right kind of record."""
    return references.cross_checks(files)


def succession_cycles(_root: Path, files: dict[str, TableFile]) -> Iterator[Problem]:
    """No organisation is its own predecessor through renamed and merged-into successions (schema 1.1)."""
    return successions.cycle_checks(files)


def succession_dates(_folder: Path, files: dict[str, TableFile]) -> Iterator[Problem]:
    """No succession is dated before its predecessor was founded (schema 1.1)."""
    return successions.founding_checks(files)


FILE_CHECKS: list[FileCheck] = [
    checks.field_checks,
    checks.record_checks,
    deceptive.text_checks,
    future.future_dates,
    similar.duplicate_names,
]
"""Checks of one file, in layer order (the reader has already checked the file itself)."""
REFERENCE_FILE_CHECKS: list[FileCheck] = [
    checks.reference_field_and_record_checks,
    deceptive.text_checks,
    future.future_dates,
    similar.duplicate_names,
]
"""The same layers, with fields and records checked row by row through pydantic."""
TABLE_CHECKS: list[DatasetCheck] = [unique_ids, succession_cycles]
"""Checks over every table read, whether a whole folder or one file."""
DATASET_CHECKS: list[DatasetCheck] = [cross_table, declared_schema, succession_dates]
"""Checks of a whole dataset folder (the longest first: they are started in this order, after the reading)."""


@dataclass
class Report:
    """What validation found."""

    problems: list[Problem]
    """The problems shown: all of them, or the first ``max_errors``."""
    files: list[str] = field(default_factory=list)
    rows: int = 0
    errors: int = 0
    """Errors found, shown or not."""
    warnings: int = 0
    """Warnings found, shown or not."""
    omitted: int = 0
    """Problems left out by ``max_errors``."""
    strict: bool = False
    """Whether warnings fail validation too."""
    notes: list[str] = field(default_factory=list)
    """What was not checked, and why (e.g. references, when one file is validated alone)."""

    @property
    def valid(self) -> bool:
        """True when there is no error (and, when strict, no warning)."""
        return self.errors == 0 and not (self.strict and self.warnings)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the report."""
        return {
            "valid": self.valid,
            "strict": self.strict,
            "errors": self.errors,
            "warnings": self.warnings,
            "omitted": self.omitted,
            "files": self.files,
            "rows": self.rows,
            "notes": self.notes,
            "problems": [problem.to_dict() for problem in self.problems],
        }


def _targets(root: Path) -> tuple[dict[str, Path], list[Problem], list[str]]:
    """The table files to read under ``root`` (a folder or one file), problems found on the way, and notes."""
    if not files.look(root):
        raise UnreadableInput(f"{root}: no such file or folder")
    if root.is_dir():
        listing = files.list_dataset(root, display)
        named = {files.table_of(problem.file) for problem in listing.problems}
        missing = [
            Problem(
                "missing-table",
                display(root / f"{table}.csv"),
                None,
                f"the dataset has no {table} table",
                hint=f"add {table}.csv, even with only its header",
            )
            for table in TABLES
            if table not in listing.tables
            and table not in named  # an oddity named like it: one problem
            and table not in ADDED_IN  # a table a minor version added may be absent: no records
        ]
        notes = []
        if (note := listing.note()) is not None:
            notes.append(note)
        return listing.tables, [*listing.problems, *missing], notes
    table = files.table_of(root)
    if table is not None:
        files.check_file(root)
        return {table: root}, [], []
    names = ", ".join(TABLES)
    raise UsageError(f"{root}: not a dataset folder or a table file (tables: {names}; {files.suffixes()})")


Jobs = Callable[[TableFile], Iterable[Callable[[], object]]]
"""What to do with a file once it is read: the jobs ``then(tf)`` gives, each run as a task of its own."""


def read_tables(paths: dict[str, Path], *, reference: bool = False, then: Jobs | None = None) -> dict[str, TableFile]:
    """Read each table's file, in parallel (pyarrow releases the GIL); schema order out.

    Each job ``then`` gives for a file once it is read runs on the pool, so that checking a
    small file overlaps reading a big one.
    """
    with _pool() as pool:
        reading = _read_then(pool, paths, reference=reference, then=then)
        tables = reading.result()
        for task in reading.tasks:  # what ``then`` raised, raised here
            task.result()
    return tables


@contextmanager
def _pool() -> Iterator[ThreadPoolExecutor]:
    """A thread pool, one thread per core; left by an exception (an interrupt), it cancels what has not started.

    It then does not wait for the tasks still running either: Ctrl-C ends a command at once,
    not after every check queued behind it.
    """
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _size(path: Path) -> int:
    """Bytes of the file at ``path``; 0 when it is gone since the folder was listed (its reader then says so)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


class _Reading:
    """The tables being read on a pool: :meth:`result` waits for every file to be read, not for ``then``."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        self.tasks: list[Future[Any]] = []
        """Each file's reading, and each job ``then`` gives for it (added before the file is put in :attr:`read`)."""
        self.read: queue.Queue[TableFile | BaseException] = queue.Queue()
        """Each file as it is read (or what its reader raised unexpectedly)."""

    def result(self) -> dict[str, TableFile]:
        """Every table read, in schema order, once all are; re-raises a reader's unexpected error."""
        read: dict[str, TableFile] = {}
        for _ in self.tables:
            tf = self.read.get()
            if isinstance(tf, BaseException):
                raise tf
            read[tf.table] = tf
        return {table: read[table] for table in TABLES if table in read}


def _read_then(
    pool: ThreadPoolExecutor,
    paths: dict[str, Path],
    *,
    reference: bool = False,
    then: Jobs | None = None,
) -> _Reading:
    """Start reading each table's file on ``pool``, and each job of ``then`` on it once read, as a task of its own.

    The checks over all tables need every file read, so no file's own check (the duplicate-name
    check of a big organisations file takes seconds) holds up a read: each is queued behind
    the reads. A file's checks are jobs of their own, so that two of them (the duplicate names
    and the text checks of a big organisations file) run side by side. Files are read biggest
    first: reading first the named tables, for their long check, made the events shape (a big
    coalition_events, 5,000 organisations) slower, its big reads waiting behind both name checks.
    """

    def read(table: str) -> None:
        try:
            tf = _read_or_say_why(paths[table], table, reference=reference)
            if then is not None:  # queued behind the reads not yet started: every read ends as early as it can
                reading.tasks.extend(pool.submit(job) for job in then(tf))
        except BaseException as error:  # not the user's: a bug, raised to the caller (who would wait forever)
            reading.read.put(error)
            raise
        reading.read.put(tf)

    tables = sorted((table for table in TABLES if table in paths), key=lambda t: -_size(paths[t]))
    reading = _Reading(tables)
    for table in tables:  # into the one list, which readers add their files' checks to meanwhile
        reading.tasks.append(pool.submit(read, table))
    # meanwhile, on this thread, the Python work every check needs once: the column facts, and
    # pyarrow's import of pandas on its first array, here rather than on a reader's thread
    for table in tables:
        columns(TABLES[table])
    pa.scalar(0)
    return reading


def _run(check: FileCheck, tf: TableFile, into: list[Problem]) -> None:
    """Put the problems ``check`` finds in ``tf`` into ``into``."""
    into.extend(check(tf))


def _read_or_say_why(path: Path, table: str, *, reference: bool) -> TableFile:
    """The table file at ``path``; one that is gone or changed since the folder was listed holds that problem."""
    try:
        return read_table(path, table, display(path), reference=reference)
    except OSError as error:
        tf = TableFile(table=table, path=path, file=display(path), format=format_of(path))
        tf.problem("unknown-file", None, f"{path.name} {_why(error)}", hint="check the file, then run again")
        tf.incomplete = True
        return tf


def _why(error: OSError) -> str:
    if isinstance(error, UnreadableInput):
        return str(error).rpartition(": ")[2]
    return f"cannot be read ({error.strerror or error})"


def read_dataset(folder: str | os.PathLike[str]) -> dict[str, TableFile]:
    """Read every table file of a dataset folder (columnar; problems are kept on each file)."""
    paths, _, _ = _targets(Path(folder))
    return read_tables(paths)


def validate(path: str | os.PathLike[str], *, max_errors: int | None = None, strict: bool = False) -> Report:
    """Validate a dataset folder, or a single table file (without the cross-table checks).

    ``strict=True`` makes warnings fail validation too. Raises
    :class:`UnreadableInput` only when the path itself cannot be read.
    """
    return _validate(Path(path), max_errors=max_errors, strict=strict)


def _validate(
    path: str | os.PathLike[str], *, reference: bool = False, max_errors: int | None = None, strict: bool = False
) -> Report:
    """:func:`validate`; ``reference=True`` checks fields and records row by row through the pydantic models.

    The reference path is the tests' oracle: both find the same problems.
    """
    root = Path(path)
    if max_errors is not None and max_errors < 1:
        raise UsageError("max_errors must be at least 1")
    paths, problems, notes = _targets(root)  # raises UnreadableInput for a path that cannot be read
    if root.is_dir():
        transaction.refuse_pending(root, then="validate")
    found: dict[str, list[list[Problem]]] = {}  # each file's problems: the reader's, then each check's, in order

    def check_file(tf: TableFile) -> list[Callable[[], None]]:
        # a model with a rule the column checks cannot state is checked row by row, through the model itself
        file_checks = REFERENCE_FILE_CHECKS if reference or checks.needs_model(TABLES[tf.table]) else FILE_CHECKS
        found[tf.table] = [list(tf.problems), *([] for _ in file_checks)]
        return [partial(_run, check, tf, into) for check, into in zip(file_checks, found[tf.table][1:], strict=True)]

    later = [*(DATASET_CHECKS if root.is_dir() else []), *TABLE_CHECKS]
    with _pool() as pool:  # mostly GIL-free work
        reading = _read_then(pool, paths, reference=reference, then=check_file)
        # the checks over all tables start once every file is read, beside the files' own checks still running
        # (the duplicate-name check of a big organisations file outlasts all the reading)
        tables = reading.result()
        checked = [pool.submit(lambda check: list(check(root, tables)), check) for check in later]
        for task in reading.tasks:
            task.result()
        for table in tables:
            problems.extend(problem for each in found[table] for problem in each)
        for future in checked:
            problems.extend(future.result())
    problems.sort(key=Problem.sort_key)
    problems = list(dict.fromkeys(problems))  # one problem found twice (``a;;;b``: three empty items) is said once
    errors = sum(problem.severity is Severity.ERROR for problem in problems)
    shown = cap(problems, max_errors)  # errors before warnings
    if not root.is_dir():
        notes.append("references to other tables and ids across tables were not checked: validate the folder for that")
    else:
        notes += [
            f"references to {table} were not checked: its file is missing or could not be read whole"
            for table in references.unchecked_targets(tables)
        ]
    return Report(
        problems=shown,
        files=[tf.file for tf in tables.values()],
        rows=sum(tf.data.num_rows for tf in tables.values()),
        errors=errors,
        warnings=len(problems) - errors,
        omitted=len(problems) - len(shown),
        strict=strict,
        notes=notes,
    )
