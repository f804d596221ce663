"""The docs pages stay in step with the schema and the plugin options."""

from __future__ import annotations

import json
import re

from conftest import REPO, run_cli
from incident_loop.config import IncidentLoopConfig
from incident_loop.core.settings import Settings


def _property_names(schema: dict) -> set[str]:
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                names.add(key)
                walk(value)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return names


def test_writing_an_incident_documents_every_schema_field() -> None:
    schema = json.loads(run_cli("schema", str(REPO)).stdout)
    page = (REPO / "docs/writing-an-incident.md").read_text()
    documented = set(re.findall(r"`([a-z_]+)`", page))
    names = _property_names(schema)
    assert len(names) > 30
    assert names - documented == set()


def test_how_the_loop_works_documents_every_option() -> None:
    page = (REPO / "docs/how-the-loop-works.md").read_text()
    for option in Settings.model_fields:
        assert f"`{option}`" in page, option


def test_mkdocs_config_class_matches_the_settings() -> None:
    config_options = dict(IncidentLoopConfig._schema)
    assert set(config_options) == set(Settings.model_fields)
    defaults = Settings()
    for name, option in config_options.items():
        default = option.default
        expected = getattr(defaults, name)
        if isinstance(expected, tuple):
            expected = list(expected)
        assert default == expected, name
