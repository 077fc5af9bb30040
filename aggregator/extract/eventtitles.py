"""Titles of the events an announcement text gives: short noun phrases.

Where a title comes from, best first: a «quoted» name in the event's own
stretch of text, after its event noun ("webinaire « Laïcité et sport »");
the announcement's heading (or, without one, its first sentence) with the
dates, places, site tags ("PQN-A //") and status words ("Report des",
"Save the date :") glued to it removed, cut to its event noun phrase when it
is a whole sentence ("les réunions de secteur reprendront …" -> "Réunions de
secteur"); for a list item, that title and the item's own words ("– village
centre").

    >>> headline_title("Argelès – Les réunions de secteur reprendront le 5 octobre 2015.")
    'Réunions de secteur'
"""

from __future__ import annotations

import re
from datetime import date

from aggregator.extract import eventwords as words
from aggregator.extract.dates import parse_dates
from aggregator.extract.gazetteer import fold_chars
from aggregator.extract.places import find_place, normalise_city

MAX_HEADLINE = 220
LONG_TITLE = 90  # a nominal title longer than this is cut at its first comma

_QUOTE = re.compile(r"«\s*([^«»]{3,200}?)\s*»|“([^“”]{3,200}?)”|\"([^\"]{3,200}?)\"")
_SEPARATORS = " \t-–—:,;.!?|/·"
_ORG_PREFIX = re.compile(r"^[^/|]{1,40}\s(?://|\|)\s")
_SITE_SUFFIX = re.compile(r"\s\|\s[^|]{1,60}$")
_PROMO = (
    r"report(?:e|ee|es|ees)?|annul\w*|nouvelle date|changement de date|save[- ]the[- ]date"
    r"|rappel|a noter|a vos agendas|agenda|evenement|en bref|actualites?|nouveau"
)
_PROMO_PREFIX = re.compile(
    rf"^(?:(?:{_PROMO})\b\s*[:!–—-]+\s*"
    r"|(?:report|annulation|changement de date)\s+(?:des|du|de la|de l'|de|d')\s*)",
    re.I,
)
# Headings that name a list of events, not one ("Agenda de la semaine").
_GENERIC = re.compile(
    r"(?:agenda|actualites?|a venir|a noter|calendrier|programme|evenements?|nos rendez-vous"
    r"|les rendez-vous|prochaine?s? (?:rendez-vous|evenements|dates|rencontres|journees))\b"
)
# Who invites to what: "Nous vous invitons à la restitution de …", "la ville organise une balade".
_OFFER = re.compile(
    r"\b(?:vous )?(?:(?:invit|propos|organis|lanc|accueill)(?:e|ent|ons|ez|era|eront)\b"
    r"|donnen?t? rendez-vous)"
    r"(?:\s+(?:a|au|aux|pour))?\s+(?:une|un|des|ses|leurs?|sa|son|les|la|le|l'|deux|trois)?\s*"
    r"(?=\w)"
)
# A place glued to a title: "… au Pôle emploi de Maubeuge", "… en salle du conseil".
_PLACE_TAIL = re.compile(
    r"\s(?:à la|à l'|au|aux|à|dans la|dans le)\s+(?=[A-ZÀ-Ý])|\s+en (?:salle|mairie|préfecture)\b"
)
_ONLINE_PART = re.compile(
    r"(?:en )?(?:visio-?(?:conference)?|en ligne|distanciel|a distance|webinaire)"
)
# A part of one event, named after it: "session de Metz", "module 2", "jour 1".
_PART = re.compile(
    r"(?:\d+(?:e|er|ere|eme)?\s+)?(?:sessions?|seances?|modules?|jours?|parties?"
    r"|volets?|etapes?|journee \d|demi-journee)\b"
)
_LINKS = {"des", "les", "aux", "sous", "dans", "vers", "chez", "sans", "plus", "mois"}
_NEXT = re.compile(r"^(?:prochaine?s?|deux|trois|quatre|cinq)\s+", re.I)
_PROMO_SUFFIX = re.compile(rf"\s*[:!–—(\[-]*\s*(?:{_PROMO})\s*[!)\]]*\s*$", re.I)
_COLON = re.compile(r"\s:\s")
_DASH = re.compile(r"\s[–—-]\s")
_ARTICLE = re.compile(r"^(?:(?:les?|la)\s+|l['’]\s*)(?=\w)", re.I)
# Verbs and participles that end an event's noun phrase ("le forum prévu le 5 mars").
_VERB = (
    r"\b(?:se|s'|sera|seront|aura|auront|est|sont|ont|ne|n'|revient|reviennent|lance|lancent"
    r"|propose|proposent|organise|organisent|invite|invitent|accueille|accueillent|reprend"
    r"|reprennent|permet|debute|commence|devient|deviennent|vient|viennent|portera|va|vont"
    r"|prevue?s?|programmee?s?|initialement|reportee?s?|annulee?s?|a|avait|avaient)\b"
    r"|\b[a-z]{3,}(?:eront|iront|dront)\b|\b[a-z]{4,}(?:era|ira|dra)\b"
    r"|\b(?!(?:agent|client|parent|president|talent|accident|argent|souvent|content|patient"
    r"|urgent|different|excellent|recent|absent|present|adolescent|continent|equivalent"
    r"|competent|intelligent|prudent|frequent|permanent|consent)\b)[a-z]{3,}(?<!m)ent\b"
)
_NP_STOP = re.compile(rf"[,;.!?]|\s\(|\s[:–—]\s|\s-\s|\b(?:qui|que|qu'|dont|ou)\b|{_VERB}")
_IS_VERB = re.compile(_VERB)
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-ZÀ-Ý][\w-]*")
_BEFORE_NOUN = re.compile(
    r"(?:\b(?:\d+(?:e|er|ere|eres|eme|emes|es)|premiere?s?|deuxieme|troisieme|grande?s?"
    r"|petite?s?|nouvelle?s?|nouveaux?)\s+)+$"
)
_LEADING_JUNK = re.compile(
    r"^(?:\s|[-–—:,;.]|(?:à|a|au|aux|dans|en|sur|pour)\b(?:\s*(?:la|le|les)\b|\s*l['’])?)+", re.I
)
_TRAILING_JUNK = re.compile(
    r"(?:\s|[-–—:,;.]|\b(?:à|au|aux|dans|en|sur|pour|de|du|des|le|la|les|et|ou)\b|\bl['’])+$"
)


