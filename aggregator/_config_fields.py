"""The field checks of sources.yaml: durations, CSS selectors, web addresses.

Part of `config.py`. Each check raises ValueError with the admin's own text
and the fix, which pydantic turns into one problem of the report.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from aggregator._config_report import show

_DURATION = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?", re.IGNORECASE)
_UNIT_WORDS = {  # what admins write instead of the unit letter, English and French
    "d": ("d", "day", "days", "j", "jour", "jours"),
    "h": ("h", "hr", "hrs", "hour", "hours", "heure", "heures"),
    "m": ("m", "min", "mins", "minute", "minutes"),
    "s": ("s", "sec", "secs", "second", "seconds", "seconde", "secondes"),
}


def parse_duration(text: str | int) -> timedelta:
    """A duration like "30m", "6h", "1d", "90s" or "1h30m"; a bare int counts seconds.

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    """
    if isinstance(text, int) and not isinstance(text, bool) and text >= 0:
        return timedelta(seconds=text)
    match = _DURATION.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise ValueError(f"{show(text)} is not a duration; write {_duration_hint(text)}")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _duration_hint(text: object) -> str:
    """The duration the admin probably meant, e.g. "6h" for "6 hours"."""
    found = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]+)\.?\s*", str(text))
    if found:
        number, word = int(found[1]), found[2].lower()
        if word in ("w", "week", "weeks", "semaine", "semaines"):
            return f"{number * 7}d"
        for unit, words in _UNIT_WORDS.items():
            if word in words:
                return f"{number}{unit}"
    if re.fullmatch(r"\s*\d+\s*", str(text)):
        number = str(text).strip()
        return f"{number}h, {number}m or {number}s (a number and a unit)"
    return "a number and a unit, e.g. 30m, 6h, 1d or 1h30m"


def _duration(value: object) -> timedelta:
    """Pydantic hook for duration fields: text only, so `6` is never taken as 6 seconds."""
    if isinstance(value, timedelta):
        duration = value
    elif isinstance(value, str):
        duration = parse_duration(value)
    else:
        raise ValueError(f"{show(value)} is not a duration; write {_duration_hint(value)}")
    if duration <= timedelta(0):
        raise ValueError(f"{show(value)} is too short; write a duration above zero, e.g. 6h")
    return duration


# For `aggregator schema`: the text forms `_duration` takes, zero excluded.
_DURATION_SCHEMA = {
    "type": "string",
    "pattern": r"^(?=.*[1-9])\s*(?:\d+[dD])?\s*(?:\d+[hH])?\s*(?:\d+[mM])?\s*(?:\d+[sS])?\s*$",
    "examples": ["30m", "6h", "1d", "1h30m"],
}
Duration = Annotated[timedelta, BeforeValidator(_duration), WithJsonSchema(_DURATION_SCHEMA)]


def css_selector(value: str | None) -> str | None:
    """A CSS selector that selectolax can run, checked now rather than at scrape time."""
    if value is None:
        return None
    if not _runs(value):
        raise ValueError(
            f"{show(value)} is not a valid CSS selector; test it in your browser's developer "
            "tools with document.querySelectorAll(...)"
        )
    return value


@functools.lru_cache(maxsize=4096)
def _runs(selector: str) -> bool:
    """Whether selectolax accepts `selector`; cached, as many sources share selectors."""
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except SelectolaxError:
        return False
    return True


def web_address(value: str) -> str:
    """An absolute http(s) URL, with a hint for the usual slips."""
    parts = urlsplit(value.strip())
    if parts.scheme in ("http", "https") and parts.netloc and " " not in value.strip():
        return value.strip()
    if not parts.scheme and "." in value and " " not in value.strip():
        hint = f"write https://{value.strip().lstrip('/')}"
    else:
        hint = "write a full address starting with https://"
    raise ValueError(f"{show(value)} is not a web address; {hint}")


def slug_of(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "my-source"


def as_tuple(value: object) -> object:
    """Let `tags: politique-de-la-ville` stand for a one-item list."""
    return (value,) if isinstance(value, str) else value


def config_error(message: str, *path: str) -> PydanticCustomError:
    """An error whose `path` (relative to the model) tells the loader which line to name."""
    return PydanticCustomError("config", "{message}", {"message": message, "path": path})
