"""Charts readable from one month to decades (issue 16, point 4; SPEC sections 4 and 6).

Projects of 6, 40, 189 and 555 months of history (to today, 2026-06-15) are written into a copy
of the minimal fixture and analysed; the trends page is rendered by the same renderer a build
uses. The chart area is 720 - 52 (left) - 12 (right) = 656 px wide; a period's band is 656 / the
number of periods, and a tick on a period boundary sits at 52 + band x its index.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from conftest import EPOCH_2026_06_15, MINIMAL_INCIDENT, build_site
from incident_loop.config import read_project_config
from incident_loop.core.project import check_project
from incident_loop.site import charts
from incident_loop.site.model import SiteModel
from incident_loop.site.render import Renderer, environment
from incident_loop.site.urls import Urls

PLOT = 656


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_06_15)


def _months_back(count: int) -> list[tuple[int, int]]:
    """The ``count`` months that end with 2026-06, oldest first, as (year, month)."""
    result = []
    year, month = 2026, 6
    for _ in range(count):
        result.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return result[::-1]


def write_history(root: Path, months: int, incidents: int, *, hours: float = 2) -> None:
    """``incidents`` incidents spread evenly over the ``months`` months that end with 2026-06
    (the first and the last month each get one), in place of the minimal fixture's own.
    Incident i is mitigated after 5 + (i x 37 mod 900) minutes; every third has a done action."""
    (root / MINIMAL_INCIDENT).unlink()
    calendar = _months_back(months)
    folder = root / "incidents" / "generated"
    folder.mkdir(parents=True)
    for i in range(incidents):
        year, month = calendar[i * (months - 1) // max(incidents - 1, 1)]
        day = 1 + i % 14
        minutes = 5 + (i * 37) % 900
        severity = ("Sev1", "Sev2", "Sev3")[i % 3]
        mode = ("label-api-timeouts", "inventory-mismatch")[i % 2]
        start = f"{year:04d}-{month:02d}-{day:02d}T08:00:00Z"
        end_day, end_minute = divmod(8 * 60 + minutes, 24 * 60)
        end = f"{year:04d}-{month:02d}-{day + end_day:02d}T{end_minute // 60:02d}:{end_minute % 60:02d}:00Z"
        action = ""
        if i % 3 == 0:
            action = (
                "actions:\n  - title: Prevent it\n    type: product\n    owner: team\n"
                "    status: done\n    acceptance: [It is prevented]\n"
                f"    completed_at: {year:04d}-{month:02d}-{day + 1:02d}\n"
            )
        (folder / f"{i:05d}.md").write_text(
            f"---\nid: INC-{year:04d}-{i:04d}\ntitle: Generated incident {i}\n"
            f"severity: {severity}\ncategory: integration\nfailure_mode: {mode}\n"
            f"detection_source: alert\nstarted_at: {start}\ndetected_at: {start}\n"
            f"mitigated_at: {end}\nmanual_hours: {hours}\nscope:\n  partners: [dhl]\n"
            f"symptoms: Something failed.\nmitigation: It was restored.\n{action}---\n",
            encoding="utf-8",
        )


def trends_page(root: Path) -> tuple[str, dict[str, charts.Chart]]:
    result = check_project(read_project_config(root))
    assert not result.has_errors, [d for d in result.diagnostics if d.level == "error"][:3]
    model = SiteModel.build(result.project, result.analysis)
    renderer = Renderer(environment(), model, Urls(True))
    laid_out = charts.trend_charts(model.trends, ("Sev1", "Sev2", "Sev3"), ("integration",))
    return renderer.trends_page().content, laid_out


def _x(index: int, periods: int) -> float:
    return round(52 + PLOT / periods * index, 1)


@pytest.mark.parametrize(
    ("months", "kind", "periods", "ticks"),
    [
        # 2026-01 .. 2026-06: six months, each labelled at its own start.
        (6, "month", 6, [(i, f"2026-{i + 1:02d}") for i in range(6)]),
        # 2023-03 .. 2026-06 (10 + 12 + 12 + 6 = 40 months): quarters 2023-Q1 .. 2026-Q2, 14
        # of them; more than 12, so the ticks are the year starts (Q1): 0, 4, 8, 12.
        (40, "quarter", 14, [(0, "2023"), (4, "2024"), (8, "2025"), (12, "2026")]),
        # 2010-10 .. 2026-06 (3 + 15 x 12 + 6 = 189 months): years 2010 .. 2026, 17 of them;
        # 16 years of span / 1 = 16 > 11, / 2 = 8: every second year, on even years.
        (189, "year", 17, [(i, str(2010 + i)) for i in range(0, 17, 2)]),
        # 1980-04 .. 2026-06 (9 + 45 x 12 + 6 = 555 months): 47 years; 46 / 2 = 23, / 5 = 9:
        # every fifth year, 1980, 1985, ..., 2025.
        (555, "year", 47, [(i, str(1980 + i)) for i in range(0, 47, 5)]),
    ],
)
def test_periods_and_ticks_for_any_span(
    minimal: Path, months: int, kind: str, periods: int, ticks: list[tuple[int, str]]
) -> None:
    write_history(minimal, months, min(months, 120))
    page, laid_out = trends_page(minimal)
    chart = laid_out["incidents-by-severity"]
    assert len(chart.labels) == periods
    assert chart.axis == kind
    assert chart.x_ticks == [(_x(i, periods), label) for i, label in ticks]
    # The tick marks stand on the same boundaries as the labels.
    assert chart.x_marks == [_x(i, periods) for i, _ in ticks]
    # The page says which periods it shows; the labels are in its SVG.
    assert f"by {kind}:" in page
    svg = page[page.index('id="chart-incidents-by-severity"') :].split("</svg>")[0]
    labels = re.findall(r'text-anchor="start">([^<]+)</text>', svg)
    assert labels == [label for _, label in ticks]


def test_every_bar_is_wider_than_a_few_pixels(minimal: Path) -> None:
    # 555 months as 47 years: a band of 656 / 47 = 13.96 px, bars 80 % of it = 11.2 px.
    write_history(minimal, 555, 555)
    _, laid_out = trends_page(minimal)
    widths = {bar["width"] for bar in laid_out["incidents-by-severity"].bars}
    assert widths == {11.2}


def test_line_markers_stay_apart(minimal: Path) -> None:
    # 47 points per line: markers are drawn (below 60), 13.96 px apart (13.9 after rounding
    # each to a tenth).
    write_history(minimal, 555, 555)
    _, laid_out = trends_page(minimal)
    xs = [p["x"] for p in laid_out["overdue"].points]
    assert len(xs) == 47
    assert min(b - a for a, b in itertools.pairwise(xs)) >= 13.85


def test_no_scientific_notation_on_any_axis(minimal: Path) -> None:
    # 600 incidents of 10,000 manual hours each over 240 months (20 years): 30 a year, 31 in
    # a few, so 300,000 to 310,000 hours. Whole numbers: four grid steps of a round whole
    # number (integer_top): 310,000 / 4 = 77,500 -> a step of 100,000 (1 x 10^5), top 400,000.
    write_history(minimal, 240, 600, hours=10_000)
    page, laid_out = trends_page(minimal)
    manual = laid_out["manual-hours"]
    assert [label for _, label in manual.y_ticks] == [
        "0", "100,000", "200,000", "300,000", "400,000"
    ]  # fmt: skip
    assert manual.axis_unit == "hours"
    for chart in laid_out.values():
        for _, label in chart.y_ticks:
            assert not re.search(r"\de[+-]?\d", label), (chart.id, label)
    assert not re.search(r">[0-9.]+e[+-]?\d+<", page)


def test_numbers_in_tables_and_tooltips_are_written_out() -> None:
    from incident_loop.site.formats import number

    # Sums of manual hours with decimals: the table and tooltip show every digit.
    assert number(1234567.5) == "1234567.5"
    assert number(52_000_000.25) == "52000000.25"
    assert number(300_000.0) == "300000"
    assert charts.axis_number(1_250_000) == "1,250,000"
    assert charts.axis_number(2.5) == "2.5"


@pytest.mark.parametrize(
    ("largest", "unit", "ticks"),
    [
        # 100 minutes: minutes; nice ceiling 100 -> 0, 25, 50, 75, 100
        (100, "minutes", ["0", "25", "50", "75", "100"]),
        # 600 minutes = 10 hours: hours; nice ceiling of 10 is 10 -> 0, 2.5, 5, 7.5, 10
        (600, "hours", ["0", "2.5", "5", "7.5", "10"]),
        # 593 days = 853,920 minutes: days; nice ceiling of 593 is 1,000
        (853_920, "days", ["0", "250", "500", "750", "1,000"]),
    ],
)
def test_durations_in_the_unit_that_fits(largest: float, unit: str, ticks: list[str]) -> None:
    chart = charts.layout(
        charts.Chart(
            "d", "t", "d", "lines", ["2026-01", "2026-02"],
            [charts.make_series("median", [largest / 2, largest], 0)],
            value_format="duration", axis="month",
        )
    )  # fmt: skip
    assert chart.axis_unit == unit
    assert [label for _, label in chart.y_ticks] == ticks


def test_duration_charts_name_their_unit_on_the_axis(minimal: Path) -> None:
    # Mitigation after 5 + (i x 37 mod 900) minutes: the largest p90 of a year is close to 900
    # minutes, 15 hours: the axis is in hours.
    write_history(minimal, 189, 189)
    page, laid_out = trends_page(minimal)
    assert laid_out["time_to_mitigate"].axis_unit == "hours"
    svg = page[page.index('id="chart-time_to_mitigate"') :].split("</svg>")[0]
    assert '<text class="il-axis il-unit" x="4" y="10">hours</text>' in svg


def test_any_number_of_series_gets_a_distinct_colour() -> None:
    # Twelve palette classes, then computed colours 137.5° of hue apart: 40 series, 40 colours.
    seen = {charts.series_colour(i) for i in range(40)}
    assert len(seen) == 40
    assert charts.series_colour(0) == ("il-s0", None)
    assert charts.series_colour(11) == ("il-s11", None)
    # 12 x 137.508 = 1650.1 -> 1650.1 - 4 x 360 = 210.1 -> 210
    assert charts.series_colour(12) == ("il-sx", "hsl(210, 65%, 48%)")
    css = (Path(charts.__file__).parent / "assets/incident-loop.css").read_text(encoding="utf-8")
    for index in range(charts.PALETTE_SIZE):
        assert re.search(rf"\.il-s{index}\b[^{{]*\{{[^}}]*background: #", css), index


def test_a_seventh_category_has_its_own_colour_and_swatch(minimal: Path) -> None:
    categories = ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]
    config = minimal / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            "  - incident-loop\n",
            f"  - incident-loop:\n      categories: [integration, warehouse, {', '.join(categories)}]\n",
        ),
        "utf-8",
    )
    result = check_project(read_project_config(minimal))
    model = SiteModel.build(result.project, result.analysis)
    laid_out = charts.trend_charts(
        model.trends, ("Sev1", "Sev2", "Sev3"), ["integration", "warehouse", *categories]
    )
    series = laid_out["incidents-by-category"].series
    assert len({(s.css, s.colour) for s in series}) == 9
    page = Renderer(environment(), model, Urls(True)).trends_page().content
    legend = page[page.index('id="chart-incidents-by-category"') :].split("</figure>")[0]
    # Each legend entry is one unbreakable item: swatch and name together.
    assert '<span class="il-item"><span class="il-key il-s8"></span>c7</span>' in legend


def test_legend_items_never_break() -> None:
    css = (Path(charts.__file__).parent / "assets/incident-loop.css").read_text(encoding="utf-8")
    assert re.search(r"\.il-legend \.il-item \{[^}]*white-space: nowrap", css)


def test_trends_page_of_twenty_years_and_5000_incidents_stays_small(minimal: Path) -> None:
    # 240 months shown as 20 years: the page's markdown (its SVG and tables; the theme adds its
    # navigation around it) stays well under 300 KB. Measured with a real build in
    # benchmarks' 5,000-incident project: see the closing note of issue 16.
    write_history(minimal, 240, 5000)
    page, laid_out = trends_page(minimal)
    assert laid_out["incidents-by-severity"].axis == "year"
    assert len(page.encode("utf-8")) < 200_000, len(page.encode("utf-8"))


def test_built_trends_page_at_555_months_is_small(minimal: Path) -> None:
    write_history(minimal, 555, 555)
    site = build_site(minimal, strict=False)
    size = (site / "trends/index.html").stat().st_size
    assert size < 300_000, size
