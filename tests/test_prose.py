"""Events read from the French text of announcements (aggregator/extract/prose.py
and the text readers behind it), one rule per test, exact values."""

from __future__ import annotations

import html
from datetime import date, datetime

import pytest

from aggregator import extract_events
from aggregator.clock import PARIS
from aggregator.extract import prose
from aggregator.extract.textevents import events_in_text
from aggregator.extract.textlines import Line
from aggregator.model import Event


def page(text: str) -> str:
    """A page for a text: a paragraph per line, lines starting with "-" or "–" as items."""
    parts = []
    for line in text.strip().splitlines():
        line = line.strip()
        if line[:1] in "-–":
            parts.append(f"<ul><li>{html.escape(line[1:].strip())}</li></ul>")
        elif line:
            parts.append(f"<p>{html.escape(line)}</p>")
    return f"<html><body><main>{''.join(parts)}</main></body></html>"


def when(value: date | datetime | None) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")
    return value.isoformat() if value else None


def brief(event: Event) -> dict:
    return {
        "title": event.title,
        "start": when(event.start),
        "end": when(event.end),
        "precision": str(event.precision),
        "city": event.city,
        "venue": event.venue,
        "online": event.online,
        "status": str(event.status),
    }


def read(text: str, published: date | None) -> list[Event]:
    return extract_events(page(text), url="https://reseau.example.org/actu", published=published)


def test_one_post_with_several_events_in_list_items():
    text = """Les prochaines journées du réseau :
    – Journée des acteurs de la médiation – 10 ou 12 décembre 2019 à Vaulx en Velin
    – Séminaire « Habitat et santé » – février 2020"""
    first, second = read(text, date(2019, 10, 1))
    assert brief(first) == {
        "title": "Journée des acteurs de la médiation", "start": "2019-12-10", "end": None,
        "precision": "day", "city": "Vaulx-en-Velin", "venue": None, "online": False,
        "status": "scheduled",
    }  # fmt: skip
    assert first.alternatives == (date(2019, 12, 10), date(2019, 12, 12))
    assert brief(second) == {
        "title": "Séminaire « Habitat et santé »", "start": "2020-02-01", "end": None,
        "precision": "month", "city": None, "venue": None, "online": False,
        "status": "scheduled",
    }  # fmt: skip


def test_several_events_in_one_paragraph_each_titled_by_its_sentence():
    text = (
        "Agenda du mois. Le 5 février, atelier « Participation des habitants » à Roubaix. "
        "Le 12 février, séminaire régional sur l'emploi à Lens. "
        "Le 26 février, webinaire sur les cités éducatives."
    )
    events = read(text, date(2020, 1, 28))
    assert [(e.title, when(e.start), e.city, e.online) for e in events] == [
        ("Atelier « Participation des habitants »", "2020-02-05", "Roubaix", False),
        ("Séminaire régional sur l'emploi", "2020-02-12", "Lens", False),
        ("Webinaire sur les cités éducatives", "2020-02-26", None, True),
    ]


def test_quoted_title_after_its_event_noun():
    text = "Webinaire : « Les cités éducatives, un an après » – mardi 17 mars – 11h-12h."
    [event] = read(text, date(2020, 2, 1))
    assert brief(event) == {
        "title": "Webinaire « Les cités éducatives, un an après »",
        "start": "2020-03-17T11:00", "end": "2020-03-17T12:00", "precision": "minute",
        "city": None, "venue": None, "online": True, "status": "scheduled",
    }  # fmt: skip


def test_title_is_the_heading_without_its_date_and_place():
    text = "Réunion publique de quartier des Izards – Toulouse, mardi 5 mai 2020.\n"
    text += "Rendez-vous mardi 5 mai, 18h30, Maison de quartier, 12 rue Pasteur, 31200 Toulouse."
    [event] = read(text, date(2020, 4, 20))
    assert (event.title, when(event.start), event.city) == (
        "Réunion publique de quartier des Izards", "2020-05-05T18:30", "Toulouse",
    )  # fmt: skip
    assert (event.venue, event.address) == ("Maison de quartier", "12 rue Pasteur")


