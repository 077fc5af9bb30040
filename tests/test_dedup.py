"""Dedup: pair decisions, clustering, stable published ids, merging, and the store applying them."""

from __future__ import annotations

import importlib.util
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from aggregator import dedup
from aggregator.clock import PARIS
from aggregator.dedup import Settings, assign_ids, cluster, same_event
from aggregator.feeds import Filters, select
from aggregator.model import Event, Precision, SourceRef, Status
from aggregator.store import MIGRATIONS, RunRecord, Store

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2019, 10, 15, 10, 0, tzinfo=PARIS)
TODAY = date(2019, 10, 15)


def ev(id: str, title: str, start: date | datetime, **fields) -> Event:
    source = fields.pop("source", id.rsplit("-", 1)[0])
    url = fields.pop("url", f"https://{source}.example/{id}")
    timed = isinstance(start, datetime)
    precision = fields.pop("precision", Precision.MINUTE if timed else Precision.DAY)
    return Event(
        id=id,
        title=title,
        start=start,
        all_day=not timed,
        precision=precision,
        url=url,
        sources=(SourceRef(id=source, name=source.upper(), url=url),),
        first_seen=fields.pop("first_seen", T0),
        **fields,
    )


def at(day: int, hour: int | None = None, month: int = 12) -> date | datetime:
    if hour is None:
        return date(2019, month, day)
    return datetime(2019, month, day, hour, 0, tzinfo=PARIS)


NATIONAL = ev(
    "irdsu-1",
    "Journée nationale des professionnels du développement social urbain",
    at(10, 9),
    city="Vaulx-en-Velin",
    venue="Hôtel de Ville",
    end=datetime(2019, 12, 10, 17, 0, tzinfo=PARIS),
)
RELAY = ev(
    "crpv-1",
    "Journée nationale de l'IRDSU",
    at(10),
    city="Vaulx-en-Velin",
    region="Auvergne-Rhône-Alpes",
    tags=("dsu",),
)
THIRD = ev(
    "labo-1",
    "Journée nationale des professionnels du DSU à Vaulx-en-Velin",
    at(10, 9),
    city="Vaulx en Velin",
    description="Une longue description " * 5,
    tags=("jeunesse",),
)
OTHER = ev("crpv-2", "Atelier des conseils citoyens", at(10, 14), city="Vaulx-en-Velin")


# --- the labelled pairs ---------------------------------------------------------------------


