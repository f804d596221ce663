"""Real MkDocs + Material + macros builds of fixture projects and of the sample data."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import (
    EPOCH_2026_11_27,
    MINIMAL_INCIDENT,
    REPO,
    build_site,
    check_json,
    sample_copy,
    search_text,
    visible_text,
)

P = MINIMAL_INCIDENT


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)


def test_epoch_constant_is_the_27th() -> None:
    import datetime as dt

    assert dt.datetime.fromtimestamp(int(EPOCH_2026_11_27), dt.timezone.utc) == dt.datetime(
        2026, 11, 27, tzinfo=dt.timezone.utc
    )


def test_incident_page(minimal: Path) -> None:
    site = build_site(minimal)
    page = (site / "incidents/INC-2026-001/index.html").read_text()
    text = visible_text(page)
    assert "INC-2026-001: DHL label API timeouts" in text
    assert "Severity Sev2" in text and "Category integration" in text
    assert "Failure mode Label API timeouts or 5xx" in text
    # 09:00 -> 09:12 detected, -> 10:30 mitigated, -> next day 16:00 resolved (31 hours)
    assert "2026-01-10 09:12 (+01:00) 12 min (time to detect)" in text
    assert "2026-01-10 10:30 (+01:00) 1 h 30 min (time to mitigate)" in text
    assert "2026-01-11 16:00 (+01:00) 1 d 7 h (time to resolve)" in text
    assert '<a href="../../integrations/dhl/">DHL Parcel</a>' in page
    assert '<a href="../../sites/ams/">Amsterdam DC</a>' in page
    assert '<a href="../../runbooks/label-failover/">Carrier label failover</a>' in page
    assert '<a href="https://grafana.example.com/d/labels">Dashboard</a>' in page
    # Sev2 is a high severity: the decision rule gives that reason
    assert "must turn into backlog work because: severity Sev2" in text
    # default due date: 2026-01-10 + 56 days (Sev2) = 2026-03-07, overdue on 2026-11-27
    assert "INC-2026-001-A1 Idempotency keys on label creation" in text
    assert "2026-03-07 (default) ⚠ overdue" in text
    assert "Retried label requests never create a second label" in text
    # the body follows the generated header
    assert "09:00 label requests start to time out." in text
    edit = (
        "https://github.com/example/ops/edit/main/incidents/2026/2026-01-10-dhl-label-timeouts.md"
    )
    assert f'href="{edit}"' in page
    assert page.count(f'href="{edit}"') == 2  # Material's edit button and the page's own link
    # The fixture lists no `tags`: the page has none (severity, category, failure mode and
    # partners are badges and links of the header, not tags).
    assert 'class="md-tag"' not in page


def test_search_finds_an_incident_by_its_facts_scope_durations_and_actions(minimal: Path) -> None:
    site = build_site(minimal)
    text = search_text(site, "incidents/INC-2026-001/")
    # The fixture's facts, its scope by name (integrations/dhl.md, sites/ams.md), a duration
    # (09:00 -> 10:30), the decision rule and its action's title: the whole page is indexed.
    for words in (
        "INC-2026-001: DHL label API timeouts",
        "Severity Sev2",
        "Failure mode Label API timeouts or 5xx",
        "Label requests failed with 504.",
        "Throttled label creation and switched to the fallback service level.",
        "Partner: DHL Parcel",
        "Site: Amsterdam DC",
        "Segment: B2C parcels",
        "1 h 30 min (time to mitigate)",
        "must turn into backlog work because: severity Sev2",
        "Idempotency keys on label creation",
        "09:00 label requests start to time out.",
    ):
        assert words in text, words
    page = (site / "incidents/INC-2026-001/index.html").read_text(encoding="utf-8")
    assert page.count("<h1") == 1
    assert '<h1 class="il-title">INC-2026-001: DHL label API timeouts</h1>' in page
    assert "<tr><th>Symptoms</th><td>Label requests failed with 504.</td></tr>" in page
    assert "<tr><th>Detected by</th><td>alert</td></tr>" in page


def test_search_finds_an_action_in_the_register(minimal: Path) -> None:
    site = build_site(minimal)
    text = search_text(site, "actions/")
    assert "INC-2026-001-A1 Idempotency keys on label creation" in text
    assert "Retried label requests never create a second label" in text  # its criteria


def test_the_table_of_contents_has_the_generated_sections_then_the_body(minimal: Path) -> None:
    site = build_site(minimal)
    written = (site / "incidents/INC-2026-001/index.html").read_text(encoding="utf-8")
    toc = written[written.index('<nav class="md-nav md-nav--secondary"') :]
    toc = toc[: toc.index("</nav>")]
    assert re.findall(r'href="#([^"]+)"', toc) == [
        "durations",
        "scope",
        "runbooks-and-links",
        "decision-rule",
        "actions",
        "timeline",  # the fixture's body has one heading
    ]
    for heading in ("durations", "scope", "decision-rule", "actions"):
        assert f'<h2 id="{heading}">' in written


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


def test_the_tags_of_an_incident_are_its_front_matter_tags(minimal: Path, edit) -> None:
    edit(
        minimal,
        P,
        [("runbooks: [label-failover]", "runbooks: [label-failover]\ntags: [labels, peak]")],
    )
    site = build_site(minimal)
    page = (site / "incidents/INC-2026-001/index.html").read_text(encoding="utf-8")
    assert re.findall(r'class="md-tag">([^<]+)<', page) == ["labels", "peak"]
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    (first, *_) = [e for e in index["docs"] if e["location"] == "incidents/INC-2026-001/"]
    assert first["tags"] == ["labels", "peak"]


def _second_incident(root: Path) -> None:
    """INC-2026-002, same failure mode 22 days after INC-2026-001: a repeat within 90 days."""
    text = (root / P).read_text()
    for old, new in (
        ("INC-2026-001", "INC-2026-002"),
        ("title: DHL label API timeouts", "title: DHL label API timeouts again"),
        ("started_at: 2026-01-10T09:00:00+01:00", "started_at: 2026-02-01T10:00:00+01:00"),
        ("detected_at: 2026-01-10T09:12:00+01:00", "detected_at: 2026-02-01T10:05:00+01:00"),
        ("mitigated_at: 2026-01-10T10:30:00+01:00", "mitigated_at: 2026-02-01T11:35:00+01:00"),
        ("resolved_at: 2026-01-11T16:00:00+01:00\n", ""),
        ("  sites: [ams]", "  sites: []"),
    ):
        assert old in text
        text = text.replace(old, new)
    (root / "incidents/2026/2026-02-01-second.md").write_text(text)


def test_incident_log_and_navigation(minimal: Path) -> None:
    _second_incident(minimal)
    site = build_site(minimal)
    log = (site / "incidents/index.html").read_text()
    rows = re.findall(r"<tr data-severity.*?</tr>", log, re.S)
    assert [re.search(r">(INC-[\d-]+)<", r)[1] for r in rows] == ["INC-2026-002", "INC-2026-001"]
    assert visible_text(rows[0]) == (
        "INC-2026-002 2026-02-01 DHL label API timeouts again Sev2 integration "
        "Label API timeouts or 5xx DHL Parcel , B2C parcels 1 h 35 min ↻ 1"
    )
    # the repeat mark links to the repeated incident and names it (issue 18: one line per row)
    assert '<a href="../incidents/INC-2026-001/" title="repeats INC-2026-001"' in rows[0] or (
        '<a href="INC-2026-001/" title="repeats INC-2026-001"' in rows[0]
    )
    assert visible_text(rows[1]) == (
        "INC-2026-001 2026-01-10 DHL label API timeouts Sev2 integration "
        "Label API timeouts or 5xx DHL Parcel , Amsterdam DC , B2C parcels 1 h 30 min – 1"
    )
    assert 'data-partner="dhl" data-site="" data-year="2026"' in rows[0]
    assert "2 incidents, newest first." in visible_text(log)
    assert '<option value="Sev2">Sev2 (2)</option>' in log
    # the log is in the navigation, single incidents are not
    home = (site / "index.html").read_text()
    nav = home[home.index('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index("</nav>")]
    assert 'href="incidents/"' in nav and "INC-2026-001" not in nav
    repeat = visible_text((site / "incidents/INC-2026-002/index.html").read_text())
    assert "Repeat of INC-2026-001" in repeat
    assert "must turn into backlog work because: repeat of INC-2026-001 severity Sev2" in repeat
    first = visible_text((site / "incidents/INC-2026-001/index.html").read_text())
    assert "Repeated by INC-2026-002 : DHL label API timeouts again" in first


def test_sample_site_builds_strict(tmp_path: Path) -> None:
    site = build_site(sample_copy(tmp_path))
    incident_pages = sorted(p.parent.name for p in (site / "incidents").glob("INC-*/index.html"))
    sources = sorted((REPO / "incidents").rglob("*.md"))
    assert len(incident_pages) == len(sources) >= 24
    log = (site / "incidents/index.html").read_text()
    assert log.count("<tr data-severity") == len(sources)
    # nothing is loaded from another host: no fonts, scripts or styles
    for page in site.rglob("*.html"):
        html = page.read_text()
        for match in re.finditer(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html):
            assert not re.match(r"(?:https?:)?//", match[1]) or 'rel="canonical"' in match[0], (
                page,
                match[0],
            )


def test_build_fails_with_the_check_messages(
    minimal: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = minimal / P
    path.write_text(path.read_text().replace("severity: Sev2", "severity: Sev9"))
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(minimal)
    messages = [r.getMessage() for r in caplog.records]
    assert (
        f"incident-loop: {P}:4: error: severity: `Sev9` is not one of Sev1, Sev2, Sev3 "
        "(the plugin option `severities` lists them)"
    ) in messages
    assert any("incident-loop: 1 error in the incident sources" in m for m in messages)


def test_strict_build_fails_on_a_decision_rule_warning(
    minimal: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = minimal / P
    text = path.read_text()
    path.write_text(text[: text.index("actions:")] + "---\n")
    build_site(minimal, strict=False)  # a warning alone does not fail a normal build
    with pytest.raises(Abort):
        build_site(minimal, strict=True)
    assert any(
        f"{P}:1: warning: actions: the incident must turn into backlog work (severity Sev2)"
        in r.getMessage()
        for r in caplog.records
    )


def test_front_matter_values_are_escaped(minimal: Path) -> None:
    path = minimal / P
    text = path.read_text()
    text = text.replace(
        "title: DHL label API timeouts",
        "title: '<script>alert(1)</script> | pipe & \"quotes\" [x](javascript:alert(2)) {{ 7 * 7 }}'",
    )
    text = text.replace(
        "symptoms: Label requests failed with 504.", "symptoms: '<img src=x onerror=alert(3)>'"
    )
    text = text.replace("  segments: [B2C parcels]", "  segments: ['a|b', '<b>bold</b>']")
    text += "\nBody with {{ 6 * 7 }} stays as written.\n"
    path.write_text(text)
    site = build_site(minimal)
    page = (site / "incidents/INC-2026-001/index.html").read_text()
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>bold</b>" not in page
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; | pipe &amp; &#34;quotes&#34; [x](javascript:alert(2)) {{ 7 * 7 }}"
        in page
    )
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    assert 'href="javascript:' not in page
    assert "Body with {{ 6 * 7 }} stays as written." in page  # macros do not run on incident pages
    assert "<title>INC-2026-001: ‹script›alert(1)‹/script› | pipe &amp; " in page
    log = (site / "incidents/index.html").read_text()
    row = re.search(r"<tr data-severity.*?</tr>", log, re.S)[0]
    assert row.count("<td") == 10  # the | did not split a cell
    assert "a|b, &lt;b&gt;bold&lt;/b&gt;" in row


def test_blank_lines_in_values_cannot_start_markdown(minimal: Path) -> None:
    """A blank line in a value must not end the generated HTML block (found in review)."""
    path = minimal / P
    text = path.read_text()
    text = text.replace(
        "      - Retried label requests never create a second label",
        "      - |\n        first line\n\n        [click me](javascript:alert(1))\n\n        ## Heading & more",
    )
    text = text.replace(
        "symptoms: Label requests failed with 504.",
        "symptoms: |\n  one\n\n  [x](javascript:alert(2))",
    )
    path.write_text(text)
    site = build_site(minimal)
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert 'href="javascript:' not in html, page
        assert not re.search(r"<h[1-6][^>]*>Heading &amp; more", html), page
    incident = (site / "incidents/INC-2026-001/index.html").read_text()
    assert "[click me](javascript:alert(1))" in incident


def test_every_generated_page_has_one_title(minimal: Path) -> None:
    """Material adds its own <h1> when the content has none when the theme renders it."""
    site = build_site(minimal)
    for page in (
        "incidents",
        "incidents/INC-2026-001",
        "actions",
        "backlog",
        "trends",
        "integrations",
        "sites",
        "runbooks",
    ):
        html = (site / page / "index.html").read_text()
        assert html.count("<h1") == 1, page


# ------------------------------------------------------------------ issue 17: other hosts, tickets

SOURCE_COMPONENT = 'data-md-component="source"'


def _set_plugin_options(root: Path, options: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - incident-loop\n" in text
    config.write_text(text.replace("  - incident-loop\n", f"  - incident-loop:\n{options}"))


def test_the_header_asks_no_other_host_for_repository_facts_by_default(minimal: Path) -> None:
    """With repo_url set, Material's header component fetches stars from api.github.com."""
    site = build_site(minimal)
    for page in (site / "index.html", site / "incidents/INC-2026-001/index.html"):
        html = page.read_text(encoding="utf-8")
        assert 'href="https://github.com/example/ops"' in html  # the link stays
        assert SOURCE_COMPONENT not in html


