"""The rules of SPEC section 4, one test per rule and per edge, worked out by hand.

Each rule is called directly (``incident_loop.core.rules``), and through ``analyse()`` on a copy
of tests/fixtures/minimal with incidents written for the test. "Today" is 2026-06-15 from
``SOURCE_DATE_EPOCH`` (see conftest). The minimal fixture's own incident, INC-2026-001, is a Sev2
``label-api-timeouts`` incident that started 2026-01-10T09:00:00+01:00 (08:00Z), detected by an
alert, with one planned action INC-2026-001-A1 without a ``due``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import EPOCH_2026_06_15, MINIMAL_INCIDENT
from incident_loop.config import read_project_config
from incident_loop.core import metrics, rules
from incident_loop.core.analyse import Analysis, ranked_open_actions
from incident_loop.core.project import CheckResult, check_project
from incident_loop.core.rules import (
    AnsweredIncident,
    Occurrence,
    Reason,
    ScorePart,
)
from incident_loop.core.trends import compute_trends

UTC = dt.timezone.utc
CET = dt.timezone(dt.timedelta(hours=1))
CEST = dt.timezone(dt.timedelta(hours=2))
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2026, 6, 15)
SEVERITIES = ("Sev1", "Sev2", "Sev3")
Edit = Callable[[Path, str, list[tuple[str, str]]], None]


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_06_15)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def write_incident(
    root: Path,
    incident_id: str,
    started_at: str,
    *,
    severity: str = "Sev3",
    failure_mode: str = "label-api-timeouts",
    detection_source: str = "alert",
    mitigated_at: str | None = None,
    extra: str = "",
) -> None:
    """An incident file with what the loader requires, plus ``extra`` front-matter lines."""
    (root / "incidents/2026" / f"{incident_id}.md").write_text(
        "---\n"
        f"id: {incident_id}\n"
        f"title: Test incident {incident_id}\n"
        f"severity: {severity}\n"
        "category: integration\n"
        f"failure_mode: {failure_mode}\n"
        f"detection_source: {detection_source}\n"
        f"started_at: {started_at}\n"
        f"detected_at: {started_at}\n"
        f"mitigated_at: {mitigated_at or started_at}\n"
        "scope:\n  partners: [dhl]\n"
        "symptoms: Label requests failed.\n"
        "mitigation: Switched to the fallback service.\n"
        f"{extra}"
        "---\n",
        encoding="utf-8",
    )


def action(title: str, status: str = "proposed", extra: str = "") -> str:
    return (
        f"  - title: {title}\n    type: operability\n    owner: team-integrations\n"
        f"    status: {status}\n{extra}"
    )


def checked(root: Path) -> CheckResult:
    result = check_project(read_project_config(root))
    errors = [d.text() for d in result.diagnostics if d.level == "error"]
    assert errors == []
    return result


def analysed(root: Path) -> Analysis:
    return checked(root).analysis


def only_new_incidents(root: Path) -> None:
    """Remove the fixture's own incident, for tests that need a clean slate."""
    (root / MINIMAL_INCIDENT).unlink()


# --------------------------------------------------------------------------- rounding


def test_round_number_makes_whole_numbers_int() -> None:
    value = rules.round_number(8.0)
    assert value == 8 and isinstance(value, int)


def test_round_number_rounds_to_two_decimals_by_default() -> None:
    assert rules.round_number(7.456) == 7.46
    assert rules.round_number(7.454) == 7.45


def test_round_number_with_other_digits_and_without_rounding() -> None:
    assert rules.round_number(2 / 3, 4) == 0.6667
    assert rules.round_number(1.999, 2) == 2 and isinstance(rules.round_number(1.999, 2), int)
    assert rules.round_number(7.456, None) == 7.456
    assert isinstance(rules.round_number(90.0, None), int)


def test_round_number_keeps_no_value() -> None:
    assert rules.round_number(None) is None


# --------------------------------------------------------------------------- durations


def test_durations_count_from_started_at_in_minutes() -> None:
    started = at("2026-01-10T09:00:00+01:00")
    # 09:00 -> 09:12 is 12 min; -> 10:30 is 90 min; -> next day 16:00 is 24 h + 7 h = 1860 min
    assert rules.time_to_detect(started, at("2026-01-10T09:12:00+01:00")) == 12
    assert rules.time_to_mitigate(started, at("2026-01-10T10:30:00+01:00")) == 90
    assert rules.time_to_resolve(started, at("2026-01-11T16:00:00+01:00")) == 1860


def test_durations_keep_seconds_as_fractions_of_a_minute() -> None:
    # 90 seconds are 1.5 minutes; 20 seconds 1/3 of a minute, not rounded here
    started = at("2026-01-10T09:00:00+00:00")
    assert rules.time_to_detect(started, at("2026-01-10T09:01:30+00:00")) == 1.5
    assert rules.time_to_detect(started, at("2026-01-10T09:00:20+00:00")) == pytest.approx(1 / 3)


def test_time_to_resolve_is_none_without_resolved_at() -> None:
    assert rules.time_to_resolve(at("2026-01-10T09:00:00+01:00"), None) is None


def test_durations_across_different_utc_offsets() -> None:
    # 23:50+01:00 is 22:50Z; 01:05+02:00 the next day is 23:05Z: 15 minutes, not the 75 that the
    # wall clocks show.
    started = dt.datetime(2026, 3, 28, 23, 50, tzinfo=CET)
    assert rules.time_to_detect(started, dt.datetime(2026, 3, 29, 1, 5, tzinfo=CEST)) == 15


