"""The layering of SPEC section 10: the core and the site layer run without MkDocs or Click.

`make lint` checks the import contracts of pyproject.toml with import-linter; this checks what
they cannot see: that importing each module, in a fresh interpreter, loads neither.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "plugins" / "incident_loop"
BELOW_THE_ADAPTERS = sorted(
    f"incident_loop.{folder}.{path.stem}"
    for folder in ("core", "site")
    for path in (PACKAGE / folder).glob("*.py")
    if path.stem != "__init__"
)
FORBIDDEN = ("mkdocs", "material", "click")


def test_the_core_and_the_site_layer_are_all_here() -> None:
    # A module moved or renamed must not drop out of the check below unnoticed.
    assert "incident_loop.core.rules" in BELOW_THE_ADAPTERS
    assert "incident_loop.core.analyse" in BELOW_THE_ADAPTERS
    assert "incident_loop.site.render" in BELOW_THE_ADAPTERS
    assert len(BELOW_THE_ADAPTERS) >= 18


@pytest.mark.parametrize("module", BELOW_THE_ADAPTERS)
def test_a_module_below_the_adapters_loads_neither_mkdocs_nor_click(module: str) -> None:
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == []


def test_the_check_can_fail() -> None:
    # The same probe sees MkDocs when an adapter is imported.
    code = "import json, sys, incident_loop.plugin\nprint(json.dumps('mkdocs' in sys.modules))\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) is True
