import pytest
import samples

from aggregator import render as renderers
from aggregator.render import atom, ics, json, rss


def test_every_format_is_registered():
    assert {
        "rss": rss.render,
        "atom": atom.render,
        "ics": ics.render,
        "json": json.render,
    } == renderers.RENDERERS
    assert renderers.CONTENT_TYPES == {
        "rss": "application/rss+xml; charset=utf-8",
        "atom": "application/atom+xml; charset=utf-8",
        "ics": "text/calendar; charset=utf-8",
        "json": "application/json",
    }


@pytest.mark.parametrize("fmt", ["rss", "atom", "ics", "json"])
def test_render_dispatches_by_name(fmt):
    events, info = samples.all_events(), samples.info()
    assert renderers.render(fmt, events, info) == renderers.RENDERERS[fmt](events, info)


def test_unknown_format_names_the_known_ones():
    with pytest.raises(ValueError, match="choose one of atom, ics, json, rss"):
        renderers.render("xml", [], samples.info())


@pytest.mark.parametrize("fmt", ["rss", "atom", "ics", "json"])
@pytest.mark.parametrize("count", [0, 1, None])
def test_a_feed_in_pieces_is_the_feed(fmt, count):
    events, info = samples.all_events()[:count], samples.info()
    pieces = list(renderers.render_parts(fmt, iter(events), info))
    assert b"".join(pieces) == renderers.render(fmt, events, info)
    assert len(pieces) >= len([e for e in events if fmt != "ics" or ics.in_calendar(e)]) + 2


def test_pieces_of_an_unknown_format_name_the_known_ones():
    with pytest.raises(ValueError, match="choose one of atom, ics, json, rss"):
        renderers.render_parts("csv", [], samples.info())
