"""Work done ahead in a second process (``incident_loop.ahead``): the values are the child's,
what it does not deliver is made here, and a build or a check gives the same result with or
without it, also when the child fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import EPOCH_2026_06_15, build_site, check_json, sample_copy
from incident_loop import ahead as ahead_module
from incident_loop.ahead import Ahead, available
from incident_loop.pipeline import check_project, read_ahead
from incident_loop.plugin import IncidentLoopPlugin
from incident_loop.settings import read_project_config

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the second process is used on Linux only"
)


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_values_come_from_the_child_in_order_and_once() -> None:
    parent = os.getpid()
    with Ahead(["a", "b", "c"], lambda key: (key * 2, os.getpid())) as ahead:
        ahead.wait()
        first = ahead.take("b")  # out of order: "a" is read and kept on the way
        assert first is not None and first[0] == "bb" and first[1] != parent
        assert ahead.take("b") is None  # handed over once
        assert ahead.take("a") == ("aa", first[1])
        assert ahead.take("c") == ("cc", first[1])
        assert ahead.take("nothing") is None
        assert ahead.taken == 3


def test_what_a_failed_child_did_not_make_is_none_and_the_child_is_reaped() -> None:
    def make(key: str) -> str:
        if key == "b":
            raise RuntimeError("made to fail")
        return key.upper()

    ahead = Ahead(["a", "b", "c"], make)
    pid = ahead._pid
    assert pid is not None
    ahead.wait()
    assert [ahead.take(key) for key in "abc"] == ["A", None, None]
    ahead.close()
    assert _reaped(pid)


def test_close_stops_a_child_at_work() -> None:
    ahead = Ahead(range(1000), lambda key: time.sleep(0.05) or key + 1)
    pid = ahead._pid
    assert pid is not None
    ahead.close()  # at once: the child is killed, not waited for 50 s
    assert _reaped(pid)
    assert ahead.take(999) is None


def test_when_a_second_process_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ahead_module.ENV, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert available(ahead_module.MIN_ITEMS)
    assert not available(ahead_module.MIN_ITEMS - 1)  # a fork would cost more than it saves
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert not available(10_000)  # one CPU
    monkeypatch.setenv(ahead_module.ENV, "force")
    assert available(1)
    monkeypatch.setenv(ahead_module.ENV, "0")
    assert not available(10_000)
    monkeypatch.setenv(ahead_module.ENV, "force")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not available(10_000)  # never fork a process with other threads
    finally:
        stop.set()
        thread.join()


def _broken_project(tmp_path: Path) -> Path:
    """The sample with errors in several files, one of them a duplicate id (a rule across
    files that depends on the order the files are checked in)."""
    root = sample_copy(tmp_path)
    files = sorted((root / "incidents").rglob("*.md"))
    first, second, third = files[0], files[len(files) // 2], files[-1]
    text = second.read_text(encoding="utf-8")
    first_id = next(
        line.split(":", 1)[1].strip()
        for line in first.read_text(encoding="utf-8").splitlines()
        if line.startswith("id:")
    )
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("id:"))
    lines[index] = f"id: {first_id}"
    second.write_text("\n".join(lines) + "\n", encoding="utf-8")
    third.write_text(
        third.read_text(encoding="utf-8").replace("severity:", "severity: [", 1), "utf-8"
    )
    return root


@pytest.fixture
def single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in ``mkdocs build``: other tests of this process may have left an idle thread."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)


def test_check_is_the_same_with_the_files_read_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single_threaded: None
) -> None:
    root = _broken_project(tmp_path)
    monkeypatch.setenv(ahead_module.ENV, "0")
    serial = check_json(root)
    monkeypatch.setenv(ahead_module.ENV, "force")
    assert check_json(root) == serial  # the child and this process meet somewhere
    codes = {d["message"].split(";")[0] for d in serial[1]}
    assert serial[0] == 1 and any("is already the id of" in c for c in codes), codes
    assert any("YAML syntax error" in c for c in codes), codes

    # Every file read by the child: the same records and messages.
    config = read_project_config(root)
    ahead = read_ahead(config)
    assert ahead is not None
    ahead.wait()
    by_child = check_project(config, reuse=False, ahead=ahead)
    monkeypatch.setenv(ahead_module.ENV, "0")
    here = check_project(config, reuse=False)
    assert ahead.taken == len(list((root / "incidents").rglob("*.md"))) > 20
    assert by_child.diagnostics == here.diagnostics
    assert [r.incident for r in by_child.project.incidents] == [
        r.incident for r in here.project.incidents
    ]
    assert [r.source.rel for r in by_child.project.incidents] == [
        r.source.rel for r in here.project.incidents
    ]


def _site_files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def _mkdocs_build(root: Path, setting: str) -> dict[str, bytes]:
    site = root / f"site-{setting}"
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH_2026_06_15, **{ahead_module.ENV: setting})
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=root,
        env=env,
        check=True,
    )
    return _site_files(site)


def test_mkdocs_build_writes_the_same_site_with_the_second_process(tmp_path: Path) -> None:
    """``mkdocs build`` as it is run: files read ahead from on_pre_build, and the exports,
    deferred tables and incident headers made ahead from on_files."""
    root = sample_copy(tmp_path)
    serial = _mkdocs_build(root, "0")
    parallel = _mkdocs_build(root, "force")
    assert parallel.keys() == serial.keys()
    assert [name for name in serial if parallel[name] != serial[name]] == []
    assert {"api/incidents.json", "api/actions.csv", "incidents/index.html"} <= serial.keys()


def test_a_build_whose_second_process_fails_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single_threaded: None
) -> None:
    """The child fails on its first value (the exports): every page part and the exports are
    then made by the build itself."""
    root = sample_copy(tmp_path)
    monkeypatch.setenv(ahead_module.ENV, "0")
    serial = _site_files(build_site(root))
    shutil.rmtree(root / "site")

    parent = os.getpid()
    write = IncidentLoopPlugin._write_exports
    made: list[int] = []

    def fail_in_child(self: IncidentLoopPlugin, config: object) -> None:
        if os.getpid() != parent:
            (tmp_path / "child-tried").write_text(str(os.getpid()))
            raise RuntimeError("the child fails")
        made.append(os.getpid())
        write(self, config)  # type: ignore[arg-type]

    monkeypatch.setattr(IncidentLoopPlugin, "_write_exports", fail_in_child)
    monkeypatch.setenv(ahead_module.ENV, "force")
    assert _site_files(build_site(root)) == serial
    assert (tmp_path / "child-tried").is_file()
    assert made == [parent]  # written here, after the child failed


def test_a_file_changed_after_the_child_read_it_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single_threaded: None
) -> None:
    root = sample_copy(tmp_path)
    config = read_project_config(root)
    monkeypatch.setenv(ahead_module.ENV, "force")
    ahead = read_ahead(config)
    assert ahead is not None
    ahead.wait()  # the child has read every file
    path = sorted((root / "incidents").rglob("*.md"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntitle: ", "\ntitle: Edited - ", 1), encoding="utf-8")
    result = check_project(config, reuse=False, ahead=ahead)
    assert ahead.taken == ahead.count  # the changed file too, but it was not used
    titles = {r.source.rel: r.incident.title for r in result.project.incidents}
    rel = path.relative_to(root).as_posix()
    assert titles[rel].startswith("Edited - "), titles[rel]
    monkeypatch.setenv(ahead_module.ENV, "0")
    assert check_project(config, reuse=False).diagnostics == result.diagnostics


def test_mkdocs_build_uses_what_the_second_process_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single_threaded: None
) -> None:
    """Run as ``mkdocs build`` runs the plugin (``on_startup`` first), with both children
    waited for: every incident file, the exports and every page part come from them."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from incident_loop import plugin as plugin_module

    root = sample_copy(tmp_path)
    made: list[Ahead[str]] = []

    def waited(ahead: Ahead[str] | None) -> Ahead[str] | None:
        assert ahead is not None
        ahead.wait()
        made.append(ahead)
        return ahead

    read_ahead_here = plugin_module.read_ahead
    make_ahead = IncidentLoopPlugin._make_ahead
    monkeypatch.setattr(plugin_module, "read_ahead", lambda config: waited(read_ahead_here(config)))
    monkeypatch.setattr(
        IncidentLoopPlugin, "_make_ahead", lambda self, *a: waited(make_ahead(self, *a))
    )
    monkeypatch.setenv(ahead_module.ENV, "force")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_06_15)
    config = load_config(str(root / "mkdocs.yml"), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    incidents = len(list((root / "incidents").rglob("*.md")))
    files, later = made
    assert (files.count, files.taken) == (incidents, incidents)
    # The exports, one header per incident page, the log's and the catalogue's tables.
    assert later.count == later.taken > incidents + 1
    assert (Path(config.site_dir) / "api" / "incidents.json").is_file()
