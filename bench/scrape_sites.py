"""Simulated partner sites for bench/scrape.py: N sites on loopback, one server process.

    python bench/scrape_sites.py N [EVENTS]  (serves until its stdin closes; prints the port)

Site i has its own loopback address (127.77.x.y, one port for all), so a client's
per-host politeness applies as in real life. Each site has a robots.txt, a
~13 KB listing page (/agenda) with EVENTS events (default DETAILS), and one ~14 KB
detail page per event (/evenement/J), all with site chrome (menus, sidebar, footer). Events are
distinct (site and number in the title, days spread over two years). One
asyncio event loop answers every site from templates; it runs in its own
process so that it never shares the measured client's interpreter.
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
from datetime import date, timedelta

from aggregator.render.common import MONTHS, WEEKDAYS

DETAILS = 3  # detail pages per site
FIRST_DAY = date(2030, 1, 7)
CITIES = [
    ("59000", "Lille"),
    ("69120", "Vaulx-en-Velin"),
    ("13001", "Marseille"),
    ("38000", "Grenoble"),
    ("62000", "Arras"),
    ("44000", "Nantes"),
    ("76000", "Rouen"),
    ("93200", "Saint-Denis"),
    ("31000", "Toulouse"),
    ("67000", "Strasbourg"),
]
TOPICS = [
    "la participation des habitants",
    "l'emploi des jeunes",
    "le renouvellement urbain",
    "les cités éducatives",
    "la santé dans les quartiers",
    "la médiation sociale",
    "la gestion urbaine de proximité",
    "l'égalité femmes-hommes",
    "la laïcité",
]
SELECTORS = (
    '    list: {item: ".views-row", link: "h2 a", date: ".field-date"}\n'
    '    event: {title: "h1.page-title", date: ".field-date", location: ".field-lieu",'
    ' description: ".field-body", registration: ".field-inscription"}\n'
)


def site_address(i: int) -> str:
    """Site i's own loopback address: 127.77.x.y, up to 63,750 sites."""
    return f"127.77.{i // 250}.{i % 250 + 1}"


# --- the simulated partner sites -----------------------------------------------------

_MENU = "".join(
    f'<li class="menu-item"><a href="/rubrique/{n}">Rubrique {n} du centre de ressources</a></li>'
    for n in range(60)
)
_CHROME_TOP = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}'
    '</title><link rel="stylesheet" href="/css/site.css"></head><body><header>'
    f'<nav class="menu"><ul>{_MENU}</ul></nav></header><div id="main">'
)
_NEWS = "".join(
    f'<div class="news"><h3><a href="/actualites/{n}">Actualité {n} : retour sur '
    f"la journée régionale</a></h3><p>Publié le {n + 1} septembre 2019. Les actes "
    "de la journée sont en ligne, avec les présentations des intervenants.</p></div>"
    for n in range(12)
)
_CHROME_BOTTOM = (
    f'</div><aside class="sidebar">{_NEWS}</aside><footer><ul>{_MENU[:4000]}</ul>'
    "<p>Centre de ressources politique de la ville – 12 place Saint-Hubert, "
    "59000 Lille</p></footer></body></html>"
)


def _event_day(i: int, j: int, details: int = DETAILS) -> date:
    return FIRST_DAY + timedelta(days=(i * details + j) % 730)


def _french(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def _title(i: int, j: int) -> str:
    return f"Rencontre {i}-{j} : {TOPICS[(i + j) % len(TOPICS)]}"


def listing_page(i: int, details: int = DETAILS) -> str:
    rows = "".join(
        f'<div class="views-row"><h2><a href="/evenement/{j}">{_title(i, j)}</a></h2>'
        f'<div class="field-date">{_french(_event_day(i, j, details))}</div><p>Une journée '
        "d'échanges entre professionnels et habitants des quartiers prioritaires.</p></div>"
        for j in range(details)
    )
    return (
        _CHROME_TOP.format(title=f"Agenda du site {i}") + '<h1 class="page-title">Agenda'
        f'</h1><div class="view-content">{rows}</div>' + _CHROME_BOTTOM
    )


def detail_page(i: int, j: int, details: int = DETAILS) -> str:
    postcode, city = CITIES[(i + j) % len(CITIES)]
    body = "".join(
        f"<p>Paragraphe {n} : présentation des intervenants, du programme et des "
        "modalités d'accueil des participants, professionnels comme habitants.</p>"
        for n in range(8)
    )
    return (
        _CHROME_TOP.format(title=_title(i, j)) + f'<h1 class="page-title">{_title(i, j)}</h1>'
        f'<div class="field-date">{_french(_event_day(i, j, details))} de 9h30 à 16h30</div>'
        f'<div class="field-lieu">Maison des associations, {1 + j} rue de la République, '
        f'{postcode} {city}</div><div class="field-body">{body}</div><div class="field-'
        f'inscription"><a href="/inscription/{j}">S\'inscrire</a></div>' + _CHROME_BOTTOM
    )


def _answer(site: int, path: str, details: int = DETAILS) -> tuple[int, bytes]:
    if path == "/robots.txt":
        return 200, b"User-agent: *\nAllow: /\n"
    if path == "/agenda":
        return 200, listing_page(site, details).encode()
    if path.startswith("/evenement/") and path[11:].isdigit() and int(path[11:]) < details:
        return 200, detail_page(site, int(path[11:]), details).encode()
    return 404, b"not found"


class _SiteProtocol(asyncio.Protocol):
    """Minimal HTTP/1.1 keep-alive server for GET requests of one site."""

    def __init__(self, site: int, details: int = DETAILS):
        self.site, self.details = site, details
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer and self.transport is not None:
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode("latin-1")
            status, body = _answer(self.site, path, self.details)
            kind = "text/plain" if path.endswith(".txt") or status != 200 else "text/html"
            reason = "OK" if status == 200 else "Not Found"
            self.transport.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )


async def _serve(n: int, details: int = DETAILS) -> None:
    loop = asyncio.get_running_loop()
    first = await loop.create_server(lambda: _SiteProtocol(0, details), site_address(0), 0)
    port = first.sockets[0].getsockname()[1]
    servers = [first]
    for i in range(1, n):
        servers.append(
            await loop.create_server(
                lambda i=i: _SiteProtocol(i, details), site_address(i), port, reuse_address=True
            )
        )
    print(port, flush=True)
    # serve until the parent closes our stdin
    await loop.run_in_executor(None, sys.stdin.read)


class Farm:
    """N sites (`details` events each) served by a child process; a context manager."""

    def __init__(self, n: int, details: int = DETAILS):
        raise_file_limit()
        self.process = subprocess.Popen(
            [sys.executable, __file__, str(n), str(details)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.close()
            raise RuntimeError(f"the site server did not start ({line.strip()!r})")
        self.port = int(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Farm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str]) -> int:
    asyncio.run(_serve(int(argv[0]), int(argv[1]) if len(argv) > 1 else DETAILS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
