"""The checks, layer by layer. Each is a plain function that yields Problems.

Field and record checks come in two implementations that must agree: a vectorised one
over pyarrow columns (fast) and a per-row one through the pydantic models (reference).
Both describe a bad value with :func:`explain`, so the wording is shared; only the
finding differs. Table and cross-table checks work on sets of ids and have one form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from dataset_tools.names import slugify
from dataset_tools.reading import bytematch
from dataset_tools.reading.tables import TableFile
from dataset_tools.schema import codelists, dates
from dataset_tools.schema.ids import QID_PATTERN
from dataset_tools.schema.models import (
    ATTESTED,
    LIST_DELIMITER,
    TABLES,
    Column,
    Record,
    columns,
    from_row,
    no_outer_space,
)
from dataset_tools.validation import parallel
from dataset_tools.validation.hints import country_hint, date_hint, did_you_mean
from dataset_tools.validation.problems import Problem

# --- what is wrong with one value -------------------------------------------------------------


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def explain(column: Column, value: str) -> tuple[str, str, str] | None:
    """Why ``value`` is not valid in ``column``: (code, message, hint), or None if it is valid.

    The order of the tests is pydantic's: length, then type, then pattern or vocabulary. Every
    hint says what to do, even when no close value can be suggested.
    """
    name = column.name
    if column.max_length is not None and len(value) > column.max_length:
        return (
            "constraint-error",
            f"{name} is {len(value)} characters long; the limit is {column.max_length}",
            "shorten it, or move detail into notes",
        )
    if column.is_date:
        try:
            dates.PartialDate.parse(value)
        except dates.PartialDateError as error:
            hint = date_hint(value) or "keep only the precision you know: 2025, 2025-02 or 2025-02-04"
            return "type-error", str(error), hint
        return None
    if column.enum:
        if value in column.enum:
            return None
        hint = (country_hint(value) if column.enum == codelists.country_codes() else None) or did_you_mean(
            value, column.enum
        )
        if column.vocabulary is not None:
            allowed = ", ".join(column.enum)
            hint = hint or f"write one of the allowed values; docs/data-dictionary.md says what each {name} means"
            return "constraint-error", f"{value!r} is not a {name} value; allowed: {allowed}", hint
        return "constraint-error", f"{value!r} is not a valid {name} code", hint or _code_hint(column)
    if column.pattern and not _compiled(column.pattern).fullmatch(value):
        return "constraint-error", *_pattern_problem(column, value)
    if column.stripped and value != value.strip():
        return "constraint-error", _outer_space_message(name, value), OUTER_SPACE_HINT
    return None


OUTER_SPACE_HINT = "remove it: `dataset-tools fmt` strips whitespace at both ends of a cell"


def _outer_space_message(name: str, value: str) -> str:
    """Which invisible character sits at the edge: ``name has whitespace at its end (U+00A0 NO-BREAK SPACE)``."""
    at_start, at_end = value[:1].isspace(), value[-1:].isspace()
    where = "start and end" if at_start and at_end else "start" if at_start else "end"
    character = value[0] if at_start else value[-1]
    described = f"U+{ord(character):04X} {unicodedata.name(character, 'whitespace')}"
    return f"{name} has whitespace at its {where} ({described})"


NATIVE_RULES = frozenset({codelists.check_country, codelists.check_language, no_outer_space})
"""The validator functions of the models that the column checks enforce themselves (as a vocabulary, or
:attr:`Column.stripped`); a model with any other rule is checked row by row through pydantic."""


def needs_model(model: type[Record]) -> bool:
    """True when ``model`` carries a rule the column checks do not enforce: its rows then go through pydantic."""
    decorators = model.__pydantic_decorators__
    if decorators.field_validators or decorators.model_validators:
        return True
    return any(rule not in NATIVE_RULES for column in columns(model) for rule in column.rules)


def _pattern_problem(column: Column, value: str) -> tuple[str, str]:
    """Why ``value`` breaks ``column``'s pattern, and what to do about it: (message, hint)."""
    name = column.name
    if value == "" and column.is_list:
        return f"{name} has an empty item", f"remove the extra {LIST_DELIMITER!r}"
    if name == "id" or column.references:
        slug = slugify(value)
        return (
            f"{value!r} is not a valid id: ids use lowercase letters, digits and single hyphens",
            f"did you mean `{slug}`?" if slug else f"write an id of Latin letters or digits, such as `{ID_EXAMPLE}`",
        )
    if column.pattern == codelists.URL_PATTERN:
        return (
            f"{value!r} is not an http(s) URL",
            "copy the whole address from the browser, https:// included; a URL holds no spaces",
        )
    if column.pattern == QID_PATTERN:
        return (
            f"{value!r} is not a Wikidata id (Q followed by digits, e.g. Q42)",
            f"copy the Q-number from the item's Wikidata page, or leave {name} empty",
        )
    if value != value.strip():
        return _outer_space_message(name, value), OUTER_SPACE_HINT
    if "\x00" in value:
        return f"{name} contains a NUL character", NUL_HINT
    if column.is_list and LIST_DELIMITER in value:
        return (
            f"an item of {name} contains {LIST_DELIMITER!r}, which separates items",
            f"make it two items, or write it without {LIST_DELIMITER!r}",
        )
    return (
        f"{name} holds a line break, which only notes and summaries may hold",
        "join the lines with a space; longer detail goes in notes",
    )


