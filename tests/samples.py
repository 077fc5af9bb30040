"""Sample events for the renderer tests, one per case a feed must handle."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aggregator.model import Event, FeedInfo, Precision, SourceRef, Status

PARIS = ZoneInfo("Europe/Paris")
GENERATED = datetime(2019, 7, 15, 10, 0, tzinfo=PARIS)
FIRST_SEEN = datetime(2019, 6, 20, 8, 15, tzinfo=PARIS)
UPDATED = datetime(2019, 7, 1, 18, 30, tzinfo=PARIS)

IREV = SourceRef(id="irev", name="IREV", url="https://www.irev.fr/agenda")
LABO = SourceRef(id="labo-cites", name="Labo Cités", url="https://www.labo-cites.org/rencontre/x")


def info(**changes: object) -> FeedInfo:
    values: dict[str, object] = {
        "title": "Agenda politique de la ville",
        "base_url": "https://agenda.example.org",
        "self_path": "/feed.rss",
        "generated": GENERATED,
        "refresh_hours": 6,
    }
    values.update(changes)
    return FeedInfo(**values)  # type: ignore[arg-type]


def event(**changes: object) -> Event:
    """A plain all-day event; `changes` override any field."""
    values: dict[str, object] = {
        "id": "ev-allday",
        "title": "Journée des conseils citoyens",
        "start": date(2019, 11, 5),
        "city": "Vaulx-en-Velin",
        "url": "https://www.irev.fr/node/1",
        "sources": (IREV,),
        "first_seen": FIRST_SEEN,
    }
    values.update(changes)
    return Event(**values)  # type: ignore[arg-type]


def summer() -> Event:
    """Timed, in summer time (CEST, +02:00)."""
    return event(
        id="ev-summer",
        title="Atelier emploi des jeunes",
        start=datetime(2019, 7, 4, 14, 0, tzinfo=PARIS),
        end=datetime(2019, 7, 4, 17, 0, tzinfo=PARIS),
        all_day=False,
        precision=Precision.MINUTE,
        venue="Maison des projets",
        address="3 rue de la Paix",
        city="Lille",
        registration_url="https://www.irev.fr/inscription?id=1&x=2",
        description="Un atelier.\nDeuxième ligne.",
        description_html="<p>Un atelier <b>pratique</b> &amp; concret.</p>",
        tags=("emploi", "jeunesse"),
        updated=UPDATED,
        sequence=2,
    )


def winter() -> Event:
    """Timed, in winter time (CET, +01:00), from two sources."""
    return event(
        id="ev-winter",
        title="Rencontre régionale",
        start=datetime(2019, 12, 10, 9, 30, tzinfo=PARIS),
        end=datetime(2019, 12, 10, 16, 30, tzinfo=PARIS),
        all_day=False,
        precision=Precision.MINUTE,
        city="Vaulx-en-Velin",
        sources=(IREV, LABO),
    )


def no_end() -> Event:
    """Timed with no end time."""
    return event(
        id="ev-noend",
        title="Webinaire",
        start=datetime(2020, 3, 29, 10, 0, tzinfo=PARIS),
        all_day=False,
        precision=Precision.MINUTE,
        city=None,
        online=True,
    )


def span() -> Event:
    """All-day over three days."""
    return event(
        id="ev-span", title="Université d'été", start=date(2019, 8, 27), end=date(2019, 8, 29)
    )


def month() -> Event:
    """Known only to the month."""
    return event(
        id="ev-month",
        title="Forum des quartiers",
        start=date(2020, 2, 1),
        precision=Precision.MONTH,
        city=None,
    )


def alternatives() -> Event:
    """ "10 ou 12 décembre 2019 à Vaulx en Velin"."""
    return event(
        id="ev-alt",
        title="Séminaire habitat",
        start=date(2019, 12, 10),
        alternatives=(date(2019, 12, 10), date(2019, 12, 12)),
    )


def cancelled() -> Event:
    return event(id="ev-cancelled", title="Café citoyen", status=Status.CANCELLED)


def postponed() -> Event:
    return event(id="ev-postponed", title="Café citoyen", status=Status.POSTPONED)


def hostile() -> Event:
    """Control characters and markup in every text field."""
    return event(
        id="ev-hostile",
        title="Santé\x00 & emploi <b>2019</b>\x0b\x1b",
        city="Lyon\x07",
        venue="Salle \x1f<Foo>",
        description="Texte\x00 brut\x08",
        description_html='<p>Bonjour\x00 <script>alert(1)</script><a href="https://x.org/?a=1&amp;b=2">lien</a></p>',
        tags=("santé\x01",),
    )


def all_events() -> list[Event]:
    return [
        summer(),
        winter(),
        no_end(),
        event(),
        span(),
        month(),
        alternatives(),
        cancelled(),
        postponed(),
        hostile(),
    ]


def plain_title(record: dict) -> str:
    """A JSON record's title without the "ANNULÉ – " its status puts first (checked)."""
    prefix = {"cancelled": "ANNULÉ – ", "postponed": "REPORTÉ – "}.get(record["status"], "")
    assert record["title"].startswith(prefix), record["title"]
    return record["title"][len(prefix) :]
