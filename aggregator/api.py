"""Public functions that compose the stages for callers outside the pipeline."""

from __future__ import annotations

from datetime import date

from aggregator import clock
from aggregator.extract import auto
from aggregator.extract.prose import publication_date
from aggregator.fetch.htmlguard import bounded_html
from aggregator.model import Event, SourceRef
from aggregator.normalise import to_event

PAGE_SOURCE = SourceRef(id="page", name="page", url="")


def extract_events(html: str, *, url: str | None = None,
                   published: date | None = None) -> list[Event]:
    """Every event that automatic extraction finds in one page, past ones included.

    Dates without a year are read relative to `published`, else the page's
    own publication date, else today.
    """
    html = bounded_html(html)
    page_url = url or ""
    # Extraction gets no stand-in for an unknown publication date: with today as
    # its reference it would take every date before today for a past one.
    known = published or publication_date(html)
    reference = known or clock.today()
    found = auto.extract(html, page_url, published=known)
    source = SourceRef(id="page", name=url or "page", url=page_url)
    events = (to_event(raw, source=source, region=None, tags=(), page_url=page_url,
                       reference=reference) for raw in found.events)
    return [e for e in events if e is not None]
