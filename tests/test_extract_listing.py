"""Listing pages without selectors: repeated blocks, agenda tables, pagination links,
and the calendar a page links to."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aggregator.extract.autofill import calendar_link
from aggregator.extract.listing import find_listing, next_page

URL = "https://www.example.org/agenda"
TODAY = date(2019, 10, 15)


def listing(html: str, url: str = URL):
    return find_listing(html, url, TODAY, by_reference=False)


CARDS = """<html><body>
<header><nav><ul><li><a href="/">Accueil</a></li><li><a href="/agenda">Agenda</a></li></ul></nav>
</header>
<main><h1>Agenda</h1>
<div class="cards">
  <div class="card card-1"><p class="card__date">12 novembre 2019</p>
    <h3><a href="/agenda/forum">Forum de la participation</a></h3>
    <p class="lieu">Lyon (69)</p></div>
  <div class="card card-2"><p class="card__date">Mardi 3 décembre 2019, 14h-17h</p>
    <h3><a href="/agenda/atelier">Atelier mémoire</a></h3>
    <p class="lieu">Salle Pasteur, Grenoble</p>
    <a href="/agenda/atelier">Lire la suite</a></div>
  <div class="card card-3"><p class="card__date">3 octobre 2019</p>
    <h3><a href="/agenda/ag">Assemblée générale</a></h3></div>
</div></main>
<aside class="sidebar"><h2>Articles récents</h2><ul>
  <li><a href="/actu/1">Nouveau guide</a> <span>2 octobre 2019</span></li>
  <li><a href="/actu/2">Retour sur le forum</a> <span>1 octobre 2019</span></li>
  <li><a href="/actu/3">Appel à projets</a> <span>30 septembre 2019</span></li></ul></aside>
<footer><ul><li><a href="/a">Lettre du 4 octobre 2019</a></li><li><a href="/b">Lettre du 2
  septembre 2019</a></li></ul></footer>
</body></html>"""


def test_repeated_blocks_with_links_and_dates_are_the_listing():
    found = listing(CARDS)
    assert found is not None
    assert [(i.title, i.url, i.place) for i in found.items] == [
        ("Forum de la participation", "https://www.example.org/agenda/forum", "Lyon (69)"),
        ("Atelier mémoire", "https://www.example.org/agenda/atelier", "Salle Pasteur, Grenoble"),
        ("Assemblée générale", "https://www.example.org/agenda/ag", ""),
    ]
    starts = [i.dates.start for i in found.items]
    assert starts == [date(2019, 11, 12), datetime(2019, 12, 3, 14), date(2019, 10, 3)]
    assert found.items[1].dates.end == datetime(2019, 12, 3, 17)
    assert found.items[0].where == "block 1 (div.card)"
    assert found.items[0].dates.origin == 'text "12 novembre 2019" in p.card__date'


def test_sidebar_footer_and_menu_dates_make_no_listing():
    chrome_only = (
        CARDS.replace('<div class="cards">', "<div>").split("<main>")[0] + CARDS.split("</main>")[1]
    )
    assert listing(chrome_only) is None


def test_machine_dates_win_but_the_visible_text_decides_if_a_time_is_meant():
    html = """<div class="view-content">
      <div class="views-row"><h2><a href="/a">Cycle jeunesse</a></h2>
        <div class="field--type-daterange">
        <time datetime="2019-12-05T12:00:00Z">jeu 05/12/2019</time> -
        <time datetime="2019-12-06T12:00:00Z">ven 06/12/2019</time></div></div>
      <div class="views-row"><h2><a href="/b">Forum</a></h2><div class="field--type-daterange">
        <time datetime="2019-11-14T08:30:00Z">jeu 14/11/2019 - 09:30</time> -
        <time datetime="2019-11-14T15:30:00Z">16:30</time></div></div>
      <div class="views-row"><h2><a href="/c">Petit-déjeuner</a></h2>
        <time class="event-datetime" datetime="2019-12-03">3 décembre @ 8 h 30 min</time></div>
    </div>"""
    items = listing(html).items
    assert (items[0].dates.start, items[0].dates.end) == (date(2019, 12, 5), date(2019, 12, 6))
    assert items[1].dates.start == datetime(2019, 11, 14, 8, 30, tzinfo=UTC)
    assert items[1].dates.end == datetime(2019, 11, 14, 15, 30, tzinfo=UTC)
    assert items[2].dates.start == datetime(2019, 12, 3, 8, 30)


def test_news_blocks_count_by_their_publication_date_and_archives_do_not():
    html = """<main>
      <article class="post-12 post"><header><time class="entry-date published"
        datetime="2019-10-03T09:00:00+00:00">3 octobre 2019</time>
        <h2 class="entry-title"><a href="/2019/10/03/rdv/">Rendez-vous de novembre</a></h2></header>
        <p>Trois temps forts à noter.</p></article>
      <article class="post-11 post"><header><time class="entry-date published"
        datetime="2019-09-24T09:00:00+00:00">24 septembre 2019</time>
        <h2 class="entry-title"><a href="/2019/09/24/retour/">Retour sur la journée du 12
        septembre</a></h2></header></article>
      <ul><li><a href="/2019/10/">octobre 2019</a></li><li><a href="/2019/09/">septembre 2019</a>
      </li><li><a href="/2019/08/">août 2019</a></li></ul>
    </main>"""
    items = listing(html).items
    assert [(i.title, i.publication, i.dates) for i in items][0] == (
        "Rendez-vous de novembre",
        date(2019, 10, 3),
        None,
    )
    assert items[1].publication == date(2019, 9, 24)
    assert items[1].dates is None and items[1].kinds == ("past",)  # before its publication
    assert len(items) == 2


def test_an_agenda_table_is_read_by_its_header_labels():
    html = """<table><tr><td class="menu">Permanence le mardi de 14h à 18h</td><td>
      <table><tr><th>Date</th><th>Horaires</th><th>Rendez-vous</th><th>Lieu</th></tr>
      <tr><td>Mer. 6/11/2019</td><td>14h - 17h</td><td><a href="ateliers/carto.html">Atelier
        carto</a></td><td>Maison de quartier, Poitiers</td></tr>
      <tr><td>Sam. 16/11/2019</td><td>10h</td><td>Balade urbaine<br><a href="plan.pdf">(plan PDF)
        </a></td><td>Buxerolles</td></tr>
      <tr><td>Ven. 29/11/2019</td><td>ANNULÉ</td><td>Soirée jeux</td><td>Châtellerault</td></tr>
      </table></td></tr><tr><td colspan="2">Mise à jour le 2 octobre 2019</td></tr></table>"""
    items = listing(html, "https://asso.example.org/agenda.html").items
    assert [(i.title, i.url, i.place, i.where) for i in items] == [
        (
            "Atelier carto",
            "https://asso.example.org/ateliers/carto.html",
            "Maison de quartier, Poitiers",
            "row 1 of the table",
        ),
        ("Balade urbaine", None, "Buxerolles", "row 2 of the table"),
        ("Soirée jeux", None, "Châtellerault", "row 3 of the table"),
    ]
    assert [i.dates.start for i in items] == [
        datetime(2019, 11, 6, 14),
        datetime(2019, 11, 16, 10),
        date(2019, 11, 29),
    ]
    assert "ANNULÉ" in items[2].text


def test_a_single_event_page_is_no_listing():
    html = """<main><h1>Forum</h1><p class="date">Le 12 novembre 2019 à 9h</p>
      <p>Avec <a href="/a">l'association A</a> et <a href="/b">la ville B</a>.</p></main>"""
    assert listing(html) is None


