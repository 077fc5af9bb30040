"""Stable published ids: an event keeps its id while announcements join and leave it.

Subscribed calendars know an event by its UID; if it changed, they would
show the event twice. Part of dedup.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from aggregator.identity import event_id
from aggregator.model import Event


def assign_ids(
    clusters: Sequence[Sequence[Event]],
    previous: dict[str, str],
    ages: dict[str, str],
    is_free: Callable[[str], bool],
) -> list[str]:
    """A published id per cluster that never moves while the event lives on.

    `previous` maps member ids to the published id they had, `ages` gives
    each published id's first_seen. A cluster keeps the oldest id among its
    members'; when several clusters claim one id (a split), the one holding
    most of its former members keeps it. A cluster without an id takes its
    first member's own id when `is_free`, else a new one derived from it.
    """
    claims = []
    for n, group in enumerate(clusters):
        counts = Counter(previous[m.id] for m in group if m.id in previous)
        claims += [(ages.get(pid, ""), -count, n, pid) for pid, count in counts.items()]
    ids: list[str | None] = [None] * len(clusters)
    used: set[str] = set()
    for _, _, n, pid in sorted(claims):
        if ids[n] is None and pid not in used:
            ids[n] = pid
            used.add(pid)
    for n, group in enumerate(clusters):
        if ids[n] is None:
            ids[n] = _fresh_id(group, used, is_free)
            used.add(ids[n])
    return [i for i in ids if i is not None]


def _fresh_id(group: Sequence[Event], used: set[str], is_free: Callable[[str], bool]) -> str:
    first = min(group, key=lambda m: (m.first_seen.isoformat() if m.first_seen else "", m.id))
    for member in sorted(group, key=lambda m: m is not first):
        if member.id not in used and is_free(member.id):
            return member.id
    source = first.sources[0].id if first.sources else "event"
    n = 2
    while True:
        candidate = event_id(source, f"{first.id}#{n}")
        if candidate not in used and is_free(candidate):
            return candidate
        n += 1
