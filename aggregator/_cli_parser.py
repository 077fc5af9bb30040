"""The command line's shape: `aggregator`'s options, its commands and their `--help`.

The texts come first so they read as one page. Each command has one line
(shown in the command list and as its description) and examples (its epilog,
under the "examples:" heading a test looks for). `cli` holds what each command does.
"""

from __future__ import annotations

import argparse
import textwrap

DESCRIPTION = "Gathers partner sites' events into feeds (RSS, Atom, ICS, JSON) and an agenda."

FIRST_STEPS = """\
first steps:
  aggregator demo      # try it on bundled sample sites, no network needed
  aggregator check     # validate ./sources.yaml
  aggregator scrape    # read every source once
  aggregator serve     # feeds and agenda on http://127.0.0.1:8080/

every command explains itself: aggregator COMMAND --help
"""

# In the order `aggregator --help` lists them: first steps, then daily use, then hosting.
# (one line, what more the command's own --help says, examples)
HELP: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "demo": (
        "try it on bundled sample sites, no network needed",
        "Scrapes sample partner sites served on 127.0.0.1 and serves the agenda and feeds; "
        "with --once, writes them into a folder and exits.",
        (
            "aggregator demo                    # then open the printed address",
            "aggregator demo --once --dir demo  # write the feeds into ./demo and exit",
        ),
    ),
    "check": (
        "validate sources.yaml (exit 2 on errors)",
        "Lists every problem with its line and a hint.",
        (
            "aggregator check",
            "aggregator check --online   # also try to reach every source's page",
            "aggregator --config /etc/aggregator/sources.yaml check",
        ),
    ),
    "add": (
        "propose a sources.yaml block for a page's agenda",
        "Probes the page with the auto strategy and prints a source block to paste into "
        "sources.yaml (exit 1 when it finds no events).",
        (
            "aggregator add https://www.irev.fr/agenda",
            "aggregator add --append https://www.irev.fr/agenda  # and add it to sources.yaml",
        ),
    ),
    "schema": (
        "print the JSON Schema of sources.yaml, for editors",
        "Editors use it to validate sources.yaml and complete its keys.",
        (
            "aggregator schema > sources.schema.json",
            "# then, on the first line of sources.yaml (VS Code, YAML extension):",
            "# yaml-language-server: $schema=sources.schema.json",
        ),
    ),
    "scrape": (
        "scrape every enabled source (or the named ones) once",
        "On a terminal: a progress display, then a table of the results; otherwise one "
        "line per source. Exit 1 when a source failed.",
        (
            "aggregator scrape",
            "aggregator scrape irev labo-cites",
            "aggregator -q scrape    # silent unless a source fails (cron)",
        ),
    ),
    "status": (
        "each source's last run, result, events and problem",
        "With the error or warning of the last run and what to do about it.",
        ("aggregator status", "aggregator --db /var/lib/aggregator/aggregator.db status"),
    ),
    "extract": (
        "dry run: the events one page yields, as JSON",
        "Nothing is stored: try a page, or a source's settings with --source, before adding it.",
        (
            "aggregator extract https://www.irev.fr/agenda --published 2019-10-01",
            "aggregator extract https://www.irev.fr/agenda --source irev --explain",
            "aggregator extract saved-page.html",
        ),
    ),
    "export": (
        "write one feed (rss, atom, ics or json) to stdout",
        "The same filters as the feed URLs.",
        (
            "aggregator export --format ics --region Hauts-de-France > agenda.ics",
            "aggregator export --format json --source irev --include-past",
        ),
    ),
    "serve": (
        "serve the feeds and the agenda over HTTP, without scraping",
        "",
        (
            "aggregator serve                 # http://127.0.0.1:8080/",
            "aggregator serve --port 0        # any free port, printed at start",
        ),
    ),
    "run": (
        "the daemon: scrape on schedule and serve HTTP",
        "Scrapes every source on its interval, reloads sources.yaml when it changes, and "
        "serves the feeds and the agenda.",
        (
            "aggregator run",
            "aggregator --config /etc/aggregator/sources.yaml run --host 127.0.0.1 --port 8080",
        ),
    ),
    "publish": (
        "write the feeds and pages into DIR for static hosting",
        "Every feed, events.json, the embed page and widget.js.",
        ("aggregator publish public/", "aggregator scrape && aggregator publish /var/www/agenda"),
    ),
    "backup": (
        "a consistent copy of the database, safe while running",
        "",
        ("aggregator backup aggregator-$(date +%F).db",),
    ),
}


