"""`aggregator publish DIR`: every feed and page as static files, for nginx or a CDN.

    DIR/feed.rss feed.atom feed.ics events.json new.rss new.atom
    DIR/index.html embed.html widget.js
    DIR/source/<id>/   feed.rss feed.atom feed.ics events.json embed.html
    DIR/tag/<slug>/    (the same)
    DIR/region/<slug>/ (the same)
    DIR/event/<id>.ics

Each file is written beside its final name and renamed over it, so a reader
never sees half a file; a file whose bytes did not change is not touched
(nginx keeps its ETag). Files a previous publish wrote and this one did not
(a removed source, a tag no event carries any more) are deleted, using the
list kept in DIR/.published, which also keeps a fingerprint of the events
behind each group of files: a group whose events did not change is not
rendered again (a republish of 10,000 unchanged events takes seconds).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from aggregator import clock, site
from aggregator.config import Config
from aggregator.feeds import Filters, narrow, newest_first, select
from aggregator.model import Event
from aggregator.render import html, ics
from aggregator.store import Store

log = logging.getLogger(__name__)

MANIFEST = ".published"


@dataclass(frozen=True, kw_only=True)
class PublishReport:
    directory: Path
    written: int
    unchanged: int
    removed: int

    def summary(self) -> str:
        return (
            f"published to {self.directory}: {self.written} files written, "
            f"{self.unchanged} unchanged, {self.removed} removed"
        )


def publish_dir(config: Config) -> Path | None:
    """settings.publish_dir, relative to the sources file like the database."""
    if not config.settings.publish_dir:
        return None
    base = config.path.parent if config.path else Path.cwd()
    return base / config.settings.publish_dir


@dataclass(frozen=True, kw_only=True)
class Group:
    """Files rendered together from one set of events; `fingerprint` changes when
    they would, so an unchanged group is not rendered again."""

    key: str
    fingerprint: str
    names: tuple[str, ...]
    render: Callable[[], Iterator[tuple[str, bytes]]]


def publish(
    config: Config, store: Store, directory: Path, today: date | None = None
) -> PublishReport:
    """Write every file of the static site into `directory`, atomically per file."""
    today = today or clock.today()
    directory.mkdir(parents=True, exist_ok=True)
    before, previous = _manifest(directory)
    names: set[str] = set()
    fingerprints: dict[str, str] = {}
    written = unchanged = 0
    for group in site_groups(config, store, today):
        names.update(group.names)
        fingerprints[group.key] = group.fingerprint
        if previous.get(group.key) == group.fingerprint and all(
            (directory / name).is_file() for name in group.names
        ):
            unchanged += len(group.names)
            continue
        for name, body in group.render():
            if _write_if_changed(directory / name, body):
                written += 1
            else:
                unchanged += 1
    removed = _remove(directory, before - names)
    manifest = {"files": sorted(names), "groups": fingerprints}
    _write_if_changed(directory / MANIFEST, json.dumps(manifest, indent=0).encode())
    return PublishReport(directory=directory, written=written, unchanged=unchanged, removed=removed)


def site_groups(config: Config, store: Store, today: date) -> Iterator[Group]:
    """Every published file, in groups; nothing is rendered until asked."""
    everything = select(store, Filters(), today)
    digests = {e.id: _digest(repr(e)) for e in everything}
    common = _digest(repr(config.settings), today.isoformat(), _code_digest())
    parts = site.partitions(config, everything)
    base = config.settings.base_url
    links = site.feed_links(parts, lambda p, file: f"{base}/{p.folder}/{file}")

    def top() -> Iterator[tuple[str, bytes]]:
        yield from _feeds(config, "", everything, today)
        newest = newest_first(everything)[: site.NEW_ITEMS]
        for fmt in ("rss", "atom"):
            yield f"new.{fmt}", site.feed_body(config, fmt, newest, f"/new.{fmt}", today)
        page = site.page(config, feeds=links, static=True)
        yield "index.html", html.index_page(everything[: site.PAGE_LIMITS["index"]], page).encode()
        yield "widget.js", site.widget_js()

    top_names = (*_feed_names(""), "new.rss", "new.atom", "index.html", "widget.js")
    yield Group(
        key="",
        fingerprint=_digest(common, repr(links), *digests.values()),
        names=top_names,
        render=top,
    )
    for part in parts:
        events = narrow(everything, part.filters)
        folder = part.folder + "/"
        yield Group(
            key=folder,
            fingerprint=_digest(common, *(digests[e.id] for e in events)),
            names=_feed_names(folder),
            render=lambda folder=folder, events=events: _feeds(config, folder, events, today),
        )
    for event in everything:
        if ics.in_calendar(event):
            name = f"event/{event.id}.ics"
            yield Group(
                key=name,
                fingerprint=_digest(common, digests[event.id]),
                names=(name,),
                render=lambda name=name, event=event: iter(
                    [(name, site.feed_body(config, "ics", [event], "/" + name, today))]
                ),
            )


@functools.cache
def _code_digest() -> str:
    """Changes with the renderers' code, so an upgrade rewrites every file."""
    package = resources.files("aggregator")
    files = [package / "site.py", package / "static" / "widget.js"]
    files += sorted(
        (f for f in (package / "render").iterdir() if f.name.endswith(".py")), key=lambda f: f.name
    )
    return _digest(*(hashlib.sha256(f.read_bytes()).hexdigest() for f in files))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _feed_names(folder: str) -> tuple[str, ...]:
    return (*(folder + file for _, file, _ in site.FEED_FORMATS), folder + "embed.html")


