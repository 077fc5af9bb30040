"""One event read from a page's fields: date, place, registration, status."""

from __future__ import annotations

from datetime import date, datetime

from aggregator.extract.pagefields import read_event_page
from aggregator.model import Status

URL = "https://www.example.org/evenements/assises"
TODAY = date(2019, 10, 15)


def page(body: str) -> str:
    return f"""<html><head><title>x</title></head><body>
      <header><nav><a href="/">Accueil</a></nav><p class="date">Lundi 14 octobre 2019</p></header>
      <main>{body}</main>
      <footer><p>Mis à jour le 30 septembre 2019</p></footer></body></html>"""


def read(body: str, published: date | None = None):
    return read_event_page(
        page(body), URL, published or TODAY, by_reference=published is not None, published=published
    )


def test_labelled_lines_give_date_place_and_registration():
    found = read("""<h1>Assises régionales de l'habitat</h1>
      <ul class="event-infos">
        <li class="event-infos__date"><strong>Quand :</strong> jeudi 12 mars 2020, de 9h à 17h</li>
        <li><strong>Où :</strong> Halle aux Toiles, place de la Basse-Vieille-Tour, 76000 Rouen</li>
        <li><a href="https://www.weezevent.com/assises">S'inscrire</a></li></ul>
      <div class="event-text"><p>Les précédentes assises, le 15 mars 2018, ont réuni 400
        personnes.</p></div>""")
    event = found.event
    assert (event.title, event.start, event.end) == (
        "Assises régionales de l'habitat",
        datetime(2020, 3, 12, 9),
        datetime(2020, 3, 12, 17),
    )
    assert (event.venue, event.city) == ("Halle aux Toiles", "Rouen")
    assert event.registration_url == "https://www.weezevent.com/assises"
    assert (
        found.origins["start"] == 'text "jeudi 12 mars 2020, de 9h à 17h" in li.event-infos__date'
    )
    assert found.origins["title"] == "h1"


def test_drupal_date_field_without_time_stays_a_day_and_labels_are_not_places():
    found = read("""<h1 class="page-title">Cycle jeunesse</h1>
      <div class="node__submitted">Publié le
        <span class="field--name-created">03/09/2019</span></div>
      <div class="field field--name-field-date field--type-daterange">
        <div class="field__label">Date</div><div class="field__item">
        <time datetime="2019-12-05T12:00:00Z">jeudi 5 décembre 2019</time> -
        <time datetime="2019-12-06T12:00:00Z">vendredi 6 décembre 2019</time></div></div>
      <div class="field field--name-field-lieu"><div class="field__label">Lieu</div>
        <div class="field__item">Maison des associations, 2 bis boulevard Léon Bureau, 44200
        Nantes</div></div>""")
    assert (found.event.start, found.event.end) == (date(2019, 12, 5), date(2019, 12, 6))
    assert (found.event.venue, found.event.city) == ("Maison des associations", "Nantes")
    assert found.origins["place"].startswith('div.field.field--name-field-lieu: "Maison')


def test_status_words_of_the_page_make_it_postponed():
    found = read("""<h1>Séminaire emploi</h1><p class="date">Le jeudi 23 janvier 2020</p>
      <div class="texte"><p>Ce séminaire, initialement prévu le 17 décembre, est reporté au jeudi 23
      janvier 2020.</p></div>""")
    assert (found.event.status, found.event.start) == (Status.POSTPONED, date(2020, 1, 23))
    assert found.origins["status"] == "words of the page (annulé, reporté…)"


def test_a_news_post_has_no_event_fields():
    post = """<article><header><time class="entry-date published" datetime="2019-10-03">3 octobre
      2019</time><h1 class="entry-title">Rendez-vous de novembre</h1></header>
      <div class="entry-content"><h3>Formation</h3><p>Mardi 5 novembre 2019 à Bobigny.</p>
      </div></article>"""
    assert read(post, published=date(2019, 10, 3)) is None


def test_a_date_field_equal_to_the_publication_date_is_not_the_event():
    found = read(
        """<h1>Nouveau guide</h1><p class="date">3 octobre 2019</p><p>Parution du
      guide.</p>""",
        published=date(2019, 10, 3),
    )
    assert found is None
