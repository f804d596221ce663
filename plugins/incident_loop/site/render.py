"""The generated pages: data from the :class:`SiteModel`, layout from the Jinja templates.

Generated pages are markdown whose tables and lists are raw HTML written by autoescaping
templates: every front-matter value is escaped once, by Jinja, and never parsed as markdown, so a
``|`` cannot break a table and ``<script>`` or ``[x](javascript:...)`` in a title stays text. Only
the incident body, which the author wrote as markdown, is passed through as markdown.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import jinja2

from ..core import rules
from ..core.analyse import IncidentFacts, ranked_open_actions
from ..core.records import ACTION_STATUSES, ACTION_TYPES
from ..core.rules import safe_href
from .charts import trend_charts
from .formats import FILTERS, one_paragraph
from .model import SiteModel
from .urls import (
    ACTIONS_SRC,
    BACKLOG_SRC,
    CATALOGUE_KINDS,
    LOG_SRC,
    TRENDS_SRC,
    Links,
    Urls,
    action_anchor,
    catalogue_src,
    incident_src,
)

#: The site's own stylesheet and script, added to every page.
ASSET_CSS = "assets/incident-loop/incident-loop.css"
ASSET_JS = "assets/incident-loop/incident-loop.js"
#: Under ``mkdocs serve``: the script that shows the problems of the sources on every page.
PROBLEMS_JS = "assets/incident-loop/problems.js"
#: Where a catalogue page wants its generated sections; without it they are appended.
MARKER = "<!-- incident-loop -->"

_INDEX_TITLES = {"integrations": "Integrations", "sites": "Warehouse sites", "runbooks": "Runbooks"}


def environment() -> jinja2.Environment:
    """The templates' environment: autoescaped, strict about undefined names.

    Made once per plugin instance (or command), so that each template is compiled once.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("incident_loop.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=one_paragraph,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS, anchor=action_anchor)
    env.globals.update(
        rules=rules,  # the texts that explain a rule quote its constants
        safe_href=safe_href,
        action_statuses=ACTION_STATUSES,
        action_types=ACTION_TYPES,
    )
    return env


@dataclass(frozen=True)
class GeneratedPage:
    """An index page the plugin adds to the site: its markdown with its front matter."""

    src: str
    content: str


class View:
    """What a template needs besides its data: links from its page, names and the time zone."""

    def __init__(self, model: SiteModel, links: Links) -> None:
        self.model = model
        self.links = links
        self.zone = model.project.settings.zone

    def mode_title(self, slug: str) -> str:
        mode = self.model.project.failure_modes.get(slug)
        return mode.title if mode is not None else slug

    def name(self, kind: str, slug: str) -> str:
        """The name of a partner (``integrations``) or site, or a runbook's title."""
        project = self.model.project
        if kind == "integrations" and slug in project.partners:
            return project.partners[slug].data.name
        if kind == "sites" and slug in project.sites:
            return project.sites[slug].data.name
        if kind == "runbooks" and slug in project.runbooks:
            return project.runbooks[slug].data.title
        return slug

    @staticmethod
    def contact_href(contact: str) -> str | None:
        """Where an escalation contact links to: an address gets ``mailto:``."""
        if "@" in contact and " " not in contact and ":" not in contact:
            return safe_href("mailto:" + contact)
        return safe_href(contact)


def meta_title(text: str) -> str:
    """A page title for the theme, which prints it unescaped (and unescapes it once more)."""
    return html.escape(text.replace("<", "‹").replace(">", "›"), quote=True)


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter written as JSON (a subset of YAML), keys sorted."""
    return "---\n" + json.dumps(meta, sort_keys=True, ensure_ascii=False) + "\n---\n\n"


def problems_script(env: jinja2.Environment, problems: list[str], errors: int) -> str:
    """The script of :data:`PROBLEMS_JS`: ``problems`` (lines as ``check`` prints them) shown at
    the top of every page; an empty list shows nothing."""
    left_out = (
        " The files with errors are left out of the site until they are fixed." if errors else ""
    )
    heading = (
        f"incident-loop found {len(problems)} problem{'s' if len(problems) != 1 else ''} in "
        f"the sources.{left_out} Fix them and save; `incident-loop check` lists them too."
    )
    return env.get_template("problems.js.j2").render(problems=problems, heading=heading)


def insert_section(markdown: str, section: str) -> str:
    """Put ``section`` where the page has the :data:`MARKER` line, or append it."""
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        if line.strip() == MARKER:
            lines[index] = "\n" + section.strip("\n") + "\n"
            return "\n".join(lines)
    return markdown.rstrip("\n") + "\n\n" + section.strip("\n") + "\n"


class Renderer:
    """Renders every generated page of one build from one :class:`SiteModel`."""

    def __init__(
        self,
        env: jinja2.Environment,
        model: SiteModel,
        urls: Urls,
        *,
        docs_pages: Collection[str] = (),
    ) -> None:
        self.env = env
        self.model = model
        self.analysis = model.analysis
        self.urls = urls
        self.settings = model.project.settings
        #: The hand-written pages of the docs folder, to link only to pages that exist.
        self.docs_pages = docs_pages
        project = model.project
        self.folders = {
            "integrations": self.settings.integrations_dir,
            "sites": self.settings.sites_dir,
            "runbooks": self.settings.runbooks_dir,
        }
        self._catalogue: dict[str, tuple[str, Collection[str]]] = {
            "integrations": (self.folders["integrations"], project.partners.keys()),
            "sites": (self.folders["sites"], project.sites.keys()),
            "runbooks": (self.folders["runbooks"], project.runbooks.keys()),
        }

    def view(self, src: str) -> View:
        return View(self.model, Links(self.urls, src, self._catalogue, self.docs_pages))

    def render(self, template: str, src: str, **context: Any) -> str:
        """A template rendered for the page of ``src``."""
        model = self.model
        return self.env.get_template(template).render(
            view=self.view(src),
            settings=self.settings,
            project=model.project,
            analysis=model.analysis,
            catalogue=model.catalogue,
            **context,
        )

    def catalogue_src(self, kind: str, slug: str) -> str:
        return catalogue_src(self.folders[kind], slug)

    def _page(self, src: str, template: str, meta: dict[str, Any], **context: Any) -> GeneratedPage:
        meta = {"render_macros": False, **meta, "title": meta_title(meta["title"])}
        body = self.render(template, src, **context)
        return GeneratedPage(src, front_matter(meta) + body)

    # ------------------------------------------------------------------ incidents

    def incident_markdown(self, facts: IncidentFacts, edit_url: str | None = None) -> str:
        """An incident's page: front matter for MkDocs and the theme, the generated header,
        then the author's body."""
        incident = facts.record.incident
        meta = {
            "title": meta_title(f"{incident.id}: {incident.title}"),
            "description": meta_title(incident.symptoms[:200]),
            "tags": [html.escape(t, quote=True) for t in dict.fromkeys(incident.tags)],
            "render_macros": False,
        }
        header = self.render(
            "incident.md.j2",
            incident_src(incident.id),
            facts=facts,
            actions=self.model.analysis.incident_actions(incident.id),
            incidents=self.model.analysis.incidents,
            edit_url=edit_url,
        )
        body = facts.record.source.body.strip("\n")
        return front_matter(meta) + header + ("\n" + body + "\n" if body.strip() else "")

    def incident_inputs(self, facts: IncidentFacts) -> tuple[Any, ...]:
        """What :meth:`incident_markdown` shows of one incident and of the incidents and
        actions it links to, as values that compare equal when the page would be the same.

        With :meth:`shared_inputs`, everything ``incident.md.j2`` reads: ``mkdocs serve
        --dirty`` compares them to know which pages to make again without rendering each one.
        """
        incidents = self.analysis.incidents
        linked = (*facts.repeated_by, *facts.related, *filter(None, [facts.repeat_of]))
        others = tuple(
            (
                other,
                incidents[other].record.incident.title,
                incidents[other].record.incident.started_at,
            )
            for other in linked
            if other in incidents
        )
        return (facts, tuple(self.analysis.incident_actions(facts.id)), others)

    def shared_inputs(self) -> tuple[Any, ...]:
        """What every incident page shows besides :meth:`incident_inputs`: the names of the
        catalogue entries and failure modes, which pages exist, the options and today."""
        project = self.model.project
        return (
            tuple((slug, entry.data.name) for slug, entry in project.partners.items()),
            tuple((slug, entry.data.name) for slug, entry in project.sites.items()),
            tuple((slug, entry.data.title) for slug, entry in project.runbooks.items()),
            tuple((slug, mode.title) for slug, mode in project.failure_modes.items()),
            frozenset(self.docs_pages),
            project.config,
            self.urls,
            self.analysis.today,
        )

    def model_inputs(self) -> tuple[Any, ...]:
        """What the index pages and the catalogue sections show: :meth:`shared_inputs`, every
        catalogue entry and failure mode, and the front matter and facts of every incident and
        action, without the incidents' bodies, which only their own pages show."""
        project, analysis = self.model.project, self.analysis
        return (
            self.shared_inputs(),
            tuple((slug, entry.data) for slug, entry in project.partners.items()),
            tuple((slug, entry.data) for slug, entry in project.sites.items()),
            tuple((slug, entry.data) for slug, entry in project.runbooks.items()),
            tuple(project.failure_modes.items()),
            tuple(
                (
                    f.record.incident,
                    f.record.source.rel,
                    f.time_to_detect,
                    f.time_to_mitigate,
                    f.time_to_resolve,
                    f.month,
                    f.excluded,
                    f.repeat_of,
                    f.repeated_by,
                    f.reasons,
                    f.action_ids,
                    f.related,
                )
                for f in analysis.incidents.values()
            ),
            tuple(
                (
                    a.record.id,
                    a.record.item,
                    a.record.incident_id,
                    a.due,
                    a.due_is_default,
                    a.overdue,
                    a.incidents,
                    a.score_parts,
                )
                for a in analysis.actions.values()
            ),
        )

    def incident_log(self) -> GeneratedPage:
        rows = list(self.model.analysis.incidents.values())
        facets = {
            "severity": Counter(f.record.incident.severity for f in rows),
            "category": Counter(f.record.incident.category for f in rows),
            "failure-mode": Counter(f.record.incident.failure_mode for f in rows),
            "partner": Counter(p for f in rows for p in f.record.incident.scope.partners),
            "site": Counter(s for f in rows for s in f.record.incident.scope.sites),
            "year": Counter(f.month[:4] for f in rows),
        }
        order = {"severity": self.settings.severities, "category": self.settings.categories}
        options = {
            name: [
                (value, counts[value])
                for value in order.get(name, sorted(counts, reverse=name == "year"))
                if counts[value]
            ]
            for name, counts in facets.items()
        }
        analysis = self.model.analysis
        open_counts = {
            f.id: sum(1 for a in analysis.incident_actions(f.id) if a.record.is_open) for f in rows
        }
        return self._page(
            LOG_SRC,
            "incident_log.md.j2",
            {"title": "Incident log", "hide": ["toc"]},
            rows=rows,
            facets=options,
            open_counts=open_counts,
            incidents_dir=self.settings.incidents_dir,
        )

    # ------------------------------------------------------------------ catalogue

    def catalogue_index(self, kind: str, *, standalone: bool) -> str:
        """The table of a catalogue folder: a page of its own, or a section of the user's
        ``index.md``."""
        return self.render(
            f"{kind}_index.md.j2", self.catalogue_src(kind, ""), standalone=standalone
        )

    def catalogue_section(self, src: str, user_indexes: Collection[str]) -> str | None:
        """The generated markdown for a hand-written catalogue page, or ``None`` for others."""
        if src in user_indexes:
            kind = next(k for k in CATALOGUE_KINDS if self.catalogue_src(k, "") == src)
            return self.catalogue_index(kind, standalone=False)
        slug = src.rpartition("/")[2].removesuffix(".md")
        project, catalogue = self.model.project, self.model.catalogue
        if self.catalogue_src("integrations", slug) == src and slug in project.partners:
            runbooks = [*project.partners[slug].data.runbooks]
            runbooks += catalogue.runbooks_by_partner.get(slug, [])
            return self.render(
                "partner_section.md.j2",
                src,
                slug=slug,
                entry=project.partners[slug].data,
                stats=catalogue.partners[slug],
                runbooks=list(dict.fromkeys(runbooks)),
            )
        if self.catalogue_src("sites", slug) == src and slug in project.sites:
            return self.render(
                "site_section.md.j2",
                src,
                slug=slug,
                entry=project.sites[slug].data,
                stats=catalogue.sites[slug],
            )
        if self.catalogue_src("runbooks", slug) == src and slug in project.runbooks:
            return self.render(
                "runbook_section.md.j2",
                src,
                slug=slug,
                entry=project.runbooks[slug].data,
                stats=catalogue.runbooks[slug],
            )
        return None

    # ------------------------------------------------------------------ register, backlog, trends

    def actions_page(self) -> GeneratedPage:
        analysis = self.model.analysis
        actions = sorted(
            analysis.actions.values(),
            key=lambda a: (not a.overdue, not a.record.is_open, a.due, a.id),
        )
        counts: dict[str, list[int]] = {}
        for action in actions:  # open, overdue, all
            row = counts.setdefault(action.record.item.owner, [0, 0, 0])
            row[0] += action.record.is_open
            row[1] += action.overdue
            row[2] += 1
        status_by_type = {
            kind: Counter(a.record.item.status for a in actions if a.record.item.type == kind)
            for kind in ACTION_TYPES
        }
        return self._page(
            ACTIONS_SRC,
            "actions.md.j2",
            {"title": "Action register"},
            actions=actions,
            by_owner={owner: tuple(counts[owner]) for owner in sorted(counts)},
            status_by_type=status_by_type,
            today=analysis.today,
        )

    def backlog_page(self) -> GeneratedPage:
        analysis = self.model.analysis
        return self._page(
            BACKLOG_SRC,
            "backlog.md.j2",
            {"title": "Backlog candidates"},
            qualifying=[f for f in analysis.incidents.values() if f.reasons],
            ranked=ranked_open_actions(analysis),
        )

    def trends_page(self) -> GeneratedPage:
        return self._page(
            TRENDS_SRC,
            "trends.md.j2",
            {"title": "Trends"},
            trends=self.model.trends,
            charts=trend_charts(
                self.model.trends, self.settings.severities, self.settings.categories
            ),
            today=self.model.analysis.today,
        )

    # ------------------------------------------------------------------ everything

    def index_pages(self, *, user_indexes: Collection[str] = ()) -> list[GeneratedPage]:
        """The generated pages of the navigation; the catalogue folders' own ``index.md``
        files are kept. (An incident's page is made when MkDocs reads it:
        :meth:`incident_markdown`.)"""
        pages = [self.incident_log()]
        for kind in CATALOGUE_KINDS:
            src = self.catalogue_src(kind, "")
            if src not in user_indexes:
                meta = {"title": _INDEX_TITLES[kind], "render_macros": False}
                body = self.catalogue_index(kind, standalone=True)
                pages.append(GeneratedPage(src, front_matter(meta) + body))
        pages += [self.actions_page(), self.backlog_page(), self.trends_page()]
        return pages
