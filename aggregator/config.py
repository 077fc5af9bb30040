"""sources.yaml into validated, frozen objects.

The file is edited by admins, not programmers, so every problem is reported
as `FILE:LINE: WHERE: WHAT; FIX`, all problems at once. Line numbers come
from the YAML loader in `aggregator/_yaml_lines.py`; each source is
validated on its own so one broken source never hides the others' errors.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema, field_validator
from pydantic import model_validator as _model_validator

from aggregator._config_fields import (
    Duration,
    as_tuple,
    config_error,
    css_selector,
    slug_of,
    web_address,
)
from aggregator._config_fields import parse_duration as parse_duration  # this module's API
from aggregator._config_pins import Pin, pins
from aggregator._config_report import Report, checked, show
from aggregator._yaml_lines import YamlProblem, line_in, load_located, only
from aggregator.errors import ConfigError

DEFAULT_INTERVAL = timedelta(hours=6)
_SOURCES_HINT = "write one block per site below it, each starting with '- id: '"

_ID = re.compile(r"[a-z0-9-]+")


# Attribute docstrings are the keys' descriptions in `aggregator schema`.
class ListSelectors(BaseModel, frozen=True, extra="forbid", use_attribute_docstrings=True):
    """CSS selectors on a listing page; title/date here mean items carry them."""

    item: str
    """selector of one event's block in the listing"""
    link: str | None = None
    """selector, in a block, of the link to the event's own page"""
    next: str | None = None
    """selector of the link to the next listing page"""
    title: str | None = None
    """selector of the title in a block, when the listing shows it"""
    date: str | None = None
    """selector of the date in a block, when the listing shows it (French text)"""

    _check = field_validator("*")(css_selector)


class EventSelectors(BaseModel, frozen=True, extra="forbid", use_attribute_docstrings=True):
    """CSS selectors on one event's own page."""

    title: str | None = None
    """selector of the event's title"""
    date: str | None = None
    """selector of the event's date, French text such as 'du 27 au 29 août'"""
    location: str | None = None
    """selector of the place; venue, address and city are read from its text"""
    description: str | None = None
    """selector of the description"""
    venue: str | None = None
    """selector of the venue's name, when the page shows it apart"""
    city: str | None = None
    """selector of the city, when the page shows it apart"""
    registration: str | None = None
    """selector of the registration link"""
    status: str | None = None
    """selector of a text that may say 'annulé' or 'reporté'"""

    _check = field_validator("*")(css_selector)


