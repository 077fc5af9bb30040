"""YAML loading that remembers where every key and list item was written.

`config.py` needs line numbers to tell an admin where a problem is; plain
`yaml.safe_load` forgets them. Mappings and lists are built as dict/list
subclasses carrying their keys' lines; `Located.line(path)` walks them, e.g.
("sources", 2, "interval") -> 14.

Two readers build the same thing. `_Builder` reads libyaml's parse events
straight into the data: no node graph (a node and two marks per scalar, about
1 KB each, which for 10,000 sources made loading the file the run's memory
peak), and C speed. `_LineLoader` (PyYAML's pure-Python loader) reads the rare
file the builder leaves to it (tags, broken YAML, no libyaml), so that problems
are worded exactly as PyYAML words them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
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
    __slots__ = ("line", "key_lines", "duplicates")  # one per source and selector block
    line: int
    key_lines: dict[Any, int]
    duplicates: Sequence[tuple[Any, int, int]]  # (key, line, line of its first use)


class _Sequence(list):
    __slots__ = ("line", "item_lines")
    line: int
    item_lines: list[int]


@dataclass
class Located:
    """The document, where each part of it was written, and duplicate-key problems."""

    data: dict[Any, Any]
    problems: list[tuple[KeyPath, int, str]] = field(default_factory=list)  # (path, line, text)

    def line(self, path: KeyPath) -> int:
        """The line of `path`, or of its nearest parent that was written in the file."""
        node: Any = self.data
        line = getattr(node, "line", 1)
        for part in path:
            if isinstance(node, _Mapping) and _is_key(part) and part in node.key_lines:
                line, node = node.key_lines[part], node[part]
            elif isinstance(node, _Sequence) and type(part) is int and 0 <= part < len(node):
                line, node = node.item_lines[part], node[part]
            else:
                break
        return line

    def shrink(self, path: KeyPath, keep: Any) -> None:
        """Forget the block at `path` but its key `keep`, keeping its lines."""
        parent: Any = self.data
        for part in path[:-1]:
            parent = parent[part]
        block = parent[path[-1]]
        if isinstance(block, _Mapping):
            kept = _Mapping({keep: block[keep]} if keep in block else {})
            kept.line, kept.duplicates = block.line, ()
            kept.key_lines = {key: block.key_lines[key] for key in kept}
            parent[path[-1]] = kept


def _is_key(part: Any) -> bool:
    try:
        hash(part)
    except TypeError:
        return False
    return True


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
    """The file's top-level mapping with its lines; YamlProblem when there is none."""
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
    _find_repeated_keys(data, (), located)
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
    """The document, read by `_Builder` when it can, else by PyYAML's own loader."""
    if _CLoader is not None:
        try:
            return _Builder(text).document()
        except (_Unusual, yaml.YAMLError):
            pass  # PyYAML's loader says what is wrong, in its words, or reads what is unusual
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


def _find_repeated_keys(value: Any, path: KeyPath, located: Located) -> None:
    """Report every key written twice in one block, under `path`."""
    if isinstance(value, _Mapping):
        for key, line, first in value.duplicates:
            message = f"'{key}' is written twice (first on line {first}); keep one"
            located.problems.append(((*path, key), line, message))
        for key, item in value.items():
            if isinstance(item, _Mapping | _Sequence):
                _find_repeated_keys(item, (*path, key), located)
    elif isinstance(value, _Sequence):
        for index, item in enumerate(value):
            if isinstance(item, _Mapping | _Sequence):
                _find_repeated_keys(item, (*path, index), located)


# --- the builder: libyaml's events straight into data ------------------------------------

_CLoader = getattr(yaml, "CSafeLoader", None)  # None when PyYAML was built without libyaml
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_MERGE, _VALUE = "tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)


class _Unusual(Exception):
    """Something the builder leaves to PyYAML's loader (a tag, an odd merge, an error)."""


