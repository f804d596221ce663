"""The rules of SPEC section 4, "Rules and definitions": each one once, as a named function or
constant, so that every page, export, macro and command states it the same way.

The functions take plain values (datetimes, dates, strings, numbers), so each rule can be tested
on its own; :mod:`incident_loop.core.analyse` applies them to a whole project once per build, and
:mod:`trends`, :mod:`catalogue` and :mod:`metrics` count with them. This module sits at the bottom
of the core: it imports nothing of ``incident_loop`` but :mod:`diagnostics`.

Today's date (``SOURCE_DATE_EPOCH``, else the ``today`` option, else the UTC date; SPEC section 4,
"Overdue") is :meth:`incident_loop.core.settings.Settings.current_date`, read once per build; the
rules here take it as an argument. So are the option defaults (``repeat_window_days``,
``high_severities``, ``manual_hours_threshold``, ``action_slo_days``): they are declared with the
options, in :mod:`incident_loop.core.settings`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, overload
from urllib.parse import quote

from .diagnostics import number_text

_UTC = dt.timezone.utc


# --------------------------------------------------------------------------- numbers


@overload
def round_number(value: float, digits: int | None = 2) -> float: ...
@overload
def round_number(value: None, digits: int | None = 2) -> None: ...
def round_number(value: float | None, digits: int | None = 2) -> float | None:
    """``value`` rounded to ``digits`` decimals, as an int when whole: ``8.0`` -> ``8``,
    ``7.456`` -> ``7.46``; ``None`` (no value, as a month without incidents has no MTTR) stays
    ``None``. With ``digits=None`` nothing is rounded, a whole value only becomes an int.

    SPEC section 4, "Durations" (minutes) and section 7 (exports): the one way a number of the
    analysis is made whole or cut to a few decimals, so that a page, an export and a macro never
    show the same figure two ways.
    """
    if value is None:
        return None
    rounded = value if digits is None else round(value, digits)
    return int(rounded) if float(rounded).is_integer() else rounded


# --------------------------------------------------------------------------- bounds

#: SPEC section 3.1, ``manual_hours``: a finite number from 0 to this; more is a typo (a year
#: of one person's work is about 1,700 hours), and a bound keeps every sum of them finite.
MAX_MANUAL_HOURS = 10_000


# --------------------------------------------------------------------------- summaries

#: SPEC section 4, "Durations are summarised": a group of fewer incidents (or actions) than
#: this shows "too few incidents (n=...)" instead of a median or a 90th percentile. Below five
#: the 90th percentile is simply the largest value, and one outlier makes the median.
TOO_FEW = 5


def median(values: Sequence[float]) -> float | None:
    """SPEC section 4: the middle value of the sorted values, the mean of the two middle ones
    for an even count (the usual median: 10, 20, 30, 40 -> 25); ``None`` without values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], percent: float) -> float | None:
    """SPEC section 4: the ``percent``-th percentile by nearest rank: the value at rank
    ceil(percent / 100 x n) of the sorted values (1-based), so always a duration that one
    incident really had (p90 of 1..10 is 9, of 1..5 is 5); ``None`` without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean; exported for tools (SPEC section 7), never a headline."""
    return math.fsum(values) / len(values) if values else None


def too_few(count: int) -> bool:
    """SPEC section 4: a group of ``count`` is too small to summarise (see :data:`TOO_FEW`)."""
    return count < TOO_FEW


def too_few_text(count: int, noun: str = "incidents") -> str:
    """What a page shows instead of a summary of a small group: ``too few incidents (n=3)``."""
    return f"too few {noun} (n={count})"


def share(part: int, whole: int) -> float | None:
    """SPEC section 4, "Shares": a fraction between 0 and 1 to four decimals; ``None`` (not 0)
    when there is nothing to divide."""
    return round_number(part / whole, 4) if whole else None


@dataclass(frozen=True, slots=True)
class Summary:
    """SPEC section 4: a group of durations (or of days) as ``n``, median, 90th percentile and
    mean, each rounded to two decimals; ``None`` without values. Pages show the median and the
    90th percentile only when :func:`too_few` is false, and the mean nowhere."""

    n: int
    median: float | None
    p90: float | None
    mean: float | None

    @property
    def too_few(self) -> bool:
        return too_few(self.n)


