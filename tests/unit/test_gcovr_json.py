"""gcovr's JSON: totals equal gcovr's own --json-summary on real gcovr 8 output."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool
from covgap.errors import FormatError
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
    with pytest.raises(FormatError, match=r"covgap needs the per-line report that `gcovr --json`"):
        read_report(GCOVR / "native.json")


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
