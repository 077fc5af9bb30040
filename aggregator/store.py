"""Store: the only module that writes SQL.

Tables
    events      one row per event per source (id from aggregator.identity)
    runs        one row per source run: when, result, counts, error
    http_cache  conditional-GET validators per URL
    migrations  which named migrations have been applied

A source's run is one transaction: events and its run row are written
together or not at all, so a failing source never damages stored data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlite_utils

from aggregator._store_dedup import DedupTables
from aggregator._store_published import event_days, migrate_dedup
from aggregator.errors import StoreError
from aggregator.model import Event, Precision, SourceRef, Status

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RunRecord:
    source_id: str
    started: datetime
    finished: datetime
    result: str  # "ok" | "unchanged" | "failed" | "skipped"
    error: str | None = None
    pages: int = 0
    events: int = 0
    new: int = 0
    updated: int = 0
    warning: str | None = None
    http_status: int | None = None  # of the source's first page: 200, 304, 404, 500…


@dataclass(frozen=True, kw_only=True)
class SaveCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


# --- migrations: append only, never edit one that has shipped -------------------


def _m001_initial(db: sqlite_utils.Database) -> None:
    db["events"].create(
        {
            "id": str, "source_id": str, "title": str, "start": str, "end": str,
            "all_day": int, "precision": str, "alternatives": str, "status": str,
            "venue": str, "address": str, "city": str, "online": int, "url": str,
            "registration_url": str, "description": str, "description_html": str,
            "tags": str, "region": str, "source_name": str, "source_url": str,
            "first_seen": str, "updated": str, "last_seen": str, "sequence": int,
            "content_hash": str, "sort_key": str,
        },
        pk="id",
        not_null={"source_id", "title", "start"},
    )
    db["events"].create_index(["source_id"])
    db["events"].create_index(["sort_key"])
    db["runs"].create(
        {
            "id": int, "source_id": str, "started": str, "finished": str, "result": str,
            "error": str, "pages": int, "events": int, "new": int, "updated": int,
            "warning": str,
        },
        pk="id",
    )
    db["runs"].create_index(["source_id", "id"])
    db["http_cache"].create(
        {"url": str, "etag": str, "last_modified": str, "stored": str}, pk="url"
    )


def _m002_run_http_status(db: sqlite_utils.Database) -> None:
    db["runs"].add_column("http_status", int)


MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("001_initial", _m001_initial),
    ("002_run_http_status", _m002_run_http_status),
    ("003_dedup", migrate_dedup),
]
SCHEMA_VERSION = len(MIGRATIONS)


# --- (de)serialising events ------------------------------------------------------


def _when_to_text(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _text_to_when(text: str | None) -> date | datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


_CONTENT_FIELDS = (
    "title", "start", "end", "all_day", "precision", "alternatives", "status", "venue",
    "address", "city", "online", "url", "registration_url", "description",
    "description_html", "tags", "region",
)


def event_row(event: Event, source_id: str) -> dict:
    """The row for an event, with a hash of everything subscribers see."""
    first, last = event_days(event)
    row = {
        "id": event.id, "source_id": source_id, "title": event.title,
        "start": _when_to_text(event.start), "end": _when_to_text(event.end),
        "all_day": int(event.all_day), "precision": event.precision.value,
        "alternatives": json.dumps([d.isoformat() for d in event.alternatives]),
        "status": event.status.value, "venue": event.venue, "address": event.address,
        "city": event.city, "online": int(event.online), "url": event.url,
        "registration_url": event.registration_url, "description": event.description,
        "description_html": event.description_html, "tags": json.dumps(list(event.tags)),
        "region": event.region,
        "source_name": event.sources[0].name if event.sources else "",
        "source_url": event.sources[0].url if event.sources else "",
        "sort_key": _sort_key(event),
        "day_first": first.isoformat(), "day_last": last.isoformat(),  # for dedup's blocking
    }
    content = json.dumps([row[f] for f in _CONTENT_FIELDS], ensure_ascii=False)
    row["content_hash"] = hashlib.sha256(content.encode()).hexdigest()
    return row


def _sort_key(event: Event) -> str:
    """Paris wall-clock text: sorts by day, all-day events before timed ones."""
    return event.start.isoformat()


def row_event(row: dict) -> Event:
    return Event(
        id=row["id"], title=row["title"], start=_text_to_when(row["start"]),
        end=_text_to_when(row["end"]), all_day=bool(row["all_day"]),
        precision=Precision(row["precision"]),
        alternatives=tuple(date.fromisoformat(d) for d in json.loads(row["alternatives"] or "[]")),
        status=Status(row["status"]), venue=row["venue"], address=row["address"],
        city=row["city"], online=bool(row["online"]), url=row["url"],
        registration_url=row["registration_url"], description=row["description"] or "",
        description_html=row["description_html"] or "",
        tags=tuple(json.loads(row["tags"] or "[]")), region=row["region"],
        sources=(SourceRef(id=row["source_id"], name=row["source_name"] or "",
                           url=row["source_url"] or row["url"] or ""),),
        first_seen=_text_to_when(row["first_seen"]), updated=_text_to_when(row["updated"]),
        sequence=row["sequence"] or 0,
    )


# --- the store -------------------------------------------------------------------


class Store(DedupTables):
    """The SQLite database. Open with `Store.open(path)`; use as a context manager.

    Published (merged) events and their clustering live in `_store_dedup.py`.
    """

    _row_event = staticmethod(row_event)

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    @classmethod
    def open(cls, path: str | Path) -> Store:
        try:
            conn = sqlite3.connect(str(path), timeout=30, isolation_level=None,
                                   check_same_thread=False)
            db = sqlite_utils.Database(conn)
            if str(path) != ":memory:":
                db.enable_wal()
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
            store = cls(db)
            store.migrate()
        except sqlite3.Error as exc:
            raise storage_error(exc, f"cannot open the database {path}") from exc
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> None:
        if "migrations" not in self.db.table_names():
            self.db["migrations"].create({"name": str, "applied": str}, pk="name")
        done = {row["name"] for row in self.db["migrations"].rows}
        for name, apply in MIGRATIONS:
            if name in done:
                continue
            with self.db.atomic():
                apply(self.db)
                self.db["migrations"].insert(
                    {"name": name, "applied": datetime.now().astimezone().isoformat()}
                )
            log.info("database migrated: %s", name)

    @property
    def schema_version(self) -> int:
        return self.db["migrations"].count

    # runs ----------------------------------------------------------------------

    def save_run(self, run: RunRecord, events: Sequence[Event] = (),
                 now: datetime | None = None) -> SaveCounts:
        """Store a run and, when it succeeded, its events, in one transaction."""
        try:
            # BEGIN IMMEDIATE, not a deferred BEGIN: the upsert reads before it writes,
            # and a deferred transaction cannot wait for a feed reader's dedup write
            # (SQLite answers "database is locked" at once instead of waiting).
            with self.exclusive():
                counts = self._upsert_events(run.source_id, events, now or run.finished)
                self.db["runs"].insert(_run_row(run, counts))
        except sqlite3.Error as exc:
            raise storage_error(exc, f"could not save the run of {run.source_id}") from exc
        return counts

    def _upsert_events(self, source_id: str, events: Sequence[Event],
                       now: datetime) -> SaveCounts:
        new = updated = unchanged = 0
        stamp = now.isoformat()
        table = self.db["events"]
        dirty: list[str] = []  # days dedup must look at again
        for event in _unique(events):
            row = event_row(event, source_id)
            old = _get(table, event.id)
            if old is None:
                row.update(first_seen=stamp, updated=stamp, last_seen=stamp, sequence=0)
                table.insert(row)
                new += 1
            elif old["content_hash"] != row["content_hash"]:
                row.update(updated=stamp, last_seen=stamp, sequence=(old["sequence"] or 0) + 1,
                           gone=None)
                table.update(event.id, row)
                updated += 1
            else:
                table.update(event.id, {"last_seen": stamp, "gone": None})
                unchanged += 1
            if old is None or old["content_hash"] != row["content_hash"] or old["gone"]:
                dirty += [row["day_first"], old["day_first"] if old else None]
        if events:
            dirty += self._flag_unlisted(source_id, stamp, now.date())
        self.mark_dirty(dirty, stamp)
        return SaveCounts(new=new, updated=updated, unchanged=unchanged)

    def _flag_unlisted(self, source_id: str, stamp: str, today: date) -> list[str]:
        """Flag (never delete) the source's coming events its listing no longer shows."""
        sql = ("from events where source_id = ? and last_seen < ? and gone is null "
               "and day_last >= ?")
        args = [source_id, stamp, today.isoformat()]
        days = [r[0] for r in self.db.execute(f"select day_first {sql}", args)]
        self.db.execute(f"update events set gone = ? where id in (select id {sql})",
                        [stamp, *args])
        return days

    def runs(self, source_id: str | None = None, limit: int = 20) -> list[dict]:
        where, args = ("source_id = ?", [source_id]) if source_id else (None, [])
        return list(self.db["runs"].rows_where(where, args, order_by="id desc", limit=limit))

    def last_runs(self) -> dict[str, dict]:
        """The latest run of every source that has run."""
        sql = "select * from runs where id in (select max(id) from runs group by source_id)"
        return {row["source_id"]: row for row in self.db.query(sql)}

    def consecutive_failures(self) -> dict[str, int]:
        """Per source, how many runs in a row failed since its last good one."""
        sql = (
            "select source_id, count(*) as n from runs as r where result = 'failed' and id > "
            "coalesce((select max(id) from runs as g where g.source_id = r.source_id "
            "and g.result != 'failed'), 0) group by source_id"
        )
        return {row["source_id"]: row["n"] for row in self.db.query(sql)}

    def last_good_run(self, source_id: str) -> dict | None:
        rows = self.db["runs"].rows_where(
            "source_id = ? and result in ('ok', 'unchanged')", [source_id],
            order_by="id desc", limit=1)
        return next(iter(rows), None)

    # events --------------------------------------------------------------------

    def events(self, *, source_ids: Iterable[str] | None = None,
               since: date | None = None) -> list[Event]:
        """Events in calendar order; with `since`, those ending (or starting) on or after it."""
        clauses, args = [], []
        if source_ids is not None:
            ids = list(source_ids)
            clauses.append(f"source_id in ({', '.join('?' * len(ids))})" if ids else "0")
            args += ids
        if since is not None:
            clauses.append("substr(coalesce(\"end\", start), 1, 10) >= ?")
            args.append(since.isoformat())
        where = " and ".join(clauses) or None
        rows = self.db["events"].rows_where(where, args, order_by="sort_key, title, id")
        return [row_event(r) for r in rows]

    def event(self, event_id: str) -> Event | None:
        """The published event with this id, else the announcement (per-source event)."""
        published = self.published_event(event_id)
        if published is not None:
            return published
        row = _get(self.db["events"], event_id)
        return row_event(row) if row else None

    def count_events(self, source_id: str | None = None) -> int:
        if source_id:
            return self.db["events"].count_where("source_id = ?", [source_id])
        return self.db["events"].count

    # HTTP validators -----------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = _get(self.db["http_cache"], url)
        return (row["etag"], row["last_modified"]) if row else (None, None)

    def save_validators(self, url: str, etag: str | None, last_modified: str | None,
                        now: datetime) -> None:
        self.db["http_cache"].upsert(
            {"url": url, "etag": etag, "last_modified": last_modified,
             "stored": now.isoformat()}, pk="url")

    def backup(self, target: Path) -> int:
        """A consistent copy of the database at `target`, made with SQLite's backup API
        (safe while the daemon writes); written beside it then renamed into place."""
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        try:
            copy = sqlite3.connect(partial)
            with copy:
                self.db.conn.backup(copy)
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
            copy.close()
            partial.replace(target)
        except (sqlite3.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"could not write the backup {target}: {exc}") from exc
        return pages

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


