"""What the RSS and Atom renderers share: XML escaping, dates, and each event's
item text, built once and written into both feeds.

The two feeds are written by hand, not with feedgen: feedgen builds and
checks an lxml tree per item (1.5 s for RSS, 1.9 s for Atom with 10,000
events). Written from templates, the XML itself costs little; nearly all
the time left is the item's text (French date and place, sanitised HTML:
common.item_html), which `item_parts` builds once for both formats, kept
while the event object lives (`_memo`). The bytes are those feedgen 1.0
wrote through lxml: same elements in the same order, same two-space
indentation, same escaping (tests compare both, and read the feeds with
lxml in strict mode and with feedparser)."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import NamedTuple

from aggregator import clock
from aggregator.model import Event
from aggregator.render import common
from aggregator.render._memo import PerEvent

XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def escape(text: str) -> str:
    """Character data as lxml writes it: &, < and > escaped (and a carriage
    return, which an XML parser would otherwise turn into a line feed)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text


def escape_attribute(text: str) -> str:
    """An attribute value in double quotes, as lxml writes it (whitespace other
    than spaces as character references, or a parser would normalise it)."""
    text = escape(text).replace('"', "&quot;")
    return text.replace("\n", "&#10;").replace("\t", "&#9;")


def rfc822(moment: datetime) -> str:
    """ "Mon, 01 Jul 2019 18:30:00 +0200" (RSS dates), in the moment's own
    offset, with English names whatever the process locale."""
    moment = _aware(moment)
    # Kept by instant and offset: equal instants in other offsets are other texts.
    return _rfc822(moment, moment.utcoffset())


def rfc3339(moment: datetime) -> str:
    """ "2019-07-01T18:30:00+02:00" (Atom dates)."""
    moment = _aware(moment)
    return _rfc3339(moment, moment.utcoffset())


# Events scraped together share their timestamps: their texts are kept.
@functools.lru_cache(maxsize=4096)
def _rfc822(moment: datetime, offset: timedelta) -> str:
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} {moment.year} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} {_offset(offset)}"
    )


@functools.lru_cache(maxsize=4096)
def _rfc3339(moment: datetime, offset: timedelta) -> str:
    return moment.isoformat()


def _offset(offset: timedelta) -> str:
    """ "+0200", as strftime's %z writes it (which costs more than the rest)."""
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _aware(moment: datetime) -> datetime:
    """Records carry aware datetimes; a naive one is read as Paris time rather
    than written without an offset, which would make the date invalid."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=clock.PARIS)


class ItemParts(NamedTuple):
    """One event's item text, XML-escaped (`escape`) and UTF-8 encoded, the
    same in RSS and Atom. Values that also go into attributes are clean lines
    (no tab or line break), so escaping a double quote as well is all an
    attribute needs."""

    title: bytes
    urn: bytes  # URN characters only: nothing to escape
    link: bytes | None
    html: bytes  # the item HTML (common.item_html), escaped as character data
    categories: tuple[bytes, ...]
    authors: tuple[bytes, ...]  # the names of the sites that announced the event


def attribute(escaped_line: bytes) -> bytes:
    """An `ItemParts` value (escaped, one line) as an attribute value."""
    return escaped_line.replace(b'"', b"&quot;")


def item_parts(event: Event) -> ItemParts:
    """The item text of `event`, built once while the event object lives: the
    RSS and Atom feeds of the same events share it."""
    return _PARTS.get(event, _item_parts)


def _item_parts(event: Event) -> ItemParts:
    link = common.event_link(event)
    return ItemParts(
        escape(common.item_title(event)).encode(),
        common.event_urn(event).encode(),
        escape(common.clean_line(link)).encode() if link else None,
        escape(common.item_html(event)).encode(),
        _escaped_lines(tuple(event.tags)),
        _escaped_lines(tuple(source.name for source in event.sources)),
    )


@functools.lru_cache(maxsize=4096)
def _escaped_lines(texts: tuple[str, ...]) -> tuple[bytes, ...]:
    """Clean, escaped and encoded, the empty ones left out. Events share their
    tags and sources, so these are kept by value."""
    return tuple(escape(line).encode() for line in map(common.clean_line, texts) if line)


_PARTS: PerEvent[ItemParts] = PerEvent()
