"""The options of the ``incident-loop`` plugin (SPEC section 9), declared once, self-validating.

MkDocs validates them when it loads ``mkdocs.yml`` for a build (a bad value is a configuration
error that names the option); :func:`read_project_config` validates them with the same class for
the command line, so ``incident-loop check`` and ``mkdocs build`` give the same verdict and the
same message. The core sees the result as :class:`~incident_loop.core.settings.Settings`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import math
import re
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mkdocs.config import config_options as c
from mkdocs.config.base import (
    BaseConfigOption,
    Config,
    ConfigErrors,
    ConfigWarnings,
    ValidationError,
)

from .core.diagnostics import number_text
from .core.rules import MAX_MANUAL_HOURS
from .core.settings import (
    DEFAULT_ID_PATTERN,
    PLUGIN_NAME,
    PeakPeriod,
    ProjectConfig,
    ProjectPaths,
    Settings,
    SettingsError,
)
from .core.yamlio import EXPONENT as _EXPONENT
from .core.yamlio import load_plain_yaml

T = TypeVar("T")

#: Days are added to dates: a bound keeps ``date + timedelta(days=...)`` inside the calendar.
MAX_DAYS = 36_500  # 100 years
#: The years an incident's dates may lie in (SPEC section 3.1).
FIRST_YEAR, LAST_YEAR = 1970, 2999
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")


def _shown(value: object) -> str:
    """A value from ``mkdocs.yml`` as a message shows it: what it is, control characters escaped."""
    if isinstance(value, bool):
        return f"`{str(value).lower()}` (a yes/no value)"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f'the text "{_escaped(value)}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"`{value}`"


def _escaped(text: str) -> str:
    """``text`` with control characters written as escapes, never sent to a terminal raw."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def _whole_number(value: object, minimum: int, maximum: int | None, unit: str) -> int:
    """``value`` if it is an int (a YAML ``true`` is not) in ``minimum..maximum``; ``1e2``,
    which YAML 1.1 leaves as text, is the number 100 (SPEC section 3.1)."""
    if isinstance(value, str) and _EXPONENT.fullmatch(value.strip()):
        number = float(value)
        if not number.is_integer():
            raise ValidationError(f"must be a whole number of {unit}, not {value.strip()}")
        value = int(number)
    if isinstance(value, bool) or not isinstance(value, int):
        hint = ": write it without quotes" if isinstance(value, str) else ""
        raise ValidationError(f"must be a whole number of {unit}, not {_shown(value)}{hint}")
    if value < minimum:
        raise ValidationError(f"must be {minimum} or more {unit}, not {value}")
    if maximum is not None and value > maximum:
        raise ValidationError(f"must be at most {maximum} {unit} (100 years), not {value}")
    return value


class _Option(BaseConfigOption[T]):
    """An option with a default: when it is missing or empty (``null``) the default applies."""

    def __init__(self, default: T) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> T:
        if value is None:
            return self.default  # type: ignore[no-any-return]
        return self.check(value)

    def check(self, value: object) -> T:
        raise NotImplementedError


