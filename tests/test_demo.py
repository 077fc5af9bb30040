"""`aggregator demo`: the bundled sample sites scraped and published with no network.

`--once` runs in a fresh temporary folder with the clock pinned (exact dates,
including prose dates without a year read across New Year), and once with the
real clock (the sample pages' dates are relative to today: always to come).
The serving mode is started on a free port, answers /feed.ics and stops
cleanly; a browser opens its agenda page (docs/agenda.png is rewritten only
when AGGREGATOR_SCREENSHOT is set).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import feedparser
import httpx
import icalendar
import pytest

from aggregator import clock
from aggregator._demo_sites import SampleSite, anchor, fill

NOW = "2026-12-16T10:00:00+01:00"  # a Wednesday: the sample dates run into January 2027
SHOT_NOW = "2026-09-16T10:00:00+02:00"  # the screenshot's clock: an autumn of meetings
DOCS = Path(__file__).parent.parent / "docs"
CHROMIUM = Path("/usr/bin/chromium")

# title -> start, end, precision, status, city, ids of the sources that announce it
EXPECTED = {
    "Webinaire : les cités éducatives, un an après": (
        "2026-12-24T14:00:00+01:00",
        "2026-12-24T15:30:00+01:00",
        "minute",
        "scheduled",
        None,
        ["irdsu", "reseau-crpv"],
    ),
    "Rencontre régionale : la participation des habitants dans les quartiers": (
        "2026-12-29T09:30:00+01:00",
        "2026-12-29T16:30:00+01:00",
        "minute",
        "scheduled",
        "Tourcoing",
        ["irev", "reseau-crpv"],
    ),
    "Cycle de qualification : emploi et développement économique dans les quartiers": (
        "2027-01-06",
        "2027-01-08",
        "day",
        "scheduled",
        "Arras",
        ["irev"],
    ),
    "Atelier « Évaluer les contrats de ville »": (
        "2027-01-07T09:30:00+01:00",
        "2027-01-07T12:30:00+01:00",
        "minute",
        "scheduled",
        "Lyon",
        ["labo-cites"],
    ),
    "Séminaire « Renouvellement urbain et mémoire des quartiers »": (
        "2027-01-14T14:00:00+01:00",
        "2027-01-14T17:00:00+01:00",
        "minute",
        "cancelled",
        "Roubaix",
        ["irev"],
    ),
    "Journée nationale des professionnels du développement social urbain": (
        "2027-01-19T09:30:00+01:00",
        "2027-01-19T17:00:00+01:00",
        "minute",
        "scheduled",
        "Vaulx-en-Velin",
        ["irdsu", "reseau-crpv", "labo-cites"],
    ),
    "Atelier : la gestion urbaine de proximité au service de la tranquillité publique": (
        "2027-01-28T09:30:00+01:00",
        "2027-01-28T12:30:00+01:00",
        "minute",
        "scheduled",
        "Lille",
        ["irev"],
    ),
    "Assemblée générale de l'IRDSU": (
        "2027-02-04T14:00:00+01:00",
        "2027-02-04T17:30:00+01:00",
        "minute",
        "scheduled",
        "Paris",
        ["irdsu"],
    ),
    "Rencontre nationale des centres de ressources politique de la ville": (
        "2027-02-16",
        "2027-02-17",
        "day",
        "scheduled",
        "Paris",
        ["reseau-crpv"],
    ),
    "Forum régional des conseils citoyens": (
        "2027-04",
        None,
        "month",
        "scheduled",
        "Grenoble",
        ["labo-cites"],
    ),
}
NATIONAL = "Journée nationale des professionnels du développement social urbain"
CANCELLED = "Séminaire « Renouvellement urbain et mémoire des quartiers »"
MONTH_ONLY = "Forum régional des conseils citoyens"
STATUS_PREFIX = re.compile(r"^(ANNULÉ|REPORTÉ) [–—] ")


def environment(now: str | None) -> dict[str, str]:
    env = {**os.environ}
    for name in ("AGGREGATOR_NOW", "AGGREGATOR_CONFIG", "AGGREGATOR_DB", "NOTIFY_SOCKET"):
        env.pop(name, None)
    if now:
        env["AGGREGATOR_NOW"] = now
    return env


def demo_once(folder: Path, now: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "demo", "--once", "--dir", str(folder)],
        env=environment(now),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def once(tmp_path_factory) -> tuple[Path, str]:
    """The folder `aggregator demo --once` wrote, and what it printed."""
    folder = tmp_path_factory.mktemp("demo") / "fresh"
    done = demo_once(folder, NOW)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder, done.stdout


@pytest.fixture(scope="module")
def events(once) -> dict[str, dict]:
    found = json.loads((once[0] / "events.json").read_text(encoding="utf-8"))["events"]
    # by title as the page wrote it (whether the record's title carries "ANNULÉ – " or not)
    return {STATUS_PREFIX.sub("", e["title"]): e for e in found}


def test_once_scrapes_every_sample_site_and_says_what_it_wrote(once):
    folder, out = once
    for source in ("irev", "irdsu", "labo-cites", "reseau-crpv"):
        assert re.search(rf"^  {source}: \d+ events", out, re.MULTILINE), out
    assert "14 announcements from 4 sources, merged into 10 coming events" in out
    for name in ("index.html", "feed.rss", "feed.atom", "feed.ics", "events.json", "embed.html"):
        assert (folder / name).is_file()
        assert str(folder / name) in out
    assert (folder / "sources.yaml").is_file() and (folder / "aggregator.db").is_file()


def test_events_json_has_exactly_the_coming_events_with_their_dates(events):
    assert len(events) == 10
    for title, (start, end, precision, status, city, _) in EXPECTED.items():
        event = events[title]
        assert (
            event["start"],
            event["end"],
            event["precision"],
            event["status"],
            event["city"],
        ) == (start, end, precision, status, city), title


def test_one_event_announced_by_three_sites_is_merged_and_credits_each(events):
    for title, *_, sources in ((t, *v) for t, v in EXPECTED.items()):
        assert sorted(s["id"] for s in events[title]["sources"]) == sorted(sources), title
    assert [t for t, e in events.items() if len(e["sources"]) == 3] == [NATIONAL]
    national = events[NATIONAL]
    credited = {s["id"]: s for s in national["sources"]}
    assert credited["irdsu"]["name"].startswith("IRDSU – Inter-réseaux")
    assert credited["reseau-crpv"]["url"].endswith("/agenda/journee-nationale-irdsu")
    assert credited["labo-cites"]["url"].split("/")[-1].startswith("spip.php?article142")
    assert credited["labo-cites"]["name"].startswith("Labo Cités")
    # the organiser's announcement wins: its page, its times, its place
    assert national["url"] == credited["irdsu"]["url"]
    assert national["url"].endswith("/evenement/journee-nationale/")
    assert national["venue"] == "Hôtel de Ville"


def test_exactly_one_cancelled_event_marked_in_rss_atom_and_ics(once, events):
    assert [t for t, e in events.items() if e["status"] == "cancelled"] == [CANCELLED]
    for name in ("feed.rss", "feed.atom"):
        feed = feedparser.parse((once[0] / name).read_bytes())
        assert not feed.bozo, name
        cancelled = [entry.title for entry in feed.entries if "ANNULÉ" in entry.title]
        assert len(cancelled) == 1 and CANCELLED in cancelled[0], name
    calendar = icalendar.Calendar.from_ical((once[0] / "feed.ics").read_bytes())
    statuses = [str(v.get("STATUS")) for v in calendar.walk("VEVENT")]
    assert statuses.count("CANCELLED") == 1


def test_month_only_event_is_listed_with_no_day_and_left_out_of_ics(once, events):
    assert [t for t, e in events.items() if e["precision"] == "month"] == [MONTH_ONLY]
    rss = feedparser.parse((once[0] / "feed.rss").read_bytes())
    (entry,) = [e for e in rss.entries if MONTH_ONLY in e.title]
    assert "avril 2027 (date à préciser)" in entry.title
    calendar = icalendar.Calendar.from_ical((once[0] / "feed.ics").read_bytes())
    summaries = [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")]
    assert len(summaries) == 9
    assert not [s for s in summaries if "conseils citoyens" in s]


def test_feed_ics_parses_with_stable_unique_uids(once, events):
    calendar = icalendar.Calendar.from_ical((once[0] / "feed.ics").read_bytes())
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    vevents = calendar.walk("VEVENT")
    assert len({str(v["UID"]) for v in vevents}) == len(vevents) == 9
    national = next(v for v in vevents if NATIONAL in str(v["SUMMARY"]))
    assert national.decoded("DTSTART").isoformat() == "2027-01-19T09:30:00+01:00"


def test_a_second_run_in_the_same_folder_gives_the_same_events(tmp_path: Path):
    assert demo_once(tmp_path, NOW).returncode == 0
    first = json.loads((tmp_path / "events.json").read_text(encoding="utf-8"))["events"]
    done = demo_once(tmp_path, NOW)  # new ports, so new page addresses: same real events
    assert done.returncode == 0, done.stderr
    second = json.loads((tmp_path / "events.json").read_text(encoding="utf-8"))["events"]
    assert [e["title"] for e in second] == [e["title"] for e in first]


def test_demo_refuses_a_folder_it_did_not_write(tmp_path: Path):
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    done = demo_once(tmp_path, NOW)
    assert done.returncode == 1
    assert "is not empty and was not written by the demo" in done.stderr
    assert (tmp_path / "sources.yaml").read_text(encoding="utf-8") == "sources: []\n"


def test_with_the_real_clock_every_event_is_still_to_come(tmp_path: Path):
    done = demo_once(tmp_path / "today", None)
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads((tmp_path / "today" / "events.json").read_text())["events"]
    assert len(found) == 10
    today = clock.today().isoformat()
    assert all(e["start"][:10] > today for e in found if e["precision"] != "month")


def test_demo_refuses_a_busy_port_before_scraping():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "aggregator.cli", "demo", "--port", str(port)],
            env=environment(NOW),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"port {port} of 127.0.0.1 is already in use" in done.stderr
    assert "Scraping" not in done.stdout


# --- placeholders of the sample pages ------------------------------------------------


@pytest.mark.parametrize(
    "today, monday",
    [
        (date(2026, 12, 16), date(2026, 12, 21)),  # Wednesday
        (date(2026, 12, 20), date(2026, 12, 21)),  # Sunday: tomorrow
        (date(2026, 12, 21), date(2026, 12, 28)),  # Monday: a week later, never today
    ],
)
def test_day_zero_is_the_monday_of_next_week(today: date, monday: date):
    assert anchor(today) == monday


def test_fill_writes_every_date_form_and_site_address():
    page = (
        "{{+1 fr}} | {{+1 jour}} | {{+1 date}} | {{ +1 iso }} | {{+1 iso 09:30}} | "
        "{{+1 ics}} | {{+1 ics 14:00}} | {{+120 mois}} | {{-5 date}} | {{site}} | "
        "{{site:irdsu}}"
    )
    sites = {"irev": "http://127.0.0.1:1", "irdsu": "http://127.0.0.1:2"}
    assert fill(page, date(2026, 12, 16), sites, "irev").split(" | ") == [
        "mardi 22 décembre 2026",
        "mardi 22 décembre",
        "22 décembre 2026",
        "2026-12-22",
        "2026-12-22T09:30:00+01:00",
        "20261222",
        "20261222T140000",
        "avril 2027",
        "16 décembre 2026",
        "http://127.0.0.1:1",
        "http://127.0.0.1:2",
    ]
    assert fill("{{+0 date}}", date(2027, 3, 25), sites, "irev") == "29 mars 2027"


def test_sample_site_serves_only_its_own_files():
    site = SampleSite("labo-cites", {})
    try:
        assert site.file_for("/spip.php?article142") is not None
        assert site.file_for("/spip.php?article142=") is not None  # as PHP reads it
        assert site.file_for("/../sources.yaml") is None
        assert site.file_for("/%2e%2e/sources.yaml") is None
        assert site.file_for("/nothing-here") is None
    finally:
        site.server.server_close()


# --- serving mode ------------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, subprocess.Popen]]:
    """`aggregator demo --port 0` with the screenshot's clock; yields its address."""
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "-q", "demo", "--port", "0"],
        env=environment(SHOT_NOW),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    threading.Thread(target=process.stderr.read, daemon=True).start()
    lines: list[str] = []
    address = None
    for line in process.stdout:
        lines.append(line)
        if found := re.search(r"(http://127\.0\.0\.1:\d+)/feed\.ics", line):
            address = found.group(1)
        if line.startswith("Press Ctrl-C"):
            break
    assert address, "the demo printed no address:\n" + "".join(lines)
    process.printed = "".join(lines)  # type: ignore[attr-defined]
    threading.Thread(target=process.stdout.read, daemon=True).start()
    yield address, process
    if process.poll() is None:  # Ctrl-C, so the demo removes its temporary folder
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_serving_mode_prints_the_urls_and_answers_feed_ics(served):
    address, process = served
    for path in ("/", "/feed.rss", "/feed.atom", "/feed.ics", "/events.json", "/embed"):
        assert f"{address}{path} " in process.printed
    answer = httpx.get(f"{address}/feed.ics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(answer.content)
    assert len(calendar.walk("VEVENT")) == 9
    national = httpx.get(f"{address}/events.json", timeout=10).json()["events"][5]
    assert national["title"] == NATIONAL
    page = httpx.get(national["url"], timeout=10)  # the sample sites stay up while serving
    assert page.status_code == 200 and "Journée nationale" in page.text


def test_agenda_page_in_a_browser(served, tmp_path: Path):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    from test_browser import ARGS, keep

    address, _ = served
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1200, "height": 1500}
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{address}/")
        names = page.locator("main > section .event .name").all_text_contents()
        assert len(names) == 10 and NATIONAL in names
        assert page.locator("main > section .event").first.is_visible()
        assert page.locator(".cancelled .status").all_text_contents() == ["ANNULÉ"]
        assert "janvier 2027 (date à préciser)" in page.locator("main").inner_text()
        shot = tmp_path / "agenda.png"
        # down to the eighth event: the whole picture is agenda, no event cut in half
        last = page.locator("main > section .event").nth(7).bounding_box()
        assert last is not None
        height = last["y"] + last["height"] + 16
        page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 1200, "height": height})
        browser.close()
    assert errors == []
    keep(shot)
    if os.environ.get("AGGREGATOR_SCREENSHOT"):
        shutil.copy(shot, DOCS / "agenda.png")
    assert shot.stat().st_size > 10_000


def test_serving_mode_stops_cleanly_on_ctrl_c(served):
    _, process = served
    folder = re.search(r"^Demo folder: (.+)$", process.printed, re.MULTILINE).group(1)
    assert Path(folder).is_dir()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    assert not Path(folder).exists()  # the temporary folder goes with the demo
