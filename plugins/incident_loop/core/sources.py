"""Step 1: files to raw records that remember their file and line.

Nothing here knows what an incident is: it finds the files, refuses what must never be read (files
that are too large, binary, not UTF-8, or symlinks out of the project), splits the front matter from
the body and reads the YAML with :mod:`incident_loop.yamlio`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from .diagnostics import Diagnostic
from .yamlio import KeyPath, YamlProblem, read_yaml

T = TypeVar("T")

#: Files under ``incidents/`` that are documentation of the folder, not incidents.
NOT_INCIDENTS = {"readme.md"}

OUTSIDE_PROJECT = (
    "this is a symlink to a place outside the project; it is not read or published. "
    "Copy the file into the project instead"
)


@dataclass(slots=True)
class SourceFile:
    """One file as read: its data (``None`` when unreadable), its markdown body, and the line
    of every key, worked out when a message first needs one."""

    path: str
    rel: str
    data: Any = None
    #: The markdown after the front matter (empty when the file cannot be read).
    body: str = ""
    #: The 1-based line the body starts on.
    body_line: int = 1
    problems: tuple[Diagnostic, ...] = ()
    #: The YAML text and the file line of its first line; ``None`` when it could not be parsed.
    yaml_text: str | None = None
    yaml_first_line: int = 1
    #: The line a missing top-level key is reported on.
    root_line: int = 1
    _lines: dict[KeyPath, int] | None = field(default=None, repr=False, compare=False)
    _derived: dict[Hashable, Any] | None = field(default=None, repr=False, compare=False)

    def derive(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, worked out once per read of the file and kept with it under ``key``: a
        file that :class:`SourceCache` serves again is not validated again (``mkdocs serve``).
        ``make`` must depend on nothing but the file and ``key``; what it raises is not kept."""
        if self._derived is None:
            self._derived = {}
        if key not in self._derived:
            self._derived[key] = make()
        return cast(T, self._derived[key])

    def add_problem(self, diagnostic: Diagnostic) -> None:
        """Record a problem found while reading the file."""
        self.problems += (diagnostic,)

    @property
    def lines(self) -> dict[KeyPath, int]:
        """The line of every key and list item, by key path.

        Parsed again from the YAML text the first time a message needs a line: most files
        never have one, and the map is larger than the text it describes.
        """
        if self._lines is None:
            self._lines = {(): self.root_line}
            if self.yaml_text is not None:
                try:
                    document = read_yaml(
                        self.yaml_text, first_line=self.yaml_first_line, root_line=self.root_line
                    )
                except YamlProblem:  # pragma: no cover - it was read once already
                    pass
                else:
                    self._lines = document.lines
        return self._lines

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


def read_markdown(path: Path, rel: str, max_size: int) -> SourceFile:
    """A markdown file with YAML front matter between two ``---`` lines at its top."""
    source = SourceFile(path=os.fspath(path), rel=rel)
    text, problems = _decode(path, rel, max_size)
    source.problems += tuple(problems)
    if text is None:
        return source
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        source.body = text
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
        return source
    source.body_line = closing + 2
    source.body = "\n".join(lines[closing + 1 :])
    _read_front_matter(source, "\n".join(lines[1:closing]), first_line=2)
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


class SourceCache:
    """Markdown files as read by an earlier call, kept while they are unchanged on disk.

    A long-running process (``mkdocs serve``) keeps one and passes it to each load, so that a
    rebuild reads only the files saved since the last one. A :class:`SourceFile` is not changed
    once read, so the same one serves every load.
    """

    def __init__(self) -> None:
        self._files: dict[str, tuple[tuple[int, int, int, str, int], SourceFile]] = {}
        self._used: set[str] = set()

    def read_markdown(self, path: Path, rel: str, max_size: int) -> SourceFile:
        """:func:`read_markdown`, or the file read before when its time and size are the same."""
        name = os.fspath(path)
        self._used.add(name)
        try:
            stat = path.stat()
        except OSError:
            self._files.pop(name, None)
            return read_markdown(path, rel, max_size)
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino, rel, max_size)
        known = self._files.get(name)
        if known is not None and known[0] == key:
            return known[1]
        source = read_markdown(path, rel, max_size)
        self._files[name] = (key, source)
        return source

    def forget_unused(self) -> None:
        """Let go of the files that the last load did not read (deleted or renamed)."""
        for name in self._files.keys() - self._used:
            del self._files[name]
        self._used = set()


def read_yaml_file(path: Path, rel: str, max_size: int) -> SourceFile:
    """A plain YAML file (``failure-modes.yml``)."""
    source = SourceFile(path=os.fspath(path), rel=rel)
    text, problems = _decode(path, rel, max_size)
    source.problems += tuple(problems)
    if text is not None:
        _read_front_matter(source, text, first_line=1)
    return source


def _read_front_matter(source: SourceFile, text: str, *, first_line: int) -> None:
    try:
        document = read_yaml(text, first_line=first_line, root_line=1, lines=False)
    except YamlProblem as problem:
        source.add_problem(Diagnostic(source.rel, problem.line, "error", "yaml", problem.message))
        return
    source.data = document.data
    source.yaml_text = text
    source.yaml_first_line = first_line
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
