"""An RSS 2.0, RSS 1.0 or Atom feed whose items announce events (`strategy: rss`).

Items carry no structured date: each becomes a RawEvent whose `date_text`
(title and plain-text content) goes through the French date parser in
normalise. `feed_links` finds the feeds a page advertises, for `auto`.

Feeds are read with the standard library's ElementTree. Real feeds often
use HTML entities XML does not know (`&eacute;`, `&nbsp;`) or a bare `&`:
those are fixed first, and a feed that is still not XML is read item by
item with patterns. A feed that declares its own entities is refused
(the "billion laughs" memory attack). Pure: no network, no clock.
"""

from __future__ import annotations

import html
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from html.entities import html5
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from aggregator.clock import PARIS
from aggregator.errors import ExtractError
from aggregator.extract._text import clean_text, plain_text
from aggregator.model import RawEvent

log = logging.getLogger(__name__)

STRATEGY = "rss"

_ENTITY_DECLARATION = re.compile(r"<!DOCTYPE[^\[>]*\[[^\]]*<!ENTITY", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BARE_AMPERSAND = re.compile(r"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_XML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_FEED_ROOTS = {"rss", "feed", "RDF"}
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_SCANNED_ITEM = re.compile(r"<(item|entry)\b[^>]*>(.*?)</\1\s*>", re.DOTALL | re.IGNORECASE)
_FEED_TYPES = {"application/rss+xml": "rss", "application/atom+xml": "rss", "text/calendar": "ics"}


@dataclass(frozen=True, kw_only=True)
class _Item:
    """One item as the feed gives it, whichever way it was read."""

    title: str | None = None
    link: str | None = None
    guid: str | None = None
    markup: str | None = None
    published: str | None = None
    tags: tuple[str, ...] = ()


def extract(text: str, url: str) -> list[RawEvent]:
    """One RawEvent per feed item, in feed order."""
    root = _root(text, url)
    items = _scanned_items(text, url) if root is None else _tree_items(root)
    return [event for item in items if (event := _raw_event(item, url)) is not None]


def feed_links(html_text: str, url: str) -> list[tuple[str, str]]:
    """The ICS and RSS/Atom feeds a page advertises with `<link rel="alternate">`,
    as ("ics" | "rss", absolute URL): ICS first, then in page order; comment
    feeds left out."""
    tree = LexborHTMLParser(html_text)
    base_node = tree.css_first("base[href]")
    base = urljoin(url, base_node.attributes.get("href") or "") if base_node else url
    found: list[tuple[str, str]] = []
    for link in tree.css("link[href]"):
        attributes = link.attributes
        rels = (attributes.get("rel") or "").lower().split()
        kind = _FEED_TYPES.get((attributes.get("type") or "").split(";")[0].strip().lower())
        href = (attributes.get("href") or "").strip()
        if "alternate" in rels and kind and href and not _is_comment_feed(link.attributes):
            found.append((kind, _absolute(href, base)))
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda found_link: found_link[0] != "ics")


def _is_comment_feed(attributes: dict[str, str | None]) -> bool:
    """WordPress advertises a comment feed per page; it announces no events."""
    href, title = attributes.get("href") or "", attributes.get("title") or ""
    return "/comments/feed" in href or "comment" in title.lower()


def _absolute(href: str, base: str) -> str:
    """An absolute http(s) URL; webcal:// is how sites say "calendar over https"."""
    if href.lower().startswith("webcal://"):
        href = "https://" + href[len("webcal://") :]
    return urljoin(base, href)


# --- reading the XML ---------------------------------------------------------


def _root(text: str, url: str) -> ET.Element | None:
    """The feed's root element, or None when it is not well-formed XML."""
    if _ENTITY_DECLARATION.search(text):
        raise ExtractError(
            f"{url}: the feed declares its own XML entities (<!ENTITY …>), which is refused "
            "because it can be used to exhaust memory. Ask the site for a plain RSS or Atom feed."
        )
    try:
        root = ET.fromstring(_xml_ready(text))
    except ET.ParseError as exc:
        log.warning("%s: the feed is not well-formed XML (%s); items read by pattern", url, exc)
        return None
    if _local(root.tag) not in _FEED_ROOTS:
        raise ExtractError(
            f"{url}: this is not an RSS or Atom feed (its root element is "
            f"<{_local(root.tag)}>). Check the source URL, or use another strategy."
        )
    return root


def _xml_ready(text: str) -> str:
    """The feed with what makes common feeds invalid XML fixed: leading junk,
    control characters, bare `&` and HTML-only named entities."""
    text = text.lstrip("\ufeff \t\r\n")
    declaration = text.find("<?xml")
    if declaration > 0:
        text = text[declaration:]
    text = _BARE_AMPERSAND.sub("&amp;", _CONTROL.sub("", text))
    return _NAMED_ENTITY.sub(_xml_entity, text)


def _xml_entity(match: re.Match[str]) -> str:
    """`&eacute;` -> "é"; XML's own five are kept; unknown names become text."""
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    character = html5.get(name + ";")
    if character is None:
        return "&amp;" + name + ";"
    return "".join(_XML_SPECIAL.get(char, char) for char in character)


def _local(tag: str) -> str:
    """A tag without its namespace: "{http://www.w3.org/2005/Atom}entry" -> "entry"."""
    return tag.rsplit("}", 1)[-1]


def _tree_items(root: ET.Element) -> list[_Item]:
    return [_tree_item(node) for node in root.iter() if _local(node.tag) in ("item", "entry")]


def _tree_item(node: ET.Element) -> _Item:
    title = _first_child(node, "title")
    content = _first_child(node, "encoded", "content", "description", "summary")
    guid = _element_text(_first_child(node, "guid", "id")) or node.get(_RDF_ABOUT)
    return _Item(
        title=_title(title) if title is not None else None,
        link=_tree_link(node),
        guid=guid or None,
        markup=_markup(content) if content is not None else None,
        published=_element_text(_first_child(node, "pubDate", "published", "date", "updated")),
        tags=tuple(_categories(node)),
    )


def _first_child(node: ET.Element, *names: str) -> ET.Element | None:
    """The child with the first of these local names that the node has."""
    children: dict[str, ET.Element] = {}
    for child in node:
        children.setdefault(_local(child.tag), child)
    return next((children[name] for name in names if name in children), None)


def _element_text(node: ET.Element | None) -> str:
    return "".join(node.itertext()).strip() if node is not None else ""


def _title(node: ET.Element) -> str | None:
    """Atom's type="html" titles hold escaped markup; RSS titles are text."""
    if node.get("type") in ("html", "xhtml"):
        return clean_text(_markup(node))
    return clean_text(_element_text(node))


def _markup(node: ET.Element) -> str:
    """An element's content as HTML: escaped HTML (RSS, Atom type="html") as
    is, XHTML or raw HTML children serialised, Atom type="text" escaped."""
    if node.get("type") == "text":
        return html.escape(_element_text(node), quote=False)
    for element in node.iter():
        element.tag = _local(element.tag)  # serialise <p>, not <ns0:p xmlns:ns0=…>
    inner = "".join(ET.tostring(child, encoding="unicode") for child in node)
    return ((node.text or "") + inner).strip()


def _tree_link(node: ET.Element) -> str | None:
    """RSS <link>text</link>, Atom's alternate <link href>, else a permalink guid."""
    for child in node:
        if _local(child.tag) != "link":
            continue
        if child.get("href") is not None:
            if child.get("rel", "alternate") == "alternate":
                return child.get("href")
        elif _element_text(child):
            return _element_text(child)
    guid = _first_child(node, "guid")
    if guid is not None and guid.get("isPermaLink", "true") != "false":
        text = _element_text(guid)
        return text if text.startswith(("http://", "https://")) else None
    return None


def _categories(node: ET.Element) -> list[str]:
    tags = []
    for child in node:
        if _local(child.tag) in ("category", "subject"):
            tag = clean_text(child.get("term") or child.get("label") or _element_text(child))
            if tag:
                tags.append(tag)
    return list(dict.fromkeys(tags))


# --- a feed that is not XML --------------------------------------------------


def _scanned_items(text: str, url: str) -> list[_Item]:
    """Items found by pattern in a feed no XML parser accepts."""
    items = [_scanned_item(body) for _, body in _SCANNED_ITEM.findall(text)]
    if not items and not re.search(r"<(rss|feed|rdf:RDF)\b", text, re.IGNORECASE):
        raise ExtractError(
            f"{url}: this is neither an RSS or Atom feed nor readable XML. "
            "Check the source URL, or use another strategy."
        )
    return items


def _scanned_item(body: str) -> _Item:
    link = _scanned(body, "link")
    if not link:
        match = re.search(r"<link\b[^>]*\bhref=[\"']([^\"']+)", body, re.IGNORECASE)
        link = html.unescape(match.group(1)) if match else None
    category_values = re.findall(r"<category\b[^>]*>(.*?)</category\s*>", body, re.DOTALL)
    return _Item(
        title=_scanned(body, "title"),
        link=link,
        guid=_scanned(body, "guid", "id"),
        markup=_scanned(body, "content:encoded", "content", "description", "summary"),
        published=_scanned(body, "pubDate", "published", "dc:date", "updated"),
        tags=tuple(tag for value in category_values if (tag := clean_text(_unwrapped(value)))),
    )


def _scanned(body: str, *names: str) -> str | None:
    """The content of the first of these elements the item has."""
    for name in names:
        pattern = rf"<{re.escape(name)}\b[^>]*>(.*?)</{re.escape(name)}\s*>"
        match = re.search(pattern, body, re.DOTALL | re.IGNORECASE)
        if match and (value := _unwrapped(match.group(1)).strip()):
            return value
    return None


def _unwrapped(value: str) -> str:
    """Element text as XML would give it: CDATA kept verbatim, the rest unescaped."""
    escaped = _CDATA.sub(lambda match: html.escape(match.group(1), quote=False), value)
    return html.unescape(escaped)


# --- one item ----------------------------------------------------------------


def _raw_event(item: _Item, url: str) -> RawEvent | None:
    title = clean_text(item.title)
    if not title:
        log.info("%s: a feed item without a title was skipped", url)
        return None
    text = plain_text(item.markup)
    return RawEvent(
        title=title,
        url=urljoin(url, item.link.strip()) if item.link and item.link.strip() else None,
        uid=item.guid,
        date_text="\n".join(part for part in (title, text) if part),
        description_html=item.markup or None,
        published=_published(item.published),
        tags=item.tags,
        strategy=STRATEGY,
    )


def _published(value: str | None) -> date | None:
    """The day, in Paris, of an RFC 822 (RSS) or ISO 8601 (Atom, dc:date) timestamp."""
    if not value:
        return None
    moment: datetime | None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return moment.astimezone(PARIS).date() if moment.tzinfo else moment.date()
