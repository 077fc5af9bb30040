"""Cached bodies answered before routing: the same answers as the full app."""

from __future__ import annotations

import gzip
import hashlib
from datetime import date, datetime

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from aggregator._web_ready import Cached
from aggregator.clock import PARIS
from aggregator.config import Config, Settings, Source
from aggregator.model import Event, SourceRef
from aggregator.store import RunRecord, Store
from aggregator.web import create_app

T0 = datetime(2019, 10, 15, 9, 0, tzinfo=PARIS)
IREV = SourceRef(id="irev", name="IREV", url="https://www.irev.fr/agenda")
CONFIG = Config(
    settings=Settings(base_url="https://agenda.example.org"),
    sources=(Source(id="irev", name="IREV", url="https://www.irev.fr/agenda"),),
    path=None,
)


def _event(n: int, title: str = "Rencontre") -> Event:
    return Event(
        id=f"irev-{n}",
        title=f"{title} {n}",
        start=date(2019, 11, 1 + n),
        city="Lille" if n % 2 else "Lyon",
        description="Une rencontre des quartiers. " * 20,
        sources=(IREV,),
    )


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("AGGREGATOR_NOW", "2019-10-15T10:00:00+02:00")
    path = tmp_path / "ready.db"
    with Store.open(path) as store:
        run = RunRecord(source_id="irev", started=T0, finished=T0, result="ok", events=6)
        store.save_run(run, [_event(n) for n in range(6)])
    return path


@pytest.fixture
def full_app_calls(monkeypatch):
    """How many requests reached Starlette's routing and middleware."""
    calls = []
    real = Starlette.__call__

    async def counted(self, scope, receive, send):
        calls.append(scope["path"])
        await real(self, scope, receive, send)

    monkeypatch.setattr(Starlette, "__call__", counted)
    return calls


def _comparable(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in ("date", "vary")}
    vary = {token.strip() for token in response.headers.get("vary", "").split(",")}
    return response.status_code, response.content, headers, vary


@pytest.mark.parametrize("path", ["/feed.ics", "/feed.rss?city=lille", "/", "/widget.js"])
def test_ready_answers_are_the_full_apps(db, full_app_calls, path):
    client = TestClient(create_app(lambda: CONFIG, db))
    etag = client.get(path).headers["etag"]
    variants = [
        {"Accept-Encoding": "identity"},
        {"Accept-Encoding": "gzip, deflate"},
        {"If-None-Match": etag},
        {"If-None-Match": "W/" + etag[:-1] + '-gz"', "Accept-Encoding": "gzip"},
        {"If-None-Match": '"other"'},
        {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"},
    ]
    for headers in variants:
        client.app.feeds.ready.clear()
        full = client.get(path, headers=headers)
        calls = len(full_app_calls)
        ready = client.get(path, headers=headers)
        assert len(full_app_calls) == calls, "answered before routing"
        assert _comparable(ready) == _comparable(full)


def test_a_data_change_or_a_cors_request_goes_to_the_full_app(db, full_app_calls):
    client = TestClient(create_app(lambda: CONFIG, db))
    first = client.get("/feed.ics")
    cors = client.get("/feed.ics", headers={"Origin": "https://ville.example"})
    assert cors.headers["access-control-allow-origin"] == "*"
    with Store.open(db) as store:
        run = RunRecord(source_id="irev", started=T0, finished=T0, result="ok")
        store.save_run(run, [_event(n, "Atelier") for n in range(6)])
    calls = len(full_app_calls)
    again = client.get("/feed.ics", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200 and "Atelier 1" in again.text
    assert len(full_app_calls) == calls + 1


def test_a_big_body_is_kept_gzipped_only_and_sent_whole_in_chunks():
    body = "".join(f"BEGIN:VEVENT\r\nUID:{n}@aggregator\r\nEND:VEVENT\r\n" for n in range(40_000))
    body = body.encode()
    cached = Cached.of((1,), [body[:100], body[100:5000], body[5000:]], T0)
    chunks = list(cached.plain())
    assert cached.small is None and len(cached.gzipped) < len(body) // 10
    assert gzip.decompress(cached.gzipped) == body
    assert cached.size == len(body) and b"".join(chunks) == body
    assert len(chunks) > 1 and max(map(len, chunks)) <= 256 * 1024
    assert cached.etag == hashlib.sha256(body).hexdigest()[:32]
    tiny = Cached.of((1,), [b"BEGIN:", b"VCALENDAR"], T0)
    assert tiny.gzipped is None and list(tiny.plain()) == [b"BEGIN:VCALENDAR"]


def test_a_big_feed_reaches_a_client_without_gzip_whole(db):
    client = TestClient(create_app(lambda: CONFIG, db))
    zipped = client.get("/feed.ics", headers={"Accept-Encoding": "gzip"})
    for _ in range(2):  # through the full app, then answered before routing
        plain = client.get("/feed.ics", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert plain.content == zipped.content and plain.text.count("BEGIN:VEVENT") == 6
        assert int(plain.headers["content-length"]) == len(plain.content)


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_head_gives_the_headers_of_get_without_a_body(db, encoding):
    client = TestClient(create_app(lambda: CONFIG, db))
    headers = {"Accept-Encoding": encoding}
    got = client.get("/feed.ics", headers=headers)
    head = client.head("/feed.ics", headers=headers)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers.get("content-encoding") == got.headers.get("content-encoding")
