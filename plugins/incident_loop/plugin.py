"""The MkDocs plugin ``incident-loop``: an adapter from MkDocs events to the core.

``on_config`` reads the options, ``on_files`` loads, validates and analyses the project once per
build, adds the generated pages and writes the ``api/`` exports; ``on_page_read_source`` gives an
incident page its markdown when MkDocs reads it, ``on_page_markdown`` adds the generated
sections to the hand-written catalogue pages, and ``on_serve`` watches the incidents folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from .config import IncidentLoopConfig, settings_from_config
from .core.analyse import IncidentFacts
from .core.project import check_project, edit_url
from .core.settings import ProjectConfig, ProjectPaths, SettingsError
from .site.exports import EXPORTS, write_exports
from .site.feed import FEED, write_feed
from .site.model import SiteModel
from .site.render import (
    ASSET_CSS,
    ASSET_JS,
    Renderer,
    environment,
    insert_section,
    meta_title,
)
from .site.urls import CATALOGUE_KINDS, Urls, incident_src

log = get_plugin_logger("incident-loop")


class IncidentLoopPlugin(BasePlugin[IncidentLoopConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        #: The templates, compiled once for every build of this process.
        self.env: jinja2.Environment = environment()
        # Per build, set by on_config and on_files.
        self.project_config: ProjectConfig | None = None
        self.model: SiteModel | None = None
        self.renderer: Renderer | None = None
        #: Incident pages by source path, for on_page_read_source and on_page_context.
        self.incident_pages: dict[str, IncidentFacts] = {}
        #: The catalogue folders whose ``index.md`` is the user's own.
        self.user_indexes: set[str] = set()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        settings = settings_from_config(self.config)
        root = Path(config.config_file_path or ".").resolve().parent
        self.project_config = ProjectConfig(
            settings=settings,
            paths=ProjectPaths.resolve(root, Path(config.docs_dir).resolve(), settings),
            repo_url=config.repo_url,
            edit_uri=config.edit_uri,
            site_url=config.site_url,
            use_directory_urls=config.use_directory_urls,
        )
        for target, asset in ((config.extra_css, ASSET_CSS), (config.extra_javascript, ASSET_JS)):
            if asset not in target:
                target.append(asset)
        return config

    # Last: other plugins have added their files, and ours replace nothing unexpectedly.
    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.project_config is not None
        try:
            result = check_project(self.project_config)
        except SettingsError as exc:
            raise PluginError(f"incident-loop: {exc}") from None
        for diagnostic in result.diagnostics:
            (log.error if diagnostic.level == "error" else log.warning)(diagnostic.text())
        errors = sum(1 for d in result.diagnostics if d.level == "error")
        if errors:
            raise PluginError(
                f"incident-loop: {errors} error{'s' if errors != 1 else ''} in the incident "
                "sources (listed above); fix them, `incident-loop check` shows them too"
            )
        self.model = SiteModel.build(result.project, result.analysis)
        docs_pages = {f.src_uri for f in files.documentation_pages()}
        self.renderer = Renderer(
            self.env, self.model, Urls(config.use_directory_urls), docs_pages=docs_pages
        )
        self.user_indexes = {
            src
            for kind in CATALOGUE_KINDS
            if (src := self.renderer.catalogue_src(kind, "")) in docs_pages
        }
        for page in self.renderer.index_pages(user_indexes=self.user_indexes):
            _add(files, File.generated(config, page.src, content=page.content))
        # An incident's page is backed by its file and made when MkDocs reads it; it stays
        # out of the navigation, which Material renders into every page.
        self.incident_pages = {
            incident_src(f.id): f for f in self.model.analysis.incidents.values()
        }
        for src, facts in self.incident_pages.items():
            page_file = File.generated(
                config,
                src,
                abs_src_path=facts.record.source.path,
                inclusion=InclusionLevel.NOT_IN_NAV,
            )
            _add(files, page_file)
        root = self.project_config.paths.root
        for src, path in self.renderer.published_files().items():
            _add(files, File.generated(config, src, abs_src_path=str(root / path)))
        for name in (*EXPORTS, FEED):  # written by on_post_build
            _remove(files, name)
        for asset in (ASSET_CSS, ASSET_JS):
            name = asset.rsplit("/", 1)[-1]
            content = (resources.files("incident_loop.site") / "assets" / name).read_text("utf-8")
            _add(files, File.generated(config, asset, content=content))
        return files

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        facts = self.incident_pages.get(page.file.src_uri)
        if facts is None or self.renderer is None or self.project_config is None:
            return None
        url = edit_url(self.project_config, facts.record.source.rel)
        return self.renderer.incident_markdown(facts, url)

    # After mkdocs-macros (priority 0) has rendered the page: the generated sections hold
    # front-matter text, which must never be evaluated as a template.
    @event_priority(-50)
    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.renderer is None or page.file.generated_by is not None:
            return markdown
        section = self.renderer.catalogue_section(page.file.src_uri, self.user_indexes)
        if section is None:
            return markdown
        for key in ("title", "description", "subtitle"):
            # The theme prints these keys unescaped: make them safe text, like those of the
            # generated pages (a runbook's `title` is also the page title).
            if key in page.meta:
                page.meta[key] = meta_title(str(page.meta[key]))
        return insert_section(markdown, section)

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        facts = self.incident_pages.get(page.file.src_uri)
        if facts is not None and self.project_config is not None:
            page.edit_url = edit_url(self.project_config, facts.record.source.rel)
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.model is not None and self.renderer is not None:
            site_dir = Path(config.site_dir)
            write_exports(self.model, self.renderer.urls, config.site_url, site_dir)
            write_feed(
                self.model.analysis,
                self.renderer.urls,
                config.site_url,
                config.site_name,
                site_dir,
            )

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.project_config is not None:
            server.watch(str(self.project_config.paths.incidents_dir))
        return server


def _add(files: Files, file: File) -> None:
    """Add a generated file, in place of one at the same path."""
    _remove(files, file.src_uri)
    files.append(file)


def _remove(files: Files, src: str) -> None:
    """Take out a file that a generated file replaces, saying so when it is the user's."""
    existing = files.get_file_from_path(src)
    if existing is not None:
        if existing.generated_by is None:
            log.warning(
                f"{src} in the docs folder is replaced by the file incident-loop generates; "
                "move its text elsewhere (an index.md of the catalogue folders is kept)"
            )
        files.remove(existing)
