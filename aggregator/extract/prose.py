"""Events announced in the French text of a page (news posts, plain pages).

The page's main content (navigation, sidebars and scripts removed) is read
as lines: headings, paragraphs and list items, with their links. Headings
cut it into sections, one announcement each; headings that only name a part
of an announcement ("Programme", "Informations pratiques") do not. Each
section's lines go to `textevents`, which finds its events: one, several, or
none when it announces nothing upcoming.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.extract.dates import parse_dates
from aggregator.extract.eventtitles import is_generic
from aggregator.extract.gazetteer import fold_chars
from aggregator.extract.textevents import TextEvent, events_in_text
from aggregator.extract.textlines import Line, LineKind, Link
from aggregator.model import DateKind, RawEvent

_NOISE = (
    "script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg",
    "[role=navigation]", "[role=banner]", "[role=contentinfo]", ".sidebar", "#sidebar",
    ".menu", ".breadcrumb", ".cookie", "#cookie", ".share", ".widget",
)  # fmt: skip
_PAGE_FRAME = ("header", "footer")  # noise around the content, not inside an article
_MAIN = ("main", "article", "[role=main]", "#content", ".content", "#main", "body")
_BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, dd, dt, td, th, blockquote, figcaption, pre, div"
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
_MINOR_HEADINGS = ("h5", "h6", "dt")
_LINE_BREAK = "\u2028"
_BULLET = re.compile(r"^\s*[-–—•·*▪►]\s+")
# Headings that name a part of one announcement, not a new one.
_PART_HEADING = re.compile(
    r"(?:au )?programme|deroule|deroulement|(?:informations?|infos?) pratiques?|inscriptions?"
    r"|contacts?|acces|plan d'acces|lieu|adresse|dates?|horaires?|intervenants?|presentation"
    r"|objectifs?|publics?(?: concernes?| vises?)?|(?:pour )?en savoir plus|partenaires?"
    r"|tarifs?|modalites.*|description|details?|documents?|ressources?|a telecharger"
    r"|organisateurs?|informations?"
)
_PUBLISHED_META = (
    'meta[property="article:published_time"]',
    'meta[name="date"]',
    'meta[itemprop="datePublished"]',
    "time[datetime].published",
    "time[pubdate]",
)


@dataclass(kw_only=True)
class Section:
    """One announcement of a page: its heading (if any) and its lines."""

    heading: str = ""
    level: int = 9
    link: str | None = None
    lines: list[Line] = field(default_factory=list)

    @property
    def has_body(self) -> bool:
        return any(line.kind != "heading" for line in self.lines)


def _text(node: LexborNode) -> str:
    return " ".join(node.text(deep=True, separator=" ").split())


def _outside_content(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in ("article", "main"):
            return False
        parent = parent.parent
    return True


def main_content(tree: LexborHTMLParser) -> LexborNode | None:
    """The element holding the page's own content, without navigation or sidebars."""
    for selector in _NOISE:
        for node in tree.css(selector):
            node.decompose()
    for selector in _PAGE_FRAME:
        for node in tree.css(selector):
            if _outside_content(node):
                node.decompose()
    for selector in _MAIN:
        node = tree.css_first(selector)
        if node is not None and _text(node):
            return node
    return None


def page_lines(root: LexborNode) -> list[tuple[str, Line]]:
    """The content's blocks in order, as (tag, line); a <br> ends a line too."""
    found: list[tuple[str, Line]] = []
    for node in root.css(_BLOCKS):
        if _has_inner_block(node):
            continue  # the inner blocks are read on their own
        for br in node.css("br"):
            br.replace_with(_LINE_BREAK)
        links = [(_text(a), a.attributes.get("href") or "") for a in node.css("a[href]")]
        raw = node.text(deep=True, separator=" ")
        for part in raw.split(_LINE_BREAK):
            text = " ".join(part.split())
            if text:
                found.append((node.tag, _line(node, text, links)))
    return found


def _has_inner_block(node: LexborNode) -> bool:
    return any(inner.mem_id != node.mem_id for inner in node.css(_BLOCKS))


def _line(node: LexborNode, text: str, links: list[tuple[str, str]]) -> Line:
    kind: LineKind = (
        "heading"
        if node.tag in _HEADINGS or node.tag in _MINOR_HEADINGS
        else ("item" if node.tag == "li" or _in_list_item(node) else "paragraph")
    )
    bullet = _BULLET.match(text)
    if bullet and kind == "paragraph":
        kind, text = "item", text[bullet.end() :]
    return Line(text=text, kind=kind, links=_placed_links(text, links))


def _in_list_item(node: LexborNode) -> bool:
    parent, depth = node.parent, 0
    while parent is not None and depth < 4:
        if parent.tag == "li":
            return True
        parent, depth = parent.parent, depth + 1
    return False


def _placed_links(text: str, links: list[tuple[str, str]]) -> tuple[Link, ...]:
    placed, cursor = [], 0
    for words, href in links:
        if not href:
            continue
        # searched from the previous link first: links come in page order, so a page of
        # 100 000 links costs one pass over its text, not one pass per link
        offset = text.find(words, cursor) if words else len(text)
        offset = offset if offset >= 0 else text.find(words)
        if offset < 0:
            continue
        cursor = max(cursor, offset)
        placed.append(Link(href=href, text=words, offset=offset))
    return tuple(placed)


def sections(root: LexborNode) -> list[Section]:
    """The content cut at headings into announcements."""
    found: list[Section] = [Section()]
    for tag, line in page_lines(root):
        current = found[-1]
        level = _HEADINGS.get(tag)
        if level is None or _PART_HEADING.fullmatch(fold_chars(line.text).strip(" :")):
            current.lines.append(line)
        elif _subtitle(current, level):
            current.heading = f"{current.heading} – {line.text}"
            current.link = current.link or (line.links[0].href if line.links else None)
            current.lines[0] = Line(text=current.heading, kind="heading")
        else:
            found.append(_new_section(line, level, tag))
    return [s for s in found if s.lines]


def _subtitle(current: Section, level: int) -> bool:
    """A deeper heading right under a heading completes it, unless that one only
    names a list ("Agenda")."""
    if current.has_body or not current.heading or level <= current.level:
        return False
    return not is_generic(current.heading)


def _new_section(line: Line, level: int, tag: str) -> Section:
    link = line.links[0].href if line.links else None
    return Section(heading=line.text, level=level, link=link, lines=[line])


def publication_date(html: str) -> date | None:
    """The page's own publication date from its metadata or a "Publié le" line."""
    return _publication_date(LexborHTMLParser(html))


def _publication_date(tree: LexborHTMLParser) -> date | None:
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
    """The events the page's text announces, section by section.

    Dates without a year are read relative to `published`, else the page's
    own publication date; with neither, relative to today, and then a date
    before today is not taken for a past one.
    """
    tree = LexborHTMLParser(html)
    reference = published or _publication_date(tree)
    root = main_content(tree)
    if root is None:
        return []
    events = []
    for section in sections(root):
        for found in events_in_text(section.lines, reference):
            events.append(_raw_event(found, section.link or url, reference))
    return events


def _raw_event(found: TextEvent, url: str, reference: date | None) -> RawEvent:
    return RawEvent(
        title=found.title,
        url=url,
        start=found.start,
        end=found.end,
        precision=found.precision,
        alternatives=found.alternatives,
        status=found.status,
        venue=found.venue,
        address=found.address,
        city=found.city,
        online=found.online,
        registration_url=found.registration_url,
        description=found.description,
        published=reference,
        strategy="prose",
    )
