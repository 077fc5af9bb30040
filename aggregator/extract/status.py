"""Whether an announced event is cancelled, postponed or online, from its French text.

    find_status("ANNULÉ – Conseil de quartier du 5 mars")  -> Status.CANCELLED
    find_status("Réunion reportée au 12 avril")           -> Status.POSTPONED
    is_online("Webinaire : …")                            -> True

Rules read the text folded (lowercase, no accents). A signal does not count
when negated ("n'est pas annulé", "sans report") or when it is about something
else than the event: a deadline ("date limite reportée"), a booking ("conditions
d'annulation"), a form or a replay ("inscription en ligne", "replay en ligne").
"Complet" is not a status. A postponement outranks a cancellation: "annulé et
reporté à l'automne" is postponed. Pure: no network, no clock.
"""

from __future__ import annotations

import re

from aggregator.extract.gazetteer import fold_chars
from aggregator.model import Status

_CANCELLED = re.compile(
    r"\b(?:annul(?:e|ee|es|ees)|annulations?|deprogramm(?:e|ee|es|ees)|cancell?ed)\b"
    r"|\b(?:supprim(?:e|ee|es|ees))\b"
    r"|\bne (?:pourra|pourront|peut|peuvent|pouvait|pourrait)(?: malheureusement)?"
    r"(?: pas| plus)? (?:avoir lieu|se tenir|etre maintenue?s?)"
    r"|\bn'(?:aura|auront)(?: finalement| malheureusement| donc| exceptionnellement)? pas lieu"
    r"|\bne se tiendr(?:a|ont)(?: finalement)? pas"
)
# "initialement prévue le 5 mars, la réunion aura lieu le 12".
_MOVED_TO = (
    r"\binitialement prevue?s?\b[^.;!?\n]{0,80}?"
    r"\b(?:aur(?:a|ont) lieu|se tiendr(?:a|ont)|se deroul(?:era|eront))"
)
_POSTPONED = re.compile(
    r"\breport(?:e|ee|es|ees)\b|\breport\b|\breporter\b"
    r"|\b(?:decal|repouss|reprogramm|ajourn)(?:e|ee|es|ees)\b"
    r"|\b(?:se tiendr|se derouler)(?:a|ont) finalement"
    r"|\baur(?:a|ont) (?:finalement lieu|lieu finalement)"
    r"|\bnouvelles? dates?\b|\bremise? a (?:une date ulterieure|plus tard)|\bpostponed\b"
    r"|\bchangement de date\b|" + _MOVED_TO
)
# Signals that are about something else than the event itself.
_CANCEL_ELSEWHERE = re.compile(
    r"(?:cas d'|conditions? d'|frais d'|politique d'|toute |assurance |demande d'|delai d')$"
)
_CANCEL_OBJECT = re.compile(
    r" ?(?:(?:de|d'|a) (?:votre|l'|la|ton|sa|leur|une|toute)? ?(?:inscription|reservation|"
    r"commande|participation|billet)|gratuite|possible|sans frais|jusqu|et remplace)"
)
_DEADLINE_WORDS = (
    r"date limite|inscriptions?|candidatures?|depot|cloture|appel a projets|echeance|delai"
    r"|paiement|charges|credits|impots?|vote"
)
_DEADLINE = re.compile(_DEADLINE_WORDS)
_DEADLINE_OBJECT = re.compile(rf"\s*(?:de la |de l'|du |des |de |d')?(?:{_DEADLINE_WORDS})")
_REPORT_NOUN = re.compile(r"^\s*(?:de |du |des |d'|:|–|—|-|!|\.|$|au |a |en raison|sine die|pour)")
# "nous avons dû reporter", "contraints de reporter" (not "un reporter de France 3").
_MUST_POSTPONE = re.compile(r"\b(?:de|d'|du|dus?|devons|doit|devait|devoir)\s+$")
_NEGATION = re.compile(r"\b(?:pas|ni|sans|aucun|aucune|jamais|non)\b")
_NOT_NEGATION = re.compile(r"sans doute|non seulement|ne plus|plus tard|de plus|plus de")
_NEEDS_VERB = ("decal", "repouss", "supprim")  # "humour décalé", "postes supprimés"
_VERB_BEFORE = re.compile(
    r"\b(?:est|sont|ete|sera|seront|etre|a|ont|exceptionnellement|malheureusement|finalement"
    r"|donc|bien)\s+$"
)
_VERB_AFTER = re.compile(r"\s+(?:au|a|en|de|d'|du|jusqu|sine die|cette annee|pour cause|faute)\b")
_POSTPONE_TO = re.compile(
    r"\b(?:report(?:er|e|ee|es|ees)?|decal(?:er|e|ee|es|ees)|repouss(?:er|e|ee|es|ees)"
    r"|reprogramm(?:er|e|ee|es|ees))\b(?:[^.;:!?\n]{0,50}?\s)??(?:au|a|en|le|pour|jusqu'au)\s"
    r"|\breport\s*:"
    r"|\b(?:se tiendr|se derouler)(?:a|ont) finalement|\baur(?:a|ont) finalement lieu"
    r"|\bnouvelles? dates?\b\s*(?:retenues?|fixees?)?\s*:?|\bchangement de date\b\s*[:!]?"
    r"|" + _MOVED_TO + r"\s"
)
_DATE_WORD = re.compile(
    r"\d|janv|fevr|mars|avril|mai\b|juin|juil|aout|sept|octo|nove|dece|lundi|mardi|mercredi"
    r"|jeudi|vendredi|samedi|dimanche"
)
_SENTENCE_END = re.compile(r"[.!?;\n](?:\s|$)")
_ABBREVIATION = re.compile(r"\b(?:janv|fevr|fev|avr|juil|sept|oct|nov|dec|st|ste|cf|env)$")
_TAIL_MAX = 160

