"""Chart geometry for inline SVG: computed here, drawn by ``templates/chart.svg.j2``.

No JavaScript and nothing from another host: every chart is an ``<svg>`` with a ``<title>`` and a
description, coloured by CSS classes (``il-s0`` ...) that read well in light and dark palettes, and
followed on the page by a table of the same numbers.

Readable from one month to decades of history: the bars are the trends' periods (months,
quarters or years, ``rules.period_kind``), the x axis has its ticks on year or quarter boundaries,
numbers never use scientific notation, and a duration axis is in the unit that fits its largest
value, named on the axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.rules import DURATION_BUCKET_LABELS, too_few

if TYPE_CHECKING:
    from ..core.rules import Summary
    from ..core.trends import Distribution, PeriodStats, Trends

WIDTH = 720
HEIGHT = 240
LEFT = 52
RIGHT = 12
TOP = 18
BOTTOM = 30
#: At most this many labelled ticks on the x axis (about 55 px each at the chart's width).
MAX_X_TICKS = 12
#: Above this many points a line has no markers: they would merge into a band.
MAX_MARKERS = 60
#: Series colours defined by the stylesheet (``il-s0`` .. ``il-s11``); beyond them a colour is
#: computed (:func:`series_colour`).
PALETTE_SIZE = 12


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css: str
    #: An explicit colour for a series beyond the stylesheet's palette; ``None`` otherwise.
    colour: str | None = None


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
    #: "count", "number", "percent" or "duration" (minutes): how the data table shows values.
    value_format: str = "number"
    #: The x axis: "month", "quarter", "year" (periods; ticks on boundaries) or "category".
    axis: str = "category"
    #: What the first column of the data table is called.
    label_name: str = "Period"
    #: The unit named on the y axis ("minutes", "hours", "days", "incidents", ...).
    axis_unit: str = ""
    bars: list[dict[str, object]] = field(default_factory=list)
    lines: list[dict[str, object]] = field(default_factory=list)
    points: list[dict[str, object]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    #: Where each x tick's mark is drawn (the boundary before its period).
    x_marks: list[float] = field(default_factory=list)


def series_colour(index: int) -> tuple[str, str | None]:
    """The CSS class and, beyond the palette, the explicit colour of series ``index``.

    Past the stylesheet's twelve colours the hue turns by the golden angle (137.5°) from one
    series to the next, so any number of series stay apart, at a lightness that reads on white
    and on Material's slate.
    """
    if index < PALETTE_SIZE:
        return f"il-s{index}", None
    hue = round((index * 137.508) % 360)
    return "il-sx", f"hsl({hue}, 65%, 48%)"


def make_series(name: str, values: Sequence[float | None], index: int) -> Series:
    css, colour = series_colour(index)
    return Series(name, values, css, colour)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that is at least ``value`` (and at least 1)."""
    if not value > 1:  # also NaN
        return 1
    if math.isinf(value):  # pragma: no cover - the inputs are bounded
        return 1
    power = 10.0 ** math.floor(math.log10(value))
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


