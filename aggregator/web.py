"""Serve: the ASGI app with every path of DESIGN.md, its filters and caching headers.

Rendered bodies (gzipped, see `Cached`) are cached per path and filters, keyed on
SQLite's `PRAGMA data_version`, which changes whenever another connection
(the scheduler's) commits; a request for an unchanged feed costs one PRAGMA
and a dictionary lookup. ETags are hashes of the body, and bodies are dated
by their content (see `site.generated_for`), so a re-scrape that changed
nothing keeps every client's copy valid: 304. Once a body is cached, GETs for
its URL are answered before routing and middleware, headers encoded once
(aggregator/_web_ready.py): polling calendars are most of the traffic.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from aggregator import clock, site
from aggregator._memory import give_back
from aggregator._web_query import BadRequest, filters_of
from aggregator._web_ready import (
    GZIP_MIN,
    Cached,
    Ready,
    not_modified,
    ready_answers,
    send_ready,
)
from aggregator.config import Config
from aggregator.feeds import Filters, select
from aggregator.metrics import CONTENT_TYPE as METRICS_TYPE
from aggregator.metrics import Metrics
from aggregator.model import Event
from aggregator.render import CONTENT_TYPES, html, ics
from aggregator.status import source_status
from aggregator.store import Store

log = logging.getLogger(__name__)

FEED_CACHE = "public, max-age=300"
JS_TYPE = "text/javascript; charset=utf-8"


def _not_modified(request: Request, cached: Cached) -> bool:
    headers = request.headers
    return not_modified(headers.get("if-none-match"), headers.get("if-modified-since"), cached)


def _wants_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "").lower()


Build = Callable[[Store], Iterable[bytes]]  # the body, in pieces


class App:
    """Routes over one database; rendered bodies cached until the data changes.

    Bodies are built in worker threads, each with its own connection, so a
    long build (the ICS of 10,000 events takes seconds) never holds up the
    other requests; concurrent requests for one body share one build.
    """

    def __init__(
        self,
        config: Callable[[], Config],
        db_path: str | Path,
        *,
        next_runs: Callable[[], Mapping[str, datetime | None]] | None = None,
        metrics: Metrics | None = None,
    ):
        self.config = config
        self.db_path = db_path
        self.store = Store.open(db_path)  # the event loop's: versions, status, health
        self.next_runs = next_runs
        self.metrics = metrics or Metrics()
        self.metrics.count_stored(self.store.count_events)
        self.cache: dict[tuple, Cached] = {}
        self._building: dict[tuple, asyncio.Future[Cached]] = {}
        self._threads = threading.local()
        self._by_id: tuple[tuple, dict[str, Event]] = ((), {})
        self.ready: dict[tuple[str, bytes], Ready] = {}  # by (path, raw query string)
        self._tick_version: tuple | None = None

    def _version(self) -> tuple:
        data_version = self.store.db.conn.execute("PRAGMA data_version").fetchone()[0]
        return (data_version, clock.today(), id(self.config()))

    def _loop_version(self) -> tuple:
        """`_version` read once per event-loop iteration and shared by the requests it
        answers (the PRAGMA and the clock were a fifth of a 304's cost)."""
        if self._tick_version is None:
            self._tick_version = self._version()
            asyncio.get_running_loop().call_soon(self._forget_version)
        return self._tick_version

    def _forget_version(self) -> None:
        self._tick_version = None

    async def answer(self, scope: Scope, send: Send) -> bool:
        """Answer a GET from the ready answers, before routing and middleware (the hot
        path: calendars polling a feed); False when the full app must answer it."""
        ready = self.ready.get((scope["path"], scope["query_string"]))
        if ready is None or ready.cached.version != self._loop_version():
            return False
        return await send_ready(ready, scope, send)

    def _remember(self, scope: Scope, cached: Cached, media_type: str, headers: dict) -> None:
        where = (scope["path"], scope["query_string"])
        ready = self.ready.get(where)
        if ready is None or ready.cached is not cached:
            # one data version at a time, so no stale body outlives a change; and a
            # bounded number, as raw query strings are the clients' choice
            some = next(iter(self.ready.values()), None)
            if len(self.ready) > 1024 or (some and some.cached.version != cached.version):
                self.ready.clear()
            self.ready[where] = ready_answers(cached, media_type, headers)

    def _thread_store(self) -> Store:
        store = getattr(self._threads, "store", None)
        if store is None:
            store = self._threads.store = Store.open(self.db_path)
        return store

    async def _cached(self, key: tuple, build: Build) -> Cached:
        version = self._version()
        old = self.cache.get(key)
        if old is not None and old.version == version:
            return old
        pending = self._building.get((key, version))
        if pending is None:
            pending = asyncio.ensure_future(run_in_threadpool(self._build, version, build, old))
            self._building[(key, version)] = pending
            pending.add_done_callback(lambda _: self._building.pop((key, version), None))
        cached = await asyncio.shield(pending)
        if len(self.cache) > 1024:
            self.cache.clear()
        self.cache[key] = cached
        return cached

    def _build(self, version: tuple, build: Build, old: Cached | None) -> Cached:
        # real time: HTTP dates must move on even when AGGREGATOR_NOW is frozen
        cached = Cached.of(version, build(self._thread_store()), datetime.now(UTC))
        if old is not None and old.etag == cached.etag:
            cached = dataclasses.replace(cached, modified=old.modified)
        # what the build took, even for a small body: a filtered or "new" feed reads
        # every event too (see aggregator/_memory.py; about 10 ms)
        give_back()
        return cached

    async def _respond(
        self,
        request: Request,
        key: tuple,
        build: Build,
        media_type: str,
        *,
        cache_control: str = FEED_CACHE,
        extra: Mapping[str, str] | None = None,
    ) -> Response:
        cached = await self._cached(key, build)
        headers = {
            "ETag": f'"{cached.etag}"',
            "Cache-Control": cache_control,
            "Last-Modified": format_datetime(cached.modified, usegmt=True),
            "Vary": "Accept-Encoding",
            **(extra or {}),
        }
        if request.method == "GET":
            self._remember(request.scope, cached, media_type, headers)
        if _not_modified(request, cached):
            return Response(status_code=304, headers=headers)
        if cached.gzipped is None:
            return Response(cached.small, media_type=media_type, headers=headers)
        if _wants_gzip(request):
            headers.update({"Content-Encoding": "gzip", "ETag": f'"{cached.etag}-gz"'})
            return Response(cached.gzipped, media_type=media_type, headers=headers)
        headers["Content-Length"] = str(cached.size)
        return StreamingResponse(cached.plain(), media_type=media_type, headers=headers)

    # feeds ---------------------------------------------------------------------------

    def feed(self, fmt: str, path: str, newest: bool = False):
        async def endpoint(request: Request) -> Response:
            try:
                filters = filters_of(request)
            except BadRequest as exc:
                return PlainTextResponse(str(exc), status_code=400)

            def build(store: Store) -> Iterable[bytes]:
                today = clock.today()
                events = site.feed_events(store, filters, today, newest=newest)
                return site.feed_parts(self.config(), fmt, events, path, today)

            return await self._respond(request, (path, filters), build, CONTENT_TYPES[fmt])

        return endpoint

    async def _events_by_id(self) -> dict[str, Event]:
        """Every stored event, past ones too, by id (rebuilt when the data changes)."""
        version = self._version()
        if self._by_id[0] != version:

            def index() -> dict[str, Event]:
                events = select(self._thread_store(), Filters(include_past=True), clock.today())
                return {e.id: e for e in events}

            self._by_id = (version, await run_in_threadpool(index))
        return self._by_id[1]

    async def event_ics(self, request: Request) -> Response:
        event = (await self._events_by_id()).get(request.path_params["id"])
        if event is None or not ics.in_calendar(event):
            return PlainTextResponse("no such event in the calendar", status_code=404)
        path = request.url.path

        def build(store: Store) -> Iterable[bytes]:
            return [site.feed_body(self.config(), "ics", [event], path, clock.today())]

        return await self._respond(request, (path,), build, CONTENT_TYPES["ics"])

    # pages ---------------------------------------------------------------------------

    def page(self, name: str):
        framed = name == "embed"
        headers = html.security_headers(framed=framed, script=html.EMBED_SCRIPT if framed else None)

        async def endpoint(request: Request) -> Response:
            try:
                filters = filters_of(request, site.PAGE_LIMITS[name])
            except BadRequest as exc:
                return PlainTextResponse(str(exc), status_code=400)

            def build(store: Store) -> Iterable[bytes]:
                return [self._embed(store, filters) if framed else self._index(store, filters)]

            return await self._respond(
                request, (name, filters), build, html.CONTENT_TYPE, extra=headers
            )

        return endpoint

    def _embed(self, store: Store, filters: Filters) -> bytes:
        events = select(store, filters, clock.today())
        query = site.query_of(filters, feed=True)
        page = site.page(
            self.config(), view=lambda file: f"/{file}?{query}" if query else f"/{file}"
        )
        return html.embed_page(events, page).encode()

    def _index(self, store: Store, filters: Filters) -> bytes:
        config, today = self.config(), clock.today()
        base = config.settings.base_url

        def url(part: site.Partition, file: str) -> str:
            return f"{base}/{file}?{urlencode({part.kind: part.value})}"

        everything = select(store, Filters(), today)
        feeds = site.feed_links(site.partitions(config, everything), url)
        events = select(store, filters, today)
        page = site.page(config, feeds=feeds, embed_query=site.query_of(filters, feed=True))
        return html.index_page(events, page).encode()

    async def widget(self, request: Request) -> Response:
        return await self._respond(
            request,
            ("widget.js",),
            lambda _: [site.widget_js()],
            JS_TYPE,
            cache_control="public, max-age=3600",
        )

    # health ----------------------------------------------------------------------------

    async def status(self, request: Request) -> Response:
        next_runs = self.next_runs() if self.next_runs else None
        rows = source_status(self.config(), self.store, next_runs)
        headers = {"Cache-Control": "no-store"}
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"sources": rows}, headers=headers)
        page = html.status_page(rows, self.config().settings.title)
        return Response(
            page,
            media_type=html.CONTENT_TYPE,
            headers={**headers, **html.security_headers(framed=False)},
        )

    async def healthz(self, request: Request) -> Response:
        return JSONResponse(
            {"ok": True, "events": self.store.count_events()}, headers={"Cache-Control": "no-store"}
        )

    async def metrics_text(self, request: Request) -> Response:
        return Response(
            self.metrics.exposition(),
            media_type=METRICS_TYPE,
            headers={"Cache-Control": "no-store"},
        )


