"""Per-site state of the Fetcher stays bounded: idle host gates dropped, robots.txt kept
for the sites used last, and politeness unchanged by either."""

from __future__ import annotations

import asyncio

import httpx

from aggregator.fetch import Fetcher, client, hosts
from aggregator.fetch.hosts import GATES_KEPT, Gates


def test_idle_gates_are_dropped_busy_and_waiting_ones_kept() -> None:
    async def scenario() -> None:
        gates = Gates(slots=2, delay=0.0)
        spaced = Gates(slots=2, delay=60.0)
        busy = gates.of("http://busy.example/a")
        async with busy.slot(), spaced.of("http://spaced.example/").slot():
            for n in range(3 * GATES_KEPT):
                gates.of(f"http://site{n}.example/")
                spaced.of(f"http://site{n}.example/")
            assert len(gates) <= GATES_KEPT  # the idle ones went
            assert gates.of("http://busy.example/b") is busy  # in use: kept
        first = spaced.of("http://spaced.example/")
        for n in range(3 * GATES_KEPT):
            spaced.of(f"http://other{n}.example/")
        assert spaced.of("http://spaced.example/") is first  # its 60 s are not over: kept

    asyncio.run(scenario())


def test_a_crawl_delay_outlives_its_dropped_gate() -> None:
    gates = Gates(slots=2, delay=0.5)
    gates.slow_down("https://slow.example/robots.txt", 7.0)
    gate = gates.of("https://slow.example/agenda")
    assert gate.delay == 7.0
    for n in range(3 * GATES_KEPT):
        gates.of(f"http://site{n}.example/")
    again = gates.of("https://slow.example/agenda")
    assert again is not gate and again.delay == 7.0
    assert gates.of("https://fast.example/").delay == 0.5


def test_robots_read_once_per_site_and_kept_for_the_last_sites(monkeypatch) -> None:
    monkeypatch.setattr(client, "ROBOTS_KEPT", 2)
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            asked.append(request.url.host)
            return httpx.Response(200, text="User-agent: *\nDisallow: /private\n")
        return httpx.Response(200, text="<p>ok</p>", headers={"content-type": "text/html"})

    async def scenario() -> Fetcher:
        fetcher = Fetcher(
            user_agent="aggregator-test/1.0", delay=0.0, retries=0,
            transport=httpx.MockTransport(answer),
        )  # fmt: skip
        async with fetcher:
            await asyncio.gather(*(fetcher.fetch(f"http://a.example/{n}") for n in range(5)))
            await fetcher.fetch("http://b.example/")
            await fetcher.fetch("http://a.example/again")  # a was used last but one: kept
            await fetcher.fetch("http://c.example/")  # b, the least recent, goes
            await fetcher.fetch("http://b.example/again")  # read again
        return fetcher

    fetcher = asyncio.run(scenario())
    assert asked == ["a.example", "b.example", "c.example", "b.example"]
    assert list(fetcher._robots) == ["http://c.example", "http://b.example"]
    assert fetcher._robots_locks == {}  # no lock left once a site's rules are read


def test_hosts_are_named_without_case() -> None:
    assert hosts.host_of("https://WWW.Irev.fr:8443/agenda") == "www.irev.fr:8443"
