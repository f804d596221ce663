"""When git last changed a file: the review date of a runbook that has no ``reviewed`` date.

One ``git log`` over the folder for all the files asked about, read newest commit first and
stopped as soon as every file has been seen, so that a long history is not walked to its start.
Nothing here knows what a runbook is; :mod:`incident_loop.core.validate` decides what a date, or
its absence, means.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

#: Starts each commit in the log; file names are separated by NUL (``-z``).
_COMMIT = b"\x1e"


@dataclass(frozen=True, slots=True)
class NoHistory:
    """Why git gives no date for a file, and what the user can do about it."""

    reason: str
    fix: str


NOT_A_REPOSITORY = NoHistory(
    "the project is not in a git repository", "keep the project in git and commit the file"
)
SHALLOW = NoHistory(
    "this clone is shallow: its history stops before the file's last change",
    "fetch the whole history (`fetch-depth: 0` for actions/checkout)",
)


@dataclass
class LastCommits:
    """The last commit of each file asked about, as far as git knows.

    A file in neither mapping has no commit yet: it is new (untracked, or only staged).
    """

    #: The committer date of the last commit that changed each file, with the committer's offset.
    dates: dict[str, dt.datetime] = field(default_factory=dict)
    #: The files git cannot date, and why.
    unknown: dict[str, NoHistory] = field(default_factory=dict)


def last_commits(folder: Path, names: Iterable[str], revision: str | None = None) -> LastCommits:
    """The last commit that changed each file ``names`` (file names in ``folder``), in the
    history of ``revision`` (default: ``HEAD``).

    This is ``git log -1 --format=%cI -- <file>`` for every file at once. Changes not committed
    yet do not count: a file edited on disk keeps the date of its last commit.
    """
    wanted = set(names)
    result = LastCommits()
    if not wanted:
        return result
    # Whatever the user's configuration: no signature lines in the output, and every file of
    # the folder under its own name (``log.follow`` tracks a single file across renames).
    command = [
        "git",
        "-c",
        "log.showSignature=false",
        "-c",
        "log.follow=false",
        "log",
        "--no-renames",
        "--relative",  # file names relative to ``folder``, and only those in it
        "--name-only",
        "-z",
        "--format=%x1e%H %cI %P",
        *([revision] if revision else []),
        "--",
        ".",
    ]
    # Git's own messages in English, which is what the checks below read.
    environment = {**os.environ, "LC_ALL": "C", "LANGUAGE": "C"}
    try:
        process = subprocess.Popen(
            command,
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
    except OSError as exc:
        problem = NoHistory(f"git cannot be run ({exc.strerror or exc})", "install git")
        return LastCommits(unknown=dict.fromkeys(wanted, problem))
    first_commits: dict[str, str] = {}  # file -> a commit without parents that last changed it
    with process:
        assert process.stdout is not None and process.stderr is not None
        for commit, date, has_parents, files in _commits(process.stdout):
            for name in files:
                if name in wanted and name not in result.dates:
                    result.dates[name] = date
                    if not has_parents:
                        first_commits[name] = commit
            if len(result.dates) == len(wanted):
                process.kill()  # the older history cannot change the answer
                break
        stderr = process.stderr.read().decode("utf-8", "replace")
        finished = process.wait() == 0 or len(result.dates) == len(wanted)
    if not finished:
        return _failed(wanted, stderr)
    if first_commits:
        grafted = _shallow_commits(folder)
        for name, commit in first_commits.items():
            if commit in grafted:  # it seems to add every file: the real last change is older
                del result.dates[name]
                result.unknown[name] = SHALLOW
    return result


def _commits(stream: IO[bytes]) -> Iterator[tuple[str, dt.datetime, bool, list[str]]]:
    """(hash, committer date, has parents, file names) per commit of the log, as it comes."""
    buffer = b""
    header: bytes | None = None
    files: list[str] = []
    read = getattr(stream, "read1", stream.read)  # what is there now, not a full block
    while chunk := read(1 << 16):
        buffer += chunk
        *tokens, buffer = buffer.split(b"\0")
        for token in tokens:
            if token.startswith(_COMMIT):
                if header is not None:
                    yield _commit(header, files)
                header, files = token[1:], []
            elif token.removeprefix(b"\n"):
                files.append(os.fsdecode(token.removeprefix(b"\n")))
    if header is not None:
        yield _commit(header, files)


def _commit(header: bytes, files: list[str]) -> tuple[str, dt.datetime, bool, list[str]]:
    commit, date, *parents = header.decode("ascii").split()
    return commit, dt.datetime.fromisoformat(date), bool(parents), files


def _failed(wanted: set[str], stderr: str) -> LastCommits:
    if "does not have any commits yet" in stderr or "bad default revision" in stderr:
        return LastCommits()  # a repository before its first commit: every file is new
    if "not a git repository" in stderr:
        problem = NOT_A_REPOSITORY
    else:
        first = next((line.strip() for line in stderr.splitlines() if line.strip()), "")
        problem = NoHistory(f"git log failed: {first or 'no message'}", "fix what git reports")
    return LastCommits(unknown=dict.fromkeys(wanted, problem))


def _shallow_commits(folder: Path) -> set[str]:
    """The commits where a shallow clone's history is cut off (none in a full clone)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--git-path", "shallow"],
            cwd=folder,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            return set()
        path = folder / os.fsdecode(done.stdout.strip())
        return set(path.read_text(encoding="ascii").split()) if path.is_file() else set()
    except (OSError, UnicodeDecodeError):
        return set()
