#!/usr/bin/env python3
"""Run a command and write its peak RSS (KiB) and CPU time to a file: a stand-in for GNU time.

    python benchmarks/rss_wrapper.py OUT_FILE COMMAND [ARG...]

Used by ``run.py`` when ``/usr/bin/time`` (Debian package ``time``) is missing. The wrapper has
exactly one child, so ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is that child's peak (the largest
of it and of the processes it waited for), in KiB on Linux. The file gets one line like GNU
``time -f "%M %U %S"``: peak KiB, user seconds, system seconds. Exits with the child's exit code.
"""

from __future__ import annotations

import resource
import subprocess
import sys


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out, command = argv[0], argv[1:]
    code = subprocess.call(command)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = usage.ru_maxrss
    if sys.platform == "darwin":  # bytes there
        peak //= 1024
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(f"{peak} {usage.ru_utime:.2f} {usage.ru_stime:.2f}\n")
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
