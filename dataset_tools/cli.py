"""The command line: parse, call one library function, format, exit.

Exit codes: 0 valid, 1 invalid data, 2 usage error or unreadable input.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from dataset_tools import process
from dataset_tools.errors import DatasetToolsError, ReleaseRefused, UnreadableInput, UsageError
from dataset_tools.escape import json_text, terminal, workflow_command
from dataset_tools.validation import formats
from dataset_tools.validation.validator import validate as validate_dataset

if TYPE_CHECKING:
    import pyarrow as pa

    from dataset_tools.schema.publish import Verdict

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
WHOLE_PROCESS = object()
"""The context object :func:`main` gives: the command runs alone in a process that ends with it."""


def repository_root() -> Path:
    """The repository this command runs in: the nearest folder upward with pyproject.toml."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").exists() and (folder / "dataset_tools").is_dir():
            return folder
    return here


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="coalition-dataset")
def cli() -> None:
    """Validate, release and load the coalition dataset."""


@cli.group()
def schema() -> None:
    """Generate and check the published schema files."""


@schema.command("generate")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any generated file is stale.")
def schema_generate(check: bool) -> None:
    """Rewrite every file that restates the models: schemas/, the data dictionary, CONTRIBUTING.md, datasets/."""
    from dataset_tools.schema import publish  # noqa: PLC0415 - loaded only for the commands that use it

    root = repository_root()
    if check:
        stale = publish.stale(root)
        for path in stale:
            click.echo(f"stale: {path}")
        if stale:
            click.echo(f"Run `{publish.REGENERATE}` to regenerate.")
            sys.exit(EXIT_INVALID)
        click.echo("All generated files are current.")
        return
    verdict = publish.check(root)
    if verdict.errors:
        _echo_verdict(verdict)
        click.echo("Nothing was written: fix the version first (see `dataset-tools schema check`).", err=True)
        sys.exit(EXIT_INVALID)
    changed = publish.write(root)
    for path in changed:
        click.echo(f"wrote {path}")
    click.echo(f"{len(changed)} file(s) changed.")


@schema.command("check")
def schema_check() -> None:
    """Compare the models with the published schema; fail if SCHEMA_VERSION does not fit the changes.

    Breaking changes (a field removed or renamed, a type or vocabulary narrowed, a field
    made required, a pattern tightened, a key changed) need a new major version; compatible
    ones (a new optional field or vocabulary value, a looser constraint) a new minor one.
    """
    from dataset_tools.schema import publish  # noqa: PLC0415 - loaded only for the commands that use it

    verdict = publish.check(repository_root())
    _echo_verdict(verdict)
    sys.exit(EXIT_OK if verdict.ok else EXIT_INVALID)


def _echo_verdict(verdict: Verdict) -> None:
    published = verdict.published or "nothing"
    click.echo(f"models: schema {verdict.current}; published: {published}")
    for change in verdict.changes:
        click.echo(f"  {change.level.value:<5}  {change}")
    if not verdict.changes and verdict.published:
        click.echo("  no changes since publication")
    for message in verdict.errors + verdict.stale:
        click.echo(f"error: {message}", err=True)
    if verdict.ok:
        click.echo("The schema version fits the changes.")


