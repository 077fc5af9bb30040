"""`aggregator add URL`: probe a page with `auto` and propose its sources.yaml block.

The admin pastes the block under `sources:` (or lets `--append` add it): an
id unique in the file, the site's name, the address, the strategy, and as
comments what the probe found, so the admin sees at once whether `auto`
reads the site or needs `extract --explain` and perhaps CSS selectors.
Naming and the block's text are in `_add_block.py`.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from aggregator import clock
from aggregator._add_block import Probe, site_name, source_block, source_id
from aggregator.config import Config, check_config, load_config
from aggregator.crawl import Crawl, crawl
from aggregator.errors import AggregatorError, ConfigError, FetchError, HTTPStatusError
from aggregator.extract import auto
from aggregator.fetch import Fetcher, Page
from aggregator.model import Event, SourceRef
from aggregator.normalise import to_event

log = logging.getLogger(__name__)

USER_AGENT = "aggregator-add/0.1"
_LINKED = " (linked from the page)"  # how `crawl` names a feed it read instead of the page


@dataclass(frozen=True, kw_only=True)
class Proposal:
    block: str  # the YAML text to paste under `sources:`
    found: bool  # whether the probe found events


async def propose(url: str, sources_path: Path) -> Proposal:
    """The block for the page at `url`, its id unique among the sources of `sources_path`
    (which need not exist, nor be valid)."""
    existing = existing_sources(sources_path)
    found = await probe(url, config=_config_or_none(sources_path))
    block = source_block(found, source_id(found, existing), existing, clock.today())
    return Proposal(block=block, found=bool(found.events))


async def probe(url: str, *, config: Config | None = None) -> Probe:
    """What `auto` finds at `url`, following what it follows when scraping."""
    _check_address(url)
    async with _fetcher(config) as fetcher:
        try:
            page = await fetcher.fetch(url)
        except HTTPStatusError:
            raise
        except FetchError as exc:
            raise AggregatorError(f"{exc}; check that the address opens in a browser") from None
        max_pages = config.settings.max_pages if config else 20
        found = await crawl(fetcher, page, today=clock.today(), max_pages=max_pages)
    return _probe(url, page, found)


def _probe(url: str, page: Page, found: Crawl) -> Probe:
    page_url = page.final_url or url
    strategy, feed = _strategy(found, page)
    return Probe(
        url=feed or page_url,
        page_url=page_url,
        name=site_name(page.text, page_url),
        strategy=strategy,
        method=found.strategy.removesuffix(_LINKED),
        linked=feed is not None,
        events=_events(found, page_url),
        pages=found.pages,
    )


def _events(found: Crawl, page_url: str) -> list[Event]:
    """The published records of what was found, as `extract` shows them."""
    ref = SourceRef(id="add", name="add", url=page_url)
    events = (
        to_event(raw, source=ref, region=None, tags=(), page_url=page_url, reference=clock.today())
        for raw in found.raws
    )
    return [event for event in events if event is not None]


def _strategy(found: Crawl, page: Page) -> tuple[str, str | None]:
    """The strategy to write, and the feed's address when the page links the feed read."""
    if found.strategy.endswith(_LINKED) and found.notes:
        return found.strategy.removesuffix(_LINKED), found.notes[0].page
    if auto.looks_like_ics(page.text, page.content_type):
        return "ics", None
    if auto.looks_like_feed(page.text, page.content_type):
        return "rss", None
    return "auto", None


def _check_address(url: str) -> None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        hint = f"https://{url.strip()}" if "." in url and "://" not in url else "https://…"
        raise AggregatorError(f"'{url}' is not a web address; write it in full, e.g. {hint}")


def _fetcher(config: Config | None) -> Fetcher:
    # One retry only: the admin is waiting at the terminal.
    if config is None:
        return Fetcher(user_agent=USER_AGENT, retries=1)
    s = config.settings
    return Fetcher(user_agent=s.user_agent, timeout=s.timeout, delay=s.delay, retries=1)


def _config_or_none(path: Path) -> Config | None:
    """The sources file's settings (user agent, politeness) when it loads; the probe
    works without them."""
    if not path.is_file():
        return None
    try:
        return load_config(path)
    except ConfigError:
        log.info("%s has problems; probing with the default settings", path)
        return None


def existing_sources(path: Path) -> dict[str, str]:
    """Id -> url of the sources already written in the file, even if it is invalid."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    items = data.get("sources") if isinstance(data, dict) else None
    return {
        str(item["id"]): str(item.get("url") or "")
        for item in items or []
        if isinstance(item, dict) and item.get("id") is not None
    }


# --- --append ------------------------------------------------------------------------


def append_block(path: Path, block: str) -> None:
    """Add the block at the end of the file's `sources:` list. The file is replaced only
    when the result passes `aggregator check`; otherwise it is left as it was."""
    if path.is_file():
        if problems := check_config(path):
            advice = f"{path} already has problems: fix them first; nothing was changed"
            raise ConfigError([*problems, advice])
        text = path.read_text(encoding="utf-8")
    else:
        text = ""
    _replace_if_valid(path, with_block(text, block))


def with_block(text: str, block: str) -> str:
    """The file's text with the block as the last item of `sources:`."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if re.match(r"sources\s*:", line)), None)
    if start is None:
        return "".join([*lines, "\n" if lines else "", "sources:\n", block])
    if re.fullmatch(r"sources\s*:\s*\[\s*\]\s*(#.*)?\n", lines[start]):
        lines[start] = "sources:\n"  # an empty flow list takes no block items
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"[^\s#\-]", lines[i])), len(lines)
    )
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1  # blank lines and comments before the next key belong to it
    block = _indented_like(lines[start + 1 : end], block)
    before = lines[:end]
    gap = ["\n"] if before and before[-1].strip() and end > start + 1 else []
    after = lines[end:]
    if after and after[0].strip():
        after = ["\n", *after]
    return "".join([*before, *gap, block, *after])


def _indented_like(items: list[str], block: str) -> str:
    """The block with its `- id:` at the indentation of the list's first item."""
    first = next((line for line in items if re.match(r"\s*- ", line)), None)
    if first is None:
        return block
    indent = " " * (len(first) - len(first.lstrip(" ")))
    lines = block.splitlines(keepends=True)
    return "".join(indent + line.removeprefix("  ") for line in lines)


def _replace_if_valid(path: Path, text: str) -> None:
    folder = path.resolve().parent
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        problems = check_config(temporary)
        if problems:
            raise ConfigError(
                [problem.replace(temporary, str(path)) for problem in problems]
                + [f"the block would make {path} invalid; nothing was changed"]
            )
        # mkstemp makes the file private; keep the mode the sources file had
        os.chmod(temporary, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
