"""Property-based fuzzing of the loader, the validator and the analysis (issue 7 item 2).

Whatever a source file holds (any YAML value in any field, any key, any text, any bytes), checking
the project never raises: only the project's own diagnostics come out, each with a path relative to
the project root, a line >= 1 and a level of error or warning. When the sources are valid, the pages
and exports render without raising too.

Each example rewrites the files of one project folder made per test (Hypothesis runs many examples
per test function, so the folder is not a function-scoped fixture).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, MINIMAL_INCIDENT
from incident_loop.config import read_project_config
from incident_loop.core.diagnostics import Diagnostic
from incident_loop.core.project import CheckResult, check_project

P = MINIMAL_INCIDENT
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

VALID: dict[str, Any] = yaml.safe_load(
    (FIXTURES / "minimal" / P).read_text(encoding="utf-8").split("---\n")[1]
)
INCIDENT_FIELDS = [
    "id",
    "title",
    "severity",
    "category",
    "failure_mode",
    "detection_source",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "scope",
    "symptoms",
    "mitigation",
    "root_cause",
    "contributing_factors",
    "trigger",
    "rolled_back",
    "manual_hours",
    "runbooks",
    "links",
    "recurrence_of",
    "exclude_from_metrics",
    "tags",
    "actions",
]
ACTION_FIELDS = [
    "id",
    "title",
    "type",
    "owner",
    "status",
    "priority",
    "due",
    "ticket",
    "acceptance",
    "completed_at",
    "reason",
    "ref",
]
SCOPE_FIELDS = ["partners", "sites", "segments"]
LINK_FIELDS = ["title", "url"]
CATALOGUE = {
    "docs/integrations/dhl.md": [
        "name",
        "kind",
        "owner",
        "lifecycle",
        "escalation",
        "known_failure_modes",
        "runbooks",
        "links",
        "title",
        "description",
        "tags",
        "status",
    ],
    "docs/sites/ams.md": ["name", "owner", "wms", "region", "title", "description"],
    "docs/runbooks/label-failover.md": [
        "title",
        "owner",
        "reviewed",
        "failure_modes",
        "partners",
        "description",
        "hide",
    ],
}
#: Drop the key instead of setting it.
DELETE = object()

# ---------------------------------------------------------------------------- strategies

offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(["Sev1", "integration", "dhl", "ams", "label-failover", "planned", "P1"]),
    st.sampled_from(["INC-2026-001", "INC-2026-001-A1", "https://x.example", "javascript:x"]),
    st.dates(),
    st.datetimes(timezones=st.none() | offsets),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)
field_value = st.one_of(values, st.just(DELETE))


def overlay(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in changes.items():
        if value is DELETE:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def front_matter(data: Any, body: str = "\n## Timeline\n\nSomething happened.\n") -> str:
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n" + body


# ---------------------------------------------------------------------------- the property


@contextmanager
def project() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="incident-loop-fuzz-") as folder:
        root = Path(folder) / "project"
        shutil.copytree(FIXTURES / "minimal", root)
        yield root


def check_only_diagnostics(root: Path, *, one_line: bool = False) -> CheckResult:
    """Check the project: nothing but well-formed diagnostics; render everything when valid.

    With ``one_line``, also the printed form of SPEC section 5: a named field and a message
    without line breaks, so that ``path:line: level: field: message`` stays one line.
    """
    config = read_project_config(root)
    result = check_project(config)
    for diagnostic in result.diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert isinstance(diagnostic.path, str) and diagnostic.path, diagnostic
        assert not Path(diagnostic.path).is_absolute() and ".." not in diagnostic.path.split("/")
        source = root / diagnostic.path
        assert source.exists() or diagnostic.path.endswith("failure-modes.yml"), diagnostic
        assert isinstance(diagnostic.line, int) and diagnostic.line >= 1, diagnostic
        if source.is_file():
            # Lines as the reader counts them: CRLF, and a lone CR, end a line like LF does.
            raw = source.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            lines = raw.count(b"\n") + 1
            assert diagnostic.line <= lines, (diagnostic, f"the file has {lines} lines")
        assert diagnostic.level in ("error", "warning"), diagnostic
        assert isinstance(diagnostic.field, str), diagnostic
        assert isinstance(diagnostic.message, str) and diagnostic.message.strip(), diagnostic
        assert "Traceback" not in diagnostic.message
        if one_line:
            assert diagnostic.field.strip(), f"no field named: {diagnostic}"
            assert "\n" not in diagnostic.text() and "\r" not in diagnostic.text(), diagnostic
    if not result.has_errors:
        render_everything(result, config)
    return result


def render_everything(result: CheckResult, config: Any) -> None:
    """Every generated page, catalogue section and export of a valid project."""

    from incident_loop.site.exports import render_export, write_exports
    from incident_loop.site.model import SiteModel
    from incident_loop.site.render import Renderer, environment
    from incident_loop.site.urls import Urls

    model = SiteModel.build(result.project, result.analysis)
    renderer = Renderer(environment(), model, Urls(True))
    assert [planned.make() for planned in renderer.index_plan()]
    for facts in model.analysis.incidents.values():
        renderer.incident_markdown(facts, "https://example.org/edit")
    for kind, entries in (
        ("integrations", result.project.partners),
        ("sites", result.project.sites),
        ("runbooks", result.project.runbooks),
    ):
        for slug in entries:
            assert renderer.catalogue_section(renderer.catalogue_src(kind, slug), ()) is not None
    with tempfile.TemporaryDirectory() as site_dir:
        write_exports(model, renderer.urls, None, Path(site_dir))
    for what in ("incidents", "actions", "trends"):
        for output_format in ("json", "csv"):
            render_export(result, config, what, output_format)


# ---------------------------------------------------------------------------- incident fields


Y9999 = {
    "started_at": "9999-12-31T09:00:00+01:00",
    "detected_at": "9999-12-31T09:12:00+01:00",
    "mitigated_at": "9999-12-31T10:30:00+01:00",
    "resolved_at": "9999-12-31T23:00:00+01:00",
}
Y0001 = {
    "started_at": "0001-01-01T00:00:00+01:00",
    "detected_at": "0001-01-01T00:10:00+01:00",
    "mitigated_at": "0001-01-01T00:20:00+01:00",
    "resolved_at": DELETE,
}


@FUZZ
@given(st.dictionaries(st.sampled_from(INCIDENT_FIELDS), field_value, min_size=1, max_size=4))
@example(Y9999)
@example(Y0001)
@example({"manual_hours": 1e308})
@example({"manual_hours": float("inf")})
@example({"started_at": dt.datetime(2026, 1, 10, 9, 0)})
def test_any_value_in_any_incident_field(changes: dict[str, Any]) -> None:
    with project() as root:
        (root / P).write_text(front_matter(overlay(VALID, changes)), encoding="utf-8")
        check_only_diagnostics(root)


@FUZZ
@given(
    st.dictionaries(st.sampled_from(ACTION_FIELDS), field_value, min_size=1, max_size=4),
    st.dictionaries(st.sampled_from(SCOPE_FIELDS), field_value, max_size=2),
    st.dictionaries(st.sampled_from(LINK_FIELDS), field_value, max_size=2),
)
@example({"due": dt.date(9999, 12, 31)}, {}, {})
@example({"status": "done", "completed_at": dt.date(1, 1, 1)}, {}, {})
def test_any_value_in_nested_fields(
    action: dict[str, Any], scope: dict[str, Any], link: dict[str, Any]
) -> None:
    data = dict(VALID)
    data["actions"] = [overlay(VALID["actions"][0], action)]
    data["scope"] = overlay(VALID["scope"], scope)
    data["links"] = [overlay(VALID["links"][0], link)]
    with project() as root:
        (root / P).write_text(front_matter(data), encoding="utf-8")
        check_only_diagnostics(root)


@FUZZ
@given(values)
def test_any_value_as_the_whole_front_matter(data: Any) -> None:
    with project() as root:
        (root / P).write_text(front_matter(data), encoding="utf-8")
        check_only_diagnostics(root)


@FUZZ
@given(st.dictionaries(st.text(max_size=20), values, max_size=5))
def test_any_keys_beside_the_valid_ones(extra: dict[str, Any]) -> None:
    with project() as root:
        (root / P).write_text(front_matter({**VALID, **extra}), encoding="utf-8")
        check_only_diagnostics(root)


@FUZZ
@given(
    st.sampled_from(sorted(CATALOGUE)).flatmap(
        lambda rel: st.tuples(
            st.just(rel),
            st.dictionaries(st.sampled_from(CATALOGUE[rel]), field_value, min_size=1, max_size=4),
        )
    )
)
@example(("docs/runbooks/label-failover.md", {"reviewed": dt.date(9999, 12, 31)}))
def test_any_value_in_catalogue_fields(case: tuple[str, dict[str, Any]]) -> None:
    rel, changes = case
    with project() as root:
        path = root / rel
        _head, data_text, body = path.read_text(encoding="utf-8").split("---\n", 2)
        data = overlay(yaml.safe_load(data_text), changes)
        path.write_text(front_matter(data, body), encoding="utf-8")
        check_only_diagnostics(root)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["label-api-timeouts", "inventory-mismatch", "new-mode"]),
        st.one_of(values, st.dictionaries(st.sampled_from(["title", "category"]), values)),
        max_size=3,
    )
)
# NEL (U+0085) in a key: YAML ends a line there, editors do not (found by this test).
@example(
    {
        "label-api-timeouts": {"title": {"\x85": None}},
        "inventory-mismatch": {"title": {"\x85": None}},
        "new-mode": {},
    }
)
def test_any_failure_modes_file(data: dict[str, Any]) -> None:
    with project() as root:
        (root / "incidents/failure-modes.yml").write_text(
            yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
        )
        check_only_diagnostics(root)


# ---------------------------------------------------------------------------- text and bytes

yaml_ish = st.text(
    alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#%@`,? \n\t0123456789.\\~")) | st.characters(),
    max_size=300,
)


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=500).map(lambda b: b"---\n" + b + b"\n---\nbody\n"),
        yaml_ish.map(lambda t: ("---\n" + t + "\n---\n").encode("utf-8", "surrogatepass")),
        yaml_ish.map(lambda t: ("---\nid: INC-2026-002\n" + t).encode("utf-8", "surrogatepass")),
    ),
    st.sampled_from(
        [
            "incidents/2026/2026-03-01-fuzz.md",
            P,
            "incidents/failure-modes.yml",
            "docs/integrations/dhl.md",
            "docs/sites/ams.md",
            "docs/runbooks/label-failover.md",
        ]
    ),
)
@example(b"(:\n.", "incidents/failure-modes.yml")  # a syntax error at the very end of the file
@example(b"\r\xc2\x80", "incidents/failure-modes.yml")  # a lone CR ends line 1
@example(b"\xef\xbb\xbf---\r\nid: x\r---\n", P)
@example(b"---\n\xed\xa0\x80\n---\n", P)
@example(b"---\n\x85\n---\n", P)
@example(b"---\na: \x1b[31m\n---\n", P)
@example(b"---\n" + b"[" * 200 + b"\n---\n", P)
@example(b"---\n" + b"- " * 200 + b"x\n---\n", P)
def test_any_bytes_as_a_file(content: bytes, rel: str) -> None:
    with project() as root:
        (root / rel).write_bytes(content)
        check_only_diagnostics(root)


# ---------------------------------------------------------------------------- one line per problem

tricky_text = st.lists(
    st.sampled_from(["\n", "\r", "\u2028", "\x85", " ", "`", "x", "Sev1", ":"]),
    min_size=1,
    max_size=6,
).map("".join)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["severity", "category", "failure_mode", "id", "trigger", "runbooks"]),
        tricky_text | st.lists(tricky_text, max_size=2),
        min_size=1,
        max_size=3,
    ),
    st.dictionaries(tricky_text | st.just(""), st.none() | tricky_text, max_size=2),
)
@example({"id": "INC-2026-001\n"}, {})
@example({"severity": "Sev\n2"}, {})
@example({}, {"": None})
def test_diagnostics_are_one_line_each(changes: dict[str, Any], extra: dict[str, Any]) -> None:
    """SPEC 5 prints ``path:line: level: field: message``: a value with a line break, or an empty
    key, must not split that line or leave the field empty."""
    with project() as root:
        (root / P).write_text(front_matter({**overlay(VALID, changes), **extra}), encoding="utf-8")
        check_only_diagnostics(root, one_line=True)
