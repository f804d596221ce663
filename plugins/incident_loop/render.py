"""Step 5: pages from Jinja templates shipped in the package.

Generated pages are markdown whose tables and lists are raw HTML written by autoescaping templates:
every front-matter value is escaped once, by Jinja, and never parsed as markdown, so a ``|`` cannot
break a table and ``<script>`` or ``[x](javascript:...)`` in a title stays text. Only the incident
body, which the author wrote as markdown, is passed through as markdown.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jinja2
import yaml

from .analyse import Analysis, IncidentFacts
from .model import OPEN_STATUSES
from .urls import Urls
from .validate import Project

LOG_SRC = "incidents/index.md"
ASSET_CSS = "assets/incident-loop/incident-loop.css"
ASSET_JS = "assets/incident-loop/incident-loop.js"


def incident_src(incident_id: str) -> str:
    return f"incidents/{incident_id}.md"


@dataclass(frozen=True)
class GeneratedPage:
    src: str
    content: str
    in_nav: bool


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


def safe_href(url: str) -> str | None:
    """The URL when its scheme may be linked (http, https, mailto), else ``None``."""
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https", "mailto") else None


def css_token(value: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in value.lower())


def meta_title(text: str) -> str:
    """A page title for the theme, which prints it unescaped (and unescapes it once more)."""
    return html.escape(text.replace("<", "‹").replace(">", "›"), quote=True)


def front_matter(meta: dict[str, Any]) -> str:
    return (
        "---\n" + yaml.safe_dump(meta, sort_keys=True, allow_unicode=True, width=1000) + "---\n\n"
    )


class Renderer:
    """Renders every generated page of one build from one :class:`Analysis`."""

    def __init__(self, project: Project, analysis: Analysis, urls: Urls) -> None:
        self.project = project
        self.analysis = analysis
        self.urls = urls
        self.settings = project.settings
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("incident_loop", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters.update(duration=duration, when=when, css=css_token)
        self.env.globals.update(
            safe_href=safe_href,
            open_statuses=OPEN_STATUSES,
            analysis=analysis,
            project=project,
        )

    # ------------------------------------------------------------------ links

    def link_functions(self, from_src: str) -> dict[str, Any]:
        settings = self.settings
        partners, sites, runbooks = self.project.partners, self.project.sites, self.project.runbooks

        def to(src: str) -> str:
            return self.urls.relative(from_src, src)

        def incident(incident_id: str) -> str:
            return to(incident_src(incident_id))

        def partner(slug: str) -> str | None:
            return to(f"{settings.integrations_dir}/{slug}.md") if slug in partners else None

        def site(slug: str) -> str | None:
            return to(f"{settings.sites_dir}/{slug}.md") if slug in sites else None

        def runbook(slug: str) -> str | None:
            return to(f"{settings.runbooks_dir}/{slug}.md") if slug in runbooks else None

        return {
            "to": to,
            "incident_url": incident,
            "partner_url": partner,
            "site_url": site,
            "runbook_url": runbook,
            "log_url": to(LOG_SRC),
        }

    def _render(self, template: str, src: str, **context: Any) -> str:
        return self.env.get_template(template).render(**self.link_functions(src), **context)

    # ------------------------------------------------------------------ pages

    def incident_page(self, facts: IncidentFacts, edit_url: str | None = None) -> GeneratedPage:
        incident = facts.record.incident
        src = incident_src(incident.id)
        tags = [incident.severity, incident.category, incident.failure_mode]
        tags += list(incident.scope.partners) + list(incident.tags)
        meta = {
            "title": meta_title(f"{incident.id}: {incident.title}"),
            "description": meta_title(incident.symptoms[:200]),
            "tags": [html.escape(t, quote=True) for t in dict.fromkeys(tags)],
            "render_macros": False,
            "incident_loop": {"incident": incident.id},
        }
        mode = self.project.failure_modes.get(incident.failure_mode)
        body = self._render(
            "incident.md.j2",
            src,
            facts=facts,
            incident=incident,
            failure_mode_title=mode.title if mode else incident.failure_mode,
            actions=self.analysis.incident_actions(incident.id),
            edit_url=edit_url,
        )
        return GeneratedPage(src, front_matter(meta) + body + _user_body(facts), in_nav=False)

    def incident_log(self) -> GeneratedPage:
        rows = list(self.analysis.incidents.values())
        facets = {
            "severity": Counter(f.record.incident.severity for f in rows),
            "category": Counter(f.record.incident.category for f in rows),
            "failure-mode": Counter(f.record.incident.failure_mode for f in rows),
            "partner": Counter(p for f in rows for p in f.record.incident.scope.partners),
            "site": Counter(s for f in rows for s in f.record.incident.scope.sites),
            "year": Counter(f.record.incident.started_at.strftime("%Y") for f in rows),
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
        body = self._render(
            "incident_log.md.j2",
            LOG_SRC,
            rows=rows,
            facets=facet_options,
            open_counts=open_counts,
            failure_modes=self.project.failure_modes,
            incidents_dir=self.settings.incidents_dir,
        )
        return GeneratedPage(LOG_SRC, front_matter(meta) + body, in_nav=True)

    def pages(self, edit_urls: dict[str, str] | None = None) -> list[GeneratedPage]:
        edit_urls = edit_urls or {}
        pages = [self.incident_log()]
        for facts in self.analysis.incidents.values():
            pages.append(self.incident_page(facts, edit_urls.get(facts.id)))
        return pages


def _user_body(facts: IncidentFacts) -> str:
    body = facts.record.source.body.strip("\n")
    if not body.strip():
        return ""
    return "\n" + body + "\n"
