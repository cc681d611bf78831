"""Trend arithmetic and rendering, pruning choices, flaky-line bookkeeping."""

from __future__ import annotations

import datetime as dt
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covgap.cli.trend_cmd import parse_since
from covgap.errors import InputError
from covgap.history import open_store
from covgap.history.flaky import by_path, flaky_lines, without_lines
from covgap.history.html import add_trend_section, render_trend_section
from covgap.history.prune import runs_to_prune
from covgap.history.render import (
    history_markdown,
    trend_markdown,
    trend_svg,
    trend_terminal,
)
from covgap.history.store import RunInfo
from covgap.history.trend import sparkline, trend
from covgap.model import Counts, CoverageSet, FileCoverage


def fc(path: str, hits: dict[int, int]) -> FileCoverage:
    lines = sorted(hits)
    return FileCoverage(
        path,
        array("i", lines),
        array("q", [hits[n] for n in lines]),
        br_line=array("i", [lines[0]]),
        br_block=array("i", [0]),
        br_branch=array("i", [0]),
        br_taken=array("q", [1]),
        flags={"unit": array("i", [n for n in lines if hits[n]])},
    )


def cs(*files: FileCoverage) -> CoverageSet:
    return CoverageSet({f.path: f for f in files})


def run(i: int, branch: str | None, at: float) -> RunInfo:
    return RunInfo(i, "r", f"k{i}", "a" * 40, branch, None, at, at, (), (), 1, Counts())


def test_sparkline() -> None:
    assert sparkline([0.0, 50.0, 100.0]) == "▁▅█"
    assert sparkline([None, 3.0, 3.0]) == " ██"
    assert sparkline([None]) == " "


def test_parse_since() -> None:
    now = 1_000_000.0
    assert parse_since(None) is None
    assert parse_since("2d", now) == now - 2 * 86400
    assert parse_since("3h", now) == now - 3 * 3600
    assert parse_since("1w", now) == now - 7 * 86400
    expected = dt.datetime(2026, 1, 31, tzinfo=dt.UTC).timestamp()
    assert parse_since("2026-01-31", now) == expected
    with pytest.raises(InputError, match="--since yesterday"):
        parse_since("yesterday", now)


def test_prune_keeps_newest_per_branch_and_protected() -> None:
    runs = [run(i, b, float(i)) for i, b in enumerate(["main", "f", "f", "f", "main", None, None])]
    doomed = runs_to_prune(runs, keep=1, protected=["main"])
    assert [r.id for r in doomed] == [1, 2, 5]
    assert runs_to_prune(runs, keep=0, protected=[]) == sorted(runs, key=lambda r: r.created_at)
    with pytest.raises(ValueError, match="keep"):
        runs_to_prune(runs, keep=-1)


def test_without_lines() -> None:
    coverage = cs(fc("a", {1: 1, 2: 0, 3: 1}), fc("b", {1: 1}))
    dropped = without_lines(coverage, {"a": {1, 2}, "missing": {1}})
    assert list(dropped.files["a"].lines) == [3]
    assert list(dropped.files["a"].br_line) == []
    assert list(dropped.files["a"].flags["unit"]) == [3]
    assert dropped.files["b"] == coverage.files["b"]
    assert without_lines(coverage, {}) is coverage


def test_trend_flaky_and_renderings(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/h.db") as store:
        blobs = {"a": "1" * 40, "b": "2" * 40}
        for i, (hit2, branch) in enumerate([(0, "main"), (1, "main"), (0, "main"), (0, "dev")]):
            store.record(
                {"unit": cs(fc("a", {1: 1, 2: hit2}), fc("b", {1: i % 2}))},
                repository="r",
                commit=f"{i}" * 40,
                branch=branch,
                blobs=blobs if i < 3 else {"a": "1" * 40, "b": "3" * 40},
                components={"a": "core"},
                tests=None if i == 0 else 10 + i,
                now=1000.0 + i,
            )
        # a commit recorded by two runs is merged from detail
        store.record(
            {"e2e": cs(fc("b", {1: 1, 5: 0}))},
            repository="r",
            commit="3" * 40,
            branch="dev",
            blobs={"b": "3" * 40},
            now=1010.0,
        )
        points = trend(store, "r")
        assert [p.commit[0] for p in points] == ["0", "1", "2", "3"]
        assert points[-1].totals == Counts(4, 2, 2, 2, 0, 0)
        assert points[-1].suites["e2e"] == Counts(2, 1, 1, 1, 0, 0)
        assert points[0].components == {"core": Counts(2, 1, 1, 1, 0, 0)}
        assert points[-1].components["core"] == Counts(2, 1, 1, 1, 0, 0)
        assert [p.totals.lines_total for p in trend(store, "r", component="core")] == [2] * 4
        assert len(trend(store, "r", branch="main", limit=2)) == 2
        assert trend(store, "r", limit=0) == []
        assert trend(store, "r", since=1002.5)[0].commit == "3" * 40

        flaky = flaky_lines(store, "r")
        # a:2 went 0,1,0 over one blob (main + dev); b:1 flips only while its blob is "2…"
        assert [(f.path, f.line, f.flips, f.runs) for f in flaky] == [
            ("a", 2, 2, 4),
            ("b", 1, 2, 3),
        ]
        assert by_path(flaky) == {"a": {2}, "b": {1}}
        assert flaky_lines(store, "r", branch="dev") == []

    term = trend_terminal(points, "T")
    from covgap.cli._common import render_terminal_text

    text = render_terminal_text(term, color=False)
    assert "lines" in text and "3333333333" in text
    assert "no recorded runs" in render_terminal_text(trend_terminal([], "T"), color=False)
    assert [p.tests for p in points] == [None, 11, 12, 13]
    assert "tests" in text and "+2" in text
    md = trend_markdown(points, "T")
    assert "| tests | n/a | 13 | n/a |" in md
    assert "| 12 | unit |" in md
    assert "| tests | 11 | 13 | +2 |" in trend_markdown(points[1:], "T")
    assert "| lines | 33.33 % | 50.00 % | +16.67 pp |" in md
    assert "| core: lines | 50.00 % | 50.00 % | +0.00 pp |" in md
    assert "No recorded runs" in trend_markdown([], "T")
    svg = trend_svg(points)
    assert svg.startswith("<svg") and svg.count("<polyline") == 2  # no functions measured
    assert "<script" not in svg
    hist = history_markdown(points, Counts(10, 9, 0, 0, 0, 0), baseline_label="the base")
    assert "**this report** | | 90.00 %" in hist and "Change since the base" in hist
    assert "No runs recorded" in history_markdown([], Counts())
    section = render_trend_section(points, Counts(10, 9, 0, 0, 0, 0))
    assert 'class="trend"' in section and "<svg" in section
    assert "nothing recorded yet" in render_trend_section([], Counts())
    page = tmp_path / "index.html"
    page.write_text("<html><main><p>x</p></main></html>")
    assert add_trend_section(page, "<section>T</section>")
    assert page.read_text() == "<html><main>\n<section>T</section><p>x</p></main></html>"
    page.write_text("<html></html>")
    assert not add_trend_section(page, "<section/>")


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    )
)
@settings(max_examples=200, deadline=None)
def test_json_text_is_json_dumps_indent_2(doc: object) -> None:
    """The CLI's fast indented JSON is exactly what ``json.dumps(doc, indent=2)`` gives."""
    import json

    from covgap.cli._common import json_text

    assert json_text(doc) == json.dumps(doc, indent=2)
