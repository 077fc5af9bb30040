"""Normalise: a RawEvent from any extractor into the published Event.

Small pure cleaners, one per field, then `to_event` that applies them.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
import unicodedata
from datetime import date, datetime, time
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

import nh3
from selectolax.lexbor import LexborHTMLParser

from aggregator.clock import PARIS
from aggregator.extract.dates import first_event_date
from aggregator.extract.places import find_place, normalise_city
from aggregator.fetch.charset import repair_mojibake
from aggregator.identity import NOISE_PARAMS, event_id, event_key
from aggregator.model import Event, Precision, RawEvent, SourceRef, Status

log = logging.getLogger(__name__)

MAX_TITLE = 300
MAX_DESCRIPTION = 20_000

# Everything XML 1.0 and ICS forbid, plus the C1 controls pasted from Word.
# U+FFFD stands where a parser met a NUL or undecodable byte: nothing to show.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufffe\uffff\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")

ALLOWED_TAGS = {
    "a", "p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "u",
    "h2", "h3", "h4", "h5", "h6", "blockquote", "span",
}


def strip_controls(text: str) -> str:
    r"""Text without characters that XML or ICS cannot carry.

    >>> strip_controls("a\x00b\x0bc\td")
    'abc\td'
    """
    return _CONTROL.sub("", text)


def clean_text(text: str | None) -> str:
    r"""One line of text: NFC, no controls, single spaces, trimmed.

    >>> clean_text("  Journée\u00a0régionale \n  de l'IREV ")
    "Journée régionale de l'IREV"
    """
    if not text:
        return ""
    text = strip_controls(unicodedata.normalize("NFC", repair_mojibake(html_lib.unescape(text))))
    return _SPACES.sub(" ", text.replace("\n", " ").replace("\r", " ")).strip()


def clean_title(text: str | None) -> str:
    """A title: clean text without trailing separators, bounded in length.

    >>> clean_title(" Rencontre régionale – ")
    'Rencontre régionale'
    """
    title = clean_text(text).strip(" -–—:|·,;")
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rsplit(" ", 1)[0] + "…"
    return title


_MARKER_WORDS = r"(ANNUL[ÉE]E?S?|REPORT[ÉE]E?S?|Annul[ée]e?s?|Report[ée]e?s?)"
# Between brackets the word is a marker whatever its case: "Séminaire (reporté)".
_BRACKETED_WORDS = r"(ANNUL[ÉE]E?S?|REPORT[ÉE]E?S?|[Aa]nnul[ée]e?s?|[Rr]eport[ée]e?s?)"
_STATUS_MARKER = re.compile(
    rf"^\s*(?:[\[(]{_BRACKETED_WORDS}[\])]|{_MARKER_WORDS}\s*[:—–-])\s*"
    rf"|\s*[—–-]?\s*[\[(]{_BRACKETED_WORDS}[\])]\s*$"
    rf"|\s*[—–-]\s*{_MARKER_WORDS}\s*!?$"
)


def split_status_marker(title: str) -> tuple[str, Status | None]:
    """A title without its "ANNULÉ —" style marker, and the status the marker gave.

    >>> split_status_marker("Séminaire mémoire — ANNULÉ")
    ('Séminaire mémoire', <Status.CANCELLED: 'cancelled'>)
    >>> split_status_marker("[Reporté] Forum emploi")
    ('Forum emploi', <Status.POSTPONED: 'postponed'>)
    >>> split_status_marker("Séminaire emploi (reporté)")
    ('Séminaire emploi', <Status.POSTPONED: 'postponed'>)
    >>> split_status_marker("Rapport annuel")
    ('Rapport annuel', None)
    """
    match = _STATUS_MARKER.search(title)
    if not match:
        return title, None
    word = next(g for g in match.groups() if g).lower()
    status = Status.CANCELLED if word.startswith("annul") else Status.POSTPONED
    return clean_title(title[: match.start()] + " " + title[match.end():]), status


def whole_days(start: date | datetime, end: date | datetime | None):
    """Events written as 00:00–23:59 (WordPress's all-day habit) are days, not times.

    >>> whole_days(datetime(2020, 6, 24, 0, 0), datetime(2020, 6, 26, 23, 59, 59))
    (datetime.date(2020, 6, 24), datetime.date(2020, 6, 26))
    """
    if (isinstance(start, datetime) and isinstance(end, datetime)
            and start.time() == time(0) and end.time() >= time(23, 59)):
        return start.date(), end.date()
    return start, end


def sanitise_html(fragment: str | None) -> str:
    """HTML safe to embed anywhere: no scripts, handlers, styles or iframes.

    >>> sanitise_html('<p onclick="x()">Bonjour <script>alert(1)</script></p>')
    '<p>Bonjour </p>'
    """
    if not fragment:
        return ""
    cleaned = nh3.clean(
        strip_controls(fragment[: MAX_DESCRIPTION * 5]),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
    )
    return cleaned.strip()


_BLOCK_TAGS = "p, br, li, h1, h2, h3, h4, h5, h6, div, tr, blockquote"


def html_to_text(fragment: str | None) -> str:
    r"""Plain text of an HTML fragment, one line per block.

    >>> html_to_text("<p>Un&nbsp;<b>deux</b></p><ul><li>trois</li></ul>")
    'Un deux\ntrois'
    """
    if not fragment:
        return ""
    tree = LexborHTMLParser(f"<div>{fragment}</div>")
    for node in tree.css(_BLOCK_TAGS):
        node.insert_after("\n")
    text = tree.body.text(deep=True) if tree.body else ""
    lines = (clean_text(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)[:MAX_DESCRIPTION]


def absolute_url(base: str, url: str | None) -> str | None:
    """An absolute http(s) URL, or None for anything else.

    >>> absolute_url("https://www.irev.fr/agenda", "/node/12")
    'https://www.irev.fr/node/12'
    >>> absolute_url("https://www.irev.fr/", "javascript:alert(1)") is None
    True
    >>> absolute_url("https://www.irev.fr/", "https://[…?x") is None
    True
    """
    if not url:
        return None
    try:
        joined = urljoin(base, clean_text(url))
        if urlsplit(joined).scheme not in ("http", "https"):
            return None
    except ValueError:  # "https://[…": an unparsable address is no link
        return None
    return without_tracking(joined)


def without_tracking(url: str) -> str:
    """The URL without click-tracking parameters (utm_*, fbclid…), which are not the page.

    >>> without_tracking("https://www.irev.fr/node/3?utm_source=agenda&id=4")
    'https://www.irev.fr/node/3?id=4'
    >>> without_tracking("https://www.crpv.fr/spip.php?article142&utm_medium=mail")
    'https://www.crpv.fr/spip.php?article142'
    """
    parts = urlsplit(url)
    if not parts.query:
        return url
    # The other parameters are kept as written: "?article142" (SPIP) must not become
    # "?article142=", nor "%2F" a "/", which some servers answer differently.
    pieces = parts.query.split("&")
    kept = [p for p in pieces if not NOISE_PARAMS.match(unquote_plus(p.split("=", 1)[0]))]
    if len(kept) == len(pieces):
        return url
    return urlunsplit(parts._replace(query="&".join(kept)))


def in_paris(value: date | datetime) -> date | datetime:
    """Dates stay dates; datetimes become aware in Europe/Paris.

    Naive datetimes are the page's local time, which for our partners is Paris.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=PARIS)
        return value.astimezone(PARIS)
    return value


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


# "…, 12 rue X, 69002 Lyon": a whole address written in the venue field.
_ONE_LINE_ADDRESS = re.compile(r",.*\b\d{5}\b|,\s*\d+\s*(bis|ter)?,?\s+\w")


def place_of(venue: str | None, address: str | None, city: str | None
             ) -> tuple[str | None, str | None, str | None]:
    """(venue, address, city) completed from each other: a feed's single
    location line ("Labo Cités, 4 rue de la Charité, 69002 Lyon") is split,
    and a venue that is only a city name becomes the city.

    >>> place_of("Grenoble", None, None)
    (None, None, 'Grenoble')
    """
    venue, address, city = clean_text(venue) or None, clean_text(address) or None, \
        clean_text(city) or None
    city = (normalise_city(city) or city) if city else None
    if venue is None:
        return venue, address, city
    if normalise_city(venue):
        return None, address, city or normalise_city(venue)
    if city is not None and not _ONE_LINE_ADDRESS.search(venue):
        return venue, address, city
    line = ", ".join(filter(None, (venue, address)))
    found = find_place(line)
    if found.city is None:
        return venue, address, city
    return (found.venue or _lead(line, found.span) or venue, found.address or address,
            city or found.city)


def _lead(line: str, span: tuple[int, int] | None) -> str | None:
    """The name before the address in a location line ("Université Lyon 2, 86 rue
    Pasteur, Lyon, 69007, France" → "Université Lyon 2"), if it is one comma segment.

    >>> _lead("Atelier du Blanc Seau, Tourcoing", (23, 32))
    'Atelier du Blanc Seau'
    """
    head = line[: span[0]].strip(" ,–-") if span else ""
    return head if head and "," not in head else None


def _dates_of(raw: RawEvent, reference: date):
    """(start, end, precision, alternatives) of a raw event, or None if it has no date."""
    if raw.start is not None:
        start, end = same_kind(*whole_days(in_paris(raw.start),
                                           in_paris(raw.end) if raw.end else None))
        precision = _precision(start, raw.precision)
        return start, end, precision, raw.alternatives
    # Before a page's publication date a date is a past mention; before today's
    # date it is only an event that is over, which the store keeps.
    match = first_event_date(raw.date_text or "", raw.published or reference,
                             past_by_reference=raw.published is not None)
    if match is None or match.start is None:
        return None
    start, end = same_kind(in_paris(match.start),
                           in_paris(match.end) if match.end is not None else None)
    precision = _precision(start, match.precision)
    return start, end, precision, tuple(match.alternatives)


def _precision(start: date | datetime, given: Precision | None) -> Precision:
    """Month when the source said so, else what the start value holds."""
    if given == Precision.MONTH:
        return Precision.MONTH
    return Precision.MINUTE if isinstance(start, datetime) else Precision.DAY


def same_kind(start: date | datetime, end: date | datetime | None):
    """Start and end both days or both times, as calendars require.

    "du 5 au 7 mai, à partir de 9h" has a start time but only an end day:
    the days are what a calendar must show, so it becomes an all-day range.

    >>> same_kind(datetime(2020, 5, 5, 9, 0), date(2020, 5, 7))
    (datetime.date(2020, 5, 5), datetime.date(2020, 5, 7))
    """
    if end is None or isinstance(start, datetime) == isinstance(end, datetime):
        return start, end
    return _day(start), _day(end)


def _description(raw: RawEvent) -> tuple[str, str]:
    """(plain text, sanitised HTML) from whichever the extractor gave."""
    if raw.description_html:
        safe = sanitise_html(repair_mojibake(raw.description_html))
        return html_to_text(safe), safe
    text = (raw.description or "").strip()
    text = "\n".join(clean_text(line) for line in text.splitlines() if clean_text(line))
    paragraphs = "".join(f"<p>{html_lib.escape(p)}</p>" for p in text.split("\n") if p)
    return text[:MAX_DESCRIPTION], paragraphs


def to_event(raw: RawEvent, *, source: SourceRef, region: str | None, tags: tuple[str, ...],
             page_url: str, reference: date) -> Event | None:
    """The published record of a raw event, or None when it has no title or no date."""
    title, marked = split_status_marker(clean_title(raw.title))
    dates = _dates_of(raw, reference)
    if not title or dates is None:
        log.debug("%s: dropped %r (no title or no event date)", source.id, raw.title)
        return None
    start, end, precision, alternatives = dates
    if end is not None and _day(end) < _day(start):
        end = None
    if end == start:
        end = None
    url = absolute_url(page_url, raw.url) or page_url or None
    text, safe_html = _description(raw)
    venue, address, city = place_of(raw.venue, raw.address, raw.city)
    key = event_key(uid=raw.uid, url=absolute_url(page_url, raw.url), page_url=page_url,
                    title=title, start=_day(start))
    return Event(
        id=event_id(source.id, key),
        title=title,
        start=start,
        end=end,
        all_day=not isinstance(start, datetime),
        precision=Precision(precision),
        alternatives=tuple(alternatives),
        status=marked if marked and raw.status == Status.SCHEDULED else raw.status,
        venue=venue,
        address=address,
        city=city,
        online=raw.online,
        url=url,
        registration_url=absolute_url(page_url, raw.registration_url),
        description=text,
        description_html=safe_html,
        tags=tuple(dict.fromkeys((*tags, *(clean_text(t) for t in raw.tags if clean_text(t))))),
        region=region,
        sources=(SourceRef(id=source.id, name=source.name, url=url or ""),),
    )
