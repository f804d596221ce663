"""Shared helpers: throwaway copies of the fixture projects, the CLI and real MkDocs builds."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from incident_loop.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
MINIMAL_INCIDENT = "incidents/2026/2026-01-10-dhl-label-timeouts.md"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/minimal: one valid incident, one partner, site and runbook."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "minimal", root)
    return root


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
