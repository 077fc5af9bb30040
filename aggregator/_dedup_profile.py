"""What comparing needs of one event (`Profile`), computed once per event.

Split from `_dedup_match.py` (which blocks and scores pairs). Building
profiles is most of clustering's work, and most of it depends on the title
alone: titles repeat (relays copy them, a cycle's sessions share them), so
what a title yields is kept per title for the length of one clustering
(on its `Names`), and what a town yields per town.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from aggregator._dedup_words import (
    DEFAULT_NAMES,
    KINDS,
    TOKEN,
    Names,
    ascii_lower,
    city_key,
    link_keys,
    numbers_in,
    session_in,
    words_of,
)
from aggregator.clock import PARIS
from aggregator.model import Event, Precision

MAX_SPAN_DAYS = 14  # longer events (exhibitions, festivals) are blocked on their ends only
_MEMO_LIMIT = 100_000  # titles or towns kept: enough for any run, bounded for a daemon


def _day(value: date | datetime) -> date:
    return value.astimezone(PARIS).date() if isinstance(value, datetime) else value


def _minutes(value: date | datetime) -> int | None:
    if not isinstance(value, datetime):
        return None
    local = value.astimezone(PARIS)
    return local.hour * 60 + local.minute


class Profile(NamedTuple):
    """What comparing needs of one event, computed once (a tuple: thousands are made)."""

    id: str
    source: str
    title: str  # content words joined, for rapidfuzz
    key: str  # the same without kinds of event ("journée"…), for blocking
    words: tuple[str, ...]  # in title order, each once
    strong: tuple[str, ...]  # words that are not kinds of event
    named: tuple[str, ...]  # organisers the title names
    session: int | None
    numbers: frozenset[str]  # "Rencontre 12": numbers that name something
    first: date
    last: date
    alternatives: frozenset[date]
    month: tuple[int, int] | None
    minutes: int | None
    city: str
    online: bool
    links: tuple[str, ...]
    text: str
    days: tuple[date, ...] = ()


class _Words(NamedTuple):
    """A title's content words, in the forms a `Profile` keeps them."""

    title: str
    key: str
    words: tuple[str, ...]
    strong: tuple[str, ...]


class _Title(NamedTuple):
    """What one title yields, whatever the event's town."""

    kept: tuple[str, ...]  # its tokens without organiser names
    tokens: frozenset[str]  # the same as a set, to see quickly whether the town is named
    words: _Words  # when the title does not name the event's town
    named: tuple[str, ...]
    session: int | None
    numbers: frozenset[str]


class _Town(NamedTuple):
    key: str  # city_key
    drop: frozenset[str]  # its words, which a title naming it does not count


def _words(words: list[str]) -> _Words:
    strong = [w for w in words if w not in KINDS]
    title = " ".join(words)
    return _Words(title, " ".join(strong) or title, tuple(words), tuple(strong))


def _title(title: str, names: Names) -> _Title:
    memo: dict[str, _Title] = names.memo
    found = memo.get(title)
    if found is None:
        folded = ascii_lower(title)
        tokens = TOKEN.findall(folded)
        kept, named = names.split(tokens)
        found = _Title(
            kept=tuple(kept),
            tokens=frozenset(kept),
            words=_words(words_of(kept, None)),
            named=tuple(sorted(named)),
            session=session_in(folded, tokens),
            numbers=numbers_in(folded),
        )
        if len(memo) < _MEMO_LIMIT:
            memo[title] = found
    return found


_TOWNS: dict[str | None, _Town] = {}


def _town(city: str | None) -> _Town:
    found = _TOWNS.get(city)
    if found is None:
        drop = frozenset(TOKEN.findall(ascii_lower(city))) if city else frozenset()
        found = _Town(key=city_key(city), drop=drop)
        if len(_TOWNS) < _MEMO_LIMIT:
            _TOWNS[city] = found
    return found


def span_of(event: Event) -> tuple[date, date, frozenset[date], tuple[int, int] | None]:
    """(first day, last day, alternatives, month when the day is unknown)."""
    first = _day(event.start)
    last = max(_day(event.end), first) if event.end is not None else first
    month = (first.year, first.month) if event.precision == Precision.MONTH else None
    if month:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    alternatives = frozenset(event.alternatives) | {first} if event.alternatives else frozenset()
    return first, last, alternatives, month


def _text(description: str) -> str:
    if not description:
        return ""
    return " ".join(TOKEN.findall(ascii_lower(description[:900])))[:600]


def profile(event: Event, names: Names = DEFAULT_NAMES) -> Profile:
    title = _title(event.title, names)
    town = _town(event.city)
    words = title.words
    if town.drop and not town.drop.isdisjoint(title.tokens):  # "Forum de Lille", in Lille
        words = _words(words_of(list(title.kept), event.city))
    start, minutes = event.start, None
    if isinstance(start, datetime):  # one conversion for the day and the time
        local = start.astimezone(PARIS)
        first, minutes = local.date(), local.hour * 60 + local.minute
    else:
        first = start
    if event.end is None and not event.alternatives and event.precision != Precision.MONTH:
        last, alternatives, month = first, frozenset(), None  # most events: one day
        days: tuple[date, ...] = (first,)
    else:
        first, last, alternatives, month = span_of(event)
        days = block_days(first, last, alternatives, month)
    links = link_keys(event)
    return Profile(
        event.id,
        event.sources[0].id if event.sources else "",
        words.title,
        words.key,
        words.words,
        words.strong,
        title.named,
        title.session,
        title.numbers,
        first,
        last,
        alternatives,
        month,
        minutes,
        town.key,
        event.online,
        tuple(sorted(links)) if len(links) > 1 else tuple(links),
        _text(event.description),
        days,
    )


def block_days(
    first: date, last: date, alternatives: frozenset[date], month: tuple[int, int] | None
) -> tuple[date, ...]:
    """The days an event is compared on (blocking): each of its days, its
    alternatives, the ends of a long span; none for a month ("février 2020")."""
    if month:
        return ()
    if alternatives:
        return tuple(sorted(alternatives))
    if last == first:  # most events: one day
        return (first,)
    span = (last - first).days
    if span > MAX_SPAN_DAYS:
        return (first, last)
    return tuple(first + timedelta(days=i) for i in range(span + 1))