def test_durations_across_a_daylight_saving_change_in_one_zone() -> None:
    # Amsterdam moves from +01:00 to +02:00 at 2026-03-29T01:00Z. 01:30 local is 00:30Z and
    # 03:30 local is 01:30Z: one hour. Python subtracts two datetimes with the same zone
    # object by their wall clocks (two hours), so the rule must convert first.
    started = dt.datetime(2026, 3, 29, 1, 30, tzinfo=AMSTERDAM)
    mitigated = dt.datetime(2026, 3, 29, 3, 30, tzinfo=AMSTERDAM)
    assert rules.time_to_mitigate(started, mitigated) == 60


def test_analyse_durations_of_timestamps_in_different_offsets(minimal: Path, edit: Edit) -> None:
    # Same instants as the fixture, written in other offsets: 08:12Z is 09:12+01:00 (12 min),
    # 11:30+02:00 is 10:30+01:00 (90 min), 2026-01-11T15:00Z is 16:00+01:00 (1860 min).
    edit(
        minimal,
        MINIMAL_INCIDENT,
        [
            ("detected_at: 2026-01-10T09:12:00+01:00", "detected_at: 2026-01-10T08:12:00Z"),
            ("mitigated_at: 2026-01-10T10:30:00+01:00", "mitigated_at: 2026-01-10T11:30:00+02:00"),
            ("resolved_at: 2026-01-11T16:00:00+01:00", "resolved_at: 2026-01-11T15:00:00Z"),
        ],
    )
    facts = analysed(minimal).incidents["INC-2026-001"]
    assert (facts.time_to_detect, facts.time_to_mitigate, facts.time_to_resolve) == (12, 90, 1860)


def test_analyse_durations_of_local_times_across_a_daylight_saving_change(
    minimal: Path, edit: Edit
) -> None:
    # With `timezone: Europe/Amsterdam` times without an offset are read in that zone:
    # 2026-03-29 01:30 is 00:30Z (CET), 03:10 is 01:10Z (CEST): 40 minutes, not 100.
    edit(
        minimal,
        "mkdocs.yml",
        [("  - incident-loop", "  - incident-loop:\n      timezone: Europe/Amsterdam")],
    )
    only_new_incidents(minimal)
    write_incident(
        minimal, "INC-2026-002", "2026-03-29T01:30:00", mitigated_at="2026-03-29T03:10:00"
    )
    assert analysed(minimal).incidents["INC-2026-002"].time_to_mitigate == 40


# --------------------------------------------------------------------------- month of an incident


def test_month_of_an_incident_is_taken_in_the_timezone() -> None:
    # 2026-01-31T23:30Z is already 00:30 on 1 February in Amsterdam (+01:00)
    started = at("2026-01-31T23:30:00+00:00")
    assert rules.incident_month(started, UTC) == "2026-01"
    assert rules.incident_month(started, AMSTERDAM) == "2026-02"
    assert rules.local_date(started, AMSTERDAM) == dt.date(2026, 2, 1)


def test_month_of_a_date() -> None:
    assert rules.month_of_day(dt.date(2026, 3, 5)) == "2026-03"
    assert rules.month_of_day(dt.date(1999, 12, 31)) == "1999-12"


def test_analyse_month_of_an_incident_uses_the_timezone(minimal: Path, edit: Edit) -> None:
    edit(
        minimal,
        "mkdocs.yml",
        [("  - incident-loop", "  - incident-loop:\n      timezone: Europe/Amsterdam")],
    )
    write_incident(minimal, "INC-2026-002", "2026-01-31T23:30:00Z")
    assert analysed(minimal).incidents["INC-2026-002"].month == "2026-02"


# --------------------------------------------------------------------------- repeats


def test_repeat_window_ends_inclusive() -> None:
    # 2026-01-01 + 90 days: January 31 + February 28 + March 31 = 90 -> 2026-04-01, same hour
    earlier = at("2026-01-01T08:00:00+00:00")
    assert rules.within_repeat_window(earlier, at("2026-04-01T08:00:00+00:00"), 90)


def test_repeat_window_one_minute_after_its_end_is_outside() -> None:
    earlier = at("2026-01-01T08:00:00+00:00")
    assert not rules.within_repeat_window(earlier, at("2026-04-01T08:01:00+00:00"), 90)


def test_repeat_window_is_measured_between_instants() -> None:
    # 2026-01-01T09:00+01:00 and 2026-04-01T10:00+02:00 are both 08:00Z: exactly 90 days
    earlier = dt.datetime(2026, 1, 1, 9, 0, tzinfo=CET)
    assert rules.within_repeat_window(earlier, dt.datetime(2026, 4, 1, 10, 0, tzinfo=CEST), 90)
    assert not rules.within_repeat_window(earlier, dt.datetime(2026, 4, 1, 10, 1, tzinfo=CEST), 90)


def test_repeat_window_across_a_daylight_saving_change_in_one_zone() -> None:
    # 2025-09-01 + 90 days: 29 to September 30, + 31 (October) + 30 (November) = 2025-11-30.
    # 10:00 in Amsterdam is 08:00Z in September (CEST) but 09:00Z on 30 November (CET): the
    # wall clocks are 90 days apart, the instants 90 days and one hour.
    earlier = dt.datetime(2025, 9, 1, 10, 0, tzinfo=AMSTERDAM)
    assert not rules.within_repeat_window(
        earlier, dt.datetime(2025, 11, 30, 10, 0, tzinfo=AMSTERDAM), 90
    )
    assert rules.within_repeat_window(
        earlier, dt.datetime(2025, 11, 30, 9, 0, tzinfo=AMSTERDAM), 90
    )


def test_repeat_needs_a_strictly_earlier_start() -> None:
    moment = at("2026-01-01T08:00:00+00:00")
    assert not rules.within_repeat_window(moment, moment, 90)
    assert not rules.within_repeat_window(at("2026-01-02T08:00:00+00:00"), moment, 90)


