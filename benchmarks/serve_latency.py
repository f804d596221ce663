#!/usr/bin/env python3
"""Edit-to-visible latency under ``mkdocs serve --dirty`` (issue 19).

    python benchmarks/serve_latency.py [--sizes 1000,5000] [--edits 3] [--kinds title,new]
                                       [--timeout S] [--keep DIR]

For each size N: generate a project (``generate.py N DIR --no-baseline``), start
``mkdocs serve --dirty --livereload`` on a free port of 127.0.0.1 and wait for its first build;
then, ``--edits`` times each, make the edits a writer makes and time each one from just before
the file is written to the first answer of the server that holds the new text (the page is polled
every 50 ms):

- ``title``: an incident's ``title:`` (shown on its page, the log and the partners' pages);
- ``field``: an incident's ``severity:`` one step (Sev3 to Sev2, else towards Sev3), which the log,
  the trends, the partner's and site's pages, the backlog and its actions' default due dates
  count, with a word added to its ``symptoms:`` to see the save served;
- ``body``: a line appended to an incident's body;
- ``new``: a new incident file (a copy of one with a new id and title, without its actions);
- ``partner``: a line appended to a partner page.

Each edit waits until the server has been quiet for a moment after the previous one, and goes to
another incident. Prints every sample and the median per kind and size; exits 1 when an edit is
not visible within ``--timeout``. Each sample is also split by the times serve's log lines arrive:
``watch`` from the write to "Detected file changes" (MkDocs' file watcher polls every 0.5 s),
``wait`` to "Building documentation..." (MkDocs waits 0.1 s for the changes to stop),
``build`` the seconds of "Documentation built in" (MkDocs' own figure: the build without the
configuration's reload), ``other`` the rest (the reload of the configuration, the served answer
and the 50 ms poll). Only the standard library; run it with the project's venv so
that ``mkdocs`` is the one with the plugin.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
POLL = 0.05
KINDS = ("title", "field", "body", "new", "partner")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)
    #: When each line arrived (``time.monotonic()``).
    times: list[float] = field(default_factory=list)

    def get(self, path: str) -> str:
        try:
            with urllib.request.urlopen(self.url + path, timeout=60) as response:
                return str(response.read().decode("utf-8", "replace"))
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return ""

    def wait_for(self, path: str, text: str, timeout: float) -> float:
        """Seconds until ``path`` holds ``text``, from now."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"mkdocs serve exited:\n{''.join(self.lines[-30:])}")
            if text in self.get(path):
                return time.monotonic() - start
            time.sleep(POLL)
        raise SystemExit(f"{text!r} not on /{path} within {timeout:.0f} s")

    def quiet(self, seconds: float = 1.0) -> None:
        """Wait until the server's log has not grown for ``seconds``."""
        count = -1
        while count != len(self.lines):
            count = len(self.lines)
            time.sleep(seconds)


def start(project: Path, env: dict[str, str] | None = None) -> Server:
    port = _free_port()
    env = {**(env or os.environ), "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--livereload"]
        + ["-a", f"127.0.0.1:{port}"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}/")

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.times.append(time.monotonic())
            server.lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    return server


def stop(server: Server) -> None:
    try:
        os.killpg(server.process.pid, signal.SIGINT)
        server.process.wait(timeout=30)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


BUILT = re.compile(r"Documentation built in ([0-9.]+) seconds")


def phases(server: Server, first: int, written: float, seen: float) -> dict[str, float]:
    """One sample split by serve's log lines from line ``first`` to the first "Reloading
    browsers" (which may arrive just after the page was ``seen``: waits a second for it):
    ``watch``, ``wait``, ``build`` and ``other`` (see the module's docstring). Empty when the
    lines are not all there (a log format this does not know)."""
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        lines = list(zip(server.times[first:], server.lines[first:], strict=False))
        end = next((i for i, (_, line) in enumerate(lines) if "Reloading browsers" in line), None)
        if end is not None:
            lines = lines[: end + 1]
            break
        time.sleep(POLL)
    detected = next((at for at, line in lines if "Detected file changes" in line), None)
    building = next(
        (
            at
            for at, line in lines
            if detected and at >= detected and "Building documentation" in line
        ),
        None,
    )
    built = [float(m.group(1)) for _, line in lines if (m := BUILT.search(line))]
    if detected is None or building is None or not built:
        return {}
    build = built[-1]  # the build that the first reload followed
    total = seen - written
    watch, wait = detected - written, building - detected
    return {"watch": watch, "wait": wait, "build": build, "other": total - watch - wait - build}


def _incident_id(text: str) -> str:
    match = re.search(r"^id: (\S+)$", text, re.MULTILINE)
    assert match, "an incident without an id"
    return match.group(1)


SEVERITY_CHANGE = {"Sev1": "Sev2", "Sev2": "Sev3", "Sev3": "Sev2", "Sev4": "Sev3"}


@dataclass
class Edit:
    """One edit, not yet written: ``text`` goes to ``path``; ``page`` (a URL path) then shows
    ``token``."""

    path: Path
    page: str
    text: str
    token: str

    def write(self) -> None:
        self.path.write_text(self.text, encoding="utf-8")


