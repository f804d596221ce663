"""Large blocks of memory go back to the system when they are freed (glibc only).

glibc serves a request of 128 KiB or more with its own memory mapping, returned to the system on
``free``, and *raises that threshold* to the size of every such block that is freed (up to 32
MiB). A site with thousands of incidents has pages of several megabytes (the action register,
the incident log, the backlog): once MkDocs has written one, the threshold is a few megabytes,
and every later block below it comes from the heap, where a freed block stays part of the
process. Material's search plugin then serialises its index in blocks of one to three megabytes
right before it holds the whole index twice (as text and as bytes): those blocks stay behind as
holes that nothing else of that size reuses, on top of the peak. At N=5,000 that is 14 MiB of
the build's peak resident memory (221 -> 207 MiB, ``benchmarks/memory_timeline.py 5000``).

Fixing the threshold at glibc's own initial value keeps it from moving: large blocks are mapped
and unmapped as the first ones are. Pages below 128 KiB, which are nearly all of them, are not
affected. Elsewhere (macOS, musl, Windows) nothing is changed, and neither is it when the
environment already chooses: ``MALLOC_MMAP_THRESHOLD_`` or a ``glibc.malloc`` tunable set, or
another allocator loaded with ``LD_PRELOAD`` (jemalloc, tcmalloc).
"""

from __future__ import annotations

import os
import platform

#: ``M_MMAP_THRESHOLD`` of glibc's ``<malloc.h>``.
_M_MMAP_THRESHOLD = -3
#: glibc's initial ``mmap`` threshold (``DEFAULT_MMAP_THRESHOLD_MIN``): 128 KiB.
THRESHOLD = 128 * 1024

_done = False


def fix_mmap_threshold() -> bool:
    """Fix glibc's ``mmap`` threshold at 128 KiB for this process; ``True`` when it is set.

    Calling it again does nothing more. Where the C library is not glibc, nothing is changed.
    """
    global _done
    if _done:
        return True
    if platform.system() != "Linux" or _chosen_by_environment():
        return False
    try:
        import ctypes  # not in every Python build

        if platform.libc_ver()[0] != "glibc":  # reads the interpreter's binary
            return False
        mallopt = ctypes.CDLL(None).mallopt  # the C library the process runs on
    except (ImportError, OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    result: int = mallopt(_M_MMAP_THRESHOLD, THRESHOLD)
    _done = result == 1  # glibc returns 1 on success
    return _done


def _chosen_by_environment() -> bool:
    """Whether the user set glibc's allocator up, or replaced it: then it is left alone."""
    env = os.environ
    return bool(
        "MALLOC_MMAP_THRESHOLD_" in env
        or "glibc.malloc." in env.get("GLIBC_TUNABLES", "")
        or env.get("LD_PRELOAD", "").strip()
    )
