"""The `auto` strategy: choose the best reading of a page nobody configured.

Order of trust: the page is itself a feed (ICS, RSS/Atom); schema.org Event
JSON-LD; a linked ICS or RSS feed (the pipeline fetches it); the French
text of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aggregator.extract import ics, jsonld, prose, rss
from aggregator.model import RawEvent


@dataclass(frozen=True, kw_only=True)
class AutoResult:
    events: list[RawEvent]
    strategy: str
    follow: tuple[str, str] | None = None  # (kind, url) of a feed worth fetching instead


def looks_like_ics(text: str, content_type: str = "") -> bool:
    return content_type == "text/calendar" or text.lstrip("\ufeff \r\n\t").startswith(
        "BEGIN:VCALENDAR"
    )


def looks_like_feed(text: str, content_type: str = "") -> bool:
    if content_type in ("application/rss+xml", "application/atom+xml"):
        return True
    head = text.lstrip("\ufeff \r\n\t")[:500].lower()
    return head.startswith("<?xml") and ("<rss" in head or "<feed" in head or "<rdf" in head)


def extract(
    text: str, url: str, *, content_type: str = "", published: date | None = None
) -> AutoResult:
    """Events of one page by the best strategy that finds any."""
    if looks_like_ics(text, content_type):
        return AutoResult(events=ics.extract(text, url), strategy="ics")
    if looks_like_feed(text, content_type):
        return AutoResult(events=rss.extract(text, url), strategy="rss")
    if jsonld.has_events(text):
        events = jsonld.extract(text, url)
        if events:
            return AutoResult(events=events, strategy="jsonld")
    links = sorted(rss.feed_links(text, url), key=lambda link: link[0] != "ics")
    if links:
        return AutoResult(events=[], strategy=links[0][0], follow=links[0])
    return AutoResult(events=prose.extract(text, url, published=published), strategy="prose")
