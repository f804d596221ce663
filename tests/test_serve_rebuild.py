"""A rebuild of ``mkdocs serve --dirty`` serves what a fresh build serves (issue 19 item 2).

The sample project is served the way ``mkdocs serve --dirty`` does it (``commands/serve.py``): one
process, ``on_startup(command="serve", dirty=True)``, the configuration loaded again for every
rebuild while MkDocs keeps the plugin instances, and ``build(config, serve_url=..., dirty=True)``
into the same site folder. After each edit (a body, change, add, rename, delete, break, fix, a
partner page) every page and export of that folder is compared with a fresh serve build of the same
sources, made in a new process into an empty folder. Material's search index is compared as its
entries, in any order (a rebuild adds the entries of the pages it made after those it kept).
Material's tags listing is left out: in a dirty rebuild Material's tags plugin sees only the pages
that rebuild makes (see docs/writing-an-incident.md).
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from conftest import EPOCH_2026_11_27, add_hook, sample_copy
from incident_loop.site import render, urls

SERVE_URL = "http://127.0.0.1:8000/"
#: Served files not compared byte for byte: the search index is compared as its entries
#: (:func:`_search_entries`); the rest a dirty rebuild of MkDocs or Material does not keep right.
NOT_COMPARED = {
    "search/search_index.json",
    "tags/index.html",
    "tags.json",
    "sitemap.xml",
    "sitemap.xml.gz",
}

FRESH_BUILD = """
import os
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
if os.environ.get("ROWS_PER_PAGE"):  # the register's pages, smaller in a test
    from incident_loop.site import render, urls
    urls.ROWS_PER_PAGE = render.ROWS_PER_PAGE = int(os.environ["ROWS_PER_PAGE"])
