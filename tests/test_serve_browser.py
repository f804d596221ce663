"""While a source has an error, ``mkdocs serve`` keeps serving and every page shows the problems
(issue 19 item 3, SPEC section 10 "Serve").

A real ``mkdocs serve --dirty`` on a free port of 127.0.0.1, in a copy of the minimal fixture, and
Debian's Chromium driven by Playwright (as in test_browser.py; no browser is downloaded). An
incident and a partner page are broken: the pages that are still served, those the rebuild does
not make again included, show a banner with each problem as ``incident-loop check`` prints it.
Once both files are fixed, the banner is gone and the incident is back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, _playwright
from test_serve import WAIT, Server, _rewrite, mkdocs_serve

from conftest import MINIMAL_INCIDENT, run_cli

PARTNER = "docs/integrations/dhl.md"


@pytest.fixture
def dirty_server(minimal: Path) -> Iterator[Server]:
    with mkdocs_serve(minimal, "--dirty") as running:
        yield running


def _until(page: Any, url: str, condition: Callable[[], bool], what: str) -> None:
    """Load ``url`` again until ``condition`` holds (a rebuild is under way meanwhile)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        page.goto(url)
        page.wait_for_load_state("load")
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"no {what} on {url} within {WAIT:.0f} s")


def test_every_page_shows_the_problems_until_they_are_fixed(
    minimal: Path, dirty_server: Server
) -> None:
    sync_playwright = _playwright()
    base = dirty_server.url
    incident_page = base + "incidents/INC-2026-001/"
    pages = [base, base + "incidents/", base + "integrations/dhl/"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            banner = page.locator(".il-problems[role=alert]")

            for url in [incident_page, *pages]:
                page.goto(url)
                page.wait_for_load_state("load")
                assert banner.count() == 0, f"a banner on {url} of a clean project"

            # break an incident and a partner page
            _rewrite(minimal / MINIMAL_INCIDENT, "severity: Sev2", "severity: Sev9")
            _rewrite(minimal / PARTNER, "owner: team-integrations\n", "")
            check = run_cli("check", str(minimal))
            expected = [
                line for line in check.stdout.splitlines() if ": error: " in line
            ]  # as `incident-loop check` prints them
            assert len(expected) == 2, check.stdout

            # the two saves may be rebuilt one at a time: wait for the banner of both
            def both_problems() -> bool:
                return banner.count() == 1 and all(line in banner.inner_text() for line in expected)

            for url in pages:
                _until(page, url, both_problems, "banner with both problems")
                text = banner.inner_text()
                for line in expected:
                    assert line in text, f"{line!r} is not in the banner of {url}:\n{text}"
                assert "Fix them and save" in text
            # the broken incident is left out of the site until it is fixed
            page.goto(base + "incidents/")
            assert page.locator(".il-log tbody tr").count() == 0
            assert dirty_server.process.poll() is None, "mkdocs serve stopped"

            # fix both: the banner goes and the incident is back
            _rewrite(minimal / MINIMAL_INCIDENT, "severity: Sev9", "severity: Sev1")
            _rewrite(
                minimal / PARTNER, "kind: carrier\n", "kind: carrier\nowner: team-integrations\n"
            )

            # Wait for the incident itself, not only for a page without a banner: until the
            # incident is back, its address answers with the 404 page, which one flaky run
            # showed without a banner.
            def incident_back() -> bool:
                return (
                    banner.count() == 0 and "Severity Sev1" in page.locator("article").inner_text()
                )

            _until(page, incident_page, incident_back, "the fixed incident without a banner")
            for url in pages:  # the partner's fix may be a rebuild of its own
                _until(page, url, lambda: banner.count() == 0, "page without a banner")
        finally:
            browser.close()
