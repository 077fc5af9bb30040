"""What `scrape` and `status` show a person at a terminal: a live progress display
and tables (rich). Pipes, CI and systemd get the plain lines of `cli` instead.

The choice is made once per command by `interactive_console`: stdout must be a
real terminal (so FORCE_COLOR in a pipe never turns tables on) that rich deems
interactive (not TERM=dumb); NO_COLOR keeps the display, without colours.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from aggregator.pipeline import MAX_CONCURRENT_SOURCES, SourceResult

SHOWN_RUNNING = 4  # names on the "now:" line; the rest are counted
STYLES = {
    "ok": "green",
    "unchanged": "cyan",
    "failed": "bold red",
    "skipped": "yellow",
    "never run": "dim",
}


def interactive_console(*, quiet: bool = False, stream: IO[str] | None = None) -> Console | None:
    """A console for rich output on `stream` (default stdout), or None for plain lines:
    when quiet, when the stream is not a terminal, or when the terminal is dumb."""
    stream = stream or sys.stdout
    if quiet or not _isatty(stream):
        return None
    console = Console(file=stream)
    return console if console.is_interactive else None


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


# --- scrape ---------------------------------------------------------------------------


class _ScrapeProgress(Progress):
    """A progress bar with a second line naming the sources being scraped."""

    now_line = ""

    def get_renderables(self) -> Iterable[RenderableType]:
        yield from super().get_renderables()
        if self.now_line:
            yield Text(self.now_line, style="dim", overflow="ellipsis", no_wrap=True)


class ScrapeDisplay:
    """Live progress over sources while `pipeline.scrape` runs; use as a context
    manager and pass `on_result` to the pipeline."""

    def __init__(self, console: Console, source_ids: Sequence[str], *, verbose: bool = False):
        self.console = console
        self.pending = list(source_ids)
        self.results: list[SourceResult] = []
        self.verbose = verbose
        self.progress = _ScrapeProgress(
            SpinnerColumn(),
            TextColumn("Scraping"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task("scrape", total=len(self.pending), counts=self._counts())
        self._update_now_line()

    def __enter__(self) -> ScrapeDisplay:
        self._logs = _logs_above(self.console, logging.DEBUG if self.verbose else logging.WARNING)
        self._logs.__enter__()
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)
        self._logs.__exit__(None, None, None)

    def on_result(self, result: SourceResult) -> None:
        self.results.append(result)
        if result.source_id in self.pending:
            self.pending.remove(result.source_id)
        self._update_now_line()
        self.progress.update(self.task, advance=1, counts=self._counts())

    def _counts(self) -> str:
        events = sum(r.events for r in self.results)
        errors = sum(r.result in ("failed", "skipped") for r in self.results)
        return f"{events} events · {errors} error{'s' if errors != 1 else ''}"

    def _update_now_line(self) -> None:
        # pipeline.scrape starts sources in order behind a FIFO semaphore of
        # MAX_CONCURRENT_SOURCES, so the first unfinished ones are those running.
        running = self.pending[:MAX_CONCURRENT_SOURCES]
        names = ", ".join(running[:SHOWN_RUNNING])
        more = len(running) - SHOWN_RUNNING
        self.progress.now_line = (
            f"  now: {names}" + (f" +{more}" if more > 0 else "") if running else ""
        )


def scrape_table(results: Sequence[SourceResult]) -> Table:
    """One row per source: result, events, new, changed, and the error or warning."""
    table = Table(title="Scrape", title_justify="left", expand=False)
    table.add_column("source", no_wrap=True)
    table.add_column("result", no_wrap=True)
    for name in ("events", "new", "changed"):
        table.add_column(name, justify="right")
    table.add_column("error", overflow="fold")
    for r in results:
        ran = r.result == "ok"
        table.add_row(
            r.source_id,
            Text(r.result, style=STYLES.get(r.result, "")),
            *(str(n) if ran else "–" for n in (r.events, r.new, r.updated)),
            _problem(r.error, r.warning),
        )
    return table


def _problem(error: str | None, warning: str | None) -> Text:
    if error:
        return Text(error, style="red")
    return Text(warning or "", style="yellow")


# --- status ---------------------------------------------------------------------------


def status_table(rows: Sequence[dict]) -> Table:
    """`status.source_status` rows as a table: last run, result, events, what to do."""
    table = Table(title="Sources", title_justify="left", expand=False)
    table.add_column("source", no_wrap=True)
    table.add_column("last run", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("events", justify="right")
    table.add_column("error / suggestion", overflow="fold")
    for row in rows:
        last = row["last_run"][:16].replace("T", " ") if row["last_run"] else "–"
        table.add_row(
            row["id"],
            last,
            Text(row["result"], style=STYLES.get(row["result"], "")),
            str(row["events"]),
            _status_problem(row),
        )
    return table


def _status_problem(row: dict) -> Text:
    text = Text()
    if row["error"]:
        text.append(row["error"], style="red")
    if row["consecutive_failures"] > 1:
        text.append(
            f"{' — ' if text else ''}{row['consecutive_failures']} failures in a row, backing off",
            style="red",
        )
    if row["warning"]:
        text.append(f"{' — ' if text else ''}{row['warning']}", style="yellow")
    return text


# --- logging --------------------------------------------------------------------------


class _ConsoleHandler(logging.Handler):
    """Log records printed through the console, so they scroll above the live display."""

    def __init__(self, console: Console, level: int):
        super().__init__(level)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        style = (
            "red"
            if record.levelno >= logging.ERROR
            else ("yellow" if record.levelno >= logging.WARNING else "dim")
        )
        try:
            self.console.print(Text(self.format(record), style=style), soft_wrap=True)
        except Exception:
            self.handleError(record)


@contextmanager
def _logs_above(console: Console, level: int) -> Iterator[None]:
    """While the display runs, log lines bound for the terminal go through the console
    (a stray write would tear the progress bar); the summary table stands for the
    per-source info lines, so only warnings show unless --verbose. Logs redirected
    to a file are left alone."""
    root = logging.getLogger()
    moved = [h for h in root.handlers if isinstance(h, logging.StreamHandler) and _isatty(h.stream)]
    if not moved:
        yield
        return
    handler = _ConsoleHandler(console, level)
    handler.setFormatter(moved[0].formatter)
    for h in moved:
        root.removeHandler(h)
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        for h in moved:
            root.addHandler(h)
