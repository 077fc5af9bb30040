import re

import feedparser
import samples
from lxml import etree

from aggregator.render import atom

NS = "{http://www.w3.org/2005/Atom}"
STRICT = etree.XMLParser(recover=False, resolve_entities=False)
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _info():
    return samples.info(self_path="/feed.atom")


def _feed(events=None) -> etree._Element:
    data = atom.render(samples.all_events() if events is None else events, _info())
    return etree.fromstring(data, STRICT)


def test_feed_metadata():
    feed = _feed()
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert feed.findtext(f"{NS}id") == "https://agenda.example.org/feed.atom"
    assert feed.findtext(f"{NS}title") == "Agenda politique de la ville"
    assert feed.findtext(f"{NS}updated") == "2019-07-15T10:00:00+02:00"
    assert feed.findtext(f"{NS}author/{NS}name") == "Agenda politique de la ville"
    links = [(link.get("rel"), link.get("href")) for link in feed.findall(f"{NS}link")]
    assert links == [
        ("self", "https://agenda.example.org/feed.atom"),
        ("alternate", "https://agenda.example.org/"),
    ]


def test_entries_ids_titles_and_dates():
    entries = _feed().findall(f"{NS}entry")
    assert len(entries) == 10
    summer, winter = entries[:2]
    assert summer.findtext(f"{NS}id") == "urn:aggregator:event:ev-summer"
    assert summer.findtext(f"{NS}title") == "4 juil. 2019 · Lille — Atelier emploi des jeunes"
    assert summer.findtext(f"{NS}updated") == "2019-07-01T18:30:00+02:00"
    assert summer.findtext(f"{NS}published") == "2019-06-20T08:15:00+02:00"
    assert summer.find(f"{NS}link").get("href") == "https://www.irev.fr/node/1"
    assert [c.get("term") for c in summer.findall(f"{NS}category")] == ["emploi", "jeunesse"]
    assert winter.findtext(f"{NS}updated") == "2019-06-20T08:15:00+02:00"
    assert [a.text for a in winter.findall(f"{NS}author/{NS}name")] == ["IREV", "Labo Cités"]
    month = entries[5]
    assert month.findtext(f"{NS}title") == "février 2020 (date à préciser) — Forum des quartiers"


def test_content_is_escaped_html_with_date_first():
    content = _feed().find(f"{NS}entry/{NS}content")
    assert content.get("type") == "html"
    assert content.text.startswith("<p><strong>Date :</strong> jeudi 4 juillet 2019, 14h–17h<br>")
    assert "<p>Un atelier <b>pratique</b> &amp; concret.</p>" in content.text


def test_cancelled_and_postponed_titles():
    entries = _feed().findall(f"{NS}entry")
    assert entries[7].findtext(f"{NS}title").startswith("ANNULÉ – 5 nov. 2019")
    assert entries[8].findtext(f"{NS}title").startswith("REPORTÉ – 5 nov. 2019")


def test_control_characters_and_scripts_never_reach_the_xml():
    data = atom.render([samples.hostile()], _info())
    text = data.decode("utf-8")
    assert not XML_INVALID.search(text)
    entry = etree.fromstring(data, STRICT).find(f"{NS}entry")
    assert entry.findtext(f"{NS}title") == "5 nov. 2019 · Lyon — Santé & emploi <b>2019</b>"
    assert "<script" not in text and "&lt;script" not in text and "alert(1)" not in text


def test_feedparser_reads_it_without_complaint():
    parsed = feedparser.parse(atom.render(samples.all_events(), _info()))
    assert parsed.bozo == 0
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 10
    first = parsed.entries[0]
    assert first.id == "urn:aggregator:event:ev-summer"
    assert first.title == "4 juil. 2019 · Lille — Atelier emploi des jeunes"
    assert first.link == "https://www.irev.fr/node/1"
    assert first.updated_parsed[:5] == (2019, 7, 1, 16, 30)
    assert "<b>pratique</b>" in first.content[0].value
    assert [tag.term for tag in first.tags] == ["emploi", "jeunesse"]


def test_empty_feed_is_valid():
    assert _feed([]).find(f"{NS}entry") is None
