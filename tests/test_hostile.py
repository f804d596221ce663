"""Hostile input (SPEC section 10, issue 7 item 1): nothing in a source file may run code, leak files
or break the published pages.

Each test here fails without the protection it names: front-matter values that would inject HTML,
link schemes that would run script, YAML tags that would construct objects, alias bombs, huge,
binary and undecodable files, symlinks out of the project, and a build that writes into its sources.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
import tracemalloc
from html.parser import HTMLParser
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import EPOCH_2026_11_27, FIXTURES, MINIMAL_INCIDENT, build_site, check_json

P = MINIMAL_INCIDENT


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)


# ---------------------------------------------------------------------------- hostile values


def hostile(key: str) -> str:
    """A value that is harmless text only when it is escaped; ``key`` says which field it is in.

    It holds the end of a ``<title>``, a script element, an image with an event handler, quotes
    that would end an attribute followed by event handlers, an ampersand and a Jinja expression;
    every piece that could run names ``key``.
    """
    return (
        f'</title><script>alert("{key}")</script> <img src=x onerror=alert("{key}")> '
        f"x\" onmouseover=\"alert('{key}')\" y' onfocus='alert(\"{key}\")' & {{{{ 6 * 7 }}}} {key}"
    )


def q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value)


#: The hostile values written into the incident file itself.
INCIDENT_KEYS = (
    "incident-title",
    "symptoms",
    "mitigation",
    "root-cause",
    "factor",
    "segment",
    "tag",
    "link-title",
    "action-title",
    "action-owner",
    "acceptance",
    "ticket",
    "wont-do-title",
    "wont-do-owner",
    "reason",
)

H = {
    key: hostile(key)
    for key in (
        *INCIDENT_KEYS,
        "partner-name",
        "partner-owner",
        "contact-name",
        "contact-role",
        "contact",
        "site-name",
        "site-owner",
        "site-wms",
        "site-region",
        "runbook-title",
        "runbook-owner",
        "mode-title",
        "other-mode-title",
        "mode-description",
        "partner-tag",
    )
}
#: Values that are valid links or e-mail addresses but try to end the attribute they are put in.
QUOTED_URL = 'https://grafana.example.com/d/"><script>alert("link-url")</script>'
QUOTED_TICKET = 'https://jira.example.com/browse/OPS-1"onmouseover="alert(\'ticket-url\')"'
QUOTED_MAIL = 'oncall@dhl.example.com"onmouseover="alert(\'mail\')"'

HOSTILE_INCIDENT = f"""---
id: INC-2026-001
title: {q(H["incident-title"])}
severity: Sev2
category: integration
failure_mode: label-api-timeouts
detection_source: customer
started_at: 2026-01-10T09:00:00+01:00
detected_at: 2026-01-10T09:12:00+01:00
mitigated_at: 2026-01-10T10:30:00+01:00
scope:
  partners: [dhl]
  sites: [ams]
  segments: [{q(H["segment"])}]
symptoms: {q(H["symptoms"])}
mitigation: {q(H["mitigation"])}
root_cause: {q(H["root-cause"])}
contributing_factors:
  - {q(H["factor"])}
runbooks: [label-failover]
tags: [{q(H["tag"])}]
links:
  - title: {q(H["link-title"])}
    url: {q(QUOTED_URL)}
actions:
  - title: {q(H["action-title"])}
    type: product
    owner: {q(H["action-owner"])}
    status: planned
    priority: P1
    ticket: {q(H["ticket"])}
    acceptance:
      - {q(H["acceptance"])}
  - id: Ops.follow_up-1
    title: Link to the ticket
    type: process
    owner: team-integrations
    status: proposed
    ticket: {q(QUOTED_TICKET)}
  - title: {q(H["wont-do-title"])}
    type: quality
    owner: {q(H["wont-do-owner"])}
    status: wont_do
    reason: {q(H["reason"])}
---

## Timeline

- 09:00 label requests start to time out.
"""

HOSTILE_PARTNER = f"""---
name: {q(H["partner-name"])}
kind: carrier
owner: {q(H["partner-owner"])}
escalation:
  - name: {q(H["contact-name"])}
    role: {q(H["contact-role"])}
    contact: {q(H["contact"])}
  - name: Mail
    contact: {q(QUOTED_MAIL)}
  - name: Script
    contact: "javascript:alert('contact-url')"
known_failure_modes: [label-api-timeouts, inventory-mismatch]
runbooks: [label-failover]
tags: [{q(H["partner-tag"])}, {q(H["tag"])}]
---

# DHL Parcel

Labels and tracking for DHL Parcel.
"""

HOSTILE_SITE = f"""---
name: {q(H["site-name"])}
owner: {q(H["site-owner"])}
wms: {q(H["site-wms"])}
region: {q(H["site-region"])}
---

