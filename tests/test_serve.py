"""``mkdocs serve`` never loses the user's work (issue 7 item 4, SPEC section 10 "Serve").

A real ``mkdocs serve`` on a free port of 127.0.0.1, in a copy of the minimal fixture: a broken
incident is reported in the server's log as ``path:line: error: ...`` while the server keeps running
(and serving the site without it, with the problems on every page: test_serve_browser.py); once
the file is fixed, the next request serves the new page.
The process is always terminated.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import MINIMAL_INCIDENT

P = MINIMAL_INCIDENT
WAIT = 30.0  # seconds, for the server to start and for each rebuild


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, ""
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return 0, ""

    def wait_for(self, what: str, condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(
                    f"mkdocs serve exited ({self.process.returncode}) while waiting for {what}:\n{self.log}"
                )
            time.sleep(0.2)
        pytest.fail(f"no {what} within {WAIT:.0f} s; the server's log:\n{self.log}")


@contextlib.contextmanager
def mkdocs_serve(root: Path, *options: str) -> Iterator[Server]:
    """``mkdocs serve`` of ``root`` with ``options`` on a free port, until it answers; stopped
    on leaving, with its log printed."""
    port = _free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    process = subprocess.Popen(
        # --livereload is the default from click 8.4 on, but off with click 8.2.2 to 8.3.x
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "--livereload"]
        + list(options),
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    running = Server(process, f"http://127.0.0.1:{port}/")

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        running.wait_for("answer from the server", lambda: running.get("")[0] == 200)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        reader.join(timeout=5)
        print(f"\n--- mkdocs serve log ---\n{running.log}")


@pytest.fixture
def server(minimal: Path) -> Iterator[Server]:
    with mkdocs_serve(minimal) as running:
        yield running


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_serve_reports_a_broken_incident_and_serves_the_fix(minimal: Path, server: Server) -> None:
    page = "incidents/INC-2026-001/"
    status, html = server.get(page)
    assert status == 200 and "DHL label API timeouts" in html

    # break the file: the error is in the log and the server stays up
    source = minimal / P
    _rewrite(source, "severity: Sev2", "severity: Sev9")
    expected = f"{P}:4: error: severity: `Sev9` is not one of Sev1, Sev2, Sev3"
    server.wait_for(f"`{expected}` in the log", lambda: expected in server.log)
    time.sleep(1)  # let the failed rebuild finish
    assert server.process.poll() is None, f"mkdocs serve exited:\n{server.log}"
    assert "Traceback" not in server.log, server.log
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # still listening

    # fix it, with a new title: the next request serves the updated page
    _rewrite(source, "severity: Sev9", "severity: Sev1")
    _rewrite(source, "title: DHL label API timeouts", "title: DHL label API timeouts, fixed")
    server.wait_for(
        "updated incident page",
        lambda: "DHL label API timeouts, fixed" in server.get(page)[1],
    )
    status, html = server.get(page)
    assert status == 200 and "Severity Sev1" in html
    log = server.get("incidents/")[1]
    assert "DHL label API timeouts, fixed" in log
    assert server.process.poll() is None


def test_serve_picks_up_a_new_incident(minimal: Path, server: Server) -> None:
    text = (minimal / P).read_text(encoding="utf-8")
    text = text.replace("INC-2026-001", "INC-2026-002").replace(
        "title: DHL label API timeouts", "title: Added while serving"
    )
    (minimal / "incidents/2026/2026-02-01-added.md").write_text(text, encoding="utf-8")
    server.wait_for(
        "page of the new incident",
        lambda: "Added while serving" in server.get("incidents/INC-2026-002/")[1],
    )
    assert "Added while serving" in server.get("incidents/")[1]
    assert server.process.poll() is None
