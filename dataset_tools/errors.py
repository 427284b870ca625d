"""Exceptions, only for "cannot proceed". Invalid *data* is never an exception: it is a Problem."""


class DatasetToolsError(Exception):
    """Root of every exception this package raises on purpose."""


class UsageError(DatasetToolsError, ValueError):
    """The command or call was given arguments it cannot work with (exit code 2)."""


class UnreadableInput(DatasetToolsError, OSError):
    """A path does not exist or cannot be read at all (exit code 2)."""


class ReleaseRefused(DatasetToolsError, RuntimeError):
    """A release was not built because the data does not validate."""
