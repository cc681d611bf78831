"""Type aliases shared across covgap, so signatures say what their ints mean."""

from __future__ import annotations

from typing import TypeAlias

LineNo: TypeAlias = int
"""A 1-based source line number."""

HitCount: TypeAlias = int
"""How many times a line, branch or function ran. Never negative."""

RepoPath: TypeAlias = str
"""A path relative to the repository root, with forward slashes."""

FlagName: TypeAlias = str
"""A suite label such as ``unit``, ``integration`` or ``e2e``."""

MAX_COUNT = 2**63 - 1
"""The largest hit count covgap stores; readers reject larger numbers, sums saturate."""

MAX_LINE = 2**31 - 1
"""The largest line number covgap accepts."""
