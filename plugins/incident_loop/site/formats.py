"""How numbers, durations and moments read on the pages: the templates' filters.

Text only: the templates escape what these return, like any other value.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from markupsafe import Markup

from ..core.diagnostics import number_text
from ..core.metrics import Figure
from ..core.rules import Summary, local_date, too_few, too_few_text

_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def one_paragraph(value: Any) -> Any:
    """Blank lines in a value become single line breaks (Jinja's ``finalize``).

    Generated pages are markdown with raw HTML blocks, and a blank line ends an HTML block:
    what followed it in a front-matter value would be read as markdown, where
    ``[x](javascript:...)`` is a link. Markup made by the templates is left alone.
    """
    if isinstance(value, str) and not isinstance(value, Markup) and "\n" in value:
        return _BLANK_LINES.sub("\n", value)
    return value


def duration(minutes: float | None) -> str:
    """``95`` -> ``1 h 35 min``; for people (the exact minutes are in the exports)."""
    if minutes is None:
        return "–"
    total = round(minutes)
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins:02d} min" if mins else f"{hours} h"
    return f"{mins} min"


def days(value: float | None) -> str:
    """``25`` -> ``25 days`` (follow-through is counted in whole days)."""
    if value is None:
        return "–"
    return f"{number_text(value)} day{'' if value == 1 else 's'}"


def summary(value: Summary | None, unit: str = "minutes", noun: str = "incidents") -> str:
    """SPEC section 4: ``30 min · p90 10 h · n=5``; ``too few incidents (n=3)`` below the
    threshold; ``–`` for no values. The mean is not shown (it is in ``api/trends.json``)."""
    if value is None or value.n == 0:
        return "–"
    if too_few(value.n):
        return too_few_text(value.n, noun)
    show = duration if unit == "minutes" else days
    return f"{show(value.median)} · p90 {show(value.p90)} · n={value.n}"


def median_of(value: float | None, count: int, noun: str = "incidents") -> str:
    """A median computed over ``count`` incidents, or the too-few text (SPEC section 4)."""
    if value is None or count == 0:
        return "–"
    if too_few(count):
        return too_few_text(count, noun)
    return duration(value)


def figure(value: Figure) -> str:
    """A headline number as the home page shows it: a count, a duration or a percentage;
    ``too few incidents (n=3)`` for a median or share of a small group; ``–`` without one."""
    if value.too_few and value.n is not None:
        return too_few_text(value.n, value.noun)
    if value.value is None:
        return "–"
    if value.kind == "minutes":
        return duration(value.value)
    if value.kind == "share":
        return percent(value.value)
    return number_text(value.value)


def when(moment: dt.datetime | None) -> str:
    """``2026-01-10 09:12 (+01:00)``: the moment as the author wrote it, with its offset."""
    if moment is None:
        return "–"
    offset = moment.strftime("%z")
    if not offset:
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{moment:%Y-%m-%d %H:%M} ({offset[:3]}:{offset[3:]})"


def day(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """The date of ``moment`` in the plugin's time zone."""
    return local_date(moment, zone).isoformat()


def number(value: float | None) -> str:
    return "–" if value is None else number_text(value)


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def css_token(value: str) -> str:
    """A value as a class name or ``data-`` token: letters and digits, the rest ``-``."""
    return "".join(ch if ch.isalnum() else "-" for ch in value.lower())


def words(value: str) -> str:
    """A field's value as words: ``in_progress`` -> ``in progress``."""
    return value.replace("_", " ")


FILTERS = {
    "duration": duration,
    "days": days,
    "summary": summary,
    "median_of": median_of,
    "when": when,
    "day": day,
    "number": number,
    "percent": percent,
    "css": css_token,
    "words": words,
    "figure": figure,
}
