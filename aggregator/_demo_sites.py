"""The demo's sample partner sites: pages shipped in aggregator/data/demo/sites/<id>/,
served on 127.0.0.1 (one server per site) with their dates filled in at serve time.

A page writes every date as a placeholder counted in days from the Monday of
next week, so the agenda is always in the future and weekdays never change:

    {{+8 fr}}           mardi 14 avril 2026    (+1 is always a Tuesday, +8 the next one)
    {{+8 jour}}         mardi 14 avril         (prose without a year)
    {{+8 date}}         14 avril 2026
    {{+8 iso}}          2026-04-14             {{+8 iso 09:30}}  2026-04-14T09:30:00+02:00
    {{+8 ics}}          20260414               {{+8 ics 09:30}}  20260414T093000
    {{+150 mois}}       août 2026              (the month only)
    {{-5 iso}}          a few days ago         (publication dates)
    {{site}}            this site's address    {{site:irdsu}}  another sample site's

"Today" is the project's clock, so AGGREGATOR_NOW pins the demo too.
A URL path maps to a file as in tests/sites.py: /agenda serves agenda.html,
/agenda?page=1 serves "agenda__page=1.html", /agenda/ serves agenda/index.html.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from importlib.resources.abc import Traversable
from urllib.parse import urlsplit

from aggregator import clock
from aggregator.render.common import MONTHS, WEEKDAYS, day_number

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
}
PLACEHOLDER = re.compile(
    r"\{\{\s*(?:([+-]\d+)\s+(\w+)(?:\s+(\d\d):(\d\d))?|site(?::([\w-]+))?)\s*\}\}"
)
SAFE_PART = re.compile(r"[\w.=-]+")


def demo_data() -> Traversable:
    """aggregator/data/demo inside the installed package."""
    return resources.files("aggregator").joinpath("data", "demo")


def anchor(today: date) -> date:
    """The Monday of next week: day 0 of the placeholders.

    >>> anchor(date(2026, 11, 25)), anchor(date(2026, 11, 30))
    (datetime.date(2026, 11, 30), datetime.date(2026, 12, 7))
    """
    return today + timedelta(days=7 - today.weekday())


def format_day(day: date, style: str, at: time | None = None) -> str:
    """One placeholder's text; `style` is one of the names in the module docstring.

    >>> format_day(date(2027, 1, 19), "fr"), format_day(date(2027, 1, 19), "iso", time(9, 30))
    ('mardi 19 janvier 2027', '2027-01-19T09:30:00+01:00')
    """
    if style == "iso":
        if at is None:
            return day.isoformat()
        return datetime.combine(day, at, tzinfo=clock.PARIS).isoformat()
    if style == "ics":
        return day.strftime("%Y%m%d") + (at.strftime("T%H%M%S") if at else "")
    named = f"{day_number(day)} {MONTHS[day.month - 1]}"
    texts = {
        "fr": f"{WEEKDAYS[day.weekday()]} {named} {day.year}",
        "jour": f"{WEEKDAYS[day.weekday()]} {named}",
        "date": f"{named} {day.year}",
        "mois": f"{MONTHS[day.month - 1]} {day.year}",
    }
    if style not in texts:
        raise ValueError(f"unknown date style {style!r} in a demo page")
    return texts[style]


def fill(text: str, today: date, sites: Mapping[str, str], own: str) -> str:
    """The page with every placeholder replaced."""
    start = anchor(today)

    def replace(match: re.Match[str]) -> str:
        offset, style, hour, minute, other = match.groups()
        if offset is None:
            return sites[other] if other else sites[own]
        at = time(int(hour), int(minute)) if hour else None
        return format_day(start + timedelta(days=int(offset)), style, at)

    return PLACEHOLDER.sub(replace, text)


class SampleSite:
    """One sample site on 127.0.0.1, in a thread; `sites` maps every site id to its URL."""

    def __init__(self, site_id: str, sites: dict[str, str]):
        self.id = site_id
        self.root = demo_data().joinpath("sites", site_id)
        self.sites = sites
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        sites[site_id] = self.url

    def file_for(self, raw_path: str) -> Traversable | None:
        parts = urlsplit(raw_path)
        path = parts.path.strip("/") or "index"
        candidates = [path, path + ".html", path + "/index.html"]
        # PHP reads "?article142=" as "?article142"; the aggregator may write either.
        query = parts.query.removesuffix("=") if "&" not in parts.query else parts.query
        if query:
            candidates = [f"{path}__{query}", f"{path}__{query}.html", *candidates]
        for candidate in candidates:
            names = candidate.split("/")
            if not all(SAFE_PART.fullmatch(n) and n not in (".", "..") for n in names):
                return None  # nothing outside the site's folder, whatever the path says
            file = self.root.joinpath(*names)
            if file.is_file():
                return file
        return None

    def body(self, raw_path: str) -> tuple[str, bytes] | None:
        """The content type and filled bytes of a page, or None when there is none."""
        file = self.file_for(raw_path)
        if file is None:
            return None
        suffix = "." + file.name.rsplit(".", 1)[-1] if "." in file.name else ".html"
        text = fill(file.read_bytes().decode("utf-8"), clock.today(), self.sites, self.id)
        return TYPES.get(suffix, TYPES[".html"]), text.encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                found = site.body(self.path)
                status, ctype, body = (
                    (200, *found) if found else (404, TYPES[".html"], b"<h1>Page introuvable</h1>")
                )
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass  # the demo's terminal shows the aggregator, not the sample sites

        return Handler

    def start(self) -> None:
        # a short poll interval: Ctrl-C stops the demo without waiting half a second per site
        threading.Thread(
            target=self.server.serve_forever, args=(0.1,), daemon=True, name=f"demo-site-{self.id}"
        ).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def site_ids() -> list[str]:
    """The sample sites shipped with the package, by folder name."""
    return sorted(d.name for d in demo_data().joinpath("sites").iterdir() if d.is_dir())
