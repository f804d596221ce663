"""`incident-loop diff REV1 [REV2]` (issue 20, part 3) on a real temporary git repository.

Today is 2026-11-27. The base commit is the minimal fixture (INC-2026-001, a Sev2: every action
answering it scores 60) with three open actions, ranked by score, then due date:
  1 A1 (due 2026-03-07, the Sev2 default), 2 A3 (due 2026-12-30), 3 A2 (due 2026-12-31).
The head commit adds INC-2026-002, a Sev1 of the failure mode inventory-mismatch (never seen
before) whose action B1 scores 90; moves A2's due date to 2026-01-01 (so it is overdue on
2026-11-27) and marks A3 done. The head ranking:
  1 B1 (90), 2 A2 (60, due 2026-01-01), 3 A1 (60, due 2026-03-07).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, FIXTURES, MINIMAL_INCIDENT, run_cli

LAST = "      - Retried label requests never create a second label"
A2 = "  - title: Page on label 5xx\n    type: operability\n    owner: team-sre\n    status: proposed\n"
A3 = "  - title: Label SLO\n    type: quality\n    owner: team-sre\n"


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, edit: Callable[..., None]) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "minimal", root)
    edit(
        root,
        MINIMAL_INCIDENT,
        [
            (
                LAST,
                LAST
                + "\n"
                + A2
                + "    due: 2026-12-31\n"
                + A3
                + "    status: proposed\n    due: 2026-12-30",
            )
        ],
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    edit(root, MINIMAL_INCIDENT, [("    due: 2026-12-31", "    due: 2026-01-01")])
    text = (root / MINIMAL_INCIDENT).read_text(encoding="utf-8")
    text = text.replace(
        A3 + "    status: proposed\n    due: 2026-12-30",
        A3 + "    status: done\n    due: 2026-12-30\n    acceptance: [An SLO]\n"
        "    completed_at: 2026-11-02",
    )
    (root / MINIMAL_INCIDENT).write_text(text, encoding="utf-8")
    second = (
        (FIXTURES / "minimal" / MINIMAL_INCIDENT)
        .read_text(encoding="utf-8")
        .replace("id: INC-2026-001", "id: INC-2026-002")
        .replace("title: DHL label API timeouts", "title: Stock counts off in Amsterdam")
        .replace("severity: Sev2", "severity: Sev1")
        .replace("category: integration", "category: warehouse")
        .replace("failure_mode: label-api-timeouts", "failure_mode: inventory-mismatch")
        .replace("2026-01-10T", "2026-11-20T")
        .replace("2026-01-11T16:00:00+01:00", "2026-11-20T16:00:00+01:00")
        .replace("Idempotency keys on label creation", "Cycle count after every wave")
    )
    (root / "incidents/2026/2026-11-20-stock-counts.md").write_text(second, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "head")
    return root


EXPECTED_TEXT = """\
From base to main:
Incidents added:
  INC-2026-002 Stock counts off in Amsterdam
Incidents edited:
  INC-2026-001 DHL label API timeouts
Actions opened:
  INC-2026-002-A1 Cycle count after every wave
Actions done:
  INC-2026-001-A3 Label SLO
Actions gone overdue:
  INC-2026-001-A2 Page on label 5xx
Failure modes seen for the first time:
  inventory-mismatch
Backlog ranking:
  adds action INC-2026-002-A1 (Cycle count after every wave) to the backlog at rank 1
  moves action INC-2026-001-A2 (Page on label 5xx) from rank 3 to rank 2
  moves action INC-2026-001-A1 (Idempotency keys on label creation) from rank 1 to rank 3
  takes action INC-2026-001-A3 (Label SLO) off the backlog (done), from rank 2
"""


def test_diff_between_two_revisions(repo: Path) -> None:
    result = run_cli("diff", "base", "main", "--root", str(repo))
    assert result.exit_code == 0, result.output
    assert result.stdout == EXPECTED_TEXT


def test_diff_against_the_working_tree(repo: Path, edit: Callable[..., None]) -> None:
    # uncommitted: INC-2026-002's action is done; REV2 left out reads the files on disk
    edit(
        repo,
        "incidents/2026/2026-11-20-stock-counts.md",
        [
            ("    status: planned", "    status: done\n    completed_at: 2026-11-25"),
        ],
    )
    result = run_cli("diff", "main", "--root", str(repo), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["from"] == "main" and data["to"] == "working tree"
    assert data["incidents_edited"] == [
        {"id": "INC-2026-002", "title": "Stock counts off in Amsterdam"}
    ]
    assert data["actions_done"] == [
        {"id": "INC-2026-002-A1", "title": "Cycle count after every wave"}
    ]
    # B1 leaves rank 1; A2 and A1 move up one each
    assert [
        (m["id"], m["old_rank"], m["new_rank"], m["left_as"]) for m in data["backlog_moves"]
    ] == [
        ("INC-2026-001-A2", 2, 1, None),
        ("INC-2026-001-A1", 3, 2, None),
        ("INC-2026-002-A1", 1, None, "done"),
    ]


def test_diff_markdown_and_the_pull_request_summary(repo: Path) -> None:
    result = run_cli("diff", "base", "main", "--root", str(repo), "--format", "markdown")
    assert (
        "- moves action INC-2026-001-A1 (Idempotency keys on label creation) from rank 1 to rank 3"
        in result.stdout
    )
    summary = run_cli(
        "summary",
        "--root",
        str(repo),
        "--base",
        "base",
        "incidents/2026/2026-11-20-stock-counts.md",
    )
    assert summary.exit_code == 0
    assert "## What this pull request changes" in summary.stdout
    assert (
        "- adds action INC-2026-002-A1 (Cycle count after every wave) to the backlog at rank 1"
        in summary.stdout
    )
    assert "| INC-2026-002 (Stock counts off in Amsterdam) | Sev1 |" in summary.stdout


def test_unknown_revision_is_a_usage_error(repo: Path) -> None:
    result = run_cli("diff", "no-such-branch", "--root", str(repo))
    assert result.exit_code == 2
    assert result.stderr == (
        f"incident-loop diff: `no-such-branch` is not a revision of the git repository at "
        f"{repo}; give a branch, tag or commit, like `origin/main` or `HEAD~1`\n"
    )


def test_a_revision_with_errors_exits_1(repo: Path, edit: Callable[..., None]) -> None:
    edit(repo, MINIMAL_INCIDENT, [("severity: Sev2", "severity: Sev9")])
    result = run_cli("diff", "base", "--root", str(repo))
    assert result.exit_code == 1
    assert result.stderr == (
        "incident-loop diff: working tree has 1 error in its incidents; run "
        "`incident-loop check` on it and fix them first\n"
    )
