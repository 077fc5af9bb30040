"""Per-event texts kept while the event object lives (aggregator/render/_memo.py)."""

from __future__ import annotations

import gc

import samples

from aggregator.render import ics, json, rss, xmlitems
from aggregator.render._memo import PerEvent


def test_built_once_per_event_object_and_variant():
    memo: PerEvent[str] = PerEvent()
    built = []
    event = samples.summer()

    def build(event, setting: str) -> str:
        built.append(setting)
        return f"{event.id} {setting}"

    assert memo.get(event, build, "a") == "ev-summer a"
    assert memo.get(event, build, "a") == "ev-summer a"
    assert memo.get(event, build, "b") == "ev-summer b"  # another setting
    assert memo.get(samples.summer(), build, "b") == "ev-summer b"  # an equal copy
    assert built == ["a", "b", "b"]


def test_forgotten_when_the_event_is_garbage():
    memo: PerEvent[str] = PerEvent()
    events = [samples.summer(), samples.winter()]
    for event in events:
        memo.get(event, lambda event: "text")
    assert len(memo) == 2
    del event, events
    gc.collect()
    assert len(memo) == 0


def test_renderers_keep_nothing_after_their_events():
    memos = (xmlitems._PARTS, ics._VEVENTS, json._RECORDS)
    gc.collect()
    before = [len(memo) for memo in memos]
    events = samples.all_events()
    for module in (rss, ics, json):
        module.render(events, samples.info())
    assert all(len(memo) > count for memo, count in zip(memos, before, strict=True))
    del events
    gc.collect()
    assert all(len(memo) <= count for memo, count in zip(memos, before, strict=True))


def test_a_warm_render_is_the_cold_one():
    events = samples.all_events()
    for module in (rss, ics, json):
        assert module.render(events, samples.info()) == module.render(events, samples.info())
        assert module.render(events, samples.info()) == module.render(
            samples.all_events(), samples.info()
        )
