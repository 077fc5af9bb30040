"""Readers during writes: a feed read while a scrape saves sees the old or the new state.

A writer thread saves runs that each add one batch of events (every run lists
all earlier events too, so nothing is flagged gone). Readers, through the
HTTP app and through `feeds.select` on their own connection, must never get an
error, and must always count a whole number of batches, never fewer than the
last count they saw.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import date, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from aggregator import feeds
from aggregator.clock import PARIS
from aggregator.config import Config, Settings, Source
from aggregator.feeds import Filters
from aggregator.model import Event, SourceRef
from aggregator.store import RunRecord, Store
from aggregator.web import create_app

NOW = "2019-10-15T10:00:00+02:00"
TODAY = date(2019, 10, 15)
BATCH = 5
RUNS = 12
DEADLINE = 60.0  # seconds: the test stops reading then, whatever the writer did
IREV = SourceRef(id="irev", name="IREV", url="https://www.irev.fr/agenda")
WORDS = (
    "emploi",
    "habitat",
    "santé",
    "jeunesse",
    "culture",
    "sport",
    "mobilité",
    "éducation",
    "sécurité",
    "commerce",
    "numérique",
    "climat",
    "logement",
)


def batch_events(runs: int) -> list[Event]:
    """The events a listing shows after `runs` runs: BATCH new ones each run, on
    distinct days and with distinct titles so deduplication merges none."""
    return [
        Event(
            id=f"irev-{n}",
            title=f"Forum {WORDS[n % len(WORDS)]} numéro {n}",
            start=TODAY + timedelta(days=3 * n + 1),
            city="Lille",
            sources=(IREV,),
        )
        for n in range(runs * BATCH)
    ]


def write_runs(path, errors: list[BaseException], done: threading.Event) -> None:
    try:
        with Store.open(path) as store:
            for run in range(2, RUNS + 1):
                at = datetime(2019, 10, 15, 9, 0, tzinfo=PARIS) + timedelta(minutes=run)
                store.save_run(
                    RunRecord(
                        source_id="irev", started=at, finished=at, result="ok", events=run * BATCH
                    ),
                    batch_events(run),
                )
                time.sleep(0.01)  # let readers in between commits too
    except BaseException as exc:  # reported by the test thread
        errors.append(exc)
    finally:
        done.set()


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("AGGREGATOR_NOW", NOW)
    path = tmp_path / "concurrent.db"
    with Store.open(path) as store:
        at = datetime(2019, 10, 15, 9, 0, tzinfo=PARIS)
        store.save_run(
            RunRecord(source_id="irev", started=at, finished=at, result="ok", events=BATCH),
            batch_events(1),
        )
    return path


def read_while_writing(path, read_count) -> list[int]:
    """Counts read until the writer finished (and once after); writer errors re-raised."""
    errors: list[BaseException] = []
    done = threading.Event()
    writer = threading.Thread(target=write_runs, args=(path, errors, done), daemon=True)
    writer.start()
    counts: list[int] = []
    stop = time.monotonic() + DEADLINE
    while not done.is_set() and time.monotonic() < stop:
        counts.append(read_count())
    writer.join(DEADLINE)
    assert not errors, errors
    counts.append(read_count())
    return counts


def assert_whole_batches(counts: list[int]) -> None:
    assert all(c % BATCH == 0 for c in counts), counts  # never half a run
    assert counts == sorted(counts), counts  # never back to an older state
    assert counts[0] >= BATCH and counts[-1] == RUNS * BATCH


def test_http_readers_see_old_or_new_state(db):
    config = Config(
        settings=Settings(base_url="https://agenda.example.org"),
        sources=(Source(id="irev", name="IREV", url=IREV.url),),
        path=None,
    )
    client = TestClient(create_app(lambda: config, db))
    paths = ("/events.json", "/feed.rss", "/feed.ics")
    reads = iter(range(10**9))

    def read_count() -> int:
        path = paths[next(reads) % len(paths)]
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        if path == "/events.json":
            return len(json.loads(response.content)["events"])
        if path == "/feed.rss":
            return response.content.count(b"<item>")
        return response.content.count(b"BEGIN:VEVENT")

    counts = read_while_writing(db, read_count)
    assert len(counts) > 1
    assert_whole_batches(counts)


def test_select_readers_see_old_or_new_state(db):
    with Store.open(db) as store:
        counts = read_while_writing(db, lambda: len(feeds.select(store, Filters(), TODAY)))
    assert_whole_batches(counts)


def test_save_waits_for_a_reader_writing_dedup(db):
    """Regression (found by the test above): a save begun with a deferred BEGIN read
    a snapshot, then could not write once a feed reader's dedup write committed,
    and failed at once with "database is locked" instead of waiting."""
    holding, release = threading.Event(), threading.Event()

    def reader_writing() -> None:
        with Store.open(db) as other:
            other.db.execute("BEGIN IMMEDIATE")
            other.mark_dirty(["2019-10-16"], "2019-10-15T09:00:00+02:00")
            holding.set()
            release.wait(5)
            time.sleep(0.2)  # commit while the save below is already waiting
            other.db.execute("COMMIT")

    thread = threading.Thread(target=reader_writing, daemon=True)
    thread.start()
    holding.wait(5)
    with Store.open(db) as store:
        at = datetime(2019, 10, 15, 9, 30, tzinfo=PARIS)
        release.set()
        counts = store.save_run(
            RunRecord(source_id="irev", started=at, finished=at, result="ok", events=2 * BATCH),
            batch_events(2),
        )
    thread.join(5)
    assert (counts.new, counts.unchanged) == (BATCH, BATCH)
