"""Speed of the French date parser.

    python bench/dates.py [path-to-corpus.jsonl]

Prints how many announcement texts per second `parse_dates` reads (the
corpus texts, repeated) and how long a 1 MB text takes. The corpus defaults
to ../shared/corpus/announcements-dev.jsonl beside the project; when it is
missing, a few built-in texts stand in.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

from aggregator import parse_dates

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/announcements-dev.jsonl"
FALLBACK = [
    (
        "Rencontre le mardi 5 novembre 2019 de 9h30 à 12h à Lyon. Publié le 18/09/2019.",
        "2019-09-18",
    ),
    ("Les 13 et 14 juin prochains à Albi ; inscriptions avant le 3 juin.", "2019-05-02"),
    (
        "Les prochaines journées : 10 ou 12 décembre 2019 à Vaulx en Velin, février 2020.",
        "2019-10-01",
    ),
]


def _cases(path: Path) -> list[tuple[str, date]]:
    if not path.is_file():
        print(f"{path} not found: timing built-in texts instead")
        return [(text, date.fromisoformat(day)) for text, day in FALLBACK]
    cases = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                cases.append((record["text"], date.fromisoformat(record["published"])))
    return cases


def _texts_per_second(cases: list[tuple[str, date]], seconds: float = 2.0) -> tuple[float, int]:
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        for text, published in cases:
            parse_dates(text, published)
        done += len(cases)
    return done / (time.perf_counter() - began), done


def _one_megabyte(cases: list[tuple[str, date]]) -> tuple[float, int]:
    joined = "\n\n".join(text for text, _ in cases)
    text = (joined * (1_000_000 // len(joined) + 1))[:1_000_000]
    began = time.perf_counter()
    matches = parse_dates(text, cases[0][1])
    return time.perf_counter() - began, len(matches)


def main(argv: list[str]) -> int:
    cases = _cases(Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS)
    rate, done = _texts_per_second(cases)
    mean = sum(len(text) for text, _ in cases) / len(cases)
    print(f"{rate:,.0f} texts/second ({done} texts of {mean:.0f} characters on average)")
    seconds, found = _one_megabyte(cases)
    print(f"1 MB text: {seconds:.3f} s ({found} dates)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
