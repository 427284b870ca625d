"""Exceptions, only for "cannot proceed". Invalid *data* is never an exception: it is a Problem."""


class DatasetToolsError(Exception):
    """Root of every exception this package raises on purpose."""


class UsageError(DatasetToolsError, ValueError):
    """The command or call was given arguments it cannot work with (exit code 2)."""


class UnreadableInput(DatasetToolsError, OSError):
    """A path does not exist or cannot be read at all (exit code 2)."""


class ReleaseRefused(DatasetToolsError, RuntimeError):
    """A release was not built because the data does not validate."""


class UnknownId(DatasetToolsError, KeyError):
    """An id or name given to a ``Dataset`` helper names no record of the kind asked for, or several.

    The message names the nearest records ("did you mean `turkey` (Turkey)?").

    ``candidates`` holds those records as ``(id, name)`` pairs, nearest first.
    """

    def __init__(self, message: str, candidates: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.candidates = candidates

    def __str__(self) -> str:  # KeyError would show the message in quotes, as if it were the key
        return self.message
