"""The benchmark scripts of issue 6: the generated projects are what the targets say they are,
and the report computes the ratios and verdicts right.

Only correctness is tested here; no time or memory is measured (that is ``make bench``).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

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


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate.generate(N, tmp_path_factory.mktemp("bench") / "p", seed=1, blog=True)


def test_the_same_seed_gives_the_same_projects(projects: dict[str, Path], tmp_path: Path) -> None:
    again = generate.generate(N, tmp_path / "p", seed=1, blog=True)
    other = generate.generate(N, tmp_path / "q", seed=2, baseline=False)
    for kind in ("incident-loop", "baseline", "blog"):
        assert _tree(again[kind]) == _tree(projects[kind]), kind
    assert _tree(other["incident-loop"]) != _tree(projects["incident-loop"])


def test_the_incident_loop_project_is_valid_and_clean(projects: dict[str, Path]) -> None:
    root = projects["incident-loop"]
    files = sorted((root / "incidents").rglob("*.md"))
    assert len(files) == N
    code, diagnostics = check_json(root, "--strict")
    assert (code, diagnostics) == (0, [])
    for path in files:
        front = path.read_text(encoding="utf-8").split("---\n")[1]
        data = yaml.safe_load(front)
        assert 0 <= len(data.get("actions") or []) <= 3, path
        body_lines = path.read_text(encoding="utf-8").split("---\n", 2)[2].splitlines()
        assert 30 <= len(body_lines) <= 60, path  # "bodies of about 40 lines with a table"
        assert any(line.startswith("| ") for line in body_lines), path


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
    # Three rounds; in each, the runs of one size follow each other: il, base, blog, serve at
    # N=1000 and il, base, check, yaml at N=5000. The expected values are the per-round ratios
    # worked out by hand, and their median.
    tasks = {
        "il-1000": _task("il-1000", 1000, [17.2, 17.1, 17.0], [86, 90, 85]),
        "base-1000": _task("base-1000", 1000, [13.1, 13.4, 13.0], [59, 58, 60]),
        "blog": _task("blog", 1000, [43.1, 40.0, 43.4]),
        "serve": _task("serve", 1000, [17.3, 17.1, 18.0]),
        "il-5000": _task("il-5000", 5000, [76.8, 79.0, 76.6], [223, 222, 224]),
        "base-5000": _task("base-5000", 5000, [60.2, 60.0, 62.4], [139, 139, 140]),
        "check": _task("check", 5000, [5.8, 5.6, 5.8]),
        "yaml": _task("yaml", 5000, [33.5, 33.1, 33.7]),
    }
    found = {t.name: t for t in run.targets(tasks, 1000, 5000)}
    expected = {
        # rounds 1.3130, 1.2761, 1.3077
        "build time, N=1000 (incident-loop / baseline)": (17.0 / 13.0, False),
        # rounds 1.4576, 1.5517, 1.4167
        "peak memory, N=1000 (incident-loop / baseline)": (86 / 59, True),
        # rounds 1.2757, 1.3167, 1.2276
        "build time, N=5000 (incident-loop / baseline)": (76.8 / 60.2, True),
        # rounds 1.6043, 1.5971, 1.6000
        "peak memory, N=5000 (incident-loop / baseline)": (224 / 140, False),
        # medians of the two builds: 15.36 ms against 17.1 ms per incident
        "linear growth (s per incident, 5000 / 1000)": ((76.8 / 5000) / (17.1 / 1000), True),
        # rounds 0.1731, 0.1692, 0.1721
        "incident-loop check / PyYAML SafeLoader, N=5000": (5.8 / 33.7, True),
        # rounds 0.3991, 0.4275, 0.3917
        "vs Material blog, N=1000 (incident-loop / blog)": (17.2 / 43.1, False),
        # rounds 1.3206, 1.2761, 1.3846
        "serve edit -> page, N=1000 (/ baseline build)": (17.3 / 13.1, True),
    }
    assert set(found) == set(expected)
    for name, (ratio, passed) in expected.items():
        assert found[name].measured == pytest.approx(ratio), name
        assert found[name].passed is passed, name
    line = found["build time, N=1000 (incident-loop / baseline)"].line()
    assert "1.31" in line and "<= 1.30" in line and "FAIL (0.6 % over)" in line
    assert "17.1 s vs 13.1 s" in line and "rounds 1.31, 1.28, 1.31" in line
    assert "PASS" in found["linear growth (s per incident, 5000 / 1000)"].line()


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
