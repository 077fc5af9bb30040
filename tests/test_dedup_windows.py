"""Dedup refresh in windows of days decides exactly what one batch of every day decides."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from aggregator import dedup
from aggregator.clock import PARIS
from aggregator.dedup import Settings
from aggregator.model import Event, Precision, SourceRef
from aggregator.store import RunRecord, Store

T0 = datetime(2019, 10, 15, 10, 0, tzinfo=PARIS)
DAY0 = date(2019, 12, 1)
TOPICS = ["conseils citoyens", "emploi des jeunes", "renouvellement urbain", "santé"]


def ev(source: str, n: int, title: str, start: date, **fields: object) -> Event:
    url = f"https://{source}.example/{n}"
    return Event(
        id=f"{source}-{n}",
        title=title,
        start=start,
        all_day=True,
        precision=fields.pop("precision", Precision.DAY),
        url=url,
        city="Lille",
        sources=(SourceRef(id=source, name=source.upper(), url=url),),
        first_seen=T0,
        **fields,
    )


def announcements() -> dict[str, list[Event]]:
    """Four sources over 40 days: relays of the same day, multi-day events whose days
    cross windows, a month-only announcement and its day."""
    found: dict[str, list[Event]] = {"irdsu": [], "crpv": [], "labo": [], "reseau": []}
    for d in range(40):
        day = DAY0 + timedelta(days=d)
        title = f"Atelier {TOPICS[d % 4]} numéro {d}"
        found["irdsu"].append(ev("irdsu", d, title, day))
        if d % 2 == 0:
            found["crpv"].append(ev("crpv", d, f"{title} (relais)", day))
        if d % 7 == 0:
            end = day + timedelta(days=3)
            festival = f"Festival des quartiers, édition {d}"
            found["labo"].append(ev("labo", d, festival, day, end=end))
            found["reseau"].append(ev("reseau", d, festival, day + timedelta(days=2)))
    forum = "Forum régional de l'emploi dans les quartiers"
    found["reseau"].append(ev("reseau", 100, forum, date(2020, 1, 1), precision=Precision.MONTH))
    found["labo"].append(ev("labo", 100, forum, date(2020, 1, 9)))
    return found


SETTINGS = Settings(
    merge=(("irdsu-2", "crpv-30"),),  # days 2 and 30: never in one window of one day
    never_merge=(("irdsu-4", "crpv-4"),),
)


def published(store: Store) -> list[tuple]:
    rows = store.db.execute("select event_id, published_id from members order by event_id")
    return [
        (e.id, e.title, e.start, e.sequence, tuple(s.id for s in e.sources),
         tuple(r.events for r in e.merged_because))
        for e in store.published_events()
    ] + list(rows)  # fmt: skip


def scraped(path, runs: dict[str, list[Event]], settings: Settings, now: datetime) -> Store:
    store = Store.open(path)
    for source, events in runs.items():
        store.save_run(
            RunRecord(source_id=source, started=now, finished=now, result="ok"), events, now=now
        )
    dedup.refresh(store, settings, now=now)
    return store


def test_windows_of_one_day_decide_as_one_batch(tmp_path, monkeypatch):
    runs = announcements()
    with scraped(tmp_path / "one.db", runs, SETTINGS, T0) as one:
        expected = published(one)
        monkeypatch.setattr(dedup, "WINDOW_EVENTS", 1)
        with scraped(tmp_path / "windows.db", runs, SETTINGS, T0) as windows:
            assert published(windows) == expected
            assert not windows.has_dirty_days()
        merged = [row for row in expected if len(row) > 2 and len(row[4]) > 1]
        assert len(merged) >= 25  # the relays, the festivals, the forum
        members = dict(row for row in expected if len(row) == 2)
        assert members["irdsu-2"] == members["crpv-30"]  # pinned, 28 days apart
        assert members["irdsu-4"] != members["crpv-4"]


@pytest.mark.parametrize("window", [1, 3, 50])
def test_a_second_cycle_in_windows_changes_what_one_batch_changes(tmp_path, monkeypatch, window):
    runs = announcements()
    later = T0 + timedelta(days=1)
    moved = {  # a festival moves by a week, a relay leaves, the pins change
        "labo": [e.replace(start=e.start + timedelta(days=7)) if e.id == "labo-7" else e
                 for e in runs["labo"]],
        "crpv": [e for e in runs["crpv"] if e.id != "crpv-10"],
    }  # fmt: skip
    pins = Settings(merge=(("irdsu-3", "irdsu-33"),))
    results = []
    for name, size in (("one", dedup.WINDOW_EVENTS), ("windows", window)):
        monkeypatch.setattr(dedup, "WINDOW_EVENTS", size)
        with scraped(tmp_path / f"{name}.db", runs, SETTINGS, T0) as store:
            for source, events in moved.items():
                store.save_run(
                    RunRecord(source_id=source, started=later, finished=later, result="ok"),
                    events,
                    now=later,
                )
            dedup.refresh(store, pins, now=later)
            results.append(published(store))
    assert results[0] == results[1]
