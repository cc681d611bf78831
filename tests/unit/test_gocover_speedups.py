"""Issue 14: the C reader of Go coverprofiles equals the pure-Python readers.

``_speedups.parse_gocover`` decides the common profile alone and declines anything
unusual (returns None: :class:`gocover._FastMiss`), which the exact parser then names.
So the property to hold is: whenever the C reader answers, its answer is the exact
parser's, file order and statement note included; and it answers exactly when the
pure-Python fast path does, so neither path silently gets slower or different.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covgap.errors import FormatError
from covgap.formats import gocover
from covgap.model import CoverageSet
from covgap.types import MAX_COUNT

pytestmark = pytest.mark.skipif(gocover._speedups is None, reason="covgap._speedups not built")


def _outcome(read: object, data: bytes) -> CoverageSet | None:
    try:
        return read(data, "p.out")  # type: ignore[operator,no-any-return]
    except gocover._FastMiss:
        return None


def _exact(data: bytes) -> CoverageSet | str:
    try:
        return gocover._read_exact(io.BytesIO(data), "p.out")
    except FormatError as exc:
        return str(exc)


def _assert_same(data: bytes) -> CoverageSet | None:
    """The C reader answers as the exact parser does, or declines; returns its answer."""
    got = _outcome(gocover._read_c, data)
    exact = _exact(data)
    if got is not None:
        assert isinstance(exact, CoverageSet), exact
        assert got == exact and got.notes == exact.notes
        assert list(got.files) == list(exact.files)
    # and what the user sees is the exact parser's result or its one-line error
    try:
        seen: CoverageSet | str = gocover.read(io.BytesIO(data), "p.out")
    except FormatError as exc:
        seen = str(exc)
        assert "\n" not in seen and seen.startswith("p.out:")
    assert seen == exact
    return got


_NAMES = ("a.go", "b/c.go", "C:/w/d.go", "ü.go")


@st.composite
def profiles(draw: st.DrawFn) -> bytes:
    """Well-formed profiles: repeated blocks, shared lines, several files and modes."""
    mode = draw(st.sampled_from(gocover.MODES))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    out = [f"mode: {mode}"]
    stmts: dict[tuple[str, int, int, int, int], int] = {}
    for _ in range(draw(st.integers(0, 25))):
        if stmts and draw(st.integers(0, 2)) == 0:  # a block again (profiles concatenated)
            key = draw(st.sampled_from(sorted(stmts)))
        else:
            sl = draw(st.integers(1, 40))
            el = sl + draw(st.integers(0, 4))
            sc = draw(st.integers(0, 30))
            ec = draw(st.integers(sc if el == sl else 0, 40))
            key = (draw(st.sampled_from(_NAMES)), sl, sc, el, ec)
        name, sl, sc, el, ec = key
        n = stmts.setdefault(key, draw(st.integers(0, 3)))
        hi = 1 if mode == "set" else draw(st.sampled_from([5, MAX_COUNT]))
        count = draw(st.integers(0, hi))
        out.append(f"{name}:{sl}.{sc},{el}.{ec} {n} {count}")
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(["", "  ", f"mode: {mode}"])))
    return (eol.join(out) + draw(st.sampled_from(["", eol]))).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_c_reader_equals_python_readers(data: bytes) -> None:
    got = _assert_same(data)
    fast = _outcome(gocover._read_fast, data)
    assert got is not None and fast is not None  # well-formed: neither declines
    assert got == fast and got.notes == fast.notes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), st.data())
def test_damaged_profiles_never_differ_from_the_exact_parser(
    data: bytes, draw: st.DataObject
) -> None:
    """Truncated or overwritten bytes: same lines or the exact one-line error, no crash."""
    cut = draw.draw(st.integers(0, len(data)))
    damaged = bytearray(data[:cut])
    for _ in range(draw.draw(st.integers(0, 3))):
        if damaged:
            at = draw.draw(st.integers(0, len(damaged) - 1))
            damaged[at] = draw.draw(st.sampled_from(b"\x00\xff:., \t\r\n-9m"))
    _assert_same(bytes(damaged))


_HOSTILE = {
    "statements past 2**63": b"mode: set\na.go:1.1,2.5 99999999999999999999 1\n",
    "count past 2**63": b"mode: count\na.go:1.1,2.5 1 9223372036854775808\n",
    "line 0": b"mode: set\na.go:0.1,2.5 1 1\n",
    "line past 2**31": b"mode: set\na.go:1.1,2147483648.5 1 1\n",
    "column past 2**63": b"mode: set\na.go:1.99999999999999999999,2.5 1 1\n",
    "negative": b"mode: set\na.go:1.1,2.5 -1 1\n",
    "span of a billion lines": b"mode: set\na.go:1.1,1000000000.5 1 1\n",
    "many spans": b"mode: set\n"
    + b"".join(b"a.go:%d.1,%d.1 1 1\n" % (i, i + 4_000_000) for i in range(1, 4)),
    "statements sum past 2**63": (
        b"mode: set\na.go:1.1,1.5 9223372036854775807 1\na.go:2.1,2.5 9 1\n"
    ),
    "truncated record": b"mode: set\na.go:1.1,2.5 1",
    "truncated span": b"mode: set\na.go:1.1,2",
    "NUL in the name": b"mode: set\na\x00.go:1.1,2.5 1 1\n",
    "not UTF-8": b"mode: set\na\xff.go:1.1,2.5 1 1\n",
    "empty name": b"mode: set\n:1.1,2.5 1 1\n",
    "empty": b"",
    "only a mode": b"mode: atomic",
    "unknown mode": b"mode: sometimes\na.go:1.1,2.5 1 1\n",
}


@pytest.mark.parametrize("data", list(_HOSTILE.values()), ids=list(_HOSTILE))
def test_hostile_input_is_declined_or_exact(data: bytes) -> None:
    _assert_same(data)


def test_counts_saturate_like_the_exact_parser() -> None:
    data = b"mode: count\na.go:1.1,2.5 1 9223372036854775807\na.go:1.1,2.5 1 5\n"
    got = _assert_same(data)
    assert got is not None and list(got.files["a.go"].hits) == [MAX_COUNT, MAX_COUNT]


def test_declines_what_it_does_not_decide() -> None:
    """Each of these reaches the exact parser, which names file and line."""
    for data, where in (
        (b"mode: count\na.go:1.1,2.5 2 3\na.go:1.1,2.5 1 3\n", "p.out:3:"),
        (b"mode: set\na.go:1.1,2.5 1 1\nmode: count\n", "p.out:3:"),
        (b"mode: set\na.go:4.1,3.4 1 1\n", "p.out:2:"),
        (b"a.go:4.1,5.4 1 1\n", "p.out:1:"),
        (b"mode: set\na.go:1.1,2.5 1 1\ngarbage\n", "p.out:3:"),
    ):
        assert _outcome(gocover._read_c, data) is None
        with pytest.raises(FormatError) as exc:
            gocover.read(io.BytesIO(data), "p.out")
        assert str(exc.value).startswith(where), str(exc.value)


def test_pure_python_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COVGAP_PURE_PYTHON", "1")
    assert not gocover.use_speedups()
    monkeypatch.delenv("COVGAP_PURE_PYTHON")
    assert gocover.use_speedups()


def test_read_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """The C path reads the stream in pieces; a record split between two is whole."""
    data = b"mode: count\n" + b"".join(b"a.go:%d.1,%d.9 1 %d\n" % (i, i, i) for i in range(1, 50))
    whole = gocover.read(io.BytesIO(data), "p.out")
    monkeypatch.setattr(gocover, "_READ_PIECE", 7)
    assert gocover._read_all(io.BytesIO(data)) == data
    assert gocover.read(io.BytesIO(data), "p.out") == whole
    assert list(whole.files["a.go"].hits) == list(range(1, 50))
