"""Format a validation report: human text, JSON for tools, GitHub Actions annotations.

Whatever a file says reaches the text and GitHub outputs only through
:mod:`dataset_tools.escape` (no terminal escape sequence, bidi control or workflow-command
syntax from a contribution is printed raw); the JSON output is escaped by the JSON encoder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import groupby

from dataset_tools.escape import json_text as safe_json
from dataset_tools.escape import markdown, terminal, workflow_command
from dataset_tools.validation.cells import cell_column, cell_columns
from dataset_tools.validation.problems import Problem, Severity, plural
from dataset_tools.validation.validator import Report

GITHUB_ANNOTATION_LIMIT = 10
"""GitHub shows at most 10 annotations of a kind per step; the rest go to the job summary."""
DEFAULT_MAX_ERRORS = 200
"""Problems the text and GitHub outputs show when ``--max-errors`` is not given (errors
first); the report counts the rest by severity. JSON output lists all unless told."""


def _where(problem: Problem) -> str:
    parts = [f"line {problem.line}" if problem.line else "file"]
    if problem.field:
        parts.append(f"field {terminal(problem.field)}")
    return ", ".join(parts)


def left_out(report: Report) -> tuple[int, int]:
    """(errors, warnings) found but not in ``report.problems`` (cut by ``max_errors``)."""
    shown_errors = sum(problem.severity is Severity.ERROR for problem in report.problems)
    shown_warnings = len(report.problems) - shown_errors
    return report.errors - shown_errors, report.warnings - shown_warnings


def _counts(report: Report) -> str:
    text = f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}"
    text += f" ({plural(len(report.files), 'file')}, {plural(report.rows, 'row')} checked)"
    if report.omitted:
        errors, warnings = left_out(report)
        text += f"; not shown: {plural(errors, 'error')}, {plural(warnings, 'warning')} (--max-errors)"
    return text


def text(report: Report) -> str:
    """Problems grouped by file, each with its place, message, code and hint; then the counts."""
    lines: list[str] = []
    for file, problems in groupby(report.problems, key=lambda problem: problem.file):
        lines.append(terminal(file))
        for problem in problems:
            message = terminal(problem.message)
            lines.append(f"  {_where(problem)}: {message} [{problem.code}, {problem.severity.value}]")
            if problem.hint:
                lines.append(f"    hint: {terminal(problem.hint)}")
        lines.append("")
    lines += [f"note: {terminal(note)}" for note in report.notes]
    verdict = "valid" if report.valid else "invalid"
    if report.strict and report.warnings and not report.errors:
        verdict += " (--strict: warnings fail)"
    lines.append(f"{verdict}: {_counts(report)}")
    return "\n".join(lines)


def json_text(report: Report) -> str:
    """The report as one JSON document (see README, "Validation output"), one problem a line.

    Only the small head is indented: Python's indenting encoder is pure Python, and a
    million-row dataset may have tens of thousands of problems.
    """
    document = report.to_dict()
    problems = document.pop("problems")
    head = json.dumps(document, indent=2, ensure_ascii=False)
    if not problems:
        return safe_json(head[:-2] + ',\n  "problems": []\n}')
    encode = json.JSONEncoder(ensure_ascii=False).encode
    body = ",\n    ".join(encode(problem) for problem in problems)
    return safe_json(head[:-2] + ',\n  "problems": [\n    ' + body + "\n  ]\n}")


def annotation(problem: Problem, column: int | None = None) -> str:
    """One GitHub workflow command, such as ``::error file=a.csv,line=3,title=…::message``.

    ``column`` is where the cell starts, when already known; else it is looked up.
    """
    level = "error" if problem.severity is Severity.ERROR else "warning"
    if problem.line:
        column = column or cell_column(problem.file, problem.line, problem.field)
    title = problem.code + (f" in {problem.field}" if problem.field else "")
    message = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
    return workflow_command(
        level,
        message,
        file=problem.file,
        line=problem.line or None,
        col=(column or None) if problem.line else None,
        title=title,
    )


def github(report: Report, limit: int = GITHUB_ANNOTATION_LIMIT) -> str:
    """Annotations for the first ``limit`` distinct problems (errors first), then a notice of the rest."""
    distinct: dict[tuple[object, ...], Problem] = {}
    for problem in _errors_first(report.problems):
        distinct.setdefault(_said(problem), problem)
    shown = list(distinct.values())[:limit]
    columns = cell_columns((problem.file, problem.line, problem.field) for problem in shown)  # one read per file
    lines = [annotation(problem, columns.get((problem.file, problem.line, problem.field))) for problem in shown]
    unshown = list(distinct.values())[limit:]
    errors, warnings = left_out(report)
    errors += sum(problem.severity is Severity.ERROR for problem in unshown)
    warnings += sum(problem.severity is not Severity.ERROR for problem in unshown)
    if errors or warnings:
        message = (
            f"{errors + warnings} more problem(s) not annotated ({plural(errors, 'error')}, "
            f"{plural(warnings, 'warning')}); see the job summary or run validate locally"
        )
        lines.append(workflow_command("notice", message))
    lines.append(_counts(report))
    return "\n".join(lines)


def _said(problem: Problem) -> tuple[object, ...]:
    """What an annotation of ``problem`` says: problems alike in all of it are annotated once."""
    return (problem.severity, problem.file, problem.line, problem.code, problem.field, problem.message, problem.hint)


def _errors_first(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=Problem.rank)


def _cell(value: object) -> str:
    return markdown(str(value if value is not None else ""))


def markdown_summary(report: Report) -> str:
    """A Markdown table of every problem, for ``$GITHUB_STEP_SUMMARY``."""
    lines = [f"### Dataset validation: {'valid' if report.valid else 'invalid'}", "", _counts(report), ""]
    if report.problems:
        lines += ["| file | line | field | code | message | hint |", "| --- | --- | --- | --- | --- | --- |"]
        lines += [
            "| " + " | ".join(_cell(v) for v in (p.file, p.line, p.field, p.code, p.message, p.hint)) + " |"
            for p in report.problems
        ]
    return "\n".join(lines) + "\n"


FORMATTERS = {"text": text, "json": json_text, "github": github}
"""Output formats of ``dataset-tools validate --format``."""
