"""iCalendar feed extraction (aggregator.extract.ics)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aggregator.errors import ExtractError
from aggregator.extract import ics
from aggregator.model import Precision, Status

FIXTURES = Path(__file__).parent / "fixtures"
PARIS = ZoneInfo("Europe/Paris")
FEED_URL = "https://crpv.example.org/agenda.ics"


def fixture(name: str) -> str:
    # newline="": the file's CRLF line ends reach the parser as served.
    with open(FIXTURES / name, encoding="utf-8", newline="") as file:
        return file.read()


def calendar(*lines: str) -> str:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//FR", *lines, "END:VCALENDAR"]
    return "\r\n".join(body) + "\r\n"


def agenda() -> list:
    return ics.extract(fixture("agenda-feed.ics"), FEED_URL)


def test_every_vevent_is_read_in_order() -> None:
    assert [event.uid for event in agenda()] == [
        "evenement-2019-0704@crpv.example.org",
        "evenement-2019-1105@crpv.example.org",
        "evenement-2019-1121@crpv.example.org",
        "evenement-2019-1210@crpv.example.org",
        "evenement-2019-1203@crpv.example.org",
        "evenement-2020-0116@crpv.example.org",
        "evenement-2020-0109@crpv.example.org",
        "evenement-2020-0128@crpv.example.org",
    ]
    assert {event.strategy for event in agenda()} == {"ics"}


def test_summer_and_winter_times_with_the_paris_vtimezone() -> None:
    summer, winter = agenda()[:2]
    assert summer.start == datetime(2019, 7, 4, 9, 30, tzinfo=PARIS)
    assert summer.start.utcoffset() == timedelta(hours=2)
    assert summer.end == datetime(2019, 7, 4, 16, 30, tzinfo=PARIS)
    assert winter.start == datetime(2019, 11, 5, 9, 30, tzinfo=PARIS)
    assert winter.start.utcoffset() == timedelta(hours=1)
    assert winter.end.utcoffset() == timedelta(hours=1)
    assert summer.precision is Precision.MINUTE


def test_fields_of_a_timed_event() -> None:
    summer, winter = agenda()[:2]
    assert summer.title == "Journée régionale : jeunesse et quartiers prioritaires"
    assert summer.url == "https://crpv.example.org/agenda/journee-regionale-jeunesse"
    assert summer.venue == "Hôtel de Région, 1 esplanade François Mitterrand, 69002 Lyon"
    assert summer.city == "Lyon"
    assert summer.tags == ("Jeunesse", "Politique de la ville")
    assert summer.description == (
        "Une journée pour partager les expériences des équipes projet.\n"
        "Programme et inscription sur notre site."
    )
    assert summer.description_html is None
    # A relative URL, repeated CATEGORIES, escaped commas, STATUS:CONFIRMED.
    assert winter.url == "https://crpv.example.org/agenda/rencontre-nationale-dsu"
    assert winter.tags == ("Développement social urbain", "Réseau")
    assert winter.description == "Matinée en plénière, après-midi en ateliers."
    assert winter.status is Status.SCHEDULED


def test_all_day_events_get_an_inclusive_end() -> None:
    two_days, one_day = agenda()[2:4]
    assert (two_days.start, two_days.end) == (date(2019, 11, 21), date(2019, 11, 22))
    assert two_days.precision is Precision.DAY
    assert (one_day.start, one_day.end) == (date(2019, 12, 10), None)
    assert one_day.venue == "Mairie de Vaulx-en-Velin"
    assert one_day.city is None  # no postcode, no guess


def test_cancelled_event_in_utc() -> None:
    event = agenda()[4]
    assert event.status is Status.CANCELLED
    assert event.start == datetime(2019, 12, 3, 8, 0, tzinfo=UTC)
    assert event.start.utcoffset() == timedelta(0)
    assert event.end == datetime(2019, 12, 3, 16, 0, tzinfo=UTC)
    assert event.city == "Villeurbanne"


def test_tentative_floating_event_with_duration() -> None:
    event = agenda()[5]
    assert event.status is Status.SCHEDULED
    assert event.start == datetime(2020, 1, 16, 14, 0)
    assert event.start.tzinfo is None
    assert event.end == datetime(2020, 1, 16, 16, 0)


def test_repeating_event_gives_its_first_occurrence(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="aggregator.extract.ics"):
        event = agenda()[6]
    assert event.title == "Déjeuner-débat mensuel du réseau"
    assert event.start == datetime(2020, 1, 9, 12, 0, tzinfo=PARIS)
    assert event.end == datetime(2020, 1, 9, 13, 30, tzinfo=PARIS)
    assert "'Déjeuner-débat mensuel du réseau' repeats (RRULE)" in caplog.text


def test_location_that_is_a_link_means_online() -> None:
    event = agenda()[7]
    assert event.online is True
    assert event.venue is None
    assert event.registration_url == "https://visio.crpv.example.org/webinaire-donnees"


# --- broken files ----------------------------------------------------------------


def test_broken_folding_unknown_tzid_and_missing_end_are_repaired(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="aggregator.extract.ics"):
        events = ics.extract(fixture("broken-folding-unknown-tzid.ics"), FEED_URL)
    assert [event.uid for event in events] == [
        "agenda-87@quartiers.example.org",
        "agenda-88@quartiers.example.org",
    ]
    first, second = events
    # Folded at 75 octets without the leading space: joined back as is.
    assert first.title == (
        "Atelier participation citoyenne et conseils citoyens dans le quartier du Mas du Taureau"
    )
    # A raw line break inside the description: kept as a line break.
    assert first.description == (
        "Atelier ouvert aux membres des conseils citoyens\nInscription auprès du centre social"
    )
    assert (first.venue, first.city) == (
        "Centre social Georges Lévy, 69120 Vaulx-en-Velin",
        "Vaulx-en-Velin",
    )
    # TZID "Heure de Paris" is defined nowhere: read as Europe/Paris.
    assert first.start == datetime(2019, 10, 17, 14, 0, tzinfo=PARIS)
    assert first.start.utcoffset() == timedelta(hours=2)
    assert first.end == datetime(2019, 10, 17, 17, 0, tzinfo=PARIS)
    assert second.start == datetime(2019, 6, 20, 9, 30, tzinfo=PARIS)
    assert second.city == "Grenoble"
    warnings = [record.getMessage() for record in caplog.records]
    assert warnings == [
        f"{FEED_URL}: the iCalendar file is malformed; read after repairing its lines",
        f"{FEED_URL}: unknown time zone 'Heure de Paris', its times are read as Europe/Paris",
    ]


def test_events_lost_to_a_missing_end_are_recovered() -> None:
    text = calendar(
        "BEGIN:VEVENT",
        "UID:a",
        "SUMMARY:Premier",
        "DTSTART;VALUE=DATE:20191001",
        "BEGIN:VEVENT",
        "UID:b",
        "SUMMARY:Second",
        "DTSTART;VALUE=DATE:20191002",
        "END:VEVENT",
    )
    assert [event.title for event in ics.extract(text, FEED_URL)] == ["Premier", "Second"]


def test_not_an_icalendar_file_is_an_extract_error() -> None:
    with pytest.raises(ExtractError, match="this is not an iCalendar file"):
        ics.extract("<html><body>Agenda</body></html>", FEED_URL)


@pytest.mark.filterwarnings("ignore:Timezone .* is a globally unique TZID")
def test_path_prefixed_tzid_and_calendar_zone_for_floating_times() -> None:
    text = calendar(
        "X-WR-TIMEZONE:Europe/Paris",
        "BEGIN:VEVENT",
        "UID:a",
        "SUMMARY:Préfixe",
        "DTSTART;TZID=/freeassociation.sourceforge.net/Tzfile/Europe/Paris:20190701T100000",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:b",
        "SUMMARY:Flottant",
        "DTSTART:20190702T100000",
        "END:VEVENT",
    )
    prefixed, floating = ics.extract(text, FEED_URL)
    assert prefixed.start == datetime(2019, 7, 1, 10, 0, tzinfo=PARIS)
    assert floating.start == datetime(2019, 7, 2, 10, 0, tzinfo=PARIS)
    assert floating.start.utcoffset() == timedelta(hours=2)


def test_all_day_duration_and_modified_occurrence_uid() -> None:
    text = calendar(
        "BEGIN:VEVENT",
        "UID:serie",
        "SUMMARY:Séance modifiée",
        "RECURRENCE-ID;VALUE=DATE:20191008",
        "DTSTART;VALUE=DATE:20191009",
        "DURATION:P2D",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:sans-titre",
        "DTSTART;VALUE=DATE:20191010",
        "END:VEVENT",
    )
    (event,) = ics.extract(text, FEED_URL)
    assert event.uid == "serie/2019-10-08"
    assert (event.start, event.end) == (date(2019, 10, 9), date(2019, 10, 10))


def test_html_description_gives_plain_text_and_html() -> None:
    text = calendar(
        "BEGIN:VEVENT",
        "UID:g",
        "SUMMARY:Atelier",
        "DTSTART:20191001T080000Z",
        "DESCRIPTION:<p>Inscription <b>obligatoire</b></p><p>Salle 2</p>",
        "END:VEVENT",
    )
    (event,) = ics.extract(text, FEED_URL)
    assert event.description == "Inscription obligatoire\nSalle 2"
    assert event.description_html == "<p>Inscription <b>obligatoire</b></p><p>Salle 2</p>"
