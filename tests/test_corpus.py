"""The scoring script bench/corpus.py: its pairing and checks, and the accuracy
targets on the shared development corpus (skipped when the corpus is absent)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
CORPUS = Path(__file__).parents[2] / "shared" / "corpus" / "announcements-dev.jsonl"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = module
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def record(**fields) -> dict:
    base = {
        "title": "Forum", "start": "2020-03-05", "end": None, "precision": "day",
        "alternatives": [], "city": None, "venue": None, "address": None, "online": False,
        "status": "scheduled",
    }  # fmt: skip
    return {**base, **fields}


def test_page_html_makes_paragraphs_and_list_items():
    markup = bench.page_html("Titre & co\n– un\n- deux\nFin")
    assert "<p>Titre &amp; co</p><ul><li>un</li><li>deux</li></ul><p>Fin</p>" in markup


def test_pairs_prefer_the_same_day_then_the_closest_title():
    found = [record(title="Atelier B", start="2020-03-09"), record(title="Atelier A")]
    expected = [record(title="Atelier A"), record(title="Atelier B", start="2020-03-09")]
    assert bench.pairs(found, expected) == [(1, 0), (0, 1)]


def test_unrelated_events_are_not_paired():
    assert bench.pairs([record(title="Colloque", start="2021-01-01")], [record()]) == []


def test_field_checks_compare_cities_after_normalising_both_sides():
    checks = bench.field_checks(
        record(city="Ramonville-Saint-Agne", venue="Salle A", address="2 rue B"),
        record(city="Ramonville", venue="Salle A, 2 rue B, 31520 Ramonville"),
    )
    assert checks["city"] and checks["venue"]


def test_field_checks_want_the_same_time_and_precision():
    checks = bench.field_checks(record(start="2020-03-05T10:00"), record(start="2020-03-05"))
    assert not checks["start"] and checks["end"]


def test_score_counts_spurious_events_of_cases_expecting_none():
    tally = bench.Tally()
    case = bench.Case(id="x", text="", published=date(2020, 1, 1), expected=[])
    bench.score_case(case, [record()], tally)
    assert (tally.found, tally.matched, tally.from_empty, tally.precision) == (1, 0, 1, 0.0)


@pytest.mark.skipif(not CORPUS.is_file(), reason="shared development corpus not available")
def test_development_corpus_meets_the_targets():
    tally = bench.run(bench.load_cases(CORPUS))
    assert tally.rate("start") >= 0.95
    assert tally.rate("city") >= 0.90
    assert tally.from_empty == 0
    assert tally.recall >= 0.9
    assert tally.precision >= 0.9
