"""The YAML document as data that remembers its lines, read from libyaml's parse events.

Part of `_yaml_lines.py`. Mappings and lists are dict/list subclasses carrying
the lines of their keys and items. `Builder` reads libyaml's parse events straight
into them: no node graph (a node and two marks per scalar, about 1 KB each, which
for 10,000 sources made reading the file the run's memory peak), at C speed; and
it can hand each item of one top-level list to a function as soon as it is read,
so that the caller need not hold every source twice (as YAML and validated).
It raises `Unusual` for what it leaves to PyYAML's own loader: tags, odd merges,
and every error, which PyYAML words for the admin.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import yaml

KeyPath = tuple[Any, ...]
Problem = tuple[KeyPath, int, str]  # (path, line, text)
# (index, item, line) -> (what takes the item's place, what to keep of it)
Handler = Callable[[int, Any, int], tuple[Any, Any]]

CLoader = getattr(yaml, "CSafeLoader", None)  # None when PyYAML was built without libyaml
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_MERGE, _VALUE = "tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)


class LineMap(dict):
    __slots__ = ("line", "key_lines", "duplicates")  # one per source and selector block
    line: int
    key_lines: dict[Any, int]
    duplicates: Sequence[tuple[Any, int, int]]  # (key, line, line of its first use)


class LineList(list):
    __slots__ = ("line", "item_lines")
    line: int
    item_lines: list[int]


class Unusual(Exception):
    """Something the builder leaves to PyYAML's loader (a tag, an odd merge, an error)."""


def is_key(part: Any) -> bool:
    try:
        hash(part)
    except TypeError:
        return False
    return True


def repeated_keys(value: Any, path: KeyPath, problems: list[Problem]) -> None:
    """Every key written twice in one block under `path`, added to `problems`."""
    if isinstance(value, LineMap):
        for key, line, first in value.duplicates:
            message = f"'{key}' is written twice (first on line {first}); keep one"
            problems.append(((*path, key), line, message))
        for key, item in value.items():
            if isinstance(item, LineMap | LineList):
                repeated_keys(item, (*path, key), problems)
    elif isinstance(value, LineList):
        for index, item in enumerate(value):
            if isinstance(item, LineMap | LineList):
                repeated_keys(item, (*path, index), problems)


class Builder:
    """The document as PyYAML's SafeLoader reads it, with lines (see the module).

    With `hand=(key, handler)`, each item of the top-level list `key` goes to the
    handler as soon as it is read; its repeated keys are in `problems`, what the
    handler keeps of it in `handed`.
    """

    def __init__(self, text: str | bytes, hand: tuple[str, Handler] | None = None):
        self.events = CLoader(text)  # libyaml events; PyYAML's resolver and scalar readers
        self.anchors: dict[str, tuple[Any, int]] = {}  # name -> (data, line it was written on)
        self.hand = hand
        self.handed: dict[int, Any] = {}
        self.problems: list[Problem] = []
        self._depth = 0
        self._hand_next = False  # the value being read is the list to hand out

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
                raise Unusual("a second document")
            return data
        finally:
            events.dispose()

    def value(self) -> Any:
        hand, self._hand_next = self._hand_next, False
        event = self.events.get_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise Unusual("an undefined alias")
            return self.anchors[event.anchor][0]
        if event.anchor is not None and event.anchor in self.anchors:
            raise Unusual("a repeated anchor")
        if isinstance(event, yaml.ScalarEvent):
            return self.anchored(event, self.scalar(event))
        sequence = isinstance(event, yaml.SequenceStartEvent)
        if event.tag not in (None, "!", _SEQ if sequence else _MAP):
            raise Unusual("a tagged block")
        return self.sequence(event, hand) if sequence else self.mapping(event)

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
            raise Unusual("a tagged value")
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        value = self.events.yaml_constructors[tag](self.events, node)
        # keys, strategies and the selectors of sites built alike repeat across sources
        return sys.intern(value) if type(value) is str else value

    def sequence(self, event: yaml.SequenceStartEvent, hand: bool = False) -> LineList:
        data = self.anchored(event, LineList())
        data.line, data.item_lines = event.start_mark.line + 1, []
        if hand:  # the list written last is the one kept, as its key's last value
            self.handed, self.problems = {}, []
        while not self.events.check_event(yaml.SequenceEndEvent):
            line = self.line(self.events.peek_event())
            data.item_lines.append(line)
            item = self.value()
            if hand and self.hand is not None:
                data.append(self.handed_over(len(data), item, line))
            else:
                data.append(item)
        self.events.get_event()
        return data

    def handed_over(self, index: int, item: Any, line: int) -> Any:
        """What takes the place of the list's item `index` once the handler has it."""
        assert self.hand is not None
        key, handler = self.hand
        repeated: list[Problem] = []
        repeated_keys(item, (key, index), repeated)
        kept, self.handed[index] = handler(index, item, line)
        if kept is not item:  # what the item said is gone: its repeated keys are noted now
            self.problems += repeated
        return kept

    def mapping(self, event: yaml.MappingStartEvent) -> LineMap:
        data = self.anchored(event, LineMap())
        data.line, data.key_lines, data.duplicates = event.start_mark.line + 1, {}, ()
        merged: list[LineMap] = []
        written: list[tuple[Any, int, Any]] = []  # (key, line, value) as written here
        self._depth += 1
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
            if not is_key(key):
                raise Unusual("an unhashable key")
            self._hand_next = self._depth == 1 and self.hand is not None and key == self.hand[0]
            written.append((key, line, self.value()))
        self._depth -= 1
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


def _merged(value: Any) -> list[LineMap]:
    """What `<<:` merges: a block of keys, or a list of them."""
    if isinstance(value, LineMap):
        return [value]
    if isinstance(value, LineList) and all(isinstance(item, LineMap) for item in value):
        return list(value)
    raise Unusual("a merge of something other than blocks of keys")
