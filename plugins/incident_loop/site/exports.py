"""The exports of SPEC section 7: JSON for tools, CSV for Jira's and Linear's importers.

The same functions feed ``site/api/*`` and ``incident-loop export``; output is sorted and has no
build timestamps, so the same input and ``SOURCE_DATE_EPOCH`` give the same bytes.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from ..core.analyse import Analysis, ranked_open_actions
from ..core.peak import PeakReadiness
from ..core.project import CheckResult, without_cycle_collection
from ..core.records import Impact
from ..core.rules import TOO_FEW, round_number
from ..core.settings import ProjectConfig
from ..core.trends import OnTime, Trends
from .model import SiteModel
from .urls import ACTIONS_SRC, Urls, action_anchor, incident_src, paged_src, register_pages

ACTIONS_CSV_COLUMNS = (
    "Summary",
    "Issue Type",
    "Priority",
    "Due date",
    "Labels",
    "Description",
    "Assignee",
)
#: Said where the CSV would hold an incident's link but ``site_url`` is not set: a relative
#: link is dead in Jira or Linear, so none is written.
NO_SITE_URL = (
    "site_url is not set in mkdocs.yml, so the CSV names incidents without links (a relative "
    "link is dead in Jira or Linear); set site_url to the address the site is published at"
)
_PRIORITY_NAMES = {"P1": "High", "P2": "Medium", "P3": "Low"}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: text starting like a formula gets a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# allow_nan=False: SPEC section 7, no export ever holds NaN or Infinity (the inputs are bounded;
# this makes a slip an error instead of a file that is not JSON).
_JSON_OPTIONS: dict[str, Any] = {
    "indent": 2,
    "sort_keys": True,
    "ensure_ascii": False,
    "allow_nan": False,
}


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
                "impact": _impact(incident.impact),
                "time_to_detect_min": round_number(facts.time_to_detect),
                "time_to_mitigate_min": round_number(facts.time_to_mitigate),
                "time_to_resolve_min": round_number(facts.time_to_resolve),
                "repeat_of": facts.repeat_of,
                "backlog_reasons": [reason.code for reason in facts.reasons],
                "action_ids": list(facts.action_ids),
            }
        )
    return {"incidents": rows}


def action_url(urls: Urls, pages: dict[str, int], action_id: str) -> str:
    """An action's row in the register, on the page of the register that holds it."""
    return (
        urls.page(paged_src(ACTIONS_SRC, pages.get(action_id, 1))) + f"#{action_anchor(action_id)}"
    )


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
                "effort": item.effort,
                "effort_days": action.effort_days,
                "value_per_effort": action.value_per_effort,
                "quick_win": action.quick_win,
                "url": action_url(urls, pages, action.id),
            }
        )
    return {"actions": rows}


def _impact(impact: Impact | None) -> dict[str, int | None] | None:
    if impact is None:
        return None
    return {
        "shipments_delayed": impact.shipments_delayed,
        "orders_cancelled": impact.orders_cancelled,
        "escalations": impact.escalations,
    }


def peak_data(peaks: Iterable[PeakReadiness], analysis: Analysis, urls: Urls) -> dict[str, Any]:
    """``api/peak.json``: each configured peak period's readiness (SPEC section 4)."""
    pages = register_pages(analysis)
    rows = []
    for peak in peaks:
        upcoming = peak.upcoming
        rows.append(
            {
                "name": peak.period.name,
                "start": peak.period.start,
                "end": peak.period.end,
                "next_start": upcoming.start.isoformat() if upcoming else None,
                "next_end": upcoming.end.isoformat() if upcoming else None,
                "days_to_start": peak.days_to_start,
                "earlier_incidents": [f.id for f in peak.lessons],
                "failure_modes": list(peak.failure_modes),
                "partners": list(peak.partners),
                "sites": list(peak.sites),
                "actions": [
                    {
                        "id": entry.action.id,
                        "title": entry.action.record.item.title,
                        "owner": entry.action.record.item.owner,
                        "status": entry.action.record.item.status,
                        "due": entry.action.due.isoformat(),
                        "due_after_start": entry.late,
                        "days_before_start": (upcoming.start - entry.action.due).days
                        if upcoming
                        else None,
                        "answers": list(entry.answers),
                        "score": entry.action.score,
                        "url": action_url(urls, pages, entry.action.id),
                    }
                    for entry in peak.actions
                ],
                "actions_due_after_start": peak.late_actions,
            }
        )
    return {"peaks": rows}


