"""The GitHub workflows, the pre-commit hook and `incident-loop summary` (the PR job summary).

actionlint runs on GitHub's runner (pr.yml); here, offline, the workflows are validated against the
GitHub workflow schema that check-jsonschema ships, and parsed to check what they do.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import MINIMAL_INCIDENT, REPO, run_cli

WORKFLOWS = REPO / ".github" / "workflows"
ROW = (
    "| INC-2026-001 (DHL label API timeouts) | Sev2 | label-api-timeouts | severity Sev2 "
    "| INC-2026-001-A1 | ok |"
)


def _workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The ``on:`` mapping; YAML 1.1 (PyYAML) reads the bare key ``on`` as True."""
    triggers = workflow.get("on", workflow.get(True))
    if isinstance(triggers, str):
        return {triggers: None}
    if isinstance(triggers, list):
        return dict.fromkeys(triggers)
    assert isinstance(triggers, dict)
    return triggers


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _runs(workflow: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in _steps(workflow))


def _step_using(workflow: dict[str, Any], action: str) -> dict[str, Any]:
    found = [s for s in _steps(workflow) if str(s.get("uses", "")).split("@")[0] == action]
    assert found, f"no step uses {action}"
    return found[0]


def _env(workflow: dict[str, Any], job: str) -> dict[str, Any]:
    return {**workflow.get("env", {}), **workflow["jobs"][job].get("env", {})}


def test_workflows_exist() -> None:
    names = {p.name for p in WORKFLOWS.iterdir()}
    assert {"pr.yml", "publish.yml", "overdue.yml"} <= names


