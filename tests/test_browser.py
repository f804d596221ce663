"""A real browser walks the built sample site the way a person does (issue 7 item 3).

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright from PyPI; no browser is downloaded.
The site is built from a copy of the repository's mkdocs.yml, docs/ and incidents/ (and the theme's
``custom_dir`` when mkdocs.yml sets one), served by ``http.server`` on 127.0.0.1, and walked: the
incident log and its filter, an incident, its partner's catalogue page, the trends charts, a search
for a word of one incident's body, and the dark palette.
No request may leave 127.0.0.1 and no JavaScript error may occur. Screenshots of every step go to
``test-artifacts/browser/`` under the repository root (git-ignored); the test prints the folder.

Without Chromium or Playwright the test fails (it does not skip): CI installs both.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import EPOCH_2026_11_27, REPO, build_site, keep_on_this_host, serve_directory
from incident_loop.core.yamlio import load_plain_yaml

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = REPO / "test-artifacts" / "browser"


def _playwright() -> Any:
    """Playwright's sync API, or a failure that says how to install what is missing."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); "
            "the browser test never downloads a browser"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: .venv/bin/pip install playwright")
    return sync_playwright


# ---------------------------------------------------------------------------- the site


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The repository's sample site, built with a fixed today."""
    root = tmp_path_factory.mktemp("browser") / "sample"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copytree(REPO / "incidents", root / "incidents")
    theme = (load_plain_yaml((REPO / "mkdocs.yml").read_text(encoding="utf-8")) or {}).get("theme")
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    if custom_dir:  # theme overrides, e.g. one that keeps Material from calling the GitHub API
        shutil.copytree(REPO / custom_dir, root / custom_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        build_site(root)
    yield root


@pytest.fixture(scope="module")
def server(sample: Path) -> Iterator[str]:
    """The built site on 127.0.0.1 and a free port; yields its base URL."""
    with serve_directory(sample / "site") as url:
        yield url


def _incidents(root: Path) -> dict[str, tuple[dict[str, Any], str]]:
    """Every incident of the sample: id -> (front matter, body)."""
    result = {}
    for path in sorted((root / "incidents").rglob("*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        data = yaml.safe_load(head)
        result[data["id"]] = (data, body)
    return result


def _unique_body_word(root: Path) -> tuple[str, str]:
    """A word that only one incident's body holds: in no front matter and in no docs page."""
    incidents = _incidents(root)
    elsewhere = " ".join(
        [p.read_text(encoding="utf-8") for p in (root / "docs").rglob("*.md")]
        + [yaml.safe_dump(data) for data, _ in incidents.values()]
    ).lower()
    words = set(re.findall(r"[a-z]{3,}", elsewhere))
    owners: dict[str, set[str]] = {}
    for incident_id, (_, body) in incidents.items():
        for word in set(re.findall(r"\b[a-z]{9,}\b", body.lower())):
            owners.setdefault(word, set()).add(incident_id)
    candidates = sorted(
        (word, ids.pop())
        for word, ids in owners.items()
        if len(ids) == 1 and not any(w in words for w in (word, word[:-1], word[:-2]))
    )
    assert candidates, "no word of the sample is in exactly one incident body"
    return candidates[0]


# ---------------------------------------------------------------------------- the walk


def test_a_person_walks_the_site(sample: Path, server: str) -> None:
    sync_playwright = _playwright()
    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SHOTS}")
    incidents = _incidents(sample)
    word, word_incident = _unique_body_word(sample)
    errors: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, color_scheme="light", locale="en-GB"
            )
            outside = keep_on_this_host(context, server)
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.on(
                "console",
                lambda m: (
                    errors.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "assert")
                    else None
                ),
            )

            # 1. the incident log, newest first, one row per incident, and its severity filter
            page.goto(server + "incidents/")
            page.wait_for_load_state("networkidle")
            rows = page.locator(".il-log tbody tr")
            assert rows.count() == len(incidents)
            assert page.locator("h1").first.inner_text().startswith("Incident")
            facet = page.locator("select[data-il-facet='severity']")
            assert facet.is_visible(), "the filter form stays hidden: incident-loop.js did not run"
            page.screenshot(path=SHOTS / "01-incident-log.png", full_page=True)
            facet.select_option("Sev1")
            sev1 = sum(1 for data, _ in incidents.values() if data["severity"] == "Sev1")
            assert page.locator(".il-log tbody tr:not([hidden])").count() == sev1
            assert page.locator(".il-facets-count").inner_text() == (
                f"{sev1} of {len(incidents)} shown"
            )
            page.screenshot(path=SHOTS / "02-incident-log-sev1.png", full_page=True)
            facet.select_option("")

            # 2. click the newest incident that names a partner
            row = page.locator(".il-log tbody tr:not([data-partner=''])").first
            incident_id = row.locator("td").first.inner_text().strip()
            data = incidents[incident_id][0]
            row.locator(f"a:text-is('{incident_id}')").click()
            page.wait_for_url(re.compile(rf"/incidents/{incident_id}/$"))
            title = page.locator("h1.il-title")
            assert title.is_visible()
            assert title.inner_text() == f"{incident_id}: {data['title']}"
            page.screenshot(path=SHOTS / "03-incident.png", full_page=True)

            # 3. follow its partner link to the catalogue page
            slug = data["scope"]["partners"][0]
            page.locator(f".il-scope a[href$='integrations/{slug}/']").click()
            page.wait_for_url(re.compile(rf"/integrations/{slug}/$"))
            assert page.get_by_role("heading", name="Escalation contacts").is_visible()
            # the incident history links back to the incident
            back = page.locator(
                f"article a[href$='incidents/{incident_id}/']:text-is('{incident_id}')"
            )
            assert back.count() >= 1
            page.screenshot(path=SHOTS / "04-partner.png", full_page=True)

            # 4. the trends page through the navigation, with its charts drawn
            page.locator("nav.md-nav--primary a.md-nav__link[href$='trends/']").first.click()
            page.wait_for_url(re.compile(r"/trends/$"))
            charts = page.locator("figure.il-chart svg")
            assert charts.count() >= 8
            for index in range(charts.count()):
                chart = charts.nth(index)
                chart.scroll_into_view_if_needed()
                assert chart.is_visible()
                box = chart.bounding_box()
                assert box is not None and box["width"] > 200 and box["height"] > 100, box
                assert chart.locator("rect, polyline, circle").count() > 0
            page.screenshot(path=SHOTS / "05-trends.png", full_page=True)

            # 5. the dark palette: Material's toggle in the header
            page.locator("label[title='Switch to dark mode']").click()
            page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
            page.screenshot(path=SHOTS / "06-trends-dark.png", full_page=True)
            page.locator("figure.il-chart").first.screenshot(
                path=SHOTS / "06-trends-dark-chart.png"
            )
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background != "rgb(255, 255, 255)", background
            page.locator("label[title='Switch to light mode']").click()

            # 6. search for a word that only one incident's body holds
            page.goto(server)
            page.wait_for_load_state("networkidle")
            search = page.locator("input.md-search__input")
            search.click()
            search.press_sequentially(word, delay=20)
            link = page.locator(
                f".md-search-result__item a.md-search-result__link[href*='incidents/{word_incident}/']"
            ).first
            link.wait_for(state="visible")
            page.screenshot(path=SHOTS / "07-search.png")
            link.click()
            page.wait_for_url(re.compile(rf"/incidents/{word_incident}/"))
            assert word in page.locator("article").inner_text().lower()
            page.screenshot(path=SHOTS / "08-search-result.png", full_page=True)
            context.close()
        finally:
            browser.close()

    problems = [f"request left 127.0.0.1: {url}" for url in sorted(set(outside))] + errors
    assert problems == [], "\n".join(problems)
    for name in ("01-incident-log", "03-incident", "04-partner", "05-trends", "06-trends-dark"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000, name
