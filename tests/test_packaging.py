"""The package as users get it: the wheel in a clean environment, ProperDocs, Backstage TechDocs,
and the release workflow.

One module-scoped environment: the wheel built from this checkout (without warnings) and
installed with its dependencies into a fresh virtual environment, where the sample site is
built with `mkdocs`, with `properdocs`, and last inside TechDocs' core plugin (which pins its own
Material, so that test runs last and changes this environment only).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml

from conftest import REPO, sample_copy
from incident_loop import __version__

#: What a build back end or pip says when a package is declared in a deprecated way.
SETUPTOOLS_WARNINGS = re.compile(r"BuildBackendWarning|SetuptoolsDeprecationWarning|deprecated")


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    environment.pop("VIRTUAL_ENV", None)
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from this checkout, and what the build back end printed."""
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("src") / "incident-loop"
    # a copy, so that the build leaves nothing in the checkout
    skipped = {
        ".venv",
        ".git",
        "site",
        "build",
        "dist",
    }  # at the top only: not site/ in the package

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = {n for n in names if n in skipped} if Path(folder) == REPO else set()
        return top | {n for n in names if n == "__pycache__" or n.endswith((".egg-info", "_cache"))}

    shutil.copytree(REPO, source, ignore=ignore)
    done = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(out), "."], source
    )
    assert done.returncode == 0, done.stdout + done.stderr
    wheels = list(out.glob("*.whl"))
    assert [w.name for w in wheels] == [f"mkdocs_incident_loop-{__version__}-py3-none-any.whl"]
    return wheels[0], done.stdout + done.stderr


@pytest.fixture(scope="module")
def clean_env(wheel: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel, its dependencies and ProperDocs."""
    env = tmp_path_factory.mktemp("venv") / "env"
    venv.create(env, with_pip=True)
    python = str(env / "bin" / "python")
    done = _run([python, "-m", "pip", "install", "-q", str(wheel[0]), "properdocs"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    return env / "bin"


def test_the_wheel_builds_without_setuptools_warnings(wheel: tuple[Path, str]) -> None:
    warnings = [line for line in wheel[1].splitlines() if SETUPTOOLS_WARNINGS.search(line)]
    assert warnings == []


def test_the_wheel_holds_every_template_and_asset(wheel: tuple[Path, str]) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel[0]).namelist())
    package = REPO / "plugins"
    expected = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path)
    }
    assert expected <= names, sorted(expected - names)


def _sample(tmp_path: Path) -> Path:
    return sample_copy(tmp_path)


def test_the_installed_wheel_builds_the_sample_site_quietly(
    clean_env: Path, tmp_path: Path
) -> None:
    root = _sample(tmp_path)
    done = _run([str(clean_env / "mkdocs"), "build", "--strict"], root)
    assert done.returncode == 0, done.stderr
    assert (root / "site/incidents/index.html").is_file()
    assert (root / "site/api/actions.csv").is_file()
    # quiet: MkDocs' own three lines, no set-up chatter of mkdocs-macros
    assert "[macros]" not in done.stderr, done.stderr
    assert len(done.stderr.splitlines()) <= 4, done.stderr
    check = _run([str(clean_env / "incident-loop"), "check", "--strict"], root / "incidents")
    assert check.returncode == 0, check.stdout + check.stderr


def test_properdocs_builds_the_sample_site(clean_env: Path, tmp_path: Path) -> None:
    root = _sample(tmp_path)
    done = _run([str(clean_env / "properdocs"), "build", "--strict"], root)
    assert done.returncode == 0, done.stderr
    html = (root / "site/incidents/index.html").read_text(encoding="utf-8")
    assert "INC-2026-001" in html


def test_the_release_workflow_publishes_on_a_version_tag() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))
    assert triggers == {"push": {"tags": ["v*"]}}
    publish = workflow["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing, no token
    assert [s.get("uses") for s in publish["steps"]][-1] == "pypa/gh-action-pypi-publish@release/v1"
    assert "python -m build" in workflow["jobs"]["build"]["steps"][2]["run"]
    assert f"## [{__version__}]" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


# Last: mkdocs-techdocs-core pins its own Material and pymdown-extensions in this environment.
def test_backstage_techdocs_builds_the_sample_site(clean_env: Path, tmp_path: Path) -> None:
    done = _run([str(clean_env / "python"), "-m", "pip", "install", "-q", "mkdocs-techdocs-core"],
                tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    root = _sample(tmp_path)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - search\n" in text
    config.write_text(text.replace("  - search\n", "  - techdocs-core\n"), encoding="utf-8")
    done = _run([str(clean_env / "mkdocs"), "build", "--strict"], root)
    assert done.returncode == 0, done.stderr
    html = (root / "site/incidents/INC-2026-001/index.html").read_text(encoding="utf-8")
    assert "INC-2026-001" in html
    assert (root / "site/techdocs_metadata.json").is_file()  # TechDocs' core plugin ran
