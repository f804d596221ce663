"""Bad input, one file per rule of SPEC sections 3 and 5: exit code, path, line, field and words.

Every case edits the one valid incident of tests/fixtures/minimal, whose lines are:

 1 ---                                   16 symptoms: ...
 2 id: INC-2026-001                      17 mitigation: ...
 3 title: DHL label API timeouts         18 runbooks: [label-failover]
 4 severity: Sev2                        19 links:
 5 category: integration                 20   - title: Dashboard
 6 failure_mode: label-api-timeouts      21     url: https://grafana.example.com/d/labels
 7 detection_source: alert               22 actions:
 8 started_at: 2026-01-10T09:00:00+01:00 23   - title: Idempotency keys on label creation
 9 detected_at: ...09:12...              24     type: product
10 mitigated_at: ...10:30...             25     owner: team-integrations
11 resolved_at: 2026-01-11T16:00...      26     status: planned
12 scope:                                27     priority: P1
13   partners: [dhl]                     28     acceptance:
14   sites: [ams]                        29       - Retried label requests never ...
15   segments: [B2C parcels]             30 ---

so the expected lines below are counted by hand from this listing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic_core import PydanticCustomError

from conftest import MINIMAL_INCIDENT, check_json, run_cli
from incident_loop.core.records import parse_date_time

P = MINIMAL_INCIDENT

# (case id, [(old line, new lines)], [(line, field, words of the message)])
CASES = [
    (
        "missing-id",  # INC-2026-001 was this file's, INC-2026-002 is taken: the next free id
        [("id: INC-2026-001", "")],
        [(1, "id", "is required; add `id: INC-2026-003` (the next free id)")],
    ),
    (
        "missing-title",
        [("title: DHL label API timeouts", "")],
        [(1, "title", "is required; add `title:")],
    ),
    (
        "missing-severity",
        [("severity: Sev2", "")],
        [(1, "severity", "is required; add `severity: Sev2`")],
    ),
    ("missing-category", [("category: integration", "")], [(1, "category", "is required")]),
    (
        "missing-failure-mode",
        [("failure_mode: label-api-timeouts", "")],
        [(1, "failure_mode", "is required")],
    ),
    (
        "missing-detection-source",
        [("detection_source: alert", "")],
        [(1, "detection_source", "is required")],
    ),
    (
        "missing-started-at",
        [("started_at: 2026-01-10T09:00:00+01:00", "")],
        [(1, "started_at", "is required")],
    ),
    (
        "missing-detected-at",
        [("detected_at: 2026-01-10T09:12:00+01:00", "")],
        [(1, "detected_at", "is required")],
    ),
    (
        "missing-mitigated-at",
        [("mitigated_at: 2026-01-10T10:30:00+01:00", "")],
        [(1, "mitigated_at", "is required")],
    ),
    (
        "missing-scope",
        [
            ("scope:", ""),
            ("  partners: [dhl]", ""),
            ("  sites: [ams]", ""),
            ("  segments: [B2C parcels]", ""),
        ],
        [(1, "scope", "is required")],
    ),
    (
        "missing-symptoms",
        [("symptoms: Label requests failed with 504.", "")],
        [(1, "symptoms", "is required")],
    ),
    (
        "missing-mitigation",
        [("mitigation: Throttled label creation and switched to the fallback service level.", "")],
        [(1, "mitigation", "is required")],
    ),
    (
        "empty-title",
        [("title: DHL label API timeouts", "title:")],
        [(3, "title", "is empty; write a value")],
    ),
    (
        "blank-title",
        [("title: DHL label API timeouts", "title: '   '")],
        [(3, "title", "must not be empty")],
    ),
    (
        "title-is-a-number",
        [("title: DHL label API timeouts", "title: 404")],
        [(3, "title", "must be text, not a number; put the value in quotes")],
    ),
    (
        "unknown-key-suggests",
        [("severity: Sev2", "severty: Sev2")],
        [
            (1, "severity", "is required"),
            (4, "severty", "`severty` is not a known field (did you mean `severity`?)"),
        ],
    ),
    (
        "unknown-key-lists-fields",
        [("    priority: P1", "    priority: P1\n    assignee: bob")],
        [
            (
                28,
                "actions[0].assignee",
                "`assignee` is not a known field; the fields here are id, title, type, owner",
            )
        ],
    ),
    (
        "severity-not-allowed",
        [("severity: Sev2", "severity: Sev4")],
        [
            (
                4,
                "severity",
                "`Sev4` is not one of Sev1, Sev2, Sev3 (the plugin option `severities` lists them)",
            )
        ],
    ),
    (
        "severity-wrong-case",
        [("severity: Sev2", "severity: sev2")],
        [
            (
                4,
                "severity",
                "`sev2` is not one of Sev1, Sev2, Sev3 (did you mean `Sev2`?) (the plugin option",
            )
        ],
    ),
    (
        "category-typo",
        [("category: integration", "category: integrations")],
        [
            (
                5,
                "category",
                "`integrations` is not one of integration, warehouse (did you mean `integration`?)",
            )
        ],
    ),
    (
        "failure-mode-unknown",
        [("failure_mode: label-api-timeouts", "failure_mode: label-api-timeout")],
        [
            (
                6,
                "failure_mode",
                "`label-api-timeout` is not a known failure mode (did you mean `label-api-timeouts`?); "
                "declare it in incidents/failure-modes.yml",
            )
        ],
    ),
    (
        "detection-source-not-allowed",
        [("detection_source: alert", "detection_source: monitoring")],
        [(7, "detection_source", "`monitoring` is not one of alert, customer, partner, internal")],
    ),
    (
        "started-at-without-offset",
        [("started_at: 2026-01-10T09:00:00+01:00", "started_at: 2026-01-10T09:00:00")],
        [
            (
                8,
                "started_at",
                "`2026-01-10T09:00:00` has no UTC offset: write it like `2026-01-10T09:00+01:00`",
            )
        ],
    ),
    (
        "started-at-offset-out-of-range",
        [("started_at: 2026-01-10T09:00:00+01:00", "started_at: 2026-01-10T09:00:00+25:00")],
        [
            (
                8,
                "started_at",
                "`+25:00` is not a UTC offset; write the offset of the time zone, like `+01:00` "
                "or `Z`",
            )
        ],
    ),
    (
        "started-at-date-only",
        [("started_at: 2026-01-10T09:00:00+01:00", "started_at: 2026-01-10")],
        [(8, "started_at", "needs a time of day and an offset, like `2026-01-10T09:30:00+01:00`")],
    ),
    (
        "started-at-not-a-time",
        [("started_at: 2026-01-10T09:00:00+01:00", "started_at: yesterday morning")],
        [(8, "started_at", "`yesterday morning` is not a date-time")],
    ),
    (
        "started-at-impossible-date",
        [("started_at: 2026-01-10T09:00:00+01:00", "started_at: '2026-02-30T09:00:00+01:00'")],
        [(8, "started_at", "is not a real date-time")],
    ),
    (
        "detected-before-started",
        [("detected_at: 2026-01-10T09:12:00+01:00", "detected_at: 2026-01-10T08:59:00+01:00")],
        [(9, "detected_at", "is before started_at (2026-01-10T09:00:00+01:00)")],
    ),
    (
        "detected-before-started-across-offsets",
        [("detected_at: 2026-01-10T09:12:00+01:00", "detected_at: 2026-01-10T09:30:00+02:00")],
        [(9, "detected_at", "is before started_at (2026-01-10T09:00:00+01:00)")],
    ),
    (
        "mitigated-before-detected",
        [("mitigated_at: 2026-01-10T10:30:00+01:00", "mitigated_at: 2026-01-10T09:10:00+01:00")],
        [(10, "mitigated_at", "is before detected_at")],
    ),
    (
        "resolved-before-mitigated",
        [("resolved_at: 2026-01-11T16:00:00+01:00", "resolved_at: 2026-01-10T10:00:00+01:00")],
        [(11, "resolved_at", "is before mitigated_at")],
    ),
    (
        "scope-empty",
        [
            ("  partners: [dhl]", "  partners: []"),
            ("  sites: [ams]", "  sites: []"),
            ("  segments: [B2C parcels]", "  segments: []"),
        ],
        [(12, "scope", "lists nothing; name at least one of `partners`, `sites` or `segments`")],
    ),
    (
        "scope-not-a-mapping",
        [
            ("scope:", "scope: dhl"),
            ("  partners: [dhl]", ""),
            ("  sites: [ams]", ""),
            ("  segments: [B2C parcels]", ""),
        ],
        [(12, "scope", "must be a mapping of `name: value` fields, not text")],
    ),
    (
        "partner-unknown",
        [("  partners: [dhl]", "  partners: [dhl-parcel]")],
        [
            (
                13,
                "scope.partners[0]",
                "`dhl-parcel` is not a known partner; add its page docs/integrations/dhl-parcel.md or fix the slug",
            )
        ],
    ),
    (
        "site-unknown",
        [("  sites: [ams]", "  sites: [rotterdam]")],
        [
            (
                14,
                "scope.sites[0]",
                "`rotterdam` is not a known site; add its page docs/sites/rotterdam.md",
            )
        ],
    ),
    (
        "runbook-unknown",
        [("runbooks: [label-failover]", "runbooks: [label-fallback]")],
        [
            (
                18,
                "runbooks[0]",
                "`label-fallback` is not a known runbook (did you mean `label-failover`?)",
            )
        ],
    ),
    (
        "link-javascript-scheme",
        [("    url: https://grafana.example.com/d/labels", "    url: javascript:alert(1)")],
        [
            (
                21,
                "links[0].url",
                "`javascript:alert(1)` has `javascript:`; a link must start with https://, http:// or mailto:",
            )
        ],
    ),
    (
        "link-without-scheme",
        [("    url: https://grafana.example.com/d/labels", "    url: grafana.example.com")],
        [(21, "links[0].url", "has no scheme; a link must start with https://")],
    ),
    (
        "link-missing-title",
        [
            ("  - title: Dashboard", ""),
            (
                "    url: https://grafana.example.com/d/labels",
                "  - url: https://grafana.example.com/d/labels",
            ),
        ],
        [(20, "links[0].title", "is required")],
    ),
    (
        "id-pattern",
        [("id: INC-2026-001", "id: INC-26-1")],
        [
            (
                2,
                "id",
                "`INC-26-1` does not match the id pattern `INC-\\d{4}-\\d{3,}` (like INC-2026-007)",
            )
        ],
    ),
    (
        "key-given-twice",
        [("category: integration", "category: integration\nseverity: Sev1")],
        [(6, "severity", "`severity` is given twice (first on line 4); keep one of them")],
    ),
    (
        "yaml-syntax",
        [("title: DHL label API timeouts", "title: DHL: label API timeouts")],
        [(3, "yaml", "YAML syntax error: mapping values are not allowed")],
    ),
    ("yaml-tab", [("  sites: [ams]", "\tsites: [ams]")], [(14, "yaml", "YAML syntax error")]),
    (
        "yaml-python-tag",
        [("title: DHL label API timeouts", "title: !!python/object/apply:os.system ['true']")],
        [(3, "yaml", "the YAML tag `!!python/object/apply:os.system` is not allowed")],
    ),
    (
        "yaml-merge-key",
        [
            ("scope:", "base: &base {partners: [dhl]}\nscope:\n  <<: *base"),
            ("  partners: [dhl]", ""),
        ],
        [(14, "yaml", "YAML merge keys (`<<`) are not supported")],
    ),
    (
        "action-missing-owner",
        [("    owner: team-integrations", "")],
        [(23, "actions[0].owner", "is required; add `owner: team-integrations`")],
    ),
    (
        "action-type-unknown",
        [("    type: product", "    type: feature")],
        [
            (
                24,
                "actions[0].type",
                "`feature` is not one of product, operability, quality, process, runbook",
            )
        ],
    ),
    (
        "action-status-typo",
        [("    status: planned", "    status: in-progress")],
        [
            (
                26,
                "actions[0].status",
                "`in-progress` is not one of proposed, planned, in_progress, done, wont_do (did you mean `in_progress`?)",
            )
        ],
    ),
    (
        "action-planned-without-acceptance",
        [
            ("    acceptance:", ""),
            ("      - Retried label requests never create a second label", ""),
        ],
        [
            (
                23,
                "actions[0].acceptance",
                "is required when status is planned: list the acceptance criteria",
            )
        ],
    ),
    (
        "action-done-without-completed-at",
        [("    status: planned", "    status: done")],
        [(23, "actions[0].completed_at", "is required when status is done")],
    ),
    (
        "action-wont-do-without-reason",
        [("    status: planned", "    status: wont_do")],
        [(23, "actions[0].reason", "is required when status is wont_do: say why")],
    ),
    (
        "action-due-not-a-date",
        [("    priority: P1", "    priority: P1\n    due: next week")],
        [(28, "actions[0].due", "`next week` is not a date; write it like `2026-03-01`")],
    ),
    (
        "action-priority",
        [("    priority: P1", "    priority: high")],
        [(27, "actions[0].priority", "`high` is not one of P1, P2, P3")],
    ),
    (
        "action-ref-unknown",
        [
            (
                "      - Retried label requests never create a second label",
                "      - Retried label requests never create a second label\n  - ref: INC-2025-001-A1",
            )
        ],
        [
            (
                30,
                "actions[1].ref",
                "`INC-2025-001-A1` is not the id of an action declared by another incident",
            )
        ],
    ),
    (
        "action-not-a-mapping",
        [
            (
                "      - Retried label requests never create a second label",
                "      - Retried label requests never create a second label\n  - fix it",
            )
        ],
        [(30, "actions[1]", "must be a mapping of `name: value` fields, not text")],
    ),
    (
        "manual-hours-negative",
        [("runbooks: [label-failover]", "runbooks: [label-failover]\nmanual_hours: -3")],
        [(19, "manual_hours", "must be 0 or more, not -3")],
    ),
    (
        "manual-hours-text",
        [("runbooks: [label-failover]", "runbooks: [label-failover]\nmanual_hours: lots")],
        [(19, "manual_hours", "must be a number, not text")],
    ),
    (
        "impact-negative",
        [
            (
                "runbooks: [label-failover]",
                "runbooks: [label-failover]\nimpact:\n  shipments_delayed: -4\n  escalations: 2",
            )
        ],
        [(20, "impact.shipments_delayed", "must be 0 or more, not -4")],
    ),
    (
        "impact-not-whole",
        [("runbooks: [label-failover]", "runbooks: [label-failover]\nimpact: {escalations: 1.5}")],
        [(19, "impact.escalations", "must be a whole number, not 1.5")],
    ),
    (
        "impact-unknown-key",
        [
            (
                "runbooks: [label-failover]",
                "runbooks: [label-failover]\nimpact:\n  shipments_delay: 40",
            )
        ],
        [(20, "impact.shipments_delay", "did you mean `shipments_delayed`?")],
    ),
    (
        "effort-unknown-size",
        [("    priority: P1", "    priority: P1\n    effort: XL")],
        [
            (
                28,
                "actions[0].effort",
                "`XL` is no effort; write S, M or L, or a number of days like `3`",
            )
        ],
    ),
    (
        "effort-zero-days",
        [("    priority: P1", "    priority: P1\n    effort: 0")],
        [
            (
                28,
                "actions[0].effort",
                "`0` is no effort; write S, M or L, or a number of days above 0 like `3`",
            )
        ],
    ),
    (
        "rolled-back-not-bool",
        [("runbooks: [label-failover]", "runbooks: [label-failover]\nrolled_back: maybe")],
        [(19, "rolled_back", "must be true or false, not text (`maybe`)")],
    ),
    (
        "trigger-unknown",
        [("runbooks: [label-failover]", "runbooks: [label-failover]\ntrigger: deploy")],
        [
            (
                19,
                "trigger",
                "`deploy` is not one of rollout, config_change, partner_change, partner_outage, load, data, unknown",
            )
        ],
    ),
    (
        "tags-not-a-list",
        [("runbooks: [label-failover]", "runbooks: [label-failover]\ntags: outage")],
        [(19, "tags", "must be a list (one `- item` per line), not text")],
    ),
    (
        "recurrence-of-unknown",
        [
            (
                "runbooks: [label-failover]",
                "runbooks: [label-failover]\nrecurrence_of: [INC-2025-999]",
            )
        ],
        [(19, "recurrence_of[0]", "`INC-2025-999` is not a known incident id")],
    ),
    (
        "recurrence-of-a-later-incident",
        [
            (
                "runbooks: [label-failover]",
                "runbooks: [label-failover]\nrecurrence_of: [INC-2026-002]",
            )
        ],
        [
            (
                19,
                "recurrence_of[0]",
                "`INC-2026-002` started at 2026-02-01T10:00:00+01:00, not before this incident; list only earlier incidents",
            )
        ],
    ),
    (
        "detection-source-empty",
        [("detection_source: alert", 'detection_source: ""')],
        [(7, "detection_source", "is empty; write one of alert, customer, partner, internal")],
    ),
    (
        "short-slug-transposed",
        [("  partners: [dhl]", "  partners: [dlh]")],
        [(13, "scope.partners[0]", "`dlh` is not a known partner (did you mean `dhl`?)")],
    ),
    (
        "recurrence-of-itself",
        [
            (
                "runbooks: [label-failover]",
                "runbooks: [label-failover]\nrecurrence_of: [INC-2026-001]",
            )
        ],
        [(19, "recurrence_of[0]", "an incident cannot repeat itself")],
    ),
]


LATER = """---
id: INC-2026-002
title: Stock count off in aisle 4
severity: Sev3
category: warehouse
failure_mode: inventory-mismatch
detection_source: alert
started_at: 2026-02-01T10:00:00+01:00
detected_at: 2026-02-01T10:05:00+01:00
mitigated_at: 2026-02-01T10:45:00+01:00
scope:
  sites: [ams]
