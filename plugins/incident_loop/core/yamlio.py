"""Read YAML safely and remember the line of every key and list item.

PyYAML's loaders lose line numbers and silently keep the last of two equal keys. Here the document is
composed into nodes (libyaml's C parser when present) and turned into plain Python values by a
small walker that:

* keeps ``lines[path] = line`` for every mapping key and sequence item (1-based file lines),
* refuses every tag but the plain YAML types (no ``!!python/object`` or any application tag),
* refuses merge keys and keys that are not scalars (others are kept as written), and reports
  a key given twice,
* bounds alias expansion and nesting, so an alias bomb stops after a fixed number of values,
* keeps a timestamp with a time of day as its original text, so that the model can tell whether
  an offset was written; a plain date becomes a ``datetime.date``.
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import number_text

try:  # libyaml's parser is several times faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

KeyPath = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_STR = _TAG + "str"
_DATE_LENGTH = len("2026-01-31")

#: Values constructed from one document, aliases counted each time they are expanded.
MAX_VALUES = 100_000
#: Nesting depth of mappings and lists.
MAX_DEPTH = 64


class _Composer(_Loader):
    """The loader's parser and resolver, with the resolver's per-node work cut down.

    libyaml calls back into Python for every node to resolve its tag and to track the path for
    path resolvers. The safe loader registers no path resolvers (tracking them is a no-op) and
    resolves a scalar only when it is plain, by its first character; done here directly, with
    the same table, it costs a third of the time.
    """

    _IMPLICIT: dict[str, list[tuple[str, Any]]] = _Loader.yaml_implicit_resolvers

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self._IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        return str(tag)
            return _STR
        return _TAG + ("seq" if kind is SequenceNode else "map")


if _Loader.yaml_path_resolvers or None in _Loader.yaml_implicit_resolvers:  # pragma: no cover
    _Composer = _Loader  # type: ignore[misc,assignment]  # a PyYAML that resolves differently: use it as is


class YamlProblem(Exception):
    """A problem that stops reading the document, at a 1-based file line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class YamlDocument:
    data: Any
    lines: dict[KeyPath, int]
    #: Problems that did not stop reading: (line, field path, message).
    problems: list[tuple[int, KeyPath, str]] = field(default_factory=list)


def read_yaml(
    text: str, *, first_line: int = 1, root_line: int | None = None, lines: bool = True
) -> YamlDocument:
    """Parse ``text`` whose first line is line ``first_line`` of its file.

    ``root_line`` is recorded for the empty path (the line a missing top-level key is reported on).
    With ``lines=False`` only that one is: the map of every key's line is left out (the caller
    parses again when it needs one). Raises :class:`YamlProblem` for syntax errors, refused
    tags and alias bombs.
    """
    offset = first_line - 1
    try:
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = _Lines(text, offset).of(mark) if mark is not None else first_line
        line = min(line, first_line + max(text.count("\n") - (text.endswith("\n")), 0))
        problem = exc.problem or "could not be read"
        hint = _syntax_hint(problem)
        raise YamlProblem(line, f"YAML syntax error: {problem}{hint}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, max(exc.position, 0)) + first_line
        raise YamlProblem(
            line,
            f"the text contains the character #x{exc.character:04x}, which YAML does not allow "
            "(a control character); remove it",
        ) from None
    except yaml.YAMLError as exc:  # e.g. "expected a single document"
        raise YamlProblem(first_line, f"YAML error: {exc}") from None
    walker = _Walker(_Lines(text, offset), lines)
    walker.lines[()] = root_line if root_line is not None else first_line
    try:
        data = None if node is None else walker.build(node, (), 0)
    except YamlProblem:
        if lines:
            raise
        # The message names the line of the top-level key, which only the map knows.
        return read_yaml(text, first_line=first_line, root_line=root_line, lines=True)
    return YamlDocument(data=data, lines=walker.lines, problems=walker.problems)


def _syntax_hint(problem: str) -> str:
    if "'\\t'" in problem or "\\t" in problem:
        return "; indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "; put quotes around a value that contains ': ' or check the indentation"
    if "could not find expected ':'" in problem:
        return "; every field is written as `name: value`"
    return "; check the indentation and put quotes around values with special characters"


#: Characters YAML ends a line at, besides line feeds (which are all that editors count).
_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]")


class _Lines:
    """The file's line of a position that the YAML parser marked.

    The parser counts NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR as line breaks too; in a
    text that holds one, the line is counted from the position instead (editors, ``git`` and
    GitHub end lines at line feeds only). The reader has already turned CR LF and CR into LF.
    """

    def __init__(self, text: str, offset: int) -> None:
        self.offset = offset
        self.starts: list[int] | None = None
        if _OTHER_BREAKS.search(text):
            self.starts = [m.end() for m in re.finditer("\n", text)]

    def of(self, mark: Any) -> int:
        if self.starts is None:
            return int(mark.line) + 1 + self.offset
        return bisect.bisect_right(self.starts, int(mark.index)) + 1 + self.offset


