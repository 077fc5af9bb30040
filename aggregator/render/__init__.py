"""Renderers, one module per format, registered by name.

    RENDERERS["rss"](events, info) -> bytes

Events arrive filtered and sorted; a renderer only writes them (ICS leaves
out month-precision events, which have no day to put in a calendar).

Speed (bench/render.py: the four formats of 10,000 events, 1.5 s at most):
each format is written by hand, with the bytes the libraries wrote before
(feedgen for RSS and Atom, icalendar for each VEVENT; tests compare them;
JSON now puts each event on one line, see json.py),
and what is built for an event is kept while the event object lives
(`_memo`): RSS and Atom share each item's text, a feed rendered again from
the same events is mostly concatenation, and `publish` writes an event into
its partial feeds and its own .ics without building it again. Texts shared
by many events (dates, places, sources, tags, timestamps) are kept by value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol, TypeVar

from aggregator.model import Event, FeedInfo
from aggregator.render import atom, ics, json, rss

T = TypeVar("T")


class Renderer(Protocol):
    def __call__(self, events: Sequence[Event], info: FeedInfo, /) -> bytes: ...


class Parts(Protocol):
    def __call__(self, events: Iterable[Event], info: FeedInfo, /) -> Iterator[bytes]: ...


RENDERERS: dict[str, Renderer] = {
    "rss": rss.render,
    "atom": atom.render,
    "ics": ics.render,
    "json": json.render,
}
PARTS: dict[str, Parts] = {
    "rss": rss.parts,
    "atom": atom.parts,
    "ics": ics.parts,
    "json": json.parts,
}

CONTENT_TYPES: dict[str, str] = {
    "rss": rss.CONTENT_TYPE,
    "atom": atom.CONTENT_TYPE,
    "ics": ics.CONTENT_TYPE,
    "json": json.CONTENT_TYPE,
}


def render(fmt: str, events: Sequence[Event], info: FeedInfo) -> bytes:
    """The feed `fmt` ("rss", "atom", "ics" or "json") of these events."""
    return _known(RENDERERS, fmt)(events, info)


def render_parts(fmt: str, events: Iterable[Event], info: FeedInfo) -> Iterator[bytes]:
    """`render(fmt, events, info)` in pieces, an event at a time: a caller that writes
    them out as they come (the web server gzips them) never holds the whole feed, and
    an event it no longer holds leaves memory with its rendered text."""
    return _known(PARTS, fmt)(events, info)


def _known(table: Mapping[str, T], fmt: str) -> T:
    try:
        return table[fmt]
    except KeyError:
        known = ", ".join(sorted(table))
        raise ValueError(f"unknown feed format {fmt!r}; choose one of {known}") from None
