"""schema.org Event data in JSON-LD blocks (`strategy: jsonld`).

Reads every `<script type="application/ld+json">` of a page, finds the
Event nodes wherever they sit (top level, arrays, `@graph`, `mainEntity`,
`ItemList`, `subEvent`) and turns each into a RawEvent. WordPress's The Events
Calendar, most Drupal/Joomla event modules and many hand-made sites emit it.

Pure: no network, no clock. A malformed block is repaired when it is only
sloppy (trailing commas, HTML-escaped, several objects glued together) and
skipped with a warning otherwise; the other blocks are still read.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urldefrag, urljoin

from aggregator.extract._ldjson import ld_json_blocks
from aggregator.extract._text import city_from_location, clean_text, plain_text
from aggregator.model import Precision, RawEvent, Status, When

log = logging.getLogger(__name__)

STRATEGY = "jsonld"

# Event subtypes whose name does not end in "Event".
_EVENT_TYPES = {"Festival", "Hackathon", "CourseInstance", "EventSeries"}
# Ends in "Event" but is no gathering anyone attends (a parcel delivery).
_NOT_EVENTS = {"DeliveryEvent"}
_SERIES = "EventSeries"
_MAX_DEPTH = 40
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_ONLINE_MODES = {"OnlineEventAttendanceMode", "MixedEventAttendanceMode"}
# `"@type": "Event"`, `"@type":["Festival","Thing"]`, also HTML-escaped (&quot;).
_EVENT_TYPE_MARK = re.compile(
    r'@type(?:"|&quot;)\s*:\s*\[?[^\]}]{0,200}?'
    r'(?:Event|EventSeries|Festival|Hackathon|CourseInstance)(?:"|&quot;)'
)
_STATUSES = {
    "EventCancelled": Status.CANCELLED,
    "EventPostponed": Status.POSTPONED,
    "EventRescheduled": Status.POSTPONED,
}

Node = dict[str, Any]
Index = dict[str, Node]


def has_events(html_text: str) -> bool:
    """Whether the page seems to carry a schema.org Event in JSON-LD.

    A cheap look for an event @type, without parsing (and without the
    warnings a broken block gives): `extract` may still find none.
    """
    return "ld+json" in html_text.lower() and _EVENT_TYPE_MARK.search(html_text) is not None


def extract(html_text: str, url: str) -> list[RawEvent]:
    """Every schema.org Event (and subtype) of the page's JSON-LD, in page order."""
    return events_of_values(list(ld_json_blocks(html_text, url)), url)


def events_of_values(blocks: list[Any], url: str) -> list[RawEvent]:
    """Every schema.org Event of JSON-LD-shaped values, in order. Microdata, RDFa and
    microformats readers build such values and share this reading of them."""
    index = _id_index(blocks)
    events: list[RawEvent] = []
    seen: set[tuple[object, ...]] = set()
    visited: set[int] = set()
    for block in blocks:
        for node, parent in _event_nodes(block, index, visited):
            event = _raw_event(node, parent, url, index)
            # The same event may be both in a list and in the page's main entity.
            if event is not None and (key := (event.title, event.start, event.url)) not in seen:
                seen.add(key)
                events.append(event)
    return events


# --- references between nodes ---------------------------------------------


