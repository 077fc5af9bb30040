"""Prometheus metrics: source runs, failures, events, fetch and run latencies.

One `Metrics` per process, on its own registry, so tests can build as many
as they like. The daemon records runs and fetches; `/metrics` writes them
with the stored totals read at scrape time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from aggregator.fetch import Fetcher, Page, Validators
from aggregator.pipeline import SourceResult

CONTENT_TYPE = CONTENT_TYPE_LATEST
_FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_RUN_BUCKETS = (0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        reg = self.registry
        self.runs = Counter(
            "aggregator_source_runs",
            "Source runs by result (ok, unchanged, failed)",
            ["source", "result"],
            registry=reg,
        )
        self.failures = Counter(
            "aggregator_source_failures", "Failed source runs", ["source"], registry=reg
        )
        self.found = Gauge(
            "aggregator_source_events_found",
            "Events found by the last successful run of a source",
            ["source"],
            registry=reg,
        )
        self.consecutive = Gauge(
            "aggregator_source_consecutive_failures",
            "Runs in a row that failed (back-off grows with it)",
            ["source"],
            registry=reg,
        )
        self.last_success = Gauge(
            "aggregator_source_last_success_timestamp_seconds",
            "When a source last ran without failing",
            ["source"],
            registry=reg,
        )
        self.run_seconds = Histogram(
            "aggregator_source_run_seconds",
            "Duration of source runs",
            ["source"],
            buckets=_RUN_BUCKETS,
            registry=reg,
        )
        self.fetch_seconds = Histogram(
            "aggregator_fetch_seconds",
            "Latency of page fetches (with retries), by host",
            ["host"],
            buckets=_FETCH_BUCKETS,
            registry=reg,
        )
        self.stored = Gauge("aggregator_events_stored", "Events in the database", registry=reg)

    def count_stored(self, count: Callable[[], int]) -> None:
        """Read the stored total at each scrape of /metrics."""
        self.stored.set_function(count)

    def record_run(self, result: SourceResult, consecutive_failures: int) -> None:
        source = result.source_id
        self.runs.labels(source, result.result).inc()
        self.run_seconds.labels(source).observe(result.seconds)
        self.consecutive.labels(source).set(consecutive_failures)
        if result.result == "failed":
            self.failures.labels(source).inc()
            return
        self.last_success.labels(source).set(time.time())
        if result.result == "ok":
            self.found.labels(source).set(result.events)

    def time_fetches(self, fetcher: Fetcher) -> Fetcher:
        """The same fetcher, its `fetch` timed. Wrapping here keeps fetch free of metrics."""
        inner = fetcher.fetch

        async def fetch(url: str, validators: Validators | None = None) -> Page:
            started = time.perf_counter()
            try:
                return await inner(url, validators)
            finally:
                host = urlsplit(url).hostname or "?"
                self.fetch_seconds.labels(host).observe(time.perf_counter() - started)

        fetcher.fetch = fetch  # type: ignore[method-assign]
        return fetcher

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
