"""Step 1: files to raw records that remember their file and line.

Nothing here knows what an incident is: it finds the files, refuses what must never be read (files
that are too large, binary, not UTF-8, or symlinks out of the project), splits the front matter from
the body and reads the YAML with :mod:`incident_loop.yamlio`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic
from .yamlio import KeyPath, YamlProblem, read_yaml

#: Files under ``incidents/`` that are documentation of the folder, not incidents.
NOT_INCIDENTS = {"readme.md"}

OUTSIDE_PROJECT = (
    "this is a symlink to a place outside the project; it is not read or published. "
    "Copy the file into the project instead"
)


@dataclass(slots=True)
class SourceFile:
    """One file as read: its data (``None`` when unreadable), key lines and markdown body.

    The text itself is not kept: the body is needed once per build (when MkDocs reads the
    incident's page) and the YAML only when a message needs a line, so both are read from the
    file again then. ``digest`` tells whether the file still holds the text that was read.
    """

    #: The file's path as text: a ``Path`` per file would take three times the memory.
    path: str
    rel: str
    data: Any = None
    body_line: int = 1
    #: A tuple: an empty one, what nearly every file has, takes no memory.
    problems: tuple[Diagnostic, ...] = ()
    #: Lines (0-based, end excluded) of the YAML text, and the line a missing top-level key is
    #: reported on; ``None`` when there is no YAML to read.
    yaml_lines: tuple[int, int] | None = None
    root_line: int = 1
    #: ``hash()`` of the text as read (after decoding and line-ending normalisation).
    digest: int = 0
    #: False when the file has no body (unreadable, or its front matter is not closed).
    has_body: bool = True
    #: True when the YAML was read without a syntax error (its lines can be worked out again).
    parsed: bool = False
    _lines: dict[KeyPath, int] | None = field(default=None, repr=False, compare=False)

    def add_problem(self, diagnostic: Diagnostic) -> None:
        """Record a problem found while reading the file."""
        self.problems += (diagnostic,)

    def _text_now(self) -> str | None:
        """The file's text as it is now if it is what was read, else ``None``."""
        if not self.digest:  # no text was read
            return None
        try:
            with open(self.path, "rb") as handle:
                text = _normalise(handle.read().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            return None
        return text if hash(text) == self.digest else None

    def unchanged(self) -> bool:
        """Whether the file still holds the text that was read (see :mod:`.ahead`)."""
        return self._text_now() is not None

    def _text_lines(self) -> list[str] | None:
        """The file's lines as they were read, or ``None`` if it has changed since."""
        text = self._text_now()
        return text.split("\n") if text is not None else None

    @property
    def body(self) -> str:
        """The markdown after the front matter (the whole file when it has none)."""
        if not self.has_body:
            return ""
        lines = self._text_lines()
        if lines is None:  # changed while the build ran: the next build reads it again
            return ""
        return "\n".join(lines[self.body_line - 1 :])

    @property
    def lines(self) -> dict[KeyPath, int]:
        """The line of every key and list item, by key path.

        Worked out again from the YAML the first time a message needs a line: most files never
        have one, and the map of a 45-line front matter takes more memory than its text.
        """
        if self._lines is None:
            self._lines = {(): self.root_line}
            lines = self._text_lines() if self.parsed and self.yaml_lines else None
            if lines is not None and self.yaml_lines is not None:
                start, end = self.yaml_lines
                try:
                    document = read_yaml(
                        "\n".join(lines[start:end]), first_line=start + 1, root_line=self.root_line
                    )
                except YamlProblem:  # pragma: no cover - it was read once already
                    pass
                else:
                    self._lines = document.lines
        return self._lines

    def release(self) -> None:
        """Let go of the YAML data once it is checked (see :func:`validate.load_project`).

        The validated models hold the values; the dicts and lists around them take about 2 KiB
        per incident (N=1,000, tracemalloc). The body and the lines are still read from the
        file when asked for.
        """
        self.data = None

    def line(self, key_path: KeyPath) -> int:
        """Line of ``key_path``, or of its nearest parent that exists (for a missing key)."""
        while key_path not in self.lines and key_path:
            key_path = key_path[:-1]
        return self.lines.get(key_path, 1)

    def error(self, key_path: KeyPath, message: str, *, line: int | None = None) -> Diagnostic:
        return Diagnostic(
            self.rel,
            line if line is not None else self.line(key_path),
            "error",
            field_name(key_path) or "file",
            message,
        )


def field_name(key_path: KeyPath) -> str:
    """``("actions", 0, "owner")`` -> ``actions[0].owner``, the way the user wrote it."""
    text = ""
    for part in key_path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = str(part) if str(part).strip() else f'"{part}"'  # an empty key stays visible
            text += f".{name}" if text else name
    return text


def _decode(path: Path, rel: str, max_size: int) -> tuple[str | None, list[Diagnostic]]:
    """Read a file as text, or say exactly why it cannot be read."""

    def problem(message: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(rel, 1, "error", "file", message)]

    try:
        stat = path.stat()
        if stat.st_size > max_size:
            return problem(
                f"the file is {stat.st_size:,} bytes, more than the limit of {max_size:,}; "
                "move long material to a linked document, or raise the plugin option "
                "max_file_size"
            )
        raw = path.read_bytes()
    except OSError as exc:
        return problem(f"the file cannot be read: {exc.strerror or exc}")
    if b"\x00" in raw:
        return problem("the file is binary, not markdown text; save it as UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return (
            None,
            [
                Diagnostic(
                    rel,
                    line,
                    "error",
                    "file",
                    f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read); "
                    "save it with UTF-8 encoding",
                )
            ],
        )
    return _normalise(text), []


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


#: Files already read, by what identifies their content: parsed once across ``mkdocs serve``
#: rebuilds and between the plugin and the macros pluglet. A SourceFile is never changed after
#: it is read, so sharing it is safe.
_CACHE: dict[tuple[str, Path, str, int], tuple[tuple[int, int, int, int], SourceFile]] = {}
_CACHE_LIMIT = 200_000


#: A file modified this recently may change again within the file system's timestamp
#: granularity without its stamp changing (git's "racily clean" problem): hash its content too.
RACY_SECONDS = 2
HASH_LIMIT = 16 * 1024 * 1024


def file_stamp(path: Path | str) -> tuple[int, int, int, int]:
    """What identifies a file's content: mtime, size, inode, and a hash when it is fresh."""
    stat = os.stat(path)
    digest = 0
    fresh = time.time_ns() - stat.st_mtime_ns < RACY_SECONDS * 1_000_000_000
    if fresh and stat.st_size <= HASH_LIMIT:  # larger files are refused by size anyway
        try:
            with open(path, "rb") as handle:
                digest = hash(handle.read())
        except OSError:
            digest = -1
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino, digest)


