"""Step 4: the rules of SPEC section 4 (:mod:`.rules`) applied to a project, once per build.

Every page, export and macro reads the same :class:`Analysis`; nothing here scans all incidents per
incident (the repeat search walks each failure mode's incidents in time order once).
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from .diagnostics import Diagnostic
from .records import ActionRecord, IncidentRecord, Project
from .rules import (
    AnsweredIncident,
    Occurrence,
    Reason,
    ScorePart,
    backlog_order,
    costly_failure_modes,
    decision_reasons,
    default_due_date,
    effective_due_date,
    effort_days,
    incident_month,
    is_overdue,
    is_quick_win,
    repeat_of,
    score_parts,
    score_total,
    time_to_detect,
    time_to_mitigate,
    time_to_resolve,
    value_order,
    value_per_effort,
)

#: How many incidents of the same failure mode an incident page lists as related.
RELATED_LIMIT = 8


@dataclass(slots=True)
class ActionFacts:
    record: ActionRecord
    due: dt.date
    due_is_default: bool
    overdue: bool
    #: Ids of the incidents this action answers: its own first, then those that ``ref`` it.
    incidents: tuple[str, ...] = ()
    score_parts: tuple[ScorePart, ...] = ()
    #: An open small action on a costly failure mode (:func:`rules.is_quick_win`).
    quick_win: bool = False

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def score(self) -> float | None:
        if not self.record.is_open:
            return None
        return score_total(self.score_parts)

    @property
    def effort_days(self) -> float | None:
        """:func:`rules.effort_days` of the action's ``effort``."""
        return effort_days(self.record.item.effort)

    @property
    def value_per_effort(self) -> float | None:
        """Score points per day of effort (open actions with a known effort only)."""
        days, score = self.effort_days, self.score
        return None if days is None or score is None else value_per_effort(score, days)


@dataclass(slots=True)
class IncidentFacts:
    record: IncidentRecord
    time_to_detect: float
    time_to_mitigate: float
    time_to_resolve: float | None
    month: str
    excluded: bool
    repeat_of: str | None = None
    # Tuples, not lists: thousands of incidents hold them for a build (an empty tuple takes
    # no memory, a list 56 bytes and more).
    repeated_by: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()
    #: Ids of actions declared here and of those referenced with ``ref``, in file order.
    action_ids: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def impact(self) -> ImpactTotals:
        """The incident's ``impact``, a count not recorded as 0."""
        impact = self.record.incident.impact
        if impact is None:
            return ImpactTotals()
        return ImpactTotals(
            impact.shipments_delayed or 0,
            impact.orders_cancelled or 0,
            impact.escalations or 0,
            1,
        )


class ImpactTotals(NamedTuple):
    """Summed business impact (SPEC 3.1, ``impact``) of some incidents, and how many of them
    recorded one."""

    shipments_delayed: int = 0
    orders_cancelled: int = 0
    escalations: int = 0
    recorded: int = 0


def impact_totals(incidents: Iterable[IncidentFacts]) -> ImpactTotals:
    """The sums of ``impact`` over the incidents counted in metrics (excluded ones add nothing,
    as everywhere else: SPEC section 4)."""
    totals = [0, 0, 0, 0]
    for facts in incidents:
        if facts.excluded:
            continue
        for index, value in enumerate(facts.impact):
            totals[index] += value
    return ImpactTotals(*totals)


def impact_by_month(analysis: Analysis) -> list[tuple[str, ImpactTotals]]:
    """:func:`impact_totals` per month of the incidents that recorded an impact, oldest first."""
    months: dict[str, list[IncidentFacts]] = defaultdict(list)
    for facts in analysis.incidents.values():
        if facts.record.incident.impact is not None and not facts.excluded:
            months[facts.month].append(facts)
    return [(month, impact_totals(months[month])) for month in sorted(months)]


