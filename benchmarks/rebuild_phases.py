#!/usr/bin/env python3
"""Where the time of one ``mkdocs serve --dirty`` rebuild goes (issue 19).

    python benchmarks/rebuild_phases.py N {title,field,body,new,partner} [--keep DIR] [--repeat K]

Generates a project of N incidents (``generate.py N DIR --no-baseline``), builds it the way
``mkdocs serve --dirty`` does (one process, the plugins kept, ``dirty=True``), makes an edit of
the given kind (``serve_latency.edit``, the edits whose served latency that script measures;
``--repeat K`` edits, each to another incident and each followed by a rebuild), rebuilds, and
prints the wall seconds of each rebuild and the median of its steps: MkDocs' (reading and
rendering pages, the theme's templates, search) and the plugin's (the check, the site model, the
index pages and catalogue sections made to compare them, the exports), with the configuration
loaded again as serve does, the Jinja templates compiled, and the pauses of the cycle collector
(``gc.callbacks``). Steps nest (``on_files`` holds the check, a collection lands in whichever
step is running), so the rows add up to more than the rebuild. No profiler, so the seconds are
real ones; run it on an idle machine. Only for reading: nothing is checked.

To compare two versions of the plugin, run it with ``PYTHONPATH`` pointing at each one's
``plugins`` folder, in turns, on the same machine (the machine is shared: its speed drifts).
"""

from __future__ import annotations

import argparse
import collections
import functools
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import serve_latency  # noqa: E402  (the edits: the same as the served latency's)

SERVE_URL = "http://127.0.0.1:8000/"

seconds: dict[str, float] = collections.defaultdict(float)
calls: collections.Counter[str] = collections.Counter()


def _timed(owner: Any, name: str, label: str) -> None:
    function: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[label] += time.perf_counter() - start
            calls[label] += 1

    setattr(owner, name, timed)


def _instrument() -> None:
    import jinja2
    from material.plugins.search import plugin as search
    from mkdocs.commands import build

    from incident_loop import dirty, plugin
    from incident_loop.site import model, render

    for owner, name, label in (
        (build, "_populate_page", "MkDocs: read and convert pages"),
        (build, "_build_page", "MkDocs: render pages with the theme"),
        (build, "_build_theme_template", "MkDocs: 404.html and sitemap.xml"),
        (search.SearchPlugin, "on_page_context", "search: index pages"),
        (search.SearchPlugin, "on_post_build", "search: write the index"),
        (plugin.IncidentLoopPlugin, "on_files", "plugin: on_files"),
        (plugin, "check_project", "plugin: check_project"),
        (model.SiteModel, "build", "plugin: SiteModel.build"),
        (dirty.DirtyRebuilds, "index_pages", "plugin: index pages compared or made"),
        (render.Renderer, "_page", "plugin: index pages made"),
        (dirty.DirtyRebuilds, "mark_incident", "plugin: incident pages compared"),
        (dirty.DirtyRebuilds, "mark_hand_written_pages", "plugin: catalogue sections compared"),
        (plugin, "write_exports", "plugin: api/ exports"),
        (plugin, "write_feed", "plugin: feed.xml"),
        (jinja2.Environment, "compile", "Jinja: compile templates"),
    ):
        _timed(owner, name, label)
    gc.callbacks.append(_collections)


_collection_started: dict[int, float] = {}


def _collections(phase: str, info: dict[str, int]) -> None:
    """Counts the cycle collector's pauses, which land in whichever step is running."""
    generation = info["generation"]
    if phase == "start":
        _collection_started[generation] = time.perf_counter()
    elif generation in _collection_started:
        label = f"GC: generation {generation} collections"
        seconds[label] += time.perf_counter() - _collection_started.pop(generation)
        calls[label] += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("kind", choices=serve_latency.KINDS)
    parser.add_argument("--keep", type=Path, help="make the project under this folder")
    parser.add_argument(
        "--repeat", type=int, default=1, help="edits, each followed by a rebuild (medians)"
    )
    args = parser.parse_args(argv)
    project = Path(tempfile.mkdtemp(prefix=f"rebuild-{args.n}-", dir=args.keep)) / "project"
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), str(args.n), str(project), "--no-baseline"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    _instrument()

    def config() -> Any:
        return load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))

    files = sorted((project / "incidents").rglob("*.md"))
    first = config()
    first.plugins.on_startup(command="serve", dirty=True)
    build(first, serve_url=SERVE_URL, dirty=True)
    runs: list[dict[str, float]] = []
    for index in range(args.repeat):
        serve_latency.edit(project, args.kind, index, files).write()
        seconds.clear()
        calls.clear()
        start = time.perf_counter()
        again = config()  # serve loads the configuration again; MkDocs keeps the plugins
        seconds["MkDocs: load the configuration again"] = time.perf_counter() - start
        calls["MkDocs: load the configuration again"] = 1
        build(again, serve_url=SERVE_URL, dirty=True)
        runs.append({"rebuild": time.perf_counter() - start, **seconds})
        print(
            f"N={args.n}, {args.kind} edit {index + 1}: the rebuild took {runs[-1]['rebuild']:.2f} s"
        )
    if args.repeat > 1:
        print(
            f"median of {args.repeat} rebuilds: {statistics.median(r['rebuild'] for r in runs):.2f} s"
        )
    labels = sorted({label for run in runs for label in run} - {"rebuild"})
    medians = {label: statistics.median(run.get(label, 0.0) for run in runs) for label in labels}
    for label, value in sorted(medians.items(), key=lambda item: -item[1]):
        print(f"  {label:<40} {value:6.2f} s  ({calls[label]} calls in the last)")
    first.plugins.on_shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