def edit(project: Path, kind: str, index: int, files: list[Path]) -> Edit:
    """Edit number ``index`` of ``kind``: each goes to another of ``files`` (the incident files
    when the project was made) or partner page."""
    token = f"edit{index}x{time.time_ns()}"
    if kind == "partner":
        partners = sorted((project / "docs/integrations").glob("*.md"))
        partners = [p for p in partners if p.name != "index.md"]
        path = partners[index % len(partners)]
        text = path.read_text(encoding="utf-8") + f"\n{token}\n"
        return Edit(path, f"integrations/{path.stem}/", text, token)
    path = files[(index * 7919) % len(files)]
    text = path.read_text(encoding="utf-8")
    incident_id = _incident_id(text)
    if kind == "title":
        text = re.sub(r"^title: .*$", f"title: {token}", text, count=1, flags=re.MULTILINE)
    elif kind == "field":  # the severity, which the log, trends, catalogue and backlog count
        text = re.sub(
            r"^severity: (Sev\d)$",
            lambda m: f"severity: {SEVERITY_CHANGE[m.group(1)]}",
            text,
            count=1,
            flags=re.MULTILINE,
        )
        # and a word in the symptoms (a folded block in generate.py's incidents), shown on the
        # incident's page, to see the save served
        text, found = re.subn(r"^symptoms: >-\n  ", rf"\g<0>{token} ", text, count=1, flags=re.M)
        assert found, f"{path}: no folded symptoms: block to add a word to"
    elif kind == "body":
        text += f"\n{token}\n"
    else:
        front, _, body = text.partition("\n---\n")
        front = re.sub(r"\nactions:.*", "", front, flags=re.DOTALL)
        new_id = f"{incident_id.rsplit('-', 1)[0]}-{9000 + index}"
        front = front.replace(f"id: {incident_id}", f"id: {new_id}")
        front = re.sub(r"^title: .*$", f"title: {token}", front, count=1, flags=re.MULTILINE)
        text, incident_id = front + "\n---\n" + body, new_id
        path = path.with_name(f"new-{index}-{path.name}")
    return Edit(path, f"incidents/{incident_id}/", text, token)


def measure(
    n: int,
    edits: int,
    timeout: float,
    keep: Path | None,
    *,
    project: Path | None = None,
    env: dict[str, str] | None = None,
    kinds: tuple[str, ...] = KINDS,
) -> dict[str, list[float]]:
    """The samples of each kind of edit at ``n`` incidents. ``project`` is a project made by
    ``generate.py`` to edit (``run.py`` passes its own, after its other measurements); ``env``
    the environment of ``mkdocs serve`` (``run.py``'s points at its copy of the plugin)."""
    if project is None:
        work = Path(tempfile.mkdtemp(prefix=f"serve-latency-{n}-", dir=keep))
        project = work / "project"
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(n), str(project), "--no-baseline"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    files = sorted((project / "incidents").rglob("*.md"))
    started = time.monotonic()
    server = start(project, env)
    samples: dict[str, list[float]] = {kind: [] for kind in kinds}
    parts: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    try:
        server.wait_for("incidents/", "</html>", timeout)
        print(f"N={n}: first build served after {time.monotonic() - started:.1f} s", flush=True)
        server.quiet(2.0)
        for index in range(edits * len(kinds)):
            kind = kinds[index % len(kinds)]
            change = edit(project, kind, index, files)
            first = len(server.lines)
            start_time = time.monotonic()
            change.write()
            server.wait_for(change.page, change.token, timeout)
            seen = time.monotonic()
            seconds = seen - start_time
            samples[kind].append(seconds)
            split = phases(server, first, start_time, seen)
            parts[kind].append(split)
            detail = ", ".join(f"{name} {value:.2f}" for name, value in split.items())
            print(f"N={n} {kind:8s} /{change.page}: {seconds:.2f} s ({detail})", flush=True)
            server.quiet(1.0)
    finally:
        stop(server)
    print(f"N={n}: median seconds of each part (watch, wait, build, other):")
    for kind in kinds:
        known = [part for part in parts[kind] if part]
        if known:
            cells = [
                f"{name} {statistics.median(part[name] for part in known):.2f}" for name in known[0]
            ]
            print(f"  {kind:8s} " + ", ".join(cells))
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--edits", type=int, default=3, help="edits of each kind per size")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--keep", type=Path, help="make the projects under this folder")
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help="the kinds of edit, in turns (default: all)"
    )
    args = parser.parse_args(argv)
    kinds = tuple(args.kinds.split(","))
    unknown = set(kinds) - set(KINDS)
    if unknown:
        parser.error(f"--kinds: unknown {', '.join(sorted(unknown))}; known: {', '.join(KINDS)}")
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        results[size] = measure(size, args.edits, args.timeout, args.keep, kinds=kinds)
    print("\nmedian seconds from the write to the new text served (mkdocs serve --dirty):")
    print("| N | " + " | ".join(kinds) + " | all |")
    print("| ---: |" + " ---: |" * (len(kinds) + 1))
    for size, samples in results.items():
        every = [s for kind in kinds for s in samples[kind]]
        cells = [f"{statistics.median(samples[kind]):.2f}" for kind in kinds]
        print(f"| {size} | " + " | ".join(cells) + f" | {statistics.median(every):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
