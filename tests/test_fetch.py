"""aggregator.fetch against a real HTTP server on 127.0.0.1 whose behaviour is chosen
by path, plus decode_body on French text in every charset combination."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.errors import FetchError, HTTPStatusError, RobotsDisallowed, TooLarge
from aggregator.fetch import Fetcher, Page, Validators, decode_body
from aggregator.fetch.failures import retry_after_seconds

T = TypeVar("T")

FRENCH = "Événement à Vaulx-en-Velin, 5 décembre"
CP1252_ONLY = "L’œuvre « Déjà-vu » – 5 €"  # ’ œ – € exist in Windows-1252, not in Latin-1
USER_AGENT = "aggregator/0.1 (+https://example.org/contact)"
ETAG = '"v1"'
LAST_MODIFIED = "Tue, 05 Nov 2019 08:00:00 GMT"
GZIP_BOMB = gzip.compress(b"\0" * 10_000_000)  # 10 MB once decompressed, ~10 kB on the wire


def html(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>Agenda</title></head><body><p>{text}</p></body></html>"


# --- the test server ---------------------------------------------------------------------


class Site:
    """A web site on `host` (127.0.0.1 unless told); ROUTES and the site's own `routes`
    map each path to its behaviour."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.robots: str | None = None  # None: /robots.txt is a 404
        self.robots_status = 200
        self.hits: Counter[str] = Counter()
        self.headers: dict[str, dict[str, str]] = {}  # last request headers per path
        self.starts: list[float] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"site": self})
        self.server = ThreadingHTTPServer((host, 0), handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # type: ignore[method-assign]

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, like real servers

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = urlsplit(self.path).path
        site = self.site
        with site.lock:
            site.hits[path] += 1
            site.headers[path] = dict(self.headers)
            site.starts.append(time.monotonic())
            hit = site.hits[path]
        route = site.routes.get(path) or ROUTES.get(path)
        route = route or (redirect_chain if path.startswith("/redirect/") else None)
        if route is None:
            return self.send(404, b"<h1>Not found</h1>")
        route(self, hit)

    def send(
        self, status: int, body: bytes = b"", ctype: str = "text/html", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.write(body)

    def write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return False  # the client gave up, as it should
        return True

    def log_message(self, *args: object) -> None:
        pass


Route = Callable[[_Handler, int], None]


def robots(h: _Handler, hit: int) -> None:
    if h.site.robots is None:
        return h.send(404, b"not found", "text/plain")
    h.send(h.site.robots_status, h.site.robots.encode(), "text/plain")


def page(h: _Handler, hit: int) -> None:
    h.send(200, html(FRENCH).encode(), "text/html; charset=utf-8")


def echo_headers(h: _Handler, hit: int) -> None:
    h.send(200, json.dumps(dict(h.headers)).encode(), "application/json")


def conditional(h: _Handler, hit: int) -> None:
    if h.headers.get("If-None-Match") == ETAG:
        return h.send(304, ETag=ETAG)
    h.send(200, html(FRENCH).encode(), "text/html; charset=utf-8", ETag=ETAG)


def conditional_by_date(h: _Handler, hit: int) -> None:
    if h.headers.get("If-Modified-Since") == LAST_MODIFIED:
        return h.send(304)  # validators omitted: the client must keep the ones it sent
    h.send(200, html(FRENCH).encode(), "text/html; charset=utf-8", Last_Modified=LAST_MODIFIED)


def fails_once(status: int, **headers: str) -> Route:
    def route(h: _Handler, hit: int) -> None:
        if hit == 1:
            return h.send(status, b"try again later", **headers)
        page(h, hit)

    return route


def always(status: int, **headers: str) -> Route:
    return lambda h, hit: h.send(status, b"error", **headers)


def redirect(to: str, status: int = 302) -> Route:
    return lambda h, hit: h.send(status, Location=to)


def redirect_chain(h: _Handler, hit: int) -> None:
    left = int(urlsplit(h.path).path.rsplit("/", 1)[1])
    if left == 0:
        return page(h, hit)
    h.send(302, Location=f"/redirect/{left - 1}")


def chunked(h: _Handler, hit: int) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    for _ in range(10):
        if not h.write(b"%x\r\n%s\r\n" % (200, b"x" * 200)):
            return
    h.write(b"0\r\n\r\n")


def gzip_bomb(h: _Handler, hit: int) -> None:
    h.send(200, GZIP_BOMB, "text/html", Content_Encoding="gzip")


def slow_body(h: _Handler, hit: int) -> None:
    """Headers at once, then one byte every 0.1 s: each read is quick, the whole is not."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "100")
    h.end_headers()
    for _ in range(100):
        if not h.write(b"x"):
            return
        time.sleep(0.1)


def slow_headers(h: _Handler, hit: int) -> None:
    """The status line and headers one byte every 0.5 s, each read quick, the answer never
    whole. A minute at most, so that a client without a deadline fails instead of hanging."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"." * 200
    h.close_connection = True
    for byte in head[:120]:
        if not h.write(bytes([byte])):
            return
        time.sleep(0.5)


def slow(h: _Handler, hit: int) -> None:
    site = h.site
    with site.lock:
        site.in_flight += 1
        site.max_in_flight = max(site.max_in_flight, site.in_flight)
    time.sleep(0.3)
    with site.lock:
        site.in_flight -= 1
    page(h, hit)


ROUTES: dict[str, Route] = {
    "/robots.txt": robots,
    "/page": page,
    "/private": page,
    "/slow": slow,
    "/headers": echo_headers,
    "/latin1-no-charset": lambda h, hit: h.send(200, html(FRENCH).encode("latin-1")),
    "/utf8-declared-latin1": lambda h, hit: h.send(
        200, html(FRENCH).encode(), "text/html; charset=iso-8859-1"
    ),
    "/cp1252-meta": lambda h, hit: h.send(
        200, html(CP1252_ONLY, '<meta charset="windows-1252">').encode("cp1252")
    ),
    "/etag": conditional,
    "/last-modified": conditional_by_date,
    "/flaky": fails_once(500),
    "/busy": fails_once(503, Retry_After="1"),
    "/rate-limited": fails_once(429),
    "/always-500": always(500),
    "/busy-for-an-hour": always(503, Retry_After="3600"),
    "/missing": always(404),
    "/loop/a": redirect("/loop/b"),
    "/loop/b": redirect("/loop/a"),
    "/moved": redirect("/new-home", 301),
    "/new-home": page,
    "/moved-then-temporary": redirect("/temporary", 301),
    "/temporary": redirect("/page", 302),
    "/big": lambda h, hit: h.send(200, b"x" * 2000),
    "/big-chunked": chunked,
    "/gzip-bomb": gzip_bomb,
    "/slow-body": slow_body,
    "/slow-headers": slow_headers,
}


def serving(host: str = "127.0.0.1") -> Iterator[Site]:
    site = Site(host)
    threading.Thread(target=site.server.serve_forever, args=(0.01,), daemon=True).start()
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    yield from serving()


@pytest.fixture
def other_site() -> Iterator[Site]:
    """Another host: 127.0.0.2 is loopback too on Linux, and a site of its own."""
    yield from serving("127.0.0.2")


# --- helpers -----------------------------------------------------------------------------

FAST = {"user_agent": USER_AGENT, "delay": 0.0, "backoff": 0.0, "retries": 2, "timeout": 5.0}


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def fetch(url: str, validators: Validators | None = None, **options: Any) -> Page:
    """One page through a fresh Fetcher with test-friendly settings."""
    return run(fetch_all([url], validators, **options))[0]


async def fetch_all(
    urls: list[str], validators: Validators | None = None, **options: Any
) -> list[Page]:
    async with Fetcher(**{**FAST, **options}) as fetcher:
        return list(await asyncio.gather(*(fetcher.fetch(url, validators) for url in urls)))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- plain fetching ----------------------------------------------------------------------


def test_html_page(site: Site) -> None:
    result = fetch(site.url("/page"))
    assert result == Page(
        url=site.url("/page"),
        final_url=site.url("/page"),
        status=200,
        text=html(FRENCH),
        content_type="text/html",
        etag=None,
        last_modified=None,
    )


def test_requests_carry_user_agent_accept_and_french(site: Site) -> None:
    sent = json.loads(fetch(site.url("/headers")).text)
    assert sent["User-Agent"] == USER_AGENT
    assert sent["Accept-Language"].startswith("fr")
    assert "text/html" in sent["Accept"] and "application/rss+xml" in sent["Accept"]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/latin1-no-charset", FRENCH),
        ("/utf8-declared-latin1", FRENCH),
        ("/cp1252-meta", CP1252_ONLY),
    ],
)
def test_pages_are_decoded_whatever_their_charset_says(site: Site, path: str, text: str) -> None:
    assert f"<p>{text}</p>" in fetch(site.url(path)).text


