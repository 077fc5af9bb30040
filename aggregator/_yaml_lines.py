"""YAML loading that remembers where every key and list item was written.

`config.py` needs line numbers to tell an admin where a problem is; plain
`yaml.safe_load` forgets them. Mappings and lists are built as dict/list
subclasses carrying their keys' lines; `Located.line(path)` walks them, e.g.
("sources", 2, "interval") -> 14.

Two readers build the same thing: `_yaml_events.Builder`, from libyaml's parse
events (fast, no node graph, and it can hand each source to the caller as soon
as it is read), and `_LineLoader`, PyYAML's pure-Python loader, for the rare
file the builder leaves to it (tags, broken YAML, no libyaml), so that problems
are worded exactly as PyYAML words them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aggregator._yaml_events import (
    Builder,
    CLoader,
    Handler,
    KeyPath,
    LineList,
    LineMap,
    Problem,
    Unusual,
    is_key,
    repeated_keys,
)

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


@dataclass
class Located:
    """The document, where each part of it was written, and duplicate-key problems;
    `handed`: what load_located's handler kept of each source it was handed."""

    data: dict[Any, Any]
    problems: list[Problem] = field(default_factory=list)
    handed: dict[int, Any] = field(default_factory=dict)

    def line(self, path: KeyPath) -> int:
        """The line of `path`, or of its nearest parent that was written in the file."""
        return line_in(self.data, getattr(self.data, "line", 1), path)


def line_in(block: Any, line: int, path: KeyPath) -> int:
    """The line of `path` inside `block` (written on `line`), or of its nearest parent."""
    node = block
    for part in path:
        if isinstance(node, LineMap) and is_key(part) and part in node.key_lines:
            line, node = node.key_lines[part], node[part]
        elif isinstance(node, LineList) and type(part) is int and 0 <= part < len(node):
            line, node = node.item_lines[part], node[part]
        else:
            break
    return line


def only(block: Any, key: Any) -> Any:
    """The block with nothing but `key` (and the lines): what is kept of a source once
    it is validated, so that 10,000 sources are not held twice."""
    if not isinstance(block, LineMap):
        return block
    kept = LineMap({key: block[key]} if key in block else {})
    kept.line, kept.duplicates = block.line, ()
    kept.key_lines = {k: block.key_lines[k] for k in kept}
    return kept


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and lists remember their 1-based lines."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[LineMap]:
    data = LineMap()
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


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[LineList]:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_located(path: Path, each_source: Handler | None = None) -> Located:
    """The file's top-level mapping with its lines; YamlProblem when there is none.

    `each_source(index, item, line)`, when given, gets each item of the `sources`
    list as soon as it is read (when the file is read by the builder) and returns
    what takes its place and what to keep of it, in `Located.handed`.
    """
    data, handed, problems = _parsed(_text(path), each_source)
    if data is None:
        raise YamlProblem(1, "the file is empty; add a 'settings:' block and a 'sources:' list")
    if not isinstance(data, LineMap):
        raise YamlProblem(
            getattr(data, "line", 1),
            "the file must be a block of keys ('settings:' and 'sources:'), "
            "not a list or a single value",
        )
    located = Located(data, problems, handed)
    repeated_keys(data, (), located.problems)
    return located


def _text(path: Path) -> bytes:
    """The file's bytes, checked to be UTF-8 (libyaml reads them without a decoded copy)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise YamlProblem(None, "no such file; create it or pass --config PATH") from None
    except OSError as error:
        raise YamlProblem(None, f"cannot be read ({error.strerror}); check the path") from None
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise YamlProblem(line, "is not UTF-8 text; save the file as UTF-8") from None
    return raw


def _parsed(raw: bytes, each_source: Handler | None) -> tuple[Any, dict[int, Any], list[Problem]]:
    """The document, read by the builder when it can, else by PyYAML's own loader; what
    `each_source` kept of each source; the repeated keys in the sources it was handed."""
    if CLoader is not None:
        builder = Builder(raw, ("sources", each_source) if each_source else None)
        try:
            return builder.document(), builder.handed, builder.problems
        except (Unusual, yaml.YAMLError):
            pass  # PyYAML's loader says what is wrong, in its words, or reads what is unusual
    loader = _LineLoader(raw.decode("utf-8-sig"))
    try:
        return loader.get_single_data(), {}, []
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