_ONLINE = re.compile(
    r"\bwebinaires?\b|\bwebinars?\b|\bweb[- ]?conferences?\b|\bvisio(?:[- ]?conferences?)?\b"
    r"|\ben ligne\b|\bdistanciel\b|\ba distance\b|\bmooc\b|\blive\b|\blivestream\b"
    r"|\ben streaming\b|\bclasses? virtuelles?\b|\b(?:retransmis|diffuse)e?s? en direct\b"
    r"|\ben direct sur\b|\blien de connexion\b|\b(?:format|mode|en) hybride\b"
)
_ONLINE_CASED = re.compile(r"\b(?:Zoom|ZOOM)\b(?!\s+(?:sur|SUR)\b)|\bTeams\b")
# "en ligne" about a form, a booking or a document, not the event.
_ONLINE_ELSEWHERE = re.compile(
    r"\b(?:inscri\w*|formulaire|questionnaire|billet\w*|reserv\w*|candidat\w*|dossiers?"
    r"|disponibles?|mise?s?|publie\w*|replay|rediffusions?|consult\w*|telecharg\w*|paiement"
    r"|achat|vente|boutique|petition|demarches?|ressources?|documents?|programmes?|guides?"
    r"|cartes?|catalogues?|actes|videos?|enquete|sondage|contributions?|depot|deposer|remplir"
    r"|retrouve\w*|commandes?|tickets?|adhesions?|dons?|signer|sites?|services?|presentations?"
    r"|supports?|diaporamas?|syntheses?|comptes? rendus?)\b"
)
_ONLINE_FOLLOWED = re.compile(
    r"^\s*(?:sur (?:notre|le|votre|leur|ce|son) site|ici\b|a l'adresse|via (?:le|notre) formulaire"
    r"|de mire|droite|directe|avec\b|de compte)"
)
_DISTANCE_SPATIAL = re.compile(
    r"^\s*(?:de|du|des|d')\b(?!\s*\d+\s*(?:h\b|heures?|minutes?|jours?|semaines?|mois))"
)


