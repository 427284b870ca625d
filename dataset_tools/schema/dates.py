"""Partial dates: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, with their precision kept.

A month-precise date is not "the first of the month": ``2025-02`` covers the whole of
February 2025. Comparisons therefore use the interval a date covers: one date is
certainly before another only when its interval ends before the other's begins.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
"""Shape of a partial date (anchored). Calendar validity is checked separately."""

_SHAPE = re.compile(PATTERN)


class Precision(IntEnum):
    """How much of a date is known."""

    YEAR = 1
    MONTH = 2
    DAY = 3


class PartialDateError(ValueError):
    """A text that is not a partial date; the message says why and what to write."""


@dataclass(frozen=True, order=False, slots=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise :class:`PartialDateError`."""
        if not isinstance(text, str) or not _SHAPE.fullmatch(text):  # match() would allow a final line break
            msg = f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
            raise PartialDateError(msg)
        parts = [int(part) for part in text.split("-")]
        year = parts[0]
        if year == 0:
            msg = f"{text!r} has year 0000, which no calendar has"
            raise PartialDateError(msg)
        month = parts[1] if len(parts) > 1 else None
        day = parts[2] if len(parts) > 2 else None
        if month is not None and day is not None:
            last = calendar.monthrange(year, month)[1]
            if day > last:
                msg = f"{text!r} is not a calendar date: {year}-{month:02d} has {last} days"
                raise PartialDateError(msg)
        return cls(year, month, day)

    @property
    def precision(self) -> Precision:
        """The precision the date was given with."""
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def start(self) -> dt.date:
        """The first day the date covers."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def end(self) -> dt.date:
        """The last day the date covers."""
        if self.day is not None:
            return self.start
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def certainly_before(self, other: PartialDate) -> bool:
        """True when every day this date may be is before every day ``other`` may be."""
        return self.end < other.start

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    # pydantic integration: validated from and serialised to its text.
    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any, _handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any) -> PartialDate:
            if isinstance(value, PartialDate):
                return value
            if not isinstance(value, str):
                raise PydanticCustomError("date_type", "a date must be text such as 2025, 2025-02 or 2025-02-04")
            try:
                return cls.parse(value)
            except PartialDateError as error:
                raise PydanticCustomError("date_invalid", str(error)) from None

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, _schema: core_schema.CoreSchema, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": PATTERN}
