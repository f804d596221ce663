"""Work done ahead in a second process, taken over when it is needed.

A build has parts that need nothing but what is already known: reading the incident files
(known once they are listed), the ``api/`` exports and the parts of each page that are put in
when the page is written (known once the analysis is done). On a machine with two or more
CPUs, :class:`Ahead` computes such values in a forked child while this process goes on with
MkDocs' own work, and hands each value over when this process asks for it.

The child appends each value, pickled, to an unlinked temporary file; this process notes where
each value is and unpickles it when it is asked for, so it holds no more than it would hold
without the child. Nothing waits and nothing depends on the child: a value that is not there
yet (or never comes, because the child failed or was killed) is computed here with the same
function, so the result is the same with or without it. Pickling and reading back costs about a
tenth of reading an incident file (0.06 ms against 0.6 ms), so the child pays for itself.

No MkDocs here: :mod:`incident_loop.pipeline` and the plugin decide what to compute ahead.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import sys
import tempfile
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, NoReturn, TypeVar

K = TypeVar("K", bound=Hashable)

#: This environment variable set to ``0`` turns the second process off; set to ``force``, it
#: is used wherever it can be (whatever the number of values and CPUs: for tests).
ENV = "INCIDENT_LOOP_PARALLEL"
#: Fewer values than this are computed here: a fork costs a few milliseconds.
MIN_ITEMS = 100
#: A value in the file: its length and its key's length, the pickled key, the pickled value.
_HEADER = struct.Struct("<QI")


def available(items: int) -> bool:
    """Whether a second process can help with ``items`` values.

    Only on Linux (``fork`` without ``exec`` is unsafe on macOS and missing on Windows), only
    in a process with no other thread (the child would have the locks those threads hold but
    not the threads, which release them), with two or more CPUs, and unless :data:`ENV` says
    otherwise.
    """
    setting = os.environ.get(ENV, "").strip().lower()
    if setting == "0":
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    if threading.active_count() != 1:
        return False
    if setting == "force":
        return True
    return items >= MIN_ITEMS and _cpus() >= 2


def _cpus() -> float:
    """The CPUs this process may use: those it may run on, within its cgroup's CPU quota (a
    container limited to one CPU may still see every CPU of the machine)."""
    try:
        cpus: float = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as handle:
            quota, period = handle.read().split()[:2]
        if quota != "max":
            cpus = min(cpus, int(quota) / int(period))
    except (OSError, ValueError, ZeroDivisionError):
        pass  # no cgroup v2 quota
    return cpus


class Ahead(Generic[K]):
    """``compute(key)`` for each of ``keys``, in that order, in a forked child.

    :meth:`take` returns the child's value of a key, or ``None`` when the child has not
    delivered it (yet); the caller then computes it. A value is unpickled only when it is
    taken: until then this process knows only where it is in the file, so whatever order the
    values are taken in, it holds one at a time. :meth:`close` stops the child and lets go of
    everything. ``compute`` must not return ``None``.
    """

    def __init__(self, keys: Iterable[K], compute: Callable[[K], Any]) -> None:
        keys = list(keys)
        self._keys = set(keys)
        #: How many values the child makes, and how many this process took from it (for
        #: tests and benchmarks).
        self.count = len(self._keys)
        # Open until close(): the child writes to it while this process reads.
        self._file = tempfile.TemporaryFile()  # noqa: SIM115
        self._fd = self._file.fileno()
        self._offset = 0
        #: Where each value the child has delivered is: (offset, length) in the file.
        self._where: dict[K, tuple[int, int]] = {}
        self.taken = 0
        for stream in (sys.stdout, sys.stderr):  # or the child would print them again
            stream.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            _child(parent, self._fd, keys, compute)
        self._pid: int | None = pid

    def take(self, key: K) -> Any | None:
        """The child's value of ``key``, if it has delivered it; it is handed over once."""
        if key not in self._keys or self._fd < 0:
            return None
        if key not in self._where:
            self._scan()
        where = self._where.pop(key, None)
        if where is None:
            return None
        self._keys.discard(key)
        try:
            value = pickle.loads(os.pread(self._fd, where[1], where[0]))
        except Exception:  # whatever is wrong with it, the caller makes the value
            value = None
        else:
            self.taken += 1
        if not self._keys:  # every value taken: let go of the file now
            self.close()
        return value

    def _scan(self) -> None:
        """Note where the values are that the child has written since the last scan."""
        size = os.fstat(self._fd).st_size
        while self._offset + _HEADER.size <= size:
            length, key_length = _HEADER.unpack(os.pread(self._fd, _HEADER.size, self._offset))
            start = self._offset + _HEADER.size + key_length
            if start + length > size:
                return  # being written
            try:
                key = pickle.loads(os.pread(self._fd, key_length, start - key_length))
            except Exception:  # a damaged file: the caller makes the rest
                self._offset = size
                return
            self._where[key] = (start, length)
            self._offset = start + length

    def wait(self) -> None:
        """Wait until the child has made every value (or failed); for tests and benchmarks."""
        if self._pid is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = None

    def close(self) -> None:
        """Stop the child (if it is still at work) and let go of what it wrote."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):  # it has ended: reaped below
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):  # reaped by someone else
                os.waitpid(self._pid, 0)
            self._pid = None
        if self._fd >= 0:
            self._file.close()
            self._fd = -1
        self._where.clear()
        self._keys.clear()

    def __enter__(self) -> Ahead[K]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_pid", None) is not None:
            self.close()


def _child(
    parent: int, fd: int, keys: Iterable[K], compute: Callable[[K], Any]
) -> NoReturn:  # pragma: no cover
    """In the child: write each key and value (see :data:`_HEADER`), then leave without
    Python's clean-up (which would run the parent's ``atexit`` functions and flush its buffers
    a second time)."""
    code = 0
    try:
        _die_with_parent(parent)
        # The cycle collector would touch every object inherited from the parent, and so copy
        # its memory page by page; this process is short-lived and makes no cycles to collect.
        gc.disable()
        for key in keys:
            value = pickle.dumps(compute(key), protocol=pickle.HIGHEST_PROTOCOL)
            name = pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(_HEADER.pack(len(value), len(name)) + name + value)
            while view:
                view = view[os.write(fd, view) :]
    except BaseException:  # whatever it is, the parent makes the rest
        code = 1
    finally:
        os._exit(code)


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child
    """Have the kernel kill this child when ``parent``, which forked it, ends, however it ends
    (a build stopped by a signal does not run :meth:`Ahead.close`)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (ImportError, OSError, AttributeError):
        pass  # without it the child still ends when its work is done
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)
