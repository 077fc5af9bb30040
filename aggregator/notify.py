"""sd_notify: tell systemd the service is ready, alive, reloading or stopping.

The protocol is one datagram on the socket named by $NOTIFY_SOCKET
(sd_notify(3)); a few lines here spare a dependency. Outside systemd the
variable is unset and every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import time

log = logging.getLogger(__name__)


def notify(state: str) -> bool:
    """Send `state` ("READY=1", "WATCHDOG=1"…); False when not under systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # abstract namespace socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        log.warning("could not notify systemd (%s): %s", state.split("=", 1)[0], exc)
        return False
    return True


def reloading() -> bool:
    """RELOADING=1 with the monotonic timestamp systemd 253+ asks for."""
    stamp = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    return notify(f"RELOADING=1\nMONOTONIC_USEC={stamp}")


def watchdog_period() -> float | None:
    """Seconds between two WATCHDOG=1 pings (half systemd's timeout), None when unwatched."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2_000_000