class Settings(BaseModel, frozen=True, extra="forbid", use_attribute_docstrings=True):
    """Settings of the whole aggregator; every key is optional."""

    database: str | None = None
    """SQLite database file, relative to this file (default aggregator.db)"""
    timezone: str = "Europe/Paris"
    """time zone of the sites' dates and of the feeds"""
    user_agent: str = "aggregator/0.1 (+https://github.com/aggregator)"
    """how the aggregator introduces itself to the sites: who runs it, how to reach you"""
    interval: Duration = DEFAULT_INTERVAL
    """how often each source is scraped, unless it says otherwise"""
    base_url: str = "http://127.0.0.1:8080"
    """public address of the served feeds"""
    max_pages: int = Field(default=20, ge=1)
    """cap on pages fetched per source run (listing and event pages)"""
    timeout: float = Field(default=20.0, gt=0)
    """seconds to wait for one request"""
    delay: float = Field(default=1.0, ge=0)
    """seconds between two requests to one site"""
    retries: int = Field(default=3, ge=0, le=10)
    """further tries after a timeout, a server error (5xx) or 429 Too Many Requests"""
    title: str = "Agenda politique de la ville"
    """title of the feeds and calendars"""
    ics_cancelled: Literal["status", "prefix", "both"] = "both"
    """how calendars show a cancelled event: status (STATUS:CANCELLED), prefix ("ANNULÉ –"
    in its title) or both"""
    publish_dir: str | None = None
    """folder `aggregator run` keeps published for static hosting"""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            close = difflib.get_close_matches(value, zoneinfo.available_timezones(), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "write a name such as Europe/Paris"
            raise ValueError(f"{show(value)} is not a time zone; {hint}") from None
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return web_address(value).rstrip("/")

    @field_validator("user_agent")
    @classmethod
    def _user_agent(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; write who runs this aggregator, e.g. 'agenda/1.0 (+URL)'")
        return value.strip()


# For `aggregator schema`: `tags: quartiers` stands for `tags: [quartiers]`.
_TAGS_SCHEMA = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}


class Source(BaseModel, frozen=True, extra="forbid", use_attribute_docstrings=True):
    """One watched site: its agenda page and how to read it."""

    id: str
    """short unique name: lowercase letters a-z, digits and '-'"""
    name: str
    """the site's name as subscribers see it"""
    url: str
    """address of the site's agenda page, or of its ICS or RSS feed"""
    region: str | None = None
    """region of its events (the feeds' region filter)"""
    tags: Annotated[tuple[str, ...], BeforeValidator(as_tuple), WithJsonSchema(_TAGS_SCHEMA)] = ()
    """tags given to its events: a list, or one word"""
    strategy: Literal["auto", "css", "jsonld", "ics", "rss"] = "auto"
    """how the page is read: auto (works on pages it has never seen), css (your list and
    event selectors), jsonld (schema.org Event data), ics (an iCalendar feed), rss (an RSS
    or Atom feed)"""
    interval: Duration | None = None
    """how often it is scraped (default settings.interval)"""
    list: ListSelectors | None = None
    """strategy css only: selectors on the listing page"""
    event: EventSelectors | None = None
    """strategy css only: selectors on each event's own page"""
    organiser: bool = False
    """true when it announces its own events: its announcement wins over relays'"""
    enabled: bool = True
    """false stops scraping it; its events are kept"""
    max_pages: int | None = Field(default=None, ge=1)
    """cap on pages fetched per run (default settings.max_pages)"""

    # `list` above shadows the builtin from here to the end of the class body.

    def effective_interval(self, settings: Settings) -> timedelta:
        return self.interval or settings.interval

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError(
                f"{show(value)} is not a valid id; write {slug_of(value)} "
                "(lowercase letters a-z, digits and '-' only)"
            )
        return value

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; write the site's name as subscribers should see it")
        return value.strip()

    _url = field_validator("url")(web_address)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not tag.strip() for tag in value):
            raise ValueError("has an empty tag; remove it or write a word such as quartiers")
        return tuple(tag.strip() for tag in value)

    @_model_validator(mode="after")
    def _selectors_match_strategy(self) -> Source:
        if self.strategy == "css":
            _check_css(self.list, self.event)
        else:
            for key in ("list", "event"):
                if getattr(self, key) is not None:
                    raise config_error(
                        f"'{key}' selectors are only used with strategy css; "
                        f"write 'strategy: css' or remove '{key}'",
                        key,
                    )
        return self


def _check_css(selectors: ListSelectors | None, event: EventSelectors | None) -> None:
    """Strategy css needs a way to find items, their pages (or all fields) and a date."""
    if selectors is None:
        raise config_error(
            "strategy css needs a 'list' block; add "
            "list: {item: '<selector of one event in the listing>', "
            "link: '<selector of the link to its page>'}",
            "strategy",
        )
    if selectors.link is None and not (selectors.title and selectors.date):
        raise config_error(
            "strategy css needs list.link (the link to each event's page) unless the list "
            "items carry their own title and date; add link: 'a' (or list.title and list.date)",
            "list",
        )
    if selectors.date is None and (event is None or event.date is None):
        where = "event" if event is not None else "list"
        raise config_error(
            "strategy css needs a date selector; add date: '<selector>' to the 'event' block "
            "(the event's page) or to the 'list' block (the listing)",
            where,
        )


