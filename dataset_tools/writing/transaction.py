"""Write several files of one folder as one unit: all of them, or none.

:func:`write_all` writes every new file beside its original first (named
``.<name>.dataset-tools-new``, fsynced), checks that no original changed meanwhile, then
writes a journal (:data:`JOURNAL`, atomically: the commit point) and renames each new
file over its original, then removes the journal. A process killed before the journal
exists leaves only new files beside the originals, which :func:`recover` removes (roll
back); one killed after leaves the journal, from which :func:`recover` finishes the
renames (complete). Either way no reader is left with files from two states.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dataset_tools.errors import UnreadableInput
from dataset_tools.reading.files import read_bytes
from dataset_tools.writing.atomic import atomic_write_bytes, refuse_changed, stage

JOURNAL = ".dataset-tools-journal.json"
"""The journal of a unit of writes under way, in the folder written to."""
NEW = ".dataset-tools-new"
"""The suffix of a new file waiting beside its original: ``.<name>`` + this."""

__all__ = ["JOURNAL", "pending", "read_bytes", "recover", "refuse_pending", "write_all"]


def _new_path(folder: Path, name: str) -> Path:
    """Where the new file of ``name`` (a path relative to ``folder``) waits: beside it."""
    path = folder / name
    return path.parent / f".{path.name}{NEW}"


def _relative(folder: Path, path: Path) -> str:
    """``path`` (a link followed, so that a link stays a link) relative to ``folder``; ValueError if outside."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path.resolve()
    return target.relative_to(folder.resolve()).as_posix()


def write_all(folder: Path, writes: dict[Path, bytes], *, expected: dict[Path, bytes]) -> None:
    """Replace each file of ``folder`` in ``writes`` with its bytes, all as one unit.

    ``expected`` holds the bytes each file (of those read) had when read: a file that no
    longer holds them is refused before anything is replaced. Raises
    :class:`UnreadableInput` when a file changed or a new file cannot be written (nothing
    is replaced then, and no new file is left behind).
    """
    try:
        names = [_relative(folder, path) for path in writes]
    except ValueError:
        raise UnreadableInput(f"{folder}: a file to write links out of the folder; nothing was written") from None
    staged: list[Path] = []
    try:
        for name, data in zip(names, writes.values(), strict=True):
            staged.append(stage(folder / name, data, _new_path(folder, name).name))
        for path, data in expected.items():
            refuse_changed(path, data)
        journal = {"files": names}
        atomic_write_bytes(folder / JOURNAL, json.dumps(journal).encode("utf-8"))
    except BaseException:
        for path in staged:
            path.unlink(missing_ok=True)
        raise
    _complete(folder, journal["files"])


def pending(folder: Path) -> bool:
    """Whether a unit of writes was cut short in ``folder`` (a journal or staged files remain)."""
    return (folder / JOURNAL).exists() or any(folder.glob(f".*{NEW}"))


def refuse_pending(folder: Path, *, then: str) -> None:
    """Raise :class:`UnreadableInput` when a migration cut short left ``folder`` half done (:func:`pending`).

    Its message names the command that completes or rolls it back, then ``then`` (the command to run again).
    """
    if pending(folder):
        raise UnreadableInput(
            f"{folder}: a migration was interrupted here, so its tables may follow two schema versions; "
            "run `dataset-tools migrate --to N` (N: the major version it was migrating to) to complete "
            f"or roll it back, then {then}"
        )


def recover(folder: Path) -> list[str]:
    """Finish (journal present) or roll back (new files only) a unit of writes that was cut short.

    Returns the names of the files it put in place (empty after a roll-back or when there
    was nothing to do). Raises :class:`UnreadableInput` for a journal it cannot read.
    """
    journal = folder / JOURNAL
    if journal.is_file() and not journal.is_symlink():
        try:
            names = json.loads(read_bytes(journal).decode("utf-8"))["files"]
        except (ValueError, KeyError, TypeError):
            names = None
        if not isinstance(names, list) or not all(_inside(folder, name) for name in names):
            raise UnreadableInput(
                f"{journal}: an interrupted write left this journal, which cannot be read or names files "
                "outside the folder; compare the files with version control, restore them, then delete it"
            )
        return _complete(folder, names)
    for leftover in folder.glob(f".*{NEW}"):
        if leftover.is_file() and not leftover.is_symlink():
            leftover.unlink()
    return []


def _inside(folder: Path, name: object) -> bool:
    """Whether a journal's ``name`` is a relative path inside ``folder``, without ``..``."""
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in Path(name).parts:
        return False
    return (folder / name).resolve().is_relative_to(folder.resolve())


def _complete(folder: Path, names: list[str]) -> list[str]:
    done = []
    for name in names:
        new = _new_path(folder, name)
        if new.is_file() and not new.is_symlink():
            new.replace(folder / name)
            done.append(name)
    _sync(folder)
    (folder / JOURNAL).unlink(missing_ok=True)
    return done


def _sync(folder: Path) -> None:
    """Make the renames in ``folder`` durable (where the system lets a folder be fsynced)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
