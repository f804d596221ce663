"""The home page's dashboard (issue 18): headline numbers beside the previous period, overdue
actions by owner and the next peak period, with values worked out by hand; and the sample
site's home page showing them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from pathlib import Path

import pytest
from test_rules import checked, write_incident

from conftest import EPOCH_2026_06_15, build_site, visible_text
from incident_loop.core import metrics
from incident_loop.core.settings import PeakPeriod


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
    """Today is 2026-06-15. With 30 days the period is 2026-05-17 to 2026-06-15 and the one
    before 2026-04-17 to 2026-05-16. All incidents share one failure mode; detected when they
    start (time to detect 0); time to mitigate in brackets:

        INC-2026-001 2026-01-10 (90)     the fixture's: in neither period
        INC-2026-002 2026-05-16 (60)     previous; 126 days after 001: no repeat
        INC-2026-003 2026-05-17 (30)     current, repeat of 002, detected by a customer, 2 manual hours
        INC-2026-004 2026-06-01 (600)    current but excluded from metrics
        INC-2026-005..008 (10, 20, 40, 50) current, each a repeat
    """
    write_incident(
        root,
        "INC-2026-002",
        "2026-05-16T12:00:00Z",
        mitigated_at="2026-05-16T13:00:00Z",
        extra=_action("team-a", "2026-06-01"),
    )
    write_incident(
        root,
        "INC-2026-003",
        "2026-05-17T12:00:00Z",
        mitigated_at="2026-05-17T12:30:00Z",
        detection_source="customer",
        extra="manual_hours: 2\n" + _action("team-b", "2027-06-01"),
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


def test_headline_numbers_beside_the_period_before(minimal: Path) -> None:
    _project(minimal)
    result = checked(minimal)
    chosen = list(result.analysis.incidents.values())
    current, previous = metrics.headline_periods(
        result.analysis, chosen, result.project.settings, days=30
    )
    assert (current.first, current.last) == (dt.date(2026, 5, 17), dt.date(2026, 6, 15))
    assert (previous.first, previous.last) == (dt.date(2026, 4, 17), dt.date(2026, 5, 16))
    # current: 003, 005..008 (004 is excluded); 003 and 005..008 each repeat the one before
    assert current.incidents == 5 and current.repeats == 5
    assert current.time_to_mitigate == metrics.Median(30, 5)  # median of 30, 10, 20, 40, 50
    assert current.time_to_detect == metrics.Median(0, 5)
    assert current.alert_detected_share == 4 / 5
    assert current.manual_hours == 2
    # previous: 002 alone, too few for a median
    assert previous.incidents == 1 and previous.repeats == 0
    assert previous.time_to_mitigate == metrics.Median(None, 1)
    assert previous.alert_detected_share == 1
    assert previous.manual_hours == 0


def test_overdue_actions_by_owner_most_first(minimal: Path) -> None:
    _project(minimal)
    analysis = checked(minimal).analysis
    # 002's (due 06-01) and 005's (due 06-10) for team-a; the fixture's action for
    # team-integrations, due by default 2026-01-10 + 56 days = 2026-03-07; 003's is due in 2027
    assert metrics.overdue_by_owner(analysis) == [("team-a", 2), ("team-integrations", 1)]


def test_peak_occurrences() -> None:
    yearly = PeakPeriod("Black Week", "11-20", "11-30")
    wrapping = PeakPeriod("New Year", "12-20", "01-05")
    once = PeakPeriod("Launch", "2026-09-01", "2026-09-14")
    assert metrics.peak_occurrence(yearly, 2026) == (dt.date(2026, 11, 20), dt.date(2026, 11, 30))
    assert metrics.peak_occurrence(wrapping, 2026) == (dt.date(2026, 12, 20), dt.date(2027, 1, 5))
    assert metrics.peak_occurrence(once, 2026) == (dt.date(2026, 9, 1), dt.date(2026, 9, 14))
    assert metrics.peak_occurrence(once, 2025) is None
    leap = PeakPeriod("Leap day", "02-29", "03-01")
    assert metrics.peak_occurrence(leap, 2027) == (dt.date(2027, 2, 28), dt.date(2027, 3, 1))


def test_next_peak_and_what_is_still_open_for_it(minimal: Path) -> None:
    _project(minimal)
    result = checked(minimal)
    settings = dataclasses.replace(
        result.project.settings,
        peak_periods=(
            PeakPeriod("Spring sale", "05-10", "05-17"),  # 2026's is over: next 2027-05-10
            PeakPeriod("Launch", "2026-01-01", "2026-01-31"),  # over, never again
        ),
    )
    peak = metrics.next_peak(result.analysis, settings)
    assert peak is not None
    assert (peak.period.name, peak.first, peak.last) == (
        "Spring sale",
        dt.date(2027, 5, 10),
        dt.date(2027, 5, 17),
    )
    # the 2026 occurrence held 002 (05-16) and 003 (05-17); 005 (05-18) is after it.
    # Overdue first: 002's action, then 003's, which is due 2027-06-01, after the start.
    assert [a.id for a in peak.open_actions] == ["INC-2026-002-A1", "INC-2026-003-A1"]
    assert [a.id for a in peak.due_after_start] == ["INC-2026-003-A1"]
    none = dataclasses.replace(settings, peak_periods=())
    assert metrics.next_peak(result.analysis, none) is None


def test_next_peak_is_the_current_one_while_it_runs(minimal: Path) -> None:
    result = checked(minimal)
    settings = dataclasses.replace(
        result.project.settings, peak_periods=(PeakPeriod("Summer", "06-01", "06-30"),)
    )
    peak = metrics.next_peak(result.analysis, settings)
    assert peak is not None and peak.first == dt.date(2026, 6, 1)


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
    assert "The last 91 days (2026-08-29 to 2026-11-27) beside the 91 days before" in text
    for heading in ("Latest incidents", "Overdue actions by owner", "Top of the backlog"):
        assert heading in text
    # Black Friday to Christmas runs from 11-20: on 2026-11-27 it is the current one
    assert "Black Friday to Christmas : 2026-11-20 to 2026-12-24, now." in text
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
