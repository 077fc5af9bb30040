"""Published events as rows, and the migration that made their tables; part of the store.

See `_store_dedup.py` for the tables and what reads and writes them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

import sqlite_utils

from aggregator.dedup import PublishedEvent, Reason
from aggregator.model import Event, Precision, SourceRef, Status


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def event_days(event: Event) -> tuple[date, date]:
    """The first and last day an event touches (a month event: the whole month)."""
    first = _day(event.start)
    last = max(_day(event.end), first) if event.end is not None else first
    if event.precision == Precision.MONTH:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if event.alternatives:
        first, last = min(first, *event.alternatives), max(last, *event.alternatives)
    return first, last


def migrate_dedup(db: sqlite_utils.Database) -> None:
    events = db["events"]
    events.add_column("day_first", str)
    events.add_column("day_last", str)
    events.add_column("gone", str)
    for row in list(db.query('select id, start, "end", precision, alternatives from events')):
        first, last = _row_days(row)
        events.update(row["id"], {"day_first": first, "day_last": last})
    events.create_index(["day_first", "day_last"])
    # As shipped: a later change of the table is a new migration, not an edit here.
    columns = _names(
        "id title start end all_day precision alternatives status venue address city online "
        "url registration_url description description_html tags region sources merged_because "
        "members first_seen updated sequence content_hash sort_key merged_into"
    )
    types = {"all_day": int, "online": int, "members": int, "sequence": int}
    db["published"].create(
        {column: types.get(column, str) for column in columns},
        pk="id",
        not_null={"title", "start"},
    )
    db["published"].create_index(["sort_key"])
    db["members"].create({"event_id": str, "published_id": str}, pk="event_id")
    db["members"].create_index(["published_id"])
    db["dedup_dirty"].create({"day": str, "stamp": str}, pk="day")
    db["dedup_settings"].create({"key": str, "value": str}, pk="key")
    # Existing events are clustered on the next refresh; their own ids, first_seen
    # and sequence carry over to the events they publish (dedup.assign_ids).
    stamp = datetime.now().astimezone().isoformat()
    days = {r["day_first"] for r in db.query("select distinct day_first from events")}
    db["dedup_dirty"].insert_all([{"day": d, "stamp": stamp} for d in days if d], pk="day")


def _row_days(row: dict) -> tuple[str, str]:
    start = _text_when(row["start"])
    end = _text_when(row["end"])
    event = Event(
        id=row["id"],
        title="-",
        start=start,
        end=end,
        precision=Precision(row["precision"] or "day"),
        alternatives=tuple(date.fromisoformat(d) for d in json.loads(row["alternatives"] or "[]")),
    )
    first, last = event_days(event)
    return first.isoformat(), last.isoformat()


def _text_when(text: str | None) -> Any:
    if not text:
        return None
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def _when_text(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


_COLUMNS = _names(
    "id title start end all_day precision alternatives status venue address city online url "
    "registration_url description description_html tags region sources merged_because members "
    "first_seen updated sequence content_hash sort_key merged_into"
)
_PUBLISHED_FIELDS = _COLUMNS[1:19]  # what subscribers see: title … sources


def published_row(event: PublishedEvent, members: int) -> dict[str, Any]:
    """The row of a published event, hashed over everything subscribers see."""
    row: dict[str, Any] = {
        "id": event.id,
        "title": event.title,
        "start": _when_text(event.start),
        "end": _when_text(event.end),
        "all_day": int(event.all_day),
        "precision": event.precision.value,
        "alternatives": json.dumps([d.isoformat() for d in event.alternatives]),
        "status": event.status.value,
        "venue": event.venue,
        "address": event.address,
        "city": event.city,
        "online": int(event.online),
        "url": event.url,
        "registration_url": event.registration_url,
        "description": event.description,
        "description_html": event.description_html,
        "tags": json.dumps(list(event.tags)),
        "region": event.region,
        "sources": json.dumps([[s.id, s.name, s.url] for s in event.sources], ensure_ascii=False),
        "merged_because": json.dumps(
            [r.to_dict() for r in event.merged_because], ensure_ascii=False
        ),
        "members": members,
        "sort_key": event.start.isoformat(),
    }
    content = json.dumps([row[f] for f in _PUBLISHED_FIELDS], ensure_ascii=False)
    row["content_hash"] = hashlib.sha256(content.encode()).hexdigest()
    return row


def row_published(row: dict[str, Any]) -> PublishedEvent:
    return PublishedEvent(
        id=row["id"],
        title=row["title"],
        start=_text_when(row["start"]),
        end=_text_when(row["end"]),
        all_day=bool(row["all_day"]),
        precision=Precision(row["precision"]),
        alternatives=tuple(date.fromisoformat(d) for d in json.loads(row["alternatives"] or "[]")),
        status=Status(row["status"]),
        venue=row["venue"],
        address=row["address"],
        city=row["city"],
        online=bool(row["online"]),
        url=row["url"],
        registration_url=row["registration_url"],
        description=row["description"] or "",
        description_html=row["description_html"] or "",
        tags=tuple(json.loads(row["tags"] or "[]")),
        region=row["region"],
        sources=tuple(SourceRef(id=i, name=n, url=u) for i, n, u in json.loads(row["sources"])),
        first_seen=_text_when(row["first_seen"]),
        updated=_text_when(row["updated"]),
        sequence=row["sequence"] or 0,
        merged_because=tuple(
            Reason.from_dict(r) for r in json.loads(row["merged_because"] or "[]")
        ),
    )
