"""Closure plans: exact arithmetic, and applying a plan really reaches its target."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from covgap.analysis.gaps import FunctionGap, build_gaps
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


def _work_units_loop(
    uncovered: list[int], functions: list[FunctionGap]
) -> list[tuple[str | None, int, int, int, int | None]]:
    """work_units as it was written before issue 14: every line visited, per function."""
    remaining = sorted(uncovered)
    taken: set[int] = set()
    units: list[tuple[str | None, int, int, int, int | None]] = []
    for fn in sorted(functions, key=lambda f: (f.end_line - f.start_line, f.start_line)):
        own = [ln for ln in remaining if fn.start_line <= ln <= fn.end_line and ln not in taken]
        if own:
            units.append((fn.name, fn.start_line, fn.end_line, len(own), fn.complexity))
            taken.update(own)
    rest = [ln for ln in remaining if ln not in taken]
    if rest:
        units.append((None, rest[0], rest[-1], len(rest), None))
    return units


@settings(max_examples=300, deadline=None)
@given(
    uncovered=st.lists(st.integers(1, 60), unique=True, max_size=30),
    spans=st.lists(st.tuples(st.integers(1, 60), st.integers(-2, 15)), max_size=8),
)
def test_work_units_equal_the_line_by_line_loop(
    uncovered: list[int], spans: list[tuple[int, int]]
) -> None:
    """Disjoint functions (counted by bisection) and nested ones (the loop) alike."""
    functions = [FunctionGap(f"f{i}", a, a + w, i % 3, 0, 0) for i, (a, w) in enumerate(spans)]
    gap = SimpleNamespace(uncovered_lines=tuple(sorted(uncovered)), functions=functions)
    assert work_units(gap) == _work_units_loop(uncovered, functions)  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(
    files=st.lists(
        st.tuples(
            st.lists(st.integers(1, 40), unique=True, max_size=12),
            st.lists(st.tuples(st.integers(1, 40), st.integers(0, 6)), max_size=4),
        ),
        max_size=6,
    ),
    limit=st.integers(0, 12),
)
def test_action_plan_items_are_the_first_of_the_full_sort(
    files: list[tuple[list[int], list[tuple[int, int]]]], limit: int
) -> None:
    """The Markdown action plan keeps only its first items (heapq.nsmallest): the same
    items, in the same order, as sorting every unit and slicing."""
    from covgap.analysis.plan import PlanItem
    from covgap.report.gaps_report import _items_for

    total = Counts(lines_total=500, lines_covered=100)
    gaps = [
        SimpleNamespace(
            path=f"p{n % 3}.py",  # equal paths: ties keep the input order
            component=None,
            uncovered_lines=tuple(sorted(lines)),
            functions=[FunctionGap(f"f{i}", a, a + w, i % 4, 0, 0) for i, (a, w) in enumerate(sp)],
        )
        for n, (lines, sp) in enumerate(files)
    ]
    every = [
        PlanItem(g.path, name, a, b, n, cx, 100.0 * n / 500)
        for g in gaps
        for name, a, b, n, cx in work_units(g)  # type: ignore[arg-type]
    ]
    every.sort(key=lambda i: (-i.uncovered_lines, i.effort_points, i.path))
    assert _items_for(gaps, {}, total, limit) == every[:limit]  # type: ignore[arg-type]
