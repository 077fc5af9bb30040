"""The records passed between pipeline stages.

    extract  ->  RawEvent   (what a page says, lightly parsed)
    normalise -> Event      (the published record of DESIGN.md)
    store / render read and write Event.

All records are frozen and keyword-only so a stage cannot quietly change
what an earlier stage produced.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    MINUTE = "minute"


class Status(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


class DateKind(StrEnum):
    EVENT = "event"
    PAST = "past"
    DEADLINE = "deadline"
    PUBLICATION = "publication"


# A point in time as events carry it: a `date` for all-day or month-precision
# values, an aware `datetime` (Europe/Paris) for timed ones.
When = date | datetime


@dataclass(frozen=True, kw_only=True)
class RawEvent:
    """One event as an extractor read it from a page, before normalisation.

    Structured sources (JSON-LD, ICS) fill `start`/`end` directly; text
    sources leave them None and give `date_text`, which normalise parses
    with the French date parser. `start` may be a naive datetime (local
    time of the page) or an aware one.
    """

    title: str
    url: str | None = None
    uid: str | None = None
    start: date | datetime | None = None
    end: date | datetime | None = None
    date_text: str | None = None
    precision: Precision | None = None
    alternatives: tuple[date, ...] = ()
    status: Status = Status.SCHEDULED
    venue: str | None = None
    address: str | None = None
    city: str | None = None
    online: bool = False
    registration_url: str | None = None
    description_html: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    published: date | None = None
    strategy: str = ""


@dataclass(frozen=True, kw_only=True)
class SourceRef:
    id: str
    name: str
    url: str


@dataclass(frozen=True, kw_only=True)
class Event:
    """The published record (DESIGN.md, "The event record")."""

    id: str
    title: str
    start: When
    end: When | None = None
    all_day: bool = True
    precision: Precision = Precision.DAY
    alternatives: tuple[date, ...] = ()
    status: Status = Status.SCHEDULED
    venue: str | None = None
    address: str | None = None
    city: str | None = None
    online: bool = False
    url: str | None = None
    registration_url: str | None = None
    description: str = ""
    description_html: str = ""
    tags: tuple[str, ...] = ()
    region: str | None = None
    sources: tuple[SourceRef, ...] = ()
    first_seen: datetime | None = None
    updated: datetime | None = None
    sequence: int = 0

    def replace(self, **changes: object) -> Event:
        return dataclasses.replace(self, **changes)

    @property
    def is_timed(self) -> bool:
        return isinstance(self.start, datetime)


@dataclass(frozen=True, kw_only=True)
class FeedInfo:
    """What a renderer needs besides the events."""

    title: str = "Agenda politique de la ville"
    base_url: str = "http://127.0.0.1:8080"
    self_path: str = "/feed.rss"
    generated: datetime | None = None
    description: str = "Événements annoncés par les réseaux et centres de ressources partenaires"
    refresh_hours: int = 6
    extra: dict[str, str] = field(default_factory=dict)
