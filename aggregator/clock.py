"""The one place that knows what time it is.

Set AGGREGATOR_NOW=2019-07-15T10:00:00+02:00 to freeze the clock for tests,
demos and reproducible runs.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    """The current time, aware, in Europe/Paris."""
    frozen = os.environ.get("AGGREGATOR_NOW")
    if frozen:
        value = datetime.fromisoformat(frozen)
        if value.tzinfo is None:
            value = value.replace(tzinfo=PARIS)
        return value.astimezone(PARIS)
    return datetime.now(PARIS)


def today() -> date:
    return now().date()
