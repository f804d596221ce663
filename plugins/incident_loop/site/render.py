"""Step 5: pages from Jinja templates shipped in the package.

Generated pages are markdown whose tables and lists are raw HTML written by autoescaping templates:
every front-matter value is escaped once, by Jinja, and never parsed as markdown, so a ``|`` cannot
break a table and ``<script>`` or ``[x](javascript:...)`` in a title stays text. Only the incident
body, which the author wrote as markdown, is passed through as markdown.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

import jinja2
from markupsafe import Markup

from ..core.analyse import Analysis, IncidentFacts
from ..core.catalogue import CatalogueIndex, build_catalogue
from ..core.records import ACTION_STATUSES, ACTION_TYPES, OPEN_STATUSES, Project
from ..core.trends import Trends, compute_trends
from . import pieces as fast
from .charts import Chart, Series, layout
from .pieces import (
    IncidentHeader,
    Links,
    css_token,
    duration,
    number,
    one_paragraph,
    safe_href,
    when,
)
from .urls import (
    ACTIONS_SRC,
    BACKLOG_SRC,
    LOG_SRC,
    TRENDS_SRC,
    Urls,
    action_anchor,
    catalogue_src,
    incident_src,
)

#: The catalogue kinds: (plural used in URLs and options, template name).
CATALOGUE_KINDS = ("integrations", "sites", "runbooks")
ASSET_CSS = "assets/incident-loop/incident-loop.css"
ASSET_JS = "assets/incident-loop/incident-loop.js"


@dataclass(frozen=True)
class GeneratedPage:
    src: str
    #: Markdown for MkDocs: front matter, headings and placeholders (see :func:`split_blocks`).
    content: str
    in_nav: bool
    #: HTML put back into the finished page by placeholder number, after the search plugin has
    #: indexed the page: tables that list many incidents or actions (the pages they list are
    #: indexed themselves).
    late_fragments: dict[int, str] = field(default_factory=dict)
    #: The incident of an incident page, whose ``content`` is then empty: its metadata and
    #: markdown (:func:`incident_markdown`) are made when MkDocs reads the page and its header
    #: (:meth:`Renderer.incident_header`) when MkDocs converts and writes it, so that
    #: thousands of them are never all held in memory at once. The metadata is given to
    #: MkDocs as it is, not written as front matter for MkDocs to parse again.
    incident: IncidentFacts | None = None


FRAGMENT = "<!-- incident-loop fragment {} -->"
_FRAGMENT_RE = re.compile(r"<!-- incident-loop fragment (\d+) -->")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n+")


def split_blocks(text: str) -> tuple[str, list[str]]:
    """Take the raw HTML blocks out of generated markdown, leaving numbered placeholders.

    Generated pages are headings (for the table of contents) and HTML written by autoescaping
    templates. Python-Markdown would parse every HTML block again only to pass it through, which
    costs more than rendering it; the placeholders are swapped back in by :func:`inject` when
    the page is written, after the search plugin has indexed it (the pages these tables list
    are indexed themselves). Consecutive HTML blocks become one fragment.
    """
    skeleton: list[str] = []
    fragments: list[str] = []
    previous_html = False
    for paragraph in _PARAGRAPHS.split(text):
        if not paragraph.strip():
            continue
        if paragraph.lstrip().startswith("<"):
            if previous_html:
                fragments[-1] += "\n" + paragraph
            else:
                skeleton.append(FRAGMENT.format(len(fragments)))
                fragments.append(paragraph)
            previous_html = True
        else:
            skeleton.append(paragraph)
            previous_html = False
    return "\n\n".join(skeleton) + "\n", fragments


def inject(html: str, fragments: dict[int, str | Callable[[], str]]) -> str:
    """Put fragments of :func:`split_blocks` back into the page's HTML, by number.

    A fragment may hold a placeholder of a deferred table (:func:`_later`), made here. Each
    fragment is used once (taken out of ``fragments``), so nothing can expand forever.
    """

    def fragment(match: re.Match[str]) -> str:
        value = fragments.pop(int(match[1]), None)
        if value is None:
            return match[0]
        return inject(value() if callable(value) else value, fragments)

    return _FRAGMENT_RE.sub(fragment, html)


@dataclass
class SiteModel:
    """Everything the pages, exports and macros show, computed once per build."""

    project: Project
    analysis: Analysis
    trends: Trends
    catalogue: CatalogueIndex

    @classmethod
    def build(cls, project: Project, analysis: Analysis) -> SiteModel:
        return cls(
            project=project,
            analysis=analysis,
            trends=compute_trends(analysis, project.settings),
            catalogue=build_catalogue(project, analysis),
        )


def meta_title(text: str) -> str:
    """A page title for the theme, which prints it unescaped (and unescapes it once more)."""
    return html.escape(text.replace("<", "‹").replace(">", "›"), quote=True)


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter written as JSON (a subset of YAML): one fast line, keys sorted."""
    return "---\n" + json.dumps(meta, sort_keys=True, ensure_ascii=False) + "\n---\n\n"