@dataclass
class Analysis:
    today: dt.date
    #: Newest first.
    incidents: dict[str, IncidentFacts]
    actions: dict[str, ActionFacts]
    warnings: list[Diagnostic]

    def incident_actions(self, incident_id: str) -> list[ActionFacts]:
        return [
            self.actions[a] for a in self.incidents[incident_id].action_ids if a in self.actions
        ]


def ranked_open_actions(analysis: Analysis) -> list[ActionFacts]:
    """The backlog: open actions in :func:`rules.backlog_order` (highest score first)."""
    open_actions = [a for a in analysis.actions.values() if a.record.is_open]
    return sorted(open_actions, key=lambda a: backlog_order(a.score, a.due, a.id))


def ranked_by_value(analysis: Analysis) -> list[ActionFacts]:
    """Open actions with a known effort in :func:`rules.value_order` (most points per day)."""
    known = [a for a in analysis.actions.values() if a.value_per_effort is not None]
    return sorted(
        known,
        key=lambda a: value_order(a.value_per_effort or 0, a.score or 0, a.due, a.id),
    )


def quick_wins(analysis: Analysis) -> list[ActionFacts]:
    """The quick wins (:func:`rules.is_quick_win`), in backlog order."""
    return [a for a in ranked_open_actions(analysis) if a.quick_win]


def overdue_first(actions: Iterable[ActionFacts]) -> list[ActionFacts]:
    """Actions as lists of work to chase show them: overdue first, then by due date and id."""
    return sorted(actions, key=lambda a: (not a.overdue, a.due, a.id))


def analyse(project: Project) -> Analysis:
    settings = project.settings
    zone = settings.zone
    today = settings.current_date()
    records = sorted(project.incidents, key=lambda r: (r.incident.started_at, r.id))

    facts: dict[str, IncidentFacts] = {}
    for record in records:
        incident = record.incident
        facts[record.id] = IncidentFacts(
            record=record,
            time_to_detect=time_to_detect(incident.started_at, incident.detected_at),
            time_to_mitigate=time_to_mitigate(incident.started_at, incident.mitigated_at),
            time_to_resolve=time_to_resolve(incident.started_at, incident.resolved_at),
            month=incident_month(incident.started_at, zone),
            excluded=incident.exclude_from_metrics,
        )

    _find_repeats(facts, settings.repeat_window_days)
    _find_related(facts)

    actions: dict[str, ActionFacts] = {}
    for record in records:
        incident = record.incident
        for action in record.actions:
            item = action.item
            default = default_due_date(
                incident.started_at, zone, incident.severity, settings.action_slo_days
            )
            due = effective_due_date(item.due, default)
            actions[action.id] = ActionFacts(
                record=action,
                due=due,
                due_is_default=item.due is None,
                overdue=is_overdue(item.status, due, today),
                incidents=(record.id,),
            )
    for record in records:
        current = facts[record.id]
        action_ids = [a.id for a in record.actions]
        for ref in record.refs:
            if ref in actions and ref not in action_ids:
                action_ids.append(ref)
                if record.id not in actions[ref].incidents:
                    actions[ref].incidents += (record.id,)
        current.action_ids = tuple(action_ids)

    warnings = []
    for current in facts.values():
        if current.excluded:
            continue
        incident = current.record.incident
        current.reasons = decision_reasons(
            repeat_of=current.repeat_of,
            severity=incident.severity,
            high_severities=settings.high_severities,
            manual_hours=incident.manual_hours,
            manual_hours_threshold=settings.manual_hours_threshold,
            detection_source=incident.detection_source,
            trigger=incident.trigger,
        )
        if current.reasons and not current.action_ids:
            warnings.append(_no_action_warning(current))

    _score(actions, facts, settings.severities)
    newest_first = dict(
        sorted(
            facts.items(), key=lambda kv: (kv[1].record.incident.started_at, kv[0]), reverse=True
        )
    )
    return Analysis(today=today, incidents=newest_first, actions=actions, warnings=warnings)


def _occurrence(facts: IncidentFacts) -> Occurrence:
    incident = facts.record.incident
    return Occurrence(
        facts.id, incident.started_at, incident.failure_mode, incident.recurrence_of, facts.excluded
    )


