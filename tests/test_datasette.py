"""The release as a person browses it: real Datasette serving the release's SQLite on 127.0.0.1.

Built from the repository's own ``datasets/`` and served as its README says
(``datasette coalitions.db -m metadata.json``, with the release's ``settings.json``). Then
headless Chromium (Debian's ``chromium``, which ``.ci/run`` installs) renders the same pages:
their DOM must hold the same links, and the screenshots are kept in ``tests/screenshots/``
(ignored by git) for a person to look at.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dataset_tools.release import build as release

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(importlib.util.find_spec("datasette") is None, reason="datasette is not installed")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    built = release.build(ROOT / "datasets", out, version="0.2.0", created="2025-01-01T00:00:00Z")
    settings = json.loads((built.folder / "settings.json").read_text(encoding="utf-8"))
    port = _free_port()
    command = [sys.executable, "-m", "datasette", "serve", "coalitions.db", "-m", "metadata.json"]
    command += ["-h", "127.0.0.1", "-p", str(port)]
    for name, value in settings.items():
        command += ["--setting", name, json.dumps(value).strip('"').replace("false", "off").replace("true", "on")]
    server = subprocess.Popen(command, cwd=built.folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=1):  # noqa: S310 - our own server
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"datasette exited: {server.stderr.read().decode() if server.stderr else ''}")
                time.sleep(0.1)
        yield base, sqlite3.connect(built.folder / "coalitions.db")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _page(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310 - our own server
        return response.read().decode("utf-8")


def _links(page: str) -> list[tuple[str, str]]:
    """(href, text) of every link, its text without tags and spaces squeezed."""
    found = re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', page, flags=re.DOTALL)
    return [
        (html.unescape(href), html.unescape(" ".join(re.sub("<[^>]+>", " ", text).split()))) for href, text in found
    ]


def _count(connection, sql: str, *args: str) -> int:
    return int(connection.execute(sql, args).fetchone()[0])


def test_isis_page_links_its_designations_and_events(served):
    base, connection = served
    links = dict(_links(_page(base, "/coalitions/entities/isis")))
    designations = _count(connection, "SELECT count(*) FROM designations WHERE subject_id = ?", "isis")
    events = _count(connection, "SELECT count(*) FROM event_participants WHERE participant_id = ?", "isis")
    assert designations > 0
    assert events > 0
    assert links["/coalitions/designations?subject_id=isis"] == f"{designations} rows"
    assert links["/coalitions/event_participants?participant_id=isis"] == f"{events} rows"
    assert links["/coalitions/organisations?id=isis"] == "1 row"


def test_a_designation_links_its_subject_and_authority_by_name(served):
    base, _connection = served
    links = _links(_page(base, "/coalitions/designations?subject_id=isis"))
    assert ("/coalitions/entities/isis", "Islamic State") in links


def test_search_finds_daesh(served):
    base, _connection = served
    page = _page(base, "/coalitions/organisations?_search=Daesh")
    assert ("/coalitions/organisations/isis", "isis") in _links(page)
    assert 'name="_search"' in page  # the search box is offered


def test_a_source_is_one_click_from_a_record(served):
    base, connection = served
    links = dict(_links(_page(base, "/coalitions/entities/isis")))
    assert links["/coalitions/record_sources?record_id=isis"].endswith("rows")
    listed = _links(_page(base, "/coalitions/record_sources?record_id=isis"))
    sources = connection.execute(
        "SELECT sources.id, sources.title FROM record_sources JOIN sources ON sources.id = record_sources.source_id "
        "WHERE record_id = 'isis' ORDER BY position"
    ).fetchall()
    assert sources
    for source, title in sources:
        assert (f"/coalitions/sources/{source}", title) in listed


def test_partial_dates_are_not_read_as_days(served):
    base, _connection = served
    page = _page(base, "/coalitions/designations")
    assert "-4707" not in page
    assert "listed_first" in page
    assert "is the whole year, not a day" in page  # the column's description


def test_array_facet_on_source_ids(served):
    base, _connection = served
    data = json.loads(_page(base, "/coalitions/designations.json?_facet_array=source_ids&_size=0"))
    assert data["facet_results"]["source_ids"]["results"]


@pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed: `apt-get install chromium` (.ci/run installs it)"
)
@pytest.mark.parametrize(
    ("name", "path", "expected"),
    [
        ("isis", "/coalitions/entities/isis", "/coalitions/designations?subject_id=isis"),
        ("search-daesh", "/coalitions/organisations?_search=Daesh", "/coalitions/organisations/isis"),
        ("isis-sources", "/coalitions/record_sources?record_id=isis", "/coalitions/sources/"),
        ("designations", "/coalitions/designations", "/coalitions/entities/isis"),
    ],
)
def test_chromium_renders_the_pages(served, tmp_path, name, path, expected):
    base, _connection = served
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={tmp_path}"]
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", base + path], capture_output=True, text=True, check=True, timeout=120
    )
    assert expected in dom.stdout
    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    subprocess.run(
        [CHROMIUM, *flags, "--window-size=1280,1200", f"--screenshot={shot}", base + path],
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
