"""The typed records of a project (SPEC section 3): what validation makes of the sources.

The front-matter records (``Incident``, ``ActionItem``, ``Partner``, ...) are pydantic
dataclasses: they check shape and types and export the JSON Schema. ``IncidentRecord``,
``ActionRecord``, ``CatalogueEntry`` and ``Project`` tie them to the files they came from. Rules that need the plugin options or
other files (allowed severities, the id pattern, references between files, timestamp order) live in
:mod:`incident_loop.validate`, which reports them with their lines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Annotated, Any, Generic, Literal, TypeVar, cast

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError, SchemaValidator

from .diagnostics import Diagnostic
from .rules import MAX_MANUAL_HOURS, safe_href, url_scheme
from .rules import is_open as is_open_status
from .settings import ProjectConfig, Settings
from .sources import SourceFile
from .yamlio import KeyPath

DETECTION_SOURCES = ("alert", "customer", "partner", "internal")
TRIGGERS = (
    "rollout",
    "config_change",
    "partner_change",
    "partner_outage",
    "load",
    "data",
    "unknown",
)
ACTION_TYPES = ("product", "operability", "quality", "process", "runbook")
ACTION_STATUSES = ("proposed", "planned", "in_progress", "done", "wont_do")
PRIORITIES = ("P1", "P2", "P3")
PARTNER_KINDS = ("carrier", "shop", "marketplace", "wms", "other")
LIFECYCLES = ("active", "onboarding", "deprecated")

_DATE_TIME = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})[Tt ]\s*(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|z|[+-]\d{1,2}(?::?\d{2})?)?$"
)


def _text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty", "must not be empty")
    return value


def _none_to_empty(value: Any) -> Any:
    return [] if value is None else value


def _as_tuple(value: Any) -> Any:
    """A YAML list (or nothing) as a tuple: thousands of incidents keep their lists for a
    build, and a tuple is smaller than a list (an empty one takes no memory at all)."""
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else value


def _not_kept(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The action entries are checked one by one and kept as records (``validate``)."""
    return []


