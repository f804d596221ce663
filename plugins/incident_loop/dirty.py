"""What ``mkdocs serve --dirty`` keeps between rebuilds, so that a save makes again only the pages
whose markdown changed (issue 19).

MkDocs' dirty build asks each file :meth:`File.is_modified`, which compares the times of the
source and the built page: it cannot see that an edit to one incident changes the log, its
partner's page or the incidents that link to it, and it always rebuilds generated text. The
plugin therefore gives its pages a :class:`MarkedFile` and, with :class:`DirtyRebuilds`, marks
each one changed when its markdown differs from the last build's (a digest of each is kept).
Making that markdown is skipped while what a page shows is the same, compared as the values of
:meth:`Renderer.incident_inputs`, :meth:`Renderer.shared_inputs`, the inputs of each
:class:`Planned` index page and catalogue section, and :meth:`Renderer.model_inputs` for those
made from the whole model.

This is an adapter module beside ``plugin.py``: the core and the site layer know nothing of it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from mkdocs.structure.files import File, Files, InclusionLevel

from .core.analyse import IncidentFacts
from .site.render import GeneratedPage, Planned, Renderer

T = TypeVar("T")
#: An entry of Material's search index: ``location`` (a page's URL and maybe ``#anchor``),
#: ``title``, ``text`` and others.
SearchEntry = dict[str, object]


class MarkedFile(File):
    """A page that a dirty rebuild makes again only when :class:`DirtyRebuilds` says its
    markdown changed; in any other build it is made, as every page is."""

    changed: bool = True

    def is_modified(self) -> bool:
        # A hand-written page is also made again when its own file is newer than the page.
        return self.changed or (self._content is None and super().is_modified())


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@dataclass
class _Build:
    """What one build made and compared; the next build compares its own with these."""

    #: The digest of each page's markdown, by source path (``section:<src>`` for the
    #: generated sections of a catalogue page).
    digests: dict[str, str] = field(default_factory=dict)
    #: What every page depends on besides: the docs pages, mkdocs.yml's time, today.
    frame: object = None
    #: What each incident page showed, by source path, and what all of them show.
    incident_inputs: dict[str, object] = field(default_factory=dict)
    shared: object = None
    #: What the index pages and catalogue sections showed: all of them (the model), each
    #: index page with its inputs, and each section's inputs, by source path.
    model: object = None
    index_pages: dict[str, tuple[object, GeneratedPage]] = field(default_factory=dict)
    section_inputs: dict[str, object] = field(default_factory=dict)
    #: What each export (``api/`` and the feed) showed, by its path in the site.
    exports: dict[str, object] = field(default_factory=dict)


class DirtyRebuilds:
    """The state of one ``mkdocs serve --dirty`` process: what the last successful build
    served, and what the build under way makes. With ``active`` false (a build, or a serve
    without ``--dirty``) every page is marked changed and nothing is kept."""

    def __init__(self, active: bool = False) -> None:
        self.active = active
        #: What the last successful build made and compared.
        self.served = _Build()
        #: The built page of each documentation page, to remove those of deleted sources.
        self.built_pages: dict[str, str] = {}
        self._begin_build()

    def _begin_build(self) -> None:
        self.building = _Build()
        #: ``begin`` ran and neither ``finish`` nor ``failed`` has yet.
        self.under_way = False
        self.same_project = False
        self.same_model = False
        #: Incident markdown and catalogue sections made while marking, for the pages that are
        #: made again, by source path; taken by the plugin when MkDocs reads those pages.
        self.pending: dict[str, str] = {}
        self.sections: dict[str, str] = {}
        #: The URLs of the pages this build made (MkDocs gave each to the theme).
        self.made_urls: set[str] = set()

    def begin(
        self, renderer: Renderer, docs_pages: Collection[str], config_file: str | None
    ) -> None:
        """A build starts (``on_files``): note what every page depends on."""
        self._begin_build()
        if not self.active:
            return
        self.under_way = True
        self.building.frame = (frozenset(docs_pages), _mtime(config_file), renderer.analysis.today)
        self.building.shared = renderer.shared_inputs()
        self.same_project = (
            self.served.frame == self.building.frame and self.served.shared == self.building.shared
        )
        self.building.model = renderer.model_inputs()
        self.same_model = self.same_project and self.building.model == self.served.model

    def index_pages(self, plan: list[Planned[GeneratedPage]]) -> list[GeneratedPage]:
        """The generated index pages: each one of the last build while what it shows is the
        same, else made now."""
        pages = []
        for planned in plan:
            kept = self.served.index_pages.get(planned.src)
            if kept is None or not self.same_model:  # else nothing any page shows changed
                inputs = self._inputs(planned)
                if kept is None or not self._same(planned, kept[0], inputs):
                    kept = (inputs, planned.make())
            if self.active:
                self.building.index_pages[planned.src] = kept
            pages.append(kept[1])
        return pages

    def _inputs(self, planned: Planned[T]) -> object:
        return planned.inputs() if self.active and planned.inputs is not None else None

    def _same(self, planned: Planned[T], served_inputs: object, inputs: object) -> bool:
        """Whether a planned page or section shows what it showed in the last build."""
        if planned.inputs is None:
            return self.same_model
        return self._same_inputs(served_inputs, inputs)

    def _same_inputs(self, served_inputs: object, inputs: object) -> bool:
        """Whether inputs compared equal show the same: only in the same frame and project."""
        return self.same_project and served_inputs == inputs

    def exports(self, inputs: dict[str, Callable[[], object]]) -> list[str]:
        """The exports to write (``on_post_build``): those whose inputs differ from the last
        build's, or all of them outside ``serve --dirty``."""
        if not self.active:
            return list(inputs)
        if self.same_model:  # nothing any export shows changed
            self.building.exports = self.served.exports
            return []
        changed = []
        for name, shown in inputs.items():
            value = self.building.exports[name] = shown()
            if name not in self.served.exports or not self._same_inputs(
                self.served.exports[name], value
            ):
                changed.append(name)
        return changed

    def mark(self, page_file: File, markdown: str) -> bool:
        """Whether the page (a :class:`MarkedFile`) must be made again, noted on its file."""
        assert isinstance(page_file, MarkedFile)
        if not self.active:
            page_file.changed = True
            return True
        digest = _digest(markdown)
        self.building.digests[page_file.src_uri] = digest
        page_file.changed = self._differs(page_file.src_uri)
        return page_file.changed

    def _differs(self, key: str) -> bool:
        """Whether the page (or sections) noted under ``key`` differ from the last build's."""
        return (
            self.served.frame != self.building.frame
            or self.served.digests.get(key) != self.building.digests[key]
        )

    def mark_incident(
        self,
        page_file: File,
        facts: IncidentFacts,
        renderer: Renderer,
        markdown: Callable[[], str],
    ) -> None:
        """Mark an incident's page: unchanged when what it shows is the same as in the last
        build, else made now (``markdown()``) and compared by its markdown."""
        if not self.active:
            return
        assert isinstance(page_file, MarkedFile)
        src = page_file.src_uri
        inputs = renderer.incident_inputs(facts)
        self.building.incident_inputs[src] = inputs
        if (
            self.same_project
            and src in self.served.digests
            and self.served.incident_inputs.get(src) == inputs
        ):
            self.building.digests[src] = self.served.digests[src]
            page_file.changed = False
            return
        text = markdown()
        if self.mark(page_file, text):
            self.pending[src] = text

    def mark_hand_written_pages(
        self, files: Files, renderer: Renderer, user_indexes: Collection[str]
    ) -> Files:
        """The hand-written pages, as :class:`MarkedFile`: a catalogue page changed when its
        generated sections did, any other page whenever any page changed (it may show numbers
        through the macros, and Material's tags listing must read every page with tags)."""
        if not self.active:
            return files
        sections: dict[str, str] = {}
        for page_file in files.documentation_pages():
            src = page_file.src_uri
            planned = None
            if page_file.generated_by is None:
                planned = renderer.catalogue_section_plan(src, user_indexes)
            if planned is None:
                continue
            key = "section:" + src
            served = self.served.section_inputs.get(src)
            inputs = served if self.same_model else self._inputs(planned)
            self.building.section_inputs[src] = inputs
            if key in self.served.digests and self._same(planned, served, inputs):
                self.building.digests[key] = self.served.digests[key]
                continue
            sections[src] = planned.make()
            self.building.digests[key] = _digest(sections[src])
        any_change = (
            self.served.frame != self.building.frame
            or self.served.digests.keys() != self.building.digests.keys()
            or any(
                self.served.digests.get(src) != digest
                for src, digest in self.building.digests.items()
            )
        )
        result = []
        for page_file in files:
            if page_file.generated_by is None and page_file.is_documentation_page():
                src = page_file.src_uri
                key = "section:" + src
                marked = MarkedFile(
                    page_file.src_path,
                    page_file.src_dir,
                    page_file.dest_dir,
                    page_file.use_directory_urls,
                    dest_uri=page_file.dest_uri,
                    inclusion=page_file.inclusion,
                )
                if key in self.building.digests:
                    marked.changed = self._differs(key)
                else:
                    marked.changed = any_change
                if marked.changed and src in sections:
                    self.sections[src] = sections[src]
                page_file = marked
            result.append(page_file)
        return Files(result)

    def search_entries(
        self, served: list[SearchEntry], made: list[SearchEntry], files: Files
    ) -> list[SearchEntry]:
        """The whole search index after this build: the served entries of each page that is
        still a page and was not made again, then the entries of the pages made now.

        Material's search merges a dirty rebuild's entries into the last index on the belief
        that one page was made: it drops the entries under the first made page's URL only, so
        the other made pages were listed twice, and when that page was the home page (URL
        ``""``, a prefix of every URL) the index kept the made pages alone."""
        # ``serve`` makes draft pages too (MkDocs' ``is_in_serve``), and Material indexes them.
        pages = {
            f.page.url
            for f in files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
            if f.page is not None
        }
        kept = [
            entry
            for entry in served
            if (url := str(entry.get("location", "")).partition("#")[0]) in pages
            and url not in self.made_urls
        ]
        return kept + made

    def finish(self, files: Files | None, site_dir: str) -> None:
        """The build succeeded (``on_post_build``): keep what it made for the next one, and
        remove the built pages of deleted or renamed sources, which a fresh build has not."""
        if self.active and files is not None:
            pages = _built_pages(files)
            for src in self.built_pages.keys() - pages.keys():
                _remove_built_page(self.built_pages[src], site_dir)
            self.built_pages = pages
            self.served = self.building
        self._begin_build()

    def failed(self, files: Files | None) -> None:
        """The build under way stopped on an error (``on_build_error``). It may have written
        some of its pages, which the last successful build's digests no longer describe: the
        next build therefore makes every page again, as the first one did, and removes those
        of its pages whose source is gone by then."""
        if self.under_way:
            self.served = _Build()
            if files is not None:
                self.built_pages.update(_built_pages(files))
        self._begin_build()


def _built_pages(files: Files) -> dict[str, str]:
    """The built page of each documentation page, by source path."""
    return {f.src_uri: f.abs_dest_path for f in files.documentation_pages()}


def _mtime(path: str | None) -> int | None:
    try:
        return os.stat(path).st_mtime_ns if path else None
    except OSError:
        return None


def _remove_built_page(path: str, site_dir: str) -> None:
    """Remove a built page and the folders it leaves empty, inside ``site_dir`` only."""
    site = Path(site_dir).resolve()
    page = Path(path).resolve()
    if not page.is_relative_to(site):
        return
    page.unlink(missing_ok=True)
    folder = page.parent
    while folder != site and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
