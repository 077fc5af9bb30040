"""aggregator: French partner-network events into unified feeds.

    >>> from datetime import date
    >>> [m.start for m in parse_dates("les 13 et 14 juin", date(2019, 5, 2))]
    [datetime.date(2019, 6, 13)]
"""

from aggregator.api import extract_events
from aggregator.extract.dates import DateMatch, parse_dates

__all__ = ["DateMatch", "extract_events", "parse_dates"]
__version__ = "0.1.0"