def test_repeat_needs_the_same_failure_mode() -> None:
    a = Occurrence("INC-2026-001", at("2026-01-01T08:00:00+00:00"), "label-api-timeouts")
    b = Occurrence("INC-2026-002", at("2026-01-05T08:00:00+00:00"), "inventory-mismatch")
    c = Occurrence("INC-2026-003", at("2026-01-05T08:00:00+00:00"), "label-api-timeouts")
    assert not rules.is_repeat(b, a, 90)
    assert rules.is_repeat(c, a, 90)


def test_repeat_via_recurrence_of_beyond_the_window_and_across_modes() -> None:
    # 2025-01-01 -> 2026-01-05 is 369 days, far beyond 90; another failure mode too
    a = Occurrence("INC-2025-001", at("2025-01-01T08:00:00+00:00"), "label-api-timeouts")
    b = Occurrence(
        "INC-2026-002", at("2026-01-05T08:00:00+00:00"), "inventory-mismatch", ("INC-2025-001",)
    )
    assert rules.is_repeat(b, a, 90)


def test_excluded_incidents_neither_repeat_nor_are_repeated() -> None:
    start = at("2026-01-01T08:00:00+00:00")
    later = at("2026-01-02T08:00:00+00:00")
    a = Occurrence("INC-2026-001", start, "label-api-timeouts")
    a_excluded = a._replace(excluded=True)
    b = Occurrence("INC-2026-002", later, "label-api-timeouts", ("INC-2026-001",))
    b_excluded = b._replace(excluded=True)
    assert rules.is_repeat(b, a, 90)  # the same pair, neither excluded: a repeat
    assert not rules.is_repeat(b, a_excluded, 90)
    assert not rules.is_repeat(b_excluded, a, 90)


def test_repeat_of_is_the_most_recent_repeated_incident() -> None:
    old = Occurrence("INC-2025-009", at("2025-06-01T08:00:00+00:00"), "webhook-outage")
    near = Occurrence("INC-2026-001", at("2026-01-01T08:00:00+00:00"), "label-api-timeouts")
    later = Occurrence(
        "INC-2026-002", at("2026-01-20T08:00:00+00:00"), "label-api-timeouts", ("INC-2025-009",)
    )
    assert rules.repeat_of(later, [old, near], 90) == "INC-2026-001"
    assert rules.repeat_of(later, [old], 90) == "INC-2025-009"
    assert rules.repeat_of(later, [], 90) is None


def test_analyse_repeat_exactly_at_the_window_end(minimal: Path) -> None:
    # INC-2026-001 started 2026-01-10T08:00Z; + 90 days: 21 (rest of January) + 28 + 31 + 10
    # = 90 -> 2026-04-10T08:00Z, written here as 10:00+02:00
    write_incident(minimal, "INC-2026-002", "2026-04-10T10:00:00+02:00")
    analysis = analysed(minimal)
    assert analysis.incidents["INC-2026-002"].repeat_of == "INC-2026-001"
    assert analysis.incidents["INC-2026-001"].repeated_by == ("INC-2026-002",)


def test_analyse_repeat_one_minute_after_the_window(minimal: Path) -> None:
    write_incident(minimal, "INC-2026-002", "2026-04-10T08:01:00Z")
    analysis = analysed(minimal)
    assert analysis.incidents["INC-2026-002"].repeat_of is None
    assert analysis.incidents["INC-2026-001"].repeated_by == ()


def test_analyse_repeat_window_of_local_times(minimal: Path, edit: Edit) -> None:
    # As above, read in `timezone: Europe/Amsterdam`: 10:00 on 2025-09-01 (08:00Z) and on
    # 2025-11-30 (09:00Z) are 90 days and one hour apart; 09:00 (08:00Z) is exactly 90 days.
    edit(
        minimal,
        "mkdocs.yml",
        [("  - incident-loop", "  - incident-loop:\n      timezone: Europe/Amsterdam")],
    )
    mode = "inventory-mismatch"
    write_incident(minimal, "INC-2025-001", "2025-09-01T10:00:00", failure_mode=mode)
    write_incident(minimal, "INC-2025-002", "2025-11-30T10:00:00", failure_mode=mode)
    assert analysed(minimal).incidents["INC-2025-002"].repeat_of is None
    write_incident(minimal, "INC-2025-002", "2025-11-30T09:00:00", failure_mode=mode)
    assert analysed(minimal).incidents["INC-2025-002"].repeat_of == "INC-2025-001"


def test_analyse_repeat_via_recurrence_of_beyond_the_window(minimal: Path) -> None:
    # 2026-01-10 -> 2026-06-01 is 142 days, outside the window; the link makes it a repeat
    write_incident(
        minimal, "INC-2026-002", "2026-06-01T08:00:00Z", extra="recurrence_of: [INC-2026-001]\n"
    )
    assert analysed(minimal).incidents["INC-2026-002"].repeat_of == "INC-2026-001"


def test_analyse_excluded_incidents_neither_repeat_nor_are_repeated(minimal: Path) -> None:
    # A drill 2 days after INC-2026-001 (same mode) does not repeat it; INC-2026-004, 4 days
    # after, lists the drill and has the same mode as both: it repeats INC-2026-001, the most
    # recent incident that is not excluded, not the drill.
    excluded = "exclude_from_metrics: true\n"
    write_incident(minimal, "INC-2026-002", "2026-01-12T08:00:00Z", extra=excluded)
    write_incident(
        minimal, "INC-2026-004", "2026-01-14T08:00:00Z", extra="recurrence_of: [INC-2026-002]\n"
    )
    analysis = analysed(minimal)
    assert analysis.incidents["INC-2026-002"].repeat_of is None
    assert analysis.incidents["INC-2026-002"].repeated_by == ()
    assert analysis.incidents["INC-2026-004"].repeat_of == "INC-2026-001"


