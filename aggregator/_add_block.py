"""The text `aggregator add` proposes: the source's id and name, and its YAML block.

Part of add.py; pure (no network, no clock): the probe's findings in, text out.
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from html import unescape
from urllib.parse import urlsplit

import yaml
from selectolax.lexbor import LexborHTMLParser

from aggregator.extract.auto import looks_like_feed, looks_like_ics
from aggregator.model import Event, Precision, Status, When

SHOWN = 3  # events listed in the block's comments
_TITLE_WIDTH = 70
_NAME_WIDTH = 120
_ID_WIDTH = 30

# How `auto` read the events, by the strategy names of `crawl`.
_METHODS = {
    "jsonld": "schema.org Event data (JSON-LD)",
    "microdata": "schema.org Event microdata",
    "rdfa": "schema.org Event RDFa",
    "microformats": "h-event microformats",
    "listing": "a listing of blocks with dates (and the events' own pages)",
    "page fields": "the date fields under the page's title",
    "prose": "the French text of the page",
}
_FEEDS = {"ics": "iCalendar feed", "rss": "RSS or Atom feed"}

# Separators between a page's and its site's names in a <title>: strong ones
# first ("Agenda | IREV – centre de ressources" keeps the dash inside the name).
_STRONG = re.compile(r"\s+[|·»]\s+|\s*::\s*")
_DASHES = re.compile(r"\s+[–—-]\s+")
_GENERIC = re.compile(
    r"(?:accueil|home|agenda|calendrier|evenements?|actualites?|news|rencontres"
    r"|manifestations|archives?|page)\b"
)
# Second-level domains whose label says nothing: www.cohesion-territoires.gouv.fr
_SECOND_LEVEL = {"gouv", "asso", "com", "org", "net", "co", "ac"}


@dataclass(frozen=True, kw_only=True)
class Probe:
    """What probing one address found."""

    url: str  # the address the source should read
    page_url: str  # the address probed, after redirects
    name: str
    strategy: str  # auto | ics | rss
    method: str  # how the events were read (crawl's strategy)
    linked: bool  # `url` is a feed the page at `page_url` links
    events: list[Event]
    pages: int


# --- naming --------------------------------------------------------------------------


def site_name(text: str, url: str) -> str:
    """The site's name as its page (or feed) declares it, else its host name."""
    host = urlsplit(url).hostname or url
    label = _host_label(url) or ""
    for candidate in _declared_names(text):
        name = _site_part(" ".join(candidate.split()), label)
        if name:
            return _shortened(name, _NAME_WIDTH)
    return host.removeprefix("www.")


def _declared_names(text: str) -> list[str]:
    if looks_like_ics(text):
        return re.findall(r"^X-WR-CALNAME:(.+?)\r?$", text, re.MULTILINE)[:1]
    if looks_like_feed(text):
        found = re.search(r"<title[^>]*>(.*?)</title>", text, re.DOTALL)
        title = re.sub(r"<!\[CDATA\[(.*?)\]\]>", r"\1", found[1], flags=re.DOTALL) if found else ""
        return [unescape(re.sub(r"<[^>]+>", "", title))]
    tree = LexborHTMLParser(text)
    names = [
        node.attributes.get("content") or ""
        for node in tree.css('meta[property="og:site_name"], meta[name="application-name"]')
    ]
    title = tree.css_first("title")
    return [*names, title.text() if title else ""]


def _site_part(title: str, host_label: str) -> str:
    """The part of a title that names the site: "Événements à venir – IRDSU" → IRDSU."""
    for separators in (_STRONG, _DASHES):
        parts = [part.strip() for part in separators.split(title) if part.strip()]
        if len(parts) > 1:
            return _best_part(parts, host_label)
    return "" if _GENERIC.fullmatch(_folded(title).strip()) else title


def _best_part(parts: list[str], host_label: str) -> str:
    """The part the host name spells, else the last that is not a page word (WordPress
    and Drupal titles end with the site's name)."""
    for part in parts:
        squeezed = re.sub(r"[^a-z0-9]", "", _folded(part))
        if host_label and squeezed and (host_label.replace("-", "") in squeezed):
            return part
    named = [part for part in parts if not _GENERIC.match(_folded(part))]
    return (named or parts)[-1]


