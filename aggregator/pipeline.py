"""The one place that runs the stages in order for a source.

fetch → extract → normalise → store → dedup. A source's failure (network, HTTP
error, unreadable page) becomes a recorded run, never an exception, and
never touches the events stored before (feedparser's "bozo" habit).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from aggregator import clock, dedup
from aggregator.config import Config, EventSelectors, Source
from aggregator.crawl import crawl
from aggregator.errors import AggregatorError, FetchError, RobotsDisallowed
from aggregator.extract import css, ics, jsonld, rss
from aggregator.fetch import Fetcher, Page, Validators
from aggregator.model import Event, RawEvent, SourceRef
from aggregator.normalise import to_event
from aggregator.store import RunRecord, Store

log = logging.getLogger(__name__)

MAX_DETAIL_PAGES = 200
MAX_CONCURRENT_SOURCES = 8


@dataclass(kw_only=True)
class Harvest:
    """What one source's pages yielded before normalisation."""

    raws: list[RawEvent] = field(default_factory=list)
    pages: int = 0
    unchanged: bool = False
    strategy: str = ""
    validators: tuple[str, str | None, str | None] | None = None  # (url, etag, last-modified)
    http_status: int | None = None  # of the source's own page
    moved_to: str | None = None  # where a 301/308 sent the source's URL


@dataclass(frozen=True, kw_only=True, slots=True)  # slots: scrape() returns one per source
class SourceResult:
    source_id: str
    result: str  # ok | unchanged | failed
    events: int = 0
    new: int = 0
    updated: int = 0
    pages: int = 0
    error: str | None = None
    warning: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        if self.result in ("failed", "skipped"):
            return f"{self.source_id}: {self.result.upper()} — {self.error}"
        if self.result == "unchanged":
            return f"{self.source_id}: unchanged since last run"
        line = (f"{self.source_id}: {self.events} events ({self.new} new, {self.updated} updated)"
                f" from {self.pages} pages in {self.seconds:.1f}s")
        return f"{line} — warning: {self.warning}" if self.warning else line


def make_fetcher(config: Config) -> Fetcher:
    s = config.settings
    return Fetcher(user_agent=s.user_agent, timeout=s.timeout, delay=s.delay, retries=s.retries)


async def scrape(config: Config, store: Store, ids: Sequence[str] = (), *,
                 fetcher: Fetcher | None = None,
                 on_result: Callable[[SourceResult], None] | None = None) -> list[SourceResult]:
    """Run every enabled source (or the named ones) once; results in config order.

    MAX_CONCURRENT_SOURCES workers take the sources in turn; each source's run is
    stored as it ends and its pages and events dropped, so memory does not grow
    with the number of sources. Duplicates across sources are merged once, after
    the last source.
    """
    sources = [config.source(i) for i in ids] if ids else [
        s for s in config.sources if s.enabled]
    results: list[SourceResult | None] = [None] * len(sources)
    todo = iter(enumerate(sources))  # shared by the workers: each source is taken once

    async def worker(fetcher: Fetcher) -> None:
        for index, source in todo:
            result = results[index] = await run_source(source, config, store, fetcher,
                                                       merge=False)
            if on_result:
                on_result(result)

    async def run_all(fetcher: Fetcher) -> None:
        workers = min(MAX_CONCURRENT_SOURCES, len(sources))
        await asyncio.gather(*(worker(fetcher) for _ in range(workers)))

    if fetcher is not None:
        await run_all(fetcher)
    else:
        async with make_fetcher(config) as own:
            await run_all(own)
    _merge_duplicates(config, store)
    return [result for result in results if result is not None]


async def run_source(source: Source, config: Config, store: Store,
                     fetcher: Fetcher, *, merge: bool = True) -> SourceResult:
    """Scrape one source and record the run, whatever happens; then, with `merge`,
    merge the duplicates its new announcements make with other sources'."""
    started = clock.now()
    try:
        harvest = await harvest_source(source, config, store, fetcher)
    except RobotsDisallowed as exc:
        return _record_failure(source, store, started,
                               f"{exc}; the site asks robots not to read this page: remove the "
                               "source or ask the site's owner to allow it", result="skipped")
    except AggregatorError as exc:
        return _record_failure(source, store, started, str(exc),
                               getattr(exc, "status_code", None))
    except Exception as exc:  # a bug or an unforeseen page must not stop the other sources
        log.exception("%s: unexpected error", source.id)
        return _record_failure(source, store, started, f"internal error: {exc!r}")
    result = _record_success(source, config, store, started, harvest)
    if merge:
        _merge_duplicates(config, store)
    return result


def _merge_duplicates(config: Config, store: Store) -> None:
    """dedup: recluster the days this run changed, so feeds show each event once.

    A failure here must not fail the source's run: its announcements are
    stored, and the next refresh (next run, or the next feed read) retries.
    """
    try:
        dedup.refresh(store, dedup.settings_of(config), now=clock.now())
    except Exception:
        log.exception("dedup: could not merge duplicate announcements; the next run retries")


def _record_failure(source: Source, store: Store, started: datetime, error: str,
                    http_status: int | None = None, result: str = "failed") -> SourceResult:
    log.warning("%s: run %s: %s", source.id, result, error)
    finished = clock.now()
    store.save_run(RunRecord(source_id=source.id, started=started, finished=finished,
                             result=result, error=error, http_status=http_status))
    return SourceResult(source_id=source.id, result=result, error=error,
                        seconds=(finished - started).total_seconds())


def events_of(raws: Sequence[RawEvent], source: Source, page_url: str,
              reference: date) -> list[Event]:
    ref = SourceRef(id=source.id, name=source.name, url=source.url)
    events = (to_event(raw, source=ref, region=source.region, tags=tuple(source.tags),
                       page_url=page_url, reference=reference) for raw in raws)
    return [e for e in events if e is not None]


