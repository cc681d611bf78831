"""Go coverprofiles: statements equal `go tool cover -func`, lines follow the block rule."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool
from covgap.errors import FormatError
from covgap.formats import detect, gocover, read_report
from covgap.model import CoverageSet
from covgap.types import MAX_LINE

DATA = Path(__file__).resolve().parents[1] / "data"
GO = DATA / "go"
EDGE = DATA / "edge"
PROFILES = ("set", "count", "atomic", "add", "discount", "merged")

_FUNC_RE = re.compile(r"^(?P<file>.+):(?P<line>\d+):\s+(?P<name>\S+)\s+(?P<pct>[\d.]+)%$")
_TOTAL_RE = re.compile(r"^total:\s+\(statements\)\s+(?P<pct>[\d.]+)%$")


def _native(name: str, folder: Path = GO) -> tuple[list[tuple[str, int, str, str]], str]:
    """`go tool cover -func` as make.sh recorded it: functions and the total percent."""
    funcs = []
    total = ""
    for row in (folder / f"native-{name}.txt").read_text().splitlines():
        if m := _FUNC_RE.match(row):
            funcs.append((m["file"], int(m["line"]), m["name"], m["pct"]))
        elif m := _TOTAL_RE.match(row):
            total = m["pct"]
        else:
            raise AssertionError(f"unexpected line in native-{name}.txt: {row!r}")
    return funcs, total


def _pct(covered: int, total: int) -> str:
    """Format as go tool cover does (%.1f, 0.0 for no statements)."""
    return f"{100.0 * covered / total:.1f}" if total else "0.0"


def _profile(name: str, folder: Path = GO) -> gocover.Profile:
    with (folder / f"{name}.out").open("rb") as fh:
        return gocover.read_profile(fh, name)


@pytest.mark.parametrize("name", PROFILES)
def test_statement_totals_equal_go_tool_cover(name: str) -> None:
    _, total = _native(name)
    assert _pct(*_profile(name).statements()) == total


@pytest.mark.parametrize("name", PROFILES)
def test_per_function_percentages_equal_go_tool_cover(name: str) -> None:
    _assert_functions_equal_go(name, GO)


def _assert_functions_equal_go(name: str, folder: Path) -> None:
    """A function owns the blocks that start between its line and the next function's."""
    funcs, _ = _native(name, folder)
    profile = _profile(name, folder)
    assert funcs
    for i, (path, line, fname, pct) in enumerate(funcs):
        nxt = funcs[i + 1] if i + 1 < len(funcs) else None
        last = nxt[1] - 1 if nxt is not None and nxt[0] == path else MAX_LINE
        assert _pct(*profile.statements_between(path, line, last)) == pct, fname


def test_lines_follow_the_block_rule() -> None:
    cs = read_report(GO / "count.out")
    cart = cs.files["example.com/shop/cart.go"].hits_by_line()
    # 12.37,13.15 (4) and 13.15,15.3 (1): line 13 takes the larger count.
    assert (cart[12], cart[13], cart[14], cart[15]) == (4, 4, 1, 1)
    # `} else if member || sale {`: 32.20,34.3 (1), 34.8,34.27 (1), 34.27,36.3 (0).
    assert (cart[34], cart[35], cart[36]) == (1, 0, 0)
    assert cart[42] == 0  # Clear's body
    util = cs.files["example.com/shop/util.go"].hits_by_line()
    assert 27 not in util  # `func empty() {}`: a block without statements
    assert 17 not in util and 16 not in util  # between functions
    assert cs.totals().branches_total == 0
    assert cs.totals().functions_total == 0
    assert len(cs.notes) == 1
    assert "go: 22 of 27 statements covered" in cs.notes[0]


def test_modes_agree_on_what_is_covered() -> None:
    sets = {name: read_report(GO / f"{name}.out") for name in ("set", "count", "atomic")}
    covered = {
        n: {p: list(fc.covered_lines()) for p, fc in cs.files.items()} for n, cs in sets.items()
    }
    assert covered["set"] == covered["count"] == covered["atomic"]
    assert set(sets["set"].files["example.com/shop/cart.go"].hits) == {0, 1}


def test_two_profiles_of_one_package_merge_like_go() -> None:
    merged_by_go = read_report(GO / "merged.out")
    add, discount = read_report(GO / "add.out"), read_report(GO / "discount.out")
    merged = CoverageSet.merge_all([add, discount])
    for path, fc in merged_by_go.files.items():
        assert list(merged.files[path].covered_lines()) == list(fc.covered_lines())
        assert list(merged.files[path].lines) == list(fc.lines)
    # Concatenated with both mode lines kept: the reader merges blocks itself.
    both = (GO / "add.out").read_bytes() + (GO / "discount.out").read_bytes()
    profile = gocover.read_profile(io.BytesIO(both), "cat.out")
    assert profile.files == _profile("merged").files
    assert gocover.to_coverage(profile) == merged_by_go


def test_sniff() -> None:
    for name in PROFILES:
        assert detect(GO / f"{name}.out").name == "gocover"
    assert not gocover.sniff(b"TN:\nSF:a.go\n", "lcov.info")


