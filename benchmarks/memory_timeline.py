#!/usr/bin/env python3
"""Where the memory goes: resident memory at each phase of one build, and the pages that raise it.

    python benchmarks/memory_timeline.py N [--project incident-loop|baseline] [--light]
                                           [--seed S] [--workdir DIR] [--step MIB]

Generates a project with N incidents (``generate.py``; ``--light``: the light pages) and builds it once in a child process,
started like ``mkdocs build`` starts it. Prints the resident memory (``VmRSS``) and its high-water
mark (``VmHWM``, what ``/usr/bin/time`` reports as the peak) after the configuration, around
``on_files``, after the pages are converted, before and after ``on_post_build`` (with each
plugin's share of it, and after the search index is made into JSON text and into bytes), and
every page whose writing raised the high-water mark by ``--step`` MiB or more (default 1): the
long generated pages, and the growth of the search entries.

Run it for both projects (``--project baseline``) to see where incident-loop adds memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (beside this script)


def _mib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return -1


def _mark(label: str, lines: list[str]) -> None:
    lines.append(f"{label:<44} rss {_mib('VmRSS'):5d} MiB   peak {_mib('VmHWM'):5d} MiB")


def _watch_search_index(lines: list[str]) -> None:
    """Readings around the two steps of Material's search plugin that make the peak: the index
    serialised to one JSON string, then encoded to bytes and written (``on_post_build``)."""
    import json

    import mkdocs.utils

    dumps, write_file = json.dumps, mkdocs.utils.write_file

    def measured_dumps(*args: Any, **kwargs: Any) -> str:
        text = dumps(*args, **kwargs)
        if len(text) > 1_000_000:
            _mark(f"  search index as JSON text ({len(text) / 1e6:.1f} MB)", lines)
        return text

    def measured_write_file(content: bytes, output_path: str) -> None:
        if output_path.endswith("search_index.json"):
            _mark("  search index encoded to bytes", lines)
        write_file(content, output_path)

    json.dumps = measured_dumps
    mkdocs.utils.write_file = measured_write_file


def child(config_file: str, site: str, step: int) -> int:
    """In the child: wrap MkDocs' build steps and the plugin events with memory readings."""
    import mkdocs.plugins
    from mkdocs.commands import build as build_module
    from mkdocs.config import load_config

    lines: list[str] = []
    run_event = mkdocs.plugins.PluginCollection.run_event

    def timed_run_event(self: Any, name: str, item: Any = None, **kwargs: Any) -> Any:
        if name in ("files", "env", "post_build"):
            _mark(f"before on_{name}", lines)
        result = run_event(self, name, item, **kwargs)
        if name in ("files", "env"):
            _mark(f"after on_{name}", lines)
        return result

    mkdocs.plugins.PluginCollection.run_event = timed_run_event  # type: ignore[method-assign]

    build_page = build_module._build_page

    def watched_build_page(page: Any, *args: Any, **kwargs: Any) -> Any:
        before = _mib("VmHWM")
        result = build_page(page, *args, **kwargs)
        if _mib("VmHWM") - before >= step:
            _mark(f"  writing {page.file.src_uri}", lines)
        return result

    build_module._build_page = watched_build_page  # type: ignore[assignment]
    _watch_search_index(lines)

    config = load_config(config_file)
    config["site_dir"] = site
    _mark("after imports and configuration", lines)
    for index, method in enumerate(list(config.plugins.events["post_build"])):
        owner = type(getattr(method, "__self__", method)).__name__

        def measured(*args: Any, _method: Any = method, _owner: str = owner, **kw: Any) -> Any:
            result = _method(*args, **kw)
            _mark(f"  after {_owner}.on_post_build", lines)
            return result

        config.plugins.events["post_build"][index] = measured
    config.plugins.on_startup(command="build", dirty=False)
    build_module.build(config)
    _mark("end of the build", lines)
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", help="number of incidents")
    parser.add_argument("--project", choices=("incident-loop", "baseline"), default="incident-loop")
    parser.add_argument(
        "--light", action="store_true", help="the light pages (generate.py --light)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temp dir)")
    parser.add_argument("--step", type=int, default=1, help="MiB of peak growth to list a page")
    parser.add_argument("--child", nargs=2, metavar=("CONFIG", "SITE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child, args.step)
    if args.n is None or args.n < 1:
        parser.error("N, a positive number of incidents, is required")
    with generate.project_in(
        args.workdir, args.n, args.seed, args.project, "incident-loop-memory-", light=args.light
    ) as root:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        command = [sys.executable, __file__, "--step", str(args.step), "--child",
                   str(root / "mkdocs.yml"), str(root.parent / "site")]  # fmt: skip
        return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
