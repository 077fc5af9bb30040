import doctest
from datetime import date, datetime

import pytest
import samples

from aggregator.model import Precision
from aggregator.render import common

PARIS = samples.PARIS


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_doctests():
    assert doctest.testmod(common).failed == 0


@pytest.mark.parametrize(
    ("changes", "line", "short"),
    [
        ({}, "mardi 5 novembre 2019", "5 nov. 2019"),
        ({"start": date(2019, 10, 1)}, "mardi 1er octobre 2019", "1er oct. 2019"),
        (
            {"start": date(2019, 6, 13), "end": date(2019, 6, 14)},
            "du jeudi 13 au vendredi 14 juin 2019",
            "13–14 juin 2019",
        ),
        (
            {"start": date(2019, 9, 30), "end": date(2019, 10, 2)},
            "du lundi 30 septembre au mercredi 2 octobre 2019",
            "30 sept.–2 oct. 2019",
        ),
        (
            {"start": date(2019, 12, 30), "end": date(2020, 1, 2)},
            "du lundi 30 décembre 2019 au jeudi 2 janvier 2020",
            "30 déc. 2019–2 janv. 2020",
        ),
        (
            {"start": _at(2019, 11, 5, 9, 30), "end": _at(2019, 11, 5, 16, 30)},
            "mardi 5 novembre 2019, 9h30–16h30",
            "5 nov. 2019",
        ),
        ({"start": _at(2019, 3, 19, 14, 0)}, "mardi 19 mars 2019, 14h", "19 mars 2019"),
        (
            {"start": _at(2019, 11, 5, 9, 5), "end": _at(2019, 11, 6, 17, 0)},
            "du mardi 5 à 9h05 au mercredi 6 novembre 2019 à 17h",
            "5–6 nov. 2019",
        ),
        (
            {"start": date(2019, 12, 10), "alternatives": (date(2019, 12, 10), date(2019, 12, 12))},
            "mardi 10 ou jeudi 12 décembre 2019",
            "10 ou 12 déc. 2019",
        ),
        (
            {
                "start": _at(2019, 11, 29, 9, 30),
                "end": _at(2019, 11, 29, 12, 0),
                "alternatives": (date(2019, 11, 29), date(2019, 12, 2), date(2019, 12, 3)),
            },
            "vendredi 29 novembre, lundi 2 ou mardi 3 décembre 2019, 9h30–12h",
            "29 nov., 2 ou 3 déc. 2019",
        ),
        (
            {"start": date(2020, 2, 1), "precision": Precision.MONTH},
            "février 2020 (date à préciser)",
            "février 2020 (date à préciser)",
        ),
        (
            {"start": date(2019, 12, 1), "end": date(2020, 1, 1), "precision": Precision.MONTH},
            "de décembre 2019 à janvier 2020 (dates à préciser)",
            "de décembre 2019 à janvier 2020 (dates à préciser)",
        ),
    ],
)
def test_date_lines(changes, line, short):
    event = samples.event(**changes)
    assert common.date_line(event) == line
    assert common.short_date(event) == short


def test_summary_line():
    assert (
        common.summary_line(samples.winter())
        == "mardi 10 décembre 2019, 9h30–16h30 · Vaulx-en-Velin"
    )
    assert common.summary_line(samples.month()) == "février 2020 (date à préciser)"


def test_places():
    summer = samples.summer()
    assert common.place_short(summer) == "Lille"
    assert common.place_line(summer) == "Maison des projets, 3 rue de la Paix, Lille"
    assert common.place_line(samples.no_end()) == "En ligne"
    both = samples.event(venue="Salle B", online=True)
    assert common.place_line(both) == "Salle B, Vaulx-en-Velin (et en ligne)"
    said = samples.event(venue="En ligne (Zoom)", city=None, online=True)
    assert common.place_line(said) == "En ligne (Zoom)"  # not "En ligne (Zoom) (et en ligne)"
    repeated = samples.event(address="12 avenue Gabriel Péri, Vaulx-en-Velin")
    assert common.location_text(repeated) == "12 avenue Gabriel Péri, Vaulx-en-Velin"
    assert common.place_line(samples.month()) is None


def test_item_titles():
    assert common.item_title(samples.cancelled()) == (
        "ANNULÉ – 5 nov. 2019 · Vaulx-en-Velin — Café citoyen"
    )
    assert common.item_title(samples.month()) == (
        "février 2020 (date à préciser) — Forum des quartiers"
    )


def test_clean_text_removes_what_xml_and_ics_forbid():
    assert common.clean_text("a\x00b\x0bc\x1bd\x7fe\x85f\ufffeg") == "abcdefg"
    assert common.clean_text("un\r\ndeux\rtrois\tquatre") == "un\ndeux\ntrois\tquatre"
    assert common.clean_line("  un \n deux\x00 ") == "un deux"


def test_event_urn_is_valid_for_feed_validators():
    assert common.event_urn(samples.event(id="abc123")) == "urn:aggregator:event:abc123"
    assert common.event_urn(samples.event(id="a b/é~")) == "urn:aggregator:event:a%20b%2F%C3%A9%7E"


def test_item_html_falls_back_to_escaped_plain_text():
    event = samples.event(description="a < b\n\nsuite", description_html="")
    assert "<p>a &lt; b</p>\n<p>suite</p>" in common.item_html(event)


def test_item_html_links_only_web_addresses():
    event = samples.event(registration_url="javascript:alert(1)")
    assert "<strong>Inscription :</strong> javascript:alert(1)</p>" in common.item_html(event)
