"""schema.org Event JSON-LD extraction (aggregator.extract.jsonld)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from aggregator.extract import jsonld
from aggregator.model import Precision, Status

FIXTURES = Path(__file__).parent / "fixtures"
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def page(*blocks: str) -> str:
    scripts = "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)
    return f"<html><head>{scripts}</head><body><h1>Agenda</h1></body></html>"


# --- WordPress + The Events Calendar ------------------------------------------

TEC_URL = "https://www.irdsu.net/evenements/"


def tec_events() -> list:
    return jsonld.extract(fixture("wordpress-tribe-events-jsonld.html"), TEC_URL)


def test_tribe_events_list_page_yields_every_event_of_its_array() -> None:
    # The Yoast @graph and TEC's application/json view data carry no event.
    assert [event.title for event in tec_events()] == [
        "Rencontre nationale des professionnels du DSU – Lyon",
        "Webinaire : la participation des habitants dans les contrats de ville",
        "Journées d’automne de l’IRDSU",
        "Formation : conduire un diagnostic de territoire",
    ]
    assert {event.strategy for event in tec_events()} == {"jsonld"}


def test_tribe_timed_event_keeps_its_offset_and_place() -> None:
    event = tec_events()[0]
    assert event.start == datetime(2019, 11, 5, 9, 30, tzinfo=CET)
    assert event.start.utcoffset() == timedelta(hours=1)
    assert event.end == datetime(2019, 11, 5, 16, 30, tzinfo=CET)
    assert event.precision is Precision.MINUTE
    assert event.url == (
        "https://www.irdsu.net/evenement/rencontre-nationale-des-professionnels-du-dsu/"
    )
    assert event.venue == "Hôtel de la Métropole"
    assert event.address == "20 rue du Lac, 69003 Lyon"
    assert event.city == "Lyon"
    assert event.online is False
    assert event.status is Status.SCHEDULED
    assert event.registration_url == (
        "https://www.irdsu.net/evenement/rencontre-nationale-des-professionnels-du-dsu/#inscription"
    )


def test_tribe_description_is_unescaped_html() -> None:
    assert tec_events()[0].description_html == (
        "<p>Deux temps d’échanges entre chefs de projet politique de la ville, "
        "délégués du préfet et centres de ressources.</p>"
    )
    assert tec_events()[0].date_text is None


def test_tribe_online_event_has_a_virtual_location() -> None:
    event = tec_events()[1]
    assert event.online is True
    assert event.venue is None and event.city is None
    assert event.start == datetime(2019, 11, 14, 14, 0, tzinfo=CET)
    assert event.end == datetime(2019, 11, 14, 15, 30, tzinfo=CET)
    assert event.registration_url == (
        "https://www.irdsu.net/evenement/webinaire-participation-des-habitants/"
    )


def test_tribe_all_day_event_becomes_dates_with_inclusive_end() -> None:
    # TEC writes all-day events as 00:00:00 – 23:59:59.
    event = tec_events()[2]
    assert event.start == date(2019, 11, 21)
    assert event.end == date(2019, 11, 22)
    assert event.precision is Precision.DAY
    assert (event.venue, event.city) == ("Maison de la Créativité", "Grenoble")


def test_tribe_cancelled_event() -> None:
    event = tec_events()[3]
    assert event.status is Status.CANCELLED
    assert event.start == datetime(2019, 12, 3, 9, 0, tzinfo=CET)
    assert event.city == "Villeurbanne"


def test_has_events() -> None:
    assert jsonld.has_events(fixture("wordpress-tribe-events-jsonld.html"))
    assert jsonld.has_events(fixture("jsonld-malformed-blocks.html"))
    assert not jsonld.has_events("<html><body><p>Le 5 novembre à Lyon</p></body></html>")
    website_only = page('{"@context": "https://schema.org", "@type": "WebSite", "name": "IREV"}')
    assert not jsonld.has_events(website_only)


# --- @graph, @id references, relative URLs ------------------------------------


def test_graph_event_with_place_reference() -> None:
    events = jsonld.extract(
        fixture("drupal-event-jsonld-graph.html"), "https://www.irev.fr/node/1234"
    )
    assert len(events) == 1
    event = events[0]
    assert event.title == "Cycle de qualification : l'évaluation des contrats de ville"
    assert event.uid == "https://www.irev.fr/node/1234#event"
    assert (
        event.url == "https://www.irev.fr/agenda/cycle-qualification-evaluation-contrats-de-ville"
    )
    # No offset in the page: naive local time, normalise reads it in Europe/Paris.
    assert event.start == datetime(2020, 2, 13, 9, 30)
    assert event.start.tzinfo is None
    assert event.end == datetime(2020, 2, 13, 12, 30)
    assert event.status is Status.POSTPONED
    assert event.venue == "IREV – centre de ressources"
    assert event.address == "2 rue de la Sorbonne, 59000 Lille"
    assert event.city == "Lille"
    assert event.registration_url == "https://www.irev.fr/inscription?evenement=1234"
    assert event.tags == ("évaluation", "contrat de ville", "Politique de la ville", "Évaluation")
    assert event.description_html == (
        "Séance de travail &amp; d’échanges pour les équipes projet des contrats de ville."
    )


# --- EventSeries, subEvent, Place + VirtualLocation, subtypes -----------------


def series_events() -> list:
    return jsonld.extract(
        fixture("jsonld-event-series-hybrid.html"),
        "https://www.labo-cites.org/rencontre/cycle-2020",
    )


def test_event_series_stands_for_its_sub_events() -> None:
    assert [event.title for event in series_events()] == [
        "Rencontre 1 : l'emploi des jeunes dans les quartiers",
        "Rencontre 2 : habitat et renouvellement urbain",
        "Rencontre 3 : santé et quartiers prioritaires",
        "Festival des quartiers",
        "Exposition « Nos quartiers ont du talent »",
    ]


def test_sub_event_without_location_is_at_the_series_place() -> None:
    event = series_events()[0]
    assert event.url == "https://www.labo-cites.org/rencontre/emploi-des-jeunes"
    assert event.start == datetime(2020, 1, 23, 9, 0, tzinfo=CET)
    assert event.end == datetime(2020, 1, 23, 12, 30, tzinfo=CET)
    assert (event.venue, event.address, event.city) == (
        "Labo Cités",
        "4 rue de Narvik, 69008 Lyon",
        "Lyon",
    )
    assert event.online is False


def test_place_and_virtual_location_make_a_hybrid_event() -> None:
    event = series_events()[1]
    assert event.start == date(2020, 3, 12)
    assert event.end == date(2020, 3, 13)
    assert event.precision is Precision.DAY
    assert (event.venue, event.city) == ("Salle des fêtes", "Vaulx-en-Velin")
    assert event.online is True
    assert event.registration_url == "https://visio.labo-cites.org/rencontre-2"


def test_event_moved_online() -> None:
    event = series_events()[2]
    assert event.online is True
    assert event.status is Status.SCHEDULED
    assert event.venue is None
    assert event.start == datetime(2020, 4, 2, 14, 0, tzinfo=CEST)


def test_festival_with_type_list_and_month_date_and_its_sub_event() -> None:
    festival, exhibition = series_events()[3:]
    assert festival.start == date(2020, 6, 1)
    assert festival.end is None
    assert festival.precision is Precision.MONTH
    assert festival.venue == "Parc de la Feyssine, 69100 Villeurbanne"
    assert festival.city == "Villeurbanne"
    # The exhibition has no page or place of its own: the festival's.
    assert exhibition.url == "https://www.labo-cites.org/rencontre/festival-des-quartiers"
    assert exhibition.city == "Villeurbanne"
    assert exhibition.start == datetime(2020, 6, 6, 10, 0, tzinfo=CEST)
    assert exhibition.end == datetime(2020, 6, 7, 18, 0, tzinfo=CEST)


# --- malformed blocks ----------------------------------------------------------


def test_malformed_block_is_skipped_and_sloppy_ones_repaired(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="aggregator.extract"):
        events = jsonld.extract(
            fixture("jsonld-malformed-blocks.html"), "https://crpv.example.org/agenda"
        )
    assert [event.title for event in events] == [
        "Atelier « Gestion urbaine de proximité »",
        "Comité de pilotage du contrat de ville",
        "Séminaire régional des délégués du préfet",
    ]
    assert [
        record.getMessage() for record in caplog.records if record.levelno == logging.WARNING
    ] == [
        "https://crpv.example.org/agenda: JSON-LD script 1 is not valid JSON, skipped "
        "(Expecting ',' delimiter: line 1 column 102 (char 101))"
    ]
    trailing_commas, escaped, valid = events
    assert trailing_commas.start == datetime(2019, 10, 8, 14, 0, tzinfo=CEST)
    assert trailing_commas.description_html == "Première ligne\nseconde ligne"
    assert trailing_commas.city == "Lyon"
    assert escaped.start == date(2019, 10, 15)
    assert escaped.url == "https://crpv.example.org/agenda/comite-de-pilotage"
    assert valid.address == "106 rue Pierre Corneille, 69003 Lyon"


def test_glued_objects_in_one_block_are_all_read() -> None:
    html = page(
        '{"@type": "Event", "name": "A", "startDate": "2019-10-01"}\n'
        '{"@type": "Event", "name": "B", "startDate": "2019-10-02"}'
    )
    assert [event.title for event in jsonld.extract(html, "https://x.example/")] == ["A", "B"]


# --- small cases ---------------------------------------------------------------


def test_top_level_array_prefixed_types_and_statuses() -> None:
    html = page(
        """[
        {"@type": "schema:SocialEvent", "name": "Apéro du réseau",
         "startDate": "2019-10-03T18:30:00Z", "eventStatus": "EventRescheduled"},
        {"@type": "http://schema.org/Event", "name": "Permanence",
         "startDate": "2019-10-04T09:00:00+0200", "endDate": "2019-10-04T09:00:00+02:00",
         "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
         "keywords": ["emploi", "insertion"]},
        {"@type": "DeliveryEvent", "name": "Livraison", "startDate": "2019-10-05"},
        {"@type": "Person", "name": "Marie Curie"}
        ]"""
    )
    apero, permanence = jsonld.extract(html, "https://x.example/agenda")
    assert apero.status is Status.POSTPONED
    assert apero.start == datetime(2019, 10, 3, 18, 30, tzinfo=UTC)
    assert permanence.start == datetime(2019, 10, 4, 9, 0, tzinfo=CEST)
    assert permanence.end is None  # an end equal to the start says nothing
    assert permanence.online is True
    assert permanence.tags == ("emploi", "insertion")


def test_event_without_start_date_gives_text_for_the_date_parser() -> None:
    html = page(
        '{"@type": "EducationEvent", "name": "Formation des délégués", '
        '"startDate": "5 novembre 2019", "description": "<p>De 9h30 à 12h à Lille.</p>"}'
    )
    (event,) = jsonld.extract(html, "https://x.example/")
    assert event.start is None and event.precision is None
    assert event.date_text == "Formation des délégués\n5 novembre 2019\nDe 9h30 à 12h à Lille."


def test_event_without_name_is_skipped() -> None:
    html = page('{"@type": "Event", "startDate": "2019-10-01"}')
    assert jsonld.extract(html, "https://x.example/") == []


def test_nested_main_entity_and_duplicates() -> None:
    event = '{"@type": "Event", "name": "Forum", "url": "/forum", "startDate": "2019-10-10"}'
    html = page(f'{{"@type": "WebPage", "mainEntity": {event}}}', event)
    (found,) = jsonld.extract(html, "https://x.example/agenda/")
    assert found.url == "https://x.example/forum"


def test_reference_cycles_end() -> None:
    html = page(
        """{"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "@id": "#page", "isPartOf": {"@id": "#site"},
         "mainEntity": {"@id": "#forum"}},
        {"@type": "WebSite", "@id": "#site", "hasPart": [{"@id": "#page"}]},
        {"@type": "Event", "@id": "#forum", "name": "Forum", "startDate": "2019-10-10"},
        {"@type": "Event", "@id": "_:b0", "name": "Atelier", "startDate": "2019-10-11"}
        ]}"""
    )
    forum, workshop = jsonld.extract(html, "https://x.example/agenda")
    assert (forum.title, forum.uid, forum.url) == ("Forum", "https://x.example/agenda#forum", None)
    assert (workshop.title, workshop.uid) == ("Atelier", None)
