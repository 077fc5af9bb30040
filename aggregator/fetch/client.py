"""The Fetcher: every HTTP request of the program goes through it.

`Fetcher.fetch(url, validators)` returns a `Page` or raises a `FetchError`:

- one shared httpx.AsyncClient; redirects followed by hand so that loops are caught
  and a 301/308 move is reported in `Page.permanent_redirect`;
- robots.txt read once per site and obeyed for the user agent's product token;
- at most `per_host` requests in flight per host and `delay` s between request starts;
- per-site state bounded (memory flat in the number of sites): idle gates dropped
  (hosts.py), robots.txt rules of the ROBOTS_KEPT sites used last, KEEPALIVE idle
  connections;
- every request bounded: connect/read timeouts, plus a total deadline per request so a
  server dripping one byte a second cannot hold us; bodies capped at `max_bytes`
  counted after decompression (gzip bombs);
- retries with exponential backoff on timeouts, broken connections, 429 and 5xx,
  honouring Retry-After up to RETRY_AFTER_CAP;
- conditional GET: a 304 comes back as `Page(not_modified=True)`;
- text decoded by `decode_body`, which copes with wrong and missing charsets.

Worst case for one fetch: (retries + 1) x (max_redirects + 1) x timeout, plus the waits
between attempts (each at most RETRY_AFTER_CAP).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import httpx
from protego import Protego

from aggregator.errors import FetchError, HTTPStatusError, RobotsDisallowed, TooLarge
from aggregator.fetch.charset import decode_body
from aggregator.fetch.failures import (
    NoAnswerInTime,
    fetch_error,
    is_retryable_status,
    is_transient,
    retry_after_seconds,
    status_message,
)
from aggregator.fetch.hosts import Gates
from aggregator.fetch.htmlguard import bounded_html

log = logging.getLogger(__name__)

ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "text/calendar,application/ld+json;q=0.9,application/xml;q=0.9,*/*;q=0.5"
)
ACCEPT_LANGUAGE = "fr-FR,fr;q=0.9,en;q=0.5"
RETRY_AFTER_CAP = 60.0  # seconds; a server asking for longer is not waited for
CRAWL_DELAY_CAP = 30.0  # seconds; a robots.txt Crawl-delay above this is clipped
REDIRECTS = frozenset({301, 302, 303, 307, 308})
ROBOTS_KEPT = 256  # sites whose parsed robots.txt is kept (the ones used last)
KEEPALIVE = 16  # idle connections kept open: a scrape has 8 sources x 2 requests in flight
PERMANENT_REDIRECTS = frozenset({301, 308})


@dataclass(frozen=True)
class Validators:
    """What the store keeps per URL for conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, kw_only=True)
class Page:
    url: str  # requested URL
    final_url: str  # after redirects
    status: int  # 200, or 304 when not_modified
    text: str  # decoded body ("" when not_modified)
    content_type: str  # media type without params, lower-case; "" when the server sent none
    etag: str | None
    last_modified: str | None
    not_modified: bool = False
    permanent_redirect: str | None = None  # where a 301/308 chain from `url` leads

    @property
    def validators(self) -> Validators:
        return Validators(etag=self.etag, last_modified=self.last_modified)


@dataclass(frozen=True, kw_only=True)
class _Reply:
    """The last response of a redirect chain; body read only for 2xx."""

    status: int
    final_url: str
    headers: httpx.Headers
    body: bytes
    permanent_redirect: str | None = None


