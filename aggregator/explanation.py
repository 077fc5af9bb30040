"""`aggregator extract --explain`: a readable report of what automatic extraction
found on a page and why: per event, the strategy and where each field came from;
then the candidate blocks it rejected, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from aggregator.extract.explain import Explained, Rejected
from aggregator.model import Event, RawEvent, SourceRef
from aggregator.normalise import to_event

_INDENT = "     "


def report(
    target: str,
    raws: Sequence[RawEvent],
    notes: Sequence[Explained],
    rejected: Sequence[Rejected],
    *,
    strategy: str,
    pages: int,
    page_url: str,
    reference: date,
    today: date,
) -> str:
    """The explanation of one dry run, as lines of text."""
    source = SourceRef(id="page", name=target, url=page_url)
    lines: list[str] = []
    count = 0
    dropped: list[Rejected] = []
    for raw, note in zip(raws, notes, strict=True):
        event = to_event(
            raw, source=source, region=None, tags=(), page_url=page_url, reference=reference
        )
        if event is None:
            dropped.append(
                Rejected(
                    page=note.page,
                    where=note.strategy,
                    text=raw.title,
                    reason="no title or no event date once normalised",
                )
            )
            continue
        count += 1
        lines += _event_lines(count, event, note, today)
    head = [
        f"{target}: {count} event(s), read by {strategy or 'nothing'}, {pages} page(s) fetched",
        "",
    ]
    tail = _rejected_lines([*dropped, *rejected])
    return "\n".join(head + lines + tail).rstrip() + "\n"


def _event_lines(number: int, event: Event, note: Explained, today: date) -> list[str]:
    lines = [f"{number:>3}. {event.title}", f"{_INDENT}when:  {_when(event)}"]
    city = event.city if event.city and event.city not in (event.address or "") else None
    place = ", ".join(p for p in (event.venue, event.address, city) if p)
    if place or event.online:
        online = ("online" if not place else "also online") if event.online else ""
        lines.append(f"{_INDENT}where: " + ", ".join(p for p in (place, online) if p))
    if event.status.value != "scheduled":
        lines.append(f"{_INDENT}status: {event.status.value}")
    if event.registration_url:
        lines.append(f"{_INDENT}registration: {event.registration_url}")
    lines.append(f"{_INDENT}page:  {note.page}")
    lines.append(f"{_INDENT}read by {note.strategy}:")
    lines += [f"{_INDENT}  {line}" for line in note.as_text()]
    if _last_day(event) < today:
        lines.append(f"{_INDENT}(over before today: stored, but not listed in the feeds)")
    lines.append("")
    return lines


def _when(event: Event) -> str:
    def shown(value: date | datetime) -> str:
        return (
            value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value.isoformat()
        )

    text = shown(event.start)
    if event.end is not None:
        same_day = (
            isinstance(event.end, datetime)
            and isinstance(event.start, datetime)
            and event.end.date() == event.start.date()
        )
        text += " – " + (event.end.strftime("%H:%M") if same_day else shown(event.end))
    if event.precision.value == "month":
        text = f"{event.start:%Y-%m} (date à préciser)"
    if event.alternatives:
        text += " or " + ", ".join(d.isoformat() for d in event.alternatives[1:])
    return text


def _last_day(event: Event) -> date:
    value = event.end or event.start
    return value.date() if isinstance(value, datetime) else value


def _rejected_lines(rejected: Sequence[Rejected]) -> list[str]:
    if not rejected:
        return ["No candidate block was rejected."]
    lines = [f"Rejected candidates ({len(rejected)}):"]
    for item in rejected:
        lines.append(f"  - {item.reason}")
        lines.append(f"      {item.where}: {item.text}")
        lines.append(f"      on {item.page}")
    return lines
