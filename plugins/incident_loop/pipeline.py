"""Load, validate and analyse a project in one call: what every adapter runs first."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .ahead import Ahead, available
from .analyse import Analysis, analyse
from .diagnostics import Diagnostic, sort_diagnostics
from .load import NOT_INCIDENTS, SourceFile, file_stamp, find_markdown, read_markdown, walk_files
from .settings import ProjectConfig, ProjectPaths
from .validate import Project, load_project


@dataclass
class CheckResult:
    project: Project
    analysis: Analysis
    #: Errors of the sources and warnings of the decision rule, in file and line order.
    diagnostics: list[Diagnostic]

    @property
    def has_errors(self) -> bool:
        return any(d.level == "error" for d in self.diagnostics)

    @property
    def has_warnings(self) -> bool:
        return any(d.level == "warning" for d in self.diagnostics)


_last: tuple[tuple[object, ...], CheckResult] | None = None


def check_project(
    config: ProjectConfig, *, reuse: bool = True, ahead: Ahead[str] | None = None
) -> CheckResult:
    """Load, validate and analyse; the last result is reused while no source file changed.

    ``reuse=False`` is for a process that checks the project once (``mkdocs build``, the
    command line): nothing is looked up or kept for a next run, and the raw YAML of each
    incident is let go as soon as the file is checked (:meth:`SourceFile.release`), which
    leaves the validated records as the only copy. Such a run reads the incident files with
    a second process where that helps: ``ahead`` (from :func:`read_ahead`, started earlier
    by the caller) or one started here. ``mkdocs serve`` keeps it all: an unchanged file is
    then checked again without being read.
    """
    global _last
    key = None
    try:
        if reuse:
            key = (config, config.settings.current_date(), _signature(config.paths))
            if _last is not None and _last[0] == key:
                return _last[1]
        elif ahead is None:
            ahead = read_ahead(config)
        with _without_cycle_collection():
            project = load_project(config, cache=reuse, ahead=ahead)
            analysis = analyse(project)
    finally:
        if ahead is not None:
            ahead.close()
    diagnostics = sort_diagnostics(project.diagnostics + analysis.warnings)
    result = CheckResult(project, analysis, diagnostics)
    if key is not None:
        _last = (key, result)
    return result


def read_ahead(config: ProjectConfig) -> Ahead[str] | None:
    """Start reading the project's incident files in a second process, where that helps.

    The child reads them from the last to the first while :func:`load_project` reads them from
    the first; where the two meet, every file has been read once (see :mod:`.ahead`). Started
    by the plugin as the build begins, the child has read most files by the time MkDocs has
    listed its own (about 0.6 s at N=1,000). ``None`` where a second process cannot help (see
    :func:`ahead.available`).
    """
    paths = config.paths
    if not paths.incidents_dir.is_dir():
        return None
    files = [
        os.fspath(path)
        for path, refusal in find_markdown(paths.incidents_dir, paths.root, skip=NOT_INCIDENTS)
        if refusal is None
    ]
    if not available(len(files)):
        return None
    max_size = config.settings.max_file_size

    def read(path: str) -> SourceFile:
        return read_markdown(Path(path), paths.relative(Path(path)), max_size, cache=False)

    try:
        return Ahead(reversed(files), read)
    except OSError:  # no temporary file, or no fork: read them all here
        return None


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while the project is read, and restored after.

    Reading creates hundreds of thousands of containers and no reference cycles; each
    collection on the way walks every object made so far for nothing (at N=1,000: 1.06 ->
    0.96 s of CPU for ``check_project``; at N=5,000: 5.41 -> 5.18 s). Memory is freed by
    reference counting as before.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _signature(paths: ProjectPaths) -> tuple[tuple[str, tuple[int, int, int, int]], ...]:
    """What identifies the content of every source file (see :func:`load.file_stamp`)."""
    entries = []
    folders = [paths.incidents_dir, paths.integrations_dir, paths.sites_dir, paths.runbooks_dir]
    for folder in folders:
        for current, dirnames, filenames in walk_files(folder):
            for name in filenames:
                path = os.path.join(current, name)
                try:
                    entries.append((path, file_stamp(path)))
                except OSError:
                    continue
            if folder != paths.incidents_dir:
                dirnames[:] = []  # catalogue folders are read one level deep
    return tuple(entries)


def edit_url(config: ProjectConfig, source: str) -> str | None:
    """The repository URL that edits ``source`` (a path from the project root, with ``/``).

    Derived from ``repo_url`` and ``edit_uri``.

    ``edit_uri`` points into the docs folder (``edit/main/docs/``); incidents live beside it, so
    the docs folder part is replaced by the file's path from the project root.
    """
    edit_uri = config.edit_uri
    if edit_uri is None:
        github = bool(config.repo_url) and "github.com" in (config.repo_url or "")
        edit_uri = "edit/master/docs/" if github else ""
    absolute = bool(urlsplit(edit_uri).scheme)
    if not edit_uri or (not absolute and not config.repo_url):
        return None
    paths = config.paths
    docs = paths.relative(paths.docs_dir).strip("/")
    base = edit_uri.rstrip("/")
    if docs and base.endswith("/" + docs):
        base = base[: -len(docs) - 1]
    elif base == docs:
        base = ""
    prefix = "" if absolute else (config.repo_url or "").rstrip("/") + "/"
    base = base.strip("/") if not absolute else base
    return prefix + (base + "/" if base else "") + source
