"""The ``incident-loop`` command line (SPEC section 8): a thin adapter over the core.

Exit codes: 0 clean, 1 problems found (errors, or warnings with ``--strict``), 2 usage errors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

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
from .core.overdue import FORMATS, overdue_digest
from .core.overdue import format_json as digest_json
from .core.overdue import format_markdown as digest_markdown
from .core.overdue import format_text as digest_text
from .core.project import CheckResult, check_project
from .core.prsummary import render_changes, render_settings_error, render_summary
from .core.schema import incident_schema
from .core.settings import ProjectConfig, SettingsError
from .site.exports import render_export
from .site.urls import ACTIONS_SRC, Urls

ROOT = click.argument(
    "root",
    required=False,
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)


ROOT_OPTION = click.option(
    "--root",
    default=".",
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The project folder.",
)


def _checked(config: ProjectConfig) -> CheckResult:
    """The check result, or exit 2 when the options cannot be used (a bad SOURCE_DATE_EPOCH)."""
    try:
        return check_project(config)
    except SettingsError as exc:
        click.echo(f"incident-loop: {exc}", err=True)
        sys.exit(2)


def _config(root: Path) -> ProjectConfig:
    try:
        return read_project_config(root)
    except SettingsError as exc:
        for problem in str(exc).splitlines():  # one line per option, as MkDocs prints them
            click.echo(f"incident-loop: {root / 'mkdocs.yml'}: {problem}", err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="incident-loop")
def main() -> None:
    """Validate, create and export incident records written as markdown.

    Incidents are markdown files with YAML front matter under incidents/. The options of the
    incident-loop MkDocs plugin are read from ROOT/mkdocs.yml.
    """


@main.command()
@ROOT
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
def check(root: Path, strict: bool, output_format: str) -> None:
    """Check every incident, catalogue page and failure mode of the project in ROOT.

    Prints each problem as PATH:LINE: LEVEL: FIELD: MESSAGE and ends with a summary.
    Exits 1 on errors (and on warnings with --strict), 0 when clean.

    \b
    Examples:
      incident-loop check
      incident-loop check . --strict --format github
      incident-loop check path/to/project --format json > problems.json
    """
    result = _checked(_config(root))
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
@ROOT_OPTION
def new(
    title: str,
    severity: str,
    category: str,
    failure_mode: str | None,
    partners: tuple[str, ...],
    sites: tuple[str, ...],
    incident_id: str | None,
    root: Path,
) -> None:
    """Write a new incident file with the next free id and print its path.

    The file has every required field; fill in the empty ones, then run incident-loop check.
    An existing file is never overwritten.

    \b
    Examples:
      incident-loop new --title "DHL labels time out" --severity Sev2 --category integration
      incident-loop new --title "Scanner rejects totes" --severity Sev3 --category warehouse \\
          --failure-mode wrong-barcode-scanning --site ams-dc1
    """
    config = _config(root)
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
def export(what: str, output_format: str, output: Path | None, root: Path) -> None:
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
    config = _config(root)
    result = _checked(config)
    if result.has_errors:
        click.echo(
            format_text([d for d in result.diagnostics if d.level == "error"]), err=True, nl=False
        )
        click.echo(
            "incident-loop export: fix the errors above first (incident-loop check)", err=True
        )
        sys.exit(1)
    text = render_export(result, config, what, output_format)
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
def overdue_command(owner: str | None, output_format: str, root: Path) -> None:
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
    config = _config(root)
    result = _checked(config)
    if result.has_errors:
        click.echo(
            format_text([d for d in result.diagnostics if d.level == "error"]), err=True, nl=False
        )
        click.echo(
            "incident-loop overdue: fix the errors above first (incident-loop check)", err=True
        )
        sys.exit(1)
    digest = overdue_digest(result.analysis, owner)
    if output_format == "json":
        text = digest_json(digest)
    elif output_format == "markdown":
        register = Urls(config.use_directory_urls).page(ACTIONS_SRC)
        text = digest_markdown(digest, config.site_url, register)
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
    old_revision: str, new_revision: str | None, output_format: str, root: Path
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
        diff = learning_diff(root.resolve(), old_revision, new_revision, read_project_config)
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
def schema(root: Path) -> None:
    """Print the JSON Schema of an incident's front matter, for editors and pre-commit.

    The allowed severities and categories come from ROOT/mkdocs.yml.

    \b
    Example:
      incident-loop schema > incident.schema.json
    """
    document = incident_schema(_config(root).settings)
    click.echo(json.dumps(document, indent=2, sort_keys=True))


@main.command("summary")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--base",
    metavar="REV",
    help="Also show what the change does to incidents, actions and the backlog ranking "
    "compared with this git revision (incident-loop diff REV).",
)
@ROOT_OPTION
def summary_command(files: tuple[Path, ...], base: str | None, root: Path) -> None:
    """Print a markdown summary of the incident FILES, for a pull request's job summary.

    A table of each valid incident in FILES (id, title, severity, failure mode, the reasons the
    decision rule gives, its actions), then the problems incident-loop check found in FILES.
    FILES are relative to ROOT, or absolute. Always exits 0: the check is what fails a build.

    \b
    Examples:
      incident-loop summary incidents/2026/2026-09-15-gls-label-api-503.md
      git diff -z --name-only --diff-filter=AM origin/main...HEAD -- incidents/ \\
          | xargs -0 incident-loop summary --base origin/main >> "$GITHUB_STEP_SUMMARY"
    """
    try:
        result = check_project(read_project_config(root))
    except SettingsError as exc:
        click.echo(render_settings_error(str(exc)), nl=False)
        return
    click.echo(render_summary(result, files), nl=False)
    if base is not None:
        click.echo("\n" + render_changes(root.resolve(), base, read_project_config), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
