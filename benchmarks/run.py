#!/usr/bin/env python3
"""The performance guard: incident-loop against plain MkDocs + Material, PyYAML and the blog.

    python benchmarks/run.py [--sizes 1000,5000] [--repeats 3] [--quick] [--json FILE]
                             [--skip blog,light,light-blog,serve,check]

Generates the projects (``benchmarks/generate.py``), the full ones and the light ones
(``--light``), into a temporary directory, then runs every measurement in a child process,
interleaved (A B A B ...), timing its wall clock and its peak resident memory (GNU
``/usr/bin/time`` when present, else ``benchmarks/rss_wrapper.py``). The build runs in one
process, so the peak of that process is the build's. Prints the medians, then one line per target
with its limit and PASS or FAIL, and exits 1 when a target fails. A target compares two
measurements of the same rounds: its value is the median of their ratios round by round (the two
runs of a round are seconds apart, so a drift of the shared machine's speed between rounds cancels
out). With sizes ``S,L`` (default ``1000,5000``), for the full pages and again for the light
pages, each against the baseline and the blog peer made of the same pages:

- at S and at L: incident-loop build time / baseline build time <= 1.5;
- at S and at L: incident-loop peak memory / baseline peak memory <= 1.6;
- at S and at L: Material blog plugin build time / incident-loop build time >= 2.5 (for the light
  pages at S only: the blog plugin's time grows faster than its posts, and its light build at L
  would cost more than all the other light measurements);

and, for the full pages only:

- linear growth: (incident-loop build time / L) / (build time / S) <= 1.2;
- ``incident-loop check`` at L / pure-Python PyYAML parsing of the front matters at L <= 0.5;
- serve at S: edit one incident under ``mkdocs serve``, time until its page is served with the new
  content, / baseline build at S <= 1.5;
- ``mkdocs serve --dirty`` at S and at L (``serve_latency.py``, after the other measurements, on
  the same projects): for each kind of edit (title, a field, body, new incident, partner page),
  the median seconds from an edit's write to its text being served, over ``--repeats`` edits,
  <= 2 at S and <= 5 at L (issue 19's targets, in seconds: the preview a writer waits for).

Timing assertions never go into the test suite: this script is the only place they live.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402
import serve_latency  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
GNU_TIME = Path("/usr/bin/time")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1"}
ENV.pop("SOURCE_DATE_EPOCH", None)

_children: set[subprocess.Popen[bytes]] = set()  # processes started here, to stop on exit

#: The limits of the performance guard ("Redesign the house"; see benchmarks/README.md).
BUILD_TIME_LIMIT = 1.5  # incident-loop / baseline, at most
PEAK_MEMORY_LIMIT = 1.6  # incident-loop / baseline, at most
BLOG_SPEEDUP_LIMIT = 2.5  # Material blog / incident-loop, at least
LINEAR_GROWTH_LIMIT = 1.2
CHECK_LIMIT = 0.5
SERVE_LIMIT = 1.5
VARIANTS = ("full", "light")
LABEL = 50  # width of a measurement's label in the output
SKIPPABLE = ("blog", "light", "light-blog", "serve", "check")


class BenchError(Exception):
    """A measurement that could not be taken (a failed build, a timeout)."""


# --------------------------------------------------------------------------- child processes


def _gnu_time_works() -> bool:
    if not GNU_TIME.is_file():
        return False
    with tempfile.NamedTemporaryFile("r") as out:
        try:
            subprocess.run(
                [str(GNU_TIME), "-f", "%M", "-o", out.name, "true"],
                check=True,
                capture_output=True,
                timeout=10,
            )
            return out.read().strip().isdigit()
        except (OSError, subprocess.SubprocessError):
            return False


USE_GNU_TIME = _gnu_time_works()


def _stop(proc: subprocess.Popen[bytes], first: int = signal.SIGTERM, grace: float = 10) -> None:
    """Stop a child we started, and its process group (it was started in a session of its own)."""
    for sig in (first, signal.SIGKILL):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    _children.discard(proc)


def _spawn(cmd: list[str], log: Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=ENV,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _children.add(proc)
    return proc


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


Sample = tuple[float, float, float]  # wall seconds, peak RSS MiB (0: not measured), CPU seconds


def timed(cmd: list[str], log: Path, timeout: float) -> Sample:
    """Run ``cmd``; return (wall s, peak RSS MiB, user + system CPU s). BenchError on failure.

    The wall time decides the targets. The CPU time is printed beside it: on a machine shared
    with other work it varies much less than the wall time.
    """
    rss_file = log.with_suffix(".rss")
    rss_file.unlink(missing_ok=True)
    if USE_GNU_TIME:
        wrapped = [str(GNU_TIME), "-f", "%M %U %S", "-o", str(rss_file), *cmd]
    else:
        wrapped = [PYTHON, str(HERE / "rss_wrapper.py"), str(rss_file), *cmd]
    log.write_text(f"$ {' '.join(cmd)}\n")
    start = time.perf_counter()
    proc = _spawn(wrapped, log)
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise BenchError(f"timed out after {timeout:.0f} s: {' '.join(cmd)}") from None
    wall = time.perf_counter() - start
    _children.discard(proc)
    if code != 0:
        raise BenchError(f"exit code {code}: {' '.join(cmd)}\n{_tail(log)}")
    try:
        kib, user, system = rss_file.read_text().splitlines()[-1].split()
        return wall, int(kib) / 1024, float(user) + float(system)
    except (OSError, ValueError, IndexError):
        raise BenchError(f"no peak memory reported for {' '.join(cmd)}") from None


def snapshot(target: Path) -> None:
    """Copy the plugin package to ``target`` and put it first on the children's PYTHONPATH.

    The editable install points at ``plugins/``; a copy taken now keeps every measurement of this
    run on the same code even when someone edits the sources meanwhile. Byte-compiled here, so
    that no child pays for compiling it (PYTHONDONTWRITEBYTECODE may be set).
    """
    source = HERE.parent / "plugins" / "incident_loop"
    if not source.is_dir():
        raise BenchError(f"{source} not found; run with --no-snapshot to use the installed package")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target / "incident_loop", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", str(target)], check=True, env=ENV, timeout=120
    )
    ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target), ENV.get("PYTHONPATH")]))
    where = subprocess.run(
        [PYTHON, "-c", "import incident_loop; print(incident_loop.__file__)"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    if not where.startswith(str(target)):
        raise BenchError(f"the copy of the plugin is not the one imported ({where or 'nothing'})")
    print(f"  {'plugin code:':<22} a copy of {source} in {target}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float) -> str | None:
    """The body of ``url``, or None when nothing answers (yet). Raises BenchError on HTTP errors."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return str(response.read().decode("utf-8", errors="replace"))
    except urllib.error.HTTPError as exc:
        raise BenchError(f"GET {url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def serve_edit(project: Path, log: Path, *, timeout: float) -> Sample:
    """Start ``mkdocs serve``, wait for the first build, append a line to one incident and time
    until that incident's page is served with the line. Returns (seconds, 0, 0)."""
    incident, incident_id = _some_incident(project)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/incidents/{incident_id}/"
    cmd = [
        PYTHON,
        "-m",
        "mkdocs",
        "serve",
        "--livereload",
        "-f",
        str(project / "mkdocs.yml"),
        "-a",
        f"127.0.0.1:{port}",
    ]
    log.write_text(f"$ {' '.join(cmd)}\n")
    original = incident.read_bytes()
    token = f"serve-edit-{time.time_ns()}"
    proc = _spawn(cmd, log)
    try:
        deadline = time.monotonic() + timeout
        while _get(url, timeout=5) is None:  # the first build: nothing answers until it is done
            if proc.poll() is not None:
                raise BenchError(f"mkdocs serve exited with {proc.returncode}\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise BenchError(f"mkdocs serve: no first build within {timeout:.0f} s")
            time.sleep(0.25)
        time.sleep(1.5)  # let the file watcher take its first snapshot (it polls every 0.5 s)
        start = time.perf_counter()
        incident.write_bytes(original + f"\nEdited by the benchmark: {token}.\n".encode())
        deadline = time.monotonic() + timeout
        while True:
            body = _get(url, timeout=max(1.0, deadline - time.monotonic()))
            if body is not None and token in body:
                return time.perf_counter() - start, 0.0, 0.0
            if proc.poll() is not None:
                raise BenchError(f"mkdocs serve exited with {proc.returncode}\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise BenchError(
                    f"mkdocs serve: the edited page was not served within {timeout:.0f} s"
                )
            time.sleep(0.05)
    finally:
        _stop(proc, first=signal.SIGINT)
        incident.write_bytes(original)


def _some_incident(project: Path) -> tuple[Path, str]:
    files = sorted((project / "incidents").rglob("*.md"))
    path = files[len(files) // 2]
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("id: "):
            return path, line[4:].strip()
    raise BenchError(f"{path} has no id")


# --------------------------------------------------------------------------- measurements


@dataclass
class Task:
    key: str
    label: str
    n: int
    run: Callable[[Path], Sample]
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None
    warnings: int = 0  # WARNING lines in the log of the last run (builds only)

    @property
    def time(self) -> float | None:
        return statistics.median(s[0] for s in self.samples) if self.samples else None

    @property
    def rss(self) -> float | None:
        """Median peak RSS in MiB; None when not measured (serve)."""
        return statistics.median(s[1] for s in self.samples) or None if self.samples else None

    @property
    def cpu(self) -> float | None:
        """Median user + system CPU seconds; None when not measured (serve)."""
        return statistics.median(s[2] for s in self.samples) or None if self.samples else None


def build_task(key: str, label: str, n: int, project: Path, work: Path, timeout: float) -> Task:
    """``mkdocs build`` into an empty directory (removed before and after, outside the timing).

    Not ``--strict``, so that a warning does not stop the measurement; the warnings are counted
    and reported instead.
    """
    site = work / f"site-{key}"

    def run(log: Path) -> Sample:
        shutil.rmtree(site, ignore_errors=True)
        try:
            result = timed(
                [
                    PYTHON,
                    "-m",
                    "mkdocs",
                    "build",
                    "-f",
                    str(project / "mkdocs.yml"),
                    "-d",
                    str(site),
                ],
                log,
                timeout,
            )
        finally:
            shutil.rmtree(site, ignore_errors=True)
        task.warnings = sum(
            line.startswith("WARNING") for line in log.read_text(errors="replace").splitlines()
        )
        return result

    task = Task(key, label, n, run)
    return task


def command_run(cmd: list[str], timeout: float) -> Callable[[Path], Sample]:
    def run(log: Path) -> Sample:
        return timed(cmd, log, timeout)

    return run


def run_rounds(tasks: list[Task], repeats: int, work: Path) -> None:
    """A B C A B C ...: every round runs each task once, in the same order."""
    for round_no in range(1, repeats + 1):
        for task in tasks:
            if task.error:
                continue  # it failed or timed out once: do not spend the time again
            log = work / "logs" / f"{task.key}-{round_no}.log"
            print(
                f"  round {round_no}/{repeats}  {task.label:<{LABEL}} N={task.n:<6}",
                end="",
                flush=True,
            )
            try:
                wall, rss, cpu = task.run(log)
            except BenchError as exc:
                task.error = str(exc)
                print(f"  FAILED: {str(exc).splitlines()[0]}  (log: {log})", flush=True)
                continue
            task.samples.append((wall, rss, cpu))
            mem = f"  {rss:7.0f} MiB  {cpu:7.1f} s CPU" if rss else ""
            note = f"  ({task.warnings} WARNING lines, see {log})" if task.warnings else ""
            print(f"  {wall:8.2f} s{mem}{note}", flush=True)


# --------------------------------------------------------------------------- report


@dataclass
class Target:
    name: str
    measured: float | None
    limit: float
    detail: str
    at_least: bool = False  # the limit is a minimum (a speed-up), not a maximum

    @property
    def passed(self) -> bool:
        if self.measured is None:
            return False
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    def line(self) -> str:
        if self.measured is None:
            shown, verdict = "n/a", "FAIL (not measured)"
        else:
            shown = f"{self.measured:.2f}"
            if self.passed:
                verdict = "PASS"
            elif self.at_least:
                verdict = f"FAIL ({(1 - self.measured / self.limit) * 100:.1f} % under)"
            else:
                verdict = f"FAIL ({(self.measured / self.limit - 1) * 100:.1f} % over)"
        bound = ">=" if self.at_least else "<="
        return f"{self.name:<54} {shown:>8}  {bound} {self.limit:<5.2f} {verdict:<24} {self.detail}"


def task_key(kind: str, n: int, variant: str = "full") -> str:
    """``il-1000``, ``base-5000``, ``blog-1000``; ``light-il-1000`` and so on for light pages."""
    return f"{kind}-{n}" if variant == "full" else f"{variant}-{kind}-{n}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _round_ratios(a: Task, b: Task, index: int = 0) -> list[float]:
    """``a / b`` for each round both ran in (``index``: 0 wall time, 1 peak RSS, 2 CPU time).

    A task that fails is not run again, so its samples are those of the first rounds: the
    rounds both completed are the first ``min(len(a), len(b))``. Nothing when a value is 0
    (not measured).
    """
    rounds = zip(a.samples, b.samples, strict=False)  # the shorter one ends the rounds
    pairs = [(x[index], y[index]) for x, y in rounds]
    return [x / y for x, y in pairs] if all(x and y for x, y in pairs) else []


def _paired(a: Task, b: Task, index: int = 0) -> float | None:
    """The median of the per-round ratios of a paired run (the two runs of a round are seconds
    apart, so a drift of the machine's speed between rounds cancels out); ``None`` when the
    two have no round in common."""
    ratios = _round_ratios(a, b, index)
    return statistics.median(ratios) if ratios else None


def _rounds(a: Task, b: Task, index: int = 0) -> str:
    ratios = _round_ratios(a, b, index)
    return f"; rounds {', '.join(f'{r:.2f}' for r in ratios)}" if len(ratios) > 1 else ""


def targets(t: dict[str, Task], small: int, large: int) -> list[Target]:
    out = []
    for variant in VARIANTS:
        pages = "" if variant == "full" else f", {variant}"
        for n in (small, large):
            il, base, blog = (t.get(task_key(kind, n, variant)) for kind in ("il", "base", "blog"))
            if il is not None and base is not None:
                out.append(
                    Target(
                        f"build time, N={n}{pages} (incident-loop / baseline)",
                        _paired(il, base),
                        BUILD_TIME_LIMIT,
                        _pair(il.time, base.time, "s") + _cpu_note(il, base) + _rounds(il, base),
                    )
                )
                out.append(
                    Target(
                        f"peak memory, N={n}{pages} (incident-loop / baseline)",
                        _paired(il, base, 1),
                        PEAK_MEMORY_LIMIT,
                        _pair(il.rss, base.rss, "MiB"),
                    )
                )
            if il is not None and blog is not None:
                out.append(
                    Target(
                        f"vs Material blog, N={n}{pages} (blog / incident-loop)",
                        _paired(blog, il),
                        BLOG_SPEEDUP_LIMIT,
                        _pair(blog.time, il.time, "s") + _cpu_note(blog, il) + _rounds(blog, il),
                        at_least=True,
                    )
                )
        if variant == "full":
            out.extend(_full_only(t, small, large))
    return out


def _full_only(t: dict[str, Task], small: int, large: int) -> list[Target]:
    """The targets measured on the full pages only: growth, ``check`` and serve."""
    out = []
    il_s, il_l = t.get(task_key("il", small)), t.get(task_key("il", large))
    if il_s is not None and il_l is not None and small != large:
        a, b = il_s.time, il_l.time
        per = (b / large) / (a / small) if a and b else None
        detail = f"{a / small * 1000:.1f} ms vs {b / large * 1000:.1f} ms" if a and b else ""
        if detail and il_s.cpu and il_l.cpu:
            detail += f" (CPU {(il_l.cpu / large) / (il_s.cpu / small):.2f})"
        out.append(
            Target(
                f"linear growth (s per incident, {large} / {small})",
                per,
                LINEAR_GROWTH_LIMIT,
                detail,
            )
        )
    if "check" in t and "yaml" in t:
        c, y = t["check"].time, t["yaml"].time
        out.append(
            Target(
                f"incident-loop check / PyYAML SafeLoader, N={t['check'].n}",
                _paired(t["check"], t["yaml"]),
                CHECK_LIMIT,
                _pair(c, y, "s") + _cpu_note(t["check"], t["yaml"]),
            )
        )
    base = t.get(task_key("base", t["serve"].n)) if "serve" in t else None
    if base is not None:
        serve = t["serve"]
        out.append(
            Target(
                f"serve edit -> page, N={serve.n} (/ baseline build)",
                _paired(serve, base),
                SERVE_LIMIT,
                _pair(serve.time, base.time, "s"),
            )
        )
    return out


#: Issue 19: an edit under ``mkdocs serve --dirty`` is visible within these seconds at S and L.
DIRTY_LIMITS = (2.0, 5.0)


def _dirty_kinds(samples: dict[str, list[float]]) -> list[str]:
    return [f"{kind} {statistics.median(s):.2f}" for kind, s in samples.items() if s]


def dirty_targets(dirty: dict[int, dict[str, list[float]]], small: int, large: int) -> list[Target]:
    """Edit-to-visible under ``mkdocs serve --dirty``, in seconds (see the module's help): one
    target per kind of edit, since the issue holds each of them to the limit."""
    results = []
    for n, limit in zip((small, large), DIRTY_LIMITS, strict=True):
        for kind, samples in dirty.get(n, {}).items():
            results.append(
                Target(
                    f"serve --dirty {kind} -> visible, N={n} (median s)",
                    statistics.median(samples) if samples else None,
                    limit,
                    ", ".join(f"{s:.2f}" for s in samples),
                )
            )
    return results


def _cpu_note(a: Task, b: Task) -> str:
    ratio = _paired(a, b, 2)
    return f" (CPU {ratio:.2f})" if ratio is not None else ""


def _pair(a: float | None, b: float | None, unit: str) -> str:
    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1f} {unit}"

    return f"{fmt(a)} vs {fmt(b)}"


def machine() -> dict[str, Any]:
    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    mem = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "mkdocs": version("mkdocs"),
        "mkdocs-material": version("mkdocs-material"),
        "mkdocs-macros-plugin": version("mkdocs-macros-plugin"),
        "pyyaml": version("PyYAML"),
        "mkdocs-incident-loop": version("mkdocs-incident-loop"),
        "peak memory via": "/usr/bin/time" if USE_GNU_TIME else "rss_wrapper.py",
        "source": _source_state(),
    }


def _source_state() -> str:
    """The commit of the plugin sources and whether plugins/ has uncommitted changes (read-only)."""
    git = ["git", "--no-optional-locks", "-C", str(HERE.parent)]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no", "--", "plugins"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if not head:
        return "unknown"
    return f"{head}{' + uncommitted changes in plugins/' if dirty else ''}"


def _load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,5000",
        help="two sizes S,L (default 1000,5000): blog and serve run at S, check at L",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: sizes 200,1000 and one repeat (unless given)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds before one child process is stopped (default 1800)",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma list of: blog (every blog peer), light (the light pages), light-blog (the "
        "light pages' blog peer, measured at S only), serve, check",
    )
    parser.add_argument("--workdir", type=Path, help="directory for the projects (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects and logs")
    parser.add_argument("--json", type=Path, help="write samples, medians and targets to FILE")
    parser.add_argument(
        "--no-snapshot",
        action="store_true",
        help="use plugins/incident_loop as it is on disk during the run, instead of a copy "
        "taken at the start (the copy keeps all measurements on the same code while the "
        "sources are being edited)",
    )
    args = parser.parse_args(argv)
    given = argv if argv is not None else sys.argv[1:]
    if args.quick:
        if not any(a.startswith("--sizes") for a in given):
            args.sizes = "200,1000"
        if not any(a.startswith("--repeats") for a in given):
            args.repeats = 1
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error("--sizes takes two numbers, like 1000,5000")
    if len(sizes) != 2 or min(sizes) < 1:
        parser.error("--sizes takes two positive numbers, like 1000,5000")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    small, large = sizes
    bad = skip - set(SKIPPABLE)
    if bad:
        parser.error(f"--skip: unknown {', '.join(sorted(bad))}")

    info = machine()
    print("incident-loop benchmarks (one process per build; see benchmarks/README.md)")
    for key, value in info.items():
        print(f"  {key + ':':<22} {value}")
    print(f"  {'load average:':<22} {_load()} (at start)")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="incident-loop-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "logs").mkdir(exist_ok=True)
    tasks: dict[str, Task] = {}
    dirty: dict[int, dict[str, list[float]]] = {}
    try:
        if not args.no_snapshot:
            snapshot(work / "src")
        variants = [v for v in VARIANTS if v not in skip]
        print(f"\nGenerating projects in {work}")
        roots: dict[tuple[str, int], dict[str, Path]] = {}
        for variant in variants:
            for n in dict.fromkeys(sizes):
                # The light pages' blog peer only at S: the blog plugin's time grows faster than
                # its posts, so at L it would take longer than the rest of the light pages.
                with_blog = "blog" not in skip and (
                    variant == "full" or (n == small and f"{variant}-blog" not in skip)
                )
                start = time.perf_counter()
                roots[variant, n] = generate.generate(
                    n,
                    work / f"{'n' if variant == 'full' else variant}{n}",
                    args.seed,
                    blog=with_blog,
                    light=variant == "light",
                    force=True,
                )
                print(
                    f"  N={n}, {variant} pages: {', '.join(roots[variant, n])} "
                    f"in {time.perf_counter() - start:.1f} s"
                )
        for (variant, n), project in roots.items():  # valid before anything is timed
            check = subprocess.run(
                [str(BIN / "incident-loop"), "check", str(project["incident-loop"])],
                env=ENV,
                capture_output=True,
                text=True,
                timeout=args.timeout,
            )
            summary = (check.stdout.strip().splitlines() or [""])[-1]
            print(f"  check N={n}, {variant} pages: {summary}")
            if check.returncode != 0:
                raise BenchError(
                    f"the generated project is not valid:\n{(check.stdout + check.stderr)[-3000:]}"
                )

        groups: list[list[Task]] = []
        for n in dict.fromkeys(sizes):
            group = []
            for variant in variants:
                named = "" if variant == "full" else f"{variant} pages: "
                for kind, project_kind, label in (
                    ("il", "incident-loop", "incident-loop build"),
                    ("base", "baseline", "baseline build (Material, no plugin)"),
                    ("blog", "blog", "Material blog plugin build"),
                ):
                    project = roots[variant, n].get(project_kind)
                    if project is not None:
                        key = task_key(kind, n, variant)
                        group.append(build_task(key, named + label, n, project, work, args.timeout))
                if variant != "full":
                    continue
                project = roots[variant, n]["incident-loop"]
                if n == small and "serve" not in skip:
                    group.append(
                        Task(
                            "serve",
                            "serve: edit -> page served",
                            n,
                            functools.partial(serve_edit, project, timeout=args.timeout),
                        )
                    )
                if n == large and "check" not in skip:
                    group.append(
                        Task(
                            "check",
                            "incident-loop check",
                            n,
                            command_run(
                                [str(BIN / "incident-loop"), "check", str(project)], args.timeout
                            ),
                        )
                    )
                    group.append(
                        Task(
                            "yaml",
                            "PyYAML SafeLoader front matters",
                            n,
                            command_run(
                                [PYTHON, str(HERE / "parse_front_matter.py"), str(project)],
                                args.timeout,
                            ),
                        )
                    )
            groups.append(group)
        for group in groups:
            print(f"\nN={group[0].n}: {len(group)} measurements x {args.repeats}, interleaved")
            run_rounds(group, args.repeats, work)
            tasks.update({t.key: t for t in group})
        if "serve" not in skip:
            for n in dict.fromkeys(sizes):
                print(f"\nN={n}: mkdocs serve --dirty, {args.repeats} edits of each kind")
                project = roots["full", n]["incident-loop"]
                dirty[n] = serve_latency.measure(
                    n, args.repeats, args.timeout, None, project=project, env=ENV
                )
    except BenchError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        for proc in list(_children):
            _stop(proc)
        if args.keep:
            print(f"\nkept: {work}")
        elif args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\nload average: {_load()} (at end)")
    print(
        f"\n{'measurement':<{LABEL}} {'N':>6} {'runs':>4} {'median s':>9} {'min s':>8} "
        f"{'max s':>8} {'peak MiB':>9} {'CPU s':>7}"
    )
    for task in tasks.values():
        times = [s[0] for s in task.samples]
        if times:
            rss = f"{task.rss:9.0f}" if task.rss else f"{'-':>9}"
            cpu = f"{task.cpu:7.1f}" if task.cpu else f"{'-':>7}"
            print(
                f"{task.label:<{LABEL}} {task.n:>6} {len(times):>4} {task.time:>9.2f} "
                f"{min(times):>8.2f} {max(times):>8.2f} {rss} {cpu}"
            )
        if task.error:
            print(f"{task.label:<{LABEL}} {task.n:>6}  error: {task.error.splitlines()[0]}")
    results = targets(tasks, small, large) + dirty_targets(dirty, small, large)
    if dirty:
        print("\nmkdocs serve --dirty: median seconds from the write to the new text served")
        for n, samples in dirty.items():
            print(f"  N={n}: " + ", ".join(_dirty_kinds(samples)))
    print(
        f"\n{'target':<54} {'measured':>8}  {'limit':<8} {'result':<24} detail"
        "\n(measured: the median of the per-round ratios, except linear growth, which compares"
        " medians; detail: the two medians)"
    )
    for target in results:
        print(target.line())
    passed = sum(t.passed for t in results)
    print(f"\n{passed} of {len(results)} targets met")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "sizes": sizes,
                    "repeats": args.repeats,
                    "seed": args.seed,
                    "tasks": {
                        k: {
                            "label": t.label,
                            "n": t.n,
                            "samples": t.samples,
                            "median_s": t.time,
                            "median_rss_mib": t.rss,
                            "median_cpu_s": t.cpu,
                            "error": t.error,
                        }
                        for k, t in tasks.items()
                    },
                    "targets": [
                        {
                            "name": t.name,
                            "measured": t.measured,
                            "limit": t.limit,
                            "passed": t.passed,
                            "detail": t.detail,
                        }
                        for t in results
                    ],
                },
                indent=2,
            )
            + "\n"
        )
    return 0 if results and passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
