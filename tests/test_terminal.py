"""When the rich display is used, and what its tables hold (tests/test_cli.py runs it on
a pseudo-terminal end to end)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from aggregator.pipeline import SourceResult
from aggregator.terminal import ScrapeDisplay, interactive_console, scrape_table, status_table


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def test_a_terminal_gets_the_rich_display():
    console = interactive_console(stream=Tty())
    assert console is not None and not console.no_color


def test_no_color_keeps_the_display_without_colours(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NO_COLOR", "1")
    console = interactive_console(stream=Tty())
    assert console is not None and console.no_color


@pytest.mark.parametrize("term", ["dumb", "unknown"])
def test_a_dumb_terminal_gets_plain_lines(monkeypatch: pytest.MonkeyPatch, term: str):
    monkeypatch.setenv("TERM", term)
    assert interactive_console(stream=Tty()) is None


def test_quiet_or_a_pipe_gets_plain_lines(monkeypatch: pytest.MonkeyPatch):
    assert interactive_console(quiet=True, stream=Tty()) is None
    monkeypatch.setenv("FORCE_COLOR", "1")  # CI's colour switch does not make a pipe a terminal
    assert interactive_console(stream=io.StringIO()) is None


def rows_of(table) -> list[list[str]]:
    """The table's body rows, cells wrapped over several lines joined again."""
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(table)
    rows: list[list[str]] = []
    for line in console.file.getvalue().splitlines():
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if cells[0]:
            rows.append(cells)
        else:  # a cell's next line
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
    return rows


def test_progress_names_the_running_sources_and_counts():
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    display = ScrapeDisplay(console, ["irev", "labo", "cerdd"])
    assert display.progress.now_line == "  now: irev, labo, cerdd"
    display.on_result(SourceResult(source_id="labo", result="ok", events=4, new=4))
    display.on_result(SourceResult(source_id="irev", result="failed", error="HTTP 500"))
    assert display.progress.now_line == "  now: cerdd"
    task = display.progress.tasks[0]
    assert (task.completed, task.total) == (2, 3)
    assert task.fields["counts"] == "4 events · 1 error"


def test_scrape_table_rows():
    rows = rows_of(
        scrape_table(
            [
                SourceResult(source_id="labo", result="ok", events=4, new=1, updated=2),
                SourceResult(source_id="irev", result="unchanged"),
                SourceResult(source_id="cerdd", result="failed", error="HTTP 500"),
            ]
        )
    )
    assert rows == [
        ["labo", "ok", "4", "1", "2", ""],
        ["irev", "unchanged", "–", "–", "–", ""],
        ["cerdd", "failed", "–", "–", "–", "HTTP 500"],
    ]


def test_status_table_shows_the_moved_page_suggestion_and_back_off():
    moved = (
        "the page has moved permanently to https://new.example.org/agenda: "
        "write that address as the source's url in sources.yaml"
    )
    rows = rows_of(
        status_table(
            [
                {
                    "id": "labo",
                    "last_run": "2019-10-15T10:00:00+02:00",
                    "result": "ok",
                    "events": 4,
                    "error": None,
                    "consecutive_failures": 0,
                    "warning": moved,
                },
                {
                    "id": "irev",
                    "last_run": "2019-10-15T10:00:00+02:00",
                    "result": "failed",
                    "events": 3,
                    "error": "HTTP 500",
                    "consecutive_failures": 3,
                    "warning": None,
                },
                {
                    "id": "new",
                    "last_run": None,
                    "result": "never run",
                    "events": 0,
                    "error": None,
                    "consecutive_failures": 0,
                    "warning": None,
                },
            ]
        )
    )
    assert rows == [
        ["labo", "2019-10-15 10:00", "ok", "4", moved],
        ["irev", "2019-10-15 10:00", "failed", "3", "HTTP 500 — 3 failures in a row, backing off"],
        ["new", "–", "never run", "0", ""],
    ]
