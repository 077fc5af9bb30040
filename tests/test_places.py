from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.extract import gazetteer
from aggregator.extract.places import Place, find_city, find_place, normalise_city

# text -> (city, venue, address, postcode)
PLACES = [
    # a preposition before the city, names normalised against the gazetteer
    ("Rendez-vous à Grenoble le 5 mars.", ("Grenoble", None, None, None)),
    ("10 ou 12 Décembre 2019 à Vaulx en Velin", ("Vaulx-en-Velin", None, None, None)),
    ("La journée aura lieu à VAULX-EN-VELIN.", ("Vaulx-en-Velin", None, None, None)),
    ("La formation se déroulera à REZÉ en deux modules.", ("Rezé", None, None, None)),
    ("Atelier à ST DENIS le 5 mai.", ("Saint-Denis", None, None, None)),
    ("Atelier à St-Étienne.", ("Saint-Étienne", None, None, None)),
    ("Rencontre à Argelès sur Mer.", ("Argelès-sur-Mer", None, None, None)),
    ("Réunion au Havre puis au Mans.", ("Le Havre", None, None, None)),
    ("Rendez-vous aux Lilas.", ("Les Lilas", None, None, None)),
    ("Rendez-vous à la Rochelle le 4.", ("La Rochelle", None, None, None)),
    ("RÉUNION PUBLIQUE À LYON LE 5 MAI", ("Lyon", None, None, None)),
    ("Journée à Paris 15e.", ("Paris", None, None, None)),
    ("Rendez-vous à Lyon Part-Dieu le 5.", ("Lyon", None, None, None)),
    ("Colloque à Marseille les 3 et 4 juin.", ("Marseille", None, None, None)),
    # a department code or name disambiguates
    ("Forum emploi – Tourcoing (59) – 12 mars", ("Tourcoing", None, None, None)),
    ("12 décembre 2024 – 9h30 - 16h – Saintes (17)", ("Saintes", None, None, None)),
    ("Le congrès se tient à Albi (Tarn).", ("Albi", None, None, None)),
    ("Réunion à Melle (35).", ("Mellé", None, None, None)),
    ("Réunion à Melle (79).", ("Melle", None, None, None)),
    ("Réunion à Melle.", ("Melle", None, None, None)),
    ("Rencontre à Aix (59).", ("Aix-en-Pévèle", None, None, None)),
    ("Rencontre à Aix le 5 mai.", ("Aix-en-Provence", None, None, None)),
    # venue, street address, postcode and city
    (
        "Salle X, 12 rue Y, 69100 Villeurbanne",
        ("Villeurbanne", "Salle X", "12 rue Y", "69100"),
    ),
    (
        "salle des fêtes, 12 rue de la Paix, 69100 Villeurbanne",
        ("Villeurbanne", "salle des fêtes", "12 rue de la Paix", "69100"),
    ),
    (
        "Lundi 29 avril, 18h30, Maison de Quartier Lalande, 239 avenue de Fronton, 31200 Toulouse.",
        ("Toulouse", "Maison de Quartier Lalande", "239 avenue de Fronton", "31200"),
    ),
    (
        "le 7 février à 18 h 30 au gymnase Branly, 25 rue de Tourvielle.",
        (None, "gymnase Branly", "25 rue de Tourvielle", None),
    ),
    (
        "Lundi 16 octobre 2017, 14h30 – ADRAR Formation à Ramonville "
        "(2 rue Irène Joliot Curie, Parc Technologique du Canal).",
        ("Ramonville-Saint-Agne", "ADRAR Formation", "2 rue Irène Joliot Curie", None),
    ),
    (
        "Atelier au 12 rue Victor Hugo, 93200 Saint-Denis.",
        ("Saint-Denis", None, "12 rue Victor Hugo", "93200"),
    ),
    # venue lexicon
    (
        "Rencontre à la Plaine Images, Tourcoing, le 3 juin.",
        ("Tourcoing", "Plaine Images", None, None),
    ),
    ("Visite au Musée de la Romanité à Nîmes.", ("Nîmes", "Musée de la Romanité", None, None)),
    (
        "Cérémonie à l'Hôtel de Ville de Lyon à 18h.",
        ("Lyon", "Hôtel de Ville de Lyon", None, None),
    ),
    (
        "Réunion à la Salle des fêtes de Marans.",
        ("Marans", "Salle des fêtes de Marans", None, None),
    ),
    (
        "Permanence à la Maison des associations, place du Marché.",
        (None, "Maison des associations", None, None),
    ),
    (
        "Atelier au Centre social Les Tilleuls à Villeurbanne.",
        ("Villeurbanne", "Centre social Les Tilleuls", None, None),
    ),
    (
        "Lecture à la Médiathèque Jacques-Prévert de Saint-Denis.",
        ("Saint-Denis", "Médiathèque Jacques-Prévert de Saint-Denis", None, None),
    ),
    ("Concert à l'Espace Culturel Jean Vilar.", (None, "Espace Culturel Jean Vilar", None, None)),
    ("Spectacle au Théâtre de la Croix-Rousse.", (None, "Théâtre de la Croix-Rousse", None, None)),
    (
        "Conférence à l'Auditorium de l'Orchestre, Lyon.",
        ("Lyon", "Auditorium de l'Orchestre", None, None),
    ),
    (
        "Conférence dans l'Amphithéâtre Descartes de la Sorbonne.",
        (None, "Amphithéâtre Descartes de la Sorbonne", None, None),
    ),
    (
        "Pique-nique aux Jardins de la Fontaine, Nîmes.",
        ("Nîmes", "Jardins de la Fontaine", None, None),
    ),
    (
        "L'édition se tient à Albi. Au Grand Théâtre des Cordeliers, les élus ont débattu.",
        ("Albi", "Grand Théâtre des Cordeliers", None, None),
    ),
    ("19/11/2025 - 09:30 - Le Grand Forum. Si l'engagement…", (None, "Le Grand Forum", None, None)),
    (
        "Jeudi 16 novembre : à partir de 18h30 à la médiathèque Bernard-Ywanne (quartiers Fabien)",
        (None, "médiathèque Bernard-Ywanne", None, None),
    ),
    (
        "Mercredi 29 novembre : à partir de 18h30 dans la salle de l'Espérance (Haut-Bonneuil)",
        (None, "salle de l'Espérance", None, None),
    ),
    (
        "Lundi 5 octobre à 18 h 30 : village centre – Salle Buisson",
        (None, "Salle Buisson", None, None),
    ),
    (
        "Le séminaire se tiendra à Marseille, au Palais du Pharo.",
        ("Marseille", "Palais du Pharo", None, None),
    ),
    ("Projection au cinéma Le Méliès à Montreuil.", ("Montreuil", "cinéma Le Méliès", None, None)),
    (
        "Repas au centre social, 5 rue Jean Jaurès, 59100 Roubaix.",
        ("Roubaix", "centre social", "5 rue Jean Jaurès", "59100"),
    ),
    (
        "Séminaire IREV, jeudi 14 mars 2019, à la Maison Régionale de l'Environnement et des "
        "Solidarités (MRES), 23 rue Gosselet, Lille.",
        (
            "Lille",
            "Maison Régionale de l'Environnement et des Solidarités",
            "23 rue Gosselet",
            None,
        ),
    ),
    (
        "Rendez-vous le 5 mars à la MJC de Villeurbanne.",
        ("Villeurbanne", "MJC de Villeurbanne", None, None),
    ),
    ("Rendez-vous le 5 mars au CCO de Villeurbanne.", ("Villeurbanne", None, None, None)),
    # a labelled place
    (
        "Lieu : Ministère de la Cohésion des territoires, 20 avenue de Ségur, 75007 Paris.",
        ("Paris", "Ministère de la Cohésion des territoires", "20 avenue de Ségur", "75007"),
    ),
    (
        "Lieu : Espace Jean Vilar, 1 rue Paul Langevin, 94110 Arcueil",
        ("Arcueil", "Espace Jean Vilar", "1 rue Paul Langevin", "94110"),
    ),
    (
        "Où ? Salle polyvalente de Wattrelos",
        ("Wattrelos", "Salle polyvalente de Wattrelos", None, None),
    ),
    # a city heading a news line, or standing alone between dashes
    ("Marans – La cérémonie du 18 juin ne pourra pas avoir lieu.", ("Marans", None, None, None)),
    ("Cachan – Quartier La Plaine – La Prairie. Prochaine réunion", ("Cachan", None, None, None)),
    (
        "Argelès-sur-Mer – Citoyenneté : les réunions de secteur",
        ("Argelès-sur-Mer", None, None, None),
    ),
    (
        "Réunion publique de quartier Lalande – Toulouse, lundi 29 avril",
        ("Toulouse", None, None, None),
    ),
    ("Journée d'étude — Tours, 12 mars 2020", ("Tours", None, None, None)),
    # the commune named as its municipality
    ("la municipalité de Seysses lance ses conseils de quartier", ("Seysses", None, None, None)),
    ("Le maire de Bar-le-Duc sera présent.", ("Bar-le-Duc", None, None, None)),
    ("La Ville de Lyon organise une réunion.", ("Lyon", None, None, None)),
]

