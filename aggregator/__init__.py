"""aggregator: French partner-network events into unified feeds."""

from aggregator.extract.dates import DateMatch, parse_dates

__all__ = ["DateMatch", "parse_dates"]
__version__ = "0.1.0"