symptoms: Pickers found empty locations.
mitigation: Counted the aisle again.
---
"""


@pytest.fixture
def with_later(minimal: Path) -> Path:
    """The minimal project plus INC-2026-002, a valid later incident to refer to."""
    (minimal / "incidents/2026/2026-02-01-later.md").write_text(LATER)
    return minimal


@pytest.mark.parametrize(
    ("replacements", "expected"),
    [pytest.param(r, e, id=name) for name, r, e in CASES],
)
def test_bad_incident(with_later: Path, edit, replacements, expected) -> None:
    edit(with_later, P, replacements)
    code, diagnostics = check_json(with_later)
    assert code == 1
    found = [(d["path"], d["line"], d["level"], d["field"]) for d in diagnostics]
    assert found == [(P, line, "error", field) for line, field, _ in expected], diagnostics
    for diagnostic, (_, _, words) in zip(diagnostics, expected, strict=False):
        assert words in diagnostic["message"]


def test_valid_fixture_is_clean(minimal: Path) -> None:
    assert check_json(minimal) == (0, [])


def test_all_problems_of_all_files_in_one_run(minimal: Path, edit) -> None:
    edit(
        minimal,
        P,
        [("severity: Sev2", "severity: Sev9"), ("    type: product", "    type: feature")],
    )
    second = minimal / "incidents/2026/2026-02-01-second.md"
    second.write_text(
        (minimal / P)
        .read_text()
        .replace("INC-2026-001", "INC-2026-002")
        .replace("title: DHL", "titel: DHL")
    )
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["line"], d["field"]) for d in diagnostics] == [
        ("incidents/2026/2026-01-10-dhl-label-timeouts.md", 4, "severity"),
        ("incidents/2026/2026-01-10-dhl-label-timeouts.md", 24, "actions[0].type"),
        ("incidents/2026/2026-02-01-second.md", 1, "title"),
        ("incidents/2026/2026-02-01-second.md", 3, "titel"),
        ("incidents/2026/2026-02-01-second.md", 4, "severity"),
        ("incidents/2026/2026-02-01-second.md", 24, "actions[0].type"),
    ]
    assert "did you mean `title`?" in diagnostics[3]["message"]


def test_duplicate_incident_id_names_the_first_file(minimal: Path) -> None:
    (minimal / "incidents/2026/2026-03-01-copy.md").write_text((minimal / P).read_text())
    code, diagnostics = check_json(minimal)
    assert code == 1
    # the copy's actions are not reported: their default ids change once its id is fixed
    assert [(d["path"], d["line"], d["field"]) for d in diagnostics] == [
        ("incidents/2026/2026-03-01-copy.md", 2, "id"),
    ]
    assert diagnostics[0]["message"].startswith(f"`INC-2026-001` is already the id of {P}")


def test_explicit_action_ids_must_be_unique(minimal: Path, edit) -> None:
    text = (minimal / P).read_text().replace("INC-2026-001", "INC-2026-002")
    (minimal / "incidents/2026/2026-03-01-other.md").write_text(
        text.replace("  - title: Idempotency", "  - id: OPS-1\n    title: Idempotency")
    )
    edit(
        minimal,
        P,
        [
            (
                "  - title: Idempotency keys on label creation",
                "  - id: OPS-1\n    title: Idempotency keys on label creation",
            )
        ],
    )
    _code, diagnostics = check_json(minimal)
    assert [(d["path"], d["line"], d["field"]) for d in diagnostics] == [
        ("incidents/2026/2026-03-01-other.md", 23, "actions[0].id"),
    ]
    assert f"`OPS-1` is already used in {P}:23" in diagnostics[0]["message"]


def test_ref_to_an_action_of_another_incident_is_valid(minimal: Path) -> None:
    text = (minimal / P).read_text().replace("INC-2026-001", "INC-2026-002")
    start = text.index("actions:")
    text = text[:start] + "actions:\n  - ref: INC-2026-001-A1\n---\n"
    (minimal / "incidents/2026/2026-03-01-repeat.md").write_text(text)
    assert check_json(minimal) == (0, [])


def _read_first(minimal: Path, recurrence: str, ref: str) -> str:
    """An incident of March in a folder that is read before the minimal one's (2025 < 2026),
    naming that later-read incident and its action."""
    text = (minimal / P).read_text().replace("INC-2026-001", "INC-2026-003")
    text = text.replace("2026-01-1", "2026-03-1")  # started 2026-03-10, after INC-2026-001
    start = text.index("actions:")
    text = text[:start] + f"recurrence_of: [{recurrence}]\nactions:\n  - ref: {ref}\n---\n"
    rel = "incidents/2025/2025-12-01-read-first.md"
    (minimal / rel).parent.mkdir()
    (minimal / rel).write_text(text)
    return rel


def test_references_to_files_read_later_are_checked_at_the_end(minimal: Path) -> None:
    # Each file is checked and let go before the next is read; a reference to an incident or
    # an action of a file read later is still found (lines 22 and 24 of the new file).
    _read_first(minimal, "INC-2026-001", "INC-2026-001-A1")
    assert check_json(minimal) == (0, [])


def test_broken_references_to_files_read_later(minimal: Path) -> None:
    rel = _read_first(minimal, "INC-2026-009", "INC-2026-001-A9")
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["line"], d["field"]) for d in diagnostics] == [
        (rel, 22, "recurrence_of[0]"),
        (rel, 24, "actions[0].ref"),
    ]
    assert diagnostics[0]["message"].startswith("`INC-2026-009` is not a known incident id")
    assert diagnostics[1]["message"] == (
        "`INC-2026-001-A9` is not the id of an action declared by another incident "
        "(did you mean `INC-2026-001-A1`?)"
    )


@pytest.mark.parametrize(
    ("content", "line", "field", "words"),
    [
        (
            b"# Just a heading\n",
            1,
            "front matter",
            "the file has no front matter: start it with a line `---`",
        ),
        (
            b"---\nid: INC-2026-002\n",
            1,
            "front matter",
            "the front matter is not closed: add a line `---`",
        ),
        (b"---\n---\nbody\n", 1, "front matter", "the front matter is empty"),
        (
            b"---\n- a\n- b\n---\n",
            2,
            "front matter",
            "the front matter must be fields written as `name: value`",
        ),
        (
            b"---\ntitle: caf\xe9\n---\n",
            2,
            "file",
            "the file is not UTF-8 text (byte 0xe9 cannot be read)",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", 1, "file", "the file is binary, not markdown text"),
        (
            b"---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n---\n",
            6,
            "yaml",
            "the YAML expands to more than 100,000 values",
        ),
    ],
    ids=[
        "no-front-matter",
        "unclosed",
        "empty",
        "not-a-mapping",
        "not-utf8",
        "binary",
        "alias-bomb",
    ],
)
def test_unreadable_files(minimal: Path, content: bytes, line: int, field: str, words: str) -> None:
    (minimal / "incidents/2026/2026-03-01-bad.md").write_bytes(content)
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert len(diagnostics) == 1, diagnostics
    assert (diagnostics[0]["path"], diagnostics[0]["line"], diagnostics[0]["field"]) == (
        "incidents/2026/2026-03-01-bad.md",
        line,
        field,
    )
    assert words in diagnostics[0]["message"]


def test_bom_and_crlf_are_read(minimal: Path) -> None:
    text = (minimal / P).read_text()
    (minimal / P).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert check_json(minimal) == (0, [])
    (minimal / P).write_bytes(
        b"\xef\xbb\xbf"
        + text.replace("severity: Sev2", "severity: Sev7").replace("\n", "\r\n").encode()
    )
    code, diagnostics = check_json(minimal)
    assert (code, diagnostics[0]["line"], diagnostics[0]["field"]) == (1, 4, "severity")


def test_file_over_the_size_limit(minimal: Path) -> None:
    path = minimal / P
    path.write_text(path.read_text() + ("x" * 80 + "\n") * 13_000)
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert (diagnostics[0]["line"], diagnostics[0]["field"]) == (1, "file")
    assert (
        "more than the limit of 1,048,576; move long material to a linked document"
        in diagnostics[0]["message"]
    )


def test_symlink_out_of_the_project_is_refused(minimal: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\nid: SECRET\n---\n")
    (minimal / "incidents/2026/leak.md").symlink_to(secret)
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["line"], d["field"]) for d in diagnostics] == [
        ("incidents/2026/leak.md", 1, "file")
    ]
    assert "symlink to a place outside the project" in diagnostics[0]["message"]
    assert "SECRET" not in diagnostics[0]["message"]


def test_readme_under_incidents_is_not_an_incident(minimal: Path) -> None:
    (minimal / "incidents/README.md").write_text("# How we write incidents\n")
    assert check_json(minimal) == (0, [])


@pytest.mark.parametrize(
    ("rel", "old", "new", "line", "field", "words"),
    [
        (
            "docs/integrations/dhl.md",
            "kind: carrier",
            "",
            1,
            "kind",
            "is required; add `kind: carrier`",
        ),
        (
            "docs/integrations/dhl.md",
            "kind: carrier",
            "kind: courier",
            3,
            "kind",
            "`courier` is not one of carrier, shop, marketplace, wms, other",
        ),
        (
            "docs/integrations/dhl.md",
            "owner: team-integrations",
            "owner: team-integrations\nstatus: active",
            5,
            "status",
            "`status` is not a known field; use `lifecycle`",
        ),
        (
            "docs/integrations/dhl.md",
            "known_failure_modes: [label-api-timeouts]",
            "known_failure_modes: [label-timeouts]",
            7,
            "known_failure_modes[0]",
            "`label-timeouts` is not a known failure mode",
        ),
        (
            "docs/integrations/dhl.md",
            "  - {name: DHL API support, role: vendor support, contact: api-support@dhl.example.com}",
            "  - {name: DHL API support, role: vendor support}",
            6,
            "escalation[0].contact",
            "is required",
        ),
        (
            "docs/sites/ams.md",
            "owner: team-warehouse",
            "",
            1,
            "owner",
            "is required; add `owner: team-integrations`",
        ),
        (
            "docs/runbooks/label-failover.md",
            "reviewed: 2026-01-01",
            "reviewed: last week",
            4,
            "reviewed",
            "`last week` is not a date",
        ),
        (
            "docs/runbooks/label-failover.md",
            "partners: [dhl]",
            "partners: [ups]",
            6,
            "partners[0]",
            "`ups` is not a known partner",
        ),
        (
            "incidents/failure-modes.yml",
            "  category: warehouse",
            "  category: warehous",
            7,
            "inventory-mismatch.category",
            "`warehous` is not one of integration, warehouse (did you mean `warehouse`?)",
        ),
        (
            "incidents/failure-modes.yml",
            "  title: Inventory mismatch",
            "",
            5,
            "inventory-mismatch.title",
            "is required",
        ),
    ],
    ids=[
        "partner-missing-kind",
        "partner-kind",
        "partner-status-is-lifecycle",
        "partner-failure-mode",
        "contact-missing",
        "site-missing-owner",
        "runbook-reviewed",
        "runbook-partner",
        "failure-mode-category",
        "failure-mode-title",
    ],
)
def test_bad_catalogue(minimal: Path, edit, rel, old, new, line, field, words) -> None:
    edit(minimal, rel, [(old, new)])
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["line"], d["field"]) for d in diagnostics] == [(rel, line, field)]
    assert words in diagnostics[0]["message"]


def test_missing_failure_modes_file(minimal: Path) -> None:
    (minimal / "incidents/failure-modes.yml").unlink()
    code, diagnostics = check_json(minimal)
    assert code == 1
    # one error: the references to failure modes would only repeat it
    assert [(d["path"], d["line"], d["field"]) for d in diagnostics] == [
        ("incidents/failure-modes.yml", 1, "file")
    ]
    assert diagnostics[0]["message"].startswith("the failure-modes file is missing")


def test_broken_failure_modes_file_is_reported_once(minimal: Path) -> None:
    (minimal / "incidents/failure-modes.yml").write_text("label-api-timeouts: [unclosed\n")
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["field"]) for d in diagnostics] == [
        ("incidents/failure-modes.yml", "yaml")
    ]


def test_all_problems_of_one_incident_in_one_run(minimal: Path, edit) -> None:
    """A bad severity does not hide a bad ref or an impossible date in the same file."""
    edit(
        minimal,
        P,
        [
            ("severity: Sev2", "severity: Sev9"),
            (
                "      - Retried label requests never create a second label",
                "      - Retried label requests never create a second label\n    completed_at: 2026-02-30\n  - ref: NOPE-1",
            ),
        ],
    )
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["line"], d["field"]) for d in diagnostics] == [
        (4, "severity"),
        (30, "actions[0].completed_at"),
        (31, "actions[1].ref"),
    ]
    assert diagnostics[1]["message"] == "`2026-02-30` is not a date; write it like `2026-03-01`"


def test_mixed_peak_period_forms_are_an_option_error(minimal: Path) -> None:
    config = minimal / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - incident-loop\n",
            "  - incident-loop:\n      peak_periods: [{name: Peak, start: 2025-11-20, end: '12-31'}]\n",
        )
    )
    result = run_cli("check", str(minimal))
    assert result.exit_code == 2
    assert (
        "peak period 'Peak': start 2025-11-20 and end 12-31 must both be YYYY-MM-DD"
        in result.stderr
    )


def test_a_date_time_takes_its_written_offset_and_a_bad_one_is_refused() -> None:
    first = parse_date_time("2026-01-10T09:00:00+01:00", None)
    assert first.utcoffset() == dt.timedelta(hours=1)
    assert parse_date_time("2026-07-01T09:00:00-04:30", None).utcoffset() == -dt.timedelta(
        hours=4, minutes=30
    )
    for _ in range(2):
        with pytest.raises(PydanticCustomError, match="`\\+24:00` is not a UTC offset"):
            parse_date_time("2026-01-10T09:00:00+24:00", None)


def test_timezone_option_allows_local_times(minimal: Path, edit) -> None:
    edit(minimal, P, [("started_at: 2026-01-10T09:00:00+01:00", "started_at: 2026-01-10 09:00")])
    assert check_json(minimal)[0] == 1
    config = minimal / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - incident-loop\n", "  - incident-loop:\n      timezone: Europe/Amsterdam\n"
        )
    )
    assert check_json(minimal) == (0, [])


def test_decision_rule_warning_and_strict(minimal: Path, edit) -> None:
    edit(
        minimal,
        P,
        [
            (line, "")
            for line in (
                "  - title: Idempotency keys on label creation",
                "    type: product",
                "    owner: team-integrations",
                "    status: planned",
                "    priority: P1",
                "    acceptance:",
                "      - Retried label requests never create a second label",
            )
        ],
    )
    code, diagnostics = check_json(minimal)
    assert code == 0
    assert [(d["path"], d["line"], d["level"], d["field"]) for d in diagnostics] == [
        (P, 22, "warning", "actions")
    ]
    assert diagnostics[0]["message"].startswith(
        "the incident must turn into backlog work (severity Sev2) but lists no action"
    )
    assert check_json(minimal, "--strict")[0] == 1


def test_bad_plugin_option_is_a_usage_error(minimal: Path) -> None:
    config = minimal / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - incident-loop\n", "  - incident-loop:\n      timezone: Mars/Olympus\n"
        )
    )
    result = run_cli("check", str(minimal))
    assert result.exit_code == 2
    assert (
        "Plugin 'incident-loop' option 'timezone': `Mars/Olympus` is not a time zone name"
        in result.stderr
    )


# ------------------------------------------------------------------ issue 17: ids and references


def test_a_yaml_error_in_one_file_is_reported_once_and_its_refs_are_not_wrong(
    minimal: Path,
) -> None:
    """The file that declares INC-2026-001-A1 cannot be read: the other file's `ref` to it and
    its `recurrence_of` are not called unknown (no wrong "did you mean"), only the YAML error."""
    rel = _read_first(minimal, "INC-2026-001", "INC-2026-001-A1")
    path = minimal / P
    path.write_text(path.read_text().replace("severity: Sev2", "severity: [Sev2"))
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["field"]) for d in diagnostics] == [(P, "yaml")]
    assert "did you mean" not in diagnostics[0]["message"]
    # fixed, the references hold again
    path.write_text(path.read_text().replace("severity: [Sev2", "severity: Sev2"))
    assert check_json(minimal) == (0, []), rel


@pytest.mark.parametrize(
    ("pattern", "incident_id", "message"),
    [
        (
            ".+",
            "../../../../tmp/x",
            "`../../../../tmp/x` cannot be a page address: an id holds only ASCII letters, "
            "digits, `.`, `_` and `-`, starting with a letter or digit, like INC-2026-007",
        ),
        (
            ".+",
            "..",
            "`..` cannot be a page address: an id holds only ASCII letters, digits, `.`, `_` "
            "and `-`, starting with a letter or digit, like INC-2026-007",
        ),
        (
            ".+",
            "INC 2026 001",
            "`INC 2026 001` cannot be a page address: an id holds only ASCII letters, digits, "
            "`.`, `_` and `-`, starting with a letter or digit, like INC-2026-007",
        ),
        (
            None,  # the default pattern's \d means [0-9]: Arabic-Indic digits are refused
            "INC-٢٠٢٦-001",
            "`INC-٢٠٢٦-001` cannot be a page address: an id holds only ASCII letters, digits, "
            "`.`, `_` and `-`, starting with a letter or digit, like INC-2026-007",
        ),
        (
            r"INC-\d{4}-\d{3,}",
            "INC-2026-٠٠١",
            "`INC-2026-٠٠١` cannot be a page address: an id holds only ASCII letters, digits, "
            "`.`, `_` and `-`, starting with a letter or digit, like INC-2026-007",
        ),
    ],
)
def test_ids_that_become_paths_are_ascii_whatever_the_pattern(
    minimal: Path, pattern: str | None, incident_id: str, message: str
) -> None:
    if pattern is not None:
        config = minimal / "mkdocs.yml"
        config.write_text(
            config.read_text().replace(
                "  - incident-loop\n", f"  - incident-loop:\n      id_pattern: '{pattern}'\n"
            )
        )
    path = minimal / P
    path.write_text(path.read_text().replace("id: INC-2026-001", f'id: "{incident_id}"'))
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["line"], d["field"], d["message"]) for d in diagnostics] == [(2, "id", message)]
    assert not (minimal / "tmp").exists()


def test_the_default_pattern_refuses_unicode_digits_as_a_pattern_mismatch_too() -> None:
    from incident_loop.core.settings import DEFAULT_ID_PATTERN, Settings

    fields = {name: None for name in Settings.__dataclass_fields__}
    settings = Settings(**{**fields, "id_pattern": DEFAULT_ID_PATTERN})  # type: ignore[arg-type]
    assert settings.id_regex.fullmatch("INC-2026-001")
    assert not settings.id_regex.fullmatch("INC-2026-٠٠١")


def test_action_ids_are_unique_ignoring_case_and_safe(minimal: Path, edit) -> None:
    text = (minimal / P).read_text().replace("INC-2026-001", "INC-2026-002")
    (minimal / "incidents/2026/2026-03-01-other.md").write_text(
        text.replace("  - title: Idempotency", "  - id: ops-1\n    title: Idempotency")
    )
    edit(minimal, P, [("  - title: Idempotency keys on label creation",
                       "  - id: OPS-1\n    title: Idempotency keys on label creation")])  # fmt: skip
    _code, diagnostics = check_json(minimal)
    assert [(d["path"], d["line"], d["field"], d["message"]) for d in diagnostics] == [
        (
            "incidents/2026/2026-03-01-other.md",
            23,
            "actions[0].id",
            f"the action id `ops-1` is already used in {P}:23 (as `OPS-1`: ids differ in more "
            "than case); give this action its own `id`",
        )
    ]
    edit(minimal, P, [("  - id: OPS-1", '  - id: "OPS 1/../x"')])
    _code, diagnostics = check_json(minimal)
    assert [(d["path"], d["line"], d["field"], d["message"]) for d in diagnostics] == [
        (
            P,
            23,
            "actions[0].id",
            "`OPS 1/../x` cannot be an anchor on the action register: an action id holds only "
            "ASCII letters, digits, `.`, `_` and `-`, starting with a letter or digit, like "
            "INC-2026-007-A1",
        )
    ]


def test_an_incident_cannot_ref_its_own_action(minimal: Path, edit) -> None:
    edit(minimal, P, [("      - Retried label requests never create a second label",
                       "      - Retried label requests never create a second label\n"
                       "  - ref: INC-2026-001-A1")])  # fmt: skip
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["line"], d["field"], d["message"]) for d in diagnostics] == [
        (
            30,
            "actions[1].ref",
            "`INC-2026-001-A1` is an action of this incident; an incident lists its own actions "
            "once, and `ref` lists an action that another incident declared",
        )
    ]


def test_hints_for_missing_fields_come_from_the_project(minimal: Path, edit) -> None:
    config = minimal / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - incident-loop\n",
            "  - incident-loop:\n      categories: [fulfilment, integration, warehouse]\n",
        )
    )
    edit(minimal, P, [("category: integration", ""), ("failure_mode: label-api-timeouts", ""),
                      ("scope:", ""), ("  partners: [dhl]", ""), ("  sites: [ams]", ""),
                      ("  segments: [B2C parcels]", "")])  # fmt: skip
    second = minimal / "incidents/2026/2026-02-01-second.md"
    second.write_text((minimal / P).read_text().replace("id: INC-2026-001\n", ""))
    third = minimal / "incidents/2025/2025-12-01-third.md"
    third.parent.mkdir()
    third.write_text(
        (minimal / P).read_text().replace("id: INC-2026-001\n", "").replace("2026-01-", "2025-12-")
    )
    _code, diagnostics = check_json(minimal)
    messages = {(d["path"][-12:], d["field"]): d["message"] for d in diagnostics}
    assert messages == {
        ("-timeouts.md", "category"): "is required; add `category: fulfilment`",
        ("-timeouts.md", "failure_mode"): "is required; add `failure_mode: inventory-mismatch`",
        ("-timeouts.md", "scope"): "is required; add `scope: {partners: [dhl]}`",
        ("01-second.md", "id"): "is required; add `id: INC-2026-002` (the next free id)",
        ("01-second.md", "category"): "is required; add `category: fulfilment`",
        ("01-second.md", "failure_mode"): "is required; add `failure_mode: inventory-mismatch`",
        ("01-second.md", "scope"): "is required; add `scope: {partners: [dhl]}`",
        ("-01-third.md", "id"): "is required; add `id: INC-2025-001` (the next free id)",
        ("-01-third.md", "category"): "is required; add `category: fulfilment`",
        ("-01-third.md", "failure_mode"): "is required; add `failure_mode: inventory-mismatch`",
        ("-01-third.md", "scope"): "is required; add `scope: {partners: [dhl]}`",
    }


def test_the_known_fields_are_listed_once_per_file(minimal: Path, edit) -> None:
    edit(minimal, P, [("title: DHL label API timeouts",
                       "title: DHL label API timeouts\nxyzzy: 1\nplugh: 2")])  # fmt: skip
    _code, diagnostics = check_json(minimal)
    assert [(d["line"], d["field"]) for d in diagnostics] == [(4, "xyzzy"), (5, "plugh")]
    assert diagnostics[0]["message"].startswith(
        "`xyzzy` is not a known field; the fields here are id, title, severity,"
    )
    assert diagnostics[1]["message"] == (
        "`plugh` is not a known field; see the fields listed above"
    )


def test_new_lists_the_five_closest_of_many_partners(minimal: Path) -> None:
    for number in range(95):
        (minimal / f"docs/integrations/carrier-{number:02d}.md").write_text(
            f"---\nname: Carrier {number}\nkind: carrier\nowner: team-integrations\n---\n"
        )
    result = run_cli("new", "--title", "t", "--severity", "Sev2", "--category", "integration",
                     "--partner", "carrier-07x", "--root", str(minimal))  # fmt: skip
    assert result.exit_code == 2
    head, _, known = result.stderr.partition("; known: ")
    assert head == (
        "incident-loop new: --partner 'carrier-07x' is not a known partner "
        "(did you mean `carrier-07`?)"
    )
    shown, _, more = known.partition(" and ")
    assert shown.split(", ")[0] == "carrier-07" and len(shown.split(", ")) == 5
    assert more == "91 more\n"  # 95 carriers and dhl