# --------------------------------------------------------------------------- decision rule

_QUIET = {
    "repeat_of": None,
    "severity": "Sev3",
    "high_severities": ("Sev1", "Sev2"),
    "manual_hours": None,
    "manual_hours_threshold": 8,
    "detection_source": "alert",
    "trigger": None,
}


def reasons(**changes: object) -> tuple[Reason, ...]:
    return rules.decision_reasons(**{**_QUIET, **changes})  # type: ignore[arg-type]


def test_an_incident_without_any_reason_does_not_qualify() -> None:
    assert reasons() == ()


def test_reason_repeat() -> None:
    assert reasons(repeat_of="INC-2026-001") == (Reason("repeat", "repeat of INC-2026-001"),)


@pytest.mark.parametrize("severity", ["Sev1", "Sev2"])
def test_reason_high_severity(severity: str) -> None:
    assert reasons(severity=severity) == (Reason("severity", f"severity {severity}"),)


def test_reason_high_severity_follows_the_option() -> None:
    assert reasons(severity="Sev2", high_severities=("Sev1",)) == ()


def test_reason_manual_hours_at_the_threshold_qualifies() -> None:
    assert reasons(manual_hours=8) == (Reason("manual_hours", "8 manual hours (≥ 8)"),)
    assert reasons(manual_hours=12.5, manual_hours_threshold=12.5) == (
        Reason("manual_hours", "12.5 manual hours (≥ 12.5)"),
    )


def test_reason_manual_hours_below_the_threshold_does_not() -> None:
    assert reasons(manual_hours=7.99) == ()
    assert reasons(manual_hours=0) == ()


@pytest.mark.parametrize("source", ["customer", "partner"])
def test_reason_detected_by_a_customer_or_partner(source: str) -> None:
    assert reasons(detection_source=source) == (
        Reason("detection", f"detected by {source}: missing observability"),
    )
    assert rules.detected_by_customer_or_partner(source)


@pytest.mark.parametrize("source", ["alert", "internal"])
def test_reason_detected_by_us_does_not_qualify(source: str) -> None:
    assert reasons(detection_source=source) == ()
    assert not rules.detected_by_customer_or_partner(source)


@pytest.mark.parametrize(
    ("trigger", "text"),
    [("rollout", "a rollout"), ("config_change", "a config change")],
)
def test_reason_rollout_safety(trigger: str, text: str) -> None:
    assert reasons(trigger=trigger) == (Reason("trigger", f"triggered by {text}: rollout safety"),)
    assert rules.triggered_by_rollout(trigger)


@pytest.mark.parametrize("trigger", ["partner_change", "partner_outage", "load", "data", None])
def test_other_triggers_are_no_rollout(trigger: str | None) -> None:
    assert reasons(trigger=trigger) == ()
    assert not rules.triggered_by_rollout(trigger)


def test_every_reason_in_the_order_the_site_lists_them() -> None:
    found = reasons(
        repeat_of="INC-2026-001",
        severity="Sev1",
        manual_hours=31,
        detection_source="partner",
        trigger="config_change",
    )
    assert [r.code for r in found] == ["repeat", "severity", "manual_hours", "detection", "trigger"]


def test_analyse_gives_reasons_and_warns_without_an_action(minimal: Path) -> None:
    # Sev3 (not high), 8 manual hours (= the threshold), detected by a customer, after a
    # rollout, 10 days after INC-2026-001 of the same mode (a repeat); no action: a warning.
    write_incident(
        minimal,
        "INC-2026-002",
        "2026-01-20T08:00:00Z",
        detection_source="customer",
        extra="manual_hours: 8\ntrigger: rollout\n",
    )
    result = checked(minimal)
    facts = result.analysis.incidents["INC-2026-002"]
    assert [r.code for r in facts.reasons] == ["repeat", "manual_hours", "detection", "trigger"]
    warnings = [d for d in result.diagnostics if d.level == "warning"]
    assert [(d.path, d.field) for d in warnings] == [("incidents/2026/INC-2026-002.md", "actions")]


def test_analyse_excluded_incidents_do_not_qualify(minimal: Path) -> None:
    write_incident(
        minimal,
        "INC-2026-002",
        "2026-01-20T08:00:00Z",
        severity="Sev1",
        detection_source="customer",
        extra="exclude_from_metrics: true\n",
    )
    result = checked(minimal)
    assert result.analysis.incidents["INC-2026-002"].reasons == ()
    assert [d for d in result.diagnostics if d.level == "warning"] == []


# --------------------------------------------------------------------------- action ids


def test_default_action_id() -> None:
    assert rules.default_action_id("INC-2026-001", 1) == "INC-2026-001-A1"
    assert rules.default_action_id("INC-2026-001", 12) == "INC-2026-001-A12"


def test_analyse_default_action_id_counts_ref_entries(minimal: Path) -> None:
    # actions: 1. a ref to INC-2026-001-A1, 2. an action of its own -> INC-2026-002-A2
    write_incident(
        minimal,
        "INC-2026-002",
        "2026-01-20T08:00:00Z",
        extra="actions:\n  - ref: INC-2026-001-A1\n" + action("Alert on label latency"),
    )
    analysis = analysed(minimal)
    assert analysis.incidents["INC-2026-002"].action_ids == ("INC-2026-002-A2", "INC-2026-001-A1")
    assert analysis.actions["INC-2026-002-A2"].record.item.title == "Alert on label latency"
    assert analysis.actions["INC-2026-001-A1"].incidents == ("INC-2026-001", "INC-2026-002")


# --------------------------------------------------------------------------- due dates


