"""Percentages are never rounded up to 100 nor down to 0 (coverage.py's rule)."""

from __future__ import annotations

from pathlib import Path

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


def test_streamed_json_report_equals_the_whole_document(tmp_path: Path) -> None:
    """Issue 14: the report is written entry by entry, byte for byte as before."""
    from covgap.analysis.summary import summarize
    from covgap.config import Config
    from covgap.model import CoverageSet, FileCoverageBuilder
    from covgap.report.json_report import build_json, render_json, render_report_json
    from covgap.workspace import Workspace

    cs = CoverageSet()
    for n, name in enumerate(["src/a.py", 'src/b "q"\\.py', "lib/c.rs"]):
        b = FileCoverageBuilder(name)
        for line in range(1, 30):
            b.add_line(line, (line + n) % 3)
        b.add_branch(4, 0, 0, None)
        b.add_branch(4, 0, 1, 2)
        b.add_function(f"f{n}", 1, n, 9)
        cs.add(b.build())
    ws = Workspace(tmp_path, [], [], Config())
    for coverage in (cs, CoverageSet()):
        summary = summarize(coverage, ws)
        for detail in (False, True):
            kw = {"detail": detail, "unmapped": [{"path": "x"}], "skipped": [("y", "z")]}
            whole = render_json(build_json(summary, coverage, **kw))  # type: ignore[arg-type]
            assert render_report_json(summary, coverage, **kw) == whole  # type: ignore[arg-type]
