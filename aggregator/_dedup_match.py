"""Whether two announcements are the same real event: profiles, blocking, pair scores.

`dedup.py` clusters; this module compares. Each event is reduced once to a
`Profile` (the content words of its title, its days, place and links;
`_dedup_profile.py`, `_dedup_words.py`), pairs sharing a day and a town are picked by rapidfuzz
(blocking), then a pair is scored: a title score plus or minus a few points
per field, each kept with its reason so an admin can read why two
announcements became one (`merged_because`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import fuzz, process
from rapidfuzz.fuzz import token_set_ratio

from aggregator._dedup_profile import Profile

THRESHOLD = 85.0  # a pair at or above this score is the same event
PREFILTER = 65.0  # title score below which a pair sharing a day is not scored further


# --- scoring a pair -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """A pair's score and why: `fields` maps each compared field to what was found."""

    score: float
    fields: dict[str, str | float]

    @property
    def same(self) -> bool:
        return self.score >= THRESHOLD


_NO_MATCH = Match(score=0.0, fields={})


def _dates(a: Profile, b: Profile) -> tuple[float, str] | None:
    """Points and a word for how the dates meet, or None when they do not."""
    if a.month or b.month:
        if a.month and b.month:
            return (0.0, "same month") if a.month == b.month else None
        month, other = (a.month, b) if a.month else (b.month, a)
        return (-8.0, "month and day") if (other.first.year, other.first.month) == month else None
    if a.alternatives or b.alternatives:
        days_a = a.alternatives or _span(a)
        days_b = b.alternatives or _span(b)
        return (0.0, "one of the proposed days") if days_a & days_b else None
    if a.last < b.first or b.last < a.first:
        return None
    if (a.first, a.last) == (b.first, b.last):
        return 4.0, "same days" if a.last > a.first else "same day"
    if a.first == b.first:
        return 2.0, "same first day"
    if max(a.last - a.first, b.last - b.first) > timedelta(days=3):
        return -25.0, "one day of a longer programme"
    return -2.0, "day within the other's dates"


def _span(p: Profile) -> frozenset[date]:
    return frozenset(p.days) if p.days else frozenset({p.first})


def _sessions(a: Profile, b: Profile) -> str | None:
    """Why two titles are different parts of a cycle (or numbered items), if they are."""
    if a.session is not None and b.session is not None and a.session != b.session:
        return f"sessions {a.session} and {b.session}"
    if a.numbers and b.numbers and a.numbers != b.numbers:
        return f"numbers {' '.join(sorted(a.numbers))} and {' '.join(sorted(b.numbers))}"
    one = a if a.session is not None else b if b.session is not None else None
    other = b if one is a else a
    if (
        one is not None
        and other.session is None
        and other.last > other.first
        and one.last == one.first
    ):
        return f"session {one.session} of a cycle"
    return None


def _close(word: str, other: str) -> bool:
    """One word with another ending: "évaluation"/"évaluer", "jeunesse"/"jeunes"."""
    if word[:5] != other[:5] or len(other) < 5:
        return False
    prefix = 5
    while prefix < min(len(word), len(other)) and word[prefix] == other[prefix]:
        prefix += 1
    return prefix >= 0.7 * min(len(word), len(other))


def _unmatched(words: Iterable[str], others: Sequence[str]) -> list[str]:
    """Words with no equal among `others`, nor one with another ending or a typo."""
    missing = []
    for word in words:
        if word in others:
            continue
        if len(word) >= 5:
            if any(_close(word, other) for other in others):
                continue
            if process.extractOne(word, others, scorer=fuzz.ratio, score_cutoff=85):
                continue
        missing.append(word)
    return sorted(missing)


def title_score(a: Profile, b: Profile) -> tuple[float, str]:
    """0–100 and a note: rapidfuzz's token-set score when one title only adds
    words to the other; the share of content words in common when each has
    words the other lacks (two events on one theme: "… et mémoire" / "… et santé")."""
    if not a.strong or not b.strong:  # "Mardi de Résovilles": the title tells nothing
        return 50.0, "a title without content words"
    if a.words == b.words:  # relays often copy the title: nothing more to look at
        return 100.0, "same words"
    score = fuzz.token_set_ratio(a.title, b.title)
    extra_a = _unmatched(a.strong, b.words)
    extra_b = _unmatched(b.strong, a.words)
    shared = (len(a.strong) - len(extra_a) + len(b.strong) - len(extra_b)) / 2
    if shared == 0 and (a.strong or b.strong):
        return min(score, 40.0), "no content word in common"
    if extra_a and extra_b:
        share = 100.0 * shared / (shared + len(extra_a) + len(extra_b))
        return min(score, share), f"differ: {' '.join(extra_a)} / {' '.join(extra_b)}"
    return score, "same words" if not (extra_a or extra_b) else "one title adds words"


def _place(a: Profile, b: Profile) -> tuple[float, str | None, str]:
    if a.city and b.city:
        if a.city == b.city or fuzz.ratio(a.city, b.city) >= 85:
            return 8.0, "same city", "place"
        return -30.0, "different cities", "place"
    if a.online and b.online:
        return 4.0, "both online", "place"
    return 0.0, None, "place"


def _organisers(a: Profile, b: Profile) -> tuple[float, str | None, str]:
    if a.named and b.named and not set(a.named) & set(b.named):
        return -40.0, "different organisers named", "organiser"
    return 0.0, None, "organiser"


def _times(a: Profile, b: Profile) -> tuple[float, str | None, str]:
    if a.minutes is None or b.minutes is None or a.first != b.first:
        return 0.0, None, "time"
    gap = abs(a.minutes - b.minutes)
    if gap <= 15:
        return 6.0, "same start time", "time"
    if gap >= 90:
        return -30.0, "different start times", "time"
    return 0.0, None, "time"


