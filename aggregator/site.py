"""What the site shows, built the same way for HTTP (`web`) and for static files (`publish`).

Feeds are dated by their content (`generated_for`), not by the time they were
rendered, so an agenda that did not change keeps the same bytes: the same
ETag for HTTP clients, an untouched file for nginx.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from importlib import resources
from urllib.parse import urlencode

from aggregator import clock
from aggregator.config import Config
from aggregator.feeds import Filters, feed_info, newest_first, select
from aggregator.identity import fold
from aggregator.model import Event, FeedInfo
from aggregator.render import html, render, render_parts
from aggregator.store import Store

NEW_ITEMS = 50  # default length of the "what's new" feeds
PAGE_LIMITS = {"index": 100, "embed": 20}  # events shown when the query sets no limit
FEED_FORMATS = (
    ("rss", "feed.rss", "RSS"),
    ("atom", "feed.atom", "Atom"),
    ("ics", "feed.ics", "ICS"),
    ("json", "events.json", "JSON"),
)


@dataclass(frozen=True, kw_only=True)
class Partition:
    """A filtered view worth its own feeds: one source, tag or region."""

    kind: str  # source | tag | region
    value: str
    label: str
    slug: str

    @property
    def filters(self) -> Filters:
        return Filters(**{self.kind: self.value})

    @property
    def folder(self) -> str:
        return f"{self.kind}/{self.slug}"


@functools.cache
def widget_js() -> bytes:
    return resources.files("aggregator").joinpath("static/widget.js").read_bytes()


def generated_for(events: Sequence[Event], today: date) -> datetime:
    """The latest change among the events, or the start of today (past events
    leave the feeds each day), whichever is later."""
    stamps = [s for e in events for s in (e.updated, e.first_seen) if s is not None]
    return max([datetime.combine(today, time(), clock.PARIS), *stamps])


def refresh_hours(config: Config) -> int:
    return max(1, int(config.settings.interval.total_seconds() // 3600))


def feed_events(
    store: Store, filters: Filters, today: date, *, newest: bool = False
) -> list[Event]:
    """The events of a feed; "what's new" feeds by first_seen, NEW_ITEMS by default."""
    if not newest:
        return select(store, filters, today)
    events = newest_first(select(store, dataclasses.replace(filters, limit=None), today))
    return events[: filters.limit or NEW_ITEMS]


def feed_body(config: Config, fmt: str, events: Sequence[Event], path: str, today: date) -> bytes:
    return render(fmt, events, _feed_info(config, events, path, today))


def feed_parts(
    config: Config, fmt: str, events: list[Event], path: str, today: date
) -> Iterator[bytes]:
    """`feed_body` in pieces, taking `events` over: the list is emptied as they are
    written, so each event and its rendered text can leave memory once written (the
    web server's builds of 10,000 events then never hold the whole feed)."""
    info = _feed_info(config, events, path, today)
    return render_parts(fmt, _handed_over(events), info)


def _handed_over(events: list[Event]) -> Iterator[Event]:
    events.reverse()
    while events:
        yield events.pop()


def _feed_info(config: Config, events: Sequence[Event], path: str, today: date) -> FeedInfo:
    return feed_info(
        title=config.settings.title,
        base_url=config.settings.base_url,
        path=path,
        generated=generated_for(events, today),
        refresh_hours=refresh_hours(config),
        ics_cancelled=config.settings.ics_cancelled,
    )


def query_of(filters: Filters, *, feed: bool = False) -> str:
    """The query string of `filters`; for a feed, without limit and dates.

    >>> query_of(Filters(source="irev", limit=5))
    'source=irev&limit=5'
    """
    values = {
        "source": filters.source,
        "tag": filters.tag,
        "region": filters.region,
        "city": filters.city,
        "q": filters.q,
    }
    if not feed:
        values.update({"from": filters.start, "to": filters.end, "limit": filters.limit})
    return urlencode({k: str(v) for k, v in values.items() if v is not None})


def slug(text: str) -> str:
    """
    >>> slug("Auvergne-Rhône-Alpes")
    'auvergne-rhone-alpes'
    """
    return fold(text).replace(" ", "-")


def partitions(config: Config, events: Sequence[Event]) -> list[Partition]:
    """Every source of the configuration, and the tags and regions events carry."""
    names = {s.id: s.name for s in config.sources}
    for event in events:
        for ref in event.sources:
            names.setdefault(ref.id, ref.name or ref.id)
    found = [Partition(kind="source", value=i, label=n, slug=i) for i, n in names.items()]
    for kind, values in (
        ("tag", [t for e in events for t in e.tags]),
        ("region", [e.region for e in events if e.region]),
    ):
        by_slug: dict[str, str] = {}
        for value in values:
            if slug(value):
                by_slug.setdefault(slug(value), value)
        found += [
            Partition(kind=kind, value=v, label=v, slug=s) for s, v in sorted(by_slug.items())
        ]
    return found


_KIND_LABELS = {"source": "Source", "tag": "Thème", "region": "Région"}


def feed_links(
    parts: Sequence[Partition], url: Callable[[Partition, str], str]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """(label, [(format, url)]) for the index page; `url(partition, file)` says
    where a filtered feed lives (a query string live, a folder when published)."""
    return [
        (
            f"{_KIND_LABELS[p.kind]} : {p.label}",
            [(label, url(p, file)) for _, file, label in FEED_FORMATS],
        )
        for p in parts
    ]


def page(
    config: Config,
    *,
    feeds: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
    static: bool = False,
    embed_query: str = "",
    view: Callable[[str], str] = lambda file: f"/{file}",
) -> html.Page:
    """`view(file)` is where this page's own feed `file` lives, after base_url."""
    return html.Page(
        title=config.settings.title,
        base_url=config.settings.base_url,
        feeds=feeds,
        static=static,
        embed_query=embed_query,
        calendar=view("feed.ics"),
        rss=view("feed.rss"),
    )
