"""Precision and recall of duplicate detection on labelled pairs of announcements.

    python bench/dedup_pairs.py [pairs.jsonl ...] [--errors]

Each line of a pairs file is one labelled pair:

    {"id": "p001", "duplicate": true, "kind": "reworded", "a": {…}, "b": {…}}

`a` and `b` are event records in the shape of `aggregator export --format
json` (DESIGN.md, "The event record"); only `title` and `start` are needed.
`start`/`end` are "YYYY-MM-DD", "YYYY-MM" (a month, day unknown) or
"YYYY-MM-DDTHH:MM" (Paris time, an offset is allowed). Shorthands: `source`
for `sources: [{"id": …}]`; `label` (true/false, 1/0) for `duplicate`.

A pair counts as found when `aggregator.dedup.same_event(a, b)` says so. The
default file is tests/fixtures/dedup/pairs.jsonl; `--errors` lists the
misjudged pairs with the score and the fields behind it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aggregator.clock import PARIS
from aggregator.dedup import same_event
from aggregator.model import Event, Precision, SourceRef, Status
from aggregator.normalise import clean_title, place_of, split_status_marker

DEFAULT = Path(__file__).resolve().parents[1] / "tests/fixtures/dedup/pairs.jsonl"


def when(text: str) -> tuple[date | datetime, Precision]:
    """A record's date text as the value and precision events carry."""
    if len(text) == 7:
        return date.fromisoformat(text + "-01"), Precision.MONTH
    if "T" not in text:
        return date.fromisoformat(text[:10]), Precision.DAY
    moment = datetime.fromisoformat(text)
    aware = moment.replace(tzinfo=PARIS) if moment.tzinfo is None else moment
    return aware.astimezone(PARIS), Precision.MINUTE


def _sources(record: dict[str, Any], url: str) -> tuple[SourceRef, ...]:
    given = record.get("sources") or [{"id": record.get("source", "page")}]
    return tuple(
        SourceRef(
            id=s.get("id", "page"), name=s.get("name", s.get("id", "")), url=s.get("url", url)
        )
        for s in given
    )


def event_of(record: dict[str, Any], fallback_id: str) -> Event:
    """An Event from a record, cleaned like the pipeline cleans scraped fields."""
    start, precision = when(record["start"])
    end = when(record["end"])[0] if record.get("end") else None
    title, marked = split_status_marker(clean_title(record["title"]))
    venue, address, city = place_of(record.get("venue"), record.get("address"), record.get("city"))
    url = record.get("url") or ""
    return Event(
        id=record.get("id") or fallback_id,
        title=title,
        start=start,
        end=end,
        all_day=precision != Precision.MINUTE,
        precision=Precision(record.get("precision") or precision),
        alternatives=tuple(date.fromisoformat(d) for d in record.get("alternatives") or ()),
        status=Status(record.get("status") or (marked or Status.SCHEDULED)),
        venue=venue,
        address=address,
        city=city,
        online=bool(record.get("online")),
        url=url or None,
        registration_url=record.get("registration_url"),
        description=record.get("description") or "",
        description_html=record.get("description_html") or "",
        tags=tuple(record.get("tags") or ()),
        region=record.get("region"),
        sources=_sources(record, url),
    )


def load_pairs(path: Path) -> list[tuple[str, Event, Event, bool, str]]:
    """(id, a, b, duplicate?, kind) for each line of a pairs file."""
    pairs = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            pair = json.loads(line)
            pair_id = str(pair.get("id") or f"{path.stem}:{number}")
            label = pair.get("duplicate", pair.get("label"))
            a = event_of(pair["a"], f"{pair_id}-a")
            b = event_of(pair["b"], f"{pair_id}-b")
            pairs.append((pair_id, a, b, bool(label), str(pair.get("kind", ""))))
    return pairs


def score(
    pairs: list[tuple[str, Event, Event, bool, str]], show_errors: bool = False
) -> tuple[float, float, Counter]:
    """Precision and recall of the duplicate pairs; counts per outcome."""
    counts: Counter = Counter()
    for pair_id, a, b, label, kind in pairs:
        match = same_event(a, b)
        outcome = ("true" if match.same == label else "false") + (
            "-positive" if match.same else "-negative"
        )
        counts[outcome] += 1
        if show_errors and match.same != label:
            print(
                f"{outcome:15} {pair_id} [{kind}] {match.score}: {a.title!r} / {b.title!r}"
                f"\n{'':16}{match.fields}"
            )
    found = counts["true-positive"] + counts["false-positive"]
    real = counts["true-positive"] + counts["false-negative"]
    precision = counts["true-positive"] / found if found else 1.0
    recall = counts["true-positive"] / real if real else 1.0
    return precision, recall, counts


def main(argv: list[str]) -> int:
    show_errors = "--errors" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or [DEFAULT]
    pairs = [pair for path in paths for pair in load_pairs(path)]
    precision, recall, counts = score(pairs, show_errors)
    duplicates = sum(1 for pair in pairs if pair[3])
    print(f"{len(pairs)} pairs ({duplicates} duplicates, {len(pairs) - duplicates} not)")
    print(
        f"precision {precision:.3f}  recall {recall:.3f}  "
        f"(true positives {counts['true-positive']}, false positives "
        f"{counts['false-positive']}, false negatives {counts['false-negative']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
