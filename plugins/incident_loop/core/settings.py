"""The plugin options of SPEC section 9, validated once, shared by the plugin, the macros and the CLI."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .yamlio import load_plain_yaml

PLUGIN_NAME = "incident-loop"
DEFAULT_ID_PATTERN = r"INC-\d{4}-\d{3,}"
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class SettingsError(Exception):
    """Plugin options that cannot be used; the message names the option and the fix."""


class PeakPeriod(BaseModel):
    """A named period of high load, either fixed dates or ``MM-DD`` days that recur every year."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    start: str
    end: str

    @field_validator("start", "end", mode="before")
    @classmethod
    def _day(cls, value: Any) -> str:
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value)
        match = _MONTH_DAY.match(text)
        try:
            if match:
                dt.date(2024, int(match[1]), int(match[2]))  # a leap year accepts 02-29
            else:
                dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"`{text}` is not a day: write `YYYY-MM-DD`, or `MM-DD` for every year"
            ) from None
        return text

    @model_validator(mode="after")
    def _same_form(self) -> PeakPeriod:
        if len(self.start) != len(self.end):
            raise ValueError(
                f"peak period {self.name!r}: start {self.start} and end {self.end} must both be "
                "YYYY-MM-DD (one period) or both MM-DD (every year)"
            )
        if len(self.start) > 5 and self.start > self.end:
            raise ValueError(
                f"peak period {self.name!r}: start {self.start} is after end {self.end}"
            )
        return self


class Settings(BaseModel):
    """Options of the ``incident-loop`` plugin (SPEC section 9) with their defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    incidents_dir: str = "incidents"
    integrations_dir: str = "integrations"
    sites_dir: str = "sites"
    runbooks_dir: str = "runbooks"
    id_pattern: str = DEFAULT_ID_PATTERN
    severities: tuple[str, ...] = ("Sev1", "Sev2", "Sev3")
    high_severities: tuple[str, ...] = ("Sev1", "Sev2")
    categories: tuple[str, ...] = ("integration", "warehouse")
    repeat_window_days: int = Field(default=90, ge=0)
    manual_hours_threshold: float = Field(default=8, ge=0)
    action_slo_days: dict[str, int] = Field(
        default_factory=lambda: {"Sev1": 28, "Sev2": 56, "Sev3": 84}
    )
    timezone: str | None = None
    peak_periods: tuple[PeakPeriod, ...] = ()
    today: dt.date | None = None
    max_file_size: int = Field(default=1024 * 1024, gt=0)

    @field_validator("id_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"`{value}` is not a regular expression: {exc}") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"`{value}` is not a time zone name; use one like `Europe/Amsterdam` or `UTC`"
            ) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        for name in ("severities", "categories"):
            if not getattr(self, name):
                raise ValueError(f"{name} must list at least one value")
        unknown = [s for s in self.high_severities if s not in self.severities]
        if unknown:
            raise ValueError(
                f"high_severities lists {', '.join(unknown)}, which is not in severities "
                f"({', '.join(self.severities)})"
            )
        missing = [s for s in self.severities if s not in self.action_slo_days]
        if missing:
            raise ValueError(
                f"action_slo_days has no entry for {', '.join(missing)}; give the days to the "
                "default due date of every severity"
            )
        return self

    @property
    def zone(self) -> dt.tzinfo:
        return ZoneInfo(self.timezone) if self.timezone else dt.timezone.utc

    @property
    def id_regex(self) -> re.Pattern[str]:
        return re.compile(self.id_pattern)

    def current_date(self) -> dt.date:
        """Today for overdue marks: ``SOURCE_DATE_EPOCH``, else the ``today`` option, else UTC now."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch:
            try:
                return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
            except (ValueError, OverflowError):
                raise SettingsError(
                    f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970"
                ) from None
        if self.today is not None:
            return self.today
        return dt.datetime.now(dt.timezone.utc).date()


