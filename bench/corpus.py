"""Accuracy of event extraction on an announcement corpus.

    python bench/corpus.py [path-to-corpus.jsonl] [--show-failures]

Each case's text is wrapped in a minimal HTML page (a paragraph per line,
lines starting with "-" or "–" as list items) and read by
`aggregator.extract_events(html, published=…)`. Found events are paired with
the expected ones (best pairs first: same start day, overlapping dates,
similar titles), then scored:

- found / expected / spurious events, precision and recall;
- exact start rate: expected events whose paired start is the same string
  ("2019-03-01T12:15", "2024-05-01") with the same precision (the corpus
  writes "day" for timed events too);
- time, end, city, venue, online and status accuracy over expected events
  (an expected event without a pair counts as wrong), cities compared after
  `normalise_city` on both sides, venues by folded text, one the start of
  the other (our venue may leave the address to its own field);
- mean title similarity (difflib ratio) over the pairs;
- events emitted for cases that expect none (past mentions, deadlines).

The corpus defaults to ../shared/corpus/announcements-dev.jsonl beside the
project root.
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from aggregator import extract_events
from aggregator.clock import PARIS
from aggregator.extract.gazetteer import fold_chars
from aggregator.extract.places import normalise_city
from aggregator.model import Event

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DEFAULT_CORPUS = DEFAULT_CORPUS / "announcements-dev.jsonl"
FIELDS = ("start", "time", "end", "city", "venue", "online", "status")
_BULLETS = ("- ", "– ", "— ", "-", "–")


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    published: date
    expected: list[dict]
    notes: str = ""


@dataclass
class Tally:
    """Counts over a corpus; rates are read from it."""

    found: int = 0
    expected: int = 0
    matched: int = 0
    timed: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    similarity: float = 0.0
    from_empty: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cases: int = 0

    def rate(self, name: str) -> float:
        total = self.timed if name == "time" else self.expected
        return self.right[name] / total if total else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def title_similarity(self) -> float:
        return self.similarity / self.matched if self.matched else 0.0


def load_cases(path: Path) -> list[Case]:
    """The cases of a JSON-lines corpus file."""
    cases = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                cases.append(
                    Case(
                        id=record.get("id", str(len(cases) + 1)),
                        text=record["text"],
                        published=date.fromisoformat(record["published"]),
                        expected=record.get("events", []),
                        notes=record.get("notes", ""),
                    )
                )
    return cases


def page_html(text: str) -> str:
    """A minimal page for a text: a paragraph per line, bulleted lines as list items."""
    body, items = [], []
    for line in text.splitlines():
        stripped = line.strip()
        bullet = next((b for b in _BULLETS if stripped.startswith(b)), None)
        if bullet:
            items.append(f"<li>{html.escape(stripped[len(bullet) :].strip())}</li>")
            continue
        if items:
            body.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if stripped:
            body.append(f"<p>{html.escape(stripped)}</p>")
    if items:
        body.append(f"<ul>{''.join(items)}</ul>")
    return f"<!doctype html><html><body><main>{''.join(body)}</main></body></html>"


def when(value: date | datetime | None) -> str | None:
    """A start or end written as the corpus writes it: local Paris minutes or a day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        local = value.astimezone(PARIS) if value.tzinfo else value
        return local.strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()


def as_record(event: Event) -> dict:
    """The fields of an event the corpus records."""
    precision = "month" if event.precision == "month" else "day"
    return {
        "title": event.title,
        "start": when(event.start),
        "end": when(event.end),
        "precision": precision,
        "alternatives": [d.isoformat() for d in event.alternatives],
        "city": event.city,
        "venue": event.venue,
        "address": event.address,
        "online": event.online,
        "status": str(event.status),
    }


def found_records(case: Case) -> list[dict]:
    events = extract_events(page_html(case.text), published=case.published)
    return [as_record(e) for e in events]


def title_similarity(a: str | None, b: str | None) -> float:
    return difflib.SequenceMatcher(None, _folded(a), _folded(b)).ratio()


def _folded(text: str | None) -> str:
    return " ".join(fold_chars(text or "").replace("«", "").replace("»", "").split())


def _days(record: dict) -> tuple[str, str]:
    start = (record.get("start") or "")[:10]
    end = (record.get("end") or record.get("start") or "")[:10]
    if record.get("precision") == "month":
        return start[:7], end[:7]
    return start, end


def pair_score(found: dict, expected: dict) -> float:
    """How well a found event fits an expected one; 0 when they cannot be the same."""
    (f_start, f_end), (e_start, e_end) = _days(found), _days(expected)
    same_day = f_start == e_start
    overlap = f_start[:7] <= e_end[:10] and e_start[:7] <= f_end[:10]
    similar = title_similarity(found.get("title"), expected.get("title"))
    if not (same_day or overlap) and similar < 0.6:
        return 0.0
    return 2.0 * same_day + 1.0 * overlap + similar