config = load_config(sys.argv[1], site_dir=sys.argv[2])
config.plugins.on_startup(command="serve", dirty=False)
config.site_url = sys.argv[3]
build(config, serve_url=sys.argv[3])
config.plugins.on_shutdown()
"""


class DirtyServe:
    """``mkdocs serve --dirty`` without the HTTP server: its builds, in this process."""

    def __init__(self, root: Path, site: Path) -> None:
        self.root = root
        self.site = site
        config = self._config()
        config.plugins.on_startup(command="serve", dirty=True)
        self.plugins = config.plugins
        self._build(config)

    def _config(self):  # type: ignore[no-untyped-def]
        from mkdocs.config import load_config

        config = load_config(str(self.root / "mkdocs.yml"), site_dir=str(self.site))
        config.site_url = SERVE_URL
        return config

    def _build(self, config) -> None:  # type: ignore[no-untyped-def]
        from mkdocs.commands.build import build

        build(config, serve_url=SERVE_URL, dirty=True)

    def rebuild(self) -> None:
        config = self._config()
        assert config.plugins["incident-loop"] is self.plugins["incident-loop"]
        self._build(config)

    def close(self) -> None:
        self.plugins.on_shutdown()


def _fresh(root: Path, site: Path) -> None:
    subprocess.run(
        [sys.executable, "-c", FRESH_BUILD, str(root / "mkdocs.yml"), str(site), SERVE_URL],
        check=True,
        env={
            **os.environ,
            "SOURCE_DATE_EPOCH": EPOCH_2026_11_27,
            "NO_MKDOCS_2_WARNING": "1",
            "ROWS_PER_PAGE": str(urls.ROWS_PER_PAGE),
        },
        capture_output=True,
    )


def _served(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in site.rglob("*")
        if path.is_file() and path.relative_to(site).as_posix() not in NOT_COMPARED
    }


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, DirtyServe]]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
    root = sample_copy(tmp_path)
    server = DirtyServe(root, tmp_path / "served")
    try:
        yield root, server
    finally:
        server.close()


def _search_entries(site: Path) -> tuple[object, collections.Counter[str]]:
    """The search index's settings and its entries, each as its JSON, in any order; but those
    of the tags listing, which is not compared either."""
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    entries = collections.Counter(
        json.dumps(entry, sort_keys=True)
        for entry in index["docs"]
        if entry["location"].partition("#")[0] != "tags/"
    )
    return index["config"], entries


def _same_as_fresh(root: Path, server: DirtyServe, tmp_path: Path, step: str) -> dict[str, bytes]:
    server.rebuild()
    fresh = tmp_path / f"fresh-{step}"
    _fresh(root, fresh)
    got, want = _served(server.site), _served(fresh)
    assert sorted(got) == sorted(want), (
        f"after {step}: only served {sorted(got.keys() - want.keys())}, "
        f"only fresh {sorted(want.keys() - got.keys())}"
    )
    different = sorted(name for name in want if got[name] != want[name])
    assert not different, f"after {step}, these differ from a fresh build: {different}"
    (got_config, got_entries), (want_config, want_entries) = map(
        _search_entries, (server.site, fresh)
    )
    assert got_config == want_config
    only_served, only_fresh = got_entries - want_entries, want_entries - got_entries
    assert not only_served and not only_fresh, (
        f"after {step}, the search index has {sum(only_served.values())} entries a fresh build "
        f"has not, and lacks {sum(only_fresh.values())}: "
        f"{[entry[:120] for entry in sorted(only_served)[:2]]}, "
        f"{[entry[:120] for entry in sorted(only_fresh)[:2]]}"
    )
    return got


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_each_dirty_rebuild_serves_what_a_fresh_build_serves(
    served: tuple[Path, DirtyServe], tmp_path: Path
) -> None:
    root, server = served
    outage = root / "incidents/2026/2026-05-05-dpd-label-api-outage.md"
    repeat = root / "incidents/2026/2026-05-26-dpd-label-latency-repeat.md"

    # the body only: its page changes, no other
    outage.write_text(outage.read_text(encoding="utf-8") + "\nWritten while serving.\n", "utf-8")
    site = _same_as_fresh(root, server, tmp_path, "body")
    assert "Written while serving." in site["incidents/INC-2026-007/index.html"].decode()

    # change: a title that other incidents' pages, the log and the partner pages show
    _replace(outage, "title: DPD label API outage,", "title: DPD shipping API outage,")
    site = _same_as_fresh(root, server, tmp_path, "change")
    assert "DPD shipping API outage" in site["incidents/INC-2026-007/index.html"].decode()
    assert "DPD shipping API outage" in site["incidents/index.html"].decode()

    # add: a new incident of the same failure mode, which becomes a repeat
    added = root / "incidents/2026/2026-05-20-dpd-labels-again.md"
    text = outage.read_text(encoding="utf-8")
    text = text.replace("id: INC-2026-007", "id: INC-2026-900").replace(
        "title: DPD shipping API outage,", "title: Added while serving,"
    )
    text = text.replace("2026-05-05T", "2026-05-20T").replace("actions:", "old_actions:", 1)
    text = text.split("old_actions:")[0] + "actions:\n  - ref: INC-2026-007-A1\n---\n\nBody.\n"
    added.write_text(text, encoding="utf-8")
    site = _same_as_fresh(root, server, tmp_path, "add")
    assert "Added while serving" in site["incidents/INC-2026-900/index.html"].decode()

    # rename: the same incident under another file name
    renamed = added.with_name("2026-05-20-dpd-labels-renamed.md")
    added.rename(renamed)
    _same_as_fresh(root, server, tmp_path, "rename")

    # delete: its page goes
    renamed.unlink()
    site = _same_as_fresh(root, server, tmp_path, "delete")
    assert "incidents/INC-2026-900/index.html" not in site

    # break: the site is still served, without the broken incident, and names the problem
    _replace(repeat, "severity: Sev", "severity: Sev9 # was Sev")
    site = _same_as_fresh(root, server, tmp_path, "break")
    script = site["assets/incident-loop/problems.js"].decode()
    assert "2026-05-26-dpd-label-latency-repeat.md:4: error: severity:" in script

    # fix: the problems are gone and the incident is back
    _replace(repeat, "severity: Sev9 # was Sev", "severity: Sev")
    site = _same_as_fresh(root, server, tmp_path, "fix")
    assert "var problems = [];" in site["assets/incident-loop/problems.js"].decode()

    # a partner page: its name is shown on the incident pages that name it
    _replace(root / "docs/integrations/dpd.md", "name: DPD Germany", "name: DPD Deutschland")
    site = _same_as_fresh(root, server, tmp_path, "partner page")
    assert "DPD Deutschland" in site["incidents/INC-2026-007/index.html"].decode()


def test_a_body_link_follows_the_incident_it_points_to(
    served: tuple[Path, DirtyServe], tmp_path: Path
) -> None:
    """An incident page shows where its body's links resolve: when the incident a link points
    to changes its id, the linking page is made again (the file name stays, the page moves)."""
    root, server = served
    outage = root / "incidents/2026/2026-05-05-dpd-label-api-outage.md"
    target = root / "incidents/2026/2026-06-09-webhook-tls-certificate-expired.md"
    link = "\nSee [the certificate one](2026-06-09-webhook-tls-certificate-expired.md).\n"
    outage.write_text(outage.read_text(encoding="utf-8") + link, encoding="utf-8")
    site = _same_as_fresh(root, server, tmp_path, "a link to INC-2026-009")
    assert 'href="../INC-2026-009/"' in site["incidents/INC-2026-007/index.html"].decode()
    _replace(target, "id: INC-2026-009", "id: INC-2026-959")
    site = _same_as_fresh(root, server, tmp_path, "INC-2026-009 renamed INC-2026-959")
    assert 'href="../INC-2026-959/"' in site["incidents/INC-2026-007/index.html"].decode()


def test_action_links_follow_the_register_page_that_holds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registers of ten rows: a due date later in the register moves the rows after it up a
    place, and INC-2026-009-A4 from page 2 to page 1; its incident's page links it there."""
    monkeypatch.setattr(urls, "ROWS_PER_PAGE", 10)
    monkeypatch.setattr(render, "ROWS_PER_PAGE", 10)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
    root = sample_copy(tmp_path)
    server = DirtyServe(root, tmp_path / "served")
    try:
        site = _same_as_fresh(root, server, tmp_path, "start")
        page = site["incidents/INC-2026-009/index.html"].decode()
        assert "actions/page/2/#inc-2026-009-a4" in page
        printer = root / "incidents/2025/2025-12-15-duisburg-printer-driver-update.md"
        _replace(printer, "    priority: P3\n", "    priority: P3\n    due: 2027-06-01\n")
        site = _same_as_fresh(root, server, tmp_path, "a due date moved to 2027")
        page = site["incidents/INC-2026-009/index.html"].decode()
        assert "actions/#inc-2026-009-a4" in page and "page/2/#inc-2026-009-a4" not in page
    finally:
        server.close()


