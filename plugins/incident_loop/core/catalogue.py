"""What the incidents say about each partner, site and runbook, indexed once per build.

Incidents excluded from metrics stay in a page's incident history but count in none of its numbers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .analyse import (
    ActionFacts,
    Analysis,
    ImpactTotals,
    IncidentFacts,
    impact_totals,
    overdue_first,
)
from .records import Project, Review
from .rules import local_date, used_after_review


@dataclass
class SeenMode:
    slug: str
    count: int
    last_seen: dt.date
    known: bool


@dataclass
class EntryStats:
    """Numbers for one catalogue page (a partner or a site)."""

    incidents: list[IncidentFacts] = field(default_factory=list)  # newest first
    open_actions: list[ActionFacts] = field(default_factory=list)
    seen_modes: list[SeenMode] = field(default_factory=list)
    time_to_mitigate_median: float | None = None

    @property
    def counted(self) -> list[IncidentFacts]:
        return [f for f in self.incidents if not f.excluded]

    @property
    def last_incident(self) -> IncidentFacts | None:
        return self.incidents[0] if self.incidents else None

    @property
    def overdue_actions(self) -> int:
        return sum(1 for a in self.open_actions if a.overdue)

    @property
    def impact(self) -> ImpactTotals:
        """The business impact of its incidents, summed (SPEC 3.1, ``impact``)."""
        return impact_totals(self.incidents)


@dataclass
class RunbookStats:
    #: Its last review: the ``reviewed`` date, or when git last changed the file.
    review: Review
    incidents: list[IncidentFacts] = field(default_factory=list)  # newest first
    #: Incidents that used the runbook and started after the day of its last review.
    after_review: list[IncidentFacts] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.after_review)


@dataclass
class CatalogueIndex:
    partners: dict[str, EntryStats]
    sites: dict[str, EntryStats]
    runbooks: dict[str, RunbookStats]
    #: Runbooks that name a partner in their own ``partners`` list.
    runbooks_by_partner: dict[str, list[str]]


def build_catalogue(project: Project, analysis: Analysis) -> CatalogueIndex:
    zone = project.settings.zone
    by_partner: dict[str, list[IncidentFacts]] = defaultdict(list)
    by_site: dict[str, list[IncidentFacts]] = defaultdict(list)
    by_runbook: dict[str, list[IncidentFacts]] = defaultdict(list)
    for facts in analysis.incidents.values():  # newest first
        scope = facts.record.incident.scope
        for slug in dict.fromkeys(scope.partners):
            by_partner[slug].append(facts)
        for slug in dict.fromkeys(scope.sites):
            by_site[slug].append(facts)
        for slug in dict.fromkeys(facts.record.incident.runbooks):
            by_runbook[slug].append(facts)

    partners = {
        slug: _entry(by_partner.get(slug, []), analysis, entry.data.known_failure_modes, zone)
        for slug, entry in project.partners.items()
    }
    sites = {slug: _entry(by_site.get(slug, []), analysis, None, zone) for slug in project.sites}
    runbooks = {}
    for slug in project.runbooks:
        used = by_runbook.get(slug, [])
        review = project.reviews[slug]
        after = [
            f for f in used if used_after_review(f.record.incident.started_at, review.date, zone)
        ]
        runbooks[slug] = RunbookStats(review, incidents=used, after_review=after)
    runbooks_by_partner: dict[str, list[str]] = defaultdict(list)
    for slug, entry in sorted(project.runbooks.items()):
        for partner in entry.data.partners:
            runbooks_by_partner[partner].append(slug)
    return CatalogueIndex(partners, sites, runbooks, dict(runbooks_by_partner))


def _entry(
    incidents: list[IncidentFacts],
    analysis: Analysis,
    known_modes: Sequence[str] | None,
    zone: dt.tzinfo,
) -> EntryStats:
    stats = EntryStats(incidents=incidents)
    counted = stats.counted
    seen: dict[str, list[dt.date]] = defaultdict(list)
    for facts in counted:
        incident = facts.record.incident
        seen[incident.failure_mode].append(local_date(incident.started_at, zone))
    known = set(known_modes or ())
    stats.seen_modes = sorted(
        (
            SeenMode(slug, len(days), max(days), slug in known or known_modes is None)
            for slug, days in seen.items()
        ),
        key=lambda m: (-m.count, m.slug),
    )
    action_ids = dict.fromkeys(a for f in counted for a in f.action_ids)
    stats.open_actions = overdue_first(
        analysis.actions[a]
        for a in action_ids
        if a in analysis.actions and analysis.actions[a].record.is_open
    )
    mitigate = [f.time_to_mitigate for f in counted]
    stats.time_to_mitigate_median = statistics.median(mitigate) if mitigate else None
    return stats
