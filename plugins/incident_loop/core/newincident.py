"""``incident-loop new``: a new incident file with the next free id, never overwriting one."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import jinja2

from .records import parse_date_time
from .rules import next_free_id
from .settings import ProjectConfig
from .sources import NOT_INCIDENTS, find_markdown, read_markdown
from .validate import did_you_mean, load_project, some_of


class NewIncidentError(Exception):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "incident"


def existing_ids(config: ProjectConfig) -> set[str]:
    ids: set[str] = set()
    paths = config.paths
    if not paths.incidents_dir.is_dir():
        return ids
    for path, refusal in find_markdown(paths.incidents_dir, paths.root, skip=NOT_INCIDENTS):
        if refusal:
            continue
        source = read_markdown(path, paths.relative(path), config.settings.max_file_size)
        if isinstance(source.data, dict) and isinstance(source.data.get("id"), str):
            ids.add(source.data["id"])
    return ids


#: The next free id of a year: one rule, which `check` quotes for a missing id too.
next_id = next_free_id


def _check_slugs(
    config: ProjectConfig, failure_mode: str | None, partners: Sequence[str], sites: Sequence[str]
) -> None:
    """Refuse a slug that `check` would refuse right after, with the same suggestion."""
    project = load_project(config)
    for flag, values, kind in (
        ("--failure-mode", [failure_mode] if failure_mode else [], "failure mode"),
        ("--partner", list(partners), "partner"),
        ("--site", list(sites), "site"),
    ):
        known = project.known_slugs(kind)
        if known is None:
            continue
        for value in values:
            if value not in known:
                listed = some_of(known, value) or "none yet"
                raise NewIncidentError(
                    f"{flag} {value!r} is not a known {kind}{did_you_mean(value, known)}; "
                    f"known: {listed}",
                    2,
                )


def write_new_incident(
    config: ProjectConfig,
    *,
    title: str,
    severity: str,
    category: str,
    failure_mode: str | None = None,
    partners: Sequence[str] = (),
    sites: Sequence[str] = (),
    incident_id: str | None = None,
    started_at: str | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Write the incident file and return its path.

    ``started_at`` (when the impact started, as the author knows it) back-dates the file name,
    the id's year and ``started_at``; without it ``started_at`` is left empty like
    ``detected_at`` and ``mitigated_at``: a time the author does not fill in must not pass the
    check as "now" and record a 0-minute incident.
    """
    settings = config.settings
    if severity not in settings.severities:
        raise NewIncidentError(
            f"--severity {severity!r} is not one of {', '.join(settings.severities)}", 2
        )
    if category not in settings.categories:
        raise NewIncidentError(
            f"--category {category!r} is not one of {', '.join(settings.categories)}", 2
        )
    if not title.strip():
        raise NewIncidentError("--title must not be empty", 2)
    _check_slugs(config, failure_mode, partners, sites)
    started: dt.datetime | None = None
    if started_at is not None:
        started = _started(started_at, settings.zone)
    moment = (started or now or dt.datetime.now(settings.zone)).astimezone(settings.zone)
    moment = moment.replace(second=0, microsecond=0)
    ids = existing_ids(config)
    if incident_id is None:
        incident_id = next_id(ids, moment.year)
        if not settings.id_regex.fullmatch(incident_id):
            raise NewIncidentError(
                f"the next id cannot be derived from id_pattern `{settings.id_pattern}`; "
                "pass one with --id",
                2,
            )
    elif incident_id in ids:
        raise NewIncidentError(f"the id {incident_id} is already used; pick another", 1)
    elif not settings.id_regex.fullmatch(incident_id):
        raise NewIncidentError(
            f"--id {incident_id!r} does not match id_pattern `{settings.id_pattern}`", 2
        )
    folder = config.paths.incidents_dir / f"{moment.year}"
    path = folder / f"{moment:%Y-%m-%d}-{slugify(title)}.md"
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("incident_loop.core", "templates"),
        autoescape=False,  # YAML, not HTML: every value goes through the quoting filter
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["q"] = lambda value: json.dumps(value, ensure_ascii=False)
    text = env.get_template("new_incident.md.j2").render(
        id=incident_id,
        title=title,
        severity=severity,
        category=category,
        failure_mode=failure_mode or "",
        partners=list(partners),
        sites=list(sites),
        started_at=started.replace(microsecond=0).isoformat() if started is not None else "",
        now=moment.isoformat(),
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise NewIncidentError(
            f"{config.paths.relative(path)} already exists and is not overwritten; "
            "choose another --title",
            1,
        ) from None
    except OSError as exc:
        raise NewIncidentError(
            f"cannot write {config.paths.relative(path)}: {exc.strerror or exc}", 1
        ) from None
    return path


def _started(value: str, zone: dt.tzinfo) -> dt.datetime:
    """``--started-at`` as a date-time; without an offset it is read in the plugin's time zone."""
    try:
        moment = parse_date_time(value, zone)
    except ValueError as exc:  # pydantic's custom error is a ValueError
        raise NewIncidentError(f"--started-at {value!r}: {exc}", 2) from None
    return moment
