"""Speed and memory of cross-source clustering on synthetic announcements.

    python bench/dedup.py [SIZE ...]      (default: 10000 100000)

Builds SIZE announcements of made-up events (French titles from a few
hundred words, 30 real events a day, each announced by one to three
sources with reworded titles, relay prefixes, typos and missing times),
then times `aggregator.dedup.cluster` over all of them on one core, and
measures its peak memory with tracemalloc in a second run; pair precision
and recall are checked against the generator's truth. Blocking by day
keeps the work proportional to the number of events: the last column
(CPU microseconds per event) should stay about flat as SIZE grows.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
import tracemalloc
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from rapidfuzz import fuzz, process, utils

from aggregator.clock import PARIS
from aggregator.dedup import cluster
from aggregator.model import Event, SourceRef

EVENTS_PER_DAY = 30
KINDS = [
    "Journée",
    "Rencontre",
    "Atelier",
    "Webinaire",
    "Séminaire",
    "Forum",
    "Formation",
    "Café-débat",
    "Matinée",
    "Conférence",
    "Table ronde",
    "Colloque",
]
SCOPES = ["régionale", "nationale", "départementale", "territoriale", "", "", ""]
TOPICS = [
    "la participation des habitants",
    "l'emploi des jeunes",
    "les cités éducatives",
    "le renouvellement urbain",
    "la gestion urbaine de proximité",
    "la santé mentale",
    "l'égalité femmes-hommes",
    "la mémoire des quartiers",
    "le numérique et l'inclusion",
    "la tranquillité publique",
    "l'habitat et le peuplement",
    "la médiation sociale",
    "la prévention de la délinquance",
    "le décrochage scolaire",
    "la transition écologique",
    "l'économie sociale et solidaire",
    "les conseils citoyens",
    "l'accès aux droits",
    "la jeunesse et l'engagement",
    "le sport dans les quartiers",
    "la culture et les quartiers",
    "l'évaluation des contrats de ville",
    "les adultes-relais",
    "la lutte contre les discriminations",
    "le commerce de proximité",
    "la mobilité des habitants",
    "l'alimentation et la précarité",
    "les jardins partagés",
    "la laïcité",
    "la petite enfance",
    "le vieillissement dans les quartiers",
    "l'insertion professionnelle",
    "la rénovation énergétique",
    "les copropriétés dégradées",
    "la parentalité",
    "les violences faites aux femmes",
    "l'illectronisme",
    "la santé environnementale",
    "la démocratie participative",
    "les tiers-lieux",
    "l'éducation populaire",
]
AUDIENCES = [
    "",
    "",
    "des chefs de projet",
    "des délégués du préfet",
    "des élus",
    "des professionnels",
    "des associations",
    "des bailleurs sociaux",
]
CITIES = [
    "Lille",
    "Roubaix",
    "Tourcoing",
    "Lyon",
    "Vaulx-en-Velin",
    "Grenoble",
    "Marseille",
    "Toulouse",
    "Bordeaux",
    "Nantes",
    "Rennes",
    "Strasbourg",
    "Amiens",
    "Arras",
    "Lens",
    "Saint-Denis",
    "Montreuil",
    "Paris",
    "Orléans",
    "Tours",
    "Limoges",
    "Poitiers",
    "Clermont-Ferrand",
    "Saint-Étienne",
    "Dijon",
    "Besançon",
    "Metz",
    "Nancy",
    "Reims",
    "Rouen",
    "Le Havre",
    "Caen",
    "Brest",
    "Angers",
    "Le Mans",
    "Montpellier",
    "Nîmes",
    "Avignon",
    "Nice",
    "Toulon",
    "Perpignan",
    "Pau",
    "Bayonne",
    "Valence",
    "Chambéry",
]
SOURCES = [
    "irev",
    "labo-cites",
    "irdsu",
    "cerdd",
    "reseau-crpv",
    "pqn-a",
    "resovilles",
    "villes-au-carre",
    "profession-banlieue",
    "orive",
]
PREFIXES = ["", "", "", "[Agenda] ", "Save the date : ", "À noter : "]


def _title(rng: random.Random) -> str:
    kind, scope = rng.choice(KINDS), rng.choice(SCOPES)
    audience = rng.choice(AUDIENCES)
    head = f"{kind} {scope}".strip() if kind not in ("Webinaire", "Forum") else kind
    return " ".join(part for part in (f"{head} :", rng.choice(TOPICS), audience) if part)


def _variant(title: str, rng: random.Random, source: str) -> str:
    """How a relay rewrites a title."""
    roll = rng.random()
    if roll < 0.25:
        head, _, topic = title.partition(" : ")
        title = f"{topic[0].upper()}{topic[1:]} – {head.lower()}" if topic else title
    elif roll < 0.4:
        title = f"{title} ({source.upper()})"
    elif roll < 0.5 and len(title) > 12:
        i = rng.randrange(4, len(title) - 2)
        title = title[:i] + title[i + 1 :]  # a typo
    return rng.choice(PREFIXES) + title


def synthetic(size: int, seed: int = 5) -> list[Event]:
    """About `size` announcements of size / 1.6 real events, 30 events a day."""
    rng = random.Random(seed)
    events: list[Event] = []
    real = 0
    first_day = date(2020, 1, 6)
    while len(events) < size:
        day = first_day + timedelta(days=real // EVENTS_PER_DAY)
        title, city = _title(rng), rng.choice(CITIES)
        hour = rng.choice([9, 9, 10, 14, 14, 18])
        announcers = rng.sample(SOURCES, rng.choice([1, 1, 2, 2, 3]))
        span = rng.choice([0] * 8 + [1, 2])
        for n, source in enumerate(announcers):
            timed = n == 0 or rng.random() < 0.5
            start = datetime(day.year, day.month, day.day, hour, tzinfo=PARIS) if timed else day
            end = (day + timedelta(days=span)) if span and not timed else None
            ref = SourceRef(id=source, name=source.upper(), url=f"https://{source}.example/")
            events.append(
                Event(
                    id=f"{source}-{real:07d}",
                    title=title if n == 0 else _variant(title, rng, source),
                    start=start,
                    end=end,
                    all_day=not timed,
                    city=city,
                    sources=(ref,),
                    url=f"https://{source}.example/agenda/{real}",
                    first_seen=datetime(2019, 12, 1, tzinfo=PARIS),
                )
            )
        real += 1
    return events[:size]


def timed(events: list[Event]) -> tuple[float, float, list[list[str]]]:
    """(wall seconds, CPU seconds, clusters' ids): CPU time is what a busy machine cannot
    inflate."""
    began, cpu = time.perf_counter(), time.process_time()
    clusters = cluster(events)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return seconds, cpu, [[m.id for m in group.members] for group in clusters]


def _pairs(groups: Iterable[list[str]]) -> set[tuple[str, str]]:
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


def quality(clusters: list[list[str]]) -> tuple[float, float]:
    """Pair precision and recall against the generator's truth (ids end with the event's
    number)."""
    truth: dict[str, list[str]] = {}
    for group in clusters:
        for event_id in group:
            truth.setdefault(event_id.rsplit("-", 1)[1], []).append(event_id)
    real, found = _pairs(truth.values()), _pairs(clusters)
    right = len(real & found)
    return right / max(len(found), 1), right / max(len(real), 1)


def baseline(events: list[Event]) -> list[list[str]]:
    """The bare stack's floor, for the ratio: titles only (rapidfuzz's default
    processing, token-set score >= 85), blocked by day, joined with union-find.
    No field rules, no organiser names, no cycles, no reasons: what any
    rapidfuzz clustering pays before it tells cycles and towns apart."""
    parent = list(range(len(events)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_day: dict[date, list[int]] = {}
    for i, event in enumerate(events):
        day = event.start.date() if isinstance(event.start, datetime) else event.start
        by_day.setdefault(day, []).append(i)
    titles = [utils.default_process(e.title) for e in events]
    for block in by_day.values():
        keys = [titles[i] for i in block]
        for n, i in enumerate(block):
            for _, _, m in process.extract(
                keys[n], keys[n + 1 :], scorer=fuzz.token_set_ratio, score_cutoff=85, limit=None
            ):
                parent[root(block[n + 1 + m])] = root(i)
    groups: dict[int, list[str]] = {}
    for i, event in enumerate(events):
        groups.setdefault(root(i), []).append(event.id)
    return list(groups.values())


def timed_baseline(events: list[Event]) -> tuple[float, list[list[str]]]:
    """(CPU seconds, clusters' ids) of `baseline`."""
    cpu = time.process_time()
    groups = baseline(events)
    return time.process_time() - cpu, groups


def peak_memory(events: list[Event]) -> int:
    tracemalloc.start()
    cluster(events)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    header = (
        "events",
        "clusters",
        "seconds",
        "CPU s",
        "peak MB",
        "µs/event",
        "pair P",
        "pair R",
        "base CPU",
        "base P",
        "base R",
        "ratio",
    )
    print(" ".join(f"{h:>9}" for h in header))
    for size in sizes:
        events = synthetic(size)
        seconds, cpu, clusters = timed(events)
        precision, recall = quality(clusters)
        base_cpu, base_clusters = timed_baseline(events)
        base_precision, base_recall = quality(base_clusters)
        peak = peak_memory(events)
        row = (
            size,
            len(clusters),
            f"{seconds:.2f}",
            f"{cpu:.2f}",
            f"{peak / 1e6:.1f}",
            f"{cpu / size * 1e6:.1f}",
            f"{precision:.3f}",
            f"{recall:.3f}",
            f"{base_cpu:.2f}",
            f"{base_precision:.3f}",
            f"{base_recall:.3f}",
            f"{cpu / base_cpu:.1f}x",
        )
        print(" ".join(f"{v:>9}" for v in row))
    print("base: titles only, by day, rapidfuzz token-set >= 85 (bench/dedup.py `baseline`)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
