"""Events written as microformats: h-event (microformats2) and hCalendar `vevent`.

    <article class="h-event"><h3 class="p-name">Repair café</h3>
      <time class="dt-start" datetime="2019-11-30T14:00">…</time>
      <span class="p-location h-card"><span class="p-name">Salle X</span>,
        <span class="p-locality">Roubaix</span></span></article>

Older SPIP and Drupal templates write hCalendar (`vevent`, `summary`,
`dtstart` with the value in `<abbr title="20191207T0900">`). Each event
becomes a JSON-LD-shaped value read by `jsonld.events_of_values`; a date
written only in words goes to the French parser. Pure: no network, no clock.
"""

from __future__ import annotations

import dataclasses
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.extract import jsonld
from aggregator.extract._html import machine_value, parse_iso, text_of
from aggregator.extract.microdata import Item
from aggregator.extract.places import normalise_city

STRATEGY = "microformats"

_ROOT = re.compile(r"^(?:h-[a-z-]+|vevent|vcard|adr)$")
# microformats2 property names → (schema.org name, kind) ; kind: p text, dt date, u url, e html
_MF2 = {
    "name": "name",
    "start": "startDate",
    "end": "endDate",
    "location": "location",
    "url": "url",
    "summary": "description",
    "content": "description",
    "description": "description",
    "category": "keywords",
}
_MF1 = {
    "summary": ("name", "p"),
    "dtstart": ("startDate", "dt"),
    "dtend": ("endDate", "dt"),
    "location": ("location", "p"),
    "url": ("url", "u"),
    "description": ("description", "e"),
    "category": ("keywords", "p"),
}
_ADDRESS = {
    "street-address": "streetAddress",
    "locality": "addressLocality",
    "postal-code": "postalCode",
    "region": "addressRegion",
}


def has_events(html: str) -> bool:
    return "h-event" in html or "vevent" in html


def extract(html: str, url: str) -> list[Item]:
    """Every h-event and vevent of the page, in page order."""
    tree = LexborHTMLParser(html)
    found: list[Item] = []
    for root in tree.css(".h-event, .vevent"):
        value = _event(root)
        if not value.get("name"):
            continue
        for event in jsonld.events_of_values([value], url):
            found.append(Item(event=dataclasses.replace(event, strategy=STRATEGY), element=root))
    return found


def _classes(node: LexborNode) -> list[str]:
    return (node.attributes.get("class") or "").split()


def _is_root(node: LexborNode) -> bool:
    return any(_ROOT.match(name) for name in _classes(node))


def _properties(root: LexborNode):
    """(element, class name) of each property of `root`, not of an item inside it."""
    for node in root.traverse(include_text=False):
        if node.mem_id == root.mem_id:
            continue
        owner = node.parent
        while owner is not None and owner.mem_id != root.mem_id and not _is_root(owner):
            owner = owner.parent
        if owner is None or owner.mem_id != root.mem_id:
            continue
        for name in _classes(node):
            yield node, name


def _event(root: LexborNode) -> dict:
    value: dict = {"@type": "Event"}
    modern = "h-event" in _classes(root)
    for node, name in _properties(root):
        key, kind = _property(name, modern)
        if key is None or key in value:
            continue
        if key == "location":
            value[key] = _place(node) if _is_root(node) else _place_line(_read(node, kind))
        else:
            value[key] = _read(node, kind)
    return value


def _property(name: str, modern: bool) -> tuple[str | None, str]:
    if modern:
        match = re.match(r"^(p|dt|u|e)-([a-z-]+)$", name)
        if not match or match.group(2) not in _MF2:
            return None, ""
        return _MF2[match.group(2)], match.group(1)
    return _MF1.get(name, (None, ""))


def _read(node: LexborNode, kind: str) -> str:
    if kind == "dt":
        return _date_value(node)
    if kind == "u":
        return node.attributes.get("href") or node.attributes.get("src") or text_of(node)
    if kind == "e":
        return node.html or ""
    if node.tag == "abbr" and node.attributes.get("title"):
        return node.attributes.get("title") or ""
    return text_of(node)


def _date_value(node: LexborNode) -> str:
    """ISO when the markup gives one (value-class pattern included), else the words."""
    for part in (node, *node.css(".value, .value-title")):
        parsed = parse_iso(machine_value(part))
        if parsed is not None:
            return parsed.isoformat()
    return text_of(node)


def _place(card: LexborNode) -> dict | str:
    """A nested h-card / h-adr / vcard: its name and postal address."""
    place: dict = {"@type": "Place"}
    address: dict = {"@type": "PostalAddress"}
    for node, name in _properties(card):
        short = re.sub(r"^(?:p-)", "", name)
        if short in ("name", "fn", "org") and "name" not in place:
            place["name"] = text_of(node)
        elif short in _ADDRESS:
            address[_ADDRESS[short]] = text_of(node)
    if len(address) > 1:
        place["address"] = address
    return place if len(place) > 1 else text_of(card)


def _place_line(text: str) -> dict | str:
    """ "Salle Dedecker, Croix": a venue, then the commune as the last segment."""
    head, _, last = text.rpartition(",")
    city = normalise_city(last) if head.strip() else None
    if city is None:
        return text
    return {
        "@type": "Place",
        "name": head.strip(),
        "address": {"@type": "PostalAddress", "addressLocality": city},
    }
