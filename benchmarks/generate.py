#!/usr/bin/env python3
"""Generate synthetic projects for the benchmarks (benchmarks/README.md).

    python benchmarks/generate.py N DIR [--seed S] [--no-baseline] [--blog] [--light] [--force]

writes, deterministically for the same N and seed:

- ``DIR``: a valid incident-loop project of a logistics platform: ``mkdocs.yml`` (Material, search,
  tags, incident-loop, macros), ``docs/index.md``, 8 partners, 4 warehouse sites, 10 runbooks,
  ``incidents/failure-modes.yml`` with 10 failure modes and N incidents under
  ``incidents/YYYY/YYYY-MM-DD-slug.md`` with every field (about 45 lines of front matter), 0 to 3
  actions each and a body of 44 lines with a table;
- ``DIR-baseline``: MkDocs + Material (search only, no incident-loop, no macros, no tags) building
  the same N pages as plain markdown (front matter stripped, a ``# id: title`` heading, the same
  body) under ``docs/incidents/``, none of them in the navigation, plus the same hand-written docs
  pages and one small page per index of the incident-loop navigation;
- ``DIR-blog`` (with ``--blog``): the same incidents published with Material's blog plugin
  (search, tags, blog): the same N bodies as posts under ``docs/blog/posts/`` with ``date:``,
  ``categories:`` (the incident's category) and the incident's ``tags:`` in the front matter.

With ``--light`` the incidents are light pages, where the plugin's share of the build is largest:
a front matter of about 20 lines (the required fields, scope, one line each of symptoms,
mitigation and root cause, trigger and tags; no contributing factors, rollback, manual hours,
runbooks or links) with 0 or 1 action entry holding only the fields its status requires, and a body of about
20 lines (a summary, a timeline of four rows, the impact, one lesson). The baseline and the blog
peer then carry the same light bodies.

Only the standard library is used, so the generator runs outside the project's venv too.
Every incident that the decision rule (SPEC 4) selects has at least one action or a ``- ref:`` to
an earlier action, so ``incident-loop check`` reports no warnings and ``mkdocs build --strict``
passes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Amsterdam")
UTC = dt.timezone.utc
#: The last moment an incident may start; the data set ends a little before "now" (late 2026).
END = dt.datetime(2026, 9, 30, 18, 0, tzinfo=UTC)
MARKER = ".bench-generated"  # a directory holding this file may be replaced by --force
REPEAT_WINDOW = dt.timedelta(
    days=91
)  # plugin default is 90: one day of margin, never fewer actions

# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Partner:
    slug: str
    name: str
    kind: str
    owner: str
    modes: tuple[str, ...]
    runbooks: tuple[str, ...]
    blurb: str


@dataclass(frozen=True)
class SiteInfo:
    slug: str
    name: str
    owner: str
    wms: str
    region: str
    blurb: str


@dataclass(frozen=True)
class Mode:
    slug: str
    title: str
    category: str
    description: str
    partner_kinds: tuple[str, ...]  # empty for warehouse modes
    runbooks: tuple[str, ...]
    tags: tuple[str, ...]


MODES = (
    Mode(
        "label-api-timeouts",
        "Carrier label API timeouts and 5xx",
        "integration",
        "Label creation calls to a carrier take longer than the packing-station timeout or "
        "return HTTP 5xx. Parcels queue at the pack stations and orders miss the carrier cut-off.",
        ("carrier",),
        ("carrier-label-failover",),
        ("labels", "carrier"),
    ),
    Mode(
        "partner-rate-limit",
        "Partner API rate limiting (HTTP 429)",
        "integration",
        "A carrier, shop or marketplace API rejects our calls with HTTP 429 because we exceed the "
        "contracted request rate, usually after a polling or batch-size change or during peak.",
        ("carrier", "shop", "marketplace"),
        ("rate-limit-backoff",),
        ("rate-limit", "api"),
    ),
    Mode(
        "webhook-gaps",
        "Webhook gaps or duplicates",
        "integration",
        "A partner stops sending webhooks, sends them late, or sends the same event twice. Shows "
        "up as missing orders, stale track-and-trace or duplicate customer notifications.",
        ("carrier", "shop", "marketplace"),
        ("webhook-gap-recovery",),
        ("webhooks", "tracking"),
    ),
    Mode(
        "contract-drift",
        "Partner API contract drift",
        "integration",
        "A partner changes validation rules, field names, enum values or API versions without "
        "us adapting in time. Requests that worked yesterday are rejected with HTTP 400.",
        ("carrier", "shop", "marketplace"),
        ("partner-api-change-rollback",),
        ("api", "contract"),
    ),
    Mode(
        "credential-expiry",
        "Expired or revoked tokens and certificates",
        "integration",
        "An API key, OAuth client secret, app token or TLS certificate expires or is revoked. "
        "Calls fail with HTTP 401/403 or TLS handshake errors, often all at once.",
        ("carrier", "shop", "marketplace"),
        ("credential-rotation",),
        ("credentials", "oauth"),
    ),
    Mode(
        "pick-pack-blocker",
        "Pick/pack blockers",
        "warehouse",
        "Something stops orders from flowing through wave release, picking or packing: a WMS "
        "configuration, unexpected order data, printers or scanners.",
        (),
        ("wave-release-blocked",),
        ("wms", "waves"),
    ),
    Mode(
        "inventory-mismatch",
        "Inventory mismatch between WMS and shelf",
        "warehouse",
        "The WMS stock per location differs from what is physically there. Leads to short "
        "picks, cancelled orders and overselling on shop channels.",
        (),
        ("inventory-reconciliation",),
        ("inventory", "wms"),
    ),
    Mode(
        "wrong-barcode-scan",
        "Wrong barcode scanned and accepted",
        "warehouse",
        "A scanner workflow accepts a barcode that is valid but not the one the step needs, so "
        "the WMS books the wrong item, quantity or order.",
        (),
        ("scanner-misread-correction",),
        ("scanners", "returns"),
    ),
    Mode(
        "reporting-blind-spot",
        "Reporting blind spots",
        "warehouse",
        "An operational dashboard or report is stale, incomplete or shows the wrong time, and "
        "nobody notices until a decision based on it goes wrong.",
        (),
        ("dashboard-freshness-check",),
        ("reporting", "dashboards"),
    ),
    Mode(
        "sorter-stop",
        "Sorter or conveyor stop",
        "warehouse",
        "The parcel sorter or a conveyor section stops or runs in a degraded mode, so parcels "
        "pile up before the carrier cages and trailers leave late.",
        (),
        ("sorter-manual-mode",),
        ("sorter", "mhe"),
    ),
)
MODE_BY_SLUG = {m.slug: m for m in MODES}

PARTNERS = (
    Partner(
        "dhl-parcel",
        "DHL Parcel",
        "carrier",
        "Carrier Integrations",
        ("label-api-timeouts", "contract-drift", "credential-expiry", "webhook-gaps"),
        ("carrier-label-failover", "credential-rotation"),
        "Main carrier for Dutch and German B2C parcels; labels over REST, tracking by webhook.",
    ),
    Partner(
        "postnl",
        "PostNL",
        "carrier",
        "Carrier Integrations",
        ("label-api-timeouts", "webhook-gaps", "partner-rate-limit"),
        ("carrier-label-failover", "webhook-gap-recovery"),
        "Second carrier for Dutch B2C parcels and the only one for letterbox parcels.",
    ),
    Partner(
        "dpd",
        "DPD",
        "carrier",
        "Carrier Integrations",
        ("label-api-timeouts", "credential-expiry", "partner-rate-limit"),
        ("carrier-label-failover", "credential-rotation", "rate-limit-backoff"),
        "Carrier for Belgium, France and heavy parcels; OAuth client secrets expire yearly.",
    ),
    Partner(
        "gls",
        "GLS",
        "carrier",
        "Carrier Integrations",
        ("label-api-timeouts", "contract-drift"),
        ("carrier-label-failover", "partner-api-change-rollback"),
        "Carrier for Germany and Austria; SOAP label API behind a REST adapter.",
    ),
    Partner(
        "ups",
        "UPS",
        "carrier",
        "Carrier Integrations",
        ("label-api-timeouts", "credential-expiry", "contract-drift"),
        ("carrier-label-failover", "credential-rotation"),
        "Express and international parcels; OAuth tokens and strict address validation.",
    ),
    Partner(
        "shopify",
        "Shopify",
        "shop",
        "Shop Integrations",
        ("webhook-gaps", "partner-rate-limit", "credential-expiry", "contract-drift"),
        ("webhook-gap-recovery", "rate-limit-backoff", "credential-rotation"),
        "Most of our merchants sell through Shopify; orders arrive as webhooks per shop.",
    ),
    Partner(
        "bol",
        "bol",
        "marketplace",
        "Shop Integrations",
        ("partner-rate-limit", "contract-drift", "webhook-gaps"),
        ("rate-limit-backoff", "partner-api-change-rollback"),
        "Dutch marketplace; orders are polled from the Retailer API with per-minute limits.",
    ),
    Partner(
        "amazon",
        "Amazon Seller Central",
        "marketplace",
        "Shop Integrations",
        ("partner-rate-limit", "credential-expiry", "contract-drift"),
        ("rate-limit-backoff", "credential-rotation"),
        "Marketplace orders for the merchants that sell on Amazon.nl and Amazon.de (SP-API).",
    ),
)
PARTNER_BY_SLUG = {p.slug: p for p in PARTNERS}

SITES = (
    SiteInfo(
        "tilburg-dc",
        "Tilburg DC",
        "Warehouse Ops Tilburg",
        "Manhattan Active WM",
        "Netherlands (Noord-Brabant)",
        "Our largest fulfilment centre with 14 pick zones and a cross-belt sorter.",
    ),
    SiteInfo(
        "duisburg-dc",
        "Duisburg DC",
        "Warehouse Ops Duisburg",
        "SAP EWM",
        "Germany (Nordrhein-Westfalen)",
        "Fulfilment for German customers, bulky goods and hazardous materials.",
    ),
    SiteInfo(
        "venlo-returns",
        "Venlo returns centre",
        "Returns Operations",
        "Manhattan Active WM",
        "Netherlands (Limburg)",
        "Receives, grades and restocks returns of all merchants.",
    ),
    SiteInfo(
        "antwerp-xd",
        "Antwerp cross-dock",
        "Warehouse Ops Antwerp",
        "Blue Yonder WMS",
        "Belgium (Antwerpen)",
        "Cross-dock for Belgian and French parcels; no storage, only sorting and loading.",
    ),
)

RUNBOOKS = {
    "carrier-label-failover": (
        "Carrier label failover",
        "Carrier Integrations",
        ["label-api-timeouts"],
        ["dhl-parcel", "postnl", "dpd", "gls", "ups"],
    ),
    "credential-rotation": (
        "Rotating partner API credentials",
        "Platform SRE",
        ["credential-expiry"],
        ["dhl-parcel", "dpd", "ups", "shopify", "amazon"],
    ),
    "rate-limit-backoff": (
        "Backing off from partner rate limits",
        "Shop Integrations",
        ["partner-rate-limit"],
        ["bol", "amazon", "shopify", "dpd"],
    ),
    "webhook-gap-recovery": (
        "Recovering from webhook gaps",
        "Shop Integrations",
        ["webhook-gaps"],
        ["shopify", "postnl", "dhl-parcel", "bol"],
    ),
    "partner-api-change-rollback": (
        "Rolling back after a partner API change",
        "Carrier Integrations",
        ["contract-drift"],
        ["gls", "bol", "dhl-parcel"],
    ),
    "wave-release-blocked": ("When a wave does not release", "WMS Team", ["pick-pack-blocker"], []),
    "inventory-reconciliation": (
        "Reconciling inventory after a mismatch",
        "WMS Team",
        ["inventory-mismatch"],
        [],
    ),
    "scanner-misread-correction": (
        "Correcting bookings after a wrong scan",
        "Warehouse Ops Tilburg",
        ["wrong-barcode-scan"],
        [],
    ),
    "sorter-manual-mode": (
        "Running the sorter in manual mode",
        "Warehouse Ops Tilburg",
        ["sorter-stop"],
        [],
    ),
    "dashboard-freshness-check": (
        "Checking dashboard freshness",
        "Data & Reporting",
        ["reporting-blind-spot"],
        [],
    ),
}
TEAMS = (
    "Carrier Integrations",
    "Shop Integrations",
    "Platform SRE",
    "WMS Team",
    "Warehouse Ops Tilburg",
    "Warehouse Ops Duisburg",
    "Returns Operations",
    "Data & Reporting",
    "Quality Engineering",
    "Customer Support Ops",
)
PEOPLE = (
    "Sanne Verhoeven",
    "Jonas Becker",
    "Fatima El Amrani",
    "Pieter de Groot",
    "Lena Hoffmann",
    "Mehmet Yilmaz",
    "Eva Janssens",
    "Tom Peeters",
)
SEGMENTS = (
    "B2C parcels",
    "next-day",
    "letterbox",
    "bulky goods",
    "returns",
    "B2B pallets",
    "same-day",
    "international",
    "marketplace orders",
    "hazmat",
)
PERIODS = (
    "the morning wave",
    "the afternoon peak",
    "Black Friday week",
    "the late shift",
    "the end-of-day batch",
    "a Monday morning",
    "the Christmas peak",
    "a sale weekend",
)
PEAK_PERIODS = (
    {"name": "Black Friday to Christmas", "start": "11-20", "end": "12-24"},
    {"name": "Spring sale", "start": "03-15", "end": "03-31"},
)

# --------------------------------------------------------------------------- text pools

TITLES = {
    "label-api-timeouts": [
        "{partner} label API timeouts during {period}",
        "{partner} labelling API returned 503",
        "Label creation at {site} slowed down by {partner} latency",
        "{partner} label calls timing out after a certificate change",
    ],
    "partner-rate-limit": [
        "{partner} API returned 429 during {period}",
        "Order polling from {partner} throttled",
        "{partner} rate limit hit by the tracking backfill",
        "Stock updates to {partner} rejected with 429",
    ],
    "webhook-gaps": [
        "{partner} webhooks stopped arriving",
        "Duplicate {partner} tracking events sent customers two mails",
        "Orders from {partner} arrived hours late",
        "{partner} webhook subscription dropped after a migration",
    ],
    "contract-drift": [
        "{partner} rejected addresses after a validation change",
        "{partner} API version sunset broke {feature}",
        "New {partner} enum value failed order import",
        "{partner} changed the product code for {segment}",
    ],
    "credential-expiry": [
        "{partner} client secret expired",
        "{partner} access token revoked by a merchant app update",
        "TLS certificate for {partner} callbacks expired",
        "{partner} API key rotated without notice",
    ],
    "pick-pack-blocker": [
        "{site}: wave release stuck after {change}",
        "{site}: pack stations could not print",
        "{site}: hazmat flag blocked waves",
        "{site}: pick lists empty for zone {zone}",
    ],
    "inventory-mismatch": [
        "{site}: cycle count variance in zone {zone}",
        "{site}: restocked returns not bookable",
        "{site}: stock oversold on shop channels",
        "{site}: multipack units booked as single items",
    ],
    "wrong-barcode-scan": [
        "{site}: carrier barcode scanned as return reference",
        "{site}: carton GTIN accepted as unit",
        "{site}: neighbouring location scanned at putaway",
        "{site}: old label scanned at the sorter induct",
    ],
    "reporting-blind-spot": [
        "{site}: cut-off dashboard showed the wrong time",
        "{site}: returns dashboard stale for {hours} hours",
        "{site}: backlog report missed {segment}",
        "{site}: overtime planned on an empty backlog",
    ],
    "sorter-stop": [
        "{site}: sorter stopped after a firmware update",
        "{site}: conveyor section {zone} jammed repeatedly",
        "{site}: sorter induct ran at half speed",
        "{site}: sorter chutes full, parcels recirculated",
    ],
}
FEATURES = (
    "label creation",
    "address validation",
    "pickup booking",
    "tracking",
    "order import",
    "stock sync",
    "return labels",
    "customs data",
)
CHANGES = (
    "a wave template change",
    "a WMS patch",
    "a new order type",
    "a priority rule change",
    "the nightly replenishment",
    "a carrier rule change",
)
SYMPTOMS = {
    "integration": [
        "Pack stations at {site} showed errors for every {partner} parcel and parcels piled up "
        "at the packing line.",
        "Calls to {partner} failed with {code} for {pct} % of requests; retries made it worse.",
        "The integration dashboard showed no {partner} events for {minutes} minutes while order "
        "volume was normal.",
        "Support received tickets about missing {partner} updates before any alert fired.",
    ],
    "warehouse": [
        "Operators at {site} could not continue: the handhelds showed an error on every scan.",
        "The WMS at {site} reported {pct} % of picks short in zone {zone}.",
        "Parcels for {segment} piled up at {site} and the trailer left {minutes} minutes late.",
        "The shift lead at {site} saw numbers on the dashboard that did not match the floor.",
    ],
}
MITIGATIONS = [
    "Switched {segment} to a fallback service and relabelled {count} parcels.",
    "Rolled back the change and reprocessed the failed messages from the dead-letter queue.",
    "Paused the batch job, lowered the concurrency and replayed the backlog overnight.",
    "Rotated the credential, restarted the service pods and resent the failed requests.",
    "Ran the affected zone in manual mode and booked the corrections by hand.",
    "Added a temporary mapping for the new value and reimported {count} orders.",
]
ROOT_CAUSES = [
    "A change on the partner's side that was announced only in a changelog we do not follow.",
    "Our retry policy retried every failure immediately, multiplying the load on a slow API.",
    "The configuration change was tested on one site only and rolled out to all sites at once.",
    "No alert covered the silent failure: the error was logged but counted as a success.",
    "A manual step in the process depended on one person who was on leave.",
    "The data from the upstream system contained a value that our parser did not expect.",
]
FACTORS = [
    "No alert on the error rate of this call; we relied on the pack stations to notice.",
    "The runbook was out of date and described a screen that no longer exists.",
    "The change went out on a Friday afternoon without a staged rollout.",
    "The partner status page was not subscribed to by on-call.",
    "Peak volume left no slack to absorb the delay.",
    "Two teams each assumed the other owned the integration.",
    "The dashboard aggregated per day, which hid a two-hour gap.",
    "Retries were not idempotent, so the fix created duplicates.",
]
ACTION_TITLES = {
    "product": [
        "Idempotency keys on {feature}",
        "Automatic failover for {feature}",
        "Admin screen for carrier rules",
        "Validate {partner} payloads before sending",
    ],
    "operability": [
        "Alert on {feature} error rate",
        "Freshness alert per partner",
        "Dashboard for {feature} latency",
        "Synthetic check for {partner} API",
    ],
    "quality": [
        "Contract tests against the {partner} sandbox",
        "Load test {feature} at peak volume",
        "Regression test for {segment} orders",
        "Replay test with production samples",
    ],
    "process": [
        "Subscribe on-call to {partner} status updates",
        "Staged rollout for WMS changes",
        "Weekly review of partner changelogs",
        "Handover checklist for the late shift",
    ],
    "runbook": [
        "Runbook: {feature} failover",
        "Update the {site} escalation runbook",
        "Runbook: reprocessing failed messages",
        "Runbook: manual mode at {site}",
    ],
}
ACCEPTANCE = [
    "A retried request never creates a second label or order.",
    "The alert fires within 10 minutes of the first failure in a staging drill.",
    "The shift lead can switch carriers without a developer.",
    "The runbook was used in a drill and updated afterwards.",
    "The dashboard shows data not older than 15 minutes.",
    "A contract test fails the build when the partner schema changes.",
    "The change is rolled out to one site first and watched for a day.",
]
REASONS = [
    "The partner retires this API next quarter; the replacement covers it.",
    "Superseded by a broader action on the same failure mode.",
    "Cost outweighs the benefit at our current volume.",
]
WENT_WELL = [
    "The fallback carrier took the extra volume without trouble.",
    "The shift lead escalated quickly and with the right information.",
    "The rollback was quick because the change was behind a flag.",
    "Support had a prepared answer for customers within the hour.",
]
DIDNT = [
    "Detection depended on people on the floor noticing.",
    "The fix was improvised and left a temporary rule behind.",
    "Nobody knew who owned the integration at first.",
    "The runbook did not cover this variant.",
    "Retries created duplicates that had to be cleaned up by hand.",
]
LESSONS = [
    "Failover must be a routine, written-down step, not an improvisation.",
    "Every partner call needs an error-rate alert, not only a latency alert.",
    "Changes to shared configuration go out to one site first.",
    "Subscribe to partner changelogs and read them in the weekly review.",
    "Dashboards must show their own freshness.",
]
TAGS_EXTRA = ("peak", "customer-impact", "manual-work", "rollback", "follow-up", "sla")


# --------------------------------------------------------------------------- helpers

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ,.()/%&+_-]*$")


def q(text: str) -> str:
    """A YAML scalar for ``text``: plain when that is safe, else double-quoted (JSON is YAML)."""
    if _PLAIN.match(text) and ": " not in text and " #" not in text and not text.endswith(":"):
        return text
    return json.dumps(text, ensure_ascii=False)


def folded(key: str, text: str, indent: str = "") -> str:
    lines = textwrap.wrap(text, 92)
    body = "\n".join(f"{indent}  {line}" for line in lines)
    return f"{indent}{key}: >-\n{body}\n"


def flow(items: list[str]) -> str:
    return "[" + ", ".join(q(i) for i in items) + "]"


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(ZONE).isoformat(timespec="seconds")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-")


def two(rng: random.Random, pool: list[str]) -> list[str]:
    """Two different entries of ``pool``."""
    return rng.sample(pool, 2)


def weighted(rng: random.Random, table: Mapping[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


# --------------------------------------------------------------------------- incidents


@dataclass
class Incident:
    id: str
    started: dt.datetime
    mode: Mode
    path: str = ""
    title: str = ""
    front: str = ""
    body: str = ""
    excluded: bool = False
    declared: list[str] = field(default_factory=list)
    #: The front matter's ``tags`` (the blog peer's posts carry the same).
    tags: list[str] = field(default_factory=list)


def _starts(rng: random.Random, n: int) -> list[dt.datetime]:
    years = max(3, math.ceil(n / 500))  # 1,000 incidents: 3 years; 5,000: 10 years
    start = END.replace(year=END.year - years)
    span = int((END - start).total_seconds() // 60)
    peak_days = {(11, d) for d in range(20, 31)} | {(12, d) for d in range(1, 25)}
    result: set[dt.datetime] = set()
    while len(result) < n:
        moment = start + dt.timedelta(minutes=rng.randrange(span))
        local = moment.astimezone(ZONE)
        # Fewer incidents at night, more in peak periods.
        if local.hour < 6 and rng.random() < 0.7:
            continue
        if (local.month, local.day) not in peak_days and rng.random() < 0.25:
            continue
        result.add(moment)
    return sorted(result)


def _fill(template: str, ctx: dict[str, Any]) -> str:
    return template.format(**ctx)


def build_incidents(n: int, seed: int, *, light: bool = False) -> list[Incident]:
    """N incidents in order of their start; ``light``: the light pages (see the module's doc)."""
    rng = random.Random(seed)
    starts = _starts(rng, n)
    per_year: dict[int, int] = {}
    incidents: list[Incident] = []
    last_by_mode: dict[str, list[Incident]] = {}
    actions_by_mode: dict[str, list[str]] = {}
    used_paths: set[str] = set()
    mode_weights = [14, 10, 12, 9, 7, 12, 10, 8, 8, 10]
    for started in starts:
        year = started.astimezone(ZONE).year
        per_year[year] = per_year.get(year, 0) + 1
        inc_id = f"INC-{year}-{per_year[year]:03d}"
        mode = rng.choices(MODES, weights=mode_weights)[0]
        inc = Incident(inc_id, started, mode)
        _fill_incident(rng, inc, last_by_mode, actions_by_mode, light=light)
        local = started.astimezone(ZONE)
        base = f"{local:%Y-%m-%d}-{slugify(inc.title)}"
        name, k = base, 2
        while f"{year}/{name}" in used_paths:
            name, k = f"{base}-{k}", k + 1
        used_paths.add(f"{year}/{name}")
        inc.path = f"{year}/{name}.md"
        incidents.append(inc)
        last_by_mode.setdefault(mode.slug, []).append(inc)
        actions_by_mode.setdefault(mode.slug, []).extend(inc.declared)
    return incidents


def _fill_incident(
    rng: random.Random,
    inc: Incident,
    last_by_mode: dict[str, list[Incident]],
    actions_by_mode: dict[str, list[str]],
    *,
    light: bool = False,
) -> None:
    mode = inc.mode
    if mode.category == "integration":
        candidates = [p for p in PARTNERS if p.kind in mode.partner_kinds and mode.slug in p.modes]
        candidates = candidates or [p for p in PARTNERS if p.kind in mode.partner_kinds]
        partners = rng.sample(candidates, k=min(len(candidates), rng.choice((1, 1, 1, 2))))
        sites = rng.sample(SITES, k=rng.choice((0, 1, 1, 2)))
    else:
        sites = rng.sample(SITES, k=rng.choice((1, 1, 1, 2)))
        carriers = [p for p in PARTNERS if p.kind == "carrier"]
        partners = rng.sample(carriers, k=rng.choice((0, 0, 0, 1)))
    segments = rng.sample(SEGMENTS, k=rng.choice((1, 1, 2)))
    partner = partners[0].name if partners else "the carrier"
    site = sites[0].name if sites else "Tilburg DC"
    ctx = {
        "partner": partner,
        "site": site,
        "period": rng.choice(PERIODS),
        "feature": rng.choice(FEATURES),
        "segment": segments[0],
        "change": rng.choice(CHANGES),
        "zone": rng.choice("ABCDEFGHJKLMN"),
        "hours": rng.randint(2, 30),
        "code": rng.choice(("HTTP 503", "HTTP 504", "HTTP 429", "HTTP 401", "HTTP 400")),
        "pct": rng.randint(5, 100),
        "minutes": rng.randint(15, 240),
        "count": rng.randint(20, 4000),
    }
    inc.title = _fill(rng.choice(TITLES[mode.slug]), ctx)

    kind_of_drill = rng.random()
    inc.excluded = kind_of_drill < 0.02
    if inc.excluded:
        inc.title = ("Drill: " if kind_of_drill < 0.012 else "False alarm: ") + inc.title

    severity = weighted(rng, {"Sev1": 0.08, "Sev2": 0.3, "Sev3": 0.62})
    detection = weighted(rng, {"alert": 0.5, "internal": 0.2, "customer": 0.2, "partner": 0.1})
    trigger = weighted(
        rng,
        {
            "rollout": 0.12,
            "config_change": 0.1,
            "partner_change": 0.15,
            "partner_outage": 0.18,
            "load": 0.15,
            "data": 0.15,
            "unknown": 0.15,
        },
    )
    detected = inc.started + dt.timedelta(minutes=rng.randint(1, 120))
    mitigated = detected + dt.timedelta(minutes=rng.randint(5, 480))
    resolved = mitigated + dt.timedelta(minutes=rng.randint(30, 60 * 24 * 14))
    manual = rng.choice((0, 0, 0.5, 1, 2, 2.5, 3, 4, 6, 8, 12, 16, 24))
    runbooks = [r for r in mode.runbooks if rng.random() < 0.7]
    earlier = [i for i in last_by_mode.get(mode.slug, [])[-5:] if not i.excluded]
    recurrence = (
        [rng.choice(earlier).id] if earlier and not inc.excluded and rng.random() < 0.06 else []
    )

    lines = [
        "---",
        f"id: {inc.id}",
        f"title: {q(inc.title)}",
        f"severity: {severity}",
        f"category: {mode.category}",
        f"failure_mode: {mode.slug}",
        f"detection_source: {detection}",
        f"started_at: {stamp(inc.started)}",
        f"detected_at: {stamp(detected)}",
        f"mitigated_at: {stamp(mitigated)}",
    ]
    if rng.random() < 0.85:
        lines.append(f"resolved_at: {stamp(resolved)}")
    lines.append("scope:")
    if partners:
        lines.append(f"  partners: {flow([p.slug for p in partners])}")
    if sites:
        lines.append(f"  sites: {flow([s.slug for s in sites])}")
    lines.append(f"  segments: {flow(segments)}")
    text = "\n".join(lines) + "\n"
    if light:
        text += _light_facts(rng, mode, ctx, trigger)
    else:
        text += _full_facts(rng, inc, mode, ctx, trigger, manual, runbooks, partners, sites)
    if recurrence:
        text += f"recurrence_of: {flow(recurrence)}\n"
    if inc.excluded:
        text += "exclude_from_metrics: true\n"
    tags = list(mode.tags[: rng.randint(1, 2)]) + [p.slug for p in partners[:1]]
    if rng.random() < 0.3:
        tags.append(rng.choice(TAGS_EXTRA))
    text += f"tags: {flow(tags)}\n"
    inc.tags = tags

    # Actions: 0 to 3 entries (light: 0 or 1). The decision rule (SPEC 4) must never find a
    # qualifying incident without one, so that `check` and `mkdocs build --strict` stay clean.
    repeat = any(
        not i.excluded and inc.started - i.started <= REPEAT_WINDOW
        for i in last_by_mode.get(mode.slug, [])[-10:]
    )
    qualifies = not inc.excluded and (
        repeat
        or bool(recurrence)
        or severity in ("Sev1", "Sev2")
        or (manual >= 8 and not light)  # light pages have no manual_hours
        or detection in ("customer", "partner")
        or trigger in ("rollout", "config_change")
    )
    if inc.excluded:
        own = 0
    elif light:
        own = rng.choices((0, 1), weights=(70, 30))[0]
    else:
        own = rng.choices((0, 1, 2, 3), weights=(25, 40, 25, 10))[0]
    refs: list[str] = []
    pool = actions_by_mode.get(mode.slug, [])[-12:]
    if qualifies and own == 0:
        if pool and rng.random() < 0.8:
            refs.append(rng.choice(pool))
        else:
            own = 1
    elif not light and 0 < own < 3 and pool and rng.random() < 0.1:
        refs.append(rng.choice(pool))
    age_days = (END - inc.started).days
    if own or refs:
        text += "actions:\n"
    for k in range(own):
        text += _action(rng, inc, k, ctx, age_days, light=light)
        inc.declared.append(f"{inc.id}-A{k + 1}")
    for ref in refs:
        text += f"  - ref: {ref}\n"
    inc.front = text + "---\n"
    if light:
        inc.body = _light_body(rng, inc, ctx, detected, mitigated, partners, sites)
    else:
        inc.body = _body(rng, inc, ctx, detected, mitigated, partners, sites)


def _light_facts(rng: random.Random, mode: Mode, ctx: dict[str, Any], trigger: str) -> str:
    """The facts of a light incident, one line each: no contributing factors, rollback, manual
    hours, runbooks or links."""
    text = f"symptoms: {q(_fill(rng.choice(SYMPTOMS[mode.category]), ctx))}\n"
    text += f"mitigation: {q(_fill(rng.choice(MITIGATIONS), ctx))}\n"
    if rng.random() < 0.85:
        text += f"root_cause: {q(rng.choice(ROOT_CAUSES))}\n"
    return text + f"trigger: {trigger}\n"


def _full_facts(
    rng: random.Random,
    inc: Incident,
    mode: Mode,
    ctx: dict[str, Any],
    trigger: str,
    manual: float,
    runbooks: list[str],
    partners: list[Partner],
    sites: list[SiteInfo],
) -> str:
    text = folded("symptoms", " ".join(_fill(t, ctx) for t in two(rng, SYMPTOMS[mode.category])))
    text += folded("mitigation", " ".join(_fill(t, ctx) for t in two(rng, MITIGATIONS)))
    if rng.random() < 0.85:
        text += folded("root_cause", " ".join(two(rng, ROOT_CAUSES)))
    factors = rng.sample(FACTORS, k=rng.randint(0, 3))
    if factors:
        text += "contributing_factors:\n" + "".join(f"  - {q(f)}\n" for f in factors)
    text += f"trigger: {trigger}\n"
    if trigger == "rollout":
        text += f"rolled_back: {'true' if rng.random() < 0.6 else 'false'}\n"
    text += f"manual_hours: {manual}\n"
    if runbooks:
        text += f"runbooks: {flow(runbooks)}\n"
    text += "links:\n"
    slug = partners[0].slug if partners else sites[0].slug
    links = [
        ("Dashboard", f"https://grafana.example.com/d/{mode.slug}?var-target={slug}"),
        ("Logs", f"https://kibana.example.com/app/discover#/view/{inc.id.lower()}"),
        ("Ticket", f"https://jira.example.com/browse/OPS-{rng.randint(100, 9999)}"),
    ]
    for title, url in links[: rng.randint(1, 3)]:
        text += f"  - title: {title}\n    url: {q(url)}\n"
    return text


def _action(
    rng: random.Random,
    inc: Incident,
    k: int,
    ctx: dict[str, Any],
    age_days: int,
    *,
    light: bool = False,
) -> str:
    """One action entry; ``light``: only the fields its status requires."""
    kind = rng.choice(list(ACTION_TITLES))
    if age_days > 365:
        table = {"done": 70, "wont_do": 10, "in_progress": 10, "planned": 5, "proposed": 5}
    elif age_days > 90:
        table = {"done": 45, "in_progress": 20, "planned": 15, "proposed": 12, "wont_do": 8}
    else:
        table = {"proposed": 35, "planned": 30, "in_progress": 20, "done": 10, "wont_do": 5}
    status = weighted(rng, table)
    owner = rng.choice(TEAMS) if rng.random() < 0.85 else rng.choice(PEOPLE)
    started_day = inc.started.astimezone(ZONE).date()
    out = [
        f"  - title: {q(_fill(rng.choice(ACTION_TITLES[kind]), ctx))}",
        f"    type: {kind}",
        f"    owner: {q(owner)}",
        f"    status: {status}",
    ]
    if light:
        if status in ("planned", "in_progress", "done"):
            out.append(f"    acceptance: [{q(rng.choice(ACCEPTANCE))}]")
        if status == "done":
            days = rng.randint(3, max(3, min(age_days, 180)))
            out.append(
                f"    completed_at: {min(started_day + dt.timedelta(days=days), END.date())}"
            )
        if status == "wont_do":
            out.append(f"    reason: {q(rng.choice(REASONS))}")
        return "\n".join(out) + "\n"
    if rng.random() < 0.85:
        out.append(f"    priority: P{rng.choice((1, 2, 2, 3, 3))}")
    if rng.random() < 0.25:
        out.append(f"    due: {started_day + dt.timedelta(days=rng.randint(14, 120))}")
    if rng.random() < 0.6:
        ticket = (
            f"OPS-{rng.randint(100, 9999)}"
            if rng.random() < 0.8
            else f"https://linear.example.com/logistics/issue/INT-{rng.randint(10, 999)}"
        )
        out.append(f"    ticket: {q(ticket)}")
    if status in ("planned", "in_progress", "done") or rng.random() < 0.3:
        out.append("    acceptance:")
        out.extend(f"      - {q(a)}" for a in rng.sample(ACCEPTANCE, k=rng.randint(1, 3)))
    if status == "done":
        days = rng.randint(3, max(3, min(age_days, 180)))
        out.append(f"    completed_at: {min(started_day + dt.timedelta(days=days), END.date())}")
    if status == "wont_do":
        out.append(f"    reason: {q(rng.choice(REASONS))}")
    return "\n".join(out) + "\n"


def _body(
    rng: random.Random,
    inc: Incident,
    ctx: dict[str, Any],
    detected: dt.datetime,
    mitigated: dt.datetime,
    partners: list[Partner],
    sites: list[SiteInfo],
) -> str:
    who = partners[0].name if partners else sites[0].name
    ttd = int((detected - inc.started).total_seconds() // 60)
    ttm = int((mitigated - inc.started).total_seconds() // 60)
    summary = textwrap.wrap(
        f"{inc.title}. Impact started at {inc.started.astimezone(ZONE):%H:%M} and lasted about "
        f"{ttm} minutes until service was restored; it took {ttd} minutes before anybody on the "
        f"platform side knew. {rng.choice(ROOT_CAUSES)} {rng.choice(FACTORS)}",
        96,
    )
    events = [
        (inc.started, f"First errors for {who}"),
        (
            inc.started + (detected - inc.started) / 3,
            rng.choice(
                (
                    "Error rate above 5 %",
                    "First customer ticket",
                    "Queue depth starts to grow",
                    "Partner status page reports degradation",
                )
            ),
        ),
        (
            detected,
            rng.choice(
                (
                    "Alert fires in the on-call channel",
                    "Shift lead calls on-call",
                    "Support escalates to on-call",
                    "Partner mails our support desk",
                )
            ),
        ),
        (detected + (mitigated - detected) / 4, "Incident channel opened, roles assigned"),
        (detected + (mitigated - detected) / 2, f"Cause narrowed down to {ctx['feature']}"),
        (mitigated - (mitigated - detected) / 5, _fill(rng.choice(MITIGATIONS), ctx)),
        (mitigated, "Service restored, backlog draining"),
        (mitigated + dt.timedelta(minutes=rng.randint(20, 90)), "Backlog cleared, channel closed"),
    ]
    rows = "\n".join(f"| {t.astimezone(ZONE):%H:%M} | {e} |" for t, e in events)
    analysis = textwrap.wrap(
        f"{' '.join(two(rng, ROOT_CAUSES))} The {ctx['feature']} path has no automatic "
        f"fallback, so every minute of the outage meant {ctx['count'] // 10} more parcels or "
        f"orders waiting. {' '.join(two(rng, FACTORS))}",
        96,
    )
    impact = textwrap.wrap(
        f"{ctx['count']} orders or parcels were affected, most of them {ctx['segment']}. "
        f"About {ctx['pct']} % of them missed the planned carrier cut-off; support answered "
        f"{ctx['hours'] * 3} customer contacts about it.",
        96,
    )
    didnt = two(rng, DIDNT)
    lessons = two(rng, LESSONS)
    parts = [
        "\n".join(summary),
        "",
        "## Timeline",
        "",
        "| time | event |",
        "| --- | --- |",
        rows,
        "",
        "## Impact",
        "",
        "\n".join(impact),
        "",
        f"- Orders delayed: {ctx['count']}",
        f"- Manual work: relabelling, rebooking and customer contacts at {sites[0].name if sites else who}",
        "",
        "## Analysis",
        "",
        "\n".join(analysis),
        "",
        "## What went well / what didn't",
        "",
        f"- Went well: {rng.choice(WENT_WELL)}",
        f"- Didn't: {didnt[0]}",
        f"- Didn't: {didnt[1]}",
        "",
        "## Lessons",
        "",
        f"- {lessons[0]}",
        f"- {lessons[1]}",
    ]
    return "\n".join(parts) + "\n"


def _light_body(
    rng: random.Random,
    inc: Incident,
    ctx: dict[str, Any],
    detected: dt.datetime,
    mitigated: dt.datetime,
    partners: list[Partner],
    sites: list[SiteInfo],
) -> str:
    """About 20 lines: a summary, a timeline of four rows, the impact and one lesson."""
    who = partners[0].name if partners else sites[0].name
    ttm = int((mitigated - inc.started).total_seconds() // 60)
    summary = textwrap.wrap(
        f"{inc.title}. Impact started at {inc.started.astimezone(ZONE):%H:%M} and lasted about "
        f"{ttm} minutes until service was restored. {rng.choice(ROOT_CAUSES)}",
        96,
    )
    events = [
        (inc.started, f"First errors for {who}"),
        (detected, "Alert fires in the on-call channel"),
        (mitigated - (mitigated - detected) / 5, _fill(rng.choice(MITIGATIONS), ctx)),
        (mitigated, "Service restored, backlog draining"),
    ]
    impact = textwrap.wrap(
        f"{ctx['count']} orders or parcels were affected, most of them {ctx['segment']}. "
        f"About {ctx['pct']} % of them missed the planned carrier cut-off; support answered "
        f"{ctx['hours'] * 3} customer contacts about it.",
        96,
    )
    parts = [
        "\n".join(summary),
        "",
        "## Timeline",
        "",
        "| time | event |",
        "| --- | --- |",
        "\n".join(f"| {t.astimezone(ZONE):%H:%M} | {e} |" for t, e in events),
        "",
        "## Impact",
        "",
        "\n".join(impact),
        "",
        "## Lessons",
        "",
        f"- {rng.choice(LESSONS)}",
    ]
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- writers


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _prepare(path: Path, force: bool) -> None:
    if path.exists() and any(path.iterdir()):
        if not (force and (path / MARKER).exists()):
            raise SystemExit(
                f"{path} exists and is not empty; pick another DIR"
                + (
                    " (only directories made by this script are replaced)"
                    if force
                    else " or pass --force to replace an earlier output of this script"
                )
            )
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text("made by benchmarks/generate.py\n", encoding="utf-8")


def _partner_page(p: Partner) -> str:
    contacts = (
        f"  - name: {q(p.name + ' API support')}\n    role: Partner technical support\n"
        f"    contact: api-support@{p.slug}.example.com\n"
        f"  - name: {q(p.owner + ' on-call')}\n    role: Our first responder\n"
        f"    contact: {slugify(p.owner)}-oncall@logistics.example.com\n"
    )
    return (
        f"---\nname: {q(p.name)}\nkind: {p.kind}\nowner: {q(p.owner)}\nlifecycle: active\n"
        f"escalation:\n{contacts}"
        f"known_failure_modes: {flow(list(p.modes))}\n"
        f"runbooks: {flow(list(p.runbooks))}\n"
        f"links:\n  - title: API status page\n    url: https://status.{p.slug}.example.com/\n"
        f"---\n\n# {p.name}\n\n{p.blurb}\n\nQuirks that have bitten us:\n\n"
        "- Changes are announced in a changelog that nobody reads unless it is on the weekly "
        "review agenda.\n- Sandbox and production behave differently under load.\n"
    )


def _site_page(s: SiteInfo) -> str:
    return (
        f"---\nname: {q(s.name)}\nowner: {q(s.owner)}\nwms: {q(s.wms)}\nregion: {q(s.region)}\n"
        f"---\n\n# {s.name}\n\n{s.blurb}\n\n- **Shifts:** early 06:00-14:30, late 14:30-23:00.\n"
        "- **On call:** the shift lead calls Platform on-call for labels, orders or the sorter.\n"
    )


def _runbook_page(slug: str, info: tuple[str, str, list[str], list[str]], i: int) -> str:
    title, owner, modes, partners = info
    reviewed = dt.date(2025, 1 + i % 12, 1 + (i * 7) % 27)
    partners_line = f"partners: {flow(partners)}\n" if partners else ""
    steps = "\n".join(
        f"{k}. {s}"
        for k, s in enumerate(
            (
                "Confirm the symptom on the dashboard linked from the partner or site page.",
                "Open an incident channel and name an incident lead.",
                "Apply the mitigation below and watch the error rate for ten minutes.",
                "Write down every manual step you took: it goes into the incident record.",
            ),
            start=1,
        )
    )
    return (
        f"---\ntitle: {q(title)}\nowner: {q(owner)}\nreviewed: {reviewed}\n"
        f"failure_modes: {flow(modes)}\n{partners_line}---\n\n# {title}\n\n{steps}\n\n"
        "| step | who | how long |\n| --- | --- | --- |\n| detect | on-call | 5 min |\n"
        "| mitigate | on-call with the shift lead | 15 to 60 min |\n| clean up | owning team | a day |\n"
    )


def _failure_modes() -> str:
    out = ["# Failure modes of the synthetic benchmark project (benchmarks/generate.py).", ""]
    for m in MODES:
        out.append(f"{m.slug}:\n  title: {q(m.title)}\n  category: {m.category}")
        out.append(folded("description", m.description, "  ").rstrip("\n"))
        out.append("")
    return "\n".join(out)


INDEX_NAV = (
    ("Incidents", "incidents/index.md"),
    ("Integrations", "integrations/index.md"),
    ("Sites", "sites/index.md"),
    ("Runbooks", "runbooks/index.md"),
    ("Actions", "actions/index.md"),
    ("Backlog", "backlog/index.md"),
    ("Trends", "trends/index.md"),
    ("Peak readiness", "peak/index.md"),
)
THEME = """theme:
  name: material
  font: false
  features:
    - navigation.sections
    - navigation.top
    - search.highlight
"""
MARKDOWN_EXTENSIONS = """markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
"""


def _nav() -> str:
    return "nav:\n  - Home: index.md\n" + "".join(f"  - {t}: {p}\n" for t, p in INDEX_NAV)


def _common_docs(root: Path) -> None:
    for p in PARTNERS:
        _write(root / "docs" / "integrations" / f"{p.slug}.md", _partner_page(p))
    for s in SITES:
        _write(root / "docs" / "sites" / f"{s.slug}.md", _site_page(s))
    for i, (slug, info) in enumerate(sorted(RUNBOOKS.items())):
        _write(root / "docs" / "runbooks" / f"{slug}.md", _runbook_page(slug, info, i))


def write_incident_loop(root: Path, n: int, incidents: list[Incident]) -> None:
    peaks = "".join(
        f'        - {{ name: {p["name"]}, start: "{p["start"]}", end: "{p["end"]}" }}\n'
        for p in PEAK_PERIODS
    )
    _write(
        root / "mkdocs.yml",
        (
            f"site_name: Logistics incidents ({n} synthetic incidents)\n"
            "site_description: Benchmark project generated by benchmarks/generate.py\n"
            "repo_url: https://github.com/example/logistics-incidents\n"
            "edit_uri: edit/main/docs/\n"
            + THEME.replace("  features:\n", "  features:\n    - content.action.edit\n")
            + "\nplugins:\n  - search\n  - tags\n  - incident-loop:\n"
            "      timezone: Europe/Amsterdam\n      peak_periods:\n"
            + peaks
            + "  - macros:\n      on_undefined: strict\n      modules: [incident_loop.macros]\n\n"
            + MARKDOWN_EXTENSIONS
            + "\nvalidation:\n  omitted_files: warn\n  absolute_links: info\n"
            "  unrecognized_links: warn\n  anchors: warn\n\n"
            "not_in_nav: |\n  /integrations/*.md\n  /sites/*.md\n  /runbooks/*.md\n\n" + _nav()
        ),
    )
    _write(
        root / "docs" / "index.md",
        (
            "# Incidents of the logistics platform\n\n"
            "A synthetic data set for the benchmarks: shop, marketplace and carrier integrations and "
            "the warehouse operations that run on the WMS.\n\n## At a glance\n\n| | |\n| --- | --- |\n"
            '| Incidents in the last 30 days | **{{ metric("incidents_last_30_days") }}** |\n'
            '| MTTR of the last quarter | **{{ metric("mttr_last_quarter") }}** |\n'
            '| Overdue actions | **{{ metric("overdue_actions") }}** |\n\n'
            "### Latest incidents\n\n{{ incident_table(limit=5) }}\n\n"
            "### Overdue and open actions\n\n{{ open_actions(limit=8) }}\n"
        ),
    )
    _common_docs(root)
    _write(root / "incidents" / "failure-modes.yml", _failure_modes())
    for inc in incidents:
        _write(root / "incidents" / inc.path, inc.front + "\n" + inc.body)


def write_baseline(root: Path, n: int, incidents: list[Incident]) -> None:
    _write(
        root / "mkdocs.yml",
        (
            f"site_name: Logistics incidents ({n} plain pages, baseline)\n"
            "site_description: Baseline project generated by benchmarks/generate.py\n"
            "repo_url: https://github.com/example/logistics-incidents\n"
            "edit_uri: edit/main/docs/\n"
            + THEME
            + "\nplugins:\n  - search\n\n"
            + MARKDOWN_EXTENSIONS
            + "\nnot_in_nav: |\n  /incidents/*\n  /integrations/*.md\n  /sites/*.md\n  /runbooks/*.md\n\n"
            + _nav()
        ),
    )
    _write(
        root / "docs" / "index.md",
        (
            "# Incidents of the logistics platform\n\nThe same data set as plain pages: no plugin, "
            "none of the incidents in the navigation.\n"
        ),
    )
    for title, path in INDEX_NAV:
        _write(root / "docs" / path, f"# {title}\n\nA plain index page of the baseline.\n")
    _common_docs(root)
    for inc in incidents:
        _write(
            root / "docs" / "incidents" / f"{inc.id}.md", f"# {inc.id}: {inc.title}\n\n{inc.body}"
        )


def write_blog(root: Path, n: int, incidents: list[Incident]) -> None:
    _write(
        root / "mkdocs.yml",
        (
            f"site_name: Logistics incidents ({n} blog posts)\n"
            "site_description: Peer project generated by benchmarks/generate.py\n"
            + THEME
            + "\nplugins:\n  - search\n  - tags\n  - blog\n\n"
            + MARKDOWN_EXTENSIONS
            + "\nnav:\n  - Home: index.md\n  - Blog:\n      - blog/index.md\n"
        ),
    )
    _write(root / "docs" / "index.md", "# Incidents as a blog\n\nMaterial's blog plugin.\n")
    _write(root / "docs" / "blog" / "index.md", "# Blog\n")
    for inc in incidents:
        day = inc.started.astimezone(ZONE).date()
        _write(
            root / "docs" / "blog" / "posts" / f"{inc.id.lower()}.md",
            f"---\ndate: {day}\ncategories: [{inc.mode.category}]\ntags: {flow(inc.tags)}\n"
            f"---\n\n# {inc.id}: {inc.title}\n\n{inc.body}",
        )


@contextmanager
def project_in(
    workdir: Path | None, n: int, seed: int, project: str, prefix: str, *, light: bool = False
) -> Iterator[Path]:
    """The root of one generated project (``incident-loop``, ``baseline`` or ``blog``) in
    ``workdir``, or in a temporary folder that is removed afterwards."""
    work = workdir or Path(tempfile.mkdtemp(prefix=prefix))
    try:
        roots = generate(
            n,
            work / f"{'light' if light else 'n'}{n}",
            seed,
            baseline=project == "baseline",
            blog=project == "blog",
            light=light,
            force=True,
        )
        yield roots[project]
    finally:
        if workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def generate(
    n: int,
    out: Path,
    seed: int = 1,
    *,
    baseline: bool = True,
    blog: bool = False,
    light: bool = False,
    force: bool = False,
) -> dict[str, Path]:
    """Write the projects; return their roots by kind (``incident-loop``, ``baseline``, ``blog``)."""
    incidents = build_incidents(n, seed, light=light)
    roots = {"incident-loop": out}
    if baseline:
        roots["baseline"] = out.with_name(out.name + "-baseline")
    if blog:
        roots["blog"] = out.with_name(out.name + "-blog")
    writers = {"incident-loop": write_incident_loop, "baseline": write_baseline, "blog": write_blog}
    for kind, root in roots.items():
        _prepare(root, force)
        writers[kind](root, n, incidents)
    return roots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, metavar="N", help="number of incidents")
    parser.add_argument("dir", type=Path, metavar="DIR", help="output directory")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="do not write DIR-baseline")
    parser.add_argument("--blog", action="store_true", help="also write DIR-blog (blog plugin)")
    parser.add_argument(
        "--light",
        action="store_true",
        help="light pages: a body of about 20 lines, a front matter of about 20, 0 or 1 action",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace earlier outputs of this script at the same paths",
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    roots = generate(
        args.n,
        args.dir,
        args.seed,
        baseline=not args.no_baseline,
        blog=args.blog,
        light=args.light,
        force=args.force,
    )
    for kind, root in roots.items():
        print(f"{kind}: {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
