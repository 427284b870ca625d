"""The docs tell the truth: the Quick start's two commands, CI running the second, every command documented."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataset_tools.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "the Quick start section has no sh code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_exactly_two_commands_the_first_running_the_main_job():
    commands = quick_start()
    assert len(commands) == 2
    assert commands[0].endswith("dataset-tools release --force")  # rerunnable: replaces only its own release
    assert commands[1].endswith(".venv/bin/pytest")


def test_ci_runs_the_readmes_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start()[1] in script.splitlines()


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_docs(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    docs = README + (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert f"dataset-tools {command}" in docs