# Amsterdam DC
"""

HOSTILE_RUNBOOK = f"""---
title: {q(H["runbook-title"])}
owner: {q(H["runbook-owner"])}
reviewed: 2026-01-01
failure_modes: [label-api-timeouts]
partners: [dhl]
---

# Carrier label failover

1. Throttle label creation.
"""

HOSTILE_MODES = f"""label-api-timeouts:
  title: {q(H["mode-title"])}
  category: integration
  description: {q(H["mode-description"])}
inventory-mismatch:
  title: {q(H["other-mode-title"])}
  category: warehouse
"""

HOME = """# Home

{{ incident_table() }}

{{ open_actions() }}

{{ incident_table(partner="dhl", limit=3) }}
"""

TAGS_PAGE = "# Tags\n\n<!-- material/tags -->\n"

#: Built page -> the hostile values it must show as text.
INCIDENT_FIELDS = [
    *INCIDENT_KEYS,
    "partner-name",
    "site-name",
    "runbook-title",
    "mode-title",
]
OPEN_ACTION_FIELDS = ["action-title", "action-owner", "acceptance", "ticket"]
EXPECTED = {
    "incidents/INC-2026-001/index.html": INCIDENT_FIELDS,
    "incidents/index.html": ["incident-title", "segment", "mode-title"],
    "integrations/index.html": ["partner-name", "partner-owner"],
    "integrations/dhl/index.html": [
        "contact-name",
        "contact-role",
        "contact",
        "mode-title",
        "other-mode-title",
        "incident-title",
        "runbook-title",
        *OPEN_ACTION_FIELDS,
    ],
    "sites/index.html": ["site-name", "site-owner", "site-wms", "site-region"],
    "sites/ams/index.html": ["mode-title", "incident-title", *OPEN_ACTION_FIELDS],
    "runbooks/index.html": ["runbook-title", "runbook-owner", "mode-title"],
    "runbooks/label-failover/index.html": [
        "runbook-owner",
        "mode-title",
        "partner-name",
        "incident-title",
    ],
    "actions/index.html": [
        *OPEN_ACTION_FIELDS,
        "wont-do-title",
        "wont-do-owner",
        "reason",
    ],
    "backlog/index.html": ["incident-title", "action-title", "action-owner"],
    "trends/index.html": ["mode-title"],
    "index.html": ["incident-title", "mode-title", *OPEN_ACTION_FIELDS],
    "tags/index.html": ["tag", "partner-tag"],
}


def write_hostile_project(root: Path) -> None:
    """Make every front-matter value of the minimal project hostile; add home macros and tags."""
    (root / P).write_text(HOSTILE_INCIDENT, encoding="utf-8")
    (root / "docs/integrations/dhl.md").write_text(HOSTILE_PARTNER, encoding="utf-8")
    (root / "docs/sites/ams.md").write_text(HOSTILE_SITE, encoding="utf-8")
    (root / "docs/runbooks/label-failover.md").write_text(HOSTILE_RUNBOOK, encoding="utf-8")
    (root / "incidents/failure-modes.yml").write_text(HOSTILE_MODES, encoding="utf-8")
    (root / "docs/index.md").write_text(HOME, encoding="utf-8")
    (root / "docs/tags.md").write_text(TAGS_PAGE, encoding="utf-8")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        "      on_undefined: strict\n",
        "      on_undefined: strict\n      modules: [incident_loop.macros]\n",
    )
    text = text.replace(
        "  - Incidents: incidents/index.md\n",
        "  - Incidents: incidents/index.md\n"
        "  - Integrations: integrations/index.md\n"
        "  - Sites: sites/index.md\n"
        "  - Runbooks: runbooks/index.md\n"
        "  - Actions: actions/index.md\n"
        "  - Backlog: backlog/index.md\n"
        "  - Trends: trends/index.md\n"
        "  - Tags: tags.md\n",
    )
    assert "modules: [incident_loop.macros]" in text and "Tags: tags.md" in text
    config.write_text(text, encoding="utf-8")


class PageScan(HTMLParser):
    """The visible text of a page and every element that would run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.active: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.active.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and re.match(
                r"\s*(javascript|data|vbscript|file):", value, re.I
            ):
                self.active.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.active.append(f"<img src=x> {attrs}")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        inside = self.stack[-1] if self.stack else ""
        if inside == "script":
            if "alert(" in data:
                self.active.append(f"<script>{data[:80]}")
            return
        if inside == "style":
            return
        self.text.append(data)


def scan(page: Path) -> PageScan:
    parser = PageScan()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


