"""Small text helpers shared by the structured extractors (jsonld, ics, rss).

Kept private and minimal: the French understanding of places and dates lives
in its own modules; these only turn markup into clean one-line or plain text.
"""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser

_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u202f]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")
# Block-level tags end a line of text; without this "<p>a</p><p>b</p>" reads "ab".
_BLOCK_END = re.compile(r"(<br\s*/?>|</(p|div|li|h[1-6]|tr|blockquote|section|article)\s*>)", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# "… 12 rue X, 69003 Lyon" / "69003 Lyon Cedex 03, France": postcode then the city.
_POSTCODE_CITY = re.compile(
    r"(?:^|[\s,])\d{5}\s+(?P<city>[^\d,;()]+?)(?:\s+cedex(?:\s*\d+)?)?\s*(?:,\s*france)?\s*$",
    re.IGNORECASE,
)


def clean_text(value: str | None) -> str | None:
    """One line of text: entities decoded, tags removed, spaces collapsed; None when empty.

    >>> clean_text("  Journ&eacute;e <b>de</b>\\n  rentr&#233;e ")
    'Journée de rentrée'
    """
    if value is None:
        return None
    text = html.unescape(value)
    if "<" in text:
        text = LexborHTMLParser(text).text(separator=" ")
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text or None


def plain_text(markup: str | None) -> str:
    """The readable text of an HTML fragment, one line per block.

    >>> plain_text("<p>Le 5 <b>novembre</b></p><p>à Lyon&nbsp;!</p>")
    'Le 5 novembre\\nà Lyon !'
    """
    if not markup:
        return ""
    text = LexborHTMLParser(_BLOCK_END.sub(r"\1\n", markup)).text()
    lines = (_SPACES.sub(" ", line).strip() for line in _CONTROL.sub(" ", text).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def city_from_location(location: str | None) -> str | None:
    """The city of a location that ends with a French postcode, else None.

    >>> city_from_location("Maison des associations, 12 rue Sala, 69002 Lyon")
    'Lyon'
    >>> city_from_location("Hôtel de ville, 59000 LILLE CEDEX, France")
    'LILLE'
    >>> city_from_location("En ligne") is None
    True
    """
    if not location:
        return None
    match = _POSTCODE_CITY.search(location.strip())
    return match.group("city").strip(" -") or None if match else None
