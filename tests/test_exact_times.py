"""Exact times (issue 16, point 1; SPEC sections 3.1 and 4): a local time takes the offset of its
own instant in the ``timezone``; a time in a daylight-saving gap or fold is an error; dates are
checked against today; the trends stop at today's month.

"Today" is 2026-06-15 (``SOURCE_DATE_EPOCH``, see conftest). The daylight-saving changes used,
from the tz database:

* Europe/Amsterdam: 2026-03-29 02:00 CET (+01:00) -> 03:00 CEST (+02:00), so 02:00-02:59 does not
  exist; 2025-10-26 03:00 CEST -> 02:00 CET, so 02:00-02:59 happens twice.
* America/New_York: 2026-03-08 02:00 EST (-05:00) -> 03:00 EDT (-04:00); 2025-11-02 02:00 EDT ->
  01:00 EST, so 01:00-01:59 happens twice.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic_core import PydanticCustomError
from test_rules import write_incident

from conftest import EPOCH_2026_06_15, build_site, check_json
from incident_loop.config import read_project_config
from incident_loop.core import rules
from incident_loop.core.project import check_project
from incident_loop.core.records import parse_date_time
from incident_loop.core.trends import compute_trends

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_06_15)


def _minutes(zone: ZoneInfo, start: str, end: str) -> float:
    return rules.minutes_between(parse_date_time(start, zone), parse_date_time(end, zone))


@pytest.mark.parametrize(
    ("zone", "start", "end", "minutes"),
    [
        # 01:30 CET is 00:30Z; 03:30 CEST is 01:30Z: one hour, not the two on the wall clock.
        (AMSTERDAM, "2026-03-29T01:30:00", "2026-03-29T03:30:00", 60),
        # 01:30 CEST is 2025-10-25T23:30Z; 03:30 CET is 02:30Z: three hours.
        (AMSTERDAM, "2025-10-26T01:30:00", "2025-10-26T03:30:00", 180),
        # 01:30 EST is 06:30Z; 03:30 EDT is 07:30Z: one hour.
        (NEW_YORK, "2026-03-08T01:30:00", "2026-03-08T03:30:00", 60),
        # 00:30 EDT is 04:30Z; 02:30 EST is 07:30Z: three hours.
        (NEW_YORK, "2025-11-02T00:30:00", "2025-11-02T02:30:00", 180),
        # A day apart across the spring change is 23 hours: 2026-03-28T12:00 CET (11:00Z) to
        # 2026-03-29T12:00 CEST (10:00Z).
        (AMSTERDAM, "2026-03-28T12:00:00", "2026-03-29T12:00:00", 23 * 60),
    ],
)
def test_local_times_take_the_offset_of_their_own_instant(
    zone: ZoneInfo, start: str, end: str, minutes: int
) -> None:
    assert _minutes(zone, start, end) == minutes


@pytest.mark.parametrize(
    ("zone", "value", "words"),
    [
        (
            AMSTERDAM,
            "2026-03-29T02:30:00",
            "`2026-03-29T02:30:00` does not exist in Europe/Amsterdam: the clocks jump over it "
            "at the daylight-saving change; write the time with its UTC offset, like "
            "`2026-03-29T02:30+01:00`",
        ),
        (
            AMSTERDAM,
            "2025-10-26T02:30:00",
            "`2025-10-26T02:30:00` happens twice in Europe/Amsterdam (the clocks go back at the "
            "daylight-saving change); write the time with its UTC offset: "
            "`2025-10-26T02:30+02:00` for the first, `2025-10-26T02:30+01:00` for the second",
        ),
        (
            NEW_YORK,
            "2026-03-08T02:15:00",
            "`2026-03-08T02:15:00` does not exist in America/New_York",
        ),
        (
            NEW_YORK,
            "2025-11-02T01:30:00",
            "write the time with its UTC offset: `2025-11-02T01:30-04:00` for the first, "
            "`2025-11-02T01:30-05:00` for the second",
        ),
    ],
)
def test_a_local_time_in_a_gap_or_fold_is_refused(zone: ZoneInfo, value: str, words: str) -> None:
    with pytest.raises(PydanticCustomError) as raised:
        parse_date_time(value, zone)
    assert words in str(raised.value)


def test_the_hour_next_to_a_gap_or_fold_is_read() -> None:
    # 01:59 before the spring gap is CET; 03:00 after it is CEST; the fold's neighbours too.
    assert parse_date_time("2026-03-29T01:59:00", AMSTERDAM).utcoffset() == dt.timedelta(hours=1)
    assert parse_date_time("2026-03-29T03:00:00", AMSTERDAM).utcoffset() == dt.timedelta(hours=2)
    assert parse_date_time("2025-10-26T01:59:00", AMSTERDAM).utcoffset() == dt.timedelta(hours=2)
    assert parse_date_time("2025-10-26T03:00:00", AMSTERDAM).utcoffset() == dt.timedelta(hours=1)
    # An explicit offset is taken as written, also inside the fold.
    written = parse_date_time("2025-10-26T02:30:00+01:00", AMSTERDAM)
    assert written.utcoffset() == dt.timedelta(hours=1)


def _with_timezone(root: Path, zone: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("  - incident-loop\n", f"  - incident-loop:\n      timezone: {zone}\n"),
        "utf-8",
    )


def test_gap_and_fold_times_are_errors_with_file_and_line(minimal: Path) -> None:
    _with_timezone(minimal, "Europe/Amsterdam")
    write_incident(minimal, "INC-2026-002", "2026-03-29T02:30:00")
    write_incident(
        minimal, "INC-2026-003", "2025-10-26T01:00:00", mitigated_at="2025-10-26T02:30:00"
    )
    code, diagnostics = check_json(minimal)
    assert code == 1
    found = [(d["path"], d["line"], d["level"], d["field"]) for d in diagnostics]
    # write_incident: line 8 started_at, 9 detected_at, 10 mitigated_at.
    assert found == [
        ("incidents/2026/INC-2026-002.md", 8, "error", "started_at"),
        ("incidents/2026/INC-2026-002.md", 9, "error", "detected_at"),
        ("incidents/2026/INC-2026-002.md", 10, "error", "mitigated_at"),
        ("incidents/2026/INC-2026-003.md", 10, "error", "mitigated_at"),
    ]
    assert "does not exist in Europe/Amsterdam" in diagnostics[0]["message"]
    assert "happens twice in Europe/Amsterdam" in diagnostics[3]["message"]


def _analysed(root: Path):  # type: ignore[no-untyped-def]
    return check_project(read_project_config(root))


def test_durations_across_both_changes_through_the_analysis(minimal: Path) -> None:
    _with_timezone(minimal, "Europe/Amsterdam")
    write_incident(
        minimal, "INC-2026-002", "2026-03-29T01:30:00", mitigated_at="2026-03-29T03:30:00"
    )
    write_incident(
        minimal, "INC-2026-003", "2025-10-26T01:30:00", mitigated_at="2025-10-26T03:30:00"
    )
    facts = _analysed(minimal).analysis.incidents
    assert facts["INC-2026-002"].time_to_mitigate == 60
    assert facts["INC-2026-003"].time_to_mitigate == 180


def test_repeat_window_across_a_daylight_saving_change(minimal: Path) -> None:
    # INC-2026-001 (label-api-timeouts) started 2026-01-10T09:00+01:00 = 08:00Z.
    # + 90 days (21 + 28 + 31 + 10) = 2026-04-10T08:00Z, which is 10:00 CEST in Amsterdam.
    # 09:30 local (07:30Z) lies 90 days minus 30 minutes after it: a repeat. 10:30 local
    # (08:30Z) lies 90 days plus 30 minutes after: not one. Read with one fixed +01:00 offset,
    # both would be an hour later, and 09:30 would fall outside the window.
    _with_timezone(minimal, "Europe/Amsterdam")
    write_incident(minimal, "INC-2026-002", "2026-04-10T09:30:00", severity="Sev3")
    assert _analysed(minimal).analysis.incidents["INC-2026-002"].repeat_of == "INC-2026-001"
    (minimal / "incidents/2026/INC-2026-002.md").unlink()
    write_incident(minimal, "INC-2026-003", "2026-04-10T10:30:00", severity="Sev3")
    assert _analysed(minimal).analysis.incidents["INC-2026-003"].repeat_of is None


def test_new_york_repeat_window_across_the_spring_change(minimal: Path) -> None:
    # In New York INC-2026-001 (08:00Z) is 03:00 EST on 2026-01-10; 90 days later is
    # 2026-04-10T08:00Z = 04:00 EDT. 03:59 EDT (07:59Z) is inside the window, 04:01 EDT outside.
    _with_timezone(minimal, "America/New_York")
    write_incident(minimal, "INC-2026-002", "2026-04-10T03:59:00")
    write_incident(
        minimal, "INC-2026-004", "2026-04-10T04:01:00", failure_mode="inventory-mismatch"
    )
    facts = _analysed(minimal).analysis.incidents
    assert facts["INC-2026-002"].repeat_of == "INC-2026-001"
    assert rules.within_repeat_window(
        facts["INC-2026-001"].record.incident.started_at,
        parse_date_time("2026-04-10T04:00:00", NEW_YORK),
        90,
    )
    assert not rules.within_repeat_window(
        facts["INC-2026-001"].record.incident.started_at,
        parse_date_time("2026-04-10T04:01:00", NEW_YORK),
        90,
    )


# --------------------------------------------------------------------------- against today


@pytest.mark.parametrize(
    ("start", "today", "level"),
    [
        (dt.date(2026, 6, 15), dt.date(2026, 6, 15), None),
        (dt.date(2026, 6, 16), dt.date(2026, 6, 15), "warning"),
        # 2026-06-15 + 365 days = 2027-06-15 (no 29 February in between): still a warning.
        (dt.date(2027, 6, 15), dt.date(2026, 6, 15), "warning"),
        (dt.date(2027, 6, 16), dt.date(2026, 6, 15), "error"),
        (dt.date(2206, 1, 10), dt.date(2026, 6, 15), "error"),
    ],
)
def test_future_start_level(start: dt.date, today: dt.date, level: str | None) -> None:
    assert rules.future_start_level(start, today) == level


DONE_ACTION = (
    "actions:\n"
    "  - title: Fallback carrier\n"
    "    type: process\n"
    "    owner: ops\n"
    "    status: done\n"
    "    acceptance: [Fallback tested]\n"
    "    completed_at: {day}\n"
)


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (
            "2026-03-01",
            "2026-03-01 is before the incident started (2026-03-02); write the date the action "
            "was done",
        ),
        (
            "2026-06-16",
            "2026-06-16 is after today (2026-06-15); write the date the action was done",
        ),
    ],
)
def test_completed_at_before_the_start_or_after_today(minimal: Path, day: str, words: str) -> None:
    # The incident starts 2026-03-02T09:00+01:00 = 08:00Z: its date (UTC, no timezone option)
    # is 2026-03-02. Done the day before is impossible; done after today too.
    write_incident(
        minimal, "INC-2026-002", "2026-03-02T09:00:00+01:00", extra=DONE_ACTION.format(day=day)
    )
    code, diagnostics = check_json(minimal)
    assert code == 1
    # Lines: 15 actions, 16 title, 17 type, 18 owner, 19 status, 20 acceptance, 21 completed_at.
    assert [(d["path"], d["line"], d["level"], d["field"], d["message"]) for d in diagnostics] == [
        ("incidents/2026/INC-2026-002.md", 21, "error", "actions[0].completed_at", words)
    ]


def test_completed_on_the_start_date_is_fine(minimal: Path) -> None:
    write_incident(
        minimal,
        "INC-2026-002",
        "2026-03-02T09:00:00+01:00",
        extra=DONE_ACTION.format(day="2026-03-02"),
    )
    assert check_json(minimal) == (0, [])


def test_a_start_after_today_is_a_warning_and_a_year_after_an_error(minimal: Path) -> None:
    write_incident(minimal, "INC-2026-002", "2026-07-01T09:00:00Z")
    write_incident(minimal, "INC-2026-003", "2206-01-10T09:00:00Z")
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["line"], d["level"], d["field"], d["message"]) for d in diagnostics] == [
        (
            "incidents/2026/INC-2026-002.md",
            8,
            "warning",
            "started_at",
            "is 2026-07-01, after today (2026-06-15); check the date (the trends leave the "
            "incident out until its month comes)",
        ),
        (
            "incidents/2026/INC-2026-003.md",
            8,
            "error",
            "started_at",
            "is 2206-01-10, more than a year after today (2026-06-15); check the year",
        ),
    ]


def test_trends_stop_at_todays_month(minimal: Path) -> None:
    # INC-2026-001 in January, one incident in July after today (2026-06-15): the months run
    # January to June, six of them, and July's incident is in none of them.
    write_incident(minimal, "INC-2026-002", "2026-07-01T09:00:00Z")
    result = _analysed(minimal)
    assert "INC-2026-002" in result.analysis.incidents  # a warning keeps it in the log
    trends = compute_trends(result.analysis, result.project.settings)
    assert [m.month for m in trends.months] == [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"
    ]  # fmt: skip
    assert sum(m.incidents for m in trends.months) == 1


def test_a_future_incident_builds_without_strict(minimal: Path) -> None:
    write_incident(minimal, "INC-2026-002", "2026-07-01T09:00:00Z")
    site = build_site(minimal, strict=False)
    assert (site / "incidents/INC-2026-002/index.html").exists()
