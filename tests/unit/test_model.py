"""Unit tests of the coverage model: building, counting, merging, flags."""

from __future__ import annotations

import ast
from array import array
from pathlib import Path

import pytest

from covgap import model
from covgap.model import (
    NEVER_EVALUATED,
    Branch,
    Counts,
    CoverageSet,
    FileCoverage,
    FileCoverageBuilder,
    Function,
    merge_line_counts,
    uncovered_ranges,
)
from covgap.types import MAX_COUNT


def build(path: str, lines: dict[int, int], branches=(), functions=()) -> FileCoverage:  # type: ignore[no-untyped-def]
    b = FileCoverageBuilder(path)
    for line, hits in lines.items():
        b.add_line(line, hits)
    for line, block, branch, taken in branches:
        b.add_branch(line, block, branch, taken)
    for name, start, hits in functions:
        b.add_function(name, start, hits)
    return b.build()


def test_builder_sorts_and_sums_duplicate_lines() -> None:
    b = FileCoverageBuilder("a.c")
    b.add_line(5, 1)
    b.add_line(2, 0)
    b.add_line(5, 3)
    fc = b.build()
    assert list(fc.lines) == [2, 5]
    assert list(fc.hits) == [0, 4]


def test_counts_of_a_file() -> None:
    fc = build(
        "a.c",
        {1: 1, 2: 0, 3: 5},
        branches=[(1, 0, 0, 1), (1, 0, 1, 0), (2, 0, 0, None)],
        functions=[("f", 1, 1), ("g", 3, 0)],
    )
    assert fc.counts() == Counts(3, 2, 3, 1, 2, 1)


def test_never_evaluated_branch_is_none_and_not_covered() -> None:
    fc = build("a.c", {1: 0}, branches=[(1, 0, 0, None)])
    assert list(fc.branches()) == [Branch(1, 0, 0, None)]
    assert fc.br_taken[0] == NEVER_EVALUATED
    assert fc.counts().branches_covered == 0


def test_never_evaluated_plus_taken_is_taken() -> None:
    b = FileCoverageBuilder("a.c")
    b.add_branch(1, 0, 0, None)
    b.add_branch(1, 0, 0, 2)
    b.add_branch(1, 0, 1, 3)
    b.add_branch(1, 0, 1, None)
    assert [br.taken for br in b.build().branches()] == [2, 3]


def test_counts_add_and_sum() -> None:
    a = Counts(10, 5, 4, 2, 2, 1)
    b = Counts(1, 1, 0, 0, 1, 0)
    assert a + b == Counts(11, 6, 4, 2, 3, 1)
    assert sum([a, b]) == a + b
    assert sum([], Counts()) == Counts()


def test_percentages_are_none_when_not_measured() -> None:
    c = Counts(lines_total=4, lines_covered=1)
    assert c.line_percent == 25.0
    assert c.branch_percent is None
    assert c.function_percent is None


def test_uncovered_ranges_join_across_non_executable_lines() -> None:
    lines = array("i", [1, 3, 4, 7, 8, 10])
    hits = array("q", [1, 0, 0, 0, 1, 0])
    assert uncovered_ranges(lines, hits) == [(3, 7), (10, 10)]


def test_uncovered_ranges_of_fully_covered_and_empty() -> None:
    assert uncovered_ranges(array("i", [1, 2]), array("q", [1, 1])) == []
    assert uncovered_ranges(array("i"), array("q")) == []


def test_merge_sums_hits_per_line_as_true_union() -> None:
    a = CoverageSet({"x.py": build("x.py", {1: 1, 2: 0})})
    b = CoverageSet({"x.py": build("x.py", {2: 3, 4: 0}), "y.py": build("y.py", {1: 0})})
    merged = a.merge(b)
    assert merged.files["x.py"].hits_by_line() == {1: 1, 2: 3, 4: 0}
    assert merged.totals() == Counts(lines_total=4, lines_covered=2)


def test_merge_saturates_instead_of_overflowing() -> None:
    _, hits = merge_line_counts(
        array("i", [1]), array("q", [MAX_COUNT]), array("i", [1]), array("q", [5])
    )
    assert list(hits) == [MAX_COUNT]


def test_merge_functions_by_name_and_line() -> None:
    a = build("x", {1: 1}, functions=[("f", 1, 2)])
    b = build("x", {1: 1}, functions=[("f", 1, 3), ("g", 9, 0)])
    merged = a.merge(b)
    assert merged.functions == (Function("f", 1, None, 5), Function("g", 9, None, 0))


def test_flags_record_which_suites_covered_a_line() -> None:
    unit = CoverageSet({"x": build("x", {1: 1, 2: 0, 3: 1})}).with_flag("unit")
    e2e = CoverageSet({"x": build("x", {2: 1, 3: 2})}).with_flag("e2e")
    merged = unit.merge(e2e)
    fc = merged.files["x"]
    assert fc.flags_for_line(1) == {"unit"}
    assert fc.flags_for_line(2) == {"e2e"}
    assert fc.flags_for_line(3) == {"unit", "e2e"}
    assert merged.flags == ("e2e", "unit")


def test_renamed_collisions_merge() -> None:
    cs = CoverageSet(
        {"/ci/a.py": build("/ci/a.py", {1: 1}), "./a.py": build("./a.py", {1: 2, 2: 0})}
    )
    out = cs.renamed({"/ci/a.py": "a.py", "./a.py": "a.py"})
    assert list(out.files) == ["a.py"]
    assert out.files["a.py"].hits_by_line() == {1: 3, 2: 0}


def test_equality_ignores_provenance() -> None:
    a = CoverageSet({"x": build("x", {1: 1})})
    b = CoverageSet({"x": build("x", {1: 1})}, inputs=(model.InputInfo("r", "lcov"),))
    assert a == b


def test_mismatched_columns_are_rejected() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        FileCoverage("x", array("i", [1, 2]), array("q", [1]))


def test_model_imports_nothing_else_of_covgap() -> None:
    """The model is the foundation: it may import only covgap.types and _speedups."""
    source = Path(model.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("covgap"):
            imported.add(node.module + ":" + ",".join(a.name for a in node.names))
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names if a.name.startswith("covgap"))
    allowed = {"covgap.types", "covgap:_speedups"}
    assert {i.split(":")[0] if i.startswith("covgap.") else i for i in imported} <= allowed
