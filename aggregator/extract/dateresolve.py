"""From date tokens to calendar dates: lists and ranges, months taken from
context, years inferred from the reference, kinds read from the words around.

A day without a year is the next occurrence on or after the base date (the
reference, or a later date written with its year earlier in the text), with
three exceptions: the text marks it as past ("dernier", "s'est tenue", an
imperfect), the weekday written with it only fits another year, or, when the
reference is a publication date, the day fell within the RECENT_PAST_DAYS
before it (a report written days after the event rarely means next year).
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta

from aggregator.extract.datecues import CueReader, Cues
from aggregator.extract.dategroups import Group, chains, glued, runs
from aggregator.extract.datetokens import MonthToken, TimeToken
from aggregator.model import DateKind, Precision

logger = logging.getLogger(__name__)

RECENT_PAST_DAYS = 60
MAX_DATES = 10_000  # date expressions read in one text, to keep time bounded
_CONTEXT_REACH = 300  # how far back a month ("en avril") still names the month of a bare "le 5"
_NEXT_MONTH_REACH = 100
_GLUE_RE = re.compile(r"[^\S\n]*[,:;-]?[^\S\n]*")
_SUFFIX_RE = re.compile(r"[^\S\n]+(?:prochaine?s?|dernier|dernieres?|derniers)(?![a-z])")


@dataclass
class Found:
    """One resolved date expression, before its time is attached."""

    start: int
    end: int
    first: date
    last: date | None = None
    precision: Precision = Precision.DAY
    alternatives: tuple[date, ...] = ()
    kind: DateKind = DateKind.EVENT
    explicit: bool = False
    begin: time | None = None
    until: time | None = None
    cues: Cues = field(default_factory=Cues)

    @property
    def final(self) -> date:
        return self.alternatives[-1] if self.alternatives else self.last or self.first


@dataclass
class _Part:
    day: int
    month: int | None
    year: int | None
    weekday: int | None


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def _before(part: _Part, later: date) -> date:
    month = part.month
    if month is None:
        month = later.month
        if part.day > later.day:
            month = _shift_month(later.year, later.month, -1)[1]
    year = later.year if (month, part.day) <= (later.month, later.day) else later.year - 1
    return date(year, month, part.day)


def _after(part: _Part, earlier: date) -> date:
    month = part.month
    if month is None:
        month = earlier.month
        if part.day < earlier.day:
            month = _shift_month(earlier.year, earlier.month, 1)[1]
    year = earlier.year if (month, part.day) >= (earlier.month, earlier.day) else earlier.year + 1
    return date(year, month, part.day)


def _occurrences(month: int | None, day: int, base: date, on_or_before: bool) -> tuple[list, list]:
    """(later, earlier) valid dates for a day without year (and maybe without month)."""
    found: list[date] = []
    steps = (
        [(y, month) for y in range(base.year - 3, base.year + 4)]
        if month
        else [_shift_month(base.year, base.month, k) for k in range(-14, 15)]
    )
    for year, mon in steps:
        try:
            found.append(date(year, mon or 1, day))
        except ValueError:
            continue
    if on_or_before:
        return [d for d in found if d > base], sorted((d for d in found if d <= base), reverse=True)
    return [d for d in found if d >= base], sorted((d for d in found if d < base), reverse=True)


def _interleave(first: list[date], second: list[date]) -> list[date]:
    merged = [d for pair in zip(first, second, strict=False) for d in pair]
    shorter = min(len(first), len(second))
    return merged + first[shorter:] + second[shorter:]


def _mode(cues: Cues) -> str:
    if cues.publication or cues.past:
        return "past"
    if cues.deadline or cues.future:
        return "next"
    return "default"


class Resolver:
    """Turns grouped tokens into Found dates, in text order."""

    def __init__(self, text: str, folded: str, reference: date, by_reference: bool):
        self.text, self.folded = text, folded
        self.reference, self.by_reference = reference, by_reference
        self.found: list[Found] = []
        self.cue_reader = CueReader(text, folded)
        self.anchor: date | None = None
        self.time_starts: list[int] = []

    def run(self, items: list[Group | MonthToken], times: list[TimeToken]) -> list[Found]:
        self.time_starts = [t.start for t in times]
        if len(items) > MAX_DATES:
            logger.warning("more than %d dates in one text: the rest is not read", MAX_DATES)
            items = items[:MAX_DATES]
        for index, item in enumerate(items):
            try:
                if isinstance(item, MonthToken):
                    self._add(self._month(item))
                else:
                    following = items[index + 1] if index + 1 < len(items) else None
                    for found in self._group(item, following):
                        self._add(found)
            except (ValueError, OverflowError):
                # An impossible date ("31 février") is not a date: skip it, keep the rest.
                logger.debug("skipped an impossible date at %d", getattr(item, "start", -1))
        return self.found

    def _base(self) -> date:
        if self.anchor is None:
            return self.reference
        return max(self.reference, self.anchor) if self.by_reference else self.anchor

    def _choose(self, month: int | None, day: int, mode: str, fits: Callable[[date], bool]) -> date:
        later, earlier = _occurrences(month, day, self._base(), mode == "past")
        if mode == "past":
            order = earlier + later
        elif mode == "next":
            order = later + earlier
        elif month and earlier and self.by_reference and self._recent(earlier[0]):
            order = _interleave(earlier, later)
        else:
            order = _interleave(later, earlier)
        if not order:
            raise ValueError(f"no calendar date for day {day}, month {month}")
        return next((d for d in order if fits(d)), order[0])

    def _recent(self, day: date) -> bool:
        return 0 < (self._base() - day).days <= RECENT_PAST_DAYS

    def _cues(self, start: int, core: int, end: int) -> Cues:
        return self.cue_reader.read(start, core, end)

    def _month(self, token: MonthToken) -> Found:
        cues = self._cues(token.start, token.core, token.end)
        last_month = token.end_month or token.month
        year = token.end_year if token.end_month else token.year
        first_year = token.year
        if year is None and first_year is not None:
            year = first_year if last_month >= token.month else first_year + 1
        if year is None:
            year = self._month_year(last_month, _mode(cues))
        if first_year is None:
            first_year = year if token.month <= last_month else year - 1
        found = Found(start=token.start, end=token.end, first=date(first_year, token.month, 1))
        found.precision, found.cues = Precision.MONTH, cues
        found.explicit = token.year is not None or token.end_year is not None
        if token.end_month:
            found.last = date(year, last_month, 1)
        return found

    def _month_year(self, month: int, mode: str) -> int:
        base = self._base()
        later = base.year if month >= base.month else base.year + 1
        earlier = base.year if month <= base.month else base.year - 1
        if mode == "past":
            return earlier
        month_end = date(*_shift_month(earlier, month, 1), 1) - timedelta(days=1)
        recent = 0 < (base - month_end).days <= RECENT_PAST_DAYS
        if mode == "default" and self.by_reference and recent:
            return earlier
        return later

    def _context(self, group: Group, following: Group | MonthToken | None) -> date | None:
        """The date whose month a group of bare days ("le 5", "du lundi 2 au mercredi 4") uses."""
        previous = self.found[-1] if self.found else None
        if previous and group.start - previous.end <= _CONTEXT_REACH:
            if previous.precision == Precision.MONTH and glued(
                _GLUE_RE, self.folded, previous.end, group.start
            ):
                # "en avril, entre le lundi 3 et le jeudi 20": one date, not two.
                self.found.pop()
                group.days[0] = replace(group.days[0], start=previous.start)
            return previous.first
        if following is not None and following.start - group.end <= _NEXT_MONTH_REACH:
            month = (
                following.month if isinstance(following, MonthToken) else following.days[0].month
            )
            if month:
                year = self._month_year(month, "default")
                return date(year, month, 1)
        return None

    def _accepts_bare(self, group: Group) -> bool:
        if any(day.weekday is not None for day in group.days):
            return True
        if not group.days[0].prefix:
            return False
        if len(group.days) > 1 or self.folded.startswith("prochain", group.end + 1):
            return True
        index = bisect.bisect_left(self.time_starts, group.end)
        if index == len(self.time_starts) or self.time_starts[index] > group.end + 4:
            return False
        return glued(_GLUE_RE, self.folded, group.end, self.time_starts[index]) is not None

    def _parts(self, group: Group, following: Group | MonthToken | None) -> list[_Part] | None:
        parts = [_Part(d.day, d.month, d.year, d.weekday) for d in group.days]
        if all(p.month is None for p in parts):
            if not self._accepts_bare(group):
                return None
            context = self._context(group, following)
            if context is not None:
                parts[0].month = context.month
                if parts[0].day < context.day:  # "le 28 mai … le 3": the 3rd of June
                    parts[0].month = _shift_month(context.year, context.month, 1)[1]
                parts[0].year = (
                    context.year if parts[0].month >= context.month else context.year + 1
                )
        # "le 5 mai et le 6": a month written first carries forward (_before carries it back).
        for i in range(1, len(parts)):
            if parts[i].month is None and parts[i - 1].month is not None:
                earlier = parts[i - 1]
                parts[i].month = (
                    earlier.month if parts[i].day >= earlier.day else earlier.month % 12 + 1
                )
        return parts

    def _dates(self, parts: list[_Part], mode: str) -> list[date]:
        dates: list[date | None] = [None] * len(parts)
        for i in range(len(parts) - 1, -1, -1):
            part = parts[i]
            if part.year is not None and part.month is not None:
                dates[i] = date(part.year, part.month, part.day)
            elif i + 1 < len(parts) and dates[i + 1] is not None:
                dates[i] = _before(part, dates[i + 1])
        for i in range(1, len(parts)):
            if dates[i] is None and dates[i - 1] is not None:
                dates[i] = _after(parts[i], dates[i - 1])
        if all(d is not None for d in dates):
            return dates  # type: ignore[return-value]

        def chain(last: date) -> list[date]:
            chained = [last]
            for part in reversed(parts[:-1]):
                chained.append(_before(part, chained[-1]))
            return chained[::-1]

        def fits(last: date) -> bool:
            try:
                chained = chain(last)
            except ValueError:
                return False
            return all(
                p.weekday in (None, d.weekday()) for p, d in zip(parts, chained, strict=True)
            )

        return chain(self._choose(parts[-1].month, parts[-1].day, mode, fits))

    def _group(self, group: Group, following: Group | MonthToken | None) -> list[Found]:
        parts = self._parts(group, following)
        if parts is None:
            return []
        cues = self._cues(group.start, group.days[0].core, group.end)
        dates = self._dates(parts, _mode(cues))
        explicit = any(d.year is not None for d in group.days)
        if "ou" in group.connectors:
            found = Found(start=group.start, end=group.end, first=dates[0])
            found.alternatives = tuple(dates)
            return [_finish(found, cues, explicit)]
        out = []
        for start, end, first, last in chains(runs(group, dates)):
            found = Found(start=start, end=end, first=first, last=last if last != first else None)
            found.begin = group.days[0].clock if len(group.days) == 1 else None
            out.append(_finish(found, cues, explicit))
        return out

    def _add(self, found: Found) -> None:
        found.kind = self._kind(found)
        suffix = _SUFFIX_RE.match(self.folded, found.end)
        if suffix:
            found.end = suffix.end()  # "le 12 juin dernier", "le 22 novembre prochain"
        if found.explicit and found.kind != DateKind.PAST:
            self.anchor = found.final
        self.found.append(found)

    def _kind(self, found: Found) -> DateKind:
        if found.cues.publication:
            return DateKind.PUBLICATION
        if found.cues.deadline:
            return DateKind.DEADLINE
        if found.cues.past:
            return DateKind.PAST
        if self.by_reference and _ends_before(found, self.reference):
            return DateKind.PAST
        # A year inferred into the past (from a weekday) says "past" even by the clock.
        if not found.explicit and _ends_before(found, self._base()):
            return DateKind.PAST
        return DateKind.EVENT


def _ends_before(found: Found, day: date) -> bool:
    if found.precision == Precision.MONTH:
        return (found.final.year, found.final.month) < (day.year, day.month)
    return found.final < day


def _finish(found: Found, cues: Cues, explicit: bool) -> Found:
    found.cues, found.explicit = cues, explicit
    if found.last is not None and found.last < found.first:
        found.last = None  # "du 5 mai au 3 avril": keep the start, drop the nonsense end
    return found
