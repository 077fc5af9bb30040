"""Daemon memory: `aggregator run` after scraping sites totalling 10,000 events, then serving.

    python bench/daemon_memory.py [--sites 1000] [--events 10] [--seconds 60]

Starts the simulated partner sites (bench/scrape_sites.py, one loopback address
each, `--events` events per site), writes a sources.yaml of one `css` source per
site (delay 0, retries 0, interval 6h) in a temporary folder, and starts the real
daemon there (`aggregator run --port 0`). Its first cycle scrapes every site, each
source's run followed by its dedup pass, as in production. Once every source has
run, it requests the feeds for `--seconds` (every feed of the site in turn, then
filtered ones, one request at a time) while reading the daemon's VmRSS from
/proc/PID/status each second. Prints the resident memory (VmRSS) after the scrape,
its maximum and its last value while serving, and the peak (VmHWM).
"""

from __future__ import annotations

import argparse
import http.client
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from scrape_sites import SELECTORS, Farm, raise_file_limit, site_address
from serve import memory, start_daemon

FEEDS = ("/feed.ics", "/feed.rss", "/feed.atom", "/events.json", "/new.rss", "/")
FILTERED = ("/feed.ics?city=Lille", "/feed.rss?source=site-{n}", "/events.json?city=Grenoble")


def write_config(folder: Path, sites: int, port: int) -> None:
    with (folder / "sources.yaml").open("w", encoding="utf-8") as out:
        out.write(
            "settings: {delay: 0, retries: 0, timeout: 30, interval: 6h, database: bench.db}\n"
            "sources:\n"
        )
        for i in range(sites):
            out.write(
                f"  - id: site-{i}\n    name: Site {i}\n"
                f"    url: http://{site_address(i)}:{port}/agenda\n"
                f"    strategy: css\n{SELECTORS}"
            )


def sources_run(database: Path) -> tuple[int, int]:
    """(sources that have run, events stored), read beside the daemon."""
    if not database.exists():
        return 0, 0
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as db:
        try:
            ran = db.execute("select count(distinct source_id) from runs").fetchone()[0]
            events = db.execute("select count(*) from events").fetchone()[0]
        except sqlite3.OperationalError:  # tables not made yet
            return 0, 0
    return ran, events


def get(port: int, path: str) -> int:
    """One GET (gzip, as feed readers ask); the body's size."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        return len(connection.getresponse().read())
    finally:
        connection.close()


def serve_load(pid: int, port: int, seconds: float, sites: int) -> list[int]:
    """Feeds requested one after the other for `seconds`; VmRSS sampled each second."""
    samples, requests, n = [], 0, 0
    end = time.monotonic() + seconds
    next_sample = 0.0
    before = memory(pid)["VmRSS"]
    while time.monotonic() < end:
        path = (FEEDS + FILTERED)[n % (len(FEEDS) + len(FILTERED))].format(n=n % sites)
        size = get(port, path)
        requests, n = requests + 1, n + 1
        if n <= len(FEEDS) + len(FILTERED):  # what each body's first build costs
            now = memory(pid)["VmRSS"]
            print(f"  first {path}: {size / 1e6:.1f} MB gzipped, VmRSS {now:.0f} MB "
                  f"({now - before:+.0f})")
            before = now
        if time.monotonic() >= next_sample:
            samples.append(memory(pid)["VmRSS"])
            next_sample = time.monotonic() + 1.0
    samples.append(memory(pid)["VmRSS"])
    print(f"{requests} requests in {seconds:.0f} s")
    return samples


def measure(
    sites: int, events: int, seconds: float, timeout: float, keep: str | None = None
) -> dict[str, float]:
    with Farm(sites, events) as farm, tempfile.TemporaryDirectory() as work:
        folder = Path(keep or work)
        folder.mkdir(parents=True, exist_ok=True)
        write_config(folder, sites, farm.port)
        began = time.monotonic()
        daemon, base = start_daemon(folder)
        port = urlsplit(base).port
        try:
            ran = stored = 0
            while ran < sites:
                if time.monotonic() - began > timeout:
                    raise SystemExit(f"only {ran} of {sites} sources ran in {timeout:.0f} s")
                if daemon.poll() is not None:
                    raise SystemExit(f"the daemon stopped (exit {daemon.returncode})")
                time.sleep(1.0)
                ran, stored = sources_run(folder / "bench.db")
            scraped = time.monotonic() - began
            time.sleep(2.0)  # the last source's dedup pass
            after_scrape = memory(daemon.pid)
            print(
                f"scraped {sites} sources, {stored:,} events in {scraped:.0f} s; daemon "
                f"VmRSS {after_scrape['VmRSS']} MB (peak {after_scrape['VmHWM']} MB)"
            )
            samples = serve_load(daemon.pid, port, seconds, sites)
            final = memory(daemon.pid)
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)
    return {
        "events": stored,
        "scrape_seconds": scraped,
        "rss_after_scrape": after_scrape["VmRSS"],
        "rss_max_serving": max(samples),
        "rss_end": final["VmRSS"],
        "hwm": final["VmHWM"],
    }


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--sites", type=int, default=1000)
    options.add_argument("--events", type=int, default=10, help="events per site")
    options.add_argument("--seconds", type=float, default=60.0, help="of serving feeds")
    options.add_argument("--timeout", type=float, default=1800.0, help="for the scrape")
    options.add_argument("--json", action="store_true", help="end with the figures as JSON")
    options.add_argument(
        "--keep", metavar="FOLDER", help="write sources.yaml and the database there, and keep them"
    )
    args = options.parse_args(argv)
    raise_file_limit()
    found = measure(args.sites, args.events, args.seconds, args.timeout, args.keep)
    print(
        f"daemon memory, {found['events']:,} events: VmRSS after the scrape "
        f"{found['rss_after_scrape']:.0f} MB, while serving max {found['rss_max_serving']:.0f} MB, "
        f"at the end {found['rss_end']:.0f} MB; peak (VmHWM) {found['hwm']:.0f} MB"
    )
    if args.json:
        print(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
