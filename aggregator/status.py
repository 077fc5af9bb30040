"""`aggregator status`: the health of every source, from the runs table."""

from __future__ import annotations

from aggregator.config import Config
from aggregator.store import Store


def source_status(config: Config, store: Store) -> list[dict]:
    """One record per configured source: last run, result, events stored, last error."""
    last = store.last_runs()
    rows = []
    for source in config.sources:
        run = last.get(source.id)
        rows.append({
            "id": source.id,
            "name": source.name,
            "url": source.url,
            "last_run": run["finished"] if run else None,
            "result": run["result"] if run else "never run",
            "events": store.count_events(source.id),
            "error": run["error"] if run else None,
            "warning": run["warning"] if run else None,
        })
    return rows


def status_lines(config: Config, store: Store) -> list[str]:
    lines = []
    for row in source_status(config, store):
        line = f"{row['id']}: {row['result']}"
        if row["last_run"]:
            line += f" at {row['last_run'][:19]}"
        line += f", {row['events']} events"
        if row["error"]:
            line += f" — error: {row['error']}"
        if row["warning"]:
            line += f" — warning: {row['warning']}"
        lines.append(line)
    return lines
