"""Dedup: one published event per real event, whoever announced it.

The store keeps every announcement as scraped (one row per event per
source); this module decides which announcements are the same event and
what that event publishes, and the store applies the decision:

    refresh(store)       after each run, for the days the run touched
      cluster(events)    pairs that share a day (blocking) are scored with
                         rapidfuzz and field rules (_dedup_match); the best
                         pairs join first, pins in sources.yaml win
      assign_ids(…)      each cluster keeps the published id it had: the
                         oldest one when clusters join, the one most of its
                         members had when a cluster splits; an announcement
                         that leaves gets back its own id, or a fresh one
      published(…)       one event per cluster (_dedup_merge)
      store.apply_clusters(…)

Titles are compared by their content words (_dedup_words): accents, case,
stopwords, dates, years, ordinals and organiser names do not count.

Published ids never change when a duplicate joins or leaves, so subscribed
calendars keep their events; every merge records why (`merged_because`).
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from aggregator._dedup_ids import assign_ids
from aggregator._dedup_match import THRESHOLD, Match, candidate_pairs, compare
from aggregator._dedup_merge import PublishedEvent, Reason, published
from aggregator._dedup_profile import block_days, profile, span_of
from aggregator._dedup_settings import Settings, settings_of
from aggregator._dedup_settings import stored as stored_settings
from aggregator._dedup_words import DEFAULT_NAMES
from aggregator.model import Event

if TYPE_CHECKING:
    from aggregator.store import Store

__all__ = [
    "THRESHOLD",
    "Batch",
    "Cluster",
    "Match",
    "PublishedEvent",
    "Reason",
    "Settings",
    "assign_ids",
    "cluster",
    "explain",
    "merge_lines",
    "refresh",
    "same_event",
    "settings_of",
]

log = logging.getLogger(__name__)

WINDOW_EVENTS = 300  # events starting in one window of refresh (about 10 KB each in memory)


def same_event(a: Event, b: Event, settings: Settings | None = None) -> Match:
    """Whether two announcements are the same real event (`.same`), with the score and why."""
    names = settings.all_names() if settings else DEFAULT_NAMES
    pair = [profile(a, names), profile(b, names)]
    if not candidate_pairs(pair):  # what clustering would not even compare
        return Match(
            score=0.0,
            fields={
                "title": "not compared (titles far apart, or other towns without a shared link)"
            },
        )
    return compare(*pair)


# --- clustering -------------------------------------------------------------------------


@dataclass(kw_only=True)
class Cluster:
    members: list[Event]
    reasons: list[Reason] = field(default_factory=list)


class _Groups:
    """Union-find over event indexes that refuses a union breaking a constraint."""

    def __init__(self, size: int):
        self.parent = list(range(size))
        self.items: dict[int, list[int]] = {i: [i] for i in range(size)}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int, allowed: Callable[[list[int], list[int]], bool]) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj or not allowed(self.items[ri], self.items[rj]):
            return False
        if len(self.items[ri]) < len(self.items[rj]):
            ri, rj = rj, ri
        self.parent[rj] = ri
        self.items[ri] += self.items.pop(rj)
        return True


def _pin_indexes(pins: Iterable[Sequence[str]], index: dict[str, list[int]]) -> list[list[int]]:
    return [[i for pid in pin for i in index.get(pid, ())] for pin in pins]


def cluster(
    events: Sequence[Event],
    settings: Settings | None = None,
    *,
    aliases: dict[str, Sequence[str]] | None = None,
    gone: Iterable[str] = (),
) -> list[Cluster]:
    """The events grouped by real event. `aliases` maps published ids to member
    ids, so pins may name either; `gone` are announcements no longer listed by
    their source. Clusters come in the order of their first event."""
    with _no_gc_pauses():
        return _cluster(events, settings, aliases, set(gone))


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Clustering makes many small acyclic objects; the cycle collector would rescan
    them again and again (the cost would grow faster than the number of events)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cluster(
    events: Sequence[Event],
    settings: Settings | None,
    aliases: dict[str, Sequence[str]] | None,
    unlisted: set[str],
) -> list[Cluster]:
    settings = settings or Settings()
    names = settings.all_names()
    profiles = [profile(e, names) for e in events]
    index: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(events):
        index[e.id].append(i)
    for pid, members in (aliases or {}).items():
        index[pid] += [i for m in members for i in index.get(m, ()) if m != pid]
    apart = {
        frozenset((x, y))
        for pin in _pin_indexes(settings.never_merge, index)
        for x in pin
        for y in pin
        if x != y
    }
    matches: list[tuple[float, int, int, Match]] = []
    for i, j in candidate_pairs(profiles):
        if profiles[i].source == profiles[j].source and not (
            events[i].id in unlisted or events[j].id in unlisted
        ):
            continue  # two items a site lists are two events (see `allowed` below)
        match = compare(profiles[i], profiles[j])
        if match.same:
            matches.append((match.score, i, j, match))
    # Matched pairs of one source, of which one is unlisted: the only ones `allowed` asks about.
    matched = {
        frozenset((i, j))
        for _, i, j, _ in matches
        if events[i].id in unlisted or events[j].id in unlisted
    }
    groups = _Groups(len(events))
    reasons: list[tuple[int, Reason]] = []
    for pin in _pin_indexes(settings.merge, index):
        for other in pin[1:]:
            if groups.join(pin[0], other, lambda a, b: True):
                reasons.append(
                    (
                        pin[0],
                        Reason(
                            events=(events[pin[0]].id, events[other].id), score=100.0, pinned=True
                        ),
                    )
                )

    def allowed(a: list[int], b: list[int]) -> bool:
        for x in a:
            source = profiles[x].source
            for y in b:
                if apart and frozenset((x, y)) in apart:
                    return False
                if profiles[y].source == source and frozenset((x, y)) not in matched:
                    return False  # two items a site lists are two events, unless one replaced
                    # the other (an edited title-keyed event leaves its old item behind)
        return True

    matches.sort(key=lambda m: (-m[0], events[m[1]].id, events[m[2]].id))
    for score, i, j, match in matches:
        if groups.join(i, j, allowed):
            reasons.append(
                (i, Reason(events=(events[i].id, events[j].id), score=score, fields=match.fields))
            )
    return _clusters(events, groups, reasons)


def _clusters(
    events: Sequence[Event], groups: _Groups, reasons: list[tuple[int, Reason]]
) -> list[Cluster]:
    by_root: dict[int, Cluster] = {}
    for root, items in sorted(groups.items.items(), key=lambda kv: min(kv[1])):
        by_root[root] = Cluster(members=[events[i] for i in sorted(items)])
    for i, reason in reasons:
        by_root[groups.find(i)].reasons.append(reason)
    return list(by_root.values())


# --- refresh: recluster what the last runs touched ------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Batch:
    """What the store applies: the published events, their members, the ids they replace,
    the days whose events were all reclustered."""

    published: list[tuple[PublishedEvent, list[str]]]
    replaced: set[str]
    days: set[date]


def _affected(
    store: Store, days: set[date], pins: Sequence[Sequence[str]] = ()
) -> tuple[list[Event], set[date]]:
    """The events on these days and every event clustered with them or pinned to them
    (`pins`: the merge pins), closed over their own days, so that a cluster is always
    recomputed whole; and the days so covered, each of whose events is among them."""
    seen: dict[str, Event] = {}
    todo = set(days)
    done: set[date] = set()
    while todo:
        done |= todo
        found = store.events_touching(todo)
        new = [e.id for e in found if e.id not in seen]
        mates = store.cluster_mates(new) | _pinned_with(store, new, pins)
        extra = [e for e in store.source_events(mates - seen.keys()) if e.id not in seen]
        for event in (*found, *extra):
            seen.setdefault(event.id, event)
        todo = {d for e in (*found, *extra) for d in _blocking_days(e)} - done
    ordered = sorted(
        seen.values(), key=lambda e: (e.first_seen.isoformat() if e.first_seen else "", e.id)
    )
    return ordered, done


def _pinned_with(store: Store, ids: list[str], pins: Sequence[Sequence[str]]) -> set[str]:
    """The announcements a merge pin joins to these (pins may name published ids): with
    refresh in windows, a pin's announcements may lie in two windows' days."""
    if not pins or not ids:
        return set()
    named = {*ids, *store.published_of(ids).values()}
    pinned = {pid for pin in pins if not named.isdisjoint(pin) for pid in pin}
    return pinned | store.members_of(pinned) if pinned else set()


def _blocking_days(event: Event) -> set[date]:
    first, last, alternatives, month = span_of(event)
    if month:
        return {first + timedelta(days=i) for i in range((last - first).days + 1)}
    return set(block_days(first, last, alternatives, month))


def refresh(store: Store, settings: Settings | None = None, now: datetime | None = None) -> int:
    """Recluster the days changed since the last refresh; the number of events published.

    With `settings` (from sources.yaml) they are stored first, and a change
    of pins or organisers reclusters every day. The days are taken in windows of
    about WINDOW_EVENTS events (each cluster still recomputed whole), so that memory
    follows the window, not the number of days a scrape cycle changed.
    """
    if not store.has_dirty_days() and (
        settings is None or store.dedup_settings_text() == settings.text()
    ):
        return 0  # feeds call this on every read: no write lock when there is nothing to do
    with store.exclusive():
        if settings is not None:
            store.save_dedup_settings(settings.text(), now)
        days, stamp = store.dirty_days()
        if not days:
            return 0
        stored = stored_settings(store.dedup_settings_text(), settings)
        published = 0  # a cluster recomputed in two windows (a long span) counts twice
        done: set[date] = set()
        for window in _windows(days, store.day_counts(days)):
            if window - done:
                batch = _batch(store, window - done, stored)
                store.apply_clusters(batch, now=stamp or now)
                done |= batch.days
                published += len(batch.published)
    log.info("dedup: %d events published from %d days", published, len(days))
    return published


def _windows(days: set[date], counts: dict[date, int]) -> Iterator[set[date]]:
    """The days in order, in runs starting about WINDOW_EVENTS events (at least a day)."""
    window: set[date] = set()
    size = 0
    for day in sorted(days):
        if window and size + counts.get(day, 0) > WINDOW_EVENTS:
            yield window
            window, size = set(), 0
        window.add(day)
        size += counts.get(day, 0)
    if window:
        yield window


def _batch(store: Store, days: set[date], settings: Settings) -> Batch:
    """Recluster these days; `days` of the batch are every day its clusters cover."""
    events, days = _affected(store, days, settings.merge)
    previous = store.published_of([e.id for e in events])
    aliases: dict[str, list[str]] = defaultdict(list)
    for member, pid in previous.items():
        aliases[pid].append(member)
    own = {e.id for e in events}
    gone = store.gone_among(own)
    clusters = cluster(events, settings, aliases=aliases, gone=gone)
    ages = store.published_ages(set(previous.values()))
    live = store.live_published(own - set(previous.values()))

    def is_free(pid: str) -> bool:  # a retired id comes back only to its own announcement
        return pid not in live and (pid in own or not store.published_exists(pid))

    ids = assign_ids([g.members for g in clusters], previous, ages, is_free)
    events_out = [
        (publish(group, pid, settings, gone), [m.id for m in group.members])
        for group, pid in zip(clusters, ids, strict=True)
    ]
    return Batch(published=events_out, replaced=set(previous.values()), days=days)


def publish(
    group: Cluster, event_id: str, settings: Settings, gone: Iterable[str] = ()
) -> PublishedEvent:
    """The event a cluster publishes under `event_id` (see _dedup_merge)."""
    return published(
        group.members,
        group.reasons,
        event_id=event_id,
        declared=settings.organisers,
        names=settings.names,
        gone=set(gone),
    )


# --- explaining: for `aggregator extract` and `aggregator status` ---------------------------


def explain(
    events: Sequence[Event], store: Store, settings: Settings | None = None
) -> list[PublishedEvent]:
    """Each event with the stored announcements it would merge with in `merged_because`
    (a dry run: nothing is written)."""
    settings = settings or Settings.from_dict(store.dedup_settings())
    names = settings.all_names()
    found = []
    for event in events:
        stored = [e for e in store.events_touching(_blocking_days(event)) if e.id != event.id]
        profiles = [profile(event, names), *(profile(e, names) for e in stored)]
        reasons = []
        for i, j in sorted(candidate_pairs(profiles)):
            match = compare(profiles[i], profiles[j]) if i == 0 else None
            if match is not None and match.same:
                reasons.append(
                    Reason(
                        events=(event.id, stored[j - 1].id), score=match.score, fields=match.fields
                    )
                )
        fields = {name: getattr(event, name) for name in Event.__dataclass_fields__}
        found.append(PublishedEvent(**fields, merged_because=tuple(reasons)))
    return found


def merge_lines(store: Store, today: date) -> list[str]:
    """The coming events published from several announcements, and why (for `status`)."""
    merged_events = [e for e in store.published_events(since=today) if e.merged_because]
    if not merged_events:
        return []
    lines = [f"{len(merged_events)} coming events merged from several announcements:"]
    for event in merged_events:
        sources = ", ".join(s.id for s in event.sources)
        lines.append(f"  {event.id} «{event.title}» from {sources}")
        lines += [f"    {reason.line()}" for reason in event.merged_because]
    return lines