#: The options that change how a template compiles.
_SYNTAX: dict[str, bool] = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}


@cache
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between builds: compiling them costs a quarter of a second.

    Jinja's own cache in a private folder of the temporary directory (Jinja checks that it
    belongs to the user). A cached template is used only when its source, Jinja and Python are
    the same (Jinja's checks) and so are the options in :data:`_SYNTAX` (the file name).
    """
    options = hashlib.sha256(json.dumps(_SYNTAX, sort_keys=True).encode()).hexdigest()[:12]
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"incident-loop-{options}-%s.cache")
    except (OSError, RuntimeError):  # no usable temporary directory: compile every time
        return None


#: Placeholders of deferred tables are numbered from here on each page.
DEFERRED_OFFSET = 100_000


def _later(context: jinja2.runtime.Context, make: Callable[[], list[str]]) -> Markup:
    """A table made when its page is written, or now when the render is not for a page.

    MkDocs converts every page before it writes the first; the register, the log and the
    catalogue pages list every action or incident, and would otherwise all be held in memory
    from the start of the build. The table is a placeholder in the page until then.
    """
    pending = context.get("deferred")
    if pending is None:
        return Markup("".join(make()))
    tables = pending.setdefault(context["links"].from_src, {})
    number = DEFERRED_OFFSET + len(tables)
    tables[number] = lambda: fast.joined(make())
    return Markup(FRAGMENT.format(number))


def _table(make_parts: Callable[..., list[str]]) -> Callable[..., Markup]:
    """A template function for one of the long tables of ``pieces``, deferred by :func:`_later`.

    The template passes the rows (and options); the page's links come from its context.
    """

    @jinja2.pass_context
    def table(context: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> Markup:
        return _later(context, partial(make_parts, context["links"], *args, **kwargs))

    return table


class Renderer:
    """Renders every generated page of one build from one :class:`SiteModel`."""

    def __init__(self, model: SiteModel, urls: Urls, *, docs_pages: set[str] | None = None) -> None:
        self.model = model
        self.project = model.project
        self.analysis = model.analysis
        self.urls = urls
        self.settings = model.project.settings
        #: Source paths of the hand-written docs pages, to link only to pages that exist.
        self.docs_pages = docs_pages or set()
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("incident_loop.site", "templates"),
            undefined=jinja2.StrictUndefined,
            finalize=one_paragraph,
            bytecode_cache=_bytecode_cache(),
            autoescape=_SYNTAX["autoescape"],
            trim_blocks=_SYNTAX["trim_blocks"],
            lstrip_blocks=_SYNTAX["lstrip_blocks"],
            keep_trailing_newline=_SYNTAX["keep_trailing_newline"],
        )
        zone = self.settings.zone
        self.env.filters.update(
            duration=duration,
            when=when,
            css=css_token,
            number=number,
            day=lambda moment: fast.day(moment, zone),
            anchor=action_anchor,
        )
        self.env.globals.update(
            safe_href=safe_href,
            open_statuses=OPEN_STATUSES,
            action_statuses=ACTION_STATUSES,
            action_types=ACTION_TYPES,
            analysis=model.analysis,
            project=model.project,
            catalogue=model.catalogue,
            settings=self.settings,
            failure_modes=model.project.failure_modes,
            # Python for the pieces repeated per row (see html.py): no macro call per row.
            sev=lambda severity: Markup(fast.severity_badge(severity)),
            mode_title=lambda slug: Markup(fast.mode_title(self.project, slug)),
            due=lambda action: Markup(fast.due(action)),
            action_rows=_table(fast.action_rows),
            incident_rows=_table(fast.incident_rows),
            log_rows=_table(fast.log_rows),
            ranked_rows=_table(fast.ranked_rows),
            qualifying_rows=_table(fast.qualifying_rows),
        )
        self._dirs = {
            "integrations": self.settings.integrations_dir,
            "sites": self.settings.sites_dir,
            "runbooks": self.settings.runbooks_dir,
        }
        #: Tables to write when their page is written (see :func:`_later`), by page source.
        self.deferred: dict[str, dict[int, Callable[[], str]]] = {}

    # ------------------------------------------------------------------ links

    def catalogue_src(self, kind: str, slug: str) -> str:
        return catalogue_src(self._dirs[kind], slug)

    def links(self, from_src: str) -> Links:
        return Links(self.urls, from_src, self.project, self._dirs, self.docs_pages)

    def render(self, template: str, src: str, *, defer: bool = True, **context: Any) -> str:
        """Render a template for the page of ``src``.

        With ``defer``, the long tables in it are placeholders, made when the page is written
        (:meth:`take_deferred`); without, they are written out (text for other plugins).
        """
        deferred = self.deferred if defer else None
        return self.env.get_template(template).render(
            **self.links(src).template_functions(), deferred=deferred, **context
        )

    def take_deferred(self, src: str) -> dict[int, Callable[[], str]]:
        """The tables left as placeholders on the page of ``src``, to make now."""
        return self.deferred.pop(src, {})

    def _page(
        self, src: str, template: str, title: str, *, in_nav: bool = True, **context: Any
    ) -> GeneratedPage:
        meta = {"title": meta_title(title), "render_macros": False}
        return self._generated(src, meta, self.render(template, src, **context), in_nav=in_nav)

    def _generated(
        self, src: str, meta: dict[str, Any], body: str, *, in_nav: bool
    ) -> GeneratedPage:
        skeleton, fragments = split_blocks(body)
        content = front_matter(meta) + skeleton
        return GeneratedPage(src, content, in_nav, dict(enumerate(fragments)))

    # ------------------------------------------------------------------ incidents

    def incident_page(self, facts: IncidentFacts) -> GeneratedPage:
        return GeneratedPage(incident_src(facts.id), "", False, incident=facts)

    def incident_header(self, facts: IncidentFacts, edit_url: str | None = None) -> IncidentHeader:
        return IncidentHeader(
            self.links(incident_src(facts.id)),
            facts,
            self.analysis.incident_actions(facts.id),
            self.analysis.incidents,
            edit_url,
        )

    def incident_log(self) -> GeneratedPage:
        rows = list(self.analysis.incidents.values())
        facets = {
            "severity": Counter(f.record.incident.severity for f in rows),
            "category": Counter(f.record.incident.category for f in rows),
            "failure-mode": Counter(f.record.incident.failure_mode for f in rows),
            "partner": Counter(p for f in rows for p in f.record.incident.scope.partners),
            "site": Counter(s for f in rows for s in f.record.incident.scope.sites),
            "year": Counter(f.month[:4] for f in rows),
        }
        order = {
            "severity": list(self.settings.severities),
            "category": list(self.settings.categories),
        }
        facet_options = {
            name: [
                (value, counts[value])
                for value in order.get(name, sorted(counts, reverse=name == "year"))
                if counts[value]
            ]
            for name, counts in facets.items()
        }
        open_counts = {
            f.id: sum(1 for a in self.analysis.incident_actions(f.id) if a.record.is_open)
            for f in rows
        }
        meta = {"title": "Incident log", "render_macros": False, "hide": ["toc"]}
        body = self.render(
            "incident_log.md.j2",
            LOG_SRC,
            rows=rows,
            facets=facet_options,
            open_counts=open_counts,
            incidents_dir=self.settings.incidents_dir,
        )
        return self._generated(LOG_SRC, meta, body, in_nav=True)

    # ------------------------------------------------------------------ catalogue

    def catalogue_index(self, kind: str) -> str:
        """The table of a catalogue folder, as a section of the user's own ``index.md``."""
        return self.render(f"{kind}_index.md.j2", self.catalogue_src(kind, ""), standalone=False)

    def catalogue_section(self, kind: str, slug: str) -> str:
        """The generated part of one partner, site or runbook page."""
        src = self.catalogue_src(kind, slug)
        if kind == "integrations":
            entry = self.project.partners[slug]
            stats = self.model.catalogue.partners[slug]
            runbooks = list(
                dict.fromkeys(
                    [*entry.data.runbooks, *self.model.catalogue.runbooks_by_partner.get(slug, [])]
                )
            )
            return self.render(
                "partner_section.md.j2",
                src,
                slug=slug,
                entry=entry.data,
                stats=stats,
                runbooks=runbooks,
            )
        if kind == "sites":
            return self.render(
                "site_section.md.j2",
                src,
                slug=slug,
                entry=self.project.sites[slug].data,
                stats=self.model.catalogue.sites[slug],
            )
        return self.render(
            "runbook_section.md.j2",
            src,
            slug=slug,
            entry=self.project.runbooks[slug].data,
            stats=self.model.catalogue.runbooks[slug],
        )

    def catalogue_placement(self, src: str, user_indexes: set[str]) -> str | None:
        """The generated markdown for a hand-written catalogue page, or ``None`` for other pages."""
        if src in user_indexes:
            kind = next(k for k in CATALOGUE_KINDS if self.catalogue_src(k, "") == src)
            return self.catalogue_index(kind)
        name = src.rpartition("/")[2]
        slug = name.removesuffix(".md")
        for kind, known in (
            ("integrations", self.project.partners),
            ("sites", self.project.sites),
            ("runbooks", self.project.runbooks),
        ):
            if self.catalogue_src(kind, slug) == src and slug in known:
                return self.catalogue_section(kind, slug)
        return None

    # ------------------------------------------------------------------ register, backlog, trends

    def actions_page(self) -> GeneratedPage:
        actions = sorted(
            self.analysis.actions.values(),
            key=lambda a: (not a.overdue, not a.record.is_open, a.due, a.id),
        )
        counts: dict[str, list[int]] = {}
        for action in actions:  # open, overdue, all
            row = counts.setdefault(action.record.item.owner, [0, 0, 0])
            row[0] += action.record.is_open
            row[1] += action.overdue
            row[2] += 1
        by_owner = {owner: tuple(counts[owner]) for owner in sorted(counts)}
        status_by_type = {
            kind: Counter(a.record.item.status for a in actions if a.record.item.type == kind)
            for kind in ACTION_TYPES
        }
        return self._page(
            ACTIONS_SRC,
            "actions.md.j2",
            "Action register",
            actions=actions,
            by_owner=by_owner,
            status_by_type=status_by_type,
            today=self.analysis.today,
        )

    def backlog_page(self) -> GeneratedPage:
        from .exports import ranked_open_actions

        qualifying = [f for f in self.analysis.incidents.values() if f.reasons]
        return self._page(
            BACKLOG_SRC,
            "backlog.md.j2",
            "Backlog candidates",
            qualifying=qualifying,
            ranked=ranked_open_actions(self.analysis),
        )

    def trends_page(self) -> GeneratedPage:
        return self._page(
            TRENDS_SRC,
            "trends.md.j2",
            "Trends",
            trends=self.model.trends,
            charts=self.charts(),
            modes=self.project.failure_modes,
            today=self.analysis.today,
        )

    def charts(self) -> dict[str, Chart]:
        months = self.model.trends.months
        labels = [m.month for m in months]
        severities = self.settings.severities
        categories = self.settings.categories

        def series(name: str, attribute: str, css: str) -> Series:
            return Series(name, [getattr(m, attribute) for m in months], css)

        charts = [
            Chart(
                "incidents-by-severity",
                "Incidents per month by severity",
                "Stacked bars: the number of incidents that started in each month, by severity.",
                "bars",
                labels,
                [
                    Series(s, [m.by_severity.get(s, 0) for m in months], f"il-sev-{i}")
                    for i, s in enumerate(severities)
                ],
            ),
            Chart(
                "incidents-by-category",
                "Incidents per month by category",
                "Stacked bars: the number of incidents per month, by category.",
                "bars",
                labels,
                [
                    Series(c, [m.by_category.get(c, 0) for m in months], f"il-s{i}")
                    for i, c in enumerate(categories)
                ],
            ),
            Chart(
                "repeats",
                "Repeat incidents per month",
                "Bars: incidents of the month that repeat an earlier one.",
                "bars",
                labels,
                [series("repeats", "repeats", "il-s4")],
            ),
            Chart(
                "mttr",
                "Time to mitigate (MTTR) per month, minutes",
                "Lines: mean and median minutes from impact start to mitigation; a month without incidents has no point.",
                "lines",
                labels,
                [
                    series("mean", "mttr_min_mean", "il-s0"),
                    series("median", "mttr_min_median", "il-s1"),
                ],
                unit=" min",
            ),
            Chart(
                "mttd",
                "Median time to detect per month, minutes",
                "Line: median minutes from impact start to detection.",
                "lines",
                labels,
                [series("median", "mttd_min_median", "il-s2")],
                unit=" min",
            ),
            Chart(
                "alert-share",
                "Share of incidents detected by alerts",
                "Line: the fraction of the month's incidents that an alert detected first.",
                "lines",
                labels,
                [series("alert share", "alert_detected_share", "il-s3")],
                percent=True,
            ),
            Chart(
                "manual-hours",
                "Manual hours per month",
                "Bars: hours of manual work (warehouse, support) the month's incidents caused.",
                "bars",
                labels,
                [series("manual hours", "manual_hours", "il-s5")],
            ),
            Chart(
                "rollouts",
                "Rollout and config-change incidents, and rollbacks",
                "Stacked bars: incidents triggered by a rollout or a config change, split by whether they were rolled back.",
                "bars",
                labels,
                [
                    Series("rolled back", [m.rollbacks for m in months], "il-s1"),
                    Series(
                        "not rolled back",
                        [m.rollout_incidents - m.rollbacks for m in months],
                        "il-s0",
                    ),
                ],
            ),
            Chart(
                "actions-flow",
                "Actions opened and closed per month",
                "Lines: actions declared by the month's incidents, and actions completed in the month.",
                "lines",
                labels,
                [
                    series("opened", "actions_opened", "il-s0"),
                    series("closed", "actions_closed", "il-s2"),
                ],
            ),
            Chart(
                "overdue",
                "Overdue actions at the end of each month",
                "Line: open actions past their due date on the last day of each month (today for this month).",
                "lines",
                labels,
                [series("overdue", "overdue", "il-s4")],
            ),
        ]
        return {chart.id: layout(chart) for chart in charts}

    # ------------------------------------------------------------------ everything

    def pages(self, *, user_indexes: set[str] | None = None) -> list[GeneratedPage]:
        user_indexes = user_indexes or set()
        pages = [self.incident_log()]
        for facts in self.analysis.incidents.values():
            pages.append(self.incident_page(facts))
        for kind in CATALOGUE_KINDS:
            src = self.catalogue_src(kind, "")
            if src not in user_indexes:
                title = {
                    "integrations": "Integrations",
                    "sites": "Warehouse sites",
                    "runbooks": "Runbooks",
                }[kind]
                meta = {"title": title, "render_macros": False}
                body = self.render(f"{kind}_index.md.j2", src, standalone=True)
                pages.append(self._generated(src, meta, body, in_nav=True))
        pages += [self.actions_page(), self.backlog_page(), self.trends_page()]
        return pages


#: The renderer of the current build, by config file: the macros pluglet uses the plugin's
#: when there is one, instead of loading and analysing everything a second time.
_PUBLISHED: dict[str, Renderer] = {}


def publish(config_file: str, renderer: Renderer) -> None:
    _PUBLISHED.clear()
    _PUBLISHED[config_file] = renderer


def published(config_file: str) -> Renderer | None:
    return _PUBLISHED.get(config_file)


MARKER = "<!-- incident-loop -->"


def insert_section(markdown: str, section: str) -> str:
    """Put ``section`` where the page has the marker line, or append it."""
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        if line.strip() == MARKER:
            lines[index] = "\n" + section.strip("\n") + "\n"
            return "\n".join(lines)
    return markdown.rstrip("\n") + "\n\n" + section.strip("\n") + "\n"


def incident_markdown(facts: IncidentFacts) -> tuple[dict[str, Any], str]:
    """An incident page's metadata (for MkDocs and the theme) and markdown (its body)."""
    incident = facts.record.incident
    meta = {
        "title": meta_title(f"{incident.id}: {incident.title}"),
        "description": meta_title(incident.symptoms[:200]),
        "tags": [html.escape(t, quote=True) for t in dict.fromkeys(incident.tags)],
        "render_macros": False,
        "incident_loop": {"incident": incident.id},
    }
    return meta, _user_body(facts)


def _user_body(facts: IncidentFacts) -> str:
    body = facts.record.source.body.strip("\n")
    if not body.strip():
        return ""
    return "\n" + body + "\n"
