"""The embeddable agenda in a real browser: /embed in an iframe and /widget.js on a
host page from another origin, in Debian's headless Chromium driven by Playwright.

Skipped when /usr/bin/chromium or the playwright package is missing (.ci/run
installs both). Screenshots are kept in the test's tmp_path, and copied to
$AGGREGATOR_ARTEFACTS when that is set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aggregator.clock import PARIS
from aggregator.model import Event, Precision, SourceRef, Status
from aggregator.render.html import embed_snippets
from aggregator.store import RunRecord, Store

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed (/usr/bin/chromium); .ci/run installs it "
        "with apt-get install chromium",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[dev]'"
)

NOW = "2019-10-15T10:00:00+02:00"
XSS = "<img src=x onerror=alert(1)>"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IREV = SourceRef(id="irev", name="IREV – centre de ressources", url="https://www.irev.fr/")
LABO = SourceRef(id="labo", name="Labo Cités", url="https://www.labo-cites.org/")
EVENTS = [
    Event(
        id="irev-1",
        title="Rencontre régionale",
        city="Lille",
        all_day=False,
        start=datetime(2019, 11, 5, 9, 30, tzinfo=PARIS),
        end=datetime(2019, 11, 5, 16, 30, tzinfo=PARIS),
        url="https://www.irev.fr/r",
        sources=(IREV,),
    ),
    Event(
        id="irev-2",
        title=XSS,
        start=date(2019, 11, 10),
        url="javascript:alert(2)",
        venue=XSS,
        sources=(IREV,),
    ),
    Event(
        id="irev-3",
        title="Cycle de qualification",
        start=date(2019, 11, 27),
        end=date(2019, 11, 29),
        city="Arras",
        sources=(IREV,),
    ),
    Event(
        id="irev-4",
        title="Séminaire mémoire",
        status=Status.CANCELLED,
        all_day=False,
        start=datetime(2019, 12, 3, 14, 0, tzinfo=PARIS),
        city="Roubaix",
        sources=(IREV,),
    ),
    Event(
        id="irev-5",
        title="Journées nationales",
        start=date(2019, 12, 10),
        alternatives=(date(2019, 12, 10), date(2019, 12, 12)),
        sources=(IREV,),
    ),
    Event(
        id="irev-6",
        title="Université d'été",
        start=date(2020, 2, 1),
        precision=Precision.MONTH,
        online=True,
        sources=(IREV,),
    ),
    Event(
        id="labo-1",
        title="Atelier évaluation",
        start=date(2019, 11, 21),
        city="Lyon",
        sources=(LABO,),
    ),
]
TITLES = [
    "Rencontre régionale",
    XSS,
    "Cycle de qualification",
    "Séminaire mémoire",
    "Journées nationales",
    "Université d'été",
]
DATES = [
    "mardi 5 novembre 2019, 9h30–16h30",
    "dimanche 10 novembre 2019",
    "du mercredi 27 au vendredi 29 novembre 2019",
    "mardi 3 décembre 2019, 14h",
    "mardi 10 ou jeudi 12 décembre 2019",
    "février 2020 (date à préciser)",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """`aggregator serve` over a store holding EVENTS."""
    work = tmp_path_factory.mktemp("browser")
    t = datetime(2019, 10, 15, 9, 0, tzinfo=PARIS)
    with Store.open(work / "agenda.db") as store:
        for ref in (IREV, LABO):
            mine = [e for e in EVENTS if e.sources[0] == ref]
            store.save_run(RunRecord(source_id=ref.id, started=t, finished=t, result="ok"), mine)
    (work / "sources.yaml").write_text(
        "settings: {database: agenda.db, base_url: 'https://agenda.example.org'}\n"
        "sources:\n  - {id: irev, name: IREV, url: 'https://www.irev.fr/'}\n"
        "  - {id: labo, name: Labo, url: 'https://www.labo-cites.org/'}\n"
    )
    env = {**os.environ, "AGGREGATOR_NOW": NOW}
    for name in ("AGGREGATOR_CONFIG", "AGGREGATOR_DB", "NOTIFY_SOCKET"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "serve", "--port", "0"],
        cwd=work,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = ""
    for line in process.stderr:
        if line.startswith("serving on "):
            break
    assert line.startswith("serving on "), "the server did not start"
    threading.Thread(target=process.stderr.read, daemon=True).start()
    yield line.split()[-1].rstrip("/")
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def host_page(server: str) -> Iterator[str]:
    """Another origin's page embedding the agenda both ways, as our snippets say."""
    iframe, _ = embed_snippets(server, "limit=10")
    page = (
        f'<!doctype html><html lang="fr"><meta charset="utf-8"><title>Ville de Test</title>'
        f"<body style='font-family:sans-serif;max-width:40rem;margin:auto'>"
        f"<h1>Site de la ville</h1><h2>Avec le script</h2>"
        f'<div id="widget" data-aggregator-agenda data-source="irev" data-limit="6"></div>'
        f'<script src="{server}/widget.js" defer></script>'
        f"<h2>Dans un cadre</h2>{iframe}</body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 800, "height": 900}
    )
    page = context.new_page()
    page.dialogs = []
    page.errors = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def keep(path: Path) -> None:
    folder = os.environ.get("AGGREGATOR_ARTEFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def test_embed_page_renders_the_agenda_and_runs_no_event_text(page, server, tmp_path):
    page.goto(f"{server}/embed?source=irev")
    assert page.locator(".event .name").all_text_contents() == TITLES
    assert page.locator(".event time").all_text_contents() == DATES
    assert page.locator(".month h2").all_text_contents() == [
        "novembre 2019",
        "décembre 2019",
        "février 2020",
    ]
    assert page.locator(".cancelled .status").all_text_contents() == ["ANNULÉ"]
    assert page.locator(".event").nth(1).locator(".where").text_content() == XSS
    assert page.locator("img").count() == 0
    assert page.locator(".event").nth(1).locator("a.name").count() == 0  # javascript: link
    page.wait_for_timeout(200)
    assert page.dialogs == [] and page.errors == []
    shot = tmp_path / "embed.png"
    page.screenshot(path=str(shot), full_page=True)
    keep(shot)
    assert shot.stat().st_size > 10_000


def test_host_page_with_widget_and_resizing_iframe(page, server, host_page, tmp_path):
    page.goto(host_page)
    widget = page.locator("#widget")
    widget.locator(".event").nth(5).wait_for()  # open shadow roots are pierced
    assert widget.locator(".name").all_text_contents() == TITLES
    assert widget.locator("time").all_text_contents() == DATES  # as the server writes them
    assert widget.locator(".month h2").all_text_contents() == [
        "novembre 2019",
        "décembre 2019",
        "février 2020",
    ]
    assert widget.locator(".status").all_text_contents() == ["ANNULÉ"]
    assert widget.locator(".badge").first.text_content() == "IREV"
    assert widget.locator(".where").all_text_contents()[:2] == ["Lille", XSS]
    assert widget.locator("img").count() == 0
    frame = page.frame_locator("iframe[data-aggregator-embed]")
    frame.locator(".event").nth(6).wait_for()
    assert frame.locator(".event").count() == 7  # limit=10, both sources
    page.wait_for_function("document.querySelector('iframe').style.height.endsWith('px')")
    height = page.evaluate("parseInt(document.querySelector('iframe').style.height)")
    assert height > 600  # grown to the agenda: no inner scroll bar
    assert page.dialogs == [] and page.errors == []
    shot = tmp_path / "host-page.png"
    page.screenshot(path=str(shot), full_page=True)
    keep(shot)
    assert shot.stat().st_size > 10_000


def test_index_page_shows_subscribe_buttons_and_snippets(page, server, tmp_path):
    page.goto(f"{server}/")
    buttons = page.locator(".buttons a")
    assert buttons.first.get_attribute("href") == "webcal://agenda.example.org/feed.ics"
    assert page.locator("main > section .event").count() == 7
    snippet = page.locator("textarea").nth(1).input_value()
    assert snippet.startswith('<div data-aggregator-agenda data-limit="5"></div>')
    assert page.dialogs == [] and page.errors == []
    shot = tmp_path / "index.png"
    page.screenshot(path=str(shot), full_page=True)
    keep(shot)
