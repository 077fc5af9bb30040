"""`aggregator status` and `/status`: the health of every source, from the runs table.

The running daemon knows when each source runs next (its jitter and
back-off); without it (`aggregator status`, `aggregator serve`) the next run
is estimated from the last one, the interval and the back-off.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from aggregator import clock, dedup
from aggregator.config import Config, Source
from aggregator.scheduler import retry_delay
from aggregator.store import Store


def source_status(
    config: Config, store: Store, next_runs: Mapping[str, datetime | None] | None = None
) -> list[dict]:
    """One record per configured source: its last run, health and next run."""
    last = store.last_runs()
    failures = store.consecutive_failures()
    rows = []
    for source in config.sources:
        run = last.get(source.id)
        failed = failures.get(source.id, 0)
        interval = source.effective_interval(config.settings)
        if next_runs is not None:
            next_run = next_runs.get(source.id)
        else:
            next_run = _estimated_next_run(source, run, retry_delay(interval, failed))
        rows.append(
            {
                "id": source.id,
                "name": source.name,
                "url": source.url,
                "enabled": source.enabled,
                "interval_seconds": int(interval.total_seconds()),
                "last_run": run["finished"] if run else None,
                "duration_seconds": _duration(run),
                "result": run["result"] if run else "never run",
                "http_status": run.get("http_status") if run else None,
                "events_found": run["events"] if run and run["result"] == "ok" else None,
                "events": store.count_events(source.id),
                "consecutive_failures": failed,
                "next_run": next_run.isoformat(timespec="seconds") if next_run else None,
                "error": run["error"] if run else None,
                "warning": run["warning"] if run else None,
            }
        )
    return rows


def _duration(run: dict | None) -> float | None:
    if not run or not run["started"] or not run["finished"]:
        return None
    seconds = datetime.fromisoformat(run["finished"]) - datetime.fromisoformat(run["started"])
    return round(seconds.total_seconds(), 2)


def _estimated_next_run(source: Source, run: dict | None, delay: timedelta) -> datetime | None:
    if not source.enabled or not run or not run["finished"]:
        return None
    return datetime.fromisoformat(run["finished"]) + delay


def status_lines(config: Config, store: Store) -> list[str]:
    lines = []
    for row in source_status(config, store):
        line = f"{row['id']}: {row['result']}"
        if row["last_run"]:
            line += f" at {row['last_run'][:19]}"
        line += f", {row['events']} events"
        if row["error"]:
            line += f" — error: {row['error']}"
        if row["consecutive_failures"] > 1:
            line += f" — {row['consecutive_failures']} failures in a row, backing off"
        if row["warning"]:
            line += f" — warning: {row['warning']}"
        lines.append(line)
    return lines + dedup.merge_lines(store, clock.today())  # which announcements became one
