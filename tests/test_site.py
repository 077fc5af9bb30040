"""What the web server, `export` and `publish` share: a feed's body, whole or in pieces."""

from __future__ import annotations

from datetime import date

import pytest
import samples

from aggregator import site
from aggregator.config import Config, Settings, Source

CONFIG = Config(
    settings=Settings(base_url="https://agenda.example.org"),
    sources=(Source(id="irev", name="IREV", url="https://www.irev.fr/agenda"),),
    path=None,
)


@pytest.mark.parametrize("fmt", ["rss", "atom", "ics", "json"])
def test_a_feed_in_pieces_is_the_feed_and_lets_its_events_go(fmt):
    events = samples.all_events()
    whole = site.feed_body(CONFIG, fmt, events, "/feed", date(2019, 10, 1))
    handed = list(events)
    pieces = site.feed_parts(CONFIG, fmt, handed, "/feed", date(2019, 10, 1))
    first = next(pieces)
    assert b"".join([first, *pieces]) == whole
    assert handed == []  # each event let go once written
