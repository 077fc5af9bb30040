"""Venues and street addresses in French announcement text (used by `places`).

A venue is a venue noun ("salle", "médiathèque", "Jardins", …) with its
complement, introduced by "à la"/"au"/"dans la" or standing as a segment of
its own ("18h30, Maison de Quartier Lalande, 239 avenue …"); or a proper name
placed "à la Plaine Images, Tourcoing"; or the name just before a bracketed
address ("– ADRAR Formation à Ramonville (2 rue …)").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from aggregator.extract.gazetteer import fold_chars

_HEADS = (
    "amphitheatre", "amphi", "archives", "auberge", "auditorium", "bibliotheque",
    "bourse du travail", "chapelle", "chateau", "cinema", "cloitre", "college", "complexe",
    "conservatoire", "ecole", "eglise", "espace", "fac", "faculte", "ferme", "forum", "foyer",
    "friche", "grange", "gymnase", "halle", "halles", "hotel", "jardin", "jardins", "lycee",
    "ludotheque", "maison", "mairie", "manege", "mediatheque", "mjc", "musee", "museum",
    "opera", "palais", "parc", "pavillon", "piscine", "prefecture", "salle", "salles",
    "sous-prefecture", "stade", "theatre", "tiers-lieu", "universite", "centre", "campus",
    "cafe",
)  # fmt: skip
_HEAD = re.compile(rf"\b(?:{'|'.join(sorted(set(_HEADS), key=len, reverse=True))})\b(?![-'])")
# Heads that are also everyday words ("au centre de la réflexion", "à l'école"): they
# need a capital in the venue or a venue-like complement.
_AMBIGUOUS = {
    "centre", "espace", "maison", "parc", "foyer", "pavillon", "palais", "ferme", "cafe",
    "complexe", "forum", "hotel", "chateau", "ecole", "college", "lycee", "universite",
    "faculte", "fac", "campus", "jardin", "jardins", "halle", "grange", "archives",
}  # fmt: skip
_VENUE_COMPLEMENT = re.compile(
    r"^(?:\S+ )?(?:sociale?|socio-?culturel(?:le)?|culturel(?:le)?|sporti(?:f|ve)|municipale?"
    r"|communale?|associati(?:f|ve)|polyvalente?|intergenerationnel(?:le)?|des fetes"
    r"|des associations|des congres|des expositions|de quartier|de la culture|des jeunes"
    r"|de loisirs|d'animation|jeunesse|de la vie associative|des sports|des solidarites"
    r"|du citoyen|de la citoyennete|france services|aere|commercial|de l'emploi|des arts"
    r"|des familles|de sante|partages?|familia(?:l|ux)|d'accueil)\b"
)
_ALONE_OK = {"mairie", "mediatheque", "bibliotheque", "ludotheque", "prefecture", "auditorium"}
_NEEDS_ARTICLE = {"forum"}  # also an event type: "Forum de quartier – La Source"
_ADJECTIVE = re.compile(
    r"\b(?:grand|grande|petit|petite|nouveau|nouvel|nouvelle|ancien|ancienne|vieux|vieille)\s+$"
)
_CUE = re.compile(r"(?:^|[^\w'])(a la |a l'|a |au |aux |dans (?:la |le |les |l'))\s*$")
_SEGMENT = re.compile(r"(?:^|[–—:;,(\n|.!?]|\s-)\s*((?:le|la|les|l') ?|l')?$")
_SENTENCE_START = re.compile(r"(?:^|[.!?\n])\s*(?:(?:le|la|les|l') ?|l')?$")
_DELIMITERS = ',.;:()[]!?–—«»"|/\n'
_PIECE = re.compile(r"[ \t\u00a0]*([^\s,.;:()\[\]!?–—«»\"|/]+)")
_STOPS = {
    "a", "pour", "avec", "afin", "qui", "que", "qu", "ou", "dont", "puis", "en", "sur",
    "dans", "pendant", "lors", "autour", "avant", "apres", "entre", "par", "aupres", "jusqu",
    "chez", "ce", "cette", "il", "elle", "ils", "elles", "on", "nous", "vous", "est", "sont",
    "sera", "seront", "se", "s", "avait", "ont", "situe", "situee", "aura", "auront",
    "accueille", "accueillera", "accueillent", "propose", "proposera", "organise",
    "organisera", "ouvre", "ouvrira", "lance", "invite", "invitent", "presente", "reunit",
    "reunira", "fete", "fetera", "celebre", "devient", "reste", "restera", "permet",
}  # fmt: skip
_CONNECTORS = {"de", "du", "des", "la", "le", "les", "l'", "d'", "et", "au", "aux", "l", "d"}
_CALENDAR = re.compile(
    r"^(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|matin|midi|soir|apres-midi)$"
)
_NOT_VENUES = re.compile(
    r"^(centre de ressources|centre ville|centres? sociaux$|espace (public|numerique|personnel"
    r"|membre|adherent|pro|client|d'echanges?|de dialogue|de discussion|de parole|de rencontres?"
    r"|de travail)|parc (social|locatif|prive|public|de logements|immobilier|ancien|hlm)"
    r"|ecole (de la (deuxieme|2e) chance|du renouvellement)|(universite|ecole)s? d.ete)"
)
_ORGANISATION_AFTER = re.compile(r"\s*\(\s*[A-Z][A-Z0-9&-]{1,9}\s*\)")
# Between a venue and its address: punctuation, maybe "(MRES)" or "à <city>".
_GAP = re.compile(r"[\s,(–—-]*(?:\([^()\n]{1,30}\)[\s,]*)?(?:[àÀ]\s[^,.;:()\n]{1,40}?[\s,(–—-]*)?")
_LABELLED = re.compile(
    r"\b(?:[Ll]ieux?|LIEUX?|[Aa]dresse|ADRESSE|[Oo]ù|OÙ|[Ll]ocalisation)\s*\??\s*:\s*"
    r"(?P<name>[^\d\s,\n;()–—][^,\n;()–—]{1,80}?)\s*(?=[,\n;(–—]|\.\s|\.?$)"
)
_ONLINE_WORDS = {"en ligne", "en visio", "a distance", "visioconference", "webinaire", "zoom"}
_MAX_PIECES = 8
_MAX_SEGMENT_PIECES = 7
_ADDRESS = re.compile(
    r"\b\d{1,4}(?:\s?(?:bis|ter|[A-D])\b)?,?\s+"
    r"(?i:rue|avenue|av\.|bd|boulevard|place|quai|all[ée]es?|chemin|route|impasse|cours|square"
    r"|esplanade|parvis|rond-point|passage|promenade|voie|faubourg|mail|sentier|mont[ée]e"
    r"|traverse|cit[ée]|r[ée]sidence|lieu-dit)"
    r"\s+(?:(?:de la|de l['’]|du|des|de|d['’]|la|le|l['’]|les)\s*)?[A-ZÀ-Ý0-9]"
    r"[^,.;()\n–—]*"
)
_ADDRESS_END = re.compile(r"\s+(?:\d{5}\b|[àÀ]\s|-\s)")
_NAMED = re.compile(
    r"(?:\b[àÀ]\s+(?:la\s+|l['’])?|\b[Aa]ux?\s+)"
    r"(?P<name>[A-ZÀ-Ý][^\s,.;:()]*(?:\s+(?:(?:de|du|des|la|le|les)\s+|d['’]|l['’])?"
    r"[A-ZÀ-Ý0-9][^\s,.;:()]*){0,5})\s*,\s*(?=[A-ZÀ-Ý])"
)
_ANCHOR_BEFORE = re.compile(
    r"(?:^|[–—:\n]|\s-\s)\s*(?P<name>[A-ZÀ-Ý][^\s,.;:()–—]*(?:\s+[^\s,.;:()–—]+){0,4}?)"
    r"(?:\s+[àÀ]\s+[^,.;:()–—]+?)?\s*[(,]\s*$"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    kind: str = ""  # how it was found: "cue", "segment", "beside", "named", "label", …


class SpanIndex:
    """Spans sorted by start, for quick overlap look-ups on long texts."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = sorted(spans, key=lambda s: s.start)
        self.starts = [s.start for s in self.spans]

    def overlapping(self, start: int, end: int) -> list[Span]:
        last = bisect_right(self.starts, end - 1)
        return [s for s in self.spans[max(0, last - 8) : last] if start < s.end]


