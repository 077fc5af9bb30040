"""The command line as an admin uses it: check, extract, status, conditional re-scrapes,
help, and what a terminal shows compared with a pipe."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from samples import plain_title
from sites import FixtureSite

from aggregator.cli import COMMANDS as RUNS
from aggregator.cli import main, parser

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
# Read from the parser itself, so a new command cannot miss its help.
COMMANDS = sorted(
    next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
)
NOW = "2019-10-15T10:00:00+02:00"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def cli(*args: str, cwd: Path | None = None, now: str = "2019-10-15T10:00:00+02:00"):
    env = {**os.environ, "AGGREGATOR_NOW": now}
    env.pop("AGGREGATOR_CONFIG", None)
    env.pop("AGGREGATOR_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])  # in-process: a dozen interpreters would take a while
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"usage: aggregator {command}")
    assert shown.split("\n\n")[1][0].isupper()  # a description under the usage
    examples = shown.split("\nexamples:\n")[1].splitlines()
    assert any(re.match(rf"  aggregator (\S+ )*{command}\b", line) for line in examples)


def test_every_command_runs_something():
    assert sorted(RUNS) == COMMANDS


def test_the_command_list_has_every_command_and_first_steps():
    done = cli("--help")
    assert done.returncode == 0
    for command in COMMANDS:
        assert re.search(rf"^    {command} +\S", done.stdout, re.MULTILINE), command
    steps = done.stdout.split("first steps:\n")[1].splitlines()
    assert [line.split("#")[0].strip() for line in steps[:4]] == [
        "aggregator demo",
        "aggregator check",
        "aggregator scrape",
        "aggregator serve",
    ]


def test_verbose_and_quiet_work_before_and_after_every_command():
    needs = {
        "add": ["https://example.org/"],
        "extract": ["page.html"],
        "publish": ["out"],
        "backup": ["copy.db"],
        "export": ["--format", "ics"],
    }
    for command in COMMANDS:
        for flag in ("--quiet", "--verbose"):
            before = parser().parse_args([flag, command, *needs.get(command, [])])
            after = parser().parse_args([command, *needs.get(command, []), flag])
            name = flag.lstrip("-")
            assert getattr(before, name) and getattr(after, name), (command, flag)
            other = "verbose" if name == "quiet" else "quiet"
            assert not getattr(before, other) and not getattr(after, other)


def test_readme_starts_with_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(
        r"^```(?:sh|shell|bash|console)\n(.*?)^```", readme, re.MULTILINE | re.DOTALL
    )
    lines = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert lines[:2] == ["pip install -e '.[dev]' && aggregator run", "pytest"]


def test_check_lists_every_error_with_its_line_and_exits_2():
    done = cli("--config", str(FIXTURES / "config" / "several-errors.yaml"), "check")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert (
        "several-errors.yaml:8: sources[0] (irev).interval: '6 hours' is not a duration; "
        "write 6h" in done.stderr
    )
    assert any(
        ":12: sources[2] (irev).id: id 'irev' is already used on line 5" in line for line in lines
    )
    assert any(
        ":22: sources[3] (cerdd).enable: unknown key 'enable'; did you mean 'enabled'?" in line
        for line in lines
    )
    assert any(":20: sources[3] (cerdd).list.item:" in line for line in lines)
    assert lines[-1].startswith("8 problem(s) in")


@pytest.mark.parametrize(
    "name, line",
    [
        ("invalid-yaml.yaml", ":"),
        ("css-missing-selector.yaml", "event"),
        ("unknown-key.yaml", "unknown key"),
    ],
)
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
        "2019-12-10T09:30:00+01:00",
        "2020-07-02T14:00:00+02:00",
        "2020-06-24",
    ]
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
    assert titles == [
        "Rencontre régionale : la participation des habitants",
        "Cycle de qualification : emploi et quartiers",
        "Séminaire « Renouvellement urbain et mémoire »",
    ]
    assert not (tmp_path / "aggregator.db").exists()  # a dry run stores nothing


def test_unchanged_pages_answered_304_cost_no_parsing(tmp_path: Path):
    with FixtureSite("ics-feed") as site:
        site.etags = True
        (tmp_path / "sources.yaml").write_text(
            f"settings: {{delay: 0}}\nsources:\n  - {{id: labo, name: Labo, "
            f"url: '{site.url}/agenda.ics', strategy: ics}}\n"
        )
        assert cli("scrape", cwd=tmp_path).returncode == 0
        second = cli("scrape", cwd=tmp_path)
    assert second.returncode == 0
    assert "labo: unchanged" in second.stdout
    status = cli("status", cwd=tmp_path).stdout
    assert status.startswith("labo: unchanged at 2019-10-15T10:00:00, 4 events")


def test_status_before_any_run(tmp_path: Path):
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - {id: a, name: A, url: 'https://example.org/agenda'}\n"
    )
    done = cli("status", cwd=tmp_path)
    assert done.stdout == "a: never run, 0 events\n"


def test_backup_command_copies_the_database(tmp_path: Path):
    with FixtureSite("ics-feed") as site:
        (tmp_path / "sources.yaml").write_text(
            f"settings: {{delay: 0}}\nsources:\n  - {{id: labo, name: Labo, "
            f"url: '{site.url}/agenda.ics', strategy: ics}}\n"
        )
        assert cli("scrape", cwd=tmp_path).returncode == 0
    done = cli("backup", "copy.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    copy = cli("--db", "copy.db", "status", cwd=tmp_path).stdout
    assert copy.startswith("labo: ok at 2019-10-15T10:00:00, 4 events")


def test_closed_pipe_ends_quietly():
    """`aggregator schema | head -1`: no BrokenPipeError traceback when the reader leaves."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "aggregator.cli", "schema"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write)
    assert done.returncode == 1
    assert done.stderr == ""


