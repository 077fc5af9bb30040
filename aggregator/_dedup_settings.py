"""What dedup takes from sources.yaml: organisers, the names of each source, the
admin's pins. Part of dedup.py, which exports `Settings` and `settings_of`."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aggregator._dedup_words import ORGANISER_NAMES, Names

if TYPE_CHECKING:
    from aggregator.config import Config


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What dedup takes from sources.yaml; stored so the web server can refresh too."""

    organisers: frozenset[str] = frozenset()
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # source id -> its names
    merge: tuple[tuple[str, ...], ...] = ()
    never_merge: tuple[tuple[str, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "organisers": sorted(self.organisers),
            "names": {k: list(v) for k, v in sorted(self.names.items())},
            "merge": [list(p) for p in self.merge],
            "never_merge": [list(p) for p in self.never_merge],
        }

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Settings:
        return cls(
            organisers=frozenset(record.get("organisers", ())),
            names={k: tuple(v) for k, v in record.get("names", {}).items()},
            merge=tuple(tuple(p) for p in record.get("merge", ())),
            never_merge=tuple(tuple(p) for p in record.get("never_merge", ())),
        )

    def all_names(self) -> Names:
        """The organiser names and the sources', for one clustering."""
        return self._all_names.fresh()

    def text(self) -> str:
        """`to_dict` as the store keeps it: JSON, keys sorted (computed once)."""
        return self._text

    @functools.cached_property
    def _text(self) -> str:
        # to_dict's text, without its copy of every name (tuples are written as lists)
        record = {
            "organisers": sorted(self.organisers),
            "names": self.names,
            "merge": self.merge,
            "never_merge": self.never_merge,
        }
        return json.dumps(record, sort_keys=True, ensure_ascii=False)

    @functools.cached_property
    def _all_names(self) -> Names:
        # indexed once: refresh clusters window after window with the same settings,
        # and indexing the names of 10,000 sources takes about 0.1 s
        return Names([*ORGANISER_NAMES, *(n for names in self.names.values() for n in names)])


def _short_name(name: str) -> str | None:
    """ "IREV – centre de ressources…" -> "IREV": the part before a dash, if short."""
    for dash in (" – ", " — ", " - ", " ("):
        head = name.split(dash, 1)[0].strip()
        if head != name.strip() and len(head.split()) <= 3:
            return head
    return name if len(name.split()) <= 3 else None


# The last configuration's settings and the last stored ones read: refresh runs after
# every source in the daemon, and building them anew each time costs time in the
# number of sources (10,000 names to gather, index and serialise).
_LAST_OF: list[tuple[Config, Settings]] = []
_LAST_STORED: list[tuple[str, Settings]] = []


def settings_of(config: Config) -> Settings:
    """What dedup takes from this configuration (the same object for the same config)."""
    if _LAST_OF and _LAST_OF[0][0] is config:
        return _LAST_OF[0][1]
    settings = _settings_of(config)
    _LAST_OF[:] = [(config, settings)]
    return settings


def stored(text: str, known: Settings | None = None) -> Settings:
    """The settings whose `text` the store holds: `known` when it is them."""
    if known is not None and known.text() == text:
        return known
    if not (_LAST_STORED and _LAST_STORED[0][0] == text):
        _LAST_STORED[:] = [(text, Settings.from_dict(json.loads(text) if text else {}))]
    return _LAST_STORED[0][1]


def _settings_of(config: Config) -> Settings:
    names = {
        s.id: tuple(n for n in (s.id.replace("-", " "), _short_name(s.name)) if n)
        for s in config.sources
    }
    return Settings(
        organisers=frozenset(s.id for s in config.sources if s.organiser),
        names=names,
        merge=tuple(tuple(p.merge) for p in config.duplicates if p.merge),
        never_merge=tuple(tuple(p.never_merge) for p in config.duplicates if p.never_merge),
    )