def test_default_due_date_counts_from_the_start_date() -> None:
    # 2026-01-10 + 56 days (Sev2): 21 to January 31, + 28 to February 28, + 7 -> 2026-03-07
    started = at("2026-01-10T09:00:00+01:00")
    slo = {"Sev1": 28, "Sev2": 56, "Sev3": 84}
    assert rules.default_due_date(started, UTC, "Sev2", slo) == dt.date(2026, 3, 7)
    # Sev3: 2026-01-10 + 84 = 2026-03-07 + 28 = 2026-04-04
    assert rules.default_due_date(started, UTC, "Sev3", slo) == dt.date(2026, 4, 4)


def test_default_due_date_counts_from_the_date_in_the_timezone() -> None:
    # 2026-01-31T23:30Z is 2026-02-01 in Amsterdam: + 28 (Sev1) = 2026-03-01 (February has 28
    # days in 2026); in UTC it is 2026-01-31 + 28 = 2026-02-28.
    started = at("2026-01-31T23:30:00+00:00")
    slo = {"Sev1": 28}
    assert rules.default_due_date(started, AMSTERDAM, "Sev1", slo) == dt.date(2026, 3, 1)
    assert rules.default_due_date(started, UTC, "Sev1", slo) == dt.date(2026, 2, 28)


def test_effective_due_date_prefers_the_actions_own_due() -> None:
    default = dt.date(2026, 3, 7)
    assert rules.effective_due_date(dt.date(2026, 2, 1), default) == dt.date(2026, 2, 1)
    assert rules.effective_due_date(None, default) == default


def test_analyse_due_dates(minimal: Path) -> None:
    write_incident(
        minimal,
        "INC-2026-002",
        "2026-01-20T08:00:00Z",
        extra="actions:\n" + action("Own date", extra="    due: 2026-09-01\n"),
    )
    analysis = analysed(minimal)
    fixture_action = analysis.actions["INC-2026-001-A1"]  # Sev2 from 2026-01-10: 2026-03-07
    assert (fixture_action.due, fixture_action.due_is_default) == (dt.date(2026, 3, 7), True)
    own = analysis.actions["INC-2026-002-A1"]
    assert (own.due, own.due_is_default) == (dt.date(2026, 9, 1), False)


# --------------------------------------------------------------------------- overdue


def test_overdue_not_on_the_due_day() -> None:
    assert not rules.is_overdue("planned", TODAY, TODAY)


def test_overdue_the_day_after_the_due_day() -> None:
    assert rules.is_overdue("planned", TODAY - dt.timedelta(days=1), TODAY)


@pytest.mark.parametrize("status", ["proposed", "planned", "in_progress"])
def test_every_open_status_can_be_overdue(status: str) -> None:
    assert rules.is_open(status)
    assert rules.is_overdue(status, dt.date(2026, 1, 1), TODAY)


@pytest.mark.parametrize("status", ["done", "wont_do"])
def test_done_and_wont_do_are_never_overdue(status: str) -> None:
    assert not rules.is_open(status)
    assert not rules.is_overdue(status, dt.date(2026, 1, 1), TODAY)


def test_overdue_span_of_an_open_action_has_no_end() -> None:
    due = dt.date(2026, 3, 7)
    assert rules.overdue_span("in_progress", due, None) == (due, None)


def test_overdue_span_of_an_action_done_late_ends_the_day_it_was_done() -> None:
    due, done = dt.date(2026, 3, 7), dt.date(2026, 3, 20)
    assert rules.overdue_span("done", due, done) == (due, done)


def test_overdue_span_of_an_action_done_on_time_or_not_done() -> None:
    due = dt.date(2026, 3, 7)
    assert rules.overdue_span("done", due, due) is None  # done on the due day: never overdue
    assert rules.overdue_span("done", due, None) is None
    assert rules.overdue_span("wont_do", due, None) is None


def test_analyse_overdue_on_and_after_the_due_day(minimal: Path) -> None:
    write_incident(
        minimal,
        "INC-2026-002",
        "2026-01-20T08:00:00Z",
        extra="actions:\n"
        + action("Due today", extra="    due: 2026-06-15\n")
        + action("Due yesterday", extra="    due: 2026-06-14\n")
        + action("Dropped", "wont_do", "    due: 2026-01-30\n    reason: Not worth it\n"),
    )
    analysis = analysed(minimal)
    assert analysis.today == TODAY
    overdue = {a.id: a.overdue for a in analysis.actions.values()}
    assert overdue == {
        "INC-2026-001-A1": True,  # default due 2026-03-07, open
        "INC-2026-002-A1": False,  # due today
        "INC-2026-002-A2": True,  # due yesterday
        "INC-2026-002-A3": False,  # wont_do
    }


def test_trends_count_todays_overdue_actions_by_the_same_rule(minimal: Path) -> None:
    # The month of today (2026-06) is judged on today: the open actions due before it.
    write_incident(
        minimal,
        "INC-2026-002",
        "2026-01-20T08:00:00Z",
        extra="actions:\n"
        + action("Due today", extra="    due: 2026-06-15\n")
        + action("Due yesterday", extra="    due: 2026-06-14\n"),
    )
    result = checked(minimal)
    trends = compute_trends(result.analysis, result.project.settings)
    assert trends.months[-1].month == "2026-06"
    assert trends.months[-1].overdue == 2  # INC-2026-001-A1 and INC-2026-002-A2


# --------------------------------------------------------------------------- score


def answered(
    severity: str,
    mode: str = "label-api-timeouts",
    hours: float | None = None,
    source: str = "alert",
    impact: tuple[int, int, int] = (0, 0, 0),
) -> AnsweredIncident:
    return AnsweredIncident(severity, mode, hours, source, impact)