# texts where no city (and no venue) must be found
NOT_PLACES = [
    "À partir de 18h, à noter : à l'occasion de la fête, à la une du journal.",
    "Réunion en ligne et en visio le 5 mai.",
    "Orange soutient le projet.",  # a company, sentence-initial
    "Rencontre organisée par la Fondation Orange et Bouygues.",
    "Mise en œuvre en Ville. Sports et loisirs.",  # Villé (67) is not "Ville"
    "Tours de table et échanges.",
    "Les habitants de la cité Saint-Laurent sont invités.",
    "Le marché de la rue de Paris et de l'avenue de Fronton.",
    "Porte Saint-Denis et quartier Haut-Bonneuil.",
    "Le Centre multimodal de distribution urbaine (CMDU), avec le directeur de Ports de Lille.",
    "Jean-Louis Borloo était présent, avec un professeur de l'Université de Bordeaux.",
    "Apports et exemples territoriaux – notamment à Strasbourg – pour l'égalité.",
    "La parentalité au centre de la réflexion.",
    "La Métropole Européenne de Lille lance un appel.",
    "Visite du Centre Pompidou-Metz.",
    "Rencontre en Seine-Saint-Denis.",
    "Rendez-vous à l'Université d'été.",
    "La réussite à l'école pour tous.",
    "Séance en Bretagne et en Vendée.",
    "Mars 2020 : le marché de Mars reprend.",
    "Le Forum des associations aura lieu bientôt.",
    "Formation dans l'espace de travail partagé.",
    "",
    "   ",
]


