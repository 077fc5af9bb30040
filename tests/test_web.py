"""The HTTP server: feed paths, filters, caching headers, errors."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from starlette.testclient import TestClient

from aggregator.clock import PARIS
from aggregator.config import Config, Settings, Source
from aggregator.model import Event, SourceRef
from aggregator.store import RunRecord, Store
from aggregator.web import create_app

NOW = "2019-10-15T10:00:00+02:00"


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("AGGREGATOR_NOW", NOW)
    path = tmp_path / "web.db"
    irev = SourceRef(id="irev", name="IREV", url="https://www.irev.fr/agenda")
    events = [
        Event(id="irev-a", title="Rencontre régionale", start=date(2019, 11, 5), city="Lille",
              sources=(irev,), region="Hauts-de-France", tags=("emploi",)),
        Event(id="irev-b", title="Webinaire habitat",
              start=datetime(2019, 12, 3, 14, 0, tzinfo=PARIS), sources=(irev,)),
        Event(id="irev-c", title="Atelier passé", start=date(2019, 9, 1), sources=(irev,)),
    ]
    t0 = datetime(2019, 10, 15, 9, 0, tzinfo=PARIS)
    with Store.open(path) as store:
        store.save_run(RunRecord(source_id="irev", started=t0, finished=t0, result="ok",
                                 events=3), events)
    config = Config(settings=Settings(base_url="https://agenda.example.org"),
                    sources=(Source(id="irev", name="IREV", url="https://www.irev.fr/agenda"),),
                    path=None)
    return TestClient(create_app(lambda: config, path))


@pytest.mark.parametrize("path, ctype", [
    ("/feed.rss", "application/rss+xml"), ("/feed.atom", "application/atom+xml"),
    ("/feed.ics", "text/calendar"), ("/events.json", "application/json"),
    ("/new.rss", "application/rss+xml"), ("/new.atom", "application/atom+xml")])
def test_feed_paths_and_content_types(client, path, ctype):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(ctype)
    assert response.headers["etag"]


def test_filters_and_default_upcoming_only(client):
    titles = [e["title"] for e in client.get("/events.json").json()["events"]]
    assert titles == ["Rencontre régionale", "Webinaire habitat"]
    assert [e["title"] for e in client.get("/events.json?city=lille").json()["events"]] == [
        "Rencontre régionale"]
    assert [e["title"] for e in client.get("/events.json?q=webinaire").json()["events"]] == [
        "Webinaire habitat"]
    assert len(client.get("/events.json?from=2019-08-01").json()["events"]) == 3
    assert len(client.get("/events.json?to=2019-11-30").json()["events"]) == 1
    assert len(client.get("/events.json?limit=1").json()["events"]) == 1


def test_conditional_get_answers_304(client):
    first = client.get("/feed.ics")
    again = client.get("/feed.ics", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "from=2019-13-01", "to=demain"])
def test_bad_parameters_get_400_with_a_message(client, query):
    response = client.get(f"/feed.rss?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.text


def test_json_is_open_to_other_sites(client):
    response = client.get("/events.json", headers={"Origin": "https://ville.example"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_event_ics_and_status(client):
    assert client.get("/event/irev-a.ics").text.count("BEGIN:VEVENT") == 1
    assert client.get("/event/nope.ics").status_code == 404
    status = client.get("/status", headers={"Accept": "application/json"}).json()
    assert status["sources"][0]["result"] == "ok"
    assert client.get("/healthz").json() == {"ok": True, "events": 3}
