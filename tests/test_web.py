"""The HTTP server: feed paths, filters, caching headers, errors."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime

import feedparser
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from aggregator import site as site_module
from aggregator.clock import PARIS
from aggregator.config import Config, Settings, Source
from aggregator.feeds import Filters
from aggregator.model import Event, Precision, SourceRef, Status
from aggregator.render.html import script_hash
from aggregator.store import RunRecord, Store
from aggregator.web import create_app

NOW = "2019-10-15T10:00:00+02:00"


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("AGGREGATOR_NOW", NOW)
    path = tmp_path / "web.db"
    irev = SourceRef(id="irev", name="IREV", url="https://www.irev.fr/agenda")
    events = [
        Event(
            id="irev-a",
            title="Rencontre régionale",
            start=date(2019, 11, 5),
            city="Lille",
            sources=(irev,),
            region="Hauts-de-France",
            tags=("emploi",),
        ),
        Event(
            id="irev-b",
            title="Webinaire habitat",
            start=datetime(2019, 12, 3, 14, 0, tzinfo=PARIS),
            sources=(irev,),
        ),
        Event(id="irev-c", title="Atelier passé", start=date(2019, 9, 1), sources=(irev,)),
    ]
    t0 = datetime(2019, 10, 15, 9, 0, tzinfo=PARIS)
    with Store.open(path) as store:
        store.save_run(
            RunRecord(source_id="irev", started=t0, finished=t0, result="ok", events=3), events
        )
    config = Config(
        settings=Settings(base_url="https://agenda.example.org"),
        sources=(Source(id="irev", name="IREV", url="https://www.irev.fr/agenda"),),
        path=None,
    )
    return TestClient(create_app(lambda: config, path))


@pytest.mark.parametrize(
    "path, ctype",
    [
        ("/feed.rss", "application/rss+xml"),
        ("/feed.atom", "application/atom+xml"),
        ("/feed.ics", "text/calendar"),
        ("/events.json", "application/json"),
        ("/new.rss", "application/rss+xml"),
        ("/new.atom", "application/atom+xml"),
    ],
)
def test_feed_paths_and_content_types(client, path, ctype):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(ctype)
    assert response.headers["etag"]


def test_filters_and_default_upcoming_only(client):
    titles = [e["title"] for e in client.get("/events.json").json()["events"]]
    assert titles == ["Rencontre régionale", "Webinaire habitat"]
    assert [e["title"] for e in client.get("/events.json?city=lille").json()["events"]] == [
        "Rencontre régionale"
    ]
    assert [e["title"] for e in client.get("/events.json?q=webinaire").json()["events"]] == [
        "Webinaire habitat"
    ]
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


# --- the agenda pages, caching and health, over a richer store -----------------------

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def site_db(tmp_path, monkeypatch):
    monkeypatch.setenv("AGGREGATOR_NOW", NOW)
    path = tmp_path / "site.db"
    irev = SourceRef(id="irev", name="IREV – centre de ressources", url="https://www.irev.fr/")
    labo = SourceRef(id="labo", name="Labo Cités", url="https://www.labo-cites.org/")
    batches = [
        (
            irev,
            [
                Event(
                    id="irev-a",
                    title="Rencontre régionale",
                    start=date(2019, 11, 5),
                    city="Lille",
                    url="https://www.irev.fr/rencontre",
                    sources=(irev,),
                    region="Hauts-de-France",
                    tags=("emploi",),
                ),
                Event(
                    id="irev-x",
                    title=XSS,
                    start=date(2019, 11, 10),
                    sources=(irev,),
                    url="javascript:alert(1)",
                ),
            ],
        ),
        (
            labo,
            [
                Event(
                    id="labo-b",
                    title="Webinaire habitat",
                    online=True,
                    start=datetime(2019, 12, 3, 14, 0, tzinfo=PARIS),
                    end=datetime(2019, 12, 3, 16, 0, tzinfo=PARIS),
                    sources=(labo,),
                ),
                Event(
                    id="labo-c",
                    title="Séminaire",
                    start=date(2019, 11, 20),
                    city="Lyon",
                    status=Status.CANCELLED,
                    sources=(labo,),
                ),
                Event(
                    id="labo-d",
                    title="Université d'été",
                    start=date(2020, 2, 1),
                    precision=Precision.MONTH,
                    sources=(labo,),
                ),
            ],
        ),
    ]
    with Store.open(path) as store:
        for hour, (ref, events) in enumerate(batches):
            t = datetime(2019, 10, 15, 8 + hour, 0, tzinfo=PARIS)
            store.save_run(
                RunRecord(
                    source_id=ref.id,
                    started=t,
                    finished=t,
                    result="ok",
                    events=len(events),
                    http_status=200,
                ),
                events,
            )
    return path


SITE_CONFIG = Config(
    settings=Settings(base_url="https://agenda.example.org"),
    sources=(
        Source(id="irev", name="IREV", url="https://www.irev.fr/agenda"),
        Source(id="labo", name="Labo", url="https://labo.example/"),
    ),
)


@pytest.fixture
def site(site_db):
    return TestClient(create_app(lambda: SITE_CONFIG, site_db))


def test_embed_page_is_a_safe_french_agenda_for_iframes(site):
    response = site.get("/embed")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "x-frame-options" not in response.headers
    script = re.search(r"<script>(.*?)</script>", response.text).group(1)
    assert script_hash(script) in csp and "postMessage" in script
    body = response.text
    assert [m for m in re.findall(r'<h2 id="[^"]+">([^<]+)</h2>', body)] == [
        "novembre 2019",
        "décembre 2019",
        "février 2020",
    ]
    assert '<span class="status">ANNULÉ</span>' in body
    assert "février 2020 (date à préciser)" in body
    assert "mardi 3 décembre 2019, 14h–16h" in body
    assert html.escape(XSS) in body and "<img" not in body and "javascript:" not in body
    assert '<base target="_blank">' in body
    jsonld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', body).group(1))
    statuses = {e["name"]: e["eventStatus"] for e in jsonld["@graph"]}
    assert statuses["Séminaire"] == "https://schema.org/EventCancelled"
    assert statuses[XSS] == "https://schema.org/EventScheduled"


def test_embed_takes_the_feed_filters(site):
    body = site.get("/embed?source=labo&limit=2").text
    assert re.findall(r'class="name"[^>]*>([^<]+)<', body) == ["Séminaire", "Webinaire habitat"]
    assert 'href="webcal://agenda.example.org/feed.ics?source=labo"' in body
    assert 'href="https://agenda.example.org/feed.rss?source=labo"' in body
    assert site.get("/embed?limit=abc").status_code == 400


def test_index_page_has_subscribe_buttons_snippets_and_calendar_links(site):
    response = site.get("/")
    body = response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert 'href="webcal://agenda.example.org/feed.ics"' in body
    assert 'href="https://agenda.example.org/feed.ics?source=irev"' in body
    assert 'href="https://agenda.example.org/event/irev-a.ics"' in body
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE&amp;text=Rencontre" in body
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in body
    assert html.escape('<div data-aggregator-agenda data-limit="5"></div>') in body
    assert html.escape('src="https://agenda.example.org/embed?limit=5"') in body
    filtered = site.get("/?source=irev").text
    assert html.escape('<div data-aggregator-agenda data-source="irev" data-limit="5">') in filtered
    assert re.findall(r'class="name"[^>]*>([^<]+)<', filtered) == [
        "Rencontre régionale",
        html.escape(XSS),
    ]


def test_widget_script_is_served_with_validators(site):
    response = site.get("/widget.js")
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "data-aggregator-agenda" in response.text and "innerHTML" not in response.text
    again = site.get("/widget.js", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_new_feeds_list_latest_announcements_first(site):
    entries = feedparser.parse(site.get("/new.rss").text).entries
    assert [e.id.rsplit(":", 1)[1] for e in entries] == [  # labo announced last
        "labo-d",
        "labo-c",
        "labo-b",
        "irev-x",
        "irev-a",
    ]
    assert len(feedparser.parse(site.get("/new.atom?limit=1").text).entries) == 1


def test_gzip_and_if_modified_since(site):
    plain = site.get("/feed.ics", headers={"Accept-Encoding": "identity"})
    packed = site.get("/feed.ics", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and packed.content == plain.content
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gz"'
    assert "Accept-Encoding" in packed.headers["vary"]
    for etag in (plain.headers["etag"], "W/" + packed.headers["etag"]):
        assert site.get("/feed.ics", headers={"If-None-Match": etag}).status_code == 304
    since = {"If-Modified-Since": plain.headers["last-modified"]}
    assert site.get("/feed.ics", headers=since).status_code == 304
    older = {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"}
    assert site.get("/feed.ics", headers=older).status_code == 200


def test_bodies_are_rebuilt_only_when_the_data_changes(site, site_db, monkeypatch):
    site.get("/feed.rss")  # the first read clusters the events saved by the fixture (dedup)
    builds = []
    real = site_module.feed_parts
    monkeypatch.setattr(site_module, "feed_parts", lambda *a: builds.append(1) or real(*a))
    first = site.get("/feed.rss?source=irev")
    site.get("/feed.rss?source=irev")
    assert len(builds) == 1
    events = site_module.select(Store.open(site_db), Filters(source="irev"), date(2019, 10, 15))
    t = datetime(2019, 10, 15, 12, 0, tzinfo=PARIS)
    with Store.open(site_db) as store:  # a re-scrape that changes nothing
        store.save_run(RunRecord(source_id="irev", started=t, finished=t, result="ok"), events)
    again = site.get("/feed.rss?source=irev", headers={"If-None-Match": first.headers["etag"]})
    assert len(builds) == 2 and again.status_code == 304
    with Store.open(site_db) as store:  # a change subscribers must see
        store.save_run(
            RunRecord(source_id="irev", started=t, finished=t, result="ok"),
            [events[0].replace(title="Rencontre régionale (complet)")],
        )
    changed = site.get("/feed.rss?source=irev", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and "(complet)" in changed.text


@pytest.mark.parametrize(
    "query, message",
    [
        ("source=Bad Id", "is not a source id"),
        ("from=2019-12-01&to=2019-11-01", "swap them"),
        ("q=" + "x" * 201, "at most 200"),
    ],
)
def test_more_bad_parameters(site, query, message):
    response = site.get(f"/events.json?{query}")
    assert response.status_code == 400 and message in response.text


def test_event_ics_for_calendar_buttons(site):
    body = site.get("/event/labo-c.ics").text
    assert "STATUS:CANCELLED" in body and body.count("BEGIN:VEVENT") == 1
    assert site.get("/event/labo-d.ics").status_code == 404  # month only: no day to add


def test_metrics_in_prometheus_text(site):
    response = site.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    assert families["aggregator_events_stored"].samples[0].value == 5


def test_status_tells_failures_in_a_row_and_the_back_off(site, site_db):
    with Store.open(site_db) as store:
        for hour in (13, 14, 15):
            t = datetime(2019, 10, 15, hour, 0, tzinfo=PARIS)
            store.save_run(
                RunRecord(
                    source_id="labo",
                    started=t,
                    finished=t,
                    result="failed",
                    error="the server answered HTTP 500",
                    http_status=500,
                )
            )
    rows = {
        r["id"]: r
        for r in site.get("/status", headers={"Accept": "application/json"}).json()["sources"]
    }
    assert rows["labo"]["consecutive_failures"] == 3
    assert rows["labo"]["http_status"] == 500 and rows["labo"]["events"] == 3
    assert rows["labo"]["next_run"] == "2019-10-16T15:00:00+02:00"  # 6 h interval × 4
    assert rows["irev"] == {
        "id": "irev",
        "name": "IREV",
        "url": "https://www.irev.fr/agenda",
        "enabled": True,
        "interval_seconds": 21600,
        "last_run": "2019-10-15T08:00:00+02:00",
        "duration_seconds": 0.0,
        "result": "ok",
        "http_status": 200,
        "events_found": 2,
        "events": 2,
        "consecutive_failures": 0,
        "next_run": "2019-10-15T14:00:00+02:00",
        "error": None,
        "warning": None,
    }
    page = site.get("/status").text
    assert "échecs d'affilée" in page and "<td>3</td>" in page
