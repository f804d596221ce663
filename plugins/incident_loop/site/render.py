"""The generated pages: data from the :class:`SiteModel`, layout from the Jinja templates.

Generated pages are markdown whose tables and lists are raw HTML written by autoescaping
templates: every front-matter value is escaped once, by Jinja, and never parsed as markdown, so a
``|`` cannot break a table and ``<script>`` or ``[x](javascript:...)`` in a title stays text. Only
the incident body, which the author wrote as markdown, is passed through as markdown.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import jinja2

from ..core import rules
from ..core.analyse import (
    ActionFacts,
    IncidentFacts,
    impact_by_month,
    impact_totals,
    quick_wins,
    ranked_by_value,
    ranked_open_actions,
)
from ..core.links import (
    BodyLink,
    LinkResolver,
    Target,
    demote_top_headings,
    relative_links,
    rewrite,
)
from ..core.metrics import in_last_days
from ..core.records import (
    ACTION_STATUSES,
    ACTION_TYPES,
    DETECTION_SOURCES,
    PRIORITIES,
    TRIGGERS,
)
from ..core.rules import (
    MAX_MONTH_SPAN_MONTHS,
    MAX_QUARTER_SPAN_MONTHS,
    TOO_FEW,
    local_date,
    safe_href,
)
from .charts import DURATION_TITLES, trend_charts
from .formats import FILTERS, css_token, one_paragraph
from .model import SiteModel
from .reportform import NEW_SRC, form_data
from .urls import (
    ACTIONS_SRC,
    BACKLOG_SRC,
    CATALOGUE_KINDS,
    LOG_SRC,
    PEAK_SRC,
    ROWS_PER_PAGE,
    TRENDS_SRC,
    Links,
    Urls,
    action_anchor,
    catalogue_src,
    incident_src,
    page_count,
    paged_src,
    register_order,
    register_pages,
)

#: The site's own stylesheet and script, added to every page.
ASSET_CSS = "assets/incident-loop/incident-loop.css"
ASSET_JS = "assets/incident-loop/incident-loop.js"
#: The script of the "Report an incident" form (``new/``); it does nothing on other pages.
ASSET_FORM_JS = "assets/incident-loop/incident-form.js"
#: Under ``mkdocs serve``: the script that shows the problems of the sources on every page.
PROBLEMS_JS = "assets/incident-loop/problems.js"
#: Where a catalogue page wants its generated sections; without it they are appended.
MARKER = "<!-- incident-loop -->"

T = TypeVar("T")

#: The wide index pages use the whole width: Material's navigation and table of contents
#: sidebars are hidden there (issue 18).
WIDE = ["navigation", "toc"]

#: The backlog lists the qualifying incidents of the last year (and all without an action).
QUALIFYING_DAYS = 365
#: The backlog's first page ranks this many actions by value per effort; api/actions.json has all.
BY_VALUE_SHOWN = 100
#: The most rows a list of a catalogue or peak page shows (incident history, open actions,
#: earlier peaks' incidents and actions); the rest are in the log, the register and ``api/``,
#: so that a partner's or site's page stays well under 1 MB at 5,000 incidents.
LIST_ROWS = 200

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
class Pager:
    """Where one page of a paginated index stands: page ``number`` of ``count``, holding rows
    ``first`` to ``last`` (from 1) of ``total``; ``src`` is the source of its first page."""

    src: str
    number: int
    count: int
    first: int
    last: int
    total: int

    @classmethod
    def of(cls, src: str, number: int, total: int) -> Pager:
        first = (number - 1) * ROWS_PER_PAGE
        return cls(
            src, number, page_count(total), first + 1, min(total, first + ROWS_PER_PAGE), total
        )

    def slice(self, rows: Sequence[T]) -> Sequence[T]:
        return rows[self.first - 1 : self.last]

    def page_src(self, number: int) -> str:
        return paged_src(self.src, number)

    @property
    def nav(self) -> str:
        """The first page is the index the navigation lists; the others are reached from it."""
        return "listed" if self.number == 1 else "never"


@dataclass(frozen=True)
class GeneratedPage:
    """An index page the plugin adds to the site: its markdown with its front matter, and
    whether the navigation lists it: ``listed`` like any page; ``optional`` for pages that a
    ``nav:`` written before they existed may leave out (the form, the peak page) without a
    warning; ``never`` for the second and later pages of a paginated index, which the first
    page links to."""

    src: str
    content: str
    nav: str = "listed"


@dataclass(frozen=True)
class Planned(Generic[T]):
    """A generated page or section before it is made: ``make()`` makes it; ``inputs()`` gives
    what it shows as values that compare equal when it would be the same (the incidents and
    actions in it as :meth:`Renderer.incident_key` and :meth:`Renderer.action_key`), or is
    ``None`` for one made from the whole model (:meth:`Renderer.model_inputs`). ``mkdocs serve
    --dirty`` compares them to make again only what changed (:mod:`incident_loop.dirty`)."""

    src: str
    make: Callable[[], T]
    inputs: Callable[[], object] | None = None


#: How a page is made: its template, front matter, place in the navigation and context.
Recipe = tuple[str, dict[str, Any], str, dict[str, Any]]


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

    def ticket_href(self, ticket: str) -> str | None:
        """An action's ticket as a link: a URL, or a key through the ``ticket_url`` option."""
        return rules.ticket_href(ticket, self.model.project.settings.ticket_url)

    @staticmethod
    def contact_href(contact: str) -> str | None:
        """Where an escalation contact links to: an address gets ``mailto:``."""
        if "@" in contact and " " not in contact and ":" not in contact:
            return safe_href("mailto:" + contact)
        return safe_href(contact)


