"""Serve: the ASGI app with every feed path, its filters and caching headers."""

from __future__ import annotations

import hashlib
import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from email.utils import format_datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from aggregator import clock
from aggregator.config import Config
from aggregator.feeds import Filters, feed_info, newest_first, select
from aggregator.render import CONTENT_TYPES, ics, render
from aggregator.status import source_status
from aggregator.store import Store

log = logging.getLogger(__name__)

MAX_LIMIT = 5000


class BadRequest(ValueError):
    """A query parameter the server cannot use; answered with 400."""


@dataclass
class Cached:
    version: tuple
    body: bytes
    etag: str


def _date_param(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name}={value!r} is not a date; write YYYY-MM-DD") from None


def filters_of(request: Request) -> Filters:
    """The feed filters of a query string; BadRequest when one is unusable."""
    params = request.query_params
    limit = params.get("limit")
    if limit is not None and (not limit.isdigit() or not 0 < int(limit) <= MAX_LIMIT):
        raise BadRequest(f"limit={limit!r} must be a whole number from 1 to {MAX_LIMIT}")
    start, end = _date_param(request, "from"), _date_param(request, "to")
    return Filters(source=params.get("source") or None, tag=params.get("tag") or None,
                   region=params.get("region") or None, city=params.get("city") or None,
                   start=start, end=end, q=params.get("q") or None,
                   limit=int(limit) if limit else None,
                   include_past=start is not None and start < clock.today())


class App:
    """Routes over one store; rendered bodies cached until the data changes."""

    def __init__(self, config: Callable[[], Config], db_path: str | Path):
        self.config = config
        self.store = Store.open(db_path)
        self.cache: dict[str, Cached] = {}

    def _version(self) -> tuple:
        data_version = self.store.db.execute("PRAGMA data_version").fetchone()[0]
        count = self.store.db.execute("select count(*), max(updated) from events").fetchone()
        return (data_version, tuple(count), clock.today().isoformat(), id(self.config()))

    def _conditional(self, request: Request, key: str, build: Callable[[], bytes],
                     media_type: str) -> Response:
        version = self._version()
        cached = self.cache.get(key)
        if cached is None or cached.version != version:
            body = build()
            cached = Cached(version, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
            if len(self.cache) > 512:
                self.cache.clear()
            self.cache[key] = cached
        headers = {"ETag": cached.etag, "Cache-Control": "public, max-age=300",
                   "Last-Modified": format_datetime(clock.now(), usegmt=False)}
        if request.headers.get("if-none-match") == cached.etag:
            return Response(status_code=304, headers=headers)
        return Response(cached.body, media_type=media_type, headers=headers)

    def feed(self, fmt: str, path: str, newest: bool = False):
        async def endpoint(request: Request) -> Response:
            try:
                filters = filters_of(request)
            except BadRequest as exc:
                return PlainTextResponse(str(exc), status_code=400)

            def build() -> bytes:
                config = self.config()
                events = select(self.store, filters, clock.today())
                if newest:
                    events = newest_first(events)
                info = feed_info(title=config.settings.title, base_url=config.settings.base_url,
                                 path=path, generated=clock.now(),
                                 refresh_hours=_refresh_hours(config))
                return render(fmt, events, info)

            key = f"{path}?{request.url.query}"
            return self._conditional(request, key, build, CONTENT_TYPES[fmt])
        return endpoint

    async def event_ics(self, request: Request) -> Response:
        event = self.store.event(request.path_params["id"])
        if event is None or not ics.in_calendar(event):
            return PlainTextResponse("no such event in the calendar", status_code=404)
        config = self.config()
        info = feed_info(title=config.settings.title, base_url=config.settings.base_url,
                         path=request.url.path, generated=clock.now(),
                         refresh_hours=_refresh_hours(config))
        return Response(ics.render_event(event, info), media_type=CONTENT_TYPES["ics"])

    async def status(self, request: Request) -> Response:
        rows = source_status(self.config(), self.store)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"sources": rows})
        lines = "".join(
            f"<tr><td>{html.escape(r['id'])}</td><td>{html.escape(r['result'])}</td>"
            f"<td>{html.escape(r['last_run'] or '')}</td><td>{r['events']}</td>"
            f"<td>{html.escape(r['error'] or r['warning'] or '')}</td></tr>" for r in rows)
        return HTMLResponse(f"<!doctype html><html lang=fr><meta charset=utf-8>"
                            f"<title>État des sources</title><h1>État des sources</h1>"
                            f"<table><tr><th>source</th><th>résultat</th><th>dernier passage"
                            f"</th><th>événements</th><th>erreur</th></tr>{lines}</table>")

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "events": self.store.count_events()})

    async def home(self, request: Request) -> Response:
        config = self.config()
        base = config.settings.base_url.rstrip("/")
        webcal = "webcal://" + base.split("://", 1)[-1] + "/feed.ics"
        events = select(self.store, Filters(limit=200), clock.today())
        items = "".join(f"<li>{html.escape(_when(e))} — <a href=\"{html.escape(e.url or '')}\">"
                        f"{html.escape(e.title)}</a></li>" for e in events)
        return HTMLResponse(
            f"<!doctype html><html lang=fr><meta charset=utf-8>"
            f"<title>{html.escape(config.settings.title)}</title>"
            f"<h1>{html.escape(config.settings.title)}</h1><p>"
            f"<a href=\"{webcal}\">S'abonner au calendrier</a> · <a href=/feed.ics>ICS</a> · "
            f"<a href=/feed.rss>RSS</a> · <a href=/feed.atom>Atom</a> · "
            f"<a href=/events.json>JSON</a></p><ul>{items}</ul>")


def _when(event) -> str:
    from aggregator.render.common import date_line
    return date_line(event)


def _refresh_hours(config: Config) -> int:
    return max(1, int(config.settings.interval.total_seconds() // 3600))


def create_app(config: Callable[[], Config], db_path: str | Path) -> Starlette:
    app = App(config, db_path)
    routes = [
        Route("/", app.home),
        Route("/feed.rss", app.feed("rss", "/feed.rss")),
        Route("/feed.atom", app.feed("atom", "/feed.atom")),
        Route("/new.rss", app.feed("rss", "/new.rss", newest=True)),
        Route("/new.atom", app.feed("atom", "/new.atom", newest=True)),
        Route("/feed.ics", app.feed("ics", "/feed.ics")),
        Route("/events.json", app.feed("json", "/events.json")),
        Route("/event/{id}.ics", app.event_ics),
        Route("/status", app.status),
        Route("/healthz", app.healthz),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"]),
                  Middleware(GZipMiddleware, minimum_size=1000)]
    starlette = Starlette(routes=routes, middleware=middleware)
    starlette.state.app = app
    return starlette
