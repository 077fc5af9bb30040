"""Extraction: pages in, RawEvents out. Pure: no network, no clock."""