def parse_date_time(value: Any, zone: dt.tzinfo | None) -> dt.datetime:
    """An ISO 8601 date-time with an offset; without one only when the plugin has a ``timezone``."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        raise PydanticCustomError(
            "date_time",
            "needs a time of day and an offset, like `{example}`",
            {"example": f"{value.isoformat()}T09:30:00+01:00"},
        )
    elif isinstance(value, str):
        match = _DATE_TIME.match(value.strip())
        if not match:
            raise PydanticCustomError(
                "date_time",
                "`{value}` is not a date-time; write it like `2026-03-01T09:30:00+01:00`",
                {"value": value},
            )
        date_part, time_part, offset = match.groups()
        try:
            year, month, day = (int(p) for p in date_part.split("-"))
            moment = dt.datetime.combine(
                dt.date(year, month, day), dt.time.fromisoformat(_pad_time(time_part))
            )
        except ValueError as exc:
            raise PydanticCustomError(
                "date_time",
                "`{value}` is not a real date-time ({reason})",
                {"value": value, "reason": str(exc)},
            ) from None
        if offset:
            moment = moment.replace(tzinfo=_offset(offset))
    else:
        raise PydanticCustomError(
            "date_time", "must be a date-time like `2026-03-01T09:30:00+01:00`"
        )
    _check_year(moment.date(), value)
    if moment.tzinfo is None:
        if zone is None:
            raise PydanticCustomError(
                "date_time_offset",
                "`{value}` has no UTC offset: write it like `{example}` (or `Z` for UTC), "
                "or set the plugin option `timezone`",
                {"value": str(value), "example": f"{moment.isoformat(timespec='minutes')}+01:00"},
            )
        moment = _local_instant(moment, zone, value)
    return moment


def _local_instant(wall: dt.datetime, zone: dt.tzinfo, value: Any) -> dt.datetime:
    """``wall`` (a local time without offset) in ``zone``, with the offset of its own instant.

    SPEC section 3.1: a local time that does not exist (the spring gap of a daylight-saving
    change) or that exists twice (the autumn fold) has no single instant, so it is refused
    rather than guessed: the author writes the offset they meant.
    """
    earlier, later = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    offsets = (earlier.utcoffset(), later.utcoffset())
    if offsets[0] == offsets[1]:
        return earlier
    shown = wall.isoformat(timespec="minutes")
    name = getattr(zone, "key", str(zone))
    back = earlier.astimezone(dt.timezone.utc).astimezone(zone).replace(tzinfo=None)
    if back != wall:
        raise PydanticCustomError(
            "date_time_gap",
            "`{value}` does not exist in {zone}: the clocks jump over it at the daylight-saving "
            "change; write the time with its UTC offset, like `{example}`",
            {"value": str(value), "zone": name, "example": f"{shown}{_offset_text(offsets[0])}"},
        )
    raise PydanticCustomError(
        "date_time_fold",
        "`{value}` happens twice in {zone} (the clocks go back at the daylight-saving change); "
        "write the time with its UTC offset: `{first}` for the first, `{second}` for the second",
        {
            "value": str(value),
            "zone": name,
            "first": f"{shown}{_offset_text(offsets[0])}",
            "second": f"{shown}{_offset_text(offsets[1])}",
        },
    )


def _offset_text(offset: dt.timedelta | None) -> str:
    minutes = int((offset or dt.timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _pad_time(text: str) -> str:
    hours, rest = text.split(":", 1)
    return f"{int(hours):02d}:{rest}"


def _offset(text: str) -> dt.tzinfo:
    """The time zone of a UTC offset as written (``+01:00``, ``+0100``, ``+1``, ``Z``)."""
    if text in ("Z", "z"):
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:-2] or 0) if len(digits) > 2 else int(digits)
    minutes = int(digits[-2:]) if len(digits) > 2 else 0
    if hours > 23 or minutes > 59:
        raise PydanticCustomError(
            "date_time",
            "`{offset}` is not a UTC offset; write the offset of the time zone, like `+01:00` or `Z`",
            {"offset": text},
        )
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


#: Years an incident or an action date may fall in; outside them a date is a typo.
YEARS = (1970, 2999)


def _check_year(day: dt.date, value: Any) -> None:
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise PydanticCustomError(
            "date_range",
            "`{value}` is not between the years {first} and {last}; check the year",
            {"value": str(value), "first": YEARS[0], "last": YEARS[1]},
        )


def _date_time(value: Any, info: ValidationInfo) -> dt.datetime:
    zone = (info.context or {}).get("zone")
    return parse_date_time(value, zone)


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise PydanticCustomError(
            "date",
            "must be a date without a time, like `{example}`",
            {"example": value.date().isoformat()},
        )
    if isinstance(value, dt.date):
        _check_year(value, value)
        return value
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            _check_year(day, value)
            return day
    raise PydanticCustomError(
        "date", "`{value}` is not a date; write it like `2026-03-01`", {"value": str(value)}
    )


def _url(value: str) -> str:
    href = safe_href(value)
    if href is None:
        scheme = url_scheme(value)
        shown = f"`{scheme}:`" if scheme else "no scheme"
        raise PydanticCustomError(
            "url_scheme",
            "`{value}` has {shown}; a link must start with https://, http:// or mailto:",
            {"value": value, "shown": shown},
        )
    return href


_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _effort(value: Any) -> str | float:
    """``S``, ``M``, ``L`` or a finite number of days above 0 (SPEC 3.2, ``effort``)."""
    if value in ("S", "M", "L"):
        return cast(str, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 < value < float("inf"):
            return value
        raise PydanticCustomError(
            "effort",
            "`{value}` is no effort; write S, M or L, or a number of days above 0 like `3`",
            {"value": value},
        )
    raise PydanticCustomError(
        "effort",
        "`{value}` is no effort; write S, M or L, or a number of days like `3`",
        {"value": str(value)},
    )


def _ticket(value: str) -> str:
    """A key like ``OPS-123`` or an http(s) URL; nothing that a browser would run."""
    match = _SCHEME.match(value)
    if match and match[1].lower() not in ("http", "https"):
        raise PydanticCustomError(
            "ticket",
            "`{value}` is neither a key like OPS-123 nor an https:// URL",
            {"value": value},
        )
    return value


# Strict: no value is converted to another type (`"yes"` is no boolean, `"1.5"` no number).
Text = Annotated[str, Strict(), AfterValidator(_text)]
DateTime = Annotated[dt.datetime, BeforeValidator(_date_time)]
Date = Annotated[dt.date, BeforeValidator(parse_date)]
Url = Annotated[str, Strict(), AfterValidator(_url)]
TextList = Annotated[tuple[Text, ...], BeforeValidator(_as_tuple)]
Bool = Annotated[bool, Strict()]

#: The records are frozen dataclasses with slots: thousands of incidents are held for a build,
#: and a slot takes 8 bytes where a model's attribute dict takes about 35 per field (an
#: incident: 210 bytes instead of 890). Unknown keys are errors.
_CONFIG = ConfigDict(extra="forbid")
_model = dataclass(config=_CONFIG, frozen=True, slots=True, kw_only=True)
ModelT = TypeVar("ModelT")


def validated(model: type[ModelT], data: Any, context: dict[str, Any] | None = None) -> ModelT:
    """``data`` (YAML) as a ``model`` record; raises pydantic's ``ValidationError``."""
    validator: SchemaValidator = getattr(model, "__pydantic_validator__")  # noqa: B009
    return cast(ModelT, validator.validate_python(data, context=context))


