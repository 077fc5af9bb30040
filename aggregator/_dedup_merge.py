"""One published event from the announcements of a cluster (dedup.py decides which).

Each field comes from the announcement that knows it best: the dates of the
most complete announcement, the fullest place, the longest description, the
union of tags, and for the title, link and status the organiser's own
announcement (a source with `organiser: true`, or one the titles name),
else the first one seen. Every announcement is credited in `sources`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from aggregator._dedup_words import TOKEN, Names, ascii_lower
from aggregator.model import Event, Precision, SourceRef, Status

# --- records ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Reason:
    """Why two announcements are one event: the pair, its score and the fields behind it."""

    events: tuple[str, str]
    score: float
    fields: dict[str, Any] = field(default_factory=dict)
    pinned: bool = False

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"events": list(self.events), "score": self.score}
        if self.pinned:
            record["pinned"] = "merge in sources.yaml"
        record["fields"] = dict(self.fields)
        return record

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Reason:
        return cls(
            events=tuple(record["events"]),
            score=record["score"],
            fields=record.get("fields", {}),
            pinned="pinned" in record,
        )

    def line(self) -> str:
        """ "irev-1 + irdsu-2: score 97 (title 94, same day, same city)"."""
        if self.pinned:
            why = "pinned in sources.yaml"
        else:
            why = ", ".join(
                f"{k} {v}" if k == "title" else str(v)
                for k, v in self.fields.items()
                if k != "title_note"
            )
        return f"{' + '.join(self.events)}: score {self.score:g} ({why})"


@dataclass(frozen=True, kw_only=True)
class PublishedEvent(Event):
    """An event as subscribers see it, with the reasons of its merges."""

    merged_because: tuple[Reason, ...] = ()


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _span(event: Event) -> int:
    return (_day(event.end) - _day(event.start)).days if event.end is not None else 0


def _dates_rank(event: Event) -> tuple:
    """Best dates first: a day over a month, a settled day over alternatives,
    the whole span over one of its days, times over none, an end over none."""
    return (
        event.precision == Precision.MONTH,
        bool(event.alternatives),
        -_span(event),
        not event.is_timed,
        event.end is None,
    )


def _place_rank(event: Event) -> tuple:
    filled = [p for p in (event.venue, event.address, event.city) if p]
    return (-len(filled), -sum(len(p) for p in filled))


def _status(members: Sequence[Event], organisers: set[str]) -> Status:
    """The organiser's word; else a cancellation or postponement by anyone,
    so that no subscriber misses it."""
    own = [m for m in members if m.sources and m.sources[0].id in organisers]
    if own:
        return own[0].status
    statuses = {m.status for m in members}
    for status in (Status.CANCELLED, Status.POSTPONED):
        if status in statuses:
            return status
    return Status.SCHEDULED


def _credits(members: Iterable[Event]) -> tuple[SourceRef, ...]:
    seen: dict[tuple[str, str], SourceRef] = {}
    for member in members:
        for ref in member.sources:
            seen.setdefault((ref.id, ref.url), ref)
    return tuple(seen.values())


def _first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)


def merged(members: Sequence[Event], *, event_id: str, organisers: set[str]) -> Event:
    """The one event a cluster publishes; `members` ranked, main announcement first."""
    main = members[0]
    if len(members) == 1:
        return main.replace(id=event_id)
    dates = min(members, key=_dates_rank)
    place = min(members, key=_place_rank)
    text = max(members, key=lambda m: len(m.description))
    return main.replace(
        id=event_id,
        start=dates.start,
        end=dates.end,
        all_day=dates.all_day,
        precision=dates.precision,
        alternatives=dates.alternatives,
        status=_status(members, organisers),
        venue=place.venue,
        address=place.address,
        city=place.city or _first(m.city for m in members),
        online=any(m.online for m in members),
        url=_first(m.url for m in members),
        registration_url=_first(m.registration_url for m in members),
        description=text.description,
        description_html=text.description_html,
        tags=tuple(dict.fromkeys(t for m in members for t in m.tags)),
        region=_first(m.region for m in members),
        sources=_credits(members),
        first_seen=min((m.first_seen for m in members if m.first_seen), default=None),
        updated=max((m.updated for m in members if m.updated), default=None),
        sequence=max(m.sequence for m in members),
    )


# --- ranking and merging ----------------------------------------------------------------


def organisers_of(
    members: Sequence[Event], declared: frozenset[str], names: Mapping[str, Sequence[str]]
) -> set[str]:
    """Sources that organise the event: declared `organiser: true`, or named by a title
    ("Journée nationale de l'IRDSU" names the source irdsu)."""
    ids = {m.sources[0].id for m in members if m.sources}
    found = ids & declared
    texts = [TOKEN.findall(ascii_lower(f"{m.title} {m.description[:300]}")) for m in members]
    for source_id in ids - found:
        own = Names([*names.get(source_id, ()), source_id.replace("-", " ")])
        if any(own.split(text)[1] for text in texts):
            found.add(source_id)
    return found


def ranked(members: Sequence[Event], organisers: set[str], gone: set[str]) -> list[Event]:
    """Main announcement first: still listed, the organiser's, the first seen."""

    def key(e: Event) -> tuple:
        source = e.sources[0].id if e.sources else ""
        seen = e.first_seen.isoformat() if e.first_seen else ""
        return (e.id in gone, source not in organisers, seen, e.id)

    return sorted(members, key=key)


def published(
    members: Sequence[Event],
    reasons: Sequence[Reason],
    *,
    event_id: str,
    declared: frozenset[str],
    names: Mapping[str, Sequence[str]],
    gone: set[str],
) -> PublishedEvent:
    """The event a cluster publishes under `event_id`."""
    organisers = organisers_of(members, declared, names)
    event = merged(ranked(members, organisers, gone), event_id=event_id, organisers=organisers)
    fields = {name: getattr(event, name) for name in Event.__dataclass_fields__}
    return PublishedEvent(**fields, merged_because=tuple(reasons))