def addresses(text: str) -> list[Span]:
    """Street addresses: "12 rue Y", "239 avenue de Fronton", "2 rue Irène Joliot Curie"."""
    found = []
    for match in _ADDRESS.finditer(text):
        end = match.end()
        cut = _ADDRESS_END.search(text, match.start(), end)
        end = cut.start() if cut else end
        value = text[match.start() : end].rstrip(" -")
        found.append(Span(match.start(), match.start() + len(value), value, "address"))
    return found


def lexicon_venues(text: str, found_addresses: list[Span]) -> list[Span]:
    """Venues led by a venue noun, introduced by a cue, standing as a segment or
    written just before a street address."""
    folded = fold_chars(text)
    address_starts = {a.start for a in found_addresses}
    found = []
    for head in _HEAD.finditer(folded):
        venue = _venue_at(text, folded, head, address_starts)
        if venue is not None:
            found.append(venue)
    return found


def _venue_at(text: str, folded: str, head: re.Match[str], address_starts: set[int]) -> Span | None:
    start = head.start()
    adjective = _ADJECTIVE.search(folded, max(0, start - 12), start)
    start = adjective.start() if adjective else start
    offset = max(0, start - 20)
    window = folded[offset:start]
    cue = _CUE.search(window)
    if cue and cue.group(1).startswith(("a ", "a l")) and text[offset + cue.start(1)] not in "àÀ":
        cue = None  # "a" is the verb, not "à"
    segment = None if cue else _SEGMENT.search(window)
    if cue is None and segment is None and not _before_address(text, head.end(), address_starts):
        return None
    if segment and segment.group(1) and text[start - len(segment.group(1))].isupper():
        start -= len(segment.group(1))  # "Le Grand Forum" keeps its capitalised article
    end, reason, pieces = _complement(text, folded, head.end())
    if segment and (reason not in ("delimiter", "a") or pieces >= _MAX_SEGMENT_PIECES):
        return None
    if segment and reason == "a" and _SENTENCE_START.search(window):
        return None  # "Le Forum des associations aura lieu à …" is a subject, not a venue
    value = _trimmed(text[start:end])
    key = fold_chars(value)
    if pieces == 0 and head.group() not in _ALONE_OK and start == head.start():
        return None
    if segment and _ORGANISATION_AFTER.match(text, end):
        return None  # "Centre multimodal de distribution urbaine (CMDU)": a body, not a place
    if head.group() in _NEEDS_ARTICLE and not (cue or adjective or start < head.start()):
        return None
    if _NOT_VENUES.match(key) or not _specific(head.group(), value, key):
        return None
    kind = "cue" if cue else "segment" if segment else "beside"  # beside: an address follows
    return Span(start, start + len(value), value, kind)


