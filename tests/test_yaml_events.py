"""The libyaml builder reads what PyYAML's loader reads, with the same lines, and leaves to
PyYAML whatever it does not handle; handing sources out changes nothing but memory."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from aggregator import _yaml_lines
from aggregator._yaml_events import Builder, LineList, LineMap, Unusual

SAME = {
    "sources": "settings: {delay: 2}\nsources:\n  - id: a\n    name: A\n    list: {item: .x}\n",
    "scalars": "=: 1\nb: !!str 2\nc: 2020-01-01\nd: ~\ne: [1, 2.5, yes, 'no', null]\n",
    "repeated": "a: 1\nb: {x: 1, x: 2}\na: 3\na: 4\n",
    "merge": (
        "sources:\n  - &base {id: a, name: A, url: 'https://a.org', region: Nord}\n"
        "  - <<: *base\n    id: b\n    region: Hauts-de-France\n"
    ),
    "merge list": "a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  w: 5\n",
    "alias item": "x: &x [1]\ny:\n  - *x\n  - 2\n",
    "block items": "sources:\n  -\n    id: a\n    tags:\n      - quartiers\n  - id: b\n",
    "empty": "# nothing yet\n",
}
DEFERRED = {
    "tag": "a: !custom 1\n",
    "tagged block": "a: !!set {x}\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "unhashable key": "? [a]\n: 1\n",
    "broken": "sources:\n  - id: a\n  name: b: c\n",
}


def shape(value: Any) -> Any:
    """The data with every line it carries."""
    if isinstance(value, LineMap):
        return ("map", value.line, dict(value.key_lines), list(value.duplicates),
                [(k, shape(v)) for k, v in value.items()])  # fmt: skip
    if isinstance(value, LineList):
        return ("list", value.line, list(value.item_lines), [shape(v) for v in value])
    return (type(value).__name__, value)


def pyyaml(text: str) -> Any:
    loader = _yaml_lines._LineLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@pytest.mark.parametrize("text", SAME.values(), ids=SAME.keys())
def test_the_builder_reads_what_pyyaml_reads(text: str) -> None:
    assert shape(Builder(text).document()) == shape(pyyaml(text))
    assert shape(Builder(text.encode()).document()) == shape(pyyaml(text))


@pytest.mark.parametrize("text", DEFERRED.values(), ids=DEFERRED.keys())
def test_what_the_builder_leaves_to_pyyaml(text: str) -> None:
    with pytest.raises((Unusual, yaml.YAMLError)):
        Builder(text).document()


def test_sources_are_handed_over_as_they_are_read(tmp_path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - id: a\n    name: A\n    name: B\n  - just text\n"
        "  - id: c\n    list: {item: .x, item: .y}\nsettings: {delay: 1}\n"
    )
    seen = []

    def keep_the_id(index: int, item: Any, line: int) -> tuple[Any, Any]:
        seen.append((index, line, _yaml_lines.line_in(item, line, ("list", "item"))))
        return _yaml_lines.only(item, "id"), f"kept {index}"

    handed = _yaml_lines.load_located(path, keep_the_id)
    whole = _yaml_lines.load_located(path)
    assert seen == [(0, 2, 2), (1, 5, 5), (2, 6, 7)]
    assert handed.handed == {0: "kept 0", 1: "kept 1", 2: "kept 2"}
    assert handed.data["sources"] == [{"id": "a"}, "just text", {"id": "c"}]
    assert handed.data["settings"] == whole.data["settings"] == {"delay": 1}
    for located in (handed, whole):  # repeated keys and lines as if nothing was handed
        assert sorted(located.problems) == [
            (("sources", 0, "name"), 4, "'name' is written twice (first on line 3); keep one"),
            (("sources", 2, "list", "item"), 7,
             "'item' is written twice (first on line 7); keep one"),
        ]  # fmt: skip
        assert located.line(("sources", 2, "id")) == 6
