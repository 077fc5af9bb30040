import json
from datetime import UTC, date, datetime

import samples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_render_ical import every_field

from aggregator._dedup_merge import PublishedEvent, Reason
from aggregator.model import Precision, SourceRef
from aggregator.render import json as json_renderer

KEYS = [
    "id",
    "title",
    "start",
    "end",
    "all_day",
    "precision",
    "alternatives",
    "status",
    "venue",
    "address",
    "city",
    "online",
    "url",
    "registration_url",
    "description",
    "description_html",
    "tags",
    "region",
    "sources",
    "first_seen",
    "updated",
    "merged_because",
]


def _document() -> dict:
    return json.loads(json_renderer.render(samples.all_events(), samples.info()))


def test_document_shape():
    document = _document()
    assert list(document) == ["generated", "events"]
    assert document["generated"] == "2019-07-15T10:00:00+02:00"
    assert len(document["events"]) == 10  # month precision included
    for record in document["events"]:
        assert list(record) == KEYS


def test_record_of_a_timed_event():
    assert json_renderer.event_to_dict(samples.summer()) == {
        "id": "ev-summer",
        "title": "Atelier emploi des jeunes",
        "start": "2019-07-04T14:00:00+02:00",
        "end": "2019-07-04T17:00:00+02:00",
        "all_day": False,
        "precision": "minute",
        "alternatives": [],
        "status": "scheduled",
        "venue": "Maison des projets",
        "address": "3 rue de la Paix",
        "city": "Lille",
        "online": False,
        "url": "https://www.irev.fr/node/1",
        "registration_url": "https://www.irev.fr/inscription?id=1&x=2",
        "description": "Un atelier.\nDeuxième ligne.",
        "description_html": "<p>Un atelier <b>pratique</b> &amp; concret.</p>",
        "tags": ["emploi", "jeunesse"],
        "region": None,
        "sources": [{"id": "irev", "name": "IREV", "url": "https://www.irev.fr/agenda"}],
        "first_seen": "2019-06-20T08:15:00+02:00",
        "updated": "2019-07-01T18:30:00+02:00",
        "merged_because": [],
    }


def test_start_forms():
    records = {record["id"]: record for record in _document()["events"]}
    assert records["ev-winter"]["start"] == "2019-12-10T09:30:00+01:00"
    assert records["ev-allday"]["start"] == "2019-11-05"
    assert records["ev-allday"]["end"] is None
    assert records["ev-span"]["end"] == "2019-08-29"
    assert records["ev-month"]["start"] == "2020-02"
    assert records["ev-month"]["precision"] == "month"
    assert records["ev-alt"]["alternatives"] == ["2019-12-10", "2019-12-12"]
    assert records["ev-cancelled"]["status"] == "cancelled"
    assert records["ev-postponed"]["status"] == "postponed"
    assert [s["id"] for s in records["ev-winter"]["sources"]] == ["irev", "labo-cites"]


def test_cancelled_and_postponed_titles_say_so_first():
    records = {record["id"]: record for record in _document()["events"]}
    assert records["ev-cancelled"]["title"] == "ANNULÉ – Café citoyen"
    assert records["ev-postponed"]["title"] == "REPORTÉ – Café citoyen"
    assert records["ev-winter"]["title"] == samples.winter().title


def test_sequence_is_not_published():
    assert "sequence" not in json_renderer.event_to_dict(samples.summer())


def test_utf8_and_indented():
    data = json_renderer.render([samples.summer()], samples.info())
    assert "Deuxième".encode() in data
    assert data.startswith(b'{\n  "generated": ')
    assert data.endswith(b"}\n")


def test_times_are_written_in_paris_time():
    assert (
        json_renderer.when_to_str(datetime(2019, 7, 4, 12, 0, tzinfo=UTC))
        == "2019-07-04T14:00:00+02:00"
    )
    assert json_renderer.when_to_str(date(2020, 2, 1), Precision.MONTH) == "2020-02"
    assert json_renderer.when_to_str(date(2020, 2, 1)) == "2020-02-01"


# --- the text: one line per event, the C encoder's ------------------------------------

ANY = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)


def _lines(events) -> list[str]:
    return json_renderer.render(events, samples.info()).decode("utf-8").split("\n")


def test_one_line_per_event():
    lines = _lines(samples.all_events())
    assert lines[:3] == ["{", '  "generated": "2019-07-15T10:00:00+02:00",', '  "events": [']
    assert lines[-3:] == ["  ]", "}", ""]
    records = lines[3:-3]
    assert len(records) == 10
    assert all(line.startswith("    {") for line in records)
    for line, event in zip(records, samples.all_events(), strict=True):
        assert json.loads(line.removesuffix(",")) == json_renderer.event_to_dict(event)


def test_empty_document():
    assert json_renderer.render([], samples.info()) == (
        b'{\n  "generated": "2019-07-15T10:00:00+02:00",\n  "events": []\n}\n'
    )


def test_each_line_is_what_json_dumps_writes_for_the_record():
    events = [*samples.all_events(), every_field(), every_field(id="ev-2", online=False)]
    for event in events:
        line = json.dumps(json_renderer.event_to_dict(event), ensure_ascii=False)
        assert json_renderer._record(event) == line.encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=ANY,
    venue=st.none() | ANY,
    city=st.none() | ANY,
    description=ANY,
    tags=st.lists(ANY, max_size=3),
    names=st.lists(ANY, max_size=2),
    online=st.booleans(),
    timed=st.booleans(),
)
def test_random_records_are_what_json_dumps_writes(
    title, venue, city, description, tags, names, online, timed
):
    start = datetime(2019, 11, 5, 9, 30, tzinfo=samples.PARIS) if timed else date(2019, 11, 5)
    event = every_field(
        title=title,
        venue=venue,
        city=city,
        description=description,
        description_html=description,
        tags=tuple(tags),
        sources=tuple(SourceRef(id=n, name=n, url=n) for n in names),
        online=online,
        start=start,
        end=None,
    )
    line = json.dumps(json_renderer.event_to_dict(event), ensure_ascii=False)
    assert json_renderer._record(event) == line.encode("utf-8")


def test_merge_reasons_are_written_as_json_dumps_writes_them():
    reason = Reason(events=("a", "b"), score=0.93, fields={"title": 1.0, "day": True})
    event = PublishedEvent(**vars(samples.summer()), merged_because=(reason,))
    line = json.dumps(json_renderer.event_to_dict(event), ensure_ascii=False)
    assert json_renderer._record(event) == line.encode("utf-8")
    assert json.loads(line)["merged_because"] == [reason.to_dict()]
