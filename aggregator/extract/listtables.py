"""Agendas written as tables or definition lists.

Tables: one row per event, columns for date, time, title, place. The header
row names the columns ("Date", "Horaires", "Rendez-vous", "Lieu"); without one,
the date column is the one whose cells read as dates and the title the longest
other text. Layout tables (the whole page in a table) are not agendas: a row
that holds a table is never an event.

Definition lists: `<dt>` the date, `<dd>` the event ("<b>Title</b> - place"),
or the other way round. Pure: no network, no clock.
"""

from __future__ import annotations

import re
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.extract._html import folded, is_document, text_of, web_link
from aggregator.extract.dates import parse_dates
from aggregator.extract.listitem import Item
from aggregator.extract.pagefields import read_dates
from aggregator.extract.places import find_place

_ROLES = (
    ("time", re.compile(r"horaires?|heures?|\bh\b")),
    ("date", re.compile(r"dates?|jours?|quand")),
    ("place", re.compile(r"lieux?|adresses?|villes?|communes?|\bou\b|salles?|localisation")),
    (
        "title",
        re.compile(
            r"evenements?|manifestations?|titres?|intitules?|rendez-vous|activites?"
            r"|objet|themes?|programme|animations?|sujets?|rencontres?|quoi"
        ),
    ),
)


def _rows(table: LexborNode) -> list[LexborNode]:
    """The table's own rows (not those of a table inside it), without nested tables."""
    rows = []
    for row in table.css("tr"):
        owner = row.parent
        while owner is not None and owner.tag != "table":
            owner = owner.parent
        if owner is not None and owner.mem_id == table.mem_id and not row.css_first("table"):
            rows.append(row)
    return rows


def _cells(row: LexborNode) -> list[LexborNode]:
    return [c for c in row.css("td, th") if c.parent is not None and c.parent.mem_id == row.mem_id]


def _roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, label in enumerate(header):
        for role, pattern in _ROLES:
            if role not in roles and pattern.search(folded(label)):
                roles[role] = index
                break
    return roles


def _guessed_roles(rows: list[list[LexborNode]]) -> dict[str, int]:
    """Without a header: the column whose cells are dates, then the longest text."""
    width = min(len(r) for r in rows)
    dated = [sum(bool(parse_dates(text_of(r[i]))) for r in rows) for i in range(width)]
    if not width or max(dated) * 2 < len(rows):
        return {}
    roles = {"date": dated.index(max(dated))}
    others = [i for i in range(width) if i != roles["date"]]
    if others:
        roles["title"] = max(others, key=lambda i: sum(len(text_of(r[i])) for r in rows))
        places = [
            i
            for i in others
            if i != roles["title"]
            and sum(bool(find_place(text_of(r[i])).city) for r in rows) * 2 >= len(rows)
        ]
        if places:
            roles["place"] = places[0]
    return roles


def _first_line(cell: LexborNode) -> str:
    """A cell's first line: "Balade urbaine<br>(plan PDF)" names the event "Balade urbaine"."""
    first = re.split(r"<br\s*/?>|</p>", cell.html or "", maxsplit=1, flags=re.IGNORECASE)[0]
    return text_of(LexborHTMLParser(f"<div>{first}</div>").css_first("div")) or text_of(cell)


def _row_link(cells: list[LexborNode], title: LexborNode | None, url: str) -> str | None:
    for cell in ([title] if title is not None else []) + cells:
        for anchor in cell.css("a[href]"):
            link = web_link(anchor, url)
            if link and not is_document(link):
                return link
    return None


def table_items(table: LexborNode, url: str, reference: date, by_reference: bool) -> list[Item]:
    """One listing Item per dated row of an agenda table; [] for any other table."""
    rows = [_cells(r) for r in _rows(table)]
    header = next((r for r in rows if r and all(c.tag == "th" for c in r)), None)
    body = [r for r in rows if r and any(c.tag == "td" for c in r)]
    if len(body) < 2:
        return []
    roles = _roles([text_of(c) for c in header]) if header else _guessed_roles(body)
    if "date" not in roles or "title" not in roles:
        return []
    items = []
    for number, cells in enumerate(body, 1):
        if max(roles.values()) >= len(cells):
            continue
        date_cell = cells[roles["date"]]
        time_text = text_of(cells[roles["time"]]) if "time" in roles else ""
        reading = read_dates(
            date_cell,
            f"{text_of(date_cell)} {time_text}".strip(),
            reference,
            by_reference=by_reference,
        )
        title_cell = cells[roles["title"]]
        place = text_of(cells[roles["place"]]) if "place" in roles else ""
        items.append(
            Item(
                title=_first_line(title_cell),
                url=_row_link(cells, title_cell, url),
                dates=reading.dates,
                kinds=reading.kinds,
                publication=None,
                place=place,
                text=" ".join(text_of(c) for c in cells),
                where=f"row {number} of the table",
                title_origin=f"column {roles['title'] + 1}",
                place_origin=f"column {roles['place'] + 1}" if place else "",
            )
        )
    dated = [i for i in items if i.dates is not None or i.kinds]
    return items if len(dated) >= 2 else []


# --- definition lists -----------------------------------------------------------------

_LEAD = "b, strong, a, h3, h4, h5, em"
_TITLE_END = re.compile(r"\s[-–—:]\s|,\s|\.\s")


def definition_items(
    dl: LexborNode, url: str, reference: date | None, by_reference: bool
) -> list[Item]:
    """One listing Item per dated entry of a `<dl>` agenda; [] for any other list."""
    pairs = _pairs(dl)
    dated_terms = sum(bool(parse_dates(text_of(term))) for term, _ in pairs)
    dated_details = sum(bool(parse_dates(text_of(detail))) for _, detail in pairs)
    if len(pairs) < 2 or max(dated_terms, dated_details) < 2:
        return []
    items = []
    for number, (term, detail) in enumerate(pairs, 1):
        when, what = (term, detail) if dated_terms >= dated_details else (detail, term)
        reading = read_dates(when, text_of(when), reference, by_reference=by_reference)
        title = _lead_title(what)
        rest = (
            text_of(what)[len(title) :].strip(" -–—:,.") if text_of(what).startswith(title) else ""
        )
        items.append(
            Item(
                title=title,
                url=_row_link([what], None, url),
                dates=reading.dates,
                kinds=reading.kinds,
                place=rest,
                text=f"{text_of(when)} {text_of(what)}",
                where=f"entry {number} of the list",
                title_origin=f"start of its {what.tag}",
                place_origin=f"rest of its {what.tag}" if rest else "",
            )
        )
    return items


def _pairs(dl: LexborNode) -> list[tuple[LexborNode, LexborNode]]:
    pairs, term = [], None
    child = dl.child
    while child is not None:
        if child.tag == "dt":
            term = child
        elif child.tag == "dd" and term is not None:
            pairs.append((term, child))
            term = None
        child = child.next
    return pairs


def _lead_title(node: LexborNode) -> str:
    """The words an entry starts with that name the event: its bold or linked lead,
    else the text up to the first dash, colon, comma or full stop."""
    text = text_of(node)
    for lead in node.css(_LEAD):
        words = text_of(lead)
        if lead.mem_id != node.mem_id and len(words) > 3 and text.startswith(words):
            return words
    cut = _TITLE_END.search(text)
    return text[: cut.start()] if cut else text
