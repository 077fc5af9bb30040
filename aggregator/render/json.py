"""JSON: the event records of DESIGN.md, under {"generated", "events"}.

Keys keep the order of DESIGN.md so diffs of exports stay readable.
`sequence` is internal (ICS) and not part of the record. `merged_because`
comes last: why several announcements became this one event (each merge:
the two announcements' ids, the score, the fields that matched); empty for
an event announced once.

The document is indented by two spaces, exactly as `json.dumps(indent=2)`
writes it, but not by it: with an indent the standard library switches to its
pure-Python encoder (0.6 s for 10,000 events). `_indented` lays out the same
text itself and leaves every string to the C escaper, about four times faster;
tests compare both byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring
from datetime import datetime
from typing import Any

from aggregator import clock
from aggregator.model import Event, FeedInfo, Precision, When
from aggregator.render import common

CONTENT_TYPE = "application/json"


def render(events: Sequence[Event], info: FeedInfo) -> bytes:
    document = {
        "generated": _instant(common.generated_at(info)),
        "events": [event_to_dict(event) for event in events],
    }
    return (_indented(document, "") + "\n").encode("utf-8")


def _indented(value: object, pad: str) -> str:
    """`value` as `json.dumps(value, ensure_ascii=False, indent=2)` writes it
    at the depth whose indentation is `pad`."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None or value is True or value is False:
        return _CONSTANTS[value]
    inner = pad + "  "
    if isinstance(value, list | tuple):
        items = [_indented(item, inner) for item in value]
        return f"[\n{inner}" + f",\n{inner}".join(items) + f"\n{pad}]" if items else "[]"
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        members = [f"{encode_basestring(k)}: {_indented(v, inner)}" for k, v in value.items()]
        return f"{{\n{inner}" + f",\n{inner}".join(members) + f"\n{pad}}}" if members else "{}"
    # numbers and anything unusual: the standard encoder, indented the same way
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + pad)


_CONSTANTS = {None: "null", True: "true", False: "false"}


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
        return value.astimezone(clock.PARIS).isoformat(timespec="seconds")
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def _instant(value: datetime | None) -> str | None:
    return value.astimezone(clock.PARIS).isoformat(timespec="seconds") if value else None
