"""Which events a feed shows: filters shared by `export`, `publish` and the web server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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
    """Events for a feed, in calendar order: by default those not yet over."""
    since = None if filters.include_past else today
    events = [e for e in store.events(since=since) if _matches(e, filters)]
    return events[: filters.limit] if filters.limit else events


def newest_first(events: list[Event]) -> list[Event]:
    """The "what's new" order: latest announcements first."""
    return sorted(events, key=lambda e: (e.first_seen.isoformat() if e.first_seen else "", e.id),
                  reverse=True)


def feed_info(*, title: str, base_url: str, path: str, generated: datetime,
              refresh_hours: int) -> FeedInfo:
    return FeedInfo(title=title, base_url=base_url.rstrip("/"), self_path=path,
                    generated=generated, refresh_hours=refresh_hours)
