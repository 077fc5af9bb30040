"""The real daemon (`aggregator run`) as a subprocess against fixture sites on 127.0.0.1.

One daemon serves the whole module; the tests run in file order and the
last ones change its configuration (SIGHUP) and stop it (SIGTERM).
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from samples import plain_title
from sites import FixtureSite

NOW = "2019-10-15T10:00:00+02:00"

SOURCES = """\
settings:
  database: daemon.db
  delay: 0
  retries: 1
  timeout: 2
  interval: 1h
  base_url: https://agenda.example.org
  publish_dir: public
sources:
  - id: irev
    name: IREV
    url: {drupal}/agenda
    region: Hauts-de-France
    tags: [politique-de-la-ville]
    interval: 2s
    strategy: css
    list: {{item: ".views-row", link: "h3 a", next: "li.pager-next a"}}
    event: {{title: "h1.page-title", date: ".field-name-field-date",
             location: ".field-name-field-lieu", description: ".field-name-body"}}
  - id: irdsu
    name: IRDSU
    url: {wordpress}/agenda/
    strategy: jsonld
"""
LABO = """\
  - id: labo-cites
    name: Labo Cités
    url: {ics}/agenda.ics
    region: Auvergne-Rhône-Alpes
    strategy: ics
"""


class Notifications:
    """Stands in for systemd's notify socket: collects what the daemon sends."""

    def __init__(self, path: Path):
        self.path = path
        self.messages: list[str] = []
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(str(path))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            self.messages.append(self.socket.recv(4096).decode())


class Running:
    """`aggregator run --port 0` in `workdir`, its stderr collected in a thread;
    systemd's notifications go to `self.notified`, with a 0.4 s watchdog."""

    def __init__(self, workdir: Path):
        self.notified = Notifications(workdir / "notify.sock")
        env = {
            **os.environ,
            "AGGREGATOR_NOW": NOW,
            "AGGREGATOR_CONFIG": "sources.yaml",
            "NOTIFY_SOCKET": str(self.notified.path),
            "WATCHDOG_USEC": "400000",
        }
        env.pop("AGGREGATOR_DB", None)
        env.pop("WATCHDOG_PID", None)
        self.workdir = workdir
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", "run", "--port", "0"],
            cwd=workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(lambda: self.url, "the server to listen")
        self.http = httpx.Client(base_url=self.url, timeout=5)

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            if line.startswith("serving on "):
                self.url = line.split()[-1].rstrip("/")

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def wait_for(self, check: Callable[[], object], what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"daemon exited:\n{self.log}"
            if check():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log}")

    def titles(self, query: str = "") -> list[str]:
        return [plain_title(e) for e in self.http.get(f"/events.json{query}").json()["events"]]

    def ok_runs(self, source_id: str) -> float:
        """Successful runs so far, from /metrics."""
        wanted = f'aggregator_source_runs_total{{result="ok",source="{source_id}"}}'
        for line in self.http.get("/metrics").text.splitlines():
            if line.startswith(wanted):
                return float(line.split()[-1])
        return 0

    def sources(self) -> dict[str, dict]:
        rows = self.http.get("/status", headers={"Accept": "application/json"}).json()
        return {row["id"]: row for row in rows["sources"]}


@pytest.fixture(scope="module")
def daemon(tmp_path_factory) -> Iterator[Running]:
    workdir = tmp_path_factory.mktemp("daemon")
    with (
        FixtureSite("drupal-agenda") as drupal,
        FixtureSite("wordpress-tec") as wordpress,
        FixtureSite("ics-feed") as ics,
    ):
        urls = {"drupal": drupal.url, "wordpress": wordpress.url, "ics": ics.url}
        (workdir / "sources.yaml").write_text(SOURCES.format(**urls), encoding="utf-8")
        running = Running(workdir)
        running.urls = urls  # type: ignore[attr-defined]
        running.wait_for(lambda: len(running.titles()) == 6, "both sources' events")
        yield running
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


def test_feeds_appear_with_their_content_types(daemon: Running):
    expected = {
        "/feed.rss": "application/rss+xml",
        "/feed.atom": "application/atom+xml",
        "/feed.ics": "text/calendar; charset=utf-8",
        "/new.rss": "application/rss+xml",
        "/events.json": "application/json",
        "/embed": "text/html; charset=utf-8",
        "/widget.js": "text/javascript; charset=utf-8",
        "/": "text/html; charset=utf-8",
    }
    for path, ctype in expected.items():
        response = daemon.http.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(ctype), path
    assert daemon.http.get("/feed.ics").text.count("BEGIN:VEVENT") == 6


