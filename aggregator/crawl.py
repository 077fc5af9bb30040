"""Fetch what an `auto` source's first page leads to: a linked calendar, a
listing's next pages and its blocks' detail pages.

`auto.extract` reads one page and says what is worth fetching; this module
fetches it (through the Fetcher only), reads each page with the pure
extractors and merges list- and detail-level information. Bounds: at most
`max_pages` listing pages, stopping at the first page whose events are all
past; at most MAX_DETAIL_PAGES detail pages, on the same site only, never
for a block whose event is over.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import date

from aggregator.errors import ExtractError, FetchError
from aggregator.extract import auto
from aggregator.extract._html import is_document, same_site
from aggregator.extract.autofill import filled
from aggregator.extract.explain import Explained, Rejected, rejected
from aggregator.extract.listitem import Item
from aggregator.extract.listitems import item_rejection, merged, past_reason, start_day
from aggregator.fetch import Fetcher, Page
from aggregator.identity import canonical_url, fold
from aggregator.model import RawEvent

log = logging.getLogger(__name__)

MAX_DETAIL_PAGES = 60
NEWS_DAYS = 120  # a news post older than this announces nothing to come


@dataclass(kw_only=True)
class Crawl:
    """What an auto source's pages yielded, with the explanation of each event."""

    raws: list[RawEvent] = field(default_factory=list)
    notes: list[Explained] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    pages: int = 1
    strategy: str = ""

    def add(self, events: list[RawEvent], notes: list[Explained]) -> None:
        self.raws += events
        self.notes += notes


async def crawl(
    fetcher: Fetcher, page: Page, *, today: date, max_pages: int, published: date | None = None
) -> Crawl:
    """Events of an auto source whose first page is `page`."""
    found = auto.extract(
        page.text, page.final_url, content_type=page.content_type, published=published, today=today
    )
    result = Crawl(strategy=found.strategy, rejected=[] if found.listing else list(found.rejected))
    if found.follow and await _read_feed(fetcher, found, result):
        return result
    pages = [(found, page.final_url)]
    pages += await _next_pages(fetcher, found, result, today, max_pages, published)
    if found.listing is None:
        for one, _ in pages:
            result.add(one.events, one.notes)
        return result
    items: dict[str, tuple[Item, str]] = {}
    for one, url in pages:
        if one.listing is None:  # a next page read another way (its own JSON-LD…)
            result.add(one.events, one.notes)
        for item in one.listing.items if one.listing else []:
            items.setdefault(item.url or f"{url}#{item.where}", (item, url))
    await _read_items(fetcher, list(items.values()), result, today)
    return result


async def _read_feed(fetcher: Fetcher, found: auto.AutoResult, result: Crawl) -> bool:
    """Read the calendar or feed the page links to; False when it gives nothing."""
    kind, url = found.follow or ("", "")
    log.info("the page links to its %s feed %s: reading that instead", kind, url)
    try:
        feed = await fetcher.fetch(url)
    except FetchError as exc:
        log.warning("could not read the linked %s feed, reading the page itself: %s", kind, exc)
        return False
    result.pages += 1
    try:
        read = auto.read_feed(feed.text, feed.final_url, kind)
    except ExtractError as exc:
        log.warning("the linked %s feed is unreadable, reading the page itself: %s", kind, exc)
        return False
    if not read.events:
        return False
    result.strategy = f"{kind} (linked from the page)"
    result.add(read.events, read.notes)
    return True


async def _next_pages(
    fetcher: Fetcher,
    first: auto.AutoResult,
    result: Crawl,
    today: date,
    max_pages: int,
    published: date | None,
) -> list[tuple[auto.AutoResult, str]]:
    """The listing's following pages, each with its URL, until the last, the cap, or a
    page whose events are all past."""
    pages: list[tuple[auto.AutoResult, str]] = []
    current, seen = first, set()
    while current.next_url and current.next_url not in seen and result.pages < max_pages:
        if _all_past(current, today):
            log.info("stopped before %s: every event of the page before is past", current.next_url)
            break
        seen.add(current.next_url)
        try:
            page = await fetcher.fetch(current.next_url)
        except FetchError as exc:
            log.warning("listing page skipped: %s", exc)
            break
        result.pages += 1
        current = auto.extract(
            page.text, page.final_url, published=published, today=today, like=current.listing
        )
        pages.append((current, page.final_url))
    return pages


