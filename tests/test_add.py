"""`aggregator add URL`: the source block it proposes for fixture sites on 127.0.0.1.

Commands run in-process (`cli.main`, in a temporary folder) to keep the tests
quick; the unreachable-address test runs the real program to see no traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sites import FixtureSite

from aggregator._add_block import Probe, site_name, source_id
from aggregator.add import with_block
from aggregator.cli import main

NOW = "2019-10-15T10:00:00+02:00"


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """`aggregator -q ARGS` in tmp_path, the clock at NOW."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGGREGATOR_CONFIG", raising=False)
    monkeypatch.delenv("AGGREGATOR_DB", raising=False)
    monkeypatch.setenv("AGGREGATOR_NOW", NOW)

    def run(*args: str) -> Done:
        code = main(["-q", *args])
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


def assert_pastes(cli, block: str, folder: Path) -> None:
    """The block, pasted under `sources:`, passes `aggregator check`."""
    (folder / "sources.yaml").write_text("sources:\n" + block, encoding="utf-8")
    done = cli("check")
    assert (done.returncode, done.stdout) == (0, "sources.yaml: OK, 1 sources\n"), done.stderr


JSONLD_BLOCK = """\
  - id: irdsu
    name: IRDSU
    url: {url}/agenda/
    strategy: auto
    # optional: region: Hauts-de-France, tags: [politique-de-la-ville]
    # strategy auto: read from schema.org Event data (JSON-LD)
    # aggregator add, 2019-10-15: 3 events, 1 page fetched:
    #   2019-12-10 09:30                      Journée nationale des professionnels du \
développement social urbain
    #   2020-06-24 to 2020-06-26 (postponed)  Université d'été du développement social urbain
    #   2020-07-02 14:00                      Webinaire : les cités éducatives un an après
"""

ICS_BLOCK = """\
  - id: labo-cites
    name: Labo Cités
    url: {url}/agenda.ics
    strategy: ics
    # optional: region: Hauts-de-France, tags: [politique-de-la-ville]
    # strategy ics: this address is an iCalendar feed
    # aggregator add, 2019-10-15: 4 events (1 already over), 1 page fetched:
    #   2019-11-21 09:30          Atelier : l'évaluation des contrats de ville
    #   2020-06-04 18:00          Soirée débat : habiter les quartiers
    #   2020-06-16 to 2020-06-17  Rencontres régionales de la politique de la ville
    #   … and 1 more: aggregator extract {url}/agenda.ics
"""

LINKED_ICS_BLOCK = """\
  - id: reseau-dsu-auvergne-rhone
    name: Réseau DSU Auvergne-Rhône-Alpes
    url: {url}/agenda/?ical=1
    strategy: ics
    # optional: region: Hauts-de-France, tags: [politique-de-la-ville]
    # strategy ics: the page {url}/agenda/ links this iCalendar feed;
    # strategy auto with the page's url reads it too, and the page if the iCalendar feed goes
    # aggregator add, 2019-10-15: 4 events, 2 pages fetched:
    #   2019-11-21 to 2019-11-22  Université d’automne des professionnels du DSU
    #   2019-12-03 08:30          Petit-déjeuner : la santé dans les quartiers
    #   2019-12-12 14:00          Webinaire – Emploi des jeunes et clauses d’insertion
    #   … and 1 more: aggregator extract {url}/agenda/?ical=1
"""


@pytest.mark.parametrize(
    "site, entry, expected",
    [
        ("wordpress-tec", "/agenda/", JSONLD_BLOCK),
        ("ics-feed", "/agenda.ics", ICS_BLOCK),
        ("auto-wordpress-tec", "/agenda/", LINKED_ICS_BLOCK),
    ],
    ids=["jsonld-page", "ics-feed", "page-linking-its-calendar"],
)
def test_add_prints_a_block_that_passes_check(cli, tmp_path: Path, site, entry, expected):
    with FixtureSite(site) as server:
        done = cli("add", server.url + entry)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected.format(url=server.url)
    assert_pastes(cli, done.stdout, tmp_path)


def test_add_gives_an_id_the_sources_file_does_not_have(cli, tmp_path: Path):
    with FixtureSite("wordpress-tec") as server:
        (tmp_path / "sources.yaml").write_text(
            f"sources:\n  - id: irdsu\n    name: IRDSU\n    url: {server.url}/agenda/\n",
            encoding="utf-8",
        )
        done = cli("add", f"{server.url}/agenda/")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "  - id: irdsu-2"
    assert lines[5] == "    # note: source 'irdsu' already reads this address"


NO_EVENTS_BLOCK = """\
  - id: centre-social-des-epinettes
    name: Centre social des Épinettes
    url: {url}/
    strategy: auto
    # optional: region: Hauts-de-France, tags: [politique-de-la-ville]
    # aggregator add, 2019-10-15: no events found (1 page fetched).
    # See why with: aggregator extract --explain {url}/
    # If the page lists events, strategy css with list and event selectors can read it.
"""


def test_add_without_events_still_proposes_a_block_and_exits_1(cli, tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        "<html><head><title>Accueil – Centre social des Épinettes</title></head>"
        "<body><h1>Bienvenue</h1><p>Le centre est ouvert du lundi au vendredi.</p></body></html>",
        encoding="utf-8",
    )
    with FixtureSite(site) as server:
        done = cli("add", f"{server.url}/")
    assert done.returncode == 1
    assert done.stdout == NO_EVENTS_BLOCK.format(url=server.url)
    assert_pastes(cli, done.stdout, tmp_path)


