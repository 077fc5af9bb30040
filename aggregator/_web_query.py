"""The query string of a feed or page URL, read into `Filters`.

Part of `web.py`. Every parameter is bounded and checked, so a bad one gets a
400 that says which and how to write it, never an error page.
"""

from __future__ import annotations

import re
from datetime import date

from starlette.requests import Request

from aggregator import clock
from aggregator.feeds import Filters

MAX_LIMIT = 5000
MAX_PARAM = 200  # characters per query parameter
_SOURCE_ID = re.compile(r"[a-z0-9-]+")


class BadRequest(ValueError):
    """A query parameter the server cannot use; answered with 400."""


def _param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is not None and len(value) > MAX_PARAM:
        raise BadRequest(f"{name} is {len(value)} characters long; at most {MAX_PARAM} are read")
    return value or None


def _date_param(request: Request, name: str) -> date | None:
    value = _param(request, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name}={value!r} is not a date; write YYYY-MM-DD") from None


def filters_of(request: Request, default_limit: int | None = None) -> Filters:
    """The feed filters of a query string; BadRequest when one is unusable."""
    limit = _param(request, "limit")
    if limit is not None and (not limit.isdigit() or not 0 < int(limit) <= MAX_LIMIT):
        raise BadRequest(f"limit={limit!r} must be a whole number from 1 to {MAX_LIMIT}")
    source = _param(request, "source")
    if source is not None and not _SOURCE_ID.fullmatch(source):
        raise BadRequest(
            f"source={source!r} is not a source id (lowercase letters, digits "
            "and '-', as in sources.yaml)"
        )
    start, end = _date_param(request, "from"), _date_param(request, "to")
    if start and end and start > end:
        raise BadRequest(f"from={start} is after to={end}; swap them")
    return Filters(
        source=source,
        tag=_param(request, "tag"),
        region=_param(request, "region"),
        city=_param(request, "city"),
        start=start,
        end=end,
        q=_param(request, "q"),
        limit=int(limit) if limit else default_limit,
        include_past=start is not None and start < clock.today(),
    )
