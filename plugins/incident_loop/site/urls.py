"""Page addresses, computed the way MkDocs does, so generated HTML links work from any page.

Generated tables are raw HTML (escaped by Jinja, never parsed as markdown), so MkDocs does not rewrite
their links: they are made relative here.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cache

#: The sources of the generated index pages.
LOG_SRC = "incidents/index.md"
ACTIONS_SRC = "actions/index.md"
BACKLOG_SRC = "backlog/index.md"
TRENDS_SRC = "trends/index.md"


def incident_src(incident_id: str) -> str:
    """The source path of an incident's generated page."""
    return f"incidents/{incident_id}.md"


def catalogue_src(folder: str, slug: str) -> str:
    """The source path of a catalogue page (``integrations/dhl.md``), or of its index."""
    return f"{folder}/{slug}.md" if slug else f"{folder}/index.md"


def action_anchor(action_id: str) -> str:
    """The anchor of an action's row in the action register (``actions/#inc-2026-001-a1``)."""
    return action_id.lower()


@dataclass(frozen=True)
class Urls:
    directory_urls: bool = True

    @cache  # noqa: B019 - few instances, one per build; src strings are small
    def page(self, src: str) -> str:
        """The URL of a docs file, relative to the site root (``incidents/INC-2026-001/``)."""
        stem, _ = posixpath.splitext(src)
        folder, name = posixpath.split(stem)
        prefix = f"{folder}/" if folder else ""
        if name in ("index", "README"):
            return prefix if self.directory_urls else f"{prefix}index.html"
        return f"{stem}/" if self.directory_urls else f"{stem}.html"

    def relative(self, from_src: str, to_src: str, anchor: str = "") -> str:
        """A link from the page of ``from_src`` to the page of ``to_src``."""
        return self.to_root(from_src) + self.page(to_src) + (f"#{anchor}" if anchor else "")

    def to_root(self, from_src: str) -> str:
        """The relative path from the page of ``from_src`` up to the site root (``../../``).

        Links are made as this prefix plus the target's URL: one string concatenation per link
        instead of a path computation, which matters on the pages that link to every incident.
        """
        return "../" * self.page(from_src).count("/")

    def relative_file(self, from_src: str, path: str) -> str:
        """A link from the page of ``from_src`` to a static file such as ``api/trends.json``."""
        return self.to_root(from_src) + path
