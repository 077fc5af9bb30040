"""Cached bodies of the HTTP server and their answers ready to send.

`send_ready` answers a GET for a cached body straight from ASGI, with headers
encoded once: the hot path of a server that calendars and feed readers poll
(conditional requests, mostly). aggregator/web.py decides when an entry is
current; this module only knows how to answer with one.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from starlette.types import Scope, Send

_ETAG_SPLIT = re.compile(r"\s*,\s*")
GZIP_MIN = 1000  # bytes: smaller bodies are kept (and sent) as they are
_CHUNK = 1 << 18


@dataclass(frozen=True)
class Cached:
    """A rendered body and its validators, for one data version.

    A body of GZIP_MIN bytes or more is kept gzipped only (`gzipped`): feed
    readers and calendars ask for gzip, and the plain feeds of 10,000 events
    weighed 90 MB in the daemon against 3 MB gzipped. The rare client that
    does not take gzip gets the body decompressed as it is sent (`plain`).
    """

    version: tuple
    small: bytes | None  # the body, when under GZIP_MIN bytes
    gzipped: bytes | None  # else the body, gzipped
    size: int  # of the body, not gzipped
    etag: str  # the hash, unquoted
    modified: datetime

    @classmethod
    def of(cls, version: tuple, parts: Iterable[bytes], modified: datetime) -> Cached:
        """The body written in `parts`, gzipped as they come (never joined whole);
        its ETag is a hash of the body."""
        digest, pack = hashlib.sha256(), zlib.compressobj(6, zlib.DEFLATED, 31)
        packed, size, small = [], 0, []
        for part in parts:
            digest.update(part)
            packed.append(pack.compress(part))
            size += len(part)
            if size < GZIP_MIN:
                small.append(part)
        packed.append(pack.flush())
        etag = digest.hexdigest()[:32]
        if size < GZIP_MIN:
            return cls(version, b"".join(small), None, size, etag, modified)
        return cls(version, None, b"".join(packed), size, etag, modified)

    def plain(self) -> Iterator[bytes]:
        """The body, in chunks of at most 256 KB."""
        if self.gzipped is None:
            yield self.small or b""
            return
        inflate = zlib.decompressobj(wbits=31)
        data = self.gzipped
        while data:
            yield inflate.decompress(data, _CHUNK)
            data = inflate.unconsumed_tail
        if rest := inflate.flush():
            yield rest


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

    plain = {"Content-Length": str(cached.size), "Content-Type": media_type}
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
        await send({"type": "http.response.start", "status": 200, "headers": ready.plain})
        # chunk by chunk, each sent before the next is inflated: the loop is never held
        for chunk in ready.cached.plain():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return True
    elif ready.packed is not None and ready.cached.gzipped is not None:
        status, headers, body = 200, ready.packed, ready.cached.gzipped
    else:
        return False  # a small body: GZipMiddleware's choice
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return True
