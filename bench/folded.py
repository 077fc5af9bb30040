"""Summaries of py-spy's raw ("folded") stacks: where a process spent its CPU time.

    python bench/folded.py STACKS.folded [--top K]

py-spy writes one line per distinct stack, `frame;frame;... count`, each frame
`function (file:line)`. The summary lists the functions holding the most
samples, inclusive (anywhere on the stack) and exclusive (running themselves),
as shares of all samples. Frames of asyncio's loop machinery are left out of
the inclusive list: every sample of an asyncio program passes through them.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>.*?)(?::\d+)?\)$")
_PROJECT = str(Path(__file__).resolve().parent.parent) + "/"
_PLUMBING = ("asyncio/", "<frozen", "contextlib.py", "runners.py", "threading.py")


def _frame_name(frame: str) -> str:
    """`function (file)` with the site-packages or project prefix cut off the file."""
    found = _FRAME.match(frame.strip())
    if not found:
        return frame.strip()
    file = found["file"].removeprefix(_PROJECT)
    file = re.sub(r"^.*?(site-packages|python3\.\d+)/", "", file)
    return f"{found['function']} ({file})"


def read_stacks(path: Path) -> tuple[Counter, Counter, int]:
    """(inclusive samples, exclusive samples, total samples) per function."""
    inclusive: Counter = Counter()
    exclusive: Counter = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        samples = int(count)
        frames = [_frame_name(f) for f in stack.split(";")]
        total += samples
        exclusive[frames[-1]] += samples
        for name in set(frames):
            inclusive[name] += samples
    return inclusive, exclusive, total


def summary(path: Path, top: int = 30) -> str:
    inclusive, exclusive, total = read_stacks(path)
    if not total:
        return "no samples"
    lines = [f"{total} samples; inclusive share (function anywhere on the stack):"]
    shown = [(n, c) for n, c in inclusive.most_common() if not any(p in n for p in _PLUMBING)]
    lines += [f"  {c / total:6.1%}  {n}" for n, c in shown[:top]]
    lines.append("exclusive share (function itself running):")
    lines += [f"  {c / total:6.1%}  {n}" for n, c in exclusive.most_common(top // 2)]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 30
    print(summary(Path(argv[0]), top))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
