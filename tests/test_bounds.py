"""Bounded input, never a traceback (issue 16, point 2; SPEC sections 3.1, 7 and 9).

``manual_hours`` is a finite number from 0 to 10,000; YAML 1.1's other number forms (base 60,
octal, hexadecimal, binary, ``_`` between digits) are errors with the value YAML would have read
and what to write instead; ``1e3`` and ``1.5e2`` are numbers in the incidents and in
``mkdocs.yml``. Every export is JSON without NaN or Infinity.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import MINIMAL_INCIDENT, build_site, check_json, run_cli

P = MINIMAL_INCIDENT
# The minimal incident's line 18 is `runbooks: [label-failover]`; a line added after it is 19.
RUNBOOKS = "runbooks: [label-failover]"


def _with_hours(root: Path, edit, value: str) -> None:  # type: ignore[no-untyped-def]
    edit(root, P, [(RUNBOOKS, f"{RUNBOOKS}\nmanual_hours: {value}")])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10001", "must be at most 10000, not 10001; check the number"),
        ("1.0e+308", "must be at most 10000, not 1e+308; check the number"),
        ("1e999", "must be a finite number of hours, not infinity or NaN"),
        (".inf", "must be a finite number of hours, not infinity or NaN"),
        (".nan", "must be a finite number of hours, not infinity or NaN"),
        ("-1", "must be 0 or more, not -1"),
        (
            "1:30",
            "`1:30` is a base-60 (sexagesimal) number in YAML 1.1 (read as 90), not what it "
            "looks like; for 1 hours 30 minutes write the decimal `1.5`, or put it in quotes if "
            "it is text",
        ),
        (
            "010",
            "`010` is an octal number in YAML 1.1 (read as 8), not what it looks like; write it "
            "without the leading zero, or put it in quotes if it is text",
        ),
        (
            "0x10",
            "`0x10` is a hexadecimal number in YAML 1.1 (read as 16), not what it looks like; "
            "write the decimal number, or put it in quotes if it is text",
        ),
        ("0b101", "`0b101` is a binary number in YAML 1.1 (read as 5)"),
        ("1_000", "`1_000` is a number with `_` between digits in YAML 1.1 (read as 1000)"),
    ],
)
def test_bad_manual_hours(minimal: Path, edit, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    _with_hours(minimal, edit, value)
    code, diagnostics = check_json(minimal)
    assert code == 1
    # One message each: a refused YAML form is not reported again as "must be a number".
    assert [(d["path"], d["line"], d["level"], d["field"]) for d in diagnostics] == [
        (P, 19, "error", "manual_hours")
    ], diagnostics
    assert diagnostics[0]["message"].startswith(message)


@pytest.mark.parametrize(
    ("value", "hours"),
    [("1e3", 1000), ("1.5e2", 150), ("10000", 10000), ("0", 0), ("7.5", 7.5)],
)
def test_numbers_with_an_exponent_are_numbers(
    minimal: Path, edit, value: str, hours: float
) -> None:  # type: ignore[no-untyped-def]
    # 1e3 is 1000 and 1.5e2 is 150 hours, both >= the threshold 8: the decision rule gives the
    # reason `manual_hours`; 0 and 7.5 are under it.
    _with_hours(minimal, edit, value)
    assert check_json(minimal) == (0, [])
    result = run_cli("export", "incidents", "--root", str(minimal))
    (incident,) = json.loads(result.stdout)["incidents"]
    assert incident["manual_hours"] == hours
    assert ("manual_hours" in incident["backlog_reasons"]) == (hours >= 8)


def test_a_quoted_number_stays_text(minimal: Path, edit) -> None:  # type: ignore[no-untyped-def]
    _with_hours(minimal, edit, '"1e3"')
    _, diagnostics = check_json(minimal)
    assert [(d["line"], d["field"], d["message"]) for d in diagnostics] == [
        (19, "manual_hours", "must be a number, not text")
    ]


def test_number_forms_in_a_list_and_in_text_fields(minimal: Path, edit) -> None:  # type: ignore[no-untyped-def]
    # A title `010` or a tag `1:30` is refused as well: quoting says it is text.
    edit(
        minimal,
        P,
        [
            ("title: DHL label API timeouts", "title: 010"),
            (RUNBOOKS, f"{RUNBOOKS}\ntags: [peak, 1:30]"),
        ],
    )
    _, diagnostics = check_json(minimal)
    assert [(d["line"], d["field"]) for d in diagnostics] == [(3, "title"), (19, "tags[1]")]
    assert diagnostics[0]["message"].startswith("`010` is an octal number in YAML 1.1 (read as 8)")
    assert diagnostics[1]["message"].startswith("`1:30` is a base-60 (sexagesimal) number")


def test_exports_never_hold_nan_or_infinity(minimal: Path, edit) -> None:  # type: ignore[no-untyped-def]
    # The largest manual_hours allowed, on the sample of one incident: every export parses as
    # strict JSON (Python's parser accepts NaN and Infinity unless told not to).
    _with_hours(minimal, edit, "10000")

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in an export")

    site = build_site(minimal)
    for name in ("incidents", "actions", "trends"):
        text = (site / "api" / f"{name}.json").read_text(encoding="utf-8")
        json.loads(text, parse_constant=refuse)
    for what in ("incidents", "actions", "trends"):
        result = run_cli("export", what, "--root", str(minimal))
        json.loads(result.stdout, parse_constant=refuse)


def test_manual_hours_threshold_with_an_exponent_in_check_and_build(
    minimal: Path,
    edit,  # type: ignore[no-untyped-def]
) -> None:
    # manual_hours_threshold: 1e3 is 1000 hours in both; an incident with 999 hours is under
    # it, so the reason "manual hours" is not given; with 1000 it is (>= the threshold).
    edit(
        minimal,
        "mkdocs.yml",
        [("  - incident-loop", "  - incident-loop:\n      manual_hours_threshold: 1e3")],
    )
    _with_hours(minimal, edit, "999")
    assert check_json(minimal) == (0, [])
    site = build_site(minimal)
    (incident,) = json.loads((site / "api/incidents.json").read_text())["incidents"]
    assert "manual_hours" not in incident["backlog_reasons"]
    edit(minimal, P, [("manual_hours: 999", "manual_hours: 1000")])
    site = build_site(minimal)
    (incident,) = json.loads((site / "api/incidents.json").read_text())["incidents"]
    assert "manual_hours" in incident["backlog_reasons"]
    assert run_cli("check", str(minimal)).exit_code == 0


def test_a_whole_option_with_an_exponent_in_check_and_build(minimal: Path, edit) -> None:  # type: ignore[no-untyped-def]
    # repeat_window_days: 1e2 is 100 days in both. INC-2026-001 started 2026-01-10T08:00Z;
    # 95 days later (21 + 28 + 31 + 15) is 2026-04-15: a repeat in a 100-day window, not in
    # the default 90-day one.
    from test_rules import write_incident

    edit(
        minimal,
        "mkdocs.yml",
        [("  - incident-loop", "  - incident-loop:\n      repeat_window_days: 1e2")],
    )
    write_incident(minimal, "INC-2026-002", "2026-04-15T08:00:00Z")
    result = run_cli("export", "incidents", "--root", str(minimal))
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.stdout)["incidents"]}
    assert rows["INC-2026-002"]["repeat_of"] == "INC-2026-001"
    site = build_site(minimal, strict=False)
    rows = {r["id"]: r for r in json.loads((site / "api/incidents.json").read_text())["incidents"]}
    assert rows["INC-2026-002"]["repeat_of"] == "INC-2026-001"
