"""Page addresses, computed the way MkDocs does, so generated HTML links work from any page.

Generated tables are raw HTML (escaped by Jinja, never parsed as markdown), so MkDocs does not rewrite
their links: they are made relative here.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from ..core.analyse import ActionFacts, Analysis

#: The sources of the generated index pages.
LOG_SRC = "incidents/index.md"
ACTIONS_SRC = "actions/index.md"
BACKLOG_SRC = "backlog/index.md"
TRENDS_SRC = "trends/index.md"
PEAK_SRC = "peak/index.md"


#: The most rows a page of the log, the register or the backlog holds; longer lists continue on
#: ``<folder>/page/2/`` and so on, so that each page stays well under 1 MB (issue 18).
ROWS_PER_PAGE = 500


def page_count(rows: int) -> int:
    """How many pages ``rows`` rows take: at least one, which may be empty."""
    return max(1, -(-rows // ROWS_PER_PAGE))


def paged_src(src: str, number: int) -> str:
    """The source of page ``number`` (from 1) of a paginated index: ``actions/page/2.md``."""
    if number <= 1:
        return src
    return f"{posixpath.dirname(src)}/page/{number}.md"


def register_order(analysis: Analysis) -> list[ActionFacts]:
    """The action register's order: overdue first, then open ones, each by due date."""
    return sorted(
        analysis.actions.values(),
        key=lambda a: (not a.overdue, not a.record.is_open, a.due, a.id),
    )


def register_pages(analysis: Analysis) -> dict[str, int]:
    """The page of the action register (from 1) that holds each action."""
    return {a.id: i // ROWS_PER_PAGE + 1 for i, a in enumerate(register_order(analysis))}


def incident_src(incident_id: str) -> str:
    """The source path of an incident's generated page."""
    return f"incidents/{incident_id}.md"


def catalogue_src(folder: str, slug: str) -> str:
    """The source path of a catalogue page (``integrations/dhl.md``), or of its index."""
    return f"{folder}/{slug}.md" if slug else f"{folder}/index.md"


def action_anchor(action_id: str) -> str:
    """The anchor of an action's row in the action register (``actions/#inc-2026-001-a1``)."""
    return action_id.lower()


@functools.lru_cache(maxsize=65536)
def _page_url(src: str, directory_urls: bool) -> str:
    """:meth:`Urls.page`; every page links to thousands of others, often the same ones."""
    stem, _ = posixpath.splitext(src)
    folder, name = posixpath.split(stem)
    prefix = f"{folder}/" if folder else ""
    if name in ("index", "README"):
        return prefix if directory_urls else f"{prefix}index.html"
    return f"{stem}/" if directory_urls else f"{stem}.html"


@dataclass(frozen=True)
class Urls:
    directory_urls: bool = True

    def page(self, src: str) -> str:
        """The URL of a docs file, relative to the site root (``incidents/INC-2026-001/``)."""
        return _page_url(src, self.directory_urls)

    def to_root(self, from_src: str) -> str:
        """The relative path from the page of ``from_src`` up to the site root (``../../``)."""
        return "../" * self.page(from_src).count("/")

    def relative_file(self, from_src: str, path: str) -> str:
        """A link from the page of ``from_src`` to a static file such as ``api/trends.json``."""
        return self.to_root(from_src) + path


#: The catalogue kinds, by the plural used in URLs and in the folder options.
CATALOGUE_KINDS = ("integrations", "sites", "runbooks")


class Links:
    """Relative links from one generated page (``from_src``) to the pages of the site.

    Generated tables are raw HTML, whose links MkDocs does not rewrite; the templates call
    these to link from the page they render.
    """

    def __init__(
        self,
        urls: Urls,
        from_src: str,
        catalogue: Mapping[str, tuple[str, Collection[str]]],
        docs_pages: Collection[str] = (),
        action_pages: Mapping[str, int] | None = None,
    ) -> None:
        """``catalogue`` maps each kind of :data:`CATALOGUE_KINDS` to its folder and the
        slugs that have a page; ``docs_pages`` are the hand-written pages that exist;
        ``action_pages`` the page of the register that holds each action (1 when missing)."""
        self.urls = urls
        self.from_src = from_src
        self.root = urls.to_root(from_src)
        self.catalogue = catalogue
        self.docs_pages = docs_pages
        self.action_pages = action_pages or {}

    def to(self, src: str, anchor: str = "") -> str:
        return self.root + self.urls.page(src) + (f"#{anchor}" if anchor else "")

    def incident(self, incident_id: str) -> str:
        return self.to(incident_src(incident_id))

    def action(self, action_id: str) -> str:
        page = paged_src(ACTIONS_SRC, self.action_pages.get(action_id, 1))
        return self.to(page, action_anchor(action_id))

    def index(self, kind: str) -> str:
        return self.to(catalogue_src(self.catalogue[kind][0], ""))

    def entry(self, kind: str, slug: str) -> str | None:
        """The page of a partner (``integrations``), site or runbook; ``None`` without one."""
        folder, known = self.catalogue[kind]
        return self.to(catalogue_src(folder, slug)) if slug in known else None

    def page(self, src: str) -> str | None:
        """A hand-written page, when it exists."""
        return self.to(src) if src in self.docs_pages else None

    def file(self, path: str) -> str:
        """A file of the site such as ``api/trends.json``."""
        return self.urls.relative_file(self.from_src, path)

    @property
    def log(self) -> str:
        return self.to(LOG_SRC)

    @property
    def actions(self) -> str:
        return self.to(ACTIONS_SRC)

    @property
    def backlog(self) -> str:
        return self.to(BACKLOG_SRC)

    @property
    def peak(self) -> str:
        return self.to(PEAK_SRC)

    @property
    def trends(self) -> str:
        return self.to(TRENDS_SRC)