class _Walker:
    def __init__(self, lines_of: _Lines, lines: bool = True) -> None:
        self.lines_of = lines_of
        self.count = 0
        #: Where the lines of keys and items go; a throw-away dict when they are not wanted.
        self.lines: dict[KeyPath, int] = {}
        self.track = lines
        self.problems: list[tuple[int, KeyPath, str]] = []
        self.constructor = SafeConstructor()

    def line_of(self, node: Node) -> int:
        return self.lines_of.of(node.start_mark)

    def build(self, node: Node, path: KeyPath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise YamlProblem(
                self.lines.get(path[:1], self.line_of(node)),
                f"the YAML expands to more than {MAX_VALUES:,} values (aliases repeated inside "
                "aliases?); write the values out instead of using anchors and aliases",
            )
        if depth > MAX_DEPTH:
            raise YamlProblem(
                self.line_of(node),
                f"the YAML is nested more than {MAX_DEPTH} levels deep (a recursive alias?); "
                "remove the anchors and aliases",
            )
        if isinstance(node, ScalarNode):
            problem = _number_form_problem(node)
            if problem is not None:
                # Kept as its text, reported once here: the model's own message on the same
                # key ("must be a number") is left out by the validation.
                self.problems.append((self.line_of(node), path, problem))
                return node.value
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            self.check_tag(node, _TAG + "seq")
            items = []
            for index, item in enumerate(node.value):
                if self.track:
                    self.lines[path + (index,)] = self.line_of(item)
                items.append(self.build(item, path + (index,), depth + 1))
            return items
        if isinstance(node, MappingNode):
            self.check_tag(node, _TAG + "map")
            return self.mapping(node, path, depth)
        raise YamlProblem(self.line_of(node), "unsupported YAML node")  # pragma: no cover

    def check_tag(self, node: Node, expected: str) -> None:
        if node.tag != expected:
            raise YamlProblem(self.line_of(node), _tag_message(node.tag))

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag == _STR:
            if not node.style and EXPONENT.fullmatch(node.value):
                # Plain (libyaml gives "", PyYAML None): YAML 1.2 and JSON read `1e3` as a
                # number; PyYAML's YAML 1.1 wants a dot.
                return float(node.value)
            # Most values: what the constructor would return, without it. Short ones (a
            # severity, a slug, an owner) are shared by the thousands of files that repeat them.
            value: str = node.value
            return sys.intern(value) if len(value) <= _INTERNED else value
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem(self.line_of(node), _tag_message(node.tag))
        if node.tag == _TAG + "timestamp":
            text = node.value.strip()
            if len(text) > _DATE_LENGTH:
                return text  # a date-time: parsed by the model, which knows about offsets
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError):  # 2026-02-30, or an integer of 5,000 digits
            return node.value  # the model says what the field expected

    def mapping(self, node: MappingNode, path: KeyPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = self.line_of(key_node)
            if key_node.tag == _TAG + "merge":
                raise YamlProblem(
                    line, "YAML merge keys (`<<`) are not supported; write the fields out"
                )
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                raise YamlProblem(line, "a key must be a plain name like `severity`")
            # As written (`yes` stays `yes`, `2026-01-01` stays text), and interned: thousands of
            # files repeat the same few dozen keys.
            key = sys.intern(key_node.value)
            if key in first_seen:
                self.problems.append(
                    (
                        line,
                        path + (key,),
                        f"`{key}` is given twice (first on line {first_seen[key]}); "
                        "keep one of them, YAML would silently use the last",
                    )
                )
                continue
            first_seen[key] = line
            if self.track:
                self.lines[path + (key,)] = line
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result


#: A number with an exponent but no dot (``1e3``, ``1.5e2``, ``2E-1``), which YAML 1.1
#: leaves as text; SPEC section 3.1 reads it as the number it is.
EXPONENT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def _number_form_problem(node: ScalarNode) -> str | None:
    """SPEC section 3.1: a plain scalar that YAML 1.1 reads as a number in a form no other
    reader shares (base 60, octal, hexadecimal, binary, digits grouped with ``_``) is refused
    with what YAML would make of it and what to write instead; ``None`` for any other."""
    if (
        node.tag not in (_TAG + "int", _TAG + "float") or node.style
    ):  # plain: None, or "" from libyaml
        return None
    text = node.value.strip()
    digits = text.lstrip("+-")
    if ":" in digits:
        hours, _, minutes = digits.partition(":")
        decimal = number_text(int(hours or 0) + int(minutes.split(":")[0] or 0) / 60)
        form = "a base-60 (sexagesimal) number"
        fix = f"for {hours} hours {minutes} minutes write the decimal `{decimal}`"
    elif digits[:2] in ("0x", "0X"):
        form, fix = "a hexadecimal number", "write the decimal number"
    elif digits[:2] in ("0b", "0B"):
        form, fix = "a binary number", "write the decimal number"
    elif "_" in digits:
        form, fix = "a number with `_` between digits", "write the digits without `_`"
    elif node.tag == _TAG + "int" and len(digits) > 1 and digits[0] == "0":
        form, fix = "an octal number", "write it without the leading zero"
    else:
        return None
    try:
        read = SafeConstructor().construct_object(node, deep=True)
    except (ValueError, OverflowError):  # pragma: no cover - the resolver matched its form
        read = text
    return (
        f"`{text}` is {form} in YAML 1.1 (read as {read}), not what it looks like; {fix}, "
        "or put it in quotes if it is text"
    )


#: Values up to this length are interned (see ``_Walker.scalar``).
_INTERNED = 40


def _tag_message(tag: str) -> str:
    shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
    return (
        f"the YAML tag `{shown}` is not allowed: incident files hold plain text, numbers, "
        "dates, lists and mappings; remove the tag"
    )


class _TolerantLoader(_Loader):
    """A safe loader that turns every application tag into ``None``."""


def _ignore_tag(loader: Any, suffix: str, node: Node) -> None:
    return None


_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:", _ignore_tag)


def load_plain_yaml(text: str) -> Any:
    """Load a YAML file that is not ours (``mkdocs.yml``), ignoring application tags.

    MkDocs configs use tags such as ``!ENV`` and ``!!python/name:``; their values are not needed to
    find the plugin options, so every unknown tag becomes ``None`` instead of running anything.
    """
    return yaml.load(text, Loader=_TolerantLoader)
