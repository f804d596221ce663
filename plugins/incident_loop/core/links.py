"""Links and images in an incident's body, resolved as GitHub resolves them.

An author writes the body next to the incident's file and previews it on GitHub: a relative link
there is relative to the file (``incidents/2026/...md``), not to the page the site makes of it
(``incidents/INC-2026-002/``). This module finds the relative links of a body and says what each
points to: another incident file (its page), a page of the docs folder, a file beside the
incidents (published with the site), or nothing (a broken link, which ``check`` reports with its
line). The site rewrites each target to the page or file it points to; the rule is here once.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from .records import Project

#: An inline link or image: ``[text](target "title")``, ``![alt](<target with spaces>)``.
_INLINE = re.compile(
    r"(?P<image>!?)\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*(?:<(?P<angled>[^<>\n]*)>|(?P<bare>[^\s()<>]+))"
)
#: A reference definition: ``[label]: target "title"``.
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*(?:<(?P<angled>[^<>\n]*)>|(?P<bare>\S+))")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")

Kind = Literal["incident", "docs", "file", "missing"]


@dataclass(frozen=True)
class BodyLink:
    """A relative link of a body: where its target is written, and the target."""

    #: The line in the body (1-based).
    line: int
    #: Offsets of the target in the body text, for rewriting it.
    start: int
    end: int
    target: str
    image: bool


@dataclass(frozen=True)
class Target:
    """What a relative link points to. ``path`` is, by ``kind``: the incident id, the path in
    the docs folder, or the path of the file from the project root."""

    kind: Kind
    path: str
    #: ``#anchor`` or ``?query#anchor`` as written, kept on the rewritten link.
    suffix: str


def relative_links(body: str) -> Iterator[BodyLink]:
    """The links and images of ``body`` that a browser would resolve against the page: not
    those with a scheme (``https:``, ``mailto:``), not ``#anchors``, not absolute paths, and
    none inside code."""
    return (link for link in _links(body) if _is_relative(link.target))


def _links(body: str) -> Iterator[BodyLink]:
    """Every inline link, image and reference definition of ``body`` outside code."""
    if "](" not in body and "]:" not in body:
        return  # no inline link, image or reference definition at all: most bodies
    offset = 0
    fence: str | None = None
    for number, line in enumerate(body.split("\n"), start=1):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
        elif opening:
            fence = opening.group(1)
        elif ("](" in line or "]:" in line) and not line.startswith(("    ", "\t")):
            visible = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
            found = list(_INLINE.finditer(visible))
            definition = _DEFINITION.match(visible)
            if definition:
                found.append(definition)
            for match in found:
                group = "angled" if match.group("angled") is not None else "bare"
                image = bool(match.groupdict().get("image"))
                start, end = match.start(group), match.end(group)
                yield BodyLink(number, offset + start, offset + end, match.group(group), image)
        offset += len(line) + 1


def _unreadable(target: str) -> bool:
    """A target that is no URL at all (``http://[grafana``, an unclosed IPv6 host): MkDocs
    stops the build on it, so the check reports it first."""
    try:
        urlsplit(target)
    except ValueError:
        return True
    return False


def _is_relative(target: str) -> bool:
    if not target or target.startswith(("#", "/")):  # also ``//host``
        return False
    try:
        return not urlsplit(target).scheme
    except ValueError:  # reported by unreadable_links
        return False


class LinkResolver:
    """Resolves the relative links of the incident bodies of one project."""

    def __init__(self, project: Project) -> None:
        paths = project.config.paths
        self.root = paths.root
        self.docs_dir = paths.relative(paths.docs_dir).strip("/")
        self.incidents_dir = paths.relative(paths.incidents_dir).strip("/")
        #: Incident files by path from the project root, and the id of each.
        self.incident_files = {r.source.rel: r.id for r in project.incidents}

    def resolve(self, target: str, source: str) -> Target:
        """What ``target``, written in the incident file ``source`` (a path from the project
        root), points to."""
        parts = urlsplit(target)
        suffix = target[len(parts.path) :] if target.startswith(parts.path) else ""
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(parts.path)))
        if path == ".." or path.startswith("../"):
            return Target("missing", path, suffix)
        if path in self.incident_files:
            return Target("incident", self.incident_files[path], suffix)
        if not self._exists(path):
            return Target("missing", path, suffix)
        if self.docs_dir and path.startswith(self.docs_dir + "/"):
            return Target("docs", path[len(self.docs_dir) + 1 :], suffix)
        if path.startswith(self.incidents_dir + "/") and not path.endswith(".md"):
            return Target("file", path, suffix)
        return Target("missing", path, suffix)

    def problems(self, body: str, source: str) -> Iterator[tuple[BodyLink, str]]:
        """What ``check`` reports of the links of ``body`` (in the incident file ``source``),
        in one scan: a target that is no URL, and a relative one that points to nothing the
        site publishes."""
        for link in _links(body):
            if _unreadable(link.target):
                yield link, unreadable_link_message(link)
            elif _is_relative(link.target):
                target = self.resolve(link.target, source)
                if target.kind == "missing":
                    yield link, broken_link_message(link, target, self.incidents_dir)

    def published(self, path: str) -> str:
        """Where a file beside the incidents is published: ``incidents/`` and its path in the
        incidents folder."""
        return "incidents/" + path[len(self.incidents_dir) + 1 :]

    def _exists(self, path: str) -> bool:
        """A file of the project, not a link to a place outside it."""
        full = self.root / path
        return full.is_file() and full.resolve().is_relative_to(self.root.resolve())


def broken_link_message(link: BodyLink, target: Target, incidents_dir: str) -> str:
    """What ``check`` says of a relative link that points to nothing it can publish."""
    what = "image" if link.image else "link"
    return (
        f"the {what} `{link.target}` points to `{target.path}`, which is not an incident file, "
        f"a file of the docs folder or a file beside the incidents in {incidents_dir}/; "
        "fix the path (it is relative to this file, as on GitHub) or use a full https:// URL"
    )


def unreadable_link_message(link: BodyLink) -> str:
    """What ``check`` says of a link whose target is no URL (see :func:`_unreadable`)."""
    what = "image" if link.image else "link"
    return (
        f"the {what} `{link.target}` is not a URL that can be read (a `[` or `]` after `//` "
        "starts an IPv6 address); fix the address, or put it in `backticks` to show it as text"
    )


def rewrite(body: str, replacements: Mapping[BodyLink, str]) -> str:
    """``body`` with the target of each link replaced."""
    out: list[str] = []
    position = 0
    for link in sorted(replacements, key=lambda link: link.start):
        out += [body[position : link.start], replacements[link]]
        position = link.end
    out.append(body[position:])
    return "".join(out)


_ATX_H1 = re.compile(r"^ {0,3}#(?=[ \t]|$)")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")


def demote_top_headings(body: str) -> str:
    """Level-1 headings of a body become level 2: the page's title is its only ``<h1>``."""
    lines = body.split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
        elif _ATX_H1.match(line):
            lines[index] = _ATX_H1.sub(lambda m: m.group(0) + "#", line, count=1)
        elif _SETEXT_H1.match(line) and index > 0 and lines[index - 1].strip():
            lines[index] = line.replace("=", "-")
    return "\n".join(lines)
