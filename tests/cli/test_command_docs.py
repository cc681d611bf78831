"""docs/commands.md is exactly what the commands' --help says."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_command_docs_are_current() -> None:
    spec = importlib.util.spec_from_file_location(
        "gen_docs", ROOT / "scripts" / "gen_command_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert committed == module.render(), (
        "docs/commands.md is stale: run .venv/bin/python scripts/gen_command_docs.py"
    )