def test_postponed_to_a_new_date_starts_then():
    [event] = read(
        "Le forum emploi prévu le 5 mars à Roubaix est reporté au 12 mai.", date(2020, 2, 10)
    )
    assert (event.title, when(event.start), event.status, event.city) == (
        "Forum emploi", "2020-05-12", "postponed", "Roubaix",
    )  # fmt: skip


def test_postponed_without_a_new_date_keeps_the_old_one():
    text = "La journée régionale du 17 mars à Rennes est reportée à une date ultérieure."
    [event] = read(text, date(2020, 3, 10))
    assert (when(event.start), event.status, event.city) == ("2020-03-17", "postponed", "Rennes")


def test_postponed_to_a_month_has_month_precision():
    text = (
        "Changement de date : la rencontre nationale des conseils citoyens, initialement "
        "prévue le 16 mai, aura lieu en octobre 2020 à Paris."
    )
    [event] = read(text, date(2020, 3, 20))
    assert (when(event.start), event.precision, event.status) == (
        "2020-10-01",
        "month",
        "postponed",
    )


def test_cancelled_event():
    text = "La fête de quartier prévue le samedi 20 juin est annulée en raison des travaux."
    [event] = read(text, date(2020, 5, 12))
    assert (event.title, when(event.start), event.status) == (
        "Fête de quartier",
        "2020-06-20",
        "cancelled",
    )


def test_online_webinaire_takes_no_city_from_its_examples():
    text = (
        "Webinaire « Mobilité et emploi » le 5 mai 2020 de 10h à 11h30 : retours "
        "d'expériences, notamment à Marseille et à Lille."
    )
    [event] = read(text, date(2020, 4, 1))
    assert (event.online, event.city, when(event.end)) == (True, None, "2020-05-05T11:30")


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("Appel à projets 2020 : dossiers à déposer avant le 15 mai 2020.", date(2020, 3, 1)),
        ("Date limite d'inscription à la formation : vendredi 15 novembre.", date(2019, 10, 2)),
        ("Les journées de juin dernier ont réuni 200 participants à Marseille.", date(2019, 9, 1)),
        ("Les lauréats se sont réunis le 4 décembre à Bordeaux.", date(2019, 12, 15)),
        ("Replay – La conférence du 12 mars 2020 sur la laïcité est en ligne.", date(2020, 4, 1)),
        ("La médiathèque sera fermée du 3 au 21 août.", date(2020, 7, 1)),
        ("Publié le 12/09/2019. Le rapport annuel de l'observatoire est paru.", date(2019, 9, 12)),
    ],
)  # fmt: skip
def test_deadlines_past_mentions_and_notices_yield_no_event(text: str, published: date):
    assert read(text, published) == []


def test_a_date_readers_may_act_from_is_no_event():
    text = (
        "Le questionnaire sera accessible en ligne à partir du 3 février. "
        "Réunion de présentation le 10 février à 18h à la mairie de Pessac."
    )
    [event] = read(text, date(2020, 1, 25))
    assert (event.title, when(event.start), event.city) == (
        "Réunion de présentation", "2020-02-10T18:00", "Pessac",
    )  # fmt: skip


def test_registration_link_goes_to_its_own_event():
    markup = """<html><body><article>
      <p>Atelier budget le 5 février à Lyon. <a href="/inscription-a">Inscriptions</a></p>
      <p>Atelier logement le 9 février à Grenoble.</p>
      <p>Programme et inscriptions : https://b.example.org/logement</p>
    </article></body></html>"""
    events = extract_events(
        markup, url="https://reseau.example.org/actu", published=date(2020, 1, 10)
    )
    assert [(e.title, e.registration_url) for e in events] == [
        ("Atelier budget", "https://reseau.example.org/inscription-a"),
        ("Atelier logement", "https://b.example.org/logement"),
    ]


