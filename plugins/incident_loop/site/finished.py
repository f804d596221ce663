"""Finished HTML: the tables and charts the templates make that grow with the data (the log,
the register, the backlog's actions and qualifying incidents, the incident and action lists of
the catalogue pages, the runbooks index, the charts and data tables of the trends) are HTML with
nothing left for Markdown to do.

Python-Markdown would still read every tag of them twice, its raw-HTML block reader and then
MkDocs' scan for anchors: at 1,000 incidents that was a third of the time of a ``mkdocs serve``
rebuild after a new incident (issue 19), and more of a build. So the templates wrap such HTML in
:data:`START` ... :data:`END` (the ``finished`` macro of ``parts.html.j2``); the plugin takes
each block out of a page's markdown once it is whole (:func:`lift`, leaving a placeholder
comment) and puts the blocks back into the HTML Markdown made (:func:`put_back`), before any other
plugin or the search index sees the page. The page is the same; Markdown skips the rows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

START = "<!--il-finished-->"
END = "<!--/il-finished-->"
_BLOCK = re.compile(re.escape(START) + "(.*?)" + re.escape(END), re.DOTALL)
_PLACEHOLDER = re.compile(r"<!--il-finished (\d+)-->")
_ID = re.compile(r'\sid="([^"]*)"')


def lift(markdown: str) -> tuple[str, list[str]]:
    """The markdown with each finished block replaced by a placeholder, and the blocks."""
    if START not in markdown:
        return markdown, []
    blocks: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        blocks.append(match.group(1))
        return f"<!--il-finished {len(blocks) - 1}-->"

    return _BLOCK.sub(placeholder, markdown), blocks


def put_back(page: str, blocks: list[str]) -> str:
    """The built page with the blocks in place of their placeholders."""
    if not blocks:
        return page

    def block(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return blocks[number] if number < len(blocks) else match.group(0)

    return _PLACEHOLDER.sub(block, page)


def anchor_ids(blocks: Iterable[str]) -> set[str]:
    """The ``id`` attributes of the blocks: links to them are as valid as to any anchor."""
    return {html.unescape(value) for block in blocks for value in _ID.findall(block)}
