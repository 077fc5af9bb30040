"""Identity within a source: the key that names an event survives page noise."""

from __future__ import annotations

from datetime import date

import pytest

from aggregator.identity import canonical_url, event_id, event_key

PAGE = "https://www.irev.fr/agenda"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.irev.fr/node/12",
        "http://www.irev.fr/node/12/",
        "HTTPS://WWW.IREV.FR/node/12?utm_source=lettre&utm_medium=email",
        "https://www.irev.fr:443/node/12#inscription",
        "https://www.irev.fr/node/12?fbclid=abc",
    ],
)
def test_the_same_page_whatever_the_noise(url: str):
    assert canonical_url(url) == "www.irev.fr/node/12"


def test_a_source_id_wins_then_the_event_url_then_title_and_day():
    assert (
        event_key(
            uid="rencontre-42@labo-cites.org",
            url="https://x.fr/1",
            page_url=PAGE,
            title="Atelier",
            start=date(2019, 11, 21),
        )
        == "uid:rencontre-42@labo-cites.org"
    )
    by_url = event_key(
        uid=None,
        url="https://www.irev.fr/node/12?utm_source=x",
        page_url=PAGE,
        title="Atelier",
        start=date(2019, 11, 21),
    )
    edited = event_key(
        uid=None,
        url="http://www.irev.fr/node/12/",
        page_url=PAGE,
        title="Atelier (complet)",
        start=date(2019, 11, 22),
    )
    assert by_url == edited == "url:www.irev.fr/node/12"  # a title or date edit: same event
    listed = event_key(
        uid=None,
        url=PAGE + "#event-3",
        page_url=PAGE,
        title="Café citoyen",
        start=date(2019, 12, 7),
    )
    moved = event_key(
        uid=None,
        url=PAGE + "/#event-1",
        page_url=PAGE + "/",
        title="Café citoyen",
        start=date(2019, 12, 7),
    )
    assert listed == moved  # its position in the listing is not its name


def test_ids_are_short_stable_and_per_source():
    key = "url:www.irev.fr/node/12"
    assert event_id("irev", key) == event_id("irev", key)
    assert event_id("irev", key) != event_id("labo-cites", key)
    assert event_id("irev", key).startswith("irev-") and len(event_id("irev", key)) == 21
