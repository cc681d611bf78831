"""Property tests of the model: merge laws, consistent totals, lossless LCOV round trips.

Each property is checked with the C accelerator and with the pure-Python reference
(:func:`engines`), so the two paths are held to the same laws.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given, settings
from hypothesis import strategies as st

from covgap import model
from covgap.formats import lcov
from covgap.model import CoverageSet, FileCoverage, FileCoverageBuilder
from covgap.types import MAX_COUNT

PATHS = ["src/a.rs", "src/b.py", "lib/c.ts", "d.c"]
FUNCTION_POOL = [(f"fn_{i}", 1 + 7 * i, None if i % 3 == 0 else 5 + 7 * i) for i in range(8)]
"""Functions a source file has: reports of one file agree on where functions are."""

counts = st.one_of(st.integers(0, 5), st.integers(0, 2**40), st.integers(MAX_COUNT - 3, MAX_COUNT))
taken = st.one_of(st.none(), counts)


@contextmanager
def python_path() -> Iterator[None]:
    """Switch the accelerator off for the duration (the reference path)."""
    saved_mod, saved_env = model._speedups, os.environ.get("COVGAP_PURE_PYTHON")
    model._speedups = None
    os.environ["COVGAP_PURE_PYTHON"] = "1"
    try:
        yield
    finally:
        model._speedups = saved_mod
        if saved_env is None:
            del os.environ["COVGAP_PURE_PYTHON"]
        else:
            os.environ["COVGAP_PURE_PYTHON"] = saved_env


@contextmanager
def accelerated() -> Iterator[None]:
    yield


def engines() -> list[object]:
    """The paths to check: C (when built) and Python."""
    return [accelerated, python_path] if model._speedups is not None else [python_path]


@st.composite
def file_coverage(draw: st.DrawFn, path: str, *, min_lines: int = 0) -> FileCoverage:
    b = FileCoverageBuilder(path)
    for line, hits in draw(st.dictionaries(st.integers(1, 60), counts, min_size=min_lines)).items():
        b.add_line(line, hits)
    keys = st.tuples(st.integers(1, 60), st.integers(-2, 2), st.integers(0, 3))
    for (line, block, branch), t in draw(st.dictionaries(keys, taken, max_size=8)).items():
        b.add_branch(line, block, branch, t)
    for name, start, end in draw(st.lists(st.sampled_from(FUNCTION_POOL), unique=True)):
        b.add_function(name, start, draw(counts), end)
    return b.build()


@st.composite
def coverage_sets(
    draw: st.DrawFn, *, min_lines: int = 0, min_files: int = 0, flags: bool = True
) -> CoverageSet:
    paths = draw(st.lists(st.sampled_from(PATHS), unique=True, min_size=min_files, max_size=3))
    files = {p: draw(file_coverage(p, min_lines=min_lines)) for p in paths}
    cs = CoverageSet(files)
    if flags:
        flag = draw(st.sampled_from([None, "unit", "e2e"]))
        if flag:
            cs = cs.with_flag(flag)
    return cs


@settings(max_examples=60, deadline=None)
@given(coverage_sets(), coverage_sets())
def test_merge_is_commutative(a: CoverageSet, b: CoverageSet) -> None:
    for engine in engines():
        with engine():  # type: ignore[operator]
            assert a.merge(b) == b.merge(a)


@settings(max_examples=60, deadline=None)
@given(coverage_sets(), coverage_sets(), coverage_sets())
def test_merge_is_associative(a: CoverageSet, b: CoverageSet, c: CoverageSet) -> None:
    for engine in engines():
        with engine():  # type: ignore[operator]
            assert a.merge(b).merge(c) == a.merge(b.merge(c))


@settings(max_examples=60, deadline=None)
@given(coverage_sets())
def test_empty_set_is_the_identity(a: CoverageSet) -> None:
    for engine in engines():
        with engine():  # type: ignore[operator]
            assert a.merge(CoverageSet()) == a
            assert CoverageSet().merge(a) == a


@settings(max_examples=60, deadline=None)
@given(coverage_sets(flags=False), coverage_sets(flags=False))
def test_merged_totals_are_the_union_of_lines(a: CoverageSet, b: CoverageSet) -> None:
    for engine in engines():
        with engine():  # type: ignore[operator]
            merged = a.merge(b)
            totals = merged.totals()
            union_total = 0
            union_covered = 0
            for path in set(a.files) | set(b.files):
                summed: dict[int, int] = {}
                for cs in (a, b):
                    if path in cs.files:
                        for line, hits in cs.files[path].line_hits():
                            summed[line] = min(MAX_COUNT, summed.get(line, 0) + hits)
                union_total += len(summed)
                union_covered += sum(1 for h in summed.values() if h > 0)
                assert merged.files[path].hits_by_line() == summed
            assert totals.lines_total == union_total
            assert totals.lines_covered == union_covered
            assert totals.lines_covered >= max(a.totals().lines_covered, b.totals().lines_covered)
            assert totals == sum((fc.counts() for fc in merged.files.values()), model.Counts())


@settings(max_examples=80, deadline=None)
@given(coverage_sets(min_lines=1, min_files=1, flags=False))
def test_lcov_write_then_read_equals_the_model(cs: CoverageSet) -> None:
    out = io.BytesIO()
    lcov.write(cs, out)
    for engine in engines():
        with engine():  # type: ignore[operator]
            back = lcov.read(io.BytesIO(out.getvalue()), "round-trip.info")
            assert back == cs
            assert back.totals() == cs.totals()
            assert back.notes == ()


@settings(max_examples=60, deadline=None)
@given(coverage_sets(flags=False), coverage_sets(flags=False))
def test_c_and_python_merges_agree(a: CoverageSet, b: CoverageSet) -> None:
    results = []
    for engine in engines():
        with engine():  # type: ignore[operator]
            merged = a.merge(b)
            results.append(
                (
                    merged,
                    merged.totals(),
                    {p: fc.uncovered_ranges() for p, fc in merged.files.items()},
                )
            )
    assert all(r == results[0] for r in results)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(1, 50)), min_size=2, max_size=4),
    st.lists(counts, min_size=4, max_size=4),
)
def test_disagreeing_function_ends_merge_to_the_widest_in_any_order(
    ends: list[int | None], hits: list[int]
) -> None:
    """Reports that disagree on where a function ends merge the same in any order."""
    files = []
    for end, h in zip(ends, hits, strict=False):
        b = FileCoverageBuilder("a.c")
        b.add_function("f", 1, h, end)
        files.append(b.build())
    known = [e for e in ends if e is not None]
    for engine in engines():
        with engine():  # type: ignore[operator]
            forward, backward = files[0], files[-1]
            for fc in files[1:]:
                forward = forward.merge(fc)
            for fc in reversed(files[:-1]):
                backward = backward.merge(fc)
            assert forward == backward
            assert forward.functions[0].end_line == (max(known) if known else None)