#: What a page's HTML source never holds when every value is escaped.
RAW = ("<script>alert(", "<img src=x")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(FIXTURES / "minimal", root)
    write_hostile_project(root)
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH_2026_11_27
    try:
        code, diagnostics = check_json(root)
        assert (code, diagnostics) == (0, []), diagnostics
        return build_site(root)
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def test_no_hostile_markup_is_live_on_any_page(hostile_site: Path) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) >= len(EXPECTED)
    problems = []
    for page in pages:
        rel = page.relative_to(hostile_site).as_posix()
        source = page.read_text(encoding="utf-8")
        for raw in RAW:
            if raw in source:
                at = source.index(raw)
                problems.append(f"{rel}: raw {raw!r} in …{source[max(0, at - 60) : at + 60]!r}…")
        problems += [f"{rel}: {active}" for active in scan(page).active]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("page", "key"),
    [(page, key) for page, keys in EXPECTED.items() for key in keys],
)
def test_hostile_value_is_shown_as_text(hostile_site: Path, page: str, key: str) -> None:
    """The whole value is visible, once escaped: not dropped, not run, not escaped twice."""
    text = "".join(scan(hostile_site / page).text)
    assert H[key] in text, f"{page} does not show the {key} value as text"


def test_a_tag_on_an_incident_and_a_partner_page_is_one_tag(hostile_site: Path) -> None:
    page = (hostile_site / "tags/index.html").read_text(encoding="utf-8")
    sections = page.split('<h2 id="tag:')[1:]
    assert len(sections) == 2  # "tag" (incident and partner) and "partner-tag"
    shared = [s for s in sections if s.startswith("lttitlegtltscriptgtalertquottagquot")]
    assert len(shared) == 1
    assert "../incidents/INC-2026-001/" in shared[0] and "../integrations/dhl/" in shared[0]


def test_no_value_is_escaped_twice(hostile_site: Path) -> None:
    for page in hostile_site.rglob("*.html"):
        source = page.read_text(encoding="utf-8")
        assert "&amp;lt;" not in source and "&amp;#34;" not in source, page


def test_no_jinja_in_a_value_is_evaluated(hostile_site: Path) -> None:
    for page in hostile_site.rglob("*.html"):
        text = "".join(scan(page).text)
        for key in H:
            assert f"& 42 {key}" not in text, (page, key)


def test_quoted_urls_stay_inside_their_attribute(hostile_site: Path) -> None:
    incident = (hostile_site / "incidents/INC-2026-001/index.html").read_text(encoding="utf-8")
    assert 'href="https://grafana.example.com/d/&#34;&gt;&lt;script&gt;alert(' in incident
    partner = (hostile_site / "integrations/dhl/index.html").read_text(encoding="utf-8")
    assert "oncall@dhl.example.com&#34;onmouseover=&#34;" in partner
    actions = (hostile_site / "actions/index.html").read_text(encoding="utf-8")
    assert "OPS-1&#34;onmouseover=&#34;" in actions


def test_search_index_holds_no_live_markup(hostile_site: Path) -> None:
    """Material's search shows the titles and texts of its index as HTML."""
    index = json.loads((hostile_site / "search/search_index.json").read_text(encoding="utf-8"))
    problems = []
    for doc in index["docs"]:
        for part in ("title", "text"):
            parser = PageScan()
            parser.feed(doc.get(part) or "")
            parser.close()
            problems += [f"{doc['location']} {part}: {active}" for active in parser.active]
    assert not problems, "\n".join(problems)


CATALOGUE_PAGES = {
    "docs/integrations/dhl.md": "kind: carrier",
    "docs/sites/ams.md": "owner: team-warehouse",
    "docs/runbooks/label-failover.md": "owner: team-integrations",
}


@pytest.fixture(scope="module")
def page_keys_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project whose catalogue pages set Material's ``title`` and ``description``."""
    root = tmp_path_factory.mktemp("page-keys") / "project"
    shutil.copytree(FIXTURES / "minimal", root)
    for rel, after in CATALOGUE_PAGES.items():
        path = root / rel
        text = re.sub(r"(?m)^title: .*\n", "", path.read_text(encoding="utf-8"))
        slug = rel.split("/")[1]
        extra = "".join(
            f"\n{key}: {q(hostile(f'{slug}-{key}'))}" for key in ("title", "description")
        )
        path.write_text(text.replace(after, after + extra, 1), encoding="utf-8")
    assert check_json(root) == (0, [])
    return build_site(root)