# --- a terminal compared with a pipe ---------------------------------------------------


def on_terminal(*args: str, cwd: Path) -> tuple[int, str]:
    """Run the command with stdout and stderr on a pseudo-terminal 120 columns wide;
    its exit code and what the terminal received, escape sequences removed."""
    terminal, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "NO_COLOR",
            "FORCE_COLOR",
            "TTY_COMPATIBLE",
            "TTY_INTERACTIVE",
            "COLUMNS",
            "LINES",
            "AGGREGATOR_CONFIG",
            "AGGREGATOR_DB",
        )
    }
    env |= {"TERM": "xterm-256color", "AGGREGATOR_NOW": NOW}
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=child,
    )
    os.close(child)
    received = bytearray()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not select.select([terminal], [], [], 1)[0]:
            continue
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(terminal)
    code = process.wait(timeout=10)
    return code, ANSI.sub("", received.decode()).replace("\r", "")


def table_row(text: str, first_cell: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(f"│ {first_cell} "))
    return [cell.strip() for cell in line.strip("│").split("│")]


def two_sources(folder: Path, url: str) -> None:
    (folder / "sources.yaml").write_text(
        f"settings: {{delay: 0, retries: 0}}\nsources:\n"
        f"  - {{id: labo, name: Labo, url: '{url}/agenda.ics', strategy: ics}}\n"
        f"  - {{id: gone, name: Gone, url: '{url}/disparu.ics', strategy: ics}}\n"
    )


def test_scrape_on_a_terminal_shows_progress_then_a_summary_table(tmp_path: Path):
    with FixtureSite("ics-feed") as site:
        two_sources(tmp_path, site.url)
        code, shown = on_terminal("scrape", cwd=tmp_path)
    assert code == 1  # one source failed
    assert re.search(r"Scraping .*2/2 4 events · 1 error", shown)
    assert "now: labo, gone" in shown
    assert table_row(shown, "labo") == ["labo", "ok", "4", "4", "0", ""]
    gone = table_row(shown, "gone")
    assert gone[:5] == ["gone", "failed", "–", "–", "–"]
    assert gone[5].startswith(f"{site.url}/disparu.ics: the server answered HTTP 404")
    assert shown.rstrip().endswith("2 sources scraped, 1 failed: gone")
    assert "labo: 4 events (4 new" not in shown  # the table replaces the plain lines


def test_quiet_scrape_on_a_terminal_has_no_progress_display(tmp_path: Path):
    with FixtureSite("ics-feed") as site:
        two_sources(tmp_path, site.url)
        code, shown = on_terminal("-q", "scrape", cwd=tmp_path)
    assert code == 1
    assert "Scraping" not in shown and "┃" not in shown
    assert "gone: FAILED — " in shown
    assert "labo:" not in shown


def test_piped_scrape_stays_plain_even_when_colour_is_forced(tmp_path: Path):
    with FixtureSite("ics-feed") as site:
        two_sources(tmp_path, site.url)
        env = {**os.environ, "AGGREGATOR_NOW": NOW, "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "aggregator.cli", "scrape"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    lines = done.stdout.splitlines()
    assert done.returncode == 1
    assert sorted(lines[:2]) == [
        f"gone: FAILED — {site.url}/disparu.ics: the server answered HTTP 404 Not Found; "
        "the page does not exist (any more); check the URL in sources.yaml",
        "labo: 4 events (4 new, 0 updated) from 1 pages in 0.0s",
    ]
    assert lines[2:] == ["2 sources scraped, 1 failed: gone"]
    assert "\x1b" not in done.stdout + done.stderr


def test_quiet_scrape_says_nothing_when_all_is_well(tmp_path: Path):
    with FixtureSite("ics-feed") as site:
        (tmp_path / "sources.yaml").write_text(
            f"settings: {{delay: 0}}\nsources:\n"
            f"  - {{id: labo, name: Labo, url: '{site.url}/agenda.ics', strategy: ics}}\n"
        )
        done = cli("-q", "scrape", cwd=tmp_path)
        verbose = cli("scrape", "-v", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert verbose.returncode == 0
    assert re.search(r"DEBUG aggregator: labo: ok in [\d.]+s, 1 pages", verbose.stderr)
    assert "httpcore" not in verbose.stderr  # socket chatter is not for the admin


def test_status_on_a_terminal_is_a_table(tmp_path: Path):
    with FixtureSite("ics-feed") as site:
        two_sources(tmp_path, site.url)
        assert cli("scrape", cwd=tmp_path).returncode == 1
    code, shown = on_terminal("status", cwd=tmp_path)
    assert code == 0
    header = next(line for line in shown.splitlines() if line.startswith("┃ source"))
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == [
        "source",
        "last run",
        "result",
        "events",
        "error / suggestion",
    ]
    assert table_row(shown, "labo") == ["labo", "2019-10-15 10:00", "ok", "4", ""]
    gone = table_row(shown, "gone")
    assert gone[:4] == ["gone", "2019-10-15 10:00", "failed", "0"]
    assert gone[4].startswith(f"{site.url}/disparu.ics: the server answered HTTP 404")
    piped = cli("status", cwd=tmp_path).stdout
    assert piped.startswith("labo: ok at 2019-10-15T10:00:00, 4 events\ngone: failed at ")
