"""`aggregator check --online`: fetch each source's page once, before any scrape.

A mistyped or dead URL otherwise shows only at the first scrape, as a failed
run. Here each unreachable source becomes one line in the form of the
configuration problems, `FILE:LINE: sources[i] (id).url: WHAT; FIX`, with the
line of its `url` in sources.yaml. The fetch is the scraper's own (user
agent, robots.txt, size cap), with a short timeout and no retries.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aggregator._config_report import Report
from aggregator._yaml_lines import load_located
from aggregator.config import Config, Source
from aggregator.errors import AggregatorError, FetchError, HTTPStatusError, RobotsDisallowed
from aggregator.fetch import Fetcher

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 10.0  # seconds per request: a check should answer while the admin waits


def probe_fetcher(config: Config) -> Fetcher:
    s = config.settings
    return Fetcher(
        user_agent=s.user_agent, timeout=min(s.timeout, PROBE_TIMEOUT), delay=s.delay, retries=0
    )


async def unreachable_sources(config: Config, fetcher: Fetcher | None = None) -> list[str]:
    """One line per enabled source whose page cannot be fetched now, in file order;
    [] when every one answers."""
    sources = [source for source in config.sources if source.enabled]
    if fetcher is None:
        async with probe_fetcher(config) as own:
            failures = await asyncio.gather(*(_failure(own, s) for s in sources))
    else:
        failures = await asyncio.gather(*(_failure(fetcher, s) for s in sources))
    found = [(source, reason) for source, reason in zip(sources, failures, strict=True) if reason]
    return _located(config, found)


async def _failure(fetcher: Fetcher, source: Source) -> str | None:
    """Why the source's page cannot be fetched, with what to do; None when it can."""
    try:
        await fetcher.fetch(source.url)
    except FetchError as exc:
        log.debug("%s: %s", source.id, exc)
        hint = _hint(exc)
        return f"{source.url} cannot be fetched: {_reason(exc)}" + (f"; {hint}" if hint else "")
    except AggregatorError as exc:
        return f"{source.url} cannot be fetched: {exc}"
    except Exception as exc:  # a bug must not hide the other sources' answers
        log.exception("%s: unexpected error while probing", source.id)
        return f"{source.url} cannot be fetched: internal error {exc!r}"
    return None


def _reason(exc: FetchError) -> str:
    """The error's message without the URL it starts with (the line already names it)."""
    return str(exc).removeprefix(f"{exc.url}: ")


def _hint(exc: FetchError) -> str | None:
    """What to do, unless the message already says it (after a ';')."""
    message = _reason(exc)
    if isinstance(exc, RobotsDisallowed) or "DNS" in message:
        return None  # "ask the site to allow it…", "check the address"
    if isinstance(exc, HTTPStatusError):
        return None if ";" in message else "open the address in a browser to see the answer"
    if "TLS" in message:
        return "check that the site answers at https://, or tell its owner the certificate fails"
    return "try again later; if it lasts, open the address in a browser to check it"


def _located(config: Config, found: list[tuple[Source, str]]) -> list[str]:
    """Each message at the line of its source's `url`, worded like config problems."""
    if not found:
        return []
    if config.path is None:  # built in code, not read from a file: no line to give
        return [f"sources ({source.id}).url: {message}" for source, message in found]
    path = Path(config.path)
    report = Report(str(path), load_located(path))
    raw = report.doc.data.get("sources") or []
    index = {item.get("id"): i for i, item in enumerate(raw) if isinstance(item, dict)}
    for source, message in found:
        report.add(("sources", index[source.id], "url"), message)
    return report.sorted()
