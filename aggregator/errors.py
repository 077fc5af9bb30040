"""The exception tree. Every message is written for the admin who edits
sources.yaml, not for a programmer.

    AggregatorError
    ├── ConfigError          sources.yaml is missing, unreadable or invalid
    ├── FetchError           a page could not be fetched
    │   ├── RobotsDisallowed   robots.txt forbids the URL
    │   ├── TooLarge           the response passed the size cap
    │   └── HTTPStatusError    the server answered 4xx/5xx
    ├── ExtractError         a page could be fetched but not understood
    └── StoreError           the database cannot be opened or written
"""

from __future__ import annotations


class AggregatorError(Exception):
    """Base of every error this program reports."""


class ConfigError(AggregatorError):
    """sources.yaml is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class FetchError(AggregatorError):
    def __init__(self, url: str, message: str):
        self.url = url
        super().__init__(f"{url}: {message}")


class RobotsDisallowed(FetchError):
    pass


class TooLarge(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, url: str, status_code: int, message: str = ""):
        self.status_code = status_code
        super().__init__(url, message or f"the server answered HTTP {status_code}")


class ExtractError(AggregatorError):
    pass


class StoreError(AggregatorError):
    pass