@pytest.mark.parametrize(("text", "expected"), PLACES)
def test_find_place(text, expected):
    place = find_place(text)
    assert (place.city, place.venue, place.address, place.postcode) == expected


@pytest.mark.parametrize("text", NOT_PLACES)
def test_no_place(text):
    place = find_place(text)
    assert (place.city, place.venue) == (None, None)


def test_everyday_word_needs_a_cue():
    assert find_city("Orange soutient le projet. Rendez-vous à Orange le 3 mai.") == "Orange"
    assert find_city("Réunion à Lent.") == "Lent"
    assert find_city("Plaisir de lire, le 5 mai.") is None
    assert find_city("Atelier, 78370 Plaisir") == "Plaisir"


def test_strongest_cue_wins_then_first():
    text = (
        "Les assemblées de quartier d'Orléans : à l'École, 8 rue Léonard de Vinci, 45100 Orléans."
    )
    assert find_city(text) == "Orléans"
    assert find_city("Plénière à Bordeaux. La ville de Pessac accueille l'atelier.") == "Bordeaux"
    assert find_city("Le maire de Lyon sera à Villeurbanne.") == "Villeurbanne"


def test_span_covers_venue_address_and_city():
    text = "Rendez-vous salle X, 12 rue Y, 69100 Villeurbanne, à 18h."
    place = find_place(text)
    assert place.span == (12, 49)
    assert text[slice(*place.span)] == "salle X, 12 rue Y, 69100 Villeurbanne"


