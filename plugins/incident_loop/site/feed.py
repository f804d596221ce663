"""``/feed.xml`` (SPEC section 6): an Atom feed (RFC 4287) of the incidents, newest first.

Written with :mod:`xml.etree.ElementTree`, which escapes every value; links are absolute from
``site_url`` (relative without it). The feed holds no build time: its ``updated`` is that of the
newest entry (else today's date, from ``SOURCE_DATE_EPOCH`` when set), so the same sources give
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from ..core.analyse import Analysis, IncidentFacts
from .urls import Urls, incident_src

FEED = "feed.xml"
#: How many incidents the feed holds: the newest.
FEED_ENTRIES = 50
ATOM = "http://www.w3.org/2005/Atom"
_UTC = dt.timezone.utc


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _updated(facts: IncidentFacts) -> dt.datetime:
    """An entry changes when the incident is mitigated and again when it is resolved."""
    incident = facts.record.incident
    return incident.resolved_at or incident.mitigated_at


def _entries(analysis: Analysis) -> list[IncidentFacts]:
    return list(analysis.incidents.values())[:FEED_ENTRIES]  # newest first


def feed_inputs(
    analysis: Analysis, keys: Callable[[object], object], site_url: str | None, site_name: str
) -> dict[str, Callable[[], object]]:
    """What the feed shows, as :func:`.exports.export_inputs` gives it for the exports: its
    entries (the newest incidents), the site's address and name. An empty feed is dated today,
    which is not here: a new day changes the build's frame, and then everything is written."""
    return {FEED: lambda: (keys(_entries(analysis)), site_url, site_name)}


def atom_feed(analysis: Analysis, urls: Urls, site_url: str | None, site_name: str) -> str:
    """The feed's XML text."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    entries = _entries(analysis)
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "title").text = f"{site_name}: incidents"
    ET.SubElement(feed, "id").text = base + FEED if base else f"urn:incident-loop:{site_name}:feed"
    ET.SubElement(feed, "link", rel="self", href=base + FEED if base else FEED)
    ET.SubElement(feed, "link", rel="alternate", href=base + urls.page("incidents/index.md"))
    newest = max((_updated(f) for f in entries), default=None, key=lambda m: m.astimezone(_UTC))
    today = dt.datetime.combine(analysis.today, dt.time(), _UTC)
    ET.SubElement(feed, "updated").text = _stamp(newest or today)
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = site_name
    ET.SubElement(feed, "generator").text = "incident-loop"
    for facts in entries:
        incident = facts.record.incident
        url = base + urls.page(incident_src(incident.id))
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "title").text = f"{incident.id}: {incident.title}"
        ET.SubElement(entry, "id").text = url if base else f"urn:incident-loop:{incident.id}"
        ET.SubElement(entry, "link", rel="alternate", href=url)
        ET.SubElement(entry, "published").text = _stamp(incident.started_at)
        ET.SubElement(entry, "updated").text = _stamp(_updated(facts))
        for term in (incident.severity, incident.category, incident.failure_mode):
            ET.SubElement(entry, "category", term=term)
        scope = ", ".join([*incident.scope.partners, *incident.scope.sites])
        summary = (
            f"{incident.severity} {incident.category}, {incident.failure_mode}"
            f"{f' ({scope})' if scope else ''}. {incident.symptoms}"
        )
        ET.SubElement(entry, "summary").text = _printable(summary)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


def _printable(text: str) -> str:
    """XML 1.0 cannot hold most control characters, even escaped: they become U+FFFD."""
    return "".join(
        "\ufffd" if (ord(c) < 0x20 and c not in "\t\n\r") or 0xFFFE <= ord(c) <= 0xFFFF else c
        for c in text
    )


def write_feed(
    analysis: Analysis, urls: Urls, site_url: str | None, site_name: str, site_dir: Path
) -> None:
    (site_dir / FEED).write_text(
        atom_feed(analysis, urls, site_url, site_name), encoding="utf-8", newline=""
    )
