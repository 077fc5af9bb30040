"""iCalendar (RFC 5545): the calendar head with icalendar, each VEVENT by hand.

VEVENTs are written by `_ical` (TEXT escaping, 75-octet folding on UTF-8
boundaries, CRLF) rather than built as icalendar components: icalendar
took about a millisecond per event (7.6 s for a 10,000-event feed), most of
it in generic property handling we do not need. The bytes are the ones
icalendar wrote, property order included, except that a literal backslash-N
in a text stays text (icalendar made it a line break); tests compare both,
and read the file back with icalendar, vobject and ical.js. The head (calendar
properties and the VTIMEZONE) is still built with icalendar, once per feed
settings. Each VEVENT is kept while its event object lives (`_memo`), so
the per-event files and partial feeds of `publish` reuse it.

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
`prefix` keeps it CONFIRMED with "ANNULÉ – " in SUMMARY, `both` (the
default) does both.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration

from aggregator import clock
from aggregator.model import Event, FeedInfo, Precision, SourceRef, Status, When
from aggregator.render import _ical, common
from aggregator.render._memo import PerEvent

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//aggregator//Agenda politique de la ville//FR"
TZID = "Europe/Paris"
UID_DOMAIN = "aggregator"
CANCELLED_MODES = ("status", "prefix", "both")


def render(events: Sequence[Event], info: FeedInfo) -> bytes:
    """The calendar of every event that has a day."""
    return b"".join(parts(events, info))


def parts(events: Iterable[Event], info: FeedInfo) -> Iterator[bytes]:
    """The calendar in pieces (head, one per VEVENT, end), for a caller that streams it."""
    title, description = common.clean_line(info.title), common.clean_line(info.description)
    yield _head(title, description, info.refresh_hours)
    mode, stamp = cancelled_mode(info), common.generated_at(info)
    for event in events:
        if in_calendar(event):
            yield _vevent_bytes(event, mode, stamp)
    yield b"END:VCALENDAR\r\n"


def _vevent_bytes(event: Event, mode: str, stamp: datetime) -> bytes:
    if event.updated is not None or event.first_seen is not None:
        stamp = None  # DTSTAMP comes from the event: the generation time plays no part
    return _VEVENTS.get(event, _vevent, mode, stamp)


_VEVENTS: PerEvent[bytes] = PerEvent()


def render_event(event: Event, info: FeedInfo) -> bytes:
    """One event for "add to my calendar"; a calendar without VEVENT when the
    event has no day yet (see in_calendar)."""
    return render([event], info)


def in_calendar(event: Event) -> bool:
    return event.precision != Precision.MONTH


def event_uid(event: Event) -> str:
    return f"{event.id}@{UID_DOMAIN}"


@functools.lru_cache(maxsize=64)
def _head(title: str, description: str, refresh_hours: int) -> bytes:
    """The calendar up to its first VEVENT: properties and the VTIMEZONE."""
    end = b"END:VCALENDAR\r\n"
    return _calendar(title, description, refresh_hours).to_ical()[: -len(end)]


def _calendar(title: str, description: str, refresh_hours: int) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", title)
    calendar.add("x-wr-calname", title)
    if description:
        calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", TZID)
    refresh = timedelta(hours=refresh_hours)
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


def _vevent(event: Event, mode: str, stamp: datetime | None) -> bytes:
    """One VEVENT, its properties in the order icalendar wrote them (SUMMARY,
    DTSTART, DTEND, DTSTAMP, UID, SEQUENCE, then alphabetical)."""
    link = common.event_link(event)
    link = common.clean_line(link) if link else ""
    lines = ["BEGIN:VEVENT", "SUMMARY:" + _ical.text(_summary(event, mode))]
    lines += _time_lines(event.start, event.end, tuple(event.alternatives))
    lines.append("DTSTAMP:" + _stamp(event.updated or event.first_seen or stamp))
    lines.append("UID:" + _ical.text(event_uid(event)))
    lines.append(f"SEQUENCE:{event.sequence:d}")
    if event.tags:
        lines += _categories(tuple(event.tags))
    if event.first_seen:
        lines.append("CREATED:" + _stamp(event.first_seen))
    lines.append("DESCRIPTION:" + _ical.text(_description(event, link)))
    if event.updated:
        lines.append("LAST-MODIFIED:" + _stamp(event.updated))
    lines += _location(event.venue, event.address, event.city, event.online)
    lines.append("STATUS:" + _status(event, mode))
    if link:  # a URI value: written as is, not escaped like TEXT
        lines.append("URL:" + link)
    lines.append("END:VEVENT")
    return _ical.component(lines)


# Events share their tags and places: their lines are kept by value.
@functools.lru_cache(maxsize=4096)
def _categories(tags: tuple[str, ...]) -> tuple[str, ...]:
    """The CATEGORIES line, if any tag is left once cleaned."""
    cleaned = [tag for tag in map(common.clean_line, tags) if tag]
    return ("CATEGORIES:" + _ical.texts(cleaned),) if cleaned else ()


@functools.lru_cache(maxsize=4096)
def _location(venue: str | None, address: str | None, city: str | None, online: bool) -> tuple:
    """The LOCATION line, if the event has a place or is online."""
    where = common.location_of(venue, address, city) or ("En ligne" if online else "")
    return ("LOCATION:" + _ical.text(where),) if where else ()


@functools.lru_cache(maxsize=4096)
def _stamp(moment: datetime) -> str:
    """A UTC DATE-TIME; events scraped together share their stamps."""
    return _ical.utc_time(_utc(moment))


@functools.lru_cache(maxsize=4096)
def _time_lines(start: When, end: When | None, alternatives: tuple[date, ...]) -> tuple[str, ...]:
    """The DTSTART and DTEND lines; events share their days, so these are kept."""
    lines = []
    for name, value in _times_of(start, end, alternatives).items():
        if isinstance(value, datetime):
            lines.append(f"{name};TZID={TZID}:{_ical.local_time(value)}")
        else:
            lines.append(f"{name};VALUE=DATE:{_ical.date_value(value)}")
    return tuple(lines)


def _times(event: Event) -> dict[str, date | datetime]:
    """DTSTART and, when known, DTEND (exclusive for all-day events)."""
    return _times_of(event.start, event.end, event.alternatives)


def _times_of(
    start: When, end: When | None, alternatives: Sequence[date]
) -> dict[str, date | datetime]:
    if isinstance(start, datetime):
        first = _paris(start)
        last = _paris(end) if isinstance(end, datetime) else None
        if alternatives and last and last.date() != first.date():
            last = None  # a span from the first choice to the last is not an event
        return {"DTSTART": first, "DTEND": last} if last and last > first else {"DTSTART": first}
    day = end if isinstance(end, date) and not alternatives else None
    day = day.date() if isinstance(day, datetime) else day
    day = max(day or start, start)
    return {"DTSTART": start, "DTEND": day + timedelta(days=1)}


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


def _description(event: Event, link: str) -> str:
    """Plain text: status, undecided days, the event's text, links, sources
    (`link`: where to read more, a clean line or "")."""
    parts = []
    note = common.STATUS_NOTES.get(event.status)
    if note:
        parts.append(note)
    if event.alternatives:
        parts.append(f"Date à confirmer : {common.alternatives_line(event)}.")
    text = common.clean_text(event.description).strip()
    if text:
        parts.append(text)
    if event.registration_url:
        parts.append(f"Inscription : {common.clean_line(event.registration_url)}")
    if link:  # Google Calendar shows DESCRIPTION but not URL
        parts.append(f"Plus d'informations : {link}")
    if event.sources:
        parts += _credits(tuple(event.sources))
    return "\n\n".join(parts)


@functools.lru_cache(maxsize=4096)
def _credits(sources: tuple[SourceRef, ...]) -> tuple[str, ...]:
    names = [name for name in (common.clean_line(source.name) for source in sources) if name]
    return ("Annoncé par : " + ", ".join(names),) if names else ()


def _paris(value: datetime) -> datetime:
    return value.astimezone(clock.PARIS).replace(microsecond=0)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)