def test_city_span_alone():
    text = "La journée aura lieu à Vaulx en Velin."
    assert find_place(text).span == (23, 37)


def test_empty_place():
    assert find_place("Rien à signaler.") == Place(
        venue=None, address=None, city=None, postcode=None
    )
    assert find_place("Rien à signaler.").span is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("vaulx en velin", "Vaulx-en-Velin"),
        ("ST DENIS", "Saint-Denis"),
        ("saint-etienne", "Saint-Étienne"),
        ("Lyon 3e", "Lyon"),
        ("Marseille 13e arrondissement", "Marseille"),
        ("69100 VILLEURBANNE CEDEX", "Villeurbanne"),
        ("Tourcoing (59)", "Tourcoing"),
        ("Melle (35)", "Mellé"),
        ("argeles sur mer", "Argelès-sur-Mer"),
        ("Bonneuil sur Marne", "Bonneuil-sur-Marne"),
        ("la rochelle", "La Rochelle"),
        ("Ramonville", "Ramonville-Saint-Agne"),
        ("Paris", "Paris"),
        ("Lyon, France", "Lyon"),
        ("Atlantide", None),
        ("Bar", None),
        ("", None),
    ],
)
def test_normalise_city(name, expected):
    assert normalise_city(name) == expected


def test_gazetteer_holds_official_names():
    data = gazetteer.gazetteer()
    for name in ("Vaulx-en-Velin", "Argelès-sur-Mer", "Bonneuil-sur-Marne", "Saint-Denis"):
        assert name in {c.name for c in data.names[gazetteer.fold(name)]}
    for city in ("Paris", "Lyon", "Marseille"):
        assert data.names[gazetteer.fold(city)][0].name == city
    assert "paris 15 vaugirard" not in data.names and "lyon 03" not in data.names
    assert {c.dept for c in data.names["saint denis"]} >= {"93", "974"}
    assert data.names["tourcoing"][0].dept == "59"
    assert len(data.names) > 14_000


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_and_span_within_text(text):
    place = find_place(text)
    if place.span is not None:
        assert 0 <= place.span[0] < place.span[1] <= len(text)
    assert normalise_city(text) is None or isinstance(normalise_city(text), str)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "à",
                "Lyon",
                "salle",
                "des",
                "fêtes",
                ",",
                "12",
                "rue",
                "Y",
                "69100",
                "(",
                "59",
                ")",
                "–",
                "\n",
                "Saint",
                "-",
                "Denis",
                "au",
                "Havre",
                "l'",
                "Hôtel",
                "de",
                "Ville",
                ".",
            ]
        ),
        max_size=30,
    )
)
def test_never_raises_on_place_like_text(words):
    text = " ".join(words)
    place = find_place(text)
    if place.span is not None:
        assert 0 <= place.span[0] < place.span[1] <= len(text)


def test_data_files_are_well_formed():
    data = resources.files("aggregator").joinpath("data")
    departments = dict(
        line.split("\t")
        for line in data.joinpath("departements-fr.tsv").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    )
    assert len(departments) == 101 and departments["59"] == "Nord"
    lines = data.joinpath("communes-fr.tsv").read_text(encoding="utf-8").splitlines()[1:]
    rows = [tuple(line.split("\t")) for line in lines]
    assert rows == sorted(rows, key=lambda row: (gazetteer.fold(row[0]), row))
    for name, dept, population, common, _aliases in rows:
        assert name and dept in departments and int(population) >= 0 and common in ("", "1")
