"""The command line: parse, call one library function, format, exit.

Exit codes: 0 valid, 1 invalid data, 2 usage error or unreadable input.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from dataset_tools import report as formats
from dataset_tools import schemas
from dataset_tools.errors import DatasetToolsError
from dataset_tools.validation import validate as validate_dataset

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


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
    """Write schemas/v1/*.json and docs/data-dictionary.md from the models."""
    root = repository_root()
    if check:
        stale = schemas.stale(root)
        for path in stale:
            click.echo(f"stale: {path}")
        if stale:
            click.echo(f"Run `{schemas.REGENERATE}` to regenerate.")
            sys.exit(EXIT_INVALID)
        click.echo("All generated files are current.")
        return
    changed = schemas.write(root)
    for path in changed:
        click.echo(f"wrote {path}")
    click.echo(f"{len(changed)} file(s) changed.")


def default_datasets() -> Path:
    """The repository's datasets/ folder."""
    return repository_root() / "datasets"


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
@click.option("--max-errors", type=click.IntRange(min=1), help="Show at most N problems.")
@click.option("--reference", is_flag=True, help="Check row by row through the models (slow; for cross-checking).")
def validate(path: Path | None, output_format: str, strict: bool, max_errors: int | None, reference: bool) -> None:
    """Validate a dataset folder (default: the repository's datasets/) or one table file.

    Exit code 0 when valid, 1 when the data has errors (or warnings, with --strict),
    2 when the path cannot be read.
    """
    target = path or default_datasets()
    try:
        result = validate_dataset(target, reference=reference, max_errors=max_errors)
    except DatasetToolsError as error:
        raise click.UsageError(str(error)) from error
    click.echo(formats.FORMATTERS[output_format](result))
    if output_format == "github" and (summary := os.environ.get("GITHUB_STEP_SUMMARY")):
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(formats.markdown_summary(result))
    failed = not result.valid or (strict and result.warnings > 0)
    sys.exit(EXIT_INVALID if failed else EXIT_OK)


def main() -> None:
    """Entry point of the ``dataset-tools`` console script."""
    cli()
