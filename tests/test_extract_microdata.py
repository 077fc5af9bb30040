"""schema.org Events in microdata and RDFa lite, microformats h-event and hCalendar,
and prose filling what the structured data lacks."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from aggregator.extract import auto, microdata, microformats
from aggregator.model import Status

URL = "https://www.example.org/agenda"
PARIS_WINTER = timezone(timedelta(hours=1))

MICRODATA = """<div itemscope itemtype="http://schema.org/Event">
  <h2><a itemprop="url" href="/e/41"><span itemprop="name">Conférence-débat : la laïcité</span></a>
  </h2>
  <meta itemprop="startDate" content="2019-11-19T09:00:00+01:00">
  <meta itemprop="endDate" content="2019-11-19T12:00:00+01:00">
  <div itemprop="location" itemscope itemtype="https://schema.org/Place">
    <span itemprop="name">Maison des associations</span>
    <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
      <span itemprop="streetAddress">6 rue Berthe de Boissieux</span>,
      <span itemprop="postalCode">38000</span> <span itemprop="addressLocality">Grenoble</span>
    </div></div>
  <link itemprop="eventStatus" href="https://schema.org/EventCancelled">
</div>
<div itemscope itemtype="https://schema.org/Organization"><span itemprop="name">Asso</span>
  <div itemprop="event" itemscope itemtype="https://schema.org/Event">
    <span itemprop="name">Webinaire</span><time itemprop="startDate"
    datetime="2019-12-12T14:00">12 décembre, 14h</time>
    <div itemprop="location" itemscope itemtype="https://schema.org/VirtualLocation">
      <link itemprop="url" href="https://visio.example.org/w"></div></div></div>"""


def test_microdata_events_with_nested_place_status_and_virtual_location():
    forum, webinar = (item.event for item in microdata.extract(MICRODATA, URL))
    assert (forum.title, forum.url) == (
        "Conférence-débat : la laïcité",
        "https://www.example.org/e/41",
    )
    assert forum.start == datetime(2019, 11, 19, 9, tzinfo=PARIS_WINTER)
    assert forum.end == datetime(2019, 11, 19, 12, tzinfo=PARIS_WINTER)
    assert (forum.venue, forum.address, forum.city) == (
        "Maison des associations",
        "6 rue Berthe de Boissieux, 38000 Grenoble",
        "Grenoble",
    )
    assert (forum.status, forum.strategy) == (Status.CANCELLED, "microdata")
    assert (webinar.title, webinar.start, webinar.online) == (
        "Webinaire",
        datetime(2019, 12, 12, 14),
        True,
    )
    assert webinar.registration_url == "https://visio.example.org/w"


def test_rdfa_lite_events_under_the_schema_org_vocabulary_only():
    html = """<div vocab="https://schema.org/" typeof="Event">
        <h3 property="name">Balade urbaine</h3>
        <time property="startDate" datetime="2019-11-16T10:00">16 novembre, 10h</time>
        <div property="location" typeof="Place"><span property="name">Place de Provence</span>,
          <span property="address" typeof="PostalAddress"><span property="addressLocality">
          Poitiers</span></span></div></div>
      <div vocab="http://purl.org/other/" typeof="Event"><span property="name">Autre</span></div>
      <meta property="og:title" content="Agenda">"""
    [item] = microdata.extract(html, URL)
    event = item.event
    assert (event.title, event.start, event.venue, event.city, event.strategy) == (
        "Balade urbaine",
        datetime(2019, 11, 16, 10),
        "Place de Provence",
        "Poitiers",
        "rdfa",
    )


def test_h_event_and_hcalendar():
    html = """<article class="h-event"><h3 class="p-name">Repair café</h3>
        <p>Samedi 30 novembre, de <time class="dt-start" datetime="2019-11-30 14:00">14h</time>
        à <time class="dt-end" datetime="2019-11-30T17:00">17h</time></p>
        <p class="p-location h-card"><span class="p-name">Salle Watremez</span>,
          <span class="p-locality">Roubaix</span></p>
        <a class="u-url" href="/repair.html">En savoir plus</a></article>
      <div class="vevent"><span class="summary">Bourse aux jouets</span>
        <abbr class="dtstart" title="20191207T0900">7 décembre, 9h</abbr> –
        <abbr class="dtend" title="20191207T1300">13h</abbr>,
        <span class="location">Salle Gustave Dedecker, Croix</span></div>
      <div class="h-event"><span class="p-name">Loto</span>
        <span class="dt-start">samedi 12 octobre 2019 à 14h</span></div>"""
    repair, bourse, loto = (item.event for item in microformats.extract(html, URL))
    assert (repair.title, repair.start, repair.end) == (
        "Repair café",
        datetime(2019, 11, 30, 14),
        datetime(2019, 11, 30, 17),
    )
    assert (repair.venue, repair.city, repair.url) == (
        "Salle Watremez",
        "Roubaix",
        "https://www.example.org/repair.html",
    )
    assert (bourse.start, bourse.end) == (datetime(2019, 12, 7, 9), datetime(2019, 12, 7, 13))
    assert (bourse.venue, bourse.city) == ("Salle Gustave Dedecker", "Croix")
    # A date written only in words goes to the French parser in normalise.
    assert (loto.start, loto.date_text) == (None, "Loto\nsamedi 12 octobre 2019 à 14h")


def test_prose_fills_the_place_a_jsonld_event_lacks_and_says_so():
    html = """<html><head><script type="application/ld+json">{"@context": "https://schema.org",
      "@type": "Event", "name": "Rencontres régionales", "startDate": "2020-06-16"}</script>
      </head><body><main><h1>Rencontres régionales</h1>
      <p>Les rencontres se tiendront à Grenoble, à la Maison de l'international.</p></main>
      <footer>Siège : 12 rue de la Charité, 69002 Lyon</footer></body></html>"""
    found = auto.extract(html, URL, today=date(2019, 10, 15))
    [event] = found.events
    assert (event.title, event.start, event.city) == (
        "Rencontres régionales",
        date(2020, 6, 16),
        "Grenoble",
    )
    assert found.strategy == "jsonld"
    fields = dict(found.notes[0].fields)
    assert fields["start"] == "JSON-LD startDate"
    assert fields["place"].startswith('"') and "Grenoble" in fields["place"]
    assert fields["place"].endswith('" in the text around the event')


def test_the_same_event_in_two_syntaxes_is_read_once():
    html = (
        """<script type="application/ld+json">{"@type": "Event", "name": "Forum",
      "startDate": "2019-11-19T09:00:00+01:00", "location": "Lyon"}</script>"""
        + MICRODATA
    )
    found = auto.extract(html.replace("Conférence-débat : la laïcité", "Forum"), URL)
    assert [e.title for e in found.events] == ["Forum", "Webinaire"]
    assert found.strategy == "jsonld+microdata"