def test_add_reports_an_unreachable_address_without_traceback(tmp_path: Path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    done = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "-q", "add", f"http://127.0.0.1:{port}/agenda"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"error: http://127.0.0.1:{port}/agenda: connection refused by 127.0.0.1:{port}; "
        "the site may be down; check that the address opens in a browser"
    )


def test_add_asks_for_a_full_address(cli):
    done = cli("add", "www.irev.fr/agenda")
    assert done.returncode == 1
    assert done.stderr == (
        "error: 'www.irev.fr/agenda' is not a web address; write it in full, "
        "e.g. https://www.irev.fr/agenda\n"
    )


SOURCES = """\
settings:
  interval: 6h
sources:
  - id: irev
    name: IREV
    url: https://www.irev.fr/agenda

# fixes of wrong merges
duplicates:
  - merge: [irev-3f2a9c1d2b4e5f60, irev-9c1b2d3e4f5a6b7c]
"""


def test_append_adds_the_block_at_the_end_of_the_sources(cli, tmp_path: Path):
    (tmp_path / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    with FixtureSite("wordpress-tec") as server:
        done = cli("add", "--append", f"{server.url}/agenda/")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "added to sources.yaml; check it with: aggregator check\n"
    before, after = SOURCES.split("\n# fixes", 1)
    assert (tmp_path / "sources.yaml").read_text(encoding="utf-8") == (
        before + "\n" + done.stdout + "\n# fixes" + after
    )
    assert cli("check").stdout == "sources.yaml: OK, 2 sources\n"


def test_append_leaves_an_invalid_file_as_it_was(cli, tmp_path: Path):
    broken = SOURCES.replace("interval: 6h", "interval: 6 hours")
    (tmp_path / "sources.yaml").write_text(broken, encoding="utf-8")
    with FixtureSite("wordpress-tec") as server:
        done = cli("add", "--append", f"{server.url}/agenda/")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "sources.yaml:2: settings.interval: '6 hours' is not a duration; write 6h",
        "sources.yaml already has problems: fix them first; nothing was changed",
    ]
    assert (tmp_path / "sources.yaml").read_text(encoding="utf-8") == broken
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sources.yaml"]


BLOCK = "  - id: new\n    name: New\n    url: https://new.example.org/\n"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "sources:\n" + BLOCK),
        ("sources: []\n", "sources:\n" + BLOCK),
        ("sources:\n", "sources:\n" + BLOCK),
        (
            "sources:\n- id: a\n  name: A\n  url: https://a.org/",  # list at column 0
            "sources:\n- id: a\n  name: A\n  url: https://a.org/\n\n"
            + BLOCK.replace("\n  ", "\n").removeprefix("  "),
        ),
        (
            "sources:\n  - id: a\n    name: A\n    url: https://a.org/\n\nsettings:\n  delay: 0\n",
            "sources:\n  - id: a\n    name: A\n    url: https://a.org/\n\n"
            + BLOCK
            + "\nsettings:\n  delay: 0\n",
        ),
        ("settings:\n  delay: 0\n", "settings:\n  delay: 0\n\nsources:\n" + BLOCK),
    ],
    ids=["empty-file", "empty-flow-list", "empty-list", "column-0", "key-after", "no-sources"],
)
def test_with_block_puts_the_block_last_in_the_sources(text: str, expected: str):
    assert with_block(text, BLOCK) == expected


@pytest.mark.parametrize(
    "title, url, name",
    [
        ("Événements à venir &#8211; IRDSU", "https://www.irdsu.net/agenda/", "IRDSU"),
        ("Agenda | IREV – ressources", "https://www.irev.fr/", "IREV – ressources"),
        ("Labo Cités – le centre de ressources", "https://www.labo-cites.org/", "Labo Cités"),
        ("Agenda", "https://www.cerdd.org/Agenda", "cerdd.org"),
    ],
)
def test_site_name_is_the_part_of_the_title_naming_the_site(title: str, url: str, name: str):
    assert site_name(f"<html><head><title>{title}</title></head></html>", url) == name


def test_site_name_prefers_what_the_page_declares():
    page = '<head><meta property="og:site_name" content="CERDD"><title>Agenda - x</title></head>'
    assert site_name(page, "https://www.cerdd.org/") == "CERDD"


@pytest.mark.parametrize(
    "url, name, existing, expected",
    [
        ("https://www.labo-cites.org/rencontres", "Labo Cités", {}, "labo-cites"),
        ("https://reseau-crpv.fr/", "Réseau", {"irev": ""}, "reseau-crpv"),
        ("https://agenda.cohesion-territoires.gouv.fr/", "ANCT", {}, "cohesion-territoires"),
        ("http://127.0.0.1:8000/agenda", "Centre social Épinettes", {}, "centre-social-epinettes"),
        ("https://www.irev.fr/agenda", "IREV", {"irev": "", "irev-2": ""}, "irev-3"),
    ],
)
def test_source_id_comes_from_the_host_else_the_name(url, name, existing, expected):
    probe = Probe(
        url=url,
        page_url=url,
        name=name,
        strategy="auto",
        method="prose",
        linked=False,
        events=[],
        pages=1,
    )
    assert source_id(probe, existing) == expected
