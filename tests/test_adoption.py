"""A second project set up the ways the README's "Use it in your own repository" says: with
`incident-loop init`, and by hand with the README's minimal mkdocs.yml.

The mkdocs.yml and the list of files `init` writes are read out of README.md, so the README and
these tests cannot drift apart.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from conftest import FIXTURES, MINIMAL_INCIDENT, REPO, build_site, run_cli
from incident_loop import __version__

HEADING = "## Use it in your own repository"

INIT_FILES = [
    "mkdocs.yml",
    "requirements.txt",
    ".gitignore",
    ".github/workflows/pr.yml",
    ".github/workflows/publish.yml",
    "incidents/failure-modes.yml",
    "docs/index.md",
    "docs/tags.md",
    "docs/integrations/example-carrier.md",
    "docs/sites/example-dc.md",
    "docs/runbooks/label-failover.md",
]


def _section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert HEADING in text, f"README.md has no section {HEADING!r}"
    section = text.split(HEADING, 1)[1]
    following = re.search(r"^## ", section, re.MULTILINE)
    return section[: following.start()] if following else section


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", _section(), re.MULTILINE | re.DOTALL)


def _readme_mkdocs_yml() -> str:
    """The first yaml block of the section: the minimal mkdocs.yml."""
    blocks = _blocks("yaml")
    assert blocks, "the section has no ```yaml block"
    return blocks[0]


def _readme_layout() -> list[str]:
    """The paths of the folder layout: the first word of each line of the first text block."""
    blocks = _blocks("text")
    assert blocks, "the section has no ```text block with the folder layout"
    return [line.split()[0] for line in blocks[0].splitlines() if line.strip()]


#: The sources of the hand-made second project, from tests/fixtures/minimal.
FIXTURE_FILES = [
    "incidents/failure-modes.yml",
    MINIMAL_INCIDENT,
    "docs/index.md",
    "docs/integrations/dhl.md",
    "docs/sites/ams.md",
    "docs/runbooks/label-failover.md",
]


def _second_project(root: Path) -> dict[str, Any]:
    root.mkdir()
    snippet = _readme_mkdocs_yml()
    (root / "mkdocs.yml").write_text(snippet, encoding="utf-8")
    for rel in FIXTURE_FILES:
        source = FIXTURES / "minimal" / rel
        assert source.is_file(), f"the README layout names {rel}, which the fixture lacks"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, root / rel)
    config = yaml.safe_load(snippet)
    assert isinstance(config, dict)
    return config


def test_readme_mkdocs_yml_is_the_minimal_one() -> None:
    config = yaml.safe_load(_readme_mkdocs_yml())
    assert config["theme"] == {
        "name": "material",
        "font": False,
        "features": ["content.action.edit"],
    }
    plugins = config["plugins"]
    assert plugins[:3] == ["search", "tags", "incident-loop"]
    assert plugins[3]["macros"]["modules"] == ["incident_loop.macros"]


def test_readme_lists_the_files_init_writes() -> None:
    assert _readme_layout() == INIT_FILES


def test_readme_adoption_is_install_init_commit() -> None:
    commands = [line.split("#")[0].strip() for line in _blocks("sh")[0].splitlines()]
    assert commands == [
        "pip install mkdocs-incident-loop",
        "incident-loop init",
        'git add -A && git commit -m "Incidents site"',
    ]


def test_second_project_from_the_readme_checks_and_builds(tmp_path: Path) -> None:
    root = tmp_path / "ops"
    config = _second_project(root)
    index = root / "docs" / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8") + '\nOverdue actions: {{ metric("overdue_actions") }}\n',
        encoding="utf-8",
    )

    result = run_cli("check", str(root), "--strict")
    assert (result.exit_code, result.stdout) == (0, "1 incident, 0 errors, 0 warnings\n")

    site = build_site(root)
    page = site / "incidents" / "INC-2026-001" / "index.html"
    assert page.is_file()
    html = page.read_text(encoding="utf-8")
    assert "DHL label API timeouts" in html
    # The edit link opens the incident's own file in the repository of the README's repo_url.
    branch_path = config["edit_uri"].strip("/").removesuffix("docs").strip("/")
    assert f'href="{config["repo_url"]}/{branch_path}/{MINIMAL_INCIDENT}"' in html
    for generated in ("incidents", "actions", "backlog", "trends", "integrations/dhl"):
        assert (site / generated / "index.html").is_file(), generated
    # The macros pluglet of the README's mkdocs.yml renders on a hand-written page.
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r"Overdue actions: \d+", home)
    # The build wrote nothing into the sources.
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md")) == sorted(
        rel for rel in FIXTURE_FILES if rel.endswith(".md")
    )


def test_readme_pre_commit_snippet_uses_the_hook_this_repository_offers() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    offered = {hook["id"] for hook in hooks}
    snippets = [yaml.safe_load(block) for block in _blocks("yaml")]
    configs = [s for s in snippets if isinstance(s, dict) and "repos" in s]
    assert configs, "the section has no .pre-commit-config.yaml snippet"
    used = {hook["id"] for repo in configs[0]["repos"] for hook in repo["hooks"]}
    assert used and used <= offered


def test_readme_section_links_to_files_that_exist() -> None:
    targets = re.findall(r"\]\(([^)#:]+)\)", _section())
    assert ".github/workflows/pr.yml" in targets
    assert ".github/workflows/publish.yml" in targets
    for target in targets:
        assert (REPO / target).exists(), target


def test_readme_documents_the_editor_schema_command() -> None:
    section = _section()
    assert "incident-loop schema > .vscode/incident.schema.json" in section
    result = run_cli("schema", str(REPO))
    assert result.exit_code == 0
    assert '"$schema"' in result.stdout


# ------------------------------------------------------------------ incident-loop init (issue 17)


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def _init_repository(tmp_path: Path) -> Path:
    """An empty git repository whose origin is on GitHub, after `incident-loop init`."""
    root = tmp_path / "ops"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "remote", "add", "origin", "git@github.com:Acme/ops.git")
    result = run_cli("init", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[: len(INIT_FILES)] == [f"wrote {f}" for f in INIT_FILES]
    return root


def test_init_writes_a_project_that_checks_and_builds_strict(tmp_path: Path) -> None:
    root = _init_repository(tmp_path)
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert [f for f in files if not f.startswith(".git/")] == sorted(INIT_FILES)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_url"] == "https://acme.github.io/ops/"
    assert config["repo_url"] == "https://github.com/Acme/ops"
    assert config["theme"]["font"] is False
    assert (
        "Incidents: incidents/index.md" in str(config["nav"])
        or {"Incidents": "incidents/index.md"} in config["nav"]
    )
    assert (root / "requirements.txt").read_text().splitlines()[-1] == (
        f"mkdocs-incident-loop=={__version__}"
    )
    result = run_cli("check", "--strict", "--root", str(root))
    assert (result.exit_code, result.stdout) == (0, "0 incidents, 0 errors, 0 warnings\n")
    site = build_site(root)
    for page in ("index.html", "incidents/index.html", "integrations/example-carrier/index.html",
                 "sites/example-dc/index.html", "runbooks/label-failover/index.html"):  # fmt: skip
        assert (site / page).is_file(), page
    # A first incident written by `new` into the new project, filled in, builds as well.
    new = run_cli("new", "--title", "Labels time out", "--severity", "Sev2", "--category",
                  "integration", "--failure-mode", "label-api-timeouts", "--partner",
                  "example-carrier", "--started-at", "2026-03-01T09:30+01:00",
                  "--root", str(root))  # fmt: skip
    assert new.exit_code == 0, new.output
    incident = root / new.stdout.strip()
    text = incident.read_text(encoding="utf-8")
    for old, filled in (('detection_source: ""', "detection_source: alert"),
                        ('detected_at: ""', "detected_at: 2026-03-01T09:40:00+01:00"),
                        ('mitigated_at: ""', "mitigated_at: 2026-03-01T10:30:00+01:00"),
                        ('symptoms: ""', "symptoms: Label requests time out."),
                        ('mitigation: ""', "mitigation: Switched to the fallback carrier."),
                        ("actions: []", "actions:\n  - {title: Retry labels, type: product, "
                         "owner: team-integrations, status: proposed}")):  # fmt: skip
        assert old in text, old
        text = text.replace(old, filled)
    incident.write_text(text, encoding="utf-8")
    assert run_cli("check", "--strict", "--root", str(root)).exit_code == 0
    site = build_site(root)
    assert (site / "incidents/INC-2026-001/index.html").is_file()


def test_init_never_overwrites_and_refuses_an_existing_project(tmp_path: Path) -> None:
    root = tmp_path / "ops"
    (root / "docs").mkdir(parents=True)
    (root / "docs/index.md").write_text("# Our own home page\n")
    (root / ".gitignore").write_text("node_modules/\n")
    result = run_cli("init", "--root", str(root), "--site-url", "https://ops.example/")
    assert result.exit_code == 0
    assert "kept docs/index.md (it exists)" in result.stdout.splitlines()
    assert "kept .gitignore (it exists)" in result.stdout.splitlines()
    assert (root / "docs/index.md").read_text() == "# Our own home page\n"
    assert yaml.safe_load((root / "mkdocs.yml").read_text())["site_url"] == "https://ops.example/"
    again = run_cli("init", "--root", str(root))
    assert (again.exit_code, again.stdout) == (2, "")
    assert again.stderr == (
        f"incident-loop init: {root.resolve() / 'mkdocs.yml'} exists: this folder is already a "
        "project; incident-loop init starts one in a folder without mkdocs.yml\n"
    )


def test_github_remotes_give_the_repository_and_its_pages_address() -> None:
    from incident_loop.core.newproject import github_urls

    expected = ("https://github.com/acme/ops", "https://acme.github.io/ops/")
    for remote in ("git@github.com:acme/ops.git", "https://github.com/acme/ops",
                   "https://github.com/acme/ops.git", "ssh://git@github.com/acme/ops.git"):  # fmt: skip
        assert github_urls(remote) == expected, remote
    assert github_urls("https://gitlab.example.com/acme/ops.git") == (None, None)
    assert github_urls(None) == (None, None)


def test_init_workflows_match_the_github_workflow_schema(tmp_path: Path) -> None:
    root = _init_repository(tmp_path)
    files = [str(root / ".github/workflows" / name) for name in ("pr.yml", "publish.yml")]
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]
    result = subprocess.run(
        [*command, "vendor.github-workflows", *files], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_init_workflows_check_out_the_whole_history(tmp_path: Path) -> None:
    # A runbook without `reviewed` is dated by its last commit: a clone of one commit cannot
    # tell it (the pull request's summary also compares with the base branch).
    root = _init_repository(tmp_path)
    for name in ("pr.yml", "publish.yml"):
        workflow = yaml.safe_load((root / ".github/workflows" / name).read_text())
        checkouts = [
            step
            for job in workflow["jobs"].values()
            for step in job.get("steps", [])
            if str(step.get("uses", "")).startswith("actions/checkout@")
        ]
        assert checkouts and all(s["with"]["fetch-depth"] == 0 for s in checkouts), name


def test_init_workflows_run_in_a_repository_with_only_requirements_and_mkdocs_yml(
    tmp_path: Path,
) -> None:
    """Each workflow's steps, run in the repository `init` made, as the runner would run them:
    every file they name exists there, and every `run:` step but the install passes (the
    install is `pip install -r requirements.txt`; the package under test is installed here)."""
    root = _init_repository(tmp_path)
    assert not (root / "pyproject.toml").exists() and not (root / "Makefile").exists()
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init")
    _git(root, "update-ref", "refs/remotes/origin/main", "HEAD")  # what checkout fetches
    _git(root, "checkout", "-qb", "incident")
    shutil.copytree(FIXTURES / "minimal/incidents/2026", root / "incidents/2026")
    incident = root / MINIMAL_INCIDENT
    incident.write_text(
        incident.read_text()
        .replace("partners: [dhl]", "partners: [example-carrier]")
        .replace("sites: [ams]", "sites: [example-dc]")
    )
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "inc")
    summary = tmp_path / "step-summary.md"
    bin_dir = str(Path(sys.executable).parent)
    for name in ("pr.yml", "publish.yml"):
        workflow = yaml.safe_load((root / ".github/workflows" / name).read_text())
        env = {**os.environ, **{k: str(v) for k, v in workflow.get("env", {}).items()}}
        env["PATH"] = bin_dir + os.pathsep + env["PATH"]
        env["GITHUB_STEP_SUMMARY"] = str(summary)
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                setup = step.get("with", {})
                if "cache-dependency-path" in setup:
                    assert (root / setup["cache-dependency-path"]).is_file(), name
                if "run" not in step:
                    continue
                if step["name"] == "Install":
                    assert step["run"] == "python -m pip install -r requirements.txt"
                    continue
                step_env = {**env, **{k: str(v).replace("${{ github.base_ref }}", "main")
                                      for k, v in step.get("env", {}).items()}}  # fmt: skip
                done = subprocess.run(
                    ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
                    cwd=root,
                    env=step_env,
                    capture_output=True,
                    text=True,
                )
                assert done.returncode == 0, (name, step["name"], done.stdout, done.stderr)
    assert "INC-2026-001" in summary.read_text(encoding="utf-8")
    assert (root / "site/incidents/INC-2026-001/index.html").is_file()
