"""The running process of `aggregator run` and `serve`: HTTP server and scheduler
in one asyncio loop, signals and systemd notifications.

SIGTERM and SIGINT stop it cleanly: the server stops accepting requests, the
scheduler starts no new run, running ones get a few seconds to finish, and
the process exits 0. SIGHUP reloads sources.yaml. Under systemd it reports
READY=1 once the port is open, RELOADING=1/READY=1 around a reload,
STOPPING=1, and pings the watchdog from the event loop, so a loop that
hangs gets the service restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Iterator

import uvicorn

from aggregator import clock, notify
from aggregator.publish import AutoPublisher
from aggregator.scheduler import Daemon

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 60.0


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers (it would re-raise SIGTERM after
    stopping, and the process would die of it instead of exiting 0)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def run_service(
    app: object,
    host: str,
    port: int,
    daemon: Daemon | None = None,
    publisher: AutoPublisher | None = None,
) -> int:
    # uvloop when installed (uvicorn's own "auto" choice, which `asyncio.run` would skip);
    # with httptools, which uvicorn picks by itself, several times the requests/s of
    # asyncio + h11 for cached feeds (bench/serve.py)
    with asyncio.Runner(loop_factory=_uvloop_factory()) as runner:
        return runner.run(_main(app, host, port, daemon, publisher))


def _uvloop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _main(
    app: object, host: str, port: int, daemon: Daemon | None, publisher: AutoPublisher | None
) -> int:
    server = _Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",  # type: ignore[arg-type]
            lifespan="off",
            access_log=False,
        )
    )
    loop = asyncio.get_running_loop()

    def stop(name: str) -> None:
        if server.should_exit:
            server.force_exit = True  # a second Ctrl-C: do not wait for clients
        log.info("%s received: stopping", name)
        notify.notify("STOPPING=1")
        server.should_exit = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop, sig.name)
    serving = asyncio.create_task(server.serve())
    while not server.started and not serving.done():
        await asyncio.sleep(0.02)
    if serving.done():
        await serving
        return 1
    if daemon is not None:
        loop.add_signal_handler(signal.SIGHUP, _reload, daemon)
        await daemon.start()
    if publisher is not None:
        publisher.request()
    address = _address(server, host, port)
    print(f"serving on http://{address}/", file=sys.stderr, flush=True)
    notify.notify(f"READY=1\nSTATUS=serving on http://{address}/")
    chores = asyncio.create_task(_housekeeping(publisher))
    try:
        await serving
    finally:
        chores.cancel()
        if daemon is not None:
            await daemon.stop()
        if publisher is not None:
            await publisher.stop()
    return 0


def _reload(daemon: Daemon) -> None:
    notify.reloading()
    daemon.reload()
    notify.notify("READY=1")


def _address(server: uvicorn.Server, host: str, port: int) -> str:
    """host:port actually bound (port 0 asks the system for a free one)."""
    for listener in getattr(server, "servers", []):
        for sock in listener.sockets:
            bound = sock.getsockname()
            return f"{host}:{bound[1]}"
    return f"{host}:{port}"


async def _housekeeping(publisher: AutoPublisher | None) -> None:
    """Watchdog pings and the daily republish (past events leave the feeds)."""
    period = notify.watchdog_period()
    sleep = min(period, HOUSEKEEPING_SECONDS) if period else HOUSEKEEPING_SECONDS
    day = clock.today()
    while True:
        await asyncio.sleep(sleep)
        if period:
            notify.notify("WATCHDOG=1")
        if clock.today() != day:
            day = clock.today()
            if publisher is not None:
                publisher.request()
