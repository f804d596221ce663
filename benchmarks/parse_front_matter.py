#!/usr/bin/env python3
"""Reference workload of the ``check`` target: pure-Python PyYAML on every incident's front matter.

    python benchmarks/parse_front_matter.py PROJECT_DIR

Reads each ``PROJECT_DIR/incidents/**/*.md``, splits off the front matter between the first two
``---`` lines and parses it with ``yaml.load(text, Loader=yaml.SafeLoader)`` (the pure-Python
loader, not ``CSafeLoader``). Prints the number of files parsed. Nothing else: no validation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def front_matter(text: str) -> str:
    if not text.startswith("---"):
        return ""
    end = text.find("\n---", 3)
    return text[4:end] if end != -1 else ""


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(argv[0]) / "incidents"
    count = 0
    for path in sorted(root.rglob("*.md")):
        data = yaml.load(front_matter(path.read_text(encoding="utf-8")), Loader=yaml.SafeLoader)
        if not isinstance(data, dict):
            print(f"{path}: no front matter", file=sys.stderr)
            return 1
        count += 1
    print(f"{count} front matters parsed with yaml.SafeLoader")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
