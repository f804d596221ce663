"""``incident-loop init``: a working project in an empty repository (SPEC section 8).

The files are the package's ``templates/init/``: ``mkdocs.yml`` with the navigation, ``site_url``
and the offline theme setting, the failure modes, one partner, one site and one runbook, the two
GitHub workflows (which need only ``requirements.txt`` and ``mkdocs.yml``), ``requirements.txt``
and ``.gitignore``. The result passes ``incident-loop check --strict`` and builds with
``mkdocs build --strict`` as it is. No file that exists is overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2

from .settings import CONFIG_FILE

#: Project file -> the template it is written from (``.j2`` ones are rendered).
PROJECT_FILES = {
    CONFIG_FILE: "mkdocs.yml.j2",
    "requirements.txt": "requirements.txt.j2",
    ".gitignore": "gitignore",
    ".github/workflows/pr.yml": "pr.yml",
    ".github/workflows/publish.yml": "publish.yml",
    "incidents/failure-modes.yml": "failure-modes.yml",
    "docs/index.md": "index.md",
    "docs/tags.md": "tags.md",
    "docs/integrations/example-carrier.md": "partner.md",
    "docs/sites/example-dc.md": "site.md",
    "docs/runbooks/label-failover.md": "runbook.md.j2",
}


class InitError(Exception):
    """The folder already holds a project, or a file cannot be written."""


@dataclass(frozen=True)
class InitResult:
    written: list[str]
    kept: list[str]


def github_urls(remote: str | None) -> tuple[str | None, str | None]:
    """``(repo_url, site_url)`` of a GitHub remote (``git@github.com:acme/ops.git`` or
    ``https://github.com/acme/ops``): the repository and its GitHub Pages address."""
    if not remote:
        return None, None
    match = re.fullmatch(
        r"(?:https://|git@|ssh://git@)github\.com[:/]([\w.-]+)/([\w.-]+?)(?:\.git)?/?",
        remote.strip(),
    )
    if not match:
        return None, None
    owner, name = match[1], match[2]
    return f"https://github.com/{owner}/{name}", f"https://{owner.lower()}.github.io/{name}/"


def write_project(
    root: Path,
    *,
    version: str,
    site_url: str | None = None,
    repo_url: str | None = None,
    today: dt.date | None = None,
) -> InitResult:
    """Write the starting project into ``root``; files that exist are kept as they are."""
    if (root / CONFIG_FILE).exists():
        raise InitError(
            f"{root / CONFIG_FILE} exists: this folder is already a project; "
            "incident-loop init starts one in a folder without mkdocs.yml"
        )
    site_url = site_url or f"https://example.github.io/{_slug(root.name)}/"
    env = jinja2.Environment(
        autoescape=False,  # YAML and markdown; values go through the quoting filter
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
    )
    env.filters["q"] = lambda value: json.dumps(value, ensure_ascii=False)
    values = {
        "site_name": f"{root.name} incidents" if root.name else "Incidents",
        "site_url": site_url,
        "repo_url": repo_url,
        "version": version,
        "today": (today or dt.date.today()).isoformat(),
    }
    templates = resources.files("incident_loop.core") / "templates" / "init"
    written: list[str] = []
    kept: list[str] = []
    for rel, name in PROJECT_FILES.items():
        target = root / rel
        if target.exists():
            kept.append(rel)
            continue
        text = (templates / name).read_text(encoding="utf-8")
        if name.endswith(".j2"):
            text = env.from_string(text).render(values)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise InitError(f"cannot write {target}: {exc.strerror or exc}") from None
        written.append(rel)
    (root / "incidents").mkdir(exist_ok=True)
    return InitResult(written, kept)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "incidents"
