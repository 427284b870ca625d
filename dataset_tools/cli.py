"""The command line: parse, call one library function, format, exit.

Exit codes: 0 valid, 1 invalid data, 2 usage error or unreadable input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dataset_tools import schemas

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


def main() -> None:
    """Entry point of the ``dataset-tools`` console script."""
    cli()
