"""``scripts/regen_example.py``: the bundled example's reports regenerated with ``covgap run``.

The script measures a copy of the example with ``covgap run`` and compares it with the
committed reports (made by scripts/make-example.sh). Here it runs for Python, Ruby and
TypeScript (the Rust workspace builds for minutes on a cold cache; the script covers it
when run by hand), and its comparison is shown to catch a real difference.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import require_tool

pytestmark = pytest.mark.realtool

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / "tools" / "node" / "node_modules" / ".bin"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "regen_example", ROOT / "scripts/regen_example.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_run_regenerates_the_committed_python_ruby_and_typescript_reports(
    capsys: pytest.CaptureFixture[str],
) -> None:
    require_tool("ruby", "rspec", "node", "npm")
    types_node = NODE_BIN.parent / "@types" / "node"
    if not ((NODE_BIN / "c8").exists() and (NODE_BIN / "tsc").exists() and types_node.is_dir()):
        if os.environ.get("COVGAP_REQUIRE_TOOLS"):
            pytest.fail("tools/node lacks c8, tsc or @types/node; run make node-tools")
        pytest.skip("tools/node lacks c8, tsc or @types/node (make node-tools)")
    status = _script().main(["tasker-py", "tasker-rb", "worker-ts"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "measured by covgap run: tasker-py, tasker-rb, worker-ts" in out
    equal = int(out.split("regen-example: ")[2].split()[0])
    assert equal >= 20, out  # the Python, Ruby and loaded TypeScript sources
    assert "DIFFERS" not in out and out.rstrip().endswith("PASS")


def _doc(lines: list[list[int]], component: str = "c", language: str = "Python") -> dict[str, Any]:
    return {
        "files": [
            {"path": "a.py", "component": component, "language": language, "lines": lines}
            | {"branches": [[1, 0, 0, 1], [1, 0, 1, 0]]}
        ]
    }


def test_compare_fails_on_a_line_that_ran_in_one_only() -> None:
    script = _script()
    same = script.compare(_doc([[1, 1], [2, 0]]), _doc([[1, 1], [2, 0]]), {"c"})
    assert same == ([], [], 1)
    problems, _, equal = script.compare(_doc([[1, 1], [2, 1]]), _doc([[1, 1], [2, 0]]), {"c"})
    assert equal == 0 and problems == ["a.py: ran: run has [2] the committed lack, lacks []"]
    problems, _, _ = script.compare(_doc([[1, 1]]), {"files": []}, {"c"})
    assert problems == ["a.py: only in covgap run's report"]
    assert script.compare(_doc([[1, 1]]), {"files": []}, {"other"}) == ([], [], 0)
