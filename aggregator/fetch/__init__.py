"""Fetch: the one place that does HTTP.

`client` holds the Fetcher and its records, `failures` turns httpx's exceptions and
HTTP statuses into our errors, `charset` decodes page bytes into text.
"""

from aggregator.fetch.charset import decode_body
from aggregator.fetch.client import Fetcher, Page, Validators

__all__ = ["Fetcher", "Page", "Validators", "decode_body"]