def _find_repeats(facts: dict[str, IncidentFacts], window_days: int) -> None:
    """:func:`rules.repeat_of` for every incident, asked only about the incidents that can be it.

    Of the same failure mode only the latest that started strictly earlier can be the most
    recent repeated one (when it is outside the window, so are all before it); the others are
    those listed in ``recurrence_of``.
    """
    by_mode: dict[str, list[IncidentFacts]] = defaultdict(list)
    for current in facts.values():  # facts are in start order
        if not current.excluded:
            by_mode[current.record.incident.failure_mode].append(current)
    for group in by_mode.values():
        starts = [f.record.incident.started_at for f in group]
        for current in group:
            candidates: list[IncidentFacts] = []
            earlier = bisect.bisect_left(starts, current.record.incident.started_at) - 1
            if earlier >= 0:
                candidates.append(group[earlier])
            for listed in current.record.incident.recurrence_of:
                other = facts.get(listed)
                if other is not None:
                    candidates.append(other)
            found = repeat_of(
                _occurrence(current), (_occurrence(c) for c in candidates), window_days
            )
            if found is not None:
                current.repeat_of = found
                facts[found].repeated_by += (current.id,)


def _find_related(facts: dict[str, IncidentFacts]) -> None:
    """The incidents of the same failure mode nearest in time, newest first."""
    by_mode: dict[str, list[IncidentFacts]] = defaultdict(list)
    for current in facts.values():
        by_mode[current.record.incident.failure_mode].append(current)
    for group in by_mode.values():
        for index, current in enumerate(group):
            low = max(0, index - RELATED_LIMIT)
            near = group[low:index] + group[index + 1 : index + 1 + RELATED_LIMIT]
            near.sort(
                key=lambda f: abs(f.record.incident.started_at - current.record.incident.started_at)
            )
            chosen = sorted(
                near[:RELATED_LIMIT], key=lambda f: f.record.incident.started_at, reverse=True
            )
            current.related = tuple(f.id for f in chosen)


def _no_action_warning(current: IncidentFacts) -> Diagnostic:
    source = current.record.source
    reasons = "; ".join(r.text for r in current.reasons)
    line = source.line(("actions",)) if ("actions",) in source.lines else 1
    return Diagnostic(
        source.rel,
        line,
        "warning",
        "actions",
        f"the incident must turn into backlog work ({reasons}) but lists no action; add one "
        "under `actions:`, or `- ref: <action id>` to an existing action",
    )


def _score(
    actions: dict[str, ActionFacts], facts: dict[str, IncidentFacts], severities: tuple[str, ...]
) -> None:
    """:func:`rules.score_parts` of every open action, over the incidents it answers."""
    repeats_by_mode: dict[str, int] = defaultdict(int)
    for current in facts.values():
        if current.repeat_of:
            repeats_by_mode[current.record.incident.failure_mode] += 1
    for action in actions.values():
        if not action.record.is_open:
            continue
        answered = [
            _answered(facts[i]) for i in action.incidents if i in facts and not facts[i].excluded
        ]
        action.score_parts = score_parts(answered, repeats_by_mode, severities)
    mitigate_by_mode: dict[str, list[float]] = defaultdict(list)
    for current in facts.values():
        if not current.excluded:
            mitigate_by_mode[current.record.incident.failure_mode].append(current.time_to_mitigate)
    costly = costly_failure_modes(
        {mode: statistics.median(values) for mode, values in mitigate_by_mode.items()},
        repeats_by_mode,
    )
    for action in actions.values():
        if action.record.is_open:
            modes = [facts[i].record.incident.failure_mode for i in action.incidents if i in facts]
            action.quick_win = is_quick_win(action.effort_days, modes, costly)


def _answered(facts: IncidentFacts) -> AnsweredIncident:
    incident = facts.record.incident
    counts = facts.impact[:3]
    return AnsweredIncident(
        incident.severity,
        incident.failure_mode,
        incident.manual_hours,
        incident.detection_source,
        counts,
    )