class Fetcher:
    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = 20.0,
        max_bytes: int = 5_000_000,
        per_host: int = 2,
        delay: float = 1.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_redirects: int = 5,
        respect_robots: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.user_agent = user_agent
        # robots.txt groups name products ("aggregator"), not full UA strings
        self.robots_token = user_agent.split("/", 1)[0].strip() or user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.per_host = per_host
        self.delay = delay
        self.retries = retries
        self.backoff = backoff
        self.max_redirects = max_redirects
        self.respect_robots = respect_robots
        self._client = httpx.AsyncClient(
            headers={
                "User-Agent": user_agent,
                "Accept": ACCEPT,
                "Accept-Language": ACCEPT_LANGUAGE,
            },
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            event_hooks={"response": [_refuse_redirects_off_the_web]},
            transport=transport,
            # each site is visited once per cycle: idle connections to finished sites
            # only lengthen httpcore's scan of its pool on every request
            limits=httpx.Limits(max_keepalive_connections=KEEPALIVE),
        )
        self._gates = Gates(per_host, delay)
        self._robots: OrderedDict[str, Protego | None] = OrderedDict()  # least recent first
        self._robots_locks: dict[str, asyncio.Lock] = {}  # sites whose robots.txt is loading

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, validators: Validators | None = None) -> Page:
        """The page at `url`; raises FetchError (or a subclass) when there is none."""
        reply = await self._with_retries(url, _conditional_headers(validators))
        return _page(url, reply, validators or Validators())

    async def _with_retries(self, url: str, headers: dict[str, str]) -> _Reply:
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                reply = await self._follow(url, headers, robots=self.respect_robots)
            except (httpx.HTTPError, TimeoutError) as exc:
                error = fetch_error(exc, url, self.timeout)
                if last or not is_transient(exc):
                    raise error from exc
                wait = self._backoff_wait(attempt)
                log.info("%s; retrying in %.1f s", error, wait)
            else:
                if not is_retryable_status(reply.status):
                    return reply
                if last:
                    message = status_message(reply.status, url, reply.final_url, attempt + 1)
                    raise HTTPStatusError(url, reply.status, message)
                wait = self._retry_wait(url, reply, attempt)
                log.info("%s answered HTTP %d; retrying in %.1f s", url, reply.status, wait)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff_wait(self, attempt: int) -> float:
        base = self.backoff * 2**attempt
        # jitter, so that sources failing together do not retry in lockstep
        return base + random.uniform(0, base / 10)

    def _retry_wait(self, url: str, reply: _Reply, attempt: int) -> float:
        asked = retry_after_seconds(reply.headers.get("retry-after"), datetime.now(UTC))
        if asked is None:
            return self._backoff_wait(attempt)
        if asked > RETRY_AFTER_CAP:
            raise HTTPStatusError(
                url,
                reply.status,
                f"the server answered HTTP {reply.status} and asked us to come back in "
                f"{asked:.0f} s; not waiting more than {RETRY_AFTER_CAP:.0f} s, "
                "the next run will try again",
            )
        return asked

    async def _follow(self, url: str, headers: dict[str, str], *, robots: bool) -> _Reply:
        """The response at the end of `url`'s redirect chain (any status)."""
        current = _checked_url(url, url)
        visited = {current}
        permanent: str | None = None
        only_permanent = True
        for _ in range(self.max_redirects + 1):
            if robots:
                await self._check_robots(url, current)
            try:
                reply = await self._exchange(current, headers)
            except _RefusedRedirect as refused:
                raise FetchError(url, str(refused)) from None
            location = reply.headers.get("location")
            if reply.status not in REDIRECTS or not location:
                return dataclasses.replace(reply, permanent_redirect=permanent)
            target = _checked_url(url, location, base=current)  # checked by the hook too
            if target in visited:
                raise FetchError(url, f"redirect loop: {current} sends back to {target}")
            # a permanent move is only worth reporting if every hop up to it is permanent
            only_permanent = only_permanent and reply.status in PERMANENT_REDIRECTS
            if only_permanent:
                permanent = target
            visited.add(target)
            current = target
        raise FetchError(url, f"more than {self.max_redirects} redirects (stopped at {current})")

    async def _exchange(self, url: str, headers: dict[str, str]) -> _Reply:
        """One GET, politely scheduled and bounded in total time."""
        async with self._gates.of(url).slot():
            started = time.monotonic()
            answered = False
            try:
                async with (
                    asyncio.timeout(self.timeout),
                    self._client.stream("GET", url, headers=headers) as response,
                ):
                    answered = True
                    wanted = 200 <= response.status_code < 300
                    body = await self._capped_body(response, url) if wanted else b""
            except TimeoutError as exc:
                if not answered:  # a server dripping its headers: say so, not "the page"
                    raise NoAnswerInTime(url) from exc
                raise
        status = response.status_code
        elapsed_ms = (time.monotonic() - started) * 1000
        log.info("GET %s -> %d, %d bytes, %.0f ms", url, status, len(body), elapsed_ms)
        return _Reply(status=status, final_url=url, headers=response.headers, body=body)

    async def _capped_body(self, response: httpx.Response, url: str) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            size = _mb(int(declared))
            raise TooLarge(url, f"the page is {size}, over the {_mb(self.max_bytes)} limit")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():  # decompressed: counts what we would hold
            size += len(chunk)
            if size > self.max_bytes:
                raise TooLarge(url, f"the page is larger than the {_mb(self.max_bytes)} limit")
            chunks.append(chunk)
        return b"".join(chunks)

    async def _check_robots(self, url: str, hop: str) -> None:
        origin = _origin(hop)
        rules = await self._robots_for(origin)
        if rules is not None and not rules.can_fetch(hop, self.robots_token):
            raise RobotsDisallowed(
                url,
                f"{origin}/robots.txt forbids '{self.robots_token}' to fetch {hop}; "
                "ask the site to allow it or remove the source",
            )

    async def _robots_for(self, origin: str) -> Protego | None:
        if origin in self._robots:
            self._robots.move_to_end(origin)
            return self._robots[origin]
        # one lock per site while it loads, so that concurrent first requests load
        # robots.txt only once
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            try:
                if origin in self._robots:
                    return self._robots[origin]
                rules = self._robots[origin] = await self._loaded_robots(origin)
                if len(self._robots) > ROBOTS_KEPT:
                    self._robots.popitem(last=False)
                return rules
            finally:
                self._robots_locks.pop(origin, None)  # waiters hold it; newcomers hit the cache

    async def _loaded_robots(self, origin: str) -> Protego | None:
        """The site's rules, or None for "everything allowed"."""
        url = f"{origin}/robots.txt"
        try:
            reply = await self._follow(url, {}, robots=False)
        except (httpx.HTTPError, TimeoutError, FetchError) as exc:
            error = exc if isinstance(exc, FetchError) else fetch_error(exc, url, self.timeout)
            log.warning("%s; going on as if robots.txt allowed everything", error)
            return None
        if reply.status >= 500:
            log.warning("%s answered HTTP %d; acting as if it allowed all", url, reply.status)
        if not 200 <= reply.status < 300:
            return None
        rules = Protego.parse(decode_body(reply.body, reply.headers.get("content-type")))
        crawl_delay = rules.crawl_delay(self.robots_token)
        if crawl_delay:
            self._gates.slow_down(origin, min(crawl_delay, CRAWL_DELAY_CAP))
        return rules


