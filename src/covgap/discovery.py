"""Find coverage reports in a repository. INTERFACE DRAFT — being completed."""

from __future__ import annotations

from pathlib import Path


def discover_reports(root: Path) -> list[Path]:
    return []
