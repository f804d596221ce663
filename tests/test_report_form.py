"""The "Report an incident" form (issue 21): a real MkDocs build, a real Chromium, a real check.

The form's text is written into a copy of the minimal fixture and `incident-loop check` must pass
on it; a wrong form shows each problem next to its field in the check's words; the new-file URL
carries the path and the text. No request may leave 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from test_browser import CHROMIUM, CHROMIUM_ARGS, _playwright

from conftest import FIXTURES, build_site, check_json, keep_on_this_host, serve_directory
from incident_loop.site.reportform import (
    branch_of,
    form_data,
    new_file_target,
    zone_offsets,
)

# --------------------------------------------------------------------------- the page's data


def test_branch_comes_from_edit_uri_else_main() -> None:
    assert branch_of("edit/main/docs/") == "main"
    assert branch_of("-/edit/trunk/docs/") == "trunk"
    assert branch_of("blob/release-2/docs/") == "release-2"
    assert branch_of(None) == "main"
    assert branch_of("docs/") == "main"


def test_new_file_target_for_github_gitlab_and_others() -> None:
    github = new_file_target("https://github.com/acme/ops/", "edit/main/docs/")
    assert github is not None
    assert (github.url, github.path_param, github.text_param) == (
        "https://github.com/acme/ops/new/main",
        "filename",
        "value",
    )
    gitlab = new_file_target("https://gitlab.example.com/acme/ops.git", "-/edit/prod/docs/")
    assert gitlab is not None
    assert (gitlab.url, gitlab.path_param, gitlab.text_param) == (
        "https://gitlab.example.com/acme/ops/-/new/prod",
        "file_name",
        "content",
    )
    assert new_file_target("https://bitbucket.org/acme/ops", None) is None
    assert new_file_target(None, "edit/main/docs/") is None
    assert new_file_target("javascript:alert(1)//github", None) is None


def test_zone_offsets_find_the_changes_to_the_minute() -> None:
    # Europe/Amsterdam in 2026: +01:00, +02:00 from 2026-03-29 01:00 UTC, +01:00 from
    # 2026-10-25 01:00 UTC (the last Sundays of March and October).
    changes = zone_offsets(ZoneInfo("Europe/Amsterdam"), 2026, 2026)
    utc = dt.timezone.utc
    assert changes == [
        (int(dt.datetime(2026, 1, 1, tzinfo=utc).timestamp()) * 1000, 60),
        (int(dt.datetime(2026, 3, 29, 1, tzinfo=utc).timestamp()) * 1000, 120),
        (int(dt.datetime(2026, 10, 25, 1, tzinfo=utc).timestamp()) * 1000, 60),
    ]
    assert zone_offsets(dt.timezone.utc, 2025, 2027) == [
        (int(dt.datetime(2025, 1, 1, tzinfo=utc).timestamp()) * 1000, 0)
    ]


def test_form_data_gives_the_next_free_id_per_year(minimal: Path) -> None:
    from incident_loop.config import read_project_config
    from incident_loop.core.project import check_project

    result = check_project(read_project_config(minimal))
    data = form_data(result.project, dt.date(2026, 6, 15), "https://github.com/example/ops", None)
    # the fixture holds INC-2026-001
    assert data["next_ids"] == {
        "2025": "INC-2025-001",
        "2026": "INC-2026-002",
        "2027": "INC-2027-001",
    }
    assert data["new_file"]["url"] == "https://github.com/example/ops/new/main"
    assert data["url_limit"] == 8000
    assert data["body"].startswith("## Timeline\n")


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The minimal fixture with ``timezone: Europe/Amsterdam``, built and served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("report") / "project"
    shutil.copytree(FIXTURES / "minimal", root)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - incident-loop\n" in text
    text = text.replace(
        "  - incident-loop\n", "  - incident-loop:\n      timezone: Europe/Amsterdam\n"
    )
    # The plugin keeps Material's header from asking api.github.com (repo_facts is off).
    config.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1781481600")  # 2026-06-15
        build_site(root)
    with serve_directory(root / "site") as url:
        yield url


@pytest.fixture
def page(site: str) -> Iterator[Any]:
    """A page of Chromium on the form; fails the test on a request to another host or a
    script error."""
    sync_playwright = _playwright()
    errors: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            outside = keep_on_this_host(context, site)
            tab = context.new_page()
            tab.set_default_timeout(15_000)
            tab.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            tab.goto(site + "new/")
            tab.wait_for_load_state("networkidle")
            assert tab.locator("form.il-report").is_visible(), "incident-form.js did not run"
            yield tab
            context.close()
        finally:
            browser.close()
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert errors == []


def _problem(page: Any, field: str) -> str:
    return str(page.locator(f"[data-il-field='{field}'] .il-problem").inner_text())


def _row_problem(page: Any, kind: str, index: int, item: str) -> str:
    row = page.locator(f"[data-il-row='{kind}']").nth(index)
    return str(row.locator(f"[data-il-item='{item}'] .il-problem").inner_text())


def _fill_action(page: Any, index: int, values: dict[str, str]) -> None:
    page.locator("[data-il-add='actions']").click()
    row = page.locator("[data-il-row='actions']").nth(index)
    for name, value in values.items():
        element = row.locator(f"[data-il-input='{name}']")
        if element.evaluate("e => e.tagName") == "SELECT":
            element.select_option(value)
        else:
            element.fill(value)


def test_a_filled_form_makes_a_file_that_passes_the_check(page: Any, minimal: Path) -> None:
    page.fill("#il-f-title", "DHL labels: 504 from the label API at Amsterdam — peak")
    page.select_option("#il-f-severity", "Sev2")
    page.select_option("#il-f-category", "integration")
    page.select_option("#il-f-failure_mode", "label-api-timeouts")
    page.select_option("#il-f-detection_source", "customer")
    page.fill("#il-f-started_at", "2026-03-30T08:55")  # summer time: +02:00
    page.fill("#il-f-detected_at", "2026-03-30T09:20")
    page.fill("#il-f-mitigated_at", "2026-03-30T10:05")
    page.select_option("#il-f-scope", ["dhl"])
    page.select_option("select[name='sites']", ["ams"])
    page.fill("textarea[name='segments']", "B2C parcels\nNext-day")
    page.fill(
        "#il-f-symptoms", 'Label requests failed with "504"; packers waited: 40 parcels\nper line.'
    )
    page.fill("#il-f-mitigation", "Switched to the fallback service level # and throttled")
    page.select_option("#il-f-trigger", "load")
    page.fill("#il-f-manual_hours", "6.5")
    page.select_option("#il-f-runbooks", ["label-failover"])
    page.locator("[data-il-add='links']").click()
    link = page.locator("[data-il-row='links']").nth(0)
    link.locator("[data-il-input='title']").fill("Grafana: label latency")
    link.locator("[data-il-input='url']").fill("https://grafana.example.com/d/labels")
    _fill_action(
        page,
        0,
        {
            "title": "Retry label requests with idempotency keys",
            "type": "product",
            "owner": "team-integrations",
            "status": "planned",
            "priority": "P1",
            "ticket": "OPS-412",
            "acceptance": "A retried request never prints a second label\nRetries back off",
        },
    )
    _fill_action(
        page,
        1,
        {
            "title": "Alert on label API 5xx rate",
            "type": "operability",
            "owner": "team-sre",
            "status": "done",
            "due": "2026-04-15",
            "acceptance": "Paged within 5 minutes of a 5xx rate above 2%",
            "completed_at": "2026-04-10",
        },
    )
    page.fill("#il-f-body", "## Timeline\n\n- 08:55 first 504s\n\n## Analysis\n\nPeak load.\n")

    assert page.locator(".il-summary").inner_text().startswith("No problems found")
    assert page.locator("[data-il-offset='started_at']").inner_text() == "+02:00"
    path = page.locator(".il-path").inner_text()
    assert (
        path == "incidents/2026/2026-03-30-dhl-labels-504-from-the-label-api-at-amsterdam-peak.md"
    )
    text = page.locator(".il-preview code").inner_text()

    # the file as the check sees it, in a copy of the fixture project
    target = minimal / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    code, problems = check_json(minimal)
    assert [p for p in problems if p["level"] == "error"] == [], problems
    assert code == 0, problems
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["id"] == "INC-2026-002"  # the next free id at build time
    assert front["started_at"] == dt.datetime(
        2026, 3, 30, 8, 55, tzinfo=dt.timezone(dt.timedelta(hours=2))
    )
    assert (
        front["symptoms"]
        == 'Label requests failed with "504"; packers waited: 40 parcels\nper line.'
    )
    assert [a["title"] for a in front["actions"]] == [
        "Retry label requests with idempotency keys",
        "Alert on label API 5xx rate",
    ]
    assert front["scope"] == {
        "partners": ["dhl"],
        "sites": ["ams"],
        "segments": ["B2C parcels", "Next-day"],
    }
    assert (
        text.split("---\n", 2)[2]
        == "\n## Timeline\n\n- 08:55 first 504s\n\n## Analysis\n\nPeak load.\n"
    )

    # the new-file URL carries the path and the text
    href = page.locator(".il-open").get_attribute("href")
    parts = urlsplit(href)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://github.com/example/ops/new/main"
    )
    query = parse_qs(parts.query)
    assert query["filename"] == [path]
    assert query["value"] == [text]


def test_a_wrong_form_shows_each_problem_next_to_its_field(page: Any) -> None:
    page.fill("#il-f-title", "Tilburg waves stuck")
    page.select_option("#il-f-severity", "Sev3")
    page.select_option("#il-f-category", "warehouse")
    page.select_option("#il-f-failure_mode", "inventory-mismatch")
    page.select_option("#il-f-detection_source", "internal")
    page.fill("#il-f-started_at", "2026-01-12T06:00")
    page.fill("#il-f-detected_at", "2026-01-12T06:30")
    page.fill("#il-f-mitigated_at", "2026-01-12T06:10")  # before detected
    page.fill("#il-f-symptoms", "Waves did not release.")
    page.fill("#il-f-mitigation", "Released by hand.")
    page.locator("[data-il-add='links']").click()
    link = page.locator("[data-il-row='links']").nth(0)
    link.locator("[data-il-input='title']").fill("Log")
    link.locator("[data-il-input='url']").fill("javascript:alert(1)")
    _fill_action(
        page, 0, {"title": "Fix waves", "type": "product", "owner": "wms", "status": "done"}
    )

    # shown while typing, for the fields the author touched
    assert _problem(page, "mitigated_at") == (
        "mitigated_at: is before detected_at (2026-01-12T06:30:00+01:00); "
        "mitigated_at cannot be earlier than detected_at"
    )
    assert _row_problem(page, "links", 0, "url") == (
        "links[0].url: `javascript:alert(1)` has `javascript:`; "
        "a link must start with https://, http:// or mailto:"
    )
    assert _problem(page, "scope") == ""  # not touched yet
    assert page.locator(".il-open").get_attribute("href") is None

    page.locator(".il-open").click()  # every problem, with no page opened
    assert _problem(page, "scope") == (
        "scope: lists nothing; name at least one of `partners`, `sites` or `segments`"
    )
    assert _row_problem(page, "actions", 0, "acceptance") == (
        "actions[0].acceptance: is required when status is done: list the acceptance criteria, "
        "one `- ...` per line"
    )
    assert _row_problem(page, "actions", 0, "completed_at") == (
        "actions[0].completed_at: is required when status is done: the date it was completed"
    )
    assert _problem(page, "detected_at") == ""
    assert page.locator(".il-summary").inner_text().startswith("5 problems")
    assert len(page.context.pages) == 1


def test_a_time_in_the_dst_gap_is_refused_and_a_fold_asks_for_the_offset(page: Any) -> None:
    page.fill("#il-f-started_at", "2026-03-29T02:30")
    assert _problem(page, "started_at") == (
        "started_at: `2026-03-29 02:30:00` does not exist in Europe/Amsterdam "
        "(the clocks moved forward); check the time"
    )
    page.fill("#il-f-started_at", "2026-10-25T02:30")
    assert "happens twice in Europe/Amsterdam" in _problem(page, "started_at")
    page.select_option("[data-il-fold='started_at']", "+01:00")
    assert _problem(page, "started_at") == ""
    assert (
        "started_at: 2026-10-25T02:30:00+01:00\n" in page.locator(".il-preview code").inner_text()
    )


def test_a_text_too_long_for_a_link_is_copied_or_downloaded(page: Any) -> None:
    page.fill("#il-f-body", "x" * 9000)
    assert page.locator(".il-open").is_hidden()
    assert "too long for a link" in page.locator(".il-handover").inner_text()
    with page.expect_download() as download:
        page.locator(".il-download").click()
    assert download.value.suggested_filename == "YYYY-MM-DD-incident.md"


def test_a_nav_written_before_the_form_builds_strictly_and_one_listing_it_shows_it(
    minimal: Path,
) -> None:
    config = minimal / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    before, _, _ = text.partition("nav:\n")
    nav = "".join(
        f"  - {page}\n"
        for page in (
            "index.md",
            "incidents/index.md",
            "integrations/index.md",
            "sites/index.md",
            "runbooks/index.md",
            "actions/index.md",
            "backlog/index.md",
            "trends/index.md",
        )
    )
    strict = before.replace("validation:\n", "validation:\n  omitted_files: warn\n")
    assert "omitted_files: warn" in strict
    config.write_text(strict + "nav:\n" + nav, encoding="utf-8")
    site = build_site(minimal)  # strict: a warning would fail it
    home = (site / "index.html").read_text(encoding="utf-8")
    assert (site / "new" / "index.html").is_file()
    assert "Report an incident" not in home

    config.write_text(strict + "nav:\n" + nav + "  - Report an incident: new/index.md\n", "utf-8")
    site = build_site(minimal)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="new/"' in home and "Report an incident" in home
