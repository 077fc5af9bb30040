"""Scrape cycle at scale: the real pipeline against a bare httpx fetch of the same pages.

    python bench/scrape.py [N ...] [--rounds R] [--timeout S] [--profile N]   (default N: 100 1000)

N simulated partner sites (bench/scrape_sites.py: one loopback address each, a
robots.txt, a listing and three detail pages, served by a separate process).
For each N, these clients run one after the other, each in a fresh process (so
that its peak resident memory is its own), against the same sites:

- `bare`: httpx.AsyncClient fetching every URL the pipeline fetches (robots.txt,
  listing, details), 16 requests in flight (the pipeline's 8 sources x 2 per
  host): the limit of this stack;
- `bare+css`: the same plus css.parse_listing / parse_detail in the same thread;
- `pipeline`: a sources.yaml of N `css` sources (delay 0, retries 0) read by
  load_config, then aggregator.pipeline.scrape into a Store in a temporary folder
  (fetch, extract, normalise, store, and the dedup pass after the last source).

Pages per second count listing and detail pages (every client also fetches each
robots.txt; it is not counted). CPU seconds are the client's own over the measured
part (time.process_time): on a shared machine they vary less than wall time.
`--rounds R` keeps each client's best of R alternated runs. `--profile N` then runs
the pipeline once more under py-spy and prints where its CPU time goes
(bench/folded.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import folded
from scrape_sites import DETAILS, SELECTORS, Farm, raise_file_limit, site_address

CONCURRENCY = 16  # bare clients: the pipeline's 8 sources x 2 requests per host


# --- clients, each in its own process -------------------------------------------------


def site_urls(i: int, port: int) -> list[str]:
    root = f"http://{site_address(i)}:{port}"
    return [
        f"{root}/robots.txt",
        f"{root}/agenda",
        *(f"{root}/evenement/{j}" for j in range(DETAILS)),
    ]


async def bare_fetch(n: int, port: int, parse: bool = False) -> dict:
    """Every URL of every site with one httpx.AsyncClient, CONCURRENCY in flight."""
    import httpx

    from aggregator.config import EventSelectors, ListSelectors
    from aggregator.extract import css

    listing = ListSelectors(item=".views-row", link="h2 a", date=".field-date")
    event = EventSelectors(
        title="h1.page-title",
        date=".field-date",
        location=".field-lieu",
        description=".field-body",
        registration=".field-inscription",
    )
    queue = [url for i in range(n) for url in site_urls(i, port)]
    queue.reverse()
    failed = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failed
        while queue:
            url = queue.pop()
            try:
                response = await client.get(url)
                text = response.text
            except httpx.HTTPError:
                failed += 1
                continue
            if parse and url.endswith("/agenda"):
                css.parse_listing(text, url, listing)
            elif parse and "/evenement/" in url:
                css.parse_detail(text, url, event)

    began, cpu = time.perf_counter(), time.process_time()
    async with httpx.AsyncClient() as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "pages": n * (1 + DETAILS), "failed": failed}


def write_sources(path: Path, n: int, port: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("settings: {delay: 0, retries: 0, timeout: 30, database: bench.db}\nsources:\n")
        for i in range(n):
            out.write(
                f"  - id: site-{i}\n    name: Site {i}\n"
                f"    url: http://{site_address(i)}:{port}/agenda\n"
                f"    strategy: css\n{SELECTORS}"
            )


async def pipeline(n: int, port: int, workdir: Path) -> dict:
    """The real cycle: load_config, then scrape into a fresh Store."""
    from aggregator.config import load_config
    from aggregator.pipeline import scrape
    from aggregator.store import Store

    write_sources(workdir / "sources.yaml", n, port)
    began = time.perf_counter()
    config = load_config(workdir / "sources.yaml")
    loaded = time.perf_counter() - began
    last_source = [0.0]

    def done(_result: object) -> None:
        last_source[0] = time.perf_counter()

    with Store.open(workdir / "bench.db") as store:
        began, cpu = time.perf_counter(), time.process_time()
        results = await scrape(config, store, on_result=done)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        events = store.count_events()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "config_seconds": loaded,
        "events": events,
        "pages": sum(r.pages for r in results),
        "failed": sum(r.result == "failed" for r in results),
        "dedup_seconds": time.perf_counter() - last_source[0] if results else 0.0,
        "first_error": next((r.error for r in results if r.error), None),
    }


def _child(mode: str, n: int, port: int) -> None:
    logging.disable(logging.CRITICAL)
    raise_file_limit()
    if mode == "pipeline":
        with tempfile.TemporaryDirectory() as work:
            found = asyncio.run(pipeline(n, port, Path(work)))
    else:
        found = asyncio.run(bare_fetch(n, port, parse=mode == "bare+css"))
    found["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(found), flush=True)


# --- the parent: one row per N ------------------------------------------------------


@dataclass
class Run:
    mode: str
    n: int
    seconds: float = 0.0
    pages: int = 0
    peak_rss_mb: float = 0.0
    error: str | None = None
    extra: dict | None = None

    @property
    def cpu_seconds(self) -> float:
        return (self.extra or {}).get("cpu_seconds", 0.0)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def run_client(mode: str, n: int, port: int, timeout: float, spy: list[str] = ()) -> Run:
    """One client in a fresh process (`spy`: a profiler command line to run it under)."""
    args = [*spy, sys.executable, __file__, "--child", mode, str(n), str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return Run(mode, n, error=f"timeout after {timeout:.0f} s")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return Run(mode, n, error=(done.stderr.strip().splitlines() or ["crashed"])[-1])
    found = json.loads(lines[-1])
    error = f"{found['failed']} failed" if found.get("failed") else None
    return Run(mode, n, found["seconds"], found["pages"], found["peak_rss_mb"], error, found)


MODES = ("bare", "bare+css", "pipeline")


def measure(
    n: int, timeout: float = 900.0, modes: tuple[str, ...] = MODES, rounds: int = 1
) -> list[Run]:
    """The best of `rounds` runs of each client (bare first, pipeline last) against the
    same N sites; rounds alternate the clients so that load from other work on the
    machine falls on all of them alike."""
    best: dict[str, Run] = {}
    with Farm(n) as farm:
        for _ in range(max(1, rounds)):
            for mode in modes:
                run = run_client(mode, n, farm.port, timeout)
                if (
                    mode not in best
                    or (run.seconds and run.seconds < best[mode].seconds)
                    or not best[mode].seconds
                ):
                    best[mode] = run
    return [best[mode] for mode in modes]


def profile_pipeline(n: int, out: Path, timeout: float = 900.0) -> str:
    """A py-spy profile of the pipeline at N sites: raw stacks in `out`, a summary returned."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    command = [spy, "record", "-f", "raw", "-r", "100", "-o", str(out), "--"]
    with Farm(n) as farm:
        run = run_client("pipeline", n, farm.port, timeout, command)
    if run.error and not run.seconds:
        raise RuntimeError(f"profiled run failed: {run.error}")
    return f"pipeline, N={n}, {run.seconds:.1f} s under py-spy\n" + folded.summary(out)


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("sizes", nargs="*", type=int, default=[100, 1000])
    options.add_argument("--timeout", type=float, default=900.0, help="per client run")
    options.add_argument("--rounds", type=int, default=1, help="best of R runs per client")
    options.add_argument("--profile", type=int, metavar="N", help="then profile the pipeline at N")
    options.add_argument(
        "--clients", default=",".join(MODES), help=f"which clients to run (of {','.join(MODES)})"
    )
    options.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = options.parse_args(argv)
    if args.child:
        _child(args.child[0], int(args.child[1]), int(args.child[2]))
        return 0
    print(f"{'N':>6} {'client':9} {'seconds':>8} {'CPU s':>6} {'pages/s':>8} {'peak MB':>8}  notes")
    modes = tuple(m for m in MODES if m in args.clients.split(","))
    for n in args.sizes:
        runs = measure(n, args.timeout, modes, rounds=args.rounds)
        bare = runs[0].pages_per_second if runs[0].mode == "bare" else 0.0
        for r in runs:
            share = f"{r.pages_per_second / bare:.0%} of bare" if bare and r.seconds else ""
            extra = r.extra or {}
            phases = (
                f"config load {extra['config_seconds']:.1f} s, final dedup "
                f"{extra['dedup_seconds']:.1f} s"
                if "config_seconds" in extra
                else ""
            )
            notes = "; ".join(filter(None, [share, phases, r.error]))
            figures = f"{r.seconds:>8.1f} {r.cpu_seconds:>6.1f} {r.pages_per_second:>8.0f}"
            print(f"{n:>6} {r.mode:9} {figures} {r.peak_rss_mb:>8.0f}  {notes}")
    if args.profile:
        out = Path(tempfile.gettempdir()) / f"aggregator-scrape-{args.profile}.folded"
        print(profile_pipeline(args.profile, out, args.timeout))
        print(f"(raw stacks in {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