def find_status(text: str) -> Status:
    """Cancelled, postponed or scheduled, as the text announces the event."""
    folded = fold_chars(text or "")
    if any(_postponement(folded, m) for m in _POSTPONED.finditer(folded)):
        return Status.POSTPONED
    if any(_cancellation(folded, m) for m in _CANCELLED.finditer(folded)):
        return Status.CANCELLED
    return Status.SCHEDULED


def postponed_to(text: str) -> tuple[int, int] | None:
    """The stretch after "reporté au", "se tiendra finalement", "nouvelle date" that
    holds the new date, or None when no new date is given."""
    if find_status(text) is not Status.POSTPONED:
        return None
    folded = fold_chars(text or "")
    for match in _POSTPONE_TO.finditer(folded):
        if _negated(folded, match.start()) or _about_deadline(folded, match.start()):
            continue
        if _DEADLINE.search(match.group()):
            continue
        end = _sentence_end(folded, match.end())
        if _DATE_WORD.search(folded, match.end(), end):
            return match.end(), end
    return None


def is_online(text: str) -> bool:
    """Whether the event is held online (hybrid events included)."""
    folded = fold_chars(text or "")
    for match in _ONLINE.finditer(folded):
        if _online_signal(folded, match):
            return True
    return any(not _negated(folded, m.start()) for m in _ONLINE_CASED.finditer(text or ""))


def _online_signal(folded: str, match: re.Match[str]) -> bool:
    if _negated(folded, match.start()):
        return False
    after = folded[match.end() : match.end() + 40]
    if match.group() == "a distance":
        return not _DISTANCE_SPATIAL.match(after)
    if match.group() == "en ligne":
        about_else = _ONLINE_ELSEWHERE.search(_words_before(folded, match.start(), 3))
        return not (about_else or _ONLINE_FOLLOWED.match(after))
    return True


def _postponement(folded: str, match: re.Match[str]) -> bool:
    word = match.group()
    if _negated(folded, match.start()) or _about_deadline(folded, match.start()):
        return False
    after = folded[match.end() : match.end() + 40]
    if word == "report":
        return bool(_REPORT_NOUN.match(after)) and not _DEADLINE_OBJECT.match(after)
    if word == "reporter":
        return bool(_MUST_POSTPONE.search(_before(folded, match.start())))
    if word.startswith(_NEEDS_VERB):
        return _with_verb(folded, match)
    return True


def _cancellation(folded: str, match: re.Match[str]) -> bool:
    word = match.group()
    if word.startswith(("annul", "deprogramm", "cancel")) and _negated(folded, match.start()):
        return False
    if _CANCEL_ELSEWHERE.search(folded, max(0, match.start() - 20), match.start()):
        return False
    if _CANCEL_OBJECT.match(folded, match.end()):
        return False
    return _with_verb(folded, match) if word.startswith(_NEEDS_VERB) else True


def _with_verb(folded: str, match: re.Match[str]) -> bool:
    before = folded[max(0, match.start() - 30) : match.start()]
    return bool(_VERB_BEFORE.search(before) or _VERB_AFTER.match(folded, match.end()))


def _before(folded: str, index: int, width: int = 40) -> str:
    """The text before index, back to the last punctuation."""
    return re.split(r"[.;:!?,\n()–—]", folded[max(0, index - width) : index])[-1]


def _words_before(folded: str, index: int, count: int) -> str:
    return " ".join(_before(folded, index).split()[-count:])


def _negated(folded: str, index: int) -> bool:
    words = _words_before(folded, index, 4)
    return bool(_NEGATION.search(words)) and not _NOT_NEGATION.search(words)


def _about_deadline(folded: str, index: int) -> bool:
    return bool(_DEADLINE.search(_before(folded, index, 50)))


def _sentence_end(folded: str, start: int) -> int:
    limit = min(len(folded), start + _TAIL_MAX)
    for end in _SENTENCE_END.finditer(folded, start, limit):
        if not _ABBREVIATION.search(folded, max(start, end.start() - 5), end.start()):
            return end.start()
    return limit
