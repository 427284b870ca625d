"""A date in the future: almost always a typo (``2052`` for ``2025``), so a warning.

A partial date is in the future when even its first day is after today: ``2026-12`` is in the
future on 30 November 2026, ``2026`` is not. For text of a valid partial date that is exactly
when the text sorts after today's ``YYYY-MM-DD`` (``2026-12`` > ``2026-11-30`` >
``2026-11`` > ``2026``), so the check is one vectorised comparison per date column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pyarrow.compute as pc

from dataset_tools.reading.tables import TableFile
from dataset_tools.schema import dates
from dataset_tools.schema.models import TABLES, columns
from dataset_tools.validation.problems import Problem


def today() -> dt.date:
    """Today's date (UTC), the day a date must not be after."""
    return dt.datetime.now(tz=dt.UTC).date()


def future_dates(tf: TableFile) -> Iterator[Problem]:
    """``future-date`` for every valid partial date whose first day is after :func:`today`."""
    now = today().isoformat()
    for column in columns(TABLES[tf.table]):
        if not column.is_date or column.name not in tf.data.column_names:
            continue
        values = tf.data.column(column.name)
        later = pc.greater(values, now).to_numpy(zero_copy_only=False)
        for row in np.flatnonzero(later):
            value = values[int(row)].as_py()
            try:
                dates.PartialDate.parse(value)
            except ValueError:
                continue  # not a date at all: the field check reports it
            yield Problem(
                "future-date",
                tf.file,
                int(tf.lines_for(column.name)[row]),
                f"{column.name} {value} is after today ({now})",
                column.name,
                value,
                "check the year; a planned event is recorded once it has happened",
            )
