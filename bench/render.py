"""Speed of the feed renderers: RSS, Atom, ICS and JSON for 1k and 10k events.

    python bench/render.py [SIZE ...] [--repeats R] [--renderer MODULE]
        (default: 1000 10000, R=2, MODULE=aggregator.render)

Synthetic upcoming events shaped like scraped ones (French titles, a ~600
character description with its sanitised HTML, venue, address, city, links,
tags, one or two sources; a quarter timed, a few cancelled or postponed, a
few with month precision or alternatives) go through `render(fmt, events,
info)` of MODULE (by default `aggregator.render`, the function the web server,
`export` and `publish` call; another module with the same function, such as
a copy of older renderers, is measured the same way for a side-by-side
comparison).

Each run is a fresh process (a child of this one), so nothing built by an
earlier run is reused, and times only the render calls:

- cold: the four formats, one after the other, of events new to the process,
  as after a start (`publish`, or the server's first requests). Renderers may
  share work between formats of the same event objects (RSS and Atom carry
  the same item text), so the formats after the first may cost less;
- warm: the same event objects rendered again (a feed rebuilt while nothing
  changed);
- alone: each format for its own fresh events, with nothing shared.

Every version of the events differs in content (not only in `sequence`), so no
cache keyed on content can serve a cold render either. Figures are wall-clock
seconds and CPU seconds of the process, each the best of R runs (the machine
is shared). The smallest size's output is also checked for validity
(feedparser without bozo, icalendar parses every VEVENT back, json.loads), so
speed is not bought with broken feeds.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from aggregator.clock import PARIS
from aggregator.model import Event, FeedInfo, Precision, SourceRef, Status

FORMATS = ("rss", "atom", "ics", "json")
TARGET_10K_SECONDS = 1.5
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
    "médiation",
    "professionnels",
    "élus",
    "associations",
    "bailleurs",
    "conseils",
    "citoyens",
]
CITIES = (
    "Lille",
    "Roubaix",
    "Lyon",
    "Vaulx-en-Velin",
    "Marseille",
    "Grenoble",
    "Arras",
    "Nantes",
    "Saint-Denis",
    "Toulouse",
)


def synthetic_events(count: int, seed: int = 3, version: int = 0) -> list[Event]:
    """`count` events from 20 sources, sorted by start, as a feed receives them; another
    `version` makes every event differ (its text and sequence), as if each had changed."""
    rng = random.Random(seed)
    first = date(2030, 1, 7)
    sources = [
        SourceRef(
            id=f"src{s}", name=f"Centre de ressources {s}", url=f"https://src{s}.example.org/agenda"
        )
        for s in range(20)
    ]
    seen = datetime(2029, 12, 1, 10, tzinfo=PARIS)
    events = []
    for n in range(count):
        day = first + timedelta(days=n * 730 // max(count, 1))
        start: date | datetime = day
        if n % 4 == 0:
            start = datetime(day.year, day.month, day.day, 9 + n % 8, 30, tzinfo=PARIS)
        words = " ".join(rng.choice(WORDS) for _ in range(80)) + f" (version {version})"
        source = sources[n % 20]
        extra = (sources[(n + 7) % 20],) if n % 5 == 0 else ()
        events.append(
            Event(
                id=f"ev{n:06d}",
                title=f"{rng.choice(WORDS).capitalize()} n°{n} : {' '.join(rng.sample(WORDS, 5))}",
                start=start,
                end=(start + timedelta(hours=3))
                if n % 4 == 0
                else (day + timedelta(days=1) if n % 7 == 0 else None),
                all_day=n % 4 != 0,
                precision=(
                    Precision.MONTH
                    if n % 50 == 1
                    else Precision.MINUTE
                    if n % 4 == 0
                    else Precision.DAY
                ),
                alternatives=(day, day + timedelta(days=2)) if n % 60 == 2 else (),
                status=(
                    Status.CANCELLED
                    if n % 40 == 3
                    else Status.POSTPONED
                    if n % 90 == 5
                    else Status.SCHEDULED
                ),
                venue="Maison des associations",
                address=f"{1 + n % 90} rue de la République",
                city=CITIES[n % len(CITIES)],
                online=n % 9 == 0,
                url=f"{source.url}/evenement-{n}",
                registration_url=f"https://inscriptions.example.org/{n}" if n % 3 == 0 else None,
                description=words,
                description_html=f"<p>{words[:300]}</p><p>{words[300:]}</p>",
                tags=("politique-de-la-ville", "habitat") if n % 2 else ("politique-de-la-ville",),
                region="Hauts-de-France",
                sources=(source, *extra),
                first_seen=seen,
                updated=seen + timedelta(hours=n % 48),
                sequence=n % 3 + 3 * version,
            )
        )
    return events


def feed_info(fmt: str) -> FeedInfo:
    return FeedInfo(
        base_url="https://agenda.example.org",
        self_path=f"/feed.{fmt}",
        generated=datetime(2030, 1, 1, 12, tzinfo=PARIS),
    )


def child(size: int, version: int, module: str) -> dict[str, dict[str, float]]:
    """One fresh process's figures: cold, warm and alone seconds (wall and CPU)
    per format, and the size of each cold body."""
    render = importlib.import_module(module).render
    figures: dict[str, dict[str, float]] = {}
    events = synthetic_events(size, version=version)
    infos = {fmt: feed_info(fmt) for fmt in FORMATS}
    for label in ("cold", "warm"):
        for fmt in FORMATS:
            body = _timed(figures, label, fmt, lambda fmt=fmt: render(fmt, events, infos[fmt]))
            figures.setdefault("megabytes", {})[fmt] = len(body) / 1e6
    for n, fmt in enumerate(FORMATS, start=1):
        alone = synthetic_events(size, version=version + n * 1000)
        _timed(figures, "alone", fmt, lambda fmt=fmt, alone=alone: render(fmt, alone, infos[fmt]))
    return figures


def _timed(figures: dict, label: str, fmt: str, call: Callable[[], bytes]) -> bytes:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    body = call()
    figures.setdefault(label, {})[fmt] = time.perf_counter() - wall
    figures.setdefault(f"{label}_cpu", {})[fmt] = time.process_time() - cpu
    return body


def in_fresh_process(size: int, version: int, module: str) -> dict[str, dict[str, float]]:
    command = [sys.executable, __file__, "--child", str(size), str(version), "--renderer", module]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    return json.loads(done.stdout)


def validity(fmt: str, body: bytes, events: Sequence[Event]) -> str:
    """ "valid", or what is wrong with the rendered feed."""
    if fmt in ("rss", "atom"):
        import feedparser

        parsed = feedparser.parse(body)
        if parsed.bozo:
            return f"invalid: {parsed.bozo_exception}"
        return "valid" if len(parsed.entries) == len(events) else "entries missing"
    if fmt == "ics":
        import icalendar

        calendar = icalendar.Calendar.from_ical(body)
        wanted = sum(e.precision != Precision.MONTH for e in events)
        return "valid" if len(calendar.walk("VEVENT")) == wanted else "events missing"
    document = json.loads(body)
    return "valid" if len(document["events"]) == len(events) else "events missing"


@dataclass(frozen=True)
class Timing:
    size: int
    cold: dict[str, float]
    warm: dict[str, float]
    megabytes: dict[str, float]
    valid: dict[str, str]
    cold_cpu: dict[str, float] = field(default_factory=dict)
    warm_cpu: dict[str, float] = field(default_factory=dict)
    alone: dict[str, float] = field(default_factory=dict)
    alone_cpu: dict[str, float] = field(default_factory=dict)

    @property
    def total_cold(self) -> float:
        return sum(self.cold.values())

    @property
    def total_warm(self) -> float:
        return sum(self.warm.values())


def run(
    sizes: Sequence[int] = (1000, 10_000), repeats: int = 2, module: str = "aggregator.render"
) -> list[Timing]:
    timings = []
    for size in sizes:
        best: dict[str, dict[str, float]] = {}
        for _ in range(max(1, repeats)):
            for label, values in in_fresh_process(size, _fresh_version(), module).items():
                kept = best.setdefault(label, {})
                for fmt, value in values.items():
                    kept[fmt] = min(kept.get(fmt, value), value)
        valid = {fmt: "not checked" for fmt in FORMATS}
        if size == min(sizes):
            valid = _validities(size, module)
        timings.append(Timing(size=size, valid=valid, **best))
    return timings


_versions = iter(range(1, 1_000_000))


def _fresh_version() -> int:
    return next(_versions)


def _validities(size: int, module: str) -> dict[str, str]:
    render = importlib.import_module(module).render
    events = synthetic_events(size, version=_fresh_version())
    return {fmt: validity(fmt, render(fmt, events, feed_info(fmt)), events) for fmt in FORMATS}


def main(argv: Sequence[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("sizes", nargs="*", type=int, default=[1000, 10_000])
    options.add_argument("--repeats", type=int, default=2)
    options.add_argument("--renderer", default="aggregator.render", metavar="MODULE")
    options.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = options.parse_args(argv)
    if args.child:
        size, version = args.sizes
        print(json.dumps(child(size, version, args.renderer)))
        return 0
    print(f"renderer: {args.renderer}; wall s (CPU s), best of {args.repeats} fresh processes")
    print(f"{'events':>7} {'format':6} {'cold':>15} {'warm':>15} {'alone':>15} {'MB':>5}  validity")
    for t in run(args.sizes, args.repeats, args.renderer):
        for f in FORMATS:
            print(
                f"{t.size:>7} {f:6} {_pair(t.cold[f], t.cold_cpu[f])} "
                f"{_pair(t.warm[f], t.warm_cpu[f])} {_pair(t.alone[f], t.alone_cpu[f])} "
                f"{t.megabytes[f]:>5.1f}  {t.valid[f]}"
            )
        totals = [
            _pair(sum(wall.values()), sum(cpu.values()))
            for wall, cpu in ((t.cold, t.cold_cpu), (t.warm, t.warm_cpu), (t.alone, t.alone_cpu))
        ]
        print(f"{t.size:>7} {'all':6} {' '.join(totals)}")
    return 0


def _pair(wall: float, cpu: float) -> str:
    return f"{wall:>6.3f} ({cpu:>6.3f})"


if __name__ == "__main__":
    sys.exit(main())