def test_labelled_pairs_reach_the_target():
    spec = importlib.util.spec_from_file_location("dedup_pairs", ROOT / "bench/dedup_pairs.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    pairs = bench.load_pairs(ROOT / "tests/fixtures/dedup/pairs.jsonl")
    assert len(pairs) >= 150
    assert sum(1 for p in pairs if p[3]) >= 60 and sum(1 for p in pairs if not p[3]) >= 60
    precision, recall, _ = bench.score(pairs)
    assert precision >= 0.95 and recall >= 0.95


# --- pairs --------------------------------------------------------------------------------


def test_a_relay_with_a_shorter_title_is_the_same_event_and_says_why():
    match = same_event(NATIONAL, RELAY)
    assert match.same
    assert match.fields["dates"] == "same day"
    assert match.fields["place"] == "same city"
    assert match.fields["title"] == 100.0


@pytest.mark.parametrize(
    "a, b, why",
    [
        (
            NATIONAL,
            NATIONAL.replace(id="x-0", start=at(10, 14), end=None, url=None),
            "different start times",
        ),
        (NATIONAL, NATIONAL.replace(id="x-1", city="Lille", url=None), None),
        (NATIONAL, OTHER, None),
        (NATIONAL, NATIONAL.replace(id="x-2", start=at(11, 9), end=None), None),
        (ev("a-1", "Cycle GUP – séance 1", at(3)), ev("b-1", "Cycle GUP – séance 2", at(3)), None),
        (
            ev("a-5", "Cycle GUP – séance 1", at(3)),
            ev("b-5", "Cycle de qualification GUP", at(3), end=at(24)),
            "session 1 of a cycle",
        ),
        (
            ev("a-2", "Assemblée générale de l'IRDSU", at(3, 14), city="Paris"),
            ev("b-2", "Assemblée générale de l'ORIV", at(3, 14), city="Paris"),
            "different organisers named",
        ),
    ],
)
def test_different_events(a: Event, b: Event, why: str | None):
    match = same_event(a, b)
    assert not match.same
    if why:
        assert why in match.fields.values()


def test_alternatives_and_month_announcements_meet_their_day():
    undecided = ev(
        "a-3", "Formation des conseillers citoyens", at(10), alternatives=(at(10), at(12))
    )
    assert same_event(undecided, ev("b-3", "Formation des conseillers citoyens", at(12))).same
    vague = ev(
        "a-4",
        "Rencontres régionales de la politique de la ville",
        date(2020, 6, 1),
        precision=Precision.MONTH,
        city="Grenoble",
    )
    precise = ev(
        "b-4",
        "Rencontres régionales de la politique de la ville 2020",
        date(2020, 6, 16),
        end=date(2020, 6, 17),
        city="Grenoble",
    )
    assert same_event(vague, precise).same
    assert not same_event(vague, precise.replace(start=date(2020, 7, 1), end=None)).same


# --- clustering -------------------------------------------------------------------------------


def test_three_announcements_one_cluster_and_a_neighbour_apart():
    groups = cluster([NATIONAL, RELAY, THIRD, OTHER])
    assert [sorted(m.id for m in g.members) for g in groups] == [
        ["crpv-1", "irdsu-1", "labo-1"],
        ["crpv-2"],
    ]
    assert len(groups[0].reasons) == 2


def test_two_items_a_site_lists_are_two_events():
    a = ev("site-1", "Rencontre régionale jeunesse", at(5), city="Lyon")
    b = ev("site-2", "Rencontre régionale jeunesse et emploi", at(5), city="Lyon")
    relay = ev("relay-1", "Rencontre régionale jeunesse", at(5), city="Lyon")
    assert same_event(a, b).same  # alike, but the site lists them apart
    groups = cluster([a, b, relay])
    assert {tuple(sorted(m.id for m in g.members)) for g in groups} == {
        ("relay-1", "site-1"),
        ("site-2",),
    }
    # An item gone from the listing and its look-alike are an edit (a title-keyed event).
    groups = cluster([a, b], gone={"site-1"})
    assert len(groups) == 1


def test_pins_merge_and_split_by_announcement_or_published_id():
    apart = Settings(never_merge=(("irdsu-1", "crpv-1"),))
    groups = cluster([NATIONAL, RELAY, THIRD], apart)
    assert not any({"irdsu-1", "crpv-1"} <= {m.id for m in g.members} for g in groups)
    together = Settings(merge=(("pub-9", "crpv-2"),))
    groups = cluster([NATIONAL, OTHER], together, aliases={"pub-9": ["irdsu-1"]})
    assert len(groups) == 1 and groups[0].reasons[0].pinned


# --- stable ids ---------------------------------------------------------------------------------


def _group(*events: Event) -> list[Event]:
    return list(events)


def test_joining_clusters_keep_the_oldest_id():
    ids = assign_ids(
        [_group(NATIONAL, RELAY)],
        {"irdsu-1": "p-new", "crpv-1": "p-old"},
        {"p-new": "2019-10-02", "p-old": "2019-10-01"},
        lambda pid: True,
    )
    assert ids == ["p-old"]


def test_a_split_leaves_the_id_with_most_members_even_when_its_origin_leaves():
    previous = {"irdsu-1": "irdsu-1", "crpv-1": "irdsu-1", "labo-1": "irdsu-1"}
    taken = {"irdsu-1"}
    ids = assign_ids(
        [_group(NATIONAL), _group(RELAY, THIRD)], previous, {}, lambda pid: pid not in taken
    )
    assert ids[1] == "irdsu-1"  # the two that stay keep the calendar's id
    assert ids[0] not in ("irdsu-1", "crpv-1", "labo-1")  # its own id is taken: a new one
    assert ids[0].startswith("irdsu-")
    again = assign_ids(
        [_group(NATIONAL), _group(RELAY, THIRD)], previous, {}, lambda pid: pid not in taken
    )
    assert again == ids  # derived, not random


def test_a_leaver_gets_its_own_id_back_when_free():
    previous = {"irdsu-1": "irdsu-1", "crpv-1": "irdsu-1"}
    ids = assign_ids([_group(NATIONAL), _group(RELAY)], previous, {}, lambda pid: True)
    assert ids == ["irdsu-1", "crpv-1"]


# --- merging ----------------------------------------------------------------------------------


def test_merged_event_takes_the_best_of_each_announcement():
    settings = Settings(organisers=frozenset({"irdsu"}))
    group = cluster([RELAY, THIRD, NATIONAL], settings)[0]
    event = dedup.publish(group, "pub-1", settings)
    assert event.id == "pub-1"
    assert event.title == NATIONAL.title and event.url == NATIONAL.url  # the organiser's
    assert (event.start, event.end) == (NATIONAL.start, NATIONAL.end)  # the most precise
    assert event.venue == "Hôtel de Ville"  # the fullest place
    assert event.description == THIRD.description  # the longest
    assert event.tags == ("dsu", "jeunesse")
    assert event.region == "Auvergne-Rhône-Alpes"
    assert [s.id for s in event.sources] == ["irdsu", "crpv", "labo"]


def test_a_relay_cancellation_is_never_lost():
    group = cluster([RELAY.replace(status=Status.CANCELLED), THIRD])[0]
    assert dedup.publish(group, "pub-2", Settings()).status == Status.CANCELLED


def test_the_organiser_a_title_names_wins_over_the_first_seen():
    group = cluster([THIRD, NATIONAL, RELAY.replace(title="Journée nationale DSU 2019")])[0]
    assert dedup.publish(group, "pub-3", Settings()).url == RELAY.url  # first seen (by id)
    named = cluster([THIRD, NATIONAL, RELAY])[0]  # "… de l'IRDSU" names the source irdsu
    assert dedup.publish(named, "pub-4", Settings()).url == NATIONAL.url
    by_name = dedup.publish(group, "pub-5", Settings(names={"labo": ("Labo Cités",)}))
    assert by_name.url == RELAY.url
    declared = dedup.publish(group, "pub-6", Settings(organisers=frozenset({"labo"})))
    assert (declared.url, declared.title) == (THIRD.url, THIRD.title)


# --- the store applies: refresh after runs ---------------------------------------------------


def run(source: str, at_time: datetime = T0) -> RunRecord:
    return RunRecord(source_id=source, started=at_time, finished=at_time, result="ok")


def feed(store: Store) -> dict[str, Event]:
    return {e.id: e for e in select(store, Filters(), TODAY)}


def test_refresh_publishes_one_event_with_a_stable_id(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        store.save_run(run("irdsu"), [NATIONAL])
        first = feed(store)
        assert list(first) == ["irdsu-1"]
        later = T0 + timedelta(hours=6)
        store.save_run(run("crpv", later), [RELAY, OTHER])
        dedup.refresh(store, now=later)
        second = feed(store)
        assert sorted(second) == ["crpv-2", "irdsu-1"]
        joined = second["irdsu-1"]
        assert [s.id for s in joined.sources] == ["irdsu", "crpv"]
        assert (joined.sequence, joined.updated, joined.first_seen) == (1, later, T0)
        assert joined.merged_because[0].events == ("irdsu-1", "crpv-1")
        store.save_run(run("crpv", later + timedelta(hours=6)), [RELAY, OTHER])
        assert feed(store) == second  # a re-scrape that changes nothing changes nothing
        assert store.event("irdsu-1") == second["irdsu-1"]
        assert store.event("crpv-1").sources[0].id == "crpv"  # an announcement, by its own id


def test_the_id_survives_when_its_own_announcement_leaves(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        for source, event in (("irdsu", NATIONAL), ("crpv", RELAY), ("labo", THIRD)):
            store.save_run(run(source), [event])
            assert list(feed(store)) == ["irdsu-1"]
        moved = NATIONAL.replace(start=at(11, 9), end=None)  # the origin moves to another day
        later = T0 + timedelta(days=1)
        store.save_run(run("irdsu", later), [moved])
        now = feed(store)
        assert len(now) == 2
        stayed = now["irdsu-1"]
        assert sorted(s.id for s in stayed.sources) == ["crpv", "labo"]
        (leaver,) = [e for i, e in now.items() if i != "irdsu-1"]
        assert leaver.start == at(11, 9) and leaver.id.startswith("irdsu-")
        assert leaver.sources[0].id == "irdsu"


def test_a_cancellation_updates_in_place(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        store.save_run(run("irdsu"), [NATIONAL])
        feed(store)
        store.save_run(run("crpv"), [RELAY])
        before = feed(store)["irdsu-1"]
        later = T0 + timedelta(days=2)
        store.save_run(run("irdsu", later), [NATIONAL.replace(status=Status.CANCELLED)])
        after = feed(store)["irdsu-1"]
        assert after.status == Status.CANCELLED
        assert (after.sequence, after.updated) == (before.sequence + 1, later)


def test_an_event_missing_from_its_listing_is_kept_and_flagged(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        store.save_run(run("crpv"), [RELAY, OTHER])
        later = T0 + timedelta(days=1)
        store.save_run(run("crpv", later), [RELAY])
        assert "crpv-2" in feed(store)
        gone = store.db.execute("select gone from events where id = 'crpv-2'").fetchone()[0]
        assert gone == later.isoformat()


def test_a_retired_id_leads_to_the_event_that_absorbed_it(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        store.save_run(run("crpv"), [RELAY])
        feed(store)
        store.save_run(run("irdsu", T0 + timedelta(hours=1)), [NATIONAL])
        dedup.refresh(store, Settings(never_merge=(("irdsu-1", "crpv-1"),)), now=T0)
        assert sorted(feed(store)) == ["crpv-1", "irdsu-1"]
        dedup.refresh(store, Settings(), now=T0 + timedelta(hours=2))
        assert list(feed(store)) == ["crpv-1"]
        assert store.event("irdsu-1").id == "crpv-1"


def test_an_older_database_keeps_its_ids_and_history(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr("aggregator.store.MIGRATIONS", MIGRATIONS[:2])
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    for _, apply in MIGRATIONS[:2]:
        apply(db)
    db["migrations"].insert_all([{"name": n, "applied": "x"} for n, _ in MIGRATIONS[:2]], pk="name")
    db["events"].insert(
        {
            "id": "irev-7",
            "source_id": "irev",
            "title": "Rencontre régionale",
            "start": "2019-11-05",
            "all_day": 1,
            "precision": "day",
            "alternatives": "[]",
            "status": "scheduled",
            "online": 0,
            "tags": "[]",
            "source_name": "IREV",
            "source_url": "https://irev.fr/7",
            "first_seen": "2019-09-01T10:00:00+02:00",
            "updated": "2019-09-03T10:00:00+02:00",
            "last_seen": "2019-09-03T10:00:00+02:00",
            "sequence": 2,
            "content_hash": "x",
            "sort_key": "2019-11-05",
        }
    )
    conn.close()
    monkeypatch.undo()
    with Store.open(path) as store:
        (event,) = select(store, Filters(), TODAY)
        assert (event.id, event.sequence) == ("irev-7", 2)
        assert event.first_seen.isoformat() == "2019-09-01T10:00:00+02:00"


def test_extract_and_status_explain_merges(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        store.save_run(run("irdsu"), [NATIONAL])
        feed(store)
        (explained,) = dedup.explain([RELAY], store)
        assert explained.merged_because[0].events == ("crpv-1", "irdsu-1")
        store.save_run(run("crpv"), [RELAY])
        dedup.refresh(store)
        lines = dedup.merge_lines(store, TODAY)
        assert lines[0] == "1 coming events merged from several announcements:"
        assert (
            lines[1] == "  irdsu-1 «Journée nationale des professionnels du développement "
            "social urbain» from irdsu, crpv"
        )
        assert lines[2].startswith("    crpv-1 + irdsu-1: score 112 (title 100.0, same day")


def test_an_edited_title_keyed_announcement_keeps_its_published_id(tmp_path):
    """A news post's event has no id of its own: its key is its title and day. When the
    title is edited the old item leaves the listing and the new one replaces it."""
    old = ev(
        "irev-old",
        "Rencontre régionale : la participation des habitants",
        at(5, 9, 11),
        city="Tourcoing",
        source="irev",
    )
    new = old.replace(
        id="irev-new",
        title="Rencontre régionale : la participation des habitants dans les quartiers",
    )
    with Store.open(tmp_path / "a.db") as store:
        store.save_run(run("irev"), [old])
        assert list(feed(store)) == ["irev-old"]
        store.save_run(run("irev", T0 + timedelta(days=1)), [new])
        (event,) = feed(store).values()
        assert (event.id, event.title) == ("irev-old", new.title)


def test_a_malformed_link_in_a_description_does_not_stop_clustering():
    from aggregator.model import Event, SourceRef

    broken = Event(id="a-1", title="Forum emploi", start=date(2020, 3, 5),
                   description_html='<a href="https://[…?x">lien</a>',
                   sources=(SourceRef(id="a", name="A", url="https://a.example/1"),))
    twin = broken.replace(id="b-1", sources=(SourceRef(id="b", name="B",
                                                       url="https://b.example/1"),))
    [group] = cluster([broken, twin])
    assert sorted(e.id for e in group.members) == ["a-1", "b-1"]
