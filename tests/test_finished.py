"""Finished HTML (site/finished.py): the long tables skip Markdown, and the built page and the
search index have them as the templates made them."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import add_hook, build_site, sample_copy, search_text
from incident_loop.site import finished

PAGE = (
    "# Log\n\n<p>Two tables.</p>\n\n"
    '<!--il-finished--><table><tr id="a&amp;b"><td>*one*</td></tr></table><!--/il-finished-->\n\n'
    "Text between.\n\n"
    "<!--il-finished--><table><tr><td>two</td></tr></table><!--/il-finished-->\n"
)


def test_lift_leaves_placeholders_and_put_back_restores_the_blocks() -> None:
    markdown, blocks = finished.lift(PAGE)
    assert blocks == [
        '<table><tr id="a&amp;b"><td>*one*</td></tr></table>',
        "<table><tr><td>two</td></tr></table>",
    ]
    assert markdown == (
        "# Log\n\n<p>Two tables.</p>\n\n<!--il-finished 0-->\n\nText between.\n\n"
        "<!--il-finished 1-->\n"
    )
    built = "<h1>Log</h1><!--il-finished 1--><p>x</p><!--il-finished 0-->"
    assert finished.put_back(built, blocks) == (
        "<h1>Log</h1><table><tr><td>two</td></tr></table><p>x</p>"
        '<table><tr id="a&amp;b"><td>*one*</td></tr></table>'
    )
    # A placeholder the page did not lift (written by hand) stays as it is.
    assert finished.put_back("<!--il-finished 7-->", blocks) == "<!--il-finished 7-->"
    assert finished.lift("# No blocks\n") == ("# No blocks\n", [])
    assert finished.anchor_ids(blocks) == {"a&b"}


def test_the_tables_are_in_the_pages_and_in_the_search_index(minimal: Path) -> None:
    site = build_site(minimal)
    title, action = "DHL label API timeouts", "Idempotency keys on label creation"
    pages = {
        "incidents/": title,
        "incidents/INC-2026-001/": action,
        "actions/": action,
        "backlog/": action,
        "integrations/dhl/": title,
        "sites/ams/": title,
    }
    for location, text in pages.items():
        html = (site / location / "index.html").read_text(encoding="utf-8")
        assert text in html, location
        assert "il-finished" not in html, location
        assert text in search_text(site, location), location
    log = (site / "incidents/index.html").read_text(encoding="utf-8")
    assert f'<td class="il-fill" title="{title}">{title}</td>' in log
    # Search joins the text of adjacent cells: the header cells are apart, word by word.
    assert "Id Date Title Severity Category Failure mode Scope" in search_text(site, "incidents/")


#: Records the markdown Python-Markdown gets, after the plugin lifted the finished HTML (-100).
MARKDOWN_HOOK = """
import json
from pathlib import Path
from mkdocs.plugins import event_priority

@event_priority(-200)
def on_page_markdown(markdown, page, config, files):
    folder = Path(config.config_file_path).parent / "markdown"
    target = folder / page.file.src_uri
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(markdown, encoding="utf-8")
"""


def test_tables_and_charts_that_grow_with_the_data_skip_markdown(tmp_path: Path) -> None:
    """The log, the backlog's ranked actions and qualifying incidents, the runbooks with the
    incidents that used them, and every chart and data table of the trends: Markdown gets none
    of their tags, only the placeholders."""
    root = sample_copy(tmp_path)
    add_hook(root, MARKDOWN_HOOK)
    build_site(root, strict=False)
    for src in ("incidents/index.md", "backlog/index.md", "runbooks/index.md", "trends/index.md"):
        markdown = (root / "markdown" / src).read_text(encoding="utf-8")
        assert "<!--il-finished 0-->" in markdown, src
        for tag in ("<table", "<tr", "<svg", "<figure"):
            assert tag not in markdown, f"{tag} in the markdown of {src}"


def _link_to_register(root: Path, anchor: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(
        "validation:\n", "validation:\n  anchors: warn\n"
    )
    config.write_text(text, encoding="utf-8")
    index = root / "docs/index.md"
    link = f"\n[The idempotency action](actions/index.md#{anchor})\n"
    index.write_text(index.read_text(encoding="utf-8") + link, encoding="utf-8")


def test_a_link_to_a_row_of_a_finished_table_is_a_valid_anchor(minimal: Path) -> None:
    _link_to_register(minimal, "inc-2026-001-a1")
    site = build_site(minimal, strict=True)
    assert 'id="inc-2026-001-a1"' in (site / "actions/index.html").read_text(encoding="utf-8")


def test_a_link_to_a_row_that_is_not_there_still_fails_strict(
    minimal: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _link_to_register(minimal, "inc-2026-001-a9")
    with pytest.raises(Abort):
        build_site(minimal, strict=True)
    assert (
        "Doc file 'index.md' contains a link 'actions/index.md#inc-2026-001-a9', but the doc "
        "'actions/index.md' does not contain an anchor '#inc-2026-001-a9'." in caplog.text
    )
