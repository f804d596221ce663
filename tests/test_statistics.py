"""Honest statistics (issue 16, point 3; SPEC sections 4 and 7), worked out by hand.

Percentiles are by nearest rank: the p-th percentile of n sorted values is the value at rank
ceil(p / 100 x n), so it is always a duration one incident really had. The median is the usual
one (the mean of the two middle values for an even n). A group of fewer than 5 shows "too few
incidents (n=...)" on the pages. "Today" is 2026-06-15 (``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_rules import write_incident

from conftest import EPOCH_2026_06_15, build_site, run_cli, visible_text
from incident_loop.core import rules


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_06_15)


# --------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([7], 7, 7),
        # even n: the median is (20 + 30) / 2 = 25; p90 rank ceil(3.6) = 4 -> 40
        ([40, 10, 30, 20], 25, 40),
        # 1..5: median 3; p90 rank ceil(4.5) = 5 -> 5 (below five values p90 is the maximum)
        ([1, 2, 3, 4, 5], 3, 5),
        # 1..10: median (5 + 6) / 2 = 5.5; p90 rank ceil(9.0) = 9 -> 9
        (list(range(1, 11)), 5.5, 9),
        # 10, 20, ..., 110 (n = 11): median the 6th = 60; p90 rank ceil(9.9) = 10 -> 100
        ([10 * i for i in range(1, 12)], 60, 100),
        # 1..20: median (10 + 11) / 2 = 10.5; p90 rank ceil(18.0) = 18 -> 18
        (list(range(20, 0, -1)), 10.5, 18),
    ],
)
def test_median_and_nearest_rank_p90(values: list[float], median: float, p90: float) -> None:
    assert rules.median(values) == median
    assert rules.percentile(values, 90) == p90


def test_no_values_have_no_summary() -> None:
    assert rules.median([]) is None
    assert rules.percentile([], 90) is None
    assert rules.summarise([]) == rules.Summary(0, None, None, None)


def test_too_few_below_five() -> None:
    assert rules.TOO_FEW == 5
    assert rules.too_few(4) and not rules.too_few(5)
    assert rules.too_few_text(3) == "too few incidents (n=3)"
    # 10, 20, 30, 40, 600: median 30, p90 rank ceil(4.5) = 5 -> 600, mean 700 / 5 = 140
    summary = rules.summarise([600, 10, 40, 20, 30])
    assert summary == rules.Summary(5, 30, 600, 140)
    assert not summary.too_few
    assert rules.summarise([1, 2, 3]).too_few


@pytest.mark.parametrize(
    ("minutes", "label"),
    [
        (0, "< 5 min"),
        (4.99, "< 5 min"),
        (5, "5–15 min"),
        (59, "30–60 min"),
        (60, "1–2 h"),
        (1439, "8–24 h"),
        (1440, "1–3 d"),
        (43199, "7–30 d"),
        # a 593-day incident: 593 x 1440 = 853,920 minutes, one count in the last bucket
        (853_920, "≥ 30 d"),
    ],
)
def test_duration_buckets(minutes: float, label: str) -> None:
    assert rules.DURATION_BUCKET_LABELS[rules.duration_bucket(minutes)] == label


@pytest.mark.parametrize(
    ("months", "kind"),
    [(1, "month"), (6, "month"), (36, "month"), (37, "quarter"), (40, "quarter"),
     (120, "quarter"), (121, "year"), (189, "year"), (555, "year")],
)  # fmt: skip
def test_periods_adapt_to_the_span(months: int, kind: str) -> None:
    assert rules.period_kind(months) == kind


@pytest.mark.parametrize(
    ("counts", "enough"),
    [
        ([1, 5, 3], False),  # 1 of 3 months with incidents has 5
        ([6, 3], True),  # 1 of 2
        ([0, 0, 5, 0, 4], True),  # months without incidents do not count: 1 of 2
        ([2, 4, 4], False),
        ([], True),
    ],
)
def test_durations_by_a_longer_period_when_most_have_too_few(
    counts: list[int], enough: bool
) -> None:
    assert rules.enough_for_durations(counts) == enough


def test_periods_of_a_month() -> None:
    assert rules.period_of_month("2026-05", "month") == "2026-05"
    assert rules.period_of_month("2026-05", "quarter") == "2026-Q2"
    assert rules.period_of_month("2026-12", "quarter") == "2026-Q4"
    assert rules.period_of_month("2026-05", "year") == "2026"


@pytest.mark.parametrize(
    ("status", "completed", "due", "counts", "on_time"),
    [
        ("done", "2026-02-15", "2026-02-20", True, True),
        ("done", "2026-02-20", "2026-02-20", True, True),  # on the due date is on time
        ("done", "2026-02-21", "2026-02-20", True, False),
        ("planned", None, "2026-06-14", True, False),  # overdue: counts, late
        ("planned", None, "2026-06-15", False, False),  # due today: not overdue yet
        ("wont_do", None, "2026-01-01", False, False),
    ],
)
def test_follow_through_predicates(
    status: str, completed: str | None, due: str, counts: bool, on_time: bool
) -> None:
    import datetime as dt

    today = dt.date(2026, 6, 15)
    done = dt.date.fromisoformat(completed) if completed else None
    day = dt.date.fromisoformat(due)
    assert rules.counts_for_on_time(status, done, day, today) == counts
    assert rules.done_on_time(status, done, day) == on_time


# --------------------------------------------------------------------------- follow-through

ACTIONS_002 = """actions:
  - title: Recount job
    type: process
    owner: ops
    status: done
    acceptance: [Recount runs nightly]
    due: 2026-02-20
    completed_at: 2026-02-15
  - title: Scanner firmware
    type: process
    owner: ops
    status: done
    acceptance: [Firmware rolled out]
    due: 2026-03-01
    completed_at: 2026-04-10
  - title: Runbook for counts
    type: runbook
    owner: ops
    status: planned
    acceptance: [Runbook reviewed]
    due: 2026-12-01
  - title: Replace scanners
    type: runbook
    owner: ops
    status: wont_do
    reason: Too expensive this year.