def test_repo_facts_turns_materials_repository_facts_back_on(minimal: Path) -> None:
    _set_plugin_options(minimal, "      repo_facts: true\n")
    html = (build_site(minimal) / "index.html").read_text(encoding="utf-8")
    assert SOURCE_COMPONENT in html


def test_a_custom_dir_partial_wins_over_the_plugins(minimal: Path) -> None:
    partial = minimal / "overrides/partials/source.html"
    partial.parent.mkdir(parents=True)
    partial.write_text('<a class="md-source" href="#">our own source partial</a>\n')
    config = minimal / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("  font: false\n", "  font: false\n  custom_dir: overrides\n")
    )
    html = (build_site(minimal) / "index.html").read_text(encoding="utf-8")
    assert "our own source partial" in html and SOURCE_COMPONENT not in html


def test_ticket_url_makes_ticket_keys_links(minimal: Path, edit) -> None:
    edit(
        minimal, MINIMAL_INCIDENT, [("    priority: P1", "    priority: P1\n    ticket: OPS-12/3")]
    )
    html = (build_site(minimal) / "actions/index.html").read_text(encoding="utf-8")
    assert '<td class="il-clip" title="OPS-12/3">OPS-12/3</td>' in html  # no ticket_url: text
    _set_plugin_options(minimal, "      ticket_url: https://acme.atlassian.net/browse/{ticket}\n")
    html = (build_site(minimal) / "actions/index.html").read_text(encoding="utf-8")
    assert (
        '<td class="il-clip" title="OPS-12/3"><a href="https://acme.atlassian.net/browse/OPS-12%2F3">'
        "OPS-12/3</a></td>"
    ) in html


