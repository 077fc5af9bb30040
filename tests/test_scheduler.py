"""The scheduler in process: first runs, back-off, reloads, the concurrency cap, stopping.

`run_source` is replaced by a fake where a test needs runs without sites.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator import scheduler
from aggregator.clock import PARIS
from aggregator.config import load_config
from aggregator.pipeline import SourceResult
from aggregator.scheduler import Daemon, retry_delay
from aggregator.store import RunRecord, Store

CONFIG = """\
settings: {{interval: 1h, delay: 0}}
sources:
{sources}
"""


def write_config(path: Path, *sources: tuple[str, str]) -> Path:
    lines = "".join(
        f"  - {{id: {i}, name: {i}, url: 'https://{i}.example.org/agenda', interval: {interval}}}\n"
        for i, interval in sources
    )
    path.write_text(CONFIG.format(sources=lines), encoding="utf-8")
    return path


@pytest.fixture
def make_daemon(tmp_path: Path):
    made: list[Daemon] = []

    def make(*sources: tuple[str, str]) -> Daemon:
        path = write_config(tmp_path / "sources.yaml", *sources)
        daemon = Daemon(path, load_config(path), Store.open(tmp_path / "s.db"))
        made.append(daemon)
        return daemon

    yield make
    for daemon in made:
        daemon.store.close()


def run(coroutine):
    return asyncio.run(coroutine)


def seconds_until(moment: datetime) -> float:
    return (moment - datetime.now(UTC)).total_seconds()


def test_retry_delay_doubles_then_stops_growing():
    hour = timedelta(hours=1)
    assert [retry_delay(hour, n) for n in (0, 1, 2, 3, 4, 5, 50)] == [
        hour,
        hour,
        2 * hour,
        4 * hour,
        8 * hour,
        8 * hour,
        8 * hour,
    ]
    assert retry_delay(timedelta(hours=6), 3) == timedelta(days=1)  # a day at most
    assert retry_delay(timedelta(days=2), 5) == timedelta(days=2)  # never below the interval
    assert retry_delay(timedelta(seconds=30), 10_000) == timedelta(minutes=4)


def test_first_runs_at_start_up_only_for_sources_never_scraped(make_daemon):
    daemon = make_daemon(("fresh", "1h"), ("recent", "1h"), ("stale", "1h"))
    now = datetime.now(PARIS)
    for source_id, ago in (("recent", timedelta(minutes=10)), ("stale", timedelta(hours=5))):
        daemon.store.save_run(
            RunRecord(source_id=source_id, started=now - ago, finished=now - ago, result="ok")
        )

    async def scheduled() -> dict[str, datetime | None]:
        daemon.schedule()
        daemon.scheduler.start(paused=True)
        try:
            return daemon.next_runs()
        finally:
            daemon.scheduler.shutdown(wait=False)

    runs = run(scheduled())
    assert seconds_until(runs["fresh"]) <= scheduler.STARTUP_SPREAD
    assert seconds_until(runs["stale"]) <= 30  # overdue: soon, spread by the jitter
    assert 49 * 60 <= seconds_until(runs["recent"]) <= 51 * 60  # an hour after the last run


def test_a_failing_source_backs_off_and_recovers(make_daemon):
    daemon = make_daemon(("broken", "1h"))
    source = daemon.config.source("broken")
    failed = SourceResult(source_id="broken", result="failed", error="HTTP 500")

    async def scenario() -> list[float]:
        daemon.schedule()
        daemon.scheduler.start(paused=True)
        delays = []
        for _ in range(4):
            daemon.after_run(source, failed)
            delays.append(seconds_until(daemon.next_runs()["broken"]) / 3600)
        daemon.after_run(source, SourceResult(source_id="broken", result="ok"))
        daemon.scheduler.shutdown(wait=False)
        return delays

    delays = run(scenario())
    assert [round(d) for d in delays[1:]] == [2, 4, 8]  # the first failure keeps the interval
    assert daemon.failures["broken"] == 0
    text = daemon.metrics.exposition().decode()
    assert 'aggregator_source_failures_total{source="broken"} 4.0' in text


def test_reload_adds_removes_and_reschedules(make_daemon, tmp_path: Path):
    daemon = make_daemon(("kept", "1h"), ("gone", "1h"), ("faster", "6h"))
    changes = []
    daemon.on_change = lambda: changes.append(1)

    async def scenario() -> tuple[set[str], timedelta, bool, set[str]]:
        daemon.schedule()
        daemon.scheduler.start(paused=True)
        kept_before = daemon.next_runs()["kept"]
        write_config(daemon.config_path, ("kept", "1h"), ("faster", "30m"), ("new", "2h"))
        assert daemon.reload()
        ids = set(daemon.next_runs())
        interval = daemon.scheduler.get_job("faster").trigger.interval
        unchanged = daemon.next_runs()["kept"] == kept_before
        daemon.config_path.write_text("sources:\n  - id: Not Valid\n", encoding="utf-8")
        refused = not daemon.reload()
        daemon.scheduler.shutdown(wait=False)
        return ids, interval, unchanged and refused, set(daemon.next_runs())

    ids, interval, kept_and_refused, after_refusal = run(scenario())
    assert ids == {"kept", "faster", "new"}
    assert interval == timedelta(minutes=30)
    assert kept_and_refused
    assert after_refusal == ids and [s.id for s in daemon.config.sources] == [
        "kept",
        "faster",
        "new",
    ]
    assert changes == [1]


def test_a_changed_file_is_reloaded_without_a_signal(make_daemon, monkeypatch):
    monkeypatch.setattr(scheduler, "WATCH_SECONDS", 0.05)
    daemon = make_daemon(("one", "1h"))

    async def scenario() -> set[str]:
        daemon.schedule()
        daemon.scheduler.start(paused=True)
        daemon._spawn(daemon._watch_config())
        write_config(daemon.config_path, ("one", "1h"), ("two", "1h"), ("three", "1h"))
        for _ in range(100):
            await asyncio.sleep(0.02)
            if len(daemon.next_runs()) == 3:
                break
        ids = set(daemon.next_runs())
        await daemon.stop()
        return ids

    assert run(scenario()) == {"one", "two", "three"}


def test_no_overlap_and_a_global_cap(make_daemon, monkeypatch):
    active: list[str] = []
    peak = {"all": 0, "same": 0}

    async def slow_run(source, config, store, fetcher) -> SourceResult:
        active.append(source.id)
        peak["all"] = max(peak["all"], len(active))
        peak["same"] = max(peak["same"], active.count(source.id))
        await asyncio.sleep(1.5)  # longer than the interval: the next run must be skipped
        active.remove(source.id)
        return SourceResult(source_id=source.id, result="ok")

    monkeypatch.setattr(scheduler, "run_source", slow_run)
    daemon = make_daemon(*((f"s{i}", "1s") for i in range(5)))
    daemon._limit = asyncio.Semaphore(2)

    async def scenario() -> None:
        await daemon.start()
        await asyncio.sleep(2.5)
        await daemon.stop(grace=0.1)

    run(scenario())
    assert peak == {"all": 2, "same": 1}


def test_stop_abandons_a_hanging_run_without_writing(make_daemon, monkeypatch):
    async def hanging(source, config, store, fetcher) -> SourceResult:
        await asyncio.sleep(3600)
        raise AssertionError("never")

    monkeypatch.setattr(scheduler, "run_source", hanging)
    daemon = make_daemon(("stuck", "1h"))

    async def scenario() -> float:
        await daemon.start()
        for _ in range(100):
            await asyncio.sleep(0.02)
            if daemon.running:
                break
        assert "stuck" in daemon.running
        begun = asyncio.get_running_loop().time()
        await daemon.stop(grace=0.2)
        return asyncio.get_running_loop().time() - begun

    assert run(scenario()) < 1.0
    assert daemon.store.runs() == [] and not daemon.running
