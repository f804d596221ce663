"""The options of the ``incident-loop`` plugin (SPEC section 9), declared once."""

from __future__ import annotations

import datetime as dt

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

from .core.settings import DEFAULT_ID_PATTERN


class IncidentLoopConfig(Config):  # type: ignore[no-untyped-call]
    """SPEC section 9. Deeper checks (patterns, zones, consistency) are done by ``Settings``."""

    incidents_dir = c.Type(str, default="incidents")
    integrations_dir = c.Type(str, default="integrations")
    sites_dir = c.Type(str, default="sites")
    runbooks_dir = c.Type(str, default="runbooks")
    id_pattern = c.Type(str, default=DEFAULT_ID_PATTERN)
    severities = c.ListOfItems(c.Type(str), default=["Sev1", "Sev2", "Sev3"])
    high_severities = c.ListOfItems(c.Type(str), default=["Sev1", "Sev2"])
    categories = c.ListOfItems(c.Type(str), default=["integration", "warehouse"])
    repeat_window_days = c.Type(int, default=90)
    manual_hours_threshold = c.Type((int, float), default=8)
    action_slo_days = c.Type(dict, default={"Sev1": 28, "Sev2": 56, "Sev3": 84})
    timezone = c.Optional(c.Type(str))
    peak_periods = c.ListOfItems(c.Type(dict), default=[])
    today = c.Optional(c.Type((str, dt.date)))
    max_file_size = c.Type(int, default=1024 * 1024)