def headline_title(headline: str, reference: date | None = None) -> str:
    """The title an announcement's heading or first sentence gives its event."""
    title = _ORG_PREFIX.sub("", _SITE_SUFFIX.sub("", headline.strip()))
    title = _without_city_head(title)
    title = _without_promo(_without_dates(_without_promo(title), reference))
    title = _chosen_side(title)
    title = offered(title) or title
    if is_sentence(title):
        title = noun_phrase(title) or _before_verb(title)
    title = _first_clause(_without_place_tail(_without_end_place(title)))
    return finished(title)


def is_generic(title: str | None) -> bool:
    """Whether a heading names a list of events ("Agenda de la semaine")."""
    return bool(title) and bool(_GENERIC.match(fold_chars(title or "")))


def offered(sentence: str) -> str | None:
    """What a sentence invites to: "Nous vous invitons à la restitution de l'étude" ->
    "restitution de l'étude"."""
    masked = _masked_quotes(fold_chars(sentence))
    offer = _OFFER.search(masked)
    if offer is None:
        return None
    stop = _NP_STOP.search(_verb_view(sentence), offer.end())
    phrase = sentence[offer.end() : stop.start() if stop else len(sentence)].strip()
    return phrase if len(phrase.split()) >= 1 and len(phrase) > 3 else None


def _before_verb(sentence: str) -> str:
    """A sentence without an event noun cut before its first verb."""
    verb = _IS_VERB.search(_verb_view(sentence))
    head = sentence[: verb.start()] if verb else sentence
    return head if len(head.split()) >= 2 else sentence


def names_event(title: str) -> bool:
    """Whether a title holds an event noun ("Forum …", "… webinaire …")."""
    return bool(words.EVENT_NOUN.search(_masked_quotes(fold_chars(title))))


def clause_title(sentence: str, reference: date | None = None) -> str | None:
    """The title a sentence gives its event when it names one ("Le 12, séminaire à Lens")."""
    title = headline_title(sentence, reference)
    return title if names_event(title) else None


