"""The store's tables for published (merged) events; part of the store (store.py).

Rows and the migration: `_store_published.py`.

Tables (migration 003_dedup)
    published      one row per published event: the merged record, its
                   sources and `merged_because`, change tracking (hash,
                   sequence, first_seen, updated); `merged_into` names the
                   event that absorbed a retired id
    members        which per-source event (events.id) belongs to which
                   published event
    dedup_dirty    days whose events changed since the last clustering
    dedup_settings what dedup read from sources.yaml (organisers, pins)

`events` gains `day_first`/`day_last` (the days an event touches, for
blocking) and `gone` (when it left its source's listing; kept, not deleted).
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import sqlite_utils

from aggregator._store_published import _COLUMNS, _when_text, published_row, row_published
from aggregator.dedup import Batch, PublishedEvent
from aggregator.model import Event

_CHUNK = 500  # ids per "in (…)" query, well under SQLite's variable limit


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    items = list(items)
    for n in range(0, len(items), _CHUNK):
        yield items[n : n + _CHUNK]


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs, so one query covers each run."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


class DedupTables:
    """Store methods for dedup; mixed into `Store` (which provides `db` and `_row_event`)."""

    db: sqlite_utils.Database
    _row_event: Callable[[dict], Event]

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """One writer from the first read: clustering reads and writes as one step."""
        if self.db.conn.in_transaction:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # what changed ------------------------------------------------------------------

    def mark_dirty(self, days: Iterable[str], stamp: str) -> None:
        self.db.conn.executemany(
            "insert into dedup_dirty (day, stamp) values (?, ?) on conflict(day) do update "
            "set stamp = max(stamp, excluded.stamp)",
            [(d, stamp) for d in set(days) if d],
        )

    def has_dirty_days(self) -> bool:
        return self.db.execute("select exists (select 1 from dedup_dirty)").fetchone()[0] == 1

    def dirty_days(self) -> tuple[set[date], datetime | None]:
        rows = list(self.db.query("select day, stamp from dedup_dirty"))
        stamp = max((r["stamp"] for r in rows), default=None)
        return (
            {date.fromisoformat(r["day"]) for r in rows},
            datetime.fromisoformat(stamp) if stamp else None,
        )

    def save_dedup_settings(self, settings: dict[str, Any] | str, now: datetime | None) -> None:
        """Store what dedup read from sources.yaml (a record, or its JSON text as
        `dedup.Settings.text` writes it); when it changed, every day is reclustered."""
        if isinstance(settings, str):
            value = settings
        else:
            value = json.dumps(settings, sort_keys=True, ensure_ascii=False)
        old = self.db.execute("select value from dedup_settings where key = 'dedup'").fetchone()
        if old and old[0] == value:
            return
        self.db.execute(
            "insert or replace into dedup_settings (key, value) values ('dedup', ?)", [value]
        )
        days = [r[0] for r in self.db.execute("select distinct day_first from events")]
        self.mark_dirty(days, (now or datetime.now().astimezone()).isoformat())

    def dedup_settings(self) -> dict[str, Any]:
        text = self.dedup_settings_text()
        return json.loads(text) if text else {}

    def dedup_settings_text(self) -> str:
        """The stored settings as JSON text; "" when none were stored."""
        row = self.db.execute("select value from dedup_settings where key = 'dedup'").fetchone()
        return row[0] if row else ""

    # reading what to cluster -------------------------------------------------------

    def events_touching(self, days: Iterable[date]) -> list[Event]:
        """Per-source events whose dates touch any of these days."""
        found: dict[str, Event] = {}
        for first, last in _runs(days):
            rows = self.db.query(
                "select * from events where day_first <= ? and day_last >= ?",
                [last.isoformat(), first.isoformat()],
            )
            for row in rows:
                found.setdefault(row["id"], self._row_event(row))
        return list(found.values())

    def source_events(self, ids: Iterable[str]) -> list[Event]:
        return [
            self._row_event(r)
            for chunk in _chunks(ids)
            for r in self.db.query(f"select * from events where id in ({_marks(chunk)})", chunk)
        ]

    def cluster_mates(self, ids: Iterable[str]) -> set[str]:
        """Every member of the published events these per-source events belong to."""
        sql = (
            "select b.event_id from members a join members b on a.published_id = "
            "b.published_id where a.event_id in ({})"
        )
        return {
            r[0]
            for chunk in _chunks(ids)
            for r in self.db.execute(sql.format(_marks(chunk)), chunk)
        }

    def members_of(self, published_ids: Iterable[str]) -> set[str]:
        """The per-source events published under these ids."""
        sql = "select event_id from members where published_id in ({})"
        return {
            r[0]
            for chunk in _chunks(published_ids)
            for r in self.db.execute(sql.format(_marks(chunk)), chunk)
        }

    def day_counts(self, days: Iterable[date]) -> dict[date, int]:
        """How many per-source events start on each of these days (refresh's windows)."""
        sql = "select day_first, count(*) from events where day_first in ({}) group by day_first"
        return {
            date.fromisoformat(r[0]): r[1]
            for chunk in _chunks(d.isoformat() for d in days)
            for r in self.db.execute(sql.format(_marks(chunk)), chunk)
        }

    def published_of(self, ids: Iterable[str]) -> dict[str, str]:
        return {
            r[0]: r[1]
            for chunk in _chunks(ids)
            for r in self.db.execute(
                f"select event_id, published_id from members where event_id in ({_marks(chunk)})",
                chunk,
            )
        }

    def published_ages(self, ids: Iterable[str]) -> dict[str, str]:
        return {
            r[0]: r[1] or ""
            for chunk in _chunks(ids)
            for r in self.db.execute(
                f"select id, first_seen from published where id in ({_marks(chunk)})", chunk
            )
        }

    def live_published(self, ids: Iterable[str]) -> set[str]:
        return {
            r[0]
            for chunk in _chunks(ids)
            for r in self.db.execute(
                f"select id from published where merged_into is null and id in ({_marks(chunk)})",
                chunk,
            )
        }

    def published_exists(self, event_id: str) -> bool:
        return (
            self.db.execute("select 1 from published where id = ?", [event_id]).fetchone()
            is not None
        )

    def gone_among(self, ids: Iterable[str]) -> set[str]:
        return {
            r[0]
            for chunk in _chunks(ids)
            for r in self.db.execute(
                f"select id from events where gone is not null and id in ({_marks(chunk)})", chunk
            )
        }

    # applying a decision -----------------------------------------------------------

    def apply_clusters(self, batch: Batch, now: datetime) -> None:
        """Write what dedup decided: members, published rows with change tracking,
        retired ids pointing at the event that absorbed them."""
        stamp = now.isoformat()
        former = defaultdict(list)
        for chunk in _chunks(batch.replaced):
            for event_id, pid in self.db.execute(
                f"select event_id, published_id from members where published_id in "
                f"({_marks(chunk)})",
                chunk,
            ):
                former[pid].append(event_id)
        members = [(m, event.id) for event, ids in batch.published for m in ids]
        self.db.conn.executemany(
            "delete from members where event_id = ?", [(m,) for m, _ in members]
        )
        for pid in batch.replaced:
            self.db.execute("delete from members where published_id = ?", [pid])
        self.db.conn.executemany(
            "insert into members (event_id, published_id) values (?, ?)", members
        )
        self._save_published(batch.published, stamp)
        now_of = dict(members)
        kept = {event.id for event, _ in batch.published}
        for pid in batch.replaced - kept:
            heirs = Counter(now_of[m] for m in former.get(pid, ()) if m in now_of)
            heir = min(heirs, key=lambda h: (-heirs[h], h)) if heirs else None
            self.db.execute(
                "update published set merged_into = ?, updated = ? where id = ?",
                [heir or "", stamp, pid],
            )
        self.db.conn.executemany(
            "delete from dedup_dirty where day = ?", [(d.isoformat(),) for d in batch.days]
        )

    def _save_published(self, events: list[tuple[PublishedEvent, list[str]]], stamp: str) -> None:
        """Insert new published events; update the changed ones (`updated` and `sequence`
        move only when what subscribers see changed), the others' explanations only."""
        old: dict[str, tuple] = {}
        for chunk in _chunks(event.id for event, _ in events):
            for row in self.db.execute(
                "select id, first_seen, sequence, content_hash, merged_into from published "
                f"where id in ({_marks(chunk)})",
                chunk,
            ):
                old[row[0]] = row[1:]
        new, changed, same = [], [], []
        for event, ids in events:
            row = published_row(event, len(ids))
            before = old.get(event.id)
            if before is None:
                own = event.id in ids  # an announcement's own id: its history carries over
                row.update(
                    first_seen=_when_text(event.first_seen) if own else stamp,
                    updated=_when_text(event.updated) if own else stamp,
                    sequence=event.sequence if own else 0,
                    merged_into=None,
                )
                new.append(row)
            elif before[2] == row["content_hash"] and before[3] is None:
                same.append((row["merged_because"], row["members"], event.id))
            else:
                row.update(
                    first_seen=before[0],
                    updated=stamp,
                    sequence=(before[1] or 0) + 1,
                    merged_into=None,
                )
                changed.append(row)
        columns = ", ".join(f'"{c}"' for c in _COLUMNS)
        self.db.conn.executemany(
            f"insert into published ({columns}) values ({_marks(list(_COLUMNS))})",
            [[row[c] for c in _COLUMNS] for row in new],
        )
        assignments = ", ".join(f'"{c}" = ?' for c in _COLUMNS[1:])
        self.db.conn.executemany(
            f"update published set {assignments} where id = ?",
            [[row[c] for c in _COLUMNS[1:]] + [row["id"]] for row in changed],
        )
        self.db.conn.executemany(
            "update published set merged_because = ?, members = ? where id = ?", same
        )

    # reading published events ------------------------------------------------------

    def published_events(self, *, since: date | None = None) -> list[PublishedEvent]:
        """Published events in calendar order; with `since`, those ending (or starting) then
        or later."""
        where, args = "merged_into is null", []
        if since is not None:
            where += ' and substr(coalesce("end", start), 1, 10) >= ?'
            args.append(since.isoformat())
        rows = self.db["published"].rows_where(where, args, order_by="sort_key, title, id")
        return [row_published(r) for r in rows]

    def published_event(self, event_id: str) -> PublishedEvent | None:
        """A published event by id; a retired id leads to the event that absorbed it."""
        for _ in range(10):
            row = self.db.execute("select * from published where id = ?", [event_id])
            found = row.fetchone()
            if found is None:
                return None
            record = dict(zip([c[0] for c in row.description], found, strict=True))
            if record["merged_into"] is None:
                return row_published(record)
            if not record["merged_into"]:
                return None
            event_id = record["merged_into"]
        return None


def _marks(items: list[str]) -> str:
    return ", ".join("?" * len(items))
