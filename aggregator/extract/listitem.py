"""The record of one block of a listing page (a card, a teaser, a table row)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from aggregator.extract.pagefields import Dates


@dataclass(frozen=True, kw_only=True)
class Item:
    """One block of a listing, as the listing shows it."""

    title: str
    url: str | None  # its own page, when it links to one
    dates: Dates | None  # its event date, if it shows one
    kinds: tuple[str, ...] = ()  # kinds of its dates when none is an event date
    publication: date | None = None  # a news block's publication date
    place: str = ""
    text: str = ""
    where: str = ""  # "block 3 (div.views-row)", for explanations
    title_origin: str = ""
    place_origin: str = ""

    def at(self, where: str) -> Item:
        return dataclasses.replace(self, where=where)
