"""`aggregator schema`: the JSON Schema of sources.yaml agrees with the loader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from aggregator.config import check_config

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "config"
VALID_FILES = [ROOT / "sources.yaml", FIXTURES / "valid-css.yaml"]

HEAD = "sources:\n  - id: irev\n    name: IREV\n    url: https://www.irev.fr/agenda\n"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    done = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "schema"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(validator: jsonschema.Draft202012Validator, text: str) -> list[str]:
    """Every error's message, with those of the alternatives an anyOf/oneOf tried."""
    found = list(validator.iter_errors(yaml.safe_load(text)))
    messages = []
    while found:
        error = found.pop(0)
        messages.append(error.message)
        found += error.context or []
    return messages


def loader_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return check_config(path)


def test_schema_is_draft_2020_12_and_describes_the_file(validator):
    schema = validator.schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "aggregator sources.yaml"
    assert list(schema["properties"]) == ["settings", "sources", "duplicates"]
    assert schema["required"] == ["sources"]
    assert schema["additionalProperties"] is False
    source = schema["$defs"]["Source"]["properties"]
    assert source["strategy"]["enum"] == ["auto", "css", "jsonld", "ics", "rss"]
    assert schema["$defs"]["Settings"]["properties"]["interval"]["default"] == "6h"
    assert source["url"]["examples"] == ["https://www.irev.fr/agenda"]


def test_every_key_has_a_description(validator):
    schema = validator.schema
    models = [schema, *schema["$defs"].values()]
    undescribed = [
        f"{model.get('title')}.{key}"
        for model in models
        for key, spec in model["properties"].items()
        if not spec.get("description") or "\n" in spec["description"]
    ]
    assert undescribed == []
    assert all(model.get("description") for model in schema["$defs"].values())


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda path: path.name)
def test_the_shipped_and_example_files_are_valid(validator, path: Path):
    assert check_config(path) == []
    assert errors(validator, path.read_text(encoding="utf-8")) == []


ACCEPTED = {
    "durations": "settings:\n  interval: 1h30m\n" + HEAD + "    interval: 90s\n",
    "days": "settings:\n  interval: 1d\n  timeout: 5\n  delay: 0.5\n" + HEAD,
    "empty settings": "settings:\n" + HEAD,
    "one tag": HEAD + "    tags: quartiers\n    region:\n",
    "feed strategies": HEAD + "    strategy: ics\n    organiser: true\n    enabled: false\n",
    "css with a listing only": HEAD
    + "    strategy: css\n    list: {item: article, title: h2, date: time}\n",
    "css with event pages": HEAD
    + "    strategy: css\n    max_pages: 3\n    list: {item: li, link: a}\n"
    + "    event: {title: h1, date: .date, location: .lieu, status: .etat}\n",
    "duplicates": HEAD
    + "  - id: irdsu\n    name: IRDSU\n    url: https://www.irdsu.net/\n"
    + "duplicates:\n  - merge: [irev-3f2a9c1d2b4e5f60, irdsu-9c1b2d3e4f5a6b7c]\n"
    + "    note: la même journée\n"
    + "  - never_merge: [irev-0a1b2c3d4e5f6789, irdsu-89abcdef01234567]\n",
    "empty duplicates": HEAD + "duplicates:\n",
    "no sources yet": "sources: []\n",
    "every setting": "settings:\n  database: agenda.db\n  timezone: Europe/Paris\n"
    "  user_agent: agenda/1.0 (+https://agenda.example.org)\n  interval: 6h\n"
    "  base_url: https://agenda.example.org/\n  max_pages: 5\n  retries: 0\n"
    "  title: Agenda\n  ics_cancelled: prefix\n  publish_dir: /srv/agenda\n" + HEAD,
}


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_schema_accepts_what_the_loader_accepts(validator, tmp_path: Path, text: str):
    assert loader_problems(tmp_path, text) == []
    assert errors(validator, text) == []


REJECTED = {
    "unknown top-level key": ("colour: blue\n" + HEAD, "'colour' was unexpected"),
    "unknown source key": (HEAD + "    intervall: 3h\n", "'intervall' was unexpected"),
    "unknown setting": ("settings:\n  user-agent: x\n" + HEAD, "'user-agent' was unexpected"),
    "bad strategy": (HEAD + "    strategy: scrap\n", "'scrap' is not one of"),
    "duration in words": (HEAD + "    interval: 6 hours\n", "'6 hours' is not valid"),
    "duration without unit": (HEAD + "    interval: 6\n", "6 is not valid"),
    "zero duration": (HEAD + "    interval: 0h\n", "'0h' is not valid"),
    "number as text": ("settings:\n  max_pages: many\n" + HEAD, "'many' is not of type"),
    "number too small": ("settings:\n  max_pages: 0\n" + HEAD, "0 is less than the minimum"),
    "list of numbers": (HEAD + "    tags: [1, 2]\n", "1 is not of type 'string'"),
    "not a boolean": (HEAD + "    enabled: maybe\n", "'maybe' is not of type 'boolean'"),
    "bad id": (HEAD.replace("irev\n", "IREV Lille\n"), "does not match"),
    "address without scheme": (HEAD.replace("https://", ""), "does not match"),
    "missing url": ("sources:\n  - id: irev\n    name: IREV\n", "'url' is a required property"),
    "selectors without css": (HEAD + "    list: {item: li, link: a}\n", "is not of type 'null'"),
    "css without list": (HEAD + "    strategy: css\n", "'list' is a required property"),
    "css without date": (
        HEAD + "    strategy: css\n    list: {item: li, link: a}\n",
        "'date' is a required property",
    ),
    "sources not a list": ("sources: irev\n", "'irev' is not of type 'array'"),
    "no sources": ("settings:\n  interval: 6h\n", "'sources' is a required property"),
    "one id pinned": (
        HEAD + "duplicates:\n  - merge: [irev-3f2a9c1d2b4e5f60]\n",
        "is too short",
    ),
    "merge and never_merge": (
        HEAD + "duplicates:\n  - merge: [irev-1, irev-2]\n    never_merge: [irev-3, irev-4]\n",
        "is valid under each of",
    ),
}


@pytest.mark.parametrize("text, message", REJECTED.values(), ids=REJECTED.keys())
def test_schema_rejects_what_the_loader_refuses(validator, tmp_path: Path, text: str, message: str):
    assert loader_problems(tmp_path, text) != []
    found = errors(validator, text)
    assert any(message in error for error in found), found


def test_schema_descriptions_match_the_models(validator):
    settings: dict[str, Any] = validator.schema["$defs"]["Settings"]["properties"]
    assert settings["ics_cancelled"]["description"] == (
        'how calendars show a cancelled event: status (STATUS:CANCELLED), prefix ("ANNULÉ –" '
        "in its title) or both"
    )
    assert settings["ics_cancelled"]["enum"] == ["status", "prefix", "both"]
