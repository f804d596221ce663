"""``incident-loop overdue`` (SPEC section 8): the open actions an owner must chase today.

Overdue is :func:`rules.is_overdue`, soon due :func:`rules.is_due_soon` (within
:data:`rules.SOON_DUE_DAYS` days); this module picks the actions and writes the digest as text
for a terminal, markdown for an issue (the daily workflow opens or updates one) or JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from .analyse import ActionFacts, Analysis
from .rules import SOON_DUE_DAYS, is_due_soon

FORMATS = ("text", "markdown", "json")


@dataclass(frozen=True)
class Digest:
    today: dt.date
    owner: str | None
    #: Oldest due date first.
    overdue: tuple[ActionFacts, ...]
    #: Nearest due date first.
    soon: tuple[ActionFacts, ...]


def overdue_digest(analysis: Analysis, owner: str | None = None) -> Digest:
    """The overdue and soon-due actions, of one owner when ``owner`` is given (as written in
    the actions' ``owner``, ignoring case and surrounding spaces)."""
    wanted = owner.strip().casefold() if owner else None
    chosen = [
        a
        for a in analysis.actions.values()
        if wanted is None or a.record.item.owner.strip().casefold() == wanted
    ]
    key = lambda a: (a.due, a.id)  # noqa: E731
    overdue = sorted((a for a in chosen if a.overdue), key=key)
    soon = sorted(
        (a for a in chosen if is_due_soon(a.record.item.status, a.due, analysis.today)), key=key
    )
    return Digest(analysis.today, owner, tuple(overdue), tuple(soon))


def _days(action: ActionFacts, today: dt.date) -> str:
    days = (action.due - today).days
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue"
    if days == 0:
        return "due today"
    return f"due in {days} day{'s' if days != 1 else ''}"


def _line(action: ActionFacts, today: dt.date) -> str:
    item = action.record.item
    return (
        f"{action.id} {item.title} ({item.owner}, {item.status.replace('_', ' ')}): "
        f"due {action.due.isoformat()}, {_days(action, today)}"
    )


def _scope(digest: Digest) -> str:
    return f" of {digest.owner}" if digest.owner else ""


def format_text(digest: Digest) -> str:
    """For a terminal: one line per action, then a count."""
    lines = []
    for title, actions in (
        ("Overdue", digest.overdue),
        (f"Due within {SOON_DUE_DAYS} days", digest.soon),
    ):
        lines.append(f"{title}:")
        lines += [f"  {_line(a, digest.today)}" for a in actions] or ["  none"]
    lines.append(
        f"{len(digest.overdue)} overdue, {len(digest.soon)} due within {SOON_DUE_DAYS} days"
        f"{_scope(digest)} on {digest.today.isoformat()}"
    )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text for a markdown table cell: a ``|`` cannot end the cell, nor markup start."""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for char in "`*_[]<>#":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def format_markdown(
    digest: Digest,
    site_url: str | None = None,
    action_url: Callable[[str], str] | None = None,
) -> str:
    """For an issue body: a table per group; action ids link to their row of the register
    when the site's address is known (``action_url`` gives the row's address from the site's
    root, on the register page that holds it)."""
    base = (site_url or "").rstrip("/")
    lines = [
        f"# Overdue and soon-due actions{_scope(digest)}",
        "",
        f"On {digest.today.isoformat()}: **{len(digest.overdue)} overdue**, "
        f"{len(digest.soon)} due within {SOON_DUE_DAYS} days.",
    ]
    for title, actions in (
        ("Overdue", digest.overdue),
        (f"Due within {SOON_DUE_DAYS} days", digest.soon),
    ):
        lines += ["", f"## {title}", ""]
        if not actions:
            lines.append("None.")
            continue
        lines += [
            "| Action | Title | Owner | Status | Due | |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for action in actions:
            item = action.record.item
            ident = _cell(action.id)
            if base and action_url is not None:
                ident = f"[{ident}]({base}/{action_url(action.id)})"
            lines.append(
                f"| {ident} | {_cell(item.title)} | {_cell(item.owner)} | "
                f"{item.status.replace('_', ' ')} | {action.due.isoformat()} | "
                f"{_days(action, digest.today)} |"
            )
    return "\n".join(lines) + "\n"


def format_json(digest: Digest) -> str:
    """For tools: the same lists, keys sorted."""

    def row(action: ActionFacts) -> dict[str, object]:
        item = action.record.item
        return {
            "id": action.id,
            "title": item.title,
            "owner": item.owner,
            "status": item.status,
            "due": action.due.isoformat(),
            "days_until_due": (action.due - digest.today).days,
            "incidents": list(action.incidents),
        }

    data = {
        "today": digest.today.isoformat(),
        "owner": digest.owner,
        "soon_due_days": SOON_DUE_DAYS,
        "overdue": [row(a) for a in digest.overdue],
        "soon": [row(a) for a in digest.soon],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