def _written(site: Path, pattern: str = "*.html") -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob(pattern)}


def _remade(before: dict[str, int], site: Path, prefix: str, pattern: str = "*.html") -> set[str]:
    """The pages (or files of ``pattern``) under ``prefix`` that the last rebuild wrote."""
    after = _written(site, pattern)
    return {name for name in after if name.startswith(prefix) and after[name] != before.get(name)}


def test_paged_indexes_make_again_only_the_pages_whose_rows_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of five rows: the sample's 33 incidents fill seven log pages, newest first, so
    INC-2026-005 (the 13th newest) is on page 3. Its title is on that log page only; an action
    of it that is done shows on the register and the backlog, and in its row's open count."""
    monkeypatch.setattr(urls, "ROWS_PER_PAGE", 5)
    monkeypatch.setattr(render, "ROWS_PER_PAGE", 5)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
    made: list[str] = []  # the index pages rendered, by source path
    page = render.Renderer._page

    def spy(self: render.Renderer, src: str, *args: object, **kwargs: object) -> object:
        made.append(src)
        return page(self, src, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render.Renderer, "_page", spy)
    root = sample_copy(tmp_path)
    venlo = root / "incidents/2026/2026-03-24-venlo-returns-dashboard-stale.md"
    server = DirtyServe(root, tmp_path / "served")
    try:
        site = _same_as_fresh(root, server, tmp_path, "start")
        assert "INC-2026-005" in site["incidents/page/3/index.html"].decode()

        before = _written(server.site)
        made.clear()
        _replace(venlo, "title: Venlo returns dashboard froze", "title: Venlo returns board froze")
        site = _same_as_fresh(root, server, tmp_path, "a title on log page 3")
        assert "Venlo returns board froze" in site["incidents/page/3/index.html"].decode()
        assert _remade(before, server.site, "incidents/page/") == {"incidents/page/3/index.html"}
        assert _remade(before, server.site, "actions/") == set()
        # Made again: that log page, the backlog's first (INC-2026-005 qualifies, within the
        # last year), and the pages made from the whole model; no register page.
        paged = {src for src in made if src.startswith(("incidents/", "actions/", "backlog/"))}
        assert paged == {"incidents/page/3.md", "backlog/index.md"}
        assert {"trends/index.md", "peak/index.md"} <= set(made)

        before = _written(server.site)
        _replace(venlo, "    status: planned\n", "    status: done\n    completed_at: 2026-04-01\n")
        _same_as_fresh(root, server, tmp_path, "an action of INC-2026-005 done")
        assert _remade(before, server.site, "incidents/page/") == {"incidents/page/3/index.html"}
        assert _remade(before, server.site, "actions/")
        assert _remade(before, server.site, "backlog/")

        # A new incident, the newest: every log page shifts by a row.
        before = _written(server.site)
        new = root / "incidents/2026/2026-11-26-venlo-board-again.md"
        text = venlo.read_text(encoding="utf-8").split("actions:")[0] + "---\n\nBody.\n"
        text = text.replace("id: INC-2026-005", "id: INC-2026-905").replace(
            "2026-03-2", "2026-11-2"
        )
        new.write_text(text.replace("resolved_at: 2026-04-01T12:00:00+02:00\n", ""), "utf-8")
        _same_as_fresh(root, server, tmp_path, "a new incident")
        assert len(_remade(before, server.site, "incidents/page/")) == 6
    finally:
        server.close()