def source_id(probe: Probe, existing: Mapping[str, str]) -> str:
    """A short id from the host name ("www.labo-cites.org" → labo-cites), else from the
    site's name; numbered when the sources file already has it."""
    base = _host_label(probe.page_url) or _slug(probe.name) or "source"
    candidate, number = base, 2
    while candidate in existing:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _host_label(url: str) -> str | None:
    """The telling label of a host name; None for an address or localhost."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host == "localhost" or "." not in host or _is_address(host):
        return None
    labels = host.split(".")
    label = labels[-3] if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL else labels[-2]
    return _slug(label) or None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _slug(text: str) -> str:
    """Lowercase a-z, digits and '-', cut at a word near _ID_WIDTH characters.

    >>> _slug("Réseau DSU Auvergne-Rhône-Alpes")
    'reseau-dsu-auvergne-rhone'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", _folded(text)).strip("-")
    while len(slug) > _ID_WIDTH and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:_ID_WIDTH]


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


# --- the block -----------------------------------------------------------------------


def source_block(probe: Probe, source_id: str, existing: Mapping[str, str], today: date) -> str:
    """The YAML to paste under `sources:`, with what the probe found as comments."""
    lines = [
        f"  - id: {source_id}",
        f"    name: {_scalar(probe.name)}",
        f"    url: {_scalar(probe.url)}",
        f"    strategy: {probe.strategy}",
        "    # optional: region: Hauts-de-France, tags: [politique-de-la-ville]",
    ]
    comments = _same_address(probe, existing) + _found(probe, today)
    return "\n".join(lines + [f"    # {line}".rstrip() for line in comments]) + "\n"


def _same_address(probe: Probe, existing: Mapping[str, str]) -> list[str]:
    same = [i for i, url in existing.items() if url.strip() in (probe.url, probe.page_url)]
    return [f"note: source '{i}' already reads this address" for i in same]


def _found(probe: Probe, today: date) -> list[str]:
    pages = f"{probe.pages} page{'s' if probe.pages > 1 else ''} fetched"
    if not probe.events:
        return [
            f"aggregator add, {today}: no events found ({pages}).",
            f"See why with: aggregator extract --explain {probe.page_url}",
            "If the page lists events, strategy css with list and event selectors can read it.",
        ]
    over = sum(_day(event.end or event.start) < today for event in probe.events)
    count = _plural(len(probe.events), "event") + (f" ({over} already over)" if over else "")
    lines = [*_how(probe), f"aggregator add, {today}: {count}, {pages}:"]
    shown = _shown(probe.events, today)
    width = max(len(_when(event)) for event in shown)
    lines += [f"  {_when(event):<{width}}  {_title(event)}" for event in shown]
    if len(probe.events) > len(shown):
        more = len(probe.events) - len(shown)
        lines.append(f"  … and {more} more: aggregator extract {probe.url}")
    return lines


def _how(probe: Probe) -> list[str]:
    """Which strategy, and why."""
    feed = _FEEDS.get(probe.strategy)
    if probe.linked:
        return [
            f"strategy {probe.strategy}: the page {probe.page_url} links this {feed};",
            f"strategy auto with the page's url reads it too, and the page if the {feed} goes",
        ]
    if feed:
        return [f"strategy {probe.strategy}: this address is an {feed}"]
    methods = [_METHODS.get(part, part) for part in probe.method.split("+")]
    return [f"strategy auto: read from {' and '.join(methods)}"]


def _shown(events: list[Event], today: date) -> list[Event]:
    """The first coming events, else the latest past ones."""
    ordered = sorted(events, key=lambda event: (_day(event.start), event.title))
    coming = [event for event in ordered if _day(event.end or event.start) >= today]
    return coming[:SHOWN] if coming else ordered[-SHOWN:]


def _when(event: Event) -> str:
    start = event.start
    if event.precision == Precision.MONTH:
        text = f"{start:%Y-%m}"
    elif event.alternatives:
        text = " or ".join(day.isoformat() for day in event.alternatives)
    elif isinstance(start, datetime):
        text = f"{start:%Y-%m-%d %H:%M}"
    elif event.end is not None and _day(event.end) != start:
        text = f"{start} to {_day(event.end)}"
    else:
        text = start.isoformat()
    return text if event.status == Status.SCHEDULED else f"{text} ({event.status.value})"


def _title(event: Event) -> str:
    return _shortened(" ".join(event.title.split()), _TITLE_WIDTH)


def _day(when: When) -> date:
    return when.date() if isinstance(when, datetime) else when


def _shortened(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _scalar(text: str) -> str:
    """Text as a YAML value: plain when YAML reads it back unchanged, else quoted.

    >>> _scalar("Labo Cités"), _scalar("Agenda: 2020"), _scalar("yes")
    ('Labo Cités', '"Agenda: 2020"', '"yes"')
    """
    try:
        plain = bool(text) and yaml.safe_load(f"key: {text}") == {"key": text}
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)