def create_app(
    config: Callable[[], Config],
    db_path: str | Path,
    *,
    next_runs: Callable[[], Mapping[str, datetime | None]] | None = None,
    metrics: Metrics | None = None,
) -> Starlette:
    app = App(config, db_path, next_runs=next_runs, metrics=metrics)
    routes = [
        Route("/", app.page("index")),
        Route("/embed", app.page("embed")),
        Route("/widget.js", app.widget),
        Route("/feed.rss", app.feed("rss", "/feed.rss")),
        Route("/feed.atom", app.feed("atom", "/feed.atom")),
        Route("/new.rss", app.feed("rss", "/new.rss", newest=True)),
        Route("/new.atom", app.feed("atom", "/new.atom", newest=True)),
        Route("/feed.ics", app.feed("ics", "/feed.ics")),
        Route("/events.json", app.feed("json", "/events.json")),
        Route("/event/{id}.ics", app.event_ics),
        Route("/status", app.status),
        Route("/healthz", app.healthz),
        Route("/metrics", app.metrics_text),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD"],
            expose_headers=["ETag", "Last-Modified"],
        ),
        Middleware(GZipMiddleware, minimum_size=GZIP_MIN),  # what Cached keeps plain
    ]
    server = Server(routes=routes, middleware=middleware)
    server.state.app = server.feeds = app
    return server


class Server(Starlette):
    """Starlette, with bodies already cached answered before routing and middleware."""

    feeds: App

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        http_get = scope["type"] == "http" and scope["method"] == "GET"
        if not (http_get and await self.feeds.answer(scope, send)):
            await super().__call__(scope, receive, send)
