"""The JSON values of a page's `<script type="application/ld+json">` blocks.

Pages are written by hand or by old templates, so a block that is only
sloppy (CDATA or comment wrappers, trailing commas, HTML-escaped, raw line
breaks in strings, several objects glued together) is repaired; a block
that cannot be repaired is skipped with a warning and the others are read.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser

log = logging.getLogger(__name__)

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
# Wrappers old CMS templates put around script content.
_WRAPPERS = re.compile(r"<!--|-->|(/\*|//)\s*<!\[CDATA\[\s*(\*/)?|(/\*|//)\s*\]\]>\s*(\*/)?")


def ld_json_blocks(html_text: str, url: str) -> Iterator[Any]:
    """The decoded JSON value of each JSON-LD script, in page order."""
    tree = LexborHTMLParser(html_text)
    for number, script in enumerate(tree.css("script"), start=1):
        kind = (script.attributes.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        text = (script.text(deep=True) or "").strip()
        if text:
            yield from _decoded(text, url, number)


def _decoded(text: str, url: str, number: int) -> list[Any]:
    try:
        # strict=False: raw line breaks and tabs inside strings are common and harmless.
        return [json.loads(text, strict=False)]
    except (ValueError, RecursionError) as exc:
        first_error = exc
    try:
        values = _lenient_values(text)
    except (ValueError, RecursionError):
        log.warning(
            "%s: JSON-LD script %d is not valid JSON, skipped (%s)", url, number, first_error
        )
        return []
    log.info("%s: JSON-LD script %d was malformed, read after repair", url, number)
    return values


def _lenient_values(text: str) -> list[Any]:
    """Every value of a sloppy block, read one after the other; ValueError if none."""
    text = _WRAPPERS.sub("", text).strip()
    if "&quot;" in text and '"' not in text:
        text = html.unescape(text)
    text = _TRAILING_COMMA.sub(r"\1", text)
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    position = 0
    while position < len(text):
        value, position = decoder.raw_decode(text, position)
        values.append(value)
        while position < len(text) and text[position] in " \t\r\n,;":
            position += 1
    if not values:
        raise ValueError("empty block")
    return values
