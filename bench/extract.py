"""Speed of extraction: the project's `css` and `auto` readers against BeautifulSoup.

    python bench/extract.py [--quick]

Pages are the fixture sites' listing and detail pages (tests/fixtures/sites/,
tests/fixtures/*.html) and a generated 100 KB Drupal-like listing. For `css`,
`bs4_listing` and `bs4_detail` below are a reference implementation of
`aggregator.extract.css.parse_listing` / `parse_detail` written with
BeautifulSoup and its html.parser (the usual way to write a scraper in
Python); both yield the same records, which is checked before timing. The
ratio (ours / reference, in pages per second) is what the issue targets
(>= 10x). `auto` has no BeautifulSoup twin: it is compared with merely
parsing the same pages with BeautifulSoup (a floor any bs4-based reader pays).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from aggregator.api import extract_events
from aggregator.config import EventSelectors, ListSelectors
from aggregator.extract import auto, css
from aggregator.extract.places import find_place
from aggregator.extract.status import find_status, is_online
from aggregator.model import RawEvent, Status

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
SITES = FIXTURES / "sites"
BASE = "https://partner.example.org"


@dataclass(frozen=True)
class CssSite:
    """A fixture site read with `css`: its listing, detail pages and an admin's selectors."""

    name: str
    listing: str  # path under tests/fixtures/sites/
    details: tuple[str, ...]
    list: ListSelectors
    event: EventSelectors


CSS_SITES = (
    CssSite(
        "drupal-agenda",
        "drupal-agenda/agenda.html",
        (
            "drupal-agenda/node/101.html",
            "drupal-agenda/node/102.html",
            "drupal-agenda/node/103.html",
        ),
        ListSelectors(item=".views-row", link="h3 a", next="li.pager-next a"),
        EventSelectors(
            title="h1.page-title",
            date=".field-name-field-date",
            location=".field-name-field-lieu",
            description=".field-name-body",
            registration=".field-name-field-inscription",
        ),
    ),
    CssSite(
        "drupal9-views",
        "auto-drupal-views/agenda.html",
        tuple(
            f"auto-drupal-views/agenda/{n}.html"
            for n in (
                "forum-regional-participation-citoyenne",
                "atelier-mobiliser-conseils-citoyens",
                "cycle-jeunesse-et-quartiers",
                "webinaire-observatoire-quartiers",
            )
        ),
        ListSelectors(
            item=".view-agenda .views-row",
            link="h2 a",
            date=".field--name-field-date",
            next=".pager__item--next a",
        ),
        EventSelectors(
            title="h1.page-title",
            date=".field--name-field-date .field__item",
            location=".field--name-field-lieu .field__item",
            description=".field--name-body",
            registration=".field--name-field-inscription",
        ),
    ),
    CssSite(
        "cards-listing",
        "auto-paginated-listing/evenements.html",
        tuple(
            f"auto-paginated-listing/evenements/{n}.html"
            for n in (
                "assises-regionales-habitat",
                "matinale-coproprietes-degradees",
                "visite-grace-de-dieu",
            )
        ),
        ListSelectors(
            item=".card--event",
            link=".card__title a",
            date=".card__date",
            next=".pagination li.active + li a",
        ),
        EventSelectors(
            title="main h1",
            date=".event-infos__date",
            location=".event-infos__place",
            description=".event-text",
            registration=".event-infos__register",
        ),
    ),
)
GENERATED_LIST = CSS_SITES[1].list  # the generated listing has the Drupal 9 views shape


# --- the BeautifulSoup reference of aggregator.extract.css -------------------------


def _bs_text(node: Tag | None) -> str:
    return " ".join(node.get_text(" ").split()) if node is not None else ""


def _bs_first(root: Tag, selector: str | None) -> Tag | None:
    return root.select_one(selector) if selector else None


def _bs_link(node: Tag | None, page_url: str) -> str | None:
    if node is None:
        return None
    anchor = node if node.name == "a" else node.select_one("a[href]")
    href = anchor.get("href") if anchor is not None else None
    return urljoin(page_url, str(href)) if href else None


def bs4_listing(
    html: str, page_url: str, selectors: ListSelectors
) -> tuple[list[css.ListItem], str | None]:
    """What css.parse_listing returns, read with BeautifulSoup + html.parser."""
    soup = BeautifulSoup(html, "html.parser")
    items = []
    for block in soup.select(selectors.item):
        link_node = (
            _bs_first(block, selectors.link) if selectors.link else block.select_one("a[href]")
        )
        title_node = _bs_first(block, selectors.title) or link_node
        items.append(
            css.ListItem(
                url=_bs_link(link_node, page_url),
                title=_bs_text(title_node),
                date_text=_bs_text(_bs_first(block, selectors.date)),
                text=_bs_text(block),
            )
        )
    next_url = _bs_link(_bs_first(soup, selectors.next), page_url) if selectors.next else None
    return items, next_url


