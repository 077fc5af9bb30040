"""Which dates of an announcement are events, and which dates make one event.

    read_dates(Text.of(lines), reference).slots -> [Slot, ...]

Rules, in order:

1. Only dates of kind "event" count (the parser tells past mentions,
   deadlines and publication dates apart); a date that labels a publication
   ("Lettre d'information – mars 2020") or opens a period for readers to act
   ("les questions pourront être posées … à partir du 20 janvier",
   "ouverture des inscriptions le 3 mars") does not either.
2. A postponement with a new date ("reporté au 12 mai", "se tiendront
   finalement en mai") keeps the new date, marked postponed, and drops the
   old one written in the same or the previous sentence.
3. Mentions of one date merge into one event: the same day again (the one
   with a time wins), a range's first or last day restated ("clôture le 14"),
   a day inside a range of at most a week (a programme), a month that holds a
   day. Dates in two list items are two events (a cycle of sessions).
4. The slots then combine (`textslots`): programmes of consecutive days,
   dates listed in one sentence, half-day events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from aggregator.extract import eventwords as words
from aggregator.extract.dates import DateMatch, parse_dates
from aggregator.extract.status import find_status, postponed_to
from aggregator.extract.textlines import Text
from aggregator.extract.textslots import PROGRAMME_DAYS, Slot, combined, day_of
from aggregator.model import DateKind, Precision, Status

MAX_DATES = 300  # event dates read in one announcement, to keep time bounded
_CLAUSE_BACK = 160  # how far back the noun a date is about is looked for
_LABEL_BACK = 50


@dataclass(frozen=True)
class Dates:
    """The events' dates of a text, and the stretches about other dates (past
    mentions, deadlines), whose places are not the events'."""

    slots: list[Slot]
    elsewhere: list[tuple[int, int]]
    past: list[tuple[int, int]]  # where past mentions are written


def read_dates(text: Text, reference: date | None) -> Dates:
    """The events' dates of one announcement and where it speaks of other dates."""
    found = parse_dates(text.text, reference)
    events = [m for m in found if _is_event(text, m)][:MAX_DATES]
    others = [_clause(text, m) for m in found if m.kind != DateKind.EVENT][:MAX_DATES]
    past = [m.span for m in found if m.kind == DateKind.PAST][:MAX_DATES]
    return Dates(slots=event_slots(text, events), elsewhere=others, past=past)


def _is_event(text: Text, match: DateMatch) -> bool:
    if match.kind != DateKind.EVENT or match.start is None:
        return False
    return not (_opens_action(text, match) or _labels_publication(text, match))


def _clause(text: Text, match: DateMatch) -> tuple[int, int]:
    """A date's clause: from its sentence's start to the sentence's end."""
    return text.sentence_span(match.span[0])[0], text.sentence_span(match.span[1] - 1)[1]


def event_slots(text: Text, matches: list[DateMatch]) -> list[Slot]:
    """The events made of the event dates of one announcement, in text order."""
    matches, moved = _postponed(text, matches)
    slots: list[Slot] = []
    for match in matches:
        slot = next((s for s in slots if _same_event(text, s, match)), None)
        if slot is None:
            slots.append(Slot.of(match, postponed=id(match) in moved))
        else:
            _absorb(text, slot, match)
    slots.sort(key=lambda s: s.anchor.span[0])
    return combined(text, slots)


def _opens_action(text: Text, match: DateMatch) -> bool:
    """A date from which readers may act (ask, register) is not an event."""
    start = match.span[0]
    sentence_start = text.sentence_span(start)[0]
    before = text.folded[max(sentence_start, start - _CLAUSE_BACK) : start]
    if words.OPENING_OF_ACTION.search(before):
        return True
    if not words.OPENING_BEFORE.search(before + _lead_word(match)):
        return False
    actions = [m.end() for m in words.ACTION_NOUN.finditer(before)]
    events = [m.end() for m in words.EVENT_NOUN.finditer(before)]
    return bool(actions) and max(actions) > max(events, default=-1)


def _labels_publication(text: Text, match: DateMatch) -> bool:
    """ "Lettre d'information n°12 – mars 2020": a date that dates a publication."""
    start = match.span[0]
    sentence_start = text.sentence_span(start)[0]
    before = text.folded[max(sentence_start, start - _LABEL_BACK) : start]
    label = words.PUBLICATION_NOUN.search(before)
    return label is not None and not words.EVENT_NOUN.search(before, label.end())


def _lead_word(match: DateMatch) -> str:
    """The article the date expression starts with ("du 20 janvier" -> "du ")."""
    first = match.text.split(" ", 1)[0].lower()
    return f"{first} " if first in ("du", "le", "de", "l'") else ""


# -- postponements -----------------------------------------------------------------