def test_a_rebuild_compiles_the_theme_again_only_where_a_template_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Serve makes a new theme environment for each rebuild; the templates compiled by the first
    build are kept, and a template edited while serving is compiled again and used."""
    import jinja2

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
    root = sample_copy(tmp_path)
    overrides = root / "overrides"
    overrides.mkdir()
    (overrides / "main.html").write_text(
        '{% extends "base.html" %}\n{% block footer %}<p>Override one</p>{% endblock %}\n',
        encoding="utf-8",
    )
    _replace(
        root / "mkdocs.yml", "  name: material\n", "  name: material\n  custom_dir: overrides\n"
    )
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile

    def spy(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return compile_template(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    server = DirtyServe(root, tmp_path / "served")
    try:
        assert {"main.html", "base.html", "404.html", "partials/header.html"} <= set(compiled)
        compiled.clear()
        server.rebuild()
        assert not {"main.html", "base.html", "404.html", "partials/header.html"} & set(compiled)
        assert "Override one" in (tmp_path / "served/404.html").read_text(encoding="utf-8")

        _replace(overrides / "main.html", "Override one", "Override two")
        compiled.clear()
        server.rebuild()
        assert "main.html" in compiled
        assert not {"base.html", "404.html", "partials/header.html"} & set(compiled)
        assert "Override two" in (tmp_path / "served/404.html").read_text(encoding="utf-8")

        # A hook added while serving changes how Jinja reads every template: all are compiled.
        add_hook(root, "def on_env(env, config, files):\n    env.trim_blocks = True\n")
        compiled.clear()
        server.rebuild()
        assert {"main.html", "base.html", "404.html", "partials/header.html"} <= set(compiled)
    finally:
        server.close()


def test_after_a_rebuild_that_failed_while_writing_the_next_serves_what_a_fresh_build_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild that stops on an error has written some of its pages. Once the sources are
    as they were before it, nothing differs from the last successful build, yet the pages it
    wrote must go: the next rebuild makes every page again and removes the page of an incident
    that was added for the failed rebuild and deleted since."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
    root = sample_copy(tmp_path)
    overrides = root / "overrides"
    overrides.mkdir()
    # A theme template that fails on one page, as a user's override can: Jinja raises
    # UndefinedError when it calls the undefined `boom`.
    (overrides / "main.html").write_text(
        '{% extends "base.html" %}\n'
        '{% block content %}{% if "Boom" in page.title %}{{ boom() }}{% endif %}'
        "{{ super() }}{% endblock %}\n",
        encoding="utf-8",
    )
    _replace(
        root / "mkdocs.yml", "  name: material\n", "  name: material\n  custom_dir: overrides\n"
    )
    outage = root / "incidents/2026/2026-05-05-dpd-label-api-outage.md"
    oldest = root / "incidents/2025/2025-04-08-shopify-order-webhook-duplicates.md"
    added = root / "incidents/2026/2026-05-20-dpd-labels-again.md"
    before = {path: path.read_text(encoding="utf-8") for path in (outage, oldest)}
    server = DirtyServe(root, tmp_path / "served")
    try:
        _replace(outage, "title: DPD label API outage,", "title: Written before the failure,")
        text = before[outage].replace("id: INC-2026-007", "id: INC-2026-900")
        added.write_text(text.split("actions:")[0] + "---\n\nBody.\n", encoding="utf-8")
        # The oldest incident's page is made after the log's and the newer incidents' pages.
        _replace(oldest, "title: Duplicate Shopify orders", "title: Boom Shopify orders")
        with pytest.raises(jinja2.exceptions.UndefinedError, match="'boom' is undefined"):
            server.rebuild()
        site = tmp_path / "served"
        assert "Written before the failure" in (site / "incidents/index.html").read_text("utf-8")
        assert (site / "incidents/INC-2026-900/index.html").is_file()

        for path, text in before.items():
            path.write_text(text, encoding="utf-8")
        added.unlink()
        served = _same_as_fresh(root, server, tmp_path, "after the failure")
        assert "Written before the failure" not in served["incidents/index.html"].decode()
        assert "incidents/INC-2026-900/index.html" not in served
    finally:
        server.close()


#: The exports of the site: the files under api/ and the feed.
EXPORT_FILES = {
    "api/incidents.json",
    "api/actions.json",
    "api/trends.json",
    "api/peak.json",
    "api/actions.csv",
    "feed.xml",
}


def test_an_export_is_written_again_only_when_what_it_shows_changed(
    served: tuple[Path, DirtyServe], tmp_path: Path
) -> None:
    """A title is in api/incidents.json and the feed, not in the actions, the trends or the
    peak readiness (INC-2026-007 started in May, outside the peak period); a body is in none."""
    root, server = served
    outage = root / "incidents/2026/2026-05-05-dpd-label-api-outage.md"

    before = _written(server.site, "*")
    _replace(outage, "title: DPD label API outage,", "title: DPD shipping API outage,")
    _same_as_fresh(root, server, tmp_path, "a title")
    rewritten = _remade(before, server.site, "", "*") & EXPORT_FILES
    assert {"api/incidents.json", "feed.xml"} <= rewritten
    assert not {"api/actions.json", "api/trends.json", "api/peak.json"} & rewritten

    before = _written(server.site, "*")
    outage.write_text(outage.read_text(encoding="utf-8") + "\nWritten while serving.\n", "utf-8")
    _same_as_fresh(root, server, tmp_path, "the body")
    assert _remade(before, server.site, "", "*") & EXPORT_FILES == set()


def test_a_strict_abort_after_the_pages_are_written_keeps_the_rebuilds_dirty(
    served: tuple[Path, DirtyServe],
) -> None:
    """`serve --dirty --strict` aborts every rebuild: MkDocs' own "a 'dirty' build is being
    performed" is a warning. It aborts once every page and export is written (after
    on_post_build, then on_build_error): what was served is whole, so the next rebuild still
    makes again only the pages an edit changed."""
    from mkdocs.exceptions import Abort

    root, server = served
    config = root / "mkdocs.yml"
    config.write_text("strict: true\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(Abort, match="in strict mode"):
        server.rebuild()  # mkdocs.yml changed: every page is made again

    repeat = root / "incidents/2026/2026-05-26-dpd-label-latency-repeat.md"
    before = _written(server.site)
    repeat.write_text(repeat.read_text(encoding="utf-8") + "\nA line.\n", encoding="utf-8")
    with pytest.raises(Abort, match="in strict mode"):
        server.rebuild()
    # (Hand-written pages are made again on any change: their macros may show anything.)
    assert _remade(before, server.site, "incidents/") == {"incidents/INC-2026-008/index.html"}


def test_the_search_index_holds_two_hand_written_pages_once_after_both_changed(
    served: tuple[Path, DirtyServe], tmp_path: Path
) -> None:
    """Two hand-written pages edited in one save are the only pages made again. Material's own
    merge dropped the old entries of the first of them only: the second was in the index with
    its old text and its new one."""
    root, server = served
    before = _written(server.site)
    for name, line in (("how-the-loop-works", "Loop edited."), ("writing-an-incident", "Edited.")):
        page = root / "docs" / f"{name}.md"
        page.write_text(page.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    _same_as_fresh(root, server, tmp_path, "two hand-written pages")
    assert _remade(before, server.site, "") - {"404.html"} == {  # MkDocs writes it every time
        "how-the-loop-works/index.html",
        "writing-an-incident/index.html",
    }


def test_a_draft_page_stays_in_the_search_index_of_a_rebuild_that_did_not_make_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve`` makes draft pages (``draft_docs``) and Material indexes them, so their
    entries are kept, as those of any page, when a save makes other pages."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
    root = sample_copy(tmp_path)
    _replace(root / "mkdocs.yml", "plugins:\n", "draft_docs: |\n  drafts/\n\nplugins:\n")
    (root / "docs/drafts").mkdir()
    (root / "docs/drafts/outage-review.md").write_text(
        "# Outage review\n\nA draft about the DPD label outage.\n", encoding="utf-8"
    )
    server = DirtyServe(root, tmp_path / "served")
    try:
        loop = root / "docs/how-the-loop-works.md"
        loop.write_text(loop.read_text(encoding="utf-8") + "\nLoop edited.\n", encoding="utf-8")
        _same_as_fresh(root, server, tmp_path, "a page beside a draft")
        _, entries = _search_entries(server.site)
        assert any('"location": "drafts/outage-review/"' in entry for entry in entries)
    finally:
        server.close()


def test_a_failed_search_index_write_makes_the_next_rebuild_whole_with_the_plugin_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``incident-loop`` listed before ``search``, the plugin's exports run before Material
    writes its index. When that write fails, the build has not finished: the next rebuild makes
    every page again, and the index holds them all."""
    from material.plugins.search import plugin as search

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
    root = sample_copy(tmp_path)
    config = root / "mkdocs.yml"
    _replace(config, "  - search\n  - tags\n", "")
    _replace(config, "  - macros:\n", "  - search\n  - tags\n  - macros:\n")
    server = DirtyServe(root, tmp_path / "served")
    try:
        generate = search.SearchIndex.generate_search_index
        failing = {"left": 1}

        def fail_once(self: object, prev: object) -> str:
            if failing["left"]:
                failing["left"] -= 1
                raise OSError("disk full")
            return generate(self, prev)  # type: ignore[no-any-return]

        monkeypatch.setattr(search.SearchIndex, "generate_search_index", fail_once)
        outage = root / "incidents/2026/2026-05-05-dpd-label-api-outage.md"
        outage.write_text(outage.read_text(encoding="utf-8") + "\nFirst save.\n", "utf-8")
        with pytest.raises(OSError, match="disk full"):
            server.rebuild()
        outage.write_text(outage.read_text(encoding="utf-8") + "\nSecond save.\n", "utf-8")
        _same_as_fresh(root, server, tmp_path, "the save after the failed index write")
    finally:
        server.close()


