"""The date, place and links of one event as a page's fields show them.

CMS templates put an event's facts in labelled elements: Drupal's
`.field--name-field-date` with `<time datetime>` (or `.date-display-single`),
SPIP's `p.date` / `p.lieu`, The Events Calendar's `.tribe-event-date-start`,
hand-made "Quand : … / Où : …" lines. `dates_in` and `place_in` read them in
a listing block or on an event page; `read_event_page` turns a page that
shows one event this way into a RawEvent. Machine-readable values
(`datetime=`, `content=`) win over words, except that the visible text decides
whether a time of day is meant (Drupal writes all-day dates as noon UTC).
Pure: no network, no clock.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.clock import PARIS
from aggregator.extract._html import (
    DATE_WORDS,
    PLACE_WORDS,
    ancestors,
    describe,
    folded,
    is_publication,
    machine_value,
    parse_iso,
    strip_chrome,
    text_of,
    web_link,
    words_of,
)
from aggregator.extract.dates import DateMatch, parse_dates
from aggregator.extract.places import Place, find_place
from aggregator.extract.status import find_status, is_online
from aggregator.model import DateKind, Precision, RawEvent

STRATEGY = "page fields"

_LABEL = re.compile(
    r"^\s*(?P<label>dates?|quand|horaires?|le|lieu|lieux|ou|adresse|acces)\s*:", re.IGNORECASE
)
_DATE_LABELS = {"date", "dates", "quand", "horaire", "horaires", "le"}
_PLACE_LABELS = {"lieu", "lieux", "ou", "adresse", "acces"}
_REGISTRATION = re.compile(r"inscri|register|reserv|billet", re.IGNORECASE)
_SPELLED_TIME = re.compile(r"\b(\d{1,2}) ?h ?(\d{2}) ?min\b")
_BODY_WORDS = {"body", "texte", "content", "description", "chapo", "text", "summary", "corps"}


@dataclass(frozen=True, kw_only=True)
class Dates:
    """An event's dates as a block or page shows them, and where they were read."""

    start: date | datetime
    end: date | datetime | None = None
    precision: Precision = Precision.DAY
    alternatives: tuple[date, ...] = ()
    origin: str = ""


@dataclass(frozen=True, kw_only=True)
class Reading:
    """What one element says about an event's dates: the event date if any, else the
    kinds of the dates it holds (for the explanation of a rejection)."""

    dates: Dates | None = None
    kinds: tuple[str, ...] = ()  # "past", "deadline", "publication"
    publication: date | None = None


@dataclass(frozen=True, kw_only=True)
class PageEvent:
    event: RawEvent
    origins: dict[str, str] = field(default_factory=dict)


def day_of(value: date | datetime) -> date:
    """The calendar day of a date or datetime, in Paris for aware ones."""
    if isinstance(value, datetime):
        return (value.astimezone(PARIS) if value.tzinfo else value).date()
    return value


def place_in(text: str) -> Place | None:
    """The place a place field says; a name before the address counts as the venue
    ("Université Lyon 2, 86 rue Pasteur, Lyon")."""
    if not text:
        return None
    place = find_place(text)
    if place.venue is None and place.span and place.span[0] > 0:
        head = text[: place.span[0]].strip(" ,–-")
        if head and "," not in head:
            place = dataclasses.replace(place, venue=head)
    return place


def date_elements(root: LexborNode) -> list[LexborNode]:
    """The outermost elements named as dates (class, id or label), publication dates left out."""
    found = []
    for node in root.traverse(include_text=False):
        if node.mem_id == root.mem_id or not (
            words_of(node) & DATE_WORDS or _labelled(node, _DATE_LABELS)
        ):
            continue
        if is_publication(node, root) or any(
            a.mem_id in {f.mem_id for f in found} for a in ancestors(node, root)
        ):
            continue
        found.append(node)
    return found


def _labelled(node: LexborNode, labels: set[str]) -> bool:
    """A "Date : …" / "Lieu : …" line (`<li><strong>Quand :</strong> …</li>`)."""
    if node.tag not in ("p", "li", "div", "dd", "tr", "span"):
        return False
    match = _LABEL.match(folded(text_of(node)))
    return bool(match) and match.group("label") in labels and len(text_of(node)) < 200