def quoted_title(segment: str) -> str | None:
    """'Noun « name »' for a quoted name right after an event noun ("webinaire « … »")."""
    match = _QUOTE.search(segment)
    if match is None:
        return None
    name = next(g for g in match.groups() if g)
    before = segment[max(0, match.start() - 60) : match.start()]
    clause = re.split(r"[.;:!?,()–—]|\s-\s", before)[-1]
    folded = fold_chars(clause)
    nouns = list(words.EVENT_NOUN.finditer(folded))
    if not nouns or _NP_STOP.search(_verb_view(clause), nouns[-1].end()):
        return None
    start = _noun_start(folded, nouns[-1].start())
    if len(clause[start:].split()) > 6:
        return None  # a name that far from its noun is not the event's
    return finished(f"{clause[start:].strip()} « {name} »")


def noun_phrase(sentence: str, near: int | None = None) -> str | None:
    """The event noun phrase of a sentence ("les réunions de secteur reprendront"): its
    first, or the last one before offset `near` (the event's date)."""
    masked = _masked_quotes(fold_chars(sentence))
    nouns = list(words.EVENT_NOUN.finditer(masked))
    if near is not None:
        nouns = [n for n in nouns if n.end() <= near][-1:] or nouns
    noun = nouns[0] if nouns else None
    if noun is None:
        return None
    start = _noun_start(masked, noun.start())
    stop = _NP_STOP.search(_verb_view(sentence), noun.end())
    return sentence[start : stop.start() if stop else len(sentence)].strip()


def _noun_start(folded: str, noun: int) -> int:
    """Where a noun phrase starts: its ordinal or adjective ("1ères Rencontres")."""
    lead = _BEFORE_NOUN.search(folded[:noun])
    return lead.start() if lead else noun


def item_title(base: str | None, label: str, plural_cycle: bool) -> str:
    """A list item's event: the item's own name, or the announcement's title and its words."""
    folded = _masked_quotes(fold_chars(label))
    named = words.EVENT_NOUN.search(folded) and not _PART.match(folded)
    if label and (is_generic(base) or named):
        return finished(label)  # "Journée des acteurs de la médiation"
    head = singular(base) if base and plural_cycle else base
    if head and label and fold_chars(label) not in fold_chars(head):
        return finished(f"{head} – {label}")
    return finished(head or label)


def item_label(item: str, cuts: list[tuple[int, int]]) -> str:
    """The words of a list item left once its dates, times and place are cut out."""
    kept, last = [], 0
    for start, end in sorted(cuts):
        if start >= last:
            kept.append(item[last:start])
            last = end
    kept.append(item[last:])
    label = " ".join(" ".join(kept).split())
    label = _TRAILING_JUNK.sub("", _LEADING_JUNK.sub("", label)).strip(_SEPARATORS)
    label = re.sub(r"\(\s*\)", "", label).strip(_SEPARATORS)
    if label.startswith("(") and label.endswith(")"):
        label = label[1:-1]
    return label.strip(_SEPARATORS)


def singular(title: str) -> str:
    """The title with its leading event noun and its adjectives in the singular
    ("Réunions publiques de quartier" -> "Réunion publique de quartier")."""
    head = title.split(" ")
    folded = fold_chars(head[0])
    if not (folded.endswith("s") and words.EVENT_NOUN.fullmatch(folded[:-1])):
        return title
    for index, word in enumerate(head):
        if index and (not word.endswith("s") or not word.islower() or word in _LINKS):
            break
        head[index] = word[:-1]
    return " ".join(head)


def finished(title: str) -> str:
    """Trimmed of separators and a leading article, first letter capitalised."""
    title = " ".join(title.split())
    title = title.rstrip() if title.endswith("»") else title.strip(_SEPARATORS + " ")
    title = _TRAILING_JUNK.sub("", title) if not title.endswith("»") else title
    title = title.lstrip(_SEPARATORS + " ")
    title = _ARTICLE.sub("", title, count=1) if not title.startswith("«") else title
    title = _NEXT.sub("", title, count=1)
    return title[:1].upper() + title[1:] if title else title


def _verb_view(text: str) -> str:
    """The text folded with quoted and capitalised words blanked: where verbs are looked
    for ("Lorient" is no verb in -ent), offsets unchanged."""
    named = _NAME.sub(lambda m: "X" * len(m.group()), text).replace("à", "@").replace("À", "@")
    return _masked_quotes(fold_chars(named))  # "@": the preposition "à" is not the verb "a"


