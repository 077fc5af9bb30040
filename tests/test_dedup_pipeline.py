"""End to end: three sites announce overlapping events; each feed shows each real event once.

IRDSU (JSON-LD, organiser of its events), the resource-centre network
(ICS, relays) and IREV (JSON-LD) are served on 127.0.0.1 from copies of
tests/fixtures/sites/dedup-*, scraped with the real CLI, then one site edits
a title and cancels an event and everything is scraped again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import icalendar
import pytest
from samples import plain_title
from sites import SITES, FixtureSite

NOW = "2019-10-15T10:00:00+02:00"
LATER = "2019-10-16T10:00:00+02:00"

SOURCES = """\
settings:
  database: test.db
  delay: 0
  retries: 0
  timeout: 5
sources:
  - id: irdsu
    name: IRDSU
    url: {irdsu}/agenda/
    strategy: jsonld
    organiser: true
  - id: reseau-crpv
    name: Réseau des centres de ressources
    url: {crpv}/agenda.ics
    strategy: ics
  - id: irev
    name: IREV
    url: {irev}/agenda
    region: Hauts-de-France
    strategy: jsonld
"""

# Each real event, by the ids of the sources that announce it.
REAL_EVENTS = {
    "Journée nationale des professionnels du développement social urbain": [
        "irdsu",
        "reseau-crpv",
        "irev",
    ],
    "Webinaire : les cités éducatives un an après": ["irdsu", "reseau-crpv"],
    "Assemblée générale de l'IRDSU": ["irdsu"],
    "Rencontre régionale : la participation des habitants": ["reseau-crpv", "irev"],
    "Forum des associations de Tourcoing": ["reseau-crpv"],  # same day and city as the one above
    "Atelier des conseils citoyens de Vaulx-en-Velin": ["reseau-crpv"],  # same day as the first
    "Cycle de qualification GUP – séance 1 : le diagnostic": ["irev"],
    "Cycle de qualification GUP – séance 2 : la concertation": ["irev"],
}


@pytest.fixture
def workdir(tmp_path: Path):
    roots = {}
    for name in ("irdsu", "crpv", "irev"):
        roots[name] = tmp_path / "sites" / name
        shutil.copytree(SITES / f"dedup-{name}", roots[name])
    with (
        FixtureSite(roots["irdsu"]) as irdsu,
        FixtureSite(roots["crpv"]) as crpv,
        FixtureSite(roots["irev"]) as irev,
    ):
        (tmp_path / "sources.yaml").write_text(
            SOURCES.format(irdsu=irdsu.url, crpv=crpv.url, irev=irev.url), encoding="utf-8"
        )
        yield tmp_path


def cli(workdir: Path, *args: str, now: str = NOW) -> str:
    env = {**os.environ, "AGGREGATOR_NOW": now, "AGGREGATOR_CONFIG": "sources.yaml"}
    env.pop("AGGREGATOR_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def records(workdir: Path) -> dict[str, dict]:
    events = json.loads(cli(workdir, "export", "--format", "json"))["events"]
    titles = [plain_title(e) for e in events]
    assert len(titles) == len(set(titles)), titles
    return dict(zip(titles, events, strict=True))


def vevents(workdir: Path) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(cli(workdir, "export", "--format", "ics"))
    return {str(v["UID"]): v for v in calendar.walk("VEVENT")}


def test_each_real_event_once_in_every_feed_with_all_its_sources(workdir: Path):
    cli(workdir, "scrape")
    found = records(workdir)
    assert sorted(found) == sorted(REAL_EVENTS)
    for title, sources in REAL_EVENTS.items():
        assert sorted(s["id"] for s in found[title]["sources"]) == sorted(sources), title
        assert len(found[title]["merged_because"]) == len(sources) - 1, title
    national = found["Journée nationale des professionnels du développement social urbain"]
    assert national["url"] == "https://www.irdsu.net/evenement/journee-nationale-2019/"
    assert national["start"] == "2019-12-10T09:30:00+01:00"  # the most precise announcement
    assert national["end"] == "2019-12-10T17:00:00+01:00"
    assert (national["venue"], national["city"]) == ("Hôtel de Ville", "Vaulx-en-Velin")
    assert national["region"] == "Hauts-de-France"  # from the relay that knows it
    assert national["registration_url"] == "https://www.weezevent.com/journee-nationale-irdsu-2019"
    because = national["merged_because"][0]
    assert because["score"] >= 85 and because["fields"]["dates"]
    rencontre = found["Rencontre régionale : la participation des habitants"]
    assert rencontre["venue"] == "Salle Eugène Quivrin"  # the fullest place
    assert rencontre["description"].startswith("L'IREV organise une rencontre régionale")
    for fmt in ("rss", "atom"):
        entries = feedparser.parse(cli(workdir, "export", "--format", fmt)).entries
        assert len(entries) == len(REAL_EVENTS)
        assert len({e.id for e in entries}) == len(REAL_EVENTS)
    calendar = vevents(workdir)
    assert len(calendar) == len(REAL_EVENTS)
    assert {uid.removesuffix("@aggregator") for uid in calendar} == {
        e["id"] for e in found.values()
    }
    irev_only = json.loads(cli(workdir, "export", "--format", "json", "--source", "irev"))
    assert len(irev_only["events"]) == 4


def _edit(workdir: Path) -> None:
    """IRDSU renames its national day and cancels its webinar."""
    page = workdir / "sites" / "irdsu" / "agenda" / "index.html"
    text = page.read_text(encoding="utf-8")
    text = text.replace(
        '"name": "Journée nationale des professionnels du développement social urbain"',
        '"name": "Journée nationale 2019 des professionnels du DSU"',
    )
    text = re.sub(
        r'("url": "https://www.irdsu.net/evenement/webinaire-cites-educatives/",\s*'
        r'"startDate": "[^"]+", "endDate": "[^"]+",\s*"eventStatus": "https://schema.org/)'
        r"EventScheduled",
        r"\1EventCancelled",
        text,
    )
    assert "EventCancelled" in text and "2019 des professionnels" in text
    page.write_text(text, encoding="utf-8")


def test_second_scrape_changes_exactly_the_edited_items(workdir: Path):
    cli(workdir, "scrape")
    before, calendar_before = records(workdir), vevents(workdir)
    _edit(workdir)
    cli(workdir, "scrape", now=LATER)
    after, calendar_after = records(workdir), vevents(workdir)
    renamed = "Journée nationale 2019 des professionnels du DSU"
    old_title = "Journée nationale des professionnels du développement social urbain"
    webinar = "Webinaire : les cités éducatives un an après"
    assert sorted(after) == sorted({*REAL_EVENTS, renamed} - {old_title})
    assert after[renamed]["id"] == before[old_title]["id"]
    assert after[webinar]["id"] == before[webinar]["id"]
    assert after[webinar]["status"] == "cancelled"
    changed = {before[old_title]["id"], before[webinar]["id"]}
    unchanged = {t: e for t, e in before.items() if e["id"] not in changed}
    assert {t: after[t] for t in unchanged} == unchanged  # same bytes, same `updated`
    assert set(calendar_after) == set(calendar_before)
    for uid, vevent in calendar_after.items():
        old = calendar_before[uid]
        if uid.removesuffix("@aggregator") in changed:
            assert vevent["SEQUENCE"] == old["SEQUENCE"] + 1, uid
            assert vevent.decoded("LAST-MODIFIED") > old.decoded("LAST-MODIFIED")
        else:
            assert vevent.to_ical() == old.to_ical(), uid
    cancelled = calendar_after[after[webinar]["id"] + "@aggregator"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]).startswith("ANNULÉ")
    assert str(calendar_after[after[renamed]["id"] + "@aggregator"]["SUMMARY"]) == renamed
