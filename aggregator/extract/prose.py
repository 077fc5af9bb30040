"""Events announced in the French text of a page (news posts, plain pages).

First version: the page's main content is cut into sections at headings;
each section whose text carries an event date becomes one event titled by
its heading. Later work splits sections announcing several events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.extract.dates import first_event_date, parse_dates
from aggregator.model import DateKind, RawEvent

_NOISE = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "[role=navigation]",
    "[role=banner]",
    "[role=contentinfo]",
    ".sidebar",
    "#sidebar",
    ".menu",
    ".breadcrumb",
    ".cookie",
    "#cookie",
    ".share",
    ".widget",
)
_MAIN = ("main", "article", "[role=main]", "#content", ".content", "#main", "body")
_BLOCKS = "h1, h2, h3, h4, p, li, dd, dt, td, blockquote, time"


@dataclass(frozen=True, kw_only=True)
class Section:
    heading: str
    lines: tuple[str, ...]
    link: str | None


def _text(node: LexborNode) -> str:
    return " ".join(node.text(deep=True, separator=" ").split())


def main_content(tree: LexborHTMLParser) -> LexborNode | None:
    """The element holding the page's own content, without navigation or sidebars."""
    for selector in _NOISE:
        for node in tree.css(selector):
            node.decompose()
    for selector in _MAIN:
        node = tree.css_first(selector)
        if node is not None and _text(node):
            return node
    return None


def sections(root: LexborNode) -> list[Section]:
    """The content cut at headings, each with its first link."""
    found: list[Section] = []
    heading, lines, link = "", [], None
    for node in root.css(_BLOCKS):
        if node.tag in ("li", "p", "td", "dd") and node.css_first("p, li"):
            continue  # the inner blocks are read on their own
        text = _text(node)
        if not text:
            continue
        if node.tag in ("h1", "h2", "h3", "h4"):
            if lines or heading:
                found.append(Section(heading=heading, lines=tuple(lines), link=link))
            heading, lines, link = text, [], None
            anchor = node.css_first("a[href]")
            link = anchor.attributes.get("href") if anchor else None
            continue
        lines.append(text)
    if lines or heading:
        found.append(Section(heading=heading, lines=tuple(lines), link=link))
    return found


_PUBLISHED_META = (
    'meta[property="article:published_time"]',
    'meta[name="date"]',
    'meta[itemprop="datePublished"]',
    "time[datetime].published",
    "time[pubdate]",
)


def publication_date(html: str) -> date | None:
    """The page's own publication date from its metadata or a "Publié le" line."""
    tree = LexborHTMLParser(html)
    for selector in _PUBLISHED_META:
        node = tree.css_first(selector)
        value = node.attributes.get("content") or node.attributes.get("datetime") if node else None
        match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
        if match:
            return date(*map(int, match.groups()))
    body = tree.body.text(separator=" ") if tree.body else ""
    for found in parse_dates(body[:20_000], None):
        if found.kind == DateKind.PUBLICATION and isinstance(found.start, date):
            return found.start if not hasattr(found.start, "date") else found.start.date()
    return None


def extract(html: str, url: str, *, published: date | None = None) -> list[RawEvent]:
    """One RawEvent per content section that announces a dated event."""
    published = published or publication_date(html)
    root = main_content(LexborHTMLParser(html))
    if root is None:
        return []
    events = []
    for section in sections(root):
        text = " ".join(section.lines)
        if first_event_date(f"{section.heading} {text}", published) is None:
            continue
        title = section.heading or section.lines[0]
        events.append(
            RawEvent(
                title=title,
                url=section.link or url,
                date_text=f"{section.heading}. {text}",
                description="\n".join(section.lines),
                published=published,
                strategy="prose",
            )
        )
    return events