def _cached(kind: str, path: Path, rel: str, max_size: int) -> SourceFile:
    try:
        stamp = file_stamp(path)
    except OSError:
        return _READERS[kind](path, rel, max_size)
    key = (kind, path, rel, max_size)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    source = _READERS[kind](path, rel, max_size)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = (stamp, source)
    return source


def read_markdown(path: Path, rel: str, max_size: int, *, cache: bool = True) -> SourceFile:
    """A markdown file with YAML front matter between two ``---`` lines at its top.

    With ``cache=False`` the file is read and not remembered (nor looked up): for a run that
    reads the project once and may :meth:`~SourceFile.release` what it read.
    """
    if not cache:
        return _read_markdown(path, rel, max_size)
    return _cached("markdown", path, rel, max_size)


def read_yaml_file(path: Path, rel: str, max_size: int) -> SourceFile:
    """A plain YAML file (``failure-modes.yml``)."""
    return _cached("yaml", path, rel, max_size)


def _read_markdown(path: Path, rel: str, max_size: int) -> SourceFile:
    source = SourceFile(path=os.fspath(path), rel=rel)
    text, problems = _decode(path, rel, max_size)
    source.problems += tuple(problems)
    if text is None:
        source.has_body = False
        return source
    source.digest = hash(text)
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        source.add_problem(
            Diagnostic(
                rel,
                1,
                "error",
                "front matter",
                "the file has no front matter: start it with a line `---`, then the fields "
                "(`title: ...`), then a line `---`, then the text",
            )
        )
        return source
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if closing is None:
        source.add_problem(
            Diagnostic(
                rel,
                1,
                "error",
                "front matter",
                "the front matter is not closed: add a line `---` after the last field",
            )
        )
        source.has_body = False
        return source
    source.body_line = closing + 2
    source.yaml_lines = (1, closing)
    _read_front_matter(source, "\n".join(lines[1:closing]), first_line=2, root_line=1)
    if source.data is None and not source.problems:
        source.add_problem(
            Diagnostic(rel, 1, "error", "front matter", "the front matter is empty; add the fields")
        )
    elif source.data is not None and not isinstance(source.data, dict):
        source.add_problem(
            Diagnostic(
                rel,
                2,
                "error",
                "front matter",
                "the front matter must be fields written as `name: value`, one per line",
            )
        )
        source.data = None
    return source


