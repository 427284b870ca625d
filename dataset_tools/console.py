"""The ``dataset-tools`` console script: signals are handled before the command line is imported.

Ctrl-C (SIGINT) and SIGTERM end the command by an exception (``SystemExit`` with 128 plus
the signal's number: 130 and 143, as a shell reports a command a signal ended), so ``fmt``,
``migrate`` and ``release`` remove their temporary files on the way out, and a script can
tell an interrupted run from invalid data (exit 1). The handlers are set before the heavy
imports, so a signal during them ends the process quietly too, not with a traceback.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

INTERRUPTED = {128 + signal.SIGINT, 128 + signal.SIGTERM}
"""Exit codes of a command a signal ended."""


def _stop(number: int, _frame: object) -> None:
    """End the command by an exception, with the signal's exit code.

    The default actions raise ``KeyboardInterrupt`` (which click reports as exit 1) or kill
    the process at once.
    """
    raise SystemExit(128 + number)


def main() -> None:
    """Entry point of the ``dataset-tools`` console script (:func:`dataset_tools.cli.main`).

    An interrupted command, once its ``finally`` blocks have run, ends the process at once
    (``os._exit``): threads still checking are not waited for, and atexit handlers do not
    run. A command that ends otherwise ends the process as any Python program does.
    """
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        from dataset_tools.cli import main as run  # noqa: PLC0415 - after the handlers: a signal during it ends quietly

        run()
    except SystemExit as end:
        if end.code not in INTERRUPTED:
            raise
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say there
                stream.flush()
        os._exit(int(end.code))