# --- conditional GET -----------------------------------------------------------------------


def test_conditional_get_with_etag(site: Site) -> None:
    first = fetch(site.url("/etag"))
    assert (first.status, first.etag, first.not_modified) == (200, ETAG, False)

    again = fetch(site.url("/etag"), first.validators)

    assert site.headers["/etag"]["If-None-Match"] == ETAG
    assert (again.status, again.text, again.not_modified, again.etag) == (304, "", True, ETAG)


def test_conditional_get_with_last_modified(site: Site) -> None:
    first = fetch(site.url("/last-modified"))
    assert first.validators == Validators(etag=None, last_modified=LAST_MODIFIED)

    again = fetch(site.url("/last-modified"), first.validators)

    assert site.headers["/last-modified"]["If-Modified-Since"] == LAST_MODIFIED
    assert again.not_modified and again.status == 304 and again.text == ""
    assert again.validators == Validators(etag=None, last_modified=LAST_MODIFIED)


def test_no_conditional_headers_without_validators(site: Site) -> None:
    fetch(site.url("/etag"))
    assert "If-None-Match" not in site.headers["/etag"]
    assert "If-Modified-Since" not in site.headers["/etag"]


# --- robots.txt ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rules",
    ["User-agent: aggregator\nDisallow: /private\n", "User-agent: *\nDisallow: /private\n"],
)
def test_robots_disallow(site: Site, rules: str) -> None:
    site.robots = rules
    with pytest.raises(RobotsDisallowed, match=r"robots\.txt forbids 'aggregator'"):
        fetch(site.url("/private"))
    assert site.hits["/private"] == 0
    assert fetch(site.url("/page")).status == 200