def _feeds(
    config: Config, folder: str, events: list[Event], today: date
) -> Iterator[tuple[str, bytes]]:
    for fmt, file, _ in site.FEED_FORMATS:
        yield folder + file, site.feed_body(config, fmt, events, f"/{folder}{file}", today)
    embed = events[: site.PAGE_LIMITS["embed"]]
    page = site.page(config, static=True, view=lambda file: f"/{folder}{file}")
    yield folder + "embed.html", html.embed_page(embed, page).encode()


def _write_if_changed(path: Path, body: bytes) -> bool:
    """Write `body` to `path` through a temporary file and a rename; False when
    the file already held exactly these bytes."""
    try:
        if path.stat().st_size == len(body) and path.read_bytes() == body:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the file from nginx
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def _manifest(directory: Path) -> tuple[set[str], dict[str, str]]:
    """(files, fingerprints) of the previous publish; nothing when unreadable."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        return set(manifest["files"]), dict(manifest["groups"])
    except (OSError, ValueError, KeyError, TypeError):
        return set(), {}


def _remove(directory: Path, names: set[str]) -> int:
    removed = 0
    for name in names:
        path = (directory / name).resolve()
        if directory.resolve() not in path.parents:
            continue  # a hand-edited manifest must not delete outside DIR
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        for parent in path.parents:
            if parent == directory.resolve():
                break
            try:
                parent.rmdir()  # only when empty
            except OSError:
                break
    return removed


class AutoPublisher:
    """Keeps settings.publish_dir published while the daemon runs.

    One publish at a time, in a thread with its own database connection so the
    HTTP server keeps answering; requests made meanwhile are folded into one
    more publish when it ends.
    """

    def __init__(self, config: Callable[[], Config], db_path: Path):
        self.config = config
        self.db_path = db_path
        self._wanted = False
        self._task: asyncio.Task | None = None

    def request(self) -> None:
        if publish_dir(self.config()) is None:
            return
        self._wanted = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while self._wanted:
            self._wanted = False
            config = self.config()
            directory = publish_dir(config)
            if directory is None:
                return
            try:
                report = await asyncio.to_thread(self._publish, config, directory)
            except Exception:  # a full disk must not stop the scraping
                log.exception("could not publish to %s", directory)
            else:
                log.info("%s", report.summary())

    def _publish(self, config: Config, directory: Path) -> PublishReport:
        with Store.open(self.db_path) as store:
            return publish(config, store, directory)

    async def stop(self) -> None:
        """Let a publish in progress finish (every file is whole either way)."""
        self._wanted = False
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
