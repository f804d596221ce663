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

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, overload

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