@pytest.mark.parametrize("rel", list(CATALOGUE_PAGES), ids=lambda rel: rel.split("/")[1])
@pytest.mark.parametrize("key", ["title", "description"])
def test_page_keys_of_catalogue_pages_are_escaped(page_keys_site: Path, rel: str, key: str) -> None:
    """The plugin accepts ``title`` and ``description`` on catalogue pages; the theme prints both
    unescaped (in ``<title>``, the header and ``<meta name="description">``)."""
    marker = f"{rel.split('/')[1]}-{key}"
    page = page_keys_site / rel.removeprefix("docs/").removesuffix(".md") / "index.html"
    source = page.read_text(encoding="utf-8")
    found = [
        raw for raw in (f'<script>alert("{marker}")', f'onerror=alert("{marker}")') if raw in source
    ]
    found += [active for active in scan(page).active if marker in active]
    assert not found, found


# ---------------------------------------------------------------------------- link schemes

BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "\u00a0javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://files.example.com/x",
    "//evil.example.com/x",
    "javascript&colon;alert(1)",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_incident_link_scheme_refused(minimal: Path, edit, url: str) -> None:
    edit(minimal, P, [("    url: https://grafana.example.com/d/labels", f"    url: {q(url)}")])
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["line"], d["level"], d["field"]) for d in diagnostics] == [
        (P, 21, "error", "links[0].url")
    ]
    assert "a link must start with https://, http:// or mailto:" in diagnostics[0]["message"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:,x"])
def test_partner_link_scheme_refused(minimal: Path, edit, url: str) -> None:
    rel = "docs/integrations/dhl.md"
    edit(
        minimal,
        rel,
        [
            (
                "runbooks: [label-failover]",
                f"runbooks: [label-failover]\nlinks:\n  - {{title: Status, url: {q(url)}}}",
            )
        ],
    )
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["line"], d["field"]) for d in diagnostics] == [(rel, 10, "links[0].url")]
    assert "a link must start with https://, http:// or mailto:" in diagnostics[0]["message"]


@pytest.mark.parametrize(
    "url",
    [
        "https://grafana.example.com/d/x?a=1&b=2",
        "http://intranet/x",
        "mailto:oncall@example.com",
        " https://padded.example.com ",
    ],
)
def test_allowed_link_schemes_pass(minimal: Path, edit, url: str) -> None:
    edit(minimal, P, [("    url: https://grafana.example.com/d/labels", f"    url: {q(url)}")])
    assert check_json(minimal) == (0, [])


@pytest.mark.parametrize(
    "ticket", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x"]
)
def test_ticket_with_a_script_scheme_refused(minimal: Path, edit, ticket: str) -> None:
    """``ticket`` is "a key like OPS-123 or a URL": a URL with a scheme that runs script is neither."""
    edit(minimal, P, [("    priority: P1", f"    priority: P1\n    ticket: {q(ticket)}")])
    code, diagnostics = check_json(minimal)
    assert code == 1
    # `priority: P1` is line 27 of the fixture; the ticket is put on the line after it.
    assert [(d["path"], d["line"], d["field"], d["message"]) for d in diagnostics] == [
        (
            P,
            28,
            "actions[0].ticket",
            f"`{ticket}` is neither a key like OPS-123 nor an https:// URL",
        )
    ]


@pytest.mark.parametrize(
    "ticket",
    ["OPS-123", "https://jira.example.com/browse/OPS-123", "http://linear.example.com/issue/OPS-7"],
)
def test_ticket_keys_and_urls_pass(minimal: Path, edit, ticket: str) -> None:
    edit(minimal, P, [("    priority: P1", f"    priority: P1\n    ticket: {q(ticket)}")])
    assert check_json(minimal) == (0, [])


# ---------------------------------------------------------------------------- YAML tags

TAGGED = [
    ("!!python/object/apply:os.system [{cmd}]", "!!python/object/apply:os.system"),
    (
        "!!python/object/apply:subprocess.check_output [[sh, -c, {cmd}]]",
        "!!python/object/apply:subprocess.check_output",
    ),
    ("!!python/object/new:os.system [{cmd}]", "!!python/object/new:os.system"),
    ("!!python/name:os.system", "!!python/name:os.system"),
    ("!!python/module:os", "!!python/module:os"),
    ("!!python/object:builtins.dict {{}}", "!!python/object:builtins.dict"),
    ("!!binary aGVsbG8=", "!!binary"),
    ("!!set {{a, b}}", "!!set"),
    ("!!omap [{{a: 1}}]", "!!omap"),
    ("!Foo bar", "!Foo"),
    (
        "!<tag:yaml.org,2002:python/object/apply:os.system> [{cmd}]",
        "!!python/object/apply:os.system",
    ),
    ("!ENV HOME", "!ENV"),
]


