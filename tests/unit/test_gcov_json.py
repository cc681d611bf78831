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


# A C++ template instantiated twice, in GCC 12's shape: both instantiations start at
# line 3 column 3 (one gcov function *group*) and list lines 3-4 once each; main's
# line 9 has its own branches. Hand-written; the figures are what the real run below
# measures: `gcov -b` leaves the group's branches out (1 of 2 taken), lcov's geninfo
# adds the two listings of line 4 branch by branch (3 of 4, as covgap does).
_TEMPLATE_DOC = {
    "format_version": "1",
    "gcc_version": "12.2.0",
    "current_working_directory": "/build",
    "data_file": "t.cpp",
    "files": [
        {
            "file": "t.cpp",
            "functions": [
                {
                    "name": n,
                    "demangled_name": d,
                    "start_line": 3,
                    "start_column": 3,
                    "end_line": 6,
                    "execution_count": 1,
                }
                for n, d in [("_Z4pickIdEv", "pick<double>()"), ("_Z4pickIiEv", "pick<int>()")]
            ]
            + [
                {
                    "name": "main",
                    "demangled_name": "main",
                    "start_line": 8,
                    "start_column": 5,
                    "end_line": 10,
                    "execution_count": 1,
                }
            ],
            "lines": [
                {"line_number": 3, "count": 1, "function_name": "_Z4pickIdEv", "branches": []},
                {
                    "line_number": 4,
                    "count": 1,
                    "function_name": "_Z4pickIdEv",
                    "branches": [{"count": 1}, {"count": 0}],
                },
                {"line_number": 3, "count": 1, "function_name": "_Z4pickIiEv", "branches": []},
                {
                    "line_number": 4,
                    "count": 1,
                    "function_name": "_Z4pickIiEv",
                    "branches": [{"count": 0}, {"count": 1}],
                },
                {
                    "line_number": 9,
                    "count": 1,
                    "function_name": "main",
                    "branches": [{"count": 1}, {"count": 0}],
                },
            ],
        }
    ],
}


@pytest.mark.parametrize("exact", [False, True])
def test_template_branches_counted_as_lcov_with_gcov_figure_in_note(exact: bool) -> None:
    """Was silent: gcov -b says 1/2 branches taken here, covgap 3/4 (lcov's figure)."""
    import json

    data = json.dumps(_TEMPLATE_DOC).encode()
    reader = gcov_json._read_exact if exact else gcov_json.read
    cs = reader(io.BytesIO(data), "t.gcov.json")
    totals = cs.totals()
    assert (totals.branches_total, totals.branches_covered) == (4, 3)
    assert (totals.lines_total, totals.lines_covered) == (3, 3)
    assert len(cs.notes) == 1
    assert "branches 1/2 in the report, 3/4 counted by covgap" in cs.notes[0]
    # No group, no note: the same document with one instantiation only.
    single = json.loads(data)
    single["files"][0]["functions"] = single["files"][0]["functions"][1:]
    single["files"][0]["lines"] = single["files"][0]["lines"][2:]
    assert reader(io.BytesIO(json.dumps(single).encode()), "t.gcov.json").notes == ()


_TEMPLATE_CPP = """\
template <typename T>
T pick(T a, T b, bool first) {
  if (first)
    return a;
  return b;
}
int main(int argc, char **) {
  int r = pick<int>(1, 2, argc > 1);
  double d = pick<double>(1.0, 2.0, true);
  if (argc > 5) return 1;
  return r + (int)d > 100;
}
"""


def test_template_note_equals_gcov_b_on_real_gcc(tmp_path: Path) -> None:
    """g++ --coverage + gcov: the note's figure is gcov -b's "Taken at least once"."""
    require_tool("g++", "gcov")
    (tmp_path / "t.cpp").write_text(_TEMPLATE_CPP)

    def run(*argv: str) -> str:
        done = subprocess.run(
            argv, cwd=tmp_path, check=True, capture_output=True, text=True, timeout=120
        )
        return done.stdout

    run("g++", "--coverage", "-O0", "-o", "t", "t.cpp")
    run("./t")
    text = run("gcov", "-b", "t.cpp")
    m = re.search(r"Taken at least once:([\d.]+)% of (\d+)", text)
    assert m, text
    run("gcov", "-b", "--json-format", "t.cpp")
    cs = read_report(tmp_path / "t.gcov.json.gz")
    (note,) = cs.notes
    declared = re.search(r"branches (\d+)/(\d+) in the report", note)
    assert declared, note
    assert declared[2] == m[2]
    assert _pct(int(declared[1]), int(declared[2])) == m[1]
    totals = cs.totals()
    assert totals.branches_total > int(m[2])  # the instantiations' branches are counted


def test_template_note_counts_every_document_of_the_file() -> None:
    """gcov --stdout writes a document per object: the fast path decodes line names
    again only for files with a function group, but then from every document of that
    file, as the exact reader counts them (a second document without a group still
    adds main's branches to gcov's figure)."""
    import copy
    import json

    second = copy.deepcopy(_TEMPLATE_DOC)
    second["files"][0]["functions"] = second["files"][0]["functions"][2:]
    second["files"][0]["lines"] = second["files"][0]["lines"][4:]
    data = (json.dumps(_TEMPLATE_DOC) + "\n" + json.dumps(second) + "\n").encode()
    fast = gcov_json.read(io.BytesIO(data), "t.gcov.json")
    exact = gcov_json._read_exact(io.BytesIO(data), "t.gcov.json")
    assert fast.notes == exact.notes and len(fast.notes) == 1
    # gcov: main's 1/2 from each document; covgap (lcov): line 9's two listings added
    # branch by branch, with the group's line 4
    assert "branches 2/4 in the report, 3/4 counted by covgap" in fast.notes[0]
