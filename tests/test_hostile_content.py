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
