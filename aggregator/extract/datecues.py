"""What the words around a date say about it: a publication date, a deadline,
something that already happened, or something still to come.

The cues are read in the date's sentence only. Publication and deadline cues
stand just before the date ("Publié le", "inscriptions jusqu'au"); tense is
judged by the verb nearest to the date ("s'est tenue le 6 mars" against
"se tiendra le 6 mars"), read on the lower-cased text with its accents, since
folding would turn the preposition "à" into the verb "a".
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_BREAK_RE = re.compile(r"[.!?;](?=\s|$)|\n")
_SENTENCE_REACH = 400
_TENSE_REACH = 120

_PUBLICATION_RE = re.compile(
    r"\b(?:publiee?s?|postee?s?|mise? en ligne|mise? a jour|modifiee?|actualisee?|"
    r"date de publication|publication|parue?|parution|diffusee? le)\b[^.\n]{0,30}$"
)
_DEADLINE_JUST_BEFORE_RE = re.compile(
    r"(?:\bavant|\bjusqu'(?:au|a|en)|\bau plus tard|\bd'ici)(?:\s+(?:le|la|l'|du|au))?"
    r"(?:\s*(?:mi-?|fin|debut))?\s*$"
)
_DEADLINE_BEFORE_RE = re.compile(
    r"\b(?:date limite|date butoir|limite d[e'] ?(?:depot|candidature|inscription|reponse|envoi)|"
    r"cloture des (?:inscriptions|candidatures|depots)|cloture de l'appel|"
    r"reponses? souhaitees?|deadline|echeance|delai de (?:depot|reponse|candidature)|"
    r"(?:inscriptions?|candidatures?|dossiers?|reponses?)(?: \w+)? (?:avant|jusqu|au plus tard)|"
    r"a (?:retourner|renvoyer|deposer)|depot des (?:dossiers|candidatures|projets))"
)
_DEADLINE_AFTER_RE = re.compile(
    r"^[^.\n;]{0,40}\bpour (?:candidater|s'inscrire|s'y inscrire|postuler|deposer|repondre|"
    r"envoyer|vous inscrire)|^\W{0,3}(?:date limite|dernier delai|au plus tard|delai de rigueur)"
)
_LAST_RE = re.compile(r"^\W{0,3}dernier(?:e|s|es)?\b")
_NEXT_RE = re.compile(r"^\W{0,3}prochaine?s?\b")
_NEXT_BEFORE_RE = re.compile(r"\bprochaine?s?\b[^.\n]{0,40}$")
_LOOKING_BACK_RE = re.compile(
    r"\b(?:retour sur|retour en images|compte[- ]rendu|replay|rediffusion|synthese d[eu])\b"
)

_W = r"[a-zàâäçéèêëîïôöûùüÿœæ]"
# "ont prévu", "a été reporté": perfect tenses that announce or move a date, not past ones.
_ANNOUNCING = (
    r"(?!(?:été\s+)?(?:prévu|programm|planifi|fix|décid|annonc|confirm|propos|souhait|choisi|"
    r"retenu|ouvert|annul|report|décal|déplac|prolong|repouss|modifi|invit|inscrit))"
)
_PAST_RE = re.compile(
    rf"\b(?:a|ont|avons|avez|ai|avait|avaient)\s+(?:(?:déjà|bien|notamment|également|aussi|"
    rf"ainsi|tous|toutes|été)\s+)*{_ANNOUNCING}(?:{_W}+(?:é|ée|és|ées)|eu|pu|su|vu|fait|faits|"
    rf"pris|mis|dit|tenu|tenue|tenus|tenues|réuni|réunie|réunis|réunies|accueilli|accueillie|"
    rf"accueillis|réussi|offert|permis|vécu|reçu|débattu|rendu|répondu|obtenu|produit|conduit|"
    rf"fini|réfléchi|lu|connu|voulu|rassemblé|vu)\b"
    rf"|(?<!\w)(?:s'est|se sont|s'était|s'étaient|s'y est|s'y sont)(?!\w)"
    rf"(?!\s+(?:déjà\s+)?(?:inscrit|engag|mobilis|prépar|associ|donné|fixé|lancé|propos))"
    rf"|\b(?:est|sont)\s+(?:venue?s?|allée?s?|partie?s?|passée?s?|terminée?s?|achevée?s?|"
    rf"clos|close|closes|clôturée?s?)\b"
    rf"|\b{_W}{{2,}}(?<!r)(?:ait|aient)\b"
)
_NOT_IMPERFECT = {
    "fait", "parfait", "imparfait", "satisfait", "bienfait", "forfait", "méfait", "surfait",
    "contrefait", "portrait", "trait", "extrait", "retrait", "abstrait", "distrait", "attrait",
    "souhait", "lait",
}  # fmt: skip
_FUTURE_RE = re.compile(
    rf"\b(?:se tien(?:t|nent|dra|dront)|a lieu|ont lieu|se déroul(?:e|ent)|vous invit{_W}*|"
    rf"invitent|invite|propose|proposent|organise|organisent|accueille|accueillent|"
    rf"rendez-vous|venez|inscrivez|save the date|aura|auront|sera|seront|"
    rf"{_W}{{3,}}(?:eront|iront|dront|ront|era|ira|dra))\b"
)


_Verb = tuple[int, int, str]  # (start, end, "past" or "future")
# "de préparer", "pour participer au": what comes after is the purpose, still ahead
# (read on the folded text).
_PREPARING_RE = re.compile(
    r"\b(?:de|d'|pour|afin de|a)\s+(?:(?:mieux|bien|vous|nous|se|s')\s+)?(?:preparer|organiser"
    r"|participer|annoncer|programmer|planifier|inscrire|assister|rejoindre|venir|rendre)\b"
)


@dataclass(frozen=True)
class Cues:
    publication: bool = False
    deadline: bool = False
    past: bool = False
    future: bool = False


# One pass for both tenses; every verb starts a word, so other positions fail at once.
_TENSE_RE = re.compile(
    rf"(?<![\w'])(?=\w)(?:(?P<past>{_PAST_RE.pattern})|(?P<future>{_FUTURE_RE.pattern}))"
)


def _lower(text: str) -> str:
    """Lower case, one character for one character ("İ" alone grows under str.lower)."""
    return text.replace("\u0130", "I").lower().replace("\u2019", "'")


def _verbs(words: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """(start, end, "past" or "future") of each tense cue in lower-cased `words`."""
    found = []
    for hit in _TENSE_RE.finditer(words):
        tense = hit.lastgroup or "past"
        if tense == "future" or hit.group() not in _NOT_IMPERFECT:
            found.append((hit.start() + offset, hit.end() + offset, tense))
    return found


def _tense(verbs: list[tuple[int, int, str]], start: int, end: int) -> tuple[bool, bool]:
    """(past, future) as told by the verb nearest to the date at [start, end)."""
    nearest = {"past": _TENSE_REACH + 1, "future": _TENSE_REACH + 1}
    for verb_start, verb_end, tense in verbs:
        if verb_end <= start:
            nearest[tense] = min(nearest[tense], start - verb_end)
        elif verb_start >= end:
            nearest[tense] = min(nearest[tense], verb_start - end)
    past, future = nearest["past"], nearest["future"]
    if past <= _TENSE_REACH and past < future:
        return True, False
    return False, future <= _TENSE_REACH


class CueReader:
    """Reads the cues around the dates of one text; sentence breaks are found once.

    Verbs are read in a window around each date; once those windows add up to
    the length of the text (a page made of dates), the whole text is read once
    and the windows look their verbs up instead.
    """

    def __init__(self, text: str, folded: str):
        self.text, self.folded = text, folded
        self.breaks = [found.start() for found in _BREAK_RE.finditer(folded)]
        self.read_so_far = 0
        self.all_verbs: list[tuple[int, int, str]] | None = None
        self.preparing: list[int] | None = None  # where "de préparer"-like phrases start

    def _sentence(self, start: int, end: int) -> tuple[int, int]:
        """Bounds of the sentence holding folded[start:end], within reach."""
        index = bisect.bisect_left(self.breaks, start)
        begin = self.breaks[index - 1] + 1 if index else 0
        after = bisect.bisect_left(self.breaks, end)
        stop = self.breaks[after] if after < len(self.breaks) else len(self.folded)
        return max(begin, start - _SENTENCE_REACH), min(stop, end + _SENTENCE_REACH)

    def _verbs_between(self, begin: int, stop: int) -> list[tuple[int, int, str]]:
        if self.all_verbs is None and self.read_so_far + stop - begin > len(self.text):
            self.all_verbs = _verbs(_lower(self.text))
        if self.all_verbs is None:
            self.read_so_far += stop - begin
            return _verbs(_lower(self.text[begin:stop]), begin)
        low = bisect.bisect_left(self.all_verbs, (begin, 0, ""))
        high = bisect.bisect_left(self.all_verbs, (stop, 0, ""), low)
        return [verb for verb in self.all_verbs[low:high] if verb[1] <= stop]

    def _governing(self, verbs: list[_Verb], start: int) -> list[_Verb]:
        """The verbs whose tense speaks for a date at `start`: a past verb before it loses
        its say when an infinitive of preparation stands between ("la réunion a permis de
        préparer le forum du 26 mars": the forum is still to come)."""
        if self.preparing is None:
            self.preparing = [found.start() for found in _PREPARING_RE.finditer(self.folded)]
        return [
            verb
            for verb in verbs
            if not (verb[2] == "past" and verb[1] <= start and self._preparing(verb[1], start))
        ]

    def _preparing(self, start: int, end: int) -> bool:
        assert self.preparing is not None
        index = bisect.bisect_left(self.preparing, start)
        return index < len(self.preparing) and self.preparing[index] < end

    def read(self, start: int, core: int, end: int) -> Cues:
        """The cues around the date written at text[start:end] (its day starts at `core`)."""
        folded = self.folded
        begin, stop = self._sentence(start, end)
        before = folded[max(begin, core - 80) : core]
        after = folded[end:stop]
        publication = bool(_PUBLICATION_RE.search(before[-40:]))
        deadline = bool(
            _DEADLINE_JUST_BEFORE_RE.search(before)
            or _DEADLINE_BEFORE_RE.search(before)
            or _DEADLINE_AFTER_RE.search(after)
        )
        if _NEXT_RE.search(after):
            return Cues(publication=publication, deadline=deadline, future=True)
        if _LAST_RE.search(after) or _LOOKING_BACK_RE.search(before):
            return Cues(publication=publication, deadline=deadline, past=True)
        # Only the verbs within reach count; reading a few words more keeps them whole.
        reach = _TENSE_REACH + 20
        verbs = self._verbs_between(max(begin, start - reach), min(stop, end + reach))
        past, future = _tense(self._governing(verbs, start), start, end)
        future = (future or bool(_NEXT_BEFORE_RE.search(before))) and not past
        return Cues(publication=publication, deadline=deadline, past=past, future=future)
