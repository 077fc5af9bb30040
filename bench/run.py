"""Every benchmark of issue 8 in one run, printed as one table of figures and ratios.

    python bench/run.py [--quick] [--only STAGE ...] [--scrape N ...]

Stages: extract (bench/extract.py), scrape (bench/scrape.py), render
(bench/render.py), dates (bench/dates.py), dedup (bench/dedup.py), serve
(bench/serve.py), daemon (bench/daemon_memory.py). Every ratio is measured
side by side in this run, never against a figure from another day. A stage
that fails shows "failed: why" in its row and the run goes on. `--quick`
(under a minute) uses small sizes and short loops; the full run scrapes N =
100, 1,000 and 10,000 sites (the largest capped: when its pipeline run
passes the cap, N = 3,000 is measured and the 10,000 figure extrapolated,
and the table says so).

The machine is usually shared: wall-clock figures are noisy, ratios measured
side by side less so, and CPU seconds (for the scrape) least.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAGES = ("extract", "scrape", "render", "dates", "dedup", "serve", "daemon")
# seconds before the largest run is stopped and N=3,000 measured instead: the 600 s target,
# plus time for imports and loading the sources file, which the wall time leaves out
SCRAPE_CAP = 780.0
FALLBACK_N = 3000


@dataclass(frozen=True)
class Row:
    stage: str
    measure: str
    ours: str = ""
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = ""


def _verdict(met: bool, detail: str = "") -> str:
    return ("met" if met else "MISSED") + (f" ({detail})" if detail else "")


# --- extraction ----------------------------------------------------------------------


def extract_rows(quick: bool) -> list[Row]:
    import extract

    rows = []
    for c in extract.run(quick):
        ours = f"{c.ours.per_second:,.0f} pages/s"
        ref = f"{c.reference.per_second:,.0f} pages/s ({c.reference_name})"
        if c.agrees is None:
            rows.append(Row("extract", c.name, ours, ref, f"{c.ratio:.1f}x", "", "no target"))
            continue
        verdict = _verdict(c.ratio >= 10) + ("" if c.agrees else ", reference output differs")
        rows.append(Row("extract", c.name, ours, ref, f"{c.ratio:.1f}x", ">= 10x", verdict))
    return rows


# --- scrape cycle ----------------------------------------------------------------------


def scrape_rows(quick: bool, sizes: list[int] | None = None) -> list[Row]:
    import scrape

    sizes = sizes or ([100] if quick else [100, 1000, 10_000])
    rows: list[Row] = []
    peaks: dict[int, float] = {}
    for n in sizes:
        largest = n == max(sizes) and n >= 10_000
        if largest:  # one round, and the reference client without extraction only
            runs = scrape.measure(n, SCRAPE_CAP, modes=("bare", "pipeline"))
        else:
            runs = scrape.measure(n, 900.0, rounds=1 if quick else 2)
        pipeline = runs[-1]
        if largest and pipeline.error and "timeout" in pipeline.error:
            rows.append(
                Row(
                    "scrape",
                    f"N={n:,} pipeline",
                    pipeline.error,
                    "",
                    "",
                    "< 600 s",
                    "MISSED (did not finish within the cap)",
                )
            )
            rows += _scrape_extrapolated(scrape, FALLBACK_N, n)
            continue
        rows += _scrape_size_rows(n, runs, largest)
        if pipeline.peak_rss_mb:
            peaks[n] = pipeline.peak_rss_mb
    if len(peaks) >= 2:
        low, high = min(peaks), max(peaks)
        growth = peaks[high] / peaks[low]
        rows.append(
            Row(
                "scrape",
                f"peak RSS N={high:,} / N={low:,}",
                f"{peaks[high]:.0f} MB",
                f"{peaks[low]:.0f} MB",
                f"{growth:.2f}x",
                "flat (<= 1.2x)",
                _verdict(growth <= 1.2),
            )
        )
    return rows


def _scrape_size_rows(n: int, runs: list, largest: bool) -> list[Row]:
    bare, pipeline = runs[0], runs[-1]
    rows = [
        Row("scrape", f"N={n:,} {r.mode}", f"failed: {r.error}")
        for r in runs
        if r.error and not r.seconds
    ]
    if not (bare.seconds and pipeline.seconds):
        return rows
    share = pipeline.pages_per_second / bare.pages_per_second
    failed = f"; {pipeline.error}" if pipeline.error else ""
    rows.append(
        Row(
            "scrape",
            f"N={n:,} pipeline pages/s",
            f"{pipeline.pages_per_second:,.0f}",
            f"{bare.pages_per_second:,.0f} (bare httpx)",
            f"{share:.0%}",
            ">= 50 %",
            _verdict(share >= 0.5) + failed,
        )
    )
    for r in runs[1:-1]:
        if r.seconds:
            rows.append(
                Row(
                    "scrape",
                    f"N={n:,} {r.mode} pages/s",
                    f"{r.pages_per_second:,.0f}",
                    f"{bare.pages_per_second:,.0f} (bare httpx)",
                    f"{r.pages_per_second / bare.pages_per_second:.0%}",
                    "",
                    "reference",
                )
            )
    if bare.cpu_seconds and pipeline.cpu_seconds:
        rows.append(
            Row(
                "scrape",
                f"N={n:,} client CPU seconds (measured part)",
                f"{pipeline.cpu_seconds:.1f} s (pipeline)",
                f"{bare.cpu_seconds:.1f} s (bare)",
                f"{bare.cpu_seconds / pipeline.cpu_seconds:.0%}",
                "",
                "CPU-based share",
            )
        )
    extra = pipeline.extra or {}
    wall = f"{pipeline.seconds:.1f} s ({extra.get('events', 0):,} events)"
    rows.append(
        Row(
            "scrape",
            f"N={n:,} pipeline wall time",
            wall,
            f"{bare.seconds:.1f} s (bare)",
            "",
            "< 600 s" if largest else "",
            _verdict(pipeline.seconds < 600) if largest else "",
        )
    )
    rows.append(
        Row(
            "scrape",
            f"N={n:,} config load / final dedup (not in wall time / in it)",
            f"{extra.get('config_seconds', 0):.1f} s / {extra.get('dedup_seconds', 0):.1f} s",
        )
    )
    rows.append(
        Row(
            "scrape",
            f"N={n:,} peak RSS",
            f"{pipeline.peak_rss_mb:.0f} MB (pipeline)",
            f"{bare.peak_rss_mb:.0f} MB (bare)",
        )
    )
    return rows


def _scrape_extrapolated(scrape, n: int, target_n: int) -> list[Row]:
    runs = scrape.measure(n, 900.0, modes=("bare", "pipeline"))
    rows = _scrape_size_rows(n, runs, largest=False)
    pipeline = runs[-1]
    if pipeline.seconds:
        guess = pipeline.seconds * target_n / n
        rows.append(
            Row(
                "scrape",
                f"N={target_n:,} wall time, extrapolated from N={n:,}",
                f"~{guess:.0f} s (linear)",
                "",
                "",
                "< 600 s",
                _verdict(guess < 600, "extrapolated"),
            )
        )
    return rows


# --- render, dates, dedup, serve -------------------------------------------------------


def render_rows(quick: bool) -> list[Row]:
    import render

    rows = []
    for t in render.run([1000] if quick else [1000, 10_000], repeats=1 if quick else 2):
        for fmt in render.FORMATS:
            valid = "" if t.valid[fmt] == "not checked" else t.valid[fmt]
            rows.append(
                Row(
                    "render",
                    f"{t.size:,} events {fmt}, cold / warm",
                    f"{t.cold[fmt]:.3f} s / {t.warm[fmt]:.3f} s",
                    f"{t.megabytes[fmt]:.1f} MB",
                    "",
                    "",
                    valid,
                )
            )
        budget = render.TARGET_10K_SECONDS * t.size / 10_000
        scaled = "" if t.size == 10_000 else "target scaled to the size"
        for label, total in (("cold", t.total_cold), ("warm", t.total_warm)):
            rows.append(
                Row(
                    "render",
                    f"{t.size:,} events, all four, {label}",
                    f"{total:.2f} s",
                    "",
                    f"{total / budget:.1f}x the budget",
                    f"< {budget:g} s",
                    _verdict(total < budget, scaled),
                )
            )
    return rows


def dates_rows(quick: bool) -> list[Row]:
    import dates

    cases = dates._cases(dates.DEFAULT_CORPUS)
    rate, _ = dates._texts_per_second(cases, seconds=1.0 if quick else 3.0)
    seconds, found = dates._one_megabyte(cases)
    mean = sum(len(text) for text, _ in cases) / len(cases)
    return [
        Row("dates", f"parse_dates, texts of {mean:.0f} chars", f"{rate:,.0f} texts/s"),
        Row("dates", "parse_dates, one 1 MB text", f"{seconds:.2f} s ({found} dates)"),
    ]


def dedup_rows(quick: bool) -> list[Row]:
    import dedup

    rows, times = [], {}
    for size in [10_000] if quick else [10_000, 100_000]:
        events = dedup.synthetic(size)
        began = time.process_time()  # CPU, like the baseline: a busy machine cannot inflate it
        clusters = dedup.cluster(events)
        times[size] = time.process_time() - began
        recall, precision = planted_pair_scores(events, clusters)
        base_seconds, base_groups = dedup.timed_baseline(events)
        base_precision, base_recall = dedup.quality(base_groups)
        peak = dedup.peak_memory(events) / 1e6
        target = "< 3 s" if size == 100_000 else ""
        rows.append(
            Row(
                "dedup",
                f"cluster {size:,} events, CPU (peak {peak:.0f} MB, "
                f"pair R {recall:.3f} P {precision:.3f})",
                f"{times[size]:.2f} s",
                f"titles-only rapidfuzz by day: {base_seconds:.2f} s "
                f"(R {base_recall:.3f} P {base_precision:.3f})",
                f"{times[size] / base_seconds:.1f}x the baseline's time",
                target,
                _verdict(times[size] < 3) if target else "",
            )
        )
    if len(times) == 2:
        growth = times[100_000] / times[10_000]
        rows.append(
            Row(
                "dedup",
                "time growth 10k -> 100k",
                f"{growth:.1f}x",
                "10x = linear",
                "",
                "near-linear (<= 13x)",
                _verdict(growth <= 13),
            )
        )
    return rows


def planted_pair_scores(events: list, clusters: list) -> tuple[float, float]:
    """Pair recall and precision: bench/dedup.py ids end with the real event's number."""

    def pairs(members: list) -> int:
        counts = Counter(e.id.rsplit("-", 1)[1] for e in members).values()
        return sum(k * (k - 1) // 2 for k in counts)

    planted = pairs(events)
    right = sum(pairs(c.members) for c in clusters)
    found = sum(len(c.members) * (len(c.members) - 1) // 2 for c in clusters)
    return (right / planted if planted else 1.0), (right / found if found else 1.0)


def serve_rows(quick: bool) -> list[Row]:
    """bench/serve.py in its own process: the daemon and nginx side by side under wrk."""
    import serve

    events, seconds, rounds = (1000, 1, 1) if quick else (10_000, 10, 2)
    args = ["--events", str(events), "--seconds", str(seconds), "--rounds", str(rounds), "--json"]
    done = subprocess.run(
        [sys.executable, str(HERE / "serve.py"), *args], capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["serve.py failed"])[-1])
    report = json.loads(done.stdout.strip().splitlines()[-1])
    rows = [
        Row(
            "serve",
            f"first /feed.ics, {events:,} events, {report['server']}",
            f"{report['first_seconds']:.2f} s",
            f"{report['plain_bytes'] / 1e6:.1f} MB, gzip {report['gzip_bytes'] / 1e6:.2f} MB",
        )
    ]
    for case in report["cases"]:
        ours, nginx = (max(case[side], key=lambda load: load["rate"]) for side in ("ours", "nginx"))
        share = ours["rate"] / nginx["rate"]
        target = serve.TARGETS.get(case["name"])
        errors = ours["errors"] + nginx["errors"]
        rows.append(
            Row(
                "serve",
                f"{serve.LABELS[case['name']]}, req/s (p99)",
                f"{ours['rate']:,.0f} ({ours['p99_ms']:.1f} ms)",
                f"nginx {nginx['rate']:,.0f} ({nginx['p99_ms']:.1f} ms)",
                f"{share:.0%}",
                f">= {target:.0%} of nginx" if target else "",
                (_verdict(share >= target) if target else "no target")
                + (f", {errors} errors" if errors else ""),
            )
        )
    rss = report["memory"]["after the load"]["VmRSS"]
    # the target's own measure (a daemon that scraped its events) is the daemon stage's
    rows.append(Row("serve", f"daemon RSS after the load, {events:,} events", f"{rss} MB"))
    return rows


def daemon_rows(quick: bool) -> list[Row]:
    """bench/daemon_memory.py: `aggregator run` scrapes the simulated sites, then serves."""
    sites, seconds = (10, 2) if quick else (1000, 60)
    args = ["--sites", str(sites), "--events", "10", "--seconds", str(seconds), "--json"]
    done = subprocess.run(
        [sys.executable, str(HERE / "daemon_memory.py"), *args],
        capture_output=True,
        text=True,
        timeout=2400,
    )
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["daemon_memory.py failed"])[-1])
    found = json.loads(done.stdout.strip().splitlines()[-1])
    events, big = found["events"], found["events"] >= 10_000
    after = f"after scraping {sites:,} sites, {events:,} events"
    serving = f"serving feeds for {seconds} s (max / at the end)"
    rss_max, rss_end = found["rss_max_serving"], found["rss_end"]
    return [
        Row("daemon", f"VmRSS {after} ({found['scrape_seconds']:.0f} s)",
            f"{found['rss_after_scrape']:.0f} MB"),
        Row("daemon", f"VmRSS {serving}", f"{rss_max:.0f} / {rss_end:.0f} MB", "", "",
            "< 150 MB" if big else "", _verdict(rss_max < 150) if big else ""),
        Row("daemon", "peak VmHWM", f"{found['hwm']:.0f} MB"),
    ]  # fmt: skip


