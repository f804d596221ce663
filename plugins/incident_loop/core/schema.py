"""``incident-loop schema``: the JSON Schema of an incident's front matter.

Generated from the pydantic records (model.py), then given what only the plugin options know (the
allowed severities and categories, the id pattern) and the two shapes of an action entry.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from .records import ActionItem, ActionRef, Incident
from .settings import Settings

SCHEMA_ID = "https://incident-loop.invalid/schema/incident.json"


def incident_schema(settings: Settings) -> dict[str, Any]:
    schema = TypeAdapter(Incident).json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "incident-loop incident front matter"
    schema["description"] = (
        "The YAML front matter of one incident file under incidents/. Cross-file rules "
        "(known failure modes, partners, sites, runbooks, unique ids) are checked by "
        "`incident-loop check`."
    )
    properties = schema["properties"]
    properties["id"]["pattern"] = f"^(?:{settings.id_pattern})$"
    properties["severity"]["enum"] = list(settings.severities)
    properties["category"]["enum"] = list(settings.categories)
    definitions = schema.setdefault("$defs", {})
    for model in (ActionItem, ActionRef):
        sub = TypeAdapter(model).json_schema(mode="validation", ref_template="#/$defs/{model}")
        definitions.update(sub.pop("$defs", {}))
        definitions[model.__name__] = sub
    properties["actions"]["items"] = {
        "oneOf": [{"$ref": "#/$defs/ActionItem"}, {"$ref": "#/$defs/ActionRef"}]
    }
    definitions["ActionItem"]["allOf"] = [
        {
            "if": {
                "properties": {"status": {"enum": ["planned", "in_progress", "done"]}},
                "required": ["status"],
            },
            "then": {"required": ["acceptance"]},
        },
        {
            "if": {"properties": {"status": {"const": "done"}}, "required": ["status"]},
            "then": {"required": ["completed_at"]},
        },
        {
            "if": {"properties": {"status": {"const": "wont_do"}}, "required": ["status"]},
            "then": {"required": ["reason"]},
        },
    ]
    return schema
