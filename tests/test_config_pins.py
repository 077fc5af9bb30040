"""sources.yaml's `duplicates:` pins and `settings.ics_cancelled`: valid forms, mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.config import check_config, load_config
from aggregator.dedup import settings_of

SOURCES = """\
settings:
  ics_cancelled: {mode}
sources:
  - id: irev
    name: IREV – centre de ressources
    url: https://www.irev.fr/agenda
  - id: irdsu
    name: IRDSU
    url: https://www.irdsu.net/
    organiser: true
duplicates:
"""


def write(tmp_path: Path, pins: str, mode: str = "both") -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES.format(mode=mode) + pins, encoding="utf-8")
    return path


def test_merge_and_never_merge_pins_load(tmp_path: Path):
    path = write(
        tmp_path,
        """\
  - merge: [irev-3f2a9c1d2b4e5f60, irdsu-9c1b2d3e4f5a6b7c]
    note: la même journée sous deux titres
  - never_merge: [irev-0a1b2c3d4e5f6789, irdsu-89abcdef01234567, irev-1111111111111111]
""",
        mode="prefix",
    )
    config = load_config(path)
    assert config.settings.ics_cancelled == "prefix"
    assert [p.kind for p in config.duplicates] == ["merge", "never_merge"]
    settings = settings_of(config)
    assert settings.merge == (("irev-3f2a9c1d2b4e5f60", "irdsu-9c1b2d3e4f5a6b7c"),)
    assert len(settings.never_merge[0]) == 3
    assert settings.organisers == {"irdsu"}
    assert settings.names["irev"] == ("irev", "IREV")


@pytest.mark.parametrize(
    "pins, line, message",
    [
        (
            "  - merge: [irev-3f2a9c1d2b4e5f60]\n",
            12,
            "duplicates[0].merge: needs at least two different event ids; copy ids from 'id' or "
            "'merged_because' in `aggregator export --format json`, e.g. irev-3f2a9c1d2b4e5f60",
        ),
        (
            "  - merge: [irev-3f2a9c1d2b4e5f60, cerdd-9c1b2d3e4f5a6b7c]\n",
            12,
            "duplicates[0].merge: 'cerdd-9c1b2d3e4f5a6b7c' is not the id of an event of a "
            "source in this file; copy ids from 'id' or 'merged_because' in "
            "`aggregator export --format json`, e.g. irev-3f2a9c1d2b4e5f60",
        ),
        (
            "  - merge: [irev-a, irdsu-b]\n    never_merge: [irev-a, irdsu-c]\n",
            13,
            "duplicates[0].never_merge: write either 'merge: [id, id]' (these events are one) or "
            "'never_merge: [id, id]' (never merge them), one per item",
        ),
        (
            "  - merge: [irev-a, irdsu-b]\n  - never_merge: [irdsu-b, irev-a]\n",
            13,
            "duplicates[1].never_merge: 'irdsu-b' and 'irev-a' are also in a 'merge' item; "
            "keep only the one you mean",
        ),
        (
            "  - merge: [Irev A, irdsu-b]\n",
            12,
            "duplicates[0].merge: 'Irev A' is not an event id; copy ids from 'id' or "
            "'merged_because' in `aggregator export --format json`, e.g. irev-3f2a9c1d2b4e5f60",
        ),
        (
            "  - split: [irev-a, irdsu-b]\n",
            12,
            "duplicates[0].split: unknown key 'split'; allowed keys: merge, never_merge, note",
        ),
        (
            "  merge: [irev-a, irdsu-b]\n",
            11,
            "duplicates: must be a list, got a block of keys; write one '- merge: [id, id]' or "
            "'- never_merge: [id, id]' per line",
        ),
    ],
)
def test_pin_mistakes_are_reported_with_their_line(
    tmp_path: Path, pins: str, line: int, message: str
):
    path = write(tmp_path, pins)
    assert check_config(path) == [f"{path}:{line}: {message}"]


def test_ics_cancelled_takes_one_of_three_words(tmp_path: Path):
    path = write(tmp_path, "", mode="hide")
    [problem] = check_config(path)
    assert problem == (
        f"{path}:2: settings.ics_cancelled: 'hide' is not a ics_cancelled; "
        "write one of status, prefix, both"
    )


def test_the_readme_example_loads(tmp_path: Path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```yaml\n")[1:]]
    [example] = [b for b in blocks if "\nduplicates:\n" in b]
    path = tmp_path / "sources.yaml"
    path.write_text(example, encoding="utf-8")
    config = load_config(path)
    assert config.settings.ics_cancelled == "both"
    assert [p.kind for p in config.duplicates] == ["merge", "never_merge"]
    assert config.source("irdsu").organiser