ID_EXAMPLE = "armed-group-x"
NUL_HINT = "delete it: a NUL is usually a copy-paste or export accident"


def _code_hint(column: Column) -> str:
    """What to write in a field of a code list no close code was found for."""
    if column.enum == codelists.country_codes():
        return "write the country's two-letter ISO 3166-1 code, in capitals (`SY` for Syria)"
    if column.enum == codelists.language_codes():
        return "write the language's two-letter ISO 639-1 code, in lowercase (`ar` for Arabic)"
    return f"write one of the codes docs/data-dictionary.md lists for {column.name}"


def _field_problem(tf: TableFile, row: int, column: Column, value: str) -> Problem:
    found = explain(column, value)
    code, message, hint = found or (
        "constraint-error",
        f"{column.name} breaks the field's constraints",
        f"docs/data-dictionary.md gives what {column.name} may hold: {column.description}",
    )
    return Problem(code, tf.file, int(tf.lines_for(column.name)[row]), message, column.name, value, hint)


def _required(tf: TableFile, row: int, column: Column) -> Problem:
    return Problem(
        "required-error",
        tf.file,
        int(tf.lines_for(column.name)[row]),
        f"{column.name} is required but empty",
        column.name,
        "",
        f"fill in {column.name}: {column.description}",
    )


# --- field checks, vectorised -----------------------------------------------------------------


def _bad_values(column: Column, values: pa.Array) -> np.ndarray:
    """A boolean mask of the values :func:`explain` would reject."""
    bad = np.zeros(len(values), dtype=bool)
    if len(values) == 0:
        return bad
    if column.max_length is not None:  # characters never outnumber bytes: count characters only where bytes do
        long = bytematch.longer(values, column.max_length)
        if long.any():
            rows = np.flatnonzero(long)
            chars = pc.utf8_length(pc.take(values, pa.array(rows))).to_numpy(zero_copy_only=False)
            bad[rows[chars > column.max_length]] = True
    if column.is_date:
        shaped = pc.match_substring_regex(values, dates.PATTERN).to_numpy(zero_copy_only=False)
        bad |= ~shaped | ~_real_dates(values, shaped)
    elif column.enum:
        bad |= ~pc.is_in(values, value_set=pa.array(column.enum, pa.string())).to_numpy(zero_copy_only=False)
    elif column.pattern:
        by_bytes = bytematch.bad_values(column.pattern, values)
        if by_bytes is None:
            by_bytes = ~pc.match_substring_regex(values, column.pattern).to_numpy(zero_copy_only=False)
        bad |= by_bytes
    if column.stripped:
        bad |= bytematch.outer_space(values)
    return bad


