"""The mkdocs-macros pluglet ``incident_loop.macros``: headline numbers and tables on any page.

List it under ``macros: modules: [incident_loop.macros]``. The macros show the analysis of the
``incident-loop`` plugin of the same build, found through ``config.plugins``; without that plugin
(a tool that runs macros modules but no MkDocs plugins) they read the project themselves, once
per build. Every macro takes the same filters: ``severity``, ``category``,
``partner``, ``site``, ``failure_mode`` and ``since`` (a date, ``YYYY-MM-DD``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .config import read_project_config
from .core.analyse import ActionFacts, IncidentFacts, ranked_open_actions
from .core.metrics import (
    DASHBOARD_DAYS,
    METRICS,
    MIN_INCIDENTS_FOR_MEDIAN,
    headline_periods,
    next_peak,
    open_actions_answering,
    overdue_by_owner,
)
from .core.project import check_project
from .core.records import parse_date
from .core.settings import PLUGIN_NAME
from .site.formats import duration
from .site.model import SiteModel
from .site.render import Renderer, environment
from .site.urls import Urls


class MacroError(Exception):
    """A macro was called wrongly; the message says how to call it."""


class _Data:
    """The site model of the current build: the plugin's, found on the first macro call.

    Without the ``incident-loop`` plugin in ``plugins:`` (for example under a tool that runs
    mkdocs-macros modules but no MkDocs plugins) the project is read here, once.
    """

    def __init__(self, env: Any) -> None:
        self.env = env
        self._renderer: Renderer | None = None

    def renderer(self) -> Renderer:
        plugin = self.env.conf.plugins.get(PLUGIN_NAME)
        renderer = getattr(plugin, "renderer", None)
        if isinstance(renderer, Renderer):
            return renderer
        if self._renderer is None:
            self._renderer = self._own_renderer()
        return self._renderer

    def _own_renderer(self) -> Renderer:
        conf = self.env.conf
        config = read_project_config(Path(conf["config_file_path"]).resolve().parent)
        result = check_project(config)
        if result.has_errors:
            raise MacroError(
                "incident-loop: the incident sources have errors; run `incident-loop check`"
            )
        model = SiteModel.build(result.project, result.analysis)
        return Renderer(environment(), model, Urls(config.use_directory_urls))

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
        return open_actions_answering(data.renderer().analysis, incidents(filters))

    @env.macro  # type: ignore[untyped-decorator]
    def incident_table(limit: int | None = None, **filters: Any) -> Markup:
        """A table of incidents, newest first: ``incident_table(partner='dhl-parcel', limit=5)``."""
        rows = incidents(filters)[: _limit(limit)]
        renderer = data.renderer()
        return Markup(renderer.render("macro_incidents.md.j2", data.page_src(), rows=rows))

    @env.macro  # type: ignore[untyped-decorator]
    def open_actions(limit: int | None = None, **filters: Any) -> Markup:
        """Open actions answering the filtered incidents, overdue first."""
        rows = actions(filters)[: _limit(limit)]
        renderer = data.renderer()
        return Markup(renderer.render("macro_actions.md.j2", data.page_src(), actions=rows))

    @env.macro  # type: ignore[untyped-decorator]
    def metric(name: str, **filters: Any) -> str:
        """A headline number: one of incidents_last_30_days, open_sev1_actions, overdue_actions,
        mttr_last_quarter (mean time to mitigate of the incidents of the last 91 days); defined in
        :mod:`incident_loop.core.metrics`."""
        definition = METRICS.get(name)
        if definition is None:
            raise MacroError(f"metric({name!r}): unknown metric; use one of {', '.join(METRICS)}")
        renderer = data.renderer()
        value = definition(renderer.analysis, incidents(filters), renderer.settings)
        return duration(value) if name == "mttr_last_quarter" else str(value)

    # ------------------------------------------------------------------ the dashboard (issue 18)

    @env.macro  # type: ignore[untyped-decorator]
    def headline_numbers(days: int = DASHBOARD_DAYS, **filters: Any) -> Markup:
        """Incidents, repeats, median times to detect and mitigate, share detected by alerts
        and manual hours of the last ``days`` days, each beside the ``days`` days before."""
        count = _limit(days)
        if count is None or count < 1:
            raise MacroError(f"days={days!r} must be 1 or more; write it like days=91")
        renderer = data.renderer()
        current, previous = headline_periods(
            renderer.analysis, incidents(filters), renderer.settings, count
        )
        return Markup(
            renderer.render(
                "macro_headline.md.j2",
                data.page_src(),
                current=current,
                previous=previous,
                days=count,
                minimum=MIN_INCIDENTS_FOR_MEDIAN,
            )
        )

    @env.macro  # type: ignore[untyped-decorator]
    def overdue_owners(limit: int = 5) -> Markup:
        """The owners of overdue actions, most overdue first, each linking to the register;
        the first ``limit`` of them, and how many more."""
        renderer = data.renderer()
        owners = overdue_by_owner(renderer.analysis)
        shown = owners[: _limit(limit)]
        return Markup(
            renderer.render(
                "macro_owners.md.j2",
                data.page_src(),
                owners=shown,
                more=owners[len(shown) :],
            )
        )

    @env.macro  # type: ignore[untyped-decorator]
    def backlog_top(limit: int = 5) -> Markup:
        """The first ``limit`` open actions of the backlog, by score."""
        renderer = data.renderer()
        ranked = ranked_open_actions(renderer.analysis)[: _limit(limit)]
        return Markup(renderer.render("macro_backlog.md.j2", data.page_src(), ranked=ranked))

    @env.macro  # type: ignore[untyped-decorator]
    def peak_panel(limit: int = 5) -> Markup:
        """The next configured peak period and the open actions answering incidents of its
        earlier occurrences, those due on or after its start marked."""
        renderer = data.renderer()
        peak = next_peak(renderer.analysis, renderer.settings)
        return Markup(
            renderer.render(
                "macro_peak.md.j2",
                data.page_src(),
                peak=peak,
                limit=_limit(limit),
                today=renderer.analysis.today,
            )
        )
