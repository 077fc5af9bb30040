"""An iCalendar (.ics) feed as a source (`strategy: ics`).

The Events Calendar's `?ical=1` export, Google/Outlook/Nextcloud public
calendars and hand-made PHP exports are read with icalendar. Exports from
small sites are often broken (lines folded without the leading space, raw
line breaks in descriptions, PHP warnings before BEGIN:VCALENDAR, a missing
END, time zones nobody defines): such a file is repaired line by line, and
an unknown time zone is read as Europe/Paris.

Pure: no network, no clock. Repeating events (RRULE) yield their first
occurrence only.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Component
from icalendar.parser import Contentline

from aggregator.clock import PARIS
from aggregator.errors import ExtractError
from aggregator.extract._text import city_from_location, clean_text, plain_text
from aggregator.model import Precision, RawEvent, Status, When

log = logging.getLogger(__name__)

STRATEGY = "ics"

# "NAME;PARAM=…:value": anything else that is not a folded line is broken.
_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^\r\n]*)?:")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_BEGIN_VEVENT = re.compile(r"^BEGIN:VEVENT\s*$", re.MULTILINE | re.IGNORECASE)
_HTML_TAG = re.compile(r"<(p|br|div|a|b|strong|em|i|ul|li|span)\b[^>]*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A line folded without its leading space was cut at the 75-octet limit.
_FOLD_WIDTH = 70

Zones = dict[str, tzinfo]


def extract(text: str, url: str) -> list[RawEvent]:
    """Every VEVENT of the feed, in file order."""
    events: list[RawEvent] = []
    zones: Zones = {}
    for calendar in _calendars(text, url):
        floating_zone = _calendar_zone(calendar)
        for component in calendar.walk("VEVENT"):
            event = _raw_event(component, url, zones, floating_zone)
            if event is not None:
                events.append(event)
    return events


# --- reading the file --------------------------------------------------------


def _calendars(text: str, url: str) -> list[Component]:
    """The file's calendars, repaired first when some of its lines are broken."""
    text = text.lstrip("\ufeff")
    if "BEGIN:VCALENDAR" not in text.upper():
        raise ExtractError(
            f"{url}: this is not an iCalendar file (it has no BEGIN:VCALENDAR line). "
            "Check that the source URL is the calendar's .ics export, or use another strategy."
        )
    expected = len(_BEGIN_VEVENT.findall(text))
    if not _has_broken_lines(text):
        try:
            calendars = Calendar.from_ical(text, multiple=True)
            if _event_count(calendars) >= expected:
                return calendars
        except Exception as exc:  # icalendar raises assorted types on bad input
            log.info("%s: iCalendar parse failed (%s), trying a repair", url, exc)
    log.warning("%s: the iCalendar file is malformed; read after repairing its lines", url)
    try:
        return Calendar.from_ical(_repaired(text), multiple=True)
    except Exception as exc:  # icalendar raises assorted types on bad input
        raise ExtractError(
            f"{url}: the iCalendar file cannot be read, even after repair ({exc}). "
            "Ask the site for a valid export, or use another strategy."
        ) from exc


def _has_broken_lines(text: str) -> bool:
    return any(
        line and line[0] not in " \t" and not _CONTENT_LINE.match(line)
        for line in _NEWLINE.split(text)
    )


def _event_count(calendars: list[Component]) -> int:
    return sum(len(calendar.walk("VEVENT")) for calendar in calendars)


def _repaired(text: str) -> str:
    """The file with broken folds joined, unreadable lines dropped and every
    BEGIN closed by its END."""
    lines = [line for line in _inside_calendar(_logical_lines(text)) if _is_readable(line)]
    return "\r\n".join(_balanced(lines)) + "\r\n"


def _logical_lines(text: str) -> list[str]:
    """Unfolded lines. A line that is neither folded nor a property continues
    the one before: cut at the fold width it was folded without its space,
    shorter it is a raw line break inside a text value (kept as an escaped \\n)."""
    lines: list[str] = []
    previous_width = 0
    for raw in _NEWLINE.split(_CONTROL.sub("", text)):
        if lines and raw[:1] in (" ", "\t"):
            lines[-1] += raw[1:]
        elif not lines or _CONTENT_LINE.match(raw):
            lines.append(raw)
        elif raw.strip():
            lines[-1] += ("" if previous_width >= _FOLD_WIDTH else "\\n") + raw
        previous_width = len(raw.encode())
    return lines


def _inside_calendar(lines: list[str]) -> list[str]:
    """The lines from the first BEGIN:VCALENDAR to the last END:VCALENDAR (or the
    end): servers print warnings and HTML around the calendar."""
    upper = [line.strip().upper() for line in lines]
    first = upper.index("BEGIN:VCALENDAR") if "BEGIN:VCALENDAR" in upper else 0
    ends = [number for number, line in enumerate(upper) if line == "END:VCALENDAR"]
    last = ends[-1] + 1 if ends and ends[-1] > first else len(lines)
    return lines[first:last]


def _is_readable(line: str) -> bool:
    try:
        Contentline(line).parts()
    except ValueError:
        return False
    return True


def _balanced(lines: list[str]) -> list[str]:
    """Lines where each component is closed, and closed before a sibling opens."""
    balanced: list[str] = []
    open_names: list[str] = []
    for line in lines:
        key, _, value = line.partition(":")
        key, name = key.split(";")[0].strip().upper(), value.strip().upper()
        if key in ("BEGIN", "END") and name in open_names:
            while open_names[-1] != name:
                balanced.append("END:" + open_names.pop())
            if key == "BEGIN":
                balanced.append("END:" + open_names.pop())
        if key == "BEGIN":
            open_names.append(name)
        elif key == "END":
            if not open_names or open_names[-1] != name:
                continue  # an END with no BEGIN
            open_names.pop()
        balanced.append(line)
    balanced.extend("END:" + name for name in reversed(open_names))
    return balanced


