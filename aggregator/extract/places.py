"""Where an event takes place, read from French announcement text.

    find_place("Salle X, 12 rue Y, 69100 Villeurbanne")
    -> Place(venue="Salle X", address="12 rue Y", city="Villeurbanne", postcode="69100")

Cities are the communes of the offline gazetteer (`gazetteer.py`). A name
counts as a city by the cue around it, strongest first: a postcode before it
or a department after it ("Tourcoing (59)"), "à"/"au" before it, the head of
a news line ("Marans – …"), "en"/"sur", a segment of its own between dashes
or commas, "la ville de …", and last a bare capitalised name. Names that are
also everyday words ("Orange", "Ville") need one of the first cues. Venues
come from a lexicon of French venue nouns ("salle", "médiathèque", …) or a
proper name placed "à la …, <city>". Pure: no network, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from aggregator.extract import venues as _venues
from aggregator.extract.gazetteer import (
    ABBREVIATIONS,
    Commune,
    communes,
    department_code,
    department_of_postcode,
    fold,
    fold_chars,
    fold_word,
    gazetteer,
    pick,
)
from aggregator.extract.venues import Span, SpanIndex

_WORD = re.compile(r"[^\W\d_]+")
_JOINERS = ("-", "'", "’", "")  # between the words of one name, spaces aside
_ARTICLES = {"le", "la", "les", "l"}
_CONTRACTIONS = {"au": "le", "du": "le", "aux": "les", "des": "les"}
_STRONG_CUES = {"a": 5, "au": 5, "aux": 5, "en": 4, "sur": 4}
# "… notamment à Strasbourg": a city given as an example, not the place.
_EXAMPLE = {"notamment", "comme", "exemple", "exemples", "ainsi", "tels", "telles", "tel", "telle"}
# "la ville de Seysses", "le maire de Lyon", "quartier d'Orléans".
_CIVIC = {
    "ville", "commune", "municipalite", "mairie", "maire", "metropole", "agglomeration",
    "communaute", "quartier", "quartiers", "habitants", "territoire", "centre",
}  # fmt: skip
# Names that street, building and district names borrow ("rue de Paris", "lycée Lyon").
_NAME_TAKERS = {
    "rue", "avenue", "av", "boulevard", "bd", "place", "quai", "allee", "chemin", "route",
    "impasse", "cours", "square", "gare", "porte", "pont", "faubourg", "esplanade", "parvis",
    "stade", "lycee", "college", "ecole", "cite", "residence", "salle", "espace", "parc",
    "hopital", "clinique", "station", "metro", "universite", "iut", "chu", "academie",
    "institut", "prefecture", "quartier", "quartiers", "campus",
}  # fmt: skip
_CALENDAR = {
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
    "octobre", "novembre", "decembre", "lundi", "mardi", "mercredi", "jeudi", "vendredi",
    "samedi", "dimanche", "cedex",
}  # fmt: skip
_SENTENCE_END = '.!?…:;\n«“"(•*'
_SEGMENT_BEFORE = re.compile(r"(?:^|[–—(,;:|/\n]|\s-)\s*$")
_SEGMENT_AFTER = re.compile(r"^\s*(?:$|[,;.)–—(|/\n]|-\s)")
_HEADING_AFTER = re.compile(r"^\s*(?:[–—:|]|-\s)")
_DEPT_AFTER = re.compile(r"^\s*\(\s*([^()\n]{1,30}?)\s*\)")
_POSTCODE_BEFORE = re.compile(r"\b(\d{5})\s*$")
_PLACED_NAME_BEFORE = re.compile(
    r"(?:\b[àÀ]\s+(?:la\s+|l['’])?|\b[Aa]ux?\s+|\bdans\s+(?:la\s+|le\s+|les\s+|l['’]))"
    r"(?:[A-ZÀ-Ý][^\s,.;:()]*\s+){1,3}d(?:e\s+|['’])$"
)
_BULLETS = " \t-–—•*·>"
_COMMON_SEGMENT_POPULATION = 40_000
_BARE_POPULATION = 2_000


@dataclass(frozen=True, kw_only=True)
class Place:
    """A place announced in a text; every field None when none was found."""

    venue: str | None = None
    address: str | None = None
    city: str | None = None
    postcode: str | None = None
    span: tuple[int, int] | None = None  # the venue/address/city stretch of the text


class _Token(NamedTuple):
    start: int
    end: int
    raw: str
    key: str


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    commune: Commune
    score: int
    postcode: str | None


def normalise_city(name: str) -> str | None:
    """The official commune name a written city name stands for, else None.

    >>> normalise_city("vaulx en velin"), normalise_city("ST DENIS")
    ('Vaulx-en-Velin', 'Saint-Denis')
    >>> normalise_city("69100 VILLEURBANNE CEDEX"), normalise_city("Lyon 3e")
    ('Villeurbanne', 'Lyon')
    >>> normalise_city("Atlantide") is None
    True
    """
    text = re.sub(r"\s+", " ", name or "").strip(" ,.-")
    postcode = re.match(r"(\d{5})\s+", text)
    text = text[postcode.end() :] if postcode else text
    dept = department_of_postcode(postcode.group(1)) if postcode else None
    bracket = re.search(r"\s*\(([^()]+)\)\s*$", text)
    if bracket:
        dept = department_code(bracket.group(1)) or dept
        text = text[: bracket.start()]
    text = re.sub(r"(?i)\s+(cedex(\s*\d+)?|\d{1,2}\s*(e|er|[eè]me)?(\s+arr\w*\.?)?)$", "", text)
    text = re.sub(r"(?i),?\s*france$", "", text)
    commune = pick(communes(fold(text)), dept)
    return commune.name if commune else None


def find_city(text: str) -> str | None:
    """The official name of the commune a text gives as the place, else None.

    >>> find_city("Rendez-vous à Vaulx en Velin le 12 décembre")
    'Vaulx-en-Velin'
    """
    return find_place(text).city


def find_place(text: str) -> Place:
    """The best place a text announces: venue, street address, city and postcode."""
    if not text or not text.strip():
        return Place()
    addresses = _venues.addresses(text)
    lexicon = _venues.lexicon_venues(text, addresses)
    hits = _city_hits(text, lexicon, addresses)
    venue = _venues.best_venue(text, lexicon, addresses, [(h.start, h.end) for h in hits])
    best = max(hits, key=lambda h: (h.score, -h.start), default=None)
    return _place(text, venue, addresses, best, hits)


def _place(
    text: str,
    venue: Span | None,
    addresses: list[Span],
    best: _Hit | None,
    hits: list[_Hit],
) -> Place:
    address = _venues.address_after(text, venue, addresses) if venue else None
    if venue is None and addresses:
        address = min(addresses, key=lambda a: abs(a.start - best.start)) if best else addresses[0]
    parts = [p for p in (venue, address) if p is not None]
    if best and (not parts or _near(best, parts)):
        parts.append(Span(best.start, best.end, best.commune.name))
    postcode = best.postcode if best else None
    if best and postcode is None:
        postcode = next(
            (h.postcode for h in hits if h.commune == best.commune and h.postcode), None
        )
    span = (min(p.start for p in parts), max(p.end for p in parts)) if parts else None
    return Place(
        venue=venue.text if venue else None,
        address=address.text if address else None,
        city=best.commune.name if best else None,
        postcode=postcode,
        span=span,
    )


def _near(hit: _Hit, parts: list[Span], distance: int = 100) -> bool:
    return any(hit.start - p.end <= distance and p.start - hit.end <= distance for p in parts)


def _tokens(text: str) -> list[_Token]:
    folded = fold_chars(text)  # one character for one: offsets stay valid
    tokens = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        key = folded[start:end]
        if not key.isascii():
            key = fold_word(key)
        tokens.append(_Token(start, end, match.group(), ABBREVIATIONS.get(key, key)))
    return tokens


def _joined(text: str, left: _Token, right: _Token) -> bool:
    return text[left.end : right.start].strip() in _JOINERS and right.start - left.end <= 3


def _capitalised(token: _Token) -> bool:
    return token.raw[:1].isupper()


def _city_hits(text: str, venue_spans: list[Span], addresses: list[Span]) -> list[_Hit]:
    tokens, venues, streets = _tokens(text), SpanIndex(venue_spans), SpanIndex(addresses)
    hits: list[_Hit] = []
    i = 0
    while i < len(tokens):
        found = _longest_name(text, tokens, i)
        if found is None:
            i += 1
            continue
        length, matches, alias = found
        hit = _scored(text, tokens, i, i + length, matches, alias, venues, streets)
        if hit is not None:
            hits.append(hit)
        i += length
    return hits


def _longest_name(
    text: str, tokens: list[_Token], i: int
) -> tuple[int, tuple[Commune, ...], bool] | None:
    """The longest commune name starting at token i: (words, communes, via alias)."""
    first = tokens[i]
    article = first.key in _ARTICLES and i + 1 < len(tokens) and _capitalised(tokens[i + 1])
    if not (_capitalised(first) or article):
        return None
    prefix = ""
    if i and tokens[i - 1].key in _CONTRACTIONS and _joined(text, tokens[i - 1], first):
        prefix = _CONTRACTIONS[tokens[i - 1].key] + " "
    data = gazetteer()
    stop = min(len(tokens), i + data.longest)
    keys = [first.key]
    for j in range(i + 1, stop):
        if not _joined(text, tokens[j - 1], tokens[j]):
            break
        keys.append(tokens[j].key)
    for length in range(len(keys), 0, -1):
        key = " ".join(keys[:length])
        for candidate in (prefix + key, key) if prefix else (key,):
            if candidate in data.names:
                return length, data.names[candidate], False
            if candidate in data.aliases:
                return length, data.aliases[candidate], True
    return None


def _scored(
    text: str,
    tokens: list[_Token],
    i: int,
    j: int,
    found: tuple[Commune, ...],
    alias: bool,
    venues: SpanIndex,
    addresses: SpanIndex,
) -> _Hit | None:
    start, end = tokens[i].start, tokens[j - 1].end
    before, after = text[max(0, start - 60) : start], text[end : end + 60]
    previous = tokens[i - 1] if i and tokens[i - 1].end > start - 4 else None
    if _glued(before, after) or addresses.overlapping(start, start + 1):
        return None
    dept, postcode = _department(before, after)
    score = 6 if dept else _cue_score(tokens, i, previous, before, after, venues, start, end)
    if score <= 0 or (alias and score < 4) or (score == 1 and _sentence_start(text, start)):
        return None
    written = [c for c in found if not _accents_differ(tokens[i:j], c.name)]
    commune = pick(found, dept) if dept or not written else written[0]  # "Mellé" is not "Melle"
    if commune is None or not _plausible(commune, score, tokens[i]):
        return None
    if commune.common_word and _accents_differ(tokens[i:j], commune.name):
        return None  # "Hôtel de Ville" is not Villé
    if _embedded(text, tokens, i, j, _well_known(commune, score)):
        return None
    return _Hit(start, end, commune, score, postcode)


def _well_known(commune: Commune, score: int) -> bool:
    """A large city after a strong cue keeps a district after it: "à Lyon Part-Dieu"."""
    return score >= 5 and not commune.common_word and commune.population >= 20_000


def _accents_differ(written: list[_Token], name: str) -> bool:
    """Whether the text writes the name with other accents ("Ville" for "Villé")."""
    if all(t.raw.isupper() for t in written):
        return False  # capitals often drop accents
    words = _WORD.findall(name.lower())[-len(written) :]
    return any(
        t.raw.lower() != word
        for t, word in zip(written, words, strict=False)
        if t.raw.lower() not in ABBREVIATIONS
    )


def _glued(before: str, after: str) -> bool:
    """Part of a longer hyphenated word ("Haut-Bonneuil", "Paris-Saclay")."""
    return bool(re.search(r"\w-$", before) or re.match(r"-\w", after))


def _embedded(text: str, tokens: list[_Token], i: int, j: int, well_known: bool) -> bool:
    """Inside a longer proper name ("Porte Saint-Denis", "Plaine Images")."""
    if all(t.raw.isupper() for t in tokens[i:j]):
        return False  # in capitals, neighbours tell nothing
    after = tokens[j] if j < len(tokens) else None
    if after and _capitalised(after) and text[tokens[j - 1].end : after.start] == " ":
        if well_known:
            return False
        if after.key not in _CALENDAR:
            return True
    before = tokens[i - 1] if i else None
    if before is None or not _capitalised(before) or text[before.end : tokens[i].start] != " ":
        return False
    if before.key in _STRONG_CUES or before.key in _CONTRACTIONS:
        return False
    return not _sentence_start(text, before.start)


def _department(before: str, after: str) -> tuple[str | None, str | None]:
    """The department a postcode before or a bracket after gives, and the postcode."""
    code = _POSTCODE_BEFORE.search(before)
    if code and department_code(department_of_postcode(code.group(1))):
        return department_of_postcode(code.group(1)), code.group(1)
    bracket = _DEPT_AFTER.match(after)
    if bracket:
        return department_code(bracket.group(1)), None
    return None, None


def _cue_score(
    tokens: list[_Token],
    i: int,
    previous: _Token | None,
    before: str,
    after: str,
    venues: SpanIndex,
    start: int,
    end: int,
) -> int:
    inside = venues.overlapping(start, end)
    if any(v.start > start for v in inside):
        return 0  # straddles a venue's start: "à la Salle des fêtes"
    word = previous.key if previous else ""
    two_back = tokens[i - 2].key if i >= 2 else ""
    if word in _NAME_TAKERS or (word in ("de", "d") and two_back in _NAME_TAKERS - _CIVIC):
        return 4 if inside and word in ("de", "d") else 0
    if inside:
        return 4 if word in ("de", "d", "du") else 0
    if previous and word in _STRONG_CUES and previous.raw != "a":  # "a": the verb
        return 0 if two_back in _EXAMPLE else _STRONG_CUES[word]
    line = before.rsplit("\n", 1)[-1]
    if not line.strip(_BULLETS) and _HEADING_AFTER.match(after):
        return 5
    if word in ("de", "d") and two_back in _CIVIC:
        return 3
    if word in ("de", "d") and i >= 2 and _capitalised(tokens[i - 2]):
        # "au CCO de Villeurbanne" places the event; "Ports de Lille" only names a body
        return 4 if _PLACED_NAME_BEFORE.search(before) else 0
    if _SEGMENT_BEFORE.search(before) and _SEGMENT_AFTER.match(after):
        return 3
    return 1


def _plausible(commune: Commune, score: int, first: _Token) -> bool:
    """Cues a name needs: everyday words and month names need a strong one."""
    if fold(commune.name) in _CALENDAR:
        return score >= 6
    if commune.common_word:
        return score >= 5 or (score == 3 and commune.population >= _COMMON_SEGMENT_POPULATION)
    if score == 1:
        return commune.population >= _BARE_POPULATION and not first.raw.isupper()
    return True


def _sentence_start(text: str, index: int) -> bool:
    before = text[max(0, index - 80) : index].rstrip(" \t\u00a0")
    return not before or before[-1] in _SENTENCE_END or before.endswith(("–", "—", " -"))