def _postponed(text: Text, matches: list[DateMatch]) -> tuple[list[DateMatch], set[int]]:
    """The matches without the dates a postponement replaced, and the new dates' ids."""
    dropped: set[int] = set()
    moved: set[int] = set()
    for begin, end in _new_date_spans(text):
        told = [m for m in matches if m.span[1] > begin and m.span[0] < end]
        old = {id(m) for m in told if _marked_old(text, m)}
        new = [m for m in told if id(m) not in dropped and id(m) not in old]
        if not new:
            continue
        moved.update(id(m) for m in new)
        first = min(m.span[0] for m in new)
        replaced = {id(m) for m in _replaced(text, matches, first)}
        dropped.update((old | replaced) - moved)
    return [m for m in matches if id(m) not in dropped], moved


def _new_date_spans(text: Text) -> list[tuple[int, int]]:
    spans = []
    for index, line in enumerate(text.lines):
        found = postponed_to(line.text)
        if found is not None:
            spans.append((text.starts[index] + found[0], text.starts[index] + found[1]))
    if not spans and (found := postponed_to(text.text)) is not None:
        spans.append(found)
    return spans


def _marked_old(text: Text, match: DateMatch) -> bool:
    """ "initialement prévue le 3 mars": the date a postponement replaced."""
    start = match.span[0]
    return bool(words.OLD_DATE_BEFORE.search(text.folded, max(0, start - 60), start))


def _replaced(text: Text, matches: list[DateMatch], begin: int) -> list[DateMatch]:
    """The old dates: before the new one, in its sentence or a postponing sentence before."""
    sentence = text.sentence_span(begin)
    previous = text.sentence_span(max(0, sentence[0] - 2))
    postponing = previous != sentence and find_status(text.text[previous[0] : previous[1]]) in (
        Status.POSTPONED,
        Status.CANCELLED,
    )
    low = previous[0] if postponing else sentence[0]
    return [m for m in matches if low <= m.span[0] and m.span[1] <= begin]


# -- merging mentions ---------------------------------------------------------------


def _in_item(text: Text, match: DateMatch) -> int | None:
    """The index of the list item holding the match, else None."""
    index = text.line_at(match.span[0])
    return index if text.lines[index].kind == "item" else None


def _same_event(text: Text, slot: Slot, match: DateMatch) -> bool:
    """Whether `match` mentions the event of `slot` again."""
    here, there = _in_item(text, match), _in_item(text, slot.anchor)
    if here is not None and there is not None and here != there:
        return False
    assert match.start is not None
    first = day_of(match.start)
    last = day_of(match.end) if match.end is not None else first
    if Precision.MONTH in (match.precision, slot.precision):
        return (first.year, first.month) == (slot.first_day.year, slot.first_day.month)
    if first in (slot.first_day, slot.last_day) or last == slot.last_day > slot.first_day:
        return True
    if first in slot.alternatives:
        return True
    if _within(slot.first_day, first, last):
        return True
    return _within(first, slot.first_day, slot.last_day) and not _frames(text, slot)


def _frames(text: Text, slot: Slot) -> bool:
    """A range said to frame other events ("dans le cadre de la semaine … du 30 mai au
    5 juin"): a day inside it is an event of its own."""
    for mention in slot.mentions:
        if mention.end is not None:
            start = text.sentence_span(mention.span[0])[0]
            if words.FRAME.search(text.folded, start, mention.span[0]):
                return True
    return False


def _within(day: date, first: date, last: date) -> bool:
    return first <= day <= last and (last - first).days <= PROGRAMME_DAYS


def _detail(text: Text, match: DateMatch) -> tuple[bool, bool, bool]:
    """How much a mention tells: in a list item, with a time, to the day."""
    timed = isinstance(match.start, datetime)
    return _in_item(text, match) is not None, timed, match.precision != Precision.MONTH


def _absorb(text: Text, slot: Slot, match: DateMatch) -> None:
    """Merge another mention of the slot's event into it."""
    slot.mentions.append(match)
    richer = _detail(text, match) > _detail(text, slot.anchor)
    if (_in_item(text, match) is not None and _in_item(text, slot.anchor) is None) or (
        slot.precision == Precision.MONTH and match.precision != Precision.MONTH
    ):
        _take_dates(slot, match)  # the list item's own date, not the intro's summary
    else:
        _combine_dates(slot, match)
    if richer:
        slot.anchor = match


def _take_dates(slot: Slot, match: DateMatch) -> None:
    assert match.start is not None
    slot.start, slot.end, slot.precision = match.start, match.end, match.precision
    slot.alternatives = match.alternatives


def _combine_dates(slot: Slot, match: DateMatch) -> None:
    assert match.start is not None
    first = day_of(match.start)
    timed = isinstance(match.start, datetime)
    if first == slot.first_day and timed and not isinstance(slot.start, datetime):
        slot.start, slot.precision = match.start, match.precision
        if match.end is not None and (slot.end is None or day_of(slot.end) == first):
            slot.end = match.end
    if match.end is not None and day_of(match.end) > slot.last_day:
        slot.end = match.end
    if first < slot.first_day:
        slot.start = match.start
    if match.alternatives and not slot.alternatives:
        slot.alternatives = match.alternatives
