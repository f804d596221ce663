"""Shared helpers: throwaway copies of the fixture projects, the CLI and real MkDocs builds."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from incident_loop.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
MINIMAL_INCIDENT = "incidents/2026/2026-01-10-dhl-label-timeouts.md"

# Days the tests take as today, for SOURCE_DATE_EPOCH. 2026-06-15T00:00:00Z in seconds since
# 1970-01-01: 1970..2025 are 56 years, of which 14 leap years (1972, 1976, ..., 2024:
# (2024 - 1972) / 4 + 1), so 2026-01-01 is day 56 * 365 + 14 = 20454. Jan 31 + Feb 28 + Mar 31
# + Apr 30 + May 31 = 151 days, + 14 -> 2026-06-15 is day 20454 + 165 = 20619, and
# 20619 * 86400 = 1_781_481_600. 2026-11-27 is 15 + 31 + 31 + 30 + 31 + 27 = 165 days later:
# 1_781_481_600 + 165 * 86400 = 1_795_737_600. (test_site checks both with datetime.)
EPOCH_2026_06_15 = "1781481600"
EPOCH_2026_11_27 = "1795737600"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/minimal: one valid incident, one partner, site and runbook."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "minimal", root)
    return root


def sample_copy(tmp_path: Path) -> Path:
    """A copy of this repository's sample project: mkdocs.yml, docs and incidents."""
    root = tmp_path / "sample"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("docs", "incidents"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def visible_text(html: str) -> str:
    """The visible text of a page fragment: tags removed, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def search_text(site: Path, location: str) -> str:
    """The words the search index holds for one page, its sections joined."""
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    entries = [e for e in index["docs"] if e["location"].split("#")[0] == location]
    assert entries, f"{location} is not in the search index"
    return visible_text(" ".join(e["title"] + " " + e["text"] for e in entries))


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def check_json(root: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("check", str(root), "--format", "json", *extra)
    return result.exit_code, json.loads(result.stdout)


def build_site(root: Path, *, strict: bool = True) -> Path:
    """Build ``root`` with the real MkDocs, Material and plugins; returns the site folder."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"), strict=strict)
    build(config)
    return Path(config.site_dir)


def add_hook(root: Path, code: str) -> None:
    """Give the project at ``root`` an MkDocs hook file (run after every plugin)."""
    (root / "hooks.py").write_text(code, encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "hooks: [hooks.py]\n", "utf-8")


@pytest.fixture
def edit() -> Callable[[Path, str, list[tuple[str, str]]], None]:
    """Replace whole lines of a file: ``[(old_line, new_lines), ...]``; each old line must exist."""

    def apply(root: Path, rel: str, replacements: list[tuple[str, str]]) -> None:
        path = root / rel
        lines = path.read_text(encoding="utf-8").split("\n")
        for old, new in replacements:
            assert old in lines, f"{old!r} is not a line of {rel}"
            index = lines.index(old)
            lines[index : index + 1] = new.split("\n") if new != "" else []
        path.write_text("\n".join(lines), encoding="utf-8")

    return apply


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """A built site served on 127.0.0.1 and a free port, for Chromium; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def keep_on_this_host(context: Any, base_url: str) -> list[str]:
    """Let a Chromium context (Playwright) reach only the server of ``base_url`` (and
    ``data:``, ``blob:``, ``about:``): any other request is aborted and its URL recorded in the
    list returned, which a test asserts empty (the site loads nothing from other hosts)."""
    port = urlsplit(base_url).port
    outside: list[str] = []

    def local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or (
            parts.hostname == "127.0.0.1" and parts.port == port
        )

    def route(route: Any) -> None:
        if local(route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    context.on("request", lambda r: None if local(r.url) else outside.append(r.url))
    return outside
