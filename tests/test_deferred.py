"""What is made late to save memory (tables, exports, incident headers) still arrives whole."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, MINIMAL_INCIDENT, add_hook, build_site
from incident_loop.site import render
from incident_loop.core.project import check_project
from incident_loop.site.render import Renderer, SiteModel
from incident_loop.core.settings import read_project_config
from incident_loop.site.urls import Urls

PLACEHOLDER = re.compile(r"<!-- incident-loop fragment \d+ -->")


def _renderer(root: Path) -> Renderer:
    result = check_project(read_project_config(root))
    return Renderer(SiteModel.build(result.project, result.analysis), Urls(True))


def test_a_deferred_table_is_the_table_made_now(minimal: Path) -> None:
    renderer = _renderer(minimal)
    actions = list(renderer.analysis.actions.values())
    now = renderer.render("macro_actions.md.j2", "index.md", defer=False, actions=actions)
    later = renderer.render("macro_actions.md.j2", "index.md", actions=actions)
    assert "INC-2026-001-A1" in now and "Idempotency keys on label creation" in now
    assert "INC-2026-001-A1" not in later
    (placeholder,) = PLACEHOLDER.findall(later)
    # deferred tables are numbered from render.DEFERRED_OFFSET (100,000), apart from the
    # fragments of split_blocks (0, 1, ...) and of incident headers (1,000 and 1,001)
    assert placeholder == "<!-- incident-loop fragment 100000 -->"
    tables = renderer.take_deferred("index.md")
    # The same HTML; a deferred table is put in without its last line break.
    assert render.inject(later, tables).rstrip("\n") == now.rstrip("\n")
    assert renderer.take_deferred("index.md") == {}  # taken once


def test_inject_uses_each_fragment_once() -> None:
    page = "<!-- incident-loop fragment 1 -->"
    loop = {1: "a <!-- incident-loop fragment 1 --> b"}
    assert render.inject(page, dict(loop)) == "a <!-- incident-loop fragment 1 --> b"


def test_built_pages_keep_no_placeholders(minimal: Path) -> None:
    site = build_site(minimal)
    for page in site.rglob("*.html"):
        assert not PLACEHOLDER.search(page.read_text(encoding="utf-8")), page
    register = (site / "actions" / "index.html").read_text(encoding="utf-8")
    assert 'id="inc-2026-001-a1"' in register
    assert register.count("Idempotency keys on label creation") == 1
    incident = (site / "incidents" / "INC-2026-001" / "index.html").read_text(encoding="utf-8")
    for heading in ("durations", "scope", "decision-rule", "actions"):
        assert f'<h2 id="{heading}">' in incident


HOOK = """
import json

pages = []


def on_post_page(output, page, config):
    if page.file.src_uri.startswith("incidents/INC-"):
        pages.append(page)
    return output


def on_post_build(config):
    (page,) = pages
    kept = {"content": page.content, "toc": [item.id for item in page.toc.items]}
    with open(config.config_file_path.replace("mkdocs.yml", "kept.json"), "w") as handle:
        json.dump(kept, handle)
"""


def test_a_written_incident_page_keeps_only_its_body_and_title(minimal: Path) -> None:
    """MkDocs holds every page to the end of the build: what an incident page keeps once it is
    written is its title, the placeholders of the header and its body, with the table of
    contents of that body; the written file has the whole header (test above)."""
    add_hook(minimal, HOOK)
    site = build_site(minimal)
    kept = json.loads((minimal / "kept.json").read_text(encoding="utf-8"))
    assert kept["content"].startswith(
        '<h1 class="il-title">INC-2026-001: DHL label API timeouts</h1>\n'
        "<!-- incident-loop fragment 1000 -->\n<!-- incident-loop fragment 1001 -->\n"
    )
    assert "il-facts" not in kept["content"] and "<p>Symptoms:" not in kept["content"]
    assert kept["toc"] == ["timeline"]  # the fixture's body has one heading
    written = (site / "incidents/INC-2026-001/index.html").read_text(encoding="utf-8")
    toc = written[written.index('<nav class="md-nav md-nav--secondary"') :]
    toc = toc[: toc.index("</nav>")]
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert anchors == [
        "durations",
        "scope",
        "runbooks-and-links",
        "decision-rule",
        "actions",
        "timeline",
    ]
    assert '<table class="il-facts">' in written


def test_a_docs_file_at_an_export_path_is_replaced_with_a_warning(
    minimal: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (minimal / "docs" / "api").mkdir()
    (minimal / "docs" / "api" / "actions.csv").write_text("stale,copy\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        site = build_site(minimal, strict=False)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert (
        "api/actions.csv in the docs folder is replaced by the file incident-loop generates; "
        "move its text elsewhere (an index.md of the catalogue folders is kept)"
    ) in " ".join(warnings)
    exported = (site / "api" / "actions.csv").read_text(encoding="utf-8")
    assert exported.startswith("Summary,") and "stale,copy" not in exported


def test_the_bytecode_cache_is_keyed_by_the_template_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    render._bytecode_cache.cache_clear()
    first = render._bytecode_cache()
    monkeypatch.setitem(render._SYNTAX, "trim_blocks", False)
    render._bytecode_cache.cache_clear()
    second = render._bytecode_cache()
    render._bytecode_cache.cache_clear()
    assert first is not None and second is not None
    assert first.pattern.startswith("incident-loop-") and first.pattern.endswith("-%s.cache")
    assert first.pattern != second.pattern


def test_the_incident_body_is_read_when_mkdocs_reads_the_page(minimal: Path) -> None:
    renderer = _renderer(minimal)
    (facts,) = renderer.analysis.incidents.values()
    meta, body = render.incident_markdown(facts)
    assert meta["title"].startswith("INC-2026-001: ")
    assert meta["render_macros"] is False
    assert body.startswith("\n## Timeline\n")
    assert (minimal / MINIMAL_INCIDENT).read_text(encoding="utf-8").endswith(body.lstrip("\n"))


def test_mkdocs_build_lets_go_of_the_yaml_and_builds_the_same_site(
    minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `mkdocs build` command checks the project once and releases the raw YAML
    (check_project(reuse=False)); MkDocs' API, as in the other tests, keeps it. Both sites are
    the same file for file, so nothing made after the release reads the raw data."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
    kept = build_site(minimal)
    released = tmp_path / "released"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(released)]
    run = subprocess.run(command, cwd=minimal, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    files = sorted(p.relative_to(kept) for p in kept.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(released) for p in released.rglob("*") if p.is_file())
    assert Path("incidents/INC-2026-001/index.html") in files and Path("api/actions.csv") in files
    for name in files:
        assert (kept / name).read_bytes() == (released / name).read_bytes(), name