def line_of(command: str) -> str:
    """The one line describing `command`."""
    return HELP[command][0]


def description_of(command: str) -> str:
    """The paragraph at the top of `command`'s --help."""
    line, more, _ = HELP[command]
    return textwrap.fill(f"{line[0].upper()}{line[1:]}." + (f" {more}" if more else ""), 79)


def examples_of(command: str) -> str:
    """The epilog of `command`'s --help."""
    return "examples:\n" + "".join(f"  {example}\n" for example in HELP[command][2])


def parser() -> argparse.ArgumentParser:
    """The `aggregator` command line; `cli.COMMANDS` runs each of its commands."""
    p = argparse.ArgumentParser(
        prog="aggregator",
        description=DESCRIPTION,
        epilog=FIRST_STEPS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--config", help="sources file (default $AGGREGATOR_CONFIG or ./sources.yaml)")
    p.add_argument(
        "--db",
        help="SQLite database (default $AGGREGATOR_DB, settings.database, or ./aggregator.db)",
    )
    _add_verbosity(p, default=False)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    d = _command(sub, "demo")
    d.add_argument(
        "--once",
        action="store_true",
        help="scrape, write the feeds and pages into the folder, and exit",
    )
    d.add_argument("--dir", metavar="DIR", help="working folder (default: a new temporary folder)")
    d.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    c = _command(sub, "check")
    c.add_argument(
        "--online",
        action="store_true",
        help="also fetch each enabled source's page once and list those that cannot be "
        "reached, with the line of their url",
    )
    a = _command(sub, "add")
    a.add_argument("url", metavar="URL")
    a.add_argument(
        "--append",
        action="store_true",
        help="also add the block to sources.yaml, only if the result is valid",
    )
    _command(sub, "schema")
    s = _command(sub, "scrape")
    s.add_argument("ids", nargs="*", metavar="ID", help="source ids (default: every enabled one)")
    _command(sub, "status")
    x = _command(sub, "extract")
    x.add_argument("target", metavar="URL_OR_FILE")
    x.add_argument("--published", help="publication date YYYY-MM-DD (for dates without year)")
    x.add_argument("--source", help="read the page with this source's configuration")
    x.add_argument(
        "--explain",
        action="store_true",
        help="say per event which strategy and which element or text each field "
        "came from, and which candidate blocks were rejected and why",
    )
    e = _command(sub, "export")
    e.add_argument("--format", required=True, choices=["rss", "atom", "ics", "json"])
    for name in ("source", "tag", "region", "city"):
        e.add_argument(f"--{name}")
    e.add_argument("--include-past", action="store_true", help="also list events already over")
    for name in ("serve", "run"):
        r = _command(sub, name)
        r.add_argument("--host", default="127.0.0.1")
        r.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    pub = _command(sub, "publish")
    pub.add_argument("directory", metavar="DIR")
    b = _command(sub, "backup")
    b.add_argument("path", metavar="PATH")
    return p


def _command(sub: argparse._SubParsersAction, name: str) -> argparse.ArgumentParser:
    """A subcommand with its one line (in the list and as description) and examples."""
    command = sub.add_parser(
        name,
        help=line_of(name),
        description=description_of(name),
        epilog=examples_of(name),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # -v/-q also after the command (`aggregator scrape -q`); SUPPRESS keeps the
    # subcommand from resetting a flag given before it.
    _add_verbosity(command, default=argparse.SUPPRESS)
    return command


def _add_verbosity(p: argparse.ArgumentParser, default: object) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="also debug lines (each names its source)",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="only warnings and errors; no progress display",
    )
