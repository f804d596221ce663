"""The home page's dashboard (issue 18): headline numbers beside the previous period, overdue
actions by owner and the next peak period, with values worked out by hand; and the sample
site's home page showing them."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from test_rules import checked, write_incident

from conftest import EPOCH_2026_06_15, build_site, visible_text
from incident_loop.core import metrics
from incident_loop.site.formats import figure


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_06_15)


def _action(owner: str, due: str) -> str:
    return (
        "actions:\n"
        f"  - title: Prevent it for {owner}\n    type: product\n    owner: {owner}\n"
        f"    status: proposed\n    due: {due}\n"
    )


def _project(root: Path) -> None:
    """Today is 2026-06-15 (the plugin's time zone is UTC). The last 91 days are 2026-03-17 to
    2026-06-15, the 91 days before 2025-12-16 to 2026-03-16. All incidents share one failure
    mode and are detected when they start (time to detect 0) unless said; time to mitigate in
    brackets:

        INC-2026-001 2026-01-10 (90)     the fixture's: detected after 12 min; previous period
        INC-2026-002 2026-03-16 23:59 (60) previous (its last minute); 65 days after 001: repeat
        INC-2026-003 2026-03-17 00:00 (30) current (its first minute), repeat of 002, detected
                                          by a customer, 2.5 manual hours
        INC-2026-004 2026-06-01 (600)    current but excluded from metrics
        INC-2026-005..008 2026-05-18..21 (10, 20, 40, 50) current, each a repeat
    """
    write_incident(
        root,
        "INC-2026-002",
        "2026-03-16T23:59:00Z",
        mitigated_at="2026-03-17T00:59:00Z",
        extra=_action("team-a", "2026-06-01"),
    )
    write_incident(
        root,
        "INC-2026-003",
        "2026-03-17T00:00:00Z",
        mitigated_at="2026-03-17T00:30:00Z",
        detection_source="customer",
        extra="manual_hours: 2.5\n" + _action("team-b", "2027-06-01"),
    )
    write_incident(
        root,
        "INC-2026-004",
        "2026-06-01T12:00:00Z",
        mitigated_at="2026-06-01T22:00:00Z",
        extra="exclude_from_metrics: true\n",
    )
    for number, minutes in zip(range(5, 9), (10, 20, 40, 50), strict=True):
        write_incident(
            root,
            f"INC-2026-00{number}",
            f"2026-05-{13 + number}T12:00:00Z",
            mitigated_at=f"2026-05-{13 + number}T12:{minutes}:00Z",
            extra=_action("team-a", "2026-06-10") if number == 5 else "",
        )


def _cards(root: Path, *, previous: bool) -> dict[str, str]:
    result = checked(root)
    chosen = list(result.analysis.incidents.values())
    return {
        label: figure(
            metrics.headline(
                name, result.analysis, chosen, result.project.settings, previous=previous
            )
        )
        for label, name in metrics.DASHBOARD_HEADLINES
    }


def test_headline_numbers_beside_the_91_days_before(minimal: Path) -> None:
    _project(minimal)
    # current: 003 and 005..008 (004 is excluded), each a repeat; median of 30, 10, 20, 40, 50
    assert _cards(minimal, previous=False) == {
        "Incidents": "5",
        "Repeats": "5",
        "Median time to detect": "0 min",
        "Median time to mitigate": "30 min",
        "Detected by alerts": "80%",  # 4 of 5: 003 was detected by a customer
        "Manual hours": "2.5",
    }
    # previous: 001 and 002, too few for a median or a share
    assert _cards(minimal, previous=True) == {
        "Incidents": "2",
        "Repeats": "1",
        "Median time to detect": "too few incidents (n=2)",
        "Median time to mitigate": "too few incidents (n=2)",
        "Detected by alerts": "too few incidents (n=2)",
        "Manual hours": "0",
    }


def test_overdue_actions_by_owner_most_first(minimal: Path) -> None:
    _project(minimal)
    analysis = checked(minimal).analysis
    # 002's (due 06-01) and 005's (due 06-10) for team-a; the fixture's action for
    # team-integrations, due by default 2026-01-10 + 56 days = 2026-03-07; 003's is due in 2027
    assert metrics.overdue_by_owner(analysis) == [("team-a", 2), ("team-integrations", 1)]


def test_the_sample_home_page_is_a_dashboard(tmp_path: Path) -> None:
    from conftest import EPOCH_2026_11_27, sample_copy

    root = sample_copy(tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
        site = build_site(root)
    home = (site / "index.html").read_text(encoding="utf-8")
    text = visible_text(home)
    for label in (
        "Incidents",
        "Repeats",
        "Median time to detect",
        "Median time to mitigate",
        "Detected by alerts",
        "Manual hours",
    ):
        assert f'<span class="il-card__label">{label}</span>' in home
    assert home.count('class="il-card__before"') == 6
    assert "The last 91 days beside the 91 days before" in text
    # 2026-08-29 to 2026-11-27: INC-2026-014 (09-15), 015 (10-13), 016 (10-26), 017 (11-20)
    assert "Incidents 4 previous 91 days: 5" in text
    for heading in ("Latest incidents", "Overdue actions by owner", "Top of the backlog"):
        assert heading in text
    # Black Friday to Christmas runs from 11-20: on 2026-11-27 it is the current one
    assert "Black Friday to Christmas: under way (2026-11-20)" in text
    # the loop's explanation moved to the guide
    assert "1. Incident." not in text and "Decision rule." not in text
    guide = visible_text((site / "how-the-loop-works/index.html").read_text(encoding="utf-8"))
    assert "Backlog item with acceptance criteria." in guide
    # the owners link to the register filtered to them
    assert 'href="actions/#owner=' in home


def test_empty_indexes_say_so_and_how_to_add_one(minimal: Path) -> None:
    """No incidents, no sites and no runbooks yet: each index says so and how to add one."""
    from conftest import MINIMAL_INCIDENT

    (minimal / MINIMAL_INCIDENT).unlink()
    for folder in ("sites", "runbooks"):
        for page in (minimal / "docs" / folder).glob("*.md"):
            page.unlink()
    partner = minimal / "docs/integrations/dhl.md"
    partner.write_text(partner.read_text().replace("runbooks: [label-failover]\n", ""))
    site = build_site(minimal)

    def text(path: str) -> str:
        page = (site / path / "index.html").read_text(encoding="utf-8")
        return html.unescape(visible_text(page))

    assert "No warehouse sites yet. Add one as a markdown file sites/<slug>.md in the docs " in (
        text("sites")
    )
    assert "No runbooks yet. Add one as a markdown file runbooks/<slug>.md" in text("runbooks")
    assert "give at least title , owner and reviewed" in text("runbooks").replace("gives", "give")
    assert "No incidents yet. Write the first one with incident-loop new" in text("incidents")
    assert "No actions yet." in text("actions")
    assert "No open actions." in text("backlog")
    # the partner of the fixture is still listed, with no incidents
    assert "DHL Parcel" in text("integrations")