def test_score_parts_of_the_documented_example() -> None:
    # docs/how-the-loop-works.md: Sev1 (31 h, internal, 250 shipments delayed, 3 escalations)
    # and Sev2 (4 h, customer, 10 orders cancelled), both label-api-timeouts with two repeats
    # on the site: 90 + 20 + min(35, 10) + 10 + (2.5 + 0.5 + 3) = 136
    parts = rules.score_parts(
        [
            answered("Sev1", hours=31, source="internal", impact=(250, 0, 3)),
            answered("Sev2", hours=4, source="customer", impact=(0, 10, 0)),
        ],
        {"label-api-timeouts": 2},
        SEVERITIES,
    )
    assert [(p.name, p.points) for p in parts] == [
        ("severity", 90),
        ("recurrence", 20),
        ("manual work", 10),
        ("observability", 10),
        ("business impact", 6),
    ]
    assert parts[4].why == "250 shipments delayed, 10 orders cancelled, 3 escalations"
    assert rules.score_total(parts) == 136
    # with `effort: M` (5 days): 136 / 5 = 27.2 points per day
    days = rules.effort_days("M")
    assert days == 5
    assert rules.value_per_effort(rules.score_total(parts), days) == 27.2


def test_impact_points_are_capped() -> None:
    assert rules.impact_points(0, 0, 0) == 0
    assert rules.impact_points(50, 0, 0) == 0.5
    assert rules.impact_points(0, 7, 0) == 0.35
    # 1000 / 100 = 10 points, capped at 9
    assert rules.impact_points(1000, 0, 0) == 9


def test_severity_still_dominates_with_impact() -> None:
    # a single Sev3 with every other part at its cap: 30 + 30 + 10 + 10 + 9 = 89 < 90
    most = rules.score_parts(
        [answered("Sev3", hours=100, source="customer", impact=(10_000, 10_000, 100))],
        {"label-api-timeouts": 9},
        SEVERITIES,
    )
    least_sev1 = rules.score_parts([answered("Sev1")], {}, SEVERITIES)
    assert rules.score_total(most) == 89
    assert rules.score_total(least_sev1) == 90


def test_effort_days() -> None:
    assert [rules.effort_days(e) for e in ("S", "M", "L", 3, 0.5, None)] == [2, 5, 15, 3, 0.5, None]


def test_value_order_ranks_points_per_day_then_score_then_due() -> None:
    due = dt.date(2026, 3, 1)
    keys = {
        "a": rules.value_order(15, 30, due, "a"),  # Sev3 (30) as an S
        "b": rules.value_order(27.2, 136, due, "b"),
        "c": rules.value_order(15, 45, due, "c"),  # 45 over 3 days: same value, higher score
    }
    assert sorted(keys, key=keys.__getitem__) == ["b", "c", "a"]


def test_costly_failure_modes_and_quick_wins() -> None:
    # median minutes to mitigate: w 300, x 200, y 100, z 50; repeats: z 4, y 1
    costly = rules.costly_failure_modes(
        {"w": 300, "x": 200, "y": 100, "z": 50, "v": 10}, {"z": 4, "y": 1, "v": 0}
    )
    # the 3 longest (w, x, y) and the repeated (z, y); v is neither
    assert costly == {"w", "x", "y", "z"}
    assert rules.is_quick_win(2, ["v", "z"], costly)
    assert rules.is_quick_win(rules.effort_days("S"), ["w"], costly)
    assert not rules.is_quick_win(2.5, ["w"], costly)  # more than 2 days
    assert not rules.is_quick_win(1, ["v"], costly)  # a cheap failure mode
    assert not rules.is_quick_win(None, ["w"], costly)  # effort unknown


def test_due_soon_is_within_seven_days() -> None:
    today = dt.date(2026, 3, 10)
    assert rules.is_due_soon("planned", dt.date(2026, 3, 10), today)  # today
    assert rules.is_due_soon("planned", dt.date(2026, 3, 17), today)  # in 7 days
    assert not rules.is_due_soon("planned", dt.date(2026, 3, 18), today)  # in 8
    assert not rules.is_due_soon("planned", dt.date(2026, 3, 9), today)  # overdue already
    assert not rules.is_due_soon("done", dt.date(2026, 3, 12), today)


def test_next_peak_and_earlier_occurrences() -> None:
    # Black Friday to Christmas, every year; today 2026-10-01: the next is 2026-11-20..12-24
    upcoming = rules.next_peak("11-20", "12-24", dt.date(2026, 10, 1))
    assert upcoming == rules.PeakOccurrence(dt.date(2026, 11, 20), dt.date(2026, 12, 24))
    assert rules.in_earlier_peak(dt.date(2025, 11, 28), "11-20", "12-24", upcoming)
    assert not rules.in_earlier_peak(dt.date(2025, 12, 25), "11-20", "12-24", upcoming)
    assert not rules.in_earlier_peak(dt.date(2026, 11, 21), "11-20", "12-24", upcoming)
    # under way: today inside the period
    assert rules.next_peak("11-20", "12-24", dt.date(2026, 12, 1)) == upcoming
    # wrapping over New Year: 12-20..01-10, on 2027-01-05 the one started in 2026
    wrap = rules.next_peak("12-20", "01-10", dt.date(2027, 1, 5))
    assert wrap == rules.PeakOccurrence(dt.date(2026, 12, 20), dt.date(2027, 1, 10))
    assert rules.in_earlier_peak(dt.date(2026, 1, 3), "12-20", "01-10", wrap)
    # a dated period that is over has none
    assert rules.next_peak("2025-11-01", "2025-11-30", dt.date(2026, 1, 1)) is None


def test_due_after_peak_start_and_panel_window() -> None:
    upcoming = rules.PeakOccurrence(dt.date(2026, 11, 20), dt.date(2026, 12, 24))
    assert not rules.due_after_peak_start(dt.date(2026, 11, 20), upcoming.start)
    assert rules.due_after_peak_start(dt.date(2026, 11, 21), upcoming.start)
    # 60 days before 2026-11-20 is 2026-09-21
    assert rules.shows_peak_panel(upcoming, dt.date(2026, 9, 21))
    assert not rules.shows_peak_panel(upcoming, dt.date(2026, 9, 20))
    assert rules.shows_peak_panel(upcoming, dt.date(2026, 12, 24))