_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _date_parts(values: pa.Array, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (0 if absent) and day (0 if absent) of the well-shaped dates at ``rows``."""
    year, month, day = bytematch.numbers(values, [(0, 4), (5, 7), (8, 10)], rows)
    return year, month, day


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return _DAYS[month] + ((month == 2) & leap)


def _real_dates(values: pa.Array, shaped: np.ndarray) -> np.ndarray:
    """False where a well-shaped date is not on the calendar: year 0, or a day its month lacks.

    Only dates that could be either (the year starts with 0, or the day is 29 to 31) are taken apart.
    """
    values = bytematch.joined(values)
    first, tens, ones = bytematch.bytes_at(values, [0, 8, 9])
    late = (tens == ord("3")) | ((tens == ord("2")) & (ones == ord("9")))
    rows = np.flatnonzero(shaped & (late | (first == ord("0"))))
    ok = np.ones(len(values), dtype=bool)
    if len(rows):
        year, month, day = _date_parts(values, rows)
        ok[rows] = (year > 0) & ((day == 0) | (day <= _days_in_month(year, np.clip(month, 1, 12))))
    return ok


def _interval_keys(values: pa.Array, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day each valid date covers, as YYYYMMDD integers (0 where not valid)."""
    rows = np.flatnonzero(valid)
    year, month, day = _date_parts(bytematch.joined(values), rows)
    first_month = np.where(month > 0, month, 1)
    last_month = np.where(month > 0, month, 12)
    first, last = np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=np.int64)
    first[rows] = year * 10000 + first_month * 100 + np.where(day > 0, day, 1)
    last[rows] = year * 10000 + last_month * 100 + np.where(day > 0, day, _days_in_month(year, last_month))
    return first, last


def _column(tf: TableFile, name: str) -> pa.ChunkedArray:
    return tf.data.column(name)


def field_checks(tf: TableFile) -> Iterator[Problem]:
    """Required, type, pattern, length and vocabulary of every cell, column by column (in parallel)."""
    present = [column for column in columns(TABLES[tf.table]) if column.name in tf.data.column_names]
    with parallel.pool(tf.data.num_rows) as threads:  # pyarrow compute releases the GIL
        for found in threads.map(lambda column: list(_column_problems(tf, column)), present):
            yield from found


def _column_problems(tf: TableFile, column: Column) -> Iterator[Problem]:
    values = _column(tf, column.name)
    empty = bytematch.empty(values)
    if column.required:
        missing = empty
        if column.name in tf.mistyped:  # a type-error already, not an empty value
            missing = empty.copy()
            missing[tf.mistyped[column.name]] = False
        for row in np.flatnonzero(missing):
            yield _required(tf, row, column)
    if column.is_list:
        rows = np.flatnonzero(~empty & _maybe_bad_lists(column, values))  # an empty cell is no list
        filled = _subset(values, rows)
        lists = pc.split_pattern(filled, LIST_DELIMITER)
        items = pc.list_flatten(lists)
        parents = rows[pc.list_parent_indices(lists).to_numpy()]
        for index in np.flatnonzero(_bad_values(column, items)):
            yield _field_problem(tf, parents[index], column, items[index].as_py())
    else:
        for row in np.flatnonzero(_bad_values(column, values) & ~empty):
            yield _field_problem(tf, row, column, values[int(row)].as_py())


def _subset(values: pa.ChunkedArray, rows: np.ndarray) -> pa.ChunkedArray | pa.Array:
    """``values`` at ``rows``; a few are picked one by one (a take would first join every chunk)."""
    if len(rows) == len(values):
        return values
    if len(rows) <= _FEW:
        return pa.array([values[int(row)].as_py() for row in rows], pa.string())
    return values.take(pa.array(rows))


_FEW = 10_000


def _maybe_bad_lists(column: Column, values: pa.ChunkedArray) -> np.ndarray:
    """Which list cells may hold a bad item: all of them, unless whole cells can be tested at once."""
    by_bytes = bytematch.bad_values(column.pattern, values, LIST_DELIMITER) if column.pattern else None
    if by_bytes is None:
        return np.ones(len(values), dtype=bool)
    if column.max_length is not None:  # an item may be too long only in a cell that is
        by_bytes |= bytematch.longer(values, column.max_length)
    return by_bytes