@pytest.mark.parametrize(
    ("rules", "status"),
    [
        ("User-agent: otherbot\nDisallow: /\n", 200),
        ("User-agent: aggregator\nAllow: /\n\nUser-agent: *\nDisallow: /\n", 200),
        (None, 404),
        ("User-agent: *\nDisallow: /\n", 500),  # a broken robots.txt is no answer
    ],
)
def test_robots_allow(site: Site, rules: str | None, status: int) -> None:
    site.robots, site.robots_status = rules, status
    assert fetch(site.url("/private")).status == 200


def test_robots_fetched_once_per_site(site: Site) -> None:
    site.robots = "User-agent: *\nDisallow: /private\n"
    urls = [site.url(path) for path in ("/page", "/headers", "/etag", "/page")]

    async def scenario() -> None:
        async with Fetcher(**FAST) as fetcher:
            await asyncio.gather(*(fetcher.fetch(url) for url in urls))
            await fetcher.fetch(site.url("/last-modified"))

    run(scenario())
    assert site.hits["/robots.txt"] == 1


def test_robots_ignored_when_told(site: Site) -> None:
    site.robots = "User-agent: *\nDisallow: /\n"
    assert fetch(site.url("/page"), respect_robots=False).status == 200
    assert site.hits["/robots.txt"] == 0


