"""Step 4: the definitions of SPEC section 4, computed once per build and indexed.

Every page, export and macro reads the same :class:`Analysis`; nothing here scans all incidents per
incident (the repeat search walks each failure mode's incidents in time order once).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .diagnostics import Diagnostic, number_text
from .records import ActionRecord, IncidentRecord, Project

#: How many incidents of the same failure mode an incident page lists as related.
RELATED_LIMIT = 8


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an incident must turn into backlog work (the decision rule)."""

    code: str  # repeat | severity | manual_hours | detection | trigger
    text: str


@dataclass(frozen=True, slots=True)
class ScorePart:
    name: str
    points: float
    why: str


@dataclass(slots=True)
class ActionFacts:
    record: ActionRecord
    due: dt.date
    due_is_default: bool
    overdue: bool
    #: Ids of the incidents this action answers: its own first, then those that ``ref`` it.
    incidents: tuple[str, ...] = ()
    score_parts: tuple[ScorePart, ...] = ()

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def score(self) -> float | None:
        if not self.record.is_open:
            return None
        total = round(sum(part.points for part in self.score_parts), 2)
        return int(total) if total == int(total) else total


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


def minutes(delta: dt.timedelta) -> float:
    """Exact minutes (an int when whole); rounded only where shown or exported."""
    value = delta.total_seconds() / 60
    return int(value) if value == int(value) else value


def round_minutes(value: float | None) -> float | None:
    if value is None:
        return None
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


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
            time_to_detect=minutes(incident.detected_at - incident.started_at),
            time_to_mitigate=minutes(incident.mitigated_at - incident.started_at),
            time_to_resolve=(
                minutes(incident.resolved_at - incident.started_at)
                if incident.resolved_at
                else None
            ),
            month=incident.started_at.astimezone(zone).strftime("%Y-%m"),
            excluded=incident.exclude_from_metrics,
        )

    _find_repeats(facts, settings.repeat_window_days)
    _find_related(facts)

    actions: dict[str, ActionFacts] = {}
    for record in records:
        for action in record.actions:
            due, is_default = _due(action, record, settings.action_slo_days, zone)
            actions[action.id] = ActionFacts(
                record=action,
                due=due,
                due_is_default=is_default,
                overdue=action.is_open and due < today,
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
        current.reasons = tuple(
            _reasons(current, settings.high_severities, settings.manual_hours_threshold)
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


def _find_repeats(facts: dict[str, IncidentFacts], window_days: int) -> None:
    """``repeat_of`` is the most recent earlier incident of the same mode in the window, or listed."""
    window = dt.timedelta(days=window_days)
    by_mode: dict[str, list[IncidentFacts]] = defaultdict(list)
    for current in facts.values():  # facts are in start order
        if not current.excluded:
            by_mode[current.record.incident.failure_mode].append(current)
    for group in by_mode.values():
        starts = [f.record.incident.started_at for f in group]
        for current in group:
            start = current.record.incident.started_at
            candidates: list[IncidentFacts] = []
            earlier = (
                bisect.bisect_left(starts, start) - 1
            )  # last one that started strictly earlier
            if earlier >= 0 and start - starts[earlier] <= window:
                candidates.append(group[earlier])
            for listed in current.record.incident.recurrence_of:
                other = facts.get(listed)
                if other is not None and not other.excluded:
                    candidates.append(other)
            if candidates:
                latest = max(candidates, key=lambda f: (f.record.incident.started_at, f.id))
                current.repeat_of = latest.id
                latest.repeated_by += (current.id,)


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


def _due(
    action: ActionRecord, record: IncidentRecord, slo_days: dict[str, int], zone: dt.tzinfo
) -> tuple[dt.date, bool]:
    if action.item.due is not None:
        return action.item.due, False
    start = record.incident.started_at.astimezone(zone).date()
    return start + dt.timedelta(days=slo_days[record.incident.severity]), True


def _reasons(current: IncidentFacts, high: Iterable[str], threshold: float) -> list[Reason]:
    incident = current.record.incident
    reasons = []
    if current.repeat_of:
        reasons.append(Reason("repeat", f"repeat of {current.repeat_of}"))
    if incident.severity in high:
        reasons.append(Reason("severity", f"severity {incident.severity}"))
    if incident.manual_hours is not None and incident.manual_hours >= threshold:
        reasons.append(
            Reason(
                "manual_hours",
                f"{number_text(incident.manual_hours)} manual hours (≥ {number_text(threshold)})",
            )
        )
    if incident.detection_source in ("customer", "partner"):
        reasons.append(
            Reason("detection", f"detected by {incident.detection_source}: missing observability")
        )
    if incident.trigger in ("rollout", "config_change"):
        label = "a rollout" if incident.trigger == "rollout" else "a config change"
        reasons.append(Reason("trigger", f"triggered by {label}: rollout safety"))
    return reasons


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


# Score of open actions (SPEC section 4, "Priority of open actions"); printed on the site.
# Severity dominates: the other parts add up to at most 50 points, less than two severity steps,
# so an action answering a Sev1 always ranks above one answering only Sev3 incidents, and a
# repeated Sev1 (at least 90 + 10) above any single Sev3 (at most 30 + 50).
SEVERITY_POINTS_STEP = 30
REPEAT_POINTS = 10
REPEATS_COUNTED = 3
MANUAL_HOURS_CAP = 10
OBSERVABILITY_POINTS = 10


def _score(
    actions: dict[str, ActionFacts], facts: dict[str, IncidentFacts], severities: tuple[str, ...]
) -> None:
    repeats_by_mode: dict[str, int] = defaultdict(int)
    for current in facts.values():
        if current.repeat_of:
            repeats_by_mode[current.record.incident.failure_mode] += 1
    rank = {severity: len(severities) - i for i, severity in enumerate(severities)}
    for action in actions.values():
        if not action.record.is_open:
            continue
        answered = [facts[i] for i in action.incidents if i in facts and not facts[i].excluded]
        if not answered:
            action.score_parts = (ScorePart("severity", 0, "answers only excluded incidents"),)
            continue
        worst = max(answered, key=lambda f: rank.get(f.record.incident.severity, 0))
        severity = worst.record.incident.severity
        modes = sorted({f.record.incident.failure_mode for f in answered})
        repeats = sum(repeats_by_mode[m] for m in modes)
        hours = sum(f.record.incident.manual_hours or 0 for f in answered)
        blind = [
            f.id for f in answered if f.record.incident.detection_source in ("customer", "partner")
        ]
        action.score_parts = (
            ScorePart(
                "severity",
                SEVERITY_POINTS_STEP * rank.get(severity, 0),
                f"highest severity {severity}",
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
        )
