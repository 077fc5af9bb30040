"""The JSON Schema of sources.yaml (`aggregator schema`), for editors.

Generated from the config models (their attribute docstrings are the keys'
descriptions), then completed with what only the loader knows: the file
refuses unknown top-level keys, `settings:` and `duplicates:` may be left
empty, strategy css needs its selectors, a duplicates item holds one list of
at least two event ids. The loader stays the judge: the schema catches
mistakes while typing and completes keys, `aggregator check` says the rest
(selectors that do not parse, unknown time zones, repeated ids).

In VS Code (YAML extension), write on the first line of sources.yaml:

    # yaml-language-server: $schema=sources.schema.json
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from aggregator.config import Config

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_WEB_ADDRESS = r"^\s*[hH][tT][tT][pP][sS]?://[^\s/?#]+[^\s]*\s*$"
_NOT_BLANK = r"\S"
_EVENT_ID = "^[a-z0-9][a-z0-9-]*$"

# (model, key) -> what the schema adds to the key: examples and the checks the
# loader makes in code (validators) rather than in types.
_EXTRAS: dict[tuple[str, str], dict[str, Any]] = {
    ("Settings", "database"): {"examples": ["aggregator.db"]},
    ("Settings", "timezone"): {"examples": ["Europe/Paris"]},
    ("Settings", "user_agent"): {
        "pattern": _NOT_BLANK,
        "examples": ["aggregator/0.1 (+https://agenda.example.org/contact)"],
    },
    ("Settings", "base_url"): {
        "pattern": _WEB_ADDRESS,
        "examples": ["https://agenda.example.org"],
    },
    ("Settings", "publish_dir"): {"examples": ["/srv/agenda"]},
    ("Source", "id"): {"pattern": "^[a-z0-9-]+$", "examples": ["irev", "labo-cites"]},
    ("Source", "name"): {
        "pattern": _NOT_BLANK,
        "examples": ["IREV – centre de ressources politique de la ville Hauts-de-France"],
    },
    ("Source", "url"): {"pattern": _WEB_ADDRESS, "examples": ["https://www.irev.fr/agenda"]},
    ("Source", "region"): {"examples": ["Hauts-de-France"]},
    ("Source", "tags"): {"examples": [["politique-de-la-ville"], "emploi"]},
    ("ListSelectors", "item"): {"examples": [".views-row", "article.event"]},
    ("ListSelectors", "link"): {"examples": ["h3 a"]},
    ("ListSelectors", "next"): {"examples": ["li.pager-next a"]},
    ("ListSelectors", "title"): {"examples": ["h2"]},
    ("ListSelectors", "date"): {"examples": ["time", ".date"]},
    ("EventSelectors", "title"): {"examples": ["h1"]},
    ("EventSelectors", "date"): {"examples": [".field-date"]},
    ("EventSelectors", "location"): {"examples": [".field-lieu"]},
    ("EventSelectors", "description"): {"examples": [".field-body"]},
    ("Pin", "merge"): {"description": "event ids that are one event, whatever they look like"},
    ("Pin", "never_merge"): {"description": "event ids that must never be merged"},
    ("Pin", "note"): {"description": "why, for the next admin"},
}

# Strategy css needs a listing whose items give a link (or their own title and
# date), and a date somewhere; other strategies take no selectors.
_CSS_RULES = {
    "if": {"properties": {"strategy": {"const": "css"}}, "required": ["strategy"]},
    "then": {
        "required": ["list"],
        "anyOf": [
            {"properties": {"list": {"required": ["date"]}}},
            {"properties": {"event": {"required": ["date"]}}, "required": ["event"]},
        ],
    },
    "else": {"properties": {"list": {"type": "null"}, "event": {"type": "null"}}},
}
_LIST_RULES = {"anyOf": [{"required": ["link"]}, {"required": ["title", "date"]}]}
_PIN_RULES = {
    "oneOf": [
        {"required": ["merge"], "properties": {"merge": {"type": "array"}}},
        {"required": ["never_merge"], "properties": {"never_merge": {"type": "array"}}},
    ],
}


class _Generator(GenerateJsonSchema):
    """Writes defaults as an admin would: a duration as "6h", not ISO 8601's "PT6H"."""

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, timedelta):
            return duration_text(dft)
        return super().encode_default(dft)


def duration_text(duration: timedelta) -> str:
    """A duration as sources.yaml writes it.

    >>> duration_text(timedelta(hours=1, minutes=30))
    '1h30m'
    """
    seconds = int(duration.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def sources_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of sources.yaml."""
    schema = Config.model_json_schema(schema_generator=_Generator)
    defs = schema["$defs"]
    _top_level(schema)
    for (model, key), extra in _EXTRAS.items():
        defs[model]["properties"][key].update(extra)
    defs["Source"].update(_CSS_RULES)
    defs["ListSelectors"].update(_LIST_RULES)
    _pins(defs["Pin"])
    _tidy_descriptions(schema)
    return {"$schema": DIALECT, **schema}


def _top_level(schema: dict[str, Any]) -> None:
    """The file's own keys: `path` is not one; `settings:` and `duplicates:` may be empty."""
    properties = schema["properties"]
    del properties["path"]
    settings = properties["settings"]
    settings.pop("default", None)  # every key of the block has its own
    settings["anyOf"] = [{"$ref": settings.pop("$ref")}, {"type": "null"}]
    duplicates = properties["duplicates"]
    duplicates["anyOf"] = [{"type": "array", "items": duplicates.pop("items")}, {"type": "null"}]
    del duplicates["type"]
    schema.update(
        title="aggregator sources.yaml",
        required=["sources"],
        additionalProperties=False,
    )


def _pins(pin: dict[str, Any]) -> None:
    """One list per item, of at least two event ids."""
    ids = {"type": "array", "items": {"type": "string", "pattern": _EVENT_ID}, "minItems": 2}
    for key in ("merge", "never_merge"):
        pin["properties"][key]["anyOf"][0] = ids
        pin["properties"][key]["examples"] = [["irev-3f2a9c1d2b4e5f60", "irdsu-9c1b2d3e4f5a6b7c"]]
    pin.update(_PIN_RULES)


def _tidy_descriptions(node: Any) -> None:
    """Docstrings wrap lines; an editor's tooltip should not."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = re.sub(r"\s+", " ", value).strip()
            else:
                _tidy_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            _tidy_descriptions(value)