def _machine_values(element: LexborNode, stop: LexborNode) -> list[tuple[date | datetime, str]]:
    values: list[tuple[date | datetime, str]] = []
    for node in (element, *element.css("[datetime], [content], abbr[title], data[value]")):
        raw = machine_value(node)
        parsed = parse_iso(raw)
        if parsed is None or is_publication(node, stop):
            continue
        if all(parsed != seen for seen, _ in values):
            values.append((parsed, f'{describe(node)}[{_attribute(node, raw)}="{raw}"]'))
    return values


def _attribute(node: LexborNode, raw: str | None) -> str:
    return next((k for k, v in node.attributes.items() if v and v.strip() == raw), "datetime")


def _event_match(
    text: str, reference: date | None, by_reference: bool
) -> tuple[DateMatch | None, tuple[str, ...]]:
    # The Events Calendar writes French times as "9 h 30 min".
    text = _SPELLED_TIME.sub(r"\1h\2", text)
    matches = parse_dates(text, reference, past_by_reference=by_reference)
    for match in matches:
        if match.kind == DateKind.EVENT and match.start is not None:
            return match, ()
    return None, tuple(dict.fromkeys(m.kind.value for m in matches))


def read_dates(
    element: LexborNode,
    text: str,
    reference: date | None,
    *,
    by_reference: bool,
    stop: LexborNode | None = None,
) -> Reading:
    """The event dates of `element`: its machine-readable values checked against the
    words of `text` (the visible date), else the words alone."""
    machine = _machine_values(element, stop or element)
    match, kinds = _event_match(text, reference, by_reference)
    if not machine:
        if match is None:
            return Reading(kinds=kinds)
        return Reading(
            dates=Dates(
                start=match.start,
                end=match.end,
                precision=match.precision,
                alternatives=match.alternatives,
                origin=f'text "{match.text}" in {describe(element)}',
            )
        )
    start, origin = machine[0]
    end = None
    if len(machine) > 1 and _comparable(machine):
        end = next((value for value, _ in machine[1:] if value > start), None)
    if match is not None and day_of(match.start) == day_of(start):
        if isinstance(start, datetime) and not isinstance(match.start, datetime):
            start, end = day_of(start), day_of(end) if end is not None else match.end
            origin += f' (days only, as the text "{match.text}" says)'
        elif isinstance(match.start, datetime) and not isinstance(start, datetime):
            start, end = match.start, match.end
            origin = f'text "{match.text}" in {describe(element)}'
        elif end is None and match.end is not None:
            end = match.end  # "21 novembre - 22 novembre" with one datetime= value
    precision = Precision.MINUTE if isinstance(start, datetime) else Precision.DAY
    return Reading(dates=Dates(start=start, end=end, precision=precision, origin=origin))


def _comparable(values: list[tuple[date | datetime, str]]) -> bool:
    kinds = {
        (type(v) is datetime, isinstance(v, datetime) and v.tzinfo is not None) for v, _ in values
    }
    return len(kinds) == 1


def place_elements(root: LexborNode) -> list[LexborNode]:
    found = []
    for node in root.traverse(include_text=False):
        if node.mem_id == root.mem_id:
            continue
        if not (words_of(node) & PLACE_WORDS or _labelled(node, _PLACE_LABELS)):
            continue
        if not any(a.mem_id in {f.mem_id for f in found} for a in ancestors(node, root)):
            found.append(node)
    return found


def place_text(root: LexborNode) -> tuple[str, str]:
    """(text, origin) of the first place field of `root`, label removed; ("", "") if none."""
    for node in place_elements(root):
        text = _unlabelled(_without_labels(node))
        # "<span>Salle X</span> <span>86 rue Pasteur</span>": its parts are its segments.
        labels = {text_of(label) for label in _labels(node)}
        parts = [" ".join(p.split()) for p in (node.text(separator="\n") or "").split("\n")]
        joined = _unlabelled(", ".join(p for p in parts if p.strip(" :") and p not in labels))
        if _place_score(joined) > _place_score(text):
            text = joined
        if text:
            return text, describe(node)
    return "", ""


