"""Failures told in words an admin can act on: httpx's exceptions translated into ours
(the one boundary), HTTP status messages, and Retry-After."""

from __future__ import annotations

import email.utils
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TypeVar

import httpx

from aggregator.errors import FetchError

_E = TypeVar("_E", bound=BaseException)

_STATUS_HINTS = {
    401: "the site asks for a login; this page cannot be scraped",
    403: "the site refuses access to this page",
    404: "the page does not exist (any more); check the URL in sources.yaml",
    410: "the page was removed; find its new address and update sources.yaml",
    429: "the site says we ask too often; consider a longer interval",
}


class NoAnswerInTime(TimeoutError):
    """Our total deadline passed before the server at `url` (a redirect's hop, maybe)
    finished sending its status line and headers."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def is_retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def status_message(status: int, url: str, final_url: str, attempts: int = 1) -> str:
    """What an HTTP error status means for the admin."""
    try:
        phrase = " " + HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    message = f"the server answered HTTP {status}{phrase}"
    if final_url != url:
        message += f" (after redirect to {final_url})"
    if attempts > 1:
        message += f" {attempts} times"
    hint = _STATUS_HINTS.get(status)
    if hint is None and status >= 500:
        hint = "the site has a problem on its side; it usually passes"
    return f"{message}; {hint}" if hint else message


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def fetch_error(exc: BaseException, url: str, timeout: float) -> FetchError:
    """Our error for an httpx exception (or our own deadline's TimeoutError)."""
    host = _failed_host(exc, url)
    after = f"timed out after {timeout:g} s"
    if isinstance(exc, NoAnswerInTime):  # a server dripping its status line and headers
        return FetchError(url, f"{host} did not answer in time (headers too slow): {after}")
    if isinstance(exc, TimeoutError):  # our total deadline
        return FetchError(url, f"{host} did not send the whole page in time: {after}")
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(url, f"could not connect to {host}: {after}")
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(url, f"{host} stopped answering: {after}")
    if tls := _cause(exc, ssl.SSLError):
        reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or tls
        return FetchError(url, f"secure connection (TLS) to {host} failed: {reason}")
    if _cause(exc, socket.gaierror):
        return FetchError(url, f"could not find {host} (DNS lookup failed); check the address")
    if _cause(exc, ConnectionRefusedError):
        return FetchError(url, f"connection refused by {host}; the site may be down")
    if isinstance(exc, httpx.ConnectError):
        return FetchError(url, f"could not connect to {host}: {exc}")
    if isinstance(exc, httpx.DecodingError):
        return FetchError(url, f"{host} sent a corrupt compressed page: {exc}")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.NetworkError):
        return FetchError(url, f"{host} broke off the connection: {exc or type(exc).__name__}")
    return FetchError(url, f"request to {host} failed: {exc or type(exc).__name__}")


def is_transient(exc: BaseException) -> bool:
    """Whether trying again soon may succeed."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return True
    if _cause(exc, ssl.SSLError):
        return False
    if dns := _cause(exc, socket.gaierror):
        return dns.errno == socket.EAI_AGAIN  # "temporary failure in name resolution"
    return isinstance(exc, httpx.ConnectError | httpx.RemoteProtocolError | httpx.NetworkError)


def _failed_host(exc: BaseException, url: str) -> str:
    # after a redirect the failing host may not be the one in `url`
    try:
        if isinstance(exc, NoAnswerInTime):
            target = httpx.URL(exc.url)
        elif isinstance(exc, httpx.RequestError):
            target = exc.request.url
        else:
            target = httpx.URL(url)
    except RuntimeError:  # httpx raises it when the request was not recorded
        target = httpx.URL(url)
    return target.netloc.decode("ascii")


def _cause(exc: BaseException, kind: type[_E]) -> _E | None:
    return next((e for e in _causes(exc) if isinstance(e, kind)), None)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            stack += current.exceptions
