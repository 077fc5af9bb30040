"""`aggregator extract`: what one page yields, without storing anything."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aggregator import clock
from aggregator.api import extract_events
from aggregator.config import Config
from aggregator.crawl import Crawl, crawl
from aggregator.errors import AggregatorError
from aggregator.extract import auto
from aggregator.fetch import Fetcher, Page, decode_body
from aggregator.model import Event, RawEvent, SourceRef
from aggregator.normalise import to_event


def _is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


async def _page_of(target: str, fetcher: Fetcher) -> Page:
    if _is_url(target):
        return await fetcher.fetch(target)
    path = Path(target)
    if not path.is_file():
        raise AggregatorError(f"{target}: no such file, and not an http(s) URL")
    text = decode_body(path.read_bytes(), None)  # a saved page may be Latin-1
    return Page(url=path.resolve().as_uri(), final_url="", status=200, text=text,
                content_type="", etag=None, last_modified=None)


async def extract_target(target: str, *, published: date | None = None,
                         config: Config | None = None, source_id: str | None = None
                         ) -> list[Event]:
    """Events of a URL or a local file: with a source's configuration, or automatically."""
    from aggregator.pipeline import Harvest, _harvest_css, events_of, make_fetcher

    fetcher = make_fetcher(config) if config else Fetcher(user_agent="aggregator-extract/0.1")
    async with fetcher:
        page = await _page_of(target, fetcher)
        if (config is None or source_id is None) and _is_url(target):
            found = await _auto(target, page, fetcher, published, config)
            return _events(found.raws, target, page.final_url, published or clock.today())
        if config is None or source_id is None:
            return extract_events(page.text, url=page.final_url or None, published=published)
        source = config.source(source_id)
        if source.strategy == "auto" and _is_url(target):
            found = await _auto(target, page, fetcher, published, config)
            return events_of(found.raws, source, page.final_url or source.url,
                             published or clock.today())
        if source.strategy != "css":
            return extract_events(page.text, url=page.final_url or source.url,
                                  published=published)
        harvest = Harvest(pages=1, strategy="css")
        await _harvest_css(source, config, fetcher, page, harvest)
        return events_of(harvest.raws, source, page.final_url or source.url,
                         published or clock.today())


def _events(raws: list[RawEvent], target: str, page_url: str, reference: date) -> list[Event]:
    source = SourceRef(id="page", name=target, url=page_url)
    events = (to_event(raw, source=source, region=None, tags=(), page_url=page_url,
                       reference=reference) for raw in raws)
    return [event for event in events if event is not None]


async def _auto(target: str, page: Page, fetcher: Fetcher, published: date | None,
                config: Config | None) -> Crawl:
    """What `strategy: auto` yields from a URL (links followed) or a file (the page alone)."""
    if _is_url(target):
        max_pages = config.settings.max_pages if config else 20
        return await crawl(fetcher, page, today=clock.today(), max_pages=max_pages,
                           published=published)
    found = auto.extract(page.text, page.final_url or page.url, content_type=page.content_type,
                         published=published, today=clock.today())
    return Crawl(raws=found.events, notes=found.notes, rejected=found.rejected,
                 strategy=found.strategy)


async def explain_target(target: str, *, published: date | None = None,
                         config: Config | None = None) -> str:
    """A readable report of what automatic extraction finds in a URL or file, and why."""
    from aggregator.explanation import report
    from aggregator.pipeline import make_fetcher

    fetcher = make_fetcher(config) if config else Fetcher(user_agent="aggregator-extract/0.1")
    async with fetcher:
        page = await _page_of(target, fetcher)
        found = await _auto(target, page, fetcher, published, config)
    return report(target, found.raws, found.notes, found.rejected, strategy=found.strategy,
                  pages=found.pages, page_url=page.final_url or page.url,
                  reference=published or clock.today(), today=clock.today())
