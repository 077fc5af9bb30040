"""Property tests: any page, calendar, feed or event text → no crash, valid feeds.

The example count is small so the suite stays fast; `AGGREGATOR_FUZZ_EXAMPLES`
raises it for a longer campaign (bench/fuzz.py runs this file that way).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta

import feedparser
import icalendar
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from samples import FIRST_SEEN, IREV, PARIS, event, info

import aggregator
from aggregator.errors import ExtractError
from aggregator.extract import ics, rss
from aggregator.model import Precision, Status
from aggregator.render import render

EXAMPLES = int(os.environ.get("AGGREGATOR_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Any text Python can encode: every code point but lone surrogates.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80)

TAGS = (
    "div",
    "p",
    "h1",
    "h2",
    "h3",
    "article",
    "li",
    "ul",
    "time",
    "span",
    "a",
    "b",
    "section",
    "table",
    "tr",
    "td",
    "script",
    "style",
    "br",
    "main",
    "header",
)
FRENCH_DATES = (
    "le 5 novembre 2019",
    "les 13 et 14 juin",
    "du 3 au 5 mars 2020",
    "jeudi 12 décembre à 14h30",
    "1er avril",
    "samedi 7 septembre 2019 de 9h à 17h",
    "31 février 2020",
    "le 0 mai",
    "mars 2020",
    "à partir du 2 octobre",
    "14h-16h",
    "2019-11-05",
    "05/11/2019",
    "reporté au 20 janvier 2021",
)
JSONLD = (
    '{"@type": "Event", "name": "Forum", "startDate": "2020-03-01T14:00:00+01:00"}',
    '{"@type": "Event", "name": ',
    '[{"@type": "Event", "startDate": "32/13/2020"}]',
    '{"@graph": [{"@type": ["Event"], "name": null, "startDate": 5}]}',
    '{"@type": "Event", "name": "X", "startDate": "2020-03-01", "endDate": "1999-01-01",'
    ' "location": {"@type": "Place", "address": {"postalCode": 93}}}',
    '{"@type": "Event", "name": "\\u0000", "startDate": "2020-13-45T99:00"}',
)


def _open_tag(name: str) -> st.SearchStrategy[str]:
    attrs = st.sampled_from(
        (
            "",
            ' class="event"',
            ' datetime="2020-03-01"',
            ' href="/x"',
            ' itemprop="startDate" content="2020-03-01"',
            ' lang="fr"',
        )
    )
    return attrs.map(lambda a: f"<{name}{a}>")


PIECES = st.one_of(
    st.sampled_from(TAGS).flatmap(_open_tag),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(FRENCH_DATES),
    st.sampled_from(JSONLD).map(lambda j: f'<script type="application/ld+json">{j}</script>'),
    st.sampled_from(JSONLD),
    st.sampled_from(
        (
            "Lille",
            "Marseille",
            "13003",
            "Forum de l'emploi",
            "Atelier",
            "&amp;",
            "&#0;",
            "&#xD800;",
            "&nbsp;",
            "Ã©",
            "<!--",
            "-->",
            "<![CDATA[",
        )
    ),
    ANY_TEXT,
)
PAGES = st.lists(PIECES, max_size=40).map("".join)


@FUZZ
@given(PAGES, st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2040, 12, 31))))
def test_extract_events_never_raises(page, published):
    events = aggregator.extract_events(page, url="https://example.org/page", published=published)
    for found in events:
        assert found.title.strip()
        assert found.start is not None


CALENDAR_LINES = st.sampled_from(
    (
        "BEGIN:VCALENDAR",
        "END:VCALENDAR",
        "BEGIN:VEVENT",
        "END:VEVENT",
        "VERSION:2.0",
        "SUMMARY:Forum",
        "DTSTART:20200301T140000Z",
        "DTSTART;VALUE=DATE:20200301",
        "DTSTART;TZID=Mars/Olympus:20200301T140000",
        "DTEND:20200229",
        "DTSTART:2020",
        "UID:a@b",
        "DESCRIPTION:ligne\\, une\\n deux",
        " folded continuation",
        "RRULE:FREQ=DAILY",
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Paris",
        "END:VTIMEZONE",
        "STATUS:CANCELLED",
        "URL:javascript:alert(1)",
        "CATEGORIES:a,b",
        "SUMMARY;LANGUAGE=fr:Atelier",
    )
)
CALENDARS = st.lists(st.one_of(CALENDAR_LINES, ANY_TEXT), max_size=30).map("\r\n".join)


@FUZZ
@given(st.one_of(CALENDARS, ANY_TEXT))
def test_ics_extract_refuses_cleanly(text):
    try:
        raws = ics.extract(text, "https://example.org/agenda.ics")
    except ExtractError:
        return
    assert all(isinstance(r.title, str) for r in raws)


FEED_PIECES = st.one_of(
    st.sampled_from(
        (
            '<?xml version="1.0"?>',
            "<rss>",
            "</rss>",
            "<channel>",
            "</channel>",
            "<item>",
            "</item>",
            "<title>",
            "</title>",
            "<link>",
            "</link>",
            "<description>",
            "</description>",
            "<pubDate>",
            "</pubDate>",
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            "</feed>",
            "<entry>",
            "</entry>",
            '<link href="/a"/>',
            "&eacute;",
            "&nbsp;",
            "&#0;",
            "&bogus;",
            "<![CDATA[",
            "]]>",
            "Tue, 05 Nov 2019 10:00:00 +0100",
            "le 5 mars 2020",
        )
    ),
    ANY_TEXT,
)
FEEDS = st.lists(FEED_PIECES, max_size=40).map("".join)


@FUZZ
@given(st.one_of(FEEDS, ANY_TEXT))
def test_rss_extract_refuses_cleanly(text):
    try:
        raws = rss.extract(text, "https://example.org/feed")
    except ExtractError:
        return
    assert all(isinstance(r.title, str) for r in raws)


NON_EMPTY = ANY_TEXT.filter(lambda s: s.strip())
# The feed title comes from the admin's configuration, not from a partner page.
FEED_TITLES = st.text(
    alphabet=st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=40
).filter(lambda s: s.strip())
OPTIONAL = st.one_of(st.none(), ANY_TEXT)


@st.composite
def events(draw: st.DrawFn, n: int):
    timed = draw(st.booleans())
    day = draw(st.dates(date(2000, 1, 1), date(2035, 12, 31)))
    if timed:
        start = datetime(
            day.year,
            day.month,
            day.day,
            draw(st.integers(0, 23)),
            draw(st.integers(0, 59)),
            tzinfo=PARIS,
        )
        end = start + timedelta(minutes=draw(st.integers(0, 6000)))
    else:
        start = day
        end = draw(st.one_of(st.none(), st.just(day + timedelta(days=2))))
    return event(
        id=f"ev-{n}",
        title=draw(NON_EMPTY),
        start=start,
        end=end,
        all_day=not timed,
        precision=Precision.MINUTE if timed else draw(st.sampled_from(list(Precision)[:2])),
        status=draw(st.sampled_from(list(Status))),
        venue=draw(OPTIONAL),
        address=draw(OPTIONAL),
        city=draw(OPTIONAL),
        description=draw(ANY_TEXT),
        description_html=draw(ANY_TEXT.map(lambda s: f"<p>{s}</p>") | ANY_TEXT),
        tags=tuple(draw(st.lists(NON_EMPTY, max_size=3))),
        region=draw(OPTIONAL),
        online=draw(st.booleans()),
        sources=(IREV,),
        first_seen=FIRST_SEEN,
    )


EVENT_LISTS = st.integers(0, 3).flatmap(lambda k: st.tuples(*(events(n) for n in range(k))))


def _feed_info(fmt: str, title: str):
    return info(self_path=f"/feed.{fmt}", title=title)


@FUZZ
@given(EVENT_LISTS, FEED_TITLES)
def test_rss_and_atom_stay_strict_xml(evs, title):
    for fmt in ("rss", "atom"):
        body = render(fmt, list(evs), _feed_info(fmt, title))
        etree.fromstring(body, etree.XMLParser(recover=False))
        parsed = feedparser.parse(body)
        assert not parsed.bozo, (fmt, parsed.get("bozo_exception"))
        assert len(parsed.entries) == len(evs)


@FUZZ
@given(EVENT_LISTS, FEED_TITLES)
def test_ics_stays_parseable(evs, title):
    body = render("ics", list(evs), _feed_info("ics", title))
    calendar = icalendar.Calendar.from_ical(body)
    days = [e for e in evs if e.precision is not Precision.MONTH]
    assert len(calendar.walk("VEVENT")) == len(days)
    assert not any(0 < byte < 32 and byte not in (9, 10, 13) for byte in body)


@FUZZ
@given(EVENT_LISTS, FEED_TITLES)
def test_json_loads(evs, title):
    body = render("json", list(evs), _feed_info("json", title))
    assert len(json.loads(body)["events"]) == len(evs)


# --- what the long campaign found (bench/fuzz.py) ------------------------------------------


def test_unreadable_dates_of_an_ics_event_are_left_out():
    """icalendar 7 keeps an unparsable DTSTART, DTEND, DURATION or RECURRENCE-ID and
    raises BrokenCalendarProperty when its value is read: the event is skipped."""
    text = "\r\n".join(
        (
            "BEGIN:VCALENDAR",
            "BEGIN:VEVENT",
            "UID:a@b",
            "SUMMARY:Forum",
            "DTSTART:20200301T140000Z",
            "0",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:c@d",
            "SUMMARY:Atelier",
            "DTSTART;VALUE=DATE:20200302",
            "DTEND:2020",
            "DURATION:PXD",
            "RECURRENCE-ID:soon",
            "END:VEVENT",
            "END:VCALENDAR",
        )
    )
    raws = ics.extract(text, "https://example.org/agenda.ics")
    assert [(r.title, r.start, r.end, r.uid) for r in raws] == [
        ("Atelier", date(2020, 3, 2), None, "c@d")
    ]
