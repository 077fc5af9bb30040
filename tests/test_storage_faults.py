"""A read-only or full disk gives a clear error and a non-zero exit, never a corrupt file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sites import FixtureSite

NOW = "2019-10-15T10:00:00+02:00"


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AGGREGATOR_NOW": NOW}
    return subprocess.run([sys.executable, "-m", "aggregator.cli", "-q", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)


def sources(url: str, db: str = "aggregator.db") -> str:
    return (f"settings: {{delay: 0, retries: 0, database: {db}}}\nsources:\n"
            f"  - {{id: labo, name: Labo, url: '{url}/agenda.ics', strategy: ics}}\n")


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def run_privileged(*command: str) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


def test_read_only_folder_gives_a_clear_error(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    with FixtureSite("ics-feed") as site:
        (tmp_path / "sources.yaml").write_text(sources(site.url, "data/aggregator.db"))
        assert cli(tmp_path, "scrape").returncode == 0
        if not run_privileged("chattr", "+i", str(data)):
            pytest.skip("chattr +i is not permitted here")
        try:
            done = cli(tmp_path, "scrape")
        finally:
            run_privileged("chattr", "-i", str(data))
    assert done.returncode == 1
    assert "error: cannot open the database" in done.stderr
    assert "Traceback" not in done.stderr
    assert integrity(data / "aggregator.db") == "ok"


def test_full_disk_rolls_back_and_says_so(tmp_path: Path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if not run_privileged("mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(disk)):
        pytest.skip("mounting a small tmpfs is not permitted here")
    try:
        site_dir = tmp_path / "site"
        site_dir.mkdir()
        events = "".join(
            f"BEGIN:VEVENT\r\nUID:e{n}\r\nDTSTAMP:20200101T000000Z\r\n"
            f"DTSTART;VALUE=DATE:202003{1 + n % 28:02d}\r\nSUMMARY:Rencontre numéro {n} "
            f"sur la rénovation urbaine des quartiers\r\nEND:VEVENT\r\n" for n in range(3000))
        (site_dir / "agenda.ics").write_text(
            f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{events}END:VCALENDAR\r\n")
        with FixtureSite(site_dir) as site:
            (tmp_path / "sources.yaml").write_text(sources(site.url, "disk/aggregator.db"))
            done = cli(tmp_path, "scrape")
        assert done.returncode != 0
        assert "disk is full" in done.stderr
        assert "Traceback" not in done.stderr
        assert integrity(disk / "aggregator.db") == "ok"
    finally:
        run_privileged("umount", str(disk)) or run_privileged("umount", "-l", str(disk))