def _before_address(text: str, pos: int, address_starts: set[int]) -> bool:
    """Whether a street address follows the complement: "salle X, 12 rue Y"."""
    comma = text.find(",", pos, pos + 80)
    rest = text[comma + 1 : comma + 4] if comma >= 0 else ""
    return comma >= 0 and comma + 1 + len(rest) - len(rest.lstrip()) in address_starts


def _specific(head: str, value: str, key: str) -> bool:
    """An ambiguous head names a venue only with a capital or a venue-like complement."""
    if head not in _AMBIGUOUS:
        return True
    rest = key[key.index(head) + len(head) :].strip()
    return any(w[:1].isupper() for w in value.split()) or bool(_VENUE_COMPLEMENT.match(rest))


def _complement(text: str, folded: str, pos: int) -> tuple[int, str, int]:
    """Where a venue's complement ends, why, and how many words it has."""
    end, pieces = pos, 0
    while pieces < _MAX_PIECES:
        rest = text[end : end + 3].lstrip(" \t\u00a0") or text[end : end + 80].lstrip(" \t\u00a0")
        if not rest or rest[0] in _DELIMITERS or rest.startswith(("- ", "-\n")):
            return end, "delimiter", pieces
        match = _PIECE.match(text, end)
        if match is None:
            return end, "delimiter", pieces
        word = folded[match.start(1) : match.end(1)]
        if word in _STOPS or word[0].isdigit() or _CALENDAR.match(word):
            return end, ("a" if word == "a" else "stop"), pieces
        if word in _CONNECTORS and _next_is_date_or_stop(text, folded, match.end()):
            return end, "stop", pieces
        end, pieces = match.end(), pieces + 1
    return end, "max", pieces


