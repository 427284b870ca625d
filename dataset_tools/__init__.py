"""coalition-dataset: schemas, validation and releases of counter-terrorism coalition data.

``validate(path)`` checks a dataset folder and returns a Report. Heavy modules load on
first use, so importing the package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from dataset_tools.release.loading import Dataset
    from dataset_tools.validation.validator import Report

__all__ = ["load", "validate"]


def validate(path: Any, *, max_errors: int | None = None, strict: bool = False) -> Report:
    """Validate a dataset folder or one table file; see :func:`dataset_tools.validation.validator.validate`."""
    from dataset_tools.validation.validator import validate as run  # noqa: PLC0415 - keep `import dataset_tools` cheap

    return run(path, max_errors=max_errors, strict=strict)


def load(path: str | Path | None = None) -> Dataset:
    """The release this package carries, or the release or dataset at ``path``; see :mod:`dataset_tools.loading`."""
    from dataset_tools.release.loading import load as run  # noqa: PLC0415 - keep `import dataset_tools` cheap

    return run(path)
