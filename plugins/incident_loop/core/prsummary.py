"""The markdown section ``incident-loop summary`` prints for a pull request's job summary.

Given the incident files a pull request adds or changes, it shows what a reviewer needs at a
glance: each valid incident with its severity, failure mode, the reasons the decision rule gives
(SPEC section 4) and its actions, then the problems ``incident-loop check`` found in those files.
It reads the same :class:`~incident_loop.pipeline.CheckResult` as every other adapter and imports
nothing from MkDocs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .analyse import IncidentFacts
from .diagnostics import Diagnostic, format_text, summary
from .diff import DiffError, format_markdown, learning_diff
from .project import CheckResult
from .settings import ProjectConfig

HEADING = "## Incidents in this pull request"
COLUMNS = ("incident", "severity", "failure mode", "decision rule", "actions", "check")

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def relative_paths(root: Path, files: Iterable[str | Path]) -> list[str]:
    """The given files as paths relative to ``root`` with ``/``, in order and without repeats.

    A relative path is read from ``root``, or from the current folder when it does not exist
    there; an absolute path is made relative to ``root`` when it lies below it.
    """
    root = root.resolve()
    result: dict[str, None] = {}
    for given in files:
        path = Path(given)
        if not path.is_absolute():
            path = root / path if (root / path).exists() or not path.exists() else path.resolve()
        for candidate in (path, path.resolve()):
            try:
                rel = candidate.relative_to(root).as_posix()
                break
            except ValueError:
                continue
        else:
            rel = path.as_posix()
        result.setdefault(rel, None)
    return list(result)


def cell(text: str) -> str:
    """``text`` as one markdown table cell: one line, no markup, no HTML, no column break."""
    text = " ".join(text.split())
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return html.escape(text, quote=False)


def incident_row(facts: IncidentFacts, problems: Sequence[Diagnostic]) -> str:
    incident = facts.record.incident
    if facts.excluded:
        rule = "excluded from metrics"
    else:
        rule = "; ".join(reason.text for reason in facts.reasons) or "does not qualify"
    warnings = sum(1 for d in problems if d.level == "warning")
    check = "ok" if not warnings else f"{warnings} warning{'s' if warnings != 1 else ''}"
    cells = [
        f"{incident.id} ({incident.title})",
        incident.severity,
        incident.failure_mode,
        rule,
        ", ".join(facts.action_ids) or "none",
        check,
    ]
    return "| " + " | ".join(cell(text) for text in cells) + " |"


def _fence(text: str) -> str:
    """A fenced code block around ``text`` that no backtick run inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}{fence}"


def _count(diagnostics: Sequence[Diagnostic]) -> str:
    n_errors = sum(1 for d in diagnostics if d.level == "error")
    n_warnings = len(diagnostics) - n_errors
    parts = []
    if n_errors:
        parts.append(f"{n_errors} error{'s' if n_errors != 1 else ''}")
    if n_warnings:
        parts.append(f"{n_warnings} warning{'s' if n_warnings != 1 else ''}")
    return ", ".join(parts)


CHANGES_HEADING = "## What this pull request changes"


def render_changes(root: Path, base: str, load: Callable[[Path], ProjectConfig]) -> str:
    """The section that compares the working tree with the base revision (``incident-loop
    diff``): so a reviewer reads "moves action X from rank 7 to rank 2". A base that cannot be
    compared is said, never fatal: the summary always exits 0."""
    try:
        changes = learning_diff(root, base, None, load)
    except DiffError as exc:
        return f"{CHANGES_HEADING}\n\nNot compared with `{cell(base)}`: {cell(str(exc))}\n"
    return format_markdown(changes, CHANGES_HEADING)


def render_settings_error(message: str) -> str:
    """The section when ``mkdocs.yml`` cannot be used: nothing else can be summarised."""
    return f"{HEADING}\n\nThe plugin options in `mkdocs.yml` cannot be used: {cell(message)}\n"


def render_summary(result: CheckResult, files: Iterable[str | Path]) -> str:
    """The markdown section for the incident files ``files`` of the project of ``result``."""
    root = result.project.config.paths.root
    wanted = relative_paths(root, files)
    lines = [HEADING, ""]
    totals = summary(result.project.incident_files, result.diagnostics)
    lines += [f"`incident-loop check` on the whole project: {totals}.", ""]
    if not wanted:
        lines += ["This pull request adds or changes no incident file.", ""]
        return "\n".join(lines)

    by_path: dict[str, IncidentFacts] = {
        facts.record.source.rel: facts for facts in result.analysis.incidents.values()
    }
    problems: dict[str, list[Diagnostic]] = {}
    for diagnostic in result.diagnostics:
        problems.setdefault(diagnostic.path, []).append(diagnostic)

    rows = [incident_row(by_path[rel], problems.get(rel, [])) for rel in wanted if rel in by_path]
    if rows:
        lines += [
            "| " + " | ".join(COLUMNS) + " |",
            "|" + " --- |" * len(COLUMNS),
            *rows,
            "",
        ]

    with_problems = [rel for rel in wanted if problems.get(rel)]
    if with_problems:
        lines += ["### Problems in these files", ""]
        for rel in with_problems:
            found = problems[rel]
            lines += [
                f"**{cell(rel)}**: {_count(found)}",
                "",
                _fence(format_text(found)),
                "",
            ]

    others = [rel for rel in wanted if rel not in by_path and not problems.get(rel)]
    missing = [rel for rel in others if Path(rel).is_absolute() or not (root / rel).exists()]
    present = [rel for rel in others if rel not in missing]
    if present:
        names = ", ".join(cell(rel) for rel in present)
        lines += [f"Other changed files, without problems: {names}", ""]
    if missing:
        names = ", ".join(cell(rel) for rel in missing)
        lines += [f"Not found in the project: {names}", ""]

    elsewhere = [d for d in result.diagnostics if d.path not in wanted]
    if elsewhere:
        lines += [
            f"Other files of the project have {_count(elsewhere)}; the "
            "`incident-loop check` step lists them.",
            "",
        ]
    return "\n".join(lines)
