"""A second project set up exactly the way the README's "Use it in your own repository" says.

The mkdocs.yml and the folder layout are read out of README.md, so the README and this test
cannot drift apart: the files named in the layout come from tests/fixtures/minimal.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from conftest import FIXTURES, MINIMAL_INCIDENT, REPO, build_site, run_cli

HEADING = "## Use it in your own repository"


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


def _second_project(root: Path) -> dict[str, Any]:
    root.mkdir()
    snippet = _readme_mkdocs_yml()
    (root / "mkdocs.yml").write_text(snippet, encoding="utf-8")
    for rel in _readme_layout():
        if rel == "mkdocs.yml":
            continue
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


def test_readme_layout_names_every_source_folder() -> None:
    layout = _readme_layout()
    assert "mkdocs.yml" in layout
    assert "incidents/failure-modes.yml" in layout
    for folder in ("incidents/", "docs/integrations/", "docs/sites/", "docs/runbooks/"):
        assert any(p.startswith(folder) and p.endswith(".md") for p in layout), folder


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
        rel for rel in _readme_layout() if rel.endswith(".md")
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
