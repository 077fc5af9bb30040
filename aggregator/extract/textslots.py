"""One event's dates (a Slot), and how the slots of a text combine once each date
mention has found its event (`textdates`):

- sessions on consecutive days, in lines or list items of their own, make one
  programme when the announcement names one event, unless each has its own
  place (then they are a cycle of sessions);
- dates listed in one sentence ("le 14 mars, puis le 11 avril et le 9 mai, de
  9h30 à 12h, à Tourcoing") share the hours and place written after the last;
- one date announced as "deux rencontres" with sentences opening on "Le matin"
  and "L'après-midi" is that many events on the same day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from aggregator.extract import eventtitles as titles
from aggregator.extract import eventwords as words
from aggregator.extract.dates import DateMatch
from aggregator.extract.places import find_place
from aggregator.extract.textlines import Text
from aggregator.model import Precision

PROGRAMME_DAYS = 7  # a range this short is one event, whatever is said about its days
_CONNECTORS = re.compile(r"[\s,;]*(?:(?:puis|et|ou|ainsi que|ensuite|enfin|aussi)[\s,]*)*")


@dataclass
class Slot:
    """One event's dates: the mentions merged into it and the one it hangs on."""

    anchor: DateMatch
    start: date | datetime
    end: date | datetime | None
    precision: Precision
    alternatives: tuple[date, ...]
    mentions: list[DateMatch] = field(default_factory=list)
    postponed: bool = False
    part: str | None = None  # "matinée" when a half-day makes the event
    programme: bool = False  # days of one programme, merged
    series: tuple[int, int] | None = None  # the listed dates it shares hours and place with
    segment: tuple[int, int] | None = None  # its own stretch of text, when already known

    @classmethod
    def of(cls, match: DateMatch, *, postponed: bool = False) -> Slot:
        assert match.start is not None
        return cls(
            anchor=match,
            start=match.start,
            end=match.end,
            precision=match.precision,
            alternatives=match.alternatives,
            mentions=[match],
            postponed=postponed,
        )

    @property
    def first_day(self) -> date:
        return day_of(self.start)

    @property
    def last_day(self) -> date:
        return day_of(self.end) if self.end is not None else self.first_day


def day_of(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def combined(text: Text, slots: list[Slot]) -> list[Slot]:
    """The slots of a text (in text order) with programmes merged, listed dates
    sharing their hours, and half-day events split."""
    return _half_days(text, _series(text, _programmes(text, slots)))


def _programmes(text: Text, slots: list[Slot]) -> list[Slot]:
    """Consecutive days without places of their own merged into one programme, when
    the announcement's first line names one event ("Université d'été …"), not a list
    ("Agenda de la semaine")."""
    if not _names_one_event(text):
        return slots
    merged: list[Slot] = []
    for slot in slots:
        previous = merged[-1] if merged else None
        if previous is not None and _continues(text, previous, slot):
            previous.end = _programme_end(previous, slot)
            previous.mentions.extend(slot.mentions)
            previous.programme = True
        else:
            merged.append(slot)
    return merged


def _names_one_event(text: Text) -> bool:
    first = text.lines[0].text
    if text.lines[0].kind != "heading":
        first = text.text[slice(*text.sentence_span(0))]
    return titles.names_event(first) and not titles.is_generic(first)


def _programme_end(first: Slot, last: Slot) -> date | datetime:
    """The last day of a programme; a time when both ends have one, so that the
    first slot keeps its hour (a calendar wants both ends of one kind)."""
    if isinstance(first.start, datetime):
        for value in (last.end, last.start):
            if isinstance(value, datetime):
                return value
    return last.last_day


def _continues(text: Text, previous: Slot, slot: Slot) -> bool:
    if Precision.MONTH in (previous.precision, slot.precision) or slot.alternatives:
        return False
    if text.line_at(previous.anchor.span[0]) == text.line_at(slot.anchor.span[0]):
        return False  # a paragraph writes one event's days as a range ("les 12 et 13 mars")
    if slot.first_day - previous.last_day != timedelta(days=1):
        return False
    if (slot.last_day - previous.first_day).days > PROGRAMME_DAYS:
        return False
    places = [_own_place(text, s.anchor) for s in (previous, slot)]
    return None in places or places[0] == places[1]


def _own_place(text: Text, match: DateMatch) -> str | None:
    line = text.lines[text.line_at(match.span[0])].text
    place = find_place(line)
    return place.venue or place.city


def _series(text: Text, slots: list[Slot]) -> list[Slot]:
    """Dates listed in one sentence ("le 14 mars, puis le 11 avril et le 9 mai, de 9h30
    à 12h, à Tourcoing") share the hours and place written after the last one."""
    run: list[Slot] = []
    for slot in [*slots, None]:
        if slot is not None and run and _listed_after(text, run[-1], slot):
            run.append(slot)
            continue
        if len(run) > 1:
            _share_hours(run)
        run = [slot] if slot is not None else []
    return slots


def _listed_after(text: Text, previous: Slot, slot: Slot) -> bool:
    gap = text.folded[previous.anchor.span[1] : slot.anchor.span[0]]
    return bool(_CONNECTORS.fullmatch(gap)) and not isinstance(previous.start, datetime)


def _share_hours(run: list[Slot]) -> None:
    last = run[-1]
    for slot in run:
        slot.series = (run[0].anchor.span[0], last.anchor.span[1])
    if not isinstance(last.start, datetime) or last.precision == Precision.MONTH:
        return
    for slot in run[:-1]:
        if slot.end is None and slot.precision != Precision.MONTH:
            slot.start = datetime.combine(slot.first_day, last.start.time())
            slot.precision = Precision.MINUTE
            if isinstance(last.end, datetime) and last.end.date() == last.first_day:
                slot.end = datetime.combine(slot.first_day, last.end.time())


def _half_days(text: Text, slots: list[Slot]) -> list[Slot]:
    """One undated-hours day announced as several half-day events, split."""
    if len(slots) != 1 or isinstance(slots[0].start, datetime):
        return slots
    parts = list(words.PART_OF_DAY.finditer(text.folded, slots[0].anchor.span[1]))
    counted = [
        words.COUNTS[m.group("count")]
        for m in words.COUNTED.finditer(text.folded)
        if words.EVENT_NOUN.fullmatch(m.group("noun")) or words.PARTS.fullmatch(m.group("noun"))
    ]
    labels = [words.PART_LABELS[m.group("part")] for m in parts]
    if not counted or len(set(labels)) != len(labels) or len(labels) != counted[0]:
        return slots
    split = []
    for index, part in enumerate(parts):
        end = parts[index + 1].start() if index + 1 < len(parts) else len(text.text)
        one = Slot.of(slots[0].anchor, postponed=slots[0].postponed)
        one.start, one.end = slots[0].start, slots[0].end
        one.part, one.segment = labels[index], (part.start("part"), end)
        split.append(one)
    return split
