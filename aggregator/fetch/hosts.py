"""Politeness per host for the Fetcher (client.py): concurrency and spacing of requests.

One `HostGate` per host bounds the requests in flight and spaces their starts by the
delay (the settings' one, or a robots.txt Crawl-delay). `Gates` hands them out and
drops the idle ones, so that a cycle over 10,000 sites holds the gates of the few
sites in progress, not one per site ever visited.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

GATES_KEPT = 64  # gates held before the idle ones are dropped


class HostGate:
    """Politeness towards one host: bounded concurrency, spaced request starts."""

    def __init__(self, slots: int, delay: float):
        self.delay = delay
        self._slots = asyncio.Semaphore(slots)
        self._turn = asyncio.Lock()
        self._next_start = 0.0
        self._users = 0  # requests holding or awaiting a slot

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        self._users += 1
        try:
            async with self._slots:
                async with self._turn:
                    wait = self._next_start - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self._next_start = time.monotonic() + self.delay
                yield
        finally:
            self._users -= 1

    def idle(self, now: float) -> bool:
        """Nobody uses it and its delay is over: a new gate would behave the same."""
        return self._users == 0 and now >= self._next_start


class Gates:
    """The HostGate of each host in use, `slots` requests in flight and `delay` s apart."""

    def __init__(self, slots: int, delay: float):
        self.slots, self.delay = slots, delay
        self._gates: dict[str, HostGate] = {}
        self._prune_at = GATES_KEPT
        self._crawl_delays: dict[str, float] = {}  # host -> its robots.txt Crawl-delay

    def of(self, url: str) -> HostGate:
        """The gate of `url`'s host."""
        host = host_of(url)
        gate = self._gates.get(host)
        if gate is None:
            if len(self._gates) >= self._prune_at:
                self._drop_idle()
            delay = max(self.delay, self._crawl_delays.get(host, 0.0))
            gate = self._gates[host] = HostGate(self.slots, delay)
        return gate

    def slow_down(self, url: str, delay: float) -> None:
        """At least `delay` s between requests to `url`'s host from now on (Crawl-delay);
        remembered beyond its gate, which may be dropped between two requests."""
        self._crawl_delays[host_of(url)] = delay
        gate = self.of(url)
        gate.delay = max(gate.delay, delay)

    def __len__(self) -> int:
        return len(self._gates)

    def _drop_idle(self) -> None:
        now = time.monotonic()
        self._gates = {host: gate for host, gate in self._gates.items() if not gate.idle(now)}
        self._prune_at = max(GATES_KEPT, 2 * len(self._gates))


def host_of(url: str) -> str:
    return httpx.URL(url).netloc.decode("ascii").lower()
