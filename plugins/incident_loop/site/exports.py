"""The exports of SPEC section 7: JSON for tools, CSV for Jira's and Linear's importers.

The same functions feed ``site/api/*`` and ``incident-loop export``; output is sorted and has no
build timestamps, so the same input and ``SOURCE_DATE_EPOCH`` give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from ..core.analyse import Analysis, ranked_open_actions
from ..core.project import CheckResult
from ..core.rules import round_number
from ..core.settings import ProjectConfig
from ..core.trends import Trends
from .model import SiteModel
from .urls import ACTIONS_SRC, Urls, action_anchor, incident_src, paged_src, register_pages

ACTIONS_CSV_COLUMNS = ("Summary", "Issue Type", "Priority", "Due date", "Labels", "Description")
_PRIORITY_NAMES = {"P1": "High", "P2": "Medium", "P3": "Low"}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: text starting like a formula gets a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_JSON_OPTIONS: dict[str, Any] = {"indent": 2, "sort_keys": True, "ensure_ascii": False}


def to_json(data: Any) -> str:
    return json.dumps(data, **_JSON_OPTIONS) + "\n"


def write_json(data: Any, handle: TextIO) -> None:
    """:func:`to_json` written in pieces: the text of thousands of incidents is never whole."""
    json.dump(data, handle, **_JSON_OPTIONS)
    handle.write("\n")


def incidents_data(analysis: Analysis, urls: Urls) -> dict[str, Any]:
    rows = []
    for facts in analysis.incidents.values():  # newest first
        incident = facts.record.incident
        rows.append(
            {
                "id": incident.id,
                "title": incident.title,
                "url": urls.page(incident_src(incident.id)),
                "severity": incident.severity,
                "category": incident.category,
                "failure_mode": incident.failure_mode,
                "detection_source": incident.detection_source,
                "started_at": incident.started_at.isoformat(),
                "detected_at": incident.detected_at.isoformat(),
                "mitigated_at": incident.mitigated_at.isoformat(),
                "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
                "partners": list(incident.scope.partners),
                "sites": list(incident.scope.sites),
                "segments": list(incident.scope.segments),
                "manual_hours": incident.manual_hours,
                "time_to_detect_min": round_number(facts.time_to_detect),
                "time_to_mitigate_min": round_number(facts.time_to_mitigate),
                "time_to_resolve_min": round_number(facts.time_to_resolve),
                "repeat_of": facts.repeat_of,
                "backlog_reasons": [reason.code for reason in facts.reasons],
                "action_ids": list(facts.action_ids),
            }
        )
    return {"incidents": rows}


def actions_data(analysis: Analysis, urls: Urls) -> dict[str, Any]:
    pages = register_pages(analysis)
    rows = []
    for action_id in sorted(analysis.actions):
        action = analysis.actions[action_id]
        item = action.record.item
        rows.append(
            {
                "id": action.id,
                "title": item.title,
                "type": item.type,
                "owner": item.owner,
                "status": item.status,
                "priority": item.priority,
                "due": action.due.isoformat(),
                "overdue": action.overdue,
                "ticket": item.ticket,
                "acceptance": list(item.acceptance),
                "completed_at": item.completed_at.isoformat() if item.completed_at else None,
                "incidents": list(action.incidents),
                "score": action.score,
                "url": urls.page(paged_src(ACTIONS_SRC, pages[action.id]))
                + f"#{action_anchor(action.id)}",
            }
        )
    return {"actions": rows}


def trends_data(trends: Trends) -> dict[str, Any]:
    months = []
    for stats in trends.months:
        row = asdict(stats)
        row.pop("overdue")  # shown on the page; not a field of the export contract
        months.append(row)
    return {"months": months}


def actions_csv(analysis: Analysis, urls: Urls, site_url: str | None) -> str:
    """One row per open action, in the columns Jira's and Linear's CSV importers map."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ACTIONS_CSV_COLUMNS)
    base = (site_url or "").rstrip("/") + "/" if site_url else ""
    for action in ranked_open_actions(analysis):
        item = action.record.item
        modes = sorted(
            {
                analysis.incidents[i].record.incident.failure_mode
                for i in action.incidents
                if i in analysis.incidents
            }
        )
        lines = [item.title, "", f"Action {action.id} ({item.type}), owner {item.owner}."]
        if item.acceptance:
            lines += ["", "Acceptance criteria:"] + [f"- {c}" for c in item.acceptance]
        lines += ["", "Incidents:"]
        for incident_id in action.incidents:
            facts = analysis.incidents.get(incident_id)
            title = facts.record.incident.title if facts else ""
            lines.append(f"- {incident_id}: {title} {base}{urls.page(incident_src(incident_id))}")
        if action.score_parts:
            parts = ", ".join(f"{p.name} {p.points:g}" for p in action.score_parts)
            lines += ["", f"Score {action.score:g} ({parts})."]
        writer.writerow(
            [
                cell(f"{action.id}: {item.title}"),
                "Story" if item.type == "product" else "Task",
                _PRIORITY_NAMES.get(item.priority or "", "Medium"),
                action.due.isoformat(),
                " ".join(["incident-loop", item.type, *modes]),
                cell("\n".join(lines)),
            ]
        )
    return buffer.getvalue()


def flat_csv(rows: Iterable[dict[str, Any]]) -> str:
    """A table of dictionaries: nested mappings become ``key.sub`` columns, lists ``a; b``."""
    flat_rows = [_flatten(row) for row in rows]
    columns: list[str] = []
    for row in flat_rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: cell(value) for key, value in row.items()} for row in flat_rows)
    return buffer.getvalue()


def _flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, list):
            flat[name] = "; ".join(str(v) for v in value)
        elif value is None:
            flat[name] = ""
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        else:
            flat[name] = value
    return flat


#: The files under ``api/`` of the built site.
EXPORTS = ("api/incidents.json", "api/actions.json", "api/trends.json", "api/actions.csv")


def write_exports(model: SiteModel, urls: Urls, site_url: str | None, site_dir: Path) -> None:
    """Write the files under ``api/`` of the built site, one at a time."""
    makers: dict[str, Callable[[TextIO], object]] = {
        "api/incidents.json": lambda out: write_json(incidents_data(model.analysis, urls), out),
        "api/actions.json": lambda out: write_json(actions_data(model.analysis, urls), out),
        "api/trends.json": lambda out: write_json(trends_data(model.trends), out),
        "api/actions.csv": lambda out: out.write(actions_csv(model.analysis, urls, site_url)),
    }
    for name, make in makers.items():
        target = site_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as handle:
            make(handle)


def render_export(result: CheckResult, config: ProjectConfig, what: str, output_format: str) -> str:
    """``incident-loop export WHAT --format FORMAT``: the same data as the site's ``api/``."""
    model = SiteModel.build(result.project, result.analysis)
    urls = Urls(config.use_directory_urls)
    if what == "actions" and output_format == "csv":
        return actions_csv(model.analysis, urls, config.site_url)
    data = {
        "incidents": lambda: incidents_data(model.analysis, urls),
        "actions": lambda: actions_data(model.analysis, urls),
        "trends": lambda: trends_data(model.trends),
    }[what]()
    if output_format == "json":
        return to_json(data)
    (rows,) = data.values()
    return flat_csv(rows)
