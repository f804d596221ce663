"""Issue 3: catalogue, sites, runbooks, action register, backlog and macros on built sites.

tests/fixtures/catalogue, with today = 2026-06-15 (SOURCE_DATE_EPOCH):

  INC-2026-001 Sev2 dhl  label-api-timeouts 2026-01-10 09:00+01 -> mitigated 10:30 (90 min)
      A1 product planned P1, no due: 2026-01-10 + 56 (Sev2) = 2026-03-07  -> overdue
      A2 runbook done 2026-02-01
  INC-2026-002 Sev1 dhl  label-api-timeouts 2026-02-15 08:00+01 -> 12:00 (240 min), customer, 12 h
      ref INC-2026-001-A1; A2 operability in_progress due 2026-07-01 -> not overdue
      repeats INC-2026-001 (36 days < 90)
  INC-2026-003 Sev3 dhl+ams webhook-gaps  2026-03-01 10:00Z -> 10:30Z (30 min), partner
      A1 process proposed P3, no due: 2026-03-01 + 84 (Sev3) = 2026-05-24 -> overdue
  INC-2026-004 Sev3 shopify webhook-gaps 2026-05-01 10:00+02 -> 10:20 (20 min), alert
      A1 quality proposed due 2026-12-31; repeats INC-2026-003 (61 days)

Runbook label-failover was reviewed 2026-02-01 and used by INC-2026-001 (before) and
INC-2026-002 (after): stale. webhook-recovery (reviewed 2026-06-01) was used on 2026-05-01: fresh.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import EPOCH_2026_06_15, FIXTURES, build_site, visible_text


@pytest.fixture
def catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of tests/fixtures/catalogue, built with today = 2026-06-15."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_06_15)
    root = tmp_path / "catalogue"
    shutil.copytree(FIXTURES / "catalogue", root)
    return root


@pytest.fixture
def site(catalogue: Path) -> Path:
    return build_site(catalogue)


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start + 1)
    return html[start : end if end != -1 else len(html)]


def _rows(html: str) -> list[str]:
    rows = re.findall(r"<tr[ >].*?</tr>", html, re.S)
    return [visible_text(row) for row in rows[1:]]  # the first row is the header


def test_epoch_is_june_15() -> None:
    import datetime as dt

    assert dt.datetime.fromtimestamp(int(EPOCH_2026_06_15), dt.timezone.utc).date() == dt.date(
        2026, 6, 15
    )


def test_partner_median_is_computed_and_withheld_below_five(catalogue: Path) -> None:
    from test_rules import checked

    from incident_loop.core.catalogue import build_catalogue

    result = checked(catalogue)
    stats = build_catalogue(result.project, result.analysis).partners["dhl"]
    assert (len(stats.counted), stats.time_to_mitigate_median) == (3, 90)  # of 90, 240, 30


def test_partner_page(site: Path) -> None:
    page = (site / "integrations/dhl/index.html").read_text()
    # hand-written text kept, generated sections at the marker: before "Contract notes"
    assert page.index("Labels and tracking for DHL Parcel.") < page.index(
        'id="escalation-contacts"'
    )
    assert page.index('id="runbooks"') < page.index('id="contract-notes"')
    assert _rows(_section(page, "escalation-contacts")) == [
        "DHL API desk vendor support api@dhl.example.com",
        "Account manager commercial +31 30 555 0100",
    ]
    assert 'href="mailto:api@dhl.example.com"' in page
    # Failure mode | Known (in dhl's known_failure_modes) | Incidents | Last seen: label API
    # timeouts are 001 and 002 (last 2026-02-15); webhook gaps only 003 for dhl, and not listed.
    assert _rows(_section(page, "failure-modes")) == [
        "Label API timeouts yes 2 2026-02-15",
        "Webhook gaps ⚠ seen, not listed in known_failure_modes 1 2026-03-01",
    ]
    history = _section(page, "incident-history")
    # dhl is in 001, 002 and 003: median(90, 240, 30) = 90 minutes, a median of fewer than five
    # incidents, which the page does not show (SPEC section 4)
    assert "3 incidents; median time to mitigate: too few incidents (n=3)." in visible_text(history)
    assert [row.split()[0] for row in _rows(history)] == [
        "INC-2026-003",
        "INC-2026-002",
        "INC-2026-001",
    ]
    open_actions = _rows(_section(page, "open-actions"))
    assert [row.split()[0] for row in open_actions] == [
        "INC-2026-001-A1",
        "INC-2026-003-A1",
        "INC-2026-002-A2",
    ]
    assert "2026-03-07 (default) ⚠ overdue" in open_actions[0]
    assert "INC-2026-001 , INC-2026-002" in open_actions[0]  # answered by both through the ref
    assert "2026-05-24 (default) ⚠ overdue" in open_actions[1]
    assert "2026-07-01" in open_actions[2] and "overdue" not in open_actions[2]
    runbooks = visible_text(_section(page, "runbooks"))
    assert "Carrier label failover ⚠ stale" in runbooks


def test_integrations_and_sites_indexes(site: Path) -> None:
    # Partner | Kind | Owner | Lifecycle | Incidents | Last incident | Open actions | Overdue.
    # dhl: 001, 002, 003, the last 003 (2026-03-01); open 001-A1, 002-A2, 003-A1 (001-A2 is
    # done), overdue 001-A1 (2026-03-07) and 003-A1 (2026-05-24), not 002-A2 (2026-07-01).
    # shopify: 004 only; its A1 is open and due 2026-12-31.
    rows = _rows((site / "integrations/index.html").read_text())
    assert rows == [
        "DHL Parcel carrier team-carriers active 3 INC-2026-003 (2026-03-01) 3 ⚠ 2 overdue",
        "Shopify shop team-shops active 1 INC-2026-004 (2026-05-01) 1 0",
    ]
    # Site | Owner | WMS | Region | Incidents | Last incident | Open actions | Overdue: ams is in
    # 003 only (its A1 overdue); Tilburg has no WMS or region given and no incidents.
    rows = _rows((site / "sites/index.html").read_text())
    assert rows == [
        "Amsterdam DC team-warehouse Manhattan NL 1 INC-2026-003 (2026-03-01) 1 ⚠ 1 overdue",
        "Tilburg DC team-warehouse – – 0 – 0 0",
    ]
    ams = (site / "sites/ams/index.html").read_text()
    assert _rows(_section(ams, "failure-modes-seen")) == ["Webhook gaps 1 2026-03-01"]
    assert "1 incident; median time to mitigate: too few incidents (n=1)." in visible_text(ams)


def test_runbook_goes_stale_exactly_when_used_after_review(site: Path) -> None:
    # Runbook | Owner | Last review | Failure modes | Used by (newest first) | Review:
    # label-failover reviewed 2026-02-01, used by 002 on 2026-02-15, after it: stale;
    # webhook-recovery reviewed 2026-06-01, after its one use (004, 2026-05-01): up to date.
    rows = _rows((site / "runbooks/index.html").read_text())
    assert rows == [
        "Carrier label failover team-carriers reviewed 2026-02-01 Label API timeouts INC-2026-002 , INC-2026-001 ⚠ stale",
        "Webhook recovery team-shops reviewed 2026-06-01 Webhook gaps INC-2026-004 up to date",
    ]
    page = visible_text((site / "runbooks/label-failover/index.html").read_text())
    assert "1 incident used it after that review: INC-2026-002 ." in page


def test_runbook_is_fresh_when_the_incident_started_on_the_review_day(catalogue: Path) -> None:
    root = catalogue
    runbook = root / "docs/runbooks/label-failover.md"
    runbook.write_text(runbook.read_text().replace("reviewed: 2026-02-01", "reviewed: 2026-02-15"))
    rows = _rows((build_site(root) / "runbooks/index.html").read_text())
    assert rows[0].endswith("up to date")


def test_action_register(site: Path) -> None:
    page = (site / "actions/index.html").read_text()
    assert "5 in all, 2 overdue on 2026-06-15" in visible_text(page)
    register = page[page.index('class="il-register') :]
    rows = _rows(register)
    # overdue first (by due date), then open by due date, then closed
    assert [row.split()[0] for row in rows] == [
        "INC-2026-001-A1",
        "INC-2026-003-A1",
        "INC-2026-002-A2",
        "INC-2026-004-A1",
        "INC-2026-001-A2",
    ]
    assert 'id="inc-2026-001-a1"' in register
    assert "runbook team-carriers done 2026-02-01" in rows[4]
    by_status = _rows(_section(page, "by-status-and-type"))
    assert by_status[0] == "product 0 1 0 0 0 1"  # proposed planned in_progress done wont_do all
    assert _rows(_section(page, "by-owner")) == ["team-carriers 3 ⚠ 2 4", "team-shops 1 0 1"]


def test_backlog_ranking_worked_by_hand(site: Path) -> None:
    """Scores: severity 30 per step (Sev1 90, Sev3 30) + 10 per repeat of the failure modes
    (label-api-timeouts 1: INC-2026-002; webhook-gaps 1: INC-2026-004) + manual hours (max 10)
    + 10 when a customer or partner detected it.
      INC-2026-001-A1 answers 001 and 002: 90 + 10 + min(12, 10) + 10 = 120, due 2026-03-07
      INC-2026-002-A2 answers 002:          90 + 10 + 10 + 10          = 120, due 2026-07-01
      INC-2026-003-A1 answers 003 (partner): 30 + 10 + 0 + 10          = 50
      INC-2026-004-A1 answers 004 (alert):   30 + 10 + 0 + 0           = 40
    """
    page = (site / "backlog/index.html").read_text()
    ranked = _rows(_section(page, "open-actions-ranked-by-score"))
    assert [(row.split()[0], row.split()[1]) for row in ranked] == [
        ("1", "INC-2026-001-A1"),
        ("2", "INC-2026-002-A2"),
        ("3", "INC-2026-003-A1"),
        ("4", "INC-2026-004-A1"),
    ]
    scores = [re.search(r"\) (\d+) = [\d +]+ \d+ severity", row)[1] for row in ranked]
    assert scores == ["120", "120", "50", "40"]
    # the score and its five parts on one line (no impact recorded: 0); what each part counts
    # opens from it (issue 18)
    assert (
        "120 = 90 + 10 + 10 + 10 + 0 90 severity (highest severity Sev1) 10 recurrence (1 repeat incident of label-api-timeouts) 10 manual work (12 manual hours) 10 observability (detected by a customer or partner)"
        in ranked[0]
    )
    qualifying = _rows(_section(page, "qualifying-incidents"))
    assert [row.split()[0] for row in qualifying] == [
        "INC-2026-004",
        "INC-2026-003",
        "INC-2026-002",
        "INC-2026-001",
    ]
    assert (
        "repeat of INC-2026-001; severity Sev1; 12 manual hours (≥ 8); detected by customer: missing observability"
        in qualifying[2]
    )


def test_macros_on_a_page(site: Path) -> None:
    home = (site / "index.html").read_text()
    text = visible_text(home)
    # overdue 2 (001-A1, 003-A1); Sev1 open 2 (001-A1 and 002-A2 answer INC-2026-002);
    # nothing started after 2026-05-16; the last 91 days (after 2026-03-16) hold INC-2026-004: 20 min
    assert "Overdue: 2 ; Sev1 open: 2 ; last 30 days: 0 ; MTTR last quarter: 20 min ." in text
    shopify = _rows(_section(home, "shopify-incidents"))
    assert shopify == [
        "INC-2026-004 2026-05-01 Shopify order webhooks missing Sev3 Webhook gaps 20 min ↻ INC-2026-003"
    ]
    assert 'href="incidents/INC-2026-004/"' in home  # links relative to the page
    sev1 = _rows(_section(home, "actions-answering-sev1-incidents"))
    assert [row.split()[0] for row in sev1] == ["INC-2026-001-A1", "INC-2026-002-A2"]


def test_incident_page_links_scope_to_catalogue(site: Path) -> None:
    page = (site / "incidents/INC-2026-003/index.html").read_text()
    assert '<a href="../../integrations/dhl/">DHL Parcel</a>' in page
    assert '<a href="../../sites/ams/">Amsterdam DC</a>' in page
    assert "Repeated by INC-2026-004 : Shopify order webhooks missing" in visible_text(page)
    assert (
        "must turn into backlog work because: detected by partner: missing observability"
        in visible_text(page)
    )


def test_escaping_in_tables(catalogue: Path) -> None:
    root = catalogue
    partner = root / "docs/integrations/shopify.md"
    partner.write_text(
        partner.read_text().replace("name: Shopify", "name: 'Shop|ify <b> & \"Co\"'")
    )
    incident = root / "incidents/2026/2026-05-01-shopify-webhooks.md"
    incident.write_text(
        incident.read_text().replace(
            "title: Webhook freshness metric", "title: 'Fresh|ness <i>x</i> & \"y\"'"
        )
    )
    site = build_site(root)
    rows = _rows((site / "integrations/index.html").read_text())
    assert rows[1].startswith("Shop|ify &lt;b&gt; &amp; &#34;Co&#34; shop team-shops")
    register = (site / "actions/index.html").read_text()
    assert "Fresh|ness &lt;i&gt;x&lt;/i&gt; &amp; &#34;y&#34;" in register
    assert (
        "<i>x</i>" not in register
        and "<b>" not in (site / "integrations/index.html").read_text().split("<article")[1]
    )
    assert (
        len(re.findall(r"<td", re.search(r'<tr id="inc-2026-004-a1".*?</tr>', register, re.S)[0]))
        == 8
    )


def test_user_index_page_gets_the_table(catalogue: Path) -> None:
    root = catalogue
    (root / "docs/integrations/index.md").write_text("# Our partners\n\nWho we ship with.\n")
    page = (build_site(root) / "integrations/index.html").read_text()
    assert "Who we ship with." in page
    assert page.index("Who we ship with.") < page.index("DHL Parcel")


def test_macro_with_an_unknown_filter_stops_the_build(
    catalogue: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = catalogue
    (root / "docs/index.md").write_text('{{ incident_table(partnr="dhl") }}\n')
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "      on_undefined: strict\n",
            "      on_undefined: strict\n      on_error_fail: true\n",
        )
    )
    with pytest.raises(SystemExit):  # mkdocs-macros exits on a macro error with on_error_fail
        build_site(root)
    said = capsys.readouterr().err + "\n".join(r.getMessage() for r in caplog.records)
    assert (
        "`partnr` is not a filter (did you mean `partner`?); the filters are severity, category"
        in said
    )


def test_a_partner_page_shows_its_kind_owner_lifecycle_and_links(minimal: Path) -> None:
    page = minimal / "docs/integrations/dhl.md"
    page.write_text(
        page.read_text().replace(
            "runbooks: [label-failover]\n",
            "runbooks: [label-failover]\nlifecycle: onboarding\nlinks:\n"
            "  - {title: Status page, url: 'https://status.dhl.example.com'}\n"
            "  - {title: Contract, url: 'mailto:contracts@dhl.example.com'}\n",
        )
    )
    html = (build_site(minimal) / "integrations/dhl/index.html").read_text(encoding="utf-8")
    text = visible_text(html)
    assert "Kind carrier Owner team-integrations Lifecycle onboarding" in text
    assert "Links Status page · Contract" in text
    assert '<a href="https://status.dhl.example.com">Status page</a>' in html
    assert '<a href="mailto:contracts@dhl.example.com">Contract</a>' in html


def test_no_empty_related_incidents_heading(minimal: Path) -> None:
    html = (build_site(minimal) / "incidents/INC-2026-001/index.html").read_text(encoding="utf-8")
    assert "Related incidents" not in html