@pytest.mark.parametrize(
    "html, url, expected",
    [
        ('<link rel="next" href="/agenda?page=2">', URL, "https://www.example.org/agenda?page=2"),
        (
            '<a href="?page=1" rel="next"><span>››</span></a>',
            URL,
            "https://www.example.org/agenda?page=1",
        ),
        (
            '<ul class="pager"><li class="pager-next"><a href="/agenda?page=3">›</a></li></ul>',
            URL + "?page=2",
            "https://www.example.org/agenda?page=3",
        ),
        (
            '<a href="/agenda/page/2/">Page suivante »</a>',
            URL,
            "https://www.example.org/agenda/page/2/",
        ),
        ('<a href="/agenda?start=10">suivant</a>', URL, "https://www.example.org/agenda?start=10"),
        (
            '<a href="?page=0">1</a> <a href="?page=1">2</a> <a href="?page=2">3</a>',
            URL,
            "https://www.example.org/agenda?page=1",
        ),
        ('<a href="/agenda?page=1">1</a> <a href="/agenda?page=2">2</a>', URL + "?page=2", None),
        ('<a href="https://other.example.com/agenda?page=2">suivant</a>', URL, None),
        ('<a href="/agenda/evenement-suivant">Un événement</a>', URL, None),
    ],
)
def test_next_page(html: str, url: str, expected: str | None):
    assert next_page(f"<html><body>{html}</body></html>", url) == expected


@pytest.mark.parametrize(
    "html, expected",
    [
        (
            '<link rel="alternate" type="text/calendar" href="/agenda/?ical=1">',
            "https://www.example.org/agenda/?ical=1",
        ),
        (
            '<a class="tribe-events-c-ical__link" href="/agenda/?ical=1">'
            "+ Exporter les événements</a>",
            "https://www.example.org/agenda/?ical=1",
        ),
        (
            '<a href="webcal://www.example.org/agenda.ics">S\'abonner</a>',
            "https://www.example.org/agenda.ics",
        ),
        (
            '<a href="/e/1.ics">Ajouter</a> <a href="/e/2.ics">Ajouter</a>',
            None,
        ),  # per-event buttons
        (
            '<a href="https://www.google.com/calendar/render?action=TEMPLATE&text=x.ics">Google</a>',
            None,
        ),
        ('<a href="/agenda">Agenda</a>', None),
    ],
)
def test_calendar_link(html: str, expected: str | None):
    assert calendar_link(f"<html><head></head><body>{html}</body></html>", URL) == expected
