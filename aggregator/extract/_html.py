"""HTML helpers shared by the page readers of `auto` (listing, fields, microdata, …).

What counts as page chrome (menus, sidebars, "articles récents", footers,
cookie banners), as a publication date rather than an event date, as a date
or a place field: signals that hold across CMSs (Drupal, WordPress, SPIP,
Joomla, hand-made pages), read from tags, roles, class names and headings.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.extract.gazetteer import fold_chars

_WORD = re.compile(r"[a-z]+")
_CHROME_TAGS = "script, style, noscript, template, iframe, svg, nav, aside, form, select, button"
_CHROME_ROLES = "[role=navigation], [role=banner], [role=contentinfo], [role=complementary]"
# Class or id words of page furniture, whatever the CMS calls it.
_CHROME_WORDS = {
    "sidebar", "aside", "widget", "widgets", "breadcrumb", "breadcrumbs", "ariane", "arbo",
    "cookie", "cookies", "rgpd", "share", "sharing", "social", "sharedaddy", "related",
    "relatedposts", "recent", "latestnews", "comments", "skip", "newsletter", "toolbar",
}  # fmt: skip
# Whole ids or class names of page regions: "#footer", "#pied", ".site-footer", "#gauche".
# Matched whole, not word by word: a block's own ".card-footer" may hold its date.
_CHROME_NAMES = {
    "footer", "site-footer", "page-footer", "pied", "piedpage", "pied-de-page", "bottom",
    "header", "site-header", "page-header-top", "entete", "bandeau", "banner", "topbar",
    "navbar", "menu", "main-menu", "navigation", "nav", "gauche", "droite", "colonne-gauche",
    "colonne-droite", "left", "right", "col-left", "col-right", "credits", "colophon",
}  # fmt: skip
_CHROME_CLASSES = {
    "footer",
    "site-footer",
    "page-footer",
    "pied",
    "bottom",
    "topbar",
    "navbar",
    "site-header",
}
_KEEP = {"html", "body", "main"}
# Headings of blocks that list other pages: their dates announce nothing here.
_RELATED_HEADING = re.compile(
    r"^(?:nos |les )?(?:(?:articles?|billets?|actualites?|publications?) (?:recent|similaire|lie"
    r"|connexe|populaire)|dernier(?:e|es|s)? (?:articles?|actualites?|publications?|nouvelles"
    r"|billets?|breves?)|(?:a )?lire aussi|voir aussi|sur le meme (?:sujet|theme)"
    r"|dans la meme rubrique|vous (?:aimerez|pourriez) aussi|autres (?:articles|actualites)"
    r"|actualites|archives?|categories|mots-cles|etiquettes|tags|partager|commentaires?)"
)
# Words of classes, ids and itemprops that mark a publication or update date.
PUBLICATION_WORDS = {
    "published", "publication", "publie", "pubdate", "posted", "postedon", "submitted",
    "created", "updated", "modified", "changed", "byline", "meta", "datepublished",
    "datemodified", "datecreated", "entry", "post", "article", "maj", "parution", "publi",
}  # fmt: skip
# What a news item is: with "date", "meta" or "info" these name its publication line
# ("entry-date", "post-meta", "article-info"); "meta" alone does not ("tribe-events-meta").
_NEWS_WORDS = {"entry", "post", "article", "node", "news", "blog", "actu", "actualite"}
_NEWS_LINE = {"date", "meta", "info", "infos"}
_PUBLICATION_STRONG = PUBLICATION_WORDS - {"entry", "post", "article", "meta"}
_EVENT_DATE = {"dtstart", "dtend", "start", "end", "debut", "fin"}
DATE_WORDS = {
    "date", "dates", "datetime", "daterange", "when", "quand", "jour", "horaire", "horaires",
    "heure", "heures", "schedule", "dtstart", "start", "debut", "time", "calendar", "periode",
}  # fmt: skip
PLACE_WORDS = {
    "lieu", "lieux", "location", "venue", "place", "adresse", "address", "ville", "city",
    "localisation", "where", "locality", "commune", "salle",
}  # fmt: skip
TITLE_WORDS = {"title", "titre", "summary", "name", "heading", "intitule"}
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?$"
)
_BASIC_ISO = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(Z)?$")
_DOCUMENTS = re.compile(
    r"\.(?:pdf|docx?|odt|xlsx?|ods|pptx?|zip|jpe?g|png|gif|mp3|mp4|ics)$", re.IGNORECASE
)


def text_of(node: LexborNode | None) -> str:
    """The node's visible text on one line."""
    if node is None:
        return ""
    return " ".join((node.text(deep=True, separator=" ") or "").split())


def words_of(node: LexborNode) -> set[str]:
    """The words of the node's class and id, lower case ("field--name-field-date" →
    field, name, date)."""
    attributes = node.attributes
    raw = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    return set(_WORD.findall(raw.lower()))


def folded(text: str) -> str:
    return " ".join(fold_chars(text).split())


def describe(node: LexborNode) -> str:
    """A short CSS-like name of an element, for explanations: `div.views-row`."""
    classes = (node.attributes.get("class") or "").split()
    element_id = node.attributes.get("id")
    name = node.tag or "?"
    if element_id and not re.search(r"\d{3,}", element_id):
        return f"{name}#{element_id}"
    return name + "".join(f".{c}" for c in classes[:2] if not re.search(r"\d", c))


