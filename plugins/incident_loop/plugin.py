"""The MkDocs plugin ``incident-loop``: an adapter from MkDocs events to the core.

``on_config`` reads the options, ``on_files`` loads, validates and analyses the project once per
build, adds the generated pages and writes the ``api/`` exports; ``on_page_read_source`` gives an
incident page its markdown when MkDocs reads it, ``on_page_markdown`` adds the generated
sections to the hand-written catalogue pages, and ``on_serve`` watches the incidents folder.

Under ``mkdocs serve`` (``on_startup``) a problem in the sources does not stop the server: the
files with errors are left out and every page shows the problems (:data:`PROBLEMS_JS`). Under
``mkdocs serve --dirty`` a rebuild makes again only the pages whose markdown changed: the plugin
keeps the incident files it read and a digest of each generated page's markdown between
rebuilds, and marks the pages that differ (:mod:`.dirty`).
"""

from __future__ import annotations

import functools
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from .config import IncidentLoopConfig, settings_from_config
from .core.analyse import IncidentFacts
from .core.project import check_project, edit_url
from .core.settings import ProjectConfig, ProjectPaths, SettingsError
from .core.sources import SourceCache
from .dirty import DirtyRebuilds, MarkedFile
from .site import finished
from .site.exports import EXPORTS, NO_SITE_URL, export_inputs, write_exports
from .site.feed import FEED, feed_inputs, write_feed
from .site.model import SiteModel
from .site.render import (
    ASSET_CSS,
    ASSET_FORM_JS,
    ASSET_JS,
    PROBLEMS_JS,
    Renderer,
    environment,
    insert_section,
    meta_tags,
    meta_title,
    problems_script,
)
from .site.urls import CATALOGUE_KINDS, Urls, incident_src

log = get_plugin_logger("incident-loop")

#: mkdocs-macros logs its set-up at INFO level on every build: that it found the pluglet
#: ``incident_loop.macros``, its functions, its variables, macros and filters. Seven lines of
#: set-up per build drown what the build says; those lines are dropped, its warnings are not.
_MACROS_LOGGER = "mkdocs.plugins.mkdocs_macros.util"
_MACROS_SET_UP = (
    "Preinstalled modules:",
    "Found external Python module 'incident_loop.macros'",
    "Functions found:",
    "No default module `main` found",
    "Config variables:",
    "Config macros:",
    "Config filters:",
)


