"""Fixture websites served on 127.0.0.1 by the tests themselves.

A site is a folder under tests/fixtures/sites/: the URL path /agenda serves
agenda.html, /agenda?page=1 serves "agenda__page=1.html", /agenda/ serves
agenda/index.html. `mode` switches the whole site to a failure.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SITES = Path(__file__).parent / "fixtures" / "sites"
TYPES = {".html": "text/html; charset=utf-8", ".ics": "text/calendar; charset=utf-8",
         ".xml": "application/rss+xml; charset=utf-8", ".rss": "application/rss+xml",
         ".json": "application/json"}


class FixtureSite:
    """A folder of pages served over real HTTP on `host`; use as a context manager."""

    def __init__(self, name: str | Path, host: str = "127.0.0.1"):
        self.root = name if isinstance(name, Path) else SITES / name
        self.mode = "ok"  # ok | error500 | hang
        self.etags = False  # answer If-None-Match with 304 when True
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                site.hits.append(self.path)
                if site.mode == "error500" and self.path != "/robots.txt":
                    return self._send(500, "text/html", b"<h1>Internal Server Error</h1>")
                if site.mode == "hang" and self.path != "/robots.txt":
                    time.sleep(3)
                file = site.file_for(self.path)
                if file is None:
                    return self._send(404, "text/html", b"<h1>Not found</h1>")
                body = file.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if site.etags and self.headers.get("If-None-Match") == etag:
                    return self._send(304, "", b"", etag)
                self._send(200, TYPES.get(file.suffix, "text/plain"), body,
                           etag if site.etags else None)

            def _send(self, status: int, ctype: str, body: bytes, etag: str | None = None
                      ) -> None:
                self.send_response(status)
                if etag:
                    self.send_header("ETag", etag)
                if ctype:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"

    def file_for(self, raw_path: str) -> Path | None:
        parts = urlsplit(raw_path)
        path = parts.path.strip("/") or "index"
        candidates = [path, path + ".html", path + "/index.html"]
        if parts.query:  # a page per query when the site has one, else the query is ignored
            candidates = [f"{path}__{parts.query}", f"{path}__{parts.query}.html", *candidates]
        for candidate in candidates:
            file = (self.root / candidate).resolve()
            if file.is_file() and self.root.resolve() in file.parents:
                return file
        return None

    def __enter__(self) -> FixtureSite:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
