"""The French date parser: exact values for each pattern, kinds, year inference, spans,
and properties that hold on any text."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator import DateMatch, parse_dates
from aggregator.extract.dates import first_event_date
from aggregator.extract.datetokens import fold
from aggregator.model import DateKind, Precision

REF = date(2019, 7, 15)


def _iso(value: date | datetime | None) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat() if value else None


def _summary(match: DateMatch) -> tuple:
    return (_iso(match.start), _iso(match.end), match.precision.value, match.text)


def _only(text: str, reference: date = REF) -> DateMatch:
    matches = parse_dates(text, reference)
    assert len(matches) == 1, matches
    return matches[0]


# text, expected (start, end, precision, matched text) of its one match; reference REF.
SINGLE = [
    # days, with or without weekday, year, ordinal
    ("mardi 5 novembre 2019", ("2019-11-05", None, "day", "mardi 5 novembre 2019")),
    ("Rendez-vous le 1er octobre.", ("2019-10-01", None, "day", "le 1er octobre")),
    ("Rendez-vous le 1ER OCTOBRE.", ("2019-10-01", None, "day", "le 1ER OCTOBRE")),
    ("le 3/09", ("2019-09-03", None, "day", "le 3/09")),
    ("12/03/2020", ("2020-03-12", None, "day", "12/03/2020")),
    ("12.03.20", ("2020-03-12", None, "day", "12.03.20")),
    ("12-03-2020", ("2020-03-12", None, "day", "12-03-2020")),
    ("5 nov.", ("2019-11-05", None, "day", "5 nov.")),
    ("5 nov. 2019", ("2019-11-05", None, "day", "5 nov. 2019")),
    ("5 DÉC.", ("2019-12-05", None, "day", "5 DÉC.")),
    ("le 3 Décembre", ("2019-12-03", None, "day", "le 3 Décembre")),
    ("le 3 decembre", ("2019-12-03", None, "day", "le 3 decembre")),
    ("1 mars", ("2020-03-01", None, "day", "1 mars")),
    ("2019-11-05", ("2019-11-05", None, "day", "2019-11-05")),
    ("2019-11-05T09:30", ("2019-11-05T09:30", None, "minute", "2019-11-05T09:30")),
    ("le 5 août", ("2019-08-05", None, "day", "le 5 août")),
    ("Le 29 février", ("2020-02-29", None, "day", "Le 29 février")),
    # ranges and lists
    ("2 et 3 octobre 2019", ("2019-10-02", "2019-10-03", "day", "2 et 3 octobre 2019")),
    ("du 27 au 29 août", ("2019-08-27", "2019-08-29", "day", "du 27 au 29 août")),
    (
        "du 1er au 3 décembre 2019 à Lyon",
        ("2019-12-01", "2019-12-03", "day", "du 1er au 3 décembre 2019"),
    ),
    (
        "du 30 septembre au 2 octobre 2020",
        ("2020-09-30", "2020-10-02", "day", "du 30 septembre au 2 octobre 2020"),
    ),
    (
        "les 13 et 14 juin prochains",
        ("2020-06-13", "2020-06-14", "day", "les 13 et 14 juin prochains"),
    ),
    ("19-20 mars", ("2020-03-19", "2020-03-20", "day", "19-20 mars")),
    ("les 4, 5 et 6 mai", ("2020-05-04", "2020-05-06", "day", "les 4, 5 et 6 mai")),
    ("les 5, 6, et 7 mai 2015", ("2015-05-05", "2015-05-07", "day", "les 5, 6, et 7 mai 2015")),
    ("du lundi 2 au mercredi 4", ("2019-09-02", "2019-09-04", "day", "du lundi 2 au mercredi 4")),
    (
        "du 28 décembre au 3 janvier 2021",
        ("2020-12-28", "2021-01-03", "day", "du 28 décembre au 3 janvier 2021"),
    ),
    ("du 12/03 au 15/03/2020", ("2020-03-12", "2020-03-15", "day", "du 12/03 au 15/03/2020")),
    ("du 5 mai jusqu'au 7 mai", ("2020-05-05", "2020-05-07", "day", "du 5 mai jusqu'au 7 mai")),
    (
        "le mardi 5 et le mercredi 6 novembre",
        ("2019-11-05", "2019-11-06", "day", "le mardi 5 et le mercredi 6 novembre"),
    ),
    (
        "entre le 3 et le 20 octobre",
        ("2019-10-03", "2019-10-20", "day", "entre le 3 et le 20 octobre"),
    ),
    (
        "Samedi 14 et dimanche 15 mars 2020",
        ("2020-03-14", "2020-03-15", "day", "Samedi 14 et dimanche 15 mars 2020"),
    ),
    # month precision
    ("février 2020", ("2020-02-01", None, "month", "février 2020")),
    ("en avril", ("2020-04-01", None, "month", "en avril")),
    ("courant mars", ("2020-03-01", None, "month", "courant mars")),
    ("fin septembre", ("2019-09-01", None, "month", "fin septembre")),
    ("début octobre", ("2019-10-01", None, "month", "début octobre")),
    ("au cours du mois de mai 2024", ("2024-05-01", None, "month", "au cours du mois de mai 2024")),
    ("mi-juillet", ("2019-07-01", None, "month", "mi-juillet")),
    ("à la mi-août", ("2019-08-01", None, "month", "à la mi-août")),
    ("au mois d'août", ("2019-08-01", None, "month", "au mois d'août")),
    ("d'avril à juin 2020", ("2020-04-01", "2020-06-01", "month", "d'avril à juin 2020")),
    ("avril-mai 2020", ("2020-04-01", "2020-05-01", "month", "avril-mai 2020")),
    ("juin prochain", ("2020-06-01", None, "month", "juin prochain")),
    (
        "de novembre 2019 à février 2020",
        ("2019-11-01", "2020-02-01", "month", "de novembre 2019 à février 2020"),
    ),
    # times
    ("le 5 octobre à 14h", ("2019-10-05T14:00", None, "minute", "le 5 octobre à 14h")),
    ("le 5 octobre, 9h30", ("2019-10-05T09:30", None, "minute", "le 5 octobre, 9h30")),
    (
        "le 5 octobre 14h-17h",
        ("2019-10-05T14:00", "2019-10-05T17:00", "minute", "le 5 octobre 14h-17h"),
    ),
    (
        "le 5 octobre de 9h à 12h30",
        ("2019-10-05T09:00", "2019-10-05T12:30", "minute", "le 5 octobre de 9h à 12h30"),
    ),
    (
        "le 5 octobre 14h/17h30",
        ("2019-10-05T14:00", "2019-10-05T17:30", "minute", "le 5 octobre 14h/17h30"),
    ),
    ("le 5 octobre à 10 h 30", ("2019-10-05T10:30", None, "minute", "le 5 octobre à 10 h 30")),
    ("le 5 octobre 18:30", ("2019-10-05T18:30", None, "minute", "le 5 octobre 18:30")),
    (
        "le 5 octobre à partir de 18h",
        ("2019-10-05T18:00", None, "minute", "le 5 octobre à partir de 18h"),
    ),
    (
        "le 5 octobre de 12h15 à 14h",
        ("2019-10-05T12:15", "2019-10-05T14:00", "minute", "le 5 octobre de 12h15 à 14h"),
    ),
    (
        "le 5 octobre 9h30 – 16h30",
        ("2019-10-05T09:30", "2019-10-05T16:30", "minute", "le 5 octobre 9h30 – 16h30"),
    ),
    ("à 18h30, le 5 octobre", ("2019-10-05T18:30", None, "minute", "à 18h30, le 5 octobre")),
    (
        "vendredi 1 mars 12H15-14H",
        ("2019-03-01T12:15", "2019-03-01T14:00", "minute", "vendredi 1 mars 12H15-14H"),
    ),
    (
        "Le 3 mars 2020 à 14 heures",
        ("2020-03-03T14:00", None, "minute", "Le 3 mars 2020 à 14 heures"),
    ),
    (
        "le 5 octobre de 9 heures à midi",
        ("2019-10-05T09:00", "2019-10-05T12:00", "minute", "le 5 octobre de 9 heures à midi"),
    ),
    ("19/11/2025 - 09:30", ("2025-11-19T09:30", None, "minute", "19/11/2025 - 09:30")),
    (
        "du 5 au 7 mai, de 9h à 17h",
        ("2020-05-05T09:00", "2020-05-07T17:00", "minute", "du 5 au 7 mai, de 9h à 17h"),
    ),
    (
        "le 5 mai de 22h à 2h",
        ("2020-05-05T22:00", "2020-05-06T02:00", "minute", "le 5 mai de 22h à 2h"),
    ),
    (
        "Lundi 17 novembre – 14h à 16h",
        ("2019-11-17T14:00", "2019-11-17T16:00", "minute", "Lundi 17 novembre – 14h à 16h"),
    ),
    (
        "le 5 mai de 14 à 17h",
        ("2020-05-05T14:00", "2020-05-05T17:00", "minute", "le 5 mai de 14 à 17h"),
    ),
    (
        "Jeudi 12 mars 2020 - 14:00 à 17:00",
        ("2020-03-12T14:00", "2020-03-12T17:00", "minute", "Jeudi 12 mars 2020 - 14:00 à 17:00"),
    ),
    # "matinée" and "après-midi" are not times; the day keeps precision "day"
    ("le 5 octobre dans la matinée", ("2019-10-05", None, "day", "le 5 octobre")),
    ("le 5 octobre l'après-midi", ("2019-10-05", None, "day", "le 5 octobre")),
    # a time far away in the clause is attached but stays out of the span
    (
        "le 5 octobre à la salle des fêtes à 18h",
        ("2019-10-05T18:00", None, "minute", "le 5 octobre"),
    ),
    # the demonstrative names that very day
    ("ce vendredi 29 mars", ("2019-03-29", None, "day", "vendredi 29 mars")),
]


@pytest.mark.parametrize(("text", "expected"), SINGLE, ids=[case[0] for case in SINGLE])
def test_single_expression(text: str, expected: tuple) -> None:
    assert _summary(_only(text)) == expected


NOT_DATES = [
    "printemps 2015",
    "En 2006, la ville",
    "D'ici 2020, 90 % des métiers",
    "les 12 conseils citoyens",
    "les 25 participants ont interpellé",
    "2 500 m² d'entrepôt",
    "3/4 des habitants",
    "la 5e édition",
    "le 1er trimestre",
    "31 février",
    "le 31 avril",
    "mai",
    "Il fait beau en été",
    "à 14h",
    "version 1.2.10",
    "",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_a_date(text: str) -> None:
    assert parse_dates(text, REF) == []


def test_non_consecutive_list_gives_one_match_per_day() -> None:
    text = "Ateliers les 5 et 12 mai"
    matches = parse_dates(text, REF)
    assert [_summary(m) for m in matches] == [
        ("2020-05-05", None, "day", "les 5"),
        ("2020-05-12", None, "day", "12 mai"),
    ]
    assert [text[m.span[0] : m.span[1]] for m in matches] == ["les 5", "12 mai"]


def test_list_splits_where_days_stop_following_each_other() -> None:
    matches = parse_dates("les 5 et 6 mai et le 12 juin", date(2019, 3, 1))
    assert [(m.start, m.end, m.text) for m in matches] == [
        (date(2019, 5, 5), date(2019, 5, 6), "les 5 et 6 mai"),
        (date(2019, 6, 12), None, "le 12 juin"),
    ]


def test_alternatives() -> None:
    match = _only("10 ou 12 décembre 2019 à Vaulx en Velin")
    assert match.start == date(2019, 12, 10)
    assert match.end is None
    assert match.alternatives == (date(2019, 12, 10), date(2019, 12, 12))
    assert match.text == "10 ou 12 décembre 2019"


def test_two_days_each_with_its_times() -> None:
    matches = parse_dates("le 5 mai de 9h à 12h et le 6 de 14h à 17h", REF)
    assert [_summary(m) for m in matches] == [
        ("2020-05-05T09:00", "2020-05-05T12:00", "minute", "le 5 mai de 9h à 12h"),
        ("2020-05-06T14:00", "2020-05-06T17:00", "minute", "le 6 de 14h à 17h"),
    ]


def test_bare_days_with_times_take_the_next_month_that_has_them() -> None:
    matches = parse_dates("le 5 de 9h à 12h et le 6 de 14h à 17h", REF)
    assert [(_iso(m.start), _iso(m.end)) for m in matches] == [
        ("2019-08-05T09:00", "2019-08-05T12:00"),
        ("2019-08-06T14:00", "2019-08-06T17:00"),
    ]


def test_bare_days_take_the_month_written_before() -> None:
    text = "Save the date : en avril, entre le lundi 3 et le jeudi 20, la ville lance ses conseils."
    match = _only(text, date(2023, 3, 20))
    assert (match.start, match.end) == (date(2023, 4, 3), date(2023, 4, 20))
    assert match.text == "en avril, entre le lundi 3 et le jeudi 20"


def test_bullet_lines_each_get_their_own_time() -> None:
    text = (
        "Quatre réunions sont programmées :\n"
        "– Lundi 5 octobre à 18 h 30 : village centre\n"
        "– Vendredi 9 octobre à 18 h 30 : village est\n"
    )
    matches = parse_dates(text, date(2015, 9, 28))
    assert [_iso(m.start) for m in matches] == ["2015-10-05T18:30", "2015-10-09T18:30"]


def test_time_does_not_cross_a_sentence() -> None:
    match = parse_dates("Réunion le 5 mai. Accueil dès 9h pour tous.", REF)[0]
    assert match.start == date(2020, 5, 5)
    assert match.precision == Precision.DAY


def test_first_time_after_a_day_wins() -> None:
    text = "12 décembre 2024 – 9h30 - 16h – Saintes. Déroulé : 9h : accueil café"
    match = parse_dates(text, date(2024, 9, 18))[0]
    assert (_iso(match.start), _iso(match.end)) == ("2024-12-12T09:30", "2024-12-12T16:00")


def test_range_of_days_with_only_a_start_time_keeps_a_day_end() -> None:
    match = _only("du 5 au 7 mai à 9h")
    assert match.start == datetime(2020, 5, 5, 9, 0)
    assert match.end == date(2020, 5, 7)
    assert match.precision == Precision.MINUTE


# text, reference, expected start, expected kind
YEARS = [
    # next occurrence on or after the reference
    ("le 31 mai", date(2017, 5, 22), date(2017, 5, 31), "event"),
    ("le 15 juillet", date(2019, 7, 15), date(2019, 7, 15), "event"),
    ("le 3 février", date(2019, 7, 15), date(2020, 2, 3), "event"),
    ("le 7 février à 18 h 30", date(2006, 1, 10), datetime(2006, 2, 7, 18, 30), "event"),
    # marked as past
    ("le 12 juin dernier", date(2019, 7, 15), date(2019, 6, 12), "past"),
    ("le 12 février dernier", date(2019, 7, 15), date(2019, 2, 12), "past"),
    ("Les ateliers ont eu lieu le 3 juillet.", date(2019, 7, 15), date(2019, 7, 3), "past"),
    ("La journée s'est tenue le 5 février.", date(2019, 7, 15), date(2019, 2, 5), "past"),
    (
        "Les rencontres se sont déroulées les 4 et 5 mars.",
        date(2019, 7, 15),
        date(2019, 3, 4),
        "past",
    ),
    ("Retour sur la journée du 5 mars", date(2019, 7, 15), date(2019, 3, 5), "past"),
    (
        "La ville fêtait ce 18 octobre 2023 ses 40 ans.",
        date(2023, 10, 20),
        date(2023, 10, 18),
        "past",
    ),
    # "prochain" confirms the future
    ("le 22 novembre prochain", date(2017, 10, 16), date(2017, 11, 22), "event"),
    ("le 10 juillet prochain", date(2019, 7, 15), date(2020, 7, 10), "event"),
    # a day shortly before a publication date is the recent one, not next year's
    (
        "18 novembre, 10h : les services testent l'outil",
        date(2020, 12, 5),
        datetime(2020, 11, 18, 10),
        "past",
    ),
    # the weekday picks the year
    ("jeudi 19 mars", date(2019, 7, 15), date(2020, 3, 19), "event"),
    ("Lundi 17 novembre", date(2025, 10, 20), date(2025, 11, 17), "event"),
    ("web conférence jeudi 28 mai", date(2020, 6, 2), date(2020, 5, 28), "past"),
    ("ce vendredi 29 mars", date(2024, 3, 27), date(2024, 3, 29), "event"),
    # the year of the end day decides the start's
    ("du 28 décembre au 3 janvier 2021", date(2020, 6, 1), date(2020, 12, 28), "event"),
    # an ongoing range is not past
    ("du 28 septembre au 8 novembre", date(2022, 10, 10), date(2022, 9, 28), "event"),
    # months
    ("en mars", date(2019, 7, 15), date(2020, 3, 1), "event"),
    ("en juillet", date(2019, 7, 15), date(2019, 7, 1), "event"),
    ("en juin dernier", date(2019, 7, 15), date(2019, 6, 1), "past"),
    ("lancement en septembre 2015", date(2017, 10, 10), date(2015, 9, 1), "past"),
    # explicit years before the reference are past
    ("Signé le 26 septembre 2015", date(2019, 11, 15), date(2015, 9, 26), "past"),
]


@pytest.mark.parametrize(("text", "reference", "start", "kind"), YEARS, ids=[c[0] for c in YEARS])
def test_year_inference(text: str, reference: date, start: date, kind: str) -> None:
    match = parse_dates(text, reference)[0]
    assert (match.start, match.kind.value) == (start, kind)


def test_year_written_earlier_carries_to_later_days() -> None:
    text = "les 5, 6, et 7 mai 2015, pour le premier et les 27 et 28 mai pour le second"
    matches = parse_dates(text, date(2015, 3, 20))
    assert [(m.start, m.end) for m in matches] == [
        (date(2015, 5, 5), date(2015, 5, 7)),
        (date(2015, 5, 27), date(2015, 5, 28)),
    ]


def test_with_the_clock_as_reference_an_old_dated_event_is_not_past() -> None:
    text = "Rencontre le 5 octobre 2015. Lundi 5 octobre à 18h30 : village centre."
    matches = parse_dates(text, date(2025, 6, 1), past_by_reference=False)
    assert [(m.start, m.kind.value) for m in matches] == [
        (date(2015, 10, 5), "event"),
        (datetime(2015, 10, 5, 18, 30), "event"),
    ]


def test_reference_none_uses_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGGREGATOR_NOW", "2019-07-15T10:00:00+02:00")
    match = _only("le 3 février")
    assert (match.start, match.kind) == (date(2020, 2, 3), DateKind.EVENT)
    assert parse_dates("le 12 juin 2019")[0].kind == DateKind.EVENT


def test_reference_may_be_a_datetime() -> None:
    assert _only("le 3 février", datetime(2019, 7, 15, 10, 0)).start == date(2020, 2, 3)


# text, reference, kind of its first match
KINDS = [
    ("Inscriptions avant le 3 mars 2020", "deadline"),
    ("Inscription jusqu'au 29 juin 2020", "deadline"),
    ("Date limite de dépôt des projets le 20 janvier 2020.", "deadline"),
    ("Date limite : 5 mai 2020", "deadline"),
    ("à rendre au plus tard le 3 mars 2020", "deadline"),
    ("Vous avez jusqu'au 15 mai 2020 pour candidater", "deadline"),
    ("Clôture des inscriptions le 2 mai 2020", "deadline"),
    ("Candidatures jusqu'au 15 mai 2020", "deadline"),
    ("Réponse souhaitée avant le 10 mai 2020", "deadline"),
    ("Le contrat a été prolongé jusqu'au 31 décembre 2022", "deadline"),
    ("La session est ouverte jusqu'à mi-juillet 2020", "deadline"),
    ("Publié le 18/09/2019", "publication"),
    ("publié le 5 mai 2019", "publication"),
    ("Mis à jour le 5 mai 2019", "publication"),
    ("Mise à jour : 05/05/2019", "publication"),
    ("Posté le 5 mai 2019", "publication"),
    ("Date de publication : 5 mai 2019", "publication"),
    ("Ce webinaire a eu lieu le 11 mars 2020.", "past"),
    ("Les journées ont eu lieu les 2 et 3 mars 2020.", "past"),
    ("Il s'est clôturé par un colloque les 14 et 15 septembre 2020.", "past"),
    ("La réunion précédente s'était tenue le vendredi 16 juin 2020.", "past"),
    ("La rencontre aura lieu le 5 mai 2020, après une édition qui a réuni 200 personnes.", "event"),
    ("Le congrès se tient les 13 et 14 juin 2020 à Albi", "event"),
    ("Rencontre le 5 mai 2020 à Lille", "event"),
]


@pytest.mark.parametrize(("text", "kind"), KINDS, ids=[c[0] for c in KINDS])
def test_kind(text: str, kind: str) -> None:
    assert parse_dates(text, date(2020, 1, 1))[0].kind.value == kind


def test_kinds_in_one_text() -> None:
    text = (
        "Publié le 18/09/2024. Rencontre régionale le 12 décembre 2024 à Saintes. "
        "Inscriptions avant le 1er décembre. La précédente s'est tenue le 5 octobre 2023."
    )
    matches = parse_dates(text, date(2024, 9, 18))
    assert [(m.text, m.kind.value) for m in matches] == [
        ("le 18/09/2024", "publication"),
        ("le 12 décembre 2024", "event"),
        ("le 1er décembre", "deadline"),
        ("le 5 octobre 2023", "past"),
    ]


def test_a_past_verb_does_not_reach_across_an_infinitive_of_preparation() -> None:
    text = "La réunion du 5 février a permis de préparer le forum du 26 mars à Dunkerque."
    matches = parse_dates(text, date(2020, 2, 10))
    assert [(m.text, m.start, m.kind.value) for m in matches] == [
        ("du 5 février", date(2020, 2, 5), "past"),
        ("du 26 mars", date(2020, 3, 26), "event"),
    ]


def test_first_event_date_skips_other_kinds() -> None:
    text = "Publié le 2 mai 2019. Inscriptions avant le 3 juin. Rencontre le 12 juin à 9h."
    match = first_event_date(text, date(2019, 5, 2))
    assert match is not None
    assert match.start == datetime(2019, 6, 12, 9, 0)
    assert first_event_date("Publié le 2 mai 2019.", date(2019, 5, 2)) is None


def test_first_event_date_by_the_clock_keeps_old_dated_events() -> None:
    assert first_event_date("le 5 novembre 2019", date(2026, 1, 1)) is None
    match = first_event_date("le 5 novembre 2019", date(2026, 1, 1), past_by_reference=False)
    assert match is not None and match.start == date(2019, 11, 5)


def test_spans_point_into_the_original_text() -> None:
    text = "Œuvre – L’événement aura lieu le MARDI 5 NOVEMBRE 2019 de 9h30 à 12h à Lyon."
    match = _only(text)
    assert text[match.span[0] : match.span[1]] == "le MARDI 5 NOVEMBRE 2019 de 9h30 à 12h"
    assert match.text == text[match.span[0] : match.span[1]]


def test_several_dates_come_in_text_order() -> None:
    text = "Le 3 mars à Lille, puis le 1er avril à Lens et enfin en mai 2020 à Arras."
    matches = parse_dates(text, REF)
    assert [m.text for m in matches] == ["Le 3 mars", "le 1er avril", "en mai 2020"]
    assert [m.start for m in matches] == [date(2020, 3, 3), date(2020, 4, 1), date(2020, 5, 1)]


def test_fold_keeps_offsets() -> None:
    text = "Ça fête l’Œuvre ﬁn DÉC. – ǅ İ 1ᵉʳ"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("ca fete l'œuvre ")
    assert folded.endswith(" 1er")


def test_never_raises_on_odd_inputs() -> None:
    for text in ["\x00", "du au", "le 0/0/0000", "entre le et le", "31/02/2020", "99h99", "\ud800"]:
        assert isinstance(parse_dates(text, REF), list)
    assert parse_dates(None, REF) == []  # type: ignore[arg-type]


def test_one_megabyte_parses_in_well_under_a_second() -> None:
    announcement = (
        "Rencontre régionale le mardi 5 novembre 2019 de 9h30 à 12h à Lyon : le centre de "
        "ressources invite les élus, les chefs de projet et les habitants des quartiers "
        "prioritaires à une matinée d'échanges sur la participation citoyenne. Inscriptions "
        "avant le 3 novembre. Le quartier compte 2 500 habitants et 12 associations, qui se "
        "réunissent chaque semaine pour préparer les projets de l'année 2020.\n"
    )
    text = (announcement * (1_000_000 // len(announcement) + 1))[:1_000_000]
    matches = parse_dates(text, REF)  # speed is measured by bench/dates.py, not here
    assert len(matches) == 2 * (1_000_000 // len(announcement)) + 1


@pytest.mark.parametrize(
    "text",
    ["1 " * 500_000, "le 5 mai 2020 " * 70_000, "14h " * 250_000, "5-6-" * 250_000],
    ids=["numbers", "dates", "times", "dashes"],
)
def test_a_megabyte_of_date_like_noise_stays_bounded(text: str) -> None:
    matches = parse_dates(text, REF)  # must end: the scan caps its work per text
    assert all(0 <= m.span[0] < m.span[1] <= len(text) for m in matches)


_PIECES = list("0123456789 ,.-/:h'’–\n") + [
    "le ",
    "du ",
    "au ",
    "et ",
    "ou ",
    "mai",
    "juin",
    "er",
    "lundi ",
    "décembre ",
    "2019",
    "de ",
    "à ",
    "dernier",
    "prochain",
    "fin ",
    "en ",
    "mi-",
]
_FRENCHISH = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


def _properties(text: str, reference: date) -> None:
    matches = parse_dates(text, reference)
    previous_end = 0
    for match in matches:
        start, end = match.span
        assert previous_end <= start < end <= len(text)
        assert match.text == text[start:end]
        previous_end = end
        if match.start is not None and match.end is not None:
            assert _as_datetime(match.start) <= _as_datetime(match.end)
        assert match.precision in set(Precision)
        assert match.kind in set(DateKind)


def _as_datetime(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200), st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)))
def test_any_text_is_safe(text: str, reference: date) -> None:
    _properties(text, reference)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(_FRENCHISH, st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)))
def test_date_like_text_is_safe(text: str, reference: date) -> None:
    _properties(text, reference)
