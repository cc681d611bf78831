"""The history codec's columns: the C accelerator and the pure-Python reference agree.

Both paths must write the same bytes and read back exactly what was written, and a run
stored by an earlier covgap (the released codec, format 1) must still decode.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covgap import model
from covgap.history import codec
from covgap.history.codec import DetailError, RunDetail, decode, encode
from covgap.model import CoverageSet, FileCoverageBuilder

if model._speedups is None:  # pragma: no cover - depends on the build
    pytest.skip("covgap._speedups is not built", allow_module_level=True)
SPEEDUPS = model._speedups

RANGES = {"b": 2**7, "h": 2**15, "i": 2**31, "q": 2**63}


@pytest.fixture
def pure() -> Iterator[None]:
    """Run the codec's pure-Python reference (as ``COVGAP_PURE_PYTHON=1`` does)."""
    model._speedups = None
    try:
        yield
    finally:
        model._speedups = SPEEDUPS


def both(fn: object, *args: object, **kwargs: object) -> tuple[object, object]:
    """``fn``'s answer (or exception type) with the accelerator, then without it."""
    out: list[object] = []
    for accel in (SPEEDUPS, None):
        model._speedups = accel
        try:
            out.append(fn(*args, **kwargs))  # type: ignore[operator]
        except (OverflowError, ValueError) as exc:
            out.append(type(exc))
        finally:
            model._speedups = SPEEDUPS
    return out[0], out[1]


@st.composite
def columns(draw: st.DrawFn) -> array[int]:
    code = draw(st.sampled_from(sorted(RANGES)))
    bound = RANGES[code]
    small = st.integers(max(-3, -bound), min(300, bound - 1))
    values = draw(st.lists(st.one_of(small, st.integers(-bound, bound - 1)), max_size=40))
    return array(code, values)


