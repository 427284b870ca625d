"""Hostile input: a fixture per case of issue 13, each with its exact outcome.

Each test builds its input at test time (large ones too), runs the command or function a
contributor or maintainer would, and asserts what the tool promises in SECURITY.md: a
problem or a clear error (exit 2), the input unchanged, nothing outside the folder read,
nothing of the user's deleted. Work is bounded by construction (length caps, one pass), so
no test times anything: a regression shows as a wrong outcome, or as a test that hangs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dataset_tools import validate
from dataset_tools.cli import cli
from dataset_tools.console import _stop
from dataset_tools.errors import UnreadableInput, UsageError
from dataset_tools.escape import json_text, markdown, terminal, workflow_command
from dataset_tools.reading import files as validator_files
from dataset_tools.reading.tables import TableFile
from dataset_tools.release import build as release
from dataset_tools.schema import migrate
from dataset_tools.schema.models import TABLES, columns
from dataset_tools.validation import deceptive
from dataset_tools.validation.validator import _validate as oracle  # the private reference path
from dataset_tools.writing import atomic, fmt, transaction

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
RELEASE_INPUT = FIXTURES / "release" / "new"
CREATED = "2025-01-01T00:00:00Z"
HEADER = "id,name,aliases,kind,country,parent_id,founded,dissolved,wikidata_id,source_ids,notes\n"
"""The columns the organisations rows below are written in: valid whatever optional columns the model adds."""


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: a file's bytes, a link's target."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = "-> " + str(path.readlink())
        elif path.is_file():
            found[name] = path.read_bytes()
    return found


def dataset(tmp_path: Path, name: str = "data", **appended: str) -> Path:
    """A copy of the valid fixture, with lines appended to some of its files."""
    folder = tmp_path / name
    shutil.copytree(VALID, folder)
    for table, text in appended.items():
        with (folder / f"{table}.csv").open("a", encoding="utf-8", newline="") as handle:
            handle.write(text)
    return folder


def lines_of(folder: Path, table: str) -> int:
    return len((folder / f"{table}.csv").read_bytes().splitlines())


# --- release writes only what it made (issue 13: 2, 3, 5; issue 16: 8) -------------------------


def test_release_refuses_to_replace_its_own_input(tmp_path):
    out = tmp_path / "out"
    data = out / "coalitions-1.0.0"
    shutil.copytree(RELEASE_INPUT, data)
    before = snapshot(out)
    args = ["release", str(data), "--out", str(out), "--version", "1.0.0", "--created", CREATED]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "would replace the dataset being released" in result.output
    assert snapshot(out) == before


def test_release_refuses_an_output_inside_its_input(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(RELEASE_INPUT, data)
    before = snapshot(data)
    with pytest.raises(UsageError, match="inside the dataset"):
        release.build(data, data / "release", version="1.0.0", created=CREATED)
    assert snapshot(data) == before


def test_release_never_removes_a_folder_it_did_not_make(tmp_path):
    out = tmp_path / "out"
    mine = out / "coalitions-1.0.0"
    mine.mkdir(parents=True)
    (mine / "analysis.ipynb").write_text("{}")
    before = snapshot(out)
    for force in (False, True):
        with pytest.raises(UsageError, match="was not made by `dataset-tools release`"):
            release.build(RELEASE_INPUT, out, version="1.0.0", created=CREATED, force=force)
        assert snapshot(out) == before


def test_release_never_overwrites_a_zip_it_did_not_make(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "coalitions-1.0.0.zip").write_bytes(b"my own archive")
    with pytest.raises(UsageError, match=r"coalitions-1\.0\.0\.zip exists and was not made"):
        release.build(RELEASE_INPUT, out, version="1.0.0", created=CREATED, force=True)
    assert snapshot(out) == {"coalitions-1.0.0.zip": b"my own archive"}


def test_release_replaces_its_own_release_only_with_force(tmp_path):
    out = tmp_path / "out"
    first = release.build(RELEASE_INPUT, out, version="1.0.0", created=CREATED)
    assert (first.folder / release.MARKER).is_file()
    with zipfile.ZipFile(first.archive) as archive:
        assert archive.comment == release.ZIP_COMMENT
        assert not [name for name in archive.namelist() if name.endswith(release.MARKER)]
    before = snapshot(out)
    with pytest.raises(UsageError, match="already exists; nothing was changed: add --force"):
        release.build(RELEASE_INPUT, out, version="1.0.0", created=CREATED)
    assert snapshot(out) == before
    release.build(RELEASE_INPUT, out, version="1.0.0", created=CREATED, force=True)
    assert snapshot(out) == before  # byte-identical, and nothing left beside it
    assert sorted(path.name for path in out.iterdir()) == ["coalitions-1.0.0", "coalitions-1.0.0.zip"]


@pytest.mark.parametrize(
    "previous",
    [
        pytest.param(lambda tmp: tmp / "missing", id="missing"),
        pytest.param(lambda tmp: (tmp / "not.zip").write_bytes(b"PK\x03\x04 cut") and tmp / "not.zip", id="bad-zip"),
    ],
)
def test_a_failed_release_leaves_the_existing_release_untouched(tmp_path, previous):
    out = tmp_path / "out"
    release.build(RELEASE_INPUT, out, version="1.0.0", created=CREATED)
    before = snapshot(out)
    args = ["release", str(RELEASE_INPUT), "--out", str(out), "--version", "1.0.0", "--force"]
    result = CliRunner().invoke(cli, [*args, "--previous", str(previous(tmp_path))])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert sorted(path.name for path in out.iterdir()) == ["coalitions-1.0.0", "coalitions-1.0.0.zip"]


def test_release_out_naming_a_file_is_a_usage_error(tmp_path):
    target = tmp_path / "release.txt"
    target.write_text("keep me")
    result = CliRunner().invoke(cli, ["release", str(RELEASE_INPUT), "--out", str(target), "--version", "1.0.0"])
    assert result.exit_code == 2
    assert f"--out {target} is a file; give the folder to build releases in" in result.output
    assert target.read_text() == "keep me"


# --- migrate loses nothing and writes all files or none (issue 13: 4, 6) -----------------------

V1 = {"name": "coalitions", "x-schema-version": "1.0.0"}


def identity_migration(tables: tuple[str, ...]) -> migrate.Migration:
    """Schema 1 → 2 where each table gains a field ``extra`` (empty): every file is rewritten."""
    from dataset_tools.schema.models import TABLES, columns  # noqa: PLC0415

    steps = {}
    for table in tables:
        fields = tuple(column.name for column in columns(TABLES[table]))
        lists = frozenset(column.name for column in columns(TABLES[table]) if column.is_list)
        steps[table] = migrate.TableMigration(
            fields, (*fields, "extra"), dict, dict, source_lists=lists, target_lists=lists
        )
    return migrate.Migration(1, 2, "2.0.0", "adds extra", steps)


def migration_folder(tmp_path: Path) -> Path:
    folder = dataset(tmp_path)
    (folder / "datapackage.json").write_text(json.dumps(V1))
    return folder


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        (
            "organisations.csv",
            "id,name,name,kind,source_ids\nx,First,Second,state,src\n",
            ("organisations.csv", 1, "name", "column(s) name appear twice"),
        ),
        (
            "organisations.json",
            '[{"id": "x", "name": "First", "name": "Second", "kind": "state", "source_ids": ["src"]}]\n',
            ("organisations.json", 1, "name", "'name' appears more than once in this record"),
        ),
    ],
    ids=["csv-column", "json-key"],
)
def test_migrate_refuses_a_field_written_twice(tmp_path, name, text, problem):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "datapackage.json").write_text(json.dumps(V1))
    (folder / name).write_text(text)
    before = snapshot(folder)
    result = migrate.migrate(folder, 2, migrations=[identity_migration(("organisations",))])
    found = [(Path(p.file).name, p.line, p.field, p.message.split(";")[0]) for p in result.problems]
    assert found == [problem]
    assert [p.code for p in result.problems] == ["migration-error"]
    assert result.written == []
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "the JSON is nested too deeply to read"),
        ('[{"id": "x", "name": ' + "9" * 5000 + "}]", "a JSON number of 5000 digits"),
        (
            '[{"id": "x", "name": "a\\ud800", "kind": "state", "source_ids": ["s"]}]',
            "a JSON escape of half a character",
        ),
    ],
    ids=["deep", "long-number", "lone-surrogate"],
)
def test_migrate_refuses_json_it_cannot_carry_without_a_traceback(tmp_path, text, message):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "datapackage.json").write_text(json.dumps(V1))
    (folder / "organisations.json").write_text(text)
    before = snapshot(folder)
    result = migrate.migrate(folder, 2, migrations=[identity_migration(("organisations",))])
    assert [(p.code, p.message[: len(message)]) for p in result.problems] == [("migration-error", message)]
    assert snapshot(folder) == before


def test_migrate_writes_every_file_as_one_unit(tmp_path):
    folder = migration_folder(tmp_path)
    result = migrate.migrate(folder, 2, migrations=[identity_migration(("organisations", "actors"))])
    assert sorted(result.written) == ["actors.csv", "datapackage.json", "organisations.csv"]
    assert (folder / "organisations.csv").read_text().splitlines()[0].endswith(",extra")
    assert (folder / "actors.csv").read_text().splitlines()[0].endswith(",extra")
    assert json.loads((folder / "datapackage.json").read_text())["x-schema-version"] == "2.0.0"
    assert not [path.name for path in folder.iterdir() if path.name.startswith(".")]


def test_a_migration_killed_during_the_swap_is_completed_by_the_next_run(tmp_path, monkeypatch):
    folder = migration_folder(tmp_path)
    chain = [identity_migration(("organisations", "actors"))]
    real_replace = Path.replace
    done = []

    def killed_after_one(self: Path, target: Path) -> Path:
        if self.name.endswith(transaction.NEW):
            if done:
                raise KeyboardInterrupt  # the process dies between two file writes
            done.append(self)
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        migrate.migrate(folder, 2, migrations=chain)
    monkeypatch.setattr(Path, "replace", real_replace)
    assert (folder / transaction.JOURNAL).is_file()  # one table migrated, the other not yet
    headers = {
        name: (folder / name).read_text().splitlines()[0].endswith(",extra")
        for name in ("actors.csv", "organisations.csv")
    }
    assert sorted(headers.values()) == [False, True]

    result = migrate.migrate(folder, 2, migrations=chain)  # the rerun completes, then has nothing to do
    assert result.source == result.target == "2.0.0"
    assert sorted(result.recovered) == ["datapackage.json", "organisations.csv"]
    for name in ("actors.csv", "organisations.csv"):
        assert (folder / name).read_text().splitlines()[0].endswith(",extra")
    assert not [path.name for path in folder.iterdir() if path.name.startswith(".")]


def test_a_migration_killed_before_the_swap_is_rolled_back(tmp_path, monkeypatch):
    folder = migration_folder(tmp_path)
    before = snapshot(folder)
    real_stage = atomic.stage
    staged = []

    def killed_while_staging(path: Path, data: bytes, name: str | None = None) -> Path:
        if staged:
            raise KeyboardInterrupt
        staged.append(real_stage(path, data, name))
        return staged[-1]

    monkeypatch.setattr(transaction, "stage", killed_while_staging)
    with pytest.raises(KeyboardInterrupt):
        migrate.migrate(folder, 2, migrations=[identity_migration(("organisations", "actors"))])
    assert snapshot(folder) == before  # the new file written so far was removed on the way out


def test_a_dry_run_after_an_interrupted_migration_changes_nothing_and_says_so(tmp_path):
    folder = migration_folder(tmp_path)
    (folder / f".organisations.csv{transaction.NEW}").write_text("half a migration")
    (folder / transaction.JOURNAL).write_text(json.dumps({"files": ["organisations.csv"]}))
    before = snapshot(folder)
    with pytest.raises(UsageError, match="an earlier migration was interrupted; a dry run changes nothing"):
        migrate.migrate(folder, 2, migrations=[identity_migration(("organisations",))], dry_run=True)
    assert snapshot(folder) == before


def test_validate_and_release_refuse_a_folder_a_migration_left_half_done(tmp_path):
    folder = migration_folder(tmp_path)
    (folder / f".organisations.csv{transaction.NEW}").write_text("half a migration")
    (folder / transaction.JOURNAL).write_text(json.dumps({"files": ["organisations.csv"]}))
    before = snapshot(folder)
    with pytest.raises(UnreadableInput, match="a migration was interrupted here"):
        validate(folder)
    for args in (["validate", str(folder)], ["release", str(folder), "--out", str(tmp_path / "out")]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert "dataset-tools migrate --to N" in result.output
    assert snapshot(folder) == before
    assert not (tmp_path / "out").exists()


def test_a_leftover_new_file_is_rolled_back_by_the_next_run(tmp_path):
    folder = migration_folder(tmp_path)
    (folder / f".organisations.csv{transaction.NEW}").write_text("half a migration")
    assert transaction.recover(folder) == []
    assert not (folder / f".organisations.csv{transaction.NEW}").exists()


def test_a_journal_naming_files_outside_the_folder_is_refused(tmp_path):
    folder = migration_folder(tmp_path)
    (tmp_path / f".victim{transaction.NEW}").write_text("x")
    (folder / transaction.JOURNAL).write_text(json.dumps({"files": ["../victim"]}))
    with pytest.raises(UnreadableInput, match="names files outside the folder"):
        transaction.recover(folder)
    assert (tmp_path / f".victim{transaction.NEW}").exists()


def test_migrate_refuses_a_file_that_changed_while_it_worked(tmp_path, monkeypatch):
    folder = migration_folder(tmp_path)
    real_stage = atomic.stage

    def append_meanwhile(path: Path, data: bytes, name: str | None = None) -> Path:
        with (folder / "organisations.csv").open("a") as handle:
            handle.write("late,Late Row,,state,TR,,,,,src-example-report,\n")
        return real_stage(path, data, name)

    monkeypatch.setattr(transaction, "stage", append_meanwhile)
    with pytest.raises(UnreadableInput, match="changed while it was being rewritten"):
        migrate.migrate(folder, 2, migrations=[identity_migration(("organisations",))])
    assert (folder / "organisations.csv").read_text().endswith("late,Late Row,,state,TR,,,,,src-example-report,\n")
    assert not [path.name for path in folder.iterdir() if path.name.startswith(".")]


# --- fmt: nothing lost, links kept, no litter (issue 13: 7, low) --------------------------------

MESSY = HEADER + "b,  B  ,,state,TR,,,,,src,\na,A,,state,TR,,,,,src,\n"


def test_fmt_refuses_a_file_that_changed_while_it_ran(tmp_path, monkeypatch):
    path = tmp_path / "organisations.csv"
    path.write_text(MESSY)
    real = fmt.canonical

    def append_meanwhile(*args: object) -> object:
        with path.open("a") as handle:
            handle.write("c,C,,state,TR,,,,,src,\n")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(fmt, "canonical", append_meanwhile)
    result = CliRunner().invoke(cli, ["fmt", str(path)])
    assert result.exit_code == 2
    assert "changed while it was being rewritten; nothing was written to it" in result.output
    assert path.read_text() == MESSY + "c,C,,state,TR,,,,,src,\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["organisations.csv"]


def test_fmt_keeps_a_symlinked_table_a_link(tmp_path):
    (tmp_path / "organisations.real").write_text(MESSY)
    (tmp_path / "organisations.csv").symlink_to("organisations.real")
    change = fmt.format_file(tmp_path / "organisations.csv")
    assert change.changed
    assert (tmp_path / "organisations.csv").readlink() == Path("organisations.real")
    names = [column.name for column in columns(TABLES["organisations"])]
    rows = [{"id": key, "name": key.upper(), "kind": "state", "country": "TR", "source_ids": "src"} for key in "ab"]
    lines = [names, *([row.get(name, "") for name in names] for row in rows)]
    assert (tmp_path / "organisations.real").read_text() == "".join(",".join(cells) + "\n" for cells in lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["organisations.csv", "organisations.real"]


def test_fmt_never_reads_a_link_out_of_its_folder(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("SECRET_TOKEN=hunter2,x\n")
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "actors.csv").symlink_to(secret)
    link = folder / "actors.csv"
    for args in (["fmt", "--check", "--format", "github", str(folder)], ["fmt", str(folder)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1  # one problem, as validate reports it (issue 16: 3)
        assert "actors.csv is a link to a file outside the dataset folder, which is never read" in result.output
        assert "hunter2" not in result.output
    named = CliRunner().invoke(cli, ["fmt", str(link)])  # a file named alone is bounded by its own folder
    assert named.exit_code == 2
    assert f"{link}: is a link to a file outside the dataset folder, which is never read" in named.output
    assert "hunter2" not in named.output
    assert secret.read_text() == "SECRET_TOKEN=hunter2,x\n"


def test_fmt_on_a_full_disk_is_a_clear_error_and_the_input_is_intact(tmp_path, monkeypatch):
    path = tmp_path / "organisations.csv"
    path.write_text(MESSY)

    def full(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    result = CliRunner().invoke(cli, ["fmt", str(tmp_path)])
    assert result.exit_code == 2
    assert "organisations.csv: cannot write (No space left on device); it is unchanged" in result.output
    assert "Traceback" not in result.output
    assert path.read_text() == MESSY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["organisations.csv"]


def test_fmt_in_a_read_only_folder_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "organisations.csv"
    path.write_text(MESSY)

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")  # what a read-only folder gives (root is never refused)

    monkeypatch.setattr(atomic.tempfile, "NamedTemporaryFile", read_only)
    result = CliRunner().invoke(cli, ["fmt", str(tmp_path)])
    assert result.exit_code == 2
    assert "organisations.csv: cannot write beside it (Permission denied); it is unchanged" in result.output
    assert path.read_text() == MESSY


def test_fmt_leaves_no_temporary_file_after_sigterm(tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_text(MESSY)
    script = (
        "import os, signal, sys\n"
        "import dataset_tools.writing.atomic as atomic\n"
        "real = atomic.os.fsync\n"
        "def killed(descriptor):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    real(descriptor)\n"
        "atomic.os.fsync = killed\n"
        f"sys.argv = ['dataset-tools', 'fmt', {str(tmp_path)!r}]\n"
        "from dataset_tools.console import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert path.read_text() == MESSY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["organisations.csv"]


def test_sigterm_ends_the_command_by_an_exception():
    with pytest.raises(SystemExit) as stop:
        _stop(signal.SIGTERM, None)
    assert stop.value.code == 128 + signal.SIGTERM


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("organisations.json", "[" * 100_000 + "]" * 100_000, (1, "parse-error", "the JSON is nested too deeply")),
        ("organisations.jsonl", "[" * 100_000 + "\n", (1, "parse-error", "the JSON is nested too deeply")),
        (
            "organisations.json",
            '[\n{"id": "a", "name": "x\\ud800", "kind": "state", "source_ids": ["s"]}]\n',
            (2, "encoding-error", "a JSON escape of half a character"),
        ),
        (
            "organisations.jsonl",
            '{"id": "a", "name": ' + "9" * 5000 + "}\n",
            (1, "type-error", "a JSON number of 5000 digits"),
        ),
        (
            "organisations.json",
            '[{"id": "a", "name": ' + "9" * 5000 + "}]\n",
            (1, "type-error", "a JSON number of 5000 digits"),
        ),
    ],
    ids=["deep-array", "deep-line", "lone-surrogate", "long-number-jsonl", "long-number-json"],
)
def test_fmt_refuses_json_it_cannot_read_without_a_traceback(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    change = fmt.format_file(path)
    assert [(p.line, p.code, p.message[: len(expected[2])]) for p in change.problems] == [expected]
    assert not change.changed
    assert path.read_text() == text


def test_fmt_never_waits_on_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "organisations.csv")
    with pytest.raises(UnreadableInput, match="not a regular file"):
        fmt.format_file(tmp_path / "organisations.csv")


# --- bounded work (issue 13: 9; issue 16: 5) --------------------------------------------------


def test_a_megabyte_id_and_reference_get_no_hint(tmp_path):
    long_id = "a" * 1_000_000
    folder = dataset(
        tmp_path,
        organisations=f"{long_id}b,State D,,state,JO,{long_id}c,,,,src-example-report,\n",
    )
    row = lines_of(folder, "organisations")
    found = {(p.line, p.field, p.code, p.hint) for p in validate(folder).problems}
    assert found == {  # no "did you mean": a hint compares at most hints.LONGEST characters
        (row, "id", "constraint-error", "shorten it, or move detail into notes"),
        (row, "parent_id", "constraint-error", "shorten it, or move detail into notes"),
        (row, "parent_id", "foreign-key", "add the record to organisations, or correct the id"),
    }


def test_caps_keep_errors_before_warnings_and_count_what_they_leave_out(tmp_path):
    warnings = "".join(f"org-{n},=formula {n},,state,JO,,,,,src-example-report,\n" for n in range(5))
    folder = dataset(tmp_path, organisations=warnings + "org-bad,Bad,,nonsense,JO,,,,,src-example-report,\n")
    report = validate(folder, max_errors=2)
    assert [(p.code, p.severity.value) for p in report.problems] == [
        ("formula-cell", "warning"),
        ("constraint-error", "error"),
    ]
    result = CliRunner().invoke(cli, ["validate", str(folder), "--max-errors", "1"])
    assert result.exit_code == 1
    assert "[constraint-error, error]" in result.output
    assert "[formula-cell" not in result.output
    assert result.output.rstrip().endswith("; not shown: 0 errors, 5 warnings (--max-errors)")


def test_annotations_keep_errors_first_and_count_the_rest_by_severity(tmp_path):
    warnings = "".join(f"org-{n},=formula {n},,state,JO,,,,,src-example-report,\n" for n in range(12))
    folder = dataset(tmp_path, organisations=warnings + "org-bad,Bad,,nonsense,JO,,,,,src-example-report,\n")
    lines = CliRunner().invoke(cli, ["validate", str(folder), "--format", "github"]).stdout.splitlines()
    assert lines[0].startswith("::error ")
    assert "title=constraint-error in kind::" in lines[0]
    assert [line.split(" ", 1)[0] for line in lines[1:10]] == ["::warning"] * 9
    assert lines[10] == (
        "::notice::3 more problem(s) not annotated (0 errors, 3 warnings); see the job summary or run validate locally"
    )


def test_text_and_github_outputs_are_capped_by_default(tmp_path):
    rows = "".join(f"org-{n},=f{n},,state,JO,,,,,src-example-report,\n" for n in range(250))
    folder = dataset(tmp_path, organisations=rows)
    text = CliRunner().invoke(cli, ["validate", str(folder)]).output
    assert text.count("[formula-cell, warning]") == 200
    assert text.rstrip().endswith("; not shown: 0 errors, 50 warnings (--max-errors)")
    document = json.loads(CliRunner().invoke(cli, ["validate", str(folder), "--format", "json"]).output)
    assert (len(document["problems"]), document["omitted"]) == (250, 0)


# --- one escaping function for every workflow command (issue 16: 6) ----------------------------


def test_fmt_check_annotations_escape_paths(tmp_path, monkeypatch):
    folder = tmp_path / "data, v2: 100%"
    folder.mkdir()
    (folder / "organisations.csv").write_text(MESSY)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["fmt", "--check", "--format", "github", "data, v2: 100%"])
    assert result.exit_code == 1
    expected = (
        "::error file=data%2C v2%3A 100%25/organisations.csv,title=fmt::data, v2: 100%25/organisations.csv "
        "is not in canonical form; run `dataset-tools fmt` and commit the result"
    )
    assert result.stdout.splitlines() == [expected]


def test_workflow_commands_cannot_be_ended_early_or_spoofed():
    assert workflow_command("error", "a\n::warning::fake", file="x,line=1::y") == (
        "::error file=x%2Cline=1%3A%3Ay::a%0A::warning::fake"
    )


# --- text that cannot deceive (issue 13: low) -------------------------------------------------


def test_bidi_overrides_and_escape_sequences_in_names_are_errors_and_never_printed_raw(tmp_path):
    folder = dataset(
        tmp_path,
        organisations=(
            "state-c,State \u202eC,,state,JO,,,,,src-example-report,\n"
            "state-d,State \x1b[2JD,,state,JO,,,,,src-example-report,\n"
            "state-e,دولة\u200cای,,state,JO,,,,,src-example-report,\n"  # ZWNJ, as Persian writes it: fine
        ),
    )
    row = lines_of(folder, "organisations") - 2
    for reference in (False, True):
        found = [(p.line, p.field, p.code) for p in oracle(folder, reference=reference).problems]
        assert found == [(row, "name", "deceptive-character"), (row + 1, "name", "deceptive-character")]
    for output in ("text", "github", "json"):
        printed = CliRunner().invoke(cli, ["validate", str(folder), "--format", output]).output
        assert "\u202e" not in printed
        assert "\x1b" not in printed
        assert "U+202E RIGHT-TO-LEFT OVERRIDE" in printed
    values = [
        p["value"]
        for p in json.loads(CliRunner().invoke(cli, ["validate", str(folder), "--format", "json"]).output)["problems"]
    ]
    assert values == ["State \u202eC", "State \x1b[2JD"]  # the JSON value itself is intact


def test_a_cyrillic_look_alike_is_a_possible_duplicate(tmp_path):
    folder = dataset(
        tmp_path,
        organisations=(
            "isis,Islamic State,,armed-group,,,,,,src-example-report,\n"
            "isis-2,\u0406slamic \u0405tate,,armed-group,,,,,,src-example-report,\n"
        ),
    )
    row = lines_of(folder, "organisations")
    assert [(p.line, p.field, p.code) for p in validate(folder).problems] == [(row, "name", "possible-duplicate")]


def test_formula_cells_are_warned_about(tmp_path):
    folder = dataset(
        tmp_path,
        organisations='state-c,"=HYPERLINK(""http://x"",""y"")",Fine;@alias,state,JO,,,,,src-example-report,\n',
    )
    row = lines_of(folder, "organisations")
    found = [(p.line, p.field, p.code) for p in validate(folder).problems]
    assert found == [(row, "aliases", "formula-cell"), (row, "name", "formula-cell")]


def test_markdown_and_html_in_names_are_escaped_in_release_notes_and_diff(tmp_path):
    old = release.build(RELEASE_INPUT, tmp_path / "old", version="1.0.0", created=CREATED)
    data = tmp_path / "data"
    shutil.copytree(RELEASE_INPUT, data)
    with (data / "organisations.csv").open("a", encoding="utf-8") as handle:
        handle.write('evil,"<img src=x onerror=alert(1)> [click](http://x) | **b**",,state,JO,,,,,un-sc-2253,\n')
    built = release.build(data, tmp_path / "new", version="1.1.0", created=CREATED, previous=old.folder)
    notes = (built.folder / "RELEASE_NOTES.md").read_text()
    expected = markdown("<img src=x onerror=alert(1)> [click](http://x) | **b**")
    assert expected in notes
    assert not re.search(r"(?<!\\)<img", notes)
    result = CliRunner().invoke(cli, ["diff", str(old.folder), str(built.folder), "--format", "markdown"])
    assert expected in result.output
    assert not re.search(r"(?<!\\)<img", result.output)


ALLOWED = "aZ09 -\t\u00e9\u0627\u200c\u200d\u2013\U0001f600"
"""Letters, digits, a tab, an accent, Arabic, the joiners, a dash, an emoji: all fine in a name."""
REFUSED = "\x1b\x7f\x85\u00ad\u034f\u061c\u200b\u202e\u2066\u3164\ufe0f\ufeff\U000e0041"
"""Controls (C0, DEL, C1), soft hyphen, CGJ, ALM, ZWSP, RLO, LRI, Hangul filler, VS16, BOM, a tag."""


@given(st.lists(st.text(alphabet=ALLOWED + REFUSED, max_size=12), min_size=1, max_size=20))
def test_the_byte_scan_finds_exactly_the_refused_characters(texts):
    expected = [row for row, text in enumerate(texts) if set(text) & set(REFUSED)]
    assert deceptive.refused_rows(pa.chunked_array([pa.array(texts, pa.string())])).tolist() == expected


def test_terminal_escaping_keeps_joiners_and_escapes_the_rest():
    assert terminal("a\x1b[31mb\u202ec\u200bd\u200ce\u200df\n") == "a\\x1b[31mb\\u202ec\\u200bd\u200ce\u200df\\n"
    assert markdown("a_b <i>") == "a\\_b \\<i\\>"


def test_a_text_starting_with_a_combining_mark_is_warned_about_in_every_field_and_printed_escaped(tmp_path):
    folder = dataset(
        tmp_path,
        organisations=(
            "state-c,\u0301Unique Group,Fine;\u0301Alias,state,JO,,,,,src-example-report,\u0651note\n"
            'state-d,Caf\u00e9 e\u0301 \u062a\u064e,,state,JO,,,,,src-example-report,"a \u0301word\nand \u0302a line"\n'
        ),
    )
    row = lines_of(folder, "organisations") - 2
    for reference in (False, True):
        found = [(p.line, p.field, p.code, p.message) for p in oracle(folder, reference=reference).problems]
        assert found == [
            (row, "aliases", "stray-combining-mark", "aliases has an item that starts with " + ACUTE + SITS),
            (row, "name", "stray-combining-mark", "name starts with " + ACUTE + SITS),
            (row, "notes", "stray-combining-mark", "notes starts with U+0651 ARABIC SHADDA" + SITS),
            (row + 1, "notes", "stray-combining-mark", "notes has a word that starts with " + ACUTE + SITS),
        ]
    text = CliRunner().invoke(cli, ["validate", str(folder)]).output
    assert (
        "hint: remove it, or write it after the letter it belongs to (or write the accented letter itself); "
        "to show the mark on its own, write it after a no-break space (U+00A0)"
    ) in text
    json_output = CliRunner().invoke(cli, ["validate", str(folder), "--format", "json"]).output
    assert '"value": "\\u0301Unique Group"' in json_output
    assert json.loads(json_output)["problems"][1]["value"] == "\u0301Unique Group"  # the JSON value itself is intact


TEXT_FIELDS = sorted(
    (table, column.name)
    for table, model in TABLES.items()
    for column in columns(model)
    if column.pattern in deceptive.FREE_TEXT
)


@pytest.mark.parametrize(("table", "field"), TEXT_FIELDS, ids=[".".join(pair) for pair in TEXT_FIELDS])
def test_every_text_field_is_checked_for_stray_combining_marks(table, field):
    data = pa.table({field: pa.array(["Fine", "\u0301Stray", "Caf\u00e9"], pa.string())})
    tf = TableFile(table=table, path=Path("t.csv"), file="t.csv", format="csv", data=data, lines=np.array([2, 3, 4]))
    found = [(p.line, p.field, p.code) for p in deceptive.stray_combining_marks(tf)]
    assert found == [(3, field, "stray-combining-mark")]


ACUTE = "U+0301 COMBINING ACUTE ACCENT"
SITS = ", a combining mark with no letter before it to sit on"
MARKED = "aZ ;\t\n\u00a0\u2028\u0301\u0651\u093f\u20dd\u0627\u0915\u200d\U0001f600"
"""Letters (Latin, Arabic, Devanagari), spaces, the list delimiter, marks (Mn, Mc, Me), a joiner, an emoji."""


@given(st.lists(st.text(alphabet=MARKED, max_size=8), min_size=1, max_size=12), st.booleans())
def test_the_column_scan_finds_exactly_the_texts_with_a_stray_mark(texts, is_list):
    expected = [row for row, text in enumerate(texts) if deceptive.stray_mark(text, is_list) is not None]
    found = deceptive.stray_rows(pa.chunked_array([pa.array(texts, pa.string())]), is_list=is_list)
    assert found.tolist() == expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("'\u0301Unique Group'", "'\\u0301Unique Group'"),  # the accent would sit on the quote
        ("a \u0301\u0302b", "a \\u0301\\u0302b"),  # on the space, both
        ("Cafe\u0301 \u062a\u064e \u0915\u093f", "Cafe\u0301 \u062a\u064e \u0915\u093f"),  # on their letters
    ],
)
def test_a_combining_mark_with_no_letter_is_printed_escaped(text, shown):
    assert terminal(text) == shown
    assert json.loads(json_text(json.dumps(text, ensure_ascii=False))) == text
    assert json_text(json.dumps(text, ensure_ascii=False)) == json.dumps(shown, ensure_ascii=False).replace(
        "\\\\", "\\"
    )


# --- the folder boundary and big numbers: other parts of the work (issue 13: 1, 8, 9) --------


def test_validate_never_reads_a_link_out_of_its_folder(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("SECRET_TOKEN=hunter2,x\n")
    folder = dataset(tmp_path)
    (folder / "actors.csv").unlink()
    (folder / "actors.csv").symlink_to(secret)
    printed = CliRunner().invoke(cli, ["validate", str(folder), "--format", "github"]).output
    assert "hunter2" not in printed


def test_a_5000_digit_json_number_is_a_type_error(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    (folder / "actors.csv").unlink()
    (folder / "actors.json").write_text(
        '[{"id": "x", "name": ' + "9" * 5000 + ', "source_ids": ["src-example-report"]}]'
    )
    found = [(p.field, p.code) for p in validate(folder).problems]
    assert ("name", "type-error") in found


# --- no traceback on a user's mistake (issue 16: 8) -------------------------------------------


@pytest.mark.parametrize(
    "content", [b"not a zip", b"PK\x03\x04junk", None], ids=["plain-text", "zip-magic-only", "truncated-release"]
)
def test_diff_of_a_broken_archive_is_a_clear_error(tmp_path, content):
    archive = tmp_path / "broken.zip"
    if content is None:
        built = release.build(RELEASE_INPUT, tmp_path / "out", version="1.0.0", created=CREATED)
        whole = built.archive.read_bytes()
        content = whole[: len(whole) // 2]
    archive.write_bytes(content)
    result = CliRunner().invoke(cli, ["diff", str(RELEASE_INPUT), str(archive)])
    assert result.exit_code == 2
    assert f"{archive}: cannot be read (" in result.output
    assert "give a release folder or .zip, or a dataset folder" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_unwritable_step_summary_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing" / "summary.md"))
    result = CliRunner().invoke(cli, ["validate", str(VALID), "--format", "github"])
    assert result.exit_code == 2
    assert "cannot append the summary to $GITHUB_STEP_SUMMARY" in result.stderr
    assert isinstance(result.exception, SystemExit)


INTERRUPTED_WHILE_CHECKING = """
import os, signal, sys, threading, time
from dataset_tools.validation import validator