@pytest.mark.parametrize(("value", "shown"), TAGGED, ids=[t[1] for t in TAGGED])
def test_yaml_tags_that_construct_objects_are_refused(
    minimal: Path, edit, tmp_path: Path, value: str, shown: str
) -> None:
    marker = tmp_path / "ran"
    value = value.format(cmd=q(f"touch {marker}"))
    edit(minimal, P, [("title: DHL label API timeouts", f"title: {value}")])
    code, diagnostics = check_json(minimal)
    assert not marker.exists(), "the YAML ran a command"
    assert code == 1
    assert [(d["path"], d["line"], d["field"]) for d in diagnostics] == [(P, 3, "yaml")]
    assert f"the YAML tag `{shown}` is not allowed" in diagnostics[0]["message"]


@pytest.mark.parametrize(
    ("rel", "old", "new", "line"),
    [
        (
            "incidents/failure-modes.yml",
            "  title: Inventory mismatch",
            "  title: !!python/object/apply:os.system [{cmd}]",
            6,
        ),
        (
            "docs/integrations/dhl.md",
            "owner: team-integrations",
            "owner: !!python/object/apply:os.system [{cmd}]",
            4,
        ),
        (
            "docs/runbooks/label-failover.md",
            "owner: team-integrations",
            "owner: !!python/name:os.system",
            3,
        ),
        ("docs/sites/ams.md", "owner: team-warehouse", "owner: !Ref x", 3),
        (
            P,
            "    owner: team-integrations",
            "    owner: !!python/object/apply:os.system [{cmd}]",
            25,
        ),
        (P, "  sites: [ams]", "  sites: !!python/object/apply:os.system [{cmd}]", 14),
    ],
    ids=["failure-modes", "partner", "runbook", "site", "action", "mapping-value"],
)
def test_yaml_tags_refused_in_every_source(
    minimal: Path, edit, tmp_path: Path, rel: str, old: str, new: str, line: int
) -> None:
    marker = tmp_path / "ran"
    edit(minimal, rel, [(old, new.format(cmd=q(f"touch {marker}")))])
    code, diagnostics = check_json(minimal)
    assert not marker.exists(), "the YAML ran a command"
    assert code == 1
    errors = [(d["path"], d["line"], d["field"]) for d in diagnostics if d["path"] == rel]
    assert errors == [(rel, line, "yaml")], diagnostics
    assert "is not allowed" in next(d["message"] for d in diagnostics if d["path"] == rel)


