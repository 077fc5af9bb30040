"""What every renderer shares: clean text, French date and place lines, ids.

Dates are written the way French agendas write them, so a subscriber reads
"mardi 5 novembre 2019, 9h30–16h30 · Vaulx-en-Velin" whatever the format:

    >>> from datetime import date
    >>> from aggregator.model import Event, Precision
    >>> date_line(Event(id="x", title="t", start=date(2019, 11, 5)))
    'mardi 5 novembre 2019'
    >>> date_line(Event(id="x", title="t", start=date(2020, 2, 1), precision=Precision.MONTH))
    'février 2020 (date à préciser)'
    >>> short_date(Event(id="x", title="t", start=date(2019, 10, 1), end=date(2019, 10, 3)))
    '1er–3 oct. 2019'
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import NamedTuple

import nh3

from aggregator import clock
from aggregator.model import Event, FeedInfo, Precision, SourceRef, Status

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# The abbreviations of the Imprimerie nationale, which French readers expect.
MONTHS_SHORT = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

STATUS_PREFIXES = {Status.CANCELLED: "ANNULÉ – ", Status.POSTPONED: "REPORTÉ – "}
STATUS_NOTES = {Status.CANCELLED: "Événement annulé.", Status.POSTPONED: "Événement reporté."}

# Characters XML 1.0 forbids, plus C1 controls (mis-decoded Windows-1252 pages
# produce them and feed validators reject them); ICS forbids the same set.
_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_URN_UNSAFE = re.compile(r"[^A-Za-z0-9()+,.:=@;$_!*'\-]")


def clean_text(text: str | None) -> str:
    """Text without control characters; line breaks kept, as plain "\\n"."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INVALID_CHARS.sub("", text)


def clean_line(text: str | None) -> str:
    """One line of clean text: every run of whitespace becomes one space."""
    if not text:
        return ""
    # Most values are clean already, and printable text holds no control
    # character and no whitespace but the space: checking is cheaper than cleaning.
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        return text
    # A carriage return needs no replacing here: split() treats it as whitespace.
    return " ".join(_INVALID_CHARS.sub("", text).split())


# One sanitiser for every call: nh3.clean() builds a new one each time, which
# costs more than the cleaning itself (same default rules).
_SANITISER = nh3.Cleaner()


def clean_html(fragment: str | None) -> str:
    """Sanitised HTML. Normalise already sanitised it; cleaning again costs
    little and keeps a feed safe if a record ever reaches us unsanitised."""
    return clean_text(_SANITISER.clean(fragment)) if fragment else ""


def event_urn(event: Event) -> str:
    """The stable guid/id of an event in feeds, independent of base_url so
    that moving the site does not re-announce every item."""
    safe = _URN_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), event.id)
    return f"urn:aggregator:event:{safe}"


def generated_at(info: FeedInfo) -> datetime:
    return info.generated or clock.now()


def site_url(info: FeedInfo) -> str:
    """The agenda page, the feed's alternate link."""
    return info.base_url.rstrip("/") + "/"


def self_url(info: FeedInfo) -> str:
    return info.base_url.rstrip("/") + "/" + info.self_path.lstrip("/")


def event_link(event: Event) -> str | None:
    """Where a reader clicks: the event page, else the page that announced it."""
    if event.url:
        return event.url
    return next((source.url for source in event.sources if source.url), None)


def item_timestamp(event: Event, info: FeedInfo) -> datetime:
    """When the item last changed, for pubDate/updated."""
    return event.updated or event.first_seen or generated_at(info)


# --- dates -----------------------------------------------------------------


def _local(value: date | datetime) -> date | datetime:
    return value.astimezone(clock.PARIS) if isinstance(value, datetime) else value


def day_number(day: date) -> str:
    """ "1er" for the first of a month, else the number."""
    return "1er" if day.day == 1 else str(day.day)


def _format_day(day: date, *, month: bool, year: bool, long: bool) -> str:
    parts = [WEEKDAYS[day.weekday()]] if long else []
    parts.append(day_number(day))
    if month:
        parts.append((MONTHS if long else MONTHS_SHORT)[day.month - 1])
    if year:
        parts.append(str(day.year))
    return " ".join(parts)


