"""The `css` strategy: an admin's selectors for a listing and its detail pages.

Pure: the pipeline fetches; these functions only read HTML. Field texts
(dates included) go through the same French parser as every other source.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.config import EventSelectors, ListSelectors
from aggregator.extract.places import find_place
from aggregator.extract.status import find_status, is_online
from aggregator.model import RawEvent, Status


@dataclass(frozen=True, kw_only=True)
class ListItem:
    """One block of a listing page."""

    url: str | None
    title: str
    date_text: str
    text: str


def _text(node: LexborNode | None) -> str:
    return " ".join(node.text(deep=True, separator=" ").split()) if node else ""


def _first(root: LexborNode | LexborHTMLParser, selector: str | None) -> LexborNode | None:
    return root.css_first(selector) if selector else None


def _link(node: LexborNode | None, page_url: str) -> str | None:
    if node is None:
        return None
    anchor = node if node.tag == "a" else node.css_first("a[href]")
    href = anchor.attributes.get("href") if anchor else None
    return urljoin(page_url, href) if href else None


def parse_listing(
    html: str, page_url: str, selectors: ListSelectors
) -> tuple[list[ListItem], str | None]:
    """The listing's item blocks and the URL of its next page (or None)."""
    tree = LexborHTMLParser(html)
    items = []
    for block in tree.css(selectors.item):
        link_node = _first(block, selectors.link) if selectors.link else block.css_first("a[href]")
        title_node = _first(block, selectors.title) or link_node
        items.append(
            ListItem(
                url=_link(link_node, page_url),
                title=_text(title_node),
                date_text=_text(_first(block, selectors.date)),
                text=_text(block),
            )
        )
    next_url = _link(_first(tree, selectors.next), page_url) if selectors.next else None
    return items, next_url


def _field(tree: LexborHTMLParser, selector: str | None) -> str:
    return _text(_first(tree, selector)) if selector else ""


def item_event(item: ListItem, page_url: str) -> RawEvent:
    """A listing block that carries everything (no detail page)."""
    return RawEvent(
        title=item.title,
        url=item.url or page_url,
        date_text=item.date_text or item.text,
        strategy="css",
    )


def parse_detail(
    html: str, page_url: str, selectors: EventSelectors, item: ListItem | None = None
) -> RawEvent:
    """A detail page read with the source's event selectors, the list item filling gaps."""
    tree = LexborHTMLParser(html)
    title = _field(tree, selectors.title) or (item.title if item else "")
    date_text = _field(tree, selectors.date) or (item.date_text if item else "")
    location = _field(tree, selectors.location)
    description_node = _first(tree, selectors.description)
    status_text = " ".join(filter(None, [title, _field(tree, selectors.status), date_text]))
    registration = _link(_first(tree, selectors.registration), page_url)
    place = find_place(location) if location else None
    return RawEvent(
        title=title,
        url=page_url,
        date_text=date_text,
        venue=_field(tree, selectors.venue) or (place and place.venue) or None,
        city=_field(tree, selectors.city) or (place and place.city) or None,
        address=(place and place.address) or None,
        online=is_online(" ".join([title, location])),
        status=find_status(status_text) if status_text else Status.SCHEDULED,
        registration_url=registration,
        description_html=description_node.html if description_node else None,
        strategy="css",
    )
