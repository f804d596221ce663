"""Issue 20, runbooks that stay alive: a runbook without `reviewed` is dated by git.

Real git repositories in a temporary folder, with fixed commit dates. Today is 2026-06-15
(SOURCE_DATE_EPOCH). The project is the minimal fixture with `timezone: Europe/Amsterdam`, and
its runbook label-failover has no `reviewed`. The repository (fixture `repo`):

  base   2026-01-05T10:00:00+01:00  every file
  site   2026-02-02T10:00:00+01:00  docs/sites/ams.md gains a line
  steps  2026-03-28T18:30:00-05:00  label-failover gains a step

"steps" is 2026-03-28T23:30:00Z: in Amsterdam 2026-03-29T00:30:00+01:00 (still winter time:
summer time starts at 01:00Z that night), so the runbook's review date is 2026-03-29 there, but
2026-03-28 in UTC and in the committer's own zone (-05:00).

INC-2026-001 (2026-01-10) used the runbook before; INC-2026-002 started
2026-03-29T10:00:00+02:00 (summer time; 08:00Z) and used it too: on the review day in
Amsterdam (not after it: up to date), the day after it in UTC (stale).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import (
    EPOCH_2026_06_15,
    FIXTURES,
    build_site,
    check_json,
    run_cli,
    visible_text,
)
from incident_loop.config import read_project_config
from incident_loop.core.diff import checkout
from incident_loop.core.gitdates import last_commits
from incident_loop.core.project import check_project
from incident_loop.core.records import Review

RUNBOOK = "docs/runbooks/label-failover.md"
SECOND = "incidents/2026/2026-03-29-dhl-labels-again.md"
SECOND_TEXT = """\
---
id: INC-2026-002
title: DHL labels time out again
severity: Sev3
category: integration
failure_mode: label-api-timeouts
detection_source: alert
started_at: 2026-03-29T10:00:00+02:00
detected_at: 2026-03-29T10:05:00+02:00
mitigated_at: 2026-03-29T10:40:00+02:00
scope:
  partners: [dhl]
symptoms: Label requests failed with 504.
mitigation: Followed the label failover runbook.
runbooks: [label-failover]
actions:
  - ref: INC-2026-001-A1
---
"""
AMSTERDAM = "  - incident-loop:\n      timezone: Europe/Amsterdam\n"

NO_REPOSITORY = (
    "is missing, and git has no date for this file: the project is not in a git repository; "
    "add `reviewed: YYYY-MM-DD` (the day the runbook was last checked) or keep the project in "
    "git and commit the file"
)
SHALLOW = (
    "is missing, and git has no date for this file: this clone is shallow: its history stops "
    "before the file's last change; add `reviewed: YYYY-MM-DD` (the day the runbook was last "
    "checked) or fetch the whole history (`fetch-depth: 0` for actions/checkout)"
)


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Today 2026-06-15; git reads no configuration of this machine and finds no repository
    above the temporary folder."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_06_15)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = dict(os.environ)
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def commit(root: Path, message: str, date: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=date)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The minimal fixture in Amsterdam time, its runbook without `reviewed`, INC-2026-002."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "minimal", root)
    replace(root / "mkdocs.yml", "  - incident-loop\n", AMSTERDAM)
    replace(root / RUNBOOK, "reviewed: 2026-01-01\n", "")
    (root / SECOND).write_text(SECOND_TEXT, encoding="utf-8")
    return root


@pytest.fixture
def repo(project: Path) -> Path:
    """``project`` in git: the commits base, site and steps of the module's docstring."""
    git(project, "init", "-q", "-b", "main")
    commit(project, "base", "2026-01-05T10:00:00+01:00")
    append(project / "docs/sites/ams.md", "\nOpen 24/7.\n")
    commit(project, "site", "2026-02-02T10:00:00+01:00")
    append(project / RUNBOOK, "2. Switch to the fallback service level.\n")
    commit(project, "steps", "2026-03-28T18:30:00-05:00")
    return project


def reviews(root: Path) -> dict[str, Review]:
    result = check_project(read_project_config(root))
    assert [d.text() for d in result.diagnostics] == []
    return result.project.reviews


def runbook_rows(site: Path) -> list[str]:
    html = (site / "runbooks/index.html").read_text(encoding="utf-8")
    return [visible_text(row) for row in re.findall(r"<tr>.*?</tr>", html, re.S)[1:]]


# --------------------------------------------------------------------------- the date and its zone


