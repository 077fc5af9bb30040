"""Listing pages: the repeated blocks that stand for events, and the next page.

An agenda or news index shows one block per event or post, all built the
same way (Drupal's `.views-row`, WordPress's `article.post`, SPIP's
`li.item`, table rows), each with a link to its own page and a date-like
text. `find_listing` finds them without selectors: sibling elements of one
shape, most of them with a title, a same-site link and a date. Blocks in
page chrome (menus, sidebars, "articles récents", footers) are removed
first, so their dates never count. `next_page` finds the pagination link
("suivant", "page suivante", rel=next, `?page=2`). Pure: no network, no clock.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import parse_qsl, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.extract._html import (
    TITLE_WORDS,
    describe,
    element_children,
    folded,
    is_document,
    is_publication,
    machine_value,
    parse_iso,
    same_site,
    strip_chrome,
    text_of,
    web_link,
    words_of,
)
from aggregator.extract.dates import parse_dates
from aggregator.extract.listitem import Item
from aggregator.extract.listtables import definition_items, table_items
from aggregator.extract.pagefields import (
    Reading,
    date_elements,
    day_of,
    place_text,
    read_dates,
)
from aggregator.model import DateKind

log = logging.getLogger(__name__)

_BLOCK_TAGS = {"li", "div", "article", "section", "p", "dd"}
_GENERIC_LINK = re.compile(
    r"^[\s>»›+.…-]*(?:lire la suite|lire plus|en savoir plus|savoir plus|suite|plus d'infos?"
    r"|plus d'informations|continuer la lecture|voir|voir plus|voir la fiche|details?|lire"
    r"|read more|more|infos?|s'inscrire|inscription)?[\s>»›+.…-]*$"
)
_NEXT_TEXT = re.compile(
    r"^[\s>»›→]*(?:page )?suivante?s?(?: page)?[\s>»›→]*$|^[>»›→]{1,2}$"
    r"|^next(?: page)?[\s>»›]*$|(?:evenements|evenement|articles) suivants?"
)
_PAGE_PARAMS = re.compile(r"^(?:page|p|paged|pg|start|offset|debut_\w+|pagenum|num)$")
_MIN_BLOCKS = 2
# Blocks read per group of one listing page. Agendas show tens per page; a page with
# 100 000 links would otherwise cost minutes of date reading and as many events.
MAX_LISTING_BLOCKS = 500


@dataclass(frozen=True, kw_only=True)
class Listing:
    items: list[Item]
    block: str  # a description of the repeated element, for explanations
    next_url: str | None
    shape: tuple = ()  # (block shape, parent shape): finds the blocks on the next pages


def find_listing(
    html: str, url: str, reference: date | None, *, by_reference: bool, like: Listing | None = None
) -> Listing | None:
    """The page's listing of events or posts, or None when it shows none. With `like`
    (the listing of the page before), blocks of the same shape count even alone."""
    next_url = next_page(html, url)
    tree = LexborHTMLParser(html)
    strip_chrome(tree)
    if tree.body is None:
        return None
    if like is not None and like.shape:
        items = _items_like(tree.body, like, url, reference, by_reference)
        if any(_counts(item, url) for item in items):
            return Listing(items=items, block=like.block, next_url=next_url, shape=like.shape)
    best: tuple[int, list[Item], str, tuple] | None = None
    for items, block, shape in _candidates(tree.body, url, reference, by_reference):
        good = [item for item in items if _counts(item, url)]
        fits = len(good) >= _MIN_BLOCKS and 2 * len(good) >= len(items)
        if fits and (best is None or len(good) > best[0]):
            best = (len(good), items, block, shape)
    if best is None:
        return None
    return Listing(items=best[1], block=best[2], next_url=next_url, shape=best[3])


def _items_like(
    body: LexborNode, like: Listing, url: str, reference: date | None, by_reference: bool
) -> list[Item]:
    block_shape, parent_shape = like.shape
    members = [
        node
        for node in body.traverse(include_text=False)
        if _signature(node) == block_shape
        and node.parent is not None
        and _signature(node.parent) == parent_shape
    ]
    members = _bounded(members, like.block)
    return [
        _block_item(m, url, f"block {i} ({like.block})", reference, by_reference)
        for i, m in enumerate(members, 1)
    ]


def _counts(item: Item, url: str) -> bool:
    """A block that looks like an event or a post: a title, a date-like text, and a
    link to its page: on the same site, or anywhere for a block titled by a heading (a
    network relaying its members' events). Table rows and list entries may lack it."""
    dated = item.dates is not None or bool(item.kinds) or item.publication is not None
    linked = item.url is not None and (
        same_site(item.url, url) or item.title_origin.startswith("heading")
    )
    return bool(item.title) and dated and (linked or item.where.startswith(("row", "entry")))


def _candidates(body: LexborNode, url: str, reference: date | None, by_reference: bool):
    """(items, block description) of each listing-like group, plus each dated table."""
    scored = []
    for shape, members in _groups(body):
        block = describe(members[0])
        members = _bounded(members, block)
        items = [_block_item(m, url, "", reference, by_reference) for m in members]
        good = sum(_counts(item, url) for item in items)
        if good >= _MIN_BLOCKS and 2 * good >= len(items):
            scored.append((shape, members, items, block))
    merged: dict[tuple, tuple[list[Item], str]] = {}
    for shape, members, items, block in scored:
        if not any(_holds(members, other[1]) for other in scored if other[1] is not members):
            merged.setdefault(shape, ([], block))[0].extend(items)
    for shape, (items, block) in merged.items():
        yield [item.at(f"block {i} ({block})") for i, item in enumerate(items, 1)], block, shape
    for table in body.css("table"):
        items = table_items(table, url, reference, by_reference)
        if items:
            yield items, "table row", ()
    for definitions in body.css("dl"):
        items = definition_items(definitions, url, reference, by_reference)
        if items:
            yield items, "list entry", ()


def _bounded(members: list[LexborNode], block: str) -> list[LexborNode]:
    if len(members) > MAX_LISTING_BLOCKS:
        log.warning(
            "the page repeats %d blocks (%s); reading the first %d only",
            len(members), block, MAX_LISTING_BLOCKS,
        )  # fmt: skip
    return members[:MAX_LISTING_BLOCKS]


def _signature(node: LexborNode) -> tuple[str, str]:
    classes = (node.attributes.get("class") or "").split()
    first = re.sub(r"[\d_-]+$", "", classes[0]) if classes else ""
    return node.tag or "", first


def _groups(body: LexborNode) -> list[tuple[tuple, list[LexborNode]]]:
    """Sibling elements of one shape, at least two of them with a link and a digit,
    keyed by their shape and their parent's."""
    found = []
    for parent in body.traverse(include_text=False):
        by_shape: dict[tuple[str, str], list[LexborNode]] = defaultdict(list)
        for child in element_children(parent):
            if child.tag in _BLOCK_TAGS:
                by_shape[_signature(child)].append(child)
        for shape, members in by_shape.items():
            promising = [
                m for m in members if m.css_first("a[href]") and re.search(r"\d", text_of(m))
            ]
            if len(promising) >= _MIN_BLOCKS:
                found.append(((shape, _signature(parent)), members))
    return found


def _holds(members: list[LexborNode], others: list[LexborNode]) -> bool:
    """Whether one of `members` contains all of `others`: a list of lists, not of events."""
    return any(all(_within(other, member) for other in others) for member in members)


def _within(node: LexborNode, container: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id == container.mem_id:
            return True
        parent = parent.parent
    return False


# --- one block ------------------------------------------------------------------------


def _block_item(
    node: LexborNode, url: str, where: str, reference: date | None, by_reference: bool
) -> Item:
    link_node = _main_link(node, url)
    title, title_origin = _block_title(node, link_node)
    publication = _publication_of(node)
    if publication is not None:
        reference, by_reference = publication, True
    reading = _block_dates(node, reference, by_reference)
    if title and reading.dates and folded(title) in folded(reading.dates.origin):
        title = ""  # an archive link ("octobre 2019") is a date, not a title
    place, place_origin = place_text(node)
    link = web_link(link_node, url) if link_node is not None else None
    return Item(
        title=title,
        url=link if link and not is_document(link) else None,
        dates=reading.dates,
        kinds=reading.kinds,
        publication=publication,
        place=place,
        text=text_of(node),
        where=where,
        title_origin=title_origin,
        place_origin=place_origin,
    )


def _main_link(node: LexborNode, url: str) -> LexborNode | None:
    """The link of the block's heading, else its most title-like link."""
    for heading in node.css("h1, h2, h3, h4, h5, h6"):
        anchor = heading.css_first("a[href]")
        if anchor is not None and web_link(anchor, url):
            return anchor
    anchors = [a for a in node.css("a[href]") if web_link(a, url)]
    named = [a for a in anchors if not _GENERIC_LINK.match(folded(text_of(a)))]
    if named:
        return max(named, key=lambda a: len(text_of(a)))
    return anchors[0] if anchors else None


def _block_title(node: LexborNode, link: LexborNode | None) -> tuple[str, str]:
    heading = node.css_first("h1, h2, h3, h4, h5, h6")
    if heading is not None and text_of(heading):
        return text_of(heading), f"heading {describe(heading)}"
    if link is not None and not _GENERIC_LINK.match(folded(text_of(link))):
        return text_of(link), "link text"
    for element in node.traverse(include_text=False):
        if words_of(element) & TITLE_WORDS and text_of(element):
            return text_of(element), describe(element)
    return "", ""


def _publication_of(node: LexborNode) -> date | None:
    """The date a news block says it was published, if it says so."""
    for element in node.traverse(include_text=False):
        if is_publication(element, node):
            value = parse_iso(machine_value(element))
            if value is not None:
                return value if type(value) is date else value.date()
            for match in parse_dates(text_of(element)):
                if isinstance(match.start, date):
                    return match.start if type(match.start) is date else match.start.date()
    for match in parse_dates(text_of(node)[:2000]):
        if match.kind == DateKind.PUBLICATION and match.start is not None:
            return match.start if type(match.start) is date else match.start.date()
    return None


def _block_dates(node: LexborNode, reference: date | None, by_reference: bool) -> Reading:
    """The block's event dates: from its date elements (the most precise reading of the
    first day they give), else from its whole text."""
    kinds: list[str] = []
    readings = []
    for element in date_elements(node):
        reading = read_dates(
            element, text_of(element), reference, by_reference=by_reference, stop=node
        )
        if reading.dates is not None:
            readings.append(reading)
        kinds += reading.kinds
    if readings:
        return _most_precise(readings)
    reading = read_dates(
        node, _text_without_publication(node), reference, by_reference=by_reference, stop=node
    )
    if reading.dates is not None:
        return reading
    return Reading(kinds=tuple(dict.fromkeys([*kinds, *reading.kinds])))


def _most_precise(readings: list[Reading]) -> Reading:
    """ "jeu 21" (a date tag) and "21 novembre @ 9 h - 17 h" (the schedule) give one day:
    the reading with a time, then with an end, wins."""
    first = readings[0].dates
    same_day = [
        r for r in readings if r.dates and first and day_of(r.dates.start) == day_of(first.start)
    ]
    return max(
        same_day, key=lambda r: (isinstance(r.dates.start, datetime), r.dates.end is not None)
    )


def _text_without_publication(node: LexborNode) -> str:
    text = text_of(node)
    for element in node.traverse(include_text=False):
        if element.mem_id != node.mem_id and is_publication(element, node):
            text = text.replace(text_of(element), " ")
    return text


# --- pagination -----------------------------------------------------------------------


def next_page(html: str, url: str) -> str | None:
    """The URL of the listing's next page: rel=next, a "suivant" link, a "next" class,
    else the link to the following `?page=` number; None on the last page."""
    tree = LexborHTMLParser(html)
    for node in tree.css("link[rel], a[rel]"):
        if "next" in (node.attributes.get("rel") or "").lower().split():
            found = web_link(node, url)
            if found and found != url and same_site(found, url):
                return found
    for anchor in tree.css("a[href]"):
        if _names_next(anchor):
            found = web_link(anchor, url)
            if found and found != url and same_site(found, url):
                return found
    return _numbered_next(tree, url)


def _names_next(anchor: LexborNode) -> bool:
    """Whether a link says it leads to the next page: by its text, title or aria-label,
    or by a "next" class in a pager. Cheap first tests: it runs on every link."""
    text = folded(text_of(anchor))
    attributes = anchor.attributes
    extra = f"{attributes.get('title') or ''} {attributes.get('aria-label') or ''}"
    label = f"{text} {folded(extra)}" if extra.strip() else text
    if _NEXT_TEXT.search(text) or "page suivante" in label:
        return True
    return (_says_next(anchor) or _says_next(anchor.parent)) and _is_pager(anchor)


def _says_next(node: LexborNode | None) -> bool:
    if node is None:
        return False
    attributes = node.attributes
    raw = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    return "next" in raw.lower() and "next" in words_of(node)


def _is_pager(anchor: LexborNode) -> bool:
    element: LexborNode | None = anchor
    for _ in range(4):
        if element is None:
            return False
        if words_of(element) & {"pager", "pagination", "pagenav", "pages", "nav"}:
            return True
        element = element.parent
    return False


def _page_number(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if _PAGE_PARAMS.match(key) and value.isdigit():
            return parts.path, key, int(value)
    match = re.search(r"/page/(\d+)/?$", parts.path)
    if match:
        return parts.path[: match.start()], "/page/", int(match.group(1))
    return None


def _may_number_a_page(href: str) -> bool:
    """Whether a link can carry a page number (`?page=2`, `/page/2/`, or `page/2/` relative
    to the listing), tested on the raw text before any URL parsing: a page of 100 000
    links would otherwise spend seconds resolving links that cannot."""
    return "=" in href or "page/" in href


def _numbered_next(tree: LexborHTMLParser, url: str) -> str | None:
    here = _page_number(url)
    path = here[0] if here else urlsplit(url).path.rstrip("/")
    numbered: dict[int, str] = {}
    base_numbered = "/page/" in urlsplit(url).path
    for anchor in tree.css("a[href]"):
        if not base_numbered and not _may_number_a_page(anchor.attributes.get("href") or ""):
            continue
        link = web_link(anchor, url)
        found = _page_number(link) if link and same_site(link, url) else None
        if found and found[0].rstrip("/") == path.rstrip("/"):
            numbered.setdefault(found[2], link)
    if not numbered:
        return None
    current = here[2] if here else (0 if 0 in numbered else 1)
    later = sorted(n for n in numbered if n > current)
    return numbered[later[0]] if later else None