def test_a_file_name_with_spaces_is_url_encoded_in_the_edit_link(minimal: Path) -> None:
    (minimal / MINIMAL_INCIDENT).rename(minimal / "incidents/2026/DHL label #1 100%.md")
    html = (build_site(minimal) / "incidents/INC-2026-001/index.html").read_text(encoding="utf-8")
    assert (
        'href="https://github.com/example/ops/edit/main/incidents/2026/DHL%20label%20%231%20100%25.md"'
        in html
    )


# ---------------------------------------------------------------- bodies as they work on GitHub

BODY_LINKS = """
# DHL labels again

See [the first time](2026-01-10-dhl-label-timeouts.md#timeline), the
[runbook](../../docs/runbooks/label-failover.md) and ![status page](img/status%20page.png "503s").

```text
[not a link](nowhere.md)
```
"""

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_relative_links_in_a_body_work_on_the_site_as_on_github(minimal: Path) -> None:
    _second_incident(minimal)
    second = minimal / "incidents/2026/2026-02-01-second.md"
    second.write_text(second.read_text().split("\n---\n")[0] + "\n---\n" + BODY_LINKS)
    (minimal / "incidents/2026/img").mkdir()
    (minimal / "incidents/2026/img/status page.png").write_bytes(PNG)
    site = build_site(minimal)  # --strict: MkDocs finds every rewritten link
    page = (site / "incidents/INC-2026-002/index.html").read_text(encoding="utf-8")
    # The file beside INC-2026-001's file is its page; the docs page is the runbook's page;
    # the image is published under incidents/, at its place in the incidents folder.
    assert '<a href="../INC-2026-001/#timeline">the first time</a>' in page
    assert '<a href="../../runbooks/label-failover/">runbook</a>' in page
    assert 'src="../2026/img/status%20page.png"' in page
    assert (site / "incidents/2026/img/status page.png").read_bytes() == PNG
    # Code is left as written; the body's level-1 heading is a level-2 heading of the page.
    assert "[not a link](nowhere.md)" in page
    assert page.count("<h1") == 1
    assert re.search(r'<h2 id="dhl-labels-again">DHL labels again', page)


