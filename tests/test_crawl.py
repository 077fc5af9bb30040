"""What an auto source's first page leads to: linked calendar, next pages, detail pages;
and the breakage warning when a source that yielded events yields none."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sites import SITES, FixtureSite

from aggregator import crawl as crawl_module
from aggregator.crawl import Crawl, crawl
from aggregator.fetch import Fetcher

TODAY = date(2019, 10, 15)


def run(site: FixtureSite, path: str, max_pages: int = 20) -> Crawl:
    async def go() -> Crawl:
        async with Fetcher(user_agent="test/1", delay=0, retries=0) as fetcher:
            page = await fetcher.fetch(site.url + path)
            return await crawl(fetcher, page, today=TODAY, max_pages=max_pages)

    return asyncio.run(go())


def copy_of(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(SITES / name, tmp_path / name))


def test_listing_pages_stop_at_the_cap(tmp_path: Path):
    with FixtureSite("auto-paginated-listing") as site:
        found = run(site, "/evenements", max_pages=2)
    assert "/evenements?page=2" in site.hits and "/evenements?page=3" not in site.hits
    assert found.strategy == "listing"
    assert len(found.raws) == 6


def test_detail_pages_are_bounded_and_blocks_beyond_the_bound_stand_alone(monkeypatch):
    monkeypatch.setattr(crawl_module, "MAX_DETAIL_PAGES", 2)
    with FixtureSite("auto-drupal-views") as site:
        found = run(site, "/agenda")
    details = [hit for hit in site.hits if hit.startswith("/agenda/")]
    assert len(details) == 2
    by_title = {raw.title: raw for raw in found.raws}
    assert len(by_title) == 5
    standalone = by_title["Webinaire : les données de l'Observatoire des quartiers"]
    assert standalone.strategy == "listing" and standalone.venue is None
    assert [n.strategy for n in found.notes].count("listing + page fields") == 2


def test_links_to_other_sites_and_documents_are_never_fetched(tmp_path: Path):
    root = copy_of("auto-handmade-table", tmp_path)
    (root / "docs").mkdir()
    (root / "docs" / "balade-couronneries.pdf").write_bytes(b"%PDF-1.4")
    with FixtureSite(root) as site:
        found = run(site, "/agenda.html")
    assert site.hits == ["/robots.txt", "/agenda.html", "/ateliers/cartographie.html"]
    market = next(r for r in found.raws if r.title == "Marché de Noël solidaire")
    assert market.url.startswith("https://www.helloasso.com/")


def test_an_unreadable_linked_calendar_falls_back_to_the_page(tmp_path: Path):
    root = copy_of("auto-wordpress-tec", tmp_path)
    (root / "agenda__ical=1").unlink()
    with FixtureSite(root) as site:
        found = run(site, "/agenda/")
    assert "/agenda/?ical=1" in site.hits
    assert found.strategy == "jsonld"
    assert len(found.raws) == 4
    assert {n.strategy for n in found.notes} == {"jsonld"}


def test_the_linked_calendar_is_read_instead_of_the_page():
    with FixtureSite("auto-wordpress-tec") as site:
        found = run(site, "/agenda/")
    assert found.strategy == "ics (linked from the page)"
    assert dict(found.notes[1].fields) == {
        "title": "iCalendar SUMMARY",
        "start": "iCalendar DTSTART",
        "end": "iCalendar DTEND",
        "place": "iCalendar LOCATION",
    }


def test_events_of_one_news_post_get_distinct_identities():
    with FixtureSite("auto-wordpress-news") as site:
        found = run(site, "/actualites/")
    post = [r for r in found.raws if r.url and r.url.endswith("/rendez-vous-de-novembre/")]
    assert len(post) == 3
    assert len({r.uid for r in post}) == 3 and all(r.uid for r in post)


# --- breakage signal ------------------------------------------------------------------

NOW = "2019-10-15T10:00:00+02:00"
BROKEN = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Agenda</title>
</head><body><header><nav><a href="/">Accueil</a></nav></header>
<main><h1>Agenda</h1><div id="app" data-src="/api/agenda.json">Chargement…</div></main>
<footer>© 2019 – mis à jour le 14 octobre 2019</footer></body></html>"""


def cli(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AGGREGATOR_NOW": NOW, "AGGREGATOR_CONFIG": "sources.yaml"}
    env.pop("AGGREGATOR_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("runs_after_breakage", [1, 2])
def test_a_source_that_suddenly_yields_nothing_is_flagged_and_keeps_its_events(
    tmp_path: Path, runs_after_breakage: int
):
    root = copy_of("auto-paginated-listing", tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    with FixtureSite(root) as site:
        (work / "sources.yaml").write_text(
            "settings: {delay: 0, retries: 1}\nsources:\n"
            f"  - {{id: arhn, name: ARHN, url: '{site.url}/evenements', strategy: auto}}\n"
        )
        assert cli(work, "scrape").returncode == 0
        before = json.loads(cli(work, "export", "--format", "json").stdout)["events"]
        (root / "evenements.html").write_text(BROKEN, encoding="utf-8")
        for _ in range(runs_after_breakage):
            done = cli(work, "scrape")
            assert done.returncode == 0, done.stderr
    assert len(before) == 6
    assert "arhn: 0 events" in done.stdout and "warning: no events found" in done.stdout
    status = cli(work, "status").stdout
    assert "warning: no events found" in status and "page layout may have changed" in status
    after = json.loads(cli(work, "export", "--format", "json").stdout)["events"]
    assert [e["id"] for e in after] == [e["id"] for e in before]


def test_without_calendar_nor_json_ld_the_events_calendar_list_is_read_as_a_listing(tmp_path: Path):
    root = copy_of("auto-wordpress-tec", tmp_path)
    (root / "agenda__ical=1").unlink()
    page = root / "agenda" / "index.html"
    html = page.read_text(encoding="utf-8")
    start = html.index('<script type="application/ld+json">')
    page.write_text(html[:start] + html[html.index("</script>", start) + 9 :], encoding="utf-8")
    with FixtureSite(root) as site:
        found = run(site, "/agenda/")
    assert found.strategy == "listing"
    assert [(r.title, r.start, r.end, r.venue, r.city) for r in found.raws] == [
        (
            "Université d'automne des professionnels du DSU",
            date(2019, 11, 21),
            date(2019, 11, 22),
            "Université Lumière Lyon 2",
            "Lyon",
        ),
        (
            "Petit-déjeuner : la santé dans les quartiers",
            datetime(2019, 12, 3, 8, 30),
            datetime(2019, 12, 3, 10, 30),
            "Maison du citoyen",
            "Villeurbanne",
        ),
        (
            "Webinaire – Emploi des jeunes et clauses d’insertion",
            datetime(2019, 12, 12, 14),
            datetime(2019, 12, 12, 15, 30),
            None,
            None,
        ),
        (
            "ANNULÉ – Journée d’étude « Habiter le renouvellement urbain »",
            datetime(2020, 1, 23, 9),
            datetime(2020, 1, 23, 17),
            "La Comète",
            "Saint-Étienne",
        ),
    ]
    assert found.raws[2].online and found.raws[3].status.value == "cancelled"
