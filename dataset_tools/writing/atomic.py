"""Atomic file writes: a reader sees the old file or the new one, never half of either.

A write never loses what someone else wrote meanwhile: given the bytes the caller read,
it refuses a file that no longer holds them. A link stays a link (its target is
replaced). A failed or interrupted write (a full disk, a read-only folder, Ctrl-C, a
SIGTERM turned into ``SystemExit`` by the console command) removes its temporary file
and leaves the file as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from dataset_tools.errors import UnreadableInput
from dataset_tools.reading.files import read_bytes


def refuse_changed(path: Path, expected: bytes) -> None:
    """Raise :class:`UnreadableInput` unless ``path`` still holds ``expected``."""
    try:
        now = read_bytes(path)
    except UnreadableInput:
        now = None
    if now != expected:
        raise UnreadableInput(
            f"{path}: changed while it was being rewritten; nothing was written to it: run the command again"
        )


def target_of(path: Path) -> Path:
    """The file a write to ``path`` replaces: ``path``, or the file it links to (so a link stays a link)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def stage(path: Path, data: bytes, name: str | None = None) -> Path:
    """Write ``data`` to a new file beside ``path`` (fsynced, with ``path``'s mode), and return it.

    ``name`` gives the new file's name; by default a fresh ``.<name>.…tmp``. Raises
    :class:`UnreadableInput` (the new file removed) when it cannot be written.
    """
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    try:
        handle: IO[bytes] = (
            tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
            )
            if name is None
            else (path.parent / name).open("wb")
        )
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot write beside it ({error.strerror or error}); it is unchanged") from None
    staged = Path(handle.name)
    with _removed_on_failure(staged, path):
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            staged.chmod(mode)
    return staged


@contextmanager
def _removed_on_failure(staged: Path, path: Path) -> Iterator[None]:
    """Remove ``staged`` if the block fails; an OSError becomes :class:`UnreadableInput` naming ``path``."""
    try:
        yield
    except OSError as error:
        staged.unlink(missing_ok=True)
        raise UnreadableInput(f"{path}: cannot write ({error.strerror or error}); it is unchanged") from None
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes, *, expected: bytes | None = None) -> None:
    """Replace ``path`` with ``data`` in one step (a temporary file beside it, then a rename).

    Keeps the file's mode, and a link to a file stays a link (the linked file is replaced).
    With ``expected`` (the bytes read before), refuses a file that changed meanwhile. Raises
    :class:`UnreadableInput` when the file changed or cannot be written; the file is then
    unchanged and no temporary file is left.
    """
    target = target_of(path)
    staged = stage(target, data)
    with _removed_on_failure(staged, path):
        if expected is not None:
            refuse_changed(target, expected)
        staged.replace(target)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 with LF line ends, atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))
