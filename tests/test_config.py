"""The plugin options (SPEC sections 5, 9): declared once, checked alike by `check` and the build.

Each bad value goes through both doors: `incident-loop check` exits 2 and names the option on
stderr, and a real `mkdocs build` stops with a configuration error that gives the same message.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import build_site, run_cli
from incident_loop.config import IncidentLoopConfig, read_project_config, settings_from_config
from incident_loop.core.settings import PeakPeriod, Settings

PREFIX = "Plugin 'incident-loop' option"

# (option, its YAML value, the message after "Plugin 'incident-loop' option '<option>': ")
BAD_OPTIONS = [
    (
        "ticket_url",
        "https://acme.atlassian.net/browse/",
        "`https://acme.atlassian.net/browse/` has no `{ticket}` for the ticket key; write it "
        "like `https://acme.atlassian.net/browse/{ticket}`",
    ),
    (
        "ticket_url",
        '"javascript:alert(1)//{ticket}"',
        "`javascript:alert(1)//{ticket}` must start with https:// and a host name, like "
        "`https://acme.atlassian.net/browse/{ticket}`",
    ),
    ("repo_facts", "maybe", "Expected type: <class 'bool'> but received: <class 'str'>"),
    ("id_pattern", '"("', "`(` is not a regular expression: missing ), unterminated subpattern"),
    ("id_pattern", '"a{4294967296}"', "`a{4294967296}` is not a regular expression"),
    ("id_pattern", "[INC]", "must be a regular expression, like `INC-\\d{4}-\\d{3,}`, not a list"),
    (
        "timezone",
        "Mars/Olympus",
        "`Mars/Olympus` is not a time zone name; use one like `Europe/Amsterdam` or `UTC`",
    ),
    ("timezone", "Europe", "`Europe` is not a time zone name"),  # a folder of the zone database
    (
        "action_slo_days",
        "{Sev1: 28, Sev2: 56}",
        "has no entry for Sev3; give the days to the default due date of every severity",
    ),
    ("action_slo_days", "{Sev1: 28, Sev2: -5, Sev3: 84}", "Sev2: must be 0 or more days, not -5"),
    (
        "action_slo_days",
        "{Sev1: 28, Sev2: 56, Sev3: 99999999}",
        "Sev3: must be at most 36500 days (100 years), not 99999999",
    ),
    (
        "action_slo_days",
        "{Sev1: 28, Sev2: 56, Sev3: yes}",
        "Sev3: must be a whole number of days, not `true` (a yes/no value)",
    ),
    ("action_slo_days", "[28, 56, 84]", "must be a mapping of severity to days, like `{Sev1: 28"),
    ("high_severities", "[Sev9]", "lists Sev9, which is not in severities (Sev1, Sev2, Sev3)"),
    ("severities", "[]", "must list at least one value, like `[Sev1, Sev2, Sev3]`"),
    ("severities", "[Sev1, Sev2, Sev1]", "lists `Sev1` twice"),
    (
        "categories",
        "warehouse",
        'must be a list, like `[integration, warehouse]`, not the text "warehouse"',
    ),
    ("categories", "[integration, 7]", "entry 2 must be a name, not `7`"),
    (
        "peak_periods",
        '[{name: Peak, start: "02-30", end: "03-10"}]',
        "peak period 'Peak': start `02-30` is not a day: write `YYYY-MM-DD`, or `MM-DD` for "
        "every year",
    ),
    (
        "peak_periods",
        "[{name: Peak, start: 2025-11-20, end: '12-31'}]",
        "peak period 'Peak': start 2025-11-20 and end 12-31 must both be YYYY-MM-DD (one period) "
        "or both MM-DD (every year)",
    ),
    (
        "peak_periods",
        "[{name: Peak, start: 2025-12-31, end: 2025-11-20}]",
        "peak period 'Peak': start 2025-12-31 is after end 2025-11-20",
    ),
    (
        "peak_periods",
        "[{name: Peak, start: '11-20', end: '12-24', until: '12-31'}]",
        "entry 1: `until` is not a field of a peak period (name, start, end)",
    ),
    (
        "peak_periods",
        "[{start: '11-20', end: '12-24'}]",
        "entry 1 needs a `name` (text), not nothing",
    ),
    ("repeat_window_days", "-1", "must be 0 or more days, not -1"),
    (
        "repeat_window_days",
        '"90"',
        'must be a whole number of days, not the text "90": write it without quotes',
    ),
    ("repeat_window_days", "36501", "must be at most 36500 days (100 years), not 36501"),
    ("repeat_window_days", "7.5", "must be a whole number of days, not `7.5`"),
    (
        "repeat_window_days",
        "1000000000",
        "must be at most 36500 days (100 years), not 1000000000",
    ),
    (
        "manual_hours_threshold",
        "10001",
        "must be at most 10000 hours, like an incident's manual_hours, not 10001",
    ),
    (
        "manual_hours_threshold",
        "1e999",
        "must be a finite number of hours, not inf",
    ),
    ("repeat_window_days", "1e9", "must be at most 36500 days (100 years), not 1000000000"),
    ("repeat_window_days", "2.5e0", "must be a whole number of days, not 2.5e0"),
    (
        "manual_hours_threshold",
        "true",
        "must be a number of hours, like `8` or `7.5`, not `true` (a yes/no value)",
    ),
    ("manual_hours_threshold", "-0.5", "must be 0 or more hours, not -0.5"),
    ("manual_hours_threshold", ".nan", "must be a finite number of hours, not nan"),
    ("max_file_size", "0", "must be 1 or more bytes, not 0"),
    ("today", '"yesterday"', "`yesterday` is not a date; write it like `2026-06-15`"),
    ("today", '"2026-02-30"', "`2026-02-30` is not a date; write it like `2026-06-15`"),
    (
        "today",
        "1969-12-31",
        "1969-12-31 is not a year from 1970 to 2999, like the incidents' dates",
    ),
    ("incidents_dir", "5", "must be a folder name, like `incidents`, not `5`"),
    (
        "repeat_window_day",
        "30",
        "is not an option of the incident-loop plugin (did you mean `repeat_window_days`?)",
    ),
]


def _set_options(root: Path, *lines: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - incident-loop\n" in text
    options = "".join(f"      {line}\n" for line in lines)
    config.write_text(
        text.replace("  - incident-loop\n", f"  - incident-loop:\n{options}"), "utf-8"
    )


def _build_errors(root: Path, caplog: pytest.LogCaptureFixture) -> list[str]:
    """The configuration errors a real build logs before it stops."""
    caplog.clear()
    with caplog.at_level(logging.ERROR), pytest.raises(Abort, match="configuration error"):
        build_site(root)
    assert not (root / "site").exists()
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    BAD_OPTIONS,
    ids=[f"{option}={value}" for option, value, _ in BAD_OPTIONS],
)
def test_a_bad_option_stops_check_and_build_with_the_same_message(
    minimal: Path, caplog: pytest.LogCaptureFixture, option: str, value: str, message: str
) -> None:
    _set_options(minimal, f"{option}: {value}")
    expected = f"{PREFIX} '{option}': {message}"

    result = run_cli("check", str(minimal))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert expected in result.stderr
    assert result.stderr.startswith(f"incident-loop: {minimal / 'mkdocs.yml'}: {PREFIX}")

    errors = _build_errors(minimal, caplog)
    assert any(f"Config value 'plugins': {expected}" in error for error in errors), errors


def test_every_bad_option_is_reported_at_once(
    minimal: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _set_options(minimal, "timezone: Mars/Olympus", "max_file_size: 0", "today: yesterday")
    expected = [
        f"{PREFIX} 'timezone': `Mars/Olympus` is not a time zone name",
        f"{PREFIX} 'today': `yesterday` is not a date",
        f"{PREFIX} 'max_file_size': must be 1 or more bytes, not 0",
    ]
    result = run_cli("check", str(minimal))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    for line, words in zip(lines, expected, strict=True):
        assert words in line
    (error,) = _build_errors(minimal, caplog)
    assert error.startswith("Config value 'plugins': ")
    lines = error.removeprefix("Config value 'plugins': ").splitlines()
    assert len(lines) == 3
    for line, words in zip(lines, expected, strict=True):
        assert line.startswith(words)


def test_the_cross_option_rules_wait_for_valid_options(minimal: Path) -> None:
    # high_severities is checked against severities only once severities itself is valid.
    _set_options(minimal, "severities: Sev1", "high_severities: [Sev9]")
    result = run_cli("check", str(minimal))
    assert result.exit_code == 2
    assert f"{PREFIX} 'severities': must be a list" in result.stderr
    assert "high_severities" not in result.stderr


def test_other_severities_need_their_own_high_severities_and_slo(minimal: Path) -> None:
    _set_options(minimal, "severities: [P1, P2]")
    result = run_cli("check", str(minimal))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"incident-loop: {minimal / 'mkdocs.yml'}: {PREFIX} 'high_severities': "
        "lists Sev1, Sev2, which are not in severities (P1, P2)",
        f"incident-loop: {minimal / 'mkdocs.yml'}: {PREFIX} 'action_slo_days': "
        "has no entry for P1, P2; give the days to the default due date of every severity",
    ]


def test_control_characters_in_a_bad_value_are_escaped(minimal: Path) -> None:
    _set_options(minimal, 'timezone: "Europe/\\e[31mRed"')
    result = run_cli("check", str(minimal))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert "`Europe/\\x1b[31mRed` is not a time zone name" in result.stderr


def test_the_defaults_need_no_options(tmp_path: Path) -> None:
    settings = read_project_config(tmp_path).settings  # no mkdocs.yml at all
    assert settings == Settings(
        incidents_dir="incidents",
        integrations_dir="integrations",
        sites_dir="sites",
        runbooks_dir="runbooks",
        id_pattern=r"INC-\d{4}-\d{3,}",
        severities=("Sev1", "Sev2", "Sev3"),
        high_severities=("Sev1", "Sev2"),
        categories=("integration", "warehouse"),
        repeat_window_days=90,
        manual_hours_threshold=8,
        action_slo_days={"Sev1": 28, "Sev2": 56, "Sev3": 84},
        timezone=None,
        peak_periods=(),
        today=None,
        max_file_size=1024 * 1024,
    )


def test_good_options_reach_the_core_as_settings(
    minimal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    _set_options(
        minimal,
        "severities: [P1, P2, P3, P4]",
        "high_severities: []",
        "action_slo_days: {P1: 0, P2: 7, P3: 30, P4: 36500}",
        "repeat_window_days: 0",
        "manual_hours_threshold: 2.5",
        "timezone: Europe/Amsterdam",
        "today: 2026-06-15",
        "peak_periods: [{name: Peak, start: '12-15', end: '01-10'}, "
        "{name: Sale, start: 2026-03-01, end: '2026-03-07'}]",
        "max_file_size: 4096",
        "enabled: true",
    )
    settings = read_project_config(minimal).settings
    assert settings.severities == ("P1", "P2", "P3", "P4")
    assert settings.high_severities == ()
    assert settings.action_slo_days == {"P1": 0, "P2": 7, "P3": 30, "P4": 36500}
    assert settings.repeat_window_days == 0
    assert settings.manual_hours_threshold == 2.5
    assert settings.zone.utcoffset(dt.datetime(2026, 7, 1)) == dt.timedelta(hours=2)
    assert settings.current_date() == dt.date(2026, 6, 15)
    assert settings.peak_periods == (
        PeakPeriod(name="Peak", start="12-15", end="01-10"),
        PeakPeriod(name="Sale", start="2026-03-01", end="2026-03-07"),
    )
    assert settings.max_file_size == 4096


def test_the_plugin_config_object_gives_the_same_settings(minimal: Path) -> None:
    config = IncidentLoopConfig()
    config.load_dict({"timezone": "UTC", "categories": ["integration"]})
    assert config.validate() == ([], [])
    settings = settings_from_config(config)
    assert settings == Settings.from_options(config)
    assert settings.categories == ("integration",)
    assert settings.timezone == "UTC"
    # The settings share nothing mutable with the options they came from.
    config["action_slo_days"]["Sev1"] = 1
    assert settings.action_slo_days["Sev1"] == 28


def test_enabled_must_be_a_yes_or_no(minimal: Path) -> None:
    _set_options(minimal, "enabled: sometimes")
    result = run_cli("check", str(minimal))
    assert result.exit_code == 2
    assert f"{PREFIX} 'enabled': must be true or false, not the text \"sometimes\"" in (
        result.stderr
    )
