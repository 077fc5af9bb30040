"""Hostile pages: XSS payloads, control characters, absurd nesting and sizes.

Whatever a partner page contains, the feeds stay valid and carry no markup
that could run in a reader or a host page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import feedparser
import icalendar
import lxml.html
import pytest
from lxml import etree
from sites import FixtureSite

import aggregator
from aggregator import crawl, pipeline
from aggregator.extract import listing

PAYLOADS = (Path(__file__).parent / "fixtures" / "xss" / "payloads.txt").read_text(
    encoding="utf-8").splitlines()
NOW = "2019-10-15T10:00:00+02:00"
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "form", "input", "meta",
                  "link", "base", "svg", "math", "body", "details"}


def hostile_site(root: Path) -> Path:
    events = [{"@type": "Event", "name": f"Forum {n} {payload}\x00\x0b",
               "description": f"<p>Programme {payload}</p>",
               "startDate": f"2020-03-{1 + n % 28:02d}T14:00:00+01:00",
               "url": f"https://example.org/forum-{n}",
               "location": {"@type": "Place", "name": f"Salle {payload}",
                            "address": "3 rue Jobin, 13003 Marseille"}}
              for n, payload in enumerate(PAYLOADS)]
    script = json.dumps(events).replace("</", "<\\/")
    (root / "agenda.html").write_text(
        f'<html><head><script type="application/ld+json">{script}</script></head>'
        f"<body><h1>Agenda</h1></body></html>", encoding="utf-8")
    return root


def assert_harmless(fragment: str) -> None:
    if not fragment.strip():
        return
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag.lower() not in DANGEROUS_TAGS, fragment
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), fragment
            assert name.lower() != "style", fragment
            if name.lower() in ("href", "src", "action"):
                assert value.strip().lower().startswith(("http:", "https:", "mailto:")), fragment


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("hostile")
    (tmp / "site").mkdir()
    with FixtureSite(hostile_site(tmp / "site")) as site:
        (tmp / "sources.yaml").write_text(
            f"settings: {{delay: 0, retries: 0}}\nsources:\n"
            f"  - {{id: evil, name: Evil, url: '{site.url}/agenda', strategy: jsonld}}\n")
        env = {**os.environ, "AGGREGATOR_NOW": NOW}
        run = [sys.executable, "-m", "aggregator.cli", "-q"]
        assert subprocess.run([*run, "scrape"], cwd=tmp, env=env).returncode == 0
        return {fmt: subprocess.run([*run, "export", "--format", fmt], cwd=tmp, env=env,
                                    capture_output=True, check=True).stdout
                for fmt in ("rss", "atom", "ics", "json")}


def test_every_hostile_event_is_published(exports):
    events = json.loads(exports["json"])["events"]
    assert len(events) == len(PAYLOADS)
    assert all("\x00" not in e["title"] and "\x0b" not in e["title"] for e in events)


def test_json_descriptions_are_sanitised(exports):
    for event in json.loads(exports["json"])["events"]:
        assert_harmless(event["description_html"])


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feeds_stay_strict_xml_and_harmless(exports, fmt):
    etree.fromstring(exports[fmt], etree.XMLParser(recover=False))
    parsed = feedparser.parse(exports[fmt])
    assert not parsed.bozo
    assert len(parsed.entries) == len(PAYLOADS)
    for entry in parsed.entries:
        assert_harmless(entry.get("summary", "") or entry.get("description", ""))
        for content in entry.get("content", []):
            assert_harmless(content.value)


def test_titles_are_plain_text(exports):
    atom = etree.fromstring(exports["atom"])
    titles = atom.findall("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title")
    assert len(titles) == len(PAYLOADS)
    for title in titles:
        assert title.get("type", "text") == "text" and len(title) == 0  # text, no elements
        assert "\ufffd" not in title.text


def test_ics_parses_and_has_no_control_characters(exports):
    calendar = icalendar.Calendar.from_ical(exports["ics"])
    assert len(calendar.walk("VEVENT")) == len(PAYLOADS)
    assert not any(0 < byte < 32 and byte not in (9, 10, 13) for byte in exports["ics"])


def test_deeply_nested_page_is_read_quickly():
    page = ("<html><body>" + "<div>" * 500_000 + "<p>Forum de l'emploi le 5 novembre 2019 à "
            "Lille</p>" + "</div>" * 500_000 + "</body></html>")
    events = aggregator.extract_events(page, published=None, url="https://example.org/a")
    assert [(e.title, e.start.isoformat(), e.city) for e in events] == [
        ("Forum de l'emploi", "2019-11-05", "Lille")]


def test_malformed_and_truncated_html_yields_what_it_can():
    page = ('<html><body><main><h2>Atelier <b>mémoire</h2><div><p>Le 12 mars 2020 à Roubaix'
            '<script type="application/ld+json">{"@type": "Event", "name": </script><p>Prog')
    events = aggregator.extract_events(page, url="https://example.org/b")
    assert [(e.title, e.start.isoformat(), e.city) for e in events] == [
        ("Atelier mémoire", "2020-03-12", "Roubaix")]


# --- a page of 100 000 links ---------------------------------------------------------

LINKS = 100_000
DETAIL_FILES = 250  # more than any bound below: the bound, not a 404, stops the fetching


@pytest.fixture(scope="module")
def link_flood(tmp_path_factory) -> Path:
    """An agenda of 100 000 dated blocks, each a link to its event page (4.4 MB)."""
    root = tmp_path_factory.mktemp("link-flood")
    blocks = "".join(f"<li><a href=/e/{n}>Forum {n}</a> {1 + n % 28}/11</li>\n"
                     for n in range(LINKS))
    (root / "agenda.html").write_text(
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Agenda</title>'
        f"</head><body><main><h1>Agenda</h1><ul>\n{blocks}</ul></main></body></html>",
        encoding="utf-8")
    (root / "e").mkdir()
    for n in range(DETAIL_FILES):
        (root / "e" / f"{n}.html").write_text(
            f'<html lang="fr"><body><main><h1>Forum {n}</h1><p class="date">{1 + n % 28} '
            f"novembre 2019 de 14h à 17h</p></main></body></html>", encoding="utf-8")
    return root


def scrape_and_export(workdir: Path, source: str) -> tuple[subprocess.CompletedProcess, list]:
    workdir.mkdir()
    (workdir / "sources.yaml").write_text(
        f"settings: {{delay: 0, retries: 0}}\nsources:\n  - {source}\n", encoding="utf-8")
    env = {**os.environ, "AGGREGATOR_NOW": NOW}
    run = [sys.executable, "-m", "aggregator.cli", "-q"]
    done = subprocess.run([*run, "scrape"], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=600)
    exported = subprocess.run([*run, "export", "--format", "json"], cwd=workdir, env=env,
                              capture_output=True, text=True, check=True, timeout=120)
    return done, json.loads(exported.stdout)["events"]


def test_a_page_of_100000_links_read_automatically_is_bounded(link_flood, tmp_path):
    assert (link_flood / "agenda.html").read_text().count("<a href=") == LINKS
    with FixtureSite(link_flood) as site:
        done, events = scrape_and_export(
            tmp_path / "auto", f"{{id: flood, name: Flood, url: '{site.url}/agenda'}}")
    assert done.returncode == 0, done.stderr
    details = sorted(hit for hit in site.hits if hit.startswith("/e/"))
    assert details == sorted(f"/e/{n}" for n in range(crawl.MAX_DETAIL_PAGES))
    assert len(events) == listing.MAX_LISTING_BLOCKS  # the first blocks, not 100 000
    by_title = {e["title"]: e for e in events}
    assert by_title["Forum 0"]["start"] == "2019-11-01T14:00:00+01:00"  # its page read
    last = listing.MAX_LISTING_BLOCKS - 1
    assert by_title[f"Forum {last}"]["start"] == f"2019-11-{1 + last % 28:02d}"  # its block
    assert f"reading the first {listing.MAX_LISTING_BLOCKS} only" in done.stderr


def test_a_page_of_100000_links_read_with_selectors_is_bounded(link_flood, tmp_path):
    with FixtureSite(link_flood) as site:
        done, events = scrape_and_export(
            tmp_path / "css",
            f"{{id: flood, name: Flood, url: '{site.url}/agenda', strategy: css, "
            "list: {item: li, link: a}, event: {title: h1, date: .date}}")
    assert done.returncode == 0, done.stderr
    details = sorted(hit for hit in site.hits if hit.startswith("/e/"))
    assert details == sorted(f"/e/{n}" for n in range(pipeline.MAX_DETAIL_PAGES))
    assert sorted(e["title"] for e in events) == sorted(
        f"Forum {n}" for n in range(pipeline.MAX_DETAIL_PAGES))


# --- mojibake -------------------------------------------------------------------------


def test_mojibake_is_repaired_through_the_pipeline(tmp_path):
    """A CMS that double-encoded its text shows "RÃ©union", "dÃ©cembre", "Saint-Ã‰tienne"
    (and, on one page, the same as HTML entities): subscribers read French."""
    page = (Path(__file__).parent / "fixtures" / "sites" / "mojibake-agenda" / "agenda.html")
    assert "RÃ©union du rÃ©seau Ã©galitÃ©" in page.read_text(encoding="utf-8")
    with FixtureSite("mojibake-agenda") as site:
        done, events = scrape_and_export(
            tmp_path / "work", f"{{id: crpv, name: CRPV, url: '{site.url}/agenda'}}")
    assert done.returncode == 0, done.stderr
    fields = ("title", "start", "venue", "address", "city", "description")
    assert [tuple(e[f] for f in fields) for e in events] == [
        ("Réunion du réseau égalité femmes-hommes", "2019-11-14T09:30:00+01:00",
         "Maison des associations", "4 rue André Malraux", "Saint-Étienne",
         "Une matinée d’échanges sur l’égalité femmes-hommes dans les quartiers prioritaires."),
        ("Forum « Emploi et quartiers »", "2019-12-05", "Hôtel de ville", None, "Besançon",
         "Présentation des dispositifs d’accès à l’emploi pour les habitants des quartiers."),
    ]
    assert not any(mark in json.dumps(events, ensure_ascii=False) for mark in ("Ã", "Â", "â€"))
