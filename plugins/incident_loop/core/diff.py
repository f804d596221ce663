"""``incident-loop diff REV1 [REV2]`` (SPEC section 8): what a change did to the learning state.

Each revision's files are read with ``git archive`` into a temporary folder and checked and
analysed as any project is (REV2 defaults to the working tree, as it is on disk); then the two
analyses are compared: incidents added, edited or removed, failure modes seen for the first
time, actions opened, done or gone overdue, and how the backlog ranking
(:func:`analyse.ranked_open_actions`) moved. Both revisions are judged on the same today.

The core imports no adapter: the caller passes the function that reads a project's options
from its ``mkdocs.yml``.
"""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .analyse import Analysis, ranked_open_actions
from .project import check_project
from .settings import GitRevision, ProjectConfig

FORMATS = ("text", "markdown", "json")
WORKING_TREE = "working tree"


class DiffError(Exception):
    """A revision cannot be read (exit code 2) or has errors (1); the message says which and
    what to do."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Item:
    id: str
    title: str


@dataclass(frozen=True)
class Move:
    """An action whose place in the backlog changed; a rank is ``None`` outside the backlog."""

    id: str
    title: str
    old_rank: int | None
    new_rank: int | None
    #: Why it left the backlog: its new status, or ``removed``.
    left_as: str | None = None

    def text(self, action: str | None = None) -> str:
        """``moves action X (title) from rank 7 to rank 2``, and the like."""
        action = action or f"{self.id} ({self.title})"
        if self.old_rank is None:
            return f"adds action {action} to the backlog at rank {self.new_rank}"
        if self.new_rank is None:
            return (
                f"takes action {action} off the backlog ({self.left_as}), from rank {self.old_rank}"
            )
        return f"moves action {action} from rank {self.old_rank} to rank {self.new_rank}"


@dataclass
class LearningDiff:
    old: str
    new: str
    incidents_added: list[Item] = field(default_factory=list)
    incidents_edited: list[Item] = field(default_factory=list)
    incidents_removed: list[Item] = field(default_factory=list)
    failure_modes_new: list[str] = field(default_factory=list)
    actions_opened: list[Item] = field(default_factory=list)
    actions_done: list[Item] = field(default_factory=list)
    actions_overdue: list[Item] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.incidents_added,
                self.incidents_edited,
                self.incidents_removed,
                self.failure_modes_new,
                self.actions_opened,
                self.actions_done,
                self.actions_overdue,
                self.moves,
            )
        )


# --------------------------------------------------------------------------- reading revisions


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except OSError as exc:
        raise DiffError(f"cannot run git ({exc.strerror or exc}); install git") from None


def checkout(root: Path, revision: str, dest: Path) -> tuple[Path, GitRevision]:
    """The project at ``root`` as it was at ``revision``, extracted below ``dest``; returns the
    project's folder there (the project may lie in a subfolder of its repository), and where
    git keeps the history of that copy (the dates of runbooks without ``reviewed``)."""
    prefix = _git(root, "rev-parse", "--show-prefix")
    if prefix.returncode != 0:
        raise DiffError(
            f"{root} is not in a git repository; `incident-loop diff` compares git revisions"
        )
    verified = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if verified.returncode != 0:
        raise DiffError(
            f"`{revision}` is not a revision of the git repository at {root}; give a branch, "
            "tag or commit, like `origin/main` or `HEAD~1`"
        )
    commit = verified.stdout.decode().strip()
    subfolder = prefix.stdout.decode().strip()
    tree = f"{commit}:{subfolder}" if subfolder else commit
    archive = _git(root, "archive", "--format=tar", tree)
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip()
        raise DiffError(f"cannot read `{revision}` with git archive: {message}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+, 3.11.4+
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover - the archive comes from the user's own repository
            tar.extractall(dest)
    return dest, GitRevision(root, commit)


def _analysis(
    folder: Path,
    label: str,
    load: Callable[[Path], ProjectConfig],
    revision: GitRevision | None = None,
) -> Analysis:
    if not (folder / "mkdocs.yml").is_file():
        raise DiffError(f"{label} has no mkdocs.yml in the project folder; nothing to compare")
    result = check_project(dataclasses.replace(load(folder), revision=revision))
    if result.has_errors:
        errors = sum(1 for d in result.diagnostics if d.level == "error")
        raise DiffError(
            f"{label} has {errors} error{'s' if errors != 1 else ''} in its incidents; "
            f"run `incident-loop check` on it and fix them first",
            exit_code=1,
        )
    return result.analysis


def learning_diff(
    root: Path,
    old_revision: str,
    new_revision: str | None,
    load: Callable[[Path], ProjectConfig],
) -> LearningDiff:
    """Compare the project at ``root`` between two git revisions (``new_revision`` ``None``:
    the working tree)."""
    with tempfile.TemporaryDirectory(prefix="incident-loop-diff-") as temp:
        folder, revision = checkout(root, old_revision, Path(temp) / "old")
        old = _analysis(folder, old_revision, load, revision)
        if new_revision is None:
            new = _analysis(root, WORKING_TREE, load)
        else:
            folder, revision = checkout(root, new_revision, Path(temp) / "new")
            new = _analysis(folder, new_revision, load, revision)
    return compare(old, new, old_revision, new_revision or WORKING_TREE)


# --------------------------------------------------------------------------- comparing


def compare(old: Analysis, new: Analysis, old_label: str, new_label: str) -> LearningDiff:
    """What changed from ``old`` to ``new``."""
    diff = LearningDiff(old_label, new_label)

    def title_of(analysis: Analysis, incident_id: str) -> str:
        return analysis.incidents[incident_id].record.incident.title

    for incident_id, facts in sorted(new.incidents.items()):
        before = old.incidents.get(incident_id)
        item = Item(incident_id, facts.record.incident.title)
        if before is None:
            diff.incidents_added.append(item)
        elif (before.record.source.yaml_text, before.record.source.body) != (
            facts.record.source.yaml_text,
            facts.record.source.body,
        ):
            diff.incidents_edited.append(item)
    diff.incidents_removed = [
        Item(i, title_of(old, i)) for i in sorted(old.incidents) if i not in new.incidents
    ]
    seen_before = {f.record.incident.failure_mode for f in old.incidents.values()}
    diff.failure_modes_new = sorted(
        {f.record.incident.failure_mode for f in new.incidents.values()} - seen_before
    )

    for action_id, action in sorted(new.actions.items()):
        before_action = old.actions.get(action_id)
        item = Item(action_id, action.record.item.title)
        status = action.record.item.status
        old_status = before_action.record.item.status if before_action else None
        if action.record.is_open and (before_action is None or not before_action.record.is_open):
            diff.actions_opened.append(item)
        if status == "done" and old_status != "done":
            diff.actions_done.append(item)
        if action.overdue and (before_action is None or not before_action.overdue):
            diff.actions_overdue.append(item)

    old_ranks = {a.id: rank for rank, a in enumerate(ranked_open_actions(old), 1)}
    new_ranks = {a.id: rank for rank, a in enumerate(ranked_open_actions(new), 1)}
    moves = []
    for action_id in old_ranks.keys() | new_ranks.keys():
        old_rank, new_rank = old_ranks.get(action_id), new_ranks.get(action_id)
        if old_rank == new_rank:
            continue
        current = new.actions.get(action_id) or old.actions[action_id]
        left_as = None
        if new_rank is None:
            left = new.actions.get(action_id)
            left_as = left.record.item.status.replace("_", " ") if left else "removed"
        moves.append(Move(action_id, current.record.item.title, old_rank, new_rank, left_as))
    big = len(old_ranks) + len(new_ranks) + 1
    diff.moves = sorted(moves, key=lambda m: (m.new_rank or big, m.old_rank or big, m.id))
    return diff


# --------------------------------------------------------------------------- formats

_SECTIONS = (
    ("incidents_added", "Incidents added"),
    ("incidents_edited", "Incidents edited"),
    ("incidents_removed", "Incidents removed"),
    ("actions_opened", "Actions opened"),
    ("actions_done", "Actions done"),
    ("actions_overdue", "Actions gone overdue"),
)


def format_text(diff: LearningDiff) -> str:
    lines = [f"From {diff.old} to {diff.new}:"]
    if diff.empty:
        lines.append("  nothing changed in incidents, actions or the backlog")
    for name, title in _SECTIONS:
        items: list[Item] = getattr(diff, name)
        if items:
            lines.append(f"{title}:")
            lines += [f"  {item.id} {item.title}" for item in items]
    if diff.failure_modes_new:
        lines.append("Failure modes seen for the first time:")
        lines += [f"  {slug}" for slug in diff.failure_modes_new]
    if diff.moves:
        lines.append("Backlog ranking:")
        lines += [f"  {m.text()}" for m in diff.moves]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    escaped = text.replace("\\", "\\\\")
    for char in "`*_[]<>|#~":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def format_markdown(diff: LearningDiff, heading: str = "## What this changes") -> str:
    lines = [heading, "", f"From `{_md(diff.old)}` to {_md(diff.new)}."]
    if diff.empty:
        lines += ["", "Nothing changed in incidents, actions or the backlog."]
    for name, title in _SECTIONS:
        items: list[Item] = getattr(diff, name)
        if items:
            lines += ["", f"**{title}:**", ""]
            lines += [f"- {_md(item.id)} {_md(item.title)}" for item in items]
    if diff.failure_modes_new:
        lines += ["", "**Failure modes seen for the first time:** "]
        lines[-1] += ", ".join(f"{_md(s)}" for s in diff.failure_modes_new)
    if diff.moves:
        lines += ["", "**Backlog ranking:** this change", ""]
        lines += [f"- {m.text(f'{_md(m.id)} ({_md(m.title)})')}" for m in diff.moves]
    return "\n".join(lines) + "\n"


def format_json(diff: LearningDiff) -> str:
    def items(values: list[Item]) -> list[dict[str, str]]:
        return [{"id": v.id, "title": v.title} for v in values]

    data: dict[str, object] = {"from": diff.old, "to": diff.new}
    for name, _ in _SECTIONS:
        data[name] = items(getattr(diff, name))
    data["failure_modes_new"] = diff.failure_modes_new
    data["backlog_moves"] = [
        {
            "id": m.id,
            "title": m.title,
            "old_rank": m.old_rank,
            "new_rank": m.new_rank,
            "left_as": m.left_as,
        }
        for m in diff.moves
    ]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
