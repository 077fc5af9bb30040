"""How config.py words its problems: `FILE:LINE: WHERE: WHAT; FIX`.

Pydantic reports errors by `loc` (a path inside the validated data) in
programmer's words; this module turns each into one line an admin can act
on, with the line number the YAML loader recorded for that path.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from aggregator._yaml_lines import KeyPath, Located

TOP_LEVEL_KEYS = ("settings", "sources", "duplicates")


class Report:
    """Collects problems, each located by its path in the document."""

    def __init__(self, file: str, doc: Located):
        self.file, self.doc = file, doc
        self.problems: list[tuple[int, str]] = []
        for path, line, message in doc.problems:
            self.add(path, message, line)
        for key in doc.data:
            if key not in TOP_LEVEL_KEYS:
                self.add((key,), _unknown_key(key, TOP_LEVEL_KEYS))

    def add(self, path: tuple[Any, ...], message: str, line: int | None = None) -> None:
        line = line or self.doc.line(path)
        where = _where(path, self.doc.data)
        self.problems.append((line, f"{self.file}:{line}: {where}{': ' if where else ''}{message}"))

    def validated(self, model: type[BaseModel], raw: dict, path: tuple[Any, ...]) -> Any:
        found, problems = checked(model, raw, path, self.doc.line)
        for where, line, message in problems:
            self.add(where, message, line)
        return found

    def sorted(self) -> list[str]:
        return [text for _, text in sorted(self.problems, key=lambda problem: problem[0])]


def checked(
    model: type[BaseModel], raw: dict, path: tuple[Any, ...], line_of: Callable[[KeyPath], int]
) -> tuple[Any, list[tuple[KeyPath, int, str]]]:
    """`raw` (at `path` in the file) validated as `model`, or None and its problems as
    (path, line, message); `line_of` gives the line of a path."""
    try:
        return _compact(model.model_validate(raw)), []
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            loc = detail["loc"] + tuple(detail.get("ctx", {}).get("path", ()))
            message = _describe(detail, _model_at(model, loc))
            problems.append((path + loc, line_of(path + loc), message))
        return None, problems


_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
_BLOCKS: dict[BaseModel, BaseModel] = {}  # selector blocks met lately, each kept once
_BLOCKS_KEPT = 4096


def _compact(model: BaseModel) -> BaseModel:
    """The model, sharing what it holds with the models written alike.

    Pydantic gives every model its own `model_fields_set`, and a set of six keys
    (728 bytes) outweighs the model: a source and its two selector blocks made
    half the memory of 10,000 sources. Its blocks (`list:`, `event:`) equal to
    another source's, as on sites built with the same CMS, become that one. Both
    are safe for these frozen models: pydantic adds to the set only on assignment,
    `model_copy` copies it first, and an equal frozen block is as good as its twin.
    """
    written = model.__pydantic_fields_set__
    object.__setattr__(
        model, "__pydantic_fields_set__", _FIELDS_SETS.setdefault(frozenset(written), written)
    )
    if len(_BLOCKS) > _BLOCKS_KEPT:
        _BLOCKS.clear()
    for name, value in model.__dict__.items():
        if isinstance(value, BaseModel):
            model.__dict__[name] = _BLOCKS.setdefault(value, _compact(value))
    return model


def _where(path: tuple[Any, ...], data: dict) -> str:
    """`sources[2] (irev).interval`: the path, with the source's id where it has one."""
    text, node = "", data
    for depth, part in enumerate(path):
        text += f"[{part}]" if isinstance(node, list) else f"{'.' if text else ''}{part}"
        node = _child(node, part)
        is_source = depth == 1 and path[0] == "sources" and isinstance(node, dict)
        if is_source and isinstance(node.get("id"), str | int):
            text += f" ({node['id']})"
    return text


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    """The model whose keys the last part of `loc` belongs to."""
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        inner = [t for t in getattr(field.annotation, "__args__", ()) if hasattr(t, "model_fields")]
        if not inner:
            break
        model = inner[0]
    return model


def _unknown_key(key: object, allowed: tuple[str, ...] | Any) -> str:
    close = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
    return f"unknown key '{key}'; {hint}"


_MISSING_HINTS = {
    "id": "a short name such as irev",
    "name": "the site's name as subscribers should see it",
    "url": "the address of its agenda page, starting with https://",
    "item": "the CSS selector of one event in the listing",
}


def _describe(detail: dict[str, Any], model: type[BaseModel]) -> str:
    """One pydantic error in words an admin can act on."""
    kind, value, ctx = detail["type"], detail.get("input"), detail.get("ctx", {})
    key = detail["loc"][-1] if detail["loc"] else ""
    if kind == "extra_forbidden":
        return _unknown_key(key, tuple(model.model_fields))
    if kind == "missing":
        return f"is missing; add '{key}: …' ({_MISSING_HINTS.get(key, 'see DESIGN.md')})"
    if kind in ("config", "value_error"):
        return str(ctx.get("message") or ctx.get("error"))
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", ctx["expected"])
        close = difflib.get_close_matches(str(value), choices, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"{show(value)} is not a {key}; {hint}write one of {', '.join(choices)}"
    if kind == "invalid_key":
        return f"key {show(value)} is not text; put it in quotes or fix the spelling"
    if value is None and kind.endswith("_type"):
        return f"has no value; write one after '{key}:' or remove the line"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return f"{show(value)} is too small; write a number {'≥' if 'ge' in ctx else '>'} {bound}"
    return f"{show(value)} is not valid here; {_EXPECTED.get(kind, detail['msg'])}"


_EXPECTED = {
    "string_type": "write text (put it in quotes)",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "float_type": "write a number of seconds",
    "float_parsing": "write a number of seconds",
    "tuple_type": "write a list such as [quartiers, emploi]",
    "model_type": "write a block of keys such as {item: '.event', link: 'a'}",
    "dict_type": "write a block of keys",
}


def show(value: object) -> str:
    """A value as the admin wrote it in YAML."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a block of keys"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else str(value)
