"""Static publishing: every feed and page as files, atomically, nothing rewritten needlessly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from aggregator import site
from aggregator.clock import PARIS
from aggregator.config import Config, Settings, Source
from aggregator.model import Event, Precision, SourceRef
from aggregator.publish import MANIFEST, publish
from aggregator.site import widget_js
from aggregator.store import RunRecord, Store

NOW = "2019-10-15T10:00:00+02:00"
TODAY = date(2019, 10, 15)
IREV = SourceRef(id="irev", name="IREV", url="https://www.irev.fr/")
LABO = SourceRef(id="labo", name="Labo Cités", url="https://www.labo-cites.org/")
EVENTS = {
    IREV: [
        Event(
            id="irev-a",
            title="Rencontre",
            start=date(2019, 11, 5),
            sources=(IREV,),
            region="Hauts-de-France",
            tags=("emploi", "politique-de-la-ville"),
        )
    ],
    LABO: [
        Event(
            id="labo-b",
            title="Atelier",
            start=date(2019, 12, 3),
            sources=(LABO,),
            region="Auvergne-Rhône-Alpes",
            tags=("politique-de-la-ville",),
        ),
        Event(
            id="labo-c",
            title="Université",
            start=date(2020, 2, 1),
            sources=(LABO,),
            precision=Precision.MONTH,
        ),
    ],
}
FEEDS = ["feed.rss", "feed.atom", "feed.ics", "events.json", "embed.html"]


def config(*ids: str) -> Config:
    return Config(
        settings=Settings(base_url="https://agenda.example.org"),
        sources=tuple(Source(id=i, name=i.upper(), url=f"https://{i}.example/") for i in ids),
    )


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "p.db") as store:
        t = datetime(2019, 10, 15, 9, 0, tzinfo=PARIS)
        for ref, events in EVENTS.items():
            store.save_run(RunRecord(source_id=ref.id, started=t, finished=t, result="ok"), events)
        yield store


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_every_feed_page_and_filter_is_written(store, tmp_path: Path):
    out = tmp_path / "public"
    report = publish(config("irev", "labo"), store, out, TODAY)
    folders = [
        "",
        "source/irev/",
        "source/labo/",
        "tag/emploi/",
        "tag/politique-de-la-ville/",
        "region/hauts-de-france/",
        "region/auvergne-rhone-alpes/",
    ]
    expected = {f + name for f in folders for name in FEEDS} | {
        "new.rss",
        "new.atom",
        "index.html",
        "widget.js",
        "event/irev-a.ics",
        "event/labo-b.ics",
        MANIFEST,
    }
    assert files_under(out) == expected
    assert report.written == len(expected) - 1 and report.removed == 0
    by_source = json.loads((out / "source/labo/events.json").read_text())["events"]
    assert [e["id"] for e in by_source] == ["labo-b", "labo-c"]
    region = json.loads((out / "region/auvergne-rhone-alpes/events.json").read_text())
    assert [e["id"] for e in region["events"]] == ["labo-b"]
    assert (out / "widget.js").read_bytes() == widget_js()
    embed = (out / "source/labo/embed.html").read_text()
    assert 'href="webcal://agenda.example.org/source/labo/feed.ics"' in embed
    assert b"https://agenda.example.org/source/irev/feed.ics" in (out / "index.html").read_bytes()
    assert all(os.stat(out / name).st_mode & 0o777 == 0o644 for name in expected)


def test_an_unchanged_agenda_leaves_every_file_alone(store, tmp_path: Path):
    out = tmp_path / "public"
    first = publish(config("irev", "labo"), store, out, TODAY)
    stamps = {name: (out / name).stat().st_mtime_ns for name in files_under(out)}
    again = publish(config("irev", "labo"), store, out, TODAY)
    assert again.written == 0 and again.unchanged == first.written
    assert {name: (out / name).stat().st_mtime_ns for name in files_under(out)} == stamps


def test_files_no_longer_published_are_removed(store, tmp_path: Path):
    out = tmp_path / "public"
    (out / "source").mkdir(parents=True)
    (out / "notes.txt").write_text("mine")  # not ours: kept
    publish(config("irev", "labo", "gone"), store, out, TODAY)
    assert (out / "source/gone/feed.ics").is_file()
    report = publish(config("irev", "labo"), store, out, TODAY)
    assert report.removed == len(FEEDS) and not (out / "source/gone").exists()
    assert (out / "notes.txt").read_text() == "mine"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_the_publish_command(store, tmp_path: Path):
    (tmp_path / "sources.yaml").write_text(
        "settings: {database: p.db, base_url: 'https://agenda.example.org'}\n"
        "sources:\n  - {id: irev, name: IREV, url: 'https://www.irev.fr/'}\n"
    )
    env = {**os.environ, "AGGREGATOR_NOW": NOW}
    env.pop("AGGREGATOR_CONFIG", None)
    env.pop("AGGREGATOR_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "publish", "site"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("published to site: ")
    calendar = (tmp_path / "site/source/irev/feed.ics").read_text()
    assert calendar.count("BEGIN:VEVENT") == 1


def test_a_change_rerenders_only_the_groups_it_touches(store, tmp_path: Path, monkeypatch):
    out = tmp_path / "public"
    publish(config("irev", "labo"), store, out, TODAY)
    t = datetime(2019, 10, 15, 11, 0, tzinfo=PARIS)
    changed = EVENTS[LABO][0].replace(title="Atelier (complet)")
    store.save_run(RunRecord(source_id="labo", started=t, finished=t, result="ok"), [changed])
    rendered = []
    real = site.feed_body
    monkeypatch.setattr(
        site, "feed_body", lambda c, f, e, path, d: rendered.append(path) or real(c, f, e, path, d)
    )
    report = publish(config("irev", "labo"), store, out, TODAY)
    folders = {path.rsplit("/", 1)[0] for path in rendered}
    assert folders == {
        "",
        "/source/labo",
        "/tag/politique-de-la-ville",
        "/region/auvergne-rhone-alpes",
        "/event",
    }
    assert "/event/labo-b.ics" in rendered and "/event/irev-a.ics" not in rendered
    assert "Atelier (complet)" in (out / "source/labo/feed.rss").read_text()
    assert report.removed == 0
