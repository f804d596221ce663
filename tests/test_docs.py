"""The docs pages stay in step with the schema and the one declaration of the plugin options."""

from __future__ import annotations

import json
import re

from conftest import REPO, run_cli
from incident_loop.config import IncidentLoopConfig


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


def _documented_default(value: object) -> str:
    """An option's default as the options table of How the loop works writes it."""
    if value is None:
        return "not set"
    if isinstance(value, list):
        return f"`[{', '.join(str(item) for item in value)}]`"
    if isinstance(value, dict):
        return f"`{{{', '.join(f'{k}: {v}' for k, v in value.items())}}}`"
    return f"`{value}`"


def test_how_the_loop_works_documents_every_option_with_its_default() -> None:
    """The options are declared once, in IncidentLoopConfig; the page follows that declaration."""
    page = (REPO / "docs/how-the-loop-works.md").read_text()
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", page, flags=re.MULTILINE))
    options = dict(IncidentLoopConfig._schema)
    assert len(options) >= 15
    assert set(rows) == set(options)
    for name, option in options.items():
        assert rows[name].startswith(_documented_default(option.default)), name


def test_the_rules_named_on_how_the_loop_works_exist() -> None:
    import re

    from incident_loop.core import rules

    page = (REPO / "docs/how-the-loop-works.md").read_text(encoding="utf-8")
    section = page[page.index("## Where each rule lives") :]
    table = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    names = [name for line in table for name in re.findall(r"`([A-Za-z_]+)`", line.split("|")[2])]
    assert "is_overdue" in names and "safe_href" in names
    assert [name for name in names if not hasattr(rules, name)] == []