def test_score_of_a_single_quiet_sev3() -> None:
    # 30 (Sev3) + 0 repeats + 0 hours + 0 (an alert noticed it)
    parts = rules.score_parts([answered("Sev3")], {}, SEVERITIES)
    assert rules.score_total(parts) == 30


def test_score_counts_at_most_three_repeats() -> None:
    parts = rules.score_parts([answered("Sev3")], {"label-api-timeouts": 5}, SEVERITIES)
    assert parts[1] == ScorePart("recurrence", 30, "5 repeat incidents of label-api-timeouts")


def test_score_of_an_action_answering_only_excluded_incidents_is_zero() -> None:
    parts = rules.score_parts([], {}, SEVERITIES)
    assert parts == (ScorePart("severity", 0, "answers only excluded incidents"),)
    assert rules.score_total(parts) == 0


def test_score_total_is_rounded_to_two_decimals() -> None:
    # 30 (Sev3) + 7.456 manual hours = 37.456 -> 37.46
    parts = rules.score_parts([answered("Sev3", hours=7.456)], {}, SEVERITIES)
    assert rules.score_total(parts) == 37.46


def test_repeated_sev1_ranks_above_the_loudest_single_sev3() -> None:
    # Sev1 with one repeat: 90 + 10 = 100; Sev3 with every other part at its cap:
    # 30 + 0 + 10 + 10 = 50
    sev1 = rules.score_total(
        rules.score_parts([answered("Sev1")], {"label-api-timeouts": 1}, SEVERITIES)
    )
    sev3 = rules.score_total(
        rules.score_parts(
            [answered("Sev3", mode="inventory-mismatch", hours=40, source="customer")],
            {"label-api-timeouts": 1},
            SEVERITIES,
        )
    )
    assert (sev1, sev3) == (100, 50)


def test_backlog_order() -> None:
    early, late = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
    keys = {
        "B-high": rules.backlog_order(100, late, "B-high"),
        "A-low": rules.backlog_order(30, early, "A-low"),
        "C-tie-early": rules.backlog_order(60, early, "C-tie-early"),
        "A-tie-late": rules.backlog_order(60, late, "A-tie-late"),
        "A-tie-early": rules.backlog_order(60, early, "A-tie-early"),
    }
    assert sorted(keys, key=keys.__getitem__) == [
        "B-high",  # the highest score
        "A-tie-early",  # equal scores: the earlier due date, then the id
        "C-tie-early",
        "A-tie-late",
        "A-low",
    ]


def test_analyse_repeated_sev1_ranks_above_a_single_sev3(minimal: Path) -> None:
    # INC-2026-002 and INC-2026-003: Sev1 label-api-timeouts, 003 repeats 002 (5 days later);
    # the fixture's INC-2026-001 is of the same mode and 002 repeats it too (2026-01-10 ->
    # 2026-02-01, 22 days): 2 repeats of the mode. The action of 003: 90 + 20 = 110.
    # INC-2026-004: a single Sev3 inventory-mismatch, 40 manual hours, found by a customer:
    # 30 + 0 + 10 + 10 = 50. The fixture's action (Sev2, 2 repeats): 60 + 20 = 80.
    write_incident(minimal, "INC-2026-002", "2026-02-01T08:00:00Z", severity="Sev1")
    write_incident(
        minimal,
        "INC-2026-003",
        "2026-02-06T08:00:00Z",
        severity="Sev1",
        extra="actions:\n" + action("Circuit breaker"),
    )
    write_incident(
        minimal,
        "INC-2026-004",
        "2026-03-01T08:00:00Z",
        failure_mode="inventory-mismatch",
        detection_source="customer",
        extra="manual_hours: 40\nactions:\n" + action("Recount tool"),
    )
    analysis = analysed(minimal)
    assert analysis.incidents["INC-2026-003"].repeat_of == "INC-2026-002"
    scores = [(a.id, a.score) for a in ranked_open_actions(analysis)]
    assert scores == [("INC-2026-003-A1", 110), ("INC-2026-001-A1", 80), ("INC-2026-004-A1", 50)]


def test_analyse_done_actions_have_no_score(minimal: Path, edit: Edit) -> None:
    edit(
        minimal,
        MINIMAL_INCIDENT,
        [("    status: planned", "    status: done\n    completed_at: 2026-02-01")],
    )
    analysis = analysed(minimal)
    assert analysis.actions["INC-2026-001-A1"].score is None
    assert ranked_open_actions(analysis) == []


# --------------------------------------------------------------------------- safe links


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://grafana.example.com/d/labels", "https://grafana.example.com/d/labels"),
        ("http://intranet.example/runbook", "http://intranet.example/runbook"),
        ("mailto:oncall@example.com", "mailto:oncall@example.com"),
        ("HTTPS://EXAMPLE.COM/", "HTTPS://EXAMPLE.COM/"),  # a scheme in any case
        ("MailTo:oncall@example.com", "MailTo:oncall@example.com"),
        ("  https://example.com/x \n", "https://example.com/x"),  # surrounding whitespace
    ],
)
def test_safe_href_allows_http_https_and_mailto(url: str, href: str) -> None:
    assert rules.safe_href(url) == href


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\nscript:alert(1)",  # a browser drops the line break and runs it
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",  # and strips leading control characters
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.com/",
        "grafana.example.com/d/labels",  # no scheme: a path relative to the page
        "/d/labels",
        "//example.com/x",
        "",
    ],
)
def test_safe_href_rejects_everything_else(url: str) -> None:
    assert rules.safe_href(url) is None


