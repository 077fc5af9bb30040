"""`aggregator extract`: what one page yields, without storing anything."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aggregator import clock
from aggregator.api import extract_events
from aggregator.config import Config
from aggregator.errors import AggregatorError
from aggregator.fetch import Fetcher, Page
from aggregator.model import Event


def _is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


async def _page_of(target: str, fetcher: Fetcher) -> Page:
    if _is_url(target):
        return await fetcher.fetch(target)
    path = Path(target)
    if not path.is_file():
        raise AggregatorError(f"{target}: no such file, and not an http(s) URL")
    text = path.read_bytes().decode("utf-8", errors="replace")
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
        if config is None or source_id is None:
            return extract_events(page.text, url=page.final_url or None, published=published)
        source = config.source(source_id)
        if source.strategy != "css":
            return extract_events(page.text, url=page.final_url or source.url,
                                  published=published)
        harvest = Harvest(pages=1, strategy="css")
        await _harvest_css(source, config, fetcher, page, harvest)
        return events_of(harvest.raws, source, page.final_url or source.url,
                         published or clock.today())
