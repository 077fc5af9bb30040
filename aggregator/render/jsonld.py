"""schema.org Event JSON-LD for the HTML pages, so search engines read the agenda."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aggregator.model import Event, Status
from aggregator.render import common
from aggregator.render.json import when_to_str

_STATUS = {
    Status.SCHEDULED: "https://schema.org/EventScheduled",
    Status.CANCELLED: "https://schema.org/EventCancelled",
    Status.POSTPONED: "https://schema.org/EventPostponed",
}
_MODE = "https://schema.org/{}EventAttendanceMode"


def event_jsonld(event: Event) -> dict[str, Any]:
    """One schema.org Event; keys with no value are left out."""
    data: dict[str, Any] = {
        "@type": "Event",
        "name": common.clean_line(event.title),
        "startDate": when_to_str(event.start, event.precision),
        "endDate": when_to_str(event.end, event.precision) if event.end else None,
        "eventStatus": _STATUS[event.status],
        "eventAttendanceMode": _MODE.format(_mode(event)),
        "url": _web_address(common.event_link(event)),
        "description": common.clean_line(event.description)[:500] or None,
        "location": _locations(event) or None,
        "organizer": [
            {"@type": "Organization", "name": common.clean_line(s.name), "url": s.url}
            for s in event.sources
            if common.clean_line(s.name)
        ]
        or None,
    }
    return {key: value for key, value in data.items() if value is not None}


def _web_address(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _mode(event: Event) -> str:
    place = event.venue or event.address or event.city
    if event.online:
        return "Mixed" if place else "Online"
    return "Offline"


def _locations(event: Event) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if event.venue or event.address or event.city:
        address = {
            "@type": "PostalAddress",
            "streetAddress": event.address,
            "addressLocality": event.city,
            "addressCountry": "FR",
        }
        found.append(
            {
                "@type": "Place",
                "name": common.clean_line(event.venue or event.city or event.address),
                "address": {k: common.clean_line(v) for k, v in address.items() if v},
            }
        )
    if event.online:
        found.append({"@type": "VirtualLocation", "url": _web_address(common.event_link(event))})
    return found


def jsonld_script(events: Sequence[Event]) -> str:
    """A <script type="application/ld+json"> block; "<" is escaped so no event
    text can close the script element."""
    document = {"@context": "https://schema.org", "@graph": [event_jsonld(e) for e in events]}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'