def _read_yaml_file(path: Path, rel: str, max_size: int) -> SourceFile:
    source = SourceFile(path=os.fspath(path), rel=rel, has_body=False)
    text, problems = _decode(path, rel, max_size)
    source.problems += tuple(problems)
    if text is not None:
        source.digest = hash(text)
        source.yaml_lines = (0, text.count("\n") + 1)
        _read_front_matter(source, text, first_line=1, root_line=1)
    return source


_READERS = {"markdown": _read_markdown, "yaml": _read_yaml_file}


def _read_front_matter(source: SourceFile, text: str, *, first_line: int, root_line: int) -> None:
    source.root_line = root_line
    try:
        document = read_yaml(text, first_line=first_line, root_line=root_line, lines=False)
    except YamlProblem as problem:
        source.add_problem(Diagnostic(source.rel, problem.line, "error", "yaml", problem.message))
        return
    source.data = document.data
    source.parsed = True
    for line, key_path, message in document.problems:
        source.add_problem(Diagnostic(source.rel, line, "error", field_name(key_path), message))


def walk_files(folder: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    """``os.walk`` that follows symlinked folders once each, so that a loop cannot hang it."""
    seen_dirs: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        real = Path(dirpath).resolve()
        if real in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        dirnames.sort()
        yield Path(dirpath), dirnames, sorted(filenames)


def find_markdown(
    folder: Path, root: Path, *, skip: set[str] | None = None
) -> Iterator[tuple[Path, str | None]]:
    """Every ``*.md`` below ``folder`` in a stable order, with a refusal message for symlinks out.

    Yields ``(path, None)`` for a file to read and ``(path, message)`` for one that must not be
    read. Hidden files and folders (``.git``, editor swap files) are skipped.
    """
    skip = skip or set()
    real_root = root.resolve()
    for current, dirnames, filenames in walk_files(folder):
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            target = (current / name).resolve()
            if not target.is_relative_to(real_root):
                yield current / name, OUTSIDE_PROJECT
                continue
            kept.append(name)
        dirnames[:] = kept
        # A file that is not a symlink is where its folder really is: one resolve per folder.
        folder_inside = current.resolve().is_relative_to(real_root)
        for name in filenames:
            if name.startswith(".") or not name.endswith(".md") or name.lower() in skip:
                continue
            path = current / name
            if os.path.islink(path):
                inside = path.resolve().is_relative_to(real_root)
            else:
                inside = folder_inside
            yield path, (None if inside else OUTSIDE_PROJECT)
