r"""RFC 5545 content lines, written by hand: TEXT escaping, dates, folding.

The ICS renderer writes each VEVENT with these instead of building an
icalendar component per event: icalendar takes about a millisecond per
event (a 10,000-event feed took 7.6 s), a VEVENT written with these about
50 µs. The output is the one icalendar 7 wrote, byte for byte, with one
exception noted in `text`.

    >>> print(content_line("SUMMARY", text("Rencontre, débat; C:\\docs")).decode())
    SUMMARY:Rencontre\, débat\; C:\\docs
"""

from __future__ import annotations

import re
from datetime import date, datetime

# Folded segments hold at most this many octets: icalendar breaks before the
# character that would reach 75, so a continuation line (a space and a
# segment) is at most 75 octets, the limit of RFC 5545 section 3.1.
SEGMENT_OCTETS = 74
FOLD = b"\r\n "


def text(value: str) -> str:
    """A TEXT value (RFC 5545 section 3.3.11): backslash, semicolon, comma and
    line breaks escaped. The value is clean text (common.clean_text), so a line
    break is a plain "\\n"; a lone "\\r" is still written as a line break.
    icalendar first turned a literal backslash-N into a line break (reading
    it as an escape already made); here it stays text, as RFC 5545 says."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    if "\r" in escaped:
        escaped = escaped.replace("\r\n", "\n").replace("\r", "\n")
    return escaped.replace("\n", "\\n")


def texts(values: list[str]) -> str:
    """A list of TEXT values, as CATEGORIES holds them."""
    return ",".join(text(value) for value in values)


def date_value(day: date) -> str:
    """A DATE: "20191105"."""
    return day.isoformat().replace("-", "")


def local_time(moment: datetime) -> str:
    """A DATE-TIME in the clock of its time zone (the TZID parameter names it):
    "20190704T140000"."""
    return moment.isoformat(timespec="seconds")[:19].replace("-", "").replace(":", "")


def utc_time(moment: datetime) -> str:
    """A UTC DATE-TIME ("…Z"); `moment` is already in UTC."""
    return local_time(moment) + "Z"


def content_line(name: str, value: str, params: str = "") -> bytes:
    """One folded content line without its CRLF; `params` is ";TZID=…" or ""."""
    return fold(f"{name}{params}:{value}".encode())


def component(lines: list[str]) -> bytes:
    """Unfolded content lines ("NAME;PARAMS:value", values already escaped)
    as the octets of a component: folded, each ended by CRLF. Escaped values
    hold no line break, so the lines can be joined and encoded at once."""
    data = "\r\n".join(lines).encode()
    octets = data.split(b"\r\n")
    if max(map(len, octets)) > SEGMENT_OCTETS:
        data = b"\r\n".join([fold(line) if len(line) > SEGMENT_OCTETS else line for line in octets])
    return data + b"\r\n"


def fold(line: bytes) -> bytes:
    """`line` folded into segments of at most 74 octets (RFC 5545 section 3.1).

    Breaks fall between characters, never inside a UTF-8 sequence. Like
    icalendar, a segment does not end on a backslash or caret: the escape it
    starts moves to the next segment, for readers that unescape before
    unfolding."""
    if len(line) <= SEGMENT_OCTETS:
        return line
    # Most lines need no escape moved: cut them in one regular-expression pass.
    folded = FOLD.join(_SEGMENT.findall(line))
    if b"\\\r\n " not in folded and b"^\r\n " not in folded:
        return folded
    return _fold_moving_escapes(line)


# The longest run of at most 74 octets that ends between two characters (the
# next octet is not a UTF-8 continuation octet).
_SEGMENT = re.compile(rb"(?s).{1,%d}(?![\x80-\xbf])" % SEGMENT_OCTETS)


def _fold_moving_escapes(line: bytes) -> bytes:
    segments = []
    start, size = 0, len(line)
    while size - start > SEGMENT_OCTETS:
        cut = start + SEGMENT_OCTETS
        while line[cut] & 0xC0 == 0x80:  # a continuation byte: back to its character's start
            cut -= 1
        if line[cut - 1] in b"\\^":
            cut -= 1
        segments.append(line[start:cut])
        start = cut
    segments.append(line[start:])
    return FOLD.join(segments)
