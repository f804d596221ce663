"""Problems found in the sources, and the three ways of printing them (SPEC section 5)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True, slots=True)
class Diagnostic:
    """One problem: where it is (path relative to the project root, 1-based line), what and how to fix."""

    path: str
    line: int
    level: Level
    field: str
    message: str

    def __post_init__(self) -> None:
        # One problem, one line, and nothing a terminal would act on: a value quoted in a
        # message may hold line breaks, escape sequences (`\x1b[2J` clears the screen, OSC 8
        # makes hidden links) or other control characters; they are shown escaped.
        for name in ("path", "field", "message"):
            value = getattr(self, name)
            if not value.isprintable():
                object.__setattr__(self, name, shown_escaped(value))

    def text(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.field}: {self.message}"

    def github(self) -> str:
        # Workflow commands: properties escape %, CR, LF, ':' and ','; the message escapes %, CR, LF.
        title = _escape_property(f"{self.field}")
        return (
            f"::{self.level} file={_escape_property(self.path)},line={self.line},title={title}::"
            f"{_escape_data(self.message)}"
        )


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x0b": "\\v", "\x0c": "\\f"}


def shown_escaped(text: str) -> str:
    """``text`` with every control or format character written as an escape (``\\n``,
    ``\\x1b``, ``\\u202e``), so that it reaches a terminal or a log as plain characters.

    Printable text, spaces and letters of any script, stay as they are.
    """
    text = text.replace("\r\n", "\n")
    return "".join(
        ch
        if ch.isprintable() or ch == " "
        else _NAMED.get(ch) or ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """File order, then line order: the order a person fixes them in."""
    return sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.level, d.field, d.message))


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.level == "error"]


def warnings(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.level == "warning"]


def format_text(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(d.text() + "\n" for d in diagnostics)


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(d.github() + "\n" for d in diagnostics)


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics], indent=2, sort_keys=True) + "\n"


def summary(incident_count: int, diagnostics: Sequence[Diagnostic]) -> str:
    """The one-line summary ``check`` ends with: ``24 incidents, 3 errors, 1 warning``."""
    n_errors = len(errors(diagnostics))
    n_warnings = len(warnings(diagnostics))
    return ", ".join(
        [
            _plural(incident_count, "incident"),
            _plural(n_errors, "error"),
            _plural(n_warnings, "warning"),
        ]
    )


def number_text(value: object) -> str:
    """A number as people write it: ``8`` not ``8.0``, ``1.5`` as is; anything else as text."""
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # Python's shortest round-trip form is positional in this range (1234567.5, not the
        # 1.23457e+06 of "g"), so tables and tooltips never show scientific notation.
        return repr(value) if 1e-4 <= abs(value) < 1e16 else f"{value:g}"
    return str(value)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