"""
ACTIONS_003 = """actions:
  - title: Alert on count drift
    type: process
    owner: ops
    status: done
    acceptance: [Alert fires on drift]
    due: 2026-05-01
    completed_at: 2026-04-30
"""


@pytest.fixture
def follow_through(minimal: Path) -> dict:  # type: ignore[type-arg]
    """The follow-through of the minimal project plus two incidents, from ``export trends``.

    INC-2026-001 (2026-01-10, Sev2): A1 product, team-integrations, planned, no due: the default
    due is 2026-01-10 + 56 days (21 to Jan 31, + 28 to Feb 28, + 7) = 2026-03-07, before today:
    overdue, counted in 2026-Q1, late. Its age: Jan 10 -> Jun 15 = 21 + 28 + 31 + 30 + 31 + 15 =
    156 days.
    INC-2026-002 (2026-02-01, inventory-mismatch): A1 done 02-15 <= due 02-20, on time, Q1, done
    after 14 days; A2 done 04-10 > due 03-01, late, Q1, done after 27 + 31 + 10 = 68 days; A3
    planned, due 2026-12-01, not due yet: not counted, age Feb 1 -> Jun 15 = 27 + 31 + 30 + 31 +
    15 = 134 days; A4 wont_do: not counted.
    INC-2026-003 (2026-04-05, inventory-mismatch, 63 days after INC-2026-002: a repeat): A1 done
    04-30 <= due 05-01, on time, Q2, done after 25 days.
    """
    write_incident(
        minimal,
        "INC-2026-002",
        "2026-02-01T10:00:00Z",
        failure_mode="inventory-mismatch",
        extra=ACTIONS_002,
    )
    write_incident(
        minimal,
        "INC-2026-003",
        "2026-04-05T10:00:00Z",
        failure_mode="inventory-mismatch",
        extra=ACTIONS_003,
    )
    result = run_cli("export", "trends", "--root", str(minimal))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["follow_through"]  # type: ignore[no-any-return]


def test_on_time_share_by_quarter(follow_through: dict) -> None:  # type: ignore[type-arg]
    # Q1: INC-2026-001-A1 (late), 002-A1 (on time), 002-A2 (late): 1 of 3 = 0.3333.
    # Q2: 003-A1 (on time): 1 of 1. Incidents: Q1 001 and 002 (no repeat); Q2 003 (a repeat).
    assert follow_through["on_time_by_quarter"] == [
        {
            "quarter": "2026-Q1",
            "actions_counted": 3,
            "actions_on_time": 1,
            "on_time_share": 0.3333,
            "incidents": 2,
            "repeats": 0,
            "repeat_rate": 0,
        },
        {
            "quarter": "2026-Q2",
            "actions_counted": 1,
            "actions_on_time": 1,
            "on_time_share": 1,
            "incidents": 1,
            "repeats": 1,
            "repeat_rate": 1,
        },
    ]


def test_on_time_share_by_type_and_owner(follow_through: dict) -> None:  # type: ignore[type-arg]
    # process: 002-A1, 002-A2, 003-A1 -> 2 of 3 = 0.6667; product: 001-A1 -> 0 of 1.
    assert follow_through["on_time_by_type"] == [
        {"type": "process", "actions_counted": 3, "actions_on_time": 2, "on_time_share": 0.6667},
        {"type": "product", "actions_counted": 1, "actions_on_time": 0, "on_time_share": 0},
    ]
    # The owner with the most counted actions first.
    assert follow_through["on_time_by_owner"] == [
        {"owner": "ops", "actions_counted": 3, "actions_on_time": 2, "on_time_share": 0.6667},
        {
            "owner": "team-integrations",
            "actions_counted": 1,
            "actions_on_time": 0,
            "on_time_share": 0,
        },
    ]


def test_time_to_done_age_and_repeat_rate(follow_through: dict) -> None:  # type: ignore[type-arg]
    # Done after 14, 68 and 25 days: median 25, p90 rank ceil(2.7) = 3 -> 68,
    # mean 107 / 3 = 35.666... -> 35.67.
    assert follow_through["time_to_done_days"] == {"n": 3, "median": 25, "p90": 68, "mean": 35.67}
    # Open for 156 and 134 days: median 145, p90 rank ceil(1.8) = 2 -> 156, mean 145.
    assert follow_through["open_action_age_days"] == {
        "n": 2,
        "median": 145,
        "p90": 156,
        "mean": 145,
    }
    # 3 incidents, 1 repeat.
    assert follow_through["repeat_rate"] == {"incidents": 3, "repeats": 1, "share": 0.3333}


# --------------------------------------------------------------------------- durations


def _five_and_three(root: Path) -> None:
    """March 2026: five Sev3 incidents mitigated after 10, 20, 30, 40 and 600 minutes; April:
    three Sev1 incidents after 30, 60 and 90 minutes (each detected 5 minutes in)."""
    for number, minutes in enumerate((10, 20, 30, 40, 600), start=10):
        start = f"2026-03-{number:02d}T08:00:00Z"
        end = f"2026-03-{number:02d}T{8 + minutes // 60:02d}:{minutes % 60:02d}:00Z"
        write_incident(
            root,
            f"INC-2026-{number:03d}",
            start,
            failure_mode="inventory-mismatch",
            mitigated_at=end,
        )
    for number, minutes in enumerate((30, 60, 90), start=20):
        start = f"2026-04-{number:02d}T08:00:00Z"
        end = f"2026-04-{number:02d}T{8 + minutes // 60:02d}:{minutes % 60:02d}:00Z"
        write_incident(
            root,
            f"INC-2026-{number:03d}",
            start,
            severity="Sev1",
            failure_mode="inventory-mismatch",
            mitigated_at=end,
        )


def test_month_summaries_with_n_above_and_below_the_threshold(minimal: Path) -> None:
    _five_and_three(minimal)
    result = run_cli("export", "trends", "--root", str(minimal))
    data = json.loads(result.stdout)
    months = {m["month"]: m for m in data["months"]}
    # March: 10, 20, 30, 40, 600 -> median 30, p90 rank 5 -> 600, mean 140.
    assert months["2026-03"]["time_to_mitigate"] == {"n": 5, "median": 30, "p90": 600, "mean": 140}
    # April: 30, 60, 90 -> median 60, p90 rank ceil(2.7) = 3 -> 90, mean 60 (exported; the
    # page says "too few incidents (n=3)").
    assert months["2026-04"]["time_to_mitigate"] == {"n": 3, "median": 60, "p90": 90, "mean": 60}
    # write_incident detects at the start: time to detect 0 for each.
    assert months["2026-03"]["time_to_detect"] == {"n": 5, "median": 0, "p90": 0, "mean": 0}
    # No resolved_at in these incidents: no time to resolve.
    assert months["2026-04"]["time_to_resolve"] == {
        "n": 0,
        "median": None,
        "p90": None,
        "mean": None,
    }
    # A month without incidents: n = 0 and nulls, not zeros.
    assert months["2026-05"]["time_to_mitigate"]["median"] is None
    assert data["too_few_threshold"] == 5
    # By severity over the whole history: Sev3 = March's five; Sev1 = April's three; Sev2 is the
    # minimal incident INC-2026-001 alone (09:00 -> 10:30 = 90 minutes).
    by_severity = data["durations"]["time_to_mitigate"]["by_severity"]
    assert by_severity["Sev3"] == {"n": 5, "median": 30, "p90": 600, "mean": 140}
    assert by_severity["Sev1"] == {"n": 3, "median": 60, "p90": 90, "mean": 60}
    assert by_severity["Sev2"] == {"n": 1, "median": 90, "p90": 90, "mean": 90}
    # All nine: 10, 20, 30, 30, 40, 60, 90, 90, 600 -> median the 5th = 40, p90 rank
    # ceil(8.1) = 9 -> 600, mean 970 / 9 = 107.78.
    assert data["durations"]["time_to_mitigate"]["all"] == {
        "n": 9,
        "median": 40,
        "p90": 600,
        "mean": 107.78,
    }


def test_trends_page_shows_median_p90_n_and_too_few(minimal: Path) -> None:
    _five_and_three(minimal)
    site = build_site(minimal, strict=False)
    html = (site / "trends/index.html").read_text(encoding="utf-8")
    text = visible_text(html)
    # The page's periods (Jan..Jun 2026, six) are months, but only March of the three months
    # with incidents (January 1, March 5, April 3) has 5 or more, fewer than half: the
    # durations are summarised by quarter (Q1 6, Q2 3: half of them).
    assert "By quarter: most months have fewer than 5 incidents" in text
    caption = "Median, 90th percentile and n by quarter and severity"
    table = text.split(caption)[2].split("All time")[0]  # the second duration: mitigate
    # Q1: INC-2026-001 (Sev2, 90) and March's five Sev3: 10, 20, 30, 40, 90, 600 -> median
    # (30 + 40) / 2 = 35 min, p90 rank ceil(5.4) = 6 -> 600 = 10 h; Sev3 alone: median 30,
    # p90 rank 5 -> 600. Q2: April's three Sev1.
    assert (
        "2026-Q1 35 min · p90 10 h · n=6 – too few incidents (n=1) 30 min · p90 10 h · n=5 "
        "2026-Q2 too few incidents (n=3) too few incidents (n=3) – –"
    ) in table
    # The mean is no headline on the page.
    assert "mean" not in text.lower().split("time to mitigate", 1)[1].split("detection", 1)[0]


# --------------------------------------------------------------------------- headline numbers

HEADLINES_PAGE = """# Headlines

