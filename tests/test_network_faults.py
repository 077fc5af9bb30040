"""Network faults seen by a whole scrape: moved pages, robots.txt, vanished listings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sites import SITES, FixtureSite

ICS = (Path(__file__).parent / "fixtures" / "sites" / "ics-feed" / "agenda.ics").read_bytes()


class Site:
    """A partner site whose answers the test changes between scrapes."""

    def __init__(self) -> None:
        self.robots = b""
        self.agenda_status = 200
        self.moved_to = ""  # where /agenda-moved sends, with a 301
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/robots.txt":
                    return self._send(200, site.robots, "text/plain")
                if self.path == "/agenda-moved" and site.moved_to:
                    self.send_response(301)
                    self.send_header("Location", site.moved_to)
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                if self.path == "/ancien-agenda.ics":
                    self.send_response(301)
                    self.send_header("Location", "/agenda.ics")
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                if self.path == "/agenda.ics" and site.agenda_status == 200:
                    return self._send(200, ICS, "text/calendar")
                self._send(site.agenda_status if self.path == "/agenda.ics" else 404,
                           b"<h1>absent</h1>", "text/html")

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.server.shutdown()


def scrape(tmp_path: Path, url: str, strategy: str = "ics") -> subprocess.CompletedProcess:
    (tmp_path / "sources.yaml").write_text(
        f"settings: {{delay: 0, retries: 0}}\nsources:\n"
        f"  - {{id: labo, name: Labo, url: '{url}', strategy: {strategy}}}\n")
    return cli(tmp_path, "-q", "scrape")


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AGGREGATOR_NOW": "2019-10-15T10:00:00+02:00"}
    return subprocess.run([sys.executable, "-m", "aggregator.cli", *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def status(tmp_path: Path) -> str:
    return subprocess.run([sys.executable, "-m", "aggregator.cli", "status"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60).stdout


def test_permanent_move_is_followed_and_suggested(site, tmp_path):
    done = scrape(tmp_path, f"{site.url}/ancien-agenda.ics")
    assert done.returncode == 0, done.stderr
    line = status(tmp_path)
    assert "labo: ok" in line and ", 4 events" in line
    assert f"moved permanently to {site.url}/agenda.ics" in line
    assert "sources.yaml" in line


def test_robots_disallow_skips_the_source_with_a_clear_status(site, tmp_path):
    site.robots = b"User-agent: *\nDisallow: /agenda\n"
    done = scrape(tmp_path, f"{site.url}/agenda.ics")
    assert done.returncode == 1
    assert "labo: SKIPPED" in done.stdout
    line = status(tmp_path)
    assert line.startswith("labo: skipped") and "robots" in line


@pytest.mark.parametrize("code", [404, 410])
def test_vanished_listing_marks_the_source_broken_and_keeps_events(site, tmp_path, code):
    assert scrape(tmp_path, f"{site.url}/agenda.ics").returncode == 0
    site.agenda_status = code
    assert scrape(tmp_path, f"{site.url}/agenda.ics").returncode == 1
    line = status(tmp_path)
    assert line.startswith("labo: failed") and f"HTTP {code}" in line
    assert ", 4 events" in line  # nothing stored was lost


# --- a listing moved to another host ---------------------------------------------------

DRUPAL = json.loads((SITES / "auto-drupal-views" / "expected.json").read_text(encoding="utf-8"))
WEBINAR = "/agenda/webinaire-observatoire-quartiers"


def new_home(tmp_path: Path, robots: str) -> Path:
    """The Drupal agenda as served by its new host, with that host's robots.txt."""
    root = Path(shutil.copytree(SITES / "auto-drupal-views", tmp_path / "new-home"))
    (root / "robots.txt").write_text(robots)
    return root


def test_listing_moved_to_another_host_is_read_there_under_its_robots(site, tmp_path):
    root = new_home(tmp_path, f"User-agent: *\nDisallow: {WEBINAR}\n")
    with FixtureSite(root, host="127.0.0.2") as other:
        site.moved_to = f"{other.url}/agenda"
        done = scrape(tmp_path, f"{site.url}/agenda-moved", strategy="auto")
    assert done.returncode == 0, done.stderr
    # the new host's robots.txt is read first and obeyed for its detail pages
    assert other.hits[0] == "/robots.txt"
    assert WEBINAR not in other.hits
    assert sum(hit.startswith("/agenda/") for hit in other.hits) == 4
    events = json.loads(cli(tmp_path, "export", "--format", "json").stdout)["events"]
    assert [e["title"] for e in events] == [e["title"] for e in DRUPAL["events"]]
    assert {e["url"].split("/agenda")[0] for e in events} == {other.url}
    line = status(tmp_path)
    assert line.startswith("labo: ok") and ", 5 events" in line
    assert f"moved permanently to {other.url}/agenda" in line and "sources.yaml" in line


def test_listing_moved_to_a_host_whose_robots_forbid_it_is_skipped(site, tmp_path):
    root = new_home(tmp_path, "User-agent: *\nDisallow: /agenda\n")
    with FixtureSite(root, host="127.0.0.2") as other:
        site.moved_to = f"{other.url}/agenda"
        done = scrape(tmp_path, f"{site.url}/agenda-moved", strategy="auto")
    assert done.returncode == 1
    assert other.hits == ["/robots.txt"]
    line = status(tmp_path)
    assert line.startswith("labo: skipped")
    assert f"{other.url}/robots.txt forbids 'aggregator' to fetch {other.url}/agenda" in line


def test_redirect_off_the_web_fails_the_run_with_a_clear_status(site, tmp_path):
    site.moved_to = "file:///etc/passwd"
    done = scrape(tmp_path, f"{site.url}/agenda-moved", strategy="auto")
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    line = status(tmp_path)
    assert line.startswith("labo: failed")
    assert "redirects to 'file:///etc/passwd', which is not an http:// or https:// address; " \
           "refused" in line
