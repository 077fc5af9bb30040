"""The `auto` strategy: choose the best reading of a page nobody configured.

Order of trust, first that finds events wins:

1. the page is itself a feed (ICS, RSS/Atom);
2. structured data: schema.org Event in JSON-LD, microdata or RDFa lite,
   microformats h-event / hCalendar. The prose around an event fills what its
   data lacks (a place: "à Grenoble");
3. a listing (repeated blocks with links and dates, or an agenda table): its
   blocks give list-level events, and the pipeline follows their links;
4. an event page whose fields show its date (and place) under its title;
5. the French text of the page (news posts: one or several events);
6. a linked RSS/Atom feed, when the page itself shows no event.

A calendar the page links to (`<link rel=alternate type=text/calendar>`, The
Events Calendar's "Exporter les événements") beats any reading of the page:
`follow` names it, and the pipeline reads it instead, or falls back on the
page's own reading when it cannot.

Pure: no network, no clock; `today` is an argument (for what is past).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from selectolax.lexbor import LexborHTMLParser

from aggregator.extract import ics, jsonld, microdata, microformats, prose, rss
from aggregator.extract._html import folded, text_of, without_chrome
from aggregator.extract.autofill import calendar_link, filled, prose_notes, prose_rejections
from aggregator.extract.explain import Explained, Rejected, structured
from aggregator.extract.listing import Listing, find_listing, next_page
from aggregator.extract.listitems import item_event, item_rejection
from aggregator.extract.pagefields import read_event_page
from aggregator.model import RawEvent


@dataclass(frozen=True, kw_only=True)
class AutoResult:
    events: list[RawEvent]
    strategy: str
    follow: tuple[str, str] | None = None  # (kind, url) of a feed worth fetching instead
    notes: list[Explained] = field(default_factory=list)  # one per event, same order
    rejected: list[Rejected] = field(default_factory=list)
    listing: Listing | None = None  # blocks whose pages the pipeline may follow
    next_url: str | None = None  # the next page of a listing
    published: date | None = None  # the page's publication date, when it gives one


def looks_like_ics(text: str, content_type: str = "") -> bool:
    return content_type == "text/calendar" or text.lstrip("\ufeff \r\n\t").startswith(
        "BEGIN:VCALENDAR"
    )


def looks_like_feed(text: str, content_type: str = "") -> bool:
    if content_type in ("application/rss+xml", "application/atom+xml"):
        return True
    head = text.lstrip("\ufeff \r\n\t")[:500].lower()
    return head.startswith("<?xml") and ("<rss" in head or "<feed" in head or "<rdf" in head)


def extract(
    text: str,
    url: str,
    *,
    content_type: str = "",
    published: date | None = None,
    today: date | None = None,
    like: Listing | None = None,
) -> AutoResult:
    """Events of one page by the best strategy that finds any. `like` is the listing
    of the page before, when this page is the next page of a listing."""
    if looks_like_ics(text, content_type) or looks_like_feed(text, content_type):
        return read_feed(text, url, "ics" if looks_like_ics(text, content_type) else "rss")
    published = published or prose.publication_date(without_chrome(text))
    calendar = calendar_link(text, url)
    # A linked calendar is read instead when it can be; the page's own reading
    # stands when it cannot.
    follow = ("ics", calendar) if calendar else None
    found = _structured(text, url, published)
    if found.events:
        return replace(found, follow=follow, next_url=None if calendar else next_page(text, url))
    reference = published or today
    listing = find_listing(text, url, reference, by_reference=published is not None, like=like)
    if listing is not None:
        return replace(_listing_result(listing, url, published), follow=follow)
    found = read_page(text, url, published=published, today=today)
    if found.events or follow:
        return replace(found, follow=follow)
    links = [link for link in rss.feed_links(text, url) if link[0] == "rss"]
    if links:
        return replace(found, strategy="rss", follow=links[0])
    return found


def read_feed(text: str, url: str, kind: str) -> AutoResult:
    """Events of an ICS or RSS/Atom document, each explained by the property it came from."""
    read = ics.extract(text, url) if kind == "ics" else rss.extract(text, url)
    events, notes = [], []
    for event in read:
        completed, origins = (
            filled(event, event.description or "") if kind == "ics" else (event, {})
        )
        events.append(completed)
        notes.append(structured(kind, url, _present(event)).adding(origins))
    return AutoResult(events=events, strategy=kind, notes=notes)


def read_page(
    text: str,
    url: str,
    *,
    published: date | None = None,
    today: date | None = None,
    fill: bool = True,
) -> AutoResult:
    """Events of one event or news page (a listing's detail page): structured data,
    else the date fields under its title, else its French text. With `fill` false, an
    event page's text does not complete its place (its listing block may)."""
    published = published or prose.publication_date(without_chrome(text))
    found = _structured(text, url, published)
    if found.events:
        return found
    reference = published or today
    page = read_event_page(
        text, url, reference, by_reference=published is not None, published=published
    )
    if page is not None:
        note = Explained(strategy="page fields", page=url).adding(page.origins)
        event, origins = filled(page.event, main_text(text)) if fill else (page.event, {})
        return AutoResult(
            events=[event],
            strategy="page fields",
            notes=[note.adding(origins)],
            published=published,
        )
    events = prose.extract(without_chrome(text), url, published=published)
    completed = [filled(event, event.description or event.date_text or "") for event in events]
    notes = prose_notes([e for e, _ in completed], url, published or today)
    notes = [note.adding(origins) for note, (_, origins) in zip(notes, completed, strict=True)]
    return AutoResult(
        events=[e for e, _ in completed],
        strategy="prose",
        notes=notes,
        rejected=prose_rejections(text, url, [e for e, _ in completed], published or today),
        published=published,
    )


def _structured(text: str, url: str, published: date | None) -> AutoResult:
    """schema.org events in JSON-LD, microdata, RDFa; h-event and hCalendar; duplicates
    (the same event in two syntaxes) once, prose filling a missing place."""
    found: list[tuple[RawEvent, str]] = []
    if jsonld.has_events(text):
        events = jsonld.extract(text, url)
        scope = main_text(text) if len(events) == 1 else ""
        found += [(event, scope or (event.description or "")) for event in events]
    if microdata.has_events(text):
        found += [(i.event, text_of(i.element)) for i in microdata.extract(text, url)]
    if microformats.has_events(text):
        found += [(i.event, text_of(i.element)) for i in microformats.extract(text, url)]
    events, notes, seen = [], [], set()
    for event, scope in found:
        key = (folded(event.title), str(event.start)[:10])
        if key in seen:
            continue
        seen.add(key)
        completed, origins = filled(event, scope)
        events.append(completed)
        notes.append(structured(event.strategy, url, _present(event)).adding(origins))
    strategy = "+".join(dict.fromkeys(e.strategy for e in events)) or "none"
    return AutoResult(events=events, strategy=strategy, notes=notes, published=published)


def main_text(html: str) -> str:
    """The text of the page's main content (chrome removed), where prose looks for what
    structured data lacks."""
    root = prose.main_content(LexborHTMLParser(without_chrome(html)))
    return text_of(root)[:3000] if root is not None else ""


def _present(event: RawEvent) -> set[str]:
    present = {
        name for name in ("title", "start", "end", "registration_url") if getattr(event, name)
    }
    if event.venue or event.city or event.address:
        present.add("place")
    if event.status.value != "scheduled":
        present.add("status")
    return present


def _listing_result(listing: Listing, url: str, published: date | None) -> AutoResult:
    events, notes, rejected = [], [], []
    for item in listing.items:
        event = item_event(item, url)
        if event is None:
            rejected.append(item_rejection(item, url))
        else:
            events.append(event[0])
            notes.append(event[1])
    return AutoResult(
        events=events,
        strategy="listing",
        notes=notes,
        rejected=rejected,
        listing=listing,
        next_url=listing.next_url,
        published=published,
    )
