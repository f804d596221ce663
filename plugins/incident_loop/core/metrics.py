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
from collections.abc import Callable, Iterable, Sequence

from .analyse import ActionFacts, Analysis, IncidentFacts, overdue_first
from .rules import local_date
from .settings import Settings

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
