"""APScheduler wiring for `aggregator run`: one job per source, reloads, back-off.

Each enabled source is one interval job with jitter (sources do not all fire
together), at most one run of it at a time, and at most
MAX_CONCURRENT_SOURCES sources scraping at once. A source that keeps failing
is retried less and less often (`retry_delay`). Sources never scraped run at
start-up; the others when their interval since the last run is over.

Scheduling uses the real wall clock (what APScheduler sleeps on), never the
AGGREGATOR_NOW clock: a demo with a frozen date still scrapes on schedule.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from aggregator import clock
from aggregator._memory import give_back
from aggregator.config import Config, Source, load_config
from aggregator.errors import ConfigError
from aggregator.metrics import Metrics
from aggregator.pipeline import MAX_CONCURRENT_SOURCES, SourceResult, make_fetcher, run_source
from aggregator.store import Store

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(days=1)
STOP_GRACE = 5.0  # seconds a running scrape gets to finish on SIGTERM before it is abandoned
WATCH_SECONDS = 5.0  # how often sources.yaml's modification time is checked
STARTUP_SPREAD = 1.0  # seconds over which never-scraped sources start


def retry_delay(interval: timedelta, failures: int) -> timedelta:
    """How long after a run the next one comes: the interval, doubled for each
    failure in a row after the first, up to 8 intervals (at most a day, unless
    the interval itself is longer).

    >>> [retry_delay(timedelta(hours=1), n) // timedelta(hours=1) for n in range(6)]
    [1, 1, 2, 4, 8, 8]
    >>> retry_delay(timedelta(hours=6), 9)
    datetime.timedelta(days=1)
    """
    if failures <= 1:
        return interval
    cap = max(interval, min(interval * 8, MAX_BACKOFF))
    return min(interval * 2 ** min(failures - 1, 16), cap)


def jitter_seconds(interval: timedelta) -> int:
    """Random lateness added to each run: a tenth of the interval, at most 5 minutes."""
    return int(min(interval.total_seconds() * 0.1, 300))


def _wall_now() -> datetime:
    return datetime.now(UTC)


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


class Daemon:
    """Scrapes every source on its schedule; `reload()` re-reads sources.yaml."""

    def __init__(
        self,
        config_path: Path,
        config: Config,
        store: Store,
        *,
        metrics: Metrics | None = None,
        on_change: Callable[[], None] | None = None,
    ):
        self.config_path = config_path
        self.config = config
        self.store = store
        self.metrics = metrics or Metrics()
        self.on_change = on_change or (lambda: None)  # events or sources changed
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.fetcher = self.metrics.time_fetches(make_fetcher(config))
        self.failures = store.consecutive_failures()
        self.intervals: dict[str, timedelta] = {}
        self.running: dict[str, asyncio.Task] = {}
        self._limit = asyncio.Semaphore(MAX_CONCURRENT_SOURCES)
        self._file = _file_key(config_path)
        self._tasks: set[asyncio.Task] = set()

    def current_config(self) -> Config:
        return self.config

    def next_runs(self) -> dict[str, datetime | None]:
        """When each scheduled source runs next, in Paris time."""
        return {
            job.id: job.next_run_time.astimezone(clock.PARIS) if job.next_run_time else None
            for job in self.scheduler.get_jobs()
        }

    # runs ------------------------------------------------------------------------

    async def scrape(self, source_id: str) -> None:
        try:
            source = self.config.source(source_id)
        except ConfigError:
            return  # removed by a reload while queued
        task = asyncio.current_task()
        if task is not None:
            self.running[source_id] = task
        try:
            async with self._limit:
                result = await run_source(source, self.config, self.store, self.fetcher)
        except asyncio.CancelledError:
            # Stopping: writes are synchronous, so nothing of this run was written.
            log.info("%s: run abandoned at shutdown, nothing written", source_id)
            return
        finally:
            self.running.pop(source_id, None)
        self.after_run(source, result)
        if not self.running:  # the end of a burst of runs: what they took goes back
            give_back()

    def after_run(self, source: Source, result: SourceResult) -> None:
        """Count failures in a row, back off a failing source, report changes."""
        failed = self.failures.get(source.id, 0) + 1 if result.result == "failed" else 0
        self.failures[source.id] = failed
        self.metrics.record_run(result, failed)
        if failed > 1:
            delay = retry_delay(source.effective_interval(self.config.settings), failed)
            self._postpone(source.id, delay)
            log.warning("%s: %d failures in a row, next try in %s", source.id, failed, delay)
        if result.result == "ok" and (result.new or result.updated):
            self.on_change()

    def _postpone(self, source_id: str, delay: timedelta) -> None:
        with contextlib.suppress(JobLookupError):  # removed by a reload meanwhile
            self.scheduler.modify_job(source_id, next_run_time=_wall_now() + delay)

    # the schedule ----------------------------------------------------------------

    def schedule(self) -> None:
        """Jobs for the enabled sources: new ones added, removed ones dropped,
        changed intervals applied, unchanged ones left where they are."""
        wanted = {s.id: s for s in self.config.sources if s.enabled}
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
                self.intervals.pop(job.id, None)
                log.info("%s: no longer scraped (its events stay until they are past)", job.id)
        last = self.store.last_runs()
        for source in wanted.values():
            interval = source.effective_interval(self.config.settings)
            known = self.intervals.get(source.id)
            if known == interval:
                continue
            self.intervals[source.id] = interval
            trigger = IntervalTrigger(
                seconds=int(interval.total_seconds()) or 1,
                jitter=jitter_seconds(interval),
                timezone=UTC,
            )
            if known is not None:
                self.scheduler.reschedule_job(source.id, trigger=trigger)
                log.info("%s: now scraped every %s", source.id, interval)
                continue
            self.scheduler.add_job(
                self.scrape,
                trigger,
                args=[source.id],
                id=source.id,
                name=source.id,
                next_run_time=self._first_run(source.id, interval, last.get(source.id)),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                replace_existing=True,
            )

    def _first_run(self, source_id: str, interval: timedelta, run: dict | None) -> datetime:
        now = _wall_now()
        if run is None:
            return now + timedelta(seconds=random.uniform(0, STARTUP_SPREAD))
        due = datetime.fromisoformat(run["finished"]) + retry_delay(
            interval, self.failures.get(source_id, 0)
        )
        spread = min(jitter_seconds(interval), 30)
        return max(due, now) + timedelta(seconds=random.uniform(0, spread))

    def reload(self, reason: str = "SIGHUP") -> bool:
        """Re-read sources.yaml; an invalid file is refused and the running one kept."""
        self._file = _file_key(self.config_path)
        try:
            config = load_config(self.config_path)
        except ConfigError as exc:
            log.error(
                "%s not reloaded (%s), keeping the running configuration:\n%s",
                self.config_path,
                reason,
                exc,
            )
            return False
        previous, self.config = self.config, config
        if config.settings != previous.settings:
            self._replace_fetcher()
        self.schedule()
        log.info("%s reloaded (%s): %d sources", self.config_path, reason, len(config.sources))
        self.on_change()
        return True

    def _replace_fetcher(self) -> None:
        """New settings (user agent, delays…) for the next runs; the old client is
        closed once the runs using it are over."""
        old = self.fetcher
        self.fetcher = self.metrics.time_fetches(make_fetcher(self.config))
        using = list(self.running.values())

        async def close_when_idle() -> None:
            if using:
                await asyncio.wait(using)
            await old.aclose()

        self._spawn(close_when_idle())

    async def _watch_config(self) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            key = _file_key(self.config_path)
            if key is not None and key != self._file:
                self.reload("the file changed")

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # life cycle ------------------------------------------------------------------

    async def start(self) -> None:
        self.schedule()
        self.scheduler.start()
        self._spawn(self._watch_config())

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """No new runs; running ones get `grace` seconds, then are abandoned."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        running = list(self.running.values())
        if running:
            log.info("waiting up to %gs for %d running source(s)", grace, len(running))
            _, pending = await asyncio.wait(running, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.fetcher.aclose()
