"""Build a release: a Frictionless Data Package (v2) of the dataset, in every format, zipped.

``build(dataset, out, version=..., created=...)`` refuses data that does not validate,
then writes ``<out>/coalitions-<version>/`` and ``<out>/coalitions-<version>.zip``.
Everything written is a function of the input, the version and ``created``: two builds
of the same input are byte-identical (sorted rows and keys, fixed archive timestamps,
permissions and order).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dataset_tools.errors import DatasetToolsError, ReleaseRefused, UnreadableInput, UsageError
from dataset_tools.escape import markdown
from dataset_tools.reading import descriptor, packages
from dataset_tools.release import diff, outputs
from dataset_tools.schema import dictionary, publish
from dataset_tools.schema.models import SCHEMA_VERSION, TABLES, columns

NAME = "coalitions"
TITLE = "Counter-terrorism coalitions, designations and the people around them"
DESCRIPTION = (
    "Sourced records of counter-terrorism coalitions: organisations and people, who designated whom "
    "as a terrorist organisation or under sanctions (and when that ended), coalition memberships, "
    "and what coalitions did. Every record cites its sources; dates keep their precision."
)
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
CONTRIBUTORS = [{"title": "coalition-dataset contributors", "roles": ["creator"]}]
KEYWORDS = ["counter-terrorism", "coalitions", "sanctions", "designations", "terrorism lists", "open data"]
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$")
NOTES_LIMIT = 50
"""Release notes list at most this many records per table and kind of change."""
ZIP_LEVEL = 1
"""Deflate level: the fastest; the archive is for download, the folder for use."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every archive member's timestamp: the earliest a zip can hold, so builds match."""


@dataclass
class Release:
    """What ``build`` made: the folder, the archive, and the counts and diff it reported."""

    folder: Path
    archive: Path
    version: str
    counts: dict[str, int]
    changes: diff.Diff | None
    timings: dict[str, float] = field(default_factory=dict)


def default_version() -> str:
    """The data release version when none is given: the installed package's version."""
    return importlib.metadata.version("coalition-dataset")


