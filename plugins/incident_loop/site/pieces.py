"""The HTML that is written once per incident or per action, in plain Python.

The page templates (``templates/*.j2``) lay out each page; the pieces repeated thousands of times
in one build (an incident page's header, the rows of the incident and action tables) are built
here instead, because Jinja costs about ten times as much per value (a generator step, a
``finalize`` call and an escape for each). The rules are the templates' own: every value from the
front matter goes through :func:`text` (blank lines collapsed, then HTML-escaped) exactly once, and
every ``href`` is either a page address of ours or a URL that :func:`safe_href` allows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from ..core.diagnostics import number_text
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

if TYPE_CHECKING:
    from ..core.analyse import ActionFacts, IncidentFacts
    from ..core.records import CatalogueEntry, Project


_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def one_paragraph(value: Any) -> Any:
    """Blank lines in text become single line breaks; markup built by us is left alone.

    Generated HTML is split into blocks at blank lines (see ``render.split_blocks``); a blank
    line inside a front-matter value would end the HTML block, and what follows would be read as
    markdown, where ``[x](javascript:...)`` is a link. The templates apply this to every
    ``{{ value }}`` (Jinja's ``finalize``).
    """
    if isinstance(value, str) and not isinstance(value, Markup) and "\n" in value:
        return _BLANK_LINES.sub("\n", value)
    return value


def text(value: Any) -> str:
    """A value as HTML text: what ``{{ value }}`` writes in a template (MarkupSafe's escapes)."""
    if type(value) is str:  # the common case, without MarkupSafe's object allocations
        plain: str = _BLANK_LINES.sub("\n", value) if "\n" in value else value
        return (
            plain.replace("&", "&amp;")
            .replace(">", "&gt;")
            .replace("<", "&lt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    return str(escape(one_paragraph(value)))  # markup, numbers, dates


def safe_href(url: str) -> str | None:
    """The URL when its scheme may be linked (http, https, mailto), else ``None``."""
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https", "mailto") else None


def _link(href: str, label: str) -> str:
    return f'<a href="{text(href)}">{text(label)}</a>'


def css_token(value: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in value.lower())


def duration(minutes: float | None) -> str:
    """``95`` -> ``1 h 35 min``; for people, the exact minutes are in the exports."""
    if minutes is None:
        return "–"
    total = round(minutes)
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins:02d} min" if mins else f"{hours} h"
    return f"{mins} min"


def when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "–"
    offset = moment.strftime("%z")
    return (
        f"{moment:%Y-%m-%d %H:%M} ({offset[:3]}:{offset[3:]})"
        if offset
        else f"{moment:%Y-%m-%d %H:%M}"
    )


class Links:
    """Relative links from one generated page (``from_src``) to the pages of the site."""

    def __init__(
        self,
        urls: Urls,
        from_src: str,
        project: Project,
        catalogue_dirs: dict[str, str],
        docs_pages: set[str],
    ) -> None:
        self.urls = urls
        self.from_src = from_src
        self.root = urls.to_root(from_src)
        self.project = project
        self.zone = project.settings.zone
        self.dirs = catalogue_dirs
        self.docs_pages = docs_pages

    def to(self, src: str, anchor: str = "") -> str:
        return self.root + self.urls.page(src) + (f"#{anchor}" if anchor else "")

    def catalogue_src(self, kind: str, slug: str) -> str:
        return catalogue_src(self.dirs[kind], slug)

    def incident(self, incident_id: str) -> str:
        return self.root + self.urls.page(incident_src(incident_id))

    def partner(self, slug: str) -> str | None:
        if slug not in self.project.partners:
            return None
        return self.to(self.catalogue_src("integrations", slug))

    def site(self, slug: str) -> str | None:
        return self.to(self.catalogue_src("sites", slug)) if slug in self.project.sites else None

    def runbook(self, slug: str) -> str | None:
        if slug not in self.project.runbooks:
            return None
        return self.to(self.catalogue_src("runbooks", slug))

    def action(self, action_id: str) -> str:
        return self.to(ACTIONS_SRC, action_anchor(action_id))

    def page(self, src: str) -> str | None:
        return self.to(src) if src in self.docs_pages else None

    def file(self, path: str) -> str:
        return self.urls.relative_file(self.from_src, path)

    def template_functions(self) -> dict[str, Any]:
        """The names the templates use for links."""
        return {
            "links": self,
            "to": self.to,
            "incident_url": self.incident,
            "partner_url": self.partner,
            "site_url": self.site,
            "runbook_url": self.runbook,
            "action_url": self.action,
            "page_url": self.page,
            "file_url": self.file,
            "log_url": self.to(LOG_SRC),
            "actions_url": self.to(ACTIONS_SRC),
            "backlog_url": self.to(BACKLOG_SRC),
            "trends_url": self.to(TRENDS_SRC),
            "index_url": lambda kind: self.to(self.catalogue_src(kind, "")),
        }


def joined(parts: list[str]) -> str:
    """The HTML of a table from the parts the ``*_rows`` functions return, without its last
    line break (the page has its own).

    Joined once and not copied: a table of thousands of rows is the largest string of its
    page, and every copy (a ``Markup``, an ``rstrip``) would take that memory again.
    """
    if parts:
        parts[-1] = parts[-1].rstrip("\n")
    return "".join(parts)


def severity_badge(severity: str) -> str:
    return (
        f'<span class="il-badge il-sev il-sev--{text(css_token(severity))}">{text(severity)}</span>'
    )


def mode_title(project: Project, slug: str) -> str:
    mode = project.failure_modes.get(slug)
    return text(mode.title if mode is not None else slug)


def _catalogue_name(entries: Mapping[str, CatalogueEntry[Any]], slug: str) -> str:
    """The name of a partner or site, or its slug when it has no page."""
    entry = entries.get(slug)
    return text(entry.data.name if entry is not None else slug)


def due(action: ActionFacts) -> str:
    out = action.due.isoformat()
    if action.due_is_default:
        out += " <small>(default)</small>"
    if action.overdue:
        out += ' <span class="il-badge il-overdue">⚠ overdue</span>'
    return out


def ticket(value: str | None) -> str:
    if not value:
        return "–"
    href = safe_href(value)
    return _link(href, value) if href else text(value)


def incident_links(links: Links, ids: Iterable[str]) -> str:
    return ", ".join(_link(links.incident(i), i) for i in ids)


def repeat_cell(links: Links, facts: IncidentFacts) -> str:
    if not facts.repeat_of:
        return "–"
    return "↻ " + _link(links.incident(facts.repeat_of), facts.repeat_of)


_ACTION_HEAD = (
    "<table>\n<thead><tr><th>Action</th><th>Type</th><th>Owner</th><th>Status</th>"
    "<th>Priority</th><th>Due</th><th>Ticket</th><th>Incidents</th></tr></thead>\n<tbody>\n"
)


def action_rows(
    links: Links,
    actions: Iterable[ActionFacts],
    *,
    anchors: bool = False,
    facets: bool = False,
) -> list[str]:
    """A table of actions, as the parts of its HTML (see :func:`joined`); with ``anchors``
    each row is the target of ``actions/#<id>``."""
    out = [_ACTION_HEAD]
    for action in actions:
        item = action.record.item
        attributes = ""
        if anchors:
            attributes += f' id="{text(action_anchor(action.id))}"'
        if facets:
            attributes += (
                f' data-status="{text(item.status)}" data-type="{text(item.type)}"'
                f' data-owner="{text(css_token(item.owner))}"'
                f' data-overdue="{"yes" if action.overdue else "no"}"'
            )
        name = (
            f"<strong>{text(action.id)}</strong>"
            if anchors
            else _link(links.action(action.id), action.id)
        )
        cell = f"{name} {text(item.title)}\n"
        if item.acceptance:
            criteria = "".join(f"<li>{text(c)}</li>\n" for c in item.acceptance)
            cell += (
                f"<details><summary>Acceptance criteria</summary><ul>\n{criteria}</ul></details>\n"
            )
        if item.reason:
            cell += f"<br><em>Not done because:</em> {text(item.reason)}"
        status = text(item.status.replace("_", " "))
        if item.completed_at:
            status += f" {item.completed_at.isoformat()}"
        out.append(
            f"<tr{attributes}>\n<td>{cell}</td>\n<td>{text(item.type)}</td>\n"
            f"<td>{text(item.owner)}</td>\n<td>{status}</td>\n"
            f"<td>{text(item.priority or '–')}</td>\n<td>{due(action)}</td>\n"
            f"<td>{ticket(item.ticket)}</td>\n"
            f"<td>{incident_links(links, action.incidents)}</td>\n</tr>\n"
        )
    out.append("</tbody>\n</table>\n")
    return out


_INCIDENT_HEAD = (
    "<table>\n<thead><tr><th>Id</th><th>Date</th><th>Title</th><th>Severity</th>"
    "<th>Failure mode</th><th>Time to mitigate</th><th>Repeat of</th></tr></thead>\n<tbody>\n"
)


def incident_rows(links: Links, rows: Iterable[IncidentFacts]) -> list[str]:
    """A table of incidents (catalogue pages), as the parts of its HTML."""
    project = links.project
    out = [_INCIDENT_HEAD]
    for facts in rows:
        incident = facts.record.incident
        excluded = " <small>(excluded from metrics)</small>" if facts.excluded else ""
        out.append(
            f"<tr>\n<td>{_link(links.incident(incident.id), incident.id)}</td>\n"
            f"<td>{day(incident.started_at, links.zone)}</td>\n"
            f"<td>{text(incident.title)}{excluded}</td>\n"
            f"<td>{severity_badge(incident.severity)}</td>\n"
            f"<td>{mode_title(project, incident.failure_mode)}</td>\n"
            f"<td>{duration(facts.time_to_mitigate)}</td>\n"
            f"<td>{repeat_cell(links, facts)}</td>\n</tr>\n"
        )
    out.append("</tbody>\n</table>\n")
    return out


def day(moment: dt.datetime, zone: dt.tzinfo) -> str:
    return moment.astimezone(zone).date().isoformat()


def log_rows(links: Links, rows: Iterable[IncidentFacts], open_counts: dict[str, int]) -> list[str]:
    """The incident log's table, as the parts of its HTML, with the ``data-`` attributes its
    filters read."""
    project = links.project
    out = []
    for facts in rows:
        incident = facts.record.incident
        scope = incident.scope
        places = [
            _link(url, slug) if (url := links.partner(slug)) else text(slug)
            for slug in scope.partners
        ]
        places += [
            _link(url, slug) if (url := links.site(slug)) else text(slug) for slug in scope.sites
        ]
        segments = text(", ".join(scope.segments))
        scope_cell = ", ".join(places) + (", " if places and segments else "") + segments
        excluded = " <small>(excluded from metrics)</small>" if facts.excluded else ""
        out.append(
            f'<tr data-severity="{text(incident.severity)}"'
            f' data-category="{text(incident.category)}"'
            f' data-failure-mode="{text(incident.failure_mode)}"'
            f' data-partner="{text(" ".join(scope.partners))}"'
            f' data-site="{text(" ".join(scope.sites))}" data-year="{text(facts.month[:4])}">\n'
            f"<td>{_link(links.incident(incident.id), incident.id)}</td>\n"
            f"<td>{day(incident.started_at, links.zone)}</td>\n"
            f"<td>{text(incident.title)}{excluded}</td>\n"
            f"<td>{severity_badge(incident.severity)}</td>\n"
            f"<td>{text(incident.category)}</td>\n"
            f"<td>{mode_title(project, incident.failure_mode)}</td>\n"
            f"<td>{scope_cell}</td>\n"
            f"<td>{duration(facts.time_to_mitigate)}</td>\n"
            f"<td>{repeat_cell(links, facts)}</td>\n"
            f"<td>{open_counts[incident.id]}</td>\n</tr>\n"
        )
    return out


_EXCLUDED_NOTE = (
    '<p class="il-note">This incident is excluded from metrics (a drill or a false alarm): it is '
    "not counted in trends, repeats or the decision rule.</p>"
)
_NOT_QUALIFYING = (
    "<p>This incident does not qualify for the backlog: it is not a repeat, not of a high "
    "severity, caused little manual work, was detected by us and was not triggered by a rollout "
    "or a config change.</p>"
)


def _run_on(items: list[str]) -> str:
    """List items as one line: sentences one after the other, phrases with semicolons."""
    out = ""
    for item in items:
        if out:
            out += " " if out.rstrip().endswith((".", "!", "?")) else "; "
        out += item
    return out


@dataclass(frozen=True)
class IncidentHeader:
    """The generated part of an incident page, put before the author's body.

    In the page: the title, the badges, the facts table (symptoms, mitigation, root cause: the
    words worth finding with search), then sections with headings (durations, scope, runbooks,
    decision rule, related incidents, actions). The plugin puts the facts as :meth:`indexed`
    into the page when MkDocs has converted its markdown, swaps in the :meth:`title` once the
    search plugin has indexed the page, and puts in :meth:`late` (the badges, the facts table
    and the sections) when the page is written: the sections' words would only add noise to
    search, and MkDocs holds every page's HTML until the end of the build.
    """

    links: Links
    facts: IncidentFacts
    actions: list[ActionFacts]
    #: Facts of every incident, to name the related ones.
    incidents: dict[str, IncidentFacts]
    edit_url: str | None = None

    def _sections(self) -> list[tuple[str, Callable[[], str]]]:
        """The sections under the facts, in page order: ``(heading, maker of the HTML)``."""
        incident, facts = self.facts.record.incident, self.facts
        sections = [("Durations", self._durations), ("Scope", self._scope)]
        if incident.runbooks or incident.links:
            sections.append(("Runbooks and links", self._links))
        sections.append(("Decision rule", self._decision))
        if facts.repeated_by or facts.related:
            sections.append(("Related incidents", self._related))
        sections.append(("Actions", self._actions))
        return sections

    def headings(self) -> list[tuple[str, str]]:
        """The sections' headings, as ``(text, anchor)``, for the table of contents."""
        return [(title, title.lower().replace(" ", "-")) for title, _ in self._sections()]

    def _facts(self) -> list[tuple[str, str | list[str]]]:
        """The facts as ``(label, HTML)``; a list is the contributing factors, one each."""
        incident = self.facts.record.incident
        rows: list[tuple[str, str | list[str]]] = [
            ("Symptoms", text(incident.symptoms)),
            ("Mitigation", text(incident.mitigation)),
        ]
        if incident.root_cause:
            rows.append(("Root cause", text(incident.root_cause)))
        if incident.contributing_factors:
            rows.append(("Contributing factors", [text(f) for f in incident.contributing_factors]))
        rows.append(("Detected by", text(incident.detection_source)))
        if incident.trigger:
            rolled = {True: " (rolled back)", False: " (not rolled back)", None: ""}[
                incident.rolled_back
            ]
            rows.append(("Trigger", text(incident.trigger.replace("_", " ")) + rolled))
        if incident.manual_hours is not None:
            rows.append(("Manual work", f"{incident.manual_hours:g} hours"))
        return rows

    def title(self) -> str:
        incident = self.facts.record.incident
        return f'<h1 class="il-title">{text(incident.id)}: {text(incident.title)}</h1>'

    def _facts_table(self) -> str:
        rows = []
        for label, value in self._facts():
            if isinstance(value, list):
                items = "".join(f"<li>{item}</li>\n" for item in value)
                value = f"<ul>\n{items}</ul>"
            rows.append(f"<tr><th>{label}</th><td>{value}</td></tr>")
        return '<table class="il-facts">\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>"

    def indexed(self) -> str:
        """The words of the facts table as one paragraph per fact, for the search index.

        What the search plugin indexes (the plugin puts the table in after it): the same
        words with a quarter of the tags (search parses every tag of every page), and without
        the title, which the index has already as the page's title. The first paragraph gives
        the badges and the scope in words, so that a search for a severity, a failure mode or
        a partner finds the incident.
        """
        return "\n".join(
            [f"<p>{self._classification()}</p>"]
            + [
                f"<p>{label}: {_run_on(value) if isinstance(value, list) else value}</p>"
                for label, value in self._facts()
            ]
        )

    def _classification(self) -> str:
        """``Severity Sev2, category integration, failure mode …; scope: DHL Parcel, …``."""
        incident = self.facts.record.incident
        project = self.links.project
        scope = [_catalogue_name(project.partners, slug) for slug in incident.scope.partners]
        scope += [_catalogue_name(project.sites, slug) for slug in incident.scope.sites]
        scope += [text(segment) for segment in incident.scope.segments]
        return (
            f"Severity {text(incident.severity)}, category {text(incident.category)}, "
            f"failure mode {mode_title(project, incident.failure_mode)}; "
            f"scope: {', '.join(scope)}"
        )

    def late(self, anchors: list[str], *, permalink: bool) -> tuple[str, str]:
        """The badges with the facts table under them, and the sections with ``anchors`` as
        the ids of their headings."""
        links, facts = self.links, self.facts
        incident = facts.record.incident
        project = links.project
        badges = [
            f'<span class="il-badge il-sev il-sev--{text(css_token(incident.severity))}">'
            f"Severity {text(incident.severity)}</span>",
            f'<span class="il-badge">Category {text(incident.category)}</span>',
            '<span class="il-badge">Failure mode '
            f"{mode_title(project, incident.failure_mode)}</span>",
        ]
        if facts.repeat_of:
            badges.append(
                '<span class="il-badge il-badge--repeat">↻ Repeat of '
                f"{_link(links.incident(facts.repeat_of), facts.repeat_of)}"
                "</span>"
            )
        if facts.excluded:
            badges.append('<span class="il-badge il-badge--excluded">Excluded from metrics</span>')

        parts = []
        for (title, make), anchor in zip(self._sections(), anchors, strict=True):
            link = (
                f'<a class="headerlink" href="#{anchor}" title="Permanent link">&para;</a>'
                if permalink
                else ""
            )
            parts += [f'<h2 id="{anchor}">{title}{link}</h2>', make()]
        if self.edit_url:
            parts.append(
                f'<p class="il-source"><a href="{text(self.edit_url)}">'
                "Edit this incident's source file</a></p>"
            )
        badges_html = '<p class="il-badges">\n' + "\n".join(badges) + "\n</p>"
        return badges_html + "\n" + self._facts_table(), "\n".join(parts)

    def _actions(self) -> str:
        if not self.actions:
            return "<p>No actions yet.</p>"
        return joined(action_rows(self.links, self.actions))

    def _durations(self) -> str:
        facts, incident = self.facts, self.facts.record.incident
        resolve = (
            f"{duration(facts.time_to_resolve)} (time to resolve)"
            if facts.time_to_resolve is not None
            else "not yet resolved"
        )
        return (
            "<table>\n<thead><tr><th>Step</th><th>When</th><th>Since impact started</th>"
            "</tr></thead>\n<tbody>\n"
            f"<tr><td>Impact started</td><td>{text(when(incident.started_at))}</td><td>–</td></tr>\n"
            f"<tr><td>Detected</td><td>{text(when(incident.detected_at))}</td>"
            f"<td>{duration(facts.time_to_detect)} (time to detect)</td></tr>\n"
            f"<tr><td>Mitigated</td><td>{text(when(incident.mitigated_at))}</td>"
            f"<td>{duration(facts.time_to_mitigate)} (time to mitigate)</td></tr>\n"
            f"<tr><td>Resolved</td><td>{text(when(incident.resolved_at))}</td>"
            f"<td>{resolve}</td></tr>\n</tbody>\n</table>"
        )

    def _entry(self, label: str, kind: str, slug: str) -> str:
        """A list item naming a partner, site or runbook, linked to its page when it has one."""
        links, project = self.links, self.links.project
        if kind == "runbook":
            url = links.runbook(slug)
            name = project.runbooks[slug].data.title if url else ""
        elif kind == "site":
            url = links.site(slug)
            name = project.sites[slug].data.name if url else ""
        else:
            url = links.partner(slug)
            name = project.partners[slug].data.name if url else ""
        return f"<li>{label}: {_link(url, name) if url else text(slug)}</li>\n"

    def _scope(self) -> str:
        scope = self.facts.record.incident.scope
        items = [self._entry("Partner", "partner", slug) for slug in scope.partners]
        items += [self._entry("Site", "site", slug) for slug in scope.sites]
        items += [f"<li>Segment: {text(segment)}</li>\n" for segment in scope.segments]
        return '<ul class="il-scope">\n' + "".join(items) + "</ul>"

    def _links(self) -> str:
        incident = self.facts.record.incident
        items = [self._entry("Runbook", "runbook", slug) for slug in incident.runbooks]
        for link in incident.links:
            href = safe_href(link.url)
            items.append(f"<li>{_link(href, link.title) if href else text(link.title)}</li>\n")
        return '<ul class="il-links">\n' + "".join(items) + "</ul>"

    def _decision(self) -> str:
        facts = self.facts
        if facts.excluded:
            return _EXCLUDED_NOTE
        if not facts.reasons:
            return _NOT_QUALIFYING
        reasons = [
            f"<li>repeat of {_link(self.links.incident(facts.repeat_of), facts.repeat_of)}</li>\n"
            if reason.code == "repeat" and facts.repeat_of
            else f"<li>{text(reason.text)}</li>\n"
            for reason in facts.reasons
        ]
        return (
            "<p>This incident must turn into backlog work because:</p>\n"
            '<ul class="il-reasons">\n' + "".join(reasons) + "</ul>"
        )

    def _related(self) -> str:
        facts, links = self.facts, self.links
        items = [
            f"<li>Repeated by {_link(links.incident(other), other)}: "
            f"{text(self.incidents[other].record.incident.title)}</li>\n"
            for other in facts.repeated_by
        ]
        for other in facts.related:
            if other in facts.repeated_by or other == facts.repeat_of:
                continue
            incident = self.incidents[other].record.incident
            items.append(
                f"<li>Same failure mode: {_link(links.incident(other), other)} "
                f"({day(incident.started_at, self.links.zone)}): {text(incident.title)}</li>\n"
            )
        return '<ul class="il-related">\n' + "".join(items) + "</ul>"


def number(value: float | None) -> str:
    return "–" if value is None else number_text(value)


def ranked_rows(links: Links, ranked: Iterable[ActionFacts]) -> list[str]:
    """The table of the backlog's open actions, highest score first, as the parts of its
    HTML."""
    out = []
    for rank, action in enumerate(ranked, 1):
        item = action.record.item
        parts = " + ".join(
            f"{number(part.points)} {text(part.name)} <small>({text(part.why)})</small>"
            for part in action.score_parts
        )
        out.append(
            f"<tr>\n<td>{rank}</td>\n"
            f"<td>{_link(links.action(action.id), action.id)} {text(item.title)} "
            f"<small>({text(item.type)})</small></td>\n"
            f"<td><strong>{number(action.score)}</strong></td>\n"
            f'<td class="il-score">{parts}</td>\n'
            f"<td>{text(item.owner)} <small>({text(item.status.replace('_', ' '))})</small></td>\n"
            f"<td>{due(action)}</td>\n"
            f"<td>{incident_links(links, action.incidents)}</td>\n</tr>\n"
        )
    return out


def qualifying_rows(links: Links, qualifying: Iterable[IncidentFacts]) -> list[str]:
    """The table of the backlog's qualifying incidents, with their reasons and actions, as
    the parts of its HTML."""
    out = []
    for facts in qualifying:
        incident = facts.record.incident
        reasons = "".join(f"<li>{text(reason.text)}</li>" for reason in facts.reasons)
        actions = (
            ", ".join(_link(links.action(a), a) for a in facts.action_ids)
            or '<span class="il-badge il-overdue">⚠ no action</span>'
        )
        out.append(
            f"<tr>\n<td>{_link(links.incident(incident.id), incident.id)} "
            f"{text(incident.title)}</td>\n"
            f"<td>{day(incident.started_at, links.zone)}</td>\n"
            f"<td>{severity_badge(incident.severity)}</td>\n"
            f'<td><ul class="il-reasons">{reasons}</ul></td>\n'
            f"<td>{actions}</td>\n</tr>\n"
        )
    return out