def _record_success(source: Source, config: Config, store: Store, started: datetime,
                    harvest: Harvest) -> SourceResult:
    finished = clock.now()
    if harvest.unchanged:
        store.save_run(RunRecord(source_id=source.id, started=started, finished=finished,
                                 result="unchanged", pages=harvest.pages,
                                 http_status=harvest.http_status))
        log.info("%s: unchanged (304)", source.id)
        return SourceResult(source_id=source.id, result="unchanged", pages=harvest.pages,
                            seconds=(finished - started).total_seconds())
    events = events_of(harvest.raws, source, source.url, started.date())
    warning = "; ".join(filter(None, [_moved_warning(harvest),
                                      _breakage_warning(source, store, events)])) or None
    run = RunRecord(source_id=source.id, started=started, finished=finished, result="ok",
                    pages=harvest.pages, events=len(events), warning=warning,
                    http_status=harvest.http_status)
    counts = store.save_run(run, events, now=finished)
    if harvest.validators:
        store.save_validators(*harvest.validators, now=finished)
    log.info("%s: %d events (%d new, %d updated) via %s from %d pages", source.id, len(events),
             counts.new, counts.updated, harvest.strategy, harvest.pages)
    return SourceResult(source_id=source.id, result="ok", events=len(events), new=counts.new,
                        updated=counts.updated, pages=harvest.pages, warning=warning,
                        seconds=(finished - started).total_seconds())


def _moved_warning(harvest: Harvest) -> str | None:
    if harvest.moved_to:
        return (f"the page has moved permanently to {harvest.moved_to}: "
                "write that address as the source's url in sources.yaml")
    return None


def _breakage_warning(source: Source, store: Store, events: list[Event]) -> str | None:
    """A source that yielded events before and none now has probably changed its layout."""
    if events:
        return None
    last = store.last_good_run(source.id)
    if last and last["events"]:
        return (f"no events found, the last good run found {last['events']}: "
                "the page layout may have changed (earlier events are kept)")
    # After a 304 run or an earlier empty run the last good run counts none: the
    # events kept from before still say the source used to yield some.
    stored = store.count_events(source.id)
    if stored:
        return (f"no events found, {stored} events of earlier runs are kept: "
                "the page layout may have changed")
    return None


# --- harvesting: fetch and extract, per strategy -----------------------------------


async def harvest_source(source: Source, config: Config, store: Store,
                         fetcher: Fetcher) -> Harvest:
    etag, modified = store.validators(source.url)
    page = await fetcher.fetch(source.url, Validators(etag=etag, last_modified=modified))
    harvest = Harvest(pages=1, strategy=source.strategy, http_status=page.status,
                      validators=(source.url, page.etag, page.last_modified),
                      moved_to=page.permanent_redirect)
    if page.not_modified:
        harvest.unchanged = True
        return harvest
    if source.strategy == "css":
        await _harvest_css(source, config, fetcher, page, harvest)
    elif source.strategy == "auto":
        await _harvest_auto(source, config, fetcher, page, harvest)
    else:
        harvest.raws = _extract_with(source.strategy, page)
    return harvest


def _extract_with(strategy: str, page: Page) -> list[RawEvent]:
    readers = {"ics": ics.extract, "rss": rss.extract, "jsonld": jsonld.extract}
    return readers[strategy](page.text, page.final_url)


async def _harvest_auto(source: Source, config: Config, fetcher: Fetcher, page: Page,
                        harvest: Harvest) -> None:
    """Automatic extraction: a linked calendar, a listing's pages and detail pages,
    or the page itself (see `crawl`)."""
    found = await crawl(fetcher, page, today=clock.today(),
                        max_pages=source.max_pages or config.settings.max_pages)
    harvest.strategy = found.strategy
    harvest.raws = found.raws
    harvest.pages = found.pages


async def _harvest_css(source: Source, config: Config, fetcher: Fetcher, first: Page,
                       harvest: Harvest) -> None:
    max_pages = source.max_pages or config.settings.max_pages
    items: list[tuple[css.ListItem, str]] = []
    page: Page | None = first
    seen = {first.final_url}
    while page is not None:
        found, next_url = css.parse_listing(page.text, page.final_url, source.list)
        items += [(item, page.final_url) for item in found]
        page = None
        if next_url and next_url not in seen and harvest.pages < max_pages:
            seen.add(next_url)
            page = await fetcher.fetch(next_url)
            harvest.pages += 1
    if source.event is None:
        harvest.raws = [css.item_event(item, url) for item, url in items]
        return
    details = [item for item, _ in items if item.url][:MAX_DETAIL_PAGES]
    read = await asyncio.gather(*(_detail(fetcher, item, source.event) for item in details),
                                return_exceptions=True)
    harvest.pages += len(read)
    for raw in read:
        if isinstance(raw, FetchError):
            log.warning("%s: skipped a detail page: %s", source.id, raw)
        elif isinstance(raw, BaseException):
            raise raw
        else:
            harvest.raws.append(raw)
    failed = sum(isinstance(r, BaseException) for r in read)
    if details and failed == len(details):
        raise FetchError(source.url, f"none of the {failed} event pages could be fetched "
                         f"(first error: {next(r for r in read if isinstance(r, BaseException))})")


async def _detail(fetcher: Fetcher, item: css.ListItem, selectors: EventSelectors) -> RawEvent:
    """An event page read as soon as it arrives, so its text is not kept until the last."""
    page = await fetcher.fetch(item.url or "")
    return css.parse_detail(page.text, page.final_url, selectors, item)