def _format_days(days: Sequence[date], *, long: bool) -> list[str]:
    """Each day written out, leaving off the month and year it shares with
    the last day: ["mardi 10", "jeudi 12 décembre 2019"]."""
    last = days[-1]
    texts = []
    for day in days[:-1]:
        same_year = day.year == last.year
        same_month = same_year and day.month == last.month
        texts.append(_format_day(day, month=not same_month, year=not same_year, long=long))
    texts.append(_format_day(last, month=True, year=True, long=long))
    return texts


def _either(texts: Sequence[str]) -> str:
    if len(texts) == 1:
        return texts[0]
    return ", ".join(texts[:-1]) + " ou " + texts[-1]


def format_time(value: time | datetime) -> str:
    """French clock time: 9h30, 14h."""
    return f"{value.hour}h{value.minute:02d}" if value.minute else f"{value.hour}h"


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _month_line(event: Event | _Dates) -> str:
    start = event.start
    end = event.end if event.end and _as_date(event.end) > _as_date(start) else None
    if end is None:
        return f"{MONTHS[start.month - 1]} {start.year} (date à préciser)"
    first = MONTHS[start.month - 1] + ("" if start.year == end.year else f" {start.year}")
    return f"de {first} à {MONTHS[end.month - 1]} {end.year} (dates à préciser)"


def _alternative_days(event: Event | _Dates) -> list[date]:
    return sorted(set(event.alternatives) | {_as_date(event.start)})


def _day_range(event: Event | _Dates, *, long: bool, with_end: bool = True) -> str:
    """The days of an event without its times: one day, a range or choices
    (`with_end=False`: as if the event had no end)."""
    if event.alternatives:
        return _either(_format_days(_alternative_days(event), long=long))
    first = _as_date(_local(event.start))
    last = _as_date(_local(event.end)) if event.end and with_end else first
    if last <= first:
        return _format_day(first, month=True, year=True, long=long)
    a, b = _format_days([first, last], long=long)
    return f"du {a} au {b}" if long else f"{a}–{b}"


def _timed_line(event: Event | _Dates) -> str:
    start = _local(event.start)
    end = _local(event.end) if isinstance(event.end, datetime) else None
    days = _day_range(event, long=True, with_end=end is None)
    if end is None or end <= start:
        return f"{days}, {format_time(start)}"
    if end.date() == start.date() or event.alternatives:
        return f"{days}, {format_time(start)}–{format_time(end)}"
    a, b = _format_days([start.date(), end.date()], long=True)
    return f"du {a} à {format_time(start)} au {b} à {format_time(end)}"


class _Dates(NamedTuple):
    """What the date texts of an event depend on. Events share dates (a feed
    holds several a day), so the texts are kept by these values."""

    start: date | datetime
    end: date | datetime | None
    precision: Precision
    alternatives: tuple[date, ...]

    @property
    def is_timed(self) -> bool:
        return isinstance(self.start, datetime)


def _dates(event: Event) -> _Dates:
    return _Dates(event.start, event.end, event.precision, tuple(event.alternatives))


def date_line(event: Event) -> str:
    """The full French date: "mardi 5 novembre 2019, 9h30–16h30"."""
    return _date_line(_dates(event))


def short_date(event: Event) -> str:
    """The date for an item title: "5 nov. 2019", "13–14 juin 2019"."""
    return _short_date(_dates(event))


@functools.lru_cache(maxsize=4096)
def _date_line(event: _Dates) -> str:
    if event.precision == Precision.MONTH:
        return _month_line(event)
    if event.is_timed:
        return _timed_line(event)
    return _day_range(event, long=True)


@functools.lru_cache(maxsize=4096)
def _short_date(event: _Dates) -> str:
    if event.precision == Precision.MONTH:
        return _month_line(event)
    return _day_range(event, long=False)


def alternatives_line(event: Event) -> str | None:
    """ "mardi 10 ou jeudi 12 décembre 2019" when the day is not settled."""
    if not event.alternatives:
        return None
    return _either(_format_days(_alternative_days(event), long=True))


# --- places and titles -------------------------------------------------------


def place_short(event: Event) -> str | None:
    """The place for a title: the city, or "En ligne"."""
    if event.city:
        return clean_line(event.city)
    return "En ligne" if event.online else None


