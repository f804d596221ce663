"""Monthly series, peak periods and failure-mode recurrence (SPEC sections 4 and 7).

Incidents with ``exclude_from_metrics`` and their actions count nowhere here. A month is the month of
``started_at`` in the plugin's timezone; a month without incidents has no averages (``None``).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .analyse import ActionFacts, Analysis, IncidentFacts
from .rules import (
    DURATION_BUCKET_LABELS,
    PERIOD_KINDS,
    Summary,
    counts_for_on_time,
    days_between,
    done_on_time,
    duration_bucket,
    enough_for_durations,
    is_open,
    last_counted_month,
    local_date,
    mean,
    median,
    month_of_day,
    overdue_span,
    period_kind,
    period_of_month,
    quarter_of_day,
    quarter_of_month,
    round_number,
    share,
    summarise,
    triggered_by_rollout,
)
from .settings import PeakPeriod, Settings

#: The three durations of SPEC section 4, as the attributes of an incident's facts.
DURATIONS = ("time_to_detect", "time_to_mitigate", "time_to_resolve")
NO_VALUES = summarise(())


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
    #: SPEC section 4: each duration's n, median, 90th percentile and mean (minutes).
    time_to_detect: Summary = NO_VALUES
    time_to_mitigate: Summary = NO_VALUES
    time_to_resolve: Summary = NO_VALUES


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
class PeriodStats:
    """One bar of the trends page's charts: a month, a quarter or a year (``rules.period_kind``)."""

    label: str
    months: list[MonthStats]
    incidents: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    repeats: int = 0
    alert_detected_share: float | None = None
    manual_hours: float = 0
    rollout_incidents: int = 0
    rollbacks: int = 0
    actions_opened: int = 0
    actions_closed: int = 0
    #: Overdue at the end of the period's last month.
    overdue: int = 0
    #: Duration name -> summary of all the period's incidents.
    durations: dict[str, Summary] = field(default_factory=dict)
    #: Duration name -> severity -> summary.
    durations_by_severity: dict[str, dict[str, Summary]] = field(default_factory=dict)


@dataclass
class Distribution:
    """How many incidents fall in each of ``rules.DURATION_BUCKET_LABELS``, by severity."""

    duration: str
    labels: tuple[str, ...]
    by_severity: dict[str, list[int]]


@dataclass
class OnTime:
    """SPEC section 4, "Follow-through": of the actions that count (done, or overdue), how many
    were done by their effective due date."""

    name: str
    counted: int
    on_time: int

    @property
    def share(self) -> float | None:
        return share(self.on_time, self.counted)


@dataclass
class QuarterFollowThrough:
    quarter: str
    on_time: OnTime
    incidents: int
    repeats: int

    @property
    def repeat_rate(self) -> float | None:
        return share(self.repeats, self.incidents)


@dataclass
class FollowThrough:
    by_quarter: list[QuarterFollowThrough]
    by_type: list[OnTime]
    by_owner: list[OnTime]
    #: Days from the incident's start date to ``completed_at``, of the done actions.
    time_to_done_days: Summary
    #: Days from the incident's start date to today, of the open actions.
    open_age_days: Summary
    incidents: int
    repeats: int

    @property
    def repeat_rate(self) -> float | None:
        return share(self.repeats, self.incidents)


@dataclass
class Trends:
    months: list[MonthStats]
    peaks: list[PeakComparison]
    failure_modes: list[FailureModeRecurrence]
    #: ``"month"``, ``"quarter"`` or ``"year"``: the bars of the page's charts.
    period_kind: str = "month"
    periods: list[PeriodStats] = field(default_factory=list)
    #: The periods the durations are summarised by: the page's, or longer ones when most of
    #: those have too few incidents (``rules.enough_for_durations``).
    duration_period_kind: str = "month"
    duration_periods: list[PeriodStats] = field(default_factory=list)
    #: Duration name -> severity -> summary over the whole history.
    durations_by_severity: dict[str, dict[str, Summary]] = field(default_factory=dict)
    #: Duration name -> summary over the whole history.
    durations: dict[str, Summary] = field(default_factory=dict)
    distributions: list[Distribution] = field(default_factory=list)
    follow_through: FollowThrough | None = None


def _mean(values: Sequence[float]) -> float | None:
    return round_number(mean(values))


def _median(values: Sequence[float]) -> float | None:
    return round_number(median(values))


def _share(part: int, whole: int) -> float | None:
    return share(part, whole)


def _durations(group: Sequence[IncidentFacts]) -> dict[str, Summary]:
    """Each duration of SPEC section 4 summarised over ``group`` (an incident without
    ``resolved_at`` has no time to resolve)."""
    result = {}
    for name in DURATIONS:
        values = [v for f in group if (v := getattr(f, name)) is not None]
        result[name] = summarise(values)
    return result