def settings_from_options(options: dict[str, Any]) -> Settings:
    """Validate plugin options; every problem in one :class:`SettingsError`."""
    try:
        return Settings.model_validate(options)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "options"
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "is not an option of the incident-loop plugin"
            elif error["type"] in ("tuple_type", "list_type"):
                message = "must be a list, like `[Sev1, Sev2, Sev3]`"
            elif error["type"] == "dict_type":
                message = "must be a mapping, like `{Sev1: 28, Sev2: 56, Sev3: 84}`"
            problems.append(f"plugin option {where}: {message}")
        raise SettingsError("; ".join(problems)) from None


@dataclass(frozen=True)
class ProjectPaths:
    """Where a project's sources are, from its ``mkdocs.yml`` and the plugin options."""

    root: Path
    docs_dir: Path
    incidents_dir: Path
    integrations_dir: Path
    sites_dir: Path
    runbooks_dir: Path

    @classmethod
    def resolve(cls, root: Path, docs_dir: Path, settings: Settings) -> ProjectPaths:
        return cls(
            root=root,
            docs_dir=docs_dir,
            incidents_dir=root / settings.incidents_dir,
            integrations_dir=docs_dir / settings.integrations_dir,
            sites_dir=docs_dir / settings.sites_dir,
            runbooks_dir=docs_dir / settings.runbooks_dir,
        )

    def relative(self, path: Path) -> str:
        """A path as the user sees it in messages: relative to the project root, with ``/``.

        String operations, not ``Path.relative_to``: this runs a few times per incident.
        """
        text, root = str(path), str(self.root)
        if text == root:
            return "."
        if text.startswith(root.rstrip(os.sep) + os.sep):
            return text[len(root.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
        return path.as_posix()


@dataclass(frozen=True)
class ProjectConfig:
    settings: Settings
    paths: ProjectPaths
    repo_url: str | None = None
    edit_uri: str | None = None
    site_url: str | None = None
    use_directory_urls: bool = True


def read_project_config(root: Path) -> ProjectConfig:
    """Read ``ROOT/mkdocs.yml`` without MkDocs: ``docs_dir`` and the ``incident-loop`` options.

    A project without ``mkdocs.yml`` uses the defaults.
    """
    root = root.resolve()
    config_file = root / "mkdocs.yml"
    raw: Any = {}
    if config_file.is_file():
        try:
            raw = load_plain_yaml(config_file.read_text(encoding="utf-8-sig")) or {}
        except Exception as exc:  # any YAML or decoding problem of a file that is not ours
            raise SettingsError(f"cannot be read: {exc}") from None
    if not isinstance(raw, dict):
        raise SettingsError("mkdocs.yml must be a mapping of settings")
    options = _plugin_options(raw.get("plugins"))
    settings = settings_from_options(options)
    docs_dir = root / str(raw.get("docs_dir") or "docs")
    repo_url = raw.get("repo_url")
    edit_uri = raw.get("edit_uri")
    site_url = raw.get("site_url")
    return ProjectConfig(
        settings=settings,
        paths=ProjectPaths.resolve(root, docs_dir, settings),
        repo_url=repo_url if isinstance(repo_url, str) else None,
        edit_uri=edit_uri if isinstance(edit_uri, str) else None,
        site_url=site_url if isinstance(site_url, str) else None,
        use_directory_urls=raw.get("use_directory_urls") is not False,
    )


def _plugin_options(plugins: Any) -> dict[str, Any]:
    """Find our options in MkDocs' ``plugins:``, which is a list of names or one-key mappings."""
    entries: list[Any] = []
    if isinstance(plugins, dict):
        entries = [{name: value} for name, value in plugins.items()]
    elif isinstance(plugins, list):
        entries = plugins
    for entry in entries:
        if entry == PLUGIN_NAME:
            return {}
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            options = entry[PLUGIN_NAME] or {}
            if not isinstance(options, dict):
                raise SettingsError("the incident-loop entry of plugins: must be a mapping")
            return {k: v for k, v in options.items() if k != "enabled"}
    return {}
