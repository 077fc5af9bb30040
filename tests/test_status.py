import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.extract.status import find_status, is_online, postponed_to
from aggregator.model import Status

CANCELLED, POSTPONED, SCHEDULED = Status.CANCELLED, Status.POSTPONED, Status.SCHEDULED

STATUSES = [
    ("Réunion publique annulée.", CANCELLED),
    ("ANNULÉ – Conseil de quartier du 5 mars", CANCELLED),
    ("Les ateliers sont annulés en raison de la météo.", CANCELLED),
    ("La réunion est annulée.", CANCELLED),
    ("Annulation de la fête de quartier", CANCELLED),
    ("La cérémonie du 18 juin ne pourra pas avoir lieu cette année.", CANCELLED),
    ("Le forum n'aura pas lieu.", CANCELLED),
    ("La commémoration est exceptionnellement supprimée.", CANCELLED),
    ("Réunion reportée au 12 avril 2020.", POSTPONED),
    ("REPORTÉ – Café citoyen", POSTPONED),
    ("Report des 1ères Rencontres Mobilités Urbaines et Territoires.", POSTPONED),
    ("La séance est décalée au 3 juin.", POSTPONED),
    ("Le colloque est repoussé à l'automne.", POSTPONED),
    ("Prévues le 29 mars, elles se tiendront finalement en mai.", POSTPONED),
    ("Nouvelle date : jeudi 12 mars.", POSTPONED),
    ("Nous avons dû reporter la rencontre au 4 mai.", POSTPONED),
    ("Le séminaire est annulé et reporté à une date ultérieure.", POSTPONED),
    ("La réunion annulée en mars est reportée au 12 mai.", POSTPONED),
    ("ATTENTION : changement de date ! La journée aura lieu le 12 mars.", POSTPONED),
    ("La réunion initialement prévue le 5 mars aura lieu le 12 mars.", POSTPONED),
    # not a status, or about something else than the event
    ("Le programme initialement prévu est maintenu.", SCHEDULED),
    ("Atelier complet.", SCHEDULED),
    ("COMPLET – liste d'attente", SCHEDULED),
    ("Le rapport annuel sera présenté.", SCHEDULED),
    ("Un reportage sur le quartier.", SCHEDULED),
    ("Les budgets sont votés annuellement.", SCHEDULED),
    ("Sans report possible.", SCHEDULED),
    ("La réunion n'est pas annulée.", SCHEDULED),
    ("La réunion n'est ni annulée ni reportée.", SCHEDULED),
    ("Conditions d'annulation : voir le site.", SCHEDULED),
    ("Inscription obligatoire, annulation possible jusqu'à la veille.", SCHEDULED),
    ("La date limite est reportée au 5 mars.", SCHEDULED),
    ("Report de la date limite de dépôt au 20 janvier.", SCHEDULED),
    ("Un humour décalé et des horaires décalés.", SCHEDULED),
    ("Des postes supprimés dans la fonction publique.", SCHEDULED),
    ("Plusieurs reports du comité interministériel.", SCHEDULED),
    ("Un reporter de France 3 était présent.", SCHEDULED),
    ("", SCHEDULED),
]


@pytest.mark.parametrize(("text", "expected"), STATUSES)
def test_find_status(text, expected):
    assert find_status(text) is expected


@pytest.mark.parametrize(
    ("text", "new_date"),
    [
        ("Réunion reportée au 12 avril 2020.", "12 avril 2020"),
        ("La séance est décalée au 3 juin.", "3 juin"),
        ("La journée se tiendra finalement le 5 octobre.", "le 5 octobre"),
        ("Nouvelle date : jeudi 12 mars.", "jeudi 12 mars"),
        ("Nous avons dû reporter la rencontre au 4 mai.", "4 mai"),
        ("La réunion annulée en mars est reportée au 12 mai.", "12 mai"),
        ("Report : 5 nov. 2020, même lieu.", "5 nov. 2020, même lieu"),
        (
            "Changement de date ! La journée aura lieu le 12 mars.",
            "La journée aura lieu le 12 mars",
        ),
        ("La réunion initialement prévue le 5 mars aura lieu le 12 mars.", "le 12 mars"),
        (
            "Prévues ce vendredi 29 mars à Montpellier, elles se tiendront finalement au cours "
            "du mois de mai 2024, à l'occasion de la présentation.",
            "au cours du mois de mai 2024, à l'occasion de la présentation",
        ),
    ],
)
def test_postponed_to(text, new_date):
    span = postponed_to(text)
    assert span is not None
    assert text[span[0] : span[1]].strip() == new_date


@pytest.mark.parametrize(
    "text",
    [
        "Le colloque est repoussé à l'automne.",
        "Le séminaire est reporté à une date ultérieure.",
        "Report de la journée du 5 mars.",
        "Report de la date limite de dépôt au 20 janvier.",
        "Réunion le 5 mars à Lyon.",
        "",
    ],
)
def test_no_new_date(text):
    assert postponed_to(text) is None


ONLINE = [
    ("Webinaire le 5 mai", True),
    ("Webinar : territoires et santé", True),
    ("Réunion en visio", True),
    ("Visioconférence à 14h", True),
    ("La formation en ligne « Territoires et développements » revient", True),
    ("Cours en distanciel", True),
    ("Séminaire à distance de 3 heures chaque mois", True),
    ("Lien Zoom envoyé aux inscrits", True),
    ("Réunion sur Teams", True),
    ("En live sur Facebook", True),
    ("La troisième session de ce MOOC est ouverte", True),
    ("En présentiel et en ligne", True),
    ("Le webinaire aura lieu en ligne via Zoom", True),
    ("Une web conférence du Forum français pour la sécurité urbaine", True),
    ("Le lien de connexion sera envoyé la veille.", True),
    ("Conférence diffusée en direct sur YouTube", True),
    ("Formation en mode hybride", True),
    ("Inscription en ligne obligatoire", False),
    ("Merci de remplir le formulaire en ligne.", False),
    ("Inscriptions en ligne sur le site", False),
    ("Les inscriptions sont ouvertes en ligne.", False),
    ("Programme disponible en ligne", False),
    ("Les actes sont mis en ligne", False),
    ("À retrouver en ligne sur notre site", False),
    ("Le replay en ligne", False),
    ("Zoom sur les quartiers", False),
    ("À distance de la gare", False),
    ("Réunion à Lyon, salle des fêtes", False),
    ("La réunion ne sera pas retransmise en ligne", False),
    ("En ligne de mire : les municipales", False),
    ("", False),
]


@pytest.mark.parametrize(("text", "expected"), ONLINE)
def test_is_online(text, expected):
    assert is_online(text) is expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises(text):
    assert find_status(text) in set(Status)
    assert isinstance(is_online(text), bool)
    span = postponed_to(text)
    if span is not None:
        assert 0 <= span[0] <= span[1] <= len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "reporté",
                "au",
                "annulé",
                "pas",
                "n'est",
                "report",
                "de",
                "la",
                "date",
                "limite",
                "12",
                "mars",
                ".",
                "en",
                "ligne",
                "inscription",
                "nouvelle",
                "webinaire",
                "\n",
                ":",
            ]
        ),
        max_size=25,
    )
)
def test_never_raises_on_status_like_text(words):
    text = " ".join(words)
    find_status(text)
    is_online(text)
    span = postponed_to(text)
    if span is not None:
        assert 0 <= span[0] <= span[1] <= len(text)
