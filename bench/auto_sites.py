"""How well `strategy: auto` reads the fixture sites.

    python bench/auto_sites.py [SITE ...]

Scrapes every fixture site that has an `expected.json` (tests/fixtures/sites/)
through the real CLI, against a server on 127.0.0.1, and prints per site and
overall: recall (expected events found), precision (found events expected),
and the accuracy of each checked field over the matched events (exact start,
end, city, venue, …). `-v` lists the differences.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from autosites import Score, cases, differences, score, scrape  # noqa: E402

FIELDS = ("start", "end", "city", "title", "venue", "status", "online", "registration_url")


def _line(name: str, result: Score) -> str:
    fields = "  ".join(f"{f} {result.accuracy(f):6.1%}" for f in FIELDS if f in result.fields)
    return (
        f"{name:28} {result.matched:3}/{result.expected:<3} recall {result.recall:6.1%}  "
        f"precision {result.precision:6.1%}  {fields}"
    )


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    wanted = {a for a in argv if not a.startswith("-")}
    total = Score()
    for case in cases():
        if wanted and case.name not in wanted:
            continue
        run = scrape(case)
        result = score(case.events, run.events)
        total.add(result)
        print(_line(case.name, result))
        if verbose:
            for line in differences(case.events, run.events):
                print(f"    {line}")
    print(_line("ALL", total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
