"""The words of titles, towns and links that say which event an announcement is.

Titles are folded (accents, case), stripped of what varies between
announcements of one event (stopwords, dates, years, ordinals, status words,
organiser names) and stemmed, with the field's abbreviations written out:

    >>> title_words("14es Rencontres nationales des CRPV 2019")
    ['rencontre', 'national', 'centre', 'ressource', 'politique', 'ville']
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from aggregator.identity import canonical_url
from aggregator.model import Event


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Announcements of one event word it differently; these words carry no identity.
_STOPWORDS = _wordset(
    "a au aux avec ce ces cet cette chez d dans de des du en entre et l la le les leur leurs "
    "ou par pour qu que quel quelle quels quelles qui sa se ses son sur un une vers y "
    "vous nous votre vos notre nos je tu il elle ils elles on sont "
    "the of and to at on in for"
)
_NUMBER_WORDS = _wordset(
    "deux trois quatre cinq six sept huit neuf dix onze douze vingt trente cent mille "
    "premier premiere premieres premiers deuxieme troisieme quatrieme cinquieme sixieme "
    "septieme huitieme neuvieme dixieme second seconde"
)
_DATE_WORDS = _wordset(
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre "
    "janv fev fevr avr juil sept oct nov dec lundi mardi mercredi jeudi vendredi samedi "
    "dimanche prochain prochaine prochains prochaines"
)
_NOISE_WORDS = _wordset(
    "agenda evenement evenements save date edition programme inscription inscriptions "
    "ouverte ouvertes rappel nouveau nouvelle nouvelles annule annulee reporte reportee "
    "complet info infos invitation participez venez ligne distance distanciel presentiel "
    "direct replay"
)
# Words naming the kind of event: relays swap them ("journée" for "rencontre").
_KIND_WORDS = _wordset(
    "journee journees rencontre rencontres seminaire seminaires atelier ateliers webinaire "
    "webinaires webinar visio visioconference conference conferences colloque forum formation "
    "formations reunion matinee soiree table ronde cafe debat debats echange echanges "
    "temps fort universite assises biennale festival projection cine visite salon "
    "petit dejeuner apero cycle session seance module groupe travail"
)
# Abbreviations of the field, written out so "QPV" meets "quartiers prioritaires".
_ABBREVIATIONS = {
    "dsu": "developpement social urbain",
    "qpv": "quartiers prioritaires",
    "pdv": "politique ville",
    "npnru": "nouveau programme renouvellement urbain",
    "pnru": "programme renouvellement urbain",
    "nprnu": "nouveau programme renouvellement urbain",
    "gup": "gestion urbaine proximite",
    "ess": "economie sociale solidaire",
    "ag": "assemblee generale",
    "copil": "comite pilotage",
    "cotech": "comite technique",
    "crpv": "centres ressources politique ville",
    "pru": "projet renouvellement urbain",
    "st": "saint",
    "ste": "sainte",
    "aap": "appel projets",
    "ami": "appel manifestation interet",
    "epci": "intercommunalite",
    "cli": "conference intercommunale logement",
}
# Networks that relays name in titles ("… de l'IREV"): not what the event is about.
ORGANISER_NAMES = (
    "irev",
    "irdsu",
    "cerdd",
    "anct",
    "anru",
    "cget",
    "labo cites",
    "reseau crpv",
    "profession banlieue",
    "villes au carre",
    "pqn a",
    "resovilles",
    "orive",
    "cr dsu",
    "pole ressources",
    "ressources et territoires",
    "question de ville",
    "france urbaine",
    "oriv",
    "amadeus",
    "iredu",
)
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}
_SESSION_WORDS = r"(?:seance|session|module|partie|episode|volet|etape|atelier)"
_SESSION = re.compile(
    rf"\b{_SESSION_WORDS}\s*(?:n\s*[o°]?\s*)?(\d{{1,2}}|[ivx]{{1,4}})\b"
    rf"|\b(\d{{1,2}})\s*(?:e|er|ere|eme|nd|nde)\s+{_SESSION_WORDS}\b"
    r"|#\s*(\d{1,3})\b|\bn\s*[o°]\s*(\d{1,3})\b|\b(\d{1,2})\s*/\s*\d{1,2}\b"
)
_ORDINAL_SESSION = re.compile(
    rf"\b(premier|premiere|deuxieme|second|seconde|troisieme|"
    rf"quatrieme|cinquieme|sixieme)\s+{_SESSION_WORDS}\b"
)
# Words without one of which (whole) a title names no session, unless it has a digit or "#".
_SESSION_TOKENS = _wordset(
    "seance session module partie episode volet etape atelier "
    "premier premiere deuxieme second seconde troisieme quatrieme cinquieme sixieme"
)
_DIGIT_OR_HASH = re.compile(r"[0-9#]")
_ORDINAL_NUMBERS = {
    "premier": 1,
    "premiere": 1,
    "deuxieme": 2,
    "second": 2,
    "seconde": 2,
    "troisieme": 3,
    "quatrieme": 4,
    "cinquieme": 5,
    "sixieme": 6,
}
TOKEN = re.compile(r"[a-z0-9]+")
_NUMBERISH = re.compile(r"\d+(?:e|es|er|ere|eres|eme|emes|nd|nde|nds|ndes|h\d*)?")
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.IGNORECASE)
_SOCIAL_HOSTS = frozenset(
    (
        "facebook.com",
        "twitter.com",
        "x.com",
        "linkedin.com",
        "youtube.com",
        "instagram.com",
        "google.com",
        "goo.gl",
        "bit.ly",
        "t.co",
    )
)
_GENERIC_LAST = _wordset(
    "agenda evenements events evenement actualites actualite actus contact inscription "
    "inscriptions accueil index home rencontres"
)


def _fold_table() -> dict[int, str | int]:
    """Latin letters with accents to plain ones ("é" -> "e", "Œ" -> "OE"); other common
    characters to themselves, since a character missing from the table costs
    `str.translate` a raised and cleared KeyError (twice as slow on a title)."""
    table: dict[int, str | int] = {
        ord("œ"): "oe",
        ord("Œ"): "OE",
        ord("æ"): "ae",
        ord("Æ"): "AE",
        ord("ß"): "ss",
    }
    for code in range(0xC0, 0x250):
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c)
        )
        if plain.isascii() and plain and code not in table:
            table[code] = plain
    for code in (*range(0x250), *range(0x2000, 0x2070)):  # Latin, punctuation ("’", "–")
        table.setdefault(code, code)
    return table


_FOLD = _fold_table()


def ascii_lower(text: str) -> str:
    """Lower-case, without accents; punctuation kept.

    >>> ascii_lower("Séance n°2 – Été")
    'seance n°2 – ete'
    """
    if text.isascii():  # most town names, many titles: nothing to fold
        return text.lower()
    return text.translate(_FOLD).lower()


def stem(word: str) -> str:
    """Plural and feminine endings off, so "nationales" meets "national".

    >>> [stem(w) for w in ("rencontres", "nationales", "regional", "cites")]
    ['rencontre', 'national', 'regional', 'cite']
    """
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    if len(word) > 5 and word.endswith("ale"):
        word = word[:-1]
    return word


KINDS = frozenset(stem(w) for w in _KIND_WORDS)


class Names:
    """Organiser names found in titles, indexed by first word for one pass per title.

    >>> Names(["Labo Cités", "IREV"]).split("les rendez vous de labo cites".split())
    (['les', 'rendez', 'vous', 'de'], {'labo cites'})
    """

    def __init__(self, names: Iterable[str]):
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        # What each title yields with these names (`_dedup_profile`): titles repeat, and
        # each clustering has a new Names (or a `fresh` one), so this lives as long as one.
        self.memo: dict[str, Any] = {}
        phrases = {tuple(TOKEN.findall(ascii_lower(name))) for name in names}
        for phrase in sorted((p for p in phrases if p), key=len, reverse=True):
            self.by_first.setdefault(phrase[0], []).append(phrase)

    def fresh(self) -> Names:
        """The same names with an empty memo, without indexing them again."""
        names = copy.copy(self)
        names.memo = {}
        return names

    def split(self, tokens: list[str]) -> tuple[list[str], set[str]]:
        """The tokens without the names, and the names found."""
        if self.by_first.keys().isdisjoint(tokens):  # most titles name no organiser
            return list(tokens), set()
        kept, named, i = [], set(), 0
        while i < len(tokens):
            starting = self.by_first.get(tokens[i])
            hit = starting and next(
                (p for p in starting if tuple(tokens[i : i + len(p)]) == p), None
            )
            if hit:
                named.add(" ".join(hit))
                i += len(hit)
            else:
                kept.append(tokens[i])
                i += 1
        return kept, named


DEFAULT_NAMES = Names(ORGANISER_NAMES)


def named_organisers(title: str, names: Names = DEFAULT_NAMES) -> set[str]:
    """The networks a title names: "AG de l'IRDSU" -> {"irdsu"}."""
    return names.split(TOKEN.findall(ascii_lower(title)))[1]


def title_words(title: str, *, names: Names = DEFAULT_NAMES, city: str | None = None) -> list[str]:
    """The words of a title that say what the event is, normalised and in order."""
    return words_of(names.split(TOKEN.findall(ascii_lower(title)))[0], city)


_DROPPED = _STOPWORDS | _NUMBER_WORDS | _DATE_WORDS | _NOISE_WORDS
_WORD_CACHE: dict[str, tuple[str, ...]] = {}  # a title word -> the words it counts as


def _word(token: str) -> tuple[str, ...]:
    """What one title word counts as: nothing, itself stemmed, or an abbreviation written out."""
    found = _WORD_CACHE.get(token)
    if found is None:
        if len(token) < 2 or token in _DROPPED or _NUMBERISH.fullmatch(token):
            found = ()
        else:
            parts = (
                stem(p) for p in _ABBREVIATIONS.get(token, token).split() if p not in _STOPWORDS
            )
            found = tuple(w for w in parts if w not in _DATE_WORDS)
        if len(_WORD_CACHE) < 100_000:
            _WORD_CACHE[token] = found
    return found


def words_of(tokens: list[str], city: str | None) -> list[str]:
    drop = set(TOKEN.findall(ascii_lower(city))) if city else ()
    words = [w for token in tokens if token not in drop for w in _word(token)]
    return list(dict.fromkeys(words))


def session_of(title: str) -> int | None:
    """The number of a session in a cycle ("séance 2", "module II", "#4", "2/5").

    >>> session_of("Cycle GUP – séance n°2 : la concertation"), session_of("Forum 2019")
    (2, None)
    """
    text = ascii_lower(title)
    return session_in(text, TOKEN.findall(text))


_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(
    r"(?<![\w#°:])(\d{1,4})(?![\w°:]|\s*(?:h\b|er\b|e\b|ans?\b|%|janv|fev|mars|avr|mai|juin"
    r"|juil|aout|sept|oct|nov|dec))"
)


def numbers_in(text: str) -> frozenset[str]:
    """Numbers that name something in a folded title ("Rencontre 12", "Lot 3"): not years,
    days of a date, ordinals, hours, ages or sessions ("séance 2", #4), which vary or are
    compared on their own.

    >>> sorted(numbers_in("rencontre 12 du 5 juin 2020, 9h30, 3e edition, 10 ans, lot 7-8"))
    ['12', '7', '8']
    """
    if not _DIGIT.search(text):
        return frozenset()
    return frozenset(n for n in _NUMBER.findall(text) if not 1900 <= int(n) <= 2099)


def session_in(text: str, tokens: Iterable[str]) -> int | None:
    """session_of for a folded title and its tokens."""
    if not _DIGIT_OR_HASH.search(text) and _SESSION_TOKENS.isdisjoint(tokens):
        return None  # most titles: no number, no session word
    match = _SESSION.search(text)
    if match:
        value = next(g for g in match.groups() if g)
        return int(value) if value.isdigit() else _ROMAN.get(value)
    ordinal = _ORDINAL_SESSION.search(text)
    return _ORDINAL_NUMBERS[ordinal.group(1)] if ordinal else None


def city_key(city: str | None) -> str:
    """ "Saint-Denis", "St Denis" and "saint denis" alike."""
    tokens = TOKEN.findall(ascii_lower(city or ""))
    return " ".join(_ABBREVIATIONS.get(t, t) if t in ("st", "ste") else t for t in tokens)


def link_key(url: str) -> str | None:
    """A link that can name one event: no social sites, home pages or agenda listings.

    >>> link_key("https://www.irdsu.net/evenement/journee-nationale/?utm_source=x")
    'irdsu.net/evenement/journee-nationale'
    """
    key = _plain_url(url) if "?" not in url and "#" not in url else canonical_url(url)
    key = key.removeprefix("www.")
    host, _, path = key.partition("/")
    if not path or ".".join(host.rsplit(".", 2)[-2:]) in _SOCIAL_HOSTS:
        return None
    last = path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    if last in _GENERIC_LAST or len(path) < 6:
        return None
    return key


def _plain_url(url: str) -> str:
    """canonical_url's result for a URL without query or fragment, faster."""
    rest = url.strip().split("://", 1)[-1]
    host, _, path = rest.partition("/")
    host = host.lower().removesuffix(":80").removesuffix(":443")
    return f"{host}/{path.rstrip('/')}" if path.rstrip("/") else host


def links_of(event: Event) -> frozenset[str]:
    return frozenset(link_keys(event))


def link_keys(event: Event) -> set[str]:
    """The keys of the links an event gives (its page, registration, links in its text)."""
    urls = [event.url, event.registration_url]
    if event.description_html:
        urls += _HREF.findall(event.description_html)
    keys = set()
    for url in urls:
        if url and url.startswith(("http://", "https://")):
            key = link_key(url)
            if key:
                keys.add(key)
    return keys
