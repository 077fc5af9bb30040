"""The French date and time parser: every date expression of a text, with
its span, its precision and what kind of date it is.

    >>> from datetime import date
    >>> [m.text for m in parse_dates("Rencontre les 13 et 14 juin à Albi", date(2019, 6, 1))]
    ['les 13 et 14 juin']

One step per module:

    datetokens   folded text -> day, month and time tokens (regular expressions)
    dategroups   day tokens -> lists, ranges and alternatives ("les 4, 5 et 6 mai")
    dateresolve  groups -> calendar dates (context months, inferred years, kinds)
    datecues     the words around a date -> publication, deadline, past or future
    dates        times attached to their day, DateMatch records (this module)
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aggregator import clock
from aggregator.extract.dategroups import group_tokens
from aggregator.extract.dateresolve import Found, Resolver
from aggregator.extract.datetokens import TimeToken, fold, scan_dates, scan_times
from aggregator.model import DateKind, Precision

logger = logging.getLogger(__name__)

_TIME_AFTER_REACH = 80  # "Lundi 17 novembre – 14h à 16h", "le 5 mai, à la mairie, à 18h"
_TIME_BEFORE_REACH = 40  # "à 18h30, le 5 octobre"
_BREAK_RE = re.compile(r"[.!?;](?=\s|$)|\n")
_GLUE_RE = re.compile(r"[^\S\n]*[,:/-]?[^\S\n]*")


@dataclass(frozen=True, kw_only=True)
class DateMatch:
    """One date expression found in a text.

    `start`/`end` are dates, naive local datetimes when a time is written
    (`end` stays a date when a range of days has only a starting time), or
    the 1st of the month for precision "month". `alternatives` lists the days
    of "10 ou 12 décembre" (start is the first).
    """

    start: date | datetime | None
    end: date | datetime | None
    precision: Precision
    alternatives: tuple[date, ...]
    span: tuple[int, int]
    kind: DateKind
    text: str


def parse_dates(
    text: str,
    reference: date | datetime | None = None,
    *,
    past_by_reference: bool | None = None,
) -> list[DateMatch]:
    """Every date expression of `text`, in text order, spans never overlapping.

    Days without a year are read relative to `reference` (None: today). When
    `past_by_reference` is true a date before the reference is of kind "past"
    even if no word says so; it defaults to true when a reference is given
    (a publication date) and false when the clock stands in for one, so that
    an old page read today does not lose its dated events.
    Never raises: a text it cannot read yields no dates.
    """
    if not isinstance(text, str) or not text:
        return []
    try:
        day = _reference_day(reference)
        by_reference = reference is not None if past_by_reference is None else past_by_reference
        return _parse(text, day, by_reference)
    except Exception:  # the parser must never break a scrape; the log says what failed
        logger.exception("the date parser failed on a text of %d characters", len(text))
        return []


def first_event_date(
    text: str,
    reference: date | datetime | None = None,
    *,
    past_by_reference: bool | None = None,
) -> DateMatch | None:
    """The first date of kind "event" in `text` (not a deadline, past or publication date).

    Pass `past_by_reference=False` when `reference` is only today's date, so that
    a dated event before it still counts (see `parse_dates`).
    """
    for match in parse_dates(text, reference, past_by_reference=past_by_reference):
        if match.kind == DateKind.EVENT and match.start is not None:
            return match
    return None


def _reference_day(reference: date | datetime | None) -> date:
    if reference is None:
        return clock.today()
    return reference.date() if isinstance(reference, datetime) else reference


def _parse(text: str, reference: date, by_reference: bool) -> list[DateMatch]:
    folded = fold(text)
    times = scan_times(folded)
    found = Resolver(text, folded, reference, by_reference).run(
        group_tokens(scan_dates(folded), folded), times
    )
    _attach_times(found, times, folded)
    matches: list[DateMatch] = []
    for item in sorted(found, key=lambda f: f.start):
        if matches and item.start < matches[-1].span[1]:
            continue  # never overlap; cannot happen, but a caller must be able to rely on it
        matches.append(_match(text, item))
    return matches


def _clean_gap(folded: str, start: int, end: int, reach: int) -> bool:
    return 0 <= end - start <= reach and _BREAK_RE.search(folded, start, end) is None


def _attach_times(found: list[Found], times: list[TimeToken], folded: str) -> None:
    """Give each time to the nearest day before it in its clause, else to the day just after."""
    days = sorted((f for f in found if f.precision == Precision.DAY), key=lambda f: f.start)
    starts = [f.start for f in days]
    for moment in times:
        index = bisect.bisect_left(starts, moment.end)  # days[index:] start after the time
        before = days[index - 1] if index else None
        if before is not None and before.end > moment.start:
            continue  # the time is written inside a date ("2019-11-05T09:30")
        if before is not None and _clean_gap(folded, before.end, moment.start, _TIME_AFTER_REACH):
            if before.begin is None:
                _set_time(before, moment, folded)
            continue
        after = days[index] if index < len(days) else None
        if (
            after is not None
            and after.begin is None
            and _clean_gap(folded, moment.end, after.start, _TIME_BEFORE_REACH)
        ):
            _set_time(after, moment, folded)


def _set_time(found: Found, moment: TimeToken, folded: str) -> None:
    found.begin, found.until = moment.begin, moment.until
    # The span takes the time in when only punctuation stands between: "5 mai, 14h-17h".
    if moment.start >= found.end and _GLUE_RE.fullmatch(folded, found.end, moment.start):
        found.end = moment.end
    elif moment.end <= found.start and _GLUE_RE.fullmatch(folded, moment.end, found.start):
        found.start = moment.start


def _match(text: str, found: Found) -> DateMatch:
    start: date | datetime = found.first
    end: date | datetime | None = found.last
    precision = found.precision
    if found.begin is not None and precision == Precision.DAY:
        precision = Precision.MINUTE
        start = datetime.combine(found.first, found.begin)
        if found.until is not None:
            last = found.last or found.first
            if found.last is None and found.until < found.begin:
                last += timedelta(days=1)  # "22h-2h" ends the next morning
            end = datetime.combine(last, found.until)
    return DateMatch(
        start=start,
        end=end,
        precision=precision,
        alternatives=found.alternatives,
        span=(found.start, found.end),
        kind=found.kind,
        text=text[found.start : found.end],
    )
