"""HTML renderers: the agenda item, month groups, calendar links, JSON-LD, embed snippets."""

from __future__ import annotations

import re
from datetime import date, datetime

from aggregator.clock import PARIS
from aggregator.model import Event, Precision, SourceRef, Status
from aggregator.render import html
from aggregator.render.calendar_links import google_url, outlook_url
from aggregator.render.jsonld import event_jsonld, jsonld_script

IREV = SourceRef(id="irev", name="IREV – centre de ressources", url="https://www.irev.fr/")
MEETING = Event(
    id="irev-a",
    title="Rencontre",
    start=datetime(2019, 11, 5, 9, 30, tzinfo=PARIS),
    end=datetime(2019, 11, 5, 16, 30, tzinfo=PARIS),
    all_day=False,
    venue="Hôtel de Ville",
    city="Tourcoing",
    url="https://www.irev.fr/r",
    sources=(IREV,),
    status=Status.CANCELLED,
    description="Une journée.",
)
BASE = "https://agenda.example.org"


def test_an_agenda_item():
    item = html.event_item(MEETING, BASE, calendar_links=False)
    assert item == (
        '<li class="event cancelled"><p class="when"><time datetime="2019-11-05T09:30:00+01:00">'
        'mardi 5 novembre 2019, 9h30–16h30</time></p><h3><span class="status">ANNULÉ</span> '
        '<a class="name" href="https://www.irev.fr/r" rel="noopener">Rencontre</a></h3>'
        '<p class="where">Hôtel de Ville, Tourcoing</p><p class="sources"><span class="badge" '
        'title="IREV – centre de ressources">IREV</span></p></li>'
    )


def test_months_group_events_and_month_precision_says_so():
    events = [
        Event(id="a", title="A", start=date(2019, 11, 5)),
        Event(id="b", title="B", start=date(2019, 11, 30)),
        Event(id="c", title="C", start=date(2020, 2, 1), precision=Precision.MONTH),
    ]
    page = html.agenda(events, BASE)
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", page) == ["novembre 2019", "février 2020"]
    assert page.count("<li ") == 3
    assert "février 2020 (date à préciser)" in page
    assert page.count('class="add"') == 2  # no calendar buttons without a day
    assert html.agenda([], BASE) == '<p class="empty">Aucun événement à venir.</p>'


def test_calendar_links():
    assert google_url(MEETING) == (
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text=ANNUL%C3%89+%E2%80%93"
        "+Rencontre&dates=20191105T093000%2F20191105T163000&details=Une+journ%C3%A9e.%0A%0A"
        "https%3A%2F%2Fwww.irev.fr%2Fr&location=H%C3%B4tel+de+Ville%2C+Tourcoing"
        "&ctz=Europe%2FParis"
    )
    assert outlook_url(MEETING) == (
        "https://outlook.live.com/calendar/0/deeplink/compose?path=%2Fcalendar%2Faction%2F"
        "compose&rru=addevent&subject=ANNUL%C3%89+%E2%80%93+Rencontre&startdt=2019-11-05T09%3A30"
        "%3A00%2B01%3A00&enddt=2019-11-05T16%3A30%3A00%2B01%3A00&allday=false&body=Une+journ"
        "%C3%A9e.%0A%0Ahttps%3A%2F%2Fwww.irev.fr%2Fr&location=H%C3%B4tel+de+Ville%2C+Tourcoing"
    )
    days = Event(id="d", title="D", start=date(2019, 11, 27), end=date(2019, 11, 29))
    assert "startdt=2019-11-27&enddt=2019-11-30&allday=true" in outlook_url(days)
    month = Event(id="m", title="M", start=date(2020, 2, 1), precision=Precision.MONTH)
    assert google_url(month) is None and outlook_url(month) is None


def test_schema_org_event():
    assert event_jsonld(MEETING) == {
        "@type": "Event",
        "name": "Rencontre",
        "startDate": "2019-11-05T09:30:00+01:00",
        "endDate": "2019-11-05T16:30:00+01:00",
        "eventStatus": "https://schema.org/EventCancelled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": "https://www.irev.fr/r",
        "description": "Une journée.",
        "location": [
            {
                "@type": "Place",
                "name": "Hôtel de Ville",
                "address": {
                    "@type": "PostalAddress",
                    "addressLocality": "Tourcoing",
                    "addressCountry": "FR",
                },
            }
        ],
        "organizer": [
            {
                "@type": "Organization",
                "name": "IREV – centre de ressources",
                "url": "https://www.irev.fr/",
            }
        ],
    }
    online = Event(
        id="o",
        title="</script><script>alert(1)</script>",
        start=date(2019, 11, 5),
        online=True,
        url="javascript:alert(1)",
    )
    script = jsonld_script([online])
    assert "</script>" not in script[: -len("</script>")] and "javascript:" not in script
    assert '"eventAttendanceMode":"https://schema.org/OnlineEventAttendanceMode"' in script


def test_embed_snippets():
    iframe, widget = html.embed_snippets(BASE, "source=irev&limit=5")
    assert iframe.startswith('<iframe src="https://agenda.example.org/embed?source=irev&limit=5"')
    assert "e.origin!=='https://agenda.example.org'" in iframe
    assert widget == (
        '<div data-aggregator-agenda data-source="irev" data-limit="5"></div>\n'
        '<script src="https://agenda.example.org/widget.js" defer></script>'
    )