@given(columns(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_pack_is_the_same_bytes_in_c_and_python(values: array[int], delta: bool) -> None:
    c, py = both(codec._pack, values, delta=delta)
    assert c == py  # same bytes, or the same OverflowError (a delta past the type)
    if isinstance(c, list):
        for accel in (SPEEDUPS, None):
            model._speedups = accel
            try:
                assert codec._unpack(c, delta=delta) == values
            finally:
                model._speedups = SPEEDUPS


@given(st.sampled_from(["b", "h", "i", "q", "x", "ii"]), st.binary(max_size=40), st.booleans())
@settings(max_examples=300, deadline=None)
def test_unpack_of_any_bytes_agrees(code: str, data: bytes, delta: bool) -> None:
    """Damaged columns fail the same way on both paths (and never crash)."""
    c, py = both(codec._unpack, [code, data], delta=delta)
    assert c == py


def test_sorted_lines_delta_encode_to_small_values() -> None:
    code, data = codec._pack(array("i", [1, 2, 3, 10]), delta=True)
    assert code == "i"
    assert data[:4] == bytes([1, 1, 1, 7]) and data[4:] == bytes(12)


def test_wrong_column_types_are_refused() -> None:
    with pytest.raises(TypeError):
        SPEEDUPS.shuffle_column(array("d", [1.0]), False)
    with pytest.raises(ValueError, match="unknown column type"):
        codec._unpack(["d", b""])
    with pytest.raises(ValueError, match="multiple of its width"):
        codec._unpack(["i", b"abc"])


def sample() -> RunDetail:
    b = FileCoverageBuilder("src/a.c")
    for line, hits in [(1, 3), (2, 0), (7, 2**40), (300, 1)]:
        b.add_line(line, hits)
    b.add_branch(2, 0, 0, 1)
    b.add_branch(2, 0, 1, None)
    b.add_branch(300, 1, 0, 0)
    b.add_function("main", 1, 3, 9)
    b.add_function("g", 300, 0, None)
    fc = b.build()
    unit = CoverageSet({"src/a.c": fc}).with_flag("unit")
    b2 = FileCoverageBuilder("lib/b.py")
    b2.add_line(5, 0)
    b2.add_line(6, 1)
    every = CoverageSet({"lib/b.py": b2.build(), "src/a.c": fc})
    return RunDetail(
        {"unit": unit, "": every},
        {"src/a.c": "12" * 20, "lib/b.py": "ab" * 20},
        {"src/a.c": "core"},
    )


RELEASED_V1 = bytes.fromhex(
    "0183a673756974657382a08da57061746873c41a785e9bb4222733493f49afa072797151b27ea25e320048ed"
    "072aa6636f756e747392a171c411785e63626060616662201a0000021e000ca46869747392a171c412785e63"
    "606466606064c00350250101220007a862725f626c6f636b92a169c40d785e6360606480010000160002a962"
    "725f6272616e636892a169c40c785e63606480030000170002a862725f74616b656e92a171c40e785e63fccf"
    "c0800d010063cc07faa8666e5f6e616d6573c410785e9bb4243731336f613a00121e03e4a8666e5f73746172"
    "7492a171c40e785e63d461606440020002c1002fa6666e5f656e6492a171c40c785ee3fccf80020140600802"
    "a7666e5f6869747392a171c40b785e636640050000400004a5666c616773c40b785e9bd4d0000003390193a5"
    "6c696e657392a169c418785e6365fccdc8aacac0f09f8181114c324048003760042ba762725f6c696e6592a1"
    "69c410785e6362d06260606400030001cf002ea4756e69748da57061746873c411785e9bb8bcb828593f512f"
    "190014b803a2a6636f756e747392a171c40d785e63616662c0060000e9000aa46869747392a171c410785e63"
    "66606064c00008210000a70006a862725f626c6f636b92a169c40d785e6360606480010000160002a962725f"
    "6272616e636892a169c40c785e63606480030000170002a862725f74616b656e92a171c40e785e63fccfc080"
    "0d010063cc07faa8666e5f6e616d6573c410785e9bb4243731336f613a00121e03e4a8666e5f737461727492"
    "a171c40e785e63d461606440020002c1002fa6666e5f656e6492a171c40c785ee3fccf80020140600802a766"
    "6e5f6869747392a171c40b785e636640050000400004a5666c616773c410785e9bd8b8a4342fb3e4000012d3"
    "0437a56c696e657392a169c412785e636464556560606064800200025f002ea762725f6c696e6592a169c410"
    "785e6362d06260606400030001cf002ea5626c6f6273c424785e6b5a5e5c94ac9fa8977c4444080b58919399"
    "a49fa457507944643516000037e3178eaa636f6d706f6e656e7473c416785e6b5c5e5c94ac9fa897bc2439bf"
    "2815002d5805df"
)
"""``sample()`` as covgap 0.1's codec (format 1, pure-Python deltas, zlib level 5) wrote it."""


@pytest.mark.parametrize("accelerated", [True, False])
def test_runs_stored_by_the_released_codec_still_decode(accelerated: bool) -> None:
    model._speedups = SPEEDUPS if accelerated else None
    try:
        back = decode(RELEASED_V1)
    finally:
        model._speedups = SPEEDUPS
    want = sample()
    assert back.suites == want.suites
    assert back.blobs == want.blobs and back.components == want.components
    for name, cs in want.suites.items():
        for path, fc in cs.files.items():
            assert back.suites[name].files[path].functions == fc.functions
            assert back.suites[name].files[path].flags == fc.flags


def test_c_and_python_encodings_decode_on_either_path(pure: None) -> None:
    by_python = encode(sample())
    model._speedups = SPEEDUPS
    by_c = encode(sample())
    assert decode(by_python).suites == decode(by_c).suites == sample().suites
    model._speedups = None
    assert decode(by_c).suites == sample().suites


def test_line_columns_read_only_lines_and_hits() -> None:
    cols = codec.decode_lines(encode(sample()))
    assert cols.blobs == sample().blobs
    got = {
        (suite, path): (list(lines), list(hits))
        for suite, files in cols.suites.items()
        for path, lines, hits in files
    }
    want = {
        (suite, path): (list(fc.lines), list(fc.hits))
        for suite, cs in sample().suites.items()
        for path, fc in cs.files.items()
    }
    assert got == want
    with pytest.raises(DetailError):
        codec.decode_lines(b"\x01junk")


@st.composite
def file_coverages(draw: st.DrawFn, path: str) -> model.FileCoverage:
    """A file with any lines, branches (negative blocks included) and functions."""
    b = FileCoverageBuilder(path)
    hits = st.integers(0, 2**63 - 1)
    for line in draw(st.lists(st.integers(0, 2**31 - 1), max_size=12)):
        b.add_line(line, draw(hits))
    branches = st.tuples(
        st.integers(0, 2**31 - 1), st.integers(-(2**31), 2**31 - 1), st.integers(0, 2**31 - 1)
    )
    for line, block, branch in draw(st.lists(branches, max_size=6)):
        b.add_branch(line, block, branch, draw(st.one_of(st.none(), hits)))
    for name in draw(st.lists(st.text(max_size=5), max_size=4)):
        start = draw(st.integers(0, 2**31 - 1))
        b.add_function(name, start, draw(hits), draw(st.one_of(st.none(), st.integers(0, 9))))
    return b.build()


@st.composite
def suites(draw: st.DrawFn) -> list[model.FileCoverage]:
    n = draw(st.integers(0, 6))
    return [draw(file_coverages(f"f{i}.c")) for i in range(n)]


@given(suites())
@settings(max_examples=200, deadline=None)
def test_gather_suite_is_the_reference_in_one_call(files: list[model.FileCoverage]) -> None:
    """``_speedups.gather_suite`` writes exactly the bytes of the pure-Python gathering."""
    model._speedups = None
    try:
        reference = codec._gather(files)
    finally:
        model._speedups = SPEEDUPS
    fast = codec._gather_fast(files)
    assert fast is not None
    assert fast == reference
    # and a whole suite encoded either way decodes to the same coverage
    cs = CoverageSet({fc.path: fc for fc in files})
    assert decode(encode(RunDetail({"s": cs}))).suites == {"s": cs}


def test_gather_suite_hands_unusual_columns_to_the_reference() -> None:
    fc = model.FileCoverage("a.c", array("i", [1, 2]), array("q", [1, 0]))
    assert SPEEDUPS.gather_suite([fc]) is not None
    odd = model.FileCoverage("b.c", array("l", [1]), array("q", [1]))  # not the model's 'i'
    assert SPEEDUPS.gather_suite([fc, odd]) is None
    untyped = model.FileCoverage("c.c", array("i", [1]), array("q", [1]))
    untyped.functions = (model.Function("f", 1, None, 1), ("g", "x", None, 1))  # type: ignore[assignment]
    assert SPEEDUPS.gather_suite([untyped]) is None
    listed = model.FileCoverage("d.c", array("i", [1]), array("q", [1]))
    listed.functions = [model.Function("f", 1, None, 1)]  # type: ignore[assignment]
    assert SPEEDUPS.gather_suite([listed]) is None
    with pytest.raises(AttributeError):
        SPEEDUPS.gather_suite([object()])
    with pytest.raises(TypeError):
        SPEEDUPS.gather_suite(3)


def test_gather_suite_overflows_as_the_reference_does() -> None:
    """A line-number delta past int32 (a negative line after a large one) is refused alike."""
    big = model.FileCoverage("a.c", array("i", [2**31 - 1]), array("q", [1]))
    low = model.FileCoverage("b.c", array("i", [-(2**31)]), array("q", [1]))
    with pytest.raises(OverflowError):
        SPEEDUPS.gather_suite([big, low])
    model._speedups = None
    try:
        with pytest.raises(OverflowError):
            codec._gather([big, low])
    finally:
        model._speedups = SPEEDUPS
    huge = model.FileCoverage("c.c", functions=[model.Function("f", 2**63, None, 0)])
    with pytest.raises(OverflowError):
        SPEEDUPS.gather_suite([huge])


def test_an_encoding_started_early_is_encode() -> None:
    """``covgap record`` starts compressing before it knows the blob ids: same bytes."""
    detail = sample()
    early = codec.Encoding(detail.suites)
    assert early.finish(detail.blobs, detail.components) == encode(detail)
    early.close()  # closing again (as record's `finally` does) is harmless


def test_an_encoding_that_cannot_start_stops_its_threads() -> None:
    big = model.FileCoverage("a.c", array("i", [2**31 - 1]), array("q", [1]))
    low = model.FileCoverage("b.c", array("i", [-(2**31)]), array("q", [1]))
    with pytest.raises(OverflowError):
        codec.Encoding({"": CoverageSet({"a.c": big, "b.c": low})})
