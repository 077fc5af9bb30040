"""RSS 2.0, written by hand (see xmlitems for why not with feedgen).

Each item's title carries its date and place ("5 nov. 2019 · Lyon — Titre")
because many readers show titles only. The guid is the event's URN, so a
re-scrape never re-announces an item. The channel's atom:link rel="self"
comes before the items, as the W3C validator recommends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from aggregator.model import Event, FeedInfo
from aggregator.render import common
from aggregator.render.xmlitems import (
    XML_DECLARATION,
    escape,
    escape_attribute,
    item_parts,
    rfc822,
)

CONTENT_TYPE = "application/rss+xml; charset=utf-8"
DOCS = "http://www.rssboard.org/rss-specification"


def render(events: Sequence[Event], info: FeedInfo) -> bytes:
    return b"".join(parts(events, info))


def parts(events: Iterable[Event], info: FeedInfo) -> Iterator[bytes]:
    """The feed in pieces (head, one per item, end), for a caller that streams it."""
    yield _head(info).encode()
    for event in events:
        yield _item(event, info)
    yield b"  </channel>\n</rss>\n"


def _head(info: FeedInfo) -> str:
    title = common.clean_line(info.title)
    description = common.clean_line(info.description) or title
    self_href = escape_attribute(common.clean_line(common.self_url(info)))
    return (
        f"{XML_DECLARATION}"
        '<rss xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n'
        "  <channel>\n"
        f"    <title>{escape(title)}</title>\n"
        f"    <link>{escape(common.clean_line(common.site_url(info)))}</link>\n"
        f"    <description>{escape(description)}</description>\n"
        f'    <atom:link href="{self_href}" rel="self" type="application/rss+xml"/>\n'
        f"    <docs>{DOCS}</docs>\n"
        "    <generator>aggregator</generator>\n"
        "    <language>fr</language>\n"
        f"    <lastBuildDate>{rfc822(common.generated_at(info))}</lastBuildDate>\n"
        f"    <ttl>{info.refresh_hours * 60}</ttl>\n"
    )


def _item(event: Event, info: FeedInfo) -> bytes:
    item = item_parts(event)
    pieces = [b"    <item>\n      <title>", item.title, b"</title>\n"]
    if item.link:
        pieces += [b"      <link>", item.link, b"</link>\n"]
    pieces += [b"      <description>", item.html, b"</description>\n"]
    pieces += [b'      <guid isPermaLink="false">', item.urn, b"</guid>\n"]
    for term in item.categories:
        pieces += [b"      <category>", term, b"</category>\n"]
    date = rfc822(common.item_timestamp(event, info)).encode()
    pieces += [b"      <pubDate>", date, b"</pubDate>\n    </item>\n"]
    return b"".join(pieces)
