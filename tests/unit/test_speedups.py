"""The C accelerator gives exactly the pure-Python reference's answers, errors included.

Compared on real tracefiles, on the benchmark generator's corpus, on hypothesis-made
LCOV and on randomly damaged LCOV (both must fail on the same line with the same
message, or both succeed with the same result).
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import covgap
from covgap import model
from covgap.errors import FormatError, OutputError
from covgap.formats import lcov
from covgap.model import CoverageSet, Function
from covgap.types import MAX_COUNT

try:
    from covgap import _speedups
except ImportError:  # pragma: no cover - depends on the build
    if os.environ.get("COVGAP_REQUIRE_TOOLS"):
        raise
    pytest.skip("covgap._speedups is not built", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
REAL = [
    DATA / "gcc-lcov" / "calc.info",
    DATA / "gcc-lcov" / "multi.info",
    DATA / "lcov" / "rust" / "rust.info",
]


def python_merge(
    la: array[int], ha: array[int], lb: array[int], hb: array[int]
) -> tuple[array[int], array[int]]:
    merged = dict(zip(la, ha, strict=True))
    for line, hits in zip(lb, hb, strict=True):
        merged[line] = min(MAX_COUNT, merged.get(line, 0) + hits)
    keys = sorted(merged)
    return array("i", keys), array("q", [merged[k] for k in keys])


def read_both(data: bytes) -> tuple[object, object]:
    """Read with C and with Python; each result is a CoverageSet (+notes) or the error."""
    results: list[object] = []
    for pure in (False, True):
        saved = model._speedups
        if pure:
            os.environ["COVGAP_PURE_PYTHON"] = "1"
            model._speedups = None
        try:
            cs = lcov.read(io.BytesIO(data), "x.info")
            results.append((cs, cs.notes, cs.totals()))
        except FormatError as exc:
            results.append(("error", exc.line, str(exc)))
        finally:
            os.environ.pop("COVGAP_PURE_PYTHON", None)
            model._speedups = saved
    return results[0], results[1]


def test_editable_install_puts_the_extension_in_the_package() -> None:
    assert Path(_speedups.__file__).parent == Path(covgap.__file__).parent
    assert model._speedups is _speedups or os.environ.get("COVGAP_PURE_PYTHON") == "1"


sorted_columns = st.dictionaries(
    st.integers(1, 2**31 - 1), st.one_of(st.integers(0, 9), st.integers(0, MAX_COUNT))
).map(lambda d: (array("i", sorted(d)), array("q", [d[k] for k in sorted(d)])))


@settings(max_examples=200, deadline=None)
@given(sorted_columns, sorted_columns)
def test_merge_counts_equals_the_python_merge(
    a: tuple[array[int], array[int]], b: tuple[array[int], array[int]]
) -> None:
    assert _speedups.merge_counts(*a, *b) == python_merge(*a, *b)


def test_merge_counts_saturates() -> None:
    lines, hits = _speedups.merge_counts(
        array("i", [1, 2]), array("q", [MAX_COUNT, 1]), array("i", [1]), array("q", [MAX_COUNT])
    )
    assert list(lines) == [1, 2] and list(hits) == [MAX_COUNT, 1]


def test_merge_counts_rejects_wrong_columns() -> None:
    with pytest.raises(TypeError, match="array\\('q'\\)"):
        _speedups.merge_counts(array("i", [1]), array("i", [1]), array("i"), array("q"))
    with pytest.raises(ValueError, match="differ in length"):
        _speedups.merge_counts(array("i", [1, 2]), array("q", [1]), array("i"), array("q"))
    with pytest.raises(TypeError):
        _speedups.merge_counts([1], [1], [1], [1])


@settings(max_examples=200, deadline=None)
@given(sorted_columns)
def test_uncovered_ranges_and_counts_equal_python(cols: tuple[array[int], array[int]]) -> None:
    lines, hits = cols
    with_c = model.uncovered_ranges(lines, hits)
    saved = model._speedups
    model._speedups = None
    try:
        with_python = model.uncovered_ranges(lines, hits)
    finally:
        model._speedups = saved
    assert with_c == with_python
    assert _speedups.count_positive(hits) == len(hits) - hits.count(0)


def test_uncovered_ranges_span_non_executable_lines() -> None:
    lines = array("i", [1, 3, 4, 7, 9, 10])
    hits = array("q", [0, 0, 0, 0, 5, 0])
    assert _speedups.uncovered_ranges(lines, hits) == [(1, 7), (10, 10)]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_tracefiles_read_the_same(path: Path) -> None:
    with_c, with_python = read_both(path.read_bytes())
    assert with_c == with_python
    assert with_c[0] != "error"


def _load_bench_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_benchmark_corpus_reads_the_same() -> None:
    gen = _load_bench_generator()
    data = "".join(gen.lcov_record(fd) for fd in gen.generate(40)).encode()
    with_c, with_python = read_both(data)
    assert with_c == with_python
    cs = with_c[0]
    assert isinstance(cs, CoverageSet) and len(cs) == 40


# -- hypothesis-made LCOV, valid and damaged -------------------------------------------

name = st.text(alphabet="abcdefgh_:<>", min_size=1, max_size=6).filter(lambda s: s[0] != ":")
number = st.one_of(st.integers(0, 20), st.integers(0, MAX_COUNT))


@st.composite
def record(draw: st.DrawFn) -> str:
    out = [f"SF:{draw(st.sampled_from(['a.c', 'b.rs', 'dir/c.py']))}"]
    names = draw(st.lists(name, max_size=4, unique=True))
    for n in names:
        start = draw(st.integers(1, 50))
        end = draw(st.one_of(st.none(), st.integers(start, 60)))
        out.append(f"FN:{start},{n}" if end is None else f"FN:{start},{end},{n}")
    for n in draw(st.lists(st.sampled_from(names), max_size=5)) if names else []:
        out.append(f"FNDA:{draw(number)},{n}")
    for _ in range(draw(st.integers(0, 6))):
        t = draw(st.one_of(st.just("-"), number.map(str)))
        block = draw(st.sampled_from(["0", "1", "e0", "e3", "f1", "U0", "eU2", "fU1"]))
        branch = draw(st.one_of(st.integers(0, 2).map(str), st.sampled_from(["a>b", "x, y"])))
        out.append(f"BRDA:{draw(st.integers(1, 30))},{block},{branch},{t}")
    aliases = draw(st.lists(name, max_size=3, unique=True))
    for i, alias in enumerate(aliases):
        out.append(f"FNL:{i % 2},{draw(st.integers(1, 50))}")
        out.append(f"FNA:{i % 2},{draw(number)},{alias}")
    if draw(st.booleans()):
        out.append("# a comment line, as in lcov's own test tracefiles")
    if draw(st.booleans()):
        out.append("MCDC:3,2,t,1,0,a && b")
        out.append("MCF:2\nMCH:1")
    for _ in range(draw(st.integers(1, 12))):
        checksum = draw(st.sampled_from(["", ",abc=="]))
        out.append(f"DA:{draw(st.integers(1, 40))},{draw(number)}{checksum}")
    for tag in draw(st.lists(st.sampled_from(["LF", "LH", "BRF", "BRH", "FNF", "FNH"]))):
        out.append(f"{tag}:{draw(st.integers(0, 5))}")
    out.append("end_of_record")
    return "\n".join(out) + "\n"


tracefiles = st.lists(record(), min_size=1, max_size=4).map(lambda r: "TN:t\n" + "".join(r))


@settings(max_examples=80, deadline=None)
@given(tracefiles)
def test_generated_tracefiles_read_the_same(text: str) -> None:
    with_c, with_python = read_both(text.encode())
    assert with_c == with_python


DAMAGE = [
    b"",
    b"-",
    b",",
    b"x",
    b"\n",
    b":",
    b"\x00",
    b"99999999999999999999",
    b"e",
    b"\r",
    b"#",
    b"U",
    b"f",
    b"\xef\xbb\xbf",
]


@settings(max_examples=150, deadline=None)
@given(tracefiles, st.data())
def test_damaged_tracefiles_fail_alike(text: str, data: st.DataObject) -> None:
    raw = bytearray(text.encode())
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw)))
        width = data.draw(st.integers(0, 3))
        raw[at : at + width] = data.draw(st.sampled_from(DAMAGE))
    with_c, with_python = read_both(bytes(raw))
    assert with_c == with_python


def test_parse_lcov_reports_unfinished_records_and_fallback() -> None:
    data = b"TN:\nSF:a\nDA:1,1\nend_of_record\nSF:b\nDA:2,1\n"
    records, consumed, nlines, fallback = _speedups.parse_lcov(data, 1, False, Function)
    assert [r[0] for r in records] == ["a"]
    assert (consumed, nlines, fallback) == (data.index(b"SF:b"), 4, False)
    data = b"SF:a\nDA:1,1\nend_of_record\nSF:b\nBRDA:1,0,a && b,1\n"
    records, consumed, nlines, fallback = _speedups.parse_lcov(data, 10, True, Function)
    assert (len(records), consumed, nlines, fallback) == (1, data.index(b"SF:b"), 3, True)
    with pytest.raises(_speedups.ParseError) as info:
        _speedups.parse_lcov(b"SF:a\nDA:1,1\n", 7, True, Function)
    assert info.value.args == (8, "end of file inside the record of a (no end_of_record)")


def test_writer_bytes_are_the_same_on_both_paths() -> None:
    cs = lcov.read(io.BytesIO((DATA / "gcc-lcov" / "multi.info").read_bytes()), "m.info")
    b = model.FileCoverageBuilder("neg.c")
    b.add_line(2**31 - 1, MAX_COUNT)
    b.add_branch(5, -(2**31), 0, None)
    b.add_branch(5, 2**31 - 1, 2**31 - 1, MAX_COUNT)
    b.add_function("f", 1, 3, 9)
    b.add_function("f", 5, MAX_COUNT)
    b.add_function("g\u00fc\udcff", 2, 0)
    cs.add(b.build())
    outputs = []
    for pure in (False, True):
        os.environ.pop("COVGAP_PURE_PYTHON", None)
        if pure:
            os.environ["COVGAP_PURE_PYTHON"] = "1"
        try:
            out = io.BytesIO()
            lcov.write(cs, out)
            outputs.append(out.getvalue())
        finally:
            os.environ.pop("COVGAP_PURE_PYTHON", None)
    assert outputs[0] == outputs[1]
    assert b"BRDA:5,e2147483647,0,-\n" in outputs[0]
    assert b"FN:1,9,f\nFN:2,g\xc3\xbc\xff\n" in outputs[0]
    assert b"FNDA:%d,f\n" % MAX_COUNT in outputs[0]


def test_line_breaks_in_function_names_are_refused_on_both_paths() -> None:
    b = model.FileCoverageBuilder("a.c")
    b.add_line(1, 1)
    b.add_function("bad\nname", 1, 1)
    assert _speedups.format_lcov_functions(b.build().functions) is None
    with pytest.raises(OutputError, match="line break"):
        lcov.write(CoverageSet({"a.c": b.build()}), io.BytesIO())


def test_unsorted_branch_columns_take_the_python_merge() -> None:
    cols = (array("i", [3, 1]), array("i", [0, 0]), array("i", [0, 0]), array("q", [1, 2]))
    empty = (array("i"), array("i"), array("i"), array("q"))
    assert _speedups.merge_branches(*cols, *empty) is None
    a = model.FileCoverage(
        "a",
        array("i", [1]),
        array("q", [1]),
        br_line=cols[0],
        br_block=cols[1],
        br_branch=cols[2],
        br_taken=cols[3],
    )
    merged = a.merge(model.FileCoverage("a", array("i", [1]), array("q", [1])))
    assert list(merged.branches()) == [model.Branch(1, 0, 0, 2), model.Branch(3, 0, 0, 1)]


def test_merge_functions_keeps_first_end_line_and_sums() -> None:
    a = (Function("f", 1, None, 2), Function("g", 4, 9, MAX_COUNT))
    b = (Function("a", 1, 3, 0), Function("f", 1, 7, 5), Function("g", 4, None, 1))
    assert _speedups.merge_functions(a, b, Function) == [
        Function("a", 1, 3, 0),
        Function("f", 1, 7, 7),
        Function("g", 4, 9, MAX_COUNT),
    ]
    with pytest.raises(TypeError):
        _speedups.merge_functions([("x",)], [], Function)


def test_functions_sorted_and_parser_order() -> None:
    ordered = (Function("b", 1, None, 0), Function("a", 2, None, 0), Function("c", 2, 3, 1))
    assert _speedups.functions_sorted(ordered) is True
    assert _speedups.functions_sorted(ordered[::-1]) is False
    assert _speedups.functions_sorted(()) is True
    assert _speedups.functions_sorted((("x", "not a line", None, 0), ("y", 1, None, 0))) is False
    data = b"SF:a\nFN:9,z\nFN:2,y\nFN:2,x\nDA:1,1\nend_of_record\n"
    records = _speedups.parse_lcov(data, 1, True, Function)[0]
    assert [f.name for f in records[0][8]] == ["x", "y", "z"]
