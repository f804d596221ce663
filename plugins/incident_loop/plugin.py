"""The MkDocs plugin ``incident-loop``: an adapter from MkDocs events to the core.

``on_config`` validates the options, ``on_files`` runs load, validate and analyse once per build,
adds the generated pages as virtual files and writes the ``api/`` exports, the page events put
each incident's header together when MkDocs reads, converts and writes its page, and
``on_serve`` watches the incidents folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils.templates import TemplateContext

from .config import IncidentLoopConfig
from .core.analyse import IncidentFacts
from .core.project import CheckResult, check_project, edit_url
from .core.settings import (
    ProjectConfig,
    ProjectPaths,
    Settings,
    SettingsError,
    settings_from_options,
)
from .site.exports import EXPORTS, export_files
from .site.pieces import IncidentHeader
from .site.render import (
    ASSET_CSS,
    ASSET_JS,
    CATALOGUE_KINDS,
    FRAGMENT,
    Renderer,
    SiteModel,
    incident_markdown,
    inject,
    insert_section,
    meta_title,
    publish,
    split_blocks,
)
from .site.urls import Urls

log = get_plugin_logger("incident-loop")

#: Numbers of late fragments of prepended sections, apart from those in the markdown.
LATE_OFFSET = 1000
_LATE_PLACEHOLDERS = (FRAGMENT.format(LATE_OFFSET), FRAGMENT.format(LATE_OFFSET + 1))
#: The key of the exports among what is made ahead (no page has this source path).
_EXPORTS_KEY = "\0api"
#: Where the indexed facts of an incident page begin (see IncidentLoopPlugin._prepend).
_FACTS_START = "<!-- incident-loop facts -->"


def _walk_toc(items: list[AnchorLink]) -> Iterator[AnchorLink]:
    for item in items:
        yield item
        yield from _walk_toc(item.children)


class IncidentLoopPlugin(BasePlugin[IncidentLoopConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.project_config: ProjectConfig | None = None
        self.result: CheckResult | None = None
        self.edit_urls: dict[str, str] = {}
        self.model: SiteModel | None = None
        self.renderer: Renderer | None = None
        self.user_indexes: set[str] = set()
        #: HTML of generated blocks by page, put into the finished page (see GeneratedPage).
        self.late_fragments: dict[str, dict[int, str]] = {}
        #: Incident pages until MkDocs has converted them (their markdown and header are
        #: made from the facts in on_page_read_source and on_page_content).
        self.incident_pages: dict[str, IncidentFacts] = {}
        #: Incident pages between on_page_content and on_page_context.
        self.pending_headers: dict[str, IncidentFacts] = {}
        #: The incident page being written, from on_page_context to on_post_page: its header
        #: and the ids of the header's headings.
        self.writing: dict[str, tuple[IncidentHeader, list[str]]] = {}
        self.page_meta: dict[str, dict[str, Any]] = {}
        self.permalink = False
        #: Whether a check result can be reused by a later build of this process: only under
        #: ``mkdocs serve`` (set by on_startup; MkDocs' own API calls do not run it).
        self.reuse = True

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.reuse = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        options = {key: value for key, value in self.config.items() if key != "enabled"}
        try:
            settings: Settings = settings_from_options(options)
        except SettingsError as exc:
            raise PluginError(f"incident-loop: {exc}") from None
        root = Path(config.config_file_path or ".").resolve().parent
        paths = ProjectPaths.resolve(root, Path(config.docs_dir).resolve(), settings)
        self.project_config = ProjectConfig(
            settings=settings,
            paths=paths,
            repo_url=config.repo_url,
            edit_uri=config.edit_uri,
            site_url=config.site_url,
        )
        for target, asset in ((config.extra_css, ASSET_CSS), (config.extra_javascript, ASSET_JS)):
            if asset not in target:
                target.append(asset)
        return config

    # After other plugins have added their files, so that ours replace nothing unexpectedly.
    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.project_config is not None
        try:
            result = check_project(self.project_config)
        except SettingsError as exc:
            raise PluginError(f"incident-loop: {exc}") from None
        self.result = result
        for diagnostic in result.diagnostics:
            (log.error if diagnostic.level == "error" else log.warning)(diagnostic.text())
        errors = sum(1 for d in result.diagnostics if d.level == "error")
        if errors:
            raise PluginError(
                f"incident-loop: {errors} error{'s' if errors != 1 else ''} in the incident "
                "sources (listed above); fix them, `incident-loop check` shows them too"
            )
        self.edit_urls = {
            record.id: url
            for record in result.project.incidents
            if (url := edit_url(self.project_config, record.source.rel))
        }
        self.model = SiteModel.build(result.project, result.analysis)
        docs_pages = {f.src_uri for f in files.documentation_pages()}
        self.renderer = Renderer(self.model, Urls(config.use_directory_urls), docs_pages=docs_pages)
        publish(str(config.config_file_path), self.renderer)
        self.user_indexes = {
            src
            for kind in CATALOGUE_KINDS
            if (src := self.renderer.catalogue_src(kind, "")) in docs_pages
        }
        self.late_fragments = {}
        self.incident_pages = {}
        self.page_meta = {}
        self.pending_headers = {}
        self.writing = {}
        self.permalink = bool((config.mdx_configs.get("toc") or {}).get("permalink"))
        order = []
        for page in self.renderer.pages(user_indexes=self.user_indexes):
            _add(files, config, page.src, page.content, in_nav=page.in_nav)
            order.append(page.src)
            if page.late_fragments:
                self.late_fragments[page.src] = page.late_fragments
            if page.incident is not None:
                self.incident_pages[page.src] = page.incident
        for name in EXPORTS:  # written by _write_exports
            _remove(files, name)
        self._write_exports(config)
        for asset in (ASSET_CSS, ASSET_JS):
            name = asset.rsplit("/", 1)[-1]
            content = (resources.files("incident_loop.site") / "assets" / name).read_text("utf-8")
            _add(files, config, asset, content, in_nav=False)
        return files

    # Before every other plugin (mkdocs-macros, tags) looks at the page's metadata.
    @event_priority(100)
    def _page_meta(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Give a generated incident page its metadata, made with its markdown."""
        meta = self.page_meta.pop(page.file.src_uri, None)
        if meta is not None:
            page.meta = meta
        return markdown

    # After mkdocs-macros (priority 0) has rendered the page: the generated sections hold
    # front-matter text, which must never be evaluated as a template.
    @event_priority(-50)
    def _catalogue_sections(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.renderer is None or page.file.generated_by is not None:
            return markdown
        placement = self.renderer.catalogue_placement(page.file.src_uri, self.user_indexes)
        if placement is None:
            return markdown
        for key in ("title", "description", "subtitle"):
            # A runbook's `title` is ours and also the page title; the theme prints these
            # keys unescaped: make them safe text like those of generated pages.
            if key in page.meta:
                page.meta[key] = meta_title(str(page.meta[key]))
        skeleton, fragments = split_blocks(placement)
        self.late_fragments[page.file.src_uri] = dict(enumerate(fragments))
        return insert_section(markdown, skeleton)

    on_page_markdown = CombinedEvent(_page_meta, _catalogue_sections)

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        facts = self.incident_pages.get(page.file.src_uri)
        if facts is None:
            return None
        meta, body = incident_markdown(facts)
        self.page_meta[page.file.src_uri] = meta
        # A leading blank line: MkDocs then finds no metadata in the text (see _page_meta).
        return "\n" + body

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        facts = self.incident_pages.pop(page.file.src_uri, None)
        if facts is not None and self.renderer is not None:
            header = self._header(facts)
            html = self._prepend(page, header, html)
        return html

    def _header(self, facts: IncidentFacts) -> IncidentHeader:
        assert self.renderer is not None
        return self.renderer.incident_header(facts, self.edit_urls.get(facts.id))

    def _prepend(self, page: Page, header: IncidentHeader, html: str) -> str:
        """Put an incident's header before its body.

        The search plugin indexes the facts as short paragraphs (:meth:`IncidentHeader.indexed`);
        :meth:`on_page_context`, after it, swaps in the title. The badges, the facts table and
        the sections are placeholders until :meth:`on_post_page`: MkDocs holds every page's
        HTML until the end of the build, so the page keeps only what search needs. The
        sections' headings are in the page's table of contents while the page is written
        (from :meth:`on_page_context` to :meth:`on_post_page`).
        """
        self.pending_headers[page.file.src_uri] = header.facts
        return "\n".join([_FACTS_START, header.indexed(), *_LATE_PLACEHOLDERS, html])

    @staticmethod
    def _swap_in_title(page: Page, header: IncidentHeader) -> None:
        """Replace the indexed facts by the title (see :meth:`_prepend`).

        Found by their markers, not by their text: another plugin may have put something
        before them, or changed their words, after they were put in.
        """
        content = page.content or ""
        start = content.find(_FACTS_START)
        end = content.find(_LATE_PLACEHOLDERS[0], start) if start >= 0 else -1
        if end >= 0:
            page.content = content[:start] + header.title() + "\n" + content[end:]

    def _add_headings(self, page: Page, header: IncidentHeader) -> list[str]:
        """Put the header's headings into the page's table of contents, with unique ids;
        returns the ids.

        Only while the page is written (:meth:`_remove_headings`): MkDocs keeps every page to
        the end of the build, and its HTML has these sections as a placeholder.
        """
        taken = {item.id for item in _walk_toc(page.toc.items)}
        ids: list[str] = []
        anchors: list[AnchorLink] = []
        for title, slug in header.headings():
            anchor_id = slug
            while anchor_id in taken:
                anchor_id += "_1"
            taken.add(anchor_id)
            ids.append(anchor_id)
            anchors.append(AnchorLink(escape(title), anchor_id, 2))
        page.toc.items[0:0] = anchors
        return ids

    @staticmethod
    def _remove_headings(page: Page, ids: list[str]) -> None:
        """Take the entries of :meth:`_add_headings` out of the table of contents again."""
        added = set(ids)
        page.toc.items[:] = [
            item for item in page.toc.items if not (item.id in added and not item.children)
        ]

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        # After the search plugin indexed the page (on_page_context): see GeneratedPage.
        src = page.file.src_uri
        fragments: dict[int, str | Callable[[], str]] = {}
        fragments.update(self.late_fragments.pop(src, {}))
        if self.renderer is not None:
            for number, table in self.renderer.take_deferred(src).items():
                fragments[number] = table
        writing = self.writing.pop(src, None)
        if writing is not None:
            header, ids = writing
            badges, sections = header.late(ids, permalink=self.permalink)
            fragments |= {LATE_OFFSET: badges, LATE_OFFSET + 1: sections}
            self._remove_headings(page, ids)
        return inject(output, fragments) if fragments else output

    # After the search plugin (priority 0) has indexed the page.
    @event_priority(-100)
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        meta = page.meta.get("incident_loop")
        if isinstance(meta, dict) and page.file.generated_by == "incident-loop":
            page.edit_url = self.edit_urls.get(str(meta.get("incident")))
        facts = self.pending_headers.pop(page.file.src_uri, None)
        if facts is not None and self.renderer is not None:
            header = self._header(facts)
            self._swap_in_title(page, header)
            self.writing[page.file.src_uri] = (header, self._add_headings(page, header))
        return context

    def _write_exports(self, config: MkDocsConfig) -> None:
        """The ``api/`` files (SPEC section 7), one at a time.

        Written in :meth:`on_files`, right after the analysis (by the second process of
        :meth:`_make_ahead`, or here): MkDocs has emptied the site folder by then, and the
        memory the exports take for a moment is used again by the pages, instead of adding to
        the peak at the end of the build, when the search index is written. :meth:`on_env`
        makes sure they are there before any page is written.
        """
        assert self.model is not None and self.renderer is not None
        site_dir = Path(config.site_dir)
        for name, make in export_files(self.model, self.renderer.urls, config.site_url).items():
            target = site_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8", newline="") as handle:
                make(handle)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.project_config is not None:
            server.watch(str(self.project_config.paths.incidents_dir))
        return server


def _remove(files: Files, src: str) -> None:
    """Take a file of the docs folder out that a generated file replaces, saying so."""
    existing = files.get_file_from_path(src)
    if existing is not None:
        if existing.generated_by is None:
            log.warning(
                f"{src} in the docs folder is replaced by the file incident-loop generates; "
                "move its text elsewhere (an index.md of the catalogue folders is kept)"
            )
        files.remove(existing)


def _add(files: Files, config: MkDocsConfig, src: str, content: str, *, in_nav: bool) -> None:
    _remove(files, src)
    inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
    files.append(File.generated(config, src, content=content, inclusion=inclusion))