# --- retries -------------------------------------------------------------------------------


def test_server_error_then_success_is_retried(site: Site) -> None:
    assert fetch(site.url("/flaky")).text == html(FRENCH)
    assert site.hits["/flaky"] == 2


def test_retry_after_is_honoured(site: Site) -> None:
    started = time.monotonic()
    assert fetch(site.url("/busy")).status == 200
    assert time.monotonic() - started >= 1.0
    assert site.hits["/busy"] == 2


def test_too_many_requests_is_retried(site: Site) -> None:
    assert fetch(site.url("/rate-limited")).status == 200
    assert site.hits["/rate-limited"] == 2


def test_persistent_server_error_gives_up_after_retries(site: Site) -> None:
    started = time.monotonic()
    with pytest.raises(HTTPStatusError, match="HTTP 500 Internal Server Error 3 times") as info:
        fetch(site.url("/always-500"), retries=2, backoff=0.1)
    assert info.value.status_code == 500
    assert site.hits["/always-500"] == 3
    assert time.monotonic() - started >= 0.1 + 0.2  # exponential backoff


def test_retry_after_beyond_the_cap_gives_up_at_once(site: Site) -> None:
    started = time.monotonic()
    with pytest.raises(HTTPStatusError, match="come back in 3600 s") as info:
        fetch(site.url("/busy-for-an-hour"))
    assert info.value.status_code == 503
    assert site.hits["/busy-for-an-hour"] == 1
    assert time.monotonic() - started < 2


def test_not_found_is_not_retried(site: Site) -> None:
    with pytest.raises(HTTPStatusError, match="404 Not Found; the page does not exist") as info:
        fetch(site.url("/missing"))
    assert info.value.status_code == 404
    assert site.hits["/missing"] == 1


