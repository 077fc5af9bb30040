"""Three independent ICS readers (icalendar, vobject, ical.js under Node) that
report the Europe/Paris wall-clock times each computes: {uid: (start, end)}."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

JS_DIR = Path(__file__).parent / "js"
PARIS = ZoneInfo("Europe/Paris")


def wall(value: datetime) -> str:
    return value.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def times_by_icalendar(data: bytes) -> dict[str, tuple[str, str]]:
    """icalendar, with times placed through the file's VTIMEZONE (not by TZID name)."""
    calendar = Calendar.from_ical(data)
    zone = calendar.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    result = {}
    for vevent in calendar.walk("VEVENT"):
        start = vevent["DTSTART"].dt
        if isinstance(start, datetime):
            end = vevent["DTEND"].dt if "DTEND" in vevent else start
            result[str(vevent["UID"])] = tuple(
                wall(value.replace(tzinfo=zone)) for value in (start, end)
            )
    return result


def times_by_vobject(data: bytes) -> dict[str, tuple[str, str]]:
    # vobject keeps the first VTIMEZONE it saw for each TZID for the life of
    # the process; forget it so that this file's own definition is used.
    registry = vars(vobject.icalendar)["__tzidMap"]
    saved = dict(registry)
    registry.pop("Europe/Paris", None)
    try:
        calendar = vobject.readOne(data.decode("utf-8"))
    finally:
        registry.clear()
        registry.update(saved)
    result = {}
    for vevent in calendar.vevent_list:
        start = vevent.dtstart.value
        if isinstance(start, datetime):
            end = vevent.dtend.value if hasattr(vevent, "dtend") else start
            result[vevent.uid.value] = (wall(start), wall(end))
    return result


def icaljs_output(
    data: bytes, tmp_path: Path, script: str = "ics_times.mjs"
) -> dict[str, dict[str, str]]:
    """What a script of tests/js prints for this file as JSON (ics_times.mjs: {uid: {start,
    end}}; ics_props.mjs: {uid: {property: value}})."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: cannot check the ICS with ical.js")
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        pytest.skip("tests/js/node_modules is missing: run `npm ci` in tests/js")
    path = tmp_path / "feed.ics"
    path.write_bytes(data)
    output = subprocess.run(
        ["node", str(JS_DIR / script), str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return json.loads(output)


def times_by_icaljs(data: bytes, tmp_path: Path) -> dict[str, tuple[str, str]]:
    return {
        uid: (times["start"], times["end"])
        for uid, times in icaljs_output(data, tmp_path).items()
        if "T" in times["start"]
    }
