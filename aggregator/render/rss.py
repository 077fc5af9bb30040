"""RSS 2.0 with feedgen.

Each item's title carries its date and place ("5 nov. 2019 · Lyon — Titre")
because many readers show titles only. The guid is the event's URN, so a
re-scrape never re-announces an item.
"""

from __future__ import annotations

from collections.abc import Sequence

from feedgen.feed import FeedEntry, FeedGenerator

import aggregator
from aggregator.model import Event, FeedInfo
from aggregator.render import common

CONTENT_TYPE = "application/rss+xml; charset=utf-8"


def render(events: Sequence[Event], info: FeedInfo) -> bytes:
    feed = _feed(info)
    for event in events:
        feed.add_entry(_item(event, info), order="append")
    return feed.rss_str(pretty=True)


def _feed(info: FeedInfo) -> FeedGenerator:
    feed = FeedGenerator()
    feed.title(common.clean_line(info.title))
    feed.description(common.clean_line(info.description) or common.clean_line(info.title))
    # feedgen writes the LAST link() as the RSS <link>: self first, alternate last.
    feed.link(href=common.self_url(info), rel="self", type="application/rss+xml")
    feed.link(href=common.site_url(info), rel="alternate", type="text/html")
    feed.language("fr")
    feed.lastBuildDate(common.generated_at(info))
    feed.generator("aggregator", version=aggregator.__version__)
    feed.ttl(info.refresh_hours * 60)
    return feed


def _item(event: Event, info: FeedInfo) -> FeedEntry:
    item = FeedEntry()
    item.title(common.item_title(event))
    item.guid(common.event_urn(event), permalink=False)
    link = common.event_link(event)
    if link:
        item.link(href=common.clean_line(link))
    item.description(common.item_html(event))
    item.pubDate(common.item_timestamp(event, info))
    for tag in event.tags:
        if common.clean_line(tag):
            item.category(term=common.clean_line(tag))
    return item
