import re
from datetime import date, datetime, timedelta
from pathlib import Path

import icsreaders
import samples
from icalendar import Calendar

from aggregator.render import ics

JS_DIR = Path(__file__).parent / "js"
PARIS = samples.PARIS
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The wall-clock times a subscriber in Paris must see (DTEND absent: zero length).
EXPECTED_TIMES = {
    "ev-summer@aggregator": ("2019-07-04T14:00", "2019-07-04T17:00"),
    "ev-winter@aggregator": ("2019-12-10T09:30", "2019-12-10T16:30"),
    "ev-noend@aggregator": ("2020-03-29T10:00", "2020-03-29T10:00"),  # day clocks go forward
}
EXPECTED_UIDS = [
    "ev-summer@aggregator",
    "ev-winter@aggregator",
    "ev-noend@aggregator",
    "ev-allday@aggregator",
    "ev-span@aggregator",
    "ev-alt@aggregator",
    "ev-cancelled@aggregator",
    "ev-postponed@aggregator",
    "ev-hostile@aggregator",
]


def _render() -> bytes:
    return ics.render(samples.all_events(), samples.info())


def _unfolded_lines(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def _vevents(data: bytes) -> dict[str, list[str]]:
    """Unfolded property lines of each VEVENT, by UID."""
    events, current = {}, None
    for line in _unfolded_lines(data):
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT":
            uid = next(item[4:] for item in current if item.startswith("UID:"))
            events[uid] = current
            current = None
        elif current is not None:
            current.append(line)
    return events


def _prop(lines: list[str], name: str) -> list[str]:
    return [line for line in lines if re.match(rf"{name}[;:]", line)]


# --- shape of the file ---------------------------------------------------------


def test_crlf_line_endings_and_75_octet_lines():
    data = _render()
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # folding did happen


def test_calendar_properties():
    lines = _unfolded_lines(_render())
    for expected in [
        "BEGIN:VCALENDAR",
        "PRODID:-//aggregator//Agenda politique de la ville//FR",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Agenda politique de la ville",
        "X-WR-TIMEZONE:Europe/Paris",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ]:
        assert expected in lines


def test_vtimezone_is_the_classic_rrule_definition():
    lines = _unfolded_lines(_render())
    block = lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]
    assert block == [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Paris",
        "X-LIC-LOCATION:Europe/Paris",
        "BEGIN:STANDARD",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "TZNAME:CET",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "TZNAME:CEST",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
    ]
    assert lines.count("BEGIN:VTIMEZONE") == 1


def test_every_vevent_has_uid_and_dtstamp_and_month_precision_is_left_out():
    events = _vevents(_render())
    assert list(events) == EXPECTED_UIDS
    for lines in events.values():
        assert len(_prop(lines, "DTSTAMP")) == 1
        assert _prop(lines, "DTSTAMP")[0].endswith("Z")


def test_timed_events_use_tzid_and_no_invented_end():
    events = _vevents(_render())
    summer = events["ev-summer@aggregator"]
    assert _prop(summer, "DTSTART") == ["DTSTART;TZID=Europe/Paris:20190704T140000"]
    assert _prop(summer, "DTEND") == ["DTEND;TZID=Europe/Paris:20190704T170000"]
    no_end = events["ev-noend@aggregator"]
    assert _prop(no_end, "DTSTART") == ["DTSTART;TZID=Europe/Paris:20200329T100000"]
    assert _prop(no_end, "DTEND") == [] and _prop(no_end, "DURATION") == []


def test_all_day_events_have_exclusive_end():
    events = _vevents(_render())
    assert _prop(events["ev-allday@aggregator"], "DTSTART") == ["DTSTART;VALUE=DATE:20191105"]
    assert _prop(events["ev-allday@aggregator"], "DTEND") == ["DTEND;VALUE=DATE:20191106"]
    assert _prop(events["ev-span@aggregator"], "DTSTART") == ["DTSTART;VALUE=DATE:20190827"]
    assert _prop(events["ev-span@aggregator"], "DTEND") == ["DTEND;VALUE=DATE:20190830"]


def test_event_properties():
    summer = _vevents(_render())["ev-summer@aggregator"]
    for expected in [
        "SUMMARY:Atelier emploi des jeunes",
        "LOCATION:Maison des projets\\, 3 rue de la Paix\\, Lille",
        "URL:https://www.irev.fr/node/1",
        "STATUS:CONFIRMED",
        "SEQUENCE:2",
        "CATEGORIES:emploi,jeunesse",
        "DTSTAMP:20190701T163000Z",
        "LAST-MODIFIED:20190701T163000Z",
        "CREATED:20190620T061500Z",
        "DESCRIPTION:Un atelier.\\nDeuxième ligne.\\n\\n"
        "Inscription : https://www.irev.fr/inscription?id=1&x=2\\n\\n"
        "Plus d'informations : https://www.irev.fr/node/1\\n\\nAnnoncé par : IREV",
    ]:
        assert expected in summer


