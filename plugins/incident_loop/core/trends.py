"""Monthly series, peak periods and failure-mode recurrence (SPEC sections 4 and 7).

Incidents with ``exclude_from_metrics`` and their actions count nowhere here. A month is the month of
``started_at`` in the plugin's timezone; a month without incidents has no averages (``None``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .analyse import ActionFacts, Analysis, IncidentFacts
from .rules import (
    last_counted_month,
    local_date,
    month_of_day,
    overdue_span,
    round_number,
    triggered_by_rollout,
)
from .settings import PeakPeriod, Settings


@dataclass
class MonthStats:
    month: str
    incidents: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    repeats: int = 0
    mttr_min_mean: float | None = None
    mttr_min_median: float | None = None
    mttd_min_median: float | None = None
    alert_detected_share: float | None = None
    manual_hours: float = 0
    rollout_incidents: int = 0
    rollbacks: int = 0
    actions_opened: int = 0
    actions_closed: int = 0
    #: Actions overdue at the end of the month (at today for the current month); page only.
    overdue: int = 0


@dataclass
class PeakComparison:
    name: str
    days: int
    incidents: int
    per_30_days: float | None
    mttr_min_mean: float | None
    mttr_min_median: float | None
    alert_detected_share: float | None
    manual_hours: float


@dataclass
class FailureModeRecurrence:
    slug: str
    incidents: int
    repeats: int
    first_seen: dt.date
    last_seen: dt.date
    mttr_min_median: float | None
    open_actions: int


@dataclass
class Trends:
    months: list[MonthStats]
    peaks: list[PeakComparison]
    failure_modes: list[FailureModeRecurrence]


def _mean(values: Sequence[float]) -> float | None:
    return round_number(statistics.fmean(values)) if values else None


def _median(values: Sequence[float]) -> float | None:
    return round_number(statistics.median(values)) if values else None


def _share(part: int, whole: int) -> float | None:
    return round_number(part / whole, 4) if whole else None


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def compute_trends(analysis: Analysis, settings: Settings) -> Trends:
    counted = [f for f in analysis.incidents.values() if not f.excluded]
    counted.sort(key=lambda f: (f.record.incident.started_at, f.id))
    counted_ids = {f.id for f in counted}
    actions = [a for a in analysis.actions.values() if a.record.incident_id in counted_ids]
    months = _months(counted, actions, analysis, settings)
    peaks = _peaks(counted, settings, months, analysis.today)
    modes = _recurrence(counted, analysis, settings)
    return Trends(months=months, peaks=peaks, failure_modes=modes)


def _months(
    counted: list[IncidentFacts],
    actions: list[ActionFacts],
    analysis: Analysis,
    settings: Settings,
) -> list[MonthStats]:
    # SPEC section 3.1: the months end at today's; an incident dated later is left out here.
    last_month = last_counted_month(analysis.today)
    counted = [f for f in counted if f.month <= last_month]
    if not counted:
        return []
    first = dt.date.fromisoformat(counted[0].month + "-01")
    last = analysis.today.replace(day=1)
    by_month: dict[str, MonthStats] = {}
    day = first
    while day <= last:
        key = month_of_day(day)
        by_month[key] = MonthStats(
            month=key,
            by_severity=dict.fromkeys(settings.severities, 0),
            by_category=dict.fromkeys(settings.categories, 0),
        )
        day = _next_month(day)

    grouped: dict[str, list[IncidentFacts]] = defaultdict(list)
    for facts in counted:
        grouped[facts.month].append(facts)
    for key, group in grouped.items():
        stats = by_month[key]
        stats.incidents = len(group)
        for facts in group:
            incident = facts.record.incident
            stats.by_severity[incident.severity] = stats.by_severity.get(incident.severity, 0) + 1
            stats.by_category[incident.category] = stats.by_category.get(incident.category, 0) + 1
            stats.repeats += facts.repeat_of is not None
            stats.manual_hours += incident.manual_hours or 0
            if triggered_by_rollout(incident.trigger):
                stats.rollout_incidents += 1
                stats.rollbacks += bool(incident.rolled_back)
        mitigate = [f.time_to_mitigate for f in group]
        stats.mttr_min_mean = _mean(mitigate)
        stats.mttr_min_median = _median(mitigate)
        stats.mttd_min_median = _median([f.time_to_detect for f in group])
        alerts = sum(1 for f in group if f.record.incident.detection_source == "alert")
        stats.alert_detected_share = _share(alerts, len(group))
        stats.manual_hours = round_number(stats.manual_hours)

    month_of = {f.id: f.month for f in counted}
    actions = [a for a in actions if a.record.incident_id in month_of]
    for action in actions:
        opened = month_of[action.record.incident_id]
        by_month[opened].actions_opened += 1
        item = action.record.item
        if item.status == "done" and item.completed_at is not None:
            closed = month_of_day(item.completed_at)
            if closed in by_month:
                by_month[closed].actions_closed += 1

    _count_overdue(list(by_month.values()), actions, month_of, analysis.today)
    return list(by_month.values())


def _count_overdue(
    months: list[MonthStats],
    actions: list[ActionFacts],
    month_of: dict[str, str],
    today: dt.date,
) -> None:
    """Actions overdue at the end of each month, in one pass over the actions.

    Month k is judged on day D[k]: the first day of the next month, or today for this month.
    An action counts when its incident's month is k or earlier and D[k] is one of the days of
    its :func:`rules.overdue_span`. For one action those months are one unbroken run, added
    with a difference array.
    """
    keys = [m.month for m in months]
    days = [min(_next_month(dt.date.fromisoformat(k + "-01")), today) for k in keys]
    delta = [0] * (len(months) + 1)
    for action in actions:
        item = action.record.item
        span = overdue_span(item.status, action.due, item.completed_at)
        if span is None:
            continue
        first = max(bisect.bisect_left(keys, month_of[action.record.incident_id]),
                    bisect.bisect_right(days, span.due))  # fmt: skip
        end = len(months) if span.until is None else bisect.bisect_right(days, span.until)
        if first < end:
            delta[first] += 1
            delta[end] -= 1
    running = 0
    for index, stats in enumerate(months):
        running += delta[index]
        stats.overdue = running


def in_period(day: dt.date, period: PeakPeriod) -> bool:
    if len(period.start) == 5:  # MM-DD, every year; a period may wrap over New Year
        key = f"{day.month:02d}-{day.day:02d}"
        if period.start <= period.end:
            return period.start <= key <= period.end
        return key >= period.start or key <= period.end
    return dt.date.fromisoformat(period.start) <= day <= dt.date.fromisoformat(period.end)


def _peaks(
    counted: list[IncidentFacts], settings: Settings, months: list[MonthStats], today: dt.date
) -> list[PeakComparison]:
    if not settings.peak_periods or not months:
        return []
    zone = settings.zone
    first = dt.date.fromisoformat(months[0].month + "-01")
    days = [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]
    result = []
    for period in settings.peak_periods:
        inside = [
            f for f in counted if in_period(local_date(f.record.incident.started_at, zone), period)
        ]
        inside_ids = {f.id for f in inside}
        outside = [f for f in counted if f.id not in inside_ids]
        inside_days = sum(1 for d in days if in_period(d, period))
        for name, group, span in (
            (period.name, inside, inside_days),
            (f"Rest of the year (outside {period.name})", outside, len(days) - inside_days),
        ):
            mitigate = [f.time_to_mitigate for f in group]
            alerts = sum(1 for f in group if f.record.incident.detection_source == "alert")
            result.append(
                PeakComparison(
                    name=name,
                    days=span,
                    incidents=len(group),
                    per_30_days=round_number(len(group) * 30 / span) if span else None,
                    mttr_min_mean=_mean(mitigate),
                    mttr_min_median=_median(mitigate),
                    alert_detected_share=_share(alerts, len(group)),
                    manual_hours=round_number(
                        sum(f.record.incident.manual_hours or 0 for f in group)
                    ),
                )
            )
    return result


def _recurrence(
    counted: list[IncidentFacts], analysis: Analysis, settings: Settings
) -> list[FailureModeRecurrence]:
    zone = settings.zone
    groups: dict[str, list[IncidentFacts]] = defaultdict(list)
    for facts in counted:
        groups[facts.record.incident.failure_mode].append(facts)
    result = []
    for slug, group in groups.items():
        open_actions = {
            a
            for f in group
            for a in f.action_ids
            if a in analysis.actions and analysis.actions[a].record.is_open
        }
        starts = [local_date(f.record.incident.started_at, zone) for f in group]
        result.append(
            FailureModeRecurrence(
                slug=slug,
                incidents=len(group),
                repeats=sum(1 for f in group if f.repeat_of),
                first_seen=min(starts),
                last_seen=max(starts),
                mttr_min_median=_median([f.time_to_mitigate for f in group]),
                open_actions=len(open_actions),
            )
        )
    result.sort(key=lambda r: (-r.repeats, -r.incidents, r.slug))
    return result