class _QuietMacrosSetUp(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO:
            return True
        message = record.getMessage()
        return not any(phrase in message for phrase in _MACROS_SET_UP)


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
        #: The finished HTML taken out of each page's markdown, put back into its built page.
        self.finished: dict[str, list[str]] = {}
        self._reset_serve_state()

    def _reset_serve_state(self) -> None:
        """What ``mkdocs serve`` keeps between rebuilds; MkDocs keeps this instance for the
        whole process once it has ``on_startup``, so each command starts afresh."""
        #: ``on_startup``: ``mkdocs serve`` (not ``--clean``), and with ``--dirty``.
        self.serving = False
        #: The incident files read by the last rebuild, by path (serve only).
        self.sources = SourceCache()
        self.rebuilds = DirtyRebuilds()
        self.files: Files | None = None
        #: The theme's templates, compiled by the first build (serve only, :meth:`on_env`).
        self.theme_code = CompiledTemplates()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        macros_log = logging.getLogger(_MACROS_LOGGER)
        if not any(isinstance(f, _QuietMacrosSetUp) for f in macros_log.filters):
            macros_log.addFilter(_QuietMacrosSetUp())
        self._reset_serve_state()
        self.serving = command == "serve"
        self.rebuilds = DirtyRebuilds(active=dirty and self.serving)

    def on_shutdown(self) -> None:
        self._reset_serve_state()

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
        assets = [
            (config.extra_css, ASSET_CSS),
            (config.extra_javascript, ASSET_JS),
            (config.extra_javascript, ASSET_FORM_JS),
        ]
        if self.serving:
            assets.append((config.extra_javascript, PROBLEMS_JS))
        for target, asset in assets:
            if asset not in target:
                target.append(asset)
        if not self.config.repo_facts and config.theme.name == "material":
            # Our partials/source.html, after the user's custom_dir (theirs wins) and before
            # Material's: the header links to the repository without asking api.github.com.
            theme_dir = str(resources.files("incident_loop") / "theme")
            if theme_dir not in config.theme.dirs:
                position = 1 if config.theme.custom_dir else 0
                config.theme.dirs.insert(position, theme_dir)
        return config

    # Last: other plugins have added their files, and ours replace nothing unexpectedly.
    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.project_config is not None
        try:
            result = check_project(self.project_config, self.sources if self.serving else None)
        except SettingsError as exc:
            raise PluginError(f"incident-loop: {exc}") from None
        for diagnostic in result.diagnostics:
            (log.error if diagnostic.level == "error" else log.warning)(diagnostic.text())
        errors = sum(1 for d in result.diagnostics if d.level == "error")
        if errors and not self.serving:
            raise PluginError(
                f"incident-loop: {errors} error{'s' if errors != 1 else ''} in the incident "
                "sources (listed above); fix them, `incident-loop check` shows them too"
            )
        if errors:
            log.error(
                f"incident-loop: {errors} error{'s' if errors != 1 else ''} in the sources "
                "(listed above): the files with errors are left out of the site and every page "
                "shows the problems until they are fixed"
            )
        self.model = SiteModel.build(result.project, result.analysis)
        self.finished = {}
        docs_pages = {f.src_uri for f in files.documentation_pages()}
        self.renderer = Renderer(
            self.env, self.model, Urls(config.use_directory_urls), docs_pages=docs_pages
        )
        self.user_indexes = {
            src
            for kind in CATALOGUE_KINDS
            if (src := self.renderer.catalogue_src(kind, "")) in docs_pages
        }
        # Under `serve --dirty` only the pages whose markdown changed are made again.
        self.rebuilds.begin(self.renderer, docs_pages, config.config_file_path)
        index_pages = self.rebuilds.index_pages(
            self.renderer.index_plan(user_indexes=self.user_indexes)
        )
        for page in index_pages:
            # A `nav:` written before the form and the peak page existed does not list them: no
            # "not in the nav" warning for them then (`omitted_files: warn` makes that fail
            # --strict); without a `nav:` they are in the automatic one. Later pages of the
            # log, register and backlog are reached from their first page, never from the nav.
            hidden = page.nav == "never" or (page.nav == "optional" and config.nav is not None)
            inclusion = InclusionLevel.NOT_IN_NAV if hidden else InclusionLevel.UNDEFINED
            page_file = MarkedFile.generated(
                config, page.src, content=page.content, inclusion=inclusion
            )
            self.rebuilds.mark(page_file, page.content)
            _add(files, page_file)
        # An incident's page is backed by its file and made when MkDocs reads it; it stays
        # out of the navigation, which Material renders into every page.
        self.incident_pages = {
            incident_src(f.id): f for f in self.model.analysis.incidents.values()
        }
        for src, facts in self.incident_pages.items():
            page_file = MarkedFile.generated(
                config,
                src,
                abs_src_path=facts.record.source.path,
                inclusion=InclusionLevel.NOT_IN_NAV,
            )
            self.rebuilds.mark_incident(
                page_file, facts, self.renderer, functools.partial(self._incident_markdown, facts)
            )
            _add(files, page_file)
        files = self.rebuilds.mark_hand_written_pages(files, self.renderer, self.user_indexes)
        root = self.project_config.paths.root
        for src, path in self.renderer.published_files().items():
            _add(files, File.generated(config, src, abs_src_path=str(root / path)))
        for name in (*EXPORTS, FEED):  # written by on_post_build
            _remove(files, name)
        for asset in (ASSET_CSS, ASSET_JS, ASSET_FORM_JS):
            name = asset.rsplit("/", 1)[-1]
            content = (resources.files("incident_loop.site") / "assets" / name).read_text("utf-8")
            _add(files, File.generated(config, asset, content=content))
        if self.serving:
            problems = [d.text() for d in result.diagnostics]
            script = problems_script(self.env, problems, errors)
            _add(files, File.generated(config, PROBLEMS_JS, content=script))
        self.files = files
        return files

    def _incident_markdown(self, facts: IncidentFacts) -> str:
        assert self.renderer is not None and self.project_config is not None
        url = edit_url(self.project_config, facts.record.source.rel)
        return self.renderer.incident_markdown(facts, url)

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        facts = self.incident_pages.get(page.file.src_uri)
        if facts is None or self.renderer is None or self.project_config is None:
            return None
        pending = self.rebuilds.pending.pop(page.file.src_uri, None)
        return pending if pending is not None else self._incident_markdown(facts)

    # First, before mkdocs-macros (0) and Material's tags plugin (-50) read the front matter.
    @event_priority(100)
    def _escape_front_matter(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """The theme and the tags plugin print these keys unescaped: make them safe text on
        every catalogue page, as on the generated pages (a runbook's `title` is also its page
        title); the tags as on incident pages, so that one tag on both is one tag."""
        if self.renderer is None or page.file.generated_by is not None:
            return markdown
        if not self.renderer.is_catalogue_page(page.file.src_uri, self.user_indexes):
            return markdown
        for key in ("title", "description", "subtitle"):
            if key in page.meta:
                page.meta[key] = meta_title(str(page.meta[key]))
        tags = page.meta.get("tags")
        if isinstance(tags, list):  # anything else is Material's to report
            page.meta["tags"] = meta_tags(tags)
        return markdown

    # After mkdocs-macros (priority 0) has rendered the page: the generated sections hold
    # front-matter text, which must never be evaluated as a template.
    @event_priority(-50)
    def _add_catalogue_section(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.renderer is None or page.file.generated_by is not None:
            return markdown
        section = self.rebuilds.sections.pop(page.file.src_uri, None)  # made while marking
        if section is None:
            section = self.renderer.catalogue_section(page.file.src_uri, self.user_indexes)
        if section is None:
            return markdown
        return insert_section(markdown, section)

    # Last, once the page's markdown is whole: its finished HTML skips Markdown.
    @event_priority(-100)
    def _lift_finished_html(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        markdown, blocks = finished.lift(markdown)
        if blocks:
            self.finished[page.file.src_uri] = blocks
        return markdown

    on_page_markdown = CombinedEvent(
        _escape_front_matter, _add_catalogue_section, _lift_finished_html
    )

    # First, so that other plugins and the search index get the whole page.
    @event_priority(100)
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        blocks = self.finished.pop(page.file.src_uri, [])
        if blocks and page.present_anchor_ids is not None:
            page.present_anchor_ids |= finished.anchor_ids(blocks)
        return finished.put_back(html, blocks)

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        self.rebuilds.made_urls.add(page.url)
        facts = self.incident_pages.get(page.file.src_uri)
        if facts is not None and self.project_config is not None:
            page.edit_url = edit_url(self.project_config, facts.record.source.rel)
        return context

    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        # Serve loads the configuration, and with it a new theme environment, for every rebuild:
        # without this, each rebuild compiled Material's ~40 templates again (0.2 s).
        if self.serving and env.bytecode_cache is None:
            env.bytecode_cache = self.theme_code
        self.files = files  # the build's pages, after every plugin's on_files
        return env

    # Before Material's search (priority 0) merges its index into the last one.
    @event_priority(50)
    def _whole_search_index(self, *, config: MkDocsConfig) -> None:
        """Under ``serve --dirty``, gives Material's search the whole index to write: its own
        merge of a rebuild into the last index assumes that one page was made (see
        :meth:`DirtyRebuilds.search_entries`). Outside ``--dirty`` search indexes every page."""
        if not self.rebuilds.active or self.files is None:
            return
        search = _material_search(config)
        if search is None or search.search_index_prev is None:  # None: a first build
            return
        served = search.search_index_prev
        made = search.search_index
        made.entries = self.rebuilds.search_entries(served.entries, made.entries, self.files)
        search.search_index_prev = None  # Material writes the entries as they are

    def _write_exports(self, *, config: MkDocsConfig) -> None:
        # A dirty rebuild keeps each export of the last build while what it shows is the same.
        if self.model is not None and self.renderer is not None:
            keys, site_url, site_name = self.renderer.keys, config.site_url, config.site_name
            changed = self.rebuilds.exports(
                export_inputs(self.model, keys, site_url)
                | feed_inputs(self.model.analysis, keys, site_url, site_name)
            )
            if "api/actions.csv" in changed and not site_url:
                log.info(f"api/actions.csv: {NO_SITE_URL}")
            site_dir = Path(config.site_dir)
            urls = self.renderer.urls
            write_exports(self.model, urls, site_url, site_dir, only=changed)
            if FEED in changed:
                write_feed(self.model.analysis, urls, site_url, site_name, site_dir)

    # Last: when any step of on_post_build fails (Material writing its index, say), the build
    # is not finished and the next one makes every page again.
    @event_priority(-100)
    def _finish(self, *, config: MkDocsConfig) -> None:
        self.rebuilds.finish(self.files, config.site_dir)
        self.files = None

    on_post_build = CombinedEvent(_whole_search_index, _write_exports, _finish)

    def on_build_error(self, *, error: Exception) -> None:
        self.rebuilds.failed(self.files)
        self.files = None

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.project_config is not None:
            server.watch(str(self.project_config.paths.incidents_dir))
        if not self.rebuilds.active:
            log.info(
                "incident-loop: every save rebuilds every page; `mkdocs serve --dirty` makes "
                "again only the pages a save changes"
            )
        return server


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the life of ``mkdocs serve``. Jinja keys each one by
    its name and file and checks it against a checksum of the source, so a template edited
    under ``serve --watch-theme`` is compiled again; the key here also holds what Jinja bakes
    into the code from the environment, so a plugin that changes the theme's syntax or
    extensions while serving gets templates compiled for them."""

    def __init__(self) -> None:
        self.code: dict[tuple[str, tuple[object, ...]], bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(_compiled_key(bucket))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[_compiled_key(bucket)] = bucket.bytecode_to_string()


def _compiled_key(bucket: jinja2.bccache.Bucket) -> tuple[str, tuple[object, ...]]:
    env = bucket.environment
    return bucket.key, (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        tuple(sorted(env.extensions)),
        env.optimized,
        env.is_async,
        env.finalize,
        env.autoescape,
        env.code_generator_class,
    )


def _material_search(config: MkDocsConfig) -> Any | None:
    """Material's search plugin, when it is on and keeps its index as this plugin knows it
    (``search_index.entries`` and ``search_index_prev``, Material 9); else None."""
    try:
        from material.plugins.search.plugin import SearchPlugin  # type: ignore[import-untyped]
    except ImportError:
        return None
    for plugin in config.plugins.values():
        if (
            isinstance(plugin, SearchPlugin)
            and plugin.config.enabled
            and isinstance(getattr(getattr(plugin, "search_index", None), "entries", None), list)
            and hasattr(plugin, "search_index_prev")
        ):
            return plugin
    return None


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