def meta_title(text: str) -> str:
    """A page title for the theme, which prints it unescaped (and unescapes it once more)."""
    return html.escape(text.replace("<", "‹").replace(">", "›"), quote=True)


def meta_tags(tags: Iterable[object]) -> list[str]:
    """Tags for Material's tags plugin, which prints them unescaped: each escaped, each once.

    The one place tags are made safe, for incident pages and catalogue pages alike, so that the
    same tag written on both is one tag on the tags page.
    """
    return [html.escape(str(tag), quote=True) for tag in dict.fromkeys(tags)]


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
        self.links = LinkResolver(project)
        #: The page of the register that holds each action, for links to it from any page.
        self.action_pages = register_pages(model.analysis)
        self._catalogue: dict[str, tuple[str, Collection[str]]] = {
            "integrations": (self.folders["integrations"], project.partners.keys()),
            "sites": (self.folders["sites"], project.sites.keys()),
            "runbooks": (self.folders["runbooks"], project.runbooks.keys()),
        }
        self._incident_keys: dict[str, tuple[Any, ...]] = {}
        self._action_keys: dict[str, tuple[Any, ...]] = {}

    def view(self, src: str) -> View:
        links = Links(
            self.urls, src, self._catalogue, self.docs_pages, action_pages=self.action_pages
        )
        return View(self.model, links)

    def render(self, template: str, src: str, *, planned: bool = False, **context: Any) -> str:
        """A template rendered for the page of ``src``. A :class:`Planned` page or section
        gets its context, its view (links and names) and the settings only: what it shows is
        what its inputs compare, and a template that reaches for ``project``, ``analysis`` or
        ``catalogue`` fails instead of showing facts a dirty rebuild does not compare."""
        model = self.model
        whole = (
            {}
            if planned
            else {
                "project": model.project,
                "analysis": model.analysis,
                "catalogue": model.catalogue,
            }
        )
        return self.env.get_template(template).render(
            view=self.view(src), settings=self.settings, **whole, **context
        )

    def catalogue_src(self, kind: str, slug: str) -> str:
        return catalogue_src(self.folders[kind], slug)

    def _page(
        self,
        src: str,
        template: str,
        meta: dict[str, Any],
        nav: str = "listed",
        *,
        planned: bool = False,
        **context: Any,
    ) -> GeneratedPage:
        meta = {"render_macros": False, **meta, "title": meta_title(meta["title"])}
        body = self.render(template, src, planned=planned, **context)
        return GeneratedPage(src, front_matter(meta) + body, nav)

    def _planned(self, src: str, recipe: Callable[[], Recipe]) -> Planned[GeneratedPage]:
        """A page made by :meth:`_page` from ``recipe()``, which is worked out once, when the
        page is made or compared. What the page shows is its recipe: the template reads every
        value of its context."""
        once = functools.cache(recipe)

        def make() -> GeneratedPage:
            template, meta, nav, context = once()
            return self._page(src, template, meta, nav, planned=True, **context)

        def inputs() -> object:
            template, meta, nav, context = once()
            return (template, meta, nav, self.keys(context))

        return Planned(src, make, inputs)

    # ------------------------------------------------------------------ incidents

    def incident_markdown(self, facts: IncidentFacts, edit_url: str | None = None) -> str:
        """An incident's page: front matter for MkDocs and the theme, the generated header,
        then the author's body."""
        incident = facts.record.incident
        meta = {
            "title": meta_title(f"{incident.id}: {incident.title}"),
            "description": meta_title(incident.symptoms[:200]),
            "tags": meta_tags(incident.tags),
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
        body = self.body(facts).strip("\n")
        return front_matter(meta) + header + ("\n" + body + "\n" if body.strip() else "")

    def body(self, facts: IncidentFacts) -> str:
        """The author's markdown as it works on GitHub: relative links and images point to
        the pages and files of the site, and the title stays the page's only level-1 heading."""
        replacements = {}
        for link, target in self._body_links(facts):
            if target.kind == "incident":
                path = incident_src(target.path)
            elif target.kind == "docs":
                path = target.path
            elif target.kind == "file":
                path = self.links.published(target.path)
            else:
                continue  # reported by the check; MkDocs warns about it too
            relative = posixpath.relpath(path, posixpath.dirname(incident_src(facts.id)))
            replacements[link] = quote(relative) + target.suffix
        return demote_top_headings(rewrite(facts.record.source.body, replacements))

    def _body_links(self, facts: IncidentFacts) -> list[tuple[BodyLink, Target]]:
        """The relative links of an incident's body and what each points to."""
        source = facts.record.source
        return [
            (link, self.links.resolve(link.target, source.rel))
            for link in relative_links(source.body)
        ]

    def published_files(self) -> dict[str, str]:
        """The files beside the incidents that a body links to: the site's path of each, and
        the file's path."""
        files = {}
        for facts in self.model.analysis.incidents.values():
            for _, target in self._body_links(facts):
                if target.kind == "file":
                    files[self.links.published(target.path)] = target.path
        return files

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
        actions = tuple(self.analysis.incident_actions(facts.id))
        # Where its links go: the register page of each action (a reflow of the register moves
        # them) and what each relative link of the body resolves to (another incident's id).
        pages = tuple(self.action_pages.get(a.id, 1) for a in actions)
        targets = tuple(target for _, target in self._body_links(facts))
        return (facts, actions, others, pages, targets)

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
            tuple(project.reviews.items()),
            tuple(project.failure_modes.items()),
            tuple(self.incident_key(f) for f in analysis.incidents.values()),
            tuple(self.action_key(a) for a in analysis.actions.values()),
        )

    def incident_key(self, facts: IncidentFacts) -> tuple[Any, ...]:
        """What the index pages and the catalogue sections show of one incident: its front
        matter and facts, without its body, which only its own page shows."""
        key = self._incident_keys.get(facts.id)
        if key is None:
            f = facts
            key = self._incident_keys[facts.id] = (
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
        return key

    def action_key(self, action: ActionFacts) -> tuple[Any, ...]:
        """What the pages show of one action, and the register page its links go to."""
        key = self._action_keys.get(action.id)
        if key is None:
            a = action
            key = self._action_keys[action.id] = (
                a.record.id,
                a.record.item,
                a.record.incident_id,
                a.due,
                a.due_is_default,
                a.overdue,
                a.incidents,
                a.score_parts,
                a.quick_win,
                self.action_pages.get(a.id, 1),
            )
        return key

    def keys(self, value: Any) -> Any:
        """Data with each incident and action as its key: a template's context or what an
        export shows, to compare them with the last build's."""
        if isinstance(value, IncidentFacts):
            return self.incident_key(value)
        if isinstance(value, ActionFacts):
            return self.action_key(value)
        if isinstance(value, dict):
            return tuple((name, self.keys(item)) for name, item in value.items())
        if isinstance(value, list | tuple):
            return tuple(self.keys(item) for item in value)
        if is_dataclass(value) and not isinstance(value, type):
            return (type(value), tuple(self.keys(getattr(value, f.name)) for f in fields(value)))
        return value

    def log_pages(self) -> int:
        return page_count(len(self.model.analysis.incidents))

    def _log_plan(self, number: int) -> Planned[GeneratedPage]:
        return self._planned(paged_src(LOG_SRC, number), functools.partial(self._log, number))

    @functools.cached_property
    def _log_rows(self) -> list[IncidentFacts]:
        return list(self.model.analysis.incidents.values())

    def _log(self, number: int) -> Recipe:
        """Page ``number`` of the incident log: its facets count the rows of that page."""
        everything = self._log_rows
        pager = Pager.of(LOG_SRC, number, len(everything))
        rows = pager.slice(everything)
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
        return (
            "incident_log.md.j2",
            {"title": _paged_title("Incident log", pager), "hide": WIDE},
            pager.nav,
            {
                "pager": pager,
                "rows": rows,
                "facets": options,
                "open_counts": open_counts,
                "incidents_dir": self.settings.incidents_dir,
            },
        )

    # ------------------------------------------------------------------ catalogue

    def catalogue_index(self, kind: str, *, standalone: bool) -> str:
        """The table of a catalogue folder: a page of its own, or a section of the user's
        ``index.md``."""
        return self.render(
            f"{kind}_index.md.j2", self.catalogue_src(kind, ""), standalone=standalone
        )

    def is_catalogue_page(self, src: str, user_indexes: Collection[str]) -> bool:
        """Whether ``src`` is a hand-written page that :meth:`catalogue_section` adds to."""
        if src in user_indexes:
            return True
        slug = src.rpartition("/")[2].removesuffix(".md")
        return any(
            self.catalogue_src(kind, slug) == src and slug in slugs
            for kind, (_folder, slugs) in self._catalogue.items()
        )

    def catalogue_section(self, src: str, user_indexes: Collection[str]) -> str | None:
        """The generated markdown for a hand-written catalogue page, or ``None`` for others."""
        planned = self.catalogue_section_plan(src, user_indexes)
        return planned.make() if planned is not None else None

    def catalogue_section_plan(
        self, src: str, user_indexes: Collection[str]
    ) -> Planned[str] | None:
        """:meth:`catalogue_section`, made when asked."""
        if src in user_indexes:
            kind = next(k for k in CATALOGUE_KINDS if self.catalogue_src(k, "") == src)
            return Planned(src, lambda: self.catalogue_index(kind, standalone=False))
        slug = src.rpartition("/")[2].removesuffix(".md")
        project, catalogue = self.model.project, self.model.catalogue
        if self.catalogue_src("integrations", slug) == src and slug in project.partners:
            runbooks = [*project.partners[slug].data.runbooks]
            runbooks += catalogue.runbooks_by_partner.get(slug, [])
            runbooks = list(dict.fromkeys(runbooks))
            stale = {r for r in runbooks if r in catalogue.runbooks and catalogue.runbooks[r].stale}
            return self._section_plan(
                src,
                "partner_section.md.j2",
                slug=slug,
                entry=project.partners[slug].data,
                stats=catalogue.partners[slug],
                runbooks=runbooks,
                stale_runbooks=stale,
                list_rows=LIST_ROWS,
            )
        if self.catalogue_src("sites", slug) == src and slug in project.sites:
            return self._section_plan(
                src,
                "site_section.md.j2",
                slug=slug,
                entry=project.sites[slug].data,
                stats=catalogue.sites[slug],
                list_rows=LIST_ROWS,
            )
        if self.catalogue_src("runbooks", slug) == src and slug in project.runbooks:
            return self._section_plan(
                src,
                "runbook_section.md.j2",
                slug=slug,
                entry=project.runbooks[slug].data,
                stats=catalogue.runbooks[slug],
            )
        return None

    def _section_plan(self, src: str, template: str, **context: Any) -> Planned[str]:
        return Planned(
            src,
            lambda: self.render(template, src, planned=True, **context),
            lambda: (template, self.keys(context)),
        )

    # ------------------------------------------------------------------ register, backlog, trends

    def register_pages(self) -> int:
        return page_count(len(self.model.analysis.actions))

    def _register_plan(self, number: int) -> Planned[GeneratedPage]:
        src = paged_src(ACTIONS_SRC, number)
        return self._planned(src, functools.partial(self._register, number))

    @functools.cached_property
    def _register_rows(self) -> list[ActionFacts]:
        return register_order(self.model.analysis)

    @functools.cached_property
    def _register_summary(self) -> dict[str, Any]:
        """What every page of the register says of all actions."""
        actions = self._register_rows
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
        return {
            "total": len(actions),
            "overdue": sum(1 for a in actions if a.overdue),
            "by_owner": {owner: tuple(counts[owner]) for owner in sorted(counts)},
            "status_by_type": status_by_type,
            "today": self.model.analysis.today,
        }

    def _register(self, number: int) -> Recipe:
        """Page ``number`` of the action register; the summaries count every action."""
        actions = self._register_rows
        pager = Pager.of(ACTIONS_SRC, number, len(actions))
        return (
            "actions.md.j2",
            {"title": _paged_title("Action register", pager), "hide": WIDE},
            pager.nav,
            {"pager": pager, "rows": pager.slice(actions), **self._register_summary},
        )

    @functools.cached_property
    def _ranked(self) -> list[ActionFacts]:
        return ranked_open_actions(self.model.analysis)

    def backlog_pages(self) -> int:
        return page_count(len(self._ranked))

    def _backlog_plan(self, number: int) -> Planned[GeneratedPage]:
        src = paged_src(BACKLOG_SRC, number)
        return self._planned(src, functools.partial(self._backlog, number))

    def _backlog(self, number: int) -> Recipe:
        """Page ``number`` of the backlog: open actions by score, with filters like the log's;
        the qualifying incidents on the first page."""
        analysis = self.model.analysis
        ranked = self._ranked
        pager = Pager.of(BACKLOG_SRC, number, len(ranked))
        rows = pager.slice(ranked)
        incidents = analysis.incidents
        qualifying = [f for f in incidents.values() if f.reasons] if number == 1 else []
        # The last year's, and every one still without an action; the older ones are on
        # their own pages and in the log, so that the page stays small at any size.
        zone = self.settings.zone
        recent = [
            f
            for f in qualifying
            if not f.action_ids
            or in_last_days(
                local_date(f.record.incident.started_at, zone), analysis.today, QUALIFYING_DAYS
            )
        ]
        row_facets = {a.id: self._backlog_facets(a) for a in rows}
        facets: dict[str, Counter[str]] = {}
        for values in row_facets.values():
            for name, tokens in values.items():
                facets.setdefault(name, Counter()).update(tokens)
        return (
            "backlog.md.j2",
            {"title": _paged_title("Backlog candidates", pager), "hide": WIDE},
            pager.nav,
            {
                "pager": pager,
                "qualifying": recent,
                "older_qualifying": len(qualifying) - len(recent),
                "qualifying_days": QUALIFYING_DAYS,
                "ranked": rows,
                "by_value": ranked_by_value(analysis) if number == 1 else [],
                "by_value_shown": BY_VALUE_SHOWN,
                "quick_wins": quick_wins(analysis) if number == 1 else [],
                "row_facets": row_facets,
                "owners": {css_token(a.record.item.owner): a.record.item.owner for a in rows},
                "facets": {name: sorted(counts.items()) for name, counts in facets.items()},
            },
        )

    def _backlog_facets(self, action: ActionFacts) -> dict[str, list[str]]:
        """The values a backlog row is filtered by: its type and owner, and the failure modes,
        partners and sites of the incidents it answers."""
        answered = [
            self.model.analysis.incidents[i].record.incident
            for i in action.incidents
            if i in self.model.analysis.incidents
        ]
        item = action.record.item
        return {
            "type": [item.type],
            "owner": [css_token(item.owner)],
            "failure-mode": list(dict.fromkeys(i.failure_mode for i in answered)),
            "partner": list(dict.fromkeys(p for i in answered for p in i.scope.partners)),
            "site": list(dict.fromkeys(s for i in answered for s in i.scope.sites)),
        }

    def trends_page(self) -> GeneratedPage:
        page = self._page(
            TRENDS_SRC,
            "trends.md.j2",
            {"title": "Trends"},
            trends=self.model.trends,
            charts=trend_charts(
                self.model.trends, self.settings.severities, self.settings.categories
            ),
            today=self.model.analysis.today,
            duration_titles=DURATION_TITLES,
            too_few_threshold=TOO_FEW,
            max_month_span=MAX_MONTH_SPAN_MONTHS,
            max_quarter_span=MAX_QUARTER_SPAN_MONTHS,
        )
        analysis = self.model.analysis
        impact = self.render(
            "trends_impact.md.j2",
            TRENDS_SRC,
            months=impact_by_month(analysis),
            total=impact_totals(analysis.incidents.values()),
        )
        return GeneratedPage(page.src, page.content.rstrip("\n") + "\n\n" + impact, page.nav)

    def report_page(self) -> GeneratedPage:
        """``new/``: the form that writes a new incident file for a pull request."""
        project = self.model.project
        modes: dict[str, list[tuple[str, Any]]] = {}
        for slug, mode in sorted(project.failure_modes.items(), key=lambda m: m[1].title):
            modes.setdefault(mode.category, []).append((slug, mode))
        return self._page(
            NEW_SRC,
            "report_form.md.j2",
            {"title": "Report an incident", "hide": ["toc"], "search": {"exclude": True}},
            nav="optional",
            data=form_data(
                project, self.analysis.today, project.config.repo_url, project.config.edit_uri
            ),
            failure_modes=[(c, modes[c]) for c in self.settings.categories if c in modes],
            partners=sorted(project.partners.items(), key=lambda p: p[1].data.name),
            sites=sorted(project.sites.items(), key=lambda s: s[1].data.name),
            runbooks=sorted(project.runbooks.items(), key=lambda r: r[1].data.title),
            detection_sources=DETECTION_SOURCES,
            triggers=TRIGGERS,
            priorities=PRIORITIES,
        )

    def peak_page(self) -> GeneratedPage:
        """Peak readiness (SPEC section 4 and section 6, ``/peak/``)."""
        return self._page(
            PEAK_SRC,
            "peak.md.j2",
            {"title": "Peak readiness"},
            nav="optional",
            peaks=self.model.peaks,
            list_rows=LIST_ROWS,
            today=self.model.analysis.today,
        )

    def peak_panel(self, src: str) -> str:
        """The home page's panel: each peak whose start is at most
        :data:`rules.PEAK_PANEL_DAYS` days away or that is under way; empty otherwise."""
        return self.render(
            "peak_panel.md.j2",
            src,
            peaks=[p for p in self.model.peaks if p.panel],
            today=self.model.analysis.today,
        )

    def next_peak_panel(self, src: str) -> str:
        """The dashboard's peak panel: :meth:`peak_panel` when it shows a peak; otherwise one
        line on the peak that starts soonest, or how to configure one."""
        shown = [p for p in self.model.peaks if p.panel]
        coming = [(p.upcoming.start, i, p) for i, p in enumerate(self.model.peaks) if p.upcoming]
        soonest = min(coming)[2] if coming else None
        return self.render(
            "next_peak.md.j2",
            src,
            peaks=shown,
            soonest=soonest,
            configured=bool(self.model.peaks),
            today=self.model.analysis.today,
        )

    # ------------------------------------------------------------------ everything

    def index_plan(self, *, user_indexes: Collection[str] = ()) -> list[Planned[GeneratedPage]]:
        """The generated pages of the navigation, each made when asked; the catalogue folders'
        own ``index.md`` files are kept. The pages of the log, the register and the backlog
        say what they show, the others are made from the whole model. (An incident's page is
        made when MkDocs reads it: :meth:`incident_markdown`.)"""
        plan = [self._log_plan(n) for n in range(1, self.log_pages() + 1)]
        for kind in CATALOGUE_KINDS:
            src = self.catalogue_src(kind, "")
            if src not in user_indexes:
                plan.append(Planned(src, functools.partial(self._catalogue_index_page, kind)))
        plan += [self._register_plan(n) for n in range(1, self.register_pages() + 1)]
        plan += [self._backlog_plan(n) for n in range(1, self.backlog_pages() + 1)]
        plan += [
            Planned(TRENDS_SRC, self.trends_page),
            Planned(PEAK_SRC, self.peak_page),
            Planned(NEW_SRC, self.report_page),
        ]
        return plan

    def _catalogue_index_page(self, kind: str) -> GeneratedPage:
        meta = {"title": _INDEX_TITLES[kind], "render_macros": False}
        body = self.catalogue_index(kind, standalone=True)
        return GeneratedPage(self.catalogue_src(kind, ""), front_matter(meta) + body)


def _paged_title(title: str, pager: Pager) -> str:
    return title if pager.number == 1 else f"{title}, page {pager.number} of {pager.count}"
