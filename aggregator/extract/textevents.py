"""The events one announcement text gives, each with its title, dates, place,
status, online flag and registration link.

    events_in_text([Line(text="Forum emploi"), Line(text="Le 5 mai à Lyon.")], date(2020, 4, 1))
    -> [TextEvent(title="Forum emploi", start=date(2020, 5, 5), city="Lyon", …)]

`textdates` decides which dates make which events. Each event then owns a
stretch of the text (its segment): its list item, or its part of a
paragraph up to the next event's sentence. What the segment says wins; what
the whole text says fills the gaps (the city named once for a cycle of
sessions; the venue of a text announcing one event). An online event takes
no city from its text ("notamment à Strasbourg") unless it gives a venue or
says it is hybrid. A registration link ("Programme et inscriptions : URL")
goes to the event whose segment holds it, else to the events that have none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from aggregator.extract import eventtitles as titles
from aggregator.extract import eventwords as words
from aggregator.extract.gazetteer import fold_chars
from aggregator.extract.places import Place, find_place
from aggregator.extract.status import find_status, is_online
from aggregator.extract.textdates import Dates, read_dates
from aggregator.extract.textlines import Line, Text
from aggregator.extract.textslots import Slot
from aggregator.model import Precision, Status

_LINK_LABEL_REACH = 60
_WHOLE_TEXT_REACH = 20_000  # longer texts: a place is read near its event only
_ON_SITE = re.compile(r"\bhybride|\bpresentiel|\bsur place\b")
_PUBLICATION_LINE = re.compile(r"\W*(?:publie|mis en ligne|mis a jour|poste|modifie|date de publi)")


@dataclass(frozen=True, kw_only=True)
class TextEvent:
    """One event read from an announcement text."""

    title: str
    start: date | datetime
    end: date | datetime | None = None
    precision: Precision = Precision.DAY
    alternatives: tuple[date, ...] = ()
    status: Status = Status.SCHEDULED
    venue: str | None = None
    address: str | None = None
    city: str | None = None
    online: bool = False
    registration_url: str | None = None
    description: str = ""


def events_in_text(lines: Sequence[Line], reference: date | None) -> list[TextEvent]:
    """Every upcoming or dated event the lines announce; [] when they announce none."""
    text = Text.of(lines)
    if not text.lines or not _announces(text):
        return []  # a notice, an offer, a report: its dates are no events
    dates = read_dates(text, reference)
    slots = dates.slots
    if not slots:
        return []
    segments = _segments(text, slots)
    reader = _Reader(text, dates, segments, reference)
    events = [reader.event(slot, segment) for slot, segment in zip(slots, segments, strict=True)]
    return _with_links(text, events, segments)


def _announces(text: Text) -> bool:
    """Whether the text names something to attend (a meeting, a forum) or says one
    takes place."""
    return bool(words.EVENT_NOUN.search(text.folded) or words.EVENT_VERB.search(text.folded))


def _segments(text: Text, slots: list[Slot]) -> list[tuple[int, int]]:
    """The stretch of text each event owns (slots are in text order)."""
    spans = []
    for index, slot in enumerate(slots):
        if slot.segment is not None:
            spans.append(slot.segment)
            continue
        line = text.line_at(slot.anchor.span[0])
        start, end = text.line_span(line)
        if text.lines[line].kind != "item":
            start = max(start, _opening(text, slots, index - 1, line))
            end = _closing(text, slots, index + 1, line, end)
        spans.append((start, end))
    return spans


def _opening(text: Text, slots: list[Slot], previous: int, line: int) -> int:
    """Where an event starts when the event before it sits in the same paragraph."""
    if previous < 0 or text.line_at(slots[previous].anchor.span[0]) != line:
        return 0
    here = slots[previous + 1].anchor.span[0]
    return max(text.sentence_span(here)[0], slots[previous].anchor.span[1])


def _closing(text: Text, slots: list[Slot], following: int, line: int, end: int) -> int:
    if following >= len(slots) or text.line_at(slots[following].anchor.span[0]) != line:
        return end
    return _opening(text, slots, following - 1, line)


@dataclass
class _Reader:
    """Reads one event's fields from its segment, falling back on the whole text."""

    text: Text
    dates: Dates
    segments: list[tuple[int, int]]
    reference: date | None

    def __post_init__(self) -> None:
        self.slots = self.dates.slots
        self.headline = self._headline()
        self.base = titles.headline_title(self.headline, self.reference) or None
        self.nominal = not titles.is_sentence(self.headline)
        items = [s for s in self.slots if self._kind(s) == "item"]
        self.cycle = len(items) > 1
        self.paragraph_events = len(self.slots) - len(items)
        self.line_titles: dict[int, str] = {}  # a paragraph's quoted title, for its siblings

    def event(self, slot: Slot, segment: tuple[int, int]) -> TextEvent:
        own = self.text.text[segment[0] : segment[1]]
        online = (
            is_online(own)
            or is_online(self._intro())
            or (len(self.slots) == 1 and is_online(self.text.text))
        )
        place = self._place(slot, segment, online)
        end = slot.end if slot.end is not None and slot.end != slot.start else None
        return TextEvent(
            title=self._title(slot, segment),
            start=slot.start,
            end=end,
            precision=_precision(slot),
            alternatives=slot.alternatives,
            status=self._status(slot, own),
            venue=place.venue,
            address=place.address,
            city=place.city,
            online=online,
            description=own.strip(),
        )

    def _line(self, slot: Slot) -> int:
        return self.text.line_at(slot.anchor.span[0])

    def _kind(self, slot: Slot) -> str:
        return self.text.lines[self._line(slot)].kind

    def _intro(self) -> str:
        """The text before the first event's segment: a heading, a headline."""
        first = min(s[0] for s in self.segments)
        return self.text.text[:first] or self.headline

    def _headline(self) -> str:
        """The heading, else the first sentence that is not a publication line."""
        first = self.text.lines[0]
        if first.kind == "heading":
            return first.text
        start, end = self.text.sentence_span(0)
        line_end = self.text.line_span(0)[1]
        while _PUBLICATION_LINE.match(self.text.folded, start) and end < line_end:
            start, end = self.text.sentence_span(end + 1)
        headline = self.text.text[start:end]
        return headline if len(headline) <= titles.MAX_HEADLINE else ""

    def _status(self, slot: Slot, own: str) -> Status:
        if slot.postponed:
            return Status.POSTPONED
        for stretch in (own, self._intro()):
            status = find_status(stretch)
            if status is not Status.SCHEDULED:
                return status
        return find_status(self.text.text) if len(self.slots) == 1 else Status.SCHEDULED

    # -- place ----------------------------------------------------------------------

    def _place(self, slot: Slot, segment: tuple[int, int], online: bool) -> Place:
        """Venue and city read after the date first, then in the segment, then in the
        rest of the text less what belongs to the other events (never for an online one)."""
        index = self.slots.index(slot)
        own = self._own(index)
        others = self._blanked(self.dates.elsewhere)
        places = [find_place(self.text.text[slice(*own)]), find_place(others[slice(*segment)])]
        if not online and len(self.text.text) <= _WHOLE_TEXT_REACH:
            places.append(find_place(self._without_others(index)))
        spot = next((p for p in places if p.venue or p.address), Place())
        city = next((p.city for p in places if p.city), None)
        if online and not (spot.venue or spot.address or _ON_SITE.search(self.text.folded)):
            city = None  # a webinar's text names cities as examples, not as its place
        return replace(spot, city=city, span=None)

    def _own(self, index: int) -> tuple[int, int]:
        """What only this event's words say: its list item, or from its date to the
        end of that sentence."""
        slot, segment = self.slots[index], self.segments[index]
        if self._kind(slot) == "item" or slot.part:
            return segment
        if slot.series is not None:
            return slot.anchor.span[0], self.text.sentence_span(slot.series[1])[1]
        end = min(self.text.sentence_span(slot.anchor.span[0])[1], segment[1])
        return slot.anchor.span[0], max(end, slot.anchor.span[1])

    def _without_others(self, index: int) -> str:
        """The whole text with the other events' own words, and the clauses about past
        dates and deadlines, blanked out."""
        others = [self._own(other) for other in range(len(self.slots)) if other != index]
        return self._blanked(others + self.dates.elsewhere)

    def _blanked(self, spans: list[tuple[int, int]]) -> str:
        """The text with these stretches blanked out, offsets unchanged."""
        chars = list(self.text.text)
        for start, end in spans:
            chars[start:end] = [c if c == "\n" else " " for c in chars[start:end]]
        return "".join(chars)

    # -- title ----------------------------------------------------------------------

    def _title(self, slot: Slot, segment: tuple[int, int]) -> str:
        if self._kind(slot) == "item" and not slot.programme:
            return titles.item_title(self.base, self._label(slot, segment), self.cycle)
        if slot.part:
            quoted = titles.quoted_title(self.text.text[segment[0] : segment[1]])
            return f"{quoted or self.base or self._paragraph_title(slot, segment)} ({slot.part})"
        return self._paragraph_title(slot, segment)

    def _paragraph_title(self, slot: Slot, segment: tuple[int, int]) -> str:
        """Own quoted name; with several events, own noun phrase, or a sibling's name;
        else the announcement's title."""
        quoted = titles.quoted_title(self._outside_headline(segment))
        if quoted:
            self.line_titles.setdefault(self._line(slot), quoted)
            return quoted
        sentence = self.text.sentence_span(slot.anchor.span[0])
        own = self.text.text[slice(*sentence)]
        named = titles.clause_title(own, self.reference)
        if any(sentence[0] <= start < sentence[1] for start, _ in self.dates.past):
            # "la réunion du 5 février a permis de préparer le forum du 26 mars": the
            # event is the noun next to its date, not the one of the past mention
            near = titles.noun_phrase(own, slot.anchor.span[0] - sentence[0])
            return titles.headline_title(near, self.reference) if near else self.base or own
        sibling = self.line_titles.get(self._line(slot))
        if self._shares_sentence(slot, sentence) and sibling:
            return sibling  # "les 5 mai pour le premier module et le 27 pour le second"
        if self.paragraph_events > 1 and named and not self._base_says_more(named):
            return named
        if self.base and (titles.names_event(self.base) or self.nominal or not named):
            return self.base  # a heading-like first line names the event even without a noun
        return named or titles.headline_title(own, self.reference)

    def _base_says_more(self, named: str) -> bool:
        """ "Formation des conseillers citoyens" says more than "Formation"."""
        return bool(self.base) and fold_chars(named) in fold_chars(self.base or "")

    def _shares_sentence(self, slot: Slot, sentence: tuple[int, int]) -> bool:
        return any(
            other is not slot and sentence[0] <= other.anchor.span[0] < sentence[1]
            for other in self.slots
        )

    def _outside_headline(self, segment: tuple[int, int]) -> str:
        start, end = segment
        if self.text.lines[0].kind != "heading" and start == 0:
            start = self.text.sentence_span(0)[1]
        return self.text.text[start:end] if start < end else ""

    def _label(self, slot: Slot, segment: tuple[int, int]) -> str:
        """The list item's words without its dates and place."""
        item = self.text.text[segment[0] : segment[1]]
        cuts = [
            (m.span[0] - segment[0], m.span[1] - segment[0])
            for m in slot.mentions
            if segment[0] <= m.span[0] < segment[1]
        ]
        place = find_place(item)
        if place.span is not None:
            cuts.append(place.span)
        return titles.item_label(item, cuts)


def _precision(slot: Slot) -> Precision:
    if slot.precision == Precision.MONTH:
        return Precision.MONTH
    return Precision.MINUTE if isinstance(slot.start, datetime) else Precision.DAY


def _with_links(
    text: Text, events: list[TextEvent], segments: list[tuple[int, int]]
) -> list[TextEvent]:
    """Each event with the registration link of its segment, else a link outside all."""
    own: dict[int, str] = {}
    loose: list[tuple[int, str]] = []
    for offset, link in text.links():
        label = link.text + " " + text.text[max(0, offset - _LINK_LABEL_REACH) : offset]
        if not words.REGISTRATION.search(fold_chars(label)):
            continue
        holder = next((i for i, s in enumerate(segments) if s[0] <= offset < s[1]), None)
        if holder is None:
            loose.append((offset, link.href))
        else:
            own.setdefault(holder, link.href)
    found = []
    for index, event in enumerate(events):
        href = own.get(index) or _nearest(loose, segments[index])
        found.append(replace(event, registration_url=href) if href else event)
    return found


def _nearest(loose: list[tuple[int, str]], segment: tuple[int, int]) -> str | None:
    if not loose:
        return None
    return min(loose, key=lambda pair: abs(pair[0] - segment[1]))[1]
