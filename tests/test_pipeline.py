"""End to end: fixture sites on 127.0.0.1 → `aggregator scrape` → every export format.

Three partner-site shapes: a Drupal views agenda read with `css`, a WordPress
The Events Calendar site with JSON-LD, and an ICS feed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import feedparser
import icalendar
import icsreaders
import pytest
from lxml import etree
from samples import plain_title
from sites import FixtureSite

NOW = "2019-10-15T10:00:00+02:00"

SOURCES = """\
settings:
  database: test.db
  delay: 0
  retries: 1
  timeout: 2
  base_url: https://agenda.example.org
sources:
  - id: irev
    name: IREV
    url: {drupal}/agenda
    region: Hauts-de-France
    tags: [politique-de-la-ville]
    strategy: css
    list: {{item: ".views-row", link: "h3 a", next: "li.pager-next a"}}
    event: {{title: "h1.page-title", date: ".field-name-field-date",
             location: ".field-name-field-lieu", description: ".field-name-body",
             registration: ".field-name-field-inscription"}}
  - id: irdsu
    name: IRDSU
    url: {wordpress}/agenda/
    strategy: jsonld
  - id: labo-cites
    name: Labo Cités
    url: {ics}/agenda.ics
    region: Auvergne-Rhône-Alpes
    strategy: ics
