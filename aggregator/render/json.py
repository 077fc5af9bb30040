"""JSON: the event records of DESIGN.md, under {"generated", "events"}.

Keys keep the order of DESIGN.md so diffs of exports stay readable.
`sequence` is internal (ICS) and not part of the record. `merged_because`
comes last: why several announcements became this one event (each merge:
the two announcements' ids, the score, the fields that matched); empty for
an event announced once.

Each event is one line of the document:

    {
      "generated": "…",
      "events": [
        {"id": "…", "title": "…", …},
        {"id": "…", …}
      ]
    }

`json.dumps(indent=2)` indented every key too, but an indent makes the
standard library use its pure-Python encoder (0.6 s for 10,000 events).
DESIGN.md fixes the shape, not the whitespace; one line per event also keeps
diffs of exports readable. The line is the text the C encoder writes for
`event_to_dict(event)`, written by `_record` without building the dict. Each
event's line is kept while the event object lives (`_memo`), for the partial
feeds of `publish`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from json.encoder import encode_basestring  # the C escaper
from typing import Any

from aggregator import clock
from aggregator.model import Event, FeedInfo, Precision, When
from aggregator.render import common
from aggregator.render._memo import PerEvent

CONTENT_TYPE = "application/json"


def render(events: Sequence[Event], info: FeedInfo) -> bytes:
    return b"".join(parts(events, info))


def parts(events: Iterable[Event], info: FeedInfo) -> Iterator[bytes]:
    """The document in pieces (head, one per event, end), for a caller that streams it."""
    generated = _encode(_instant(common.generated_at(info))).encode()
    yield b'{\n  "generated": ' + generated + b',\n  "events": '
    before = b"[\n    "
    for event in events:
        yield before + _RECORDS.get(event, _record)
        before = b",\n    "
    yield b"[]\n}\n" if before == b"[\n    " else b"\n  ]\n}\n"


def _record(event: Event) -> bytes:
    """The JSON text of `event_to_dict(event)`, written field by field: building
    the dict and walking it in the C encoder took twice as long (tests compare
    the two on every sample and on generated events)."""
    text, value = encode_basestring, _value
    precision = event.precision
    end = text(when_to_str(event.end, precision)) if event.end is not None else "null"
    alternatives = ", ".join([text(day.isoformat()) for day in event.alternatives])
    sources = ", ".join(
        [
            f'{{"id": {value(s.id)}, "name": {value(s.name)}, "url": {value(s.url)}}}'
            for s in event.sources
        ]
    )
    merged = getattr(event, "merged_because", ())
    return (
        f'{{"id": {value(event.id)}, '
        f'"title": {text(common.status_prefix(event) + event.title)}, '
        f'"start": {text(when_to_str(event.start, precision))}, "end": {end}, '
        f'"all_day": {value(event.all_day)}, "precision": {text(str(precision))}, '
        f'"alternatives": [{alternatives}], "status": {text(str(event.status))}, '
        f'"venue": {value(event.venue)}, "address": {value(event.address)}, '
        f'"city": {value(event.city)}, "online": {value(event.online)}, '
        f'"url": {value(event.url)}, "registration_url": {value(event.registration_url)}, '
        f'"description": {value(event.description)}, '
        f'"description_html": {value(event.description_html)}, '
        f'"tags": [{", ".join([value(tag) for tag in event.tags])}], '
        f'"region": {value(event.region)}, "sources": [{sources}], '
        f'"first_seen": {value(_instant(event.first_seen))}, '
        f'"updated": {value(_instant(event.updated))}, '
        f'"merged_because": {_encode([r.to_dict() for r in merged]) if merged else "[]"}}}'
    ).encode()


def _value(value: object) -> str:
    """One scalar as the C encoder writes it."""
    if value.__class__ is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    return _encode(value)


# The C encoder: used by the standard library only when there is no indent.
_encode = json.JSONEncoder(ensure_ascii=False).encode
_RECORDS: PerEvent[bytes] = PerEvent()


def event_to_dict(event: Event) -> dict[str, Any]:
    """The published record of one event (DESIGN.md, "The event record")."""
    return {
        "id": event.id,
        # Readers that show only the title must still see a cancellation (`status` says it too).
        "title": common.status_prefix(event) + event.title,
        "start": when_to_str(event.start, event.precision),
        "end": when_to_str(event.end, event.precision) if event.end is not None else None,
        "all_day": event.all_day,
        "precision": str(event.precision),
        "alternatives": [day.isoformat() for day in event.alternatives],
        "status": str(event.status),
        "venue": event.venue,
        "address": event.address,
        "city": event.city,
        "online": event.online,
        "url": event.url,
        "registration_url": event.registration_url,
        "description": event.description,
        "description_html": event.description_html,
        "tags": list(event.tags),
        "region": event.region,
        "sources": [
            {"id": source.id, "name": source.name, "url": source.url} for source in event.sources
        ],
        "first_seen": _instant(event.first_seen),
        "updated": _instant(event.updated),
        "merged_because": [reason.to_dict() for reason in getattr(event, "merged_because", ())],
    }


def when_to_str(value: When, precision: Precision = Precision.DAY) -> str:
    """ "2020-02" (month), "2019-11-05" (day), "2019-11-05T09:30:00+01:00" (timed).

    >>> from datetime import date
    >>> when_to_str(date(2020, 2, 1), Precision.MONTH)
    '2020-02'
    """
    if isinstance(value, datetime):
        return _paris_text(value)
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def _instant(value: datetime | None) -> str | None:
    return _paris_text(value) if value else None


@functools.lru_cache(maxsize=4096)
def _paris_text(value: datetime) -> str:
    """ "2019-11-05T09:30:00+01:00"; events scraped together share their instants."""
    return value.astimezone(clock.PARIS).isoformat(timespec="seconds")
