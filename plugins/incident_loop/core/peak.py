"""Peak readiness (SPEC section 4, "Peak readiness"): for each configured peak period, the open
actions that answer what went wrong in its earlier occurrences, with their due dates against the
start of the occurrence to come.

The rules (which occurrence is next, which incidents lie in an earlier one, when an action is
late) are in :mod:`.rules`; this module applies them to the analysis, once per build.
"""

from __future__ import annotations

from dataclasses import dataclass

from .analyse import ActionFacts, Analysis, IncidentFacts, ranked_open_actions
from .rules import (
    PeakOccurrence,
    due_after_peak_start,
    in_earlier_peak,
    local_date,
    next_peak,
    shows_peak_panel,
)
from .settings import PeakPeriod, Settings


@dataclass(frozen=True)
class PeakAction:
    """An open action that answers a lesson of earlier peaks."""

    action: ActionFacts
    #: What of the earlier peaks it answers: ``failure mode x``, ``partner y``, ``site z``.
    answers: tuple[str, ...]
    #: Due after the peak's first day: it will not help this peak.
    late: bool


@dataclass(frozen=True)
class PeakReadiness:
    period: PeakPeriod
    #: The occurrence to get ready for; ``None`` for a dated period that is over.
    upcoming: PeakOccurrence | None
    #: Incidents (counted in metrics) of earlier occurrences, newest first.
    lessons: tuple[IncidentFacts, ...]
    failure_modes: tuple[str, ...]
    partners: tuple[str, ...]
    sites: tuple[str, ...]
    #: In backlog order.
    actions: tuple[PeakAction, ...]
    #: Days from today to the start (0 or less once under way); ``None`` without an occurrence.
    days_to_start: int | None
    #: The home page's panel shows (:func:`rules.shows_peak_panel`).
    panel: bool

    @property
    def late_actions(self) -> int:
        return sum(1 for a in self.actions if a.late)


def peak_readiness(analysis: Analysis, settings: Settings) -> list[PeakReadiness]:
    """:class:`PeakReadiness` of every configured peak period, in the order of the option."""
    ranked = ranked_open_actions(analysis)
    return [_readiness(period, analysis, settings, ranked) for period in settings.peak_periods]


def _readiness(
    period: PeakPeriod, analysis: Analysis, settings: Settings, ranked: list[ActionFacts]
) -> PeakReadiness:
    today = analysis.today
    upcoming = next_peak(period.start, period.end, today)
    lessons: list[IncidentFacts] = []
    if upcoming is not None:
        for facts in analysis.incidents.values():  # newest first
            day = local_date(facts.record.incident.started_at, settings.zone)
            if not facts.excluded and in_earlier_peak(day, period.start, period.end, upcoming):
                lessons.append(facts)
    modes = sorted({f.record.incident.failure_mode for f in lessons})
    partners = sorted({p for f in lessons for p in f.record.incident.scope.partners})
    sites = sorted({s for f in lessons for s in f.record.incident.scope.sites})
    actions = []
    if upcoming is not None:
        for action in ranked:
            answers = _answers(action, analysis, set(modes), set(partners), set(sites))
            if answers:
                late = due_after_peak_start(action.due, upcoming.start)
                actions.append(PeakAction(action, answers, late))
    return PeakReadiness(
        period=period,
        upcoming=upcoming,
        lessons=tuple(lessons),
        failure_modes=tuple(modes),
        partners=tuple(partners),
        sites=tuple(sites),
        actions=tuple(actions),
        days_to_start=None if upcoming is None else (upcoming.start - today).days,
        panel=upcoming is not None and shows_peak_panel(upcoming, today),
    )


def _answers(
    action: ActionFacts, analysis: Analysis, modes: set[str], partners: set[str], sites: set[str]
) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for incident_id in action.incidents:
        facts = analysis.incidents.get(incident_id)
        if facts is None or facts.excluded:
            continue
        incident = facts.record.incident
        if incident.failure_mode in modes:
            found[f"failure mode {incident.failure_mode}"] = None
        for partner in incident.scope.partners:
            if partner in partners:
                found[f"partner {partner}"] = None
        for site in incident.scope.sites:
            if site in sites:
                found[f"site {site}"] = None
    return tuple(sorted(found))
