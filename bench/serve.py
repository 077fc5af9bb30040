"""Speed and memory of the daemon's HTTP server with a large agenda.

    python bench/serve.py [--events 10000] [--seconds 5] [--connections 16]

Fills a fresh database with synthetic upcoming events, starts the real
daemon (`aggregator run --port 0`; every source has just run, so it only
serves), then measures on loopback:

- how long the first /feed.ics takes (the body is built and cached),
- requests per second for the cached /feed.ics (gzip, as calendar clients ask),
- requests per second for 304 answers (If-None-Match),
- the daemon's resident memory (VmRSS, and its peak VmHWM) from /proc.

The load generator is wrk when installed, else a bounded asyncio client
(keep-alive connections, one request in flight on each). The Python client
shares the machine's cores with the server, so its numbers are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from aggregator.clock import PARIS
from aggregator.feeds import Filters, select
from aggregator.model import Event, SourceRef
from aggregator.store import RunRecord, Store

CITIES = ["Lille", "Roubaix", "Lyon", "Vaulx-en-Velin", "Marseille", "Grenoble", "Arras", "Nantes"]
WORDS = [
    "rencontre",
    "atelier",
    "quartiers",
    "habitants",
    "emploi",
    "politique",
    "ville",
    "renouvellement",
    "urbain",
    "participation",
    "jeunesse",
    "santé",
    "éducation",
    "cohésion",
    "territoires",
    "réseau",
]


def fill(db: Path, count: int, sources: int = 20) -> None:
    """`count` upcoming events from `sources` sources, each source just scraped."""
    rng = random.Random(1)
    today, now = date.today(), datetime.now(PARIS)
    with Store.open(db) as store:
        for s in range(sources):
            ref = SourceRef(id=f"src{s}", name=f"Source {s}", url=f"https://s{s}.example.org/")
            events = []
            for i in range(count // sources):
                day = today + timedelta(days=rng.randrange(1, 365))
                start: date | datetime = day
                if i % 2:
                    start = datetime(day.year, day.month, day.day, 9 + i % 8, 30, tzinfo=PARIS)
                words = " ".join(rng.choice(WORDS) for _ in range(60))
                events.append(
                    Event(
                        id=f"src{s}-{i}",
                        title=f"{rng.choice(WORDS).capitalize()} n°{i}",
                        start=start,
                        all_day=not i % 2,
                        city=rng.choice(CITIES),
                        url=f"https://s{s}.example.org/e/{i}",
                        description=words,
                        description_html=f"<p>{words}</p>",
                        tags=("politique-de-la-ville",),
                        region="Hauts-de-France" if s % 2 else "Auvergne-Rhône-Alpes",
                        sources=(ref,),
                    )
                )
            store.save_run(
                RunRecord(
                    source_id=ref.id,
                    started=now,
                    finished=now,
                    result="ok",
                    events=len(events),
                    http_status=200,
                ),
                events,
            )
        select(store, Filters(), today)  # cluster duplicates now, as a scrape would have


def write_config(folder: Path, sources: int = 20) -> None:
    lines = [
        f"  - {{id: src{s}, name: Source {s}, url: 'https://s{s}.example.org/'}}"
        for s in range(sources)
    ]
    (folder / "sources.yaml").write_text(
        "settings: {database: bench.db, interval: 6h}\nsources:\n" + "\n".join(lines) + "\n"
    )


def start_daemon(folder: Path) -> tuple[subprocess.Popen, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("AGGREGATOR_NOW", "AGGREGATOR_CONFIG", "AGGREGATOR_DB", "NOTIFY_SOCKET")
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "-q", "run", "--port", "0"],
        cwd=folder,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("serving on "):
            return process, line.split()[-1].rstrip("/")
    raise SystemExit("the daemon did not start")


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {
        key: int(re.search(rf"{key}:\s+(\d+)", status)[1]) // 1024 for key in ("VmRSS", "VmHWM")
    }


async def _one_connection(
    host: str, port: int, request: bytes, until: float, counts: dict[int, int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            writer.write(request)
            await writer.drain()
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            counts[status] = counts.get(status, 0) + 1
    finally:
        writer.close()


def python_load(
    url: str, headers: dict[str, str], seconds: float, connections: int
) -> tuple[float, dict[int, int]]:
    parts = urlsplit(url)
    lines = [
        f"GET {parts.path}?{parts.query} HTTP/1.1",
        f"Host: {parts.netloc}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    counts: dict[int, int] = {}

    async def run() -> float:
        began = time.perf_counter()
        until = began + seconds
        await asyncio.gather(
            *(
                _one_connection(parts.hostname or "", parts.port or 80, request, until, counts)
                for _ in range(connections)
            )
        )
        return time.perf_counter() - began

    elapsed = asyncio.run(run())
    return sum(counts.values()) / elapsed, counts


def wrk_load(
    url: str, headers: dict[str, str], seconds: float, connections: int
) -> tuple[float, dict[int, int]]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, int(seconds))}s", url]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]), {}


def main(argv: list[str]) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--events", type=int, default=10_000)
    options.add_argument("--seconds", type=float, default=5.0)
    options.add_argument("--connections", type=int, default=16)
    args = options.parse_args(argv)
    load = wrk_load if shutil.which("wrk") else python_load
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        began = time.perf_counter()
        fill(folder / "bench.db", args.events)
        write_config(folder)
        print(f"{args.events} events stored in {time.perf_counter() - began:.1f} s")
        process, base = start_daemon(folder)
        try:
            print(f"daemon idle: {memory(process.pid)} MB")
            began = time.perf_counter()
            with urllib.request.urlopen(f"{base}/feed.ics", timeout=300) as response:
                body, etag = response.read(), response.headers["ETag"]
            print(
                f"first /feed.ics: {time.perf_counter() - began:.2f} s to build "
                f"{len(body) / 1e6:.1f} MB ({body.count(b'BEGIN:VEVENT')} events)"
            )
            print(f"daemon after the first build: {memory(process.pid)} MB")
            client = "wrk" if load is wrk_load else "python asyncio client"
            for label, headers in (
                ("cached /feed.ics (gzip)", {"Accept-Encoding": "gzip"}),
                ("304 (If-None-Match)", {"If-None-Match": etag}),
            ):
                rate, counts = load(f"{base}/feed.ics", headers, args.seconds, args.connections)
                print(
                    f"{label}: {rate:,.0f} req/s with {args.connections} connections "
                    f"({client}) {counts or ''}"
                )
            print(f"daemon after the load: {memory(process.pid)} MB")
        finally:
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