def location_text(event: Event) -> str:
    """Venue, address and city, each once: "Salle X, 3 rue Y, Lyon"."""
    return location_of(event.venue, event.address, event.city)


# Events share their places and their sources (a venue hosts many events, a
# site announces many): the texts made from them are kept by value.
@functools.lru_cache(maxsize=4096)
def location_of(*pieces: str | None) -> str:
    """`location_text` of these venue, address and city."""
    parts: list[str] = []
    folded: list[str] = []
    for piece in pieces:
        text = clean_line(piece)
        key = text.casefold()
        if text and not [part for part in folded if key in part]:
            parts.append(text)
            folded.append(key)
    return ", ".join(parts)


def place_line(event: Event) -> str | None:
    """The full place for a description; online events say so."""
    return _place_line(location_text(event), event.online)


def _place_line(where: str, online: bool) -> str | None:
    if online:
        if not where:
            return "En ligne"
        return where if _SAYS_ONLINE.search(where) else f"{where} (et en ligne)"
    return where or None


# A place that already says the event is online ("En ligne", "Visio (Zoom)").
_SAYS_ONLINE = re.compile(r"\b(en ligne|visio\w*|distanciel|zoom|teams|webinaire)\b", re.I)


def summary_line(event: Event) -> str:
    """ "mardi 5 novembre 2019, 9h30–16h30 · Vaulx-en-Velin"."""
    place = place_short(event)
    return f"{date_line(event)} · {place}" if place else date_line(event)


def status_prefix(event: Event) -> str:
    return STATUS_PREFIXES.get(event.status, "")


def item_title(event: Event) -> str:
    """A title that is useful alone: "5 nov. 2019 · Vaulx-en-Velin — Titre"."""
    place = place_short(event)
    when = f"{short_date(event)} · {place}" if place else short_date(event)
    return f"{status_prefix(event)}{when} — {clean_line(event.title)}"


def item_html(event: Event) -> str:
    """The item body of RSS/Atom: date, place and registration first, then the
    event's own sanitised description."""
    lines = [_date_html(_dates(event))]
    place = _place_html(event.venue, event.address, event.city, event.online)
    if place:
        lines.append(place)
    if event.registration_url:
        address = clean_line(event.registration_url)
        link = _link_html(address, address)
        lines.append(f"<strong>Inscription :</strong> {link}")
    parts = [f"<p>{'<br>'.join(lines)}</p>"]
    note = STATUS_NOTES.get(event.status)
    if note:
        parts.insert(0, f"<p><strong>{note}</strong></p>")
    body = clean_html(event.description_html) or _paragraphs(event.description)
    if body:
        parts.append(body)
    credits = _sources_html(event)
    if credits:
        parts.append(credits)
    return "\n".join(parts)


@functools.lru_cache(maxsize=4096)
def _date_html(dates: _Dates) -> str:
    return f"<strong>Date :</strong> {html.escape(_date_line(dates))}"


@functools.lru_cache(maxsize=4096)
def _place_html(venue: str | None, address: str | None, city: str | None, online: bool) -> str:
    place = _place_line(location_of(venue, address, city), online)
    return f"<strong>Lieu :</strong> {html.escape(place)}" if place else ""


def _sources_html(event: Event) -> str:
    return _credits_html(tuple(event.sources))


@functools.lru_cache(maxsize=4096)
def _credits_html(sources: tuple[SourceRef, ...]) -> str:
    links = []
    for source in sources:
        name = clean_line(source.name)
        if source.url and name:
            links.append(_link_html(clean_line(source.url), name))
    return f"<p>Annoncé par : {', '.join(links)}</p>" if links else ""


def _link_html(href: str, text: str) -> str:
    """A link, or plain text when the address is not http(s) (javascript:…);
    `href` and `text` are clean lines."""
    text = html.escape(text)
    if not href[:8].lower().startswith(("http://", "https://")):
        return text
    return f'<a href="{html.escape(href)}">{text}</a>'


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in clean_text(text).split("\n\n") if block.strip()]
    return "\n".join(
        "<p>" + "<br>".join(html.escape(line) for line in block.split("\n")) + "</p>"
        for block in blocks
    )
