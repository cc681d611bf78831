"""Closure plans: exact arithmetic, and applying a plan really reaches its target."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from covgap.analysis.gaps import build_gaps
from covgap.analysis.plan import lines_needed, make_plan, work_units
from covgap.config import Config
from covgap.model import Counts, CoverageSet, FileCoverageBuilder
from covgap.source.records import FunctionInfo, SourceFile, SourceIndex
from covgap.workspace import Workspace


def test_lines_needed_is_exact() -> None:
    assert lines_needed(Counts(lines_total=1000, lines_covered=500), 55.1) == 51
    assert lines_needed(Counts(lines_total=3, lines_covered=1), 100) == 2
    assert lines_needed(Counts(lines_total=10, lines_covered=9), 50) == 0


def test_work_units_innermost_function_owns_the_line(tmp_path: Path) -> None:
    b = FileCoverageBuilder("a.py")
    for line in (1, 2, 3, 4, 5, 20):
        b.add_line(line, 0)
    cs = CoverageSet({"a.py": b.build()})
    index = SourceIndex(
        {
            "a.py": SourceFile(
                "a.py",
                "python",
                functions=[FunctionInfo("outer", 1, 10, 2), FunctionInfo("outer.inner", 3, 4, 1)],
            )
        }
    )
    gap = build_gaps(cs, Workspace(tmp_path, [], [], Config()), source=index)[0]
    assert sorted(work_units(gap), key=str) == sorted(
        [("outer.inner", 3, 4, 2, 1), ("outer", 1, 10, 3, 2), (None, 20, 20, 1, None)],
        key=str,
    )


file_data = st.dictionaries(st.integers(1, 60), st.integers(0, 3), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(files=st.lists(file_data, min_size=1, max_size=5), target=st.floats(1, 100))
def test_applying_the_plan_reaches_the_target(
    tmp_path_factory: object, files: list[dict[int, int]], target: float
) -> None:
    target = round(target, 2)
    cs = CoverageSet()
    for n, hits in enumerate(files):
        b = FileCoverageBuilder(f"f{n}.py")
        for line, h in hits.items():
            b.add_line(line, h)
        cs.add(b.build())
    ws = Workspace(Path("/nonexistent"), [], [], Config())
    gaps = build_gaps(cs, ws)
    totals = cs.totals()
    plan = make_plan("repository", totals, gaps, target)
    assert plan.reachable  # covering every gap reaches 100 %
    covered = totals.lines_covered + sum(i.uncovered_lines for i in plan.items)
    assert 100 * covered >= target * totals.lines_total - 1e-9
    # Dropping any one item misses the target: the list is as short as it can be.
    for item in plan.items:
        assert 100 * (covered - item.uncovered_lines) < target * totals.lines_total
    # Mark the plan's lines covered for real and recount with the model.
    covered_lines = {(i.path, ln) for i in plan.items for ln in range(i.start_line, i.end_line + 1)}
    recount = 0
    for path, fc in cs.files.items():
        recount += sum(1 for ln, h in fc.line_hits() if h or (path, ln) in covered_lines)
    assert recount == covered
