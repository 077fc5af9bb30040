"""Long fuzz campaign: the properties of tests/test_fuzz.py with many examples.

    python bench/fuzz.py --examples 20000

Runs each property in its own pytest process, in parallel, with
AGGREGATOR_FUZZ_EXAMPLES set, and prints one line per property: passed or the
failing example hypothesis shrank to. Exit status is non-zero if any failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROPERTIES = (
    "test_extract_events_never_raises",
    "test_ics_extract_refuses_cleanly",
    "test_rss_extract_refuses_cleanly",
    "test_rss_and_atom_stay_strict_xml",
    "test_ics_stays_parseable",
    "test_json_loads",
)


def started(name: str, examples: int) -> subprocess.Popen[str]:
    env = {**os.environ, "AGGREGATOR_FUZZ_EXAMPLES": str(examples)}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        f"tests/test_fuzz.py::{name}",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20000)
    parser.add_argument("-k", "--only", help="run only properties whose name contains this")
    args = parser.parse_args()
    names = [n for n in PROPERTIES if not args.only or args.only in n]
    began = time.monotonic()
    running = {name: started(name, args.examples) for name in names}
    failed = 0
    for name, process in running.items():
        output, _ = process.communicate()
        if process.returncode == 0:
            print(f"ok      {name} ({args.examples} examples)")
        else:
            failed += 1
            # The error and the example hypothesis shrank to, not every captured log line.
            shown = [line for line in output.splitlines() if line.startswith(("E ", "FAILED"))]
            print(f"FAILED  {name}\n" + "\n".join(shown[-40:]))
    print(f"{len(names)} properties, {failed} failed, {time.monotonic() - began:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