def _next_is_date_or_stop(text: str, folded: str, pos: int) -> bool:
    following = _PIECE.match(text, pos)
    if following is None:
        return True
    word = folded[following.start(1) : following.end(1)]
    return word[0].isdigit() or bool(_CALENDAR.match(word)) or word in _STOPS


def _trimmed(value: str) -> str:
    words = value.split()
    while len(words) > 1 and fold_chars(words[-1]) in _CONNECTORS:
        words.pop()
    return " ".join(words) if words else value.strip()


def labelled_venues(text: str) -> list[Span]:
    """What follows "Lieu :", "Adresse :", "Où ?" up to the first comma or bracket."""
    found = []
    for match in _LABELLED.finditer(text):
        name = match.group("name").strip()
        if name[:1].isupper() and fold_chars(name) not in _ONLINE_WORDS:
            found.append(Span(match.start("name"), match.start("name") + len(name), name, "label"))
    return found


def named_venues(text: str, city_starts: set[int]) -> list[Span]:
    """A proper name placed before a city: "à la Plaine Images, Tourcoing"."""
    found = []
    for match in _NAMED.finditer(text):
        if match.end() in city_starts and match.start("name") not in city_starts:
            name = match.group("name")
            if not any(_CALENDAR.match(fold_chars(w)) for w in name.split()):
                found.append(Span(match.start("name"), match.end("name"), name, "named"))
    return found


def anchored_venue(text: str, address: Span, city_spans: list[tuple[int, int]]) -> Span | None:
    """The name right before an address: "– ADRAR Formation à Ramonville (2 rue …)"."""
    match = _ANCHOR_BEFORE.search(text, max(0, address.start - 90), address.start)
    if match is None:
        return None
    name = match.group("name").strip()
    words = [w for w in name.split() if fold_chars(w) not in _CONNECTORS]
    if any(start <= match.start("name") < end for start, end in city_spans):
        return None
    if not words or not all(w[:1].isupper() for w in words) or any(c.isdigit() for c in name):
        return None
    return Span(match.start("name"), match.start("name") + len(name), name, "anchored")


def address_after(text: str, venue: Span, found: list[Span]) -> Span | None:
    """The address written right after a venue ("gymnase Branly, 25 rue de Tourvielle")."""
    for address in found:
        if 0 <= address.start - venue.end <= 60 and _GAP.fullmatch(text, venue.end, address.start):
            return address
    return None


def best_venue(
    text: str, lexicon: list[Span], found: list[Span], city_spans: list[tuple[int, int]]
) -> Span | None:
    """The venue most likely to be the event's: next to an address, then cued, then first."""
    ends = {a.end for a in found}
    city_starts = {start for start, _ in city_spans}
    candidates = [v for v in lexicon if not _after_address(text, v, ends)]
    candidates += named_venues(text, city_starts)
    candidates += [v for v in labelled_venues(text) if v.start not in city_starts]
    if candidates:
        return max(candidates, key=lambda v: _rank(text, v, found))
    for address in found:
        anchored = anchored_venue(text, address, city_spans)
        if anchored is not None:
            return anchored
    return None


def _after_address(text: str, venue: Span, ends: set[int]) -> bool:
    """A segment closing an address ("2 rue X, Parc Technologique du Canal") is part of it."""
    return venue.kind == "segment" and any(
        venue.start - gap in ends and not text[venue.start - gap : venue.start].strip(", ")
        for gap in range(4)
    )


def _rank(text: str, venue: Span, found: list[Span]) -> tuple[int, int, int, int]:
    beside = address_after(text, venue, found) is not None
    cued = venue.kind in ("cue", "named", "label")
    return (int(beside), int(venue.kind == "label"), int(cued), -venue.start)
