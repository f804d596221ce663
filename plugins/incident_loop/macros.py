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
    DASHBOARD_HEADLINES,
    HEADLINES,
    headline,
    open_actions_answering,
    overdue_by_owner,
)
from .core.project import check_project
from .core.records import parse_date
from .core.settings import PLUGIN_NAME
from .site.formats import figure
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
    def peak_panel() -> Markup:
        """A panel per peak period that starts within 60 days (``rules.PEAK_PANEL_DAYS``) or is
        under way: its open actions and those due after its start. Empty otherwise."""
        renderer = data.renderer()
        return Markup(renderer.peak_panel(data.page_src()))

    @env.macro  # type: ignore[untyped-decorator]
    def metric(name: str, previous: bool = False, compare: bool = False, **filters: Any) -> str:
        """A headline number of :data:`incident_loop.core.metrics.HEADLINES`, for the period
        that ends today; ``previous=True`` gives the period of the same length before it, and
        ``compare=True`` both: ``42 min (previous 91 days: 55 min)``, or ``3 (91 days ago: 5)``
        for a state such as ``overdue_actions``. A median or share of
        fewer than five incidents reads "too few incidents (n=3)"."""
        metric = HEADLINES.get(name)
        if metric is None:
            raise MacroError(f"metric({name!r}): unknown metric; use one of {', '.join(HEADLINES)}")
        if (previous or compare) and metric.period_days is None:
            raise MacroError(
                f"metric({name!r}) has no earlier value to compare with; remove "
                "previous=True or compare=True"
            )
        renderer = data.renderer()
        chosen = incidents(filters)

        def value(before: bool) -> str:
            return figure(
                headline(name, renderer.analysis, chosen, renderer.settings, previous=before)
            )

        if compare:
            return f"{value(False)} ({metric.previous_label}: {value(True)})"
        return value(previous)

    # ------------------------------------------------------------------ the dashboard

    @env.macro  # type: ignore[untyped-decorator]
    def headline_numbers(**filters: Any) -> Markup:
        """The home page's cards (:data:`~incident_loop.core.metrics.DASHBOARD_HEADLINES`):
        incidents, repeats, median times to detect and to mitigate, share detected by alerts
        and manual hours of the last 91 days, each beside the 91 days before."""
        renderer = data.renderer()
        chosen = incidents(filters)
        cards = []
        for label, name in DASHBOARD_HEADLINES:
            now, before = (
                headline(name, renderer.analysis, chosen, renderer.settings, previous=p)
                for p in (False, True)
            )
            cards.append((label, now, before, HEADLINES[name]))
        return Markup(renderer.render("macro_headline.md.j2", data.page_src(), cards=cards))

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
    def next_peak() -> Markup:
        """The dashboard's peak panel: the panels of :func:`peak_panel` when a peak starts
        within 60 days or is under way; otherwise a line on the next one (or how to list one)."""
        return Markup(data.renderer().next_peak_panel(data.page_src()))
