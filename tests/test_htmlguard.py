"""The nesting guard (aggregator/fetch/htmlguard.py): cuts exactly what is too deep."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.fetch import htmlguard

TOKENS = [
    "<div>", "</div>", "<DIV class='x'>", "<div/>", "</DIV >", "<span>", "</span>",
    "<p>", "</p>", "<a href='/agenda'>", "</a>", "<img alt='</div>'>", "<b title='<div>'>",
    "</b>", "<br/>", "<divx>", "</div", "Rencontre le 5 novembre ", "é", "<",
]  # fmt: skip


def reference(html: str, max_depth: int) -> str:
    """The guard as first written: one walk over every tag of the page's bytes."""
    data = html.encode("utf-8", "surrogatepass")
    tag = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9]{0,15})\b[^>]*>")
    depth, dropped, pieces, last = 0, 0, [], 0
    for match in tag.finditer(data):
        if match.group(2).lower().decode() not in htmlguard._CONTAINERS:
            continue
        cut = False
        if match.group(1):
            if dropped:
                dropped, cut = dropped - 1, True
            elif depth:
                depth -= 1
        elif not match.group(0).endswith(b"/>"):
            if depth >= max_depth:
                dropped, cut = dropped + 1, True
            else:
                depth += 1
        if cut:
            pieces.append(data[last : match.start()])
            last = match.end()
    return (b"".join(pieces) + data[last:]).decode("utf-8", "surrogatepass")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=60), st.integers(min_value=1, max_value=4))
def test_cuts_what_the_plain_walk_cuts(tokens, max_depth):
    html = "".join(tokens)
    original = htmlguard.MAX_DEPTH
    htmlguard.MAX_DEPTH = max_depth
    try:
        assert htmlguard.bounded_html(html) == reference(html, max_depth)
    finally:
        htmlguard.MAX_DEPTH = original


def test_a_page_within_the_depth_comes_back_as_it_was():
    page = "<html><body>" + "<div><span>Atelier</span><img src='a.png'/></div>" * 2000
    assert htmlguard.bounded_html(page) is page


def test_stray_closing_tags_and_tags_in_attributes_do_not_hide_deep_nesting():
    # a closing tag inside an attribute closes nothing; the <b> it sits in stays open
    units = ["</div>" * 1000, "<div><b title='</div>'>" * 1000, "Forum", "</div>" * 1000]
    kept = htmlguard.bounded_html("".join(units))
    assert kept.count("<div>") + kept.count("<b ") == htmlguard.MAX_DEPTH and "Forum" in kept
