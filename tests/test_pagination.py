"""The log, the register and the backlog continue on ``page/2/`` and so on (issue 18), here with
pages of two rows so that five incidents make three pages; the later pages are reached from the
first page's pager, never from the navigation, with a ``nav:`` or without one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_rules import write_incident

from conftest import EPOCH_2026_06_15, build_site, visible_text
from incident_loop.site import render, urls


@pytest.fixture(autouse=True)
def _two_rows_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_06_15)
    monkeypatch.setattr(urls, "ROWS_PER_PAGE", 2)
    monkeypatch.setattr(render, "ROWS_PER_PAGE", 2)


def _five_incidents(root: Path) -> None:
    """The fixture's INC-2026-001 (2026-01-10) and four more, one a month from February, each
    of a failure mode of its own (no repeats, so no incident must have an action)."""
    modes = root / "incidents/failure-modes.yml"
    for month in range(2, 6):
        with modes.open("a", encoding="utf-8") as out:
            out.write(f"mode-{month}:\n  title: Mode {month}\n  category: integration\n")
        write_incident(
            root, f"INC-2026-00{month}", f"2026-0{month}-03T10:00:00Z", failure_mode=f"mode-{month}"
        )


def _nav_links(page: str) -> list[str]:
    """The targets of the links of Material's navigation (``md-nav__link``) on a page."""
    tags = re.findall(r"<a\b[^>]*\bmd-nav__link\b[^>]*>", page)
    return [m[1] for tag in tags if (m := re.search(r'href="([^"]*)"', tag))]


@pytest.mark.parametrize("with_nav", [True, False], ids=["nav", "automatic-nav"])
def test_later_pages_are_reached_from_the_first_not_from_the_nav(
    minimal: Path, with_nav: bool
) -> None:
    _five_incidents(minimal)
    if not with_nav:
        config = minimal / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text[: text.index("nav:\n")], encoding="utf-8")
    site = build_site(minimal)
    # newest first: 005 004 | 003 002 | 001
    pages = {
        number: visible_text((site / path / "index.html").read_text(encoding="utf-8"))
        for number, path in ((1, "incidents"), (2, "incidents/page/2"), (3, "incidents/page/3"))
    }
    assert "Page 1 of 3: incidents 1 to 2 of 5." in pages[1]
    assert "Page 2 of 3: incidents 3 to 4 of 5." in pages[2]
    assert "Page 3 of 3: incidents 5 to 5 of 5." in pages[3]
    assert "INC-2026-005" in pages[1] and "INC-2026-004" in pages[1]
    assert "INC-2026-003" in pages[2] and "INC-2026-001" not in pages[2]
    assert "INC-2026-001" in pages[3]
    assert "Incident log, page 2 of 3" in pages[2]  # its title
    first = (site / "incidents/index.html").read_text(encoding="utf-8")
    assert 'href="../incidents/page/2/"' in first and 'href="../incidents/page/3/"' in first
    for page in ("index.html", "incidents/index.html", "incidents/page/2/index.html"):
        links = _nav_links((site / page).read_text(encoding="utf-8"))
        assert links, f"no navigation on {page}"
        assert not [link for link in links if "page/" in link], f"{page}: {links}"


def test_long_lists_of_a_partner_page_show_the_newest_rows(
    minimal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lists of two rows: the partner DHL has the five incidents; its page shows the two newest
    and says where the others are."""
    monkeypatch.setattr(render, "LIST_ROWS", 2)
    _five_incidents(minimal)
    site = build_site(minimal)
    page = visible_text((site / "integrations/dhl/index.html").read_text(encoding="utf-8"))
    start = page.rindex("Incident history")  # the heading, after the table of contents
    history = page[start : page.index("Open actions", start)]
    assert "INC-2026-005" in history and "INC-2026-004" in history
    assert "INC-2026-003" not in history and "INC-2026-001" not in history
    assert (
        "The newest 2 of 5 incidents; the incident log has every one, and api/incidents.json "
        "lists each with its partners and sites." in history
    )
