"""Percentages are never rounded up to 100 nor down to 0 (coverage.py's rule)."""

from __future__ import annotations

from covgap.report._format import percent, ranges


def test_percent_basic() -> None:
    assert percent(1, 4) == "25.00%"
    assert percent(0, 0) == "n/a"


def test_percent_never_rounds_up_to_100() -> None:
    assert percent(99_999, 100_000) == "99.99%"
    assert percent(100_000, 100_000) == "100.00%"


def test_percent_never_rounds_down_to_0() -> None:
    assert percent(1, 1_000_000) == "0.01%"
    assert percent(0, 1_000_000) == "0.00%"


def test_ranges_like_coverage_py_missing() -> None:
    assert ranges([(3, 7), (12, 12)]) == "3-7, 12"
    assert ranges([(i, i) for i in range(1, 12)], limit=3) == "1, 2, 3, … (+8)"