def bs4_detail(
    html: str, page_url: str, selectors: EventSelectors, item: css.ListItem | None = None
) -> RawEvent:
    """What css.parse_detail returns, read with BeautifulSoup + html.parser (the same
    French place and status readers run on the texts found)."""
    soup = BeautifulSoup(html, "html.parser")

    def field(selector: str | None) -> str:
        return _bs_text(_bs_first(soup, selector)) if selector else ""

    title = field(selectors.title) or (item.title if item else "")
    date_text = field(selectors.date) or (item.date_text if item else "")
    location = field(selectors.location)
    description_node = _bs_first(soup, selectors.description)
    status_text = " ".join(filter(None, [title, field(selectors.status), date_text]))
    place = find_place(location) if location else None
    return RawEvent(
        title=title,
        url=page_url,
        date_text=date_text,
        venue=field(selectors.venue) or (place and place.venue) or None,
        city=field(selectors.city) or (place and place.city) or None,
        address=(place and place.address) or None,
        online=is_online(" ".join([title, location])),
        status=find_status(status_text) if status_text else Status.SCHEDULED,
        registration_url=_bs_link(_bs_first(soup, selectors.registration), page_url),
        description_html=str(description_node) if description_node is not None else None,
        strategy="css",
    )


# --- pages -------------------------------------------------------------------------


def generated_listing(target_bytes: int = 100_000) -> str:
    """A Drupal 9 views agenda of about `target_bytes`: site chrome and repeated teasers."""
    menu = "".join(
        f'<li class="menu-item"><a href="/rubrique-{i}">Rubrique {i}</a></li>' for i in range(40)
    )
    head = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Agenda</title>'
        '<link rel="stylesheet" href="/css/site.css"></head><body><header><nav><ul>'
        f'{menu}</ul></nav></header><main><h1 class="page-title">Agenda</h1>'
        '<div class="view view-agenda"><div class="view-content">'
    )
    tail = (
        '</div><nav class="pager"><ul><li class="pager__item pager__item--next">'
        '<a href="?page=1">Suivant</a></li></ul></nav></div></main><footer>'
        f"<ul>{menu}</ul><p>Centre de ressources – Publié le 2 septembre 2019</p>"
        "</footer></body></html>"
    )
    rows, n = [], 0
    while len(head) + len(tail) + sum(map(len, rows)) < target_bytes:
        rows.append(_teaser(n))
        n += 1
    return head + "".join(rows) + tail


def _teaser(n: int) -> str:
    day, month = 1 + n % 28, ("octobre", "novembre", "décembre")[n % 3]
    return (
        f'<div class="views-row"><article class="node node--type-evenement">'
        f'<h2 class="node__title"><a href="/agenda/evenement-{n}"><span>Rencontre n°{n} : '
        f"participation des habitants et renouvellement urbain</span></a></h2>"
        f'<div class="node__content"><div class="field field--name-field-date">'
        f'<time datetime="2019-11-{day:02d}">jeudi {day} {month} 2019 - 09:30</time></div>'
        f'<div class="field field--name-field-ville">Lille</div><div class="field '
        f'field--name-body"><p>Une journée pour croiser les expériences des conseils '
        f"citoyens, des tables de quartier et des collectivités, avec des ateliers "
        f"l'après-midi et une table ronde de clôture.</p></div></div></article></div>"
    )


def _read(path: str) -> str:
    return (SITES / path).read_bytes().decode("utf-8", "replace")


def auto_pages() -> list[tuple[str, str]]:
    """(name, html) of every fixture HTML page, for `auto`."""
    paths = sorted(SITES.rglob("*.htm*")) + sorted(FIXTURES.glob("*.html"))
    return [
        (str(p.relative_to(FIXTURES)), p.read_bytes().decode("utf-8", "replace")) for p in paths
    ]


