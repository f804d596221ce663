"""The command line of SPEC section 8: check formats and exit codes, new, schema, --version."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from conftest import MINIMAL_INCIDENT, run_cli
from incident_loop import __version__
from incident_loop.core.sources import read_markdown

P = MINIMAL_INCIDENT


def _break_severity(root: Path) -> None:
    path = root / P
    path.write_text(path.read_text().replace("severity: Sev2", "severity: Sev9"))


def test_check_text_format_and_summary(minimal: Path) -> None:
    _break_severity(minimal)
    result = run_cli("check", str(minimal))
    assert result.exit_code == 1
    assert result.stdout == (
        f"{P}:4: error: severity: `Sev9` is not one of Sev1, Sev2, Sev3 "
        "(the plugin option `severities` lists them)\n"
        "1 incident, 1 error, 0 warnings\n"
    )


def test_check_clean_exits_zero(minimal: Path) -> None:
    result = run_cli("check", str(minimal))
    assert (result.exit_code, result.stdout) == (0, "1 incident, 0 errors, 0 warnings\n")


def test_check_github_annotations_byte_for_byte(minimal: Path) -> None:
    _break_severity(minimal)
    path = minimal / P
    path.write_text(path.read_text().replace("    type: product", "    type: feature"))
    result = run_cli("check", str(minimal), "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        f"::error file={P},line=4,title=severity::`Sev9` is not one of Sev1, Sev2, Sev3 "
        "(the plugin option `severities` lists them)\n"
        f"::error file={P},line=24,title=actions[0].type::`feature` is not one of product, "
        "operability, quality, process, runbook\n"
    )
    assert result.stderr == "1 incident, 2 errors, 0 warnings\n"


def test_github_format_escapes_properties_and_data() -> None:
    from incident_loop.core.diagnostics import Diagnostic

    diagnostic = Diagnostic("a,b:c.md", 3, "warning", "x:y", "50% done, a:b")
    assert diagnostic.github() == "::warning file=a%2Cb%3Ac.md,line=3,title=x%3Ay::50%25 done, a:b"


def test_a_message_is_always_one_line() -> None:
    from incident_loop.core.diagnostics import Diagnostic

    diagnostic = Diagnostic("a.md", 3, "error", "severity", "`Sev\n2\r` is not one of Sev1")
    assert diagnostic.text() == "a.md:3: error: severity: `Sev\\n2\\r` is not one of Sev1"


def test_check_json_format(minimal: Path) -> None:
    _break_severity(minimal)
    result = run_cli("check", str(minimal), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "path": P,
            "line": 4,
            "level": "error",
            "field": "severity",
            "message": "`Sev9` is not one of Sev1, Sev2, Sev3 (the plugin option `severities` lists them)",
        }
    ]
    assert result.stderr == "1 incident, 1 error, 0 warnings\n"


def test_usage_errors_exit_two(minimal: Path) -> None:
    assert run_cli("check", str(minimal / "nope")).exit_code == 2
    assert run_cli("check", str(minimal), "--format", "xml").exit_code == 2
    result = run_cli(
        "new",
        "--title",
        "x",
        "--severity",
        "Sev9",
        "--category",
        "integration",
        "--root",
        str(minimal),
    )
    assert result.exit_code == 2
    assert "--severity 'Sev9' is not one of Sev1, Sev2, Sev3" in result.stderr


def test_an_unusable_mkdocs_yml_is_a_usage_error_in_every_command(minimal: Path) -> None:
    config = minimal / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    where = f"incident-loop: {config}: "
    cases = [
        ("site_name: [unclosed\n", "cannot be read: "),
        ("- just\n- a list\n", "mkdocs.yml must be a mapping of settings"),
        (
            original.replace("  - incident-loop\n", "  - incident-loop: [timezone]\n"),
            "Invalid config options for the 'incident-loop' plugin.",
        ),
        (
            original.replace("  - incident-loop\n", "  - incident-loop:\n      max_file_size: 0\n"),
            "Plugin 'incident-loop' option 'max_file_size': must be 1 or more bytes, not 0",
        ),
    ]
    commands = [
        ["check", str(minimal)],
        ["schema", str(minimal)],
        ["export", "incidents", "--root", str(minimal)],
        ["new", "--title", "t", "--severity", "Sev2", "--category", "integration",
         "--root", str(minimal)],
    ]  # fmt: skip
    for text, message in cases:
        config.write_text(text, encoding="utf-8")
        for command in commands:
            result = run_cli(*command)
            assert (result.exit_code, result.stdout) == (2, ""), (command, text)
            assert result.stderr.startswith(where + message), (command, result.stderr)
    written = sorted(path.name for path in (minimal / "incidents/2026").iterdir())
    assert written == ["2026-01-10-dhl-label-timeouts.md"]  # `new` wrote nothing


def test_version_and_help() -> None:
    assert run_cli("--version").stdout == f"incident-loop, version {__version__}\n"
    for command in ("check", "new", "schema"):
        help_text = run_cli(command, "--help").stdout
        assert "Example" in help_text, command


def test_new_writes_next_id_and_never_overwrites(minimal: Path) -> None:
    year = dt.datetime.now(dt.timezone.utc).year
    expected_id = f"INC-{year}-002" if year == 2026 else f"INC-{year}-001"
    args = [
        "new",
        "--title",
        "Scanner rejects totes!",
        "--severity",
        "Sev3",
        "--category",
        "warehouse",
        "--failure-mode",
        "inventory-mismatch",
        "--site",
        "ams",
        "--partner",
        "dhl",
        "--root",
        str(minimal),
    ]
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    rel = result.stdout.strip()
    assert rel.startswith(f"incidents/{year}/") and rel.endswith("-scanner-rejects-totes.md")
    source = read_markdown(minimal / rel, rel, 1 << 20)
    assert source.problems == ()
    assert source.data["id"] == expected_id
    assert source.data["title"] == "Scanner rejects totes!"
    assert (source.data["severity"], source.data["category"], source.data["failure_mode"]) == (
        "Sev3",
        "warehouse",
        "inventory-mismatch",
    )
    assert source.data["scope"] == {"partners": ["dhl"], "sites": ["ams"], "segments": []}
    before = (minimal / rel).read_text()
    again = run_cli(*args)
    assert again.exit_code == 1
    assert "already exists and is not overwritten" in again.stderr
    assert (minimal / rel).read_text() == before
    # The new file fails the check exactly on the fields left to fill in: the times too,
    # which "now" would have passed as a 0-minute incident.
    check = json.loads(run_cli("check", str(minimal), "--format", "json").stdout)
    assert sorted(d["field"] for d in check if d["path"] == rel) == [
        "detected_at",
        "detection_source",
        "mitigated_at",
        "mitigation",
        "started_at",
        "symptoms",
    ]
    assert [d["message"] for d in check if d["path"] == rel and d["field"] == "started_at"] == [
        "is empty; write the date-time with its offset, like `2026-03-01T09:30:00+01:00`"
    ]


def test_new_id_follows_the_highest_of_the_year(minimal: Path) -> None:
    year = dt.datetime.now(dt.timezone.utc).year
    path = minimal / P
    path.write_text(path.read_text().replace("INC-2026-001", f"INC-{year}-041"))
    result = run_cli(
        "new",
        "--title",
        "t",
        "--severity",
        "Sev1",
        "--category",
        "integration",
        "--root",
        str(minimal),
    )
    created = read_markdown(minimal / result.stdout.strip(), "x", 1 << 20)
    assert created.data["id"] == f"INC-{year}-042"


def test_schema_is_valid_and_matches_the_fixture(minimal: Path) -> None:
    result = run_cli("schema", str(minimal))
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["severity"]["enum"] == ["Sev1", "Sev2", "Sev3"]
    text = (minimal / P).read_text().split("---")[1]
    data = json.loads(json.dumps(yaml.safe_load(text), default=str))
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(data)) == []
    data["severity"] = "Sev9"
    data["actions"][0]["status"] = "done"
    messages = sorted(e.message for e in validator.iter_errors(data))
    assert messages == [
        "'Sev9' is not one of ['Sev1', 'Sev2', 'Sev3']",
        "{'title': 'Idempotency keys on label creation', 'type': 'product', 'owner': 'team-integrations', "
        "'status': 'done', 'priority': 'P1', 'acceptance': ['Retried label requests never create a second label']} "
        "is not valid under any of the given schemas",
    ]


def test_new_refuses_unknown_slugs_with_a_suggestion(minimal: Path) -> None:
    result = run_cli(
        "new", "--title", "t", "--severity", "Sev2", "--category", "integration",
        "--failure-mode", "label-api-timeout", "--root", str(minimal),
    )  # fmt: skip
    assert result.exit_code == 2
    assert (
        "--failure-mode 'label-api-timeout' is not a known failure mode "
        "(did you mean `label-api-timeouts`?); known: inventory-mismatch, label-api-timeouts"
    ) in result.stderr
    result = run_cli("new", "--title", "t", "--severity", "Sev2", "--category", "integration",
                     "--partner", "ups", "--root", str(minimal))  # fmt: skip
    assert (
        result.exit_code,
        "--partner 'ups' is not a known partner; known: dhl" in result.stderr,
    ) == (2, True)
    assert not list((minimal / "incidents").rglob("*-t.md"))


def test_export_to_a_missing_folder_is_a_clean_error(minimal: Path) -> None:
    result = run_cli("export", "trends", "--root", str(minimal), "-o", str(minimal / "nope/x.json"))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"incident-loop export: cannot write {minimal / 'nope/x.json'}: "
    )


def test_csv_cells_never_start_a_formula(minimal: Path) -> None:
    import csv
    import io

    path = minimal / P
    path.write_text(
        path.read_text().replace(
            "title: Idempotency keys on label creation", 'title: \'=HYPERLINK("http://x","y")\''
        )
    )
    result = run_cli("export", "actions", "--format", "csv", "--root", str(minimal))
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1][0] == 'INC-2026-001-A1: =HYPERLINK("http://x","y")'  # starts with the id
    assert rows[1][5].startswith("'=HYPERLINK(")  # the description starts with the title


# ------------------------------------------------------------------ finding the project (issue 17)

NEW = ["new", "--title", "Scanner down", "--severity", "Sev2", "--category", "warehouse"]


def test_outside_a_project_every_command_is_a_usage_error(tmp_path: Path, monkeypatch: Any) -> None:
    empty = tmp_path / "not-a-project"
    empty.mkdir()
    monkeypatch.chdir(empty)
    message = (
        f"incident-loop: no mkdocs.yml in {empty.resolve()} or any folder above it: this is not "
        "an incident-loop project. Run the command inside your project, pass --root DIR, or "
        "start a project here with `incident-loop init`\n"
    )
    for args in (["check"], ["check", "--strict"], ["export", "incidents"], ["summary"],
                 ["schema"], NEW, ["check", "--root", str(empty)]):  # fmt: skip
        result = run_cli(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", message), args
    assert list(empty.iterdir()) == []


def test_a_project_without_its_incidents_folder_is_a_usage_error(minimal: Path) -> None:
    shutil.rmtree(minimal / "incidents")
    message = (
        f"incident-loop: {minimal / 'mkdocs.yml'}: the incidents folder incidents/ does not "
        "exist; create it (with its failure-modes.yml), or set the plugin option incidents_dir "
        "to the folder that holds your incidents\n"
    )
    for args in (["check"], ["export", "trends"], ["summary"], NEW):
        result = run_cli(*args, "--root", str(minimal))
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", message), args


def test_every_command_finds_the_project_upward_from_a_subfolder(
    minimal: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(minimal / "incidents" / "2026")
    assert run_cli("check").stdout == "1 incident, 0 errors, 0 warnings\n"
    assert json.loads(run_cli("export", "incidents").stdout)["incidents"][0]["id"] == "INC-2026-001"
    assert "properties" in json.loads(run_cli("schema").stdout)
    assert "INC-2026-001" in run_cli("summary", MINIMAL_INCIDENT).stdout
    # --root (or -C) names a folder inside the project just as well, in every command
    monkeypatch.chdir(minimal.parent)
    for flag in ("--root", "-C"):
        result = run_cli("check", flag, str(minimal / "docs" / "integrations"))
        assert (result.exit_code, result.stdout) == (0, "1 incident, 0 errors, 0 warnings\n")
    both = run_cli("check", str(minimal), "--root", str(minimal / "docs"))
    assert both.exit_code == 2
    assert "give the project once" in both.stderr


def test_new_from_a_subfolder_writes_into_the_projects_incidents_in_its_time_zone(
    minimal: Path, monkeypatch: Any
) -> None:
    config = minimal / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - incident-loop\n", "  - incident-loop:\n      timezone: Europe/Amsterdam\n"
        )
    )
    monkeypatch.chdir(minimal / "incidents" / "2026")
    result = run_cli(*NEW, "--started-at", "2026-07-01T09:30")
    assert (result.exit_code, result.stdout) == (
        0,
        "incidents/2026/2026-07-01-scanner-down.md\n",
    )
    data = read_markdown(minimal / result.stdout.strip(), "x", 1 << 20).data
    assert (data["id"], data["started_at"]) == ("INC-2026-002", "2026-07-01T09:30:00+02:00")
    assert (data["detected_at"], data["mitigated_at"]) == ("", "")
    assert not (minimal / "incidents/2026/incidents").exists()


def test_new_started_at_back_dates_the_file_name_and_the_ids_year(minimal: Path) -> None:
    result = run_cli(*NEW, "--started-at", "2025-12-31T23:30:00-01:00", "--root", str(minimal))
    # The month of an incident is that of the plugin's zone (UTC here): 2026-01-01T00:30Z
    assert (result.exit_code, result.stdout) == (0, "incidents/2026/2026-01-01-scanner-down.md\n")
    data = read_markdown(minimal / result.stdout.strip(), "x", 1 << 20).data
    assert data["id"] == "INC-2026-002"
    assert data["started_at"] == "2025-12-31T23:30:00-01:00"  # as the author wrote it
    result = run_cli(*NEW, "--started-at", "2025-11-28T06:10+01:00", "--root", str(minimal))
    assert result.stdout == "incidents/2025/2025-11-28-scanner-down.md\n"
    data = read_markdown(minimal / result.stdout.strip(), "x", 1 << 20).data
    assert (data["id"], data["started_at"]) == ("INC-2025-001", "2025-11-28T06:10:00+01:00")
    bad = run_cli(*NEW, "--started-at", "yesterday", "--root", str(minimal))
    assert bad.exit_code == 2
    assert bad.stderr == (
        "incident-loop new: --started-at 'yesterday': `yesterday` is not a date-time; write it "
        "like `2026-03-01T09:30:00+01:00`\n"
    )


def test_terminal_escape_sequences_are_shown_escaped(minimal: Path) -> None:
    """A value that would clear the screen or hide an OSC 8 link reaches the terminal as text."""
    path = minimal / P
    path.write_text(
        path.read_text().replace(
            "severity: Sev2",
            'severity: "\\e[2J\\e]8;;https://evil.example\\aSev2\\e]8;;\\a\\u202e"',
        )
    )
    shown = "`\\x1b[2J\\x1b]8;;https://evil.example\\x07Sev2\\x1b]8;;\\x07\\u202e`"
    text = run_cli("check", str(minimal))
    assert text.stdout.splitlines()[0] == (
        f"{P}:4: error: severity: {shown} is not one of Sev1, Sev2, Sev3 "
        "(the plugin option `severities` lists them)"
    )
    github = run_cli("check", str(minimal), "--format", "github")
    assert github.stdout == (
        f"::error file={P},line=4,title=severity::{shown} is not one of Sev1, Sev2, Sev3 "
        "(the plugin option `severities` lists them)\n"
    )
    for output in (text.stdout, github.stdout):
        assert not any(ch in output for ch in "\x1b\x07\u202e")


def test_actions_csv_links_incidents_only_with_a_site_url(minimal: Path) -> None:
    import csv
    import io

    result = run_cli("export", "actions", "--format", "csv", "--root", str(minimal))
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][-1] == "Assignee" and rows[1][-1] == "team-integrations"
    assert "- INC-2026-001: DHL label API timeouts\n" in rows[1][5] + "\n"
    assert "incidents/INC-2026-001/" not in rows[1][5]  # a relative link is dead in Jira
    assert result.stderr == (
        "incident-loop export: warning: site_url is not set in mkdocs.yml, so the CSV names "
        "incidents without links (a relative link is dead in Jira or Linear); set site_url to "
        "the address the site is published at\n"
    )
    config = minimal / "mkdocs.yml"
    config.write_text("site_url: https://ops.example/incidents/\n" + config.read_text())
    result = run_cli("export", "actions", "--format", "csv", "--root", str(minimal))
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert (
        "- INC-2026-001: DHL label API timeouts https://ops.example/incidents/incidents/INC-2026-001/"
        in rows[1][5]
    )
    assert result.stderr == ""
