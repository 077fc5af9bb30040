"""`strategy: auto` end to end on golden fixture sites, through the real CLI.

Each folder of tests/fixtures/sites/ with an `expected.json` is scraped by
`aggregator scrape` from a server on 127.0.0.1 with only `strategy: auto`,
then `aggregator export --format json` must show exactly the expected events
(see tests/autosites.py). A regression case is a new folder, not new code.
Venues are scored by bench/auto_sites.py, not asserted: the places module
owns their accuracy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from autosites import Case, cases, differences, matched, scrape
from sites import SITES, FixtureSite

CASES = cases()
NEW_SITES = [c for c in CASES if c.name.startswith("auto-")]
NOW = "2019-10-15T10:00:00+02:00"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_auto_reads_exactly_the_expected_events(case: Case):
    run = scrape(case)
    problems = differences(case.events, run.events, skip=("venue",), lenient=True)
    assert not problems, "\n".join(problems)
    assert len(run.events) == len(case.events)
    for path in case.never_fetched:
        assert path not in run.hits, f"{path} should not have been fetched"


def test_there_are_at_least_eight_auto_sites_covering_the_cms_families():
    names = {c.name for c in NEW_SITES}
    assert len(names) >= 8
    for family in (
        "drupal",
        "wordpress-tec",
        "wordpress-news",
        "spip",
        "table",
        "microdata",
        "microformats",
        "latin1",
        "paginated",
    ):
        assert any(family in name for name in names), family


def test_the_latin1_page_really_is_latin1_and_served_as_utf8():
    body = (SITES / "auto-latin1-centre-social" / "agenda.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "Fête".encode("latin-1") in body and b"charset" not in body.lower()


def extract(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "AGGREGATOR_NOW": NOW}
    env.pop("AGGREGATOR_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "-q", "extract", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("case", NEW_SITES, ids=[c.name for c in NEW_SITES])
def test_extract_prints_the_events_of_each_site(case: Case, tmp_path: Path):
    with FixtureSite(case.name) as site:
        done = extract(site.url + case.entry, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)["events"]
    # Past events are printed too: every expected event is among the printed ones.
    assert len(matched(case.events, printed)) == len(case.events)
    assert all(e["start"] and e["sources"] for e in printed)


def test_extract_explain_says_where_each_field_came_from_and_what_was_rejected(tmp_path: Path):
    with FixtureSite("auto-spip-agenda") as site:
        done = extract(f"{site.url}/spip.php?page=agenda", "--explain", cwd=tmp_path)
        report = done.stdout.replace(site.url, "http://site")
    assert done.returncode == 0, done.stderr
    assert report.startswith(
        "http://site/spip.php?page=agenda: 4 event(s), read by listing, 5 page(s) fetched\n"
    )
    first = report.split("\n\n")[1]
    assert first.splitlines() == [
        "  1. Journée régionale « Santé et quartiers »",
        "     when:  2019-11-12 09:00 – 17:00",
        "     where: Maison de la démocratie, 16 rue de la République, Montpellier",
        "     page:  http://site/spip.php?article87",
        "     read by listing + page fields:",
        "       title: h1.crayon",
        '       start: text "Le mardi 12 novembre 2019 de 9h00 à 17h00" in p.date',
        '       place: p.lieu: "Maison de la démocratie, 16 rue de la République, '
        '34000 Montpellier"',
    ]
    assert "     status: postponed" in report
    assert '       start: text "du 4 au 6 décembre 2019"' in report  # read from the prose
    rejected = report.split("Rejected candidates")[1]
    assert (
        "  - past: 2019-10-03 is over\n"
        "      block 5 (li.item): Rencontre des délégués du préfet\n"
        "      on http://site/spip.php?page=agenda"
    ) in rejected
    assert "  - deadline: its only date is a closing date" in rejected
    assert "Les candidatures sont à envoyer avant le 15 novembre." in rejected


def test_explain_on_a_news_listing_names_the_prose_and_the_posts_without_events(tmp_path: Path):
    with FixtureSite("auto-wordpress-news") as site:
        done = extract(f"{site.url}/actualites/", "--explain", cwd=tmp_path)
    report = done.stdout
    assert done.returncode == 0, done.stderr
    assert "read by prose:" in report and "read by listing + prose:" in report
    assert "block 1 (article.post): Appel à projets « Quartiers d’été 2020 »" in report
    assert "its page announces no event to come" in report
    assert "Articles similaires" not in report and "Sevran" not in report


def test_explain_on_a_local_file_reads_the_page_alone(tmp_path: Path):
    page = SITES / "auto-latin1-centre-social" / "agenda.html"
    done = extract(str(page), "--explain", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ": 4 event(s), read by prose, 1 page(s) fetched" in done.stdout.splitlines()[0]
    assert "Fête de quartier « La Grette en couleurs »" in done.stdout  # decoded as Latin-1
    assert "Page mise à jour le 7 octobre 2019" in done.stdout  # the footer, rejected