def test_windows_paths_and_crlf() -> None:
    cs = read_report(EDGE / "go-windows-crlf.out")
    fc = cs.files["C:/work/x/a.go"]
    assert fc.hits_by_line() == {3: 7, 4: 7, 5: 7}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("go-mixed-modes.out", ":3: mode 'count' differs from the profile's mode 'set'"),
        ("go-numstmt-conflict.out", ":3: example.com/x/a.go:3.10,5.2 has 3 statements"),
        ("go-bad-record.out", ":3: expected `file:line.col,line.col numStmt count`"),
        ("go-backwards.out", ":2: block ends (5.2) before it starts"),
    ],
)
def test_bad_input_is_one_line_error(name: str, expected: str) -> None:
    with pytest.raises(FormatError) as info:
        read_report(EDGE / name)
    assert str(info.value).startswith(f"{EDGE / name}{expected}")


def test_block_before_mode_is_refused() -> None:
    with pytest.raises(FormatError, match="starts with a `mode:` line"):
        gocover.read(io.BytesIO(b"a.go:1.1,2.2 1 1\n"), "x.out")


@pytest.mark.realtool
@pytest.mark.slow
def test_fresh_go_test_run_equals_go_tool_cover(tmp_path: Path) -> None:
    """Re-run make.sh (go test -coverprofile, go tool cover -func) into tmp_path."""
    require_tool("go")
    env = dict(os.environ, OUT=str(tmp_path))
    subprocess.run(["sh", str(GO / "make.sh")], check=True, env=env, timeout=180)
    for name in PROFILES:
        _, total = _native(name, tmp_path)
        assert _pct(*_profile(name, tmp_path).statements()) == total, name
        _assert_functions_equal_go(name, tmp_path)


def test_profile_with_no_blocks_is_empty_not_an_error(tmp_path: Path) -> None:
    """`go test -coverprofile` of a package without statements writes only the mode."""
    path = tmp_path / "cover.out"
    path.write_bytes(b"mode: set")
    assert detect(path).name == "gocover"
    cs = read_report(path)
    assert cs.files == {}
    assert cs.notes == ()


# -- issue 14: the columnar fast path equals the exact parser ---------------------------

_FAST_CASES = {
    "plain": b"mode: count\na.go:1.1,2.5 2 3\na.go:4.1,4.9 1 0\nb.go:1.1,1.2 0 7\n",
    "repeated": b"mode: count\na.go:1.1,2.5 2 3\nmode: count\na.go:1.1,2.5 2 4\n",
    "set-repeated": b"mode: set\na.go:1.1,2.5 2 0\na.go:1.1,2.5 2 1\n",
    "no-final-newline": b"mode: atomic\nC:/x/a.go:3.1,3.4 1 1",
    "blank-lines": b"\nmode: set\n\na.go:3.1,3.4 1 1\n  \n",
    "tabs": b"mode: set\na.go:3.1,3.4\t1 1\n",
    "crlf": b"mode: set\r\na.go:3.1,3.4 1 1\r\n",
    "huge-column": b"mode: set\na.go:4.99999999999999999999,5.4 1 1\n",
}
_FAST_ERRORS = {
    "statements-differ": b"mode: count\na.go:1.1,2.5 2 3\na.go:1.1,2.5 1 3\n",
    "modes-differ": b"mode: count\na.go:1.1,2.5 2 3\nmode: set\n",
    "backwards": b"mode: set\na.go:4.1,3.4 1 1\n",
    "no-mode": b"a.go:4.1,5.4 1 1\n",
    "mode-like-name": b"mode: set\nmode:a.go:4.1,5.4 1 1\n",
    "too-many-lines": b"mode: set\na.go:1.1,20000000.4 1 1\n",
}


def _fixtures_and_cases() -> list[tuple[str, bytes]]:
    data = Path(__file__).resolve().parents[1] / "data" / "go"
    found = [(p.name, p.read_bytes()) for p in sorted(data.rglob("*.out"))]
    return found + list(_FAST_CASES.items())


@pytest.mark.parametrize(("name", "data"), _fixtures_and_cases())
def test_fast_path_equals_exact_parser(name: str, data: bytes) -> None:
    exact = gocover._read_exact(io.BytesIO(data), "p.out")
    got = gocover.read(io.BytesIO(data), "p.out")
    assert got == exact and got.notes == exact.notes
    if name not in ("tabs", "huge-column"):  # only the exact parser takes these
        fast = gocover._read_fast(data, "p.out")
        assert fast == exact and fast.notes == exact.notes
        assert list(fast.files) == list(exact.files)


@pytest.mark.parametrize(("name", "data"), list(_FAST_ERRORS.items()))
def test_fast_path_hands_errors_to_the_exact_parser(name: str, data: bytes) -> None:
    with pytest.raises(gocover._FastMiss):
        gocover._read_fast(data, "p.out")
    with pytest.raises(FormatError) as exact:
        gocover._read_exact(io.BytesIO(data), "p.out")
    with pytest.raises(FormatError) as got:
        gocover.read(io.BytesIO(data), "p.out")
    assert str(got.value) == str(exact.value)
