"""kill -9 during scrapes never damages the database nor loses an event.

The full stress (50 kills) is `python bench/kill_loop.py`; CI runs a few.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

BENCH = Path(__file__).parent.parent / "bench" / "kill_loop.py"


def load_kill_loop():
    spec = importlib.util.spec_from_file_location("kill_loop", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kill_9_during_scrapes_keeps_the_database_whole():
    kill_loop = load_kill_loop()
    loops = int(os.environ.get("AGGREGATOR_KILL_LOOPS", "4"))
    history = kill_loop.kill_loop(loops, seed=1)  # kills spread over a measured full scrape
    # kill_loop raises when integrity_check fails or the stored events drop between two
    # kills of one database (every third loop starts a new one)
    assert len(history) == loops + 1
    assert history[-1][1] == kill_loop.FEEDS * kill_loop.EVENTS_PER_FEED
