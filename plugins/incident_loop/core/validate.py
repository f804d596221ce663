"""Step 3: raw records to typed records, and every problem of every file as a Diagnostic.

Shape and types are checked by the pydantic records (model.py); the rules that need the plugin
options or other files are checked here on the raw data, so that one run reports all problems of a
file, not only those of the first failing step.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from .diagnostics import Diagnostic, number_text, sort_diagnostics
from .gitdates import last_commits
from .links import LinkResolver
from .records import (
    PAGE_KEYS,
    ActionItem,
    ActionRecord,
    ActionRef,
    CatalogueEntry,
    Contact,
    FailureMode,
    Impact,
    Incident,
    IncidentRecord,
    Link,
    ModelT,
    Partner,
    Project,
    Review,
    Runbook,
    Scope,
    Site,
    field_names,
    parse_date_time,
    validated,
)
from .rules import (
    SAFE_ID_CHARACTERS,
    completed_after_today,
    completed_before_start,
    default_action_id,
    future_start_level,
    is_safe_id,
    local_date,
    next_free_id,
)
from .settings import DEFAULT_ID_PATTERN, ProjectConfig
from .sources import (
    NOT_INCIDENTS,
    OUTSIDE_PROJECT,
    SourceCache,
    SourceFile,
    field_name,
    find_markdown,
    read_markdown,
    read_yaml_file,
)
from .yamlio import KeyPath

FAILURE_MODES_FILE = "failure-modes.yml"


# --------------------------------------------------------------------------- messages

_EXAMPLES = {
    "id": "INC-2026-001",
    "title": "Label API timeouts during peak",
    "severity": "Sev2",
    "category": "integration",
    "failure_mode": "label-api-timeouts",
    "detection_source": "alert",
    "started_at": "2026-03-01T09:30:00+01:00",
    "detected_at": "2026-03-01T09:42:00+01:00",
    "mitigated_at": "2026-03-01T10:15:00+01:00",
    "scope": "{partners: [dhl-parcel]}",
    "symptoms": "Label requests failed with 504",
    "mitigation": "Throttled label requests",
    "type": "product",
    "owner": "team-integrations",
    "status": "proposed",
    "name": "DHL Parcel",
    "kind": "carrier",
    "reviewed": "2026-03-01",
    "ref": "INC-2026-001-A1",
    "url": "https://example.com/dashboard",
    "contact": "oncall@example.com",
}

_FIELD_HINTS = {
    ("partner", "status"): "lifecycle",
}

#: Known fields at each place of each model, for "did you mean".
_NESTED_MODELS: dict[type[Any], dict[tuple[str, ...], type[Any]]] = {
    Incident: {("scope",): Scope, ("impact",): Impact, ("links", "*"): Link},
    Partner: {("escalation", "*"): Contact, ("links", "*"): Link},
}


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """`` (did you mean `severity`?)`` for a near miss, else nothing."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if value.lower() in lowered:
        return f" (did you mean `{lowered[value.lower()]}`?)"
    if len(value) < 5:  # `Sev4` is no typo of `Sev3`, but `gsl` is one of `gls`
        swapped = [c for c in choices if sorted(c.lower()) == sorted(value.lower())]
        return f" (did you mean `{swapped[0]}`?)" if swapped else ""
    match = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f" (did you mean `{match[0]}`?)" if match else ""


#: How many names a list of choices shows at most ("known: ..."): the closest ones.
SHOWN_CHOICES = 5


def some_of(choices: Iterable[str], near: str | None = None, limit: int = SHOWN_CHOICES) -> str:
    """``a, b, c`` for a few choices; for many, the ``limit`` closest to ``near`` (else the first
    ones) and how many more: a project with 95 partners does not get all 95 in one message."""
    names = list(choices)
    if len(names) <= limit:
        return ", ".join(names)
    shown = difflib.get_close_matches(near, names, n=limit, cutoff=0) if near else names[:limit]
    return f"{', '.join(shown)} and {len(names) - len(shown)} more"


