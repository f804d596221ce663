"""Large freed blocks go back to the system (``incident_loop.allocator``, issue 6).

Run in a child process each: the setting is for the whole process, and the test reads that
process's resident memory.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the allocator setting exists only in glibc; elsewhere nothing is changed",
)

# What a big site's build does: a page of 8 MiB is made and freed (glibc then serves blocks up
# to 8 MiB from its heap), then 24 MiB in blocks of 2 MiB (the search index's JSON pieces), then
# a small block that stays (the heap cannot shrink below it), then the pieces are freed.
CHILD = """
import sys
from pathlib import Path

def rss_mib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

if sys.argv[1] == "fixed":
    from incident_loop.allocator import fix_mmap_threshold
    assert fix_mmap_threshold()
page = bytearray(8 << 20)
del page
before = rss_mib()
pieces = [bytearray(2 << 20) for _ in range(12)]
for piece in pieces:
    piece[::4096] = b"x" * len(piece[::4096])  # touch every page
kept = bytearray(600)
del pieces
print(round(rss_mib() - before))
"""


#: The children's environment without allocator settings (with one the setting is not made).
CLEAN_ENV = {
    k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUN", "LD_PRELOAD"))
}


def _left_behind(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode],
        capture_output=True,
        text=True,
        check=True,
        env=CLEAN_ENV,
    )
    return int(out.stdout)


def test_freed_large_blocks_are_returned_with_the_fixed_threshold() -> None:
    assert _left_behind("fixed") <= 6  # 2 measured; without the setting 24


def test_without_it_glibc_keeps_them_in_the_heap() -> None:
    """The behaviour that the setting removes, so that the test above can fail."""
    assert _left_behind("default") >= 20


def test_calling_it_again_changes_nothing() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from incident_loop.allocator import fix_mmap_threshold as f; print(f(), f())",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=CLEAN_ENV,
    )
    assert out.stdout.split() == ["True", "True"]


@pytest.mark.parametrize(
    "name, value",
    [
        ("MALLOC_MMAP_THRESHOLD_", "1048576"),
        ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0"),
        ("LD_PRELOAD", "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"),
    ],
)
def test_an_allocator_set_up_by_the_environment_is_left_alone(name: str, value: str) -> None:
    """The user chose; ``LD_PRELOAD`` names a library that need not exist here: it is only read."""
    code = (
        "import os\n"
        f"os.environ[{name!r}] = {value!r}\n"
        "from incident_loop.allocator import fix_mmap_threshold\n"
        "print(fix_mmap_threshold())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=CLEAN_ENV
    )
    assert out.stdout.split() == ["False"]