def _durations_by_severity(
    group: Sequence[IncidentFacts], severities: Sequence[str]
) -> dict[str, dict[str, Summary]]:
    by_severity: dict[str, list[IncidentFacts]] = {s: [] for s in severities}
    for facts in group:
        by_severity.setdefault(facts.record.incident.severity, []).append(facts)
    per = {severity: _durations(members) for severity, members in by_severity.items()}
    return {name: {severity: per[severity][name] for severity in per} for name in DURATIONS}


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
    # SPEC section 3.1: an incident after today's month is in no month, and in no summary.
    in_months = {m.month for m in months}
    counted = [f for f in counted if f.month in in_months]
    kind = period_kind(len(months))
    periods = _periods(months, counted, settings, kind)
    duration_kind, duration_periods = kind, periods
    for longer in PERIOD_KINDS[PERIOD_KINDS.index(kind) :]:
        duration_kind = longer
        duration_periods = (
            periods if longer == kind else _periods(months, counted, settings, longer)
        )
        if enough_for_durations([p.incidents for p in duration_periods]):
            break
    return Trends(
        months=months,
        peaks=peaks,
        failure_modes=modes,
        period_kind=kind,
        periods=periods,
        duration_period_kind=duration_kind,
        duration_periods=duration_periods,
        durations_by_severity=_durations_by_severity(counted, settings.severities),
        durations=_durations(counted),
        distributions=_distributions(counted, settings.severities),
        follow_through=_follow_through(counted, actions, analysis, settings, months),
    )


def _periods(
    months: list[MonthStats], counted: list[IncidentFacts], settings: Settings, kind: str
) -> list[PeriodStats]:
    """The months grouped into the page's periods, with the sums and summaries of each."""
    periods: dict[str, PeriodStats] = {}
    for stats in months:
        label = period_of_month(stats.month, kind)
        period = periods.get(label)
        if period is None:
            period = periods[label] = PeriodStats(
                label=label,
                months=[],
                by_severity=dict.fromkeys(settings.severities, 0),
                by_category=dict.fromkeys(settings.categories, 0),
            )
        period.months.append(stats)
        period.incidents += stats.incidents
        for key, count in stats.by_severity.items():
            period.by_severity[key] = period.by_severity.get(key, 0) + count
        for key, count in stats.by_category.items():
            period.by_category[key] = period.by_category.get(key, 0) + count
        period.repeats += stats.repeats
        period.manual_hours = round_number(period.manual_hours + stats.manual_hours)
        period.rollout_incidents += stats.rollout_incidents
        period.rollbacks += stats.rollbacks
        period.actions_opened += stats.actions_opened
        period.actions_closed += stats.actions_closed
        period.overdue = stats.overdue
    grouped: dict[str, list[IncidentFacts]] = defaultdict(list)
    for facts in counted:
        grouped[period_of_month(facts.month, kind)].append(facts)
    for label, period in periods.items():
        group = grouped.get(label, [])
        alerts = sum(1 for f in group if f.record.incident.detection_source == "alert")
        period.alert_detected_share = share(alerts, len(group))
        period.durations = _durations(group)
        period.durations_by_severity = _durations_by_severity(group, settings.severities)
    return list(periods.values())


def _distributions(counted: list[IncidentFacts], severities: Sequence[str]) -> list[Distribution]:
    result = []
    for name in DURATIONS:
        counts: dict[str, list[int]] = {s: [0] * len(DURATION_BUCKET_LABELS) for s in severities}
        for facts in counted:
            value = getattr(facts, name)
            if value is None:
                continue
            row = counts.setdefault(
                facts.record.incident.severity, [0] * len(DURATION_BUCKET_LABELS)
            )
            row[duration_bucket(value)] += 1
        result.append(Distribution(name, DURATION_BUCKET_LABELS, counts))
    return result


def _follow_through(
    counted: list[IncidentFacts],
    actions: list[ActionFacts],
    analysis: Analysis,
    settings: Settings,
    months: list[MonthStats],
) -> FollowThrough:
    """SPEC section 4, "Follow-through", over the actions of the incidents that count."""
    today = analysis.today
    zone = settings.zone
    start_of = {f.id: local_date(f.record.incident.started_at, zone) for f in counted}
    quarters: dict[str, QuarterFollowThrough] = {}
    for stats in months:
        quarter = quarter_of_month(stats.month)
        row = quarters.get(quarter)
        if row is None:
            row = quarters[quarter] = QuarterFollowThrough(quarter, OnTime(quarter, 0, 0), 0, 0)
        row.incidents += stats.incidents
        row.repeats += stats.repeats
    by_type: dict[str, OnTime] = {}
    by_owner: dict[str, OnTime] = {}
    to_done: list[float] = []
    ages: list[float] = []
    for action in actions:
        item = action.record.item
        started = start_of.get(action.record.incident_id)
        if started is None:
            continue
        if item.status == "done" and item.completed_at is not None:
            to_done.append(days_between(started, item.completed_at))
        elif is_open(item.status):
            ages.append(days_between(started, today))
        if not counts_for_on_time(item.status, item.completed_at, action.due, today):
            continue
        on_time = done_on_time(item.status, item.completed_at, action.due)
        tallies = [
            by_type.setdefault(item.type, OnTime(item.type, 0, 0)),
            by_owner.setdefault(item.owner, OnTime(item.owner, 0, 0)),
        ]
        due_quarter = quarters.get(quarter_of_day(action.due))
        if due_quarter is not None:
            tallies.append(due_quarter.on_time)
        for tally in tallies:
            tally.counted += 1
            tally.on_time += on_time
    return FollowThrough(
        by_quarter=list(quarters.values()),
        by_type=sorted(by_type.values(), key=lambda r: r.name),
        by_owner=sorted(by_owner.values(), key=lambda r: (-r.counted, r.name)),
        time_to_done_days=summarise(to_done),
        open_age_days=summarise(ages),
        incidents=sum(m.incidents for m in months),
        repeats=sum(m.repeats for m in months),
    )


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
        durations = _durations(group)
        stats.time_to_detect = durations["time_to_detect"]
        stats.time_to_mitigate = durations["time_to_mitigate"]
        stats.time_to_resolve = durations["time_to_resolve"]
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
