"""'Add to my calendar' links: Google Calendar and Outlook on the web.

Both take the event in the query string. Month-precision events get no
link (a calendar needs a day); an event without a known end time is given
its start as end rather than an invented duration.

    >>> from datetime import date
    >>> from aggregator.model import Event
    >>> google_url(Event(id="x", title="Rencontre", start=date(2019, 11, 5)))
    'https://calendar.google.com/calendar/render?action=TEMPLATE&text=Rencontre&dates=20191105%2F20191106&ctz=Europe%2FParis'
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from aggregator import clock
from aggregator.model import Event, Precision
from aggregator.render import common

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"
_DETAILS_CHARS = 600  # query strings stay well under browsers' URL limits


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _bounds(event: Event) -> tuple[date | datetime, date | datetime]:
    """(start, end): local times for timed events, exclusive end day otherwise."""
    if event.is_timed:
        start = event.start.astimezone(clock.PARIS)  # type: ignore[union-attr]
        end = event.end.astimezone(clock.PARIS) if isinstance(event.end, datetime) else start
        return start, max(end, start)
    last = _day(event.end) if event.end else _day(event.start)
    return _day(event.start), max(last, _day(event.start)) + timedelta(days=1)


def _details(event: Event) -> str:
    text = common.clean_text(event.description).strip()
    if len(text) > _DETAILS_CHARS:
        text = text[:_DETAILS_CHARS].rsplit(" ", 1)[0] + " …"
    link = common.event_link(event)
    return f"{text}\n\n{link}".strip() if link else text


def google_url(event: Event) -> str | None:
    if event.precision == Precision.MONTH:
        return None
    start, end = _bounds(event)
    stamp = "%Y%m%dT%H%M%S" if event.is_timed else "%Y%m%d"
    params = {
        "action": "TEMPLATE",
        "text": common.status_prefix(event) + common.clean_line(event.title),
        "dates": f"{start.strftime(stamp)}/{end.strftime(stamp)}",
        "details": _details(event),
        "location": common.place_line(event) or "",
        "ctz": "Europe/Paris",
    }
    return f"{GOOGLE}?{urlencode({k: v for k, v in params.items() if v})}"


def outlook_url(event: Event) -> str | None:
    if event.precision == Precision.MONTH:
        return None
    start, end = _bounds(event)
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": common.status_prefix(event) + common.clean_line(event.title),
        "startdt": start.isoformat(),
        "enddt": end.isoformat(),
        "allday": "false" if event.is_timed else "true",
        "body": _details(event),
        "location": common.place_line(event) or "",
    }
    return f"{OUTLOOK}?{urlencode({k: v for k, v in params.items() if v})}"