def field_names(model: type[Any]) -> list[str]:
    return [f.name for f in dataclasses.fields(model)]


@_model
class Link:
    title: Text
    url: Url


@_model
class Scope:
    partners: TextList = ()
    sites: TextList = ()
    segments: TextList = ()


Count = Annotated[int, Strict(), Field(ge=0)]


@_model
class Impact:
    """An incident's business impact (SPEC 3.1, ``impact``): counts, each optional."""

    shipments_delayed: Count | None = None
    orders_cancelled: Count | None = None
    escalations: Count | None = None


@_model
class ActionItem:
    """A prevention action declared by an incident (SPEC 3.2)."""

    id: Text | None = None
    title: Text
    type: Literal["product", "operability", "quality", "process", "runbook"]
    owner: Text
    status: Literal["proposed", "planned", "in_progress", "done", "wont_do"]
    priority: Literal["P1", "P2", "P3"] | None = None
    due: Date | None = None
    ticket: Annotated[Text, AfterValidator(_ticket)] | None = None
    acceptance: TextList = ()
    completed_at: Date | None = None
    reason: Text | None = None
    #: Time to prevent (SPEC 3.2): a size or a number of days; :func:`rules.effort_days` reads it.
    effort: (
        Annotated[
            str | float,
            PlainValidator(_effort),
            WithJsonSchema(
                {"anyOf": [{"enum": ["S", "M", "L"]}, {"type": "number", "exclusiveMinimum": 0}]}
            ),
        ]
        | None
    ) = None


@_model
class ActionRef:
    """``- ref: <action id>``: this incident is answered by an action another incident declared."""

    ref: Text


@_model
class Incident:
    """The front matter of one incident file (SPEC 3.1)."""

    id: Text
    title: Text
    severity: Text
    category: Text
    failure_mode: Text
    detection_source: Literal["alert", "customer", "partner", "internal"]
    started_at: DateTime
    detected_at: DateTime
    mitigated_at: DateTime
    resolved_at: DateTime | None = None
    scope: Scope
    symptoms: Text
    mitigation: Text
    root_cause: Text | None = None
    contributing_factors: TextList = ()
    trigger: (
        Literal[
            "rollout",
            "config_change",
            "partner_change",
            "partner_outage",
            "load",
            "data",
            "unknown",
        ]
        | None
    ) = None
    rolled_back: Bool | None = None
    manual_hours: (
        Annotated[float, Strict(), Field(ge=0, le=MAX_MANUAL_HOURS, allow_inf_nan=False)] | None
    ) = None
    impact: Impact | None = None
    runbooks: TextList = ()
    links: Annotated[tuple[Link, ...], BeforeValidator(_as_tuple)] = ()
    recurrence_of: TextList = ()
    exclude_from_metrics: Bool = False
    tags: TextList = ()
    #: Each entry is checked on its own as an :class:`ActionItem` or an :class:`ActionRef` and
    #: kept as an ``ActionRecord``; the model checks only that they are a list of mappings.
    actions: Annotated[
        list[dict[str, Any]], BeforeValidator(_none_to_empty), AfterValidator(_not_kept)
    ] = Field(default_factory=list, json_schema_extra={"default": []})


@_model
class Contact:
    name: Text
    role: Text | None = None
    contact: Text


