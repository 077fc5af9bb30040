"""The text of an announcement as its lines (headings, paragraphs, list items),
with its links, and the sentence geometry the event readers share.

    Text.of([Line(text="Forum", kind="heading"), Line(text="Le 5 mai à Lyon.")])

joins the lines with newlines so one date parse sees the whole announcement
(a year written in the heading carries to the list items below it); offsets
in the joined text lead back to the line they fall in.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from aggregator.extract.gazetteer import fold_chars

LineKind = Literal["heading", "paragraph", "item"]

# A sentence ends at ".", "!", "?" or ";" before a space, or at a line end; not inside
# a quotation ("« Et après ? »"). A period before a lower-case word is an abbreviation
# ("5 nov. à Lyon"), not an end.
_BREAK = re.compile(r"[!?;](?=\s|$)(?!\s*[»”])|\.(?=\s+[^\sa-zà-ÿ»”]|\s*$)|\n")
_URL = re.compile(r"https?://[^\s<>«»\"']+|www\.[a-z0-9-]+\.[a-z]{2,}[^\s<>«»\"']*", re.I)


@dataclass(frozen=True, kw_only=True)
class Link:
    """A link of a line: where it points, its words, and where it sits in the line."""

    href: str
    text: str = ""
    offset: int = 0


@dataclass(frozen=True, kw_only=True)
class Line:
    """One block of an announcement: a heading, a paragraph or a list item."""

    text: str
    kind: LineKind = "paragraph"
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Text:
    """The lines of one announcement joined by newlines, with offsets back to them."""

    lines: tuple[Line, ...]
    text: str
    starts: tuple[int, ...]
    folded: str = field(repr=False)
    breaks: tuple[int, ...] = field(repr=False)

    @classmethod
    def of(cls, lines: Sequence[Line]) -> Text:
        kept = tuple(line for line in lines if line.text.strip())
        starts, offset = [], 0
        for line in kept:
            starts.append(offset)
            offset += len(line.text) + 1
        text = "\n".join(line.text for line in kept)
        breaks = tuple(m.start() for m in _BREAK.finditer(text))
        return cls(kept, text, tuple(starts), fold_chars(text), breaks)

    def line_at(self, offset: int) -> int:
        """Index of the line holding the character at `offset`."""
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def line_span(self, index: int) -> tuple[int, int]:
        start = self.starts[index]
        return start, start + len(self.lines[index].text)

    def sentence_span(self, offset: int) -> tuple[int, int]:
        """Bounds of the sentence holding `offset` (its end punctuation excluded)."""
        index = bisect.bisect_right(self.breaks, offset - 1)
        begin = self.breaks[index - 1] + 1 if index else 0
        end = self.breaks[index] if index < len(self.breaks) else len(self.text)
        while begin < end and self.text[begin].isspace():
            begin += 1
        return begin, end

    def links(self) -> list[tuple[int, Link]]:
        """Every link with its offset in the joined text: anchors and bare URLs."""
        found: list[tuple[int, Link]] = []
        for index, line in enumerate(self.lines):
            start = self.starts[index]
            anchored = {link.href for link in line.links}
            found += [(start + link.offset, link) for link in line.links]
            for bare in _URL.finditer(line.text):
                href = bare.group().rstrip(".,;:!?)")
                if href not in anchored and not any(href in a for a in anchored):
                    found.append((start + bare.start(), Link(href=_with_scheme(href))))
        return sorted(found, key=lambda pair: pair[0])


def _with_scheme(href: str) -> str:
    return href if href.lower().startswith("http") else f"https://{href}"