def test_status_for_cancelled_postponed_and_alternatives():
    events = _vevents(_render())
    cancelled = events["ev-cancelled@aggregator"]
    assert "STATUS:CANCELLED" in cancelled
    assert "SUMMARY:ANNULÉ – Café citoyen" in cancelled
    assert "STATUS:TENTATIVE" in events["ev-postponed@aggregator"]
    alternatives = events["ev-alt@aggregator"]
    assert "STATUS:TENTATIVE" in alternatives
    assert _prop(alternatives, "DTEND") == ["DTEND;VALUE=DATE:20191211"]
    assert _prop(alternatives, "DESCRIPTION")[0].startswith(
        "DESCRIPTION:Date à confirmer : mardi 10 ou jeudi 12 décembre 2019."
    )


def test_dtstamp_falls_back_to_first_seen_then_generation_time():
    events = _vevents(_render())
    assert "DTSTAMP:20190620T061500Z" in events["ev-winter@aggregator"]
    bare = ics.render([samples.event(first_seen=None)], samples.info())
    assert "DTSTAMP:20190715T080000Z" in _vevents(bare)["ev-allday@aggregator"]


def test_bytes_do_not_depend_on_generation_time():
    later = samples.info(generated=datetime(2019, 8, 1, 12, 0, tzinfo=PARIS))
    assert ics.render(samples.all_events(), later) == _render()


def test_control_characters_never_reach_the_file():
    data = ics.render([samples.hostile()], samples.info())
    assert not CONTROL.search(data.replace(b"\r\n", b""))
    lines = _vevents(data)["ev-hostile@aggregator"]
    assert "SUMMARY:Santé & emploi <b>2019</b>" in lines
    assert "LOCATION:Salle <Foo>\\, Lyon" in lines


def test_render_event_is_one_event_calendar():
    data = ics.render_event(samples.winter(), samples.info())
    assert list(_vevents(data)) == ["ev-winter@aggregator"]
    assert "BEGIN:VTIMEZONE" in _unfolded_lines(data)
    assert _vevents(ics.render_event(samples.month(), samples.info())) == {}


# --- three clients read the same local times -------------------------------------


def test_icalendar_reads_the_expected_local_times():
    assert icsreaders.times_by_icalendar(_render()) == EXPECTED_TIMES


def test_icalendar_reads_dates_and_zones():
    calendar = Calendar.from_ical(_render())
    by_uid = {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}
    assert by_uid["ev-span@aggregator"]["DTSTART"].dt == date(2019, 8, 27)
    assert by_uid["ev-span@aggregator"]["DTEND"].dt == date(2019, 8, 30)
    summer = by_uid["ev-summer@aggregator"]["DTSTART"].dt
    assert summer.utcoffset() == timedelta(hours=2)


def test_vobject_reads_the_expected_local_times():
    assert icsreaders.times_by_vobject(_render()) == EXPECTED_TIMES


def test_icaljs_reads_the_expected_local_times(tmp_path):
    assert icsreaders.times_by_icaljs(_render(), tmp_path) == EXPECTED_TIMES


def test_icaljs_reads_all_day_events_as_dates(tmp_path):
    output = icsreaders.icaljs_output(_render(), tmp_path)
    assert output["ev-span@aggregator"] == {"start": "2019-08-27", "end": "2019-08-30"}


def _with_wrong_summer_offset(data: bytes) -> bytes:
    broken = data.replace(
        b"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200", b"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100"
    )
    assert broken != data
    return broken


LATE_SUMMER = ("2019-07-04T15:00", "2019-07-04T18:00")


def test_the_python_comparisons_catch_a_wrong_vtimezone():
    """Guard for the checks above: with summer time written as +0100, a client
    that follows the VTIMEZONE shows the summer event an hour late."""
    broken = _with_wrong_summer_offset(_render())
    assert icsreaders.times_by_vobject(broken)["ev-summer@aggregator"] == LATE_SUMMER
    assert icsreaders.times_by_icalendar(broken)["ev-summer@aggregator"] == LATE_SUMMER


def test_the_icaljs_comparison_catches_a_wrong_vtimezone(tmp_path):
    broken = _with_wrong_summer_offset(_render())
    assert icsreaders.times_by_icaljs(broken, tmp_path)["ev-summer@aggregator"] == LATE_SUMMER


def test_settings_choose_how_a_cancellation_shows():
    """settings.ics_cancelled: `status` (Google then hides the event), `prefix`, or `both`."""
    shown = {}
    for mode in ("status", "prefix", "both", None):
        extra = {"ics_cancelled": mode} if mode else {}
        data = ics.render([samples.cancelled()], samples.info(extra=extra))
        (lines,) = _vevents(data).values()
        shown[mode] = (_prop(lines, "STATUS")[0], _prop(lines, "SUMMARY")[0])
    assert shown["status"] == ("STATUS:CANCELLED", "SUMMARY:Café citoyen")
    assert shown["prefix"] == ("STATUS:CONFIRMED", "SUMMARY:ANNULÉ – Café citoyen")
    assert shown["both"] == ("STATUS:CANCELLED", "SUMMARY:ANNULÉ – Café citoyen")
    assert shown[None] == shown["both"]  # the default
