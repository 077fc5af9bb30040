"""Which events a feed shows: filters shared by `export`, `publish` and the web server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from aggregator import dedup
from aggregator.identity import fold
from aggregator.model import Event, FeedInfo
from aggregator.store import Store


@dataclass(frozen=True, kw_only=True)
class Filters:
    source: str | None = None
    tag: str | None = None
    region: str | None = None
    city: str | None = None
    start: date | None = None  # "from"
    end: date | None = None    # "to"
    q: str | None = None
    limit: int | None = None
    include_past: bool = False


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _matches(event: Event, f: Filters) -> bool:
    last_day = _day(event.end or event.start)
    checks = (
        f.source is None or any(s.id == f.source for s in event.sources),
        f.tag is None or fold(f.tag) in {fold(t) for t in event.tags},
        f.region is None or fold(f.region) == fold(event.region or ""),
        f.city is None or fold(f.city) == fold(event.city or ""),
        f.start is None or last_day >= f.start,
        f.end is None or _day(event.start) <= f.end,
        f.q is None or fold(f.q) in fold(" ".join([event.title, event.description,
                                                   event.city or "", event.venue or ""])),
    )
    return all(checks)


def select(store: Store, filters: Filters, today: date) -> list[Event]:
    """Published events for a feed (one per real event, duplicates across sources
    merged), in calendar order: by default those not yet over."""
    dedup.refresh(store)  # events saved since the last clustering (nothing to do after a scrape)
    since = None if filters.include_past else today
    events = [e for e in store.published_events(since=since) if _matches(e, filters)]
    return events[: filters.limit] if filters.limit else events


def narrow(events: list[Event], filters: Filters) -> list[Event]:
    """The events of a `select` result that a narrower feed keeps (publish cuts one
    selection into per-source, per-tag and per-region feeds without re-reading)."""
    kept = [e for e in events if _matches(e, filters)]
    return kept[: filters.limit] if filters.limit else kept


def newest_first(events: list[Event]) -> list[Event]:
    """The "what's new" order: latest announcements first."""
    return sorted(events, key=lambda e: (e.first_seen.isoformat() if e.first_seen else "", e.id),
                  reverse=True)


def feed_info(*, title: str, base_url: str, path: str, generated: datetime,
              refresh_hours: int, ics_cancelled: str = "both") -> FeedInfo:
    """`ics_cancelled` is settings.ics_cancelled: how calendars show a cancellation."""
    return FeedInfo(title=title, base_url=base_url.rstrip("/"), self_path=path,
                    generated=generated, refresh_hours=refresh_hours,
                    extra={"ics_cancelled": ics_cancelled})