class _Builder:
    """The document as `_LineLoader` builds it, read from libyaml's parse events.

    Handles plain YAML, anchors, aliases and `<<` merge keys; raises _Unusual
    for anything else.
    """

    def __init__(self, text: str):
        self.events = _CLoader(text)  # libyaml events; PyYAML's resolver and scalar readers
        self.anchors: dict[str, tuple[Any, int]] = {}  # name -> (data, line it was written on)

    def document(self) -> Any:
        events = self.events
        try:
            events.get_event()  # stream start
            if events.check_event(yaml.StreamEndEvent):
                return None
            events.get_event()  # document start
            data = self.value()
            events.get_event()  # document end
            if not events.check_event(yaml.StreamEndEvent):
                raise _Unusual("a second document")
            return data
        finally:
            events.dispose()

    def value(self) -> Any:
        event = self.events.get_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise _Unusual("an undefined alias")
            return self.anchors[event.anchor][0]
        if event.anchor is not None and event.anchor in self.anchors:
            raise _Unusual("a repeated anchor")
        if isinstance(event, yaml.ScalarEvent):
            return self.anchored(event, self.scalar(event))
        sequence = isinstance(event, yaml.SequenceStartEvent)
        if event.tag not in (None, "!", _SEQ if sequence else _MAP):
            raise _Unusual("a tagged block")
        return self.sequence(event) if sequence else self.mapping(event)

    def anchored(self, event: yaml.NodeEvent, data: Any) -> Any:
        if event.anchor is not None:
            self.anchors[event.anchor] = (data, event.start_mark.line + 1)
        return data

    def line(self, event: yaml.Event) -> int:
        """Where a value was written; for an alias, where its anchor was (as PyYAML's nodes)."""
        if isinstance(event, yaml.AliasEvent) and event.anchor in self.anchors:
            return self.anchors[event.anchor][1]
        return event.start_mark.line + 1

    def tag(self, event: yaml.ScalarEvent) -> str:
        if event.tag is None or event.tag == "!":
            return self.events.resolve(yaml.ScalarNode, event.value, event.implicit)
        return event.tag

    def scalar(self, event: yaml.ScalarEvent, tag: str | None = None) -> Any:
        tag = tag or self.tag(event)
        if tag not in _SCALAR_TAGS:
            raise _Unusual("a tagged value")
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        value = self.events.yaml_constructors[tag](self.events, node)
        # keys, strategies and the selectors of sites built alike repeat across sources
        return sys.intern(value) if type(value) is str else value

    def sequence(self, event: yaml.SequenceStartEvent) -> _Sequence:
        data = self.anchored(event, _Sequence())
        data.line, data.item_lines = event.start_mark.line + 1, []
        while not self.events.check_event(yaml.SequenceEndEvent):
            data.item_lines.append(self.line(self.events.peek_event()))
            data.append(self.value())
        self.events.get_event()
        return data

    def mapping(self, event: yaml.MappingStartEvent) -> _Mapping:
        data = self.anchored(event, _Mapping())
        data.line, data.key_lines, data.duplicates = event.start_mark.line + 1, {}, ()
        merged: list[_Mapping] = []
        written: list[tuple[Any, int, Any]] = []  # (key, line, value) as written here
        while not self.events.check_event(yaml.MappingEndEvent):
            key_event = self.events.peek_event()
            line = self.line(key_event)
            tag = self.tag(key_event) if isinstance(key_event, yaml.ScalarEvent) else None
            if tag == _MERGE:
                self.events.get_event()
                merged += _merged(self.value())
                continue
            if tag == _VALUE:  # `=` is a plain key, as PyYAML's flatten_mapping makes it
                key = self.scalar(self.events.get_event(), "tag:yaml.org,2002:str")
            else:
                key = self.value()
            if not _is_key(key):
                raise _Unusual("an unhashable key")
            written.append((key, line, self.value()))
        self.events.get_event()
        for mapping in merged:  # merged keys first, the first merged one wins; own keys win
            for key, value in mapping.items():
                if key not in data:
                    data[key], data.key_lines[key] = value, mapping.key_lines[key]
        own: set[Any] = set()
        for key, line, value in written:
            if key in own:
                data.duplicates = [*data.duplicates, (key, line, data.key_lines[key])]
            own.add(key)
            data.key_lines[key] = line  # the last one wins, as in yaml.safe_load
            data[key] = value
        return data


def _merged(value: Any) -> list[_Mapping]:
    """What `<<:` merges: a block of keys, or a list of them."""
    if isinstance(value, _Mapping):
        return [value]
    if isinstance(value, _Sequence) and all(isinstance(item, _Mapping) for item in value):
        return list(value)
    raise _Unusual("a merge of something other than blocks of keys")