class Folder(_Option[str]):
    """A folder name, relative to ``mkdocs.yml`` or to ``docs_dir``."""

    def check(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(
                f"must be a folder name, like `{self.default}`, not {_shown(value)}"
            )
        return value


class RegularExpression(_Option[str]):
    """A Python regular expression that compiles."""

    def check(self, value: object) -> str:
        if not isinstance(value, str):
            raise ValidationError(
                f"must be a regular expression, like `{DEFAULT_ID_PATTERN}`, not {_shown(value)}"
            )
        try:
            re.compile(value)
        except (re.error, OverflowError, RecursionError) as exc:
            raise ValidationError(
                f"`{_escaped(value)}` is not a regular expression: {exc}"
            ) from None
        return value


class Names(_Option[list[str]]):
    """A list of distinct names (severities, categories).

    ``within`` names another option of the same kind that must list every name of this one;
    that is checked after every option validated (MkDocs' ``post_validation``).
    """

    def __init__(
        self, default: list[str], *, allow_empty: bool = False, within: str | None = None
    ) -> None:
        super().__init__(default)
        self.allow_empty = allow_empty
        self.within = within

    def check(self, value: object) -> list[str]:
        example = f"[{', '.join(self.default)}]"
        if not isinstance(value, list):
            raise ValidationError(f"must be a list, like `{example}`, not {_shown(value)}")
        if not value and not self.allow_empty:
            raise ValidationError(f"must list at least one value, like `{example}`")
        seen: set[str] = set()
        for number, name in enumerate(value, 1):
            if not isinstance(name, str) or not name.strip():
                raise ValidationError(f"entry {number} must be a name, not {_shown(name)}")
            if name in seen:
                raise ValidationError(f"lists `{_escaped(name)}` twice")
            seen.add(name)
        return value

    def post_validation(self, config: Config, key_name: str) -> None:
        if self.within is None:
            return
        allowed = config[self.within]
        unknown = [name for name in config[key_name] if name not in allowed]
        if unknown:
            verb = "is" if len(unknown) == 1 else "are"
            raise ValidationError(
                f"lists {', '.join(_escaped(n) for n in unknown)}, which {verb} not in "
                f"{self.within} ({', '.join(_escaped(n) for n in allowed)})"
            )


class WholeNumber(_Option[int]):
    """An integer from ``minimum`` to ``maximum``; a YAML ``true`` or ``"90"`` is not one."""

    def __init__(self, default: int, *, minimum: int, unit: str, maximum: int | None = None):
        super().__init__(default)
        self.minimum = minimum
        self.maximum = maximum
        self.unit = unit

    def check(self, value: object) -> int:
        return _whole_number(value, self.minimum, self.maximum, self.unit)


class Hours(_Option[float]):
    """A finite number of hours, 0 or more, integer or decimal (not a YAML ``true``)."""

    def check(self, value: object) -> float:
        if isinstance(value, str) and _EXPONENT.fullmatch(value.strip()):
            # `1e3`: YAML 1.1 (MkDocs' loader and ours) leaves it as text; SPEC section 3.1
            # reads it as the number it is, in mkdocs.yml as in the incidents.
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            hint = ": write it without quotes" if isinstance(value, str) else ""
            raise ValidationError(
                f"must be a number of hours, like `8` or `7.5`, not {_shown(value)}{hint}"
            )
        if not math.isfinite(value):
            raise ValidationError(f"must be a finite number of hours, not {value}")
        if value < 0:
            raise ValidationError(f"must be 0 or more hours, not {value}")
        if value > MAX_MANUAL_HOURS:
            raise ValidationError(
                f"must be at most {MAX_MANUAL_HOURS} hours, like an incident's manual_hours, "
                f"not {number_text(value)}"
            )
        return value


class DaysPerSeverity(_Option[dict[str, int]]):
    """A mapping of severity to whole days (0 to 100 years); every severity needs an entry."""

    def __init__(self, default: dict[str, int], *, severities: str) -> None:
        super().__init__(default)
        self.severities = severities

    def check(self, value: object) -> dict[str, int]:
        if not isinstance(value, dict):
            example = ", ".join(f"{k}: {v}" for k, v in self.default.items())
            raise ValidationError(
                f"must be a mapping of severity to days, like `{{{example}}}`, not {_shown(value)}"
            )
        for severity, days in value.items():
            if not isinstance(severity, str):
                raise ValidationError(f"`{severity}` is not a severity name")
            try:
                _whole_number(days, 0, MAX_DAYS, "days")
            except ValidationError as exc:
                raise ValidationError(f"{_escaped(severity)}: {exc}") from None
        return value

    def post_validation(self, config: Config, key_name: str) -> None:
        missing = [_escaped(s) for s in config[self.severities] if s not in config[key_name]]
        if missing:
            raise ValidationError(
                f"has no entry for {', '.join(missing)}; give the days to the default due date "
                "of every severity"
            )


class TimeZone(_Option[str | None]):
    """An IANA time zone name that exists here (``Europe/Amsterdam``, ``UTC``)."""

    def __init__(self) -> None:
        super().__init__(None)

    def check(self, value: object) -> str:
        hint = "use one like `Europe/Amsterdam` or `UTC`"
        if not isinstance(value, str):
            raise ValidationError(f"must be a time zone name, not {_shown(value)}; {hint}")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder
            raise ValidationError(f"`{_escaped(value)}` is not a time zone name; {hint}") from None
        return value


class Day(_Option[dt.date | None]):
    """A calendar date, ``YYYY-MM-DD`` (YAML reads it as a date, or as text when quoted)."""

    def __init__(self) -> None:
        super().__init__(None)

    def check(self, value: object) -> dt.date:
        day: dt.date | None = None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            day = value
        elif isinstance(value, str) and _FULL_DATE.fullmatch(value):
            with contextlib.suppress(ValueError):  # 2026-02-30
                day = dt.date.fromisoformat(value)
        if day is None:
            shown = f"`{_escaped(value)}`" if isinstance(value, str) else _shown(value)
            raise ValidationError(f"{shown} is not a date; write it like `2026-06-15`")
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(
                f"{day} is not a year from {FIRST_YEAR} to {LAST_YEAR}, like the incidents' dates"
            )
        return day


class PeakPeriods(_Option[list[PeakPeriod]]):
    """Named periods of high load: ``{name, start, end}`` with both days ``YYYY-MM-DD`` (one
    period, start not after end) or both ``MM-DD`` (every year, may wrap over New Year)."""

    def __init__(self) -> None:
        super().__init__([])

    def check(self, value: object) -> list[PeakPeriod]:
        example = "`[{name: Peak, start: '11-20', end: '12-24'}]`"
        if not isinstance(value, list):
            raise ValidationError(f"must be a list of periods, like {example}, not {_shown(value)}")
        return [self._period(number, entry) for number, entry in enumerate(value, 1)]

    def _period(self, number: int, entry: object) -> PeakPeriod:
        if not isinstance(entry, dict):
            raise ValidationError(
                f"entry {number} must be a mapping `{{name, start, end}}`, not {_shown(entry)}"
            )
        unknown = [str(key) for key in entry if key not in ("name", "start", "end")]
        if unknown:
            raise ValidationError(
                f"entry {number}: `{_escaped(unknown[0])}` is not a field of a peak period "
                "(name, start, end)"
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(f"entry {number} needs a `name` (text), not {_shown(name)}")
        label = f"peak period '{_escaped(name)}'"
        start = self._day(label, "start", entry.get("start"))
        end = self._day(label, "end", entry.get("end"))
        if len(start) != len(end):
            raise ValidationError(
                f"{label}: start {start} and end {end} must both be YYYY-MM-DD (one period) or "
                "both MM-DD (every year)"
            )
        if len(start) > 5 and start > end:
            raise ValidationError(f"{label}: start {start} is after end {end}")
        return PeakPeriod(name=name, start=start, end=end)

    @staticmethod
    def _day(label: str, field: str, value: object) -> str:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, str):
            try:
                if match := _MONTH_DAY.fullmatch(value):
                    dt.date(2024, int(match[1]), int(match[2]))  # a leap year accepts 02-29
                    return value
                if _FULL_DATE.fullmatch(value):
                    dt.date.fromisoformat(value)
                    return value
            except ValueError:
                pass
        shown = f"`{_escaped(value)}`" if isinstance(value, str) else _shown(value)
        raise ValidationError(
            f"{label}: {field} {shown} is not a day: write `YYYY-MM-DD`, or `MM-DD` for every year"
        )


class TicketUrl(_Option[str | None]):
    """A link template for ticket keys: an http(s) URL with ``{ticket}`` where the key goes."""

    def __init__(self) -> None:
        super().__init__(None)

    def check(self, value: object) -> str:
        example = "like `https://acme.atlassian.net/browse/{ticket}`"
        if not isinstance(value, str):
            raise ValidationError(f"must be a link {example}, not {_shown(value)}")
        if "{ticket}" not in value:
            raise ValidationError(
                f"`{_escaped(value)}` has no `{{ticket}}` for the ticket key; write it {example}"
            )
        if not re.match(r"https?://[^/{}]+/", value, re.IGNORECASE):
            raise ValidationError(
                f"`{_escaped(value)}` must start with https:// and a host name, {example}"
            )
        return value


class IncidentLoopConfig(Config):  # type: ignore[no-untyped-call]
    """SPEC section 9. Each option checks its own value; the options that must agree with
    ``severities`` check that after all are valid."""

    incidents_dir = Folder("incidents")
    integrations_dir = Folder("integrations")
    sites_dir = Folder("sites")
    runbooks_dir = Folder("runbooks")
    id_pattern = RegularExpression(DEFAULT_ID_PATTERN)
    severities = Names(["Sev1", "Sev2", "Sev3"])
    high_severities = Names(["Sev1", "Sev2"], allow_empty=True, within="severities")
    categories = Names(["integration", "warehouse"])
    repeat_window_days = WholeNumber(90, minimum=0, maximum=MAX_DAYS, unit="days")
    manual_hours_threshold = Hours(8)
    action_slo_days = DaysPerSeverity({"Sev1": 28, "Sev2": 56, "Sev3": 84}, severities="severities")
    timezone = c.Optional(TimeZone())
    peak_periods = PeakPeriods()
    today = c.Optional(Day())
    max_file_size = WholeNumber(1024 * 1024, minimum=1, unit="bytes")
    ticket_url = TicketUrl()
    #: Material's repository facts (stars, forks, latest release) in the header, which its
    #: JavaScript fetches from api.github.com on every page view; off, the site loads nothing
    #: from other hosts. Only the MkDocs plugin reads it.
    repo_facts = c.Type(bool, default=False)

    def validate(self) -> tuple[ConfigErrors, ConfigWarnings]:
        """MkDocs' validation, reporting every bad option rather than the first, and an unknown
        option as an error (a misspelt option would otherwise be ignored in silence)."""
        failed, warnings = self._pre_validate()
        names = [key for key, _ in self._schema]
        for key, option in self._schema:
            try:
                self[key] = option.validate(self.get(key))
            except ValidationError as exc:
                failed.append((key, exc))
            warnings.extend((key, warning) for warning in option.warnings)
            option.reset_warnings()
        for key in [key for key in self.keys() if key not in names]:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            failed.append(
                (key, ValidationError(f"is not an option of the {PLUGIN_NAME} plugin{hint}"))
            )
        if not failed:  # the options that depend on others need those valid
            post_failed, post_warnings = self._post_validate()
            failed.extend(post_failed)
            warnings.extend(post_warnings)
        return failed, warnings


def settings_from_config(config: IncidentLoopConfig) -> Settings:
    """The core's view of the validated options; ``on_config`` passes the plugin's config."""
    return Settings.from_options(config)


def validated_options(
    options: dict[str, Any], config_file_path: str | None = None
) -> IncidentLoopConfig:
    """Validate ``options`` as MkDocs does for a build; every problem in one :class:`SettingsError`,
    each line naming its option in MkDocs' words."""
    config = IncidentLoopConfig(config_file_path=config_file_path)
    config.load_dict(options)
    errors, _warnings = config.validate()
    if errors:
        raise SettingsError(
            "\n".join(f"Plugin '{PLUGIN_NAME}' option '{key}': {error}" for key, error in errors)
        )
    return config


def read_project_config(root: Path) -> ProjectConfig:
    """Read ``ROOT/mkdocs.yml`` without running MkDocs: ``docs_dir``, the site settings the pages
    use, and the ``incident-loop`` options, validated as a build validates them.

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
    settings = settings_from_config(validated_options(options, str(config_file)))
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
    """Find our options in MkDocs' ``plugins:``, which is a list of names or one-key mappings.

    ``enabled`` is MkDocs' own switch for every plugin, checked as MkDocs checks it.
    """
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
                raise SettingsError(f"Invalid config options for the '{PLUGIN_NAME}' plugin.")
            enabled = options.get("enabled", True)
            if not isinstance(enabled, bool):
                raise SettingsError(
                    f"Plugin '{PLUGIN_NAME}' option 'enabled': must be true or false, "
                    f"not {_shown(enabled)}"
                )
            return {k: v for k, v in options.items() if k != "enabled"}
    return {}