def axis_number(value: float) -> str:
    """A tick label without scientific notation: ``1,200,000``, ``2.5``, ``0.25``."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _format(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return axis_number(value)


#: The units a duration axis may use: (name, minutes per unit, largest value shown in it).
DURATION_UNITS = (("minutes", 1, 120), ("hours", 60, 72 * 60), ("days", 1440, math.inf))


def duration_unit(largest_minutes: float) -> tuple[str, float]:
    """The unit that fits a duration axis whose largest value is ``largest_minutes``: minutes
    up to two hours, hours up to three days, days beyond."""
    for name, size, limit in DURATION_UNITS:
        if largest_minutes <= limit:
            return name, float(size)
    return DURATION_UNITS[-1][0], float(DURATION_UNITS[-1][1])  # pragma: no cover


def period_ticks(labels: Sequence[str], axis: str) -> list[tuple[int, str]]:
    """The labelled ticks of an axis of periods, as (index of the period, label).

    Up to :data:`MAX_X_TICKS` periods each get one. Beyond, ticks fall on boundaries: quarter
    starts (``2026-04``) for months when they are few enough, else year starts (``2026``),
    every 1, 2, 5, 10, ... years so that at most :data:`MAX_X_TICKS` are labelled.
    """
    count = len(labels)
    if axis == "category" or count <= MAX_X_TICKS:
        return [(i, label) for i, label in enumerate(labels)]
    if axis == "month":
        quarters = [i for i, label in enumerate(labels) if label[5:7] in ("01", "04", "07", "10")]
        if len(quarters) <= MAX_X_TICKS:
            return [(i, labels[i]) for i in quarters]
        starts = [i for i, label in enumerate(labels) if label[5:7] == "01"]
    elif axis == "quarter":
        starts = [i for i, label in enumerate(labels) if label.endswith("Q1")]
    else:  # year
        starts = list(range(count))
    first, last = int(labels[0][:4]), int(labels[-1][:4])
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000) if (last - first) // s < MAX_X_TICKS)
    return [(i, labels[i][:4]) for i in starts if int(labels[i][:4]) % step == 0]


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
    scale = 1.0
    if chart.value_format == "duration":
        chart.axis_unit, scale = duration_unit(max(values, default=0.0))
    scaled_max = max(values, default=0.0) / scale
    if chart.percent:
        top = 1.0
    elif chart.value_format != "duration" and all(float(v).is_integer() for v in values):
        top = integer_top(scaled_max)
    else:
        top = nice_ceiling(scaled_max)

    def y_of(value: float) -> float:
        return round(TOP + plot_height - (value / scale / top) * plot_height, 1)

    chart.y_ticks = [
        (round(TOP + plot_height - plot_height * i / 4, 1), _format(top * i / 4, chart.percent))
        for i in range(5)
    ]
    ticks = period_ticks(chart.labels, chart.axis)
    if chart.axis == "category":
        chart.x_ticks = [(round(LEFT + band * (i + 0.5), 1), label) for i, label in ticks]
    else:
        # On the boundary where the labelled period starts, the label to its right.
        chart.x_ticks = [(round(LEFT + band * i, 1), label) for i, label in ticks]
        chart.x_marks = [x for x, _ in chart.x_ticks]
    if chart.kind == "bars":
        bar_width = round(max(band * 0.8, min(band, 1.0)), 1)
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
                            "colour": series.colour,
                            "period": label,
                            "series": series.name,
                            "value": value,
                        }
                    )
                base += value
    else:
        markers = count <= MAX_MARKERS
        for series in chart.series:
            segment: list[str] = []
            for i, point in enumerate(series.values):
                x = round(LEFT + band * (i + 0.5), 1)
                if point is None:
                    if segment:
                        chart.lines.append(_line(segment, series))
                    segment = []
                    continue
                segment.append(f"{x},{y_of(point)}")
                if markers or _alone(series.values, i):
                    chart.points.append(
                        {
                            "x": x,
                            "y": y_of(point),
                            "css": series.css,
                            "colour": series.colour,
                            "period": chart.labels[i],
                            "series": series.name,
                            "value": point,
                        }
                    )
            if segment:
                chart.lines.append(_line(segment, series))
    return chart


def _alone(values: Sequence[float | None], index: int) -> bool:
    """A point without a neighbour has no line: it keeps its marker, or it would not show."""
    before = index > 0 and values[index - 1] is not None
    after = index + 1 < len(values) and values[index + 1] is not None
    return not (before or after)


def _line(segment: list[str], series: Series) -> dict[str, object]:
    return {"points": " ".join(segment), "css": series.css, "colour": series.colour}


# --------------------------------------------------------------------------- the trends page


#: Severities have colours of their own (``il-sev-0``, the highest, red): the same severity
#: has the same colour on every chart. Beyond these, computed colours.
SEVERITY_COLOURS = 5


def severity_series(name: str, values: Sequence[float | None], index: int) -> Series:
    if index < SEVERITY_COLOURS:
        return Series(name, values, f"il-sev-{index}")
    return make_series(name, values, PALETTE_SIZE + index)


def _severity_series(
    severities: Sequence[str], values: dict[str, Sequence[float | None]]
) -> list[Series]:
    return [severity_series(s, values[s], i) for i, s in enumerate(severities)]


def _summary_value(summary: Summary, attribute: str) -> float | None:
    """A median or p90 for a chart: none for a group too small to summarise (SPEC section 4)."""
    if too_few(summary.n):
        return None
    value: float | None = getattr(summary, attribute)
    return value


DURATION_TITLES = {
    "time_to_detect": "Time to detect",
    "time_to_mitigate": "Time to mitigate (MTTR)",
    "time_to_resolve": "Time to resolve",
}


def trend_charts(
    trends: Trends, severities: Sequence[str], categories: Sequence[str]
) -> dict[str, Chart]:
    """The charts of the trends page, one per SPEC section 6 series, laid out; the bars are
    the trends' periods (months, quarters or years)."""
    periods: list[PeriodStats] = trends.periods
    labels = [p.label for p in periods]
    axis = trends.period_kind
    per = {"month": "month", "quarter": "quarter", "year": "year"}[axis]

    def chart(
        chart_id: str,
        title: str,
        description: str,
        kind: str,
        series: list[Series],
        **extra: object,
    ) -> Chart:
        return Chart(chart_id, title, description, kind, labels, series, axis=axis, **extra)  # type: ignore[arg-type]

    def values(attribute: str) -> list[float | None]:
        return [getattr(p, attribute) for p in periods]

    charts = [
        chart(
            "incidents-by-severity",
            f"Incidents per {per} by severity",
            f"Stacked bars: the number of incidents that started in each {per}, by severity.",
            "bars",
            _severity_series(
                severities, {s: [p.by_severity.get(s, 0) for p in periods] for s in severities}
            ),
            axis_unit="incidents",
        ),
        chart(
            "incidents-by-category",
            f"Incidents per {per} by category",
            f"Stacked bars: the number of incidents per {per}, by category.",
            "bars",
            [
                make_series(c, [p.by_category.get(c, 0) for p in periods], i)
                for i, c in enumerate(categories)
            ],
            axis_unit="incidents",
        ),
        chart(
            "repeats",
            f"Repeat incidents per {per}",
            f"Bars: incidents of the {per} that repeat an earlier one.",
            "bars",
            [make_series("repeats", values("repeats"), 4)],
            axis_unit="incidents",
        ),
    ]
    by = trends.duration_period_kind
    spans = trends.duration_periods
    for name, title in DURATION_TITLES.items():
        charts.append(
            Chart(
                name,
                f"{title} per {by}: median and 90th percentile",
                f"Lines: the median and the 90th percentile of the {by}'s incidents; a {by} "
                "with fewer than five incidents has no point.",
                "lines",
                [p.label for p in spans],
                [
                    make_series(
                        "median", [_summary_value(p.durations[name], "median") for p in spans], 0
                    ),
                    make_series(
                        "90th percentile",
                        [_summary_value(p.durations[name], "p90") for p in spans],
                        1,
                    ),
                ],
                value_format="duration",
                axis=by,
            )
        )
    for distribution in trends.distributions:
        charts.append(_distribution_chart(distribution, severities))
    charts += [
        chart(
            "alert-share",
            "Share of incidents detected by alerts",
            f"Line: the fraction of the {per}'s incidents that an alert detected first.",
            "lines",
            [make_series("alert share", values("alert_detected_share"), 3)],
            percent=True,
            value_format="percent",
        ),
        chart(
            "manual-hours",
            f"Manual hours per {per}",
            f"Bars: hours of manual work (warehouse, support) the {per}'s incidents caused.",
            "bars",
            [make_series("manual hours", values("manual_hours"), 5)],
            axis_unit="hours",
        ),
        chart(
            "rollouts",
            "Rollout and config-change incidents, and rollbacks",
            "Stacked bars: incidents triggered by a rollout or a config change, split by whether "
            "they were rolled back.",
            "bars",
            [
                make_series("rolled back", values("rollbacks"), 1),
                make_series(
                    "not rolled back",
                    [p.rollout_incidents - p.rollbacks for p in periods],
                    0,
                ),
            ],
            axis_unit="incidents",
        ),
        chart(
            "actions-flow",
            f"Actions opened and closed per {per}",
            f"Lines: actions declared by the {per}'s incidents, and actions completed in it.",
            "lines",
            [
                make_series("opened", values("actions_opened"), 0),
                make_series("closed", values("actions_closed"), 2),
            ],
            axis_unit="actions",
        ),
        chart(
            "overdue",
            f"Overdue actions at the end of each {per}",
            f"Line: open actions past their due date on the last day of each {per} (today for "
            f"this {per}).",
            "lines",
            [make_series("overdue", values("overdue"), 4)],
            axis_unit="actions",
        ),
    ]
    follow = trends.follow_through
    if follow is not None and follow.by_quarter:
        quarters = follow.by_quarter
        on_time_axis = "quarter"
        charts.append(
            Chart(
                "on-time",
                "Actions done by their due date, per quarter of the due date",
                "Line: the share of the quarter's due actions (done, or overdue) that were done "
                "by their due date.",
                "lines",
                [q.quarter for q in quarters],
                [make_series("on time", [q.on_time.share for q in quarters], 2)],
                percent=True,
                value_format="percent",
                axis=on_time_axis,
                label_name="Quarter",
            )
        )
    return {c.id: layout(c) for c in charts}


def _distribution_chart(distribution: Distribution, severities: Sequence[str]) -> Chart:
    names = list(severities) + [s for s in distribution.by_severity if s not in severities]
    title = DURATION_TITLES[distribution.duration]
    return Chart(
        f"{distribution.duration}-distribution",
        f"{title}: how many incidents took how long, by severity",
        "Stacked bars: the number of incidents in each range of durations (each range two to "
        "four times the one before), by severity. One very long incident is one bar on the "
        "right.",
        "bars",
        list(DURATION_BUCKET_LABELS),
        [
            severity_series(
                s, distribution.by_severity.get(s, [0] * len(DURATION_BUCKET_LABELS)), i
            )
            for i, s in enumerate(names)
        ],
        value_format="count",
        axis="category",
        label_name="Duration",
        axis_unit="incidents",
    )
