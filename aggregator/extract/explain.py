"""Why automatic extraction found what it found: the admin's debugging record.

Each event `auto` yields carries an `Explained` beside it (never inside the
event record): the strategy that read it, the page, and for each field the
element or text it came from. Candidate blocks that gave no event are kept
as `Rejected`, with the reason (past, deadline, no date…).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

_SHOWN = 140

# Where each field comes from in structured formats, by strategy.
_PROPERTIES = {
    "jsonld": (
        "JSON-LD",
        {
            "title": "name",
            "start": "startDate",
            "end": "endDate",
            "place": "location",
            "status": "eventStatus",
            "registration_url": "offers.url",
        },
    ),
    "microdata": (
        "microdata",
        {
            "title": "itemprop=name",
            "start": "itemprop=startDate",
            "end": "itemprop=endDate",
            "place": "itemprop=location",
            "status": "itemprop=eventStatus",
        },
    ),
    "rdfa": (
        "RDFa",
        {
            "title": "property=name",
            "start": "property=startDate",
            "end": "property=endDate",
            "place": "property=location",
        },
    ),
    "microformats": (
        "microformats",
        {
            "title": "p-name / summary",
            "start": "dt-start / dtstart",
            "end": "dt-end / dtend",
            "place": "p-location / location",
        },
    ),
    "ics": (
        "iCalendar",
        {
            "title": "SUMMARY",
            "start": "DTSTART",
            "end": "DTEND",
            "place": "LOCATION",
            "status": "STATUS",
        },
    ),
    "rss": ("feed item", {"title": "title", "start": "date in the item's text"}),
}


@dataclass(frozen=True, kw_only=True)
class Explained:
    """How one event was read."""

    strategy: str
    page: str
    fields: tuple[tuple[str, str], ...] = ()

    def adding(self, origins: dict[str, str]) -> Explained:
        known = dict(self.fields)
        known.update({k: v for k, v in origins.items() if v})
        return dataclasses.replace(self, fields=tuple(known.items()))

    def as_text(self) -> list[str]:
        return [f"{name}: {origin}" for name, origin in self.fields]


@dataclass(frozen=True, kw_only=True)
class Rejected:
    """A candidate block that yielded no event, and why."""

    page: str
    where: str
    text: str
    reason: str


def rejected(page: str, where: str, text: str, reason: str) -> Rejected:
    short = " ".join(text.split())
    if len(short) > _SHOWN:
        short = short[: _SHOWN - 1].rsplit(" ", 1)[0] + "…"
    return Rejected(page=page, where=where, text=short, reason=reason)


def structured(strategy: str, page: str, present: set[str]) -> Explained:
    """The explanation of an event read from a structured format: the property each
    present field was read from."""
    label, properties = _PROPERTIES.get(strategy, (strategy, {}))
    fields = {name: f"{label} {prop}" for name, prop in properties.items() if name in present}
    return Explained(strategy=strategy, page=page).adding(fields)


def reason_of(kinds: tuple[str, ...] | list[str]) -> str:
    """A rejection reason from the kinds of dates a block holds."""
    if "deadline" in kinds:
        return "deadline: its only date is a closing date (inscriptions, candidatures)"
    if "past" in kinds:
        return "past: its date is over or told as past"
    if "publication" in kinds:
        return "publication date only: no event date"
    return "no date"
