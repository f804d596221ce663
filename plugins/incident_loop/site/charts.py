"""Chart geometry for inline SVG: computed here, drawn by ``templates/chart.svg.j2``.

No JavaScript and nothing from another host: every chart is an ``<svg>`` with a ``<title>`` and a
description, coloured by CSS classes (``il-s0`` ...) that read well in light and dark palettes, and
followed on the page by a table of the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.trends import Trends

WIDTH = 720
HEIGHT = 240
LEFT = 52
RIGHT = 12
TOP = 12
BOTTOM = 30


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css: str


@dataclass
class Chart:
    id: str
    title: str
    description: str
    kind: str  # "bars" (stacked) or "lines"
    labels: list[str]
    series: list[Series]
    unit: str = ""
    percent: bool = False
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict[str, object]] = field(default_factory=list)
    lines: list[dict[str, object]] = field(default_factory=list)
    points: list[dict[str, object]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that is at least ``value`` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover


def integer_top(value: float) -> float:
    """For counts: four grid steps of a whole, round number (1, 2, 3, 5, 10, 20, ...)."""
    needed = max(1, math.ceil(value / 4))
    power = 10 ** math.floor(math.log10(needed))
    step = next(s * power for s in (1, 2, 3, 5, 10) if needed <= s * power)
    return float(step * 4)


def _format(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:g}"


def layout(chart: Chart) -> Chart:
    """Fill in the geometry of ``chart`` from its labels and series."""
    count = max(len(chart.labels), 1)
    plot_width = chart.width - LEFT - RIGHT
    plot_height = chart.height - TOP - BOTTOM
    band = plot_width / count
    if chart.kind == "bars":
        values = [sum((s.values[i] or 0.0) for s in chart.series) for i in range(len(chart.labels))]
    else:
        values = [v for s in chart.series for v in s.values if v is not None]
    if chart.percent:
        top = 1.0
    elif all(float(v).is_integer() for v in values):
        top = integer_top(max(values, default=0.0))
    else:
        top = nice_ceiling(max(values, default=0.0))

    def y_of(value: float) -> float:
        return round(TOP + plot_height - (value / top) * plot_height, 1)

    chart.y_ticks = [(y_of(top * i / 4), _format(top * i / 4, chart.percent)) for i in range(5)]
    every = max(1, math.ceil(count / 12))
    chart.x_ticks = [
        (round(LEFT + band * (i + 0.5), 1), label)
        for i, label in enumerate(chart.labels)
        if i % every == 0
    ]
    if chart.kind == "bars":
        bar_width = round(band * 0.7, 1)
        for i, label in enumerate(chart.labels):
            base = 0.0
            x = round(LEFT + band * i + (band - bar_width) / 2, 1)
            for series in chart.series:
                value = series.values[i] or 0.0
                if value:
                    chart.bars.append(
                        {
                            "x": x,
                            "y": y_of(base + value),
                            "width": bar_width,
                            "height": round(y_of(base) - y_of(base + value), 1),
                            "css": series.css,
                            "label": f"{label}: {series.name} {_format(value, chart.percent)}",
                        }
                    )
                base += value
    else:
        for series in chart.series:
            segment: list[str] = []
            for i, point in enumerate(series.values):
                x = round(LEFT + band * (i + 0.5), 1)
                if point is None:
                    if segment:
                        chart.lines.append({"points": " ".join(segment), "css": series.css})
                    segment = []
                    continue
                segment.append(f"{x},{y_of(point)}")
                chart.points.append(
                    {
                        "x": x,
                        "y": y_of(point),
                        "css": series.css,
                        "label": f"{chart.labels[i]}: {series.name} "
                        f"{_format(point, chart.percent)}{chart.unit}",
                    }
                )
            if segment:
                chart.lines.append({"points": " ".join(segment), "css": series.css})
    return chart


def trend_charts(
    trends: Trends, severities: Sequence[str], categories: Sequence[str]
) -> dict[str, Chart]:
    """The charts of the trends page, one per SPEC section 6 series, laid out."""
    months = trends.months
    labels = [m.month for m in months]

    def series(name: str, attribute: str, css: str) -> Series:
        return Series(name, [getattr(m, attribute) for m in months], css)

    charts = [
        Chart(
            "incidents-by-severity",
            "Incidents per month by severity",
            "Stacked bars: the number of incidents that started in each month, by severity.",
            "bars",
            labels,
            [
                Series(s, [m.by_severity.get(s, 0) for m in months], f"il-sev-{i}")
                for i, s in enumerate(severities)
            ],
        ),
        Chart(
            "incidents-by-category",
            "Incidents per month by category",
            "Stacked bars: the number of incidents per month, by category.",
            "bars",
            labels,
            [
                Series(c, [m.by_category.get(c, 0) for m in months], f"il-s{i}")
                for i, c in enumerate(categories)
            ],
        ),
        Chart(
            "repeats",
            "Repeat incidents per month",
            "Bars: incidents of the month that repeat an earlier one.",
            "bars",
            labels,
            [series("repeats", "repeats", "il-s4")],
        ),
        Chart(
            "mttr",
            "Time to mitigate (MTTR) per month, minutes",
            "Lines: mean and median minutes from impact start to mitigation; a month without incidents has no point.",
            "lines",
            labels,
            [
                series("mean", "mttr_min_mean", "il-s0"),
                series("median", "mttr_min_median", "il-s1"),
            ],
            unit=" min",
        ),
        Chart(
            "mttd",
            "Median time to detect per month, minutes",
            "Line: median minutes from impact start to detection.",
            "lines",
            labels,
            [series("median", "mttd_min_median", "il-s2")],
            unit=" min",
        ),
        Chart(
            "alert-share",
            "Share of incidents detected by alerts",
            "Line: the fraction of the month's incidents that an alert detected first.",
            "lines",
            labels,
            [series("alert share", "alert_detected_share", "il-s3")],
            percent=True,
        ),
        Chart(
            "manual-hours",
            "Manual hours per month",
            "Bars: hours of manual work (warehouse, support) the month's incidents caused.",
            "bars",
            labels,
            [series("manual hours", "manual_hours", "il-s5")],
        ),
        Chart(
            "rollouts",
            "Rollout and config-change incidents, and rollbacks",
            "Stacked bars: incidents triggered by a rollout or a config change, split by whether they were rolled back.",
            "bars",
            labels,
            [
                Series("rolled back", [m.rollbacks for m in months], "il-s1"),
                Series(
                    "not rolled back",
                    [m.rollout_incidents - m.rollbacks for m in months],
                    "il-s0",
                ),
            ],
        ),
        Chart(
            "actions-flow",
            "Actions opened and closed per month",
            "Lines: actions declared by the month's incidents, and actions completed in the month.",
            "lines",
            labels,
            [
                series("opened", "actions_opened", "il-s0"),
                series("closed", "actions_closed", "il-s2"),
            ],
        ),
        Chart(
            "overdue",
            "Overdue actions at the end of each month",
            "Line: open actions past their due date on the last day of each month (today for this month).",
            "lines",
            labels,
            [series("overdue", "overdue", "il-s4")],
        ),
    ]
    return {chart.id: layout(chart) for chart in charts}
