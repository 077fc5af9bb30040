"""YAML loading that remembers where every key and list item was written.

`config.py` needs line numbers to tell an admin where a problem is; plain
`yaml.safe_load` forgets them. Mappings and lists are built as dict/list
subclasses carrying their keys' lines, then flattened into one
path -> line index, e.g. ("sources", 2, "interval") -> 14.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

KeyPath = tuple[Any, ...]

_YAML_HINTS = (  # (text in PyYAML's problem, what the admin should do)
    ("'\\t'", "indent with spaces, not tabs"),
    (
        "mapping values are not allowed",
        "quote text containing ': ', or fix the indentation",
    ),
    ("could not find expected ':'", "write 'key: value' on each line, aligned with its neighbours"),
    ("expected a single document", "keep one document: remove the extra '---' line"),
    ("end of stream", "close the quote or bracket opened on line {start}"),
    ("constructor for the tag", "remove the '!' tag"),
    ("unhashable key", "write a plain word before the ':'"),
)


class YamlProblem(Exception):
    """The file cannot be read as one YAML mapping; `line` is None when it has none."""

    def __init__(self, line: int | None, message: str):
        self.line, self.message = line, message
        super().__init__(message)


class _Mapping(dict):
    line: int = 1
    key_lines: dict[Any, int]
    duplicates: list[tuple[Any, int, int]]  # (key, line, line of its first use)


class _Sequence(list):
    line: int = 1
    item_lines: list[int]


@dataclass
class Located:
    """The document, where each part of it was written, and duplicate-key problems."""

    data: dict[Any, Any]
    lines: dict[KeyPath, int] = field(default_factory=dict)
    problems: list[tuple[KeyPath, int, str]] = field(default_factory=list)  # (path, line, text)

    def line(self, path: KeyPath) -> int:
        """The line of `path`, or of its nearest parent that was written in the file."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and lists remember their 1-based lines."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[_Mapping]:
    data = _Mapping()
    data.line, data.key_lines, data.duplicates = node.start_mark.line + 1, {}, []
    yield data
    written = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
    loader.flatten_mapping(node)  # resolves `<<` merge keys, which may repeat a key on purpose
    for key_node, value_node in node.value:
        key = _hashable(loader.construct_object(key_node, deep=True), node, key_node)
        line = key_node.start_mark.line + 1
        if key in data.key_lines and written.count(key_node.value) > 1:
            data.duplicates.append((key, line, data.key_lines[key]))
        data.key_lines[key] = line  # the last one wins, as in yaml.safe_load
        data[key] = loader.construct_object(value_node, deep=True)


def _hashable(key: Any, node: yaml.Node, key_node: yaml.Node) -> Any:
    try:
        hash(key)
    except TypeError:
        raise yaml.constructor.ConstructorError(
            "while constructing a mapping", node.start_mark, "found unhashable key",
            key_node.start_mark,
        ) from None  # fmt: skip
    return key


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[_Sequence]:
    data = _Sequence()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_located(path: Path) -> Located:
    """The file's top-level mapping with its line index; YamlProblem when there is none."""
    data = _parsed(_text(path))
    if data is None:
        raise YamlProblem(1, "the file is empty; add a 'settings:' block and a 'sources:' list")
    if not isinstance(data, _Mapping):
        raise YamlProblem(
            getattr(data, "line", 1),
            "the file must be a block of keys ('settings:' and 'sources:'), "
            "not a list or a single value",
        )
    located = Located(data)
    _index(data, (), located)
    return located


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise YamlProblem(None, "no such file; create it or pass --config PATH") from None
    except OSError as error:
        raise YamlProblem(None, f"cannot be read ({error.strerror}); check the path") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise YamlProblem(line, "is not UTF-8 text; save the file as UTF-8") from None


def _parsed(text: str) -> Any:
    loader = _LineLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        raise _yaml_problem(error) from None
    finally:
        loader.dispose()


def _yaml_problem(error: yaml.MarkedYAMLError) -> YamlProblem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or error.context or "unreadable"
    start = error.context_mark.line + 1 if error.context_mark else line
    if error.context and start != line:
        problem += f" ({error.context} started on line {start})"
    fix = next((hint for text, hint in _YAML_HINTS if text in problem), None)
    fix = (fix or "check the indentation and quotes on this line and the one above").format(
        start=start
    )
    return YamlProblem(line, f"invalid YAML at column {column}: {problem}; {fix}")


def _index(value: Any, path: KeyPath, located: Located) -> None:
    """Fill `located.lines` for everything under `path`, and report repeated keys."""
    if isinstance(value, _Mapping):
        located.lines.setdefault(path, value.line)
        for key, item in value.items():
            _index(item, (*path, key), located)
            located.lines[(*path, key)] = value.key_lines[key]
        for key, line, first in value.duplicates:
            message = f"'{key}' is written twice (first on line {first}); keep one"
            located.problems.append(((*path, key), line, message))
    elif isinstance(value, _Sequence):
        located.lines.setdefault(path, value.line)
        for index, item in enumerate(value):
            _index(item, (*path, index), located)
            located.lines[(*path, index)] = value.item_lines[index]
