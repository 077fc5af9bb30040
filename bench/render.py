"""Speed of the feed renderers: RSS, Atom, ICS and JSON for 1k and 10k events.

    python bench/render.py [SIZE ...] [--repeats R]      (default: 1000 10000, R=2)

Synthetic upcoming events shaped like scraped ones (French titles, a ~600
character description with its sanitised HTML, venue, address, city, links,
tags, one or two sources; a quarter timed, a few cancelled or postponed, a
few with month precision or alternatives) go through
`aggregator.render.render(fmt, events, info)`, the function the web server and
`export` call. Renderers may keep what they serialised per event (ICS does),
so two figures per format:

- cold: every event is new to the process (a fresh `version` of the events
  each time: the first feed after a start, or after every event changed);
- warm: the same events rendered again (a feed rebuilt while nothing, or
  little, changed).

Each figure is the best of R runs. The smallest size's output is also
checked for validity (feedparser without bozo, icalendar parses every VEVENT
back, json.loads), so speed is not bought with broken feeds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aggregator.clock import PARIS
from aggregator.model import Event, FeedInfo, Precision, SourceRef, Status
from aggregator.render import render

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
    `version` makes every event differ (its sequence), as if each had changed."""
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
        words = " ".join(rng.choice(WORDS) for _ in range(80))
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


def cold_and_warm(fmt: str, size: int, repeats: int) -> tuple[float, float, bytes, list]:
    """(best cold seconds, best warm seconds, a cold body, its events)."""
    cold = warm = float("inf")
    body, events = b"", []
    for _ in range(max(1, repeats)):
        events = synthetic_events(size, version=_fresh_version())
        began = time.perf_counter()
        body = render(fmt, events, feed_info(fmt))
        cold = min(cold, time.perf_counter() - began)
        began = time.perf_counter()
        render(fmt, events, feed_info(fmt))
        warm = min(warm, time.perf_counter() - began)
    return cold, warm, body, events


_versions = iter(range(1, 1_000_000))


def _fresh_version() -> int:
    return next(_versions)


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

    @property
    def total_cold(self) -> float:
        return sum(self.cold.values())

    @property
    def total_warm(self) -> float:
        return sum(self.warm.values())


def run(sizes: Sequence[int] = (1000, 10_000), repeats: int = 2) -> list[Timing]:
    timings = []
    for size in sizes:
        cold, warm, megabytes, valid = {}, {}, {}, {}
        for fmt in FORMATS:
            cold[fmt], warm[fmt], body, events = cold_and_warm(fmt, size, repeats)
            megabytes[fmt] = len(body) / 1e6
            valid[fmt] = validity(fmt, body, events) if size == min(sizes) else "not checked"
        timings.append(Timing(size, cold, warm, megabytes, valid))
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("sizes", nargs="*", type=int, default=[1000, 10_000])
    options.add_argument("--repeats", type=int, default=2)
    args = options.parse_args(argv)
    print(f"{'events':>7} {'format':6} {'cold s':>7} {'warm s':>7} {'MB':>5}  validity")
    for t in run(args.sizes, args.repeats):
        for f in FORMATS:
            print(
                f"{t.size:>7} {f:6} {t.cold[f]:>7.3f} {t.warm[f]:>7.3f} "
                f"{t.megabytes[f]:>5.1f}  {t.valid[f]}"
            )
        print(f"{t.size:>7} {'all':6} {t.total_cold:>7.3f} {t.total_warm:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