@cli.command("migrate")
@click.option("--to", "target", type=click.IntRange(min=1), required=True, help="The major schema version to reach.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def migrate_command(target: int, dry_run: bool, path: Path | None) -> None:
    """Upgrade the records in PATH (default: datasets/) to schema major version --to.

    Rewrites each table file atomically and updates datapackage.json; if any record cannot
    be migrated without losing data, writes nothing and exits 1.
    """
    from dataset_tools.schema import migrate  # noqa: PLC0415 - loaded only for the command that uses it

    folder = path or default_datasets()
    try:
        result = migrate.migrate(folder, target, dry_run=dry_run)
    except DatasetToolsError as error:
        click.echo(terminal(f"error: {error}"), err=True)
        sys.exit(EXIT_USAGE)
    if result.recovered:
        click.echo(terminal(f"completed an interrupted migration first: {', '.join(result.recovered)}"))
    for step in result.steps:
        click.echo(f"step: {step}")
    for table in result.tables:
        fields = "".join(
            [
                f"; added {', '.join(table.added)}" if table.added else "",
                f"; removed {', '.join(table.removed)}" if table.removed else "",
            ]
        )
        click.echo(f"{table.file}: {table.changed} of {table.records} record(s) changed{fields}")
    for problem in result.problems:
        line = f":{problem.line}" if problem.line else ""
        click.echo(terminal(f"{problem.file}{line}: {problem.code}: {problem.message}"), err=True)
    if result.problems:
        click.echo(f"Nothing was written: {len(result.problems)} record(s) cannot be migrated.", err=True)
        sys.exit(EXIT_INVALID)
    if result.source == result.target:
        click.echo(f"{folder} already follows schema {result.target}; nothing to do.")
    elif dry_run:
        click.echo(f"Would migrate {folder} from schema {result.source} to {result.target} (nothing written).")
    else:
        click.echo(
            f"Migrated {folder} from schema {result.source} to {result.target}: wrote {', '.join(result.written)}."
        )


def default_datasets() -> Path:
    """The repository's datasets/ folder; a usage error outside a repository that has one."""
    folder = repository_root() / "datasets"
    if not folder.is_dir():
        raise click.UsageError(
            "no PATH given and no datasets/ folder found here or above: run inside the repository, or give PATH"
        )
    return folder


def format_option(function: click.decorators.FC) -> click.decorators.FC:
    """The shared ``--format text|json|github`` option."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(sorted(formats.FORMATTERS)),
        default="text",
        show_default=True,
        help="text for people, json for tools, github for workflow annotations.",
    )(function)


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@format_option
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--max-errors",
    type=click.IntRange(min=1),
    help=f"Show at most N problems, errors first (text and github default: {formats.DEFAULT_MAX_ERRORS}; json: all).",
)
def validate(path: Path | None, output_format: str, strict: bool, max_errors: int | None) -> None:
    """Validate a dataset folder (default: the repository's datasets/) or one table file.

    Exit code 0 when valid, 1 when the data has errors (or warnings, with --strict),
    2 when the path cannot be read.
    """
    target = path or default_datasets()
    if max_errors is None and output_format != "json":
        max_errors = formats.DEFAULT_MAX_ERRORS
    try:
        result = validate_dataset(target, max_errors=max_errors, strict=strict)
    except DatasetToolsError as error:
        raise click.UsageError(terminal(str(error))) from error
    click.echo(formats.FORMATTERS[output_format](result))
    if output_format == "github" and (summary := os.environ.get("GITHUB_STEP_SUMMARY")):
        try:
            with Path(summary).open("a", encoding="utf-8") as handle:
                handle.write(formats.markdown_summary(result))
        except OSError as error:
            message = f"error: cannot append the summary to $GITHUB_STEP_SUMMARY ({summary}): {error.strerror or error}"
            click.echo(terminal(message + "; set it to a writable file, or unset it"), err=True)
            sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if result.valid else EXIT_INVALID)


@cli.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; list the files that are not canonical and exit 1.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="text for people, github for workflow annotations.",
)
@click.option(
    "--from-encoding",
    metavar="CODEC",
    help=(
        "The files are in this encoding (cp1252, latin-1, utf-16 …): convert them to UTF-8, losslessly. "
        "A file that is valid UTF-8 already is not converted."
    ),
)
def fmt_command(paths: tuple[Path, ...], check: bool, output_format: str, from_encoding: str | None) -> None:
    """Rewrite table files into canonical form (default: the repository's datasets/).

    Canonical form: the schema's columns in order, rows sorted by id, cells trimmed and
    in Unicode NFC, LF line ends, minimal quoting. Nothing is ever dropped: a file that
    cannot be formatted without loss is reported and left untouched, and so is an entry of
    a folder that is not read (a link out of it, a FIFO …). Exit code 0 when every file
    is (now) canonical, 1 when --check finds a file to change or a file cannot be
    formatted, 2 when a path cannot be read.
    """
    from dataset_tools.writing import fmt  # noqa: PLC0415 - loaded only for the command that uses it

    try:
        formatted = fmt.format_paths(paths or (default_datasets(),), check=check, from_encoding=from_encoding)
    except DatasetToolsError as error:
        raise click.UsageError(terminal(str(error))) from error
    github = output_format == "github"
    changes = formatted.changes
    for note in formatted.notes:
        click.echo(terminal(f"note: {note}"), err=True)
    for change in changes:
        for problem in change.problems:
            if github:
                click.echo(formats.annotation(problem))
            else:
                where = f"{problem.file}:{problem.line}" if problem.line else problem.file
                click.echo(terminal(f"{where}: {problem.message} [{problem.code}]"), err=True)
        if change.changed and check:
            message = f"{change.file} is not in canonical form; run `dataset-tools fmt` and commit the result"
            click.echo(
                workflow_command("error", message, file=change.file, title="fmt")
                if github
                else terminal(f"would reformat {change.file}")
            )
        elif change.changed:
            click.echo(terminal(f"reformatted {change.file}"))
    failed = [change for change in changes if change.problems]
    changed = [change for change in changes if change.changed]
    verb = "would be reformatted" if check else "reformatted"
    summary = f"{len(changed)} of {len(changes)} file(s) {verb}"
    if failed:
        summary += f"; {len(failed)} left untouched: fix the problems above, then run fmt again"
    click.echo(summary, err=True)
    sys.exit(EXIT_INVALID if failed or (check and changed) else EXIT_OK)


@cli.command("release")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--version", "version", help="Data release version (MAJOR.MINOR.PATCH); default: the package's version.")
@click.option("--out", type=click.Path(path_type=Path), help="Folder to build in; default: release/ in the repository.")
@click.option("--created", help="The package's `created` time (ISO 8601); default: SOURCE_DATE_EPOCH, else now.")
@click.option(
    "--previous", type=click.Path(path_type=Path), help="Release to compare with; default: the newest older one."
)
@click.option(
    "--install-into-package", is_flag=True, help="Also make it the release the wheel carries (dataset_tools/data/)."
)
@click.option("--force", is_flag=True, help="Replace a release of this version that an earlier run made.")
def release_command(
    path: Path | None,
    version: str | None,
    out: Path | None,
    created: str | None,
    previous: Path | None,
    install_into_package: bool,
    force: bool,
) -> None:
    """Validate a dataset folder (default: datasets/) and build a release from it.

    Writes OUT/coalitions-VERSION/ (datapackage.json, CSV, JSON, Parquet, SQLite with a
    Datasette metadata.json, schemas, data dictionary, RELEASE_NOTES.md) and
    OUT/coalitions-VERSION.zip, building in a temporary folder beside them and swapping
    the result in only when complete. It never replaces a folder or archive it did not
    make, nor one it made unless --force. Exit code 0 when built, 1 when the data does
    not validate (nothing is built), 2 on a usage error or unreadable input.
    """
    from dataset_tools.release import build as release  # noqa: PLC0415 - pyarrow loads only for this command
    from dataset_tools.release import loading  # noqa: PLC0415 - pandas loads only for this command

    out = out or repository_root() / "release"
    packaged = loading.packaged()
    try:
        version = version or release.default_version()
        stamp = release.created_from(created)
        before = previous or release.find_previous(out, version, packaged)
        built = release.build(
            path or default_datasets(), out, version=version, created=stamp, previous=before, force=force
        )
    except ReleaseRefused as error:
        click.echo(terminal(f"Release refused: {error}"), err=True)
        sys.exit(EXIT_INVALID)
    except DatasetToolsError as error:
        raise click.UsageError(terminal(str(error))) from error
    if install_into_package:
        release.install_into_package(built.folder, packaged)
        click.echo(f"installed into {packaged}")
    total = sum(built.counts.values())
    compared = f"; compared with {before}" if before else "; no previous release to compare"
    click.echo(f"built {built.folder} and {built.archive}: {total} records in {len(built.counts)} tables{compared}")


@cli.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, markdown for release notes and pull requests.",
)
@click.option("--exit-code", is_flag=True, help="Exit 1 when anything changed (as `git diff --exit-code`).")
def diff_command(old: Path, new: Path, output_format: str, exit_code: bool) -> None:
    """Records added, changed (field by field) and removed from OLD to NEW.

    OLD and NEW are each a release (folder or .zip) or a dataset folder.
    """
    from dataset_tools.release import diff  # noqa: PLC0415 - pyarrow loads only for this command

    try:
        changes = diff.compare(_release_tables(old), _release_tables(new))
    except DatasetToolsError as error:
        failure = click.ClickException(terminal(str(error)))
        failure.exit_code = EXIT_USAGE  # unreadable input: no usage banner, it is not a usage mistake
        raise failure from error
    if output_format == "json":
        click.echo(json_text(json.dumps(diff.to_json(changes), indent=2, ensure_ascii=False)))
    elif output_format == "markdown":
        click.echo(diff.to_markdown(changes), nl=False)
    else:
        click.echo(diff.to_text(changes), nl=False)
    sys.exit(EXIT_INVALID if exit_code and not changes.empty else EXIT_OK)


def data_option(function: click.decorators.FC) -> click.decorators.FC:
    """The shared ``--data PATH`` option: the release or dataset to read (default: the packaged release)."""
    return click.option(
        "--data",
        "data_path",
        type=click.Path(path_type=Path),
        help="A release (folder or .zip) or dataset folder; default: the release this package carries.",
    )(function)


@cli.command("find")
@click.argument("text")
@data_option
@click.option(
    "--table",
    "tables",
    multiple=True,
    help="Search only this table (repeatable): organisations, actors, coalition_events or sources; default: all.",
)
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Show at most N records.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for tools.",
)
def find_command(text: str, data_path: Path | None, tables: tuple[str, ...], limit: int, output_format: str) -> None:
    """Find records by name, alias or title, across scripts and spellings (as Dataset.find).

    Prints id, table, name, the spelling that matched and its score (100: exact), best
    first. Exit code 0 when something matched, 1 when nothing did, 2 on unreadable input.
    """
    from dataset_tools.release import loading  # noqa: PLC0415 - pandas loads only for this command

    if not text.strip():
        _fail(UsageError("give the name to look for, e.g. `dataset-tools find Daesh`"))
    try:
        found = loading.load(data_path).find(text, tables=tables or None, limit=limit)
    except DatasetToolsError as error:
        _fail(error)
    rows = found.to_dict(orient="records")
    if output_format == "json":
        click.echo(json.dumps([{**row, "score": float(row["score"])} for row in rows], indent=2, ensure_ascii=False))
    elif rows:
        for row in rows:
            shown = "" if row["matched"] == row["name"] else f"  (as “{row['matched']}”)"
            click.echo(f"{row['score']:5.1f}  {row['id']}  [{row['table']}]  {row['name']}{shown}")
    else:
        click.echo(f"nothing matches {text!r}", err=True)
    sys.exit(EXIT_OK if rows else EXIT_INVALID)


@cli.command("timeline")
@click.argument("record")
@data_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the SVG here; default: standard output.")
def timeline_command(record: str, data_path: Path | None, output: Path | None) -> None:
    """Draw RECORD's timeline as SVG (a coalition's members, or who listed whom, over time).

    For a coalition: its members over time and its events; for an organisation or a person:
    its designations by authority, positions, memberships and successions. RECORD is an id
    or an unambiguous name. Partial dates are drawn as the span they may fall in. Exit code
    0 when drawn, 2 when RECORD names no organisation or person.
    """
    from dataset_tools.release import loading  # noqa: PLC0415 - pandas loads only for this command

    try:
        drawing = loading.load(data_path).timeline(record).svg()
    except DatasetToolsError as error:
        _fail(error)
    if output is None:
        click.echo(drawing, nl=False)
        return
    try:
        output.write_text(drawing, encoding="utf-8", newline="\n")
    except OSError as error:
        _fail(UnreadableInput(f"{output}: cannot write there ({error.strerror}); give a writable path"))
    click.echo(f"wrote {output}", err=True)


def _fail(error: Exception) -> NoReturn:
    """Exit 2 with the message of an input that cannot be used, without a usage banner."""
    failure = click.ClickException(str(error))
    failure.exit_code = EXIT_USAGE
    raise failure from error


def _release_tables(path: Path) -> dict[str, pa.Table]:
    """``packages.read_tables(path)``; an archive or file it cannot read is :class:`UnreadableInput`."""
    from dataset_tools.reading import packages  # noqa: PLC0415 - pyarrow loads only for the commands that use it

    try:
        return packages.read_tables(path)
    except DatasetToolsError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise UnreadableInput(
            f"{path}: cannot be read ({error}); give a release folder or .zip, or a dataset folder"
        ) from None


def main() -> None:
    """The command line for a process that ends with the command.

    The console script runs it through :mod:`dataset_tools.console`, which handles signals first.
    Only here is the process tuned (:mod:`dataset_tools.process`); a caller of :func:`cli`
    keeps its process as it is. The interpreter shuts down as usual, so atexit handlers
    run and ``coverage run -m dataset_tools`` records (except after an interrupt: see
    :func:`dataset_tools.console.main`).
    """
    process.for_one_command()
    cli(obj=WHOLE_PROCESS)
