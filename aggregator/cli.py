"""The `aggregator` command: thin commands, each over one library function."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from aggregator import clock
from aggregator._cli_parser import parser
from aggregator.config import Config, check_config, load_config
from aggregator.errors import AggregatorError, ConfigError
from aggregator.feeds import Filters, feed_info, select
from aggregator.render import render
from aggregator.store import Store

if TYPE_CHECKING:
    from aggregator.pipeline import SourceResult

log = logging.getLogger("aggregator")


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
    if args.online:
        from aggregator.probe import unreachable_sources

        if not args.verbose:  # the report says it all; one line per fetch is noise here
            logging.getLogger("aggregator.fetch").setLevel(logging.ERROR)
        unreachable = asyncio.run(unreachable_sources(config))
        for problem in unreachable:
            print(problem, file=sys.stderr)
        if unreachable:
            print(f"{len(unreachable)} source(s) unreachable from here", file=sys.stderr)
            return 2
    reached = ", every enabled one reachable" if args.online else ""
    print(f"{path}: OK, {len(config.sources)} sources{reached}")
    return 0


def cmd_scrape(args: argparse.Namespace) -> int:
    from aggregator import terminal
    from aggregator.pipeline import scrape

    config = load_config(config_path(args))
    ids = args.ids or [s.id for s in config.sources if s.enabled]
    console = terminal.interactive_console(quiet=args.quiet)
    with open_store(args, config) as store:
        if console is None:
            results = asyncio.run(scrape(config, store, args.ids, on_result=_plain_lines(args)))
        else:
            with terminal.ScrapeDisplay(console, ids, verbose=args.verbose) as display:
                results = asyncio.run(
                    scrape(config, store, args.ids, on_result=_logged(display.on_result))
                )
            console.print(terminal.scrape_table(results))
    failed = [r.source_id for r in results if r.result not in ("ok", "unchanged")]
    if failed or not args.quiet:
        print(
            f"{len(results)} sources scraped, {len(failed)} failed"
            + (f": {', '.join(failed)}" if failed else "")
        )
    return 1 if failed else 0


def _logged(report: Callable[[SourceResult], None]) -> Callable[[SourceResult], None]:
    def logged(result: SourceResult) -> None:
        log.debug(
            "%s: %s in %.2fs, %d pages",
            result.source_id,
            result.result,
            result.seconds,
            result.pages,
        )
        report(result)

    return logged


def _plain_lines(args: argparse.Namespace) -> Callable[[SourceResult], None]:
    """One line per source as it finishes; with --quiet only failures and warnings."""
    interactive = sys.stderr.isatty()

    @_logged
    def report(result: SourceResult) -> None:
        if args.quiet and result.result in ("ok", "unchanged") and not result.warning:
            return
        print(result.summary(), file=sys.stderr if interactive else sys.stdout, flush=True)

    return report


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(
        source=args.source,
        tag=args.tag,
        region=args.region,
        city=args.city,
        include_past=args.include_past,
    )


def cmd_export(args: argparse.Namespace) -> int:
    config = load_config(config_path(args))
    with open_store(args, config) as store:
        events = select(store, _filters(args), clock.today())
    info = feed_info(
        title=config.settings.title,
        base_url=config.settings.base_url,
        path=f"/feed.{args.format}" if args.format != "json" else "/events.json",
        generated=clock.now(),
        refresh_hours=max(1, int(config.settings.interval.total_seconds() // 3600)),
        ics_cancelled=config.settings.ics_cancelled,
    )
    sys.stdout.buffer.write(render(args.format, events, info))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from aggregator.dryrun import extract_target

    published = date.fromisoformat(args.published) if args.published else None
    config = load_config(config_path(args)) if args.source else None
    if args.explain:
        from aggregator.dryrun import explain_target

        print(asyncio.run(explain_target(args.target, published=published, config=config)), end="")
        return 0
    events = asyncio.run(
        extract_target(args.target, published=published, config=config, source_id=args.source)
    )
    if config is not None:
        events = _with_merges(args, config, events)
    info = feed_info(title="extract", base_url="", path="", generated=clock.now(), refresh_hours=6)
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


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from aggregator.schema import sources_schema

    print(json.dumps(sources_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from aggregator.add import append_block, propose

    path = config_path(args)
    proposal = asyncio.run(propose(args.url, path))
    print(proposal.block, end="")
    if args.append and proposal.found:
        append_block(path, proposal.block)
        print(f"added to {path}; check it with: aggregator check", file=sys.stderr)
    elif args.append:
        print(f"nothing added to {path}: no events found", file=sys.stderr)
    return 0 if proposal.found else 1


def cmd_status(args: argparse.Namespace) -> int:
    from aggregator import dedup, terminal
    from aggregator.status import source_status, status_lines

    config = load_config(config_path(args))
    console = terminal.interactive_console()
    with open_store(args, config) as store:
        if console is None:
            for line in status_lines(config, store):
                print(line)
            return 0
        console.print(terminal.status_table(source_status(config, store)))
        for line in dedup.merge_lines(store, clock.today()):
            console.print(line, highlight=False, markup=False)
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


def cmd_demo(args: argparse.Namespace) -> int:
    from aggregator.demo import run_demo

    return run_demo(once=args.once, directory=Path(args.dir) if args.dir else None, port=args.port)


COMMANDS = {
    "demo": cmd_demo,
    "check": cmd_check,
    "add": cmd_add,
    "schema": cmd_schema,
    "scrape": cmd_scrape,
    "status": cmd_status,
    "extract": cmd_extract,
    "export": cmd_export,
    "serve": cmd_serve,
    "run": cmd_run,
    "publish": cmd_publish,
    "backup": cmd_backup,
}


def setup_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    # journald adds timestamps itself; a terminal user wants them.
    fmt = "%(levelname)s %(name)s: %(message)s"
    if not os.environ.get("JOURNAL_STREAM"):
        fmt = "%(asctime)s " + fmt
    logging.basicConfig(level=level, format=fmt, stream=sys.stderr)
    # their debug lines are about sockets, not sources: --verbose is for the admin
    for noisy in ("httpx", "httpcore", "apscheduler", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(args)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # here, so a closed pipe is caught below and not at exit
        return code
    except BrokenPipeError:
        # `aggregator schema | head -1`: the reader left. Python's "Note on SIGPIPE":
        # point stdout at devnull so the interpreter's last flush cannot fail again.
        with contextlib.suppress(OSError, ValueError):  # in-process callers' fake stdout
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
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
