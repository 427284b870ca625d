"""Validate a dataset folder (or one table file): every problem, in one run, never raising for bad data."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from dataset_tools.errors import UnreadableInput, UsageError
from dataset_tools.reading.tables import FORMATS, TableFile, read_table
from dataset_tools.schema import compat
from dataset_tools.schema.models import ADDED_IN, TABLES, columns
from dataset_tools.validation import checks, references, similar, successions
from dataset_tools.validation.problems import Problem, Severity

DESCRIPTOR = "datapackage.json"
"""The dataset's own descriptor (name, schema version); not a table."""

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
    similar.duplicate_names,
]
"""Checks of one file, in layer order (the reader has already checked the file itself)."""
REFERENCE_FILE_CHECKS: list[FileCheck] = [
    checks.reference_field_and_record_checks,
    similar.duplicate_names,
]
"""The same layers, with fields and records checked row by row through pydantic."""
TABLE_CHECKS: list[DatasetCheck] = [unique_ids, succession_cycles]
"""Checks over every table read, whether a whole folder or one file."""
DATASET_CHECKS: list[DatasetCheck] = [declared_schema, cross_table, succession_dates]
"""Checks of a whole dataset folder."""


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


def display(path: Path) -> str:
    """A path as problems name it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _discover(folder: Path) -> tuple[dict[str, Path], list[Problem]]:
    found: dict[str, Path] = {}
    problems = []
    for path in sorted(folder.iterdir()):
        table, suffix = path.stem, path.suffix.lower()
        if path.name == DESCRIPTOR:
            continue
        if not path.is_file() or table not in TABLES or suffix not in FORMATS:
            if path.is_dir() and table in TABLES and suffix in FORMATS:
                message = f"{path.name} is a folder, not a table file"
                hint = f"make {path.name} a file of the table's records, and move the folder elsewhere"
            else:
                names = ", ".join(f"{name}.csv" for name in TABLES)
                message = f"{path.name} is not a table of the dataset"
                hint = f"tables are {names} (or .json/.jsonl); move other files elsewhere"
            problems.append(Problem("unknown-file", display(path), None, message, hint=hint))
        elif table in found:
            problems.append(
                Problem(
                    "duplicate-table",
                    display(path),
                    None,
                    f"{table} already has a file, {found[table].name}; only that one was checked",
                    hint="keep one file per table",
                )
            )
        else:
            found[table] = path
    problems.extend(
        Problem(
            "missing-table",
            display(folder / f"{table}.csv"),
            None,
            f"the dataset has no {table} table",
            hint=f"add {table}.csv, even with only its header",
        )
        for table in TABLES
        if table not in found and table not in ADDED_IN  # a table a minor version added may be absent: no records
    )
    return found, problems


def _targets(root: Path) -> tuple[dict[str, Path], list[Problem]]:
    """The table files to read under ``root`` (a folder or one file), and problems found on the way."""
    if not root.exists():
        raise UnreadableInput(f"{root}: no such file or folder")
    if root.is_dir():
        found, problems = _discover(root)
        if not found:
            names = ", ".join(f"{table}.csv" for table in TABLES)
            raise UsageError(f"{root}: not a dataset folder: it holds none of the table files ({names})")
        return found, problems
    if root.stem in TABLES and root.suffix.lower() in FORMATS:
        return {root.stem: root}, []
    names = ", ".join(TABLES)
    raise UsageError(f"{root}: not a dataset folder or a table file (tables: {names}; .csv, .json, .jsonl)")


HANDOVER = 0.0002
"""Seconds a thread may keep the GIL while another waits for it, during validation (Python's default: 0.005)."""


@contextmanager
def quick_handover() -> Iterator[None]:
    """Hand the GIL over sooner while threads that mostly run NumPy and pyarrow share it with Python-heavy ones.

    Each NumPy or pyarrow call needs the GIL back for a moment; with another thread busy
    in Python (building problems, comparing names), the default switch interval makes it
    wait up to 5 ms per call. Measured here on a block-by-block NumPy scan of a 188 MB
    file (a quote scan since dropped): 0.29 s alone, 21.9 s beside a busy Python thread,
    and 0.98 s with this interval. The readers and checks still loop over blocks and
    chunks that way.
    """
    with _handover_lock:
        if not _handover_users:
            _handover_before.append(sys.getswitchinterval())
            sys.setswitchinterval(HANDOVER)
        _handover_users.append(None)
    try:
        yield
    finally:
        with _handover_lock:
            _handover_users.pop()
            if not _handover_users:  # the last validation running gives the interval back
                sys.setswitchinterval(_handover_before.pop())


_handover_lock = threading.Lock()
_handover_users: list[None] = []
"""One entry per validation running now (they may run on several threads at once)."""
_handover_before: list[float] = []
"""The interval to give back when the last of them ends."""


def read_tables(
    paths: dict[str, Path], *, reference: bool = False, then: Callable[[TableFile], object] | None = None
) -> dict[str, TableFile]:
    """Read each table's file, in parallel (pyarrow releases the GIL), biggest first; schema order out.

    ``then`` runs on each file as soon as it is read, on the same thread, so that checking
    a small file overlaps reading a big one.
    """

    def read(table: str) -> TableFile:
        try:
            tf = read_table(paths[table], table, display(paths[table]), reference=reference)
        except OSError as error:
            raise UnreadableInput(f"{paths[table]}: {error.strerror or error}") from error
        if then is not None:
            then(tf)
        return tf

    tables = sorted((table for table in TABLES if table in paths), key=lambda t: -paths[t].stat().st_size)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        reading = pool.map(read, tables)
        # meanwhile, on this thread, the Python work every check needs once: the column facts, and
        # pyarrow's look for pandas on its first array (importing it takes 0.15 s, unless the
        # command line has told pyarrow there is none), here rather than on a reader's thread
        for table in tables:
            columns(TABLES[table])
        pa.scalar(0)
        read_files = dict(zip(tables, reading, strict=True))
    return {table: read_files[table] for table in TABLES if table in read_files}


def read_dataset(folder: str | os.PathLike[str]) -> dict[str, TableFile]:
    """Read every table file of a dataset folder (columnar; problems are kept on each file)."""
    paths, _ = _targets(Path(folder))
    return read_tables(paths)


def validate(
    path: str | os.PathLike[str], *, reference: bool = False, max_errors: int | None = None, strict: bool = False
) -> Report:
    """Validate a dataset folder, or a single table file (without the cross-table checks).

    ``reference=True`` checks fields and records row by row through the pydantic models
    instead of column by column; both find the same problems. ``strict=True`` makes
    warnings fail validation too. Raises
    :class:`UnreadableInput` only when the path itself cannot be read.
    """
    root = Path(path)
    if max_errors is not None and max_errors < 1:
        raise UsageError("max_errors must be at least 1")
    paths, problems = _targets(root)
    file_checks = REFERENCE_FILE_CHECKS if reference else FILE_CHECKS
    found: dict[str, list[Problem]] = {}

    def check_file(tf: TableFile) -> None:
        found[tf.table] = [*tf.problems, *(problem for check in file_checks for problem in check(tf))]

    with quick_handover():
        files = read_tables(paths, reference=reference, then=check_file)
    for table in files:
        problems.extend(found[table])
    later = [*TABLE_CHECKS, *(DATASET_CHECKS if root.is_dir() else [])]
    with quick_handover(), ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # mostly GIL-free work
        for later_problems in pool.map(lambda check: list(check(root, files)), later):
            problems.extend(later_problems)
    problems.sort(key=Problem.sort_key)
    errors = sum(problem.severity is Severity.ERROR for problem in problems)
    shown = problems[:max_errors] if max_errors is not None else problems
    notes = []
    if not root.is_dir():
        notes.append("references to other tables and ids across tables were not checked: validate the folder for that")
    else:
        notes += [
            f"references to {table} were not checked: its file is missing or could not be read whole"
            for table in references.unchecked_targets(files)
        ]
    return Report(
        problems=shown,
        files=[tf.file for tf in files.values()],
        rows=sum(tf.data.num_rows for tf in files.values()),
        errors=errors,
        warnings=len(problems) - errors,
        omitted=len(problems) - len(shown),
        strict=strict,
        notes=notes,
    )
