"""The `aggregator` command: thin commands, each over one library function."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from aggregator import clock
from aggregator.config import Config, check_config, load_config
from aggregator.errors import AggregatorError, ConfigError
from aggregator.feeds import Filters, feed_info, select
from aggregator.render import render
from aggregator.store import Store

log = logging.getLogger("aggregator")

EPILOG = """examples:
  aggregator check
  aggregator scrape irev labo-cites
  aggregator export --format ics --region Hauts-de-France > agenda.ics
  aggregator extract https://www.irev.fr/agenda --published 2019-10-01
"""


def config_path(args: argparse.Namespace) -> Path:
    return Path(args.config or os.environ.get("AGGREGATOR_CONFIG") or "sources.yaml")


def database_path(args: argparse.Namespace, config: Config | None) -> Path:
    chosen = args.db or os.environ.get("AGGREGATOR_DB")
    if not chosen and config and config.settings.database:
        base = config.path.parent if config.path else Path.cwd()
        chosen = str(base / config.settings.database)
    return Path(chosen or "aggregator.db")


def open_store(args: argparse.Namespace, config: Config | None) -> Store:
    return Store.open(database_path(args, config))


# --- commands ------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    path = config_path(args)
    problems = check_config(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {path}", file=sys.stderr)
        return 2
    config = load_config(path)
    print(f"{path}: OK, {len(config.sources)} sources")
    return 0


def cmd_scrape(args: argparse.Namespace) -> int:
    from aggregator.pipeline import scrape

    config = load_config(config_path(args))
    interactive = sys.stderr.isatty()

    def report(result) -> None:  # one line per source as it finishes
        print(result.summary(), file=sys.stderr if interactive else sys.stdout, flush=True)

    with open_store(args, config) as store:
        results = asyncio.run(scrape(config, store, args.ids, on_result=report))
    failed = [r.source_id for r in results if r.result not in ("ok", "unchanged")]
    print(f"{len(results)} sources scraped, {len(failed)} failed"
          + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(source=args.source, tag=args.tag, region=args.region, city=args.city,
                   include_past=args.include_past)


def cmd_export(args: argparse.Namespace) -> int:
    config = load_config(config_path(args))
    with open_store(args, config) as store:
        events = select(store, _filters(args), clock.today())
    info = feed_info(title=config.settings.title, base_url=config.settings.base_url,
                     path=f"/feed.{args.format}" if args.format != "json" else "/events.json",
                     generated=clock.now(),
                     refresh_hours=max(1, int(config.settings.interval.total_seconds() // 3600)),
                     ics_cancelled=config.settings.ics_cancelled)
    sys.stdout.buffer.write(render(args.format, events, info))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from aggregator.dryrun import extract_target

    published = date.fromisoformat(args.published) if args.published else None
    config = load_config(config_path(args)) if args.source else None
    if args.explain:
        from aggregator.dryrun import explain_target

        print(asyncio.run(explain_target(args.target, published=published, config=config)),
              end="")
        return 0
    events = asyncio.run(extract_target(args.target, published=published, config=config,
                                        source_id=args.source))
    if config is not None:
        events = _with_merges(args, config, events)
    info = feed_info(title="extract", base_url="", path="", generated=clock.now(),
                     refresh_hours=6)
    sys.stdout.buffer.write(render("json", events, info))
    return 0


def _with_merges(args: argparse.Namespace, config: Config, events: list) -> list:
    """With --source and a database: in `merged_because`, the stored announcements of
    other sources each event would merge with, and why."""
    from aggregator import dedup

    path = database_path(args, config)
    if not path.is_file():
        return events
    with Store.open(path) as store:
        return dedup.explain(events, store, dedup.settings_of(config))


def cmd_status(args: argparse.Namespace) -> int:
    from aggregator.status import status_lines

    config = load_config(config_path(args))
    with open_store(args, config) as store:
        for line in status_lines(config, store):
            print(line)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from aggregator.service import run_service
    from aggregator.web import create_app

    config = load_config(config_path(args))
    app = create_app(lambda: config, database_path(args, config))
    return run_service(app, args.host, args.port)


def cmd_run(args: argparse.Namespace) -> int:
    from aggregator.metrics import Metrics
    from aggregator.publish import AutoPublisher
    from aggregator.scheduler import Daemon
    from aggregator.service import run_service
    from aggregator.web import create_app

    path = config_path(args)
    config = load_config(path)
    db = database_path(args, config)
    metrics = Metrics()
    daemon = Daemon(path, config, Store.open(db), metrics=metrics)
    publisher = AutoPublisher(daemon.current_config, db)
    daemon.on_change = publisher.request
    app = create_app(daemon.current_config, db, next_runs=daemon.next_runs, metrics=metrics)
    return run_service(app, args.host, args.port, daemon, publisher)


def cmd_publish(args: argparse.Namespace) -> int:
    from aggregator.publish import publish

    config = load_config(config_path(args))
    with open_store(args, config) as store:
        report = publish(config, store, Path(args.directory))
    print(report.summary())
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    config = load_config(config_path(args)) if config_path(args).exists() else None
    with open_store(args, config) as store:
        pages = store.backup(Path(args.path))
    print(f"backup written to {args.path} ({pages} pages)")
    return 0


COMMANDS = {"backup": cmd_backup, "run": cmd_run, "serve": cmd_serve, "publish": cmd_publish,
            "check": cmd_check,
            "scrape": cmd_scrape, "export": cmd_export, "extract": cmd_extract,
            "status": cmd_status}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aggregator", epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="Aggregates partner sites' events into feeds.")
    p.add_argument("--config", help="sources file (default $AGGREGATOR_CONFIG or ./sources.yaml)")
    p.add_argument("--db", help="SQLite database (default $AGGREGATOR_DB, settings.database, "
                                "or ./aggregator.db)")
    p.add_argument("-v", "--verbose", action="store_true", help="more log lines")
    p.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in (("run", "the daemon: scrape every source on schedule and serve HTTP"),
                       ("serve", "serve the feeds over HTTP only")):
        r = sub.add_parser(name, help=text)
        r.add_argument("--host", default="127.0.0.1")
        r.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    pub = sub.add_parser("publish", help="write every feed, events.json, the embed page and "
                                         "widget.js into DIR for static hosting")
    pub.add_argument("directory", metavar="DIR")
    sub.add_parser("check", help="validate sources.yaml (exit 2 on errors)")
    s = sub.add_parser("scrape", help="scrape all (or the named) sources once")
    s.add_argument("ids", nargs="*", metavar="ID")
    e = sub.add_parser("export", help="write one feed to stdout")
    e.add_argument("--format", required=True, choices=["rss", "atom", "ics", "json"])
    for name in ("source", "tag", "region", "city"):
        e.add_argument(f"--{name}")
    e.add_argument("--include-past", action="store_true", help="also list events already over")
    x = sub.add_parser("extract", help="dry run: the events one page yields, as JSON")
    x.add_argument("target", metavar="URL_OR_FILE")
    x.add_argument("--published", help="publication date YYYY-MM-DD (for dates without year)")
    x.add_argument("--source", help="read the page with this source's configuration")
    x.add_argument("--explain", action="store_true",
                   help="say per event which strategy and which element or text each field "
                        "came from, and which candidate blocks were rejected and why")
    sub.add_parser("status", help="one line per source: last run, result, events, error")
    b = sub.add_parser("backup", help="a consistent copy of the database, safe while running")
    b.add_argument("path", metavar="PATH")
    return p


def setup_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    # journald adds timestamps itself; a terminal user wants them.
    fmt = "%(levelname)s %(name)s: %(message)s"
    if not os.environ.get("JOURNAL_STREAM"):
        fmt = "%(asctime)s " + fmt
    logging.basicConfig(level=level, format=fmt, stream=sys.stderr)
    for noisy in ("httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(args)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except AggregatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
