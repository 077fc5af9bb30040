"""The hand-written RFC 5545 writer (aggregator/render/_ical.py and the VEVENTs
of ics.py), checked against independent code: icalendar writes the same
VEVENTs byte for byte (it wrote them before), and icalendar, vobject and
ical.js read back every value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icsreaders
import pytest
import samples
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar import Event as VEvent

from aggregator.model import Event, Precision, SourceRef, Status
from aggregator.render import _ical, common, ics

PARIS = samples.PARIS
FEW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Clean text as renderers receive it: no control character but line feed and tab.
TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t\\,;^"),
    max_size=300,
)
# icalendar turned a backslash-N in text into a line break (see test_a_literal_backslash_n)
FIELD = TEXT.filter(lambda text: "\\N" not in text)


def every_field(**changes: object) -> Event:
    """An event with every field set, and text that needs escaping and folding."""
    values: dict[str, object] = {
        "id": "ev-every, field;1",
        "title": " ".join(["Rencontre « habitants », quartiers; emploi\\santé — édition 🎉"] * 2),
        "start": datetime(2019, 7, 4, 14, 0, tzinfo=PARIS),
        "end": datetime(2019, 7, 4, 17, 30, tzinfo=PARIS),
        "all_day": False,
        "precision": Precision.MINUTE,
        "status": Status.CANCELLED,
        "venue": "Salle « Léo Lagrange »; 1er étage",
        "address": "3, rue de l'Église",
        "city": "Saint-Étienne",
        "online": True,
        "url": "https://example.org/événement?a=1&b=2,3;4",
        "registration_url": "https://example.org/inscription?x=1&y=2",
        "description": "Première ligne, virgule; point-virgule \\ barre.\nDeuxième €𝄞\n\n"
        + "Paragraphe"
        + " long" * 20,
        "description_html": "<p>Texte <b>gras</b></p>",
        "tags": ("politique de la ville", "emploi, jeunesse", "santé;social"),
        "region": "Auvergne-Rhône-Alpes",
        "sources": (samples.IREV, samples.LABO),
        "first_seen": datetime(2019, 6, 20, 8, 15, 30, 123456, tzinfo=PARIS),
        "updated": datetime(2019, 7, 1, 18, 30, tzinfo=UTC),
        "sequence": 7,
    }
    values.update(changes)
    return Event(**values)  # type: ignore[arg-type]


def _unfold(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n ", "")


# --- escaping and folding ---------------------------------------------------------


def test_text_escapes_backslash_semicolon_comma_and_line_breaks():
    assert _ical.text("a,b;c\\d\ne\r\nf\rg") == r"a\,b\;c\\d\ne\nf\ng"
    assert _ical.texts(["a,b", "c;d"]) == r"a\,b,c\;d"


def test_a_literal_backslash_n_stays_text():
    """icalendar turned it into a line break; vobject reads it back as written."""
    data = _ical.content_line("DESCRIPTION", _ical.text(r"C:\Notes"))
    assert data == rb"DESCRIPTION:C:\\Notes"
    card = f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{data.decode()}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    assert vobject.readOne(card).vevent.description.value == r"C:\Notes"


def test_short_lines_are_left_alone():
    assert _ical.fold(b"SUMMARY:" + b"x" * 66) == b"SUMMARY:" + b"x" * 66
    assert _ical.component(["BEGIN:VEVENT", "UID:1", "END:VEVENT"]) == (
        b"BEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\n"
    )


@pytest.mark.parametrize("char", ["x", "é", "€", "𝄞"])  # 1, 2, 3 and 4 octets
@pytest.mark.parametrize("offset", range(4))
def test_folds_at_75_octets_between_characters(char, offset):
    value = "a" * offset + char * 200
    data = _ical.content_line("DESCRIPTION", value)
    lines = data.split(b"\r\n")
    assert len(lines) > 2
    assert all(len(line) <= 75 for line in lines)
    assert all(line.startswith(b" ") for line in lines[1:])
    for line in lines:
        line.decode("utf-8")  # a character split across two lines would not decode
    assert _unfold(data) == "DESCRIPTION:" + value


def test_a_fold_does_not_end_on_a_backslash():
    """Readers that unescape before unfolding would see a lone backslash."""
    value = _ical.text("x" * 61 + ",,,," + ", y" * 40)
    lines = _ical.content_line("DESCRIPTION", value).split(b"\r\n")
    assert all(not line.endswith(b"\\") for line in lines[:-1])
    assert _unfold(b"\r\n".join(lines)) == "DESCRIPTION:" + value


@FEW
@given(TEXT)
def test_folding_and_escaping_read_back_by_vobject(value):
    data = _ical.content_line("DESCRIPTION", _ical.text(value))
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    card = f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{data.decode()}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    assert vobject.readOne(card).vevent.description.value == value


# --- VEVENTs: the bytes icalendar wrote, and what readers get back -----------------


def icalendar_vevent(event: Event, mode: str, stamp: datetime) -> bytes:
    """The VEVENT as the renderer built it with icalendar before (the reference)."""
    vevent = VEvent()
    vevent.add("uid", ics.event_uid(event))
    moment = event.updated or event.first_seen or stamp
    vevent.add("dtstamp", moment.astimezone(UTC).replace(microsecond=0))
    for name in ("first_seen", "updated"):
        if getattr(event, name):
            key = "created" if name == "first_seen" else "last-modified"
            vevent.add(key, getattr(event, name).astimezone(UTC).replace(microsecond=0))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", ics._summary(event, mode))
    for name, value in ics._times(event).items():
        vevent.add(name, value)
    location = common.location_text(event) or ("En ligne" if event.online else "")
    if location:
        vevent.add("location", location)
    link = common.event_link(event)
    link = common.clean_line(link) if link else ""
    if link:
        vevent.add("url", link)
    vevent.add("description", ics._description(event, link))
    vevent.add("status", ics._status(event, mode))
    tags = [common.clean_line(tag) for tag in event.tags if common.clean_line(tag)]
    if tags:
        vevent.add("categories", tags)
    return vevent.to_ical()


def _calendar_events() -> list[Event]:
    return [e for e in samples.all_events() if ics.in_calendar(e)] + [
        every_field(),
        every_field(id="ev-date", start=date(2020, 2, 29), end=date(2020, 3, 2), all_day=True),
        every_field(id="ev-plain", status=Status.SCHEDULED, tags=(), sources=(), url=None),
    ]


@pytest.mark.parametrize("mode", ics.CANCELLED_MODES)
def test_vevents_are_the_bytes_icalendar_wrote(mode):
    for event in _calendar_events():
        assert ics._vevent(event, mode, samples.GENERATED) == icalendar_vevent(
            event, mode, samples.GENERATED
        ), event.id


SOURCES = st.builds(SourceRef, id=st.just("s"), name=FIELD, url=FIELD)


@st.composite
def random_events(draw: st.DrawFn) -> Event:
    timed = draw(st.booleans())
    day = draw(st.dates(date(2000, 1, 1), date(2035, 12, 31)))
    start = datetime(day.year, day.month, day.day, draw(st.integers(0, 23)), tzinfo=PARIS)
    return every_field(
        id=draw(FIELD.filter(bool)),
        title=draw(FIELD),
        start=start if timed else day,
        end=start + timedelta(minutes=draw(st.integers(0, 3000))) if timed else None,
        status=draw(st.sampled_from(list(Status))),
        venue=draw(FIELD),
        address=draw(st.none() | FIELD),
        city=draw(FIELD),
        url=draw(st.none() | FIELD),
        registration_url=draw(st.none() | FIELD),
        description=draw(FIELD),
        tags=tuple(draw(st.lists(FIELD, max_size=3))),
        sources=tuple(draw(st.lists(SOURCES, max_size=2))),
    )


@FEW
@given(random_events(), st.sampled_from(ics.CANCELLED_MODES))
def test_random_vevents_are_the_bytes_icalendar_writes(event, mode):
    assert ics._vevent(event, mode, samples.GENERATED) == icalendar_vevent(
        event, mode, samples.GENERATED
    )


def _expected(event: Event) -> dict[str, object]:
    return {
        "summary": "ANNULÉ – " + event.title,
        "description": "Événement annulé.\n\n"
        + event.description
        + "\n\nInscription : https://example.org/inscription?x=1&y=2"
        + "\n\nPlus d'informations : https://example.org/événement?a=1&b=2,3;4"
        + "\n\nAnnoncé par : IREV, Labo Cités",
        "location": "Salle « Léo Lagrange »; 1er étage, 3, rue de l'Église, Saint-Étienne",
        "url": "https://example.org/événement?a=1&b=2,3;4",
        "status": "CANCELLED",
        "sequence": 7,
        "categories": ["politique de la ville", "emploi, jeunesse", "santé;social"],
    }


def _feed() -> bytes:
    return ics.render([every_field()], samples.info())


def test_every_field_read_by_icalendar():
    (vevent,) = Calendar.from_ical(_feed()).walk("VEVENT")
    read = {
        "summary": str(vevent["SUMMARY"]),
        "description": str(vevent["DESCRIPTION"]),
        "location": str(vevent["LOCATION"]),
        "url": str(vevent["URL"]),
        "status": str(vevent["STATUS"]),
        "sequence": int(vevent["SEQUENCE"]),
        "categories": [str(c) for c in vevent["CATEGORIES"].cats],
    }
    assert read == _expected(every_field())
    assert str(vevent["UID"]) == "ev-every, field;1@aggregator"
    assert vevent["DTSTAMP"].dt == datetime(2019, 7, 1, 18, 30, tzinfo=UTC)
    assert vevent["CREATED"].dt == datetime(2019, 6, 20, 6, 15, 30, tzinfo=UTC)
    assert vevent["DTEND"].dt == datetime(2019, 7, 4, 17, 30, tzinfo=PARIS)


def test_every_field_read_by_vobject():
    vevent = vobject.readOne(_feed().decode()).vevent
    read = {
        "summary": vevent.summary.value,
        "description": vevent.description.value,
        "location": vevent.location.value,
        "url": vevent.url.value,
        "status": vevent.status.value,
        "sequence": int(vevent.sequence.value),
        "categories": vevent.categories.value,
    }
    assert read == _expected(every_field())
    assert vevent.uid.value == "ev-every, field;1@aggregator"
    assert icsreaders.times_by_vobject(_feed()) == {
        "ev-every, field;1@aggregator": ("2019-07-04T14:00", "2019-07-04T17:30")
    }


def test_every_field_read_by_icaljs(tmp_path):
    output = icsreaders.icaljs_output(_feed(), tmp_path, script="ics_props.mjs")
    assert output == {"ev-every, field;1@aggregator": _expected(every_field())}
    assert icsreaders.times_by_icaljs(_feed(), tmp_path) == {
        "ev-every, field;1@aggregator": ("2019-07-04T14:00", "2019-07-04T17:30")
    }


def test_the_same_event_object_in_each_cancellation_mode():
    """VEVENTs are kept per event object: a setting change must not reuse them."""
    event = samples.cancelled()
    statuses = [
        _unfold(ics.render([event], samples.info(extra={"ics_cancelled": mode})))
        for mode in ("status", "prefix", "status")
    ]
    assert ["STATUS:CANCELLED" in s for s in statuses] == [True, False, True]
    assert ["SUMMARY:ANNULÉ" in s for s in statuses] == [False, True, False]


def test_generation_time_stamps_only_events_without_dates():
    event = samples.event(first_seen=None)
    for hour in (10, 11):
        info = samples.info(generated=datetime(2019, 7, 15, hour, 0, tzinfo=PARIS))
        assert f"DTSTAMP:20190715T0{hour - 2}0000Z" in _unfold(ics.render([event], info))
