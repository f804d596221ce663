"""`/feed.xml` (issue 20, part 4): a valid Atom feed of the incidents, newest first, with
absolute links from site_url, escaped values, and the same bytes on every build."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, MINIMAL_INCIDENT, build_site

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_11_27)


@pytest.fixture
def project(minimal: Path, edit: Callable[..., None]) -> Path:
    edit(
        minimal,
        "mkdocs.yml",
        [
            (
                "site_name: Minimal incident-loop project",
                "site_name: Minimal incident-loop project\nsite_url: https://ops.example.com/docs/",
            )
        ],
    )
    text = (minimal / MINIMAL_INCIDENT).read_text(encoding="utf-8")
    second = (
        text.replace("id: INC-2026-001", "id: INC-2026-002")
        .replace("title: DHL label API timeouts", "title: 'Labels <b>late</b> & \"slow\"'")
        .replace("2026-01-10T", "2026-02-03T")
        .replace("2026-01-11T16:00:00+01:00", "2026-02-03T12:00:00+01:00")
    )
    (minimal / "incidents/2026/2026-02-03-labels-late.md").write_text(second, encoding="utf-8")
    return minimal


def test_feed_is_atom_newest_first_with_absolute_links(project: Path) -> None:
    site = build_site(project)
    root = ET.fromstring((site / "feed.xml").read_bytes())
    assert root.tag == f"{A}feed"
    assert root.findtext(f"{A}title") == "Minimal incident-loop project: incidents"
    assert root.findtext(f"{A}id") == "https://ops.example.com/docs/feed.xml"
    # the newest entry's update: INC-2026-002 resolved 2026-02-03T12:00+01:00 = 11:00 UTC
    assert root.findtext(f"{A}updated") == "2026-02-03T11:00:00Z"
    entries = root.findall(f"{A}entry")
    assert [e.findtext(f"{A}id") for e in entries] == [
        "https://ops.example.com/docs/incidents/INC-2026-002/",
        "https://ops.example.com/docs/incidents/INC-2026-001/",
    ]
    first, second = entries
    # the title is text, escaped in the XML and read back whole
    assert first.findtext(f"{A}title") == 'INC-2026-002: Labels <b>late</b> & "slow"'
    assert first.find(f"{A}link").get("href") == (  # type: ignore[union-attr]
        "https://ops.example.com/docs/incidents/INC-2026-002/"
    )
    # 09:00+01:00 is 08:00 UTC; INC-2026-001 was resolved 2026-01-11T16:00+01:00
    assert first.findtext(f"{A}published") == "2026-02-03T08:00:00Z"
    assert second.findtext(f"{A}updated") == "2026-01-11T15:00:00Z"
    assert [c.get("term") for c in second.findall(f"{A}category")] == [
        "Sev2",
        "integration",
        "label-api-timeouts",
    ]
    assert second.findtext(f"{A}summary") == (
        "Sev2 integration, label-api-timeouts (dhl, ams). Label requests failed with 504."
    )
    raw = (site / "feed.xml").read_text(encoding="utf-8")
    assert "<b>" not in raw and "&lt;b&gt;late&lt;/b&gt; &amp;" in raw


def test_feed_is_the_same_on_every_build(project: Path, tmp_path: Path) -> None:
    first = (build_site(project) / "feed.xml").read_bytes()
    assert (build_site(project) / "feed.xml").read_bytes() == first
