"""The mkdocs-macros pluglet ``incident_loop.macros``: headline numbers and tables on any page.

List it under ``macros: modules: [incident_loop.macros]``. It loads the data through the core itself
(once per build, on the first macro call), so it works in any order of plugins and even without the
``incident-loop`` plugin. Every macro takes the same filters: ``severity``, ``category``,
``partner``, ``site``, ``failure_mode`` and ``since`` (a date, ``YYYY-MM-DD``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .core.analyse import ActionFacts, IncidentFacts
from .core.project import check_project
from .core.records import parse_date
from .core.settings import ProjectConfig, ProjectPaths, read_project_config
from .site.pieces import duration
from .site.render import Renderer, SiteModel, published
from .site.urls import Urls

METRICS = ("incidents_last_30_days", "open_sev1_actions", "overdue_actions", "mttr_last_quarter")


class MacroError(Exception):
    """A macro was called wrongly; the message says how to call it."""


class _Data:
    """The site model of the current build, computed on the first call."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self._renderer: Renderer | None = None

    def config(self) -> ProjectConfig:
        conf = self.env.conf
        root = Path(conf["config_file_path"]).resolve().parent
        config = read_project_config(root)
        docs_dir = Path(conf.get("docs_dir") or config.paths.docs_dir).resolve()
        paths = ProjectPaths.resolve(root, docs_dir, config.settings)
        return ProjectConfig(
            settings=config.settings,
            paths=paths,
            repo_url=config.repo_url,
            edit_uri=config.edit_uri,
            site_url=config.site_url,
            use_directory_urls=conf.get("use_directory_urls", True) is not False,
        )

    def renderer(self) -> Renderer:
        if self._renderer is None:
            self._renderer = published(str(self.env.conf["config_file_path"]))
        if self._renderer is None:  # no incident-loop plugin in this build: load it ourselves
            config = self.config()
            result = check_project(config)
            if result.has_errors:
                raise MacroError(
                    "incident-loop: the incident sources have errors; run `incident-loop check`"
                )
            model = SiteModel.build(result.project, result.analysis)
            self._renderer = Renderer(model, Urls(config.use_directory_urls))
        return self._renderer

    def page_src(self) -> str:
        page = getattr(self.env, "page", None)
        file = getattr(page, "file", None)
        return str(getattr(file, "src_uri", "index.md"))


FILTERS = ("severity", "category", "partner", "site", "failure_mode", "since")


def _limit(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise MacroError(f"limit={value!r} is not a number; write it like limit=5") from None


def _check_filters(filters: dict[str, Any]) -> None:
    from .core.validate import did_you_mean

    for name in filters:
        if name not in FILTERS:
            raise MacroError(
                f"`{name}` is not a filter{did_you_mean(name, FILTERS)}; "
                f"the filters are {', '.join(FILTERS)}"
            )


def incident_filter(
    severity: str | None = None,
    category: str | None = None,
    partner: str | None = None,
    site: str | None = None,
    failure_mode: str | None = None,
    since: str | dt.date | None = None,
    zone: dt.tzinfo | None = None,
) -> Callable[[IncidentFacts], bool]:
    start = _since(since)
    zone = zone or dt.timezone.utc

    def keep(facts: IncidentFacts) -> bool:
        incident = facts.record.incident
        return (
            (severity is None or incident.severity == severity)
            and (category is None or incident.category == category)
            and (partner is None or partner in incident.scope.partners)
            and (site is None or site in incident.scope.sites)
            and (failure_mode is None or incident.failure_mode == failure_mode)
            and (start is None or incident.started_at.astimezone(zone).date() >= start)
        )

    return keep


def _since(value: str | dt.date | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except Exception:
        raise MacroError(
            f"since={value!r} is not a date; write it like since='2026-01-01'"
        ) from None


def define_env(env: Any) -> None:
    data = _Data(env)

    def incidents(filters: dict[str, Any]) -> list[IncidentFacts]:
        _check_filters(filters)
        keep = incident_filter(**filters, zone=data.renderer().settings.zone)
        return [f for f in data.renderer().analysis.incidents.values() if keep(f)]

    def actions(filters: dict[str, Any]) -> list[ActionFacts]:
        analysis = data.renderer().analysis
        answered = {f.id for f in incidents(filters)}
        chosen = [
            a
            for a in analysis.actions.values()
            if a.record.is_open and any(i in answered for i in a.incidents)
        ]
        return sorted(chosen, key=lambda a: (not a.overdue, a.due, a.id))

    @env.macro  # type: ignore[untyped-decorator]
    def incident_table(limit: int | None = None, **filters: Any) -> Markup:
        """A table of incidents, newest first: ``incident_table(partner='dhl-parcel', limit=5)``."""
        rows = incidents(filters)[: _limit(limit)]
        renderer = data.renderer()
        return Markup(
            renderer.render("macro_incidents.md.j2", data.page_src(), defer=False, rows=rows)
        )

    @env.macro  # type: ignore[untyped-decorator]
    def open_actions(limit: int | None = None, **filters: Any) -> Markup:
        """Open actions answering the filtered incidents, overdue first."""
        rows = actions(filters)[: _limit(limit)]
        renderer = data.renderer()
        return Markup(
            renderer.render("macro_actions.md.j2", data.page_src(), defer=False, actions=rows)
        )

    @env.macro  # type: ignore[untyped-decorator]
    def metric(name: str, **filters: Any) -> str:
        """A headline number: one of incidents_last_30_days, open_sev1_actions, overdue_actions,
        mttr_last_quarter (mean time to mitigate of the incidents of the last 91 days)."""
        analysis = data.renderer().analysis
        today = analysis.today
        counted = [f for f in incidents(filters) if not f.excluded]
        if name == "incidents_last_30_days":
            start = today - dt.timedelta(days=30)
            return str(sum(1 for f in counted if start < _local_date(f, data) <= today))
        if name == "open_sev1_actions":
            top = data.renderer().settings.severities[0]
            return str(
                sum(
                    1
                    for a in actions(filters)
                    if any(
                        analysis.incidents[i].record.incident.severity == top
                        for i in a.incidents
                        if i in analysis.incidents
                    )
                )
            )
        if name == "overdue_actions":
            return str(sum(1 for a in actions(filters) if a.overdue))
        if name == "mttr_last_quarter":
            start = today - dt.timedelta(days=91)
            recent = [f.time_to_mitigate for f in counted if start < _local_date(f, data) <= today]
            return duration(statistics.fmean(recent)) if recent else "–"
        raise MacroError(f"metric({name!r}): unknown metric; use one of {', '.join(METRICS)}")


def _local_date(facts: IncidentFacts, data: _Data) -> dt.date:
    return facts.record.incident.started_at.astimezone(data.renderer().settings.zone).date()
