"""`aggregator demo`: the whole pipeline on bundled sample sites, with no network.

Four sample partner sites (a Drupal agenda read with CSS selectors, a
WordPress events page with JSON-LD, a SPIP news post announcing events in
French prose, an iCalendar feed; `_demo_sites.py`) are served on 127.0.0.1,
one server per site. The demo writes the bundled sources file
(aggregator/data/demo/sources.yaml, with the sites' addresses filled in) and
the database into its folder, scrapes every site with the real pipeline,
then either serves the feeds and the agenda page like `aggregator serve`
until Ctrl-C, or (`--once`) publishes them into the folder and exits.

Dates in the sample pages are relative to today, so the agenda is always to
come; AGGREGATOR_NOW pins them like every other "now" of the program.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import string
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from aggregator import clock
from aggregator._demo_sites import SampleSite, demo_data, site_ids
from aggregator.config import Config, load_config
from aggregator.errors import AggregatorError
from aggregator.feeds import Filters, select
from aggregator.pipeline import SourceResult, scrape
from aggregator.store import Store

log = logging.getLogger(__name__)

DEMO_MARK = "# The sources of `aggregator demo`"  # first line of the bundled sources file

HOST = "127.0.0.1"
# What to open once the demo serves, by path.
PAGES = (
    ("/", "the agenda page"),
    ("/feed.rss", "RSS 2.0"),
    ("/feed.atom", "Atom"),
    ("/feed.ics", "iCalendar (calendar apps)"),
    ("/events.json", "JSON, CORS open"),
    ("/embed", "agenda for an iframe"),
    ("/status", "per-source health"),
)


@contextlib.contextmanager
def sample_sites() -> Iterator[dict[str, str]]:
    """Every sample site served on 127.0.0.1; yields site id -> base URL."""
    urls: dict[str, str] = {}
    sites = [SampleSite(site_id, urls) for site_id in site_ids()]
    for site in sites:
        site.start()
    try:
        yield urls
    finally:
        for site in sites:
            site.stop()


def write_sources(folder: Path, sites: dict[str, str], base_url: str) -> Path:
    """The bundled sources file, with the sites' and the feeds' addresses, in `folder`."""
    template = string.Template(demo_data().joinpath("sources.yaml").read_text(encoding="utf-8"))
    names = {site_id.replace("-", "_"): url for site_id, url in sites.items()}
    path = folder / "sources.yaml"
    path.write_text(template.substitute(names, base_url=base_url), encoding="utf-8")
    return path


def scrape_sources(config: Config, db: Path) -> list[SourceResult]:
    """One pass of the real pipeline over every sample site, a line per source."""

    def report(result: SourceResult) -> None:
        print(f"  {result.summary()}", flush=True)

    with Store.open(db) as store:
        return asyncio.run(scrape(config, store, on_result=report))


def run_demo(*, once: bool = False, directory: Path | None = None, port: int = 8080) -> int:
    """Scrape the sample sites, then publish into the folder (`once`) or serve; exit code."""
    if directory is None:
        if once:  # the files are what the caller wants: keep them
            return _demo(once, Path(tempfile.mkdtemp(prefix="aggregator-demo-")), port)
        with tempfile.TemporaryDirectory(prefix="aggregator-demo-") as folder:
            return _demo(once, Path(folder), port)
    _check_folder(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return _demo(once, directory, port)


def _check_folder(folder: Path) -> None:
    """The demo overwrites its folder: only a new, empty or previous demo folder will do."""
    mine = folder / "sources.yaml"
    if mine.is_file() and mine.read_text(errors="replace").startswith(DEMO_MARK):
        return
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise AggregatorError(
            f"{folder} is not empty and was not written by the demo, which would overwrite "
            "its files; give --dir a new or empty folder"
        )


def _demo(once: bool, folder: Path, port: int) -> int:
    if not once:
        port = _port_to_serve(port)
    base_url = f"http://{HOST}:{port}"
    with sample_sites() as sites:
        config = load_config(write_sources(folder, sites, base_url))
        db = folder / (config.settings.database or "aggregator.db")
        # Each run serves the sites on new ports, so their pages have new addresses:
        # a fresh database keeps the announcements of a previous run out of this one.
        for suffix in ("", "-wal", "-shm", "-journal"):
            db.with_name(db.name + suffix).unlink(missing_ok=True)
        print(f"Demo folder: {folder}")
        print(f"Scraping {len(sites)} sample partner sites served on {HOST}:")
        started = time.monotonic()
        results = scrape_sources(config, db)
        failed = [r.source_id for r in results if r.result not in ("ok", "unchanged")]
        print(
            f"{_summary(db, results)} in {time.monotonic() - started:.1f}s"
            + (f"; failed: {', '.join(failed)}" if failed else ""),
            flush=True,
        )
        if once:
            return _publish(config, db, folder) or (1 if failed else 0)
        return _serve(config, db, port)


def _summary(db: Path, results: list[SourceResult]) -> str:
    """How many announcements became how many coming events."""
    with Store.open(db) as store:
        announced = store.count_events()
        coming = len(select(store, Filters(), clock.today()))
    return (
        f"{announced} announcements from {len(results)} sources, "
        f"merged into {coming} coming events,"
    )


def _publish(config: Config, db: Path, folder: Path) -> int:
    from aggregator.publish import publish

    with Store.open(db) as store:
        report = publish(config, store, folder, clock.today())
    print(report.summary())
    for path, what in (
        ("index.html", "the agenda page"),
        ("feed.rss", "RSS 2.0"),
        ("feed.atom", "Atom"),
        ("feed.ics", "iCalendar"),
        ("events.json", "JSON"),
        ("embed.html", "agenda for an iframe"),
    ):
        print(f"  {folder / path}  ({what})")
    return 0


def _serve(config: Config, db: Path, port: int) -> int:
    from aggregator.service import run_service
    from aggregator.web import create_app

    app = create_app(lambda: config, db)
    base_url = f"http://{HOST}:{port}"
    threading.Thread(target=_announce_when_ready, args=(base_url,), daemon=True).start()
    return run_service(app, HOST, port)


def _announce_when_ready(base_url: str, timeout: float = 15.0) -> None:
    """Print the addresses to open once the server answers (none if it never does)."""
    host, port = base_url.rsplit("//", 1)[1].split(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, int(port)), 0.5):
            break
        time.sleep(0.05)
    else:
        return
    lines = [f"  {base_url}{path:<14} {what}" for path, what in PAGES]
    print("Open:", *lines, "Press Ctrl-C to stop.", sep="\n", flush=True)


def _port_to_serve(port: int) -> int:
    """`port`, or a free one for 0, checked before the scrape so a busy port fails fast
    (the URLs are printed before the server binds it)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((HOST, port))
        except OSError:
            raise AggregatorError(
                f"port {port} of {HOST} is already in use (another aggregator?); "
                "choose another with --port, or --port 0 for a free one"
            ) from None
        return probe.getsockname()[1]