# --- timing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Pages per second of one reader over one set of pages."""

    pages: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def timed_pair(
    ours: Callable[[], int], reference: Callable[[], int], budget: float, max_rounds: int = 1000
) -> tuple[Rate, Rate]:
    """Rates of two readers (each call reads some pages and returns how many), their
    calls alternated so that load from other work on the machine falls on both
    alike. The faster one is called several times per round so that both get about
    `budget` seconds."""
    once = [_seconds_of(ours), _seconds_of(reference)]
    repeat = [max(1, round(once[1] / once[0])), max(1, round(once[0] / once[1]))]
    pages, seconds, rounds = [0, 0], [0.0, 0.0], 0
    while rounds < max_rounds and (rounds == 0 or max(seconds) < budget):
        for side, read in enumerate((ours, reference)):
            began = time.perf_counter()
            for _ in range(repeat[side]):
                pages[side] += read()
            seconds[side] += time.perf_counter() - began
        rounds += 1
    return Rate(pages[0], seconds[0]), Rate(pages[1], seconds[1])


def _seconds_of(read: Callable[[], int]) -> float:
    read()  # warm-up: gazetteer, compiled selectors and patterns
    began = time.perf_counter()
    read()
    return max(time.perf_counter() - began, 1e-6)


@dataclass(frozen=True)
class Comparison:
    name: str
    ours: Rate
    reference: Rate
    reference_name: str
    agrees: bool | None = None  # reference output equals ours (None: not checked)

    @property
    def ratio(self) -> float:
        return self.ours.per_second / self.reference.per_second


def _same(ours: object, theirs: object) -> bool:
    """Records equal apart from the serialisation of description_html."""
    if isinstance(ours, RawEvent) and isinstance(theirs, RawEvent):
        keep = {f: getattr(ours, f) for f in ours.__dataclass_fields__ if f != "description_html"}
        return keep == {f: getattr(theirs, f) for f in keep}
    return ours == theirs


def _listing_jobs(generated: str) -> list[tuple[str, str, ListSelectors]]:
    jobs = [(_read(s.listing), f"{BASE}/{s.name}/agenda", s.list) for s in CSS_SITES]
    return jobs + [(generated, f"{BASE}/big/agenda", GENERATED_LIST)]


def _detail_jobs() -> list[tuple[str, str, EventSelectors]]:
    return [(_read(d), f"{BASE}/{s.name}/{d}", s.event) for s in CSS_SITES for d in s.details]


def compare_css(
    name: str, ours: Callable, reference: Callable, jobs: Sequence[tuple], budget: float
) -> Comparison:
    agrees = all(_same(ours(*job), reference(*job)) for job in jobs)

    def round_of(read: Callable) -> Callable[[], int]:
        def one_round() -> int:
            for job in jobs:
                read(*job)
            return len(jobs)

        return one_round

    return Comparison(
        name, *timed_pair(round_of(ours), round_of(reference), budget), "bs4 reference", agrees
    )


def compare_auto(
    name: str, pages: Sequence[tuple[str, str]], budget: float, api: bool = False
) -> Comparison:
    def ours() -> int:
        for page_name, html in pages:
            url = f"{BASE}/{page_name}"
            if api:
                extract_events(html, url=url)
            else:
                auto.extract(html, url)
        return len(pages)

    def parse_only() -> int:
        for _, html in pages:
            BeautifulSoup(html, "html.parser")
        return len(pages)

    return Comparison(name, *timed_pair(ours, parse_only, budget), "bs4 parse only")


def run(quick: bool = False) -> list[Comparison]:
    """Every comparison, each ratio measured side by side."""
    budget = 0.3 if quick else 4.0
    generated = generated_listing()
    listings = _listing_jobs(generated)
    pages = auto_pages()
    return [
        compare_css("css listing, fixtures", css.parse_listing, bs4_listing, listings[:-1], budget),
        compare_css(
            f"css listing, generated {len(generated) // 1000} KB",
            css.parse_listing,
            bs4_listing,
            listings[-1:],
            budget,
        ),
        compare_css("css detail, fixtures", css.parse_detail, bs4_detail, _detail_jobs(), budget),
        compare_auto(f"auto.extract, {len(pages)} fixture pages", pages, budget),
        compare_auto(
            f"auto.extract, generated {len(generated) // 1000} KB listing",
            [("big/agenda", generated)],
            budget,
        ),
        compare_auto(f"extract_events, {len(pages)} fixture pages", pages, budget, api=True),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--quick", action="store_true", help="shorter timing loops")
    args = options.parse_args(argv)
    logging.disable(logging.CRITICAL)  # fixture pages are meant to provoke warnings
    print(f"{'case':44} {'ours p/s':>10} {'ref p/s':>10} {'ratio':>7}  reference")
    for c in run(args.quick):
        same = "" if c.agrees is None else (", same output" if c.agrees else ", OUTPUT DIFFERS")
        print(
            f"{c.name:44} {c.ours.per_second:>10,.0f} {c.reference.per_second:>10,.0f} "
            f"{c.ratio:>6.1f}x  {c.reference_name}{same}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
