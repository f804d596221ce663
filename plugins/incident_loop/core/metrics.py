"""The headline metrics that the ``metric()`` macro puts on any page, each defined once.

They sit above :mod:`analyse`, not in :mod:`rules`, because each is a count over the analysis of
the whole project: which of the chosen incidents count in metrics, which actions are open and
answer them, and the severity of every incident such an action answers. The rules they count
with (excluded incidents, overdue, the date of an incident in the plugin's timezone) are those
of :mod:`rules`, applied by :func:`analyse.analyse`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .analyse import ActionFacts, Analysis, IncidentFacts, overdue_first
from .rules import local_date
from .settings import PeakPeriod, Settings

#: "The last 30 days" of ``incidents_last_30_days``: today and the 29 days before it.
RECENT_DAYS = 30
#: "The last quarter" of ``mttr_last_quarter``: 91 days (13 weeks), today included.
QUARTER_DAYS = 91


def in_last_days(day: dt.date, today: dt.date, days: int) -> bool:
    """``day`` is one of the ``days`` days that end with ``today``."""
    return today - dt.timedelta(days=days) < day <= today


def open_actions_answering(
    analysis: Analysis, incidents: Iterable[IncidentFacts]
) -> list[ActionFacts]:
    """The open actions that answer any of ``incidents`` (excluded ones too: an action to do
    is work to do), overdue first."""
    answered = {f.id for f in incidents}
    return overdue_first(
        a
        for a in analysis.actions.values()
        if a.record.is_open and any(i in answered for i in a.incidents)
    )


def _recent(
    incidents: Iterable[IncidentFacts], analysis: Analysis, settings: Settings, days: int
) -> list[IncidentFacts]:
    """The incidents that count in metrics and started in the last ``days`` days."""
    zone = settings.zone
    return [
        f
        for f in incidents
        if not f.excluded
        and in_last_days(local_date(f.record.incident.started_at, zone), analysis.today, days)
    ]


def incidents_last_30_days(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings
) -> int:
    """How many of ``incidents`` count in metrics and started in the last 30 days."""
    return len(_recent(incidents, analysis, settings, RECENT_DAYS))


def mttr_last_quarter(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings
) -> float | None:
    """The mean time to mitigate (MTTR) of those of ``incidents`` that count in metrics and
    started in the last 91 days; ``None`` without any.

    A mean of the last 91 days, not of a calendar quarter, and not the median that SPEC section 4
    makes the headline of a duration: kept as the macro has always shown it, since pages in
    the wild print it under this name.
    """
    recent = [f.time_to_mitigate for f in _recent(incidents, analysis, settings, QUARTER_DAYS)]
    return statistics.fmean(recent) if recent else None


def open_sev1_actions(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings
) -> int:
    """How many open actions answering ``incidents`` answer an incident of the highest
    severity (the first of ``severities``, Sev1 by default), among all the incidents they
    answer."""
    top = settings.severities[0]
    return sum(
        1
        for a in open_actions_answering(analysis, incidents)
        if any(
            analysis.incidents[i].record.incident.severity == top
            for i in a.incidents
            if i in analysis.incidents
        )
    )


def overdue_actions(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings
) -> int:
    """How many open actions answering ``incidents`` are overdue (SPEC section 4, "Overdue")."""
    return sum(1 for a in open_actions_answering(analysis, incidents) if a.overdue)


Metric = Callable[[Analysis, Sequence[IncidentFacts], Settings], float | None]

#: The headline metrics by name, in the order the macro's help lists them.
METRICS: dict[str, Metric] = {
    "incidents_last_30_days": incidents_last_30_days,
    "open_sev1_actions": open_sev1_actions,
    "overdue_actions": overdue_actions,
    "mttr_last_quarter": mttr_last_quarter,
}


# ---------------------------------------------------------------------------- the dashboard
# The home page's headline numbers, each beside the same figure of the period before (issue 18).

#: A median of fewer incidents than this is shown as "too few incidents (n=…)" (SPEC section 4).
MIN_INCIDENTS_FOR_MEDIAN = 5
#: The dashboard compares the last 91 days (13 weeks, today included) with the 91 days before.
DASHBOARD_DAYS = QUARTER_DAYS


@dataclass(frozen=True)
class Median:
    """A median with its n; ``value`` is ``None`` below :data:`MIN_INCIDENTS_FOR_MEDIAN`."""

    value: float | None
    n: int


@dataclass(frozen=True)
class PeriodFigures:
    """The headline figures of the incidents that count in metrics and started from ``first``
    to ``last`` (both included)."""

    first: dt.date
    last: dt.date
    incidents: int
    repeats: int
    time_to_detect: Median
    time_to_mitigate: Median
    alert_detected_share: float | None
    manual_hours: float


def _median(values: Sequence[float]) -> Median:
    if len(values) < MIN_INCIDENTS_FOR_MEDIAN:
        return Median(None, len(values))
    return Median(statistics.median(values), len(values))


def period_figures(
    incidents: Iterable[IncidentFacts], settings: Settings, first: dt.date, last: dt.date
) -> PeriodFigures:
    """The headline figures of one period; excluded incidents are left out (SPEC section 4)."""
    zone = settings.zone
    group = [
        f
        for f in incidents
        if not f.excluded and first <= local_date(f.record.incident.started_at, zone) <= last
    ]
    alerts = sum(1 for f in group if f.record.incident.detection_source == "alert")
    return PeriodFigures(
        first=first,
        last=last,
        incidents=len(group),
        repeats=sum(1 for f in group if f.repeat_of),
        time_to_detect=_median([f.time_to_detect for f in group]),
        time_to_mitigate=_median([f.time_to_mitigate for f in group]),
        alert_detected_share=alerts / len(group) if group else None,
        manual_hours=sum(f.record.incident.manual_hours or 0 for f in group),
    )


def headline_periods(
    analysis: Analysis,
    incidents: Sequence[IncidentFacts],
    settings: Settings,
    days: int = DASHBOARD_DAYS,
) -> tuple[PeriodFigures, PeriodFigures]:
    """The figures of the last ``days`` days up to today, and of the ``days`` days before."""
    last = analysis.today
    first = last - dt.timedelta(days=days - 1)
    before_last = first - dt.timedelta(days=1)
    before_first = before_last - dt.timedelta(days=days - 1)
    return (
        period_figures(incidents, settings, first, last),
        period_figures(incidents, settings, before_first, before_last),
    )


def overdue_by_owner(analysis: Analysis) -> list[tuple[str, int]]:
    """Owners with overdue actions and how many, most first (then by name)."""
    counts = Counter(a.record.item.owner for a in analysis.actions.values() if a.overdue)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def peak_occurrence(period: PeakPeriod, year: int) -> tuple[dt.date, dt.date] | None:
    """The first and last day of ``period`` when it starts in ``year``; a period with full
    dates has one occurrence, a ``MM-DD`` period one a year (ending next year when it wraps)."""
    if len(period.start) != 5:
        start, end = dt.date.fromisoformat(period.start), dt.date.fromisoformat(period.end)
        return (start, end) if start.year == year else None
    start = _month_day(year, period.start)
    end = _month_day(year + (period.end < period.start), period.end)
    return start, end


def _month_day(year: int, text: str) -> dt.date:
    month, day = int(text[:2]), int(text[3:])
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return dt.date(year, month, day)


@dataclass(frozen=True)
class NextPeak:
    """The next (or current) peak period and the open actions it is waiting for: those that
    answer incidents of its earlier occurrences, with those due after its start apart."""

    period: PeakPeriod
    first: dt.date
    last: dt.date
    open_actions: list[ActionFacts]
    due_after_start: list[ActionFacts]


def next_peak(analysis: Analysis, settings: Settings) -> NextPeak | None:
    """The configured peak period whose occurrence ends soonest on or after today."""
    today = analysis.today
    upcoming = []
    for period in settings.peak_periods:
        for year in (today.year - 1, today.year, today.year + 1):
            span = peak_occurrence(period, year)
            if span is not None and span[1] >= today:
                upcoming.append((span[0], span[1], period.name, period))
                break
    if not upcoming:
        return None
    first, last, _, period = min(upcoming, key=lambda u: (u[0], u[1], u[2]))
    earlier = [peak_occurrence(period, year) for year in range(1970, first.year)]
    spans = [s for s in earlier if s is not None and s[1] < first]
    zone = settings.zone
    answered = [
        f
        for f in analysis.incidents.values()
        if any(s <= local_date(f.record.incident.started_at, zone) <= e for s, e in spans)
    ]
    actions = open_actions_answering(analysis, answered)
    return NextPeak(
        period=period,
        first=first,
        last=last,
        open_actions=actions,
        due_after_start=[a for a in actions if a.due >= first],
    )