def _masked_quotes(folded: str) -> str:
    """Quoted names blanked out so their punctuation stops nothing."""
    return _QUOTE.sub(lambda m: m.group()[0] + "x" * (len(m.group()) - 2) + m.group()[-1], folded)


def _without_city_head(title: str) -> str:
    """ "Marans – La cérémonie…" -> "La cérémonie…"."""
    head = _DASH.search(title)
    if head and head.start() <= 40 and normalise_city(title[: head.start()]):
        return title[head.end() :]
    return title


def _without_promo(title: str) -> str:
    title = _PROMO_PREFIX.sub("", title.strip(_SEPARATORS + " "))
    return _PROMO_SUFFIX.sub("", title)


def _without_dates(title: str, reference: date | None) -> str:
    for match in reversed(parse_dates(title, reference)):
        if _names_the_event(title, match.text, match.span[1]):
            continue  # "la cérémonie du 18 juin" is the event's name
        start, end = match.span
        title = f"{title[:start].rstrip()} {title[end:].lstrip()}"
        title = re.sub(r"\s+(?:le|les|ce|ces|du|au)\s*$", "", title)
    title = re.sub(r"\s+([,.)])", r"\1", title)
    title = re.sub(r"([–—,:-])(\s*[–—,:-])+", r"\1", title)
    return " ".join(title.split()).strip(_SEPARATORS)


def _names_the_event(title: str, match_text: str, end: int) -> bool:
    """ "la cérémonie du 18 juin ne pourra…": a day that ends the noun phrase names it."""
    if not re.fullmatch(r"du \d{1,2}(?:er)? [^\d\s]+", match_text.strip(), re.I):
        return False
    after = _verb_view(title[end:]).lstrip()
    return not after or bool(re.match(r"[,;.!?:)–—-]|" + _VERB, after))


def _chosen_side(title: str) -> str:
    """Of "A : B", the side that names an event (A when neither does)."""
    masked = _masked_quotes(fold_chars(title))
    colon = _COLON.search(masked)
    if colon is None:
        return title
    left, right = title[: colon.start()], title[colon.end() :]
    if not left.strip(_SEPARATORS + " "):
        return right
    quote = _QUOTE.match(right.strip())
    if words.EVENT_NOUN.search(masked[: colon.start()]):
        return f"{left} {quote.group()}" if quote else left  # "Webinaire : « Titre »"
    if words.EVENT_NOUN.search(masked[colon.end() :]):
        return noun_phrase(right) or right
    return left


def is_sentence(title: str) -> bool:
    return bool(_IS_VERB.search(_verb_view(title)))


def _without_end_place(title: str) -> str:
    """ "Réunion de quartier – Toulouse" -> "Réunion de quartier"; last "– place", "– 2020"
    or "– en ligne" parts too."""
    dashes = list(_DASH.finditer(title))
    while dashes and _is_aside(title[dashes[-1].end() :]):
        title = title[: dashes.pop().start()]
    place = find_place(title)
    if place.span is None or place.span[0] < 3:
        return title
    before, after = title[: place.span[0]], title[place.span[1] :]
    if after.strip(_SEPARATORS + " ()") and not after.strip().startswith("("):
        return title
    cut = re.search(r"(?:\s[–—-]\s|,|\s\(|\s(?:à|au|aux|en)\s+(?:la\s+|l')?)\s*$", before)
    return before[: cut.start()] if cut else title


def _without_place_tail(title: str) -> str:
    masked = _masked_quotes(title)
    tail = _PLACE_TAIL.search(masked)
    return title[: tail.start()] if tail and tail.start() > 3 else title


def _is_aside(part: str) -> bool:
    """A dash part that only says where, when or how: "Toulouse", "2020", "en ligne"."""
    folded = fold_chars(part).strip(" .")
    return bool(_ONLINE_PART.fullmatch(folded) or re.fullmatch(r"\d{4}", folded)) or _is_place(part)


def _is_place(part: str) -> bool:
    place = find_place(part)
    return place.span is not None and place.span[0] <= 2 and bool(place.city or place.venue)


def _first_clause(title: str) -> str:
    """A title cut at its first comma when what comes before names the event, or is long."""
    masked = _masked_quotes(fold_chars(title))
    comma = masked.find(", ")
    if comma < 3:
        return title
    if words.EVENT_NOUN.search(masked[:comma]) or (len(title) > LONG_TITLE and comma > 15):
        return title[:comma]
    return title