def summarise(values: Sequence[float]) -> Summary:
    """SPEC section 4: :func:`median`, :func:`percentile` 90 and :func:`mean` of ``values``."""
    return Summary(
        n=len(values),
        median=round_number(median(values)),
        p90=round_number(percentile(values, 90)),
        mean=round_number(mean(values)),
    )


#: SPEC section 4, "Periods adapt to the span": the trends page shows months for a history of up
#: to this many months (three years, 36 bars), quarters up to :data:`MAX_QUARTER_SPAN_MONTHS`
#: (ten years, 40 bars), and years beyond: a chart stays about 40 bars wide or less, so no bar
#: shrinks to a pixel. ``api/trends.json`` keeps months.
MAX_MONTH_SPAN_MONTHS = 36
MAX_QUARTER_SPAN_MONTHS = 120


def period_kind(month_count: int) -> str:
    """SPEC section 4: ``"month"``, ``"quarter"`` or ``"year"`` for a history of
    ``month_count`` months."""
    if month_count <= MAX_MONTH_SPAN_MONTHS:
        return "month"
    return "quarter" if month_count <= MAX_QUARTER_SPAN_MONTHS else "year"


#: The period kinds, shortest first.
PERIOD_KINDS = ("month", "quarter", "year")


def enough_for_durations(incidents_per_period: Sequence[int]) -> bool:
    """SPEC section 4: the durations are summarised by a kind of period when at least half of
    its periods that have incidents have :data:`TOO_FEW` or more; else the trends page uses the
    next longer kind for the durations (a median by month of three incidents says nothing, one
    by quarter of twelve does), down to years."""
    with_incidents = [n for n in incidents_per_period if n]
    return 2 * sum(1 for n in with_incidents if not too_few(n)) >= len(with_incidents)


def period_of_month(month: str, kind: str) -> str:
    """The period a ``YYYY-MM`` month falls in: itself, ``YYYY-Qn`` or ``YYYY``."""
    if kind == "month":
        return month
    return quarter_of_month(month) if kind == "quarter" else month[:4]


#: The distribution charts' buckets of a duration, in minutes: each edge two to four times the
#: last (a log scale in steps people read: minutes, hours, days), so a 593-day outlier is one
#: incident in the last bucket instead of the top of an axis that flattens every other value.
DURATION_BUCKET_EDGES = (5, 15, 30, 60, 120, 240, 480, 1440, 4320, 10080, 43200)
DURATION_BUCKET_LABELS = (
    "< 5 min",
    "5–15 min",
    "15–30 min",
    "30–60 min",
    "1–2 h",
    "2–4 h",
    "4–8 h",
    "8–24 h",
    "1–3 d",
    "3–7 d",
    "7–30 d",
    "≥ 30 d",
)


def duration_bucket(minutes: float) -> int:
    """The index in :data:`DURATION_BUCKET_LABELS` of a duration: the bucket whose lower edge
    is at most ``minutes`` and whose upper edge is above it (60 minutes is in "1–2 h")."""
    return bisect.bisect_right(DURATION_BUCKET_EDGES, minutes)


# --------------------------------------------------------------------------- follow-through


def done_on_time(status: str, completed_at: dt.date | None, due: dt.date) -> bool:
    """SPEC section 4, "Follow-through": done, and ``completed_at`` on or before its effective
    due date."""
    return status == "done" and completed_at is not None and completed_at <= due


def counts_for_on_time(
    status: str, completed_at: dt.date | None, due: dt.date, today: dt.date
) -> bool:
    """SPEC section 4, "Follow-through": the on-time share counts an action when it is done, or
    overdue (open past its due date) on ``today``. An open action not yet due has not had its
    chance; a ``wont_do`` is a decision, not a delay. A done action counts from the day it was
    done (judged on an earlier day it was still open)."""
    if status == "done" and completed_at is not None and completed_at <= today:
        return True
    if status == "done" and completed_at is not None:  # done after the day asked about
        return due < today
    return is_open(status) and due < today


