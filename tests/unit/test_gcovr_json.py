"""gcovr's JSON: totals equal gcovr's own --json-summary on real gcovr 8 output."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import require_tool
from covgap.discovery import discover_reports
from covgap.errors import FormatError, InputError
from covgap.formats import detect, gcovr_json, read_report

DATA = Path(__file__).resolve().parents[1] / "data"
GCOVR = DATA / "gcovr"


def test_totals_equal_gcovr_summary() -> None:
    _assert_totals_equal_gcovr(GCOVR)


def _assert_totals_equal_gcovr(folder: Path) -> None:
    native = json.loads((folder / "native.json").read_text())
    path = folder / "stats.gcovr.json"
    assert detect(path).name == "gcovr-json"
    cs = read_report(path)
    for entry in native["files"]:
        c = cs.files[entry["filename"]].counts()
        assert (c.lines_total, c.lines_covered) == (entry["line_total"], entry["line_covered"])
        assert (c.branches_total, c.branches_covered) == (
            entry["branch_total"],
            entry["branch_covered"],
        )
        assert (c.functions_total, c.functions_covered) == (
            entry["function_total"],
            entry["function_covered"],
        )
    t = cs.totals()
    assert (t.lines_total, t.lines_covered) == (native["line_total"], native["line_covered"])
    assert (t.branches_total, t.branches_covered) == (
        native["branch_total"],
        native["branch_covered"],
    )


def test_excluded_line_is_not_counted_but_gcov_counts_it() -> None:
    """stats.c:26 carries LCOV_EXCL_LINE: gcovr drops it, gcov's JSON keeps it."""
    gcovr = read_report(GCOVR / "stats.gcovr.json").files["stats.c"]
    gcov = read_report(DATA / "gcov" / "stats.gcov.json").files["stats.c"]
    assert 26 not in gcovr.hits_by_line()
    assert 26 in gcov.hits_by_line()
    assert gcovr.counts().lines_total == gcov.counts().lines_total - 1
    assert list(gcovr.branches()) == list(gcov.branches())


def test_summary_document_is_refused_with_the_fix() -> None:
    """Refused at detection (so discovery passes over a summary named coverage.json)
    and, forced to gcovr JSON, by the reader: both name the option to use."""
    with pytest.raises(InputError, match=r"covgap needs the per-line report that `gcovr --json`"):
        read_report(GCOVR / "native.json")
    with pytest.raises(FormatError, match=r"covgap needs the per-line report that `gcovr --json`"):
        read_report(GCOVR / "native.json", format_name="gcovr-json")


def test_summary_named_coverage_json_is_passed_over_by_discovery(tmp_path: Path) -> None:
    """It was picked up (coverage.json is a well-known name) and failed the whole run."""
    (tmp_path / "coverage.json").write_bytes((GCOVR / "native.json").read_bytes())
    (tmp_path / "coverage.gcovr.json").write_bytes((GCOVR / "stats.gcovr.json").read_bytes())
    assert [p.name for p in discover_reports(tmp_path)] == ["coverage.gcovr.json"]


def _doc(**line: object) -> bytes:
    entry = {"line_number": 3, "count": 1, "branches": []} | line
    return json.dumps(
        {"gcovr/format_version": "0.5", "files": [{"file": "a.c", "lines": [entry]}]}
    ).encode()


def test_old_format_noncode_and_branch_order() -> None:
    data = json.dumps(
        {
            "gcovr/format_version": "0.3",
            "files": [
                {
                    "file": "a.c",
                    "functions": [],
                    "lines": [
                        {"line_number": 1, "count": 0, "gcovr/noncode": True, "branches": []},
                        {
                            "line_number": 2,
                            "count": 0,
                            "branches": [{"count": 0, "fallthrough": True, "throw": False}],
                        },
                        {"line_number": 2, "count": 3, "branches": []},
                    ],
                }
            ],
        }
    ).encode()
    fc = gcovr_json.read(io.BytesIO(data), "old.json").files["a.c"]
    assert fc.hits_by_line() == {2: 3}
    assert [b.taken for b in fc.branches()] == [None]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_doc(count="1"), "files[0].lines[0].count: expected a hit count"),
        (_doc(line_number=0), "files[0].lines[0].line_number: a line number"),
        (
            json.dumps({"gcovr/format_version": "1.0", "files": []}).encode(),
            "unsupported gcovr JSON format version '1.0'",
        ),
        (b'{"gcovr/format_version": "0.5", "files": [', "invalid JSON"),
    ],
)
def test_bad_input_names_the_place(data: bytes, expected: str) -> None:
    with pytest.raises(FormatError) as info:
        gcovr_json.read(io.BytesIO(data), "r.json")
    assert str(info.value).startswith("r.json")
    assert expected in str(info.value)


