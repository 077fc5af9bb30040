"""schema.org Events written in the HTML itself: microdata and RDFa lite.

    <div itemscope itemtype="https://schema.org/Event"> … itemprop="startDate" …
    <div vocab="https://schema.org/" typeof="Event"> … property="startDate" …

Joomla's DPCalendar and JEvents, Drupal's schema.org modules and many
hand-made templates write them. Each item becomes a JSON-LD-shaped value
that `jsonld.events_of_values` reads, so both syntaxes mean exactly what the
same JSON-LD would. Pure: no network, no clock.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.extract import jsonld
from aggregator.extract._html import text_of
from aggregator.model import RawEvent

_URL_TAGS = {
    "a": "href",
    "area": "href",
    "link": "href",
    "img": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
    "iframe": "src",
    "embed": "src",
    "object": "data",
}
_EVENT_MARK = re.compile(r"(?:Event|Festival|Hackathon|CourseInstance)\b")


@dataclass(frozen=True)
class _Syntax:
    name: str  # "microdata" | "rdfa"
    scope: str  # the attribute that opens an item
    prop: str  # the attribute that names a property
    types: str  # the attribute that gives the item's types


MICRODATA = _Syntax("microdata", "itemscope", "itemprop", "itemtype")
RDFA = _Syntax("rdfa", "typeof", "property", "typeof")


@dataclass(frozen=True, kw_only=True)
class Item:
    """One schema.org Event read from the page, with the element that holds it."""

    event: RawEvent
    element: LexborNode


def has_events(html: str) -> bool:
    """A cheap look for an Event item, before parsing."""
    lowered = html.lower()
    return ("itemtype" in lowered or "typeof" in lowered) and bool(_EVENT_MARK.search(html))


def extract(html: str, url: str) -> list[Item]:
    """Every Event of the page's microdata and RDFa lite, in page order."""
    tree = LexborHTMLParser(html)
    found: list[Item] = []
    for syntax in (MICRODATA, RDFA):
        for value, element in _top_items(tree, syntax):
            for event in jsonld.events_of_values([value], url):
                found.append(
                    Item(event=dataclasses.replace(event, strategy=syntax.name), element=element)
                )
    return found


def _top_items(tree: LexborHTMLParser, syntax: _Syntax) -> list[tuple[dict, LexborNode]]:
    """(item value, element) of each item that is no property of another item."""
    scopes = tree.css(f"[{syntax.scope}]")
    if syntax is RDFA:
        scopes = [s for s in scopes if _is_schema_org(s)]
    values = {node.mem_id: {"@type": _types(node, syntax)} for node in scopes}
    owned: set[int] = set()
    for node in tree.css(f"[{syntax.prop}]"):
        owner = _owner(node, values)
        if owner is None:
            continue
        value = values[node.mem_id] if node.mem_id in values else _value(node)
        for name in (node.attributes.get(syntax.prop) or "").split():
            _add(values[owner.mem_id], _local(name), value)
        if node.mem_id in values:
            owned.add(node.mem_id)
    return [(values[n.mem_id], n) for n in scopes if n.mem_id not in owned]


def _is_schema_org(node: LexborNode) -> bool:
    """RDFa `typeof` is read only under the schema.org vocabulary (or its prefix)."""
    typeof = node.attributes.get("typeof") or ""
    if "schema:" in typeof or "schema.org" in typeof:
        return True
    element: LexborNode | None = node
    while element is not None and element.tag != "html":
        if "schema.org" in (element.attributes.get("vocab") or ""):
            return True
        element = element.parent
    return False


def _types(node: LexborNode, syntax: _Syntax) -> list[str]:
    return [_local(t) for t in (node.attributes.get(syntax.types) or "").split()]


def _local(name: str) -> str:
    """ "https://schema.org/startDate", "schema:startDate" → "startDate"."""
    return re.split(r"[/:#]", name.strip())[-1]


def _owner(node: LexborNode, values: dict[int, dict]) -> LexborNode | None:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in values:
            return parent
        parent = parent.parent
    return None


def _value(node: LexborNode) -> str:
    """A property's value as microdata and RDFa define it, per element."""
    attributes = node.attributes
    for key in ("content", "resource"):
        if attributes.get(key) is not None:
            return attributes.get(key) or ""
    if node.tag in _URL_TAGS and attributes.get(_URL_TAGS[node.tag]):
        return attributes.get(_URL_TAGS[node.tag]) or ""
    if node.tag == "time" and attributes.get("datetime"):
        return attributes.get("datetime") or ""
    if node.tag in ("data", "meter") and attributes.get("value"):
        return attributes.get("value") or ""
    if attributes.get("itemprop") == "description" or attributes.get("property") == "description":
        return node.html or ""  # keeps paragraphs; jsonld reads it as HTML
    return text_of(node)


def _add(item: dict[str, Any], name: str, value: Any) -> None:
    if name not in item:
        item[name] = value
    elif isinstance(item[name], list):
        item[name].append(value)
    else:
        item[name] = [item[name], value]