def test_the_review_date_is_the_day_of_the_last_commit_in_the_project_timezone(
    repo: Path,
) -> None:
    # "steps", 2026-03-28T18:30:00-05:00 = 2026-03-29T00:30:00+01:00 in Amsterdam.
    assert reviews(repo) == {"label-failover": Review(dt.date(2026, 3, 29), "git")}
    site = build_site(repo)
    # Runbook | Owner | Last review | Failure modes | Used by (newest first) | Review: 002
    # started on 2026-03-29 in Amsterdam, the review day itself, not after it.
    assert runbook_rows(site) == [
        "Carrier label failover team-integrations last changed 2026-03-29 (git) "
        "Label API timeouts or 5xx INC-2026-002 , INC-2026-001 up to date"
    ]
    page = visible_text((site / "runbooks/label-failover/index.html").read_text())
    assert (
        "Owner team-integrations; last changed 2026-03-29 (git). It has no reviewed date: the "
        "last commit that changed it counts as its review."
    ) in page
    assert "stale" not in page


def test_in_utc_the_same_commit_is_a_day_earlier_and_the_runbook_is_stale(repo: Path) -> None:
    # Without `timezone`, dates are UTC: "steps" is 2026-03-28T23:30Z, the 28th; 002 started
    # 2026-03-29T08:00Z, the 29th: after the review, so the runbook is stale.
    replace(repo / "mkdocs.yml", AMSTERDAM, "  - incident-loop\n")
    assert reviews(repo) == {"label-failover": Review(dt.date(2026, 3, 28), "git")}
    site = build_site(repo)
    assert runbook_rows(site) == [
        "Carrier label failover team-integrations last changed 2026-03-28 (git) "
        "Label API timeouts or 5xx INC-2026-002 , INC-2026-001 ⚠ stale"
    ]
    page = visible_text((site / "runbooks/label-failover/index.html").read_text())
    assert (
        "⚠ stale 1 incident used it after that change: INC-2026-002 . Revisit the runbook with "
        "what it taught and commit the update."
    ) in page
    partner = visible_text((site / "integrations/dhl/index.html").read_text())
    assert "Carrier label failover ⚠ stale" in partner


def test_committing_a_change_to_the_runbook_clears_the_stale_mark(repo: Path) -> None:
    replace(repo / "mkdocs.yml", AMSTERDAM, "  - incident-loop\n")
    append(repo / RUNBOOK, "3. Tell the carrier desk.\n")
    commit(repo, "after INC-2026-002", "2026-04-01T09:00:00+02:00")  # 07:00Z, April 1st
    assert reviews(repo) == {"label-failover": Review(dt.date(2026, 4, 1), "git")}
    assert runbook_rows(build_site(repo)) == [
        "Carrier label failover team-integrations last changed 2026-04-01 (git) "
        "Label API timeouts or 5xx INC-2026-002 , INC-2026-001 up to date"
    ]


def test_reviewed_in_the_front_matter_wins_over_git(repo: Path) -> None:
    # Written and not committed: the date is the front matter's, and 002 (2026-03-29) is after it.
    replace(
        repo / RUNBOOK,
        "owner: team-integrations\n",
        "owner: team-integrations\nreviewed: 2026-02-01\n",
    )
    assert reviews(repo) == {"label-failover": Review(dt.date(2026, 2, 1), "front matter")}
    rows = runbook_rows(build_site(repo))
    assert rows == [
        "Carrier label failover team-integrations reviewed 2026-02-01 "
        "Label API timeouts or 5xx INC-2026-002 , INC-2026-001 ⚠ stale"
    ]


def test_changes_not_committed_keep_the_date_of_the_last_commit(repo: Path) -> None:
    # The person editing the runbook is reviewing it; the review counts once it is committed.
    append(repo / RUNBOOK, "3. Draft: tell the carrier desk.\n")
    assert reviews(repo) == {"label-failover": Review(dt.date(2026, 3, 29), "git")}


def test_a_runbook_no_commit_has_yet_counts_as_reviewed_today(repo: Path) -> None:
    new = repo / "docs/runbooks/wave-release.md"
    new.write_text("---\ntitle: Wave release blocked\nowner: team-warehouse\n---\n\n# Steps\n")
    today = Review(dt.date(2026, 6, 15), "new")
    assert reviews(repo)["wave-release"] == today  # untracked
    git(repo, "add", "-A")
    assert reviews(repo)["wave-release"] == today  # staged, as in a pre-commit hook
    site = build_site(repo)
    assert runbook_rows(site)[1] == (
        "Wave release blocked team-warehouse new, not committed yet – – up to date"
    )
    page = visible_text((site / "runbooks/wave-release/index.html").read_text())
    assert (
        "Owner team-warehouse; new, not committed yet. It has no reviewed date: the commit that "
        "adds it will count as its review."
    ) in page