@pytest.mark.realtool
def test_fresh_gcovr_run_equals_its_summary(tmp_path: Path) -> None:
    """Re-run make.sh (gcc --coverage, gcovr --json and --json-summary) into tmp_path."""
    require_tool("gcc", "gcov")
    env = dict(os.environ, OUT=str(tmp_path))
    subprocess.run(["sh", str(GCOVR / "make.sh")], check=True, env=env, timeout=120)
    _assert_totals_equal_gcovr(tmp_path)


# -- what gcovr's own reading of a JSON report says (issue #10) --------------------------


def _gcovr() -> str:
    """The gcovr of the test environment (beside this Python), else one on PATH."""
    beside = Path(sys.executable).parent / "gcovr"
    if beside.exists():
        return str(beside)
    require_tool("gcovr")
    return "gcovr"


def _gcovr_summary(tmp_path: Path, doc: dict[str, object]) -> tuple[Path, dict[str, Any]]:
    """Write ``doc``, have the real gcovr read it back (``-a``) and return its totals."""
    report = tmp_path / "in.json"
    report.write_text(json.dumps(doc))
    out = tmp_path / "summary.json"
    subprocess.run(
        [_gcovr(), "--root", str(tmp_path), "-a", str(report), "--json-summary", str(out)],
        check=True,
        timeout=60,
        cwd=tmp_path,
        capture_output=True,
    )
    summary: dict[str, Any] = json.loads(out.read_text())
    return report, summary


def _line(nr: int, fn: str, count: int, branches: list[int] = ()) -> dict[str, object]:  # type: ignore[assignment]
    return {
        "line_number": nr,
        "function_name": fn,
        "count": count,
        "branches": [
            {"branchno": i, "count": c, "fallthrough": False, "throw": False}
            for i, c in enumerate(branches)
        ],
    }


def _file_doc(
    lines: list[dict[str, object]], functions: list[dict[str, object]]
) -> dict[str, object]:
    return {
        "gcovr/format_version": "0.15",
        "files": [{"file": "a.cpp", "lines": lines, "functions": functions}],
    }


def test_branch_taken_on_a_line_whose_count_is_zero_is_covered(tmp_path: Path) -> None:
    """LLVM-derived gcov data has such lines; gcovr counts a branch with count > 0."""
    doc = _file_doc([_line(5, "f", 0, [0, 1])], [{"name": "f", "lineno": 5, "execution_count": 1}])
    report, native = _gcovr_summary(tmp_path, doc)
    c = read_report(report).totals()
    assert (c.branches_total, c.branches_covered) == (
        native["branch_total"],
        native["branch_covered"],
    )
    assert c.branches_covered == 1


def test_one_line_under_several_functions_is_one_line_with_both_figures(tmp_path: Path) -> None:
    doc = _file_doc(
        [_line(5, "f1", 1), _line(5, "f2", 0)],
        [
            {"name": "f1", "lineno": 5, "execution_count": 1},
            {"name": "f2", "lineno": 5, "execution_count": 0},
        ],
    )
    report, native = _gcovr_summary(tmp_path, doc)
    cs = read_report(report)
    c = cs.totals()
    assert (c.lines_total, c.lines_covered) == (1, 1)  # one source line, counts added
    assert (c.functions_total, c.functions_covered) == (
        native["function_total"],
        native["function_covered"],
    )
    (note,) = cs.notes
    gcovr_lines = f"{native['line_covered']}/{native['line_total']}"
    assert f"lines {gcovr_lines} in the report, 1/1 counted by covgap" in note
    assert "--merge-lines" in note


def test_functions_at_line_zero_are_read_as_gcovr_reads_them(tmp_path: Path) -> None:
    """``--merge-mode-functions=merge-use-line-0`` writes ``"lineno": 0``."""
    doc = _file_doc(
        [_line(1, "f", 2), _line(2, "f", 2)],
        [
            {"name": "f", "lineno": 0, "execution_count": 2},
            {"name": "g", "lineno": 0, "execution_count": 0},
        ],
    )
    report, native = _gcovr_summary(tmp_path, doc)
    cs = read_report(report)
    c = cs.totals()
    assert (c.functions_total, c.functions_covered) == (
        native["function_total"],
        native["function_covered"],
    )
    assert [f.start_line for f in cs.files["a.cpp"].functions] == [0, 0]
    assert not cs.notes