def test_a_broken_relative_link_is_an_error_of_its_line(minimal: Path) -> None:
    _second_incident(minimal)
    second = minimal / "incidents/2026/2026-02-01-second.md"
    text = second.read_text().split("\n---\n")[0] + "\n---\n"
    front_lines = text.count("\n")  # the body's first line is the line after the closing ---
    second.write_text(text + "Intro.\n\nSee [the notes](../2025/notes.md) and ![x](gone.png).\n")
    code, problems = check_json(minimal)
    assert code == 1
    line = front_lines + 3  # "Intro.", a blank line, then the links
    # sorted by line, then by message
    assert problems == [
        {
            "path": "incidents/2026/2026-02-01-second.md",
            "line": line,
            "level": "error",
            "field": "body",
            "message": "the image `gone.png` points to `incidents/2026/gone.png`, which is not an "
            "incident file, a file of the docs folder or a file beside the incidents in "
            "incidents/; fix the path (it is relative to this file, as on GitHub) or use a full "
            "https:// URL",
        },
        {
            "path": "incidents/2026/2026-02-01-second.md",
            "line": line,
            "level": "error",
            "field": "body",
            "message": "the link `../2025/notes.md` points to `incidents/2025/notes.md`, which is "
            "not an incident file, a file of the docs folder or a file beside the incidents in "
            "incidents/; fix the path (it is relative to this file, as on GitHub) or use a full "
            "https:// URL",
        },
    ]
