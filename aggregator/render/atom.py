"""Atom 1.0, written by hand (see xmlitems for why not with feedgen).

Entry ids are the events' URNs (stable, independent of base_url); entry
authors are the sites that announced the event. The feed's own author is
the agenda, as Atom requires when an entry has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import aggregator
from aggregator.model import Event, FeedInfo
from aggregator.render import common
from aggregator.render.xmlitems import (
    XML_DECLARATION,
    attribute,
    escape,
    escape_attribute,
    item_parts,
    rfc3339,
)

CONTENT_TYPE = "application/atom+xml; charset=utf-8"


def render(events: Sequence[Event], info: FeedInfo) -> bytes:
    return b"".join(parts(events, info))


def parts(events: Iterable[Event], info: FeedInfo) -> Iterator[bytes]:
    """The feed in pieces (head, one per entry, end), for a caller that streams it."""
    yield _head(info).encode()
    for event in events:
        yield _entry(event, info)
    yield b"</feed>\n"


def _head(info: FeedInfo) -> str:
    title = escape(common.clean_line(info.title))
    subtitle = escape(common.clean_line(info.description))
    self_url = common.clean_line(common.self_url(info))
    site = escape_attribute(common.clean_line(common.site_url(info)))
    lines = [
        XML_DECLARATION + '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">',
        f"  <id>{escape(self_url)}</id>",
        f"  <title>{title}</title>",
        f"  <updated>{rfc3339(common.generated_at(info))}</updated>",
    ]
    if title:
        lines += ["  <author>", f"    <name>{title}</name>", "  </author>"]
    lines += [
        f'  <link href="{escape_attribute(self_url)}" rel="self" type="application/atom+xml"/>',
        f'  <link href="{site}" rel="alternate" type="text/html"/>',
        f'  <generator version="{escape_attribute(aggregator.__version__)}">aggregator</generator>',
    ]
    if subtitle:
        lines.append(f"  <subtitle>{subtitle}</subtitle>")
    return "\n".join(lines) + "\n"


def _entry(event: Event, info: FeedInfo) -> bytes:
    item = item_parts(event)
    updated = rfc3339(common.item_timestamp(event, info)).encode()
    pieces = [b"  <entry>\n    <id>", item.urn, b"</id>\n    <title>", item.title]
    pieces += [b"</title>\n    <updated>", updated, b"</updated>\n"]
    for name in item.authors:
        pieces += [b"    <author>\n      <name>", name, b"</name>\n    </author>\n"]
    pieces += [b'    <content type="html">', item.html, b"</content>\n"]
    if item.link:
        pieces += [b'    <link href="', attribute(item.link), b'"/>\n']
    for term in item.categories:
        pieces += [b'    <category term="', attribute(term), b'"/>\n']
    if event.first_seen:
        pieces += [b"    <published>", rfc3339(event.first_seen).encode(), b"</published>\n"]
    pieces.append(b"  </entry>\n")
    return b"".join(pieces)
