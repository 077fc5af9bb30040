"""French words that name an event, and the words around dates that say an
event is not what a date is about. Patterns read folded text (lower case,
no accents: `gazetteer.fold_chars`).

    >>> bool(EVENT_NOUN.search("la troisieme session de ce mooc"))
    True
"""

from __future__ import annotations

import re

# Nouns that name a gathering; plural forms included ("deux rencontres").
EVENT_NOUN = re.compile(
    r"\b(?:reunions?(?: publiques?)?|rencontres?|(?:demi-)?journees?|seminaires?|colloques?"
    r"|conferences?|congres|forums?|ateliers?|formations?|webinaires?|webinars?"
    r"|web[- ]?conferences?|visio-?conferences?|debats?|tables? rondes?|assemblees?"
    r"|ceremonies?|commemorations?|festivals?|salons?|expositions?|visites?|projections?"
    r"|cafes?|casse-croutes?|petits?-dejeuners?|matinales?|soirees?|sessions?|modules?"
    r"|cycles?|universites? d'ete|rassemblements?|permanences?|concertations?|balades?"
    r"|fetes?|inaugurations?|assises|rendez-vous|rdv|temps d'echanges?|mooc|live"
    r"|plenieres?|stages?|hackathons?|spectacles?|concerts?|portes ouvertes|tournois?"
    r"|causeries?|marches exploratoires?|conseils? de quartier|conseils? municipal"
    r"|conseils? citoyens?"
    r"|comites? de pilotage|commissions?|semaines?|quinzaines?|biennales?|triennales?"
    r"|etats generaux|restitutions?|vernissages?|lectures? publiques?|cine-debats?"
    r"|apero\w*|gouters?|repas|pique-niques?|braderies?|brocantes?|concours|job ?datings?"
    r"|remises? des prix|nettoyages? citoyens?|chantiers? participatifs?|save the date"
    r"|marches? (?:de noel|solidaires?|nocturnes?|artisana\w*|de producteurs)|carnavals?"
    r"|defiles?|kermesses?|bals?|lotos?|vide-greniers?|seances?|representations?|voeux"
    r"|evenements?|manifestations? (?:festives?|culturelles?|sportives?)|temps forts?"
    r"|animations?|visioconferences?)\b"
)
# Words that announce something to attend, without naming it ("aura lieu le 5 mai").
EVENT_VERB = re.compile(
    r"\b(?:aur(?:a|ont) lieu|(?:a|ont) lieu|se tien(?:t|nent|dra|dront)|se deroul\w*"
    r"|vous invit\w*|venez|rejoignez|participez|inscrivez-vous|save the date)\b"
)
# A range that frames other events ("dans le cadre de la semaine … du 30 mai au 5 juin").
FRAME = re.compile(
    r"\bdans le cadre\b|\bsemaines?\b|\bquinzaines?\b|\bmois\b|\bfestival\b|\bsaison\b"
    r"|\bcycle\b|\bserie\b|\bprogrammation\b"
)
# Words that mark the date a postponement replaced ("initialement prévue le 3 mars").
OLD_DATE_BEFORE = re.compile(
    r"\b(?:initialement|prevue?s?|programmee?s?|a l'origine|au lieu d[ue]|anciennement"
    r"|d'abord)\b[^.,;!?\n]{0,25}$"
)
# What readers do on a date rather than attend: "les inscriptions ouvrent le 3".
ACTION_NOUN = re.compile(
    r"\b(?:questions?|inscriptions?|candidatures?|dossiers?|contributions?|reponses?"
    r"|formulaires?|plateformes?|billetterie|reservations?|votes?|propositions?|demandes?"
    r"|telechargements?|documents?|appels? a (?:projets|candidatures|manifestation)"
    r"|questionnaires?|enquetes?|sondages?|sites?|outils?|applications?|guides?|rapports?"
    r"|videos?|replays?|rediffusions?|publications?|ressources?|offres?|aides?|dispositifs?)\b"
)
# Publications a date may label ("Lettre d'information n°12 – mars 2020").
PUBLICATION_NOUN = re.compile(
    r"\b(?:lettres? d'(?:information|info)|newsletters?|bulletins?|magazines?|revues?"
    r"|journal|n°|numero|rapports?|syntheses?|actes|comptes?[- ]rendus?|notes?|dossiers?"
    r"|publications?|parutions?|editos?|edito)\b"
)
# A date opening a period that has no end: "à partir du 20 janvier", "dès le 3".
OPENING_BEFORE = re.compile(r"(?:\ba partir|\ba compter|\bdes|\bouverte?s?)\s+(?:du|de|le|l')?\s*$")
OPENING_OF_ACTION = re.compile(
    r"\bouverture (?:des|de la|du) (?:inscriptions?|candidatures?|billetterie|reservations?)"
    r"[^.;\n]{0,20}$"
)
# Links worth giving as the registration link of an event.
REGISTRATION = re.compile(
    r"inscri|reserv|billet|programme|formulaire|regist|participer|je m'inscris|ticket"
)
# Half-days opening a sentence: "Le matin, … L'après-midi, …".
PART_OF_DAY = re.compile(
    r"(?:^|(?<=[.!?;:\n]) ?)\s*(?P<part>le matin|en matinee|dans la matinee|l'apres-midi"
    r"|en apres-midi|dans l'apres-midi|en soiree|le soir)\b"
)
PART_LABELS = {
    "le matin": "matinée",
    "en matinee": "matinée",
    "dans la matinee": "matinée",
    "l'apres-midi": "après-midi",
    "en apres-midi": "après-midi",
    "dans l'apres-midi": "après-midi",
    "en soiree": "soirée",
    "le soir": "soirée",
}
# "deux rencontres", "trois ateliers": how many events a text says it announces.
COUNTED = re.compile(r"\b(?P<count>deux|trois|quatre) (?P<noun>[a-z'-]+s)\b")
COUNTS = {"deux": 2, "trois": 3, "quatre": 4}
PARTS = re.compile(r"temps|sequences|moments|volets|parties")  # "deux temps" of one day