_HINTS = {
    "readonly": "the database file or its folder is read-only: let the user running "
                "aggregator write to both",
    "disk is full": "the disk is full: free some space; nothing was half-written",
    "locked": "another program holds the database: retry, or stop the other writer",
    "not a database": "the file is not an aggregator database: check --db",
    "unable to open": "the folder does not exist or cannot be written: check --db",
}


def storage_error(exc: sqlite3.Error, action: str) -> StoreError:
    """Our error for a SQLite failure, with what the admin can do about it."""
    text = str(exc)
    hint = next((h for key, h in _HINTS.items() if key in text), None)
    return StoreError(f"{action}: {text}" + (f"; {hint}" if hint else ""))


def _get(table: sqlite_utils.db.Table, pk: str) -> dict | None:
    try:
        return table.get(pk)
    except sqlite_utils.db.NotFoundError:
        return None


def _unique(events: Sequence[Event]) -> Iterator[Event]:
    """Each id once: a page may list the same event twice (teaser and body)."""
    seen: set[str] = set()
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            yield event


def _run_row(run: RunRecord, counts: SaveCounts) -> dict:
    return {
        "source_id": run.source_id, "started": run.started.isoformat(),
        "finished": run.finished.isoformat(), "result": run.result, "error": run.error,
        "pages": run.pages, "events": run.events, "new": counts.new,
        "updated": counts.updated, "warning": run.warning, "http_status": run.http_status,
    }