#: A hook whose ``on_files`` runs after the plugin's and returns a new list with one more page,
#: from a folder beside ``docs/``.
HANDBOOK_HOOK = """
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files


@event_priority(-100)
def on_files(files, config):
    extra = str(Path(config.config_file_path).parent / "extra")
    page = File("handbook.md", extra, config.site_dir, config.use_directory_urls)
    return Files([*files, page])
"""


def test_a_page_added_after_the_plugin_stays_in_the_search_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index keeps the pages of the build's final list, not those the plugin's own
    ``on_files`` returned: a page another plugin adds later is kept while it is not made."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)
    root = sample_copy(tmp_path)
    (root / "extra").mkdir()
    (root / "extra/handbook.md").write_text("# On-call handbook\n\nPage the lead.\n", "utf-8")
    add_hook(root, HANDBOOK_HOOK)
    server = DirtyServe(root, tmp_path / "served")
    try:
        outage = root / "incidents/2026/2026-05-05-dpd-label-api-outage.md"
        outage.write_text(outage.read_text(encoding="utf-8") + "\nA body edit.\n", "utf-8")
        _same_as_fresh(root, server, tmp_path, "a body beside a page added after the plugin")
        _, entries = _search_entries(server.site)
        assert any('"location": "handbook/"' in entry for entry in entries)
    finally:
        server.close()
