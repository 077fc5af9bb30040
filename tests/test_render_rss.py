import re

import feedparser
import samples
from lxml import etree

from aggregator.render import rss

ATOM = "{http://www.w3.org/2005/Atom}"
STRICT = etree.XMLParser(recover=False, resolve_entities=False)
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

TITLES = [
    "4 juil. 2019 · Lille — Atelier emploi des jeunes",
    "10 déc. 2019 · Vaulx-en-Velin — Rencontre régionale",
    "29 mars 2020 · En ligne — Webinaire",
    "5 nov. 2019 · Vaulx-en-Velin — Journée des conseils citoyens",
    "27–29 août 2019 · Vaulx-en-Velin — Université d'été",
    "février 2020 (date à préciser) — Forum des quartiers",
    "10 ou 12 déc. 2019 · Vaulx-en-Velin — Séminaire habitat",
    "ANNULÉ – 5 nov. 2019 · Vaulx-en-Velin — Café citoyen",
    "REPORTÉ – 5 nov. 2019 · Vaulx-en-Velin — Café citoyen",
    "5 nov. 2019 · Lyon — Santé & emploi <b>2019</b>",
]


def _render() -> bytes:
    return rss.render(samples.all_events(), samples.info())


def _channel() -> etree._Element:
    return etree.fromstring(_render(), STRICT).find("channel")


def test_channel_describes_the_feed():
    channel = _channel()
    assert channel.findtext("title") == "Agenda politique de la ville"
    assert channel.findtext("link") == "https://agenda.example.org/"
    assert channel.findtext("description").startswith("Événements annoncés")
    assert channel.findtext("language") == "fr"
    assert channel.findtext("lastBuildDate") == "Mon, 15 Jul 2019 10:00:00 +0200"
    assert channel.findtext("ttl") == "360"
    self_link = channel.find(f"{ATOM}link")
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == "https://agenda.example.org/feed.rss"


def test_items_keep_order_and_carry_date_and_place_in_title():
    items = _channel().findall("item")
    assert [item.findtext("title") for item in items] == TITLES


def test_guids_are_stable_urns_not_permalinks():
    items = _channel().findall("item")
    assert [item.findtext("guid") for item in items][:3] == [
        "urn:aggregator:event:ev-summer",
        "urn:aggregator:event:ev-winter",
        "urn:aggregator:event:ev-noend",
    ]
    assert {item.find("guid").get("isPermaLink") for item in items} == {"false"}
    assert _render() == rss.render(samples.all_events(), samples.info())


def test_item_link_dates_and_categories():
    summer, winter = _channel().findall("item")[:2]
    assert summer.findtext("link") == "https://www.irev.fr/node/1"
    assert summer.findtext("pubDate") == "Mon, 01 Jul 2019 18:30:00 +0200"  # updated
    assert winter.findtext("pubDate") == "Thu, 20 Jun 2019 08:15:00 +0200"  # first_seen
    assert [c.text for c in summer.findall("category")] == ["emploi", "jeunesse"]


def test_item_without_dates_uses_generation_time_and_source_link():
    event = samples.event(first_seen=None, url=None)
    item = etree.fromstring(rss.render([event], samples.info()), STRICT).find("channel/item")
    assert item.findtext("pubDate") == "Mon, 15 Jul 2019 10:00:00 +0200"
    assert item.findtext("link") == "https://www.irev.fr/agenda"


def test_description_starts_with_date_place_and_registration():
    description = _channel().find("item").findtext("description")
    assert description.startswith(
        "<p><strong>Date :</strong> jeudi 4 juillet 2019, 14h–17h<br>"
        "<strong>Lieu :</strong> Maison des projets, 3 rue de la Paix, Lille<br>"
        '<strong>Inscription :</strong> <a href="https://www.irev.fr/inscription?id=1&amp;x=2">'
    )
    assert "<p>Un atelier <b>pratique</b> &amp; concret.</p>" in description
    assert description.endswith('<a href="https://www.irev.fr/agenda">IREV</a></p>')


def test_html_is_escaped_once_in_the_xml():
    data = _render().decode("utf-8")
    assert "&lt;b&gt;pratique&lt;/b&gt; &amp;amp; concret." in data
    assert "<b>" not in data


def test_cancelled_item_says_so_first():
    cancelled = _channel().findall("item")[7]
    assert cancelled.findtext("description").startswith("<p><strong>Événement annulé.</strong></p>")


def test_control_characters_and_scripts_never_reach_the_xml():
    data = rss.render([samples.hostile()], samples.info())
    text = data.decode("utf-8")
    assert not XML_INVALID.search(text)
    item = etree.fromstring(data, STRICT).find("channel/item")
    assert item.findtext("title") == "5 nov. 2019 · Lyon — Santé & emploi <b>2019</b>"
    assert "Salle &lt;Foo&gt;, Lyon" in item.findtext("description")
    assert "<script" not in text and "&lt;script" not in text and "alert(1)" not in text
    assert [c.text for c in item.findall("category")] == ["santé"]


def test_feedparser_reads_it_without_complaint():
    parsed = feedparser.parse(_render())
    assert parsed.bozo == 0
    assert parsed.version == "rss20"
    assert parsed.feed.language == "fr"
    assert [entry.title for entry in parsed.entries][:9] == TITLES[:9]
    first = parsed.entries[0]
    assert first.id == "urn:aggregator:event:ev-summer"
    assert first.link == "https://www.irev.fr/node/1"
    assert first.published_parsed[:5] == (2019, 7, 1, 16, 30)
    assert "<b>pratique</b>" in first.summary


def test_empty_feed_is_valid():
    data = rss.render([], samples.info())
    assert etree.fromstring(data, STRICT).find("channel/item") is None
    assert feedparser.parse(data).bozo == 0