def stuck(tf):  # a file's check that would run for a minute
    if tf.table == "organisations":
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(60)
    return iter(())

validator.FILE_CHECKS.insert(0, stuck)
sys.argv = ["dataset-tools", "validate", sys.argv[1]]
from dataset_tools.console import main
main()
"""


INTERRUPTED_WHILE_IMPORTING = """
import builtins, os, signal, sys, time
real = builtins.__import__

def slow(name, *args, **kwargs):
    if name == "dataset_tools.cli":
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)
    return real(name, *args, **kwargs)

builtins.__import__ = slow
sys.argv = ["dataset-tools", "validate", sys.argv[1]]
from dataset_tools.console import main
main()
"""


@pytest.mark.parametrize(
    "script", [INTERRUPTED_WHILE_CHECKING, INTERRUPTED_WHILE_IMPORTING], ids=["while checking", "while loading"]
)
def test_ctrl_c_ends_the_command_at_once_with_130_and_no_traceback(script):
    # a check still running is not waited for (the timeout would fail the test), nor the ones queued
    done = subprocess.run(
        [sys.executable, "-c", script, str(VALID)], capture_output=True, text=True, timeout=45, check=False
    )
    assert (done.returncode, done.stderr) == (128 + signal.SIGINT, "")


def test_a_table_file_gone_between_listing_and_reading_is_one_problem(tmp_path, monkeypatch):
    folder = tmp_path / "race"
    shutil.copytree(VALID, folder)
    listed = validator_files.list_dataset

    def listing_then_gone(root, display):
        found = listed(root, display)
        (Path(root) / "sources.csv").unlink()  # removed after the listing, before its size is asked
        return found

    monkeypatch.setattr(validator_files, "list_dataset", listing_then_gone)
    report = validate(folder)
    gone = [(p.file.rsplit("/", 1)[-1], p.line, p.code) for p in report.problems if p.code == "unknown-file"]
    assert gone == [("sources.csv", None, "unknown-file")]
    assert [p.message for p in report.problems if p.code == "unknown-file"] == [
        "sources.csv cannot be read (No such file or directory)"
    ]


def test_the_space_class_is_unicodes_separators_and_the_ascii_whitespace_controls():
    from dataset_tools.escape import SPACE_CLASS  # noqa: PLC0415 - only this test reads the class

    listed = set(re.findall(f"[{SPACE_CLASS}]", "".join(map(chr, range(0x110000)))))
    separators = {chr(code) for code in range(0x110000) if unicodedata.category(chr(code)).startswith("Z")}
    assert listed == (separators | set("\t\n\r\x0b\x0c")) - {"\u00a0"}  # a mark on a no-break space is shown alone


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("First line.\n\u0301Second", "First line.\\n\\u0301Second"),  # after an escape the encoder writes
        ("a\u0007\u0301b", "a\\u0007\\u0301b"),
        ("x" + "\u0301" * 3, "x" + "\u0301" * 3),  # on their letter, however many
        (" " + "\u0301" * 3, " " + "\\u0301" * 3),  # on the space: all of the run
    ],
)
def test_json_output_escapes_a_mark_that_follows_nothing_visible(value, shown):
    encoded = json_text(json.dumps(value, ensure_ascii=False))
    assert json.loads(encoded) == value
    assert encoded == '"' + shown + '"'


def test_a_long_run_of_marks_is_found_whole():
    from dataset_tools.escape import stray_marks  # noqa: PLC0415 - only this test asks it directly

    assert stray_marks(" " + "\u0301" * 20_000) == list(range(1, 20_001))
    assert stray_marks("a" + "\u0301" * 20_000) == []
    assert stray_marks("\u0627\u064e \u0651x;\u0301", after=";") == [3, 6]
    assert stray_marks("the acute accent (\u00a0\u0301)") == []  # The Unicode Standard's way to show a mark alone
