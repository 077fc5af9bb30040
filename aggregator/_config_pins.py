"""The `duplicates:` block of sources.yaml: an admin's fix for a wrong merge or split.

    duplicates:
      - merge: [irev-3f2a9c1d2b4e5f60, irdsu-9c1b2d3e4f5a6b7c]
        note: the same day under two titles
      - never_merge: [labo-cites-0a1b2c3d4e5f6789, reseau-crpv-89abcdef01234567]

Ids are the `id` of events in `aggregator export --format json`, or the
announcement ids listed in their `merged_because`. Part of config.py.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, model_validator
from pydantic_core import PydanticCustomError

from aggregator._config_report import Report, show

_EVENT_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_WHERE_IDS = (
    "copy ids from 'id' or 'merged_because' in `aggregator export --format json`, "
    "e.g. irev-3f2a9c1d2b4e5f60"
)
KINDS = ("merge", "never_merge")


def _problem(message: str, *path: str) -> PydanticCustomError:
    return PydanticCustomError("config", "{message}", {"message": message, "path": path})


class Pin(BaseModel, frozen=True, extra="forbid"):
    """One correction: these events are one (`merge`) or never one (`never_merge`)."""

    merge: tuple[str, ...] | None = None
    never_merge: tuple[str, ...] | None = None
    note: str | None = None

    @property
    def kind(self) -> str:
        return "merge" if self.merge is not None else "never_merge"

    @property
    def ids(self) -> tuple[str, ...]:
        return self.merge if self.merge is not None else self.never_merge or ()

    @model_validator(mode="after")
    def _one_list_of_ids(self) -> Pin:
        kinds = [k for k in KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise _problem(
                "write either 'merge: [id, id]' (these events are one) or "
                "'never_merge: [id, id]' (never merge them), one per item",
                *(kinds[1:] or ()),
            )
        ids = self.ids
        if len(set(ids)) < 2:
            raise _problem(f"needs at least two different event ids; {_WHERE_IDS}", self.kind)
        for event_id in ids:
            if not _EVENT_ID.fullmatch(event_id):
                raise _problem(f"{show(event_id)} is not an event id; {_WHERE_IDS}", self.kind)
        return self


def pins(report: Report, source_ids: set[str]) -> tuple[Pin, ...]:
    """The `duplicates:` items, each checked; problems go to the report."""
    raw = report.doc.data.get("duplicates")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        report.add(
            ("duplicates",),
            f"must be a list, got {show(raw)}; write one "
            "'- merge: [id, id]' or '- never_merge: [id, id]' per line",
        )
        return ()
    found: list[tuple[int, Pin]] = []
    for index, item in enumerate(raw):
        path = ("duplicates", index)
        if not isinstance(item, dict):
            report.add(
                path, f"expected 'merge: [id, id]' or 'never_merge: [id, id]', got {show(item)}"
            )
        elif (pin := report.validated(Pin, item, path)) is not None and _known_sources(
            report, pin, path, source_ids
        ):
            found.append((index, pin))
    _report_contradictions(report, found)
    return tuple(pin for _, pin in found)


def _known_sources(report: Report, pin: Pin, path: tuple[Any, ...], source_ids: set[str]) -> bool:
    """Ids start with their source's id ("irev-…"): catches ids pasted from elsewhere."""
    for event_id in pin.ids:
        # every "prefix-" of the id looked up, rather than every source tried
        cuts = (i for i, char in enumerate(event_id) if char == "-")
        if not any(event_id[:i] in source_ids for i in cuts):
            report.add(
                (*path, pin.kind),
                f"{show(event_id)} is not the id of an event of a "
                f"source in this file; {_WHERE_IDS}",
            )
            return False
    return True


def _report_contradictions(report: Report, found: list[tuple[int, Pin]]) -> None:
    merged = {
        frozenset((a, b)) for _, p in found if p.merge for a in p.ids for b in p.ids if a != b
    }
    for index, pin in found:
        clash = next(
            ((a, b) for a in pin.ids for b in pin.ids if a < b and frozenset((a, b)) in merged),
            None,
        )
        if pin.never_merge is not None and clash:
            report.add(
                ("duplicates", index, "never_merge"),
                f"'{clash[0]}' and '{clash[1]}' are also in a 'merge' item; "
                "keep only the one you mean",
            )
