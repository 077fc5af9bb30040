"""What `auto` adds around its readers: the prose that fills an event's gaps, the
calendar a page links to, and the explanations of prose-read events.

Structured values win over prose, but prose fills what they lack: a JSON-LD
or microdata event without a location whose text says "à Grenoble" gets
Grenoble, and says where it came from. Pure: no network, no clock.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from urllib.parse import urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from aggregator.extract import prose, rss
from aggregator.extract._html import (
    describe,
    is_publication,
    text_of,
    web_link,
    without_chrome,
    words_of,
)
from aggregator.extract.dates import parse_dates
from aggregator.extract.explain import Explained, Rejected, reason_of, rejected
from aggregator.extract.places import find_place
from aggregator.extract.status import is_online
from aggregator.model import DateKind, RawEvent

_CALENDAR_HREF = re.compile(
    r"[?&](?:ical|outlook-ical|ics)=1\b|[?&]format=ic(?:al|s)\b"
    r"|\.ics(?:$|\?)|^webcal:",
    re.IGNORECASE,
)
_CALENDAR_WORDS = {"ical", "ics", "icalendar"}
_PROSE_BLOCKS = "p, li, h2, h3, h4, td, dd"


def filled(event: RawEvent, text: str) -> tuple[RawEvent, dict[str, str]]:
    """The event with a place (and the online flag) taken from its text when it has
    none, and the origins of what was added."""
    origins: dict[str, str] = {}
    if not (event.city or event.venue or event.address or event.online) and text:
        place = find_place(text)
        if place.city:
            quote = text[place.span[0] : place.span[1]] if place.span else place.city
            event = dataclasses.replace(
                event, city=place.city, venue=place.venue, address=place.address
            )
            origins["place"] = f'"{quote}" in the text around the event'
    if not event.online and event.city is None and is_online(f"{event.title} {text[:400]}"):
        event = dataclasses.replace(event, online=True)
        origins["online"] = "the words of its title or text (webinaire, en ligne, visio…)"
    return event, origins


def calendar_link(html: str, url: str) -> str | None:
    """The ICS calendar a page offers for its events: `<link rel=alternate
    type=text/calendar>`, else its one export link ("Exporter les événements",
    `?ical=1`, `.ics`, `webcal://`). Several distinct ICS links are per-event
    "add to my calendar" buttons, not the agenda's calendar: none is returned."""
    alternates = [link for kind, link in rss.feed_links(html, url) if kind == "ics"]
    if alternates:
        return alternates[0]
    found: list[str] = []
    for anchor in LexborHTMLParser(html).css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        if _CALENDAR_HREF.search(href) or (words_of(anchor) & _CALENDAR_WORDS):
            link = _web(href, url) if href.lower().startswith("webcal:") else web_link(anchor, url)
            if link and "google." not in link and link not in found:
                found.append(link)
    return found[0] if len(found) == 1 else None


def _web(href: str, page: str) -> str:
    parts = urlsplit(href)
    return urlunsplit(parts._replace(scheme=urlsplit(page).scheme or "https"))


def prose_notes(events: list[RawEvent], url: str, reference: date | None) -> list[Explained]:
    """How each prose event was read: its heading and the date expression it rests on."""
    notes = []
    for event in events:
        fields = {"title": "heading (or first line) of its part of the text"}
        quote = _date_quote(event, reference)
        if quote:
            fields["start"] = f'text "{quote}"'
        if event.city or event.venue:
            fields["place"] = "the words of its part of the text"
        notes.append(Explained(strategy="prose", page=url).adding(fields))
    return notes


def _date_quote(event: RawEvent, reference: date | None) -> str | None:
    """The words of the text that gave the event its date."""
    day = _day(event.start) if event.start is not None else None
    for text in (event.date_text, event.description, event.title):
        for match in parse_dates(
            text or "", event.published or reference, past_by_reference=event.published is not None
        ):
            if (
                match.kind == DateKind.EVENT
                and match.start is not None
                and (day is None or _day(match.start) == day)
            ):
                return match.text
    return None


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def prose_rejections(
    html: str, url: str, events: list[RawEvent], reference: date | None
) -> list[Rejected]:
    """Blocks of the main text that hold dates but gave no event, with the reason."""
    root = prose.main_content(LexborHTMLParser(without_chrome(html)))
    if root is None:
        return []
    days = {_day(e.start) for e in events if e.start is not None}
    days |= {
        _day(m.start)
        for e in events
        if e.start is None
        for m in parse_dates(e.date_text or "", e.published or reference)
        if m.kind == DateKind.EVENT and m.start is not None
    }
    found = []
    for node in root.css(_PROSE_BLOCKS):
        text = text_of(node)
        if not text or any(inner.mem_id != node.mem_id for inner in node.css("p, li")):
            continue
        matches = [
            m
            for m in parse_dates(text, reference, past_by_reference=reference is not None)
            if m.start is not None
        ]
        if not matches or any(m.kind == DateKind.EVENT and _day(m.start) in days for m in matches):
            continue
        kinds = [m.kind.value for m in matches if m.kind != DateKind.EVENT]
        if is_publication(node):
            kinds = ["publication"]
        reason = reason_of(kinds) if kinds else "a date, but no event announced around it"
        found.append(rejected(url, describe(node), text, reason))
    return found
