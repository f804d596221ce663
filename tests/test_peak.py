"""Issue 20, parts 1 and 2 on a real build: business impact, effort, quick wins and peak
readiness, with the values worked by hand from the minimal fixture.

Today is 2026-11-27 (SOURCE_DATE_EPOCH). The fixture's one incident, INC-2026-001, is a Sev2
detected by an alert on 2026-01-10 with no manual hours and no repeats; here it records an
impact of 250 shipments delayed, 10 orders cancelled and 3 escalations, and gains a second
action. The peak period "January sale" runs 01-05 to 01-15 every year.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, MINIMAL_INCIDENT, build_site, visible_text

P = MINIMAL_INCIDENT


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)


@pytest.fixture
def project(minimal: Path, edit: Callable[..., None]) -> Path:
    edit(
        minimal,
        P,
        [
            (
                "runbooks: [label-failover]",
                "impact:\n  shipments_delayed: 250\n  orders_cancelled: 10\n  escalations: 3\n"
                "runbooks: [label-failover]",
            ),
            ("    priority: P1", "    priority: P1\n    effort: 4"),
            (
                "      - Retried label requests never create a second label",
                "      - Retried label requests never create a second label\n"
                "  - title: Page on label 5xx rate per carrier\n"
                "    type: operability\n"
                "    owner: team-sre\n"
                "    status: proposed\n"
                "    due: 2027-01-20\n"
                "    effort: S",
            ),
        ],
    )
    edit(
        minimal,
        "mkdocs.yml",
        [
            (
                "  - incident-loop",
                "  - incident-loop:\n      peak_periods:\n"
                '        - {name: January sale, start: "01-05", end: "01-15"}',
            ),
            (
                "      on_undefined: strict",
                "      on_undefined: strict\n      modules: [incident_loop.macros]",
            ),
        ],
    )
    (minimal / "docs/index.md").write_text("# Home\n\n{{ peak_panel() }}\n", encoding="utf-8")
    return minimal


def test_impact_on_the_incident_partner_and_trends_pages(project: Path) -> None:
    site = build_site(project)
    incident = visible_text((site / "incidents/INC-2026-001/index.html").read_text())
    assert "Business impact 250 shipments delayed, 10 orders cancelled, 3 escalations" in incident
    partner = visible_text((site / "integrations/dhl/index.html").read_text())
    assert (
        "Business impact of 1 incident that recorded it: 250 shipments delayed, "
        "10 orders cancelled, 3 escalations." in partner
    )
    site_page = visible_text((site / "sites/ams/index.html").read_text())
    assert "250 shipments delayed, 10 orders cancelled, 3 escalations" in site_page
    trends = visible_text((site / "trends/index.html").read_text())
    assert "Business impact" in trends
    assert "2026-01 1 250 10 3" in trends


def test_backlog_score_value_per_effort_and_quick_wins(project: Path) -> None:
    site = build_site(project)
    # Both actions answer INC-2026-001: 60 (Sev2) + 0 repeats + 0 hours + 0 (alert)
    # + 250/100 + 10/20 + 3 = 6 business impact = 66.
    # Value per effort: A2 (S = 2 days) 66 / 2 = 33; A1 (4 days) 66 / 4 = 16.5.
    actions = {a["id"]: a for a in json.loads((site / "api/actions.json").read_text())["actions"]}
    assert actions["INC-2026-001-A1"]["score"] == 66
    assert actions["INC-2026-001-A1"]["effort"] == 4
    assert actions["INC-2026-001-A1"]["value_per_effort"] == 16.5
    assert actions["INC-2026-001-A2"]["effort"] == "S"
    assert actions["INC-2026-001-A2"]["effort_days"] == 2
    assert actions["INC-2026-001-A2"]["value_per_effort"] == 33
    # The only failure mode is among the 3 with the longest time to mitigate, so the S is a
    # quick win; 4 days is more than 2.
    assert actions["INC-2026-001-A2"]["quick_win"] is True
    assert actions["INC-2026-001-A1"]["quick_win"] is False
    incidents = json.loads((site / "api/incidents.json").read_text())["incidents"]
    assert incidents[0]["impact"] == {
        "shipments_delayed": 250,
        "orders_cancelled": 10,
        "escalations": 3,
    }
    backlog = visible_text((site / "backlog/index.html").read_text())
    assert (
        "6 business impact (250 shipments delayed, 10 orders cancelled, 3 escalations)" in backlog
    )
    # (the table of contents names the sections first)
    start = backlog.index("Small open actions")
    wins = backlog[start : backlog.index("Open actions ranked by score", start)]
    assert "INC-2026-001-A2 Page on label 5xx rate per carrier: score 66, effort S (2 days)" in wins
    assert "INC-2026-001-A1" not in wins
    by_value = backlog[backlog.index("points per day of effort") :]
    assert by_value.index("INC-2026-001-A2") < by_value.index("INC-2026-001-A1")
    assert "1 INC-2026-001-A2 Page on label 5xx rate per carrier 33 66 S (2 days)" in by_value
    assert "2 INC-2026-001-A1 Idempotency keys on label creation 16.5 66 4 (4 days)" in by_value


def test_peak_readiness_page_export_and_panel(project: Path) -> None:
    site = build_site(project)
    # On 2026-11-27 the 2026 occurrence (01-05..01-15) is over: the next is 2027-01-05 to
    # 2027-01-15, 4 + 31 + 4 = 39 days away (Nov 27 -> Dec 1 is 4, December 31, Jan 1 -> 5 is 4).
    # INC-2026-001 started 2026-01-10, in the earlier occurrence: its failure mode, partner
    # and site are the lessons. A1 is due 2026-03-07 (the Sev2 default, 56 days after
    # 2026-01-10): 304 days before the start (365 - (26 + 28 + 7) from 2026-03-07 to
    # 2027-01-05). A2 is due 2027-01-20: 15 days after the start, flagged.
    (peak,) = json.loads((site / "api/peak.json").read_text())["peaks"]
    assert peak["name"] == "January sale"
    assert (peak["next_start"], peak["next_end"]) == ("2027-01-05", "2027-01-15")
    assert peak["days_to_start"] == 39
    assert peak["earlier_incidents"] == ["INC-2026-001"]
    assert (peak["failure_modes"], peak["partners"], peak["sites"]) == (
        ["label-api-timeouts"],
        ["dhl"],
        ["ams"],
    )
    rows = {a["id"]: a for a in peak["actions"]}
    assert rows["INC-2026-001-A1"]["due_after_start"] is False
    assert rows["INC-2026-001-A1"]["days_before_start"] == 304
    assert rows["INC-2026-001-A2"]["due_after_start"] is True
    assert rows["INC-2026-001-A2"]["days_before_start"] == -15
    assert rows["INC-2026-001-A2"]["answers"] == [
        "failure mode label-api-timeouts",
        "partner dhl",
        "site ams",
    ]
    assert peak["actions_due_after_start"] == 1
    page = visible_text((site / "peak/index.html").read_text())
    assert "2027-01-05 to 2027-01-15 : starts in 39 days." in page
    assert "⚠ 1 due after the start" in page
    assert "⚠ 15 days after the start" in page
    assert "304 days before" in page
    # the home page's panel shows from 60 days before the start: 39 days away, so it shows
    home = visible_text((site / "index.html").read_text())
    assert "January sale: starts in 39 days (2027-01-05)" in home
    assert (
        "2 open actions answer what went wrong in earlier occurrences; 1 is due after the start"
        in home
    )


def test_peak_panel_is_empty_more_than_60_days_before(
    project: Path, edit: Callable[..., None]
) -> None:
    # 2027-02-01 is 4 + 31 + 31 + 32 = 66 days after 2026-11-27... the panel is hidden
    edit(
        project,
        "mkdocs.yml",
        [
            (
                '        - {name: January sale, start: "01-05", end: "01-15"}',
                '        - {name: February sale, start: "02-01", end: "02-10"}',
            )
        ],
    )
    site = build_site(project)
    home = visible_text((site / "index.html").read_text())
    assert "February sale" not in home
    page = visible_text((site / "peak/index.html").read_text())
    # no incident fell in an earlier February sale
    assert "starts in 66 days" in page
    assert "No incidents in earlier occurrences of this period." in page


def test_the_dashboard_names_the_next_peak_in_any_season(project: Path) -> None:
    """``next_peak()``: the panel within 60 days; further away, one line on the soonest peak;
    when every period is over, so; without any, how to configure one."""
    (project / "docs/index.md").write_text("# Home\n\n{{ next_peak() }}\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    january = '        - {name: January sale, start: "01-05", end: "01-15"}\n'
    assert january in config.read_text()

    def home_with(periods: str) -> str:
        text = config.read_text().split("  - incident-loop")
        rest = text[1].split("  - macros:", 1)[1]
        plugin = (
            f"  - incident-loop:\n      peak_periods:\n{periods}"
            if periods
            else "  - incident-loop\n"
        )
        config.write_text(text[0] + plugin + "  - macros:" + rest)
        return visible_text((build_site(project) / "index.html").read_text())

    assert "January sale: starts in 39 days (2027-01-05)" in home_with(january)
    launch = '        - {name: Launch, start: "2026-03-01", end: "2026-03-07"}\n'
    february = '        - {name: February sale, start: "02-01", end: "02-10"}\n'
    home = home_with(launch + february)
    # 66 days away (worked above); the dated Launch is over
    assert (
        "February sale starts in 66 days (2027-02-01). 0 open actions answer what went wrong "
        "in earlier occurrences. Peak readiness" in home
    )
    assert "Launch" not in home
    assert "Every configured peak period is over. Peak readiness" in home_with(launch)
    assert "No peak period is configured: list yours under peak_periods: of the incident-loop" in (
        home_with("")
    )