def _all_past(found: auto.AutoResult, today: date) -> bool:
    """Whether a listing page shows only what is over (a listing in reverse date order
    goes on with older pages): every dated block or event is past."""
    if found.listing is not None:
        reasons = [
            past_reason(item, today, NEWS_DAYS)
            for item in found.listing.items
            if item.dates is not None or item.publication is not None or item.kinds
        ]
        return bool(reasons) and all(reasons)
    starts = [e.start for e in found.events if e.start is not None]
    days = [s.date() if hasattr(s, "date") else s for s in starts]
    return bool(days) and max(days) < today


async def _read_items(
    fetcher: Fetcher, items: list[tuple[Item, str]], result: Crawl, today: date
) -> None:
    """Follow each block's page (same site, not past, bounded) and merge both levels."""
    to_fetch: list[tuple[Item, str]] = []
    for item, page_url in items:
        reason = past_reason(item, today, NEWS_DAYS)
        if reason:
            result.rejected.append(rejected(page_url, item.where, item.title or item.text, reason))
        elif _followable(item, page_url) and len(to_fetch) < MAX_DETAIL_PAGES:
            to_fetch.append((item, page_url))
        else:
            _add_merged(result, item, page_url, [], [])
    details = await asyncio.gather(
        *(_detail(fetcher, item, today) for item, _ in to_fetch), return_exceptions=True
    )
    result.pages += len(details)
    for (item, page_url), read in zip(to_fetch, details, strict=True):
        if isinstance(read, FetchError):
            log.warning("an event page could not be read, using its listing block: %s", read)
            _add_merged(result, item, page_url, [], [])
        elif isinstance(read, BaseException):
            raise read
        else:
            detail, scope = read
            result.rejected += detail.rejected
            _add_merged(
                result, item, page_url, detail.events, detail.notes, followed=True, scope=scope
            )


async def _detail(fetcher: Fetcher, item: Item, today: date) -> tuple[auto.AutoResult, str]:
    """A block's page read as soon as it arrives (its text is not kept until the last
    page): what it says, and its main text."""
    page = await fetcher.fetch(item.url or "")
    detail = auto.read_page(
        page.text, page.final_url, published=item.publication, today=today, fill=False
    )
    return detail, auto.main_text(page.text)


def _followable(item: Item, page_url: str) -> bool:
    return (
        bool(item.url)
        and same_site(item.url or "", page_url)
        and not is_document(item.url or "")
        and item.url != page_url
    )


def _add_merged(
    result: Crawl,
    item: Item,
    page_url: str,
    events: list[RawEvent],
    notes: list[Explained],
    *,
    followed: bool = False,
    scope: str = "",
) -> None:
    """The block's events (with its page's); the page's text fills a place both lack."""
    found, found_notes = merged(item, page_url, events, notes)
    if scope:
        completed = [filled(event, scope) for event in found]
        found = [event for event, _ in completed]
        found_notes = [
            n.adding(origins) for n, (_, origins) in zip(found_notes, completed, strict=True)
        ]
    found = _told_apart(found)
    if not found:
        result.rejected.append(item_rejection(item, page_url, followed=followed))
    result.add(found, found_notes)


def _told_apart(events: list[RawEvent]) -> list[RawEvent]:
    """Events of one page that announces several (a news post) all carry the page's URL,
    which names none of them: each gets a uid from the page, its title and its day."""
    urls = [event.url for event in events]
    return [
        dataclasses.replace(event, uid=_page_key(event))
        if urls.count(event.url) > 1 and not event.uid
        else event
        for event in events
    ]


def _page_key(event: RawEvent) -> str:
    day = start_day(event)
    return f"{canonical_url(event.url or '')}#{fold(event.title)}|{day or ''}"
