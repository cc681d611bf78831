"""Writers round trip: read(write(x)) == x for what each format can hold, over mixed formats.

* covgap JSON holds the whole model, flags and end lines included: exact equality.
* LCOV holds everything but suite flags and files without lines (lcov ignores such
  records); its writer merges same-named functions of a file (LCOV identifies
  functions by name).
* Cobertura holds line hits, per-line branch ``covered/total`` and functions' first
  line and hits: the reader rebuilds outcomes as "the first ``covered`` taken once",
  a branch-only line comes back as a line with 0 hits, end lines and flags are lost.
  Compared through :func:`cobertura_view`; after one trip, writing and reading is a
  fixed point (the same bytes again).

Each is checked on generated coverage (hypothesis) and on every real report of every
format under ``tests/data`` (JaCoCo, Go, Clover, gcov, gcovr, coverage.py data and
JSON, LCOV, Cobertura, Istanbul, llvm-cov, SimpleCov...), read, written and read back.
Last, damaged copies of real reports of the formats issue 4 added must fail with a
one-line FormatError or read whole, never with another exception.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from covgap.errors import CovgapError, FormatError
from covgap.formats import FormatSpec, conversion, detect, get_format, read_report, writable_formats
from covgap.model import CoverageSet, FileCoverage, FileCoverageBuilder, Function
from covgap.types import MAX_COUNT, MAX_LINE

DATA = Path(__file__).resolve().parents[1] / "data"

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _writer(name: str) -> FormatSpec:
    spec = get_format(name)
    if spec.write is None:
        pytest.skip(f"{name} has no writer yet")
    return spec


def round_trip(cs: CoverageSet, spec: FormatSpec) -> tuple[CoverageSet, bytes]:
    assert spec.write is not None
    out = io.BytesIO()
    spec.write(cs, out)
    data = out.getvalue()
    return spec.read(io.BytesIO(data), f"round-trip.{spec.name}"), data


# -- what each format can hold ------------------------------------------------------


def lcov_projection(cs: CoverageSet) -> CoverageSet:
    """``cs`` as LCOV can hold it: no flags, functions by name, only files with lines.

    covgap's LCOV reader leaves out records without ``DA:`` lines, as ``lcov
    --summary`` does, so a file without lines does not come back.
    """
    files = {}
    for path, fc in cs.files.items():
        if not len(fc.lines):
            continue
        by_name: dict[str, Function] = {}
        for fn in fc.functions:
            prev = by_name.get(fn.name)
            by_name[fn.name] = (
                fn
                if prev is None
                else prev._replace(
                    end_line=prev.end_line if prev.end_line is not None else fn.end_line,
                    hits=min(prev.hits + fn.hits, MAX_COUNT),
                )
            )
        files[path] = FileCoverage(
            path,
            fc.lines,
            fc.hits,
            br_line=fc.br_line,
            br_block=fc.br_block,
            br_branch=fc.br_branch,
            br_taken=fc.br_taken,
            functions=by_name.values(),
        )
    return CoverageSet(files)


def cobertura_view(
    cs: CoverageSet,
) -> dict[str, tuple[dict[int, int], dict[int, tuple[int, int]], list[tuple[str, int, int]]]]:
    """Per file: line hits, per-line branch (covered, total), (name, start, hits).

    What Cobertura holds: a branch belongs to a ``<line>``, so branches on a line
    without a line record are left out (never a line invented for them), and a
    function needs a line (one at line 0, gcovr's merge-use-line-0, has none).
    """
    view = {}
    for path, fc in cs.files.items():
        hits = fc.hits_by_line()
        per_line: dict[int, list[int]] = {}
        for b in fc.branches():
            if b.line not in hits:
                continue
            acc = per_line.setdefault(b.line, [0, 0])
            acc[1] += 1
            acc[0] += 1 if (b.taken or 0) > 0 else 0
        functions = sorted((f.name, f.start_line, f.hits) for f in fc.functions if f.start_line)
        view[path] = (hits, {k: (v[0], v[1]) for k, v in per_line.items()}, functions)
    return view


# -- generated coverage ---------------------------------------------------------------

_hits = st.one_of(st.integers(0, 5), st.integers(0, MAX_COUNT))
_lines = st.one_of(st.integers(1, 60), st.integers(1, MAX_LINE))
_ids = st.integers(-3, 5)
_lcov_ids = st.integers(0, 5)
_ascii_path = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/._-", min_size=1, max_size=20)
_any_path = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20)
_fn_name = st.from_regex(r"[A-Za-z_][A-Za-z0-9_:<>~]*( [A-Za-z0-9_:<>*,()]+)?", fullmatch=True)


@st.composite
def file_coverages(
    draw: st.DrawFn,
    path: str,
    *,
    flags: bool,
    unique_names: bool,
    ids: st.SearchStrategy[int] = _ids,
) -> FileCoverage:
    b = FileCoverageBuilder(path)
    for line in draw(st.sets(_lines, max_size=10)):
        b.add_line(line, draw(_hits))
    for line, block, branch in draw(
        st.sets(st.tuples(_lines, _ids, ids.filter(lambda i: i >= 0)), max_size=8)
    ):
        b.add_branch(line, block, branch, draw(st.none() | _hits))
    names: set[str] = set()
    for name, start in draw(st.sets(st.tuples(_fn_name, _lines), max_size=4)):
        if unique_names and name in names:
            continue
        names.add(name)
        b.add_function(name, start, draw(_hits), draw(st.none() | _lines))
    fc = b.build()
    if not flags:
        return fc
    covered = list(fc.covered_lines())
    chosen: dict[str, list[int]] = {}
    for flag in draw(st.sets(st.sampled_from(["unit", "e2e", "integration"]), max_size=3)):
        subset = sorted(draw(st.sets(st.sampled_from(covered), max_size=5))) if covered else []
        if subset:
            chosen[flag] = subset
    from array import array

    return FileCoverage(
        fc.path,
        fc.lines,
        fc.hits,
        br_line=fc.br_line,
        br_block=fc.br_block,
        br_branch=fc.br_branch,
        br_taken=fc.br_taken,
        functions=fc.functions,
        flags={k: array("i", v) for k, v in chosen.items()},
    )


@st.composite
def coverage_sets(
    draw: st.DrawFn,
    *,
    paths: st.SearchStrategy[str],
    flags: bool,
    unique_names: bool,
    ids: st.SearchStrategy[int] = _ids,
) -> CoverageSet:
    cs = CoverageSet()
    for path in draw(st.sets(paths, max_size=4)):
        cs.add(draw(file_coverages(path, flags=flags, unique_names=unique_names, ids=ids)))
    return cs


@PROPERTY_SETTINGS
@given(coverage_sets(paths=_any_path, flags=True, unique_names=False))
def test_covgap_json_round_trip_is_exact(cs: CoverageSet) -> None:
    back, data = round_trip(cs, _writer("covgap"))
    assert back == cs
    assert back.totals() == cs.totals()
    assert round_trip(back, _writer("covgap"))[1] == data


@PROPERTY_SETTINGS
@given(coverage_sets(paths=_ascii_path, flags=False, unique_names=True, ids=_lcov_ids))
def test_lcov_round_trip(cs: CoverageSet) -> None:
    expected = lcov_projection(cs)
    assume(expected.files)  # an LCOV file without records is not an LCOV tracefile
    back, _ = round_trip(cs, _writer("lcov"))
    assert back == expected
    assert round_trip(back, _writer("lcov"))[1] == round_trip(expected, _writer("lcov"))[1]


@PROPERTY_SETTINGS
@given(coverage_sets(paths=_any_path, flags=True, unique_names=False))
def test_lcov_summary_is_what_reading_the_written_lcov_gives(cs: CoverageSet) -> None:
    """``covgap merge``/``convert`` state LCOV output's files and totals without reading
    the bytes back (:func:`conversion.lcov_summary`): any path, ids, flags and
    same-named functions, the reader must find exactly those."""
    spec = _writer("lcov")
    assume(any(len(fc.lines) for fc in cs.files.values()))
    try:
        back, data = round_trip(cs, spec)
    except CovgapError:  # a path LCOV cannot hold (a line break) is refused on writing
        assume(False)
        raise
    said = conversion.lcov_summary(cs)
    assert said == conversion.Written(len(back.files), back.totals())
    assert conversion.written(spec, cs, data, "x") == said


def test_branch_indexes_are_never_negative() -> None:
    """The model's contract, so that every writer can hold every branch (LCOV cannot
    hold a negative index; readers renumber, e.g. coverage.py's exit arcs)."""
    b = FileCoverageBuilder("shop.py")
    with pytest.raises(ValueError, match="branch index -1 is negative"):
        b.add_branch(9, 0, -1, 1)


@PROPERTY_SETTINGS
@given(coverage_sets(paths=_ascii_path, flags=False, unique_names=False))
def test_cobertura_round_trip(cs: CoverageSet) -> None:
    spec = _writer("cobertura")
    back, _ = round_trip(cs, spec)
    assert cobertura_view(back) == cobertura_view(cs)
    # After one trip the coverage is a fixed point (branch-only lines became lines).
    again, data = round_trip(back, spec)
    assert round_trip(again, spec)[1] == data


@PROPERTY_SETTINGS
@given(st.lists(coverage_sets(paths=_ascii_path, flags=True, unique_names=False), max_size=3))
def test_json_of_a_merge_is_the_merge_of_the_json(sets: list[CoverageSet]) -> None:
    """Merging before or after a round trip through covgap JSON gives the same coverage."""
    spec = _writer("covgap")
    merged_first = round_trip(CoverageSet.merge_all(sets), spec)[0]
    merged_after = CoverageSet.merge_all([round_trip(cs, spec)[0] for cs in sets])
    assert merged_first == merged_after


# -- real reports of every format ------------------------------------------------------


def _real_reports() -> list[Path]:
    """Every per-line report under tests/data covgap reads (edge cases excluded).

    Files that are detected but refused (gcovr's ``--json-summary``: totals only) and
    files of no known format (sources, native totals) are left out.
    """
    found = []
    for path in sorted(DATA.rglob("*")):
        if not path.is_file() or "edge" in path.relative_to(DATA).parts:
            continue
        try:
            read_report(path)
        except CovgapError:
            continue
        found.append(path)
    return found


REAL = _real_reports()


def test_real_reports_cover_the_new_formats() -> None:
    formats = {detect(p).name for p in REAL}
    assert formats >= {"jacoco", "gocover", "clover", "gcov-json", "gcovr-json"}
    assert formats >= {"coveragepy-data", "coveragepy-json", "lcov", "cobertura"}


@pytest.mark.parametrize("path", REAL, ids=lambda p: str(p.relative_to(DATA)))
def test_real_report_round_trips(path: Path) -> None:
    cs = read_report(path)
    flagged = cs.with_flag("unit")
    for spec in writable_formats():
        back, _ = round_trip(flagged, spec)
        if spec.name == "covgap":
            assert back == flagged, spec.name
        elif spec.name == "lcov":
            assert back == lcov_projection(cs), spec.name
        elif spec.name == "cobertura":
            assert cobertura_view(back) == cobertura_view(cs), spec.name
        else:  # a writer added later: it must at least keep the line coverage
            assert {p: fc.hits_by_line() for p, fc in back.files.items()} == {
                p: fc.hits_by_line() for p, fc in cs.files.items() if len(fc.lines)
            }, spec.name


def test_mixed_formats_merged_round_trip_through_json() -> None:
    """A merge of one report per format survives covgap JSON exactly, flags and all."""
    by_format: dict[str, Path] = {}
    for path in REAL:
        by_format.setdefault(detect(path).name, path)
    sets = [read_report(path, flag=name) for name, path in sorted(by_format.items())]
    merged = CoverageSet.merge_all(sets)
    assert len(merged.flags) >= 8
    back, _ = round_trip(merged, _writer("covgap"))
    assert back == merged
    assert back.totals() == merged.totals()


# -- damaged reports -------------------------------------------------------------------

FUZZED = {
    "covgap": DATA / "edge" / "covgap-v1-handwritten.json",
    "jacoco": DATA / "jacoco" / "jacoco.xml",
    "gocover": DATA / "go" / "count.out",
    "clover": DATA / "edge" / "clover-openclover.xml",
    "gcov-json": DATA / "gcov" / "stats.gcov.json",
    "gcovr-json": DATA / "gcovr" / "stats.gcovr.json",
}


@st.composite
def damaged(draw: st.DrawFn, raw: bytes) -> bytes:
    """A real report cut short, with bytes changed or inserted, or a number replaced."""
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "number"]))
    i = draw(st.integers(0, len(raw) - 1))
    if kind == "truncate":
        return raw[:i]
    if kind == "flip":
        return raw[:i] + bytes([draw(st.integers(0, 255))]) + raw[i + 1 :]
    if kind == "insert":
        return raw[:i] + draw(st.binary(min_size=1, max_size=8)) + raw[i:]
    digits = [j for j in range(len(raw)) if raw[j : j + 1].isdigit()]
    j = digits[i % len(digits)]
    number = draw(st.sampled_from([b"-1", b"99999999999999999999999", b"0", b"1.5", b"1e400"]))
    return raw[:j] + number + raw[j + 1 :]


@pytest.mark.parametrize("name", sorted(FUZZED))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_reports_fail_only_with_format_error(name: str, data: st.DataObject) -> None:
    """Whatever the damage, a reader returns a whole result or raises FormatError."""
    raw = FUZZED[name].read_bytes()
    bad = data.draw(damaged(raw))
    try:
        get_format(name).read(io.BytesIO(bad), "damaged")
    except FormatError as exc:
        assert str(exc).startswith("damaged")
        assert "\n" not in str(exc)