def test_retry_after_seconds() -> None:
    now = datetime(2019, 11, 5, 8, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert retry_after_seconds("Tue, 05 Nov 2019 07:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


# --- redirects -----------------------------------------------------------------------------


def test_five_redirects_are_followed(site: Site) -> None:
    result = fetch(site.url("/redirect/5"))
    assert result.final_url == site.url("/redirect/0")
    assert result.text == html(FRENCH)
    assert result.permanent_redirect is None


def test_six_redirects_are_too_many(site: Site) -> None:
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(site.url("/redirect/6"))


def test_redirect_loop(site: Site) -> None:
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(site.url("/loop/a"))
    assert site.hits["/loop/a"] == 1  # a loop is not worth retrying


def test_permanent_redirect_is_reported(site: Site) -> None:
    result = fetch(site.url("/moved"))
    assert result.final_url == result.permanent_redirect == site.url("/new-home")


def test_permanent_redirect_stops_at_the_first_temporary_hop(site: Site) -> None:
    result = fetch(site.url("/moved-then-temporary"))
    assert result.final_url == site.url("/page")
    assert result.permanent_redirect == site.url("/temporary")


def test_redirect_to_another_host_obeys_that_hosts_robots_and_politeness(
    site: Site, other_site: Site
) -> None:
    other_site.robots = "User-agent: *\nDisallow: /private\n"
    site.routes["/moved-away"] = redirect(other_site.url("/page"), 301)
    site.routes["/to-private"] = redirect(other_site.url("/private"))

    async def scenario() -> tuple[Page, BaseException]:
        async with Fetcher(**{**FAST, "delay": 0.3}) as fetcher:
            moved = await fetcher.fetch(site.url("/moved-away"))
            await fetcher.fetch(other_site.url("/page"))  # the new host's own turn
            refused = await asyncio.gather(
                fetcher.fetch(site.url("/to-private")), return_exceptions=True
            )
            return moved, refused[0]

    moved, refused = run(scenario())

    assert moved.final_url == moved.permanent_redirect == other_site.url("/page")
    assert moved.text == html(FRENCH)
    assert other_site.hits["/robots.txt"] == 1  # the new host's rules, read once
    assert isinstance(refused, RobotsDisallowed)
    assert f"{other_site.url('')}/robots.txt forbids 'aggregator'" in str(refused)
    assert other_site.hits["/private"] == 0
    # the new host gets its own spacing between requests, redirects included
    gap = other_site.starts[-1] - other_site.starts[-2]
    assert [*other_site.hits] == ["/robots.txt", "/page"] and gap >= 0.28


NOT_WEB = "is not an http:// or https:// address"


@pytest.mark.parametrize(
    ("target", "why_not"),
    [
        ("file:///etc/passwd", NOT_WEB),
        ("ftp://127.0.0.1/agenda", NOT_WEB),
        ("javascript:alert(1)", NOT_WEB),
        ("data:text/html,<script>alert(1)</script>", NOT_WEB),
        ("http://[::1", "is not a valid web address (Invalid port: ':1')"),
    ],
)
def test_redirect_off_the_web_is_refused(site: Site, target: str, why_not: str) -> None:
    site.routes["/elsewhere"] = redirect(target)
    with pytest.raises(FetchError) as info:
        fetch(site.url("/elsewhere"))
    url = site.url("/elsewhere")
    assert str(info.value) == f"{url}: {url} redirects to '{target}', which {why_not}; refused"
    assert type(info.value) is FetchError
    assert site.hits["/elsewhere"] == 1  # refused, not retried


# --- bounded size and time -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_body_over_the_cap_is_refused(site: Site, path: str) -> None:
    with pytest.raises(TooLarge, match="0.001 MB limit"):
        fetch(site.url(path), max_bytes=1000)


def test_gzip_bomb_is_refused(site: Site) -> None:
    with pytest.raises(TooLarge, match="larger than the 1 MB limit"):
        fetch(site.url("/gzip-bomb"), max_bytes=1_000_000)


def test_slow_body_is_cut_at_the_total_deadline(site: Site) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not send the whole page in time: timed out after"):
        fetch(site.url("/slow-body"), timeout=0.5, retries=0)
    assert time.monotonic() - started < 2


def test_slow_headers_are_cut_at_the_total_deadline(site: Site) -> None:
    # each byte comes within the read timeout: only the total deadline stops the wait
    started = time.monotonic()
    with pytest.raises(
        FetchError,
        match=r"127\.0\.0\.1:\d+ did not answer in time \(headers too slow\): "
        r"timed out after 1 s$",
    ) as info:
        fetch(site.url("/slow-headers"), timeout=1.0, retries=0)
    assert type(info.value) is FetchError
    assert time.monotonic() - started < 5  # not the minute the server would drip for
    assert site.hits["/slow-headers"] == 1


# --- network failures ----------------------------------------------------------------------


def test_connection_refused() -> None:
    port = closed_port()
    with pytest.raises(FetchError, match=f"connection refused by 127.0.0.1:{port}") as info:
        fetch(f"http://127.0.0.1:{port}/agenda", retries=1)
    assert type(info.value) is FetchError


def test_tls_failure(site: Site) -> None:
    https = site.url("/page").replace("http://", "https://")
    with pytest.raises(FetchError, match=r"secure connection \(TLS\) to 127\.0\.0\.1:\d+ failed"):
        fetch(https, respect_robots=False)


def test_dns_failure_is_not_retried() -> None:
    calls = []

    def resolver_says_no(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        error = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        raise httpx.ConnectError(str(error), request=request) from error

    transport = httpx.MockTransport(resolver_says_no)
    with pytest.raises(FetchError, match=r"could not find www\.irev\.fr \(DNS lookup failed\)"):
        fetch("https://www.irev.fr/agenda", transport=transport, respect_robots=False)
    assert len(calls) == 1


def test_invalid_address() -> None:
    with pytest.raises(FetchError, match="is not an http:// or https:// address"):
        fetch("ftp://www.irev.fr/agenda")


# --- politeness ----------------------------------------------------------------------------


def test_at_most_two_requests_in_flight_per_host(site: Site) -> None:
    pages = run(fetch_all([site.url(f"/slow?n={n}") for n in range(6)], per_host=2))
    assert len(pages) == 6
    assert site.max_in_flight == 2


def test_delay_between_request_starts(site: Site) -> None:
    async def three_in_a_row() -> None:
        async with Fetcher(**{**FAST, "delay": 0.2, "respect_robots": False}) as fetcher:
            for _ in range(3):
                await fetcher.fetch(site.url("/page"))

    run(three_in_a_row())
    gaps = [later - earlier for earlier, later in zip(site.starts, site.starts[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.18  # the server's clock reads slightly late


# --- decode_body ---------------------------------------------------------------------------

HEADERS = [
    None,
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=iso-8859-1",
    "text/html; charset=windows-1252",
    'TEXT/HTML; Charset="ISO-8859-1"',
]
METAS = [
    "",
    '<meta charset="utf-8">',
    "<meta charset=iso-8859-1>",
    '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
]
ENCODED = [(FRENCH, "utf-8"), (FRENCH, "latin-1"), (FRENCH, "cp1252")]
ENCODED += [(CP1252_ONLY, "utf-8"), (CP1252_ONLY, "cp1252")]


@pytest.mark.parametrize("header", HEADERS)
@pytest.mark.parametrize("meta", METAS)
@pytest.mark.parametrize(("text", "encoding"), ENCODED)
def test_decode_body_in_every_combination(
    text: str, encoding: str, meta: str, header: str | None
) -> None:
    body = html(text, meta)
    assert decode_body(body.encode(encoding), header) == body


@pytest.mark.parametrize("header", [None, "text/html; charset=iso-8859-1"])
def test_decode_body_byte_order_marks(header: str | None) -> None:
    assert decode_body(b"\xef\xbb\xbf" + FRENCH.encode(), header) == FRENCH
    assert decode_body(b"\xff\xfe" + FRENCH.encode("utf-16-le"), header) == FRENCH


def test_decode_body_uses_the_declared_charset_when_not_utf8() -> None:
    euro = "Entrée 5 €".encode("iso-8859-15")  # € is 0xA4 here, "¤" in Windows-1252
    assert decode_body(euro, "text/html; charset=iso-8859-15") == "Entrée 5 €"
    meta = b'<meta charset="ISO-8859-15">' + euro
    assert decode_body(meta, "text/html").endswith("Entrée 5 €")
    xml = b'<?xml version="1.0" encoding="ISO-8859-15"?><title>' + euro
    assert decode_body(xml, None).endswith("Entrée 5 €")
    # the HTTP charset comes before the page's own
    assert decode_body(meta, "text/html; charset=iso-8859-15").endswith("Entrée 5 €")


@pytest.mark.parametrize(
    "header", [f"text/html; charset={name}" for name in ("x-unknown", "utf-16", "base64")]
)
def test_decode_body_ignores_useless_charsets(header: str) -> None:
    assert decode_body(FRENCH.encode("cp1252"), header) == FRENCH


def test_decode_body_replaces_what_no_charset_can_read() -> None:
    assert decode_body(b"caf\xe9 \x81", "text/html; charset=utf-8") == "café \ufffd"


@given(st.binary(max_size=300), st.one_of(st.none(), st.text(max_size=60)))
def test_decode_body_never_raises(body: bytes, header: str | None) -> None:
    assert isinstance(decode_body(body, header), str)
