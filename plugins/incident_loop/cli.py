"""The ``incident-loop`` command line (SPEC section 8): a thin adapter over the core.

Exit codes: 0 clean, 1 problems found (errors, or warnings with ``--strict``), 2 usage errors.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import click

from . import __version__
from .config import read_project_config
from .core.diagnostics import format_github, format_json, format_text, summary
from .core.diff import FORMATS as DIFF_FORMATS
from .core.diff import DiffError, learning_diff
from .core.diff import format_json as diff_json
from .core.diff import format_markdown as diff_markdown
from .core.diff import format_text as diff_text
from .core.newincident import NewIncidentError, write_new_incident
from .core.newproject import InitError, github_urls, write_project
from .core.overdue import FORMATS, overdue_digest
from .core.overdue import format_json as digest_json
from .core.overdue import format_markdown as digest_markdown
from .core.overdue import format_text as digest_text
from .core.project import CheckResult, check_project
from .core.prsummary import render_changes, render_settings_error, render_summary
from .core.schema import incident_schema
from .core.settings import CONFIG_FILE, ProjectConfig, SettingsError, find_project_root
from .site.exports import NO_SITE_URL, action_url, render_export
from .site.urls import Urls, register_pages

ROOT = click.argument(
    "root_argument",
    metavar="[ROOT]",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)

ROOT_OPTION = click.option(
    "-C",
    "--root",
    "root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Run as if started in this folder. The project is the nearest folder at or above it "
    "that holds mkdocs.yml (default: the current folder), as git finds its repository.",
)


def _valid(config: ProjectConfig, command: str) -> CheckResult:
    """The check result of a project without errors, or its errors and exit 1."""
    result = _checked(config)
    if result.has_errors:
        click.echo(
            format_text([d for d in result.diagnostics if d.level == "error"]), err=True, nl=False
        )
        click.echo(
            f"incident-loop {command}: fix the errors above first (incident-loop check)", err=True
        )
        sys.exit(1)
    return result


def _checked(config: ProjectConfig) -> CheckResult:
    """The check result, or exit 2 when the options cannot be used (a bad SOURCE_DATE_EPOCH)."""
    try:
        return check_project(config)
    except SettingsError as exc:
        click.echo(f"incident-loop: {exc}", err=True)
        sys.exit(2)


def _usage_error(message: str) -> NoReturn:
    click.echo(f"incident-loop: {message}", err=True)
    sys.exit(2)


def _project_root(start: Path | None, argument: Path | None = None) -> Path:
    """The project's folder: the nearest one at or above ``start`` with ``mkdocs.yml``.

    ``argument`` is the positional ROOT that ``check`` and ``schema`` also accept; it means the
    same as ``--root``.
    """
    if argument is not None and start is not None and argument.resolve() != start.resolve():
        _usage_error(f"give the project once: ROOT {argument} or --root {start}, not both")
    begin = argument or start or Path.cwd()
    root = find_project_root(begin)
    if root is None:
        _usage_error(
            f"no {CONFIG_FILE} in {begin.resolve()} or any folder above it: this is not an "
            "incident-loop project. Run the command inside your project, pass --root DIR, or "
            "start a project here with `incident-loop init`"
        )
    return root


def _config(root: Path, *, need_incidents: bool = True) -> ProjectConfig:
    try:
        config = read_project_config(root)
    except SettingsError as exc:
        for problem in str(exc).splitlines():  # one line per option, as MkDocs prints them
            click.echo(f"incident-loop: {root / CONFIG_FILE}: {problem}", err=True)
        sys.exit(2)
    incidents = config.paths.incidents_dir
    if need_incidents and not incidents.is_dir():
        _usage_error(
            f"{root / CONFIG_FILE}: the incidents folder {config.paths.relative(incidents)}/ "
            "does not exist; create it (with its failure-modes.yml), or set the plugin option "
            "incidents_dir to the folder that holds your incidents"
        )
    return config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="incident-loop")
def main() -> None:
    """Validate, create and export incident records written as markdown.

    Incidents are markdown files with YAML front matter under incidents/. Every command works
    on the project around the current folder (or --root DIR): the nearest folder at or above it
    that holds mkdocs.yml, whose incident-loop plugin options it reads. Without one, a command
    exits 2 and says so.
    """


@main.command()
@ROOT
@ROOT_OPTION
@click.option(
    "--strict", is_flag=True, help="Fail on warnings too (an incident that needs actions)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="text for people, github for GitHub Actions annotations, json for tools.",
)
def check(root_argument: Path | None, root: Path | None, strict: bool, output_format: str) -> None:
    """Check every incident, catalogue page and failure mode of the project.

    The project is the nearest folder at or above ROOT (or --root, or the current folder) that
    holds mkdocs.yml; without one, or without its incidents folder, check exits 2.

    Prints each problem as PATH:LINE: LEVEL: FIELD: MESSAGE and ends with a summary.
    Exits 1 on errors (and on warnings with --strict), 0 when clean.

    \b
    Examples:
      incident-loop check
      incident-loop check --strict --format github
      incident-loop check --root path/to/project --format json > problems.json
    """
    result = _checked(_config(_project_root(root, root_argument)))
    diagnostics = result.diagnostics
    line = summary(result.project.incident_files, diagnostics)
    if output_format == "json":
        click.echo(format_json(diagnostics), nl=False)
        click.echo(line, err=True)
    elif output_format == "github":
        click.echo(format_github(diagnostics), nl=False)
        click.echo(line, err=True)
    else:
        for diagnostic in diagnostics:
            colour = "red" if diagnostic.level == "error" else "yellow"
            location = f"{diagnostic.path}:{diagnostic.line}:"
            click.echo(
                f"{click.style(location, bold=True)} "
                f"{click.style(diagnostic.level + ':', fg=colour, bold=True)} "
                f"{diagnostic.field}: {diagnostic.message}"
            )
        click.echo(line)
    failed = result.has_errors or (strict and result.has_warnings)
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--title", required=True, help="What happened, in a few words.")
@click.option("--severity", required=True, help="One of the plugin's severities, e.g. Sev2.")
@click.option("--category", required=True, help="integration or warehouse (or your categories).")
@click.option("--failure-mode", "failure_mode", help="A slug from incidents/failure-modes.yml.")
@click.option("--partner", "partners", multiple=True, help="A partner slug; repeat for several.")
@click.option("--site", "sites", multiple=True, help="A warehouse site slug; repeat for several.")
@click.option("--id", "incident_id", help="Use this id instead of the next free one.")
@click.option(
    "--started-at",
    "started_at",
    help="When the impact started, like 2026-03-01T09:30 (read in the plugin's timezone) or "
    "2026-03-01T09:30:00+01:00; dates the file name and the id's year. Without it started_at "
    "is left for you to fill in.",
)
@ROOT_OPTION
def new(
    title: str,
    severity: str,
    category: str,
    failure_mode: str | None,
    partners: tuple[str, ...],
    sites: tuple[str, ...],
    incident_id: str | None,
    started_at: str | None,
    root: Path | None,
) -> None:
    """Write a new incident file with the next free id and print its path.

    The file goes into the project's incidents folder, wherever in the project you run it, and
    has every required field; the times and other values only you know are left empty: fill
    them in, then run incident-loop check. An existing file is never overwritten.

    \b
    Examples:
      incident-loop new --title "DHL labels time out" --severity Sev2 --category integration
      incident-loop new --title "Scanner rejects totes" --severity Sev3 --category warehouse \\
          --failure-mode wrong-barcode-scanning --site ams-dc1 --started-at 2026-03-01T09:30
    """
    config = _config(_project_root(root))
    try:
        path = write_new_incident(
            config,
            title=title,
            severity=severity,
            category=category,
            failure_mode=failure_mode,
            partners=partners,
            sites=sites,
            incident_id=incident_id,
            started_at=started_at,
        )
    except NewIncidentError as exc:
        click.echo(f"incident-loop new: {exc}", err=True)
        sys.exit(exc.exit_code)
    click.echo(config.paths.relative(path))


@main.command()
@click.argument("what", type=click.Choice(["incidents", "actions", "trends"]))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="json as in site/api/, or csv (for actions: the Jira/Linear import).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@ROOT_OPTION
def export(what: str, output_format: str, output: Path | None, root: Path | None) -> None:
    """Export incidents, actions or monthly trends as JSON or CSV.

    The JSON is the same as the site's api/incidents.json, api/actions.json and api/trends.json;
    `export actions --format csv` is the site's api/actions.csv, one row per open action in the
    columns Jira's and Linear's CSV importers map. The sources must pass `incident-loop check`.

    \b
    Examples:
      incident-loop export trends
      incident-loop export actions --format csv -o actions.csv
      SOURCE_DATE_EPOCH=1767225600 incident-loop export incidents -o incidents.json
    """
    config = _config(_project_root(root))
    result = _valid(config, "export")
    text = render_export(result, config, what, output_format)
    if what == "actions" and output_format == "csv" and not config.site_url:
        click.echo(f"incident-loop export: warning: {NO_SITE_URL}", err=True)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            click.echo(
                f"incident-loop export: cannot write {output}: {exc.strerror or exc}", err=True
            )
            sys.exit(1)
        click.echo(f"wrote {output}", err=True)


@main.command("overdue")
@click.option("--owner", help="Only the actions of this owner (as written in `owner:`).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for an issue, json for tools.",
)
@ROOT_OPTION
def overdue_command(owner: str | None, output_format: str, root: Path | None) -> None:
    """List the overdue actions and those due within 7 days.

    An action is overdue when it is proposed, planned or in progress and its due date has
    passed; soon due when it is open and due today or within the next 7 days. Today is the date
    of SOURCE_DATE_EPOCH when set, else the plugin option `today`, else the UTC date. Exits 0
    whether or not actions are overdue, 1 when the sources have errors.

    \b
    Examples:
      incident-loop overdue
      incident-loop overdue --owner "Platform SRE"
      incident-loop overdue --format markdown > digest.md
    """
    config = _config(_project_root(root))
    result = _valid(config, "overdue")
    digest = overdue_digest(result.analysis, owner)
    if output_format == "json":
        text = digest_json(digest)
    elif output_format == "markdown":
        urls, pages = Urls(config.use_directory_urls), register_pages(result.analysis)
        text = digest_markdown(digest, config.site_url, functools.partial(action_url, urls, pages))
    else:
        text = digest_text(digest)
    click.echo(text, nl=False)


@main.command("diff")
@click.argument("old_revision", metavar="REV1")
@click.argument("new_revision", metavar="[REV2]", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(DIFF_FORMATS),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull request, json for tools.",
)
@ROOT_OPTION
def diff_command(
    old_revision: str, new_revision: str | None, output_format: str, root: Path | None
) -> None:
    """Show what changed in the learning state between two git revisions.

    Incidents added, edited or removed, failure modes seen for the first time, actions opened,
    done or gone overdue, and how the backlog ranking moved. REV2 defaults to the working tree
    as it is on disk. Both revisions must pass `incident-loop check`; exits 1 when one does not,
    2 when a revision cannot be read.

    \b
    Examples:
      incident-loop diff origin/main
      incident-loop diff v1.0 v1.1 --format markdown
    """
    try:
        project = _project_root(root)
        diff = learning_diff(project.resolve(), old_revision, new_revision, read_project_config)
    except DiffError as exc:
        click.echo(f"incident-loop diff: {exc}", err=True)
        sys.exit(exc.exit_code)
    except SettingsError as exc:
        click.echo(f"incident-loop diff: {exc}", err=True)
        sys.exit(2)
    render = {"json": diff_json, "markdown": diff_markdown}.get(output_format, diff_text)
    click.echo(render(diff), nl=False)


@main.command()
@ROOT
@ROOT_OPTION
def schema(root_argument: Path | None, root: Path | None) -> None:
    """Print the JSON Schema of an incident's front matter, for editors and pre-commit.

    The allowed severities and categories come from the project's mkdocs.yml (the nearest one at
    or above ROOT, --root or the current folder).

    \b
    Example:
      incident-loop schema > incident.schema.json
    """
    config = _config(_project_root(root, root_argument), need_incidents=False)
    document = incident_schema(config.settings)
    click.echo(json.dumps(document, indent=2, sort_keys=True))


@main.command()
@click.option(
    "--site-url",
    help="Where the site will be published (default: the GitHub Pages address of the git "
    "remote origin, else a placeholder to change in mkdocs.yml).",
)
@click.option(
    "--repo-url",
    help="The repository, for the edit links (default: the git remote origin on GitHub).",
)
@click.option(
    "-C",
    "--root",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Start the project in this folder instead of the current one (made when missing).",
)
def init(site_url: str | None, repo_url: str | None, root: Path | None) -> None:
    """Start a project in an empty repository, ready to commit.

    Writes mkdocs.yml (navigation, site_url, a site that loads nothing from other hosts), the
    failure modes, one partner, one warehouse site and one runbook to rename or copy,
    requirements.txt, .gitignore and the two GitHub workflows (pull request check and GitHub
    Pages publishing). The result passes `incident-loop check` and `mkdocs build --strict` as
    it is. An existing file is never overwritten.

    \b
    Examples:
      incident-loop init
      incident-loop init --site-url https://ops.acme.example/incidents/
    """
    folder = (root or Path.cwd()).resolve()
    remote_repo, remote_site = github_urls(_git_remote(folder))
    try:
        result = write_project(
            folder,
            version=__version__,
            site_url=site_url or remote_site,
            repo_url=repo_url or remote_repo,
        )
    except InitError as exc:
        click.echo(f"incident-loop init: {exc}", err=True)
        sys.exit(2)
    for rel in result.written:
        click.echo(f"wrote {rel}")
    for rel in result.kept:
        click.echo(f"kept {rel} (it exists)")
    click.echo(
        "Next: `mkdocs serve` to see the site, `incident-loop new --title ... --severity Sev2 "
        "--category integration` for the first incident, then commit. In the repository's "
        "settings, set Pages > Source to GitHub Actions."
    )


def _git_remote(folder: Path) -> str | None:
    """The URL of the remote ``origin`` of the repository around ``folder``, if there is one."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@main.command("summary")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--base",
    metavar="REV",
    help="Also show what the change does to incidents, actions and the backlog ranking "
    "compared with this git revision (incident-loop diff REV).",
)
@ROOT_OPTION
def summary_command(files: tuple[Path, ...], base: str | None, root: Path | None) -> None:
    """Print a markdown summary of the incident FILES, for a pull request's job summary.

    A table of each valid incident in FILES (id, title, severity, failure mode, the reasons the
    decision rule gives, its actions), then the problems incident-loop check found in FILES.
    FILES are relative to the project's folder, or absolute. Exits 0 whatever the incidents
    hold (the check is what fails a build), 2 outside a project.

    \b
    Examples:
      incident-loop summary incidents/2026/2026-09-15-gls-label-api-503.md
      git diff -z --name-only --diff-filter=AM origin/main...HEAD -- incidents/ \\
          | xargs -0 incident-loop summary --base origin/main >> "$GITHUB_STEP_SUMMARY"
    """
    root = _project_root(root)
    try:
        config = read_project_config(root)
        if not config.paths.incidents_dir.is_dir():
            _config(root)  # exits 2 with the message
        result = check_project(config)
    except SettingsError as exc:
        click.echo(render_settings_error(str(exc)), nl=False)
        return
    click.echo(render_summary(result, files), nl=False)
    if base is not None:
        click.echo("\n" + render_changes(root.resolve(), base, read_project_config), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