# --- the table ---------------------------------------------------------------------


def guarded(stage: str, rows_of: Callable[[bool], list[Row]], quick: bool) -> list[Row]:
    began = time.perf_counter()
    try:
        rows = rows_of(quick)
    except Exception as exc:  # one failing bench must not stop the others
        rows = [Row(stage, "(whole stage)", f"failed: {type(exc).__name__}: {exc}")]
    print(f"[{stage}: {time.perf_counter() - began:.0f} s]", file=sys.stderr, flush=True)
    return rows


def table(rows: list[Row]) -> str:
    """A Markdown table, readable in a terminal and pasted as is into RESULTS.md."""
    head = ("stage", "measure", "ours", "baseline", "ratio", "target", "verdict")
    cells = [
        head,
        *((r.stage, r.measure, r.ours, r.baseline, r.ratio, r.target, r.verdict) for r in rows),
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    options.add_argument("--only", nargs="+", choices=STAGES, default=list(STAGES))
    options.add_argument("--scrape", nargs="+", type=int, help="scrape sizes (N sites)")
    args = options.parse_args(argv)
    logging.disable(logging.CRITICAL)  # fixture pages are meant to provoke warnings
    began = time.perf_counter()
    stages: dict[str, Callable[[bool], list[Row]]] = {
        "extract": extract_rows,
        "scrape": lambda quick: scrape_rows(quick, args.scrape),
        "render": render_rows,
        "dates": dates_rows,
        "dedup": dedup_rows,
        "serve": serve_rows,
        "daemon": daemon_rows,
    }
    rows = [row for stage in args.only for row in guarded(stage, stages[stage], args.quick)]
    print(table(rows))
    print(f"\n{'quick' if args.quick else 'full'} run, {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
