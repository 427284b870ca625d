"""When a check's work is worth threads: one threshold for all of them.

Starting threads (a ``ThreadPoolExecutor``, or rapidfuzz's ``workers``) costs more than the
work on a small table (measured on the shipped data: see the commit that added this module).
Below ``PARALLEL_ROWS`` a check runs on the thread that called it; the validator still runs
the files' checks side by side.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

PARALLEL_ROWS = 100_000
"""Rows (or values, or pairs to score) below which work runs on one thread: threads would cost more than they save."""


def workers(size: int) -> int:
    """Threads worth using on work of ``size`` rows: every core's from ``PARALLEL_ROWS``, else 1."""
    return (os.cpu_count() or 1) if size >= PARALLEL_ROWS else 1


class Here:
    """What :func:`pool` gives for small work: ``map`` runs each call on the calling thread, as it is consumed."""

    def map(self, fn: Callable[..., T], *iterables: Iterable[object]) -> Iterator[T]:
        """``fn`` of each item, in order (the builtin ``map``)."""
        return map(fn, *iterables)


@contextmanager
def pool(size: int) -> Iterator[ThreadPoolExecutor | Here]:
    """A pool of :func:`workers` threads for work of ``size`` rows, or (below ``PARALLEL_ROWS``) :class:`Here`."""
    threads = workers(size)
    if threads == 1:
        yield Here()
        return
    with ThreadPoolExecutor(max_workers=threads) as executor:
        yield executor


@contextmanager
def beside(size: int, work: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """Run ``work`` (of ``size`` rows) on a thread of its own while the body runs; yield what gives its result.

    Below ``PARALLEL_ROWS`` no thread is started: what is yielded is ``work`` itself, run
    when (each time) its result is asked for. What ``work`` raises is raised there.
    """
    if workers(size) == 1:
        yield work
        return
    with ThreadPoolExecutor(max_workers=1) as thread:
        yield thread.submit(work).result
