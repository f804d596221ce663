"""The benchmark scripts: the generated projects, full and light, are what benchmarks/README.md
says they are, and the report computes the ratios and verdicts right.

Only correctness is tested here; no time or memory is measured (that is ``make bench``).
"""

from __future__ import annotations

import importlib.util
import re
import statistics
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from conftest import REPO, build_site, check_json


def _script(name: str) -> ModuleType:
    """A module of ``benchmarks/`` (a folder of scripts, not a package)."""
    folder = str(REPO / "benchmarks")
    if folder not in sys.path:
        sys.path.insert(0, folder)  # run.py imports generate.py from beside it
    spec = importlib.util.spec_from_file_location(
        f"bench_{name}", REPO / "benchmarks" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


generate = _script("generate")
run = _script("run")

N = 30


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _split(path: Path) -> tuple[str, str]:
    """The front matter (between the two ``---`` lines) and the body of an incident file."""
    front, body = path.read_text(encoding="utf-8").split("---\n", 2)[1:]
    return front, body


@pytest.fixture(scope="module", params=["full", "light"])
def projects(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The full projects, then the light ones (``generate.py --light``)."""
    light = request.param == "light"
    out = tmp_path_factory.mktemp("bench") / request.param
    return generate.generate(N, out, seed=1, blog=True, light=light)


@pytest.fixture(scope="module")
def light_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "light"
    roots: dict[str, Path] = generate.generate(N, out, seed=1, baseline=False, light=True)
    return roots["incident-loop"]


@pytest.mark.parametrize("light", [False, True], ids=["full", "light"])
def test_the_same_seed_gives_the_same_projects(tmp_path: Path, light: bool) -> None:
    first = generate.generate(N, tmp_path / "p", seed=1, blog=True, light=light)
    again = generate.generate(N, tmp_path / "q", seed=1, blog=True, light=light)
    other = generate.generate(N, tmp_path / "r", seed=2, baseline=False, light=light)
    for kind in ("incident-loop", "baseline", "blog"):
        assert _tree(again[kind]) == _tree(first[kind]), kind
    assert _tree(other["incident-loop"]) != _tree(first["incident-loop"])


def test_the_full_incident_loop_project_is_valid_and_clean(tmp_path: Path) -> None:
    root = generate.generate(N, tmp_path / "p", seed=1, baseline=False)["incident-loop"]
    files = sorted((root / "incidents").rglob("*.md"))
    assert len(files) == N
    code, diagnostics = check_json(root, "--strict")
    assert (code, diagnostics) == (0, [])
    front_lines = []
    for path in files:
        front, body = _split(path)
        data = yaml.safe_load(front)
        assert 0 <= len(data.get("actions") or []) <= 3, path
        front_lines.append(len(front.splitlines()))
        body_lines = body.splitlines()[1:]  # the blank line after the front matter is not body
        assert 40 <= len(body_lines) <= 48, path  # "a body of 44 lines"
        assert any(line.startswith("| ") for line in body_lines), path
    assert 38 <= statistics.mean(front_lines) <= 52  # "about 45 lines of front matter"


def test_a_light_incident_has_about_20_lines_of_front_matter_and_body(light_project: Path) -> None:
    """What the README says of the light pages: a front matter of about 20 lines, a body of about
    20, 0 or 1 action entry and none of the long lists."""
    files = sorted((light_project / "incidents").rglob("*.md"))
    assert len(files) == N
    front_lines = []
    for path in files:
        front, body = _split(path)
        data = yaml.safe_load(front)
        assert len(data.get("actions") or []) <= 1, path
        assert not {"contributing_factors", "runbooks", "links"} & set(data), path
        front_lines.append(len(front.splitlines()))
        assert 15 <= front_lines[-1] <= 28, path
        body_lines = body.splitlines()[1:]  # the blank line after the front matter is not body
        assert 19 <= len(body_lines) <= 22, path
        assert any(line.startswith("| ") for line in body_lines), path
    assert 18 <= statistics.mean(front_lines) <= 24


def test_the_light_project_passes_check_strict(light_project: Path) -> None:
    """Run as a user runs it: the installed command, in a process of its own."""
    command = Path(sys.executable).parent / "incident-loop"
    result = subprocess.run(
        [str(command), "check", "--strict", str(light_project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr  # --strict: no warnings either


def test_the_baseline_has_the_same_pages_without_front_matter(projects: dict[str, Path]) -> None:
    root, baseline = projects["incident-loop"], projects["baseline"]
    pages = sorted((baseline / "docs" / "incidents").glob("INC-*.md"))
    assert len(pages) == N
    bodies = {}
    for path in (root / "incidents").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        front, body = text.split("---\n", 2)[1:]
        data = yaml.safe_load(front)
        bodies[data["id"]] = (data["title"], body)
    for page in pages:
        title, body = bodies[page.stem]
        # The incident file has a blank line after its front matter; the page its heading.
        assert body.startswith("\n")
        assert page.read_text(encoding="utf-8") == f"# {page.stem}: {title}\n\n{body[1:]}"
    config = (baseline / "mkdocs.yml").read_text(encoding="utf-8")
    assert "/incidents/*" in config.split("not_in_nav:")[1].split("nav:")[0]
    assert "incident-loop" not in config and "macros" not in config and "tags" not in config


def test_the_blog_posts_are_the_incidents_with_their_category_and_tags(
    projects: dict[str, Path],
) -> None:
    """The peer publishes what incident-loop publishes: the same bodies, and the date, category
    and tags of each incident (categories and tags make the blog write its category and tag
    pages, like incident-loop its catalogue and tags pages)."""
    root, blog = projects["incident-loop"], projects["blog"]
    incidents = {}
    for path in (root / "incidents").rglob("*.md"):
        front, body = path.read_text(encoding="utf-8").split("---\n", 2)[1:]
        data = yaml.safe_load(front)
        incidents[data["id"].lower()] = (data, body)
    posts = sorted((blog / "docs" / "blog" / "posts").glob("*.md"))
    assert len(posts) == N
    for post in posts:
        front, text = post.read_text(encoding="utf-8").split("---\n", 2)[1:]
        meta = yaml.safe_load(front)
        data, body = incidents[post.stem]
        local = generate.dt.datetime.fromisoformat(str(data["started_at"])).astimezone(
            generate.ZONE
        )
        assert meta == {
            "date": local.date(),
            "categories": [data["category"]],
            "tags": data["tags"],
        }
        assert text == f"\n# {data['id']}: {data['title']}\n\n{body[1:]}"
    config = yaml.safe_load((blog / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["plugins"] == ["search", "tags", "blog"]
    assert {d["category"] for d, _ in incidents.values()} == {
        "integration",
        "warehouse",
    }


def test_all_three_projects_build_strictly(projects: dict[str, Path]) -> None:
    site = build_site(projects["incident-loop"])
    some = sorted((projects["baseline"] / "docs" / "incidents").glob("INC-*.md"))[0].stem
    assert (site / "incidents" / some / "index.html").is_file()
    assert (site / "api" / "incidents.json").is_file()
    base_site = build_site(projects["baseline"])
    assert (base_site / "incidents" / some / "index.html").is_file()
    blog_site = build_site(projects["blog"])
    posts = [
        path
        for path in (blog_site / "blog").rglob("index.html")
        if re.search(r"/blog/\d{4}/\d{2}/\d{2}/[^/]+/index\.html$", path.as_posix())
    ]
    assert len(posts) == N
    for category in ("integration", "warehouse"):
        assert (blog_site / "blog" / "category" / category / "index.html").is_file()


def _task(key: str, n: int, times: list[float], rss: list[float] | None = None) -> object:
    task = run.Task(key, key, n, run=lambda log: (0.0, 0.0, 0.0))
    rss = rss or [0.0] * len(times)
    task.samples = [(t, m, t) for t, m in zip(times, rss, strict=True)]
    return task


def test_the_report_compares_each_round_and_takes_the_median() -> None:
    # Three rounds; in each, the runs of one size follow each other: il, base, blog, serve, then
    # the light pages' il, base, blog at N=1000; il, base, blog, check, yaml, then the light il
    # and base at N=5000 (its light blog peer skipped). The expected values are the per-round
    # ratios worked out by hand, and their median.
    tasks = {
        "il-1000": _task("il-1000", 1000, [20.0, 19.0, 21.0], [90, 94, 92]),
        "base-1000": _task("base-1000", 1000, [13.0, 12.5, 13.5], [59, 58, 60]),
        "blog-1000": _task("blog-1000", 1000, [52.0, 50.0, 51.0]),
        "serve": _task("serve", 1000, [17.3, 17.1, 18.0]),
        "light-il-1000": _task("light-il-1000", 1000, [9.0, 9.2, 8.8], [70, 70, 70]),
        "light-base-1000": _task("light-base-1000", 1000, [6.0, 6.2, 5.8], [40, 40, 40]),
        "light-blog-1000": _task("light-blog-1000", 1000, [30.0, 31.0, 29.0]),
        "il-5000": _task("il-5000", 5000, [76.8, 79.0, 76.6], [223, 222, 226]),
        "base-5000": _task("base-5000", 5000, [60.2, 60.0, 62.4], [139, 139, 140]),
        "blog-5000": _task("blog-5000", 5000, [180.0, 200.0, 190.0]),
        "check": _task("check", 5000, [5.8, 5.6, 5.8]),
        "yaml": _task("yaml", 5000, [33.5, 33.1, 33.7]),
        "light-il-5000": _task("light-il-5000", 5000, [40.0, 41.0, 42.0], [150, 150, 150]),
        "light-base-5000": _task("light-base-5000", 5000, [30.0, 30.0, 30.0], [100, 100, 100]),
    }
    expected = {
        # rounds 1.5385, 1.5200, 1.5556
        "build time, N=1000 (incident-loop / baseline)": (20.0 / 13.0, False),
        # rounds 1.5254, 1.6207, 1.5333
        "peak memory, N=1000 (incident-loop / baseline)": (92 / 60, True),
        # blog / incident-loop, rounds 2.6000, 2.6316, 2.4286: at least 2.5
        "vs Material blog, N=1000 (blog / incident-loop)": (52.0 / 20.0, True),
        # rounds 1.2757, 1.3167, 1.2276
        "build time, N=5000 (incident-loop / baseline)": (76.8 / 60.2, True),
        # rounds 1.6043, 1.5971, 1.6143
        "peak memory, N=5000 (incident-loop / baseline)": (223 / 139, False),
        # rounds 2.3438, 2.5316, 2.4804
        "vs Material blog, N=5000 (blog / incident-loop)": (190.0 / 76.6, False),
        # medians of the two builds: 15.36 ms against 20.0 ms per incident
        "linear growth (s per incident, 5000 / 1000)": ((76.8 / 5000) / (20.0 / 1000), True),
        # rounds 0.1731, 0.1692, 0.1721
        "incident-loop check / PyYAML SafeLoader, N=5000": (5.8 / 33.7, True),
        # rounds 1.3308, 1.3680, 1.3333
        "serve edit -> page, N=1000 (/ baseline build)": (18.0 / 13.5, True),
        # rounds 1.5000, 1.4839, 1.5172: the limit itself passes
        "build time, N=1000, light (incident-loop / baseline)": (9.0 / 6.0, True),
        "peak memory, N=1000, light (incident-loop / baseline)": (70 / 40, False),
        # rounds 3.3333, 3.3696, 3.2955
        "vs Material blog, N=1000, light (blog / incident-loop)": (30.0 / 9.0, True),
        # rounds 1.3333, 1.3667, 1.4000
        "build time, N=5000, light (incident-loop / baseline)": (41.0 / 30.0, True),
        "peak memory, N=5000, light (incident-loop / baseline)": (150 / 100, True),
    }
    found = run.targets(tasks, 1000, 5000)
    assert [t.name for t in found] == list(expected)  # no light blog target at N=5000
    for target, (ratio, passed) in zip(found, expected.values(), strict=True):
        assert target.measured == pytest.approx(ratio), target.name
        assert target.passed is passed, target.name
    by_name = {t.name: t for t in found}
    line = by_name["build time, N=1000 (incident-loop / baseline)"].line()
    assert "1.54" in line and "<= 1.50" in line and "FAIL (2.6 % over)" in line
    assert "20.0 s vs 13.0 s" in line and "rounds 1.54, 1.52, 1.56" in line
    line = by_name["vs Material blog, N=5000 (blog / incident-loop)"].line()
    assert "2.48" in line and ">= 2.50" in line and "FAIL (0.8 % under)" in line
    assert "190.0 s vs 76.8 s" in line and "rounds 2.34, 2.53, 2.48" in line
    assert "PASS" in by_name["vs Material blog, N=1000 (blog / incident-loop)"].line()
    assert "PASS" in by_name["linear growth (s per incident, 5000 / 1000)"].line()


def test_a_round_apart_is_not_compared_with_another_round() -> None:
    """The machine slows down in the third round: the medians of the two builds come from
    different rounds (16.0 s from the second, 12.0 s from the third) and their ratio, 1.33,
    is not what any round measured; the rounds say 1.24, 1.19 and 1.42."""
    tasks = {
        "il-1000": _task("il-1000", 1000, [13.0, 16.0, 17.0]),
        "base-1000": _task("base-1000", 1000, [10.5, 13.5, 12.0]),
    }
    (build, _memory) = run.targets(tasks, 1000, 5000)
    assert build.measured == pytest.approx(13.0 / 10.5) and build.passed


def test_a_task_that_failed_is_compared_in_the_rounds_it_completed() -> None:
    """A task that fails is not run again: its two samples are those of rounds 1 and 2."""
    tasks = {
        "il-1000": _task("il-1000", 1000, [17.0, 16.0]),
        "base-1000": _task("base-1000", 1000, [13.0, 12.0, 12.5]),
    }
    (build, _memory) = run.targets(tasks, 1000, 5000)
    assert build.measured == pytest.approx((17.0 / 13.0 + 16.0 / 12.0) / 2)  # 1.3205


def test_a_target_that_was_not_measured_fails() -> None:
    tasks = {"il-1000": _task("il-1000", 1000, [17.0]), "base-1000": _task("base-1000", 1000, [])}
    (build, memory) = run.targets(tasks, 1000, 5000)
    assert build.measured is None and not build.passed
    assert "FAIL (not measured)" in build.line()
    assert memory.measured is None and "FAIL (not measured)" in memory.line()


def test_each_kind_of_serve_edit_is_its_own_target() -> None:
    # A median over every kind would pass at N=1,000 while new incidents take 3 s: here
    # 1.0, 1.2, 1.4 (title) and 2.5, 3.1, 2.9 (new) have a median of all six of 1.95.
    dirty = {1000: {"title": [1.4, 1.0, 1.2], "new": [2.5, 3.1, 2.9]}, 5000: {"title": [4.0, 6.0]}}
    title, new, large = run.dirty_targets(dirty, 1000, 5000)
    assert (title.name, title.measured, title.limit, title.passed) == (
        "serve --dirty title -> visible, N=1000 (median s)",
        1.2,
        2.0,
        True,
    )
    assert (new.measured, new.passed) == (2.9, False)
    assert "FAIL (45.0 % over)" in new.line()
    assert (large.name, large.measured, large.limit, large.passed) == (
        "serve --dirty title -> visible, N=5000 (median s)",
        5.0,
        5.0,
        True,
    )
