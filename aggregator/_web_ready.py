"""Cached bodies of the HTTP server and their answers ready to send.

`send_ready` answers a GET for a cached body straight from ASGI, with headers
encoded once: the hot path of a server that calendars and feed readers poll
(conditional requests, mostly). aggregator/web.py decides when an entry is
current; this module only knows how to answer with one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from starlette.types import Scope, Send

_ETAG_SPLIT = re.compile(r"\s*,\s*")


@dataclass(frozen=True)
class Cached:
    """A rendered body, its gzip and its validators, for one data version."""

    version: tuple
    body: bytes
    gzipped: bytes | None
    etag: str  # the hash, unquoted
    modified: datetime


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match with weak comparison: our plain and gzip variants both match."""
    wanted = {f'"{etag}"', f'"{etag}-gz"'}
    tags = {t.strip().removeprefix("W/") for t in _ETAG_SPLIT.split(header)}
    return "*" in tags or bool(tags & wanted)


def not_modified(inm: str | None, ims: str | None, cached: Cached) -> bool:
    """Whether a request with these If-None-Match / If-Modified-Since gets a 304."""
    if inm is not None:
        return _etag_matches(inm, cached.etag)
    if ims:
        try:
            return cached.modified.replace(microsecond=0) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class Ready:
    """A cached body's three answers with their headers encoded once, for `send_ready`."""

    cached: Cached
    tags: tuple[bytes, bytes]  # If-None-Match values matching at a glance
    not_modified: RawHeaders
    plain: RawHeaders
    packed: RawHeaders | None  # None: too small to be gzipped


def ready_answers(cached: Cached, media_type: str, headers: Mapping[str, str]) -> Ready:
    """The headers Starlette and its middleware would send, encoded once."""
    if media_type.startswith("text/") and "charset=" not in media_type.lower():
        media_type += "; charset=utf-8"  # as Starlette's Response does
    common = {**headers, "Vary": headers["Vary"] + ", Origin"}  # as CORSMiddleware does

    def encoded(more: Mapping[str, str]) -> RawHeaders:
        return [(k.lower().encode(), v.encode("latin-1")) for k, v in {**common, **more}.items()]

    plain = {"Content-Length": str(len(cached.body)), "Content-Type": media_type}
    packed = None
    if cached.gzipped is not None:
        packed = {
            "ETag": f'"{cached.etag}-gz"',
            "Content-Encoding": "gzip",
            "Content-Length": str(len(cached.gzipped)),
            "Content-Type": media_type,
        }
    tags = (f'"{cached.etag}"'.encode(), f'"{cached.etag}-gz"'.encode())
    return Ready(cached, tags, encoded({}), encoded(plain), packed and encoded(packed))


async def send_ready(ready: Ready, scope: Scope, send: Send) -> bool:
    """Send the answer a GET gets (304, gzip or plain); False when CORS or a small body
    needs the full app's middleware."""
    inm = ims = None
    gzip_ok = False
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            inm = value
        elif name == b"accept-encoding":
            gzip_ok = b"gzip" in value.lower()
        elif name == b"if-modified-since":
            ims = value
        elif name == b"origin":
            return False  # CORS headers: CORSMiddleware's job
    if inm in ready.tags or not_modified(
        inm and inm.decode("latin-1"), ims and ims.decode("latin-1"), ready.cached
    ):
        status, headers, body = 304, ready.not_modified, b""
    elif not gzip_ok:
        status, headers, body = 200, ready.plain, ready.cached.body
    elif ready.packed is not None and ready.cached.gzipped is not None:
        status, headers, body = 200, ready.packed, ready.cached.gzipped
    else:
        return False  # a small body: GZipMiddleware's choice
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return True