def test_yaml_tag_does_not_run_during_a_build(minimal: Path, edit, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    edit(
        minimal,
        P,
        [
            (
                "title: DHL label API timeouts",
                f"title: !!python/object/apply:os.system [{q(f'touch {marker}')}]",
            )
        ],
    )
    with pytest.raises(Abort):
        build_site(minimal)
    assert not marker.exists()


# ---------------------------------------------------------------------------- alias bombs


def _bomb(levels: int, width: int = 10) -> str:
    lines = ["---", "a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join([*lines, "---", ""])


BOMBS = {
    # 10 ** 9 values when expanded: a billion laughs
    "billion-laughs": (_bomb(9), "the YAML expands to more than 100,000 values"),
    # 2 ** 60 values through a deep chain of pairs
    "deep-pairs": (_bomb(60, width=2), "the YAML"),
    # keys of a mapping that all expand the same big list
    "wide-mapping": (
        "---\nbig: &big ["
        + ", ".join(["x"] * 1000)
        + "]\n"
        + "".join(f"k{i}: *big\n" for i in range(500))
        + "---\n",
        "the YAML expands to more than 100,000 values",
    ),
    # a list that contains itself
    "recursive": ("---\na: &a [x, *a, *a]\n---\n", "the YAML"),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_alias_bomb_is_refused_quickly_in_bounded_memory(minimal: Path, name: str) -> None:
    from incident_loop.config import read_project_config
    from incident_loop.core.validate import load_project

    text, words = BOMBS[name]
    config = read_project_config(minimal)
    folder = minimal / "incidents/2026"
    # Once for the time, once (under tracemalloc, which slows Python down) for the memory; each
    # under its own name so that no cache of parsed files answers the second run.
    timed = folder / "2026-03-01-bomb.md"
    timed.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    project = load_project(config)
    elapsed = time.perf_counter() - start
    timed.unlink()
    measured = folder / "2026-03-02-bomb.md"
    measured.write_text(text, encoding="utf-8")
    tracemalloc.start()
    try:
        again = load_project(config)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 5, f"{name}: {elapsed:.1f} s"
    assert peak < 50 * 1024 * 1024, f"{name}: peak {peak / 2**20:.0f} MiB"
    for result, rel in ((project, timed), (again, measured)):
        refused = [d for d in result.diagnostics if d.path == rel.relative_to(minimal).as_posix()]
        assert [(d.level, d.field) for d in refused] == [("error", "yaml")], refused
        assert words in refused[0].message


def test_alias_bomb_fails_the_build_cleanly(
    minimal: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rel = "incidents/2026/2026-03-01-bomb.md"
    (minimal / rel).write_text(BOMBS["billion-laughs"][0], encoding="utf-8")
    start = time.perf_counter()
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(minimal)
    assert time.perf_counter() - start < 30
    assert any(
        re.match(
            rf"incident-loop: {re.escape(rel)}:\d+: error: yaml: the YAML expands", r.getMessage()
        )
        for r in caplog.records
    ), [r.getMessage() for r in caplog.records]


# ---------------------------------------------------------------------------- file size


def _set_option(root: Path, option: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - incident-loop\n" in text
    config.write_text(
        text.replace("  - incident-loop\n", f"  - incident-loop:\n      {option}\n"),
        encoding="utf-8",
    )


def test_max_file_size_option(minimal: Path, caplog: pytest.LogCaptureFixture) -> None:
    _set_option(minimal, "max_file_size: 4096")
    path = minimal / P
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "x" * (4096 - len(text.encode())), encoding="utf-8")
    assert path.stat().st_size == 4096
    assert check_json(minimal) == (0, [])  # exactly the limit is allowed
    path.write_text(text + "x" * (4097 - len(text.encode())), encoding="utf-8")
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["line"], d["field"]) for d in diagnostics] == [(P, 1, "file")]
    assert diagnostics[0]["message"].startswith(
        "the file is 4,097 bytes, more than the limit of 4,096; move long material to a linked "
        "document, or raise the plugin option max_file_size"
    )
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(minimal)
    assert any(
        f"{P}:1: error: file: the file is 4,097 bytes" in r.getMessage() for r in caplog.records
    )


def test_default_size_limit_is_one_mebibyte(minimal: Path) -> None:
    path = minimal / P
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "x" * (1024 * 1024 - len(text.encode())), encoding="utf-8")
    assert check_json(minimal) == (0, [])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("x")
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert (
        "the file is 1,048,577 bytes, more than the limit of 1,048,576" in diagnostics[0]["message"]
    )


@pytest.mark.parametrize(
    "rel",
    [
        "incidents/failure-modes.yml",
        "docs/integrations/dhl.md",
        "docs/sites/ams.md",
        "docs/runbooks/label-failover.md",
    ],
)
def test_size_limit_applies_to_every_source(minimal: Path, rel: str) -> None:
    _set_option(minimal, "max_file_size: 2048")
    path = minimal / rel
    path.write_text(path.read_text(encoding="utf-8") + "\n#" + "x" * 4096 + "\n", encoding="utf-8")
    _code, diagnostics = check_json(minimal)
    assert (rel, 1, "file") in [(d["path"], d["line"], d["field"]) for d in diagnostics]


def test_huge_file_is_refused_without_reading_it(minimal: Path) -> None:
    """A sparse file of 512 MiB: the size is known from the file system, nothing is read."""
    from incident_loop.config import read_project_config
    from incident_loop.core.project import check_project

    rel = "incidents/2026/2026-03-01-huge.md"
    with (minimal / rel).open("wb") as handle:
        handle.write(b"---\n")
        handle.truncate(512 * 1024 * 1024)
    config = read_project_config(minimal)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = check_project(config)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 5
    assert [(d.path, d.field) for d in result.diagnostics] == [(rel, "file")]
    assert "more than the limit of 1,048,576" in result.diagnostics[0].message
    assert peak < 50 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB: the file was read"


# ---------------------------------------------------------------------------- binary, undecodable

UNREADABLE = {
    "png.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, "the file is binary"),
    "utf16.md": ("---\nid: INC-2026-002\n---\n".encode("utf-16"), 1, "the file is binary"),
    "nul-in-body.md": (b"---\nid: INC-2026-002\n---\nbody\x00\n", 1, "the file is binary"),
    "latin1-in-body.md": (
        b"---\nid: INC-2026-002\n---\n\ncaf\xe9\n",
        5,
        "the file is not UTF-8 text (byte 0xe9",
    ),
    "overlong.md": (b"---\ntitle: \xc0\xaf\n---\n", 2, "the file is not UTF-8 text (byte 0xc0"),
    "surrogate.md": (
        b"---\ntitle: \xed\xa0\x80\n---\n",
        2,
        "the file is not UTF-8 text (byte 0xed",
    ),
    "truncated.md": (b"---\ntitle: \xe2\x82\n---\n", 2, "the file is not UTF-8 text (byte 0xe2"),
    "gzip.md": (
        bytes.fromhex("1f8b0800000000000003cb48cdc9c90700863ba6360500"),
        1,
        "the file is binary",
    ),
    "cp1252-no-nul.md": (b"\x93quoted\x94 text\n", 1, "the file is not UTF-8 text (byte 0x93"),
    # a control character is valid UTF-8 but not allowed in YAML: its own line, one line of text
    "control-char.md": (
        b"---\nid: INC-2026-002\ntitle: x\nsymptoms: a\x07b\n---\n",
        4,
        "control character",
    ),
    "bom-only.md": (b"\xef\xbb\xbf", 1, "no front matter"),
    "empty.md": (b"", 1, "no front matter"),
}


def test_binary_and_undecodable_files_are_named_without_a_traceback(minimal: Path) -> None:
    import subprocess
    import sys

    folder = minimal / "incidents/2026"
    for name, (content, _line, _words) in UNREADABLE.items():
        (folder / name).write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "incident_loop.cli", "check", str(minimal), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, (result.stdout, result.stderr)
    diagnostics = json.loads(result.stdout)
    for name, (_content, line, words) in UNREADABLE.items():
        rel = f"incidents/2026/{name}"
        mine = [d for d in diagnostics if d["path"] == rel]
        assert mine, f"{name}: no error"
        assert all(d["level"] == "error" for d in mine), mine
        assert all("\n" not in d["message"] for d in mine), mine
        assert (mine[0]["line"], words in mine[0]["message"]) == (line, True), mine


@pytest.mark.parametrize(
    "rel",
    ["incidents/failure-modes.yml", "docs/integrations/dhl.md", "docs/runbooks/label-failover.md"],
)
def test_binary_catalogue_files_are_named(
    minimal: Path, rel: str, caplog: pytest.LogCaptureFixture
) -> None:
    (minimal / rel).write_bytes(b"\x00\x01\x02\xff\xfe binary")
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert (rel, 1, "file") in [(d["path"], d["line"], d["field"]) for d in diagnostics]
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(minimal)
    assert any(
        f"{rel}:1: error: file: the file is binary" in r.getMessage() for r in caplog.records
    )


# ---------------------------------------------------------------------------- symlinks

SECRET = "SECRET-7f3a9c-do-not-publish"


def _secret_incident(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret.md"
    text = (FIXTURES / "minimal" / P).read_text(encoding="utf-8")
    text = text.replace("INC-2026-001", "INC-2026-999").replace("DHL label API timeouts", SECRET)
    path.write_text(text + f"\n{SECRET} in the body\n", encoding="utf-8")
    return path


def _assert_not_published(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    from conftest import run_cli

    with pytest.raises(Abort):
        build_site(root)
    site = root / "site"
    if site.exists():
        for path in site.rglob("*"):
            if path.is_file():
                assert SECRET.encode() not in path.read_bytes(), path
    assert all(SECRET not in r.getMessage() for r in caplog.records)
    for args in (("check", str(root)), ("export", "incidents", "--root", str(root))):
        result = run_cli(*args)
        assert result.exit_code == 1
        assert SECRET not in result.output


@pytest.mark.parametrize("kind", ["absolute", "relative", "chain"])
def test_symlinked_incident_outside_the_project(
    minimal: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    secret = _secret_incident(tmp_path / "outside")
    link = minimal / "incidents/2026/2026-03-01-leak.md"
    if kind == "absolute":
        link.symlink_to(secret)
    elif kind == "relative":
        link.symlink_to(os.path.relpath(secret, link.parent))
    else:  # a link to a link inside the project that leads out
        (minimal / "incidents/hop.md").symlink_to(secret)
        link.symlink_to("../hop.md")
    code, diagnostics = check_json(minimal)
    assert code == 1
    refused = [(d["path"], d["line"], d["field"]) for d in diagnostics]
    assert ("incidents/2026/2026-03-01-leak.md", 1, "file") in refused
    assert all("outside the project" in d["message"] for d in diagnostics), diagnostics
    assert all(SECRET not in d["message"] for d in diagnostics)
    _assert_not_published(minimal, caplog)


def test_symlinked_folder_outside_the_project(
    minimal: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = _secret_incident(tmp_path / "outside" / "2025")
    (minimal / "incidents/2025").symlink_to(secret.parent, target_is_directory=True)
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["field"]) for d in diagnostics] == [("incidents/2025", "file")]
    assert "outside the project" in diagnostics[0]["message"]
    _assert_not_published(minimal, caplog)


def test_symlinked_failure_modes_file_outside_the_project(
    minimal: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    modes = minimal / "incidents/failure-modes.yml"
    secret = outside / "failure-modes.yml"
    secret.write_text(
        modes.read_text(encoding="utf-8").replace("Label API timeouts or 5xx", SECRET)
    )
    modes.unlink()
    modes.symlink_to(secret)
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert ("incidents/failure-modes.yml", 1, "file") in [
        (d["path"], d["line"], d["field"]) for d in diagnostics
    ]
    _assert_not_published(minimal, caplog)


def test_symlinked_catalogue_page_outside_the_project(
    minimal: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "ups.md"
    secret.write_text(f"---\nname: {SECRET}\nkind: carrier\nowner: x\n---\n\n{SECRET}\n")
    (minimal / "docs/integrations/ups.md").symlink_to(secret)
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert [(d["path"], d["field"]) for d in diagnostics] == [("docs/integrations/ups.md", "file")]
    _assert_not_published(minimal, caplog)


def test_symlink_inside_the_project_is_read(minimal: Path) -> None:
    """Only links that lead out are refused: a link to another file of the project is fine."""
    (minimal / "incidents/2026/alias.md").symlink_to("2026-01-10-dhl-label-timeouts.md")
    code, diagnostics = check_json(minimal)
    # the same incident twice: a duplicate id, not a refusal
    assert code == 1
    assert [d["field"] for d in diagnostics] == ["id"]


def test_symlink_loops_do_not_hang(minimal: Path) -> None:
    """Two links to their own folder make 2 ** 40 paths for a walker that follows links blindly."""
    import subprocess
    import sys

    folder = minimal / "incidents"
    (folder / "loop-a").symlink_to(".", target_is_directory=True)
    (folder / "loop-b").symlink_to(".", target_is_directory=True)
    (folder / "2026/up").symlink_to("..", target_is_directory=True)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "incident_loop.cli", "check", str(minimal)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("incident-loop check did not finish within 20 s on a folder with symlink loops")
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, (result.stdout, result.stderr)


# ---------------------------------------------------------------------------- the build writes nothing into the sources


def _snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    result = {}
    for folder in (root / "incidents", root / "docs"):
        for path in sorted(folder.rglob("*")):
            stat = path.lstat()
            content = path.read_bytes() if path.is_file() else b""
            result[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size, content)
    return result


def test_build_writes_nothing_into_the_sources(minimal: Path) -> None:
    (minimal / "docs/index.md").write_text(HOME, encoding="utf-8")
    (minimal / "docs/tags.md").write_text(TAGS_PAGE, encoding="utf-8")
    config = minimal / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "      on_undefined: strict\n",
            "      on_undefined: strict\n      modules: [incident_loop.macros]\n",
        ),
        encoding="utf-8",
    )
    time.sleep(0.01)
    before = _snapshot(minimal)
    top_before = sorted(p.name for p in minimal.iterdir())
    site = build_site(minimal)
    assert (site / "incidents/INC-2026-001/index.html").is_file()
    assert (site / "actions/index.html").is_file() and (site / "api/incidents.json").is_file()
    after = _snapshot(minimal)
    assert sorted(set(after) - set(before)) == [], "the build created files in the sources"
    assert sorted(set(before) - set(after)) == [], "the build removed files from the sources"
    changed = [rel for rel in before if before[rel] != after[rel]]
    assert changed == [], "the build changed source files"
    assert sorted(p.name for p in minimal.iterdir()) == sorted([*top_before, "site"])
    from conftest import run_cli

    for args in (
        ("check", str(minimal)),
        ("export", "actions", "--format", "csv", "--root", str(minimal)),
        ("schema", str(minimal)),
    ):
        assert run_cli(*args).exit_code == 0, args
    assert _snapshot(minimal) == before, "the command line changed the sources"


def test_a_body_link_that_is_no_url_is_an_error_of_its_line(minimal: Path) -> None:
    """``http://[grafana`` (an unclosed IPv6 host) is no URL: MkDocs stops the build on it with
    "Invalid IPv6 URL" and no file or line, and the check once did with a traceback. The check
    reports it at its line; one inside backticks is text and fine."""
    incident = minimal / MINIMAL_INCIDENT
    text = incident.read_text(encoding="utf-8")
    assert text.count("\n") == 34  # the fixture's lines; then 35 is empty, 36 the snippet
    body = (
        "\nThe `[x](http://[grafana)` snippet.\nThe [dashboard](http://[grafana/d/1) showed it.\n"
    )
    incident.write_text(text + body, encoding="utf-8")
    code, diagnostics = check_json(minimal)
    assert code == 1
    assert diagnostics == [
        {
            "path": MINIMAL_INCIDENT,
            "line": 37,
            "level": "error",
            "field": "body",
            "message": "the link `http://[grafana/d/1` is not a URL that can be read (a `[` or "
            "`]` after `//` starts an IPv6 address); fix the address, or put it in `backticks` "
            "to show it as text",
        }
    ]
