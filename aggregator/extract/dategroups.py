"""Lists and ranges: which day tokens belong together.

"les 4, 5 et 6 mai", "du 27 au 29 août", "10 ou 12 décembre", "19-20 mars"
are each one group of days; the connectors between them say whether the
group is a range ("au", "-", "entre … et …"), a list ("et", ",") or
alternatives ("ou"). Calendar dates are given later by `dateresolve`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from aggregator.extract.datetokens import CONNECTOR_RE, DayToken, MonthToken

_GLUE_REACH = 16  # longest gap between two days of one group: ", et le " and a few blanks
_RANGE = {"au", "-"}
_SPELLINGS = {",et": "et", ",ou": "ou", "jusqu'au": "au", "jusqu'a": "au", "a": "au"}


@dataclass
class Group:
    days: list[DayToken]
    connectors: list[str]  # one fewer than days: "au", "-", "et", ",", "/", "&" or "ou"

    @property
    def start(self) -> int:
        return self.days[0].start

    @property
    def end(self) -> int:
        return self.days[-1].end


def glued(pattern: re.Pattern[str], folded: str, start: int, end: int) -> re.Match[str] | None:
    """pattern.fullmatch(folded[start:end]) for a short gap only (long blanks would be slow)."""
    if not 0 <= end - start <= _GLUE_REACH:
        return None
    return pattern.fullmatch(folded, start, end)


def _connector(folded: str, left: DayToken, right: DayToken) -> str | None:
    glue = glued(CONNECTOR_RE, folded, left.end, right.start)
    if glue is None or right.prefix == "du":
        return None  # "du" starts a new range
    conn = glue["conn"] or ("au" if right.prefix == "au" else None)
    if conn is None:
        return None
    conn = conn.replace(" ", "")
    return _SPELLINGS.get(conn, conn)


def group_tokens(tokens: list[DayToken | MonthToken], folded: str) -> list[Group | MonthToken]:
    """Days joined by "et", "ou", "au", "-", "," become one group; months stay alone."""
    items: list[Group | MonthToken] = []
    for token in tokens:
        last = items[-1] if items else None
        if isinstance(token, DayToken) and isinstance(last, Group):
            conn = _connector(folded, last.days[-1], token)
            if conn is not None:
                last.days.append(token)
                last.connectors.append(conn)
                continue
        items.append(Group([token], []) if isinstance(token, DayToken) else token)
    return items


def runs(group: Group, dates: list[date]) -> list[list]:
    """[span start, span end, first day, last day] of each run of a group: days joined
    by "au" or "-" make one run, "et" and "," start a new one."""
    connectors = list(group.connectors)
    if len(dates) == 2 and group.days[0].prefix.startswith("entre"):
        connectors = ["au"]  # "entre le 3 et le 20"
    found: list[list] = []
    for i, (token, day) in enumerate(zip(group.days, dates, strict=True)):
        if i and connectors[i - 1] in _RANGE:
            found[-1][1], found[-1][3] = token.end, day
        else:
            found.append([token.start, token.end, day, day])
    return found


def chains(found: list[list]) -> list[list]:
    """Runs that follow day after day ("les 4, 5 et 6 mai") join into one range;
    others stay apart ("les 5 et 12 mai" is two dates)."""
    joined = [found[0]]
    for run in found[1:]:
        if run[2] - joined[-1][3] == timedelta(days=1):
            joined[-1] = [joined[-1][0], run[1], joined[-1][2], run[3]]
        else:
            joined.append(run)
    return joined