"""


@pytest.fixture
def sites():
    with FixtureSite("drupal-agenda") as drupal, FixtureSite("wordpress-tec") as wordpress, \
            FixtureSite("ics-feed") as ics:
        yield {"drupal": drupal, "wordpress": wordpress, "ics": ics}


@pytest.fixture
def workdir(tmp_path: Path, sites) -> Path:
    (tmp_path / "sources.yaml").write_text(
        SOURCES.format(**{name: site.url for name, site in sites.items()}), encoding="utf-8")
    return tmp_path


def cli(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AGGREGATOR_NOW": NOW, "AGGREGATOR_CONFIG": "sources.yaml"}
    env.pop("AGGREGATOR_DB", None)
    return subprocess.run([sys.executable, "-m", "aggregator.cli", *args], cwd=workdir,
                          env=env, capture_output=True, text=True, timeout=60)


def export(workdir: Path, fmt: str, *extra: str) -> str:
    done = cli(workdir, "export", "--format", fmt, *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout


def by_title(events: list[dict]) -> dict[str, dict]:
    return {plain_title(e): e for e in events}


EXPECTED = {
    "Rencontre régionale : la participation des habitants": {
        "start": "2019-11-05T09:30:00+01:00", "end": "2019-11-05T16:30:00+01:00",
        "all_day": False, "precision": "minute", "city": "Tourcoing",
        "status": "scheduled", "online": False,
        "registration_url": "https://www.irev.fr/inscription/rencontre-participation"},
    "Cycle de qualification : emploi et quartiers": {
        "start": "2019-11-27", "end": "2019-11-29", "all_day": True, "precision": "day",
        "city": "Arras", "status": "scheduled"},
    "Séminaire « Renouvellement urbain et mémoire »": {
        "start": "2020-03-12T14:00:00+01:00", "end": "2020-03-12T17:00:00+01:00",
        "city": "Roubaix", "status": "cancelled"},
    "Journée nationale des professionnels du développement social urbain": {
        "start": "2019-12-10T09:30:00+01:00", "end": "2019-12-10T17:00:00+01:00",
        "venue": "Hôtel de Ville", "city": "Vaulx-en-Velin", "online": False,
        "url": "https://www.irdsu.net/evenement/journee-nationale-2019/"},
    "Webinaire : les cités éducatives un an après": {
        "start": "2020-07-02T14:00:00+02:00", "end": "2020-07-02T15:30:00+02:00",
        "online": True, "status": "scheduled"},
    "Université d'été du développement social urbain": {
        "start": "2020-06-24", "end": "2020-06-26", "all_day": True, "city": "Marseille",
        "venue": "Friche la Belle de Mai", "status": "postponed"},
    "Atelier : l'évaluation des contrats de ville": {
        "start": "2019-11-21T09:30:00+01:00", "end": "2019-11-21T12:30:00+01:00",
        "city": "Lyon", "url": "https://www.labo-cites.org/rencontre/atelier-evaluation"},
    "Rencontres régionales de la politique de la ville": {
        "start": "2020-06-16", "end": "2020-06-17", "all_day": True, "city": "Grenoble"},
    "Soirée débat : habiter les quartiers": {
        "start": "2020-06-04T18:00:00+02:00", "end": "2020-06-04T20:00:00+02:00",
        "city": "Villeurbanne"},
}


def test_scrape_then_json_export_has_exact_events(workdir: Path):
    done = cli(workdir, "scrape")
    assert done.returncode == 0, done.stdout + done.stderr
    events = json.loads(export(workdir, "json"))["events"]
    found = by_title(events)
    assert sorted(found) == sorted(EXPECTED)  # the past ICS event is left out
    for title, fields in EXPECTED.items():
        for key, value in fields.items():
            assert found[title][key] == value, (title, key)
    assert [e["start"][:10] for e in events] == sorted(e["start"][:10] for e in events)
    irev = found["Rencontre régionale : la participation des habitants"]
    assert irev["region"] == "Hauts-de-France"
    assert irev["tags"] == ["politique-de-la-ville"]
    assert irev["sources"][0]["id"] == "irev"
    assert "<script" not in irev["description_html"]
    assert irev["description"].startswith("L'IREV organise une rencontre régionale")
    past = json.loads(export(workdir, "json", "--include-past"))["events"]
    assert "Atelier passé" in by_title(past)


def test_feeds_parse_strictly_and_agree(workdir: Path):
    assert cli(workdir, "scrape").returncode == 0
    for fmt in ("rss", "atom"):
        body = export(workdir, fmt)
        etree.fromstring(body.encode(), etree.XMLParser(recover=False))
        parsed = feedparser.parse(body)
        assert not parsed.bozo, parsed.bozo_exception
        assert len(parsed.entries) == len(EXPECTED)
        titles = " ".join(e.title for e in parsed.entries)
        assert "ANNULÉ – " in titles
        assert all(e.id for e in parsed.entries)
    calendar = icalendar.Calendar.from_ical(export(workdir, "ics"))
    vevents = {str(v["SUMMARY"]).removeprefix("ANNULÉ – ").removeprefix("REPORTÉ – "): v
               for v in calendar.walk("VEVENT")}
    assert len(vevents) == len(EXPECTED)
    webinar = vevents["Webinaire : les cités éducatives un an après"]
    assert webinar.decoded("DTSTART").isoformat() == "2020-07-02T14:00:00+02:00"
    seminar = vevents["Séminaire « Renouvellement urbain et mémoire »"]
    assert str(seminar["STATUS"]) == "CANCELLED"
    regional = vevents["Rencontres régionales de la politique de la ville"]
    assert regional.decoded("DTEND").isoformat() == "2020-06-18"  # exclusive end


def test_filters_on_export(workdir: Path):
    assert cli(workdir, "scrape").returncode == 0
    irdsu = json.loads(export(workdir, "json", "--source", "irdsu"))["events"]
    titles = {e["title"] for e in irdsu}
    assert len(titles) == 3
    region = json.loads(export(workdir, "json", "--region", "Hauts-de-France"))["events"]
    assert {e["sources"][0]["id"] for e in region} == {"irev"}
    city = json.loads(export(workdir, "json", "--city", "lyon"))["events"]
    assert [e["title"] for e in city] == ["Atelier : l'évaluation des contrats de ville"]


def test_rescrape_of_unchanged_sites_changes_nothing(workdir: Path):
    assert cli(workdir, "scrape").returncode == 0
    first = json.loads(export(workdir, "json"))["events"]
    assert cli(workdir, "scrape").returncode == 0
    second = json.loads(export(workdir, "json"))["events"]
    assert first == second  # same ids, same updated stamps, nothing re-announced
    rss1, rss2 = export(workdir, "rss"), export(workdir, "rss")
    assert [e.id for e in feedparser.parse(rss1).entries] == \
        [e.id for e in feedparser.parse(rss2).entries]


@pytest.mark.parametrize("mode", ["error500", "hang"])
def test_failing_source_keeps_its_events_and_reports(workdir: Path, sites, mode: str):
    assert cli(workdir, "scrape").returncode == 0
    before = json.loads(export(workdir, "json", "--source", "irev"))["events"]
    assert len(before) == 3
    sites["drupal"].mode = mode
    done = cli(workdir, "scrape")
    assert done.returncode == 1
    assert "irev" in done.stdout
    after = json.loads(export(workdir, "json", "--source", "irev"))["events"]
    assert after == before
    status = cli(workdir, "status").stdout
    irev_line = next(line for line in status.splitlines() if line.startswith("irev:"))
    assert "failed" in irev_line
    assert ("500" in irev_line) if mode == "error500" else ("timed out" in irev_line)
    assert "labo-cites: ok" in status


def test_ics_local_times_agree_across_three_readers(workdir: Path, tmp_path: Path):
    assert cli(workdir, "scrape").returncode == 0
    env = {**os.environ, "AGGREGATOR_NOW": NOW, "AGGREGATOR_CONFIG": "sources.yaml"}
    data = subprocess.run([sys.executable, "-m", "aggregator.cli", "export", "--format", "ics"],
                          cwd=workdir, env=env, capture_output=True, check=True).stdout
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    expected = icsreaders.times_by_icalendar(data)
    wall = {times for times in expected.values()}
    assert ("2020-07-02T14:00", "2020-07-02T15:30") in wall  # summer
    assert ("2019-12-10T09:30", "2019-12-10T17:00") in wall  # winter
    assert icsreaders.times_by_vobject(data) == expected
    assert icsreaders.times_by_icaljs(data, tmp_path) == expected