def _id_index(blocks: list[Any]) -> Index:
    """Nodes by `@id`, so that `{"@id": "#place"}` references can be followed."""
    index: Index = {}

    def visit(value: Any, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        if isinstance(value, dict):
            node_id = value.get("@id")
            if isinstance(node_id, str) and len(value) > 1:
                index.setdefault(node_id, value)
            for child in value.values():
                visit(child, depth + 1)
        elif isinstance(value, list):
            for child in value:
                visit(child, depth + 1)

    for block in blocks:
        visit(block, 0)
    return index


def _resolved(value: Any, index: Index) -> Any:
    """A node given only as `{"@id": …}` replaced by the full node it names."""
    if isinstance(value, dict) and set(value) == {"@id"}:
        return index.get(str(value["@id"]), value)
    return value


# --- finding the events ------------------------------------------------------


def _event_nodes(
    value: Any, index: Index, visited: set[int], parent: Node | None = None, depth: int = 0
) -> Iterator[tuple[Node, Node | None]]:
    """(event node, enclosing series or event) pairs, depth first, in order.

    An EventSeries with sub-events stands for its sub-events only; any other
    event with sub-events (a congress and its workshops) yields both. Each
    node is visited once: `@id` references may form cycles.
    """
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _event_nodes(_resolved(item, index), index, visited, parent, depth + 1)
        return
    if not isinstance(value, dict) or id(value) in visited:
        return
    visited.add(id(value))
    types = _types(value)
    if not _is_event(types):
        for child in value.values():
            yield from _event_nodes(_resolved(child, index), index, visited, parent, depth + 1)
        return
    children = _as_list(value.get("subEvent")) + _as_list(value.get("subEvents"))
    if not (children and _SERIES in types):
        yield value, parent
    for child in children:
        yield from _event_nodes(_resolved(child, index), index, visited, value, depth + 1)


def _types(node: Node) -> set[str]:
    """The node's @type names without their vocabulary prefix."""
    return {_local_name(name) for name in _as_list(node.get("@type")) if isinstance(name, str)}


def _is_event(types: set[str]) -> bool:
    return any(
        name in _EVENT_TYPES or (name.endswith("Event") and name not in _NOT_EVENTS)
        for name in types
    )


def _local_name(value: str) -> str:
    """ "https://schema.org/EventCancelled" or "schema:EventCancelled" -> "EventCancelled"."""
    return re.split(r"[/:#]", value.strip())[-1]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- one event ---------------------------------------------------------------


def _raw_event(node: Node, parent: Node | None, url: str, index: Index) -> RawEvent | None:
    title = clean_text(_first_text(node.get("name")))
    if not title:
        log.info("%s: a JSON-LD event without a name was skipped", url)
        return None
    start, end = _dates(node.get("startDate"), node.get("endDate"))
    # A sub-event missing its place or page is at its series' place, on its page.
    inherited = parent or {}
    location = node.get("location") or inherited.get("location")
    place = _place(location, url, index)
    description_html = _description_html(node.get("description"))
    status, moved_online = _status(node.get("eventStatus"))
    online = moved_online or place.online or _is_online_mode(node.get("eventAttendanceMode"))
    return RawEvent(
        title=title,
        url=_url(node.get("url"), url)
        or _url(node.get("@id"), url, pages_only=True)
        or _url(inherited.get("url"), url),
        uid=_url(node.get("@id"), url),
        start=start,
        end=end,
        date_text=_date_text(title, node, description_html) if start is None else None,
        precision=_precision(node.get("startDate"), start),
        status=status,
        venue=place.venue,
        address=place.address,
        city=place.city,
        online=online,
        registration_url=_offer_url(node.get("offers"), url, index) or place.online_url,
        description_html=description_html,
        tags=_tags(node),
        strategy=STRATEGY,
    )


def _first_text(value: Any) -> str | None:
    """A text property's value; schema.org allows a list or a language-tagged object."""
    for item in _as_list(value):
        if isinstance(item, str | int | float):
            return str(item)
        if isinstance(item, dict) and isinstance(item.get("@value"), str):
            return item["@value"]
    return None


def _url(value: Any, base: str, pages_only: bool = False) -> str | None:
    """An absolute URL. With `pages_only` (reading an @id as the event's page),
    ids that are no page ("#event", "urn:…") are refused and fragments dropped."""
    text = _first_text(value) or (
        _first_text(value.get("@id")) if isinstance(value, dict) else None
    )
    if not text or not text.strip():
        return None
    text = html.unescape(text.strip())
    if text.startswith("_:"):  # a JSON-LD blank node names nothing outside the page
        return None
    if not pages_only:
        return urljoin(base, text)
    if text.startswith("#") or "://" not in text and not text.startswith("/"):
        return None
    return urldefrag(urljoin(base, text)).url


# --- dates -------------------------------------------------------------------


def _dates(start_value: Any, end_value: Any) -> tuple[When | None, When | None]:
    start = _when(_first_text(start_value))
    end = _when(_first_text(end_value))
    if start is None:
        return None, None
    if _is_all_day_span(start, end):
        # The Events Calendar writes all-day events as 00:00:00 – 23:59:59.
        start, end = _day(start), _day(end)  # type: ignore[arg-type]
    return start, _end_after(start, end)


def _end_after(start: date | datetime, end: date | datetime | None) -> date | datetime | None:
    """The end when it lies after the start, else None (a same-day date end says nothing)."""
    if end is None:
        return None
    if type(end) is not type(start):
        return _day(end) if _day(end) > _day(start) else None
    if isinstance(end, datetime) and isinstance(start, datetime) and _mixed_awareness(start, end):
        end = end.replace(tzinfo=start.tzinfo)
    return end if end > start else None


def _mixed_awareness(start: datetime, end: datetime) -> bool:
    return (start.tzinfo is None) != (end.tzinfo is None)


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _when(text: str | None) -> date | datetime | None:
    """ISO 8601: date only -> date, with offset -> aware, without -> naive local."""
    if not text:
        return None
    text = text.strip()
    month = _YEAR_MONTH.match(text)
    try:
        if month:
            return date(int(month.group(1)), int(month.group(2)), 1)
        if not any(mark in text for mark in "T :"):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _is_all_day_span(start: date | datetime, end: date | datetime | None) -> bool:
    return (
        isinstance(start, datetime)
        and isinstance(end, datetime)
        and start.time() == time(0, 0)
        and end.time() >= time(23, 59)
    )


def _precision(value: Any, start: date | datetime | None) -> Precision | None:
    if start is None:
        return None
    if isinstance(start, datetime):
        return Precision.MINUTE
    if _YEAR_MONTH.match((_first_text(value) or "").strip()):
        return Precision.MONTH
    return Precision.DAY


def _date_text(title: str, node: Node, description_html: str | None) -> str:
    """Text for the French date parser when the startDate is missing or unreadable."""
    parts = [title, _first_text(node.get("startDate")) or "", plain_text(description_html)]
    return "\n".join(part for part in parts if part)


# --- place, status, links ----------------------------------------------------


class _Place:
    """What the `location` property says, merged over Place and VirtualLocation."""

    def __init__(self) -> None:
        self.venue: str | None = None
        self.address: str | None = None
        self.city: str | None = None
        self.online = False
        self.online_url: str | None = None


def _place(location: Any, url: str, index: Index) -> _Place:
    place = _Place()
    for item in _as_list(location):
        item = _resolved(item, index)
        if isinstance(item, str):
            place.venue = place.venue or clean_text(item)
            place.city = place.city or city_from_location(place.venue)
        elif isinstance(item, dict) and "VirtualLocation" in _types(item):
            place.online = True
            place.online_url = place.online_url or _url(item.get("url"), url)
        elif isinstance(item, dict):
            place.venue = place.venue or clean_text(_first_text(item.get("name")))
            _read_address(place, _resolved(item.get("address"), index))
    return place


def _read_address(place: _Place, address: Any) -> None:
    """A PostalAddress gives street and city; a plain string gives the address."""
    if isinstance(address, list):
        address = address[0] if address else None
    if isinstance(address, str):
        place.address = place.address or clean_text(address)
        place.city = place.city or city_from_location(place.address)
    elif isinstance(address, dict):
        street = clean_text(_first_text(address.get("streetAddress")))
        postcode = clean_text(_first_text(address.get("postalCode")))
        city = clean_text(_first_text(address.get("addressLocality")))
        locality = " ".join(part for part in (postcode, city) if part)
        place.address = place.address or ", ".join(p for p in (street, locality) if p) or None
        place.city = place.city or city


def _status(value: Any) -> tuple[Status, bool]:
    """The event's status, and whether it moved online."""
    name = _local_name(_first_text(value) or "")
    return _STATUSES.get(name, Status.SCHEDULED), name == "EventMovedOnline"


def _is_online_mode(value: Any) -> bool:
    return any(
        _local_name(mode) in _ONLINE_MODES for mode in _as_list(value) if isinstance(mode, str)
    )


def _description_html(value: Any) -> str | None:
    """The description as HTML. The Events Calendar HTML-escapes it ("&lt;p&gt;")
    and writes its line ends as a literal backslash-n: both are undone."""
    text = _first_text(value)
    if not text or not text.strip():
        return None
    if "<" not in text and "&lt;" in text:
        text = html.unescape(text).replace("\\n", "\n")
    return text.strip()


def _offer_url(offers: Any, url: str, index: Index) -> str | None:
    for offer in _as_list(offers):
        offer = _resolved(offer, index)
        if isinstance(offer, dict) and (link := _url(offer.get("url"), url)):
            return link
    return None


def _tags(node: Node) -> tuple[str, ...]:
    """`keywords` (a list or a comma-separated string) and the names of `about`."""
    tags: list[str] = []
    for keyword in _as_list(node.get("keywords")):
        if isinstance(keyword, str):
            tags.extend(keyword.split(","))
    for subject in _as_list(node.get("about")):
        tags.append(
            _first_text(subject.get("name")) or "" if isinstance(subject, dict) else subject
        )
    cleaned = (clean_text(tag) for tag in tags if isinstance(tag, str))
    return tuple(dict.fromkeys(tag for tag in cleaned if tag))
