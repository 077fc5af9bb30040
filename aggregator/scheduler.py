"""APScheduler wiring for `aggregator run`: one job per source, no business logic."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from aggregator import clock
from aggregator.config import Config, load_config
from aggregator.errors import ConfigError
from aggregator.pipeline import make_fetcher, run_source
from aggregator.store import Store

log = logging.getLogger(__name__)


class Daemon:
    """Scrapes every source on its interval; SIGHUP reloads sources.yaml."""

    def __init__(self, config_path: Path, config: Config, store: Store):
        self.config_path = config_path
        self.config = config
        self.store = store
        self.scheduler = AsyncIOScheduler(timezone=str(clock.PARIS))
        self.fetcher = make_fetcher(config)

    def current_config(self) -> Config:
        return self.config

    async def scrape(self, source_id: str) -> None:
        try:
            source = self.config.source(source_id)
        except ConfigError:
            return  # removed by a reload while queued
        result = await run_source(source, self.config, self.store, self.fetcher)
        log.info("%s", result.summary())

    def schedule(self) -> None:
        """One job per enabled source; sources never scraped run at once."""
        last = self.store.last_runs()
        wanted = {s.id for s in self.config.sources if s.enabled}
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
                log.info("%s: removed from the schedule", job.id)
        for source in self.config.sources:
            if not source.enabled:
                continue
            interval = source.effective_interval(self.config.settings)
            jitter = int(min(interval.total_seconds() * 0.1, 300))
            first = clock.now() + timedelta(seconds=random.uniform(0, 3))
            if source.id in last:
                first = clock.now() + timedelta(seconds=random.uniform(0, jitter or 1))
            self.scheduler.add_job(
                self.scrape, "interval", args=[source.id], id=source.id,
                seconds=int(interval.total_seconds()), jitter=jitter, next_run_time=first,
                max_instances=1, coalesce=True, replace_existing=True,
                misfire_grace_time=int(interval.total_seconds()))

    def reload(self) -> None:
        """Reload sources.yaml; an invalid file is refused and the old one kept."""
        try:
            self.config = load_config(self.config_path)
        except ConfigError as exc:
            log.error("sources.yaml not reloaded, keeping the running configuration:\n%s", exc)
            return
        log.info("sources.yaml reloaded: %d sources", len(self.config.sources))
        self.schedule()

    async def start(self) -> None:
        await self.fetcher.__aenter__()
        self.schedule()
        self.scheduler.start()
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.reload)

    async def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
        await self.fetcher.aclose()
