"""Stable identity: the one function that names an event.

The store's primary key, the feeds' guids and the ICS UIDs all come from
`event_id`, so subscribers never see an event twice because a page was
re-scraped. Bump IDENTITY_VERSION only with a migration that rewrites ids.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

IDENTITY_VERSION = 1

# Query parameters that only track clicks or sessions: they never name an event.
NOISE_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_[ce]id|xtor|at_\w+|phpsessid|sid|ref)$", re.I)


def canonical_url(url: str) -> str:
    """The URL with the noise that does not change the page removed.

    >>> canonical_url("HTTP://WWW.Irev.fr/agenda/?utm_source=x&b=2&a=1#top")
    'www.irev.fr/agenda?a=1&b=2'
    >>> canonical_url("https://[…?x")
    'https://[…?x'
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "https://[…": not a URL, but still a string to compare
        return url.strip().lower()
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not NOISE_PARAMS.match(k)
    )
    path = parts.path.rstrip("/") or ""
    host = parts.netloc.lower()
    if host.endswith(":80") or host.endswith(":443"):
        host = host.rsplit(":", 1)[0]
    return urlunsplit(("", host, path, urlencode(query), "")).lstrip("/")


def fold(text: str) -> str:
    """Lower-case ASCII with single spaces, for comparing titles.

    >>> fold("  Journée   Régionale  — Éducation ")
    'journee regionale education'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", ascii_text))


def event_key(*, uid: str | None, url: str | None, page_url: str, title: str,
              start: date | None) -> str:
    """What names an event within its source, most reliable first.

    A source-given uid wins; then the event's own URL (when it is not just
    the page that lists several events); then title and day.
    """
    if uid:
        return "uid:" + uid.strip()
    if url and canonical_url(url) != canonical_url(page_url):
        return "url:" + canonical_url(url)
    day = start.isoformat()[:10] if start else ""
    return f"text:{canonical_url(page_url)}|{fold(title)}|{day}"


def event_id(source_id: str, key: str) -> str:
    """A short stable id, safe in URLs, file names and ICS UIDs."""
    digest = hashlib.sha256(f"v{IDENTITY_VERSION}|{source_id}|{key}".encode()).hexdigest()
    return f"{source_id}-{digest[:16]}"