def test_one_registration_link_after_a_list_serves_every_session():
    text = """Cycle « Agir contre les discriminations » : trois sessions à Grenoble.
    - Jeudi 5 mars 2020 : les fondamentaux
    - Jeudi 2 avril 2020 : le droit
    - Jeudi 7 mai 2020 : les pratiques
    Inscription : https://example.org/cycle"""
    events = read(text, date(2020, 1, 10))
    assert [(e.title, when(e.start), e.city, e.registration_url) for e in events] == [
        ("Cycle « Agir contre les discriminations » – les fondamentaux", "2020-03-05", "Grenoble",
         "https://example.org/cycle"),
        ("Cycle « Agir contre les discriminations » – le droit", "2020-04-02", "Grenoble",
         "https://example.org/cycle"),
        ("Cycle « Agir contre les discriminations » – les pratiques", "2020-05-07", "Grenoble",
         "https://example.org/cycle"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("published", "start"), [(date(2019, 12, 1), "2020-01-14"), (date(2019, 1, 5), "2019-01-14")]
)
def test_a_date_without_year_is_the_next_one_after_publication(published: date, start: str):
    [event] = read("Rencontre des délégués du préfet le 14 janvier à Lille.", published)
    assert when(event.start) == start


def test_a_year_in_the_heading_carries_to_the_list_below():
    text = """Réunions de secteur 2021 à Saint-Priest : le calendrier
    – Lundi 4 janvier à 18 h 30 : secteur Village – Salle Mozart
    – Jeudi 14 janvier à 18 h 30 : secteur Gare – Salle Chopin"""
    events = read(text, date(2020, 12, 15))
    assert [(e.title, when(e.start), e.venue, e.city) for e in events] == [
        (
            "Réunion de secteur 2021 – secteur Village",
            "2021-01-04T18:30",
            "Salle Mozart",
            "Saint-Priest",
        ),
        (
            "Réunion de secteur 2021 – secteur Gare",
            "2021-01-14T18:30",
            "Salle Chopin",
            "Saint-Priest",
        ),
    ]


def test_a_multi_day_programme_is_one_event_from_its_first_slot():
    markup = """<html><body><article><h1>Université d'été de la politique de la ville</h1>
      <p>Trois jours d'échanges à Marseille.</p><h2>Programme</h2>
      <ul><li>Mercredi 1er juillet : 14h accueil</li><li>Jeudi 2 juillet : 9h ateliers</li>
      <li>Vendredi 3 juillet : 9h restitution</li></ul></article></body></html>"""
    [event] = extract_events(markup, published=date(2020, 5, 10))
    assert brief(event) == {
        "title": "Université d'été de la politique de la ville", "start": "2020-07-01T14:00",
        "end": "2020-07-03T09:00", "precision": "minute", "city": "Marseille", "venue": None,
        "online": False, "status": "scheduled",
    }  # fmt: skip


def test_a_cycle_of_sessions_is_one_event_per_date():
    text = (
        "Rendez-vous mensuel des porteurs de projets : prochaine session le 14 mars, puis le "
        "11 avril et le 9 mai, de 9h30 à 12h, à la Fabrique, Tourcoing."
    )
    events = read(text, date(2020, 2, 28))
    assert [(when(e.start), when(e.end), e.city) for e in events] == [
        ("2020-03-14T09:30", "2020-03-14T12:00", "Tourcoing"),
        ("2020-04-11T09:30", "2020-04-11T12:00", "Tourcoing"),
        ("2020-05-09T09:30", "2020-05-09T12:00", "Tourcoing"),
    ]
    assert {e.title for e in events} == {"Rendez-vous mensuel des porteurs de projets"}


def test_a_date_said_twice_is_one_event_with_its_time():
    text = (
        "Assemblée générale de l'association – samedi 14 mars 2020. Rendez-vous samedi "
        "14 mars, 10h, salle Jean-Moulin, 5 rue de la Paix, 59100 Roubaix."
    )
    [event] = read(text, date(2020, 2, 20))
    assert (event.title, when(event.start), event.venue, event.city) == (
        "Assemblée générale de l'association", "2020-03-14T10:00", "salle Jean-Moulin", "Roubaix",
    )  # fmt: skip


def test_a_series_and_its_detailed_session_are_two_events():
    text = (
        "Les Rencontres du logement se déroulent du 2 au 30 novembre dans toute la métropole. "
        "À Villeurbanne : table ronde le 14 novembre à 18h à la Maison du livre."
    )
    series, session = read(text, date(2019, 10, 25))
    assert (series.title, when(series.start), when(series.end)) == (
        "Rencontres du logement", "2019-11-02", "2019-11-30",
    )  # fmt: skip
    assert (session.title, when(session.start), session.venue) == (
        "Table ronde", "2019-11-14T18:00", "Maison du livre",
    )  # fmt: skip


def test_two_events_announced_by_half_days():
    text = (
        "Le centre de ressources vous propose deux ateliers le 9 avril à Metz. Le matin, "
        "un atelier sur l'emploi. L'après-midi, un atelier sur le logement."
    )
    morning, afternoon = read(text, date(2020, 3, 20))
    assert [(e.title, when(e.start), e.city) for e in (morning, afternoon)] == [
        ("Ateliers (matinée)", "2020-04-09", "Metz"),
        ("Ateliers (après-midi)", "2020-04-09", "Metz"),
    ]


def test_without_publication_date_past_events_are_kept(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AGGREGATOR_NOW", "2024-01-01T10:00:00+01:00")
    markup = "<article><h1>Conférence</h1><p>Conférence le 12 mars 2019 à Lyon.</p></article>"
    [event] = extract_events(markup)
    assert when(event.start) == "2019-03-12"


def test_each_heading_of_a_listing_is_an_announcement():
    markup = """<main><h1>Agenda</h1>
      <h2><a href="/e/1">Atelier « Emploi des jeunes »</a></h2>
      <p>Mardi 3 mars 2020, 14h-17h, Roubaix</p>
      <h2><a href="/e/2">Séminaire des délégués du préfet</a></h2><p>Jeudi 12 mars 2020 à Arras</p>
      <h2>Retour sur le forum</h2><p>Le forum s'est tenu le 20 janvier 2020 à Lens.</p></main>"""
    events = extract_events(
        markup, url="https://site.example.org/agenda", published=date(2020, 2, 20)
    )
    assert [(e.title, when(e.start), e.city, e.url) for e in events] == [
        ("Atelier « Emploi des jeunes »", "2020-03-03T14:00", "Roubaix", "https://site.example.org/e/1"),
        ("Séminaire des délégués du préfet", "2020-03-12", "Arras", "https://site.example.org/e/2"),
    ]  # fmt: skip


def test_lines_separated_by_br_and_bullets_are_items():
    markup = """<div class="content"><p><b>Réunions publiques de quartier</b><br>
      - Lundi 5 octobre à 18h : quartier Nord, salle Brel<br>
      - Mardi 13 octobre à 18h : quartier Sud, salle Piaf</p></div>"""
    events = extract_events(markup, published=date(2020, 9, 20))
    assert [(e.title, when(e.start), e.venue) for e in events] == [
        ("Réunion publique de quartier – quartier Nord", "2020-10-05T18:00", "salle Brel"),
        ("Réunion publique de quartier – quartier Sud", "2020-10-13T18:00", "salle Piaf"),
    ]


def test_events_in_text_reads_lines_directly():
    lines = [
        Line(text="Forum de l'alternance", kind="heading"),
        Line(text="Mercredi 18 mars 2020, 9h-13h, lycée Voltaire, Orléans."),
        Line(text="Créé en 2012, le forum a accueilli 1 500 visiteurs en 2019."),
    ]
    [event] = events_in_text(lines, date(2020, 2, 1))
    assert (event.title, event.start, event.end, event.city) == (
        "Forum de l'alternance", datetime(2020, 3, 18, 9), datetime(2020, 3, 18, 13), "Orléans",
    )  # fmt: skip


def test_prose_extract_gives_raw_events_with_structured_dates():
    [raw] = prose.extract(
        page("Séminaire 19-20 mars à Rennes."), "https://x.example.org/", published=date(2020, 2, 1)
    )
    assert (raw.start, raw.end, raw.precision, raw.strategy) == (
        date(2020, 3, 19), date(2020, 3, 20), "day", "prose",
    )  # fmt: skip


def test_publication_date_comes_from_the_page_when_not_given():
    markup = '<meta property="article:published_time" content="2019-12-01">'
    markup += "<p>Forum le 14 janvier à Lille.</p>"
    [event] = extract_events(markup)
    assert when(event.start) == "2020-01-14"