def record_checks(tf: TableFile) -> Iterator[Problem]:
    """Dates in order and no record referring to itself, record by record (vectorised)."""
    model = TABLES[tf.table]
    by_name = {column.name: column for column in columns(model)}
    for first, second, named in model.date_orders():
        if first not in tf.data.column_names or second not in tf.data.column_names:
            continue
        a, b = _column(tf, first), _column(tf, second)
        both = pc.and_(pc.not_equal(a, ""), pc.not_equal(b, "")).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(both)  # only records with both dates can be out of order: often few
        a, b = a.take(pa.array(rows)), b.take(pa.array(rows))
        valid = ~_bad_values(by_name[first], a) & ~_bad_values(by_name[second], b)
        a_first, _ = _interval_keys(a, valid)
        _, b_last = _interval_keys(b, valid)
        for index in np.flatnonzero(valid & (b_last < a_first)):
            yield _order_problem(tf, rows[index], (first, second, named), a[int(index)].as_py(), b[int(index)].as_py())
    for first, second in model.distinct_references:
        if first not in tf.data.column_names or second not in tf.data.column_names:
            continue
        a, b = _column(tf, first), _column(tf, second)
        same = pc.and_(pc.equal(a, b), pc.not_equal(a, "")).to_numpy(zero_copy_only=False)
        for row in np.flatnonzero(same):
            yield _self_problem(tf, row, first, second, a[row].as_py())


def _order_problem(tf: TableFile, row: int, order: tuple[str, str, str], a: str, b: str) -> Problem:
    """``order`` is (first, second, the field named): ``b``, the second date, is certainly before ``a``."""
    first, second, named = order
    if named == second:
        message, value = f"{second} {b} is before {first} {a}", b
    else:
        message, value = f"{first} {a} is after {second} {b}", a
    hint = f"check both dates; if {named} is unknown, leave it empty"
    if named == ATTESTED:
        other = first if named == second else second
        hint = f"a source can show the record in force only between its start and end: check {named} and {other}"
    return Problem("date-order-error", tf.file, int(tf.lines_for(named)[row]), message, named, value, hint)


def _self_problem(tf: TableFile, row: int, first: str, second: str, value: str) -> Problem:
    return Problem(
        "self-reference-error",
        tf.file,
        int(tf.lines_for(second)[row]),
        f"{second} and {first} are both `{value}`: a record cannot refer to itself here",
        second,
        value,
        f"set {second} to another record's id",
    )


# --- field and record checks, per row through pydantic (the reference) -----------------------


def reference_field_and_record_checks(tf: TableFile) -> Iterator[Problem]:
    """The same problems as :func:`field_checks` and :func:`record_checks`, found row by row."""
    model = TABLES[tf.table]
    by_name = {column.name: column for column in columns(model)}
    present = set(tf.data.column_names)
    mistyped = {name: set(rows) for name, rows in tf.mistyped.items()}
    for index, row in _rows(tf.data):
        data = from_row(model, row)
        bad_fields: set[str] = set()
        try:
            model.model_validate(data)
        except ValidationError as error:
            for entry in error.errors():
                name = str(entry["loc"][0])
                if name not in present:
                    continue
                bad_fields.add(name)
                if entry["type"] == "missing":
                    if index not in mistyped.get(name, ()):  # a type-error already, not an empty value
                        yield _required(tf, index, by_name[name])
                else:
                    yield _field_problem(tf, index, by_name[name], entry["input"])
        yield from _reference_record_checks(tf, index, model, row, bad_fields)


def _rows(data: pa.Table, batch: int = 50_000) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row as a dict, converted a batch at a time so that memory stays flat."""
    for start in range(0, data.num_rows, batch):
        for offset, row in enumerate(data.slice(start, batch).to_pylist()):
            yield start + offset, row


def _reference_record_checks(
    tf: TableFile, index: int, model: type[Record], row: dict[str, str], bad_fields: set[str]
) -> Iterator[Problem]:
    for first, second, named in model.date_orders():
        a, b = row.get(first, ""), row.get(second, "")
        if (
            a
            and b
            and not bad_fields & {first, second}
            and dates.PartialDate.parse(b).certainly_before(dates.PartialDate.parse(a))
        ):
            yield _order_problem(tf, index, (first, second, named), a, b)
    for first, second in model.distinct_references:
        a, b = row.get(first, ""), row.get(second, "")
        if a and a == b:
            yield _self_problem(tf, index, first, second, a)