def days_between(first: dt.date, last: dt.date) -> int:
    """Whole days from ``first`` to ``last`` (SPEC section 4, "time to done", "age")."""
    return (last - first).days


def quarter_of_day(day: dt.date) -> str:
    """The calendar quarter of a date as ``YYYY-Qn`` (``2026-02-10`` -> ``2026-Q1``)."""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def quarter_of_month(month: str) -> str:
    """The quarter of a ``YYYY-MM`` month: ``2026-05`` -> ``2026-Q2``."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


# --------------------------------------------------------------------------- durations


def minutes_between(start: dt.datetime, end: dt.datetime) -> float:
    """Exact minutes from ``start`` to ``end``, an int when whole.

    SPEC section 4, "Durations": every duration is computed on absolute instants. Both are taken
    to UTC first: Python subtracts two datetimes of the same zone object by their wall clocks,
    which is an hour off across a daylight-saving change.
    """
    delta = end.astimezone(_UTC) - start.astimezone(_UTC)
    return round_number(delta.total_seconds() / 60, None)


def time_to_detect(started_at: dt.datetime, detected_at: dt.datetime) -> float:
    """SPEC section 4, "Durations": time_to_detect = ``detected_at - started_at``, in minutes."""
    return minutes_between(started_at, detected_at)


def time_to_mitigate(started_at: dt.datetime, mitigated_at: dt.datetime) -> float:
    """SPEC section 4, "Durations": time_to_mitigate = ``mitigated_at - started_at``, in minutes;
    the time to restore, which "MTTR" on the site averages."""
    return minutes_between(started_at, mitigated_at)


def time_to_resolve(started_at: dt.datetime, resolved_at: dt.datetime | None) -> float | None:
    """SPEC section 4, "Durations": time_to_resolve = ``resolved_at - started_at``, in minutes;
    ``None`` while the incident has no ``resolved_at``."""
    return None if resolved_at is None else minutes_between(started_at, resolved_at)


# --------------------------------------------------------------------------- month of an incident


def local_date(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """SPEC section 4, "Month of an incident": the date of ``moment`` in the plugin's
    ``timezone`` (UTC when that option is not set); the default due date counts from it."""
    return moment.astimezone(zone).date()


def month_of_day(day: dt.date) -> str:
    """SPEC section 4, "Month of an incident": the month of a date as ``YYYY-MM`` (an action is
    closed in the month of its ``completed_at``)."""
    return f"{day.year:04d}-{day.month:02d}"


def incident_month(started_at: dt.datetime, zone: dt.tzinfo) -> str:
    """SPEC section 4, "Month of an incident": the month of ``started_at`` in the plugin's
    ``timezone``, as ``YYYY-MM``. An action is opened in the month of its incident."""
    return month_of_day(local_date(started_at, zone))


# --------------------------------------------------------------------------- dates against today

#: SPEC section 3.1: a ``started_at`` more than this many days after today is a mistyped year
#: (2206 for 2026), an error; one after today but within it is a warning (a planned
#: maintenance written ahead, or a typo in the day).
FUTURE_START_ERROR_DAYS = 365


def future_start_level(start: dt.date, today: dt.date) -> str | None:
    """SPEC section 3.1: ``"error"`` when the incident's start date (in the plugin's
    ``timezone``) is more than :data:`FUTURE_START_ERROR_DAYS` days after today, ``"warning"``
    when it is after today, else ``None``."""
    if start > today + dt.timedelta(days=FUTURE_START_ERROR_DAYS):
        return "error"
    return "warning" if start > today else None


def completed_before_start(completed_at: dt.date, start: dt.date) -> bool:
    """SPEC section 3.2, ``completed_at``: an action cannot be done before its incident started
    (compared with the start date in the plugin's ``timezone``)."""
    return completed_at < start


def completed_after_today(completed_at: dt.date, today: dt.date) -> bool:
    """SPEC section 3.2, ``completed_at``: not after today."""
    return completed_at > today


def last_counted_month(today: dt.date) -> str:
    """SPEC section 3.1: the trends never run past today's month; an incident dated later (a
    warning) stays in the log and out of the monthly series."""
    return month_of_day(today)


# --------------------------------------------------------------------------- repeats


class Occurrence(NamedTuple):
    """What the repeat rule reads of one incident."""

    id: str
    started_at: dt.datetime
    failure_mode: str
    recurrence_of: Sequence[str] = ()
    #: ``exclude_from_metrics``: such an incident neither repeats nor is repeated.
    excluded: bool = False


def within_repeat_window(earlier: dt.datetime, later: dt.datetime, window_days: int) -> bool:
    """SPEC section 4, "Repeat", the window: ``earlier`` is strictly before ``later``, and
    ``later`` at most ``window_days`` days of 24 hours after it (exactly the window still
    counts). Measured between absolute instants."""
    start, end = earlier.astimezone(_UTC), later.astimezone(_UTC)
    return start < end and end - start <= dt.timedelta(days=window_days)


def is_repeat(later: Occurrence, earlier: Occurrence, window_days: int) -> bool:
    """SPEC section 4, "Repeat": ``later`` repeats ``earlier`` when ``earlier`` started before it
    with the same failure mode, within the window, or when ``later`` lists ``earlier`` in
    ``recurrence_of`` (any failure mode, any distance). Excluded incidents take no part."""
    if later.excluded or earlier.excluded or later.id == earlier.id:
        return False
    if earlier.id in later.recurrence_of:
        return True
    return later.failure_mode == earlier.failure_mode and within_repeat_window(
        earlier.started_at, later.started_at, window_days
    )


def repeat_of(later: Occurrence, candidates: Iterable[Occurrence], window_days: int) -> str | None:
    """SPEC section 4, "Repeat": ``repeat_of`` is the most recent incident (latest
    ``started_at``, then the greater id) among ``candidates`` that ``later`` repeats."""
    repeated = [c for c in candidates if is_repeat(later, c, window_days)]
    if not repeated:
        return None
    return max(repeated, key=lambda c: (c.started_at.astimezone(_UTC), c.id)).id


# --------------------------------------------------------------------------- decision rule

#: SPEC section 4, "Decision rule": who noticed first when our observability missed it.
MISSING_OBSERVABILITY_SOURCES = ("customer", "partner")
#: SPEC section 4, "Decision rule": the triggers that call for rollout safety.
ROLLOUT_SAFETY_TRIGGERS = ("rollout", "config_change")

_TRIGGER_LABELS = {"rollout": "a rollout", "config_change": "a config change"}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an incident must turn into backlog work (the decision rule)."""

    code: str  # repeat | severity | manual_hours | detection | trigger
    text: str


def detected_by_customer_or_partner(detection_source: str | None) -> bool:
    """SPEC section 4, "Decision rule": a customer or a partner noticed first (missing
    observability); also a part of the score."""
    return detection_source in MISSING_OBSERVABILITY_SOURCES


def triggered_by_rollout(trigger: str | None) -> bool:
    """SPEC section 4, "Decision rule": the incident came with a rollout or a config change
    (rollout safety); the trends count these incidents and their rollbacks."""
    return trigger in ROLLOUT_SAFETY_TRIGGERS


def decision_reasons(
    *,
    repeat_of: str | None,
    severity: str,
    high_severities: Collection[str],
    manual_hours: float | None,
    manual_hours_threshold: float,
    detection_source: str | None,
    trigger: str | None,
) -> tuple[Reason, ...]:
    """SPEC section 4, "Decision rule": every reason an incident qualifies for backlog work, in
    the order the site lists them; none means it need not. (An incident excluded from metrics
    is not asked: it never qualifies.)"""
    reasons = []
    if repeat_of:
        reasons.append(Reason("repeat", f"repeat of {repeat_of}"))
    if severity in high_severities:
        reasons.append(Reason("severity", f"severity {severity}"))
    if manual_hours is not None and manual_hours >= manual_hours_threshold:
        reasons.append(
            Reason(
                "manual_hours",
                f"{number_text(manual_hours)} manual hours (≥ {number_text(manual_hours_threshold)})",
            )
        )
    if detected_by_customer_or_partner(detection_source):
        reasons.append(
            Reason("detection", f"detected by {detection_source}: missing observability")
        )
    if trigger is not None and triggered_by_rollout(trigger):
        reasons.append(
            Reason("trigger", f"triggered by {_TRIGGER_LABELS[trigger]}: rollout safety")
        )
    return tuple(reasons)


# --------------------------------------------------------------------------- actions


def default_action_id(incident_id: str, position: int) -> str:
    """SPEC section 3.2, an action's ``id``: ``<incident id>-A<n>``, ``n`` the 1-based position
    of the entry in ``actions:``, ``ref`` entries counted (so an id stays put when a ``ref`` is
    added after it)."""
    return f"{incident_id}-A{position}"


def default_due_date(
    started_at: dt.datetime, zone: dt.tzinfo, severity: str, slo_days: Mapping[str, int]
) -> dt.date:
    """SPEC section 4, "Month of an incident" and "Overdue": the date of ``started_at`` in the
    plugin's ``timezone`` + ``action_slo_days[severity]`` days."""
    return local_date(started_at, zone) + dt.timedelta(days=slo_days[severity])


def effective_due_date(due: dt.date | None, default: dt.date) -> dt.date:
    """SPEC section 4, "Overdue": the action's own ``due`` when given, else the default."""
    return default if due is None else due


#: SPEC section 4, "Overdue": the statuses of an open action (also the actions with a score).
OPEN_STATUSES = ("proposed", "planned", "in_progress")


def is_open(status: str) -> bool:
    """SPEC section 4, "Overdue" and "Priority of open actions": still to be done."""
    return status in OPEN_STATUSES


def is_overdue(status: str, due: dt.date, today: dt.date) -> bool:
    """SPEC section 4, "Overdue": open and its effective due date is before today (an action
    due today is not overdue yet); ``done`` and ``wont_do`` never are."""
    return is_open(status) and due < today


class OverdueSpan(NamedTuple):
    """The days an action counts as overdue: every day D with ``due < D`` and, for an action
    done since, ``D <= until`` (the day it was done it was still open in the morning)."""

    due: dt.date
    until: dt.date | None


def overdue_span(status: str, due: dt.date, completed_at: dt.date | None) -> OverdueSpan | None:
    """SPEC section 4, "Overdue", looking back (the overdue count at the end of past months):
    :func:`is_overdue` on each past day, an action done since counting as open until the day
    it was completed. ``None`` when it never was: done by its due date, or ``wont_do`` (whose
    day of decision is not recorded). For an open action, today lies in the span exactly when
    :func:`is_overdue` says so."""
    if is_open(status):
        return OverdueSpan(due, None)
    if status == "done" and completed_at is not None and completed_at > due:
        return OverdueSpan(due, completed_at)
    return None


# --------------------------------------------------------------------------- score

# SPEC section 4, "Priority of open actions"; printed on How the loop works.
# Severity dominates: the other parts add up to at most 59 points, less than two severity steps,
# so an action answering a Sev1 always ranks above one answering only Sev3 incidents, and a
# repeated Sev1 (at least 90 + 10) above any single Sev3 (at most 30 + 59).
SEVERITY_POINTS_STEP = 30
REPEAT_POINTS = 10
REPEATS_COUNTED = 3
MANUAL_HOURS_CAP = 10
OBSERVABILITY_POINTS = 10
#: Business impact (``impact``): one point per this many delayed shipments ...
SHIPMENTS_DELAYED_PER_POINT = 100
#: ... one per this many cancelled orders ...
ORDERS_CANCELLED_PER_POINT = 20
#: ... and this many per escalation, together at most :data:`IMPACT_CAP`.
ESCALATION_POINTS = 1
IMPACT_CAP = 9


@dataclass(frozen=True, slots=True)
class ScorePart:
    """One part of an action's score, with the reason it has these points (shown beside it)."""

    name: str
    points: float
    why: str


class AnsweredIncident(NamedTuple):
    """What the score reads of one incident an action answers."""

    severity: str
    failure_mode: str
    manual_hours: float | None
    detection_source: str
    #: ``impact``: shipments delayed, orders cancelled, escalations (0 when not recorded).
    impact: tuple[int, int, int] = (0, 0, 0)


def impact_points(shipments_delayed: int, orders_cancelled: int, escalations: int) -> float:
    """SPEC section 4, "Priority of open actions", business impact: a point per
    :data:`SHIPMENTS_DELAYED_PER_POINT` delayed shipments, per :data:`ORDERS_CANCELLED_PER_POINT`
    cancelled orders and :data:`ESCALATION_POINTS` per escalation, at most :data:`IMPACT_CAP`,
    to two decimals (250 delayed, 10 cancelled, 3 escalations: 2.5 + 0.5 + 3 = 6)."""
    points = (
        shipments_delayed / SHIPMENTS_DELAYED_PER_POINT
        + orders_cancelled / ORDERS_CANCELLED_PER_POINT
        + escalations * ESCALATION_POINTS
    )
    return round_number(min(points, IMPACT_CAP))


def score_parts(
    answered: Sequence[AnsweredIncident],
    repeats_by_mode: Mapping[str, int],
    severities: Sequence[str],
) -> tuple[ScorePart, ...]:
    """SPEC section 4, "Priority of open actions": the parts of an open action's score.

    ``answered`` are the incidents it answers that count in metrics; ``repeats_by_mode`` the
    number of repeat incidents of each failure mode on the whole site; ``severities`` the
    plugin's list, highest first (Sev1 ranks 3 of 3). An action that answers only excluded
    incidents scores 0.
    """
    if not answered:
        return (ScorePart("severity", 0, "answers only excluded incidents"),)
    rank = {severity: len(severities) - i for i, severity in enumerate(severities)}
    severity = max(answered, key=lambda a: rank.get(a.severity, 0)).severity
    modes = sorted({a.failure_mode for a in answered})
    repeats = sum(repeats_by_mode.get(mode, 0) for mode in modes)
    hours = sum(a.manual_hours or 0 for a in answered)
    blind = any(detected_by_customer_or_partner(a.detection_source) for a in answered)
    shipments, orders, escalations = (sum(a.impact[i] for a in answered) for i in range(3))
    return (
        ScorePart(
            "severity", SEVERITY_POINTS_STEP * rank.get(severity, 0), f"highest severity {severity}"
        ),
        ScorePart(
            "recurrence",
            REPEAT_POINTS * min(repeats, REPEATS_COUNTED),
            f"{repeats} repeat incident{'s' if repeats != 1 else ''} of {', '.join(modes)}",
        ),
        ScorePart(
            "manual work", min(hours, MANUAL_HOURS_CAP), f"{number_text(hours)} manual hours"
        ),
        ScorePart(
            "observability",
            OBSERVABILITY_POINTS if blind else 0,
            "detected by a customer or partner" if blind else "detected by us",
        ),
        ScorePart(
            "business impact",
            impact_points(shipments, orders, escalations),
            f"{shipments} shipments delayed, {orders} orders cancelled, "
            f"{escalations} escalation{'s' if escalations != 1 else ''}",
        ),
    )


def score_total(parts: Iterable[ScorePart]) -> float:
    """SPEC section 4, "Priority of open actions": the score is the sum of its parts, to two
    decimals."""
    return round_number(sum(part.points for part in parts))


def backlog_order(score: float | None, due: dt.date, action_id: str) -> tuple[float, dt.date, str]:
    """SPEC section 4, "Priority of open actions": the sort key of the backlog: the highest
    score first, then the earlier due date, then the action id."""
    return (-(score or 0), due, action_id)


# --------------------------------------------------------------------------- effort and quick wins

#: SPEC section 3.2 (``effort``) and section 4, "Priority of open actions": the days of work a
#: size stands for; a number of days is taken as written.
EFFORT_DAYS = {"S": 2, "M": 5, "L": 15}
#: An action of at most this many days of effort is small: a quick win when it answers a
#: costly failure mode (an ``S``).
QUICK_WIN_MAX_DAYS = 2
#: The failure modes with the longest median time to mitigate, and those with the most
#: repeats, this many of each, are the costly ones that quick wins answer.
COSTLY_MODES_COUNTED = 3


def effort_days(effort: str | float | None) -> float | None:
    """SPEC section 3.2, ``effort``: the days of work of an action (``S`` 2, ``M`` 5, ``L`` 15,
    a number as written); ``None`` when it is not recorded."""
    if effort is None:
        return None
    if isinstance(effort, str):
        return EFFORT_DAYS[effort]
    return round_number(effort, None)


def value_per_effort(score: float, days: float) -> float:
    """SPEC section 4, "Priority of open actions": score points per day of effort, to two
    decimals (a score of 125 for an ``M``, 5 days: 25)."""
    return round_number(score / days)


def value_order(
    value: float, score: float, due: dt.date, action_id: str
) -> tuple[float, float, dt.date, str]:
    """SPEC section 4, "Priority of open actions": the sort key of the ranking by value per
    effort (actions with a known effort only): the most points per day first, then the higher
    score, the earlier due date, the action id."""
    return (-value, -score, due, action_id)


def costly_failure_modes(
    median_mitigate_by_mode: Mapping[str, float], repeats_by_mode: Mapping[str, int]
) -> frozenset[str]:
    """SPEC section 4, "Priority of open actions", quick wins: the :data:`COSTLY_MODES_COUNTED`
    failure modes with the longest median time to mitigate, and as many with the most repeats
    (ties broken by slug; a mode without repeats is not among the latter)."""
    longest = sorted(median_mitigate_by_mode, key=lambda m: (-median_mitigate_by_mode[m], m))
    repeated = sorted(
        (m for m, n in repeats_by_mode.items() if n > 0), key=lambda m: (-repeats_by_mode[m], m)
    )
    return frozenset(longest[:COSTLY_MODES_COUNTED] + repeated[:COSTLY_MODES_COUNTED])


def is_quick_win(days: float | None, failure_modes: Iterable[str], costly: Collection[str]) -> bool:
    """SPEC section 4, "Priority of open actions": a quick win is an open action of at most
    :data:`QUICK_WIN_MAX_DAYS` days of effort that answers a costly failure mode
    (:func:`costly_failure_modes`)."""
    return (
        days is not None and days <= QUICK_WIN_MAX_DAYS and any(m in costly for m in failure_modes)
    )


# --------------------------------------------------------------------------- due soon

#: SPEC section 8, ``incident-loop overdue``: an open action due within this many days (today
#: included) is soon due.
SOON_DUE_DAYS = 7


def is_due_soon(status: str, due: dt.date, today: dt.date) -> bool:
    """SPEC section 8, ``overdue``: open, not overdue, and due at most :data:`SOON_DUE_DAYS` days
    from today (due today counts; due in 7 days counts, in 8 does not)."""
    return is_open(status) and today <= due <= today + dt.timedelta(days=SOON_DUE_DAYS)


# --------------------------------------------------------------------------- peak readiness

#: SPEC section 4, "Peak readiness": the home page shows a peak's panel from this many days
#: before its start until its end.
PEAK_PANEL_DAYS = 60


class PeakOccurrence(NamedTuple):
    """One occurrence of a peak period: its first and last day."""

    start: dt.date
    end: dt.date


def peak_occurrence(start: str, end: str, year: int) -> PeakOccurrence:
    """The occurrence of a peak period (``MM-DD`` or ``YYYY-MM-DD`` bounds) that starts in
    ``year``; one that wraps over New Year ends in the next year. A dated period has one
    occurrence, whatever the year."""
    if len(start) != 5:
        return PeakOccurrence(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    first = _month_day(start, year)
    last = _month_day(end, year)
    if last < first:
        last = _month_day(end, year + 1)
    return PeakOccurrence(first, last)


def _month_day(text: str, year: int) -> dt.date:
    month, day = int(text[:2]), int(text[3:])
    if (month, day) == (2, 29) and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def next_peak(start: str, end: str, today: dt.date) -> PeakOccurrence | None:
    """SPEC section 4, "Peak readiness": the occurrence to get ready for: the one under way
    today, else the next one to start; ``None`` for a dated period that is over."""
    for year in (today.year - 1, today.year, today.year + 1):
        occurrence = peak_occurrence(start, end, year)
        if occurrence.end >= today:
            return occurrence
    return None


def in_earlier_peak(day: dt.date, start: str, end: str, upcoming: PeakOccurrence) -> bool:
    """SPEC section 4, "Peak readiness": ``day`` (an incident's local start date) lies in an
    occurrence of the period that started before ``upcoming``."""
    if day >= upcoming.start:
        return False
    for year in (day.year - 1, day.year):
        occurrence = peak_occurrence(start, end, year)
        if occurrence.start <= day <= occurrence.end:
            return True
    return False


def due_after_peak_start(due: dt.date, peak_start: dt.date) -> bool:
    """SPEC section 4, "Peak readiness": an open action due after the peak's first day will not
    help this peak: it is flagged (due on the first day is not)."""
    return due > peak_start


def shows_peak_panel(upcoming: PeakOccurrence, today: dt.date) -> bool:
    """SPEC section 4, "Peak readiness": the home page's panel shows from
    :data:`PEAK_PANEL_DAYS` days before the start until the last day."""
    return upcoming.start - dt.timedelta(days=PEAK_PANEL_DAYS) <= today <= upcoming.end


# --------------------------------------------------------------------------- stale runbooks


def used_after_review(started_at: dt.datetime, last_review: dt.date, zone: dt.tzinfo) -> bool:
    """SPEC section 6, runbooks: an incident that used a runbook makes it stale when it started
    after the day of the runbook's last review (its ``reviewed`` date, or the day git last
    changed it), in the plugin's ``timezone``; a start on the review day itself does not."""
    return local_date(started_at, zone) > last_review


# --------------------------------------------------------------------------- links

#: SPEC section 3.1 (``links``) and section 10 (safety): the only schemes a link may have.
SAFE_URL_SCHEMES = ("http", "https", "mailto")

# What a browser ignores of an href: C0 controls and spaces around it, tabs and line breaks in
# it (the URL standard). The scheme is read after these are gone, as the browser reads it.
_STRIPPED = "".join(chr(c) for c in range(0x21))
_REMOVED = {ord("\t"): None, ord("\n"): None, ord("\r"): None}
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def url_scheme(url: str) -> str:
    """The scheme of ``url`` as a browser reads it, in lower case; ``""`` when it has none."""
    match = _SCHEME.match(url.translate(_REMOVED).strip(_STRIPPED))
    return match[1].lower() if match else ""


def safe_href(url: str) -> str | None:
    """SPEC section 10, safety (and 3.1, ``links``): ``url`` without surrounding whitespace when
    its scheme is one of :data:`SAFE_URL_SCHEMES` (in any case), else ``None`` (``javascript:``,
    ``data:``, no scheme at all): what may become an ``href``."""
    return url.strip() if url_scheme(url) in SAFE_URL_SCHEMES else None


def ticket_href(ticket: str, ticket_url: str | None) -> str | None:
    """SPEC section 3.2, ``ticket``: where an action's ticket links to. A URL is its own link
    (when its scheme is safe); a key like ``OPS-123`` links through the ``ticket_url`` option
    (``https://acme.atlassian.net/browse/{ticket}``), the key URL-encoded; else no link."""
    if url_scheme(ticket):
        return safe_href(ticket)
    if ticket_url is None or not ticket.strip():
        return None
    return ticket_url.replace("{ticket}", quote(ticket.strip(), safe=""))


# --------------------------------------------------------------------------- ids on the site

#: SPEC section 3.2: an incident id or an action id becomes a folder, a file name and an anchor
#: on the site, so it holds only ASCII letters, digits, `.`, `_` and `-`, starts with a letter or
#: a digit (no `..`), whatever `id_pattern` allows.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
SAFE_ID_CHARACTERS = "ASCII letters, digits, `.`, `_` and `-`, starting with a letter or digit"


def is_safe_id(value: str) -> bool:
    """An id that can be a path and an anchor on the site as it is written (SPEC section 3.2)."""
    return SAFE_ID.fullmatch(value) is not None


def next_free_id(ids: Collection[str], year: int) -> str:
    """The id ``incident-loop new`` gives and a missing ``id`` is told to take:
    ``INC-<year>-<n>`` with n one more than the highest of that year, at least three digits."""
    pattern = re.compile(rf"INC-{year}-([0-9]+)", re.ASCII)
    numbers = [int(m[1]) for m in map(pattern.fullmatch, ids) if m]
    return f"INC-{year}-{max(numbers, default=0) + 1:03d}"