def test_systemd_hears_ready_then_watchdog_pings(daemon: Running):
    daemon.wait_for(lambda: daemon.notified.messages.count("WATCHDOG=1") >= 2, "two pings")
    assert daemon.notified.messages[0].startswith("READY=1\nSTATUS=serving on http://")


def test_filters_return_the_right_subsets(daemon: Running):
    assert len(daemon.titles("?source=irdsu")) == 3
    assert len(daemon.titles("?region=hauts-de-france")) == 3
    assert daemon.titles("?source=irev&q=emploi") == [
        "Cycle de qualification : emploi et quartiers"
    ]
    assert daemon.titles("?city=marseille") == ["Université d'été du développement social urbain"]
    assert daemon.titles("?to=2019-12-31") == [
        "Rencontre régionale : la participation des habitants",
        "Cycle de qualification : emploi et quartiers",
        "Journée nationale des professionnels du développement social urbain",
    ]
    assert daemon.titles("?limit=2") == daemon.titles()[:2]
    bad = daemon.http.get("/feed.rss?from=yesterday")
    assert bad.status_code == 400 and "from='yesterday' is not a date" in bad.text


def test_conditional_requests_and_cors(daemon: Running):
    first = daemon.http.get("/feed.ics?source=irev", headers={"Origin": "https://ville.example"})
    assert first.headers["access-control-allow-origin"] == "*"
    etag = {"If-None-Match": first.headers["etag"]}
    assert daemon.http.get("/feed.ics?source=irev", headers=etag).status_code == 304
    # irev is scraped every 2 s: unchanged pages keep the feed's bytes, so its ETag holds
    runs = daemon.ok_runs("irev")
    daemon.wait_for(lambda: daemon.ok_runs("irev") > runs, "another run of irev")
    assert daemon.http.get("/feed.ics?source=irev", headers=etag).status_code == 304


def test_short_interval_runs_again_and_status_tells(daemon: Running):
    daemon.wait_for(lambda: daemon.ok_runs("irev") >= 2, "a second run of irev (interval 2s)")
    irev = daemon.sources()["irev"]
    assert irev["result"] == "ok" and irev["http_status"] == 200
    assert irev["events_found"] == 3 and irev["events"] == 3
    assert irev["consecutive_failures"] == 0 and irev["next_run"] is not None
    assert irev["duration_seconds"] is not None and irev["error"] is None
    assert "aggregator_fetch_seconds_count" in daemon.http.get("/metrics").text


def test_publish_dir_is_kept_published(daemon: Running):
    public = daemon.workdir / "public"
    names = [
        "events.json",
        "feed.ics",
        "new.atom",
        "index.html",
        "embed.html",
        "widget.js",
        "source/irev/feed.rss",
        "source/irdsu/events.json",
        "region/hauts-de-france/feed.ics",
        "tag/politique-de-la-ville/feed.atom",
    ]
    daemon.wait_for(lambda: all((public / n).is_file() for n in names), "the published files")
    assert not list(public.rglob("*.tmp"))


def test_sighup_adds_a_source(daemon: Running):
    config = daemon.workdir / "sources.yaml"
    config.write_text(config.read_text() + LABO.format(**daemon.urls), encoding="utf-8")
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for(lambda: daemon.titles("?source=labo-cites"), "labo-cites' events")
    states = [m.split("\n")[0] for m in daemon.notified.messages if not m.startswith("WATCH")]
    assert states == ["READY=1", "RELOADING=1", "READY=1"]
    assert daemon.titles("?city=lyon") == ["Atelier : l'évaluation des contrats de ville"]
    assert "labo-cites" in daemon.sources()


def test_an_invalid_file_is_refused_and_the_old_one_kept(daemon: Running):
    config = daemon.workdir / "sources.yaml"
    good = config.read_text()
    config.write_text(good + "  - id: Bad Id\n", encoding="utf-8")
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for(lambda: "not reloaded" in daemon.log, "the refusal in the log")
    assert "is not a valid id" in daemon.log
    assert set(daemon.sources()) == {"irev", "irdsu", "labo-cites"}
    config.write_text(good, encoding="utf-8")


def test_sigterm_stops_cleanly_with_a_consistent_database(daemon: Running):
    started = time.monotonic()
    daemon.process.send_signal(signal.SIGTERM)
    assert daemon.process.wait(timeout=15) == 0, daemon.log
    assert time.monotonic() - started < 10  # "within a few seconds": a stop, not a benchmark
    assert "STOPPING=1" in daemon.notified.messages
    with sqlite3.connect(daemon.workdir / "daemon.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("select count(*) from runs where finished is null").fetchone()[0] == 0
        assert db.execute("select count(distinct source_id) from runs").fetchone()[0] == 3
