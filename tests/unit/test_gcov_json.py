"""gcov JSON intermediate format: totals equal `gcov -b` on real GCC 12 output."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool
from covgap.errors import FormatError
from covgap.formats import detect, gcov_json, read_report

DATA = Path(__file__).resolve().parents[1] / "data"
GCOV = DATA / "gcov"
EDGE = DATA / "edge"


def _native(folder: Path = GCOV) -> dict[str, dict[str, tuple[str, int]]]:
    """`gcov -b` output by file: {file: {"Lines executed": (percent, of), ...}}."""
    out: dict[str, dict[str, tuple[str, int]]] = {}
    current: dict[str, tuple[str, int]] = {}
    for row in (folder / "native.txt").read_text().splitlines():
        if m := re.fullmatch(r"File '(.+)'", row):
            current = out.setdefault(m[1], {})
        elif m := re.fullmatch(r"(.+):([\d.]+)% of (\d+)", row):
            # The last "Lines executed" is the total over all files.
            key = m[1] if m[1] not in current else f"total {m[1]}"
            current[key] = (m[2], int(m[3]))
    return out


def _pct(covered: int, total: int) -> str:
    return f"{100.0 * covered / total:.2f}"


@pytest.mark.parametrize("name", ["stats.gcov.json", "stats.gcov.json.gz"])
def test_totals_equal_gcov(name: str) -> None:
    _assert_totals_equal_gcov(GCOV / name, _native())


def _assert_totals_equal_gcov(path: Path, native: dict[str, dict[str, tuple[str, int]]]) -> None:
    assert detect(path).name == "gcov-json"
    cs = read_report(path)
    assert sorted(cs.files) == sorted(native)
    t = cs.totals()
    last = native["stats.h"].pop("total Lines executed")
    assert last == (_pct(t.lines_covered, t.lines_total), t.lines_total)
    for file, rows in native.items():
        c = cs.files[file].counts()
        assert rows["Lines executed"] == (_pct(c.lines_covered, c.lines_total), c.lines_total)
        assert rows["Taken at least once"] == (
            _pct(c.branches_covered, c.branches_total),
            c.branches_total,
        )


def test_functions_equal_gcov_f() -> None:
    """`gcov -f` lists each function with the share of its lines that ran."""
    text = (GCOV / "native-functions.txt").read_text()
    native = dict(re.findall(r"Function '(.+)'\nLines executed:([\d.]+)%", text))
    cs = read_report(GCOV / "stats.gcov.json")
    ours = {f.name: f.hits for fc in cs.files.values() for f in fc.functions}
    assert set(ours) == set(native)
    for name, pct in native.items():
        assert (ours[name] > 0) == (float(pct) > 0), name


def test_line_detail_and_source_root() -> None:
    cs = read_report(GCOV / "stats.gcov.json")
    fc = cs.files["stats.c"]
    assert fc.hits_by_line()[8] == 6
    assert [b.taken for b in fc.branches() if b.line == 8] == [2, 4, 1, 1]
    assert len(cs.source_roots) == 1
    assert cs.source_roots[0].startswith("/")


def test_one_document_per_line_and_version_2() -> None:
    cs = read_report(EDGE / "gcov-two-docs.json")
    assert cs.source_roots == ("/build/a", "/build/b")
    assert cs.files["common.h"].hits_by_line() == {4: 4, 5: 0}
    a = cs.files["a.c"]
    assert [b.taken for b in a.branches()] == [None, None]
    assert [(f.name, f.start_line, f.end_line, f.hits) for f in a.functions] == [("f", 1, 3, 2)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gcov-bad-version.json", "format_version: unsupported gcov JSON format_version '9'"),
        (
            "gcov-bad-count.json",
            "files[0].lines[0].count: a hit count (integer >= 0) out of range: -4",
        ),
        ("gcov-truncated.json", "invalid JSON"),
    ],
)
def test_bad_input_is_one_line_error(name: str, expected: str) -> None:
    with pytest.raises(FormatError) as info:
        read_report(EDGE / name)
    assert str(info.value).startswith(str(EDGE / name))
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_second_document_broken() -> None:
    good = (EDGE / "gcov-bad-version.json").read_bytes().replace(b'"9"', b'"1"')
    with pytest.raises(FormatError, match="invalid JSON in document 2 of 2"):
        gcov_json.read(io.BytesIO(good + b'{"format_version": \n'), "x.json")


def test_sniff_leaves_gcovr_alone() -> None:
    assert not gcov_json.sniff(b'{"gcovr/format_version": "0.15", "files": []}', "x.json")
    assert gcov_json.sniff(b'  {"gcc_version": "12", "files": [', "x")


@pytest.mark.realtool
def test_fresh_gcov_run_equals_gcov(tmp_path: Path) -> None:
    """Re-run make.sh (gcc --coverage, gcov --json-format, gcov -b) into tmp_path."""
    require_tool("gcc", "gcov")
    env = dict(os.environ, OUT=str(tmp_path))
    subprocess.run(["sh", str(GCOV / "make.sh")], check=True, env=env, timeout=120)
    for name in ("stats.gcov.json", "stats.gcov.json.gz"):
        _assert_totals_equal_gcov(tmp_path / name, _native(tmp_path))