def created_from(created: str | None, environ: dict[str, str] | None = None) -> str:
    """``created`` as ISO 8601 UTC: the given text, else SOURCE_DATE_EPOCH, else now."""
    environ = dict(os.environ) if environ is None else environ
    if created:
        try:
            moment = dt.datetime.fromisoformat(created)
        except ValueError:
            raise UsageError(f"--created {created!r} is not an ISO 8601 date-time, e.g. 2025-05-01T00:00:00Z") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)  # noqa: UP017 - naive means UTC
    elif environ.get("SOURCE_DATE_EPOCH"):
        try:
            moment = dt.datetime.fromtimestamp(int(environ["SOURCE_DATE_EPOCH"]), tz=dt.UTC)
        except ValueError:
            raise UsageError("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970") from None
    else:
        moment = dt.datetime.now(tz=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def refuse_unless_valid(dataset: Path) -> None:
    """Raise :class:`ReleaseRefused` unless ``dataset_tools.validate`` finds no error (warnings pass)."""
    from dataset_tools import validate  # noqa: PLC0415 - the validator is heavy; load it when used
    from dataset_tools.validation.problems import Severity  # noqa: PLC0415

    report = validate(dataset)
    if not report.valid:
        first = next(problem for problem in report.problems if problem.severity is Severity.ERROR)
        where = ", ".join(str(part) for part in (first.file, first.line and f"line {first.line}", first.field) if part)
        raise ReleaseRefused(
            f"{dataset} does not validate ({report.errors} error(s); first: {where}: {first.message}). "
            f"Run `dataset-tools validate {dataset}` to see them all, fix them, then release again."
        )


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a ``X.Y.Z`` version (pre-release suffixes ignored)."""
    return tuple(int(part) for part in re.findall(r"[0-9]+", version.split("-", 1)[0].split("+", 1)[0])[:3])


def find_previous(out: Path, version: str, packaged: Path | None = None) -> Path | None:
    """The newest release in ``out`` (else the packaged one) older than ``version``."""
    candidates = []
    for folder in [*(out.glob(f"{NAME}-*") if out.is_dir() else []), *([packaged] if packaged else [])]:
        other = _version_of(folder) or ""
        if SEMVER.fullmatch(other) and version_key(other) < version_key(version):
            candidates.append((version_key(other), folder))
    return max(candidates)[1] if candidates else None


MARKER = ".dataset-tools-release"
"""A file inside every release folder ``build`` makes, so that it only ever replaces its own
folders. It is left out of ``SHA256SUMS`` and the archive, so releases stay byte-identical."""
MARKER_TEXT = "Made by `dataset-tools release`; `dataset-tools release --force` may replace this folder.\n"
ZIP_COMMENT = b"dataset-tools release"
"""The comment of every archive ``build`` makes: an existing ``.zip`` without it is not replaced."""


def build(  # noqa: PLR0913 - every option after the two paths is keyword-only
    dataset: Path,
    out: Path,
    *,
    version: str,
    created: str,
    previous: Path | None = None,
    force: bool = False,
    validate: Callable[[Path], None] = refuse_unless_valid,
    clock: Callable[[], float] | None = None,
) -> Release:
    """Validate ``dataset``, then write the release folder and its archive under ``out``.

    The release is built in a fresh temporary folder beside its target and swapped in only
    when complete; a failure at any step leaves ``out`` as it was. Raises
    :class:`UsageError` when ``out`` is a file, when the release folder would be or hold
    ``dataset`` (or lie inside it), when ``<out>/coalitions-<version>`` (or its ``.zip``)
    exists and was not made by ``build`` (its marker file, its archive comment), or exists
    and ``force`` is not set; :class:`UnreadableInput` when ``dataset`` or ``previous``
    cannot be read; :class:`ReleaseRefused` when the data does not validate.
    """
    if not SEMVER.fullmatch(version):
        raise UsageError(f"version {version!r} is not semantic (MAJOR.MINOR.PATCH, e.g. 1.2.0)")
    if not dataset.is_dir():
        raise UnreadableInput(f"{dataset}: no such folder; give the folder that holds the table files")
    folder = out / f"{NAME}-{version}"
    archive = out / f"{NAME}-{version}.zip"
    check_target(dataset, out, folder, archive, force=force)
    timings: dict[str, float] = {}
    tick = _stopwatch(clock, timings)
    validate(dataset)
    tick("validate")
    tables = {table: _sorted(data) for table, data in packages.read_tables(dataset).items()}
    tick("read")
    changes = None
    previous_version = None
    if previous is not None:
        changes = diff.compare(_read_previous(previous), tables)
        previous_version = _version_of(previous)
    tick("diff")
    out.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=out, prefix=f".{folder.name}.", suffix=".building"))
    try:
        staged = building / folder.name  # the archive's top folder is named after the release folder
        counts = _write_release(staged, tables, version, created, changes, previous_version, tick)
        staged_zip = building / archive.name
        write_zip(staged, staged_zip)
        tick("zip")
        _write_text(staged / MARKER, MARKER_TEXT)
        check_target(dataset, out, folder, archive, force=force)  # again: something may have appeared meanwhile
        _swap_in(staged, folder)
        staged_zip.replace(archive)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return Release(folder, archive, version, counts, changes, timings)


def _write_release(
    folder: Path,
    tables: dict[str, pa.Table],
    version: str,
    created: str,
    changes: diff.Diff | None,
    previous_version: str | None,
    tick: Callable[[str], None],
) -> dict[str, int]:
    """Write every file of the release into ``folder`` (new); the counts of records per table."""
    for sub in ("csv", "json", "parquet", "schemas"):
        (folder / sub).mkdir(parents=True)
    for table, data in tables.items():
        outputs.write_csv(data, folder / "csv" / f"{table}.csv")
    tick("csv")
    for table, data in tables.items():
        outputs.write_json(data, table, folder / "json" / f"{table}.json")
    tick("json")
    for table, data in tables.items():
        outputs.write_parquet(data, table, folder / "parquet" / f"{table}.parquet")
    tick("parquet")
    outputs.write_sqlite(tables, folder / f"{NAME}.db")
    tick("sqlite")
    counts = {table: data.num_rows for table, data in tables.items()}
    _write_text(folder / "metadata.json", publish.dumps(datasette_metadata(version)))
    for relative, text in publish.schema_files().items():
        _write_text(folder / "schemas" / Path(relative).name, text)
    _write_text(folder / "data-dictionary.md", data_dictionary(tables))
    _write_text(folder / "RELEASE_NOTES.md", release_notes(version, created, counts, changes, previous_version))
    _write_text(folder / "datapackage.json", _dumps(datapackage(folder, version, created, tables)))
    _write_text(folder / "SHA256SUMS", _checksums(folder))
    tick("metadata")
    return counts


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (both resolved: links followed)."""
    return path.resolve().is_relative_to(folder.resolve())


def check_target(dataset: Path, out: Path, folder: Path, archive: Path, *, force: bool) -> None:
    """Raise :class:`UsageError` unless ``build`` may write ``folder`` and ``archive`` (see :func:`build`)."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give the folder to build releases in (it is created if missing)")
    if _inside(dataset, folder):
        raise UsageError(
            f"{folder} would replace the dataset being released ({dataset}); "
            "give another --out, or move the dataset out of the release folder"
        )
    if _inside(folder, dataset):
        raise UsageError(f"{folder} is inside the dataset {dataset}; give an --out outside the dataset folder")
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise UsageError(f"{folder} exists and is not a release folder; move it away, or give another --out")
    if folder.exists():
        if not (folder / MARKER).is_file():
            raise UsageError(
                f"{folder} exists and was not made by `dataset-tools release` (it has no {MARKER}); "
                "nothing was changed: move it away, or give another --out"
            )
        if not force:
            raise UsageError(f"{folder} already exists; nothing was changed: add --force to replace it")
    if archive.is_symlink() or (archive.exists() and not _made_here(archive)):
        raise UsageError(
            f"{archive} exists and was not made by `dataset-tools release`; "
            "nothing was changed: move it away, or give another --out"
        )
    if archive.exists() and not force:
        raise UsageError(f"{archive} already exists; nothing was changed: add --force to replace it")


def _made_here(archive: Path) -> bool:
    """Whether ``archive`` is a zip that ``build`` wrote (it carries :data:`ZIP_COMMENT`)."""
    try:
        with zipfile.ZipFile(archive) as handle:
            return handle.comment == ZIP_COMMENT
    except (OSError, zipfile.BadZipFile):
        return False


def _swap_in(staged: Path, folder: Path) -> None:
    """Put the complete ``staged`` folder at ``folder``, replacing a release ``build`` made there."""
    if not folder.exists():
        staged.rename(folder)
        return
    retired = staged.parent / "retired"
    folder.rename(retired)
    try:
        staged.rename(folder)
    except OSError:
        retired.rename(folder)
        raise


def _read_previous(previous: Path) -> dict[str, pa.Table]:
    """The tables of the release to compare with; :class:`UnreadableInput` if it cannot be read whole."""
    try:
        return packages.read_tables(previous)
    except DatasetToolsError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, pa.ArrowException) as error:
        raise UnreadableInput(
            f"--previous {previous}: cannot be read ({error}); give a release folder or .zip, or leave --previous out"
        ) from None


def data_dictionary(tables: dict[str, pa.Table]) -> str:
    """The Markdown data dictionary, its examples taken from these tables.

    The dictionary shows, per field, the value of the first record by id that has one;
    only those records are handed to it, so a table of millions of rows costs nothing.
    """
    with tempfile.TemporaryDirectory() as temporary:
        for table, data in tables.items():
            firsts = set()
            for name in data.column_names:
                present = pc.indices_nonzero(pc.not_equal(data.column(name), ""))
                if len(present):
                    firsts.add(present[0].as_py())
            outputs.write_csv(data.take(pa.array(sorted(firsts), pa.int64())), Path(temporary) / f"{table}.csv")
        return dictionary.render(Path(temporary))[dictionary.MARKDOWN]


def _stopwatch(clock: Callable[[], float] | None, timings: dict[str, float]) -> Callable[[str], None]:
    import time  # noqa: PLC0415 - only the stopwatch needs it

    now = clock or time.perf_counter
    last = [now()]

    def tick(stage: str) -> None:
        timings[stage] = now() - last[0]
        last[0] = now()

    return tick


def _sorted(data: pa.Table) -> pa.Table:
    return data.sort_by("id") if data.num_rows else data


DESCRIPTOR_LIMIT = 1 << 24
"""Bytes of another release's ``datapackage.json`` read to learn its version, at most."""


def _version_of(release: Path) -> str | None:
    """The version a release folder's descriptor declares; None for anything else (never raises).

    Only a plain file is read (not a link, FIFO or device), and only its first
    :data:`DESCRIPTOR_LIMIT` bytes.
    """
    package = release / "datapackage.json"
    if release.is_symlink() or not release.is_dir() or not (package.exists() or package.is_symlink()):
        return None
    data = descriptor.read(package, package.as_posix()).data  # never a link out, a FIFO, or past its limit
    version = data.get("version") if data is not None else None
    return version if isinstance(version, str) else None


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def sha256(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def datapackage(folder: Path, version: str, created: str, tables: dict[str, pa.Table]) -> dict[str, Any]:
    """The ``datapackage.json`` descriptor: the package's metadata and one resource per table."""
    resources = []
    for table, model in TABLES.items():
        path = folder / "csv" / f"{table}.csv"
        schema = publish.table_schema(table, model)
        schema.pop("name", None)
        resources.append(
            {
                "name": table,
                "type": "table",
                "title": table.replace("_", " ").capitalize(),
                "description": (model.__doc__ or "").strip(),
                "path": f"csv/{table}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": path.stat().st_size,
                "hash": "sha256:" + sha256(path),
                "x-records": tables[table].num_rows,
                "schema": schema,
            }
        )
    sources = tables["sources"].select(["id", "title", "url"]).to_pylist()
    return {
        "$schema": PROFILE,
        "name": NAME,
        "title": TITLE,
        "description": DESCRIPTION,
        "version": version,
        "x-schema-version": SCHEMA_VERSION,
        "created": created,
        "licenses": [LICENSE],
        "contributors": CONTRIBUTORS,
        "keywords": KEYWORDS,
        "sources": [
            {"title": source["title"], **({"path": source["url"]} if source["url"] else {})} for source in sources
        ],
        "resources": resources,
    }


def datasette_metadata(version: str) -> dict[str, Any]:
    """Datasette's ``metadata.json``: titles, descriptions, licence and source of every table."""
    tables = {}
    for table, model in TABLES.items():
        tables[table] = {
            "title": table.replace("_", " ").capitalize(),
            "description": (model.__doc__ or "").strip() + " Lists are `;`-separated text.",
            "sort": "id",
            "columns": {column.name: column.description for column in columns(model)},
        }
    return {
        "title": f"{TITLE} ({version})",
        "description": DESCRIPTION,
        "license": LICENSE["name"],
        "license_url": LICENSE["path"],
        "source": "coalition-dataset",
        "databases": {NAME: {"title": f"{NAME} {version}", "tables": tables}},
    }


def release_notes(
    version: str, created: str, counts: dict[str, int], changes: diff.Diff | None, previous: str | None
) -> str:
    """RELEASE_NOTES.md: counts per table, then what changed since the previous release."""
    since = f"since {markdown(previous)}" if previous else "(first release: no previous release to compare)"
    lines = [
        f"# {NAME} {version}",
        "",
        f"Created {created}. Schema version {SCHEMA_VERSION}. Data licence {LICENSE['name']}.",
        "",
        "## Records per table",
        "",
        "| table | records | added | changed | removed |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for table, count in counts.items():
        summary = changes.tables[table] if changes else None
        figures = [len(summary.added), len(summary.changed), len(summary.removed)] if summary else ["", "", ""]
        lines.append(f"| `{table}` | {count} | " + " | ".join(str(figure) for figure in figures) + " |")
    lines += ["", f"## Changes {since}", ""]
    if changes is not None:
        lines.append(diff.to_markdown(changes, limit=NOTES_LIMIT, heading_level=3))
    return "\n".join(lines).rstrip("\n") + "\n"


def _checksums(folder: Path) -> str:
    files = sorted(path for path in folder.rglob("*") if path.is_file() and path.name not in {"SHA256SUMS", MARKER})
    return "".join(f"{sha256(path)}  {path.relative_to(folder).as_posix()}\n" for path in files)


def write_zip(folder: Path, archive: Path) -> None:
    """Zip ``folder`` (as its own top folder) in sorted order, with fixed times and modes."""
    archive.unlink(missing_ok=True)
    files = sorted(path for path in folder.rglob("*") if path.is_file() and path.name != MARKER)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as handle:
        handle.comment = ZIP_COMMENT
        for path in files:
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if path.suffix == ".parquet" else zipfile.ZIP_DEFLATED
            info._compresslevel = ZIP_LEVEL  # noqa: SLF001 - ZipFile.open ignores the archive's level before 3.13
            info.external_attr = 0o644 << 16
            info.create_system = 3
            with path.open("rb") as source, handle.open(info, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, 1 << 20)


PACKAGED = ("datapackage.json", "RELEASE_NOTES.md", "csv")
"""What of a release the wheel carries (in ``dataset_tools/data/``): enough for ``load()``."""


def install_into_package(release: Path, data: Path) -> None:
    """Replace the package's copy of the latest release (``dataset_tools/data/``) with ``release``.

    The copy is made beside ``data`` and swapped in whole, so a failure leaves the old copy.
    """
    data.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".install-", dir=data.parent) as scratch:
        staged = Path(scratch) / "data"
        staged.mkdir()
        for name in PACKAGED:
            source = release / name
            if source.is_dir():
                shutil.copytree(source, staged / name)
            else:
                shutil.copy2(source, staged / name)
        _swap_in(staged, data)