def _calendar_zone(calendar: Component) -> tzinfo | None:
    """The zone of floating times when the calendar names one (Google's X-WR-TIMEZONE)."""
    name = str(calendar.get("X-WR-TIMEZONE") or "").strip()
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


# --- one event ---------------------------------------------------------------


def _raw_event(
    component: Component, url: str, zones: Zones, floating_zone: tzinfo | None
) -> RawEvent | None:
    title = clean_text(_text(component.get("SUMMARY")))
    start = _when(component.get("DTSTART"), url, zones, floating_zone)
    if not title or start is None:
        log.info("%s: a VEVENT without SUMMARY or readable DTSTART was skipped", url)
        return None
    if component.get("RRULE") is not None:
        log.info("%s: %r repeats (RRULE); only its first occurrence is read", url, title)
    location = clean_text(_text(component.get("LOCATION")))
    link = _link(component.get("URL"), url)
    online_link = location if location and re.match(r"https?://", location) else None
    description, description_html = _descriptions(component)
    return RawEvent(
        title=title,
        url=link,
        uid=_uid(component),
        start=start,
        end=_end(component, start, url, zones, floating_zone),
        precision=Precision.MINUTE if isinstance(start, datetime) else Precision.DAY,
        status=_status(component),
        venue=None if online_link else location,
        city=None if online_link else city_from_location(location),
        online=online_link is not None or component.get("CONFERENCE") is not None,
        registration_url=online_link,
        description=description,
        description_html=description_html,
        tags=_categories(component.get("CATEGORIES")),
        strategy=STRATEGY,
    )


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def _link(value: Any, url: str) -> str | None:
    text = (_text(value) or "").strip()
    return urljoin(url, text) if text else None


def _uid(component: Component) -> str | None:
    """UID, made unique for a modified occurrence of a repeating event."""
    uid = (_text(component.get("UID")) or "").strip() or None
    recurrence = _dt(component.get("RECURRENCE-ID"))
    if uid and isinstance(recurrence, date):
        return f"{uid}/{recurrence.isoformat()}"
    return uid


def _status(component: Component) -> Status:
    """CANCELLED is cancelled; TENTATIVE and CONFIRMED are both scheduled."""
    value = (_text(component.get("STATUS")) or "").strip().upper()
    return Status.CANCELLED if value == "CANCELLED" else Status.SCHEDULED


def _descriptions(component: Component) -> tuple[str | None, str | None]:
    """(plain, HTML) descriptions. Google writes HTML into DESCRIPTION; Outlook
    puts it in X-ALT-DESC."""
    text = (_text(component.get("DESCRIPTION")) or "").strip()
    markup = (_text(component.get("X-ALT-DESC")) or "").strip() or None
    if text and _HTML_TAG.search(text):
        return plain_text(text) or None, markup or text
    return _CONTROL.sub("", text) or None, markup


def _categories(value: Any) -> tuple[str, ...]:
    """Every CATEGORIES value (the property may repeat and hold a list)."""
    tags: list[str] = []
    props = value if isinstance(value, list) else [] if value is None else [value]
    for prop in props:
        for category in getattr(prop, "cats", [prop]):
            tag = clean_text(str(category))
            if tag:
                tags.append(tag)
    return tuple(dict.fromkeys(tags))


# --- dates -------------------------------------------------------------------


def _when(prop: Any, url: str, zones: Zones, floating_zone: tzinfo | None) -> When | None:
    """A date, an aware datetime (TZID or UTC) or a naive one (floating time)."""
    value = _dt(prop)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value
        tzid = prop.params.get("TZID")
        zone = _zone(str(tzid), url, zones) if tzid else floating_zone
        return value.replace(tzinfo=zone) if zone else value
    return value if isinstance(value, date) else None


def _dt(prop: Any) -> Any:
    """The value of a date or duration property; None when icalendar could not
    parse it (icalendar 7 keeps such a value and raises only when it is read)."""
    try:
        return getattr(prop, "dt", None)
    except ValueError:  # icalendar.error.BrokenCalendarProperty
        return None


def _zone(tzid: str, url: str, zones: Zones) -> tzinfo:
    """A TZID icalendar could not resolve: tried as an Olson name (also with a
    path prefix, as in "/freeassociation.sourceforge.net/Europe/Paris"), else Paris."""
    if tzid not in zones:
        zones[tzid] = _olson_zone(tzid) or PARIS
        if zones[tzid] is PARIS:
            log.warning("%s: unknown time zone %r, its times are read as Europe/Paris", url, tzid)
    return zones[tzid]


def _olson_zone(tzid: str) -> tzinfo | None:
    parts = [part for part in tzid.strip().split("/") if part]
    for size in (3, 2, 1):
        try:
            return ZoneInfo("/".join(parts[-size:]))
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return None


def _end(
    component: Component, start: When, url: str, zones: Zones, floating_zone: tzinfo | None
) -> When | None:
    """The end, inclusive for all-day events (DTEND is the day after), None
    when it adds nothing to the start."""
    end = _when(component.get("DTEND"), url, zones, floating_zone)
    duration = _dt(component.get("DURATION"))
    if end is None and isinstance(duration, timedelta):
        end = start + duration
    if end is None:
        return None
    if not isinstance(start, datetime):
        last_day = (end.date() if isinstance(end, datetime) else end) - timedelta(days=1)
        return last_day if last_day > start else None
    if not isinstance(end, datetime):
        return None
    if (start.tzinfo is None) != (end.tzinfo is None):
        end = end.replace(tzinfo=start.tzinfo)
    return end if end > start else None
