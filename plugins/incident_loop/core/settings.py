"""The plugin options of SPEC section 9 as the core sees them: a typed view, no MkDocs.

The options are declared and validated once, in ``incident_loop.config`` (MkDocs'
``config_options``); the core receives the validated values through :meth:`Settings.from_options`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, get_origin, get_type_hints
from zoneinfo import ZoneInfo

PLUGIN_NAME = "incident-loop"
DEFAULT_ID_PATTERN = r"INC-\d{4}-\d{3,}"
#: The file that marks a project's root, as ``.git`` marks a repository's.
CONFIG_FILE = "mkdocs.yml"


def find_project_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``mkdocs.yml``, looking upward as
    git looks for its repository; ``None`` when there is none up to the file system's root."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


class SettingsError(Exception):
    """Plugin options that cannot be used; the message names the option and the fix."""


@dataclass(frozen=True)
class PeakPeriod:
    """A named period of high load: ``start`` and ``end`` are both ``YYYY-MM-DD`` (one period) or
    both ``MM-DD`` (every year; such a period may wrap over New Year)."""

    name: str
    start: str
    end: str


@dataclass(frozen=True)
class Settings:
    """The validated options of the ``incident-loop`` plugin (SPEC section 9).

    No defaults and no checks here: both live with the option declarations in
    ``incident_loop.config``, which MkDocs and ``incident-loop check`` validate alike.
    """

    incidents_dir: str
    integrations_dir: str
    sites_dir: str
    runbooks_dir: str
    id_pattern: str
    severities: tuple[str, ...]
    high_severities: tuple[str, ...]
    categories: tuple[str, ...]
    repeat_window_days: int
    manual_hours_threshold: float
    action_slo_days: dict[str, int]
    timezone: str | None
    peak_periods: tuple[PeakPeriod, ...]
    today: dt.date | None
    max_file_size: int
    #: ``https://acme.atlassian.net/browse/{ticket}``: a ticket key becomes a link.
    ticket_url: str | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        """The settings from validated options (the plugin's ``Config`` is such a mapping);
        lists become tuples and mappings are copied, so the settings share nothing mutable."""
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for field in fields(cls):
            value = options[field.name]
            origin = get_origin(hints[field.name])
            if origin is tuple:
                value = tuple(value)
            elif origin is dict:
                value = dict(value)
            values[field.name] = value
        return cls(**values)

    @property
    def zone(self) -> dt.tzinfo:
        return ZoneInfo(self.timezone) if self.timezone else dt.timezone.utc

    @property
    def id_regex(self) -> re.Pattern[str]:
        """``id_pattern`` with ASCII classes: ``\\d`` is ``[0-9]``, not any Unicode digit."""
        return re.compile(self.id_pattern, re.ASCII)

    def current_date(self) -> dt.date:
        """Today for overdue marks: ``SOURCE_DATE_EPOCH``, else the ``today`` option, else UTC now."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch:
            try:
                return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
            except (ValueError, OverflowError, OSError):
                raise SettingsError(
                    f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970"
                ) from None
        if self.today is not None:
            return self.today
        return dt.datetime.now(dt.timezone.utc).date()


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
class GitRevision:
    """Where git finds the history of a project that was copied out of a revision
    (``incident-loop diff`` reads each revision with ``git archive``): the project's folder in
    its repository, and the commit."""

    root: Path
    commit: str


@dataclass(frozen=True)
class ProjectConfig:
    settings: Settings
    paths: ProjectPaths
    repo_url: str | None = None
    edit_uri: str | None = None
    site_url: str | None = None
    use_directory_urls: bool = True
    #: Set for a copy of a revision; ``None``: the project is its own work tree, and git dates
    #: its files up to ``HEAD``.
    revision: GitRevision | None = None
