"""`aggregator check --online`: each source's page fetched once, the unreachable ones
named with the line of their url, against real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sites import FixtureSite

from aggregator.config import load_config
from aggregator.fetch import Fetcher
from aggregator.probe import unreachable_sources


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_sources(tmp_path: Path, urls: dict[str, str], disabled: str = "") -> Path:
    """sources.yaml with one source per (id, url), each block four lines long."""
    text = "settings: {delay: 0, timeout: 5}\nsources:\n"
    for source_id, url in urls.items():
        text += f"  - id: {source_id}\n    name: {source_id.title()}\n    url: {url}\n"
        text += "    enabled: false\n" if source_id == disabled else "    strategy: ics\n"
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def check_online(path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ}
    env.pop("AGGREGATOR_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "--config", str(path), "check", "--online"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def site():
    with FixtureSite("ics-feed") as served:
        yield served


def test_unreachable_sources_are_named_with_the_line_of_their_url(site, tmp_path):
    refused = f"http://127.0.0.1:{closed_port()}/agenda"
    tls = f"{site.url}/agenda.ics".replace("http://", "https://")
    path = write_sources(
        tmp_path,
        {
            "good": f"{site.url}/agenda.ics",  # url on line 5
            "gone": f"{site.url}/ancien-agenda",  # line 9
            "down": refused,  # line 13
            "secure": tls,  # line 17
            "asleep": refused,  # line 21, disabled: not probed
        },
        disabled="asleep",
    )

    done = check_online(path)

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[:2] == [
        f"{path}:9: sources[1] (gone).url: {site.url}/ancien-agenda cannot be fetched: "
        "the server answered HTTP 404 Not Found; the page does not exist (any more); "
        "check the URL in sources.yaml",
        f"{path}:13: sources[2] (down).url: {refused} cannot be fetched: "
        f"connection refused by {refused.split('/')[2]}; the site may be down; "
        "try again later; if it lasts, open the address in a browser to check it",
    ]
    # the TLS library words its reason (version, record layer…) in its own way
    host = site.url.removeprefix("http://")
    assert lines[2].startswith(
        f"{path}:17: sources[3] (secure).url: {tls} cannot be fetched: "
        f"secure connection (TLS) to {host} failed: "
    )
    assert lines[2].endswith(
        "; check that the site answers at https://, or tell its owner the certificate fails"
    )
    assert lines[3:] == ["3 source(s) unreachable from here"]
    assert "/agenda.ics" in site.hits and "/ancien-agenda" in site.hits


def test_every_source_reachable_exits_0(site, tmp_path):
    path = write_sources(
        tmp_path, {"good": f"{site.url}/agenda.ics", "other": f"{site.url}/agenda.ics?page=2"}
    )
    done = check_online(path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{path}: OK, 2 sources, every enabled one reachable\n"
    assert site.hits.count("/robots.txt") == 1  # the scraper's fetcher: robots.txt obeyed


def test_robots_disallow_and_dns_failure_are_reported(tmp_path):
    path = write_sources(
        tmp_path, {"typo": "https://www.irev.frr/agenda", "private": "https://www.irev.fr/prive"}
    )

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "www.irev.frr":
            error = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            raise httpx.ConnectError(str(error), request=request) from error
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /prive\n")
        return httpx.Response(200, text="<h1>Agenda</h1>")

    async def probe() -> list[str]:
        fetcher = Fetcher(
            user_agent="aggregator/0.1", retries=0, delay=0, transport=httpx.MockTransport(answer)
        )
        async with fetcher:
            return await unreachable_sources(load_config(path), fetcher)

    assert asyncio.run(probe()) == [
        f"{path}:5: sources[0] (typo).url: https://www.irev.frr/agenda cannot be fetched: "
        "could not find www.irev.frr (DNS lookup failed); check the address",
        f"{path}:9: sources[1] (private).url: https://www.irev.fr/prive cannot be fetched: "
        "https://www.irev.fr/robots.txt forbids 'aggregator' to fetch "
        "https://www.irev.fr/prive; ask the site to allow it or remove the source",
    ]


def test_check_without_online_contacts_no_site(site, tmp_path):
    path = write_sources(tmp_path, {"gone": f"{site.url}/ancien-agenda"})
    env = {**os.environ}
    env.pop("AGGREGATOR_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "--config", str(path), "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert site.hits == []