def test_workflows_match_the_github_workflow_schema() -> None:
    files = sorted(str(p) for p in WORKFLOWS.iterdir() if p.suffix in (".yml", ".yaml"))
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]
    result = subprocess.run(
        [*command, "vendor.github-workflows", *files], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_check_jsonschema_rejects_a_broken_workflow(tmp_path: Path) -> None:
    """The schema test above would catch a mistake: an unknown key in a job fails it."""
    broken = tmp_path / "broken.yml"
    text = (WORKFLOWS / "pr.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("runs-on:", "runs_on:", 1), encoding="utf-8")
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]
    result = subprocess.run(
        [*command, "vendor.github-workflows", str(broken)], capture_output=True, text=True
    )
    assert result.returncode == 1


def test_pr_workflow_checks_builds_tests_and_summarises() -> None:
    workflow = _workflow("pr.yml")
    assert "pull_request" in _triggers(workflow)
    runs = _runs(workflow)
    check = [line for line in runs.splitlines() if "incident-loop check" in line]
    assert check and "--format github" in check[0] and "--strict" in check[0]
    assert "mkdocs build --strict" in runs
    assert "make test" in runs
    assert "$GITHUB_STEP_SUMMARY" in runs
    summary = next(s["run"] for s in _steps(workflow) if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert "incident-loop summary" in summary
    assert "--diff-filter=AM" in summary and "-- incidents/" in summary
    assert '--base "origin/${BASE_REF}"' in summary

    assert _step_using(workflow, "actions/checkout")["with"]["fetch-depth"] == 0
    python = _step_using(workflow, "actions/setup-python")["with"]
    assert (python["python-version"], python["cache"]) == ("3.11", "pip")
    assert _env(workflow, "check")["NO_MKDOCS_2_WARNING"] == "1"
    assert "pip install -e '.[test]'" in runs


def test_pr_workflow_runs_actionlint_in_its_own_job() -> None:
    workflow = _workflow("pr.yml")
    lint = workflow["jobs"]["actionlint"]
    assert "needs" not in lint  # runs at once, beside the check and the build
    checkout, download, run = lint["steps"]
    assert checkout["uses"].startswith("actions/checkout@")
    # The official download script, and the binary it reports as its step output.
    assert download["id"] == "get_actionlint"
    assert "https://raw.githubusercontent.com/rhysd/actionlint/main/scripts/" in download["run"]
    assert run["run"] == "${{ steps.get_actionlint.outputs.executable }} -color"


def test_pr_workflow_check_command_passes_on_this_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The exact check step of pr.yml, run on the sample data: a clean repository stays green."""
    workflow = _workflow("pr.yml")
    line = next(s["run"] for s in _steps(workflow) if "incident-loop check" in s.get("run", ""))
    argv = shlex.split(line)
    assert argv[0] == "incident-loop"
    monkeypatch.chdir(REPO)
    result = run_cli(*argv[1:])
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


def test_publish_workflow_deploys_to_pages() -> None:
    workflow = _workflow("publish.yml")
    triggers = _triggers(workflow)
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers

    permissions = workflow["permissions"]
    assert permissions["pages"] == "write"
    assert permissions["id-token"] == "write"
    assert permissions["contents"] == "read"
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    assert "mkdocs build --strict" in _runs(workflow)
    assert _env(workflow, "build")["NO_MKDOCS_2_WARNING"] == "1"
    _step_using(workflow, "actions/configure-pages")
    assert _step_using(workflow, "actions/upload-pages-artifact")["with"]["path"] == "site"
    assert _step_using(workflow, "actions/setup-python")["with"]["cache"] == "pip"

    deploy_job = next(
        job
        for job in workflow["jobs"].values()
        if any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in job["steps"])
    )
    deploy_step = _step_using(workflow, "actions/deploy-pages")
    assert deploy_job["needs"] == "build"
    assert deploy_job["environment"] == {
        "name": "github-pages",
        "url": f"${{{{ steps.{deploy_step['id']}.outputs.page_url }}}}",
    }


def test_pre_commit_hook_runs_the_check() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["id"] == "incident-loop-check"
    assert shlex.split(hook["entry"])[:2] == ["incident-loop", "check"]
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    for path in (MINIMAL_INCIDENT, "incidents/failure-modes.yml", "docs/sites/ams.md"):
        assert pattern.search(path), path
    assert not pattern.search("plugins/incident_loop/cli.py")


def test_pull_request_template_has_the_checklist() -> None:
    text = (REPO / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    for words in ("incident-loop check", "symptoms", "mitigation", "owner", "acceptance"):
        assert words in text, words
    assert text.count("- [ ]") >= 8


# incident-loop summary: the markdown the PR workflow appends to $GITHUB_STEP_SUMMARY.


def test_summary_row_of_a_valid_incident(minimal: Path) -> None:
    result = run_cli("summary", "--root", str(minimal), MINIMAL_INCIDENT)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "## Incidents in this pull request"
    assert "`incident-loop check` on the whole project: 1 incident, 0 errors, 0 warnings." in lines
    header = "| incident | severity | failure mode | decision rule | actions | check |"
    assert lines[lines.index(header) + 1] == "| --- | --- | --- | --- | --- | --- |"
    assert lines[lines.index(header) + 2] == ROW
    assert "Problems" not in result.stdout


def test_summary_accepts_absolute_paths_and_ignores_repeats(minimal: Path) -> None:
    absolute = str(minimal / MINIMAL_INCIDENT)
    result = run_cli("summary", "--root", str(minimal), absolute, MINIMAL_INCIDENT)
    assert result.exit_code == 0
    assert result.stdout.splitlines().count(ROW) == 1


def test_summary_lists_a_file_with_errors_and_exits_zero(minimal: Path) -> None:
    path = minimal / MINIMAL_INCIDENT
    path.write_text(path.read_text().replace("severity: Sev2", "severity: Sev9"))
    result = run_cli("summary", "--root", str(minimal), MINIMAL_INCIDENT)
    assert result.exit_code == 0
    out = result.stdout
    assert "1 incident, 1 error, 0 warnings" in out
    assert "### Problems in these files" in out
    assert f"**{MINIMAL_INCIDENT}**: 1 error" in out
    assert (
        f"{MINIMAL_INCIDENT}:4: error: severity: `Sev9` is not one of Sev1, Sev2, Sev3 "
        "(the plugin option `severities` lists them)\n"
    ) in out
    assert "| INC-2026-001" not in out  # an incident with errors has no row


def test_summary_shows_the_warning_of_an_incident_without_action(minimal: Path) -> None:
    path = minimal / MINIMAL_INCIDENT
    text = path.read_text()
    path.write_text(text[: text.index("actions:")] + text[text.index("---\n\n## Timeline") :])
    result = run_cli("summary", "--root", str(minimal), MINIMAL_INCIDENT)
    assert result.exit_code == 0
    assert (
        "| INC-2026-001 (DHL label API timeouts) | Sev2 | label-api-timeouts | severity Sev2 "
        "| none | 1 warning |"
    ) in result.stdout.splitlines()
    assert f"{MINIMAL_INCIDENT}:1: warning: actions:" in result.stdout


def test_summary_escapes_markdown_and_html_in_cells(minimal: Path) -> None:
    path = minimal / MINIMAL_INCIDENT
    title = "title: DHL label API timeouts"
    path.write_text(path.read_text().replace(title, 'title: "Labels | <b>down</b> *now*"'))
    result = run_cli("summary", "--root", str(minimal), MINIMAL_INCIDENT)
    row = next(line for line in result.stdout.splitlines() if line.startswith("| INC-"))
    assert row.startswith(r"| INC-2026-001 (Labels \| &lt;b&gt;down&lt;/b&gt; \*now\*) | Sev2 |")
    assert row.count(" | ") == 5  # six cells: the title's pipe does not open a column


def test_summary_without_files_and_with_other_files(minimal: Path) -> None:
    empty = run_cli("summary", "--root", str(minimal))
    assert empty.exit_code == 0
    assert "This pull request adds or changes no incident file." in empty.stdout
    other = run_cli(
        "summary", "--root", str(minimal), "incidents/failure-modes.yml", "incidents/gone.md"
    )
    assert other.exit_code == 0
    assert "Other changed files, without problems: incidents/failure-modes.yml" in other.stdout
    assert "Not found in the project: incidents/gone.md" in other.stdout


def test_summary_mentions_problems_elsewhere(minimal: Path) -> None:
    runbook = minimal / "docs/runbooks/label-failover.md"
    runbook.write_text(runbook.read_text().replace("owner: team-integrations\n", ""))
    result = run_cli("summary", "--root", str(minimal), MINIMAL_INCIDENT)
    assert result.exit_code == 0
    assert ROW in result.stdout.splitlines()
    assert "Other files of the project have 1 error; the `incident-loop check` step" in (
        result.stdout
    )


def test_summary_with_unusable_plugin_options_exits_zero(minimal: Path) -> None:
    config = minimal / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - incident-loop\n", "  - incident-loop:\n      repeat_window_days: -1\n"
        )
    )
    result = run_cli("summary", "--root", str(minimal), MINIMAL_INCIDENT)
    assert result.exit_code == 0
    assert result.stdout.startswith("## Incidents in this pull request\n\n")
    assert "cannot be used" in result.stdout


def test_summary_help_has_examples() -> None:
    result = run_cli("summary", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "GITHUB_STEP_SUMMARY" in result.stdout


def test_overdue_digest_workflow_opens_or_updates_one_issue() -> None:
    workflow = _workflow("overdue.yml")
    triggers = _triggers(workflow)
    assert triggers["schedule"] == [{"cron": "30 6 * * 1-5"}]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}
    runs = _runs(workflow)
    assert "incident-loop overdue --format markdown > digest.md" in runs
    # one issue, found by its label: edited when open, created otherwise
    assert 'gh issue list --label "$DIGEST_LABEL" --state open' in runs
    assert 'gh issue edit "$number" --body-file digest.md' in runs
    assert "gh issue create" in runs
