#!/usr/bin/env python3
"""Where the build time goes: per plugin event, per function, and the biggest generated pages.

    python benchmarks/profile_build.py N [--project incident-loop|baseline|blog] [--light]
                                         [--seed S] [--top 25] [--prof FILE] [--workdir DIR]
                                         [--no-profile]

Generates an incident-loop project with N incidents (``generate.py``; ``--light``: the light
pages), then builds it once in a
child process under cProfile, with every plugin event method timed on its own. Prints:

1. seconds per (event, plugin), so the cost of incident-loop is separated from MkDocs, Material's
   search and tags, and mkdocs-macros;
2. the top functions by cumulative time, and the functions of ``incident_loop`` by own time;
3. the largest pages of the built site (a page of N rows costs Markdown, search and the theme
   time in proportion to its size).

Run it at two sizes (say 1000 and 2000) and compare: a line whose time grows by more than the
ratio of the sizes is the super-linear step. cProfile slows the build down about twice; the
ratios between lines are what matter. With ``--no-profile`` the build runs without cProfile and
the CPU seconds are real: per event, Markdown's conversion, the theme's templates for incident
pages and for the other pages, and Python's garbage collector; compare with ``--project
baseline``.

The build is started like ``mkdocs build`` starts it (``on_startup`` with ``command="build"``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _rss_mib(field: str = "VmRSS") -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def child(config: str, site: str, prof: str, top: int) -> int:
    """In the child: patch the plugin events with timers, build under cProfile, print."""
    import mkdocs.plugins
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    spent: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    memory: dict[tuple[str, str], float] = {}
    original = mkdocs.plugins.PluginCollection._register_event

    def register(self: Any, event_name: str, method: Any, plugin_name: str | None = None) -> None:
        if isinstance(method, mkdocs.plugins.CombinedEvent):
            original(self, event_name, method, plugin_name=plugin_name)
            return
        key = (event_name, plugin_name or "?")

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                entry = spent[key]
                entry[0] += time.perf_counter() - start
                entry[1] += 1
                if event_name in ("files", "nav", "post_build") and key not in memory:
                    memory[key] = _rss_mib()

        timed.mkdocs_priority = getattr(method, "mkdocs_priority", 0)  # type: ignore[attr-defined]
        original(self, event_name, timed, plugin_name=plugin_name)

    mkdocs.plugins.PluginCollection._register_event = register  # type: ignore[method-assign]
    no_profile = prof == "-"
    phases = _time_phases() if no_profile else {}
    profiler = cProfile.Profile()
    start = time.perf_counter()
    start_cpu = time.process_time()
    if not no_profile:
        profiler.enable()
    cfg = load_config(config, site_dir=site)
    cfg.plugins.on_startup(command="build", dirty=False)
    build(cfg)
    profiler.disable()
    total = time.perf_counter() - start
    if no_profile:
        phases["config and build (CPU)"] = time.process_time() - start_cpu
    else:
        profiler.dump_stats(prof)

    print(f"\nbuild {'without a profiler' if no_profile else 'under cProfile'}: {total:.1f} s\n")
    print(f"{'event':<22} {'plugin':<16} {'calls':>7} {'seconds':>9} {'share':>6}")
    for (event, plugin), (seconds, calls) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
        if seconds >= 0.05:
            print(f"{event:<22} {plugin:<16} {calls:>7} {seconds:>9.2f} {seconds / total:>6.0%}")
    by_plugin: dict[str, float] = defaultdict(float)
    for (_, plugin), (seconds, _) in spent.items():
        by_plugin[plugin] += seconds
    print("\nper plugin: " + ", ".join(f"{p} {s:.1f} s" for p, s in sorted(by_plugin.items())))
    print(f"MkDocs itself (outside plugin events): {total - sum(by_plugin.values()):.1f} s")
    print("\nresident memory after an event (MiB, includes the profiler's own data):")
    for (event, plugin), mib in memory.items():
        print(f"  after {event:<12} {plugin:<16} {mib:8.0f}")
    print(f"  peak (VmHWM)                  {_rss_mib('VmHWM'):8.0f}")
    if no_profile:
        print("\nCPU seconds by phase (the phases overlap the events above):")
        for name, seconds in phases.items():
            print(f"  {name:<40} {seconds:8.2f}")
        return 0

    stats = pstats.Stats(prof)
    print(f"\n== top {top} by cumulative time")
    stats.sort_stats("cumulative").print_stats(top)
    print("== incident_loop functions by own time")
    stats.sort_stats("tottime").print_stats("incident_loop", top)
    return 0


def _time_phases() -> dict[str, float]:
    """Count CPU time in Markdown, the theme's templates and the garbage collector."""
    import gc

    import jinja2
    import markdown
    from mkdocs.commands import build as mkdocs_build

    phases: dict[str, float] = defaultdict(float)
    current = {"page": ""}

    def timer(owner: Any, name: str, label: Any) -> None:
        method = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                key = label() if callable(label) else label
                if key:
                    phases[key] += time.process_time() - start

        setattr(owner, name, timed)

    def page_kind() -> str:
        page = current["page"]
        if not page:
            return ""
        kind = "incident pages" if page.startswith("incidents/") else "other pages"
        return f"theme templates, {kind}"

    original_build_page = mkdocs_build._build_page

    def build_page(page: Any, *args: Any, **kwargs: Any) -> Any:
        current["page"] = page.file.src_uri
        try:
            return original_build_page(page, *args, **kwargs)
        finally:
            current["page"] = ""

    mkdocs_build._build_page = build_page
    timer(markdown.Markdown, "convert", "Markdown to HTML")
    timer(jinja2.Template, "render", page_kind)
    started = [0.0]

    def collector(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            phases[f"garbage collector, generation {info['generation']}"] += (
                time.process_time() - started[0]
            )

    gc.callbacks.append(collector)
    return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, metavar="N", nargs="?", help="number of incidents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--project",
        choices=("incident-loop", "baseline", "blog"),
        default="incident-loop",
        help="which generated project to build (default incident-loop)",
    )
    parser.add_argument(
        "--light", action="store_true", help="the light pages (generate.py --light)"
    )
    parser.add_argument("--prof", type=Path, help="keep the cProfile data here (for snakeviz etc.)")
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temp dir)")
    parser.add_argument(
        "--no-profile",
        action="store_true",
        help="no cProfile: real CPU seconds per event and phase (Markdown, theme, GC)",
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("CONFIG", "SITE", "PROF"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        config, site, prof = args.child
        return child(config, site, prof, args.top)
    if args.n is None or args.n < 1:
        parser.error("N, a positive number of incidents, is required")

    sys.path.insert(0, str(HERE))
    import generate

    with generate.project_in(
        args.workdir, args.n, args.seed, args.project, "incident-loop-profile-", light=args.light
    ) as project:
        site = project.parent / "site"
        prof = "-" if args.no_profile else str(args.prof or project.parent / "build.prof")
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        code = subprocess.call(
            [sys.executable, __file__, "--top", str(args.top), "--child",
             str(project / "mkdocs.yml"), str(site), prof],
            env=env,
        )  # fmt: skip
        if code == 0:
            pages = sorted(site.rglob("*.html"), key=lambda p: -p.stat().st_size)
            print("== largest built pages")
            for page in pages[:8]:
                print(f"{page.stat().st_size / 1024:10.0f} KiB  {page.relative_to(site)}")
            index = site / "search" / "search_index.json"
            if index.exists():
                print(f"{index.stat().st_size / 1024:10.0f} KiB  search/search_index.json")
        return code


if __name__ == "__main__":
    sys.exit(main())
