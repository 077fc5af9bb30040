"""The command line as an admin uses it: check, extract, status, conditional re-scrapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from samples import plain_title
from sites import FixtureSite

FIXTURES = Path(__file__).parent / "fixtures"
COMMANDS = ["run", "serve", "publish", "check", "scrape", "export", "extract", "status", "backup"]


def cli(*args: str, cwd: Path | None = None, now: str = "2019-10-15T10:00:00+02:00"):
    env = {**os.environ, "AGGREGATOR_NOW": now}
    env.pop("AGGREGATOR_CONFIG", None)
    env.pop("AGGREGATOR_DB", None)
    return subprocess.run([sys.executable, "-m", "aggregator.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str):
    done = cli(command, "--help")
    assert done.returncode == 0
    assert done.stdout.startswith(f"usage: aggregator {command}")


def test_check_lists_every_error_with_its_line_and_exits_2():
    done = cli("--config", str(FIXTURES / "config" / "several-errors.yaml"), "check")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert "several-errors.yaml:8: sources[0] (irev).interval: '6 hours' is not a duration; " \
           "write 6h" in done.stderr
    assert any(":12: sources[2] (irev).id: id 'irev' is already used on line 5" in line
               for line in lines)
    assert any(":22: sources[3] (cerdd).enable: unknown key 'enable'; did you mean 'enabled'?"
               in line for line in lines)
    assert any(":20: sources[3] (cerdd).list.item:" in line for line in lines)
    assert lines[-1].startswith("8 problem(s) in")


@pytest.mark.parametrize("name, line", [("invalid-yaml.yaml", ":"),
                                        ("css-missing-selector.yaml", "event"),
                                        ("unknown-key.yaml", "unknown key")])
def test_check_refuses_broken_files(name: str, line: str):
    done = cli("--config", str(FIXTURES / "config" / name), "check")
    assert done.returncode == 2
    assert name in done.stderr and line in done.stderr


def test_check_accepts_the_shipped_sources_file():
    done = cli("check", cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


def test_extract_a_local_file_prints_json_events(tmp_path: Path):
    page = FIXTURES / "sites" / "wordpress-tec" / "agenda" / "index.html"
    done = cli("extract", str(page), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    events = json.loads(done.stdout)["events"]
    assert [e["start"] for e in events] == [
        "2019-12-10T09:30:00+01:00", "2020-07-02T14:00:00+02:00", "2020-06-24"]
    assert events[1]["online"] is True


def test_extract_a_url_with_a_css_source(tmp_path: Path):
    with FixtureSite("drupal-agenda") as site:
        (tmp_path / "sources.yaml").write_text(f"""\
settings: {{delay: 0}}
sources:
  - id: irev
    name: IREV
    url: {site.url}/agenda
    strategy: css
    list: {{item: ".views-row", link: "h3 a", next: "li.pager-next a"}}
    event: {{title: "h1", date: ".field-name-field-date", location: ".field-name-field-lieu"}}
""")
        done = cli("extract", f"{site.url}/agenda", "--source", "irev", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    titles = [plain_title(e) for e in json.loads(done.stdout)["events"]]
    assert titles == ["Rencontre régionale : la participation des habitants",
                      "Cycle de qualification : emploi et quartiers",
                      "Séminaire « Renouvellement urbain et mémoire »"]
    assert not (tmp_path / "aggregator.db").exists()  # a dry run stores nothing


def test_unchanged_pages_answered_304_cost_no_parsing(tmp_path: Path):
    with FixtureSite("ics-feed") as site:
        site.etags = True
        (tmp_path / "sources.yaml").write_text(
            f"settings: {{delay: 0}}\nsources:\n  - {{id: labo, name: Labo, "
            f"url: '{site.url}/agenda.ics', strategy: ics}}\n")
        assert cli("scrape", cwd=tmp_path).returncode == 0
        second = cli("scrape", cwd=tmp_path)
    assert second.returncode == 0
    assert "labo: unchanged" in second.stdout
    status = cli("status", cwd=tmp_path).stdout
    assert status.startswith("labo: unchanged at 2019-10-15T10:00:00, 4 events")


def test_status_before_any_run(tmp_path: Path):
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - {id: a, name: A, url: 'https://example.org/agenda'}\n")
    done = cli("status", cwd=tmp_path)
    assert done.stdout == "a: never run, 0 events\n"


def test_backup_command_copies_the_database(tmp_path: Path):
    with FixtureSite("ics-feed") as site:
        (tmp_path / "sources.yaml").write_text(
            f"settings: {{delay: 0}}\nsources:\n  - {{id: labo, name: Labo, "
            f"url: '{site.url}/agenda.ics', strategy: ics}}\n")
        assert cli("scrape", cwd=tmp_path).returncode == 0
    done = cli("backup", "copy.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    copy = cli("--db", "copy.db", "status", cwd=tmp_path).stdout
    assert copy.startswith("labo: ok at 2019-10-15T10:00:00, 4 events")
