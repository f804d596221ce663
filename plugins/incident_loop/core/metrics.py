"""The headline metrics that the ``metric()`` macro puts on any page, each defined once.

They sit above :mod:`analyse`, not in :mod:`rules`, because each is a count over the analysis of
the whole project: which of the chosen incidents count in metrics, which actions are open and
answer them, and the severity of every incident such an action answers. The rules they count
with (excluded incidents, overdue, the date of an incident in the plugin's timezone) are those
of :mod:`rules`, applied by :func:`analyse.analyse`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .analyse import ActionFacts, Analysis, IncidentFacts, overdue_first
from .rules import (
    counts_for_on_time,
    done_on_time,
    local_date,
    median,
    overdue_span,
    percentile,
    round_number,
    share,
    too_few,
)
from .settings import Settings

#: "The last 30 days" of the headline ``incidents_last_30_days``: today and the 29 days before it.
RECENT_DAYS = 30
#: "The last quarter" of the ``*_last_quarter`` headlines: 91 days (13 weeks), today included.
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


# --------------------------------------------------------------------------- headlines
#
# The home page's headline numbers (SPEC section 4: medians and shares with n, never a mean),
# each computed for the period that ends today and for the period of the same length before
# it, by asking the same question on an earlier day: ``on`` is the day the period ends.


@dataclass(frozen=True, slots=True)
class Figure:
    """A headline number: ``value`` (``None`` without one), of ``kind`` "count", "minutes"
    or "share"; ``n`` is the size of the group a median or share summarises (``None`` for a
    count), and below :data:`rules.TOO_FEW` a page shows "too few ``noun`` (n=...)"."""

    value: float | None
    kind: str = "count"
    n: int | None = None
    noun: str = "incidents"

    @property
    def too_few(self) -> bool:
        return self.n is not None and too_few(self.n)


Headline = Callable[[Analysis, Sequence[IncidentFacts], Settings, dt.date], Figure]


def _started_within(
    incidents: Iterable[IncidentFacts], settings: Settings, on: dt.date, days: int
) -> list[IncidentFacts]:
    """The incidents that count in metrics and started in the ``days`` days ending ``on``."""
    zone = settings.zone
    return [
        f
        for f in incidents
        if not f.excluded and in_last_days(local_date(f.record.incident.started_at, zone), on, days)
    ]


def _incident_count(days: int) -> Headline:
    """How many incidents count in metrics and started in the ``days`` days ending ``on``."""

    def headline(
        analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings, on: dt.date
    ) -> Figure:
        return Figure(len(_started_within(incidents, settings, on, days)))

    return headline


def _duration_of_quarter(attribute: str, statistic: str) -> Headline:
    def headline(
        analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings, on: dt.date
    ) -> Figure:
        values = [
            getattr(f, attribute) for f in _started_within(incidents, settings, on, QUARTER_DAYS)
        ]
        value = median(values) if statistic == "median" else percentile(values, 90)
        return Figure(round_number(value), "minutes", len(values))

    return headline


def _repeat_rate_of_quarter(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings, on: dt.date
) -> Figure:
    """SPEC section 4, "Follow-through": repeats / incidents of the 91 days ending ``on``."""
    recent = _started_within(incidents, settings, on, QUARTER_DAYS)
    repeats = sum(1 for f in recent if f.repeat_of is not None)
    return Figure(share(repeats, len(recent)), "share", len(recent))


def _answering(analysis: Analysis, incidents: Sequence[IncidentFacts]) -> list[ActionFacts]:
    """Every action (open or not) answering any of ``incidents`` that count in metrics."""
    chosen = {f.id for f in incidents if not f.excluded}
    return [a for a in analysis.actions.values() if any(i in chosen for i in a.incidents)]


def _on_time_of_quarter(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings, on: dt.date
) -> Figure:
    """SPEC section 4, "Follow-through": of the actions due in the 91 days ending ``on`` that
    are done or overdue on that day, the share done by their due date."""
    counted = on_time = 0
    for action in _answering(analysis, incidents):
        item = action.record.item
        if not in_last_days(action.due, on, QUARTER_DAYS):
            continue
        if counts_for_on_time(item.status, item.completed_at, action.due, on):
            counted += 1
            # Done after ``on`` it counts only when due before ``on``: late, not on time.
            on_time += done_on_time(item.status, item.completed_at, action.due)
    return Figure(share(on_time, counted), "share", counted, "actions")


def _overdue_on(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings, on: dt.date
) -> Figure:
    """SPEC section 4, "Overdue", on the day ``on``: today it is :func:`overdue_actions`; on an
    earlier day an action counts as the trends' monthly overdue count does
    (:func:`rules.overdue_span`), once its incident had started."""
    if on == analysis.today:
        return Figure(overdue_actions(analysis, incidents, settings))
    count = 0
    zone = settings.zone
    for action in _answering(analysis, incidents):
        item = action.record.item
        span = overdue_span(item.status, action.due, item.completed_at)
        incident = analysis.incidents.get(action.record.incident_id)
        if span is None or incident is None:
            continue
        started = local_date(incident.record.incident.started_at, zone)
        if started <= on and span.due < on and (span.until is None or on <= span.until):
            count += 1
    return Figure(count)


def _repeats_of_quarter(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings, on: dt.date
) -> Figure:
    recent = _started_within(incidents, settings, on, QUARTER_DAYS)
    return Figure(sum(1 for f in recent if f.repeat_of is not None))


def _alert_share_of_quarter(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings, on: dt.date
) -> Figure:
    """The share of the 91 days' incidents whose ``detection_source`` is ``alert``."""
    recent = _started_within(incidents, settings, on, QUARTER_DAYS)
    alerts = sum(1 for f in recent if f.record.incident.detection_source == "alert")
    return Figure(share(alerts, len(recent)), "share", len(recent))