@_model
class Partner:
    """Front matter of ``docs/integrations/<slug>.md``."""

    name: Text
    kind: Literal["carrier", "shop", "marketplace", "wms", "other"]
    owner: Text
    lifecycle: Literal["active", "onboarding", "deprecated"] = "active"
    escalation: Annotated[list[Contact], BeforeValidator(_none_to_empty)] = Field(
        default_factory=list
    )
    known_failure_modes: TextList = ()
    runbooks: TextList = ()
    links: Annotated[tuple[Link, ...], BeforeValidator(_as_tuple)] = ()


@_model
class Site:
    """Front matter of ``docs/sites/<slug>.md``."""

    name: Text
    owner: Text
    wms: Text | None = None
    region: Text | None = None


@_model
class Runbook:
    """Front matter of ``docs/runbooks/<slug>.md``."""

    title: Text
    owner: Text
    #: Without it, the runbook counts as reviewed when git last changed its file (see
    #: :class:`Review`).
    reviewed: Date | None = None
    failure_modes: TextList = ()
    partners: TextList = ()


@_model
class FailureMode:
    """One entry of ``incidents/failure-modes.yml``."""

    title: Text
    category: Text
    description: Text | None = None


#: Front-matter keys that MkDocs and Material read on any page; allowed on catalogue pages.
PAGE_KEYS = frozenset(
    {
        "title",
        "description",
        "tags",
        "hide",
        "icon",
        "template",
        "search",
        "subtitle",
        "render_macros",
        "comments",
        "social",
        "authors",
        "date",
        "robots",
    }
)


# --------------------------------------------------------------------------- a project


@dataclasses.dataclass(frozen=True, slots=True)
class Review:
    """When a runbook was last reviewed, and what says so.

    ``front matter``: its ``reviewed`` date. ``git``: without one, the day (in the plugin's
    ``timezone``) of the last commit that changed its file, so that editing a runbook is
    reviewing it. ``new``: a file no commit has yet counts as reviewed today.
    """

    date: dt.date
    source: Literal["front matter", "git", "new"]


@dataclasses.dataclass(slots=True)
class ActionRecord:
    id: str
    item: ActionItem
    incident_id: str
    source: SourceFile
    key_path: KeyPath

    @property
    def line(self) -> int:
        return self.source.line(self.key_path)

    @property
    def is_open(self) -> bool:
        return is_open_status(self.item.status)


@dataclasses.dataclass(slots=True)
class IncidentRecord:
    incident: Incident
    source: SourceFile
    #: Actions this incident declares, in file order.
    actions: tuple[ActionRecord, ...] = ()
    #: Ids of actions declared elsewhere that this incident lists with ``ref``.
    refs: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.incident.id


@dataclasses.dataclass
class CatalogueEntry(Generic[ModelT]):
    slug: str
    data: ModelT
    source: SourceFile


@dataclasses.dataclass
class Project:
    """Everything read from one project, valid records only, with all problems found."""

    config: ProjectConfig
    incidents: list[IncidentRecord] = dataclasses.field(default_factory=list)
    actions: dict[str, ActionRecord] = dataclasses.field(default_factory=dict)
    failure_modes: dict[str, FailureMode] = dataclasses.field(default_factory=dict)
    partners: dict[str, CatalogueEntry[Partner]] = dataclasses.field(default_factory=dict)
    sites: dict[str, CatalogueEntry[Site]] = dataclasses.field(default_factory=dict)
    runbooks: dict[str, CatalogueEntry[Runbook]] = dataclasses.field(default_factory=dict)
    #: The review of every runbook in :attr:`runbooks`.
    reviews: dict[str, Review] = dataclasses.field(default_factory=dict)
    diagnostics: list[Diagnostic] = dataclasses.field(default_factory=list)
    #: Slugs of every catalogue page and failure mode that exists, valid or not: a reference to
    #: a page with a broken front matter is not reported a second time.
    known: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    #: Kinds whose declaring file could not be read (see :meth:`known_slugs`).
    unreadable: set[str] = dataclasses.field(default_factory=set)
    #: Incident files found, valid or not (for the summary line).
    incident_files: int = 0

    @property
    def settings(self) -> Settings:
        return self.config.settings

    def known_slugs(self, what: str) -> dict[str, None] | None:
        """The slugs of ``what`` that exist; ``None`` when their file could not be read at all
        (its own error is reported; every reference to it would only repeat that)."""
        if what in self.unreadable:
            return None
        return dict.fromkeys(sorted(self.known.get(what, ())))
