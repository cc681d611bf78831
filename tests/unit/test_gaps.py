"""The risk score's rules, pinned: each signal, the weights, tiers and the words."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covgap import model
from covgap.analysis.gaps import (
    GapSettings,
    NeverTaken,
    build_gaps,
    crap,
    is_non_unit_flag,
    lines_outside,
    tier_of,
)
from covgap.config import Config
from covgap.model import CoverageSet, FileCoverageBuilder
from covgap.source.records import ErrorPath, FunctionInfo, SourceFile, SourceIndex
from covgap.workspace import Workspace


def file_cov(path: str, hits: dict[int, int], flag: str | None = None) -> CoverageSet:
    b = FileCoverageBuilder(path)
    for line, h in hits.items():
        b.add_line(line, h)
    cs = CoverageSet({path: b.build()})
    return cs.with_flag(flag) if flag else cs


def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path, [], [], Config())


def test_crap_formula() -> None:
    assert crap(5, 0.0) == 5**2 + 5
    assert crap(5, 1.0) == 5
    assert crap(10, 0.5) == pytest.approx(100 * 0.125 + 10)


def test_tier_thresholds() -> None:
    tiers = {"critical": 60.0, "high": 40.0, "medium": 20.0}
    assert tier_of(60.0, tiers) == "critical"
    assert tier_of(59.99, tiers) == "high"
    assert tier_of(20.0, tiers) == "medium"
    assert tier_of(19.99, tiers) == "low"


def test_flag_names_that_mean_integration_or_e2e() -> None:
    assert is_non_unit_flag("e2e")
    assert is_non_unit_flag("integration-tests")
    assert not is_non_unit_flag("unit")


def test_lines_outside_functions() -> None:
    assert lines_outside([1, 3, 5, 9, 12], [(2, 5), (4, 8), (11, 20)]) == [1, 9]


def test_fully_covered_files_are_not_gaps(tmp_path: Path) -> None:
    assert build_gaps(file_cov("a.py", {1: 1, 2: 3}), workspace(tmp_path)) == []


def test_size_signal_is_log_scaled_and_capped(tmp_path: Path) -> None:
    small = build_gaps(file_cov("a.py", dict.fromkeys(range(1, 11), 0)), workspace(tmp_path))[0]
    huge = build_gaps(file_cov("b.py", dict.fromkeys(range(1, 2001), 0)), workspace(tmp_path))[0]
    assert small.signals["size"] == pytest.approx(math.log1p(10) / math.log1p(500))
    assert huge.signals["size"] == 1.0


def test_score_is_weighted_mean_of_signals(tmp_path: Path) -> None:
    cs = file_cov("a.py", dict.fromkeys(range(1, 501), 0))
    gap = build_gaps(cs, workspace(tmp_path))[0]
    # Only size is known (no source analysis, no churn): 100 × 0.30 × 1.0 / 1.0
    assert gap.signals == {
        "size": 1.0,
        "complexity": 0.0,
        "churn": 0.0,
        "tests": 0.0,
        "error_paths": 0.0,
    }
    assert gap.score == 30.0
    assert gap.tier == "medium"


def test_critical_glob_multiplies_the_score(tmp_path: Path) -> None:
    cs = file_cov("core/a.py", dict.fromkeys(range(1, 501), 0))
    settings = GapSettings(critical=["core/**"])
    gap = build_gaps(cs, workspace(tmp_path), settings=settings)[0]
    assert gap.critical
    assert gap.score == 45.0
    assert "critical path" in gap.reasons


def source_index(path: str, **fields: object) -> SourceIndex:
    sf = SourceFile(path=path, language="python", **fields)  # type: ignore[arg-type]
    return SourceIndex({path: sf})


def test_untested_complex_e2e_only_error_heavy_file_is_critical(tmp_path: Path) -> None:
    hits = dict.fromkeys(range(1, 400), 0)
    hits[1] = 1  # the module line ran, from the e2e suite
    cs = file_cov("app/handler.py", hits, flag="e2e")
    index = source_index(
        "app/handler.py",
        lines=799,
        functions=[FunctionInfo("handle", 2, 300, 25)],
        error_paths=[ErrorPath("except", ln, ln + 1) for ln in range(10, 300, 20)],
        inline_tests=0,
    )
    gap = build_gaps(cs, workspace(tmp_path), source=index, churn={"app/handler.py": 30})[0]
    assert gap.e2e_only
    assert gap.signals["tests"] == 1.0
    assert gap.signals["error_paths"] == 1.0
    assert gap.signals["churn"] == 1.0
    assert gap.tier == "critical"
    assert gap.reasons[:3] == ["799 lines", "398 of 399 executable uncovered", "0 inline tests"]
    assert "covered only by e2e" in gap.reasons
    assert "0 of 15 error paths run" in gap.reasons
    assert gap.recommended[0].startswith("`handle` (lines 2–300, complexity 25): never runs")


def test_tests_signal_partial_for_integration_only(tmp_path: Path) -> None:
    cs = file_cov("a.py", {1: 1, 2: 0}, flag="unit")
    index = source_index("a.py", inline_tests=0, tested_by=["tests/it/test_a.py"])
    index.files["tests/it/test_a.py"] = SourceFile(
        "tests/it/test_a.py", "python", kind="test", test_kind="integration"
    )
    gap = build_gaps(cs, workspace(tmp_path), source=index)[0]
    assert gap.signals["tests"] == 0.6


def test_error_path_without_executable_lines_is_unknown(tmp_path: Path) -> None:
    cs = file_cov("a.py", {1: 1, 5: 0})
    index = source_index("a.py", error_paths=[ErrorPath("raise", 3, 3), ErrorPath("except", 5, 6)])
    gap = build_gaps(cs, workspace(tmp_path), source=index)[0]
    assert [e.ran for e in gap.error_paths] == [None, False]
    assert gap.error_paths_measured == 1


def test_test_files_are_not_gaps(tmp_path: Path) -> None:
    cs = file_cov("tests/test_a.py", {1: 0})
    index = SourceIndex({"tests/test_a.py": SourceFile("tests/test_a.py", "python", kind="test")})
    assert build_gaps(cs, workspace(tmp_path), source=index) == []


def test_settings_from_config_and_validation() -> None:
    settings = GapSettings.from_config(
        {"weights": {"churn": 0.5}, "tiers": {"critical": 70}}, {"critical": ["x/**"], "line": 55}
    )
    assert settings.weights["churn"] == 0.5
    assert settings.tiers["critical"] == 70
    assert settings.critical == ["x/**"]
    assert settings.target == 55
    assert settings.validate() == []
    bad = GapSettings.from_config({"weights": {"sizes": 1}, "tiers": {"high": 90}}, {})
    problems = bad.validate()
    assert any("[gaps.weights.sizes]" in p for p in problems)
    assert any("critical >= high >= medium" in p for p in problems)


# -- issue 10: tooling files, doctests and fallback notes in the gap analysis -----------


def two_files() -> CoverageSet:
    cs = file_cov("web/eslint.config.mjs", dict.fromkeys(range(1, 41), 0))
    return cs.merge(file_cov("web/src/app.js", {1: 1, 2: 0, 3: 0}))


def full_analysis(tmp_path: Path, coverage: CoverageSet, index: SourceIndex | None, table=None):  # type: ignore[no-untyped-def]
    from covgap.analysis.gap_analysis import analyze
    from covgap.analysis.summary import summarize
    from covgap.config import validate

    ws = Workspace(tmp_path, [], [], validate(table or {}))
    return analyze(
        coverage, ws, summarize(coverage, ws), source=index, churn=None, settings=GapSettings()
    )


def test_tooling_files_are_never_ranked_but_kept_in_totals_and_listed(tmp_path: Path) -> None:
    from covgap.report.gaps_report import gaps_to_json, render_gaps_markdown

    cs = two_files()
    analysis = full_analysis(tmp_path, cs, None)
    assert [g.path for g in analysis.gaps] == ["web/src/app.js"]
    assert [(t.path, t.rule, t.counts.lines_total) for t in analysis.tooling] == [
        ("web/eslint.config.mjs", "tool configuration", 40)
    ]
    assert analysis.totals == cs.totals()  # exactly as the report has them
    assert analysis.totals.lines_total == 43
    doc = render_gaps_markdown(analysis)
    section = doc.split("### Tooling and Configuration Files", 1)[1].split("## Coverage Str")[0]
    assert "1 measured file configures or drives tools; it is counted" in section
    assert "| `web/eslint.config.mjs` | tool configuration | 0.00% | 40 |" in section
    assert "eslint.config.mjs" not in doc.split("## Coverage Gaps", 1)[1].split("### Tooling")[0]
    data = gaps_to_json(analysis)
    assert [(t["path"], t["class"], t["lines_total"]) for t in data["tooling"]] == [
        ("web/eslint.config.mjs", "tooling", 40)
    ]


def test_tooling_class_comes_from_the_source_index_and_the_config(tmp_path: Path) -> None:
    cs = two_files()
    index = SourceIndex(
        {
            "web/src/app.js": SourceFile(
                "web/src/app.js", "javascript", kind="tooling", tooling_rule="[classify] tooling"
            )
        }
    )
    assert (
        build_gaps(cs, workspace(tmp_path), source=index) == []
        or [g.path for g in build_gaps(cs, workspace(tmp_path), source=index)] == []
    )
    analysis = full_analysis(
        tmp_path, cs, None, {"classify": {"source": ["web/eslint.config.mjs"]}}
    )
    assert [g.path for g in analysis.gaps] == ["web/eslint.config.mjs", "web/src/app.js"]
    assert analysis.tooling == []


def test_doctests_are_reasons_apart_from_inline_tests(tmp_path: Path) -> None:
    from covgap.source.records import TestCase

    cs = file_cov("src/lib.rs", {1: 1, 2: 0})
    index = SourceIndex(
        {
            "src/lib.rs": SourceFile(
                "src/lib.rs",
                "rust",
                lines=30,
                inline_tests=1,
                tests=[
                    TestCase("double (doctest)", 3, "doctest", True, "rustdoc"),
                    TestCase("double (doctest)", 8, "doctest", False, "rustdoc", True),
                    TestCase("tests::doubles", 20, "test", False, "rust"),
                ],
            )
        }
    )
    analysis = full_analysis(tmp_path, cs, index)
    gap = analysis.gaps[0]
    assert (gap.inline_tests, gap.doctests) == (1, 2)
    assert gap.reasons[2:4] == ["1 inline test", "2 doctests"]
    inv = analysis.inventory
    assert inv is not None
    assert (inv.doctests, inv.doctests_ignored, inv.doctests_no_run) == (2, 1, 1)
    from covgap.report.gaps_report import render_gaps_markdown

    assert "| Doctests (Rust, apart from inline tests) | 2 (1 ignored, 1 no_run) |" in (
        render_gaps_markdown(analysis)
    )


def test_fallback_notes_are_in_the_gap_document_and_json(tmp_path: Path) -> None:
    from covgap.report.gaps_report import gaps_to_json, render_gaps_markdown
    from covgap.report.markdown import md_escape

    cs = file_cov("src/lib.rs", {1: 1, 2: 0})
    index = SourceIndex(
        {
            "src/lib.rs": SourceFile(
                "src/lib.rs",
                "rust",
                analyser="regex",
                fallback_reason="tree_sitter_rust is not installed",
            )
        }
    )
    analysis = full_analysis(tmp_path, cs, index)
    message = (
        "Rust: 1 file analysed without tree-sitter (tree_sitter_rust is not installed): "
        "tests and functions (complexity estimated) found by regex; doctests, error paths "
        "and imports not found"
    )
    assert [n.message for n in analysis.source_notes] == [message]
    assert f"> **Note**: {md_escape(message)}" in render_gaps_markdown(analysis)
    assert [n["message"] for n in gaps_to_json(analysis)["notes"]] == [message]


# -- issue 14: the faster per-file helpers give what the plain loops give ---------------


@settings(max_examples=200, deadline=None)
@given(
    hits=st.lists(st.integers(min_value=0, max_value=3), max_size=30),
    taken=st.lists(st.sampled_from([None, 0, 1, 5]), max_size=12),
    start=st.integers(min_value=0, max_value=40),
    width=st.integers(min_value=0, max_value=40),
)
def test_span_helpers_equal_plain_loops(
    hits: list[int], taken: list[int | None], start: int, width: int
) -> None:
    from covgap.analysis.gaps import _lines_in, _never_taken
    from covgap.model import FileCoverageBuilder

    b = FileCoverageBuilder("a.py")
    for i, h in enumerate(hits):
        b.add_line(1 + i + i // 3, h)
    for i, t in enumerate(taken):
        b.add_branch(1 + i // 2, 0, i % 2, t)
    fc = b.build()
    assert _never_taken(fc) == [br for br in fc.branches() if not br.taken]
    lazy = NeverTaken(fc)  # what build_gaps keeps: the same records, built if read
    by_line: dict[int, int] = {}
    for br in fc.branches():
        if br.taken == 0:
            by_line[br.line] = by_line.get(br.line, 0) + 1
    assert lazy.zero_taken_by_line() == by_line
    assert lazy == _never_taken(fc) and len(lazy) == len(_never_taken(fc))
    assert list(lazy) == _never_taken(fc) and lazy[:2] == _never_taken(fc)[:2]
    end = start + width
    span = [(ln, h) for ln, h in fc.line_hits() if start <= ln <= end]
    ranges: list[tuple[int, int]] = []
    for ln, h in span:
        if h:
            continue
        if ranges and ranges[-1][1] == max(x for x, _ in span if x < ln):
            ranges[-1] = (ranges[-1][0], ln)
        else:
            ranges.append((ln, ln))
    assert _lines_in(fc, start, end) == (len(span), sum(1 for _, h in span if h), ranges)


def test_recommendations_stop_at_the_limit_and_count_the_rest(tmp_path: Path) -> None:
    """Only the shown lines are written out, but "… and N more" counts every function,
    the module-level code, the error paths and the branch lines left out."""
    hits = {ln: (1 if ln % 10 == 1 else 0) for ln in range(1, 201)}
    hits[205] = 0  # module-level code after the last function
    cs = file_cov("m.py", hits)
    functions = [FunctionInfo(f"f{i}", 10 * i + 1, 10 * i + 10, 1 + i % 3) for i in range(20)]
    # line 12 never ran, in f1, which does run (line 11): an error path to make fail
    index = source_index("m.py", functions=functions, error_paths=[ErrorPath("raise", 12, 12)])
    gap = build_gaps(cs, workspace(tmp_path), source=index)[0]
    # 20 partly run functions, module-level code, 1 error path
    assert len(gap.recommended) == 9
    assert gap.recommended[-1] == f"… and {20 + 1 + 1 - 8} more"
    assert gap.recommended[0].startswith("`f2` (lines 21–30, complexity 3): 9 of 10 lines")


@settings(max_examples=300, deadline=None)
@given(
    spans=st.lists(
        st.tuples(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=30)),
        max_size=8,
    ),
    point=st.integers(min_value=-2, max_value=32),
)
def test_point_in_spans_equals_any(spans: list[tuple[int, int]], point: int) -> None:
    """recommend's "inside a function that never runs" test, by bisection, is the loop's."""
    from covgap.analysis.gaps import _point_in_spans

    assert _point_in_spans(spans)(point) == any(a <= point <= b for a, b in spans)


@settings(max_examples=300, deadline=None)
@given(
    hits=st.lists(st.integers(min_value=0, max_value=2), max_size=40),
    spans=st.lists(
        st.tuples(st.integers(min_value=0, max_value=60), st.integers(min_value=-3, max_value=30)),
        max_size=10,
    ),
)
def test_line_spans_equal_the_walk_of_each_span(
    hits: list[int], spans: list[tuple[int, int]]
) -> None:
    """Functions and error paths counted by bisection (``LineSpans``, issue 14) are what
    ``_lines_in``'s walk of each span gives, spans ending before they start included."""
    from covgap.analysis.gaps import (
        ErrorPathStatus,
        FunctionGap,
        LineSpans,
        _lines_in,
        error_path_status,
        function_gaps,
    )

    b = FileCoverageBuilder("a.py")
    for i, h in enumerate(hits):
        b.add_line(1 + i + i // 3, h)
    fc = b.build()
    pairs = [(start, start + width) for start, width in spans]
    functions = [FunctionInfo(f"f{i}", s, e, 1 + i) for i, (s, e) in enumerate(pairs)]
    src = SourceFile(
        "a.py",
        "python",
        functions=functions,
        error_paths=[ErrorPath("raise", s, e) for s, e in pairs],
    )
    want_functions, want_paths = [], []
    for info in functions:
        total, covered, ranges = _lines_in(fc, info.start_line, info.end_line)
        want_functions.append(
            FunctionGap(
                info.qualname,
                info.start_line,
                info.end_line,
                info.complexity,
                total,
                covered,
                tuple(ranges),
            )
        )
        ran = None if total == 0 else covered > 0
        want_paths.append(ErrorPathStatus("raise", info.start_line, info.end_line, ran))
    spans_of_file = LineSpans.of(fc)
    assert spans_of_file.uncovered == list(fc.uncovered_lines())
    accelerator = model._speedups
    try:
        for c in (True, False):  # the C accelerator's span_records, then LineSpans
            model._speedups = accelerator if c else None
            assert function_gaps(fc, src, spans_of_file) == want_functions
            assert function_gaps(fc, src) == want_functions
            assert error_path_status(fc, src.error_paths, spans_of_file) == want_paths
            assert error_path_status(fc, src.error_paths) == want_paths
    finally:
        model._speedups = accelerator
    if accelerator is not None:  # the records are the named tuples themselves
        assert all(type(f) is FunctionGap for f in function_gaps(fc, src))


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.integers(min_value=0, max_value=40), unique=True).map(sorted),
    spans=st.lists(
        st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40)),
        max_size=8,
    ),
)
def test_lines_outside_equals_the_plain_test(
    lines: list[int], spans: list[tuple[int, int]]
) -> None:
    """The bisecting ``lines_outside`` keeps exactly the lines no span contains."""
    want = [x for x in lines if not any(a <= x <= b for a, b in spans)]
    assert lines_outside(lines, spans) == want
    assert lines_outside(tuple(lines), spans) == want


def test_zero_taken_by_line_with_an_unexpected_negative_count() -> None:
    """Readers store counts >= 0 or NEVER_EVALUATED (-1), and zero_taken_by_line counts
    the zeros at C speed; any other negative count takes the loop that counts every
    ``taken <= 0`` outcome but never-evaluated ones, as before issue 14."""
    from array import array

    from covgap.model import FileCoverage

    fc = FileCoverage(
        "a.c",
        array("i", [1, 2]),
        array("q", [1, 1]),
        br_line=array("i", [1, 1, 2, 2]),
        br_block=array("i", [0, 0, 0, 0]),
        br_branch=array("i", [0, 1, 0, 1]),
        br_taken=array("q", [-5, 0, -1, 0]),
    )
    assert NeverTaken(fc).zero_taken_by_line() == {1: 2, 2: 1}
    fc.br_taken[0] = 3
    assert NeverTaken(fc).zero_taken_by_line() == {1: 1, 2: 1}