class Config(BaseModel, frozen=True, use_attribute_docstrings=True):
    """sources.yaml: the sites the aggregator watches."""

    settings: Settings = Settings()
    """settings of the whole aggregator"""
    sources: tuple[Source, ...] = ()
    """the watched sites, one '- id: …' block each"""
    duplicates: tuple[Pin, ...] = ()  # admin's merges and splits (_config_pins.py)
    """the admin's fixes of a wrong merge or split of duplicate events"""
    path: Path | None = None

    @_model_validator(mode="after")
    def _unique_ids(self) -> Config:
        counts = Counter(source.id for source in self.sources)
        repeated = sorted(i for i, n in counts.items() if n > 1)
        if repeated:
            raise ValueError(f"source ids must be unique; repeated: {', '.join(repeated)}")
        return self

    def source(self, id: str) -> Source:
        for source in self.sources:
            if source.id == id:
                return source
        known = [source.id for source in self.sources]
        close = difflib.get_close_matches(id, known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        where = self.path if self.path is not None else "the configuration"
        raise ConfigError(
            [f"no source with id '{id}' in {where}; {hint}known ids: {', '.join(known) or 'none'}"]
        )


def load_config(path: str | Path) -> Config:
    """The validated configuration; ConfigError lists every problem otherwise."""
    config, problems = _validated(path)
    if problems or config is None:
        raise ConfigError(problems)
    return config


def check_config(path: str | Path) -> list[str]:
    """Every problem in the file, in line order; [] when it is valid."""
    return _validated(path)[1]


def _validated(path: str | Path) -> tuple[Config | None, list[str]]:
    try:
        doc = load_located(Path(path), _source_read)
    except YamlProblem as problem:
        where = f"{path}:{problem.line}" if problem.line else str(path)
        return None, [f"{where}: {problem.message}"]
    report = Report(str(path), doc)
    settings = _settings(report)
    sources = _sources(report)
    duplicates = pins(report, _raw_source_ids(report))
    if report.problems or settings is None:
        return None, report.sorted()
    return Config(settings=settings, sources=tuple(sources), duplicates=duplicates,
                  path=Path(path)), []


def _raw_source_ids(report: Report) -> set[str]:
    """Every id written under sources, valid or not, so pins are checked against all."""
    raw = report.doc.data.get("sources")
    items = raw if isinstance(raw, list) else []
    return {i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}


def _settings(report: Report) -> Settings | None:
    raw = report.doc.data.get("settings")
    if raw is None:
        return Settings()
    if not isinstance(raw, dict):
        report.add(("settings",), f"expected a block of keys, got {show(raw)}")
        return None
    return report.validated(Settings, raw, ("settings",))


def _sources(report: Report) -> list[Source]:
    raw = report.doc.data.get("sources")
    if "sources" not in report.doc.data:
        report.add((), "no 'sources' list; add 'sources:' then one '- id: …' block per site")
        return []
    if not isinstance(raw, list):
        got = "nothing" if raw is None else show(raw)
        report.add(("sources",), f"must be a list of sites, got {got}; {_SOURCES_HINT}")
        return []
    sources = []
    for index, item in enumerate(raw):
        handed = report.doc.handed.get(index)
        if handed is not None:  # validated as the file was read
            source, problems = handed
            for where, line, message in problems:
                report.add(where, message, line)
        elif not isinstance(item, dict):
            report.add(("sources", index), f"expected a source (id, name, url…), got {show(item)}")
            source = None
        else:
            source = report.validated(Source, item, ("sources", index))
        if source is not None:
            sources.append(source)
    _report_repeated_ids(report, raw)
    return sources


def _source_read(index: int, item: Any, line: int) -> tuple[Any, Any]:
    """A source validated as soon as the file gives it, then let go but for its id (all
    that is read again: repeated ids, pins), so that 10,000 sources are never held twice,
    as YAML and validated. Its problems wait in `Located.handed` for the report."""
    if not isinstance(item, dict):
        return item, None
    where = ("sources", index)
    validated = checked(Source, item, where, lambda path: line_in(item, line, path[2:]))
    return only(item, "id"), validated


def _report_repeated_ids(report: Report, raw: list[Any]) -> None:
    """Checked on the raw items so a repeated id is reported even if a source has other errors."""
    first_line: dict[str, int] = {}
    for index, item in enumerate(raw):
        source_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(source_id, str):
            continue
        path = ("sources", index, "id")
        if source_id in first_line:
            report.add(
                path,
                f"id '{source_id}' is already used on line {first_line[source_id]}; "
                "give each source its own id",
            )
        first_line.setdefault(source_id, report.doc.line(path))