def _page(url: str, reply: _Reply, sent: Validators) -> Page:
    headers = reply.headers
    not_modified = reply.status == 304
    if not (not_modified or 200 <= reply.status < 300):
        raise HTTPStatusError(url, reply.status, status_message(reply.status, url, reply.final_url))
    return Page(
        url=url,
        final_url=reply.final_url,
        status=reply.status,
        text="" if not_modified else bounded_html(
            decode_body(reply.body, headers.get("content-type"))),
        content_type=_media_type(headers.get("content-type")),
        # a 304 may omit the validators: the ones we sent are still current
        etag=headers.get("etag") or (sent.etag if not_modified else None),
        last_modified=headers.get("last-modified")
        or (sent.last_modified if not_modified else None),
        not_modified=not_modified,
        permanent_redirect=reply.permanent_redirect,
    )


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _checked_url(url: str, target: str, base: str | None = None) -> str:
    """`target` (resolved against `base`) as an absolute http(s) URL string."""
    resolved, why_not = _web_address(target, base)
    if resolved is None:
        raise FetchError(url, f"'{target}' {why_not}")
    return resolved


def _web_address(target: str, base: str | None = None) -> tuple[str | None, str]:
    """(`target` resolved against `base`, "") when it is an http(s) URL, else (None, why)."""
    try:
        parsed = httpx.URL(base).join(target) if base else httpx.URL(target)
    except (httpx.InvalidURL, ValueError) as exc:
        return None, f"is not a valid web address ({exc})"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None, "is not an http:// or https:// address"
    return str(parsed), ""


class _RefusedRedirect(Exception):
    """A redirect to something other than a web page; the message says which."""


async def _refuse_redirects_off_the_web(response: httpx.Response) -> None:
    """httpx response hook. httpx prepares the next request of every redirect, even one it
    does not follow, and fails on a Location such as `javascript:…` with an error of its
    own; so a redirect to a file:, ftp:, javascript: or invalid address is refused here,
    before that: we only ever read web pages."""
    location = response.headers.get("location")
    if response.status_code in REDIRECTS and location:
        hop = str(response.request.url)
        resolved, why_not = _web_address(location, hop)
        if resolved is None:
            raise _RefusedRedirect(f"{hop} redirects to '{location}', which {why_not}; refused")


def _origin(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _mb(size: int) -> str:
    return f"{size / 1_000_000:g} MB"