def test_a_repository_without_commits_dates_every_runbook_today(project: Path) -> None:
    git(project, "init", "-q", "-b", "main")
    assert reviews(project) == {"label-failover": Review(dt.date(2026, 6, 15), "new")}


# --------------------------------------------------------------------------- no date at all


def test_outside_git_a_runbook_without_reviewed_is_an_error_on_line_1(project: Path) -> None:
    result = run_cli("check", str(project))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"{RUNBOOK}:1: error: reviewed: {NO_REPOSITORY}"
    code, diagnostics = check_json(project)
    assert code == 1
    assert diagnostics == [
        {
            "path": RUNBOOK,
            "line": 1,
            "level": "error",
            "field": "reviewed",
            "message": NO_REPOSITORY,
        }
    ]
    github = run_cli("check", str(project), "--format", "github").stdout
    assert github.startswith(f"::error file={RUNBOOK},line=1,title=reviewed::is missing, and git")


def test_outside_git_the_build_fails_with_the_same_message(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(project)
    messages = [r.getMessage() for r in caplog.records]
    assert f"incident-loop: {RUNBOOK}:1: error: reviewed: {NO_REPOSITORY}" in messages


def test_without_git_installed_the_error_says_so(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, diagnostics = check_json(repo)
    assert code == 1
    assert [(d["path"], d["line"], d["field"], d["message"]) for d in diagnostics] == [
        (
            RUNBOOK,
            1,
            "reviewed",
            "is missing, and git has no date for this file: git cannot be run (No such file or "
            "directory); add `reviewed: YYYY-MM-DD` (the day the runbook was last checked) or "
            "install git",
        )
    ]


def test_a_shallow_clone_dates_only_what_its_history_reaches(repo: Path, tmp_path: Path) -> None:
    # One more commit, not touching the runbook: incident, site, steps, base from newest.
    append(repo / SECOND, "\nAnalysis to follow.\n")
    commit(repo, "incident", "2026-04-02T12:00:00+02:00")
    # Depth 1: only "incident", cut off from its parent, so that it seems to add every file.
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), "depth1")
    result = run_cli("check", str(tmp_path / "depth1"))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"{RUNBOOK}:1: error: reviewed: {SHALLOW}"
    # Depth 3: incident, steps, and site (where it is cut off): steps has its parent, its date holds.
    git(tmp_path, "clone", "-q", "--depth", "3", repo.as_uri(), "depth3")
    assert reviews(tmp_path / "depth3") == {"label-failover": Review(dt.date(2026, 3, 29), "git")}


# --------------------------------------------------------------------------- revisions


def test_a_revision_is_dated_by_its_own_history(repo: Path, tmp_path: Path) -> None:
    # HEAD~1 is "site": the runbook as it was then was last changed by "base" (2026-01-05).
    folder, revision = checkout(repo, "HEAD~1", tmp_path / "old")
    config = dataclasses.replace(read_project_config(folder), revision=revision)
    result = check_project(config)
    assert [d.text() for d in result.diagnostics] == []
    assert result.project.reviews == {"label-failover": Review(dt.date(2026, 1, 5), "git")}


def test_diff_and_summary_read_revisions_with_git_dated_runbooks(repo: Path) -> None:
    # The copies git archive makes are no repository; without their history each revision
    # would have an error and the diff would refuse to compare them.
    result = run_cli("diff", "HEAD~2", "--root", str(repo))
    assert result.exit_code == 0, result.output
    result = run_cli("diff", "HEAD~2", "HEAD", "--root", str(repo))
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- one git log


def test_last_commits_of_many_files_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    (folder / "sub").mkdir(parents=True)
    names = ["plain.md", "with space [1].md", "überprüfung.md", "later.md"]
    for name in names:
        (folder / name).write_text("x\n", encoding="utf-8")
    (folder / "sub/plain.md").write_text("x\n", encoding="utf-8")
    git(folder, "init", "-q", "-b", "main")
    commit(folder, "one", "2026-01-05T10:00:00+01:00")
    (folder / "later.md").write_text("y\n", encoding="utf-8")
    (folder / "sub/plain.md").write_text("y\n", encoding="utf-8")
    commit(folder, "two", "2026-03-28T18:30:00-05:00")
    (folder / "untracked.md").write_text("z\n", encoding="utf-8")
    found = last_commits(folder, [*names, "untracked.md"])
    one = dt.datetime(2026, 1, 5, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    two = dt.datetime(2026, 3, 28, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    # sub/plain.md changed in "two" is another file than plain.md; untracked.md has no commit
    assert found.dates == {
        "plain.md": one,
        "with space [1].md": one,
        "überprüfung.md": one,
        "later.md": two,
    }
    assert found.unknown == {}
    assert last_commits(folder, []).dates == {}
