"""The data of the "Report an incident" page (``/new/``): what its form needs to know at build time.

The page's template lays out the form with the project's allowed values; the script
(``assets/incident-form.js``) reads the rest from a JSON element: the UTC offsets of the plugin's
time zone, the next free id of each year, the id pattern, and where the repository's new-file
page is.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from ..core.newincident import next_id
from ..core.records import Project
from ..core.rules import SAFE_URL_SCHEMES
from ..core.settings import DEFAULT_ID_PATTERN

#: The page's source: ``/new/`` with directory URLs.
NEW_SRC = "new/index.md"
#: The longest new-file URL the form opens; a longer text is copied or downloaded instead.
#: 8,000 characters stay below the 8 KiB request line that common servers and proxies accept
#: (nginx's ``large_client_header_buffers`` default); GitHub answers 414 beyond its own limit.
URL_LIMIT = 8_000
#: The branch a new file goes to when ``edit_uri`` names none.
DEFAULT_BRANCH = "main"

#: The body a new incident starts with: the headings of the seed (``incident-loop new``).
SEED_BODY = "## Timeline\n\n- HH:MM: impact started\n\n## Analysis\n\n## Lessons\n"

_EDIT_URI_BRANCH = re.compile(r"^/?(?:-/)?(?:edit|blob|tree)/([^/]+)")


@dataclass(frozen=True)
class NewFileTarget:
    """The repository's page that creates a file, prefilled by two query parameters."""

    host: str  # "GitHub" or "GitLab", as the page names it
    url: str  # without the query
    path_param: str
    text_param: str
    branch: str


def branch_of(edit_uri: str | None) -> str:
    """The branch in ``edit_uri`` (``edit/main/docs/``, ``-/edit/trunk/docs/``), else main."""
    match = _EDIT_URI_BRANCH.match(edit_uri or "")
    return match[1] if match else DEFAULT_BRANCH


def new_file_target(repo_url: str | None, edit_uri: str | None) -> NewFileTarget | None:
    """GitHub's ``{repo}/new/{branch}?filename=&value=`` or GitLab's
    ``{repo}/-/new/{branch}?file_name=&content=``; ``None`` for another host or no ``repo_url``."""
    if not repo_url:
        return None
    parts = urlsplit(repo_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    base = repo_url.rstrip("/").removesuffix(".git")
    branch = branch_of(edit_uri)
    if "github" in parts.hostname:
        return NewFileTarget("GitHub", f"{base}/new/{branch}", "filename", "value", branch)
    if "gitlab" in parts.hostname:
        return NewFileTarget("GitLab", f"{base}/-/new/{branch}", "file_name", "content", branch)
    return None


def zone_offsets(zone: dt.tzinfo, first_year: int, last_year: int) -> list[tuple[int, int]]:
    """The UTC offsets of ``zone`` from ``first_year`` to the end of ``last_year``: pairs of
    (the UTC instant in milliseconds from which an offset holds, the offset in minutes).

    Found day by day and narrowed to the minute, so the browser needs no time-zone database.
    """

    def offset(moment: dt.datetime) -> int:
        delta = moment.astimezone(zone).utcoffset() or dt.timedelta(0)
        return int(delta.total_seconds() // 60)

    start = dt.datetime(first_year, 1, 1, tzinfo=dt.timezone.utc)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=dt.timezone.utc)
    result = [(_millis(start), offset(start))]
    day = dt.timedelta(days=1)
    moment = start
    while moment < end:
        later = moment + day
        if offset(later) != result[-1][1]:
            low, high = moment, later  # offset(low) is the old one, offset(high) the new one
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    break
                if offset(middle) == result[-1][1]:
                    low = middle
                else:
                    high = middle
            result.append((_millis(high), offset(high)))
        moment = later
    return result


def _millis(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * 1000


def form_data(
    project: Project, today: dt.date, repo_url: str | None, edit_uri: str | None
) -> dict[str, Any]:
    """What the form's script reads (a JSON element of the page), made from the analysed
    project at build time."""
    settings = project.settings
    ids = {record.id for record in project.incidents}
    zone = settings.zone
    years = {record.incident.started_at.astimezone(zone).year for record in project.incidents}
    first_year = min([*years, today.year - 1])
    last_year = today.year + 1
    next_ids = {}
    for year in range(first_year, last_year + 1):
        candidate = next_id(ids, year)
        if settings.id_regex.fullmatch(candidate):
            next_ids[str(year)] = candidate
    target = new_file_target(repo_url, edit_uri)
    return {
        "incidents_dir": settings.incidents_dir.strip("/"),
        "id_pattern": settings.id_pattern,
        "id_example": "INC-2026-007" if settings.id_pattern == DEFAULT_ID_PATTERN else "",
        "next_ids": next_ids,
        "timezone": settings.timezone or "UTC",
        "offsets": {
            "first_year": first_year,
            "last_year": last_year,
            "changes": zone_offsets(settings.zone, first_year, last_year),
        },
        "safe_schemes": list(SAFE_URL_SCHEMES),
        "new_file": asdict(target) if target is not None else None,
        "url_limit": URL_LIMIT,
        "body": SEED_BODY,
    }
