"""Golden fixture sites for `strategy: auto`: scrape each through the real CLI and
compare with the events a careful reader expects.

Every folder of tests/fixtures/sites/ with an `expected.json` is one case:

    {"entry": "/agenda",                      # the URL path given in sources.yaml
     "now": "2019-10-15T10:00:00+02:00",      # AGGREGATOR_NOW for the run
     "never_fetched": ["/evenements?page=4"], # optional: paths auto must not request
     "events": [{"title": …, "start": …, "end": …, "city": …, …}]}

`events` lists what `aggregator export --format json` must show after one
`aggregator scrape` (events to come, as subscribers see them). Each expected
event gives the fields it checks; `title`, `start`, `end` and `city` always.
They are the truth a careful reader sees, and the bench scores them all. A
field another module still gets wrong is listed with the reason under
`"not_asserted": {"title": "…"}`: the test then only requires the event
itself to be found (same day, similar title).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from samples import plain_title
from sites import SITES, FixtureSite

SOURCES = """\
settings: {{delay: 0, retries: 1, timeout: 5}}
sources:
  - id: site
    name: {name}
    url: {url}
    strategy: auto
"""


@dataclass
class Case:
    name: str
    entry: str
    now: str
    events: list[dict]
    never_fetched: list[str] = field(default_factory=list)


@dataclass
class Run:
    events: list[dict]
    hits: list[str]
    output: str


def cases() -> list[Case]:
    found = []
    for path in sorted(SITES.glob("*/expected.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append(
            Case(
                name=path.parent.name,
                entry=data["entry"],
                now=data["now"],
                events=data["events"],
                never_fetched=data.get("never_fetched", []),
            )
        )
    return found


def cli(workdir: Path, now: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AGGREGATOR_NOW": now, "AGGREGATOR_CONFIG": "sources.yaml"}
    env.pop("AGGREGATOR_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def scrape(case: Case) -> Run:
    """`aggregator scrape` then `export --format json` against the site on 127.0.0.1."""
    with tempfile.TemporaryDirectory() as tmp, FixtureSite(case.name) as site:
        workdir = Path(tmp)
        (workdir / "sources.yaml").write_text(
            SOURCES.format(name=case.name, url=site.url + case.entry), encoding="utf-8"
        )
        done = cli(workdir, case.now, "scrape")
        if done.returncode != 0:
            raise AssertionError(f"{case.name}: scrape failed\n{done.stdout}{done.stderr}")
        exported = cli(workdir, case.now, "export", "--format", "json")
        return Run(
            events=[
                {**e, "title": plain_title(e)} for e in json.loads(exported.stdout)["events"]
            ],
            hits=list(site.hits),
            output=done.stdout + done.stderr,
        )


# --- scoring --------------------------------------------------------------------------


def _key(title: str) -> str:
    text = unicodedata.normalize("NFKD", title.casefold())
    return " ".join(
        "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c)).split()
    )


def _similar(a: str, b: str) -> bool:
    """Titles of one event: most words shared, or one cut short of the other."""
    ka, kb = set(_key(a).split()), set(_key(b).split())
    shorter, longer = sorted((_key(a), _key(b)), key=len)
    if shorter and longer.startswith(shorter + " "):
        return True
    return bool(ka and kb) and len(ka & kb) / len(ka | kb) >= 0.5


def matched(expected: list[dict], found: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs (expected, found): same title, else same start day and a similar title,
    else the only event found on that day (its title then counts as wrong)."""
    pairs, free = [], list(found)
    for wanted in expected:
        same = [f for f in free if _key(f["title"]) == _key(wanted["title"])]
        close = [
            f
            for f in free
            if f["start"][:10] == wanted["start"][:10] and _similar(f["title"], wanted["title"])
        ]
        that_day = [f for f in free if f["start"][:10] == wanted["start"][:10]]
        chosen = (same or close or (that_day if len(that_day) == 1 else []) or [None])[0]
        if chosen is not None:
            free.remove(chosen)
            pairs.append((wanted, chosen))
    return pairs


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    matched: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)  # field: [right, checked]

    def add(self, other: Score) -> None:
        self.expected += other.expected
        self.found += other.found
        self.matched += other.matched
        for name, (right, checked) in other.fields.items():
            total = self.fields.setdefault(name, [0, 0])
            total[0] += right
            total[1] += checked

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    def accuracy(self, name: str) -> float:
        right, checked = self.fields.get(name, [0, 0])
        return right / checked if checked else 1.0


def score(expected: list[dict], found: list[dict]) -> Score:
    result = Score(expected=len(expected), found=len(found))
    for wanted, got in matched(expected, found):
        result.matched += 1
        for name, value in wanted.items():
            if name == "not_asserted":
                continue
            counts = result.fields.setdefault(name, [0, 0])
            counts[0] += got.get(name) == value
            counts[1] += 1
    return result


def differences(
    expected: list[dict], found: list[dict], *, skip: tuple[str, ...] = (), lenient: bool = False
) -> list[str]:
    """Readable differences between the expected and the found events; `skip` fields are
    not compared, nor with `lenient` those an event lists under "not_asserted"."""
    lines = []
    pairs = matched(expected, found)
    for wanted, got in pairs:
        ignored = {*skip, "not_asserted", *(wanted.get("not_asserted", {}) if lenient else ())}
        for name, value in wanted.items():
            if name not in ignored and got.get(name) != value:
                lines.append(
                    f"{wanted['title']!r}: {name} is {got.get(name)!r}, expected {value!r}"
                )
    paired = [id(got) for _, got in pairs]
    lines += [
        f"missing: {w['title']!r} {w['start']}"
        for w in expected
        if all(w is not p for p, _ in pairs)
    ]
    lines += [f"unexpected: {f['title']!r} {f['start']}" for f in found if id(f) not in paired]
    return lines
