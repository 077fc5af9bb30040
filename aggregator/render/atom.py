"""Atom 1.0 with feedgen.

Entry ids are the events' URNs (stable, independent of base_url); entry
authors are the sites that announced the event.
"""

from __future__ import annotations

from collections.abc import Sequence

from feedgen.feed import FeedEntry, FeedGenerator

import aggregator
from aggregator.model import Event, FeedInfo
from aggregator.render import common

CONTENT_TYPE = "application/atom+xml; charset=utf-8"


def render(events: Sequence[Event], info: FeedInfo) -> bytes:
    feed = _feed(info)
    for event in events:
        feed.add_entry(_entry(event, info), order="append")
    return feed.atom_str(pretty=True)


def _feed(info: FeedInfo) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(common.self_url(info))
    feed.title(common.clean_line(info.title))
    if common.clean_line(info.description):
        feed.subtitle(common.clean_line(info.description))
    # Self first, alternate last: the order the RSS renderer needs, kept alike.
    feed.link(href=common.self_url(info), rel="self", type="application/atom+xml")
    feed.link(href=common.site_url(info), rel="alternate", type="text/html")
    # Atom requires an author on the feed when an entry has none.
    feed.author(name=common.clean_line(info.title))
    feed.language("fr")
    feed.updated(common.generated_at(info))
    feed.generator("aggregator", version=aggregator.__version__)
    return feed


def _entry(event: Event, info: FeedInfo) -> FeedEntry:
    entry = FeedEntry()
    entry.id(common.event_urn(event))
    entry.title(common.item_title(event))
    entry.updated(common.item_timestamp(event, info))
    if event.first_seen:
        entry.published(event.first_seen)
    link = common.event_link(event)
    if link:
        entry.link(href=common.clean_line(link), rel="alternate", type="text/html")
    entry.content(common.item_html(event), type="html")
    for source in event.sources:
        if common.clean_line(source.name):
            entry.author(name=common.clean_line(source.name))
    for tag in event.tags:
        if common.clean_line(tag):
            entry.category(term=common.clean_line(tag))
    return entry
