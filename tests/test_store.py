"""The store: migrations, one transaction per run, change tracking."""

from datetime import date, datetime, timedelta

from aggregator.clock import PARIS
from aggregator.model import Event, SourceRef, Status
from aggregator.store import MIGRATIONS, RunRecord, Store

T0 = datetime(2019, 10, 15, 10, 0, tzinfo=PARIS)


def event(**changes) -> Event:
    base = Event(id="irev-1", title="Rencontre", start=date(2019, 11, 5),
                 sources=(SourceRef(id="irev", name="IREV", url="https://irev.fr/1"),))
    return base.replace(**changes)


def run(result: str = "ok", at: datetime = T0, error: str | None = None) -> RunRecord:
    return RunRecord(source_id="irev", started=at, finished=at, result=result, error=error)


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "a.db"
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS)
    with Store.open(path) as store:  # reopening applies nothing twice
        assert store.schema_version == len(MIGRATIONS)
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.integrity_ok()


def test_new_unchanged_and_updated_events(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        assert store.save_run(run(), [event()]).new == 1
        later = T0 + timedelta(hours=6)
        again = store.save_run(run(at=later), [event()])
        assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
        stored = store.event("irev-1")
        assert stored.updated == T0 and stored.sequence == 0
        changed = store.save_run(run(at=later), [event(status=Status.CANCELLED)])
        assert changed.updated == 1
        stored = store.event("irev-1")
        assert (stored.status, stored.sequence, stored.updated) == (Status.CANCELLED, 1, later)
        assert stored.first_seen == T0


def test_a_failed_run_changes_no_event(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        store.save_run(run(), [event(), event(id="irev-2", title="Atelier")])
        store.save_run(run("failed", error="HTTP 500"))
        assert [e.title for e in store.events()] == ["Atelier", "Rencontre"]
        assert store.last_runs()["irev"]["error"] == "HTTP 500"
        assert store.last_good_run("irev")["result"] == "ok"


def test_events_since_keeps_running_multi_day_events(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        store.save_run(run(), [event(id="a", start=date(2019, 10, 1)),
                               event(id="b", start=date(2019, 10, 14), end=date(2019, 10, 16)),
                               event(id="c", start=datetime(2019, 10, 15, 9, 0, tzinfo=PARIS))])
        assert [e.id for e in store.events(since=date(2019, 10, 15))] == ["b", "c"]


def test_backup_is_a_consistent_copy(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        store.save_run(run(), [event(), event(id="irev-2", title="Atelier")])
        store.backup(tmp_path / "copy.db")
    with Store.open(tmp_path / "copy.db") as copy:
        assert copy.integrity_ok()
        assert [e.title for e in copy.events()] == ["Atelier", "Rencontre"]
    assert not (tmp_path / "copy.db.partial").exists()
