"""Settings for a process that runs one command and then ends: the console command's, never a library caller's.

The library (``dataset_tools.validate``, ``load`` …) changes nothing in its caller's
process; only :func:`dataset_tools.cli.main` calls this, before the command runs.
"""

from __future__ import annotations

import gc

GC_YOUNGEST = 50_000
"""Allocations between collections of the youngest generation (Python's default: 700)."""


def for_one_command() -> None:
    """Tell the garbage collector that what start-up made lives until the exit, and to collect less often.

    A command makes many objects that live briefly or to the end and few cycles; each
    collection of the oldest generation would walk every model and module again. Both
    settings are public ``gc`` API and last only as long as this process.
    """
    gc.freeze()
    gc.set_threshold(GC_YOUNGEST, *gc.get_threshold()[1:])
