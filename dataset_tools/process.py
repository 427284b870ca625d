"""Settings for a process that only validates and then ends: the console command's, never a library caller's.

Both change the whole process for the rest of its life, which is why only the command
line applies them, and only for ``validate``.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import sys

import pyarrow as pa

PR_SET_THP_DISABLE = 41
"""Linux's prctl option that stops transparent huge pages for the calling process (linux/prctl.h)."""


class _NoPandas(importlib.abc.MetaPathFinder):
    """Finds no pandas."""

    def find_spec(self, name: str, _path: object = None, _target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def pyarrow_without_pandas() -> None:
    """Let pyarrow's first look for pandas in this process find none.

    pyarrow imports pandas when it makes its first array, to tell pandas objects apart,
    if pandas is installed. Validation makes arrays but never from pandas objects, and
    the import costs more than its 0.15 s of CPU: on two million rows the command took
    1.98 s instead of 2.44 s (medians of 9 interleaved runs), with 9,000 fewer page
    faults. pyarrow asks only once, so afterwards ``pa.array`` no longer recognises a
    pandas Series (``to_pandas`` and ``from_pandas`` still import pandas and work). The
    command calls this before it starts any thread, so no other import can be turned
    away meanwhile.
    """
    if "pandas" in sys.modules:
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.scalar(0)  # pyarrow's one look
    finally:
        sys.meta_path.remove(finder)


def without_huge_pages() -> None:
    """Ask Linux for ordinary 4 KiB pages for this process, not transparent 2 MiB ones.

    NumPy and pyarrow ask for huge pages for big buffers. A huge page must be a free,
    contiguous 2 MiB block, and a virtual machine that hands free memory back to its host
    (free page reporting) has often handed back just those blocks: the first touch of each
    then waits for the host. On the 2-core benchmark machine, validating two million rows
    took 1.95 s with huge pages (system time 0.94 s) and 1.73 s without (0.44 s), medians
    of 10 interleaved runs; when the host had the memory ready, both took about 1.73 s.
    Elsewhere it changes little; nothing changes if the call fails. Processes started
    from this one inherit the setting.
    """
    if sys.platform != "linux":
        return
    off, unused = ctypes.c_ulong(1), ctypes.c_ulong(0)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, off, unused, unused, unused)
    except (OSError, AttributeError):  # no C library to ask, or one without prctl
        return
