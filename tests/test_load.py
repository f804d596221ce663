"""The reader keeps no text: bodies and key lines are read again from the file when needed."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from incident_loop.config import read_project_config
from incident_loop.core.project import check_project
from incident_loop.core.sources import SourceCache, read_markdown, read_yaml_file
from incident_loop.core.yamlio import YamlProblem, read_yaml

TEXT = """\
---
id: INC-2026-001
scope:
  partners:
    - dhl
    - postnl
---

# Timeline

Body line.
"""


def _source(tmp_path: Path, name: str, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_markdown(path, name, 1 << 20)


def test_body_and_lines_come_from_the_file(tmp_path: Path) -> None:
    source = _source(tmp_path, "a.md", TEXT)
    assert source.body == "\n# Timeline\n\nBody line.\n"
    assert source.body_line == 8  # the line after the closing `---` (line 7)
    # Lines counted in TEXT above: `id` 2, `scope` 3, `partners` 4, its items 5 and 6.
    assert source.line(("id",)) == 2
    assert source.line(("scope", "partners", 1)) == 6
    assert source.line(("scope", "partners", 7)) == 4  # a missing item: its list's line
    assert source.line(("severity",)) == 1  # a missing key: the opening `---`


def test_a_file_changed_after_reading_keeps_the_text_that_was_read(tmp_path: Path) -> None:
    source = _source(tmp_path, "b.md", TEXT)
    (tmp_path / "b.md").write_text("---\nid: y\n---\nOther body\n", encoding="utf-8")
    # The body and the lines are those of the text that was checked, never a mix of two.
    assert source.body == "\n# Timeline\n\nBody line.\n"
    assert source.line(("scope", "partners", 0)) == 5


def test_crlf_and_bom_read_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "c.md"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode())
    source = read_markdown(path, "c.md", 1 << 20)
    assert source.body == "\n# Timeline\n\nBody line.\n"
    assert source.line(("scope", "partners", 0)) == 5


def test_files_without_a_body(tmp_path: Path) -> None:
    unclosed = _source(tmp_path, "d.md", "---\nid: x\n")
    assert unclosed.body == ""
    no_front_matter = _source(tmp_path, "e.md", "# Just text\n")
    assert no_front_matter.body == "# Just text\n"
    path = tmp_path / "modes.yml"
    path.write_text("a:\n  title: A\nb:\n  title: B\n", encoding="utf-8")
    modes = read_yaml_file(path, "modes.yml", 1 << 20)
    assert modes.body == ""
    assert modes.line(("b", "title")) == 4


def test_reading_without_the_line_map_gives_the_same_data() -> None:
    text = "a: 1\nb:\n  - x\n  - {c: 2026-01-02}\n"
    full = read_yaml(text, first_line=2)
    lean = read_yaml(text, first_line=2, lines=False)
    assert lean.data == full.data
    assert lean.lines == {(): 2}
    assert full.lines[("b", 1, "c")] == 5


def test_a_problem_found_without_the_line_map_names_the_same_line() -> None:
    bomb = "x: 1\nlol: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    bomb += "".join(
        f"l{i}: &a{i} [{', '.join(['*a' if i == 0 else f'*a{i - 1}'] * 10)}]\n" for i in range(6)
    )
    with pytest.raises(YamlProblem) as full:
        read_yaml(bomb)
    with pytest.raises(YamlProblem) as lean:
        read_yaml(bomb, lines=False)
    assert (lean.value.line, lean.value.message) == (full.value.line, full.value.message)
    # lol has 10 values, l0 110, l1 1,110, l2 11,110 and l3 (line 6) 111,110: l3 overflows.
    # The aliased node itself sits on line 2, which a reader without the map would name.
    assert lean.value.line == 6
    assert "more than 100,000 values" in lean.value.message


def test_every_check_reads_the_files_as_they_are_now(minimal: Path) -> None:
    config = read_project_config(minimal)
    first = check_project(config)
    (record,) = first.project.incidents
    assert record.source.body == "\n## Timeline\n\n- 09:00 label requests start to time out.\n"
    assert record.source.line(("scope", "sites")) == 14  # the fixture's line 14: `  sites: [ams]`
    assert record.source.line(("actions", 0, "owner")) == 25
    path = minimal / "incidents/2026/2026-01-10-dhl-label-timeouts.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("DHL label API timeouts", "DHL labels slow"),
        encoding="utf-8",
    )
    second = check_project(config)
    assert second is not first
    assert second.project.incidents[0].incident.title == "DHL labels slow"


def test_a_cached_unchanged_file_is_not_validated_again(minimal: Path) -> None:
    """``mkdocs serve`` keeps a SourceCache: an unchanged incident keeps its validated record
    and actions (the same objects), an edited one is validated afresh, and an error is found
    on every check, not only the first."""
    config, cache = read_project_config(minimal), SourceCache()
    (first,) = check_project(config, cache).project.incidents
    (again,) = check_project(config, cache).project.incidents
    assert again.incident is first.incident
    assert again.actions[0].item is first.actions[0].item
    (uncached,) = check_project(config).project.incidents
    assert uncached.incident == first.incident and uncached.incident is not first.incident

    path = minimal / "incidents/2026/2026-01-10-dhl-label-timeouts.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("DHL label API timeouts", "DHL labels slow"), encoding="utf-8")
    (edited,) = check_project(config, cache).project.incidents
    assert edited.incident.title == "DHL labels slow"
    assert edited.actions[0].item == first.actions[0].item
    assert edited.actions[0].item is not first.actions[0].item

    path.write_text(text.replace("severity: Sev2", "severity: Sev9"), encoding="utf-8")
    want = "2026-01-10-dhl-label-timeouts.md:4: error: severity:"
    for _ in range(2):
        result = check_project(config, cache)
        assert not result.project.incidents
        assert [d.text() for d in result.diagnostics if want in d.text()], result.diagnostics


@pytest.mark.parametrize("enabled", [True, False])
def test_a_check_leaves_the_cycle_collector_as_it_found_it(
    minimal: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    # The collector is paused while the project is read (pipeline.without_cycle_collection).
    import incident_loop.core.project as pipeline

    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        result = check_project(read_project_config(minimal))
        assert [r.id for r in result.project.incidents] == ["INC-2026-001"]
        assert gc.isenabled() is enabled

        def broken(project: object) -> None:
            assert not gc.isenabled()  # paused while the project is read and analysed
            raise RuntimeError("analysis failed")

        monkeypatch.setattr(pipeline, "analyse", broken)
        with pytest.raises(RuntimeError, match="analysis failed"):
            check_project(read_project_config(minimal))
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("character", ["\x85", "\u2028", "\u2029"])
def test_lines_are_counted_at_line_feeds_only(character: str) -> None:
    # YAML ends a line at NEL and the Unicode line and paragraph separators too; editors and
    # GitHub do not, so neither do the lines in messages.
    text = f'a: "one{character}two"\nb:\n  - x\nc: d: e\nf: 1\n'
    with pytest.raises(YamlProblem) as problem:
        read_yaml(text, first_line=2)
    assert problem.value.line == 5  # `c: d: e` is line 4 of the text, line 5 of the file
    assert "mapping values are not allowed" in problem.value.message
    document = read_yaml(text.replace("c: d: e", "c: e"), first_line=2)
    assert document.lines[("b",)] == 3
    assert document.lines[("b", 0)] == 4
    assert document.lines[("f",)] == 6


@pytest.mark.parametrize("enabled", [True, False])
def test_writing_the_exports_pauses_the_cycle_collector_and_restores_it(
    minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    from incident_loop.site import exports
    from incident_loop.site.model import SiteModel
    from incident_loop.site.urls import Urls

    result = check_project(read_project_config(minimal))
    model = SiteModel.build(result.project, result.analysis)
    made = exports.incidents_data

    def rows(*args: object) -> object:
        assert not gc.isenabled()  # paused while the rows are made and written
        return made(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(exports, "incidents_data", rows)
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        exports.write_exports(model, Urls(), None, tmp_path)
        assert gc.isenabled() is enabled
        assert '"id": "INC-2026-001"' in (tmp_path / "api/incidents.json").read_text("utf-8")
    finally:
        (gc.enable if was else gc.disable)()
