"""The public Python API of DESIGN.md."""

from datetime import date, datetime

import aggregator


def test_public_names_are_sorted_and_importable():
    assert aggregator.__all__ == sorted(aggregator.__all__)
    for name in aggregator.__all__:
        assert getattr(aggregator, name)


def test_parse_dates_contract():
    text = "Rendez-vous le jeudi 19 mars de 9h30 à 12h à Lille."
    [match] = aggregator.parse_dates(text, date(2020, 2, 1))
    assert match.start == datetime(2020, 3, 19, 9, 30)
    assert match.end == datetime(2020, 3, 19, 12, 0)
    assert match.precision == "minute"
    assert match.alternatives == ()
    assert match.kind == "event"
    assert text[match.span[0]:match.span[1]] == "le jeudi 19 mars de 9h30 à 12h"


def test_parse_dates_month_only_starts_on_the_first():
    [match] = aggregator.parse_dates("prévu en février 2020", date(2019, 11, 2))
    assert (match.start, match.precision) == (date(2020, 2, 1), "month")


def test_extract_events_reads_jsonld_and_keeps_past_events():
    html = """<script type="application/ld+json">{"@type": "Event", "name": "Forum",
      "startDate": "2001-05-04T10:00:00+02:00", "location": {"@type": "Place",
      "name": "Salle Pasteur", "address": "3 rue Jobin, 13003 Marseille"}}</script>"""
    [event] = aggregator.extract_events(html, url="https://example.org/forum")
    assert event.title == "Forum"
    assert event.start.isoformat() == "2001-05-04T10:00:00+02:00"
    assert (event.venue, event.city) == ("Salle Pasteur", "Marseille")
