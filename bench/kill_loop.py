"""Durability stress: kill -9 `aggregator scrape` at random moments, check the database.

    python bench/kill_loop.py --loops 50

Serves five large ICS feeds on 127.0.0.1, starts a scrape, kills it with
SIGKILL after a random delay, and after each kill checks that SQLite's
integrity_check says ok and that no stored event was lost. Every third loop
starts from an empty database, so kills also land in a first scrape while its
sources are being saved. A final
uninterrupted scrape must then complete and store every event.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEEDS = 5
EVENTS_PER_FEED = 2000


def write_feeds(root: Path) -> None:
    for feed in range(FEEDS):
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//kill//FR"]
        for n in range(EVENTS_PER_FEED):
            day = 1 + n % 28
            lines += [
                "BEGIN:VEVENT",
                f"UID:kill-{feed}-{n}@bench",
                "DTSTAMP:20200101T000000Z",
                f"DTSTART;VALUE=DATE:2020{1 + n % 12:02d}{day:02d}",
                f"SUMMARY:Rencontre {feed}-{n} de la politique de la ville",
                "LOCATION:Lille",
                "END:VEVENT",
            ]
        lines.append("END:VCALENDAR")
        (root / f"feed{feed}.ics").write_text("\r\n".join(lines) + "\r\n")


def serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def write_config(workdir: Path, url: str) -> None:
    sources = "".join(
        f"  - {{id: feed{n}, name: Feed {n}, url: '{url}/feed{n}.ics', strategy: ics}}\n"
        for n in range(FEEDS)
    )
    (workdir / "sources.yaml").write_text(
        f"settings: {{delay: 0, retries: 0}}\nsources:\n{sources}"
    )


def check(db: Path) -> tuple[bool, int]:
    """(integrity ok, events stored) of the database, or (True, 0) before it exists."""
    if not db.exists():
        return True, 0
    conn = sqlite3.connect(db)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in conn.execute("select name from sqlite_master")}
        count = (
            conn.execute("select count(*) from events").fetchone()[0] if "events" in tables else 0
        )
    finally:
        conn.close()
    return ok, count


def scrape(workdir: Path) -> subprocess.Popen:
    env = {**os.environ, "AGGREGATOR_NOW": "2019-10-15T10:00:00+02:00"}
    return subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "-q", "scrape"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def full_scrape_seconds(url: str) -> float:
    """How long one uninterrupted scrape takes here, in a scratch folder: kills are drawn
    over that span, so they land in every phase (start-up, fetching, parsing, saving
    each source, dedup) however loaded the machine is."""
    with tempfile.TemporaryDirectory() as tmp:
        write_config(Path(tmp), url)
        began = time.perf_counter()
        if scrape(Path(tmp)).wait(timeout=300) != 0:
            raise AssertionError("an uninterrupted scrape failed")
        return time.perf_counter() - began


def kill_loop(loops: int, seed: int = 0, max_delay: float | None = None) -> list[tuple[float, int]]:
    """Run the loop; returns (delay, events after the kill) per loop. Raises on damage.
    Without `max_delay`, kills are drawn up to 1.2 times a measured full scrape."""
    rng = random.Random(seed)
    history = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "site").mkdir()
        write_feeds(workdir / "site")
        server, url = serve(workdir / "site")
        write_config(workdir, url)
        db = workdir / "aggregator.db"
        try:
            if max_delay is None:
                max_delay = 1.2 * full_scrape_seconds(url)
            before = 0
            for n in range(loops):
                if n % 3 == 2:  # a third of the kills hit a first scrape, from nothing
                    for leftover in workdir.glob("aggregator.db*"):
                        leftover.unlink()
                    before = 0
                delay = rng.uniform(0.2, max_delay)
                process = scrape(workdir)
                time.sleep(delay)
                process.send_signal(signal.SIGKILL)
                process.wait()
                ok, count = check(db)
                if not ok:
                    raise AssertionError(f"integrity_check failed after a kill at {delay:.2f}s")
                if count < before:
                    raise AssertionError(f"events dropped from {before} to {count}")
                history.append((delay, count))
                before = count
            final = scrape(workdir)
            if final.wait(timeout=300) != 0:
                raise AssertionError("the scrape after the kills did not complete")
            ok, count = check(db)
            if not ok or count != FEEDS * EVENTS_PER_FEED:
                raise AssertionError(f"after a full run: integrity {ok}, {count} events")
            history.append((-1.0, count))
        finally:
            server.shutdown()
    return history


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loops", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    history = kill_loop(args.loops, args.seed)
    for n, (delay, count) in enumerate(history[:-1], 1):
        print(f"kill {n:3d} after {delay:4.2f}s: integrity ok, {count} events")
    counts = [count for _, count in history[:-1]]
    total = FEEDS * EVENTS_PER_FEED
    print(
        f"final run: {history[-1][1]} events; {args.loops} kills, integrity ok every time, "
        f"event count never dropped; {counts.count(0)} kills before the first source was "
        f"saved, {sum(0 < c < total for c in counts)} with some sources saved, "
        f"{counts.count(total)} during re-scrapes of a full database"
    )


if __name__ == "__main__":
    main()