def test_url_scheme_is_read_as_a_browser_reads_it() -> None:
    assert rules.url_scheme("HTTPS://example.com") == "https"
    assert rules.url_scheme("java\r\nscript:x") == "javascript"
    assert rules.url_scheme("example.com") == ""


def test_a_link_with_an_unsafe_scheme_is_an_error(minimal: Path, edit: Edit) -> None:
    edit(
        minimal,
        MINIMAL_INCIDENT,
        [("    url: https://grafana.example.com/d/labels", "    url: javascript:alert(1)")],
    )
    result = check_project(read_project_config(minimal))
    errors = [d for d in result.diagnostics if d.level == "error"]
    assert len(errors) == 1
    assert "`javascript:`" in errors[0].message and "https://" in errors[0].message


# --------------------------------------------------------------------------- headline metrics


def test_headline_windows() -> None:
    # the last 30 days of 2026-06-15: 2026-05-17 .. 2026-06-15 (June 15 - 30 days = May 16)
    assert metrics.in_last_days(dt.date(2026, 5, 17), TODAY, 30)
    assert not metrics.in_last_days(dt.date(2026, 5, 16), TODAY, 30)
    assert metrics.in_last_days(TODAY, TODAY, 30)
    assert not metrics.in_last_days(TODAY + dt.timedelta(days=1), TODAY, 30)


def test_headline_incident_metrics(minimal: Path) -> None:
    # Today 2026-06-15. The last 30 days begin after 2026-05-16; the last 91 days after
    # 2026-03-16 (15 + 31 + 30 + 15 = 91 days back). Time to mitigate in brackets:
    #   2026-01-10 fixture (90)   outside both
    #   2026-03-16 (1000)         outside both: the day 91 days back
    #   2026-03-17 (90)           quarter
    #   2026-05-16 (60)           quarter
    #   2026-05-17 (30)           both
    #   2026-06-01 (600) excluded neither
    # -> 1 incident in the last 30 days; MTTR of the quarter (90 + 60 + 30) / 3 = 60
    for incident_id, day, mitigated in (
        ("INC-2026-002", "2026-03-16", "2026-03-17T04:40:00Z"),  # 16 h 40 min = 1000 min
        ("INC-2026-003", "2026-03-17", "2026-03-17T13:30:00Z"),
        ("INC-2026-004", "2026-05-16", "2026-05-16T13:00:00Z"),
        ("INC-2026-005", "2026-05-17", "2026-05-17T12:30:00Z"),
    ):
        write_incident(minimal, incident_id, f"{day}T12:00:00Z", mitigated_at=mitigated)
    write_incident(
        minimal,
        "INC-2026-006",
        "2026-06-01T12:00:00Z",
        mitigated_at="2026-06-01T22:00:00Z",
        extra="exclude_from_metrics: true\n",
    )
    result = checked(minimal)
    chosen = list(result.analysis.incidents.values())
    settings = result.project.settings
    assert metrics.headline("incidents_last_30_days", result.analysis, chosen, settings).value == 1
    assert metrics.headline("mttr_last_quarter", result.analysis, chosen, settings).value == 60


def test_headline_mttr_without_recent_incidents_is_none(minimal: Path) -> None:
    result = checked(minimal)
    chosen = list(result.analysis.incidents.values())
    settings = result.project.settings
    assert metrics.headline("mttr_last_quarter", result.analysis, chosen, settings).value is None


def test_headline_action_metrics(minimal: Path) -> None:
    # The fixture's action (Sev2 incident, due 2026-03-07) is open and overdue. INC-2026-002
    # (Sev1) has an open action due 2026-09-01 and a done one: 1 open Sev1 action, 1 overdue.
    write_incident(
        minimal,
        "INC-2026-002",
        "2026-05-20T08:00:00Z",
        severity="Sev1",
        extra="actions:\n"
        + action("Open", extra="    due: 2026-09-01\n")
        + action(
            "Done",
            "done",
            "    due: 2026-05-01\n    completed_at: 2026-06-01\n    acceptance: [It works]\n",
        ),
    )
    result = checked(minimal)
    chosen = list(result.analysis.incidents.values())
    settings = result.project.settings
    assert metrics.open_sev1_actions(result.analysis, chosen, settings) == 1
    assert metrics.overdue_actions(result.analysis, chosen, settings) == 1
    only_sev2 = [f for f in chosen if f.record.incident.severity == "Sev2"]
    assert metrics.open_sev1_actions(result.analysis, only_sev2, settings) == 0
    assert [a.id for a in metrics.open_actions_answering(result.analysis, chosen)] == [
        "INC-2026-001-A1",  # overdue first
        "INC-2026-002-A1",
    ]


# ---------------------------------------------------------------------------- stale runbooks


def test_a_runbook_is_stale_when_used_after_the_day_of_its_last_review() -> None:
    # Reviewed (or last changed) on 2026-03-29. 2026-03-29T23:30:00Z is the 29th in UTC and
    # 2026-03-30T01:30:00+02:00 in Amsterdam (summer time since 01:00Z on the 29th).
    late_on_the_29th = dt.datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    assert not rules.used_after_review(late_on_the_29th, dt.date(2026, 3, 29), UTC)
    assert rules.used_after_review(late_on_the_29th, dt.date(2026, 3, 29), AMSTERDAM)
    # A start on the review day itself, at its first minute, is not after it.
    midnight = dt.datetime(2026, 3, 29, 0, 0, tzinfo=CET)
    assert not rules.used_after_review(midnight, dt.date(2026, 3, 29), AMSTERDAM)
    assert rules.used_after_review(midnight, dt.date(2026, 3, 28), AMSTERDAM)
