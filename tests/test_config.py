"""sources.yaml: the shipped file, valid sources, and every kind of admin mistake.

Each broken fixture under tests/fixtures/config/ is named after the mistake
it shows; the tests pin the line each problem is reported on.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from aggregator.config import (
    DEFAULT_INTERVAL,
    Config,
    EventSelectors,
    ListSelectors,
    Settings,
    Source,
    check_config,
    load_config,
    parse_duration,
)
from aggregator.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "config"


def problems_of(name: str) -> list[tuple[int, str]]:
    """(line, message without the file name) for each problem in a fixture."""
    path = FIXTURES / name
    problems = check_config(path)
    for problem in problems:
        assert problem.startswith(f"{path}:"), problem
    return [_split(problem.removeprefix(f"{path}:")) for problem in problems]


def _split(problem: str) -> tuple[int, str]:
    line, message = problem.split(": ", 1)
    return int(line), message


# --- valid files -------------------------------------------------------------


def test_shipped_sources_yaml_loads():
    config = load_config(ROOT / "sources.yaml")
    assert [source.id for source in config.sources] == [
        "irev",
        "labo-cites",
        "irdsu",
        "cerdd",
        "reseau-crpv",
    ]
    assert {source.strategy for source in config.sources} == {"auto"}
    assert config.source("irev").url == "https://www.irev.fr/agenda"
    assert config.source("irev").region == "Hauts-de-France"
    assert config.source("labo-cites").url == "https://www.labo-cites.org/rencontres"
    assert config.source("labo-cites").region == "Auvergne-Rhône-Alpes"
    assert config.source("irdsu").url == "https://www.irdsu.net/"
    assert config.source("cerdd").url == "https://www.cerdd.org/Agenda"
    assert config.source("reseau-crpv").url == "https://reseau-crpv.fr/"
    assert config.settings.database == "aggregator.db"
    assert config.settings.timezone == "Europe/Paris"
    assert config.settings.interval == timedelta(hours=6)
    assert config.settings.base_url == "http://127.0.0.1:8080"
    assert config.path == ROOT / "sources.yaml"


def test_shipped_css_example_loads_once_uncommented(tmp_path):
    """The commented-out example in sources.yaml is documentation: it must stay valid."""
    text = (ROOT / "sources.yaml").read_text(encoding="utf-8")
    example = re.findall(r"^  # (  .*|- id: .*)$", text, flags=re.MULTILINE)
    assert example[0] == "- id: exemple-css"
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + "".join(f"  {line}\n" for line in example), encoding="utf-8")
    source = load_config(path).source("exemple-css")
    assert source.strategy == "css"
    assert source.list == ListSelectors(item=".views-row", link="h3 a", next="li.pager-next a")
    assert source.event == EventSelectors(
        title="h1", date=".field-date", location=".field-lieu", description=".field-body"
    )


def test_valid_css_sources():
    path = FIXTURES / "valid-css.yaml"
    assert check_config(path) == []
    config = load_config(path)
    assert config.settings.max_pages == 5
    drupal = config.source("drupal-agenda")
    assert drupal.strategy == "css"
    assert drupal.tags == ("politique-de-la-ville",)
    assert drupal.interval == timedelta(hours=1, minutes=30)
    assert drupal.effective_interval(config.settings) == timedelta(hours=1, minutes=30)
    assert drupal.max_pages == 3
    assert drupal.list == ListSelectors(item=".views-row", link="h3 a", next="li.pager-next a")
    assert drupal.event is not None and drupal.event.date == ".field-date"
    listing = config.source("list-only")
    assert listing.list == ListSelectors(item="article.event", title="h2", date="time")
    assert listing.event is None
    assert (listing.enabled, listing.organiser) == (False, True)
    assert listing.effective_interval(config.settings) == timedelta(hours=12)


def test_defaults():
    settings = Settings()
    assert settings.interval == DEFAULT_INTERVAL == timedelta(hours=6)
    assert (settings.timezone, settings.max_pages, settings.timeout) == ("Europe/Paris", 20, 20.0)
    source = Source(id="irev", name="IREV", url="https://www.irev.fr/agenda")
    assert (source.strategy, source.enabled, source.organiser, source.tags) == (
        "auto",
        True,
        False,
        (),
    )
    assert source.effective_interval(settings) == DEFAULT_INTERVAL


def test_models_are_frozen():
    source = Source(id="irev", name="IREV", url="https://www.irev.fr/agenda")
    with pytest.raises(ValueError):
        source.url = "https://example.org"  # type: ignore[misc]


# --- each kind of mistake ----------------------------------------------------


def test_bad_duration():
    assert problems_of("bad-duration.yaml") == [
        (14, "sources[2] (irev).interval: '6 hours' is not a duration; write 6h"),
    ]


def test_duplicate_id():
    assert problems_of("duplicate-id.yaml") == [
        (
            8,
            "sources[2] (irev).id: id 'irev' is already used on line 2; "
            "give each source its own id",
        ),
    ]


def test_unknown_keys_suggest_the_right_one():
    problems = problems_of("unknown-key.yaml")
    assert [line for line, _ in problems] == [3, 8, 9]
    assert problems[0][1] == (
        "settings.user-agent: unknown key 'user-agent'; did you mean 'user_agent'?"
    )
    assert problems[1][1] == (
        "sources[0] (irev).intervall: unknown key 'intervall'; did you mean 'interval'?"
    )
    assert problems[2][1].startswith(
        "sources[0] (irev).colour: unknown key 'colour'; allowed keys:"
    )
    assert "interval, list, event" in problems[2][1]


def test_css_missing_selectors():
    problems = problems_of("css-missing-selector.yaml")
    assert [line for line, _ in problems] == [5, 10, 17, 23]
    no_list, no_link, no_date, no_item = (message for _, message in problems)
    assert no_list.startswith("sources[0] (no-list).strategy: strategy css needs a 'list' block")
    assert "add list: {item:" in no_list
    assert no_link.startswith("sources[1] (no-link).list: strategy css needs list.link")
    assert "add link: 'a'" in no_link
    assert no_date.startswith("sources[2] (no-date).event: strategy css needs a date selector")
    assert "add date: '<selector>'" in no_date
    assert no_item.startswith("sources[3] (no-item).list.item: is missing; add 'item: …'")


def test_invalid_css_selector():
    problems = problems_of("bad-selector.yaml")
    assert [line for line, _ in problems] == [8, 9]
    assert problems[0][1].startswith(
        "sources[0] (drupal).list.link: 'h3 >' is not a valid CSS selector; test it"
    )
    assert problems[1][1].startswith("sources[0] (drupal).event.date: '!!' is not a valid CSS")


def test_selectors_need_strategy_css():
    assert problems_of("selectors-without-css.yaml") == [
        (
            5,
            "sources[0] (irev).list: 'list' selectors are only used with strategy css; "
            "write 'strategy: css' or remove 'list'",
        )
    ]


def test_bad_ids_and_urls():
    assert problems_of("bad-id-and-url.yaml") == [
        (
            2,
            "sources[0] (Labo Cités).id: 'Labo Cités' is not a valid id; write labo-cites "
            "(lowercase letters a-z, digits and '-' only)",
        ),
        (
            7,
            "sources[1] (irev).url: 'www.irev.fr/agenda' is not a web address; "
            "write https://www.irev.fr/agenda",
        ),
        (
            10,
            "sources[2] (ftp).url: 'ftp://example.org/agenda' is not a web address; "
            "write a full address starting with https://",
        ),
    ]


def test_bad_timezone():
    assert problems_of("bad-timezone.yaml") == [
        (3, "settings.timezone: 'Europe/Pariss' is not a time zone; did you mean 'Europe/Paris'?"),
    ]


def test_invalid_yaml_names_line_and_column():
    assert problems_of("invalid-yaml.yaml") == [
        (
            5,
            "invalid YAML at column 15: mapping values are not allowed here; "
            "quote text containing ': ', or fix the indentation",
        )
    ]


def test_tab_indentation():
    [(line, message)] = problems_of("tab-indent.yaml")
    assert line == 3
    assert message.endswith("indent with spaces, not tabs")


def test_unclosed_quote_names_where_it_opened(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text('sources:\n  - id: a\n    name: "IREV\n    url: https://a.org\n')
    [problem] = check_config(path)
    assert problem.startswith(f"{path}:5: invalid YAML at column 1: found unexpected end of stream")
    assert problem.endswith("close the quote or bracket opened on line 3")


def test_repeated_key_in_one_block():
    assert problems_of("duplicate-key.yaml") == [
        (6, "sources[0] (irev).interval: 'interval' is written twice (first on line 5); keep one"),
    ]


def test_missing_keys_and_non_mapping_source():
    assert problems_of("missing-keys.yaml") == [
        (
            2,
            "sources[0] (irev).name: is missing; add 'name: …' "
            "(the site's name as subscribers should see it)",
        ),
        (
            2,
            "sources[0] (irev).url: is missing; add 'url: …' "
            "(the address of its agenda page, starting with https://)",
        ),
        (4, "sources[1]: expected a source (id, name, url…), got 'just a word'"),
    ]


def test_wrong_value_types():
    assert problems_of("wrong-types.yaml") == [
        (2, "settings.max_pages: 0 is too small; write a number ≥ 1"),
        (3, "settings.timeout: 'soon' is not valid here; write a number of seconds"),
        (6, "sources[0] (irev).name: 2019 is not valid here; write text (put it in quotes)"),
        (8, "sources[0] (irev).enabled: 'maybe' is not valid here; write true or false"),
        (
            9,
            "sources[0] (irev).interval: 6 is not a duration; "
            "write 6h, 6m or 6s (a number and a unit)",
        ),
        (10, "sources[0] (irev).tags: has no value; write one after 'tags:' or remove the line"),
    ]


def test_empty_file():
    assert problems_of("empty.yaml") == [
        (1, "the file is empty; add a 'settings:' block and a 'sources:' list"),
    ]


def test_top_level_must_be_a_mapping():
    [(line, message)] = problems_of("top-level-list.yaml")
    assert line == 1
    assert message.startswith("the file must be a block of keys")


def test_sources_missing():
    assert problems_of("sources-missing.yaml") == [
        (1, "no 'sources' list; add 'sources:' then one '- id: …' block per site"),
        (3, "source: unknown key 'source'; did you mean 'sources'?"),
    ]


def test_sources_not_a_list():
    [(line, message)] = problems_of("sources-not-a-list.yaml")
    assert line == 3
    assert message.startswith("sources: must be a list of sites, got 'irev';")


def test_missing_file(tmp_path):
    path = tmp_path / "sources.yaml"
    assert check_config(path) == [f"{path}: no such file; create it or pass --config PATH"]


def test_not_utf8(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_bytes("sources:\n  - id: a\n    name: Labo Cités\n".encode("latin-1"))
    assert check_config(path) == [f"{path}:3: is not UTF-8 text; save the file as UTF-8"]


def test_several_errors_are_reported_at_once():
    problems = problems_of("several-errors.yaml")
    assert [line for line, _ in problems] == [2, 8, 9, 11, 12, 15, 20, 22]
    messages = [message for _, message in problems]
    assert messages[0].startswith("settings.timezone: 'Europe/Pariss' is not a time zone")
    assert messages[1] == "sources[0] (irev).interval: '6 hours' is not a duration; write 6h"
    assert messages[2].startswith("sources[1] (Labo Cités).id: 'Labo Cités' is not a valid id")
    assert messages[3].startswith("sources[1] (Labo Cités).url:")
    assert messages[4].startswith("sources[2] (irev).id: id 'irev' is already used on line 5")
    assert messages[5] == (
        "sources[2] (irev).strategy: 'scraper' is not a strategy; "
        "write one of auto, css, jsonld, ics, rss"
    )
    assert messages[6].startswith("sources[3] (cerdd).list.item: '.event >' is not a valid CSS")
    assert messages[7] == "sources[3] (cerdd).enable: unknown key 'enable'; did you mean 'enabled'?"


def test_load_config_raises_every_problem():
    path = FIXTURES / "several-errors.yaml"
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.problems == check_config(path)
    assert len(raised.value.problems) == 8
    assert str(raised.value) == "\n".join(raised.value.problems)


# --- lookups and durations ---------------------------------------------------


def test_unknown_source_id_lists_known_ones():
    path = FIXTURES / "valid-css.yaml"
    config = load_config(path)
    with pytest.raises(ConfigError) as raised:
        config.source("drupal-agneda")
    assert raised.value.problems == [
        f"no source with id 'drupal-agneda' in {path}; did you mean 'drupal-agenda'? "
        "known ids: drupal-agenda, list-only"
    ]


def test_config_without_file_rejects_repeated_ids():
    source = Source(id="irev", name="IREV", url="https://www.irev.fr/agenda")
    with pytest.raises(ValueError, match="repeated: irev"):
        Config(settings=Settings(), sources=(source, source), path=None)
    with pytest.raises(ConfigError, match="no source with id 'x' in the configuration"):
        Config(settings=Settings(), sources=(source,), path=None).source("x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("6h", timedelta(hours=6)),
        ("1d", timedelta(days=1)),
        ("90s", timedelta(seconds=90)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d12h", timedelta(days=1, hours=12)),
        (" 2H ", timedelta(hours=2)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        (3600, timedelta(hours=1)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6 hours", "'6 hours' is not a duration; write 6h"),
        ("2 heures", "'2 heures' is not a duration; write 2h"),
        ("30 minutes", "'30 minutes' is not a duration; write 30m"),
        ("1 jour", "'1 jour' is not a duration; write 1d"),
        ("2 weeks", "'2 weeks' is not a duration; write 14d"),
        ("6", "'6' is not a duration; write 6h, 6m or 6s (a number and a unit)"),
        ("", "'' is not a duration; write a number and a unit, e.g. 30m, 6h, 1d or 1h30m"),
        ("30m1h", "'30m1h' is not a duration; write a number and a unit, e.g. 30m, 6h, 1d or"),
        (-5, "-5 is not a duration"),
        (True, "true is not a duration"),
    ],
)
def test_parse_duration_rejects(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_duration(text)


def test_yaml_merge_keys_are_not_repeated_keys(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - &base {id: a, name: A, url: 'https://a.org', region: Nord}\n"
        "  - <<: *base\n"
        "    id: b\n"
        "    region: Hauts-de-France\n"
        "    interval: soon\n"
    )
    assert check_config(path) == [
        f"{path}:6: sources[1] (b).interval: 'soon' is not a duration; "
        "write a number and a unit, e.g. 30m, 6h, 1d or 1h30m"
    ]