def _kind_of(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"


def _model_at(model: type[Any], loc: tuple[str | int, ...]) -> type[Any]:
    shape = tuple("*" if isinstance(part, int) else part for part in loc)
    return _NESTED_MODELS.get(model, {}).get(shape, model)


def pydantic_diagnostics(
    exc: ValidationError,
    source: SourceFile,
    model: type[Any],
    prefix: KeyPath = (),
    label: str = "",
    examples: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """Turn pydantic's errors into messages that say what is wrong and how to fix it.

    ``examples`` are values from the user's own project (its next free id, a partner it has)
    for the hint of a missing field, in place of the fixed :data:`_EXAMPLES`.
    """
    result = []
    for error in exc.errors():
        loc: tuple[str | int, ...] = tuple(error["loc"])
        kind = error["type"]
        value = error.get("input")
        name = str(loc[-1]) if loc else ""
        if kind == "missing":
            example = (examples or {}).get(name) or _EXAMPLES.get(name, "...")
            message = f"is required; add `{name}: {example}`"
            line = source.line(prefix + loc[:-1])
        elif kind in ("extra_forbidden", "unexpected_keyword_argument"):
            container = _model_at(model, loc[:-1])
            better = _FIELD_HINTS.get((label, name))
            if better:
                hint = f"; use `{better}` (`{name}` is read by the theme as the page status)"
            else:
                fields = field_names(container)
                hint = did_you_mean(name, fields) or f"{_FIELDS_HERE}{', '.join(fields)}"
            message = f"`{name}` is not a known field{hint}"
            line = source.line(prefix + loc)
        else:
            line = source.line(prefix + loc)
            message = _type_message(kind, value, error)
        result.append(Diagnostic(source.rel, line, "error", field_name(prefix + loc), message))
    return result


def _literal_choices(error: Any) -> list[str]:
    expected = str(error["ctx"]["expected"]).replace(" or ", ", ")
    return [choice.strip().strip("'") for choice in expected.split(",")]


def _type_message(kind: str, value: Any, error: Any) -> str:
    if kind == "date_time" and isinstance(value, str) and not value.strip():
        return f"is empty; write the date-time with its offset, like `{_EXAMPLES['started_at']}`"
    if value is None and kind.endswith("_type"):
        return "is empty; write a value or remove the line"
    if kind == "string_type":
        return f"must be text, not {_kind_of(value)}; put the value in quotes"
    if kind == "bool_type":
        return f"must be true or false, not {_kind_of(value)} (`{value}`)"
    if kind == "finite_number":
        return "must be a finite number of hours, not infinity or NaN"
    if kind == "int_from_float" or (kind == "int_type" and isinstance(value, float)):
        return f"must be a whole number, not {number_text(value)}"
    if kind in ("float_type", "int_type"):
        return f"must be a number, not {_kind_of(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"must be a list (one `- item` per line), not {_kind_of(value)}"
    if kind in ("dict_type", "dataclass_type"):
        return f"must be a mapping of `name: value` fields, not {_kind_of(value)}"
    if kind == "literal_error" and isinstance(value, str) and not value.strip():
        allowed = _literal_choices(error)
        return f"is empty; write one of {', '.join(allowed)}"
    if kind == "literal_error":
        allowed = _literal_choices(error)
        hint = did_you_mean(str(value), allowed) if isinstance(value, str) else ""
        return f"`{value}` is not one of {', '.join(allowed)}{hint}"
    if kind == "less_than_equal":
        return (
            f"must be at most {number_text(error['ctx']['le'])}, not {number_text(value)}; "
            "check the number"
        )
    if kind == "greater_than_equal":
        return f"must be {number_text(error['ctx']['ge'])} or more, not {number_text(value)}"
    return str(error["msg"])


# --------------------------------------------------------------------------- loading


def load_project(config: ProjectConfig, cache: SourceCache | None = None) -> Project:
    """Read and check every source of one project (SPEC sections 3 and 5).

    With a ``cache``, incident files unchanged since the last load with it are not read again.
    """
    project = Project(config=config)
    settings = config.settings
    paths = config.paths
    diagnostics = project.diagnostics

    project.failure_modes = _load_failure_modes(project)
    project.partners = _load_catalogue(project, paths.integrations_dir, Partner, "partner")
    project.sites = _load_catalogue(project, paths.sites_dir, Site, "site")
    project.runbooks = _load_catalogue(project, paths.runbooks_dir, Runbook, "runbook")
    today = settings.current_date()
    _review_runbooks(project, today)

    seen = _SeenIncidents(examples=_project_examples(project))
    context = {"zone": settings.zone if settings.timezone else None}
    if paths.incidents_dir.is_dir():
        for path, refusal in find_markdown(paths.incidents_dir, paths.root, skip=NOT_INCIDENTS):
            rel = paths.relative(path)
            project.incident_files += 1
            if refusal:
                diagnostics.append(Diagnostic(rel, 1, "error", "file", refusal))
                continue
            if cache is not None:
                source = cache.read_markdown(path, rel, settings.max_file_size)
            else:
                source = read_markdown(path, rel, settings.max_file_size)
            diagnostics.extend(source.problems)
            if not isinstance(source.data, dict):
                if source.problems:  # its ids and actions are unknown: see _SeenIncidents
                    seen.unreadable.append(rel)
                continue
            record = _check_incident(project, source, seen, context, today)
            if record is not None:
                project.incidents.append(record)
    elif config.paths.incidents_dir != paths.root / "incidents" or paths.docs_dir.is_dir():
        diagnostics.append(
            Diagnostic(
                paths.relative(paths.incidents_dir),
                1,
                "error",
                "incidents_dir",
                "the incidents folder does not exist; create it or set the plugin option "
                "incidents_dir",
            )
        )

    if cache is not None:
        cache.forget_unused()
    broken = _check_recurrences(seen)
    broken |= _check_actions(project, seen)
    project.incidents[:] = [r for r in project.incidents if r.source.rel not in broken]
    project.actions = {a.id: a for record in project.incidents for a in record.actions}
    _check_catalogue_references(project)
    _check_body_links(project)
    project.incidents.sort(key=lambda r: (r.incident.started_at, r.id))
    project.diagnostics[:] = _fields_listed_once(
        _next_free_id_hints(sort_diagnostics(diagnostics + seen.diagnostics), seen)
    )
    return project


def _project_examples(project: Project) -> dict[str, str]:
    """Hints for missing fields from the project itself: its severities, categories, failure
    modes and partners, so that a hint never names something the check would then refuse."""
    settings = project.settings
    examples = {
        "severity": settings.severities[len(settings.severities) // 2],
        "category": settings.categories[0],
    }
    if project.failure_modes:
        examples["failure_mode"] = sorted(project.failure_modes)[0]
    if project.partners:
        examples["scope"] = f"{{partners: [{sorted(project.partners)[0]}]}}"
    elif project.sites:
        examples["scope"] = f"{{sites: [{sorted(project.sites)[0]}]}}"
    else:
        examples["scope"] = "{segments: [B2C parcels]}"
    return examples


_MISSING_ID = f"is required; add `id: {_EXAMPLES['id']}`"


def _next_free_id_hints(diagnostics: list[Diagnostic], seen: _SeenIncidents) -> list[Diagnostic]:
    """A missing ``id`` is told the next free id of its year, not a fixed example that may be
    taken; two files without one get two different ids."""
    if not seen.missing_ids:
        return diagnostics
    ids = set(seen.first)
    result = []
    for diagnostic in diagnostics:
        year = seen.missing_ids.get(diagnostic.path)
        if diagnostic.field == "id" and diagnostic.message == _MISSING_ID and year is not None:
            free = next_free_id(ids, year)
            ids.add(free)
            message = f"is required; add `id: {free}` (the next free id)"
            diagnostic = Diagnostic(diagnostic.path, diagnostic.line, "error", "id", message)
        result.append(diagnostic)
    return result


_FIELDS_HERE = "; the fields here are "


def _fields_listed_once(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """An unknown field lists the known ones the first time in a file, not on every line."""
    listed: set[tuple[str, str]] = set()
    result = []
    for diagnostic in diagnostics:
        head, found, fields = diagnostic.message.partition(_FIELDS_HERE)
        if found and (diagnostic.path, fields) in listed:
            diagnostic = Diagnostic(
                diagnostic.path,
                diagnostic.line,
                diagnostic.level,
                diagnostic.field,
                head + "; see the fields listed above",
            )
        elif found:
            listed.add((diagnostic.path, fields))
        result.append(diagnostic)
    return result


@dataclass
class _SeenIncidents:
    """What the rules across incident files need, gathered while the files are read one by one.

    Each file is checked when it is read and its YAML let go (:func:`load_project`); the rules
    that need later files too (``recurrence_of``, action ``ref``s, unique action ids) are
    checked at the end on what is kept here.
    """

    #: The first file with each id, in reading order, and its ``started_at``.
    first: dict[str, SourceFile] = field(default_factory=dict)
    started: dict[str, dt.datetime | None] = field(default_factory=dict)
    #: (file, index, listed id, the file's ``started_at``) per ``recurrence_of`` entry.
    recurrences: list[tuple[SourceFile, int, Any, dt.datetime | None]] = field(default_factory=list)
    #: (file, index, action id) per ``- ref:`` entry.
    refs: list[tuple[SourceFile, int, str]] = field(default_factory=list)
    #: Every declared action as written: (file, key path, id).
    actions: list[tuple[SourceFile, KeyPath, str]] = field(default_factory=list)
    declared: set[str] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Incident files whose front matter could not be read (reported once, where they are):
    #: an id or action that no other file declares may be declared there, so a reference to
    #: it is not reported as wrong, only left out of the analysis until that file is fixed.
    unreadable: list[str] = field(default_factory=list)
    #: Hints for missing fields taken from the project (see :func:`_project_examples`).
    examples: dict[str, str] = field(default_factory=dict)
    #: The files without an ``id``, and the year to give them the next free id of.
    missing_ids: dict[str, int] = field(default_factory=dict)

    def add(self, source: SourceFile, incident_id: Any, started: dt.datetime | None) -> None:
        if isinstance(incident_id, str) and incident_id not in self.first:
            self.first[incident_id] = source
            self.started[incident_id] = started


def _load_failure_modes(project: Project) -> dict[str, FailureMode]:
    paths = project.config.paths
    path = paths.incidents_dir / FAILURE_MODES_FILE
    rel = paths.relative(path)
    if not path.is_file():
        if paths.incidents_dir.is_dir():
            project.diagnostics.append(
                Diagnostic(
                    rel,
                    1,
                    "error",
                    "file",
                    "the failure-modes file is missing; create it with one entry per failure "
                    "mode, like `label-api-timeouts: {title: Label API timeouts, category: "
                    "integration}`",
                )
            )
            project.unreadable.add("failure mode")
        return {}
    if not path.resolve().is_relative_to(paths.root.resolve()):
        project.diagnostics.append(Diagnostic(rel, 1, "error", "file", OUTSIDE_PROJECT))
        return {}
    source = read_yaml_file(path, rel, project.settings.max_file_size)
    project.diagnostics.extend(source.problems)
    if source.data is None:
        if source.problems:
            project.unreadable.add("failure mode")
        return {}
    if not isinstance(source.data, dict):
        project.unreadable.add("failure mode")
        project.diagnostics.append(
            source.error((), "must map each failure-mode slug to its `title` and `category`")
        )
        return {}
    result = {}
    categories = project.settings.categories
    project.known["failure mode"] = set(source.data)
    for slug, value in source.data.items():
        try:
            mode = validated(FailureMode, value)
        except ValidationError as exc:
            project.diagnostics.extend(pydantic_diagnostics(exc, source, FailureMode, (slug,)))
            continue
        if mode.category not in categories:
            project.diagnostics.append(
                source.error(
                    (slug, "category"),
                    f"`{mode.category}` is not one of {', '.join(categories)}"
                    + did_you_mean(mode.category, categories),
                )
            )
            continue
        result[slug] = mode
    return result


def _load_catalogue(
    project: Project, folder: Path, model: type[ModelT], label: str
) -> dict[str, CatalogueEntry[ModelT]]:
    paths = project.config.paths
    result: dict[str, CatalogueEntry[ModelT]] = {}
    if not folder.is_dir():
        return result
    known = project.known.setdefault(label, set())
    fields = set(field_names(model))
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() in ("index.md", "readme.md") or path.name.startswith("."):
            continue
        known.add(path.stem)
        rel = paths.relative(path)
        if not path.resolve().is_relative_to(paths.root.resolve()):
            project.diagnostics.append(Diagnostic(rel, 1, "error", "file", OUTSIDE_PROJECT))
            continue
        source = read_markdown(path, rel, project.settings.max_file_size)
        project.diagnostics.extend(source.problems)
        if not isinstance(source.data, dict):
            continue
        data = {k: v for k, v in source.data.items() if k in fields or k not in PAGE_KEYS}
        try:
            entry = validated(model, data)
        except ValidationError as exc:
            project.diagnostics.extend(pydantic_diagnostics(exc, source, model, label=label))
            continue
        result[path.stem] = CatalogueEntry(path.stem, entry, source)
    return result


def _review_runbooks(project: Project, today: dt.date) -> None:
    """Date the last review of every runbook: its ``reviewed``, else the day git last changed
    its file, else, for a file not committed yet, today (see :class:`Review`).

    A runbook git cannot date (no repository, no git, a shallow clone) needs ``reviewed``: it
    is an error, and the runbook is left out like any page with a wrong front matter.
    """
    undated = []
    for slug, entry in project.runbooks.items():
        if entry.data.reviewed is not None:
            project.reviews[slug] = Review(entry.data.reviewed, "front matter")
        else:
            undated.append(entry)
    if not undated:
        return
    config = project.config
    folder = config.paths.runbooks_dir
    revision = None
    if config.revision is not None:  # a copy of a revision: ask its repository
        folder = config.revision.root / config.paths.relative(folder)
        revision = config.revision.commit
    commits = last_commits(folder, (Path(e.source.path).name for e in undated), revision)
    zone = project.settings.zone
    for entry in undated:
        name = Path(entry.source.path).name
        if name in commits.dates:
            project.reviews[entry.slug] = Review(local_date(commits.dates[name], zone), "git")
        elif name in commits.unknown:
            problem = commits.unknown[name]
            project.diagnostics.append(
                entry.source.error(
                    ("reviewed",),
                    f"is missing, and git has no date for this file: {problem.reason}; add "
                    f"`reviewed: YYYY-MM-DD` (the day the runbook was last checked) or "
                    f"{problem.fix}",
                    line=entry.source.line(()),
                )
            )
            del project.runbooks[entry.slug]
        else:
            project.reviews[entry.slug] = Review(today, "new")


# --------------------------------------------------------------------------- incidents


def _check_choice(
    source: SourceFile, key: str, allowed: tuple[str, ...], out: list[Diagnostic], option: str
) -> None:
    value = source.data.get(key)
    if isinstance(value, str) and value.strip() and value not in allowed:
        out.append(
            source.error(
                (key,),
                f"`{value}` is not one of {', '.join(allowed)}{did_you_mean(value, allowed)} "
                f"(the plugin option `{option}` lists them)",
            )
        )


def _reference(
    source: SourceFile,
    key_path: KeyPath,
    value: Any,
    known: Mapping[str, Any] | None,
    what: str,
    where: str,
    out: list[Diagnostic],
) -> None:
    if known is None:
        return
    if isinstance(value, str) and value.strip() and value not in known:
        out.append(
            source.error(
                key_path,
                f"`{value}` is not a known {what}{did_you_mean(value, known)}; {where}",
            )
        )


def _check_incident(
    project: Project,
    source: SourceFile,
    seen: _SeenIncidents,
    context: dict[str, Any],
    today: dt.date,
) -> IncidentRecord | None:
    """Check one incident file on its own; the rules across files are gathered in ``seen``."""
    settings = project.settings
    data: dict[str, Any] = source.data
    out: list[Diagnostic] = []
    paths = project.config.paths

    incident: Incident | None = None
    try:
        zone = context.get("zone")
        incident = source.derive((Incident, zone), lambda: validated(Incident, data, context))
    except ValidationError as exc:
        out.extend(pydantic_diagnostics(exc, source, Incident, examples=seen.examples))
    if incident is not None:
        started: dt.datetime | None = incident.started_at
    else:
        started = _moment(data.get("started_at"), context)
    incident_id = data.get("id")
    seen.add(source, incident_id, started)
    if incident_id is None:
        year = started.year if started is not None else settings.current_date().year
        seen.missing_ids[source.rel] = year

    if isinstance(incident_id, str) and incident_id.strip():
        if not is_safe_id(incident_id):
            out.append(
                source.error(
                    ("id",),
                    f"`{incident_id}` cannot be a page address: an id holds only "
                    f"{SAFE_ID_CHARACTERS}, like INC-2026-007",
                )
            )
        elif not settings.id_regex.fullmatch(incident_id):
            example = " (like INC-2026-007)" if settings.id_pattern == DEFAULT_ID_PATTERN else ""
            out.append(
                source.error(
                    ("id",),
                    f"`{incident_id}` does not match the id pattern `{settings.id_pattern}`"
                    f"{example}",
                )
            )
        first = seen.first.get(incident_id)
        if first is not None and first is not source:
            out.append(
                source.error(
                    ("id",),
                    f"`{incident_id}` is already the id of {first.rel}; give each incident "
                    "its own id (`incident-loop new` picks the next free one)",
                )
            )
    _check_choice(source, "severity", settings.severities, out, "severities")
    _check_choice(source, "category", settings.categories, out, "categories")
    _reference(
        source,
        ("failure_mode",),
        data.get("failure_mode"),
        project.known_slugs("failure mode"),
        "failure mode",
        f"declare it in {paths.relative(paths.incidents_dir / FAILURE_MODES_FILE)}",
        out,
    )
    scope = data.get("scope")
    if isinstance(scope, dict):
        total = 0
        for key, known, what, folder in (
            ("partners", project.known_slugs("partner"), "partner", paths.integrations_dir),
            ("sites", project.known_slugs("site"), "site", paths.sites_dir),
            ("segments", None, "", None),
        ):
            values = scope.get(key)
            if not isinstance(values, list):
                continue
            total += len(values)
            if known is None or folder is None:
                continue
            for index, value in enumerate(values):
                _reference(
                    source,
                    ("scope", key, index),
                    value,
                    known,
                    what,
                    f"add its page {paths.relative(folder)}/{value}.md or fix the slug",
                    out,
                )
        if total == 0:
            out.append(
                source.error(
                    ("scope",),
                    "lists nothing; name at least one of `partners`, `sites` or `segments`",
                )
            )
    for index, value in enumerate(_list(data.get("runbooks"))):
        _reference(
            source,
            ("runbooks", index),
            value,
            project.known_slugs("runbook"),
            "runbook",
            f"add its page {paths.relative(paths.runbooks_dir)}/{value}.md or fix the slug",
            out,
        )
    for index, value in enumerate(_list(data.get("recurrence_of"))):
        if isinstance(value, str) and value == incident_id:
            out.append(source.error(("recurrence_of", index), "an incident cannot repeat itself"))
        else:
            seen.recurrences.append((source, index, value, started))
    _check_timestamps(source, context, out, incident)
    records, refs = _check_action_entries(source, out, incident_id)
    if started is not None:
        _check_against_today(source, local_date(started, settings.zone), today, records, out)
    id_is_sound = (
        isinstance(incident_id, str)
        and seen.first.get(incident_id) is source
        and settings.id_regex.fullmatch(incident_id) is not None
        and is_safe_id(incident_id)
    )
    for index, entry in enumerate(_list(data.get("actions"))):
        if not isinstance(entry, dict):
            continue
        if "ref" in entry:
            if isinstance(entry["ref"], str):
                seen.refs.append((source, index, entry["ref"]))
            continue
        explicit = entry.get("id")
        if isinstance(explicit, str) and explicit and not is_safe_id(explicit):
            out.append(
                source.error(
                    ("actions", index, "id"),
                    f"`{explicit}` cannot be an anchor on the action register: an action id "
                    f"holds only {SAFE_ID_CHARACTERS}, like INC-2026-007-A1",
                )
            )
            continue
        action_id = str(explicit or default_action_id(str(incident_id), index + 1))
        seen.declared.add(action_id)
        if explicit or id_is_sound:  # a default id changes once the incident id is fixed
            seen.actions.append((source, ("actions", index), action_id))
    # A key the reading already refused (a YAML 1.1 number form) is reported once, there.
    refused = {(d.line, d.field) for d in source.problems}
    out = [d for d in out if (d.line, d.field) not in refused]
    project.diagnostics.extend(out)
    if incident is None or any(d.level == "error" for d in out + list(source.problems)):
        return None
    actions = tuple(
        ActionRecord(
            item.id or default_action_id(incident.id, int(key_path[1]) + 1),
            item,
            incident.id,
            source,
            key_path,
        )
        for key_path, item in records
    )
    return IncidentRecord(incident=incident, source=source, actions=actions, refs=tuple(refs))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _moment(value: Any, context: dict[str, Any]) -> dt.datetime | None:
    try:
        return parse_date_time(value, context.get("zone")) if value is not None else None
    except PydanticCustomError:
        return None


_ORDER = ("started_at", "detected_at", "mitigated_at", "resolved_at")


def _check_timestamps(
    source: SourceFile, context: dict[str, Any], out: list[Diagnostic], incident: Incident | None
) -> None:
    """``started_at <= detected_at <= mitigated_at <= resolved_at``, each against the last given.

    The model's values when it is valid; else each timestamp that can be read on its own.
    """
    previous: tuple[str, dt.datetime] | None = None
    for key in _ORDER:
        value = source.data.get(key)
        if value is None:
            continue
        moment = getattr(incident, key) if incident is not None else _moment(value, context)
        if moment is None:
            continue  # reported by the model
        if previous is not None and moment < previous[1]:
            out.append(
                source.error(
                    (key,),
                    f"is before {previous[0]} ({previous[1].isoformat()}); "
                    f"{key} cannot be earlier than {previous[0]}",
                )
            )
        previous = (key, moment)


def _check_against_today(
    source: SourceFile,
    start: dt.date,
    today: dt.date,
    actions: list[tuple[KeyPath, ActionItem]],
    out: list[Diagnostic],
) -> None:
    """SPEC sections 3.1 and 3.2: the incident's start and its actions' completion dates
    against today and each other (dates in the plugin's ``timezone``)."""
    level = future_start_level(start, today)
    if level == "error":
        out.append(
            source.error(
                ("started_at",),
                f"is {start.isoformat()}, more than a year after today ({today.isoformat()}); "
                "check the year",
            )
        )
    elif level == "warning":
        line = source.line(("started_at",))
        out.append(
            Diagnostic(
                source.rel,
                line,
                "warning",
                "started_at",
                f"is {start.isoformat()}, after today ({today.isoformat()}); check the date "
                "(the trends leave the incident out until its month comes)",
            )
        )
    for key_path, item in actions:
        done = item.completed_at
        if done is None:
            continue
        if completed_before_start(done, start):
            problem = f"before the incident started ({start.isoformat()})"
        elif completed_after_today(done, today):
            problem = f"after today ({today.isoformat()})"
        else:
            continue
        out.append(
            source.error(
                key_path + ("completed_at",),
                f"{done.isoformat()} is {problem}; write the date the action was done",
            )
        )


_ACTION_RULES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "acceptance",
        ("planned", "in_progress", "done"),
        "is required when status is {status}: list the acceptance criteria, one `- ...` per line",
    ),
    ("completed_at", ("done",), "is required when status is done: the date it was completed"),
    ("reason", ("wont_do",), "is required when status is wont_do: say why it will not be done"),
)


def _check_action_entries(
    source: SourceFile, out: list[Diagnostic], incident_id: Any
) -> tuple[list[tuple[KeyPath, ActionItem]], list[str]]:
    items: list[tuple[KeyPath, ActionItem]] = []
    refs: list[str] = []
    for index, entry in enumerate(_list(source.data.get("actions"))):
        key_path: KeyPath = ("actions", index)
        if not isinstance(entry, dict):
            continue  # reported by the model
        if "ref" in entry:
            try:
                refs.append(validated(ActionRef, entry).ref)
            except ValidationError as exc:
                out.extend(pydantic_diagnostics(exc, source, ActionRef, key_path))
            continue
        try:
            item = source.derive(
                (ActionItem, index), functools.partial(validated, ActionItem, entry)
            )
        except ValidationError as exc:
            out.extend(pydantic_diagnostics(exc, source, ActionItem, key_path))
            item = None
        status = entry.get("status")
        for key, statuses, message in _ACTION_RULES:
            if status in statuses and _missing(entry.get(key)):
                line = source.line(key_path + (key,)) if key in entry else source.line(key_path)
                out.append(
                    Diagnostic(
                        source.rel,
                        line,
                        "error",
                        field_name(key_path + (key,)),
                        message.format(status=status),
                    )
                )
        if item is not None:
            items.append((key_path, item))
    return items, refs


def _missing(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _check_recurrences(seen: _SeenIncidents) -> set[str]:
    """Every ``recurrence_of`` names an earlier incident; the files that do not, by path."""
    broken: set[str] = set()
    for source, index, value, started in seen.recurrences:
        out: list[Diagnostic] = []
        if isinstance(value, str) and value in seen.first:
            earlier = seen.started[value]
            if started is not None and earlier is not None and earlier >= started:
                out.append(
                    source.error(
                        ("recurrence_of", index),
                        f"`{value}` started at {earlier.isoformat()}, not before this incident; "
                        "list only earlier incidents (a later one lists this one instead)",
                    )
                )
        else:
            _reference(
                source,
                ("recurrence_of", index),
                value,
                seen.first,
                "incident id",
                "list the id of an earlier incident",
                out,
            )
        if out:
            if not seen.unreadable or value in seen.first:
                seen.diagnostics.extend(out)
            broken.add(source.rel)
    return broken


def _check_actions(project: Project, seen: _SeenIncidents) -> set[str]:
    """Action ids are unique across all incidents, and every ``ref`` names a declared action;
    the files that break either rule, by path.

    Checked on the entries as written in every incident file, valid or not, so that one run
    reports these problems next to the others of the same file.
    """
    # Unique ignoring case: an action id is an anchor and a file name on the site, and both
    # are matched without case by browsers on some systems and by case-insensitive disks.
    first: dict[str, tuple[SourceFile, KeyPath, str]] = {}
    broken: set[str] = set()
    for source, key_path, action_id in seen.actions:
        key = action_id.casefold()
        if key in first:
            where, where_path, taken = first[key]
            id_path = (*key_path, "id")
            spelled = "" if taken == action_id else f" (as `{taken}`: ids differ in more than case)"
            seen.diagnostics.append(
                Diagnostic(
                    source.rel,
                    source.line(id_path) if id_path in source.lines else source.line(key_path),
                    "error",
                    field_name(id_path),
                    f"the action id `{action_id}` is already used in {where.rel}:"
                    f"{where.line(where_path)}{spelled}; give this action its own `id`",
                )
            )
            broken.add(source.rel)
        else:
            first[key] = (source, key_path, action_id)
    for source, index, ref in seen.refs:
        declared_by = first.get(ref.casefold())
        if declared_by is not None and declared_by[0] is source and declared_by[2] == ref:
            seen.diagnostics.append(
                source.error(
                    ("actions", index, "ref"),
                    f"`{ref}` is an action of this incident; an incident lists its own actions "
                    "once, and `ref` lists an action that another incident declared",
                )
            )
            broken.add(source.rel)
        elif ref not in seen.declared and seen.unreadable:
            broken.add(source.rel)  # perhaps declared in an unreadable file
        elif ref not in seen.declared:
            seen.diagnostics.append(
                source.error(
                    ("actions", index, "ref"),
                    f"`{ref}` is not the id of an action declared by another incident"
                    f"{did_you_mean(ref, seen.declared)}",
                )
            )
            broken.add(source.rel)
    return broken


def _check_catalogue_references(project: Project) -> None:
    paths = project.config.paths
    modes_file = paths.relative(paths.incidents_dir / FAILURE_MODES_FILE)
    checks: list[tuple[Iterable[CatalogueEntry[Any]], str, Mapping[str, Any] | None, str, str]] = [
        (
            project.partners.values(),
            "known_failure_modes",
            project.known_slugs("failure mode"),
            "failure mode",
            f"declare it in {modes_file}",
        ),
        (
            project.partners.values(),
            "runbooks",
            project.known_slugs("runbook"),
            "runbook",
            f"add its page under {paths.relative(paths.runbooks_dir)}/",
        ),
        (
            project.runbooks.values(),
            "failure_modes",
            project.known_slugs("failure mode"),
            "failure mode",
            f"declare it in {modes_file}",
        ),
        (
            project.runbooks.values(),
            "partners",
            project.known_slugs("partner"),
            "partner",
            f"add its page under {paths.relative(paths.integrations_dir)}/",
        ),
    ]
    for entries, key, known, what, where in checks:
        for entry in entries:
            for index, value in enumerate(getattr(entry.data, key)):
                _reference(
                    entry.source, (key, index), value, known, what, where, project.diagnostics
                )


def _check_body_links(project: Project) -> None:
    """Every link and image of an incident's body is a URL, and a relative one points to
    something the site publishes (see :mod:`.links`)."""
    resolver = LinkResolver(project)
    for record in project.incidents:
        source = record.source
        for link, message in resolver.problems(source.body, source.rel):
            line = source.body_line + link.line - 1
            project.diagnostics.append(Diagnostic(source.rel, line, "error", "body", message))
