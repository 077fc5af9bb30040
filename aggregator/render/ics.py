"""iCalendar (RFC 5545) with icalendar.

Europe/Paris is written as the classic RRULE-based VTIMEZONE that every
client ships, not icalendar 7's generated one: that one lists each
changeover date, and ical.js (Thunderbird) and vobject read such lists only
in part, which showed every summer event one hour late.

Timed events whose end time is unknown get no DTEND. RFC 5545 then means
"starts at this time, takes no time", which is exactly what we know;
inventing an end (start + 1 h) would put a false time on the subscriber's
calendar, and Google, Outlook, Apple Calendar and Thunderbird all show such
an event at its start. All-day events get the exclusive DTEND RFC 5545
asks for (the day after the last day).

Month-precision events ("février 2020") are left out: a calendar cannot
hold an event without a day, and inventing one would mislead.

Cancelled events stay in the calendar, shown as settings.ics_cancelled says
(passed in `FeedInfo.extra["ics_cancelled"]`): `status` writes
STATUS:CANCELLED (Google Calendar then hides the event from subscribers),
`prefix` keeps it CONFIRMED with "ANNULÉ — " in SUMMARY, `both` (the
default) does both.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration
from icalendar import Event as VEvent

from aggregator import clock
from aggregator.model import Event, FeedInfo, Precision, Status
from aggregator.render import common

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//aggregator//Agenda politique de la ville//FR"
TZID = "Europe/Paris"
UID_DOMAIN = "aggregator"
CANCELLED_MODES = ("status", "prefix", "both")


def render(events: Sequence[Event], info: FeedInfo) -> bytes:
    """The calendar of every event that has a day.

    Each VEVENT is serialised once and reused while the event is unchanged
    (icalendar takes about a millisecond per event): a feed rebuilt after a
    scrape that changed a few events costs little more than concatenation.
    """
    head = _calendar(info).to_ical()
    end = b"END:VCALENDAR\r\n"
    mode, stamp = cancelled_mode(info), common.generated_at(info)
    body = [_vevent_bytes(event, mode, stamp) for event in events if in_calendar(event)]
    return head[: -len(end)] + b"".join(body) + end


def _vevent_bytes(event: Event, mode: str, stamp: datetime) -> bytes:
    if event.updated is not None or event.first_seen is not None:
        stamp = None  # DTSTAMP comes from the event: the generation time plays no part
    try:
        return _cached_vevent(event, mode, stamp)
    except TypeError:  # an event carrying an unhashable value: serialise it directly
        return _vevent(event, mode, stamp).to_ical()


@functools.lru_cache(maxsize=20_000)
def _cached_vevent(event: Event, mode: str, stamp: datetime | None) -> bytes:
    return _vevent(event, mode, stamp).to_ical()


def render_event(event: Event, info: FeedInfo) -> bytes:
    """One event for "add to my calendar"; a calendar without VEVENT when the
    event has no day yet (see in_calendar)."""
    return render([event], info)


def in_calendar(event: Event) -> bool:
    return event.precision != Precision.MONTH


def event_uid(event: Event) -> str:
    return f"{event.id}@{UID_DOMAIN}"


def _calendar(info: FeedInfo) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", common.clean_line(info.title))
    calendar.add("x-wr-calname", common.clean_line(info.title))
    if common.clean_line(info.description):
        calendar.add("x-wr-caldesc", common.clean_line(info.description))
    calendar.add("x-wr-timezone", TZID)
    refresh = timedelta(hours=info.refresh_hours)
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    calendar.add_component(paris_vtimezone())
    return calendar


def paris_vtimezone() -> Timezone:
    """Europe/Paris as the EU rule since 1996: last Sunday of March at 02:00
    to CEST, last Sunday of October at 03:00 back to CET."""
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("tzname", "CET")
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("tzname", "CEST")
    zone = Timezone()
    zone.add("tzid", TZID)
    zone.add("x-lic-location", TZID)
    zone.add_component(standard)
    zone.add_component(daylight)
    return zone


def _vevent(event: Event, mode: str, stamp: datetime | None) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", _utc(event.updated or event.first_seen or stamp))
    if event.first_seen:
        vevent.add("created", _utc(event.first_seen))
    if event.updated:
        vevent.add("last-modified", _utc(event.updated))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", _summary(event, mode))
    for name, value in _times(event).items():
        vevent.add(name, value)
    location = common.location_text(event) or ("En ligne" if event.online else "")
    if location:
        vevent.add("location", location)
    link = common.event_link(event)
    if link:
        vevent.add("url", common.clean_line(link))
    vevent.add("description", _description(event))
    vevent.add("status", _status(event, mode))
    tags = [common.clean_line(tag) for tag in event.tags if common.clean_line(tag)]
    if tags:
        vevent.add("categories", tags)
    return vevent


def _times(event: Event) -> dict[str, date | datetime]:
    """DTSTART and, when known, DTEND (exclusive for all-day events)."""
    if isinstance(event.start, datetime):
        start = _paris(event.start)
        end = _paris(event.end) if isinstance(event.end, datetime) else None
        if event.alternatives and end and end.date() != start.date():
            end = None  # a span from the first choice to the last is not an event
        return {"dtstart": start, "dtend": end} if end and end > start else {"dtstart": start}
    last = event.end if isinstance(event.end, date) and not event.alternatives else None
    last = last.date() if isinstance(last, datetime) else last
    last = max(last or event.start, event.start)
    return {"dtstart": event.start, "dtend": last + timedelta(days=1)}


def cancelled_mode(info: FeedInfo) -> str:
    """How cancellations show: "status", "prefix" or "both" (see the module docstring)."""
    mode = info.extra.get("ics_cancelled", "both")
    return mode if mode in CANCELLED_MODES else "both"


def _summary(event: Event, mode: str) -> str:
    prefix = common.status_prefix(event)
    if event.status == Status.CANCELLED and mode == "status":
        prefix = ""
    return prefix + common.clean_line(event.title)


def _status(event: Event, mode: str = "both") -> str:
    if event.status == Status.CANCELLED:
        return "CONFIRMED" if mode == "prefix" else "CANCELLED"
    if event.status == Status.POSTPONED or event.alternatives:
        return "TENTATIVE"
    return "CONFIRMED"


def _description(event: Event) -> str:
    """Plain text: status, undecided days, the event's text, links, sources."""
    parts = []
    note = common.STATUS_NOTES.get(event.status)
    if note:
        parts.append(note)
    choices = common.alternatives_line(event)
    if choices:
        parts.append(f"Date à confirmer : {choices}.")
    text = common.clean_text(event.description).strip()
    if text:
        parts.append(text)
    if event.registration_url:
        parts.append(f"Inscription : {common.clean_line(event.registration_url)}")
    link = common.event_link(event)
    if link:  # Google Calendar shows DESCRIPTION but not URL
        parts.append(f"Plus d'informations : {common.clean_line(link)}")
    names = [common.clean_line(source.name) for source in event.sources]
    if any(names):
        parts.append("Annoncé par : " + ", ".join(name for name in names if name))
    return "\n\n".join(parts)


def _paris(value: datetime) -> datetime:
    return value.astimezone(clock.PARIS).replace(microsecond=0)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)
