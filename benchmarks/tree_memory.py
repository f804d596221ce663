#!/usr/bin/env python3
"""The memory of a command and every process it starts, together: what the machine needs.

    python benchmarks/tree_memory.py [--interval S] CMD...

``/usr/bin/time`` and ``getrusage`` give the peak of the largest single process, which is what
the targets of issue 6 compare. A build that forks a helper process (see
``plugins/incident_loop/ahead.py``) needs the memory of both while they run; this script samples,
every ``--interval`` seconds (default 0.02), the processes of the command's tree and prints the
peak of their summed proportional set size (PSS: a page shared by two processes counts half in
each, so shared pages are counted once in the sum), the peak of their summed RSS (which counts
shared pages twice) and the peak of the largest single RSS, in MiB, with the number of
processes seen. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _tree(pid: int) -> list[int]:
    result, todo = [], [pid]
    while todo:
        current = todo.pop()
        result.append(current)
        todo += _children(current)
    return result


def _kib(pid: int, name: str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interval", type=float, default=0.02)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if not args.command:
        parser.error("give the command to run")
    child = subprocess.Popen(args.command)
    peak_pss = peak_rss = peak_single = 0
    seen: set[int] = set()
    while child.poll() is None:
        pids = _tree(child.pid)
        seen.update(pids)
        rss = [_kib(pid, "status", "VmRSS") for pid in pids]
        pss = sum(_kib(pid, "smaps_rollup", "Pss") for pid in pids)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, sum(rss))
        peak_single = max(peak_single, max(rss, default=0))
        time.sleep(args.interval)
    print(
        f"peak summed PSS {peak_pss / 1024:.1f} MiB, summed RSS {peak_rss / 1024:.1f} MiB, "
        f"largest process RSS {peak_single / 1024:.1f} MiB; {len(seen)} processes; "
        f"exit code {child.returncode}",
        file=sys.stderr,
    )
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