def _unlabelled(text: str) -> str:
    return text.split(":", 1)[-1].strip(" ,") if _LABEL.match(folded(text)) else text


def _place_score(text: str) -> int:
    place = find_place(text) if text else None
    return (place.city is not None) + (place.venue is not None) if place else 0


def _labels(node: LexborNode) -> list[LexborNode]:
    return [
        label
        for label in node.css("[class*=label], dt, th")
        if label.mem_id != node.mem_id and "label" in words_of(label) | {label.tag}
    ]


def _without_labels(node: LexborNode) -> str:
    """A field's text without its label element (Drupal's `.field__label`: "Lieu")."""
    text = text_of(node)
    for label in _labels(node):
        text = text.replace(text_of(label), "", 1).strip()
    return text


def registration_link(root: LexborNode, url: str) -> str | None:
    for anchor in root.css("a[href]"):
        words = " ".join(
            (
                text_of(anchor),
                anchor.attributes.get("class") or "",
                anchor.attributes.get("title") or "",
            )
        )
        if _REGISTRATION.search(words) and (link := web_link(anchor, url)):
            return link
    return None


def _title(tree: LexborHTMLParser, root: LexborNode) -> tuple[str, str]:
    heading = root.css_first("h1") or tree.css_first("h1")
    if heading is not None and text_of(heading):
        return text_of(heading), describe(heading)
    return "", ""


def _body(root: LexborNode) -> LexborNode | None:
    for node in root.traverse(include_text=False):
        if node.mem_id != root.mem_id and words_of(node) & _BODY_WORDS and text_of(node):
            return node
    return None


def read_event_page(
    html: str,
    url: str,
    reference: date | None,
    *,
    by_reference: bool,
    published: date | None = None,
) -> PageEvent | None:
    """The one event a page shows in date (and place) fields under its title, or None
    when the page has no such field (a news post: its prose is read instead)."""
    tree = LexborHTMLParser(html)
    strip_chrome(tree)
    root = tree.css_first("main, [role=main], #main, #content, .content, article") or tree.body
    if root is None:
        return None
    title, title_origin = _title(tree, root)
    if not title:
        return None
    found: list[tuple[LexborNode, Dates]] = []
    for element in date_elements(root):
        reading = read_dates(
            element, text_of(element), reference, by_reference=by_reference, stop=root
        )
        if reading.dates is not None and day_of(reading.dates.start) != published:
            found.append((element, reading.dates))
    if len({day_of(dates.start) for _, dates in found}) != 1:
        return None  # no date field, or several: a page of several events, read as text
    element, dates = found[0]
    return _page_event(root, url, title, title_origin, element, dates)


def _page_event(
    root: LexborNode, url: str, title: str, title_origin: str, date_node: LexborNode, dates: Dates
) -> PageEvent:
    where, where_origin = place_text(root)
    place = place_in(where)
    body = _body(root)
    about = " ".join((title, text_of(date_node), where))
    origins = {"title": title_origin, "start": dates.origin}
    if place and (place.city or place.venue):
        origins["place"] = f'{where_origin}: "{where}"'
    registration = registration_link(root, url)
    if registration:
        origins["registration_url"] = "link about registering"
    status = find_status(" ".join((about, text_of(body)[:600] if body else "")))
    if status.value != "scheduled":
        origins["status"] = "words of the page (annulé, reporté…)"
    event = RawEvent(
        title=title,
        url=url,
        start=dates.start,
        end=dates.end,
        precision=dates.precision,
        alternatives=dates.alternatives,
        venue=place.venue if place else None,
        address=place.address if place else None,
        city=place.city if place else None,
        online=is_online(" ".join((title, where))),
        status=status,
        registration_url=registration,
        description_html=body.html if body is not None else None,
        strategy=STRATEGY,
    )
    return PageEvent(event=event, origins=origins)