def ancestors(node: LexborNode, stop: LexborNode | None = None):
    parent = node.parent
    while parent is not None and (stop is None or parent.mem_id != stop.mem_id):
        yield parent
        parent = parent.parent


def is_publication(node: LexborNode, stop: LexborNode | None = None) -> bool:
    """Whether the element (or one around it, up to `stop`) holds a publication date."""
    for element in (node, *ancestors(node, stop)):
        if element.tag in ("body", "html"):
            return False
        words = words_of(element) | _itemprop_words(element)
        if words & _EVENT_DATE:
            return False  # The Events Calendar's "published dtstart" is the event's start
        if words & _PUBLICATION_STRONG or (words & _NEWS_LINE and words & _NEWS_WORDS):
            return True
        if element.tag == "time" and "pubdate" in element.attributes:
            return True
    return False


def _itemprop_words(node: LexborNode) -> set[str]:
    value = (node.attributes.get("itemprop") or node.attributes.get("property") or "").lower()
    return set(_WORD.findall(value))


def machine_value(node: LexborNode) -> str | None:
    """An ISO 8601 date or datetime the element carries for machines, if any:
    `<time datetime>`, `content=`, `<abbr title>` (microformats), `<data value>`."""
    attributes = node.attributes
    for key in ("datetime", "content", "title", "value"):
        value = (attributes.get(key) or "").strip()
        if value and (_ISO.match(value) or _BASIC_ISO.match(value)):
            return value
    return None


def parse_iso(value: str | None) -> date | datetime | None:
    """An ISO 8601 value (also the basic form `20191207T0900`) as a date or datetime."""
    if not value:
        return None
    value = value.strip()
    basic = _BASIC_ISO.match(value)
    if basic:
        y, m, d, hh, mm, ss, zulu = basic.groups()
        value = f"{y}-{m}-{d}" + (f"T{hh}:{mm}:{ss or '00'}" if hh else "") + (zulu or "")
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return None


def web_link(node: LexborNode, base: str) -> str | None:
    """The absolute http(s) URL an anchor points to; None for anchors, mail, scripts."""
    href = (node.attributes.get("href") or "").strip()
    if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
        return None
    url = urljoin(base, href)
    return url.split("#")[0] if urlsplit(url).scheme in ("http", "https") else None


def is_document(url: str) -> bool:
    """A PDF, office file, image or calendar file: no page to read events from."""
    return bool(_DOCUMENTS.search(urlsplit(url).path))


def same_site(url: str, other: str) -> bool:
    """Same host, "www." aside."""

    def host(value: str) -> str:
        return (urlsplit(value).hostname or "").removeprefix("www.")

    return bool(host(url)) and host(url) == host(other)


def strip_chrome(tree: LexborHTMLParser) -> None:
    """Remove what surrounds a page's own content: scripts, menus, page header and
    footer, sidebars, widgets, cookie banners and "articles récents"-style blocks."""
    for node in tree.css(_CHROME_TAGS):
        node.decompose()
    for node in tree.css(_CHROME_ROLES):
        if node.tag not in _KEEP:
            node.decompose()
    for node in tree.css("header, footer"):
        if not any(a.tag in ("article", "main") for a in ancestors(node)):
            node.decompose()
    for node in tree.css("[class], [id]"):
        if node.tag not in _KEEP and _is_chrome(node) and not node.css_first("h1"):
            node.decompose()
    for heading in tree.css("h2, h3, h4, h5, .widget-title, .block-title, .block__title"):
        if _RELATED_HEADING.match(folded(text_of(heading))):
            _remove_related_block(heading)


def _is_chrome(node: LexborNode) -> bool:
    if words_of(node) & _CHROME_WORDS:
        return True
    element_id = (node.attributes.get("id") or "").lower()
    classes = (node.attributes.get("class") or "").lower().split()
    return element_id in _CHROME_NAMES or (
        node.tag == "div" and bool(classes) and classes[0] in _CHROME_CLASSES
    )


def element_children(node: LexborNode) -> list[LexborNode]:
    children, child = [], node.child
    while child is not None:
        if child.is_element_node:
            children.append(child)
        child = child.next
    return children


def _remove_related_block(heading: LexborNode) -> None:
    """The block a "Derniers articles" heading opens: its container when the heading
    leads it, else the heading and the element after it."""
    parent = heading.parent
    siblings = element_children(parent) if parent is not None else []
    if (
        parent is not None
        and parent.tag not in _KEEP | {"article"}
        and siblings
        and siblings[0].mem_id == heading.mem_id
        and not parent.css_first("h1")
    ):
        parent.decompose()
        return
    following = heading.next
    while following is not None and not following.is_element_node:
        following = following.next
    if following is not None and following.tag not in ("h1", "h2", "h3", "h4"):
        following.decompose()
    heading.decompose()


def without_chrome(html: str) -> str:
    """The page's HTML without its chrome (see `strip_chrome`), head kept."""
    tree = LexborHTMLParser(html)
    strip_chrome(tree)
    return tree.html or ""
