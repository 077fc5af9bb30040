"""Text built from an event, kept as long as the event object lives.

`aggregator publish` renders the same event objects into many files (every
feed format, the per-source, per-tag and per-region feeds, one .ics per
event), and RSS and Atom carry the same item text: each event's part is
built once and reused. Entries go when their events are garbage, so memory
is bounded by the events the caller holds, not by a cache size: for 10,000
events, about 60 MB while they live (their own 25 MB aside), nothing after.
(An earlier lru_cache of VEVENTs, keyed by value, kept up to 20,000 events
alive in the daemon: 40 MB for 10,000, to save work that now costs about
50 µs an event.)

Entries are found by the event object's identity, not by its value: hashing
an event (22 fields) cost more than the lookup saved, and a caller that
builds new event objects (the web server, for each request) builds them
because the data may have changed.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from aggregator.model import Event

T = TypeVar("T")


class PerEvent(Generic[T]):
    """`get(event, build, *settings)` → build(event, *settings), computed once
    per event object and settings (feed settings the text depends on); one
    PerEvent for each kind of text."""

    def __init__(self) -> None:
        kept: dict[int, tuple[weakref.KeyedRef, tuple, T]] = {}

        def forget(ref: weakref.KeyedRef, kept: dict = kept) -> None:
            entry = kept.get(ref.key)
            if entry is not None and entry[0] is ref:  # not a newer event with the same id()
                kept.pop(ref.key, None)

        self._kept, self._forget = kept, forget

    def get(self, event: Event, build: Callable[..., T], *settings: Hashable) -> T:
        key = id(event)
        entry = self._kept.get(key)
        if entry is not None and entry[0]() is event and entry[1] == settings:
            return entry[2]
        value = build(event, *settings)
        try:
            ref = weakref.KeyedRef(event, self._forget, key)
        except TypeError:  # an object that takes no weak reference: not kept
            return value
        self._kept[key] = (ref, settings, value)
        return value

    def __len__(self) -> int:
        return len(self._kept)