- A: {{ metric("incidents_last_30_days", compare=True) }}
- B: {{ metric("mttr_median_last_quarter", compare=True) }}
- C: {{ metric("mttr_p90_last_quarter", previous=True) }}
- D: {{ metric("repeat_rate_last_quarter", compare=True) }}
- E: {{ metric("on_time_share_last_quarter", compare=True) }}
- F: {{ metric("overdue_actions", compare=True) }}
- G: {{ metric("mttr_last_quarter") }}
- H: {{ metric("incidents_last_30_days") }}
"""


def _with_macros(root: Path, page: str) -> None:
    (root / "docs/headlines.md").write_text(page, encoding="utf-8")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "      on_undefined: strict\n" in text
    config.write_text(
        text.replace(
            "      on_undefined: strict\n",
            "      on_undefined: strict\n      modules: [incident_loop.macros]\n",
        ),
        "utf-8",
    )


def test_headline_numbers_beside_the_previous_period(minimal: Path) -> None:
    """Today 2026-06-15; "the last 91 days" are 2026-03-17 .. 2026-06-15 (day > today - 91),
    the previous 91 days 2025-12-16 .. 2026-03-16; the last 30 days 2026-05-17 .. 06-15, the
    previous 30 days 2026-04-17 .. 05-16.

    In the last 91 days: April's three Sev1 incidents (30, 60, 90 minutes), all repeats of
    March's inventory-mismatch incidents. Before: March's five (10, 20, 30, 40, 600 minutes;
    March 11 .. 14 repeat March 10) and INC-2026-001 (2026-01-10, 90 minutes, no repeat).
    """
    _five_and_three(minimal)
    _with_macros(minimal, HEADLINES_PAGE)
    site = build_site(minimal, strict=False)
    text = visible_text((site / "headlines/index.html").read_text(encoding="utf-8"))
    # 0 in the last 30 days; April 20, 21, 22 in the 30 days before.
    assert "A: 0 (previous 30 days: 3)" in text
    # Now n=3: too few. Before: 10, 20, 30, 40, 90, 600 -> median (30 + 40) / 2 = 35 min.
    assert "B: too few incidents (n=3) (previous 91 days: 35 min)" in text
    # p90 before: rank ceil(5.4) = 6 -> 600 minutes = 10 h.
    assert "C: 10 h" in text
    # Before: 4 repeats of 6 incidents = 0.6667 -> 67%.
    assert "D: too few incidents (n=3) (previous 91 days: 67%)" in text
    # The only action, INC-2026-001-A1, is due 2026-03-07 (Jan 10 + 56 days): none due now;
    # before, it counts (overdue on 03-16) and is late: one action, too few.
    assert "E: too few actions (n=0) (previous 91 days: too few actions (n=1))" in text
    # INC-2026-001-A1 is overdue today and was on 2026-03-16 (due 03-07).
    assert "F: 1 (91 days ago: 1)" in text
    # The old names keep working: the mean of April's 30, 60, 90 = 60 minutes = 1 h.
    assert "G: 1 h" in text
    assert "H: 0" in text


def test_a_metric_without_an_earlier_value_says_so(minimal: Path) -> None:
    _with_macros(minimal, '{{ metric("open_sev1_actions", compare=True) }}\n')
    site = build_site(minimal, strict=False)
    text = visible_text((site / "headlines/index.html").read_text(encoding="utf-8"))
    assert (
        "metric('open_sev1_actions') has no earlier value to compare with; remove "
        "previous=True or compare=True" in text
    )
