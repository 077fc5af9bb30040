"""Listing blocks into events: alone (list-level), or merged with their detail page.

A block shows a title, a date and often a place; its page shows more (times,
address, description, registration). `merged` keeps the page's event and
fills its gaps from the block; a news post read on its page may announce
several events, which replace the block. A block whose page gave nothing
still counts when it shows an event date. Pure: no network, no clock.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from aggregator.extract.dates import first_event_date
from aggregator.extract.explain import Explained, Rejected, reason_of, rejected
from aggregator.extract.listitem import Item
from aggregator.extract.pagefields import day_of, place_in
from aggregator.extract.status import find_status, is_online
from aggregator.model import RawEvent, Status

STRATEGY = "listing"
# Strategies whose dates are read from markup, which a block's date never overrides.
_MARKUP = {"jsonld", "microdata", "rdfa", "microformats", "page fields", "ics"}


def item_event(item: Item, page_url: str) -> tuple[RawEvent, Explained] | None:
    """The event a listing block shows by itself, or None when it shows no event date."""
    if item.dates is None or not item.title:
        return None
    place = place_in(item.place)
    event = RawEvent(
        title=item.title,
        url=item.url or page_url,
        start=item.dates.start,
        end=item.dates.end,
        precision=item.dates.precision,
        alternatives=item.dates.alternatives,
        venue=place.venue if place else None,
        address=place.address if place else None,
        city=place.city if place else None,
        online=is_online(f"{item.title} {item.place}"),
        status=find_status(item.text),
        published=item.publication,
        strategy=STRATEGY,
    )
    origins = {
        "title": f"{item.title_origin} of {item.where}",
        "start": f"{item.dates.origin} of {item.where}",
    }
    if place and (place.city or place.venue):
        origins["place"] = f'{item.place_origin} "{item.place}" of {item.where}'
    return event, Explained(strategy=STRATEGY, page=page_url).adding(origins)


def item_rejection(item: Item, page_url: str, *, followed: bool = False) -> Rejected:
    """Why a block gave no event; `followed` when its own page was read too."""
    reason = "no title" if not item.title else reason_of(item.kinds)
    if followed:
        reason = "its page announces no event to come"
    return rejected(page_url, item.where, item.title or item.text, reason)


def past_reason(item: Item, today: date, news_days: int) -> str | None:
    """Why a block is not worth following today: its event is over, or it is an old
    news post; None when it may announce something to come."""
    if item.dates is not None and _last_day(item.dates.start, item.dates.end) < today:
        return f"past: {item.dates.start:%Y-%m-%d} is over"
    if item.dates is None and "past" in item.kinds:
        return "past: its date is over or told as past"
    if (
        item.dates is None
        and item.publication is not None
        and (today - item.publication).days > news_days
    ):
        return f"past: a news post of {item.publication:%Y-%m-%d}, too old to announce events"
    return None


def _last_day(start: date | datetime, end: date | datetime | None) -> date:
    return day_of(end if end is not None else start)


def merged(
    item: Item, page_url: str, detail_events: list[RawEvent], detail_notes: list[Explained]
) -> tuple[list[RawEvent], list[Explained]]:
    """The events of a block and its detail page together."""
    own = item_event(item, page_url)
    if len(detail_events) == 1 and own is None and item.title:
        own = _titled(item, page_url)
    if not detail_events:
        return ([own[0]], [own[1]]) if own else ([], [])
    if len(detail_events) > 1 and own is None:
        return detail_events, detail_notes  # a news post announcing several events
    index = _matching(own[0] if own else None, detail_events, detail_notes)
    if index is None:
        return detail_events, detail_notes
    event, note = detail_events[index], detail_notes[index]
    if own is not None:
        event, note = _completed(event, note, own[0], own[1])
    return [event], [note]


def _titled(item: Item, page_url: str) -> tuple[RawEvent, Explained]:
    """A block with a title but no event date (a news post): its title alone."""
    event = RawEvent(title=item.title, url=item.url or page_url, strategy=STRATEGY)
    note = Explained(strategy=STRATEGY, page=page_url).adding(
        {"title": f"{item.title_origin} of {item.where}"}
    )
    return event, note


def _matching(own: RawEvent | None, events: list[RawEvent], notes) -> int | None:
    """The detail event that is the block's own: the only one, or the one on its day."""
    if len(events) == 1:
        return 0
    if own is None or own.start is None:
        return None
    for index, event in enumerate(events):
        if start_day(event) == day_of(own.start):
            return index
    return None


def start_day(event: RawEvent) -> date | None:
    """The day an event starts, read from its date text when no start is given."""
    if event.start is not None:
        return day_of(event.start)
    match = first_event_date(
        event.date_text or "", event.published, past_by_reference=event.published is not None
    )
    return day_of(match.start) if match and match.start is not None else None


def _completed(
    event: RawEvent, note: Explained, own: RawEvent, own_note: Explained
) -> tuple[RawEvent, Explained]:
    """The detail event, its gaps filled from the block's event."""
    changes: dict = {}
    taken: dict[str, str] = {}
    origins = dict(own_note.fields)
    detail_day = start_day(event)
    if own.start is not None and (
        detail_day is None or (detail_day != day_of(own.start) and event.strategy not in _MARKUP)
    ):
        changes.update(
            start=own.start,
            end=own.end,
            precision=own.precision,
            alternatives=own.alternatives,
            date_text=None,
        )
        taken["start"] = origins.get("start", "")
    if not (event.city or event.venue or event.address or event.online) and (
        own.city or own.venue or own.online
    ):
        changes.update(venue=own.venue, address=own.address, city=own.city, online=own.online)
        taken["place"] = origins.get("place", "the listing block")
    elif event.city is None and own.city is not None and not event.online:
        changes["city"] = own.city
        taken["city"] = origins.get("place", "the listing block")
    if event.status == Status.SCHEDULED and own.status != Status.SCHEDULED:
        changes["status"] = own.status
        taken["status"] = "the listing block's text"
    if own.title and (not event.title or event.strategy == "prose"):
        # A block's title is the page's own name for it; prose only guesses one.
        changes["title"] = own.title
        taken["title"] = origins.get("title", "")
    strategy = f"listing + {note.strategy}"
    return (
        dataclasses.replace(event, **changes),
        dataclasses.replace(note, strategy=strategy).adding(taken),
    )