def trends_data(trends: Trends) -> dict[str, Any]:
    """``api/trends.json`` (SPEC section 7): the months, and the summaries and follow-through of
    SPEC section 4, with the field names documented on How the loop works."""
    months = []
    for stats in trends.months:
        row = asdict(stats)
        row.pop("overdue")  # shown on the page; not a field of the export contract
        months.append(row)
    data: dict[str, Any] = {"months": months}
    if not trends.months:
        return data
    data["too_few_threshold"] = TOO_FEW
    data["durations"] = {
        name: {
            "all": asdict(trends.durations[name]),
            "by_severity": {
                severity: asdict(summary)
                for severity, summary in trends.durations_by_severity[name].items()
            },
        }
        for name in trends.durations
    }
    follow = trends.follow_through
    if follow is not None:
        data["follow_through"] = {
            "repeat_rate": {
                "incidents": follow.incidents,
                "repeats": follow.repeats,
                "share": follow.repeat_rate,
            },
            "time_to_done_days": asdict(follow.time_to_done_days),
            "open_action_age_days": asdict(follow.open_age_days),
            "on_time_by_quarter": [
                {
                    "quarter": row.quarter,
                    "actions_counted": row.on_time.counted,
                    "actions_on_time": row.on_time.on_time,
                    "on_time_share": row.on_time.share,
                    "incidents": row.incidents,
                    "repeats": row.repeats,
                    "repeat_rate": row.repeat_rate,
                }
                for row in follow.by_quarter
            ],
            "on_time_by_type": [_on_time_row("type", row) for row in follow.by_type],
            "on_time_by_owner": [_on_time_row("owner", row) for row in follow.by_owner],
        }
    return data


def _on_time_row(key: str, row: OnTime) -> dict[str, Any]:
    return {
        key: row.name,
        "actions_counted": row.counted,
        "actions_on_time": row.on_time,
        "on_time_share": row.share,
    }


def actions_csv(analysis: Analysis, urls: Urls, site_url: str | None) -> str:
    """One row per open action without a ``ticket``, in the columns Jira's and Linear's CSV
    importers map: an action with a ticket is already in the backlog tool, and importing it
    again would make a duplicate. Incident links are absolute, from ``site_url``; without it
    the incidents are named without a link."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ACTIONS_CSV_COLUMNS)
    base = site_url.rstrip("/") + "/" if site_url else None
    for action in ranked_open_actions(analysis):
        item = action.record.item
        if item.ticket:
            continue
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
            link = f" {base}{urls.page(incident_src(incident_id))}" if base is not None else ""
            lines.append(f"- {incident_id}: {title}{link}")
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
                cell(item.owner),
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
EXPORTS = (
    "api/incidents.json",
    "api/actions.json",
    "api/trends.json",
    "api/peak.json",
    "api/actions.csv",
)


def export_inputs(
    model: SiteModel, keys: Callable[[object], object], site_url: str | None
) -> dict[str, Callable[[], object]]:
    """What each file under ``api/`` shows, as values that compare equal when the file would be
    the same: the incidents and actions it reads as ``keys`` gives them (:meth:`Renderer.keys`).
    ``mkdocs serve --dirty`` writes again only those that differ."""
    analysis = model.analysis

    @functools.cache
    def incidents() -> object:
        return keys(list(analysis.incidents.values()))

    @functools.cache
    def actions() -> object:  # with the register page of each, which their links go to
        return keys(list(analysis.actions.values()))

    return {
        "api/incidents.json": incidents,
        "api/actions.json": actions,
        "api/trends.json": lambda: model.trends,
        "api/peak.json": lambda: keys(list(model.peaks)),
        # An action's row names its incidents, with their titles and failure modes.
        "api/actions.csv": lambda: (actions(), incidents(), site_url),
    }


def write_exports(
    model: SiteModel,
    urls: Urls,
    site_url: str | None,
    site_dir: Path,
    only: Collection[str] | None = None,
) -> None:
    """Write the files under ``api/`` of the built site, one at a time: all of them, or those
    named in ``only``."""
    makers: dict[str, Callable[[TextIO], object]] = {
        "api/incidents.json": lambda out: write_json(incidents_data(model.analysis, urls), out),
        "api/actions.json": lambda out: write_json(actions_data(model.analysis, urls), out),
        "api/trends.json": lambda out: write_json(trends_data(model.trends), out),
        "api/peak.json": lambda out: write_json(peak_data(model.peaks, model.analysis, urls), out),
        "api/actions.csv": lambda out: out.write(actions_csv(model.analysis, urls, site_url)),
    }
    for name, make in makers.items():
        if only is not None and name not in only:
            continue
        target = site_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with without_cycle_collection(), target.open("w", encoding="utf-8", newline="") as handle:
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
    # The CSV of trends is its months (a summary becomes columns like time_to_detect.p90).
    return flat_csv(data["months" if what == "trends" else what])
