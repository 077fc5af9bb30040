"""The words of French dates and times, found by a few regular expressions.

Every expression runs on `fold(text)`: lower case, accents removed,
typographic dashes, apostrophes and spaces made plain, one character for one
character, so an offset in the folded copy is an offset in the original text.

`scan_dates` finds day tokens ("mardi 5 novembre 2019", "12/03/2020", the bare
"le 5" of "le 5 de 9h à 12h") and month tokens ("février 2020", "fin juin");
`scan_times` finds clock times and their ranges ("de 9h à 12h30"). Putting
tokens together is the job of `dategroups` (lists and ranges), `dateresolve`
(calendar dates) and `dates` (which day a time belongs to).
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time

logger = logging.getLogger(__name__)

MAX_HITS = 30_000  # numbers, month names or clock times read in one text

# Typographic apostrophes, dashes and spaces, read as their plain forms.
_SPECIAL = (
    dict.fromkeys("\u2019\u2018\u02bc\u2032", "'")
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-")
    | dict.fromkeys("\u00a0\u202f\u2009\u2007", " ")
)


def _fold_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    if len(base) == 1:
        return base
    lower = char.lower()
    # Keep one character for one character, whatever Unicode does ("ﬁ", "İ").
    return lower if len(lower) == 1 else char


class _FoldTable(dict[int, str]):
    """A str.translate table that learns each character the first time it is seen."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower case without accents, same length as `text`.

    >>> fold("Mardi 5 DÉC. – 14h")
    'mardi 5 dec. - 14h'
    """
    return text.translate(_FOLD_TABLE)


MONTHS = (
    "janvier", "fevrier", "mars", "avril", "mai", "juin",
    "juillet", "aout", "septembre", "octobre", "novembre", "decembre",
)  # fmt: skip
_ABBREVIATIONS = {
    "janv": 1, "jan": 1, "fevr": 2, "fev": 2, "avr": 4, "juill": 7, "juil": 7,
    "sept": 9, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def month_number(word: str) -> int:
    """1-12 for a folded month name or abbreviation ("dec." -> 12)."""
    word = word.rstrip(".")
    if word in MONTHS:
        return MONTHS.index(word) + 1
    return _ABBREVIATIONS[word]


_S = r"[^\S\n]"  # a blank that is not a line break: a date never runs over lines
_MONTH_FULL = r"(?:" + "|".join(MONTHS) + r")(?![a-z])"
_MONTH = (
    r"(?:"
    + "|".join(MONTHS)
    + r"|(?:"
    + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True))
    + r")\.?)(?![a-z])"
)
_WEEKDAY = r"(?:" + "|".join(WEEKDAYS) + r")(?![a-z])"
_YEAR = r"(?:19|20)\d\d(?!\d)"
# A day of the month, not a time ("14h"), a decimal, a thousand ("2 500") or an ordinal ("5e").
_DAY = (
    r"(?<![\w.,/:'])(?<![a-z]-)(?P<day>3[01]|[12]\d|0?[1-9])(?:er|ere)?"
    rf"(?![a-z\d]|[.,]\d|{_S}?h(?:eures?)?(?![a-z])|:\d|{_S}\d{{3}}"
    rf"|{_S}*(?:-|a|au){_S}*\d\d?{_S}?h(?![a-z]))"
)
_ELEMENT = rf"{_DAY}(?:{_S}*(?P<month>{_MONTH})(?:{_S}+(?P<year>{_YEAR}))?)?"
_ISO = (
    r"(?<![\d-])(?P<year>(?:19|20)\d\d)-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])"
    r"(?:t(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)(?::\d\d)?)?(?![\d])"
)
_NUMERIC = (
    r"(?<![\d/.,-])(?:(?P<day>3[01]|[12]\d|0?[1-9])[/-](?P<month>1[0-2]|0?[1-9])"
    r"[/-](?P<year>(?:19|20)\d\d|\d\d)"
    r"|(?P<dday>3[01]|[12]\d|0[1-9])\.(?P<dmonth>1[0-2]|0[1-9])\.(?P<dyear>(?:19|20)\d\d|\d\d)"
    rf"|(?P<sday>3[01]|[12]\d|0?[1-9])/(?P<smonth>1[0-2]|0?[1-9])(?!{_S}*{_MONTH}))"
    r"(?!\d|[/.-]\d)"
)
_MONTH_CUES = [
    f"{words} {of}"
    for words in (
        "au cours du mois", "dans le courant du mois", "courant du mois", "durant le mois",
        "pendant le mois", "fin du mois", "debut du mois", "le mois", "au mois", "du mois",
        "a partir",
    )
    for of in ("de", "d'")
] + [
    "a la mi-", "a la mi", "jusqu'en", "courant", "debut", "fin", "mi-", "mi", "des", "en",
    "de", "d'",
]  # fmt: skip


def _cue_pattern(cue: str) -> str:
    words = re.escape(cue).replace(r"\ ", f"{_S}+")
    return words + (f"{_S}*" if cue[-1] in "'-" else f"{_S}+")


_MONTH_SPAN = (
    rf"(?P<month>{_MONTH_FULL})(?:{_S}+(?P<year>{_YEAR}))?"
    rf"(?:{_S}*(?:-|a|au|et|jusqu'a|jusqu'en){_S}*(?:(?:fin|debut|mi-?){_S}*)?"
    rf"(?P<month2>{_MONTH_FULL})(?:{_S}+(?P<year2>{_YEAR}))?)?"
)


def _renamed(pattern: str, name: str) -> str:
    """The pattern with its groups renamed "<name>_<group>", to share one regex."""
    return re.sub(r"\(\?P<(\w+)>", rf"(?P<{name}_\1>", pattern)


MONTH_SPAN_RE = re.compile(_MONTH_SPAN)
# Every date but a bare month holds a digit: one pass finds them, starting only at digits
# (the lookahead lets the regex engine skip every other character quickly).
_DIGITS_RE = re.compile(
    r"(?=\d)(?:"
    + "|".join(
        f"(?P<{name}>{_renamed(pattern, name)})"
        for name, pattern in (("iso", _ISO), ("numeric", _NUMERIC), ("element", _ELEMENT))
    )
    + ")"
)
# Words read backwards from a hit: the cue of a bare month, the weekday and prefix of a day.
_MONTH_CUE_RE = re.compile(
    r"(?<![\w'-])(?:" + "|".join(_cue_pattern(c) for c in _MONTH_CUES) + r"){1,2}$"
)
_WEEKDAY_BEFORE_RE = re.compile(rf"(?<![\w'-])(?P<weekday>{_WEEKDAY}){_S}+$")
_RELATIVE_AFTER_RE = re.compile(rf"{_S}+(?:prochain|dernier)")
PREFIX_RE = re.compile(rf"(?<![\w'-])(?:entre{_S}+les?|entre|du|les|le|au){_S}+$")
# What may stand between two days of one list or range ("13 et 14", "27 au 29", "19-20").
CONNECTOR_RE = re.compile(
    rf"{_S}*(?P<conn>,{_S}*(?:et|ou)|,|et|ou|au|-|/|&|jusqu'au|jusqu'a|a)?{_S}*"
)
_LIST_NEXT_RE = re.compile(
    rf"{_S}*(?:,{_S}*(?:et|ou)?|et|ou|au|-|/|&){_S}*(?:les?{_S}+)?(?:{_WEEKDAY}{_S}+)?\d"
)


@dataclass(frozen=True)
class DayToken:
    """One written day, with the words before it that belong to it ("du", "le")."""

    start: int
    core: int  # where the weekday or the number starts, after the prefix
    end: int
    day: int
    month: int | None
    year: int | None
    weekday: int | None = None
    prefix: str = ""
    clock: time | None = None  # the time of an ISO "2019-11-05T09:30"


@dataclass(frozen=True)
class MonthToken:
    """A month without a day: "février 2020", "fin juin", "d'avril à juin 2020"."""

    start: int
    core: int
    end: int
    month: int
    year: int | None
    end_month: int | None = None
    end_year: int | None = None


@dataclass(frozen=True)
class TimeToken:
    start: int
    end: int
    begin: time
    until: time | None


def _full_year(digits: str) -> int:
    value = int(digits)
    if len(digits) == 4:
        return value
    return 2000 + value if value < 70 else 1900 + value


def _prefix(folded: str, core: int, floor: int) -> tuple[int, str]:
    found = PREFIX_RE.search(folded, max(floor, core - 12), core)
    if found is None:
        return core, ""
    return found.start(), " ".join(found.group().split())


def _weekday(folded: str, number: int, floor: int) -> tuple[int, int | None]:
    """(core, weekday) of a day: the weekday written before the number, if any."""
    found = _WEEKDAY_BEFORE_RE.search(folded, max(floor, number - 12), number)
    if found is None:
        return number, None
    return found.start(), WEEKDAYS.index(found["weekday"])


def _element(folded: str, hit: re.Match[str], floor: int) -> DayToken | None:
    core, weekday = _weekday(folded, hit.start(), floor)
    start, prefix = _prefix(folded, core, floor)
    month, year = hit["element_month"], hit["element_year"]
    # A bare number is a day only with a weekday, a prefix or a following day ("4, 5 et 6 mai").
    if not (month or weekday is not None or prefix or _LIST_NEXT_RE.match(folded, hit.end())):
        return None
    return DayToken(
        start=start,
        core=core,
        end=hit.end(),
        day=int(hit["element_day"]),
        month=month_number(month) if month else None,
        year=int(year) if year else None,
        weekday=weekday,
        prefix=prefix,
    )


def _iso(folded: str, hit: re.Match[str], floor: int) -> DayToken | None:
    start, prefix = _prefix(folded, hit.start(), floor)
    hour, minute = hit["iso_hour"], hit["iso_minute"]
    clock = time(int(hour), int(minute)) if hour else None
    return DayToken(
        start=start,
        core=hit.start(),
        end=hit.end(),
        day=int(hit["iso_day"]),
        month=int(hit["iso_month"]),
        year=int(hit["iso_year"]),
        prefix=prefix,
        clock=clock,
    )


def _numeric(folded: str, hit: re.Match[str], floor: int) -> DayToken | None:
    core, weekday = _weekday(folded, hit.start(), floor)
    start, prefix = _prefix(folded, core, floor)
    day = hit["numeric_day"] or hit["numeric_dday"] or hit["numeric_sday"]
    month = hit["numeric_month"] or hit["numeric_dmonth"] or hit["numeric_smonth"]
    year = hit["numeric_year"] or hit["numeric_dyear"]
    # "3/4" alone may be a fraction: without a year it needs "le 3/09" or a two-digit month.
    if not year and not prefix and weekday is None and len(month) < 2:
        return None
    return DayToken(
        start=start,
        core=core,
        end=hit.end(),
        day=int(day),
        month=int(month),
        year=_full_year(year) if year else None,
        weekday=weekday,
        prefix=prefix,
    )


def _month_span(folded: str, hit: re.Match[str], floor: int) -> MonthToken | None:
    if hit.start() and (folded[hit.start() - 1].isalnum() or folded[hit.start() - 1] == "_"):
        return None  # inside a word
    cue_found = _MONTH_CUE_RE.search(folded, max(floor, hit.start() - 30), hit.start())
    cue = " ".join(cue_found.group().split()) if cue_found else ""
    year, year2, month2 = hit["year"], hit["year2"], hit["month2"]
    # "mai" alone is not a date; "en mai", "mai 2020", "de mai à juillet", "juin dernier" are.
    relative = _RELATIVE_AFTER_RE.match(folded, hit.end()) is not None
    if not (year or year2 or relative or (cue and cue not in ("de", "d'")) or (cue and month2)):
        return None
    return MonthToken(
        start=cue_found.start() if cue_found else hit.start(),
        core=hit.start(),
        end=hit.end(),
        month=month_number(hit["month"]),
        year=int(year) if year else None,
        end_month=month_number(month2) if month2 else None,
        end_year=int(year2) if year2 else None,
    )


_READERS = {"iso": _iso, "numeric": _numeric, "element": _element}


def _bounded(hits: Iterator[re.Match[str]], what: str) -> Iterator[re.Match[str]]:
    """The first MAX_HITS hits: a page with more is no agenda, and time must stay bounded."""
    for count, hit in enumerate(hits):
        if count == MAX_HITS:
            logger.warning("more than %d %s in one text: the rest is not read", MAX_HITS, what)
            return
        yield hit


def _day_tokens(folded: str) -> list[DayToken]:
    tokens: list[DayToken] = []
    floor = 0
    for hit in _bounded(_DIGITS_RE.finditer(folded), "numbers"):
        token = _READERS[hit.lastgroup or ""](folded, hit, floor)
        if token is not None:
            tokens.append(token)
            floor = token.end
    return tokens


def scan_dates(folded: str) -> list[DayToken | MonthToken]:
    """Every day and month token of a folded text, in order, none overlapping."""
    days = _day_tokens(folded)
    starts = [d.start for d in days]
    tokens: list[DayToken | MonthToken] = list(days)
    for hit in _bounded(MONTH_SPAN_RE.finditer(folded), "month names"):
        index = bisect.bisect_right(starts, hit.start())
        floor = days[index - 1].end if index else 0
        if floor > hit.start() or (index < len(days) and days[index].start < hit.end()):
            continue  # the month of a written day ("5 mai") or overlapping one
        token = _month_span(folded, hit, floor)
        if token is not None:
            tokens.append(token)
    return sorted(tokens, key=lambda t: t.start)


_HOUR = r"(?:[01]?\d|2[0-3])"
_CLOCK = (
    rf"(?:(?P<{{p}}h>{_HOUR}){_S}?h(?:eures?)?(?:{_S}?(?P<{{p}}m>[0-5]\d))?(?![a-z\d])"
    rf"|(?P<{{p}}ch>{_HOUR}):(?P<{{p}}cm>[0-5]\d)(?::\d\d)?(?![\d]))"
)
TIME_RE = re.compile(
    r"(?=\d)(?<![\w:/.,])(?:"
    + _CLOCK.format(p="a")
    # "de 14 à 17h", "14-17h": the first hour borrows the "h" of the second
    + rf"|(?P<bare>{_HOUR})(?={_S}*(?:-|a|au){_S}*{_HOUR}{_S}?h))"
    + rf"(?:{_S}*(?:-|/|a|au|et|jusqu'a){_S}*(?:"
    + _CLOCK.format(p="b")
    + r"|(?P<noon>midi)(?![a-z])))?"
)
_TIME_PREFIX_RE = re.compile(
    rf"(?<![\w'])(?P<pre>a{_S}+partir{_S}+d[e']|des|de|a|entre|vers|jusqu'a|avant|apres|"
    rf"pendant|durant|duree{_S}+de|duree|environ|en|toutes{_S}+les){_S}*$"
)
# Words that make a lone "3 heures" a duration or a limit, not a starting time.
_NOT_A_START = {"jusqu'a", "avant", "apres", "pendant", "durant", "duree", "environ", "en"}


def _clock(found: re.Match[str], p: str) -> time | None:
    hour = found[f"{p}h"] or found[f"{p}ch"] or (found["bare"] if p == "a" else None)
    if hour is None:
        return None
    minute = found[f"{p}m"] or found[f"{p}cm"] or "0"
    return time(int(hour), int(minute))


def scan_times(folded: str) -> list[TimeToken]:
    """Clock times that can start an event, with the end time when one is given."""
    times: list[TimeToken] = []
    for found in _bounded(TIME_RE.finditer(folded), "clock times"):
        begin = _clock(found, "a")
        until = _clock(found, "b") or (time(12, 0) if found["noon"] else None)
        before = _TIME_PREFIX_RE.search(folded, max(0, found.start() - 14), found.start())
        pre = " ".join(before["pre"].split()) if before else ""
        if begin is None or pre.startswith("duree") or pre == "toutes les":
            continue
        lone_hours = until is None and found["am"] is None and "heure" in found.group()
        if until is None and (pre in _NOT_A_START or (pre == "de" and lone_hours)):
            continue
        start = before.start() if before else found.start()
        times.append(TimeToken(start=start, end=found.end(), begin=begin, until=until))
    return times
