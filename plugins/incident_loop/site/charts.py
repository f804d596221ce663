"""Chart geometry for inline SVG: computed here, drawn by ``templates/chart.svg.j2``.

No JavaScript and nothing from another host: every chart is an ``<svg>`` with a ``<title>`` and a
description, coloured by CSS classes (``il-s0`` ...) that read well in light and dark palettes, and
followed on the page by a table of the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

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
