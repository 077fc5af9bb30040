"""systemd: the unit files pass `systemd-analyze verify`, and sd_notify speaks the protocol."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator import notify

UNITS = Path(__file__).parent.parent / "systemd"
NAMES = ["aggregator.service", "aggregator-scrape.service", "aggregator-scrape.timer"]
INSTALLED = "/opt/aggregator/bin/aggregator"  # where the README installs the command


def settings(name: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is missing (Debian: apt-get install systemd)",
)
def test_units_pass_systemd_analyze_verify(tmp_path: Path):
    # verify checks that ExecStart's program exists: point it at this environment's command
    command = shutil.which("aggregator") or str(Path(sys.executable).parent / "aggregator")
    assert Path(command).exists()
    for name in NAMES:
        text = (UNITS / name).read_text().replace(INSTALLED, command)
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in NAMES)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    ours = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if any(name in line for name in NAMES)
    ]
    assert done.returncode == 0 and ours == [], done.stdout + done.stderr  # warnings too


def test_the_daemon_unit_is_sandboxed_and_notifies():
    unit = settings("aggregator.service")
    expected = {
        "Type": ["notify"],
        "DynamicUser": ["yes"],
        "StateDirectory": ["aggregator"],
        "ConfigurationDirectory": ["aggregator"],
        "ProtectSystem": ["strict"],
        "NoNewPrivileges": ["yes"],
        "PrivateTmp": ["yes"],
        "ProtectHome": ["yes"],
        "ExecReload": ["/bin/kill -HUP $MAINPID"],
        "WatchdogSec": ["120"],
    }
    assert {key: unit.get(key) for key in expected} == expected
    assert "AGGREGATOR_CONFIG=/etc/aggregator/sources.yaml" in unit["Environment"]
    assert "AGGREGATOR_DB=/var/lib/aggregator/aggregator.db" in unit["Environment"]
    assert unit["ExecStart"] == [f"{INSTALLED} run --host 127.0.0.1 --port 8080"]
    assert settings("aggregator-scrape.service")["ExecStart"] == [f"{INSTALLED} scrape"]
    assert settings("aggregator-scrape.timer")["Persistent"] == ["true"]


def test_notify_sends_datagrams_to_the_socket(tmp_path: Path, monkeypatch):
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(path))
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert notify.notify("READY=1")
        assert notify.reloading()
        assert listener.recv(100) == b"READY=1"
        assert listener.recv(100).startswith(b"RELOADING=1\nMONOTONIC_USEC=")
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert notify.notify("READY=1") is False  # not under systemd: nothing to do


def test_watchdog_period_is_half_the_timeout(monkeypatch):
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    monkeypatch.setenv("WATCHDOG_USEC", "120000000")
    assert notify.watchdog_period() == 60.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))  # meant for another process
    assert notify.watchdog_period() is None
    monkeypatch.delenv("WATCHDOG_USEC")
    assert notify.watchdog_period() is None