def _texts(a: Profile, b: Profile) -> tuple[float, str | None, str]:
    if len(a.text) < 80 or len(b.text) < 80:
        return 0.0, None, "description"
    short, long = sorted((a.text, b.text), key=len)
    if fuzz.partial_ratio(short[:160], long) >= 90:
        return 30.0, "same description", "description"
    return 0.0, None, "description"


def compare(a: Profile, b: Profile) -> Match:
    """The score of a pair and the fields behind it (see THRESHOLD).

    The cheap fields come first: a pair that could not reach THRESHOLD even
    with identical titles (other city, other time) is not compared further.
    """
    dates = _dates(a, b)
    if dates is None:
        return _NO_MATCH
    parts: dict[str, str | float] = {"dates": dates[1]}
    cycle = _sessions(a, b)
    if cycle:
        parts["cycle"] = cycle
        return Match(score=0.0, fields=parts)
    score = dates[0]
    for points, word, name in (_place(a, b), _times(a, b), _organisers(a, b)):
        if word:
            parts[name] = word
            score += points
    if a.session is not None and a.session == b.session:
        parts["session"] = f"same session {a.session}"
        score += 6.0
    shared = sorted(set(a.links) & set(b.links)) if a.links and b.links else []
    texts = len(a.text) >= 80 and len(b.text) >= 80
    if score + 100.0 + 45.0 * bool(shared) + 30.0 * texts < THRESHOLD:
        return Match(score=round(score + 100.0, 1), fields={**parts, "title": "not compared"})
    title, note = title_score(a, b)
    parts = {"title": round(title, 1), "title_note": note, **parts}
    score += title
    if shared:
        parts["link"] = shared[0]
        score += 45.0 if note != "no content word in common" else 20.0
    points, word, name = _texts(a, b)
    if word:
        parts[name] = word
        score += points
    if a.month or b.month:  # no day to agree on: only near-identical titles
        score = min(score, title) if title >= 90 else min(score, THRESHOLD - 1)
    return Match(score=round(score, 1), fields=parts)


# --- blocking: which pairs are worth scoring ----------------------------------------------


def _month_of(day: date) -> tuple[int, int]:
    return day.year, day.month


def _close_titles(
    i: int, others: Sequence[int], profiles: Sequence[Profile], pairs: set[tuple[int, int]]
) -> None:
    """Add (i, j) for each j in `others` whose title is close enough to score."""
    key, numbers = profiles[i].key, profiles[i].numbers
    if not key:  # "Mardi de Résovilles": the title says nothing, the other fields may
        pairs.update(_ordered(i, j) for j in others)
        return
    if len(others) > 8:  # rapidfuzz's loop in C pays off past a few titles
        keys = [profiles[j].key for j in others]
        close = [others[n] for _, _, n in _extract(key, keys)]
        close += [j for j, other in zip(others, keys, strict=True) if not other]
    else:  # most town groups of a day: one or two others, a direct call is cheaper
        close = [
            j
            for j in others
            if not profiles[j].key
            or token_set_ratio(key, profiles[j].key, score_cutoff=PREFILTER) >= PREFILTER
        ]
    for j in close:
        other = profiles[j].numbers
        if not (numbers and other and numbers != other):  # "Rencontre 3" is not "Rencontre 4"
            pairs.add(_ordered(i, j))


def _extract(key: str, keys: list[str]) -> list[tuple[str, float, int]]:
    return process.extract(key, keys, scorer=token_set_ratio, score_cutoff=PREFILTER, limit=None)


def _day_pairs(
    block: Sequence[int], profiles: Sequence[Profile], pairs: set[tuple[int, int]]
) -> None:
    """A day's pairs worth scoring: close titles in one town (by its first letters, so a
    typo still meets), or where one has no town; and every pair sharing a link, the
    only way announcements naming two towns can still be one event."""
    by_town: dict[str, list[int]] = defaultdict(list)
    anywhere: list[int] = []
    for i in block:
        town = profiles[i].city[:3]
        (by_town[town] if town else anywhere).append(i)
    for group in by_town.values():
        for n, i in enumerate(group[:-1]):
            _close_titles(i, group[n + 1 :], profiles, pairs)
    placed = [i for group in by_town.values() for i in group]
    for n, i in enumerate(anywhere):
        _close_titles(i, placed + anywhere[n + 1 :], profiles, pairs)
    by_link: dict[str, list[int]] = defaultdict(list)
    for i in block:
        for link in profiles[i].links:
            by_link[link].append(i)
    for linked in by_link.values():
        pairs.update(_ordered(x, y) for n, x in enumerate(linked) for y in linked[n + 1 :])


def _ordered(i: int, j: int) -> tuple[int, int]:
    return (i, j) if i < j else (j, i)


def candidate_pairs(profiles: Sequence[Profile]) -> set[tuple[int, int]]:
    """Index pairs that share a day (or a month, for "février 2020") and look alike.

    Blocking by day (and town) keeps the work about linear in the number of events.
    """
    by_day: dict[date, list[int]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[int]] = defaultdict(list)
    month_only: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        if p.month:
            month_only[p.month].append(i)
            continue
        for day in p.days:
            by_day[day].append(i)
        for month in {_month_of(p.first), _month_of(p.last)}:
            by_month[month].append(i)
    pairs: set[tuple[int, int]] = set()
    for block in by_day.values():
        if len(block) > 1:
            _day_pairs(block, profiles, pairs)
    for month, vague in month_only.items():
        dated = by_month.get(month, [])
        for n, i in enumerate(vague):
            _close_titles(i, vague[n + 1 :] + dated, profiles, pairs)
    return pairs