def _manual_hours_of_quarter(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings, on: dt.date
) -> Figure:
    recent = _started_within(incidents, settings, on, QUARTER_DAYS)
    return Figure(round_number(sum(f.record.incident.manual_hours or 0 for f in recent)))


def _open_sev1(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings, on: dt.date
) -> Figure:
    return Figure(open_sev1_actions(analysis, incidents, settings))


def _mttr_mean(
    analysis: Analysis, incidents: Sequence[IncidentFacts], settings: Settings, on: dt.date
) -> Figure:
    """The mean time to mitigate of the 91 days ending ``on``: a mean, not the median that
    SPEC section 4 makes the headline of a duration, kept as ``mttr_last_quarter`` has always
    been shown, since pages in the wild print it under this name."""
    recent = [f.time_to_mitigate for f in _started_within(incidents, settings, on, QUARTER_DAYS)]
    return Figure(statistics.fmean(recent) if recent else None, "minutes")


@dataclass(frozen=True, slots=True)
class HeadlineMetric:
    """A headline and the length of its period in days; ``None`` for a state of today that
    has no earlier value to compare with (which actions were open on an earlier day is not
    recorded for ``wont_do``)."""

    compute: Headline
    period_days: int | None
    description: str
    #: How a page names the earlier value: the window before ("previous 91 days") for a
    #: number over a window, the day ("91 days ago") for a state such as overdue actions.
    state: bool = False

    @property
    def previous_label(self) -> str:
        if self.state:
            return f"{self.period_days} days ago"
        return f"previous {self.period_days} days"


#: The metrics of the ``metric()`` macro by name: the four first names are kept for pages that
#: use them (``mttr_last_quarter`` is a mean, kept as it has always been shown); the home page
#: shows the others, each beside its value of the period before.
HEADLINES: dict[str, HeadlineMetric] = {
    "incidents_last_30_days": HeadlineMetric(
        _incident_count(RECENT_DAYS), RECENT_DAYS, "incidents that started in the last 30 days"
    ),
    "open_sev1_actions": HeadlineMetric(
        _open_sev1, None, "open actions answering an incident of the highest severity"
    ),
    "overdue_actions": HeadlineMetric(_overdue_on, QUARTER_DAYS, "overdue actions", state=True),
    "mttr_last_quarter": HeadlineMetric(
        _mttr_mean, QUARTER_DAYS, "mean time to mitigate of the last 91 days"
    ),
    "mttr_median_last_quarter": HeadlineMetric(
        _duration_of_quarter("time_to_mitigate", "median"),
        QUARTER_DAYS,
        "median time to mitigate of the incidents of the last 91 days",
    ),
    "mttr_p90_last_quarter": HeadlineMetric(
        _duration_of_quarter("time_to_mitigate", "p90"),
        QUARTER_DAYS,
        "90th percentile of the time to mitigate of the last 91 days",
    ),
    "mttd_median_last_quarter": HeadlineMetric(
        _duration_of_quarter("time_to_detect", "median"),
        QUARTER_DAYS,
        "median time to detect of the incidents of the last 91 days",
    ),
    "repeat_rate_last_quarter": HeadlineMetric(
        _repeat_rate_of_quarter,
        QUARTER_DAYS,
        "share of the last 91 days' incidents that repeat an earlier failure mode",
    ),
    "incidents_last_quarter": HeadlineMetric(
        _incident_count(QUARTER_DAYS), QUARTER_DAYS, "incidents that started in the last 91 days"
    ),
    "repeats_last_quarter": HeadlineMetric(
        _repeats_of_quarter,
        QUARTER_DAYS,
        "incidents of the last 91 days that repeat an earlier failure mode",
    ),
    "alert_share_last_quarter": HeadlineMetric(
        _alert_share_of_quarter,
        QUARTER_DAYS,
        "share of the last 91 days' incidents that an alert detected",
    ),
    "manual_hours_last_quarter": HeadlineMetric(
        _manual_hours_of_quarter,
        QUARTER_DAYS,
        "manual hours of the incidents of the last 91 days",
    ),
    "on_time_share_last_quarter": HeadlineMetric(
        _on_time_of_quarter,
        QUARTER_DAYS,
        "share of the actions due in the last 91 days done by their due date",
    ),
}


def headline(
    name: str,
    analysis: Analysis,
    incidents: Sequence[IncidentFacts],
    settings: Settings,
    *,
    previous: bool = False,
) -> Figure:
    """The metric ``name`` for the period ending today, or with ``previous`` for the period of
    the same length just before it (raises ``KeyError`` for an unknown name and ``ValueError``
    for a metric without a previous value)."""
    metric = HEADLINES[name]
    on = analysis.today
    if previous:
        if metric.period_days is None:
            raise ValueError(name)
        on = on - dt.timedelta(days=metric.period_days)
    return metric.compute(analysis, incidents, settings, on)


#: The home page's headline cards (the ``headline_numbers()`` macro), each beside its value of
#: the period before: the label a card shows and the name in :data:`HEADLINES`.
DASHBOARD_HEADLINES = (
    ("Incidents", "incidents_last_quarter"),
    ("Repeats", "repeats_last_quarter"),
    ("Median time to detect", "mttd_median_last_quarter"),
    ("Median time to mitigate", "mttr_median_last_quarter"),
    ("Detected by alerts", "alert_share_last_quarter"),
    ("Manual hours", "manual_hours_last_quarter"),
)


def overdue_by_owner(analysis: Analysis) -> list[tuple[str, int]]:
    """Owners with overdue actions and how many, most first (then by name)."""
    counts = Counter(a.record.item.owner for a in analysis.actions.values() if a.overdue)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
