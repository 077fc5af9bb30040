"""RSS/Atom feed extraction and feed discovery (aggregator.extract.rss)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from aggregator.errors import ExtractError
from aggregator.extract import rss

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- RSS 2.0 with HTML entities ----------------------------------------------------


def news() -> list:
    return rss.extract(fixture("news-feed.rss"), "https://www.irdsu.net/feed/")


def test_rss_items_with_html_entities() -> None:
    assert [event.title for event in news()] == [
        "Journées départementales de la politique de la ville",
        "Webinaire : l’évaluation à mi-parcours des contrats de ville",
        "Retour sur nos journées de juin dernier",
    ]
    assert {event.strategy for event in news()} == {"rss"}
    assert all(event.start is None and event.end is None for event in news())


def test_rss_item_fields() -> None:
    event = news()[0]
    assert event.url == (
        "https://www.irdsu.net/2019/05/20/journees-departementales-politique-de-la-ville/"
    )
    assert event.uid == "https://www.irdsu.net/?p=1702"
    assert event.published == date(2019, 5, 20)
    assert event.tags == ("Actualités", "Rencontres")
    assert event.date_text == (
        "Journées départementales de la politique de la ville\n"
        "Les 13 et 14 juin prochains à Lille, deux journées d’échanges : Q&A avec les "
        "délégués du préfet, ateliers et visites."
    )
    assert event.description_html == (
        "Les 13 et 14 juin prochains à Lille, deux journées d’échanges\u00a0: Q&A avec les "
        "délégués du préfet, ateliers et visites."
    )


def test_rss_content_encoded_wins_over_description() -> None:
    event = news()[1]
    assert event.description_html == (
        "<p>Jeudi 19 mars de 9h30 à 12h, un webinaire sur l&#8217;évaluation à mi-parcours "
        "des contrats de ville.</p>\n"
        '<p><a href="https://www.irdsu.net/inscription-webinaire/">Inscription</a> '
        "avant le 16 mars.</p>"
    )
    assert event.date_text == (
        "Webinaire : l’évaluation à mi-parcours des contrats de ville\n"
        "Jeudi 19 mars de 9h30 à 12h, un webinaire sur l’évaluation à mi-parcours "
        "des contrats de ville.\n\nInscription avant le 16 mars."
    )
    # 23:30 UTC on the 3rd is already the 4th in Paris.
    assert event.published == date(2020, 3, 4)


def test_rss_permalink_guid() -> None:
    event = news()[2]
    assert event.uid == "https://www.irdsu.net/2019/09/02/retour-journees-juin/"
    assert event.published == date(2019, 9, 2)


# --- Atom ---------------------------------------------------------------------------


def test_atom_entries() -> None:
    html_entry, xhtml_entry = rss.extract(
        fixture("news-feed.atom"), "https://www.labo-cites.org/actualites.atom"
    )
    assert html_entry.title == "Rencontre « Habitat et renouvellement urbain »"
    assert html_entry.url == "https://www.labo-cites.org/rencontre/habitat-renouvellement-urbain"
    assert html_entry.uid == "tag:labo-cites.org,2019:node/311"
    assert html_entry.published == date(2019, 10, 2)  # 22:30 UTC on the 1st
    assert html_entry.tags == ("Habitat", "Renouvellement urbain")
    assert html_entry.description_html == (
        "<p>Rencontre le <strong>12 décembre 2019</strong> à Vaulx-en-Velin, de 9h30 à 16h.</p>"
    )
    assert html_entry.date_text == (
        "Rencontre « Habitat et renouvellement urbain »\n"
        "Rencontre le 12 décembre 2019 à Vaulx-en-Velin, de 9h30 à 16h."
    )
    assert xhtml_entry.title == "Cycle de qualification : l'emploi des jeunes"
    assert xhtml_entry.url == "https://www.labo-cites.org/rencontre/emploi-des-jeunes"
    assert xhtml_entry.published == date(2019, 9, 20)  # from <updated>
    assert xhtml_entry.description_html == (
        "<div><p>Trois matinées : les 7, 14 et 21 novembre 2019, à Lyon.</p></div>"
    )


def test_rss_1_0_items() -> None:
    feed = """<?xml version="1.0"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
             xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://spip.example.org/"><title>SPIP</title></channel>
      <item rdf:about="https://spip.example.org/article12">
        <title>Forum des associations</title>
        <link>https://spip.example.org/article12</link>
        <description>Samedi 5 octobre</description>
        <dc:date>2019-09-20T10:00:00+02:00</dc:date>
        <dc:subject>Vie associative</dc:subject>
      </item>
    </rdf:RDF>"""
    (event,) = rss.extract(feed, "https://spip.example.org/backend.php")
    assert event.uid == "https://spip.example.org/article12"
    assert event.published == date(2019, 9, 20)
    assert event.tags == ("Vie associative",)
    assert event.date_text == "Forum des associations\nSamedi 5 octobre"


# --- broken and hostile feeds --------------------------------------------------------


def test_feed_that_stays_invalid_xml_is_read_by_pattern(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="aggregator.extract.rss"):
        events = rss.extract(fixture("broken-news-feed.rss"), "https://crpv.example.org/feed")
    assert "the feed is not well-formed XML" in caplog.text
    first, second = events
    assert first.title == "Séminaire « Santé et quartiers »"
    assert first.url == "https://crpv.example.org/actualites/seminaire-sante-quartiers"
    assert first.uid == "https://crpv.example.org/actualites/seminaire-sante-quartiers"
    assert first.published == date(2019, 11, 15)
    assert first.description_html == "<p>Le 10 ou 12 décembre 2019 à Vaulx en Velin.<br></p>"
    assert first.date_text == (
        "Séminaire « Santé et quartiers »\nLe 10 ou 12 décembre 2019 à Vaulx en Velin."
    )
    assert second.title == "Formation des conseils citoyens"
    assert second.uid is None
    assert second.description_html == "<p>Samedi 30 novembre, de 9h à 12h.</p>"


def test_entity_declarations_are_refused() -> None:
    laughs = """<?xml version="1.0"?>
    <!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
    <rss><channel><item><title>&lol2;</title></item></channel></rss>"""
    with pytest.raises(ExtractError, match="declares its own XML entities"):
        rss.extract(laughs, "https://x.example/feed")


def test_a_web_page_is_not_a_feed() -> None:
    with pytest.raises(ExtractError, match="root element is <html>"):
        rss.extract("<html><body><p>Agenda</p></body></html>", "https://x.example/")
    with pytest.raises(ExtractError, match="neither an RSS or Atom feed"):
        rss.extract("<html><body><p>Agenda<br></p></body></html>", "https://x.example/")


# --- feed discovery -------------------------------------------------------------------


def test_feed_links_of_a_tribe_events_page() -> None:
    html = fixture("wordpress-tribe-events-jsonld.html")
    assert rss.feed_links(html, "https://www.irdsu.net/evenements/") == [
        ("ics", "https://www.irdsu.net/evenements/?ical=1"),
        ("rss", "https://www.irdsu.net/feed/"),
        ("rss", "https://www.irdsu.net/evenements/feed/"),
    ]


def test_feed_links_resolve_relative_base_and_webcal() -> None:
    html = """<html><head><base href="/site/">
    <link rel="alternate" type="application/atom+xml" href="actus.atom">
    <link rel="Alternate" type="application/rss+xml; charset=utf-8" href="actus.rss">
    <link rel="alternate" type="application/rss+xml" href="actus.rss">
    <link rel="alternate" type="application/rss+xml" title="Commentaires" href="c.rss">
    <link rel="alternate stylesheet" type="text/css" href="print.css">
    <link rel="alternate" hreflang="en" href="/en/">
    <link rel="alternate" type="text/calendar" href="webcal://agenda.example.org/cal.ics">
    <link rel="stylesheet" type="text/calendar" href="/not-a-feed.ics">
    </head><body></body></html>"""
    assert rss.feed_links(html, "https://www.example.org/agenda/page.html") == [
        ("ics", "https://agenda.example.org/cal.ics"),
        ("rss", "https://www.example.org/site/actus.atom"),
        ("rss", "https://www.example.org/site/actus.rss"),
    ]
    assert rss.feed_links("<p>Rien</p>", "https://www.example.org/") == []
