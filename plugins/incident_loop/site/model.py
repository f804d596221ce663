"""Everything the pages, the exports and the macros show, computed once per build."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.analyse import Analysis
from ..core.catalogue import CatalogueIndex, build_catalogue
from ..core.peak import PeakReadiness, peak_readiness
from ..core.records import Project
from ..core.trends import Trends, compute_trends


@dataclass(frozen=True)
class SiteModel:
    project: Project
    analysis: Analysis
    trends: Trends
    catalogue: CatalogueIndex
    peaks: list[PeakReadiness]

    @classmethod
    def build(cls, project: Project, analysis: Analysis) -> SiteModel:
        return cls(
            project=project,
            analysis=analysis,
            trends=compute_trends(analysis, project.settings),
            catalogue=build_catalogue(project, analysis),
            peaks=peak_readiness(analysis, project.settings),
        )