def pairs(found: Sequence[dict], expected: Sequence[dict]) -> list[tuple[int, int]]:
    """Greedy best pairing of found to expected events, (found index, expected index)."""
    scored = sorted(
        ((pair_score(f, e), i, j) for i, f in enumerate(found) for j, e in enumerate(expected)),
        reverse=True,
    )
    used_f: set[int] = set()
    used_e: set[int] = set()
    chosen = []
    for score, i, j in scored:
        if score > 0 and i not in used_f and j not in used_e:
            used_f.add(i)
            used_e.add(j)
            chosen.append((i, j))
    return sorted(chosen, key=lambda p: p[1])


def _city(name: str | None) -> str | None:
    return (normalise_city(name) or name) if name else None


def _venue_right(found: dict, expected: dict) -> bool:
    want = _folded(expected.get("venue"))
    if not want:
        return not found.get("venue")
    venue = _folded(found.get("venue"))
    with_address = _folded(", ".join(filter(None, (found.get("venue"), found.get("address")))))
    return bool(venue) and any(
        c == want or want.startswith(c) or c.startswith(want) for c in (venue, with_address)
    )


def field_checks(found: dict, expected: dict) -> dict[str, bool]:
    """Which fields of a found event agree with the expected one."""
    exact = found["start"] == expected["start"] and found["precision"] == expected.get(
        "precision", "day"
    )
    return {
        "start": exact,
        "time": found["start"][11:] == expected["start"][11:],
        "end": found["end"] == expected.get("end"),
        "city": _city(found["city"]) == _city(expected.get("city")),
        "venue": _venue_right(found, expected),
        "online": found["online"] == expected.get("online", False),
        "status": found["status"] == expected.get("status", "scheduled"),
    }


def score_case(case: Case, found: list[dict], tally: Tally) -> None:
    """Add one case's results to the tally."""
    tally.cases += 1
    tally.found += len(found)
    tally.expected += len(case.expected)
    if not case.expected:
        tally.from_empty += len(found)
    matched = pairs(found, case.expected)
    tally.matched += len(matched)
    tally.timed += sum("T" in e["start"] for e in case.expected)
    for i, j in matched:
        expected, checks = case.expected[j], field_checks(found[i], case.expected[j])
        tally.similarity += title_similarity(found[i]["title"], expected["title"])
        for name, right in checks.items():
            if name == "time" and "T" not in expected["start"]:
                continue
            tally.right[name] += right
            if not right:
                tally.failures.append(_mismatch(case, name, found[i], expected))
    _missed_and_spurious(case, found, matched, tally)


def _mismatch(case: Case, name: str, found: dict, expected: dict) -> str:
    keys = {"start": ("start", "precision"), "time": ("start",), "venue": ("venue", "address")}
    shown = keys.get(name, (name,))
    got = ", ".join(f"{k}={found.get(k)!r}" for k in shown)
    want = ", ".join(f"{k}={expected.get(k)!r}" for k in shown if k in expected)
    return f"{case.id} {name}: got {got}; expected {want} ({expected['title']!r})"


def _missed_and_spurious(
    case: Case, found: list[dict], matched: list[tuple[int, int]], tally: Tally
) -> None:
    paired_f = {i for i, _ in matched}
    paired_e = {j for _, j in matched}
    for j, expected in enumerate(case.expected):
        if j not in paired_e:
            tally.failures.append(f"{case.id} missed: {expected['start']} {expected['title']!r}")
    for i, record in enumerate(found):
        if i not in paired_f:
            tally.failures.append(f"{case.id} spurious: {record['start']} {record['title']!r}")


def run(cases: Iterable[Case]) -> Tally:
    """Extract and score every case (the speed leaves out loading the gazetteer)."""
    tally = Tally()
    extract_events(page_html("Réunion le 5 mai à Lyon."), published=date(2020, 1, 1))
    for case in cases:
        began = time.perf_counter()
        found = found_records(case)
        tally.seconds += time.perf_counter() - began
        score_case(case, found, tally)
    return tally


def report(tally: Tally) -> str:
    """The scores, one per line."""
    rows = [
        f"cases: {tally.cases}",
        f"events: found {tally.found}, expected {tally.expected}, matched {tally.matched}, "
        f"spurious {tally.found - tally.matched}",
        f"precision: {tally.precision:.3f}   recall: {tally.recall:.3f}",
        f"exact start date: {tally.rate('start'):.3f}",
        f"time accuracy: {tally.rate('time'):.3f} (over {tally.timed} timed events)",
        f"end accuracy: {tally.rate('end'):.3f}",
        f"title similarity: {tally.title_similarity:.3f}",
        f"city accuracy: {tally.rate('city'):.3f}",
        f"venue accuracy: {tally.rate('venue'):.3f}",
        f"online accuracy: {tally.rate('online'):.3f}",
        f"status accuracy: {tally.rate('status'):.3f}",
        f"events from cases expecting none: {tally.from_empty}",
    ]
    if tally.seconds:
        rows.append(f"speed: {tally.cases / tally.seconds:.1f} texts/s")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--show-failures", action="store_true", help="list each mismatch")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"{args.corpus}: no such corpus file", file=sys.stderr)
        return 2
    tally = run(load_cases(args.corpus))
    print(report(tally))
    if args.show_failures:
        print("\n".join(["", "failures:", *tally.failures]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
