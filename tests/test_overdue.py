"""`incident-loop overdue` (issue 20, part 4): overdue and soon-due actions in each format.

Today is 2026-11-27 (SOURCE_DATE_EPOCH). The fixture's action INC-2026-001-A1 (team-integrations,
planned) has the default due date 2026-01-10 + 56 days (Sev2) = 2026-03-07: 24 days left in
March, then 30 + 31 + 30 + 31 + 31 + 30 + 31 days to October's end and 27 in November, so it is
265 days overdue. Added here: A2 due 2026-12-04 (in 7 days: soon due), A3 due 2026-12-05 (in 8
days: not yet), A4 due 2026-11-27 (today: soon due, not overdue), A5 done.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, MINIMAL_INCIDENT, run_cli


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)


def _action(title: str, owner: str, status: str, due: str) -> str:
    lines = [f"  - title: {title}", "    type: operability", f"    owner: {owner}"]
    lines += [f"    status: {status}", f"    due: {due}"]
    if status != "proposed":
        lines += ["    acceptance: [It works]"]
    if status == "done":
        lines += ["    completed_at: 2026-11-01"]
    return "\n".join(lines)


@pytest.fixture
def project(minimal: Path, edit: Callable[..., None]) -> Path:
    last = "      - Retried label requests never create a second label"
    added = [
        _action("Page on 5xx | per carrier", "team-sre", "planned", "2026-12-04"),
        _action("Label latency SLO", "team-sre", "proposed", "2026-12-05"),
        _action("Fallback carrier drill", "Team-Integrations", "in_progress", "2026-11-27"),
        _action("Retry budget", "team-sre", "done", "2026-11-30"),
    ]
    edit(minimal, MINIMAL_INCIDENT, [(last, "\n".join([last, *added]))])
    return minimal


def test_text(project: Path) -> None:
    result = run_cli("overdue", "--root", str(project))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Overdue:\n"
        "  INC-2026-001-A1 Idempotency keys on label creation (team-integrations, planned): "
        "due 2026-03-07, 265 days overdue\n"
        "Due within 7 days:\n"
        "  INC-2026-001-A4 Fallback carrier drill (Team-Integrations, in progress): "
        "due 2026-11-27, due today\n"
        "  INC-2026-001-A2 Page on 5xx | per carrier (team-sre, planned): "
        "due 2026-12-04, due in 7 days\n"
        "1 overdue, 2 due within 7 days on 2026-11-27\n"
    )


def test_owner_filter_ignores_case(project: Path) -> None:
    result = run_cli("overdue", "--root", str(project), "--owner", "team-integrations")
    assert result.stdout.splitlines()[-1] == (
        "1 overdue, 1 due within 7 days of team-integrations on 2026-11-27"
    )
    assert "INC-2026-001-A2" not in result.stdout


def test_markdown_escapes_table_cells(project: Path) -> None:
    result = run_cli(
        "overdue", "--root", str(project), "--format", "markdown", "--owner", "team-sre"
    )
    assert result.stdout == (
        "# Overdue and soon-due actions of team-sre\n"
        "\n"
        "On 2026-11-27: **0 overdue**, 1 due within 7 days.\n"
        "\n"
        "## Overdue\n"
        "\n"
        "None.\n"
        "\n"
        "## Due within 7 days\n"
        "\n"
        "| Action | Title | Owner | Status | Due | |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| INC-2026-001-A2 | Page on 5xx \\| per carrier | team-sre | planned | 2026-12-04 "
        "| due in 7 days |\n"
    )


def test_markdown_links_to_the_register_with_site_url(
    project: Path, edit: Callable[..., None]
) -> None:
    edit(
        project,
        "mkdocs.yml",
        [
            (
                "site_name: Minimal incident-loop project",
                "site_name: Minimal incident-loop project\nsite_url: https://ops.example.com/",
            )
        ],
    )
    result = run_cli("overdue", "--root", str(project), "--format", "markdown")
    assert (
        "| [INC-2026-001-A1](https://ops.example.com/actions/#inc-2026-001-a1) |" in result.stdout
    )


def test_markdown_links_each_action_on_the_register_page_that_holds_it(
    project: Path, edit: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registers of two rows: overdue first, then open by due date, then done: A1 (overdue),
    A4 (11-27) on page 1; A2 (12-04), A3 (12-05) on page 2; A5 (done) on page 3."""
    from incident_loop.site import urls

    monkeypatch.setattr(urls, "ROWS_PER_PAGE", 2)
    edit(
        project,
        "mkdocs.yml",
        [
            (
                "site_name: Minimal incident-loop project",
                "site_name: Minimal incident-loop project\nsite_url: https://ops.example.com/",
            )
        ],
    )
    out = run_cli("overdue", "--root", str(project), "--format", "markdown").stdout
    assert "[INC-2026-001-A1](https://ops.example.com/actions/#inc-2026-001-a1)" in out
    assert "[INC-2026-001-A4](https://ops.example.com/actions/#inc-2026-001-a4)" in out
    assert "[INC-2026-001-A2](https://ops.example.com/actions/page/2/#inc-2026-001-a2)" in out


def test_json(project: Path) -> None:
    result = run_cli("overdue", "--root", str(project), "--format", "json")
    data = json.loads(result.stdout)
    assert data["today"] == "2026-11-27"
    assert data["soon_due_days"] == 7
    assert [(a["id"], a["days_until_due"]) for a in data["overdue"]] == [("INC-2026-001-A1", -265)]
    assert [(a["id"], a["days_until_due"]) for a in data["soon"]] == [
        ("INC-2026-001-A4", 0),
        ("INC-2026-001-A2", 7),
    ]
    assert data["overdue"][0]["incidents"] == ["INC-2026-001"]


def test_sources_with_errors_exit_1(project: Path, edit: Callable[..., None]) -> None:
    edit(project, MINIMAL_INCIDENT, [("severity: Sev2", "severity: Sev9")])
    result = run_cli("overdue", "--root", str(project))
    assert result.exit_code == 1
    assert (
        "incident-loop overdue: fix the errors above first (incident-loop check)" in result.stderr
    )
