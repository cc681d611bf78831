"""coverage.py JSON reader: totals equal coverage.py's own report on real output."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, require_tool
from covgap.errors import FormatError
from covgap.formats import detect, read_report
from covgap.formats.coveragepy_json import read, read_contexts, sniff
from covgap.model import CoverageSet, FileCoverage

HERE = DATA / "coveragepy"
EDGE = DATA / "edge"
RUNS = ("lines", "branch", "contexts")


def _partial_lines(fc: FileCoverage) -> int:
    """coverage.py's BrPart: lines with some branches taken and some not."""
    by_line: dict[int, list[bool]] = {}
    for br in fc.branches():
        by_line.setdefault(br.line, []).append(bool(br.taken))
    return sum(1 for outcomes in by_line.values() if any(outcomes) and not all(outcomes))


def _display_percent(covered: int, total: int) -> str:
    """coverage.py's Numbers.display_covered at precision 0 (never rounds to 0 or 100)."""
    pc = 100.0 * covered / total if total else 100.0
    if 0 < pc < 1:
        pc = 1.0
    elif 99 < pc < 100:
        pc = 99.0
    return str(round(pc))


def _check_against_native(run: str, cs: CoverageSet, native: dict[str, Any]) -> None:
    rows = native[run]["report"]
    assert set(rows) - {"TOTAL"} == set(cs.files)
    for name, row in rows.items():
        files = list(cs.files.values()) if name == "TOTAL" else [cs.files[name]]
        counts = sum(fc.counts() for fc in files)
        assert counts.lines_total == int(row["Stmts"]), name
        assert counts.lines_missed == int(row["Miss"]), name
        if "Branch" in row:
            assert counts.branches_total == int(row["Branch"]), name
            assert sum(_partial_lines(fc) for fc in files) == int(row["BrPart"]), name
        else:
            assert counts.branches_total == 0
        covered = counts.lines_covered + counts.branches_covered
        total = counts.lines_total + counts.branches_total
        assert _display_percent(covered, total) + "%" == row["Cover"], name
    # coverage.py's own JSON totals, which carry covered_branches exactly.
    totals = native[run]["json_totals"]
    t = cs.totals()
    assert (t.lines_total, t.lines_covered) == (totals["num_statements"], totals["covered_lines"])
    assert (t.branches_total, t.branches_covered) == (
        totals.get("num_branches", 0),
        totals.get("covered_branches", 0),
    )
    for name, summary in native[run]["json_files"].items():
        c = cs.files[name].counts()
        assert c.lines_covered == summary["covered_lines"]
        assert c.branches_covered == summary.get("covered_branches", 0)
    pct = native[run]["report_total_percent"]
    assert (
        _display_percent(t.lines_covered + t.branches_covered, t.lines_total + t.branches_total)
        == pct
    )


@pytest.mark.parametrize("run", RUNS)
def test_committed_reports_equal_coverage_report(run: str) -> None:
    native = json.loads((HERE / "native.json").read_text())
    cs = read_report(HERE / f"{run}.json")
    assert cs.inputs[0].format == "coveragepy-json"
    _check_against_native(run, cs, native)


@pytest.mark.realtool
def test_fresh_run_of_coverage_py_equals_its_report(tmp_path: Path) -> None:
    """Re-run make.sh with the installed coverage.py and compare with what it printed."""
    require_tool("sh")
    env = dict(os.environ, OUT=str(tmp_path), PYTHON=sys.executable)
    subprocess.run(["sh", str(HERE / "make.sh")], check=True, env=env, timeout=120)
    native = json.loads((tmp_path / "native.json").read_text())
    for run in RUNS:
        _check_against_native(run, read_report(tmp_path / f"{run}.json"), native)


def test_functions_follow_coverage_py_regions() -> None:
    cs = read_report(HERE / "branch.json")
    raw = json.loads((HERE / "branch.json").read_text())
    for name, fc in cs.files.items():
        expected = {
            (fname, f["start_line"], f["summary"]["covered_lines"] > 0)
            for fname, f in raw["files"][name]["functions"].items()
            if fname and f["summary"]["num_statements"] > 0
        }
        assert {(f.name, f.start_line, f.hits > 0) for f in fc.functions} == expected
    shop = {f.name: f for f in cs.files["shop.py"].functions}
    assert "unused" not in shop  # wholly excluded by "# pragma: no cover"
    assert shop["Cart.refund"].hits == 0
    assert shop["Cart.add"].hits == 1


def _lcov_records(path: Path) -> dict[str, dict[str, Any]]:
    """DA, BRDA (in file order), FN and FNDA records of coverage.py's own LCOV report."""
    out: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] = {}
    for row in path.read_text().splitlines():
        tag, _, value = row.partition(":")
        if tag == "SF":
            current = out.setdefault(value, {"DA": {}, "BRDA": [], "FN": {}, "FNDA": {}})
        elif tag == "FN":
            first, _last, name = value.split(",", 2)
            current["FN"][name] = int(first)
        elif tag == "FNDA":
            hit, name = value.split(",", 1)
            current["FNDA"][name] = int(hit)
        elif tag == "DA":
            line, hits = value.split(",")[:2]
            current["DA"][int(line)] = int(hits)
        elif tag == "BRDA":
            # BRDA:<line>,<block>,<description, may hold commas>,<taken>
            head, taken = value.rsplit(",", 1)
            line, block = head.split(",", 2)[:2]
            current["BRDA"].append((int(line), int(block), None if taken == "-" else int(taken)))
    return out


@pytest.mark.parametrize("run", ["lines", "branch", "contexts"])
def test_lines_branches_functions_are_coverage_pys_own_lcov_records(run: str) -> None:
    """Same DA lines, BRDA outcomes (in order) and FN/FNDA functions as `coverage lcov`."""
    cs = read_report(HERE / f"{run}.json")
    lcov = _lcov_records(HERE / f"{run}.info")
    assert set(lcov) == set(cs.files)
    for name, fc in cs.files.items():
        assert fc.hits_by_line() == lcov[name]["DA"]
        ours = [(b.line, b.block, b.taken) for b in fc.branches()]
        assert ours == lcov[name]["BRDA"]
        per_line: dict[int, list[int]] = {}
        for b in fc.branches():
            per_line.setdefault(b.line, []).append(b.branch)
        assert all(ids == list(range(len(ids))) for ids in per_line.values())
        assert {f.name: f.start_line for f in fc.functions} == lcov[name]["FN"]
        assert {f.name: f.hits for f in fc.functions} == lcov[name]["FNDA"]


def test_branch_order_puts_exits_last_and_none_taken_is_never_evaluated() -> None:
    doc = {
        "meta": {"format": 3, "branch_coverage": True, "show_contexts": False},
        "files": {
            "a.py": {
                "executed_lines": [1, 2],
                "missing_lines": [3, 4],
                "executed_branches": [[2, -1]],
                "missing_branches": [[2, 3], [3, 4], [3, -1]],
            }
        },
    }
    fc = read(io.BytesIO(json.dumps(doc).encode()), "a.json").files["a.py"]
    assert list(fc.branches()) == [(2, 0, 0, 0), (2, 0, 1, 1), (3, 0, 0, None), (3, 0, 1, None)]


def test_excluded_lines_are_not_lines() -> None:
    shop = read_report(HERE / "lines.json").files["shop.py"]
    assert 33 not in shop.lines and 34 not in shop.lines


def test_contexts_are_kept_per_line_not_as_flags() -> None:
    path = HERE / "contexts.json"
    cs = read_report(path)
    assert cs.flags == ()
    shop = cs.files["shop.py"]
    assert shop.contexts_for_line(9) == ("test_shop.test_cart",)
    assert "" not in shop.contexts  # the default context names no test
    with path.open("rb") as f:
        contexts = read_contexts(f, str(path))
    raw = json.loads(path.read_text())
    for name, data in raw["files"].items():
        assert contexts[name] == {int(k): tuple(v) for k, v in data["contexts"].items()}
    assert contexts["shop.py"][9] == ("test_shop.test_cart",)  # Cart.add's `if`
    assert contexts["shop.py"][41] == ("test_shop.test_loop",)
    with (HERE / "branch.json").open("rb") as f:
        assert read_contexts(f, "branch.json") == {}
    assert not any("contexts" in n for n in read_report(HERE / "branch.json").notes)


def test_format_2_without_functions() -> None:
    """coverage.py 6.x wrote format 2: no functions, no start lines; still read."""
    cs = read_report(EDGE / "coveragepy-format2.json")
    fc = cs.files["pkg/mod.py"]
    assert list(fc.lines) == [1, 2, 3, 5, 6]
    assert list(fc.hits) == [1, 1, 0, 1, 0]
    assert fc.functions == ()
    # Line 6's only arc was not taken: "never evaluated"; line 2 took one of two.
    assert [(b.line, b.branch, b.taken) for b in fc.branches()] == [
        (2, 0, 0),
        (2, 1, 1),
        (6, 0, None),
    ]
    assert cs.totals().branches_total == 3
    assert cs.totals().branches_covered == 1
    assert cs.notes == ()


def test_newer_format_is_read_with_a_note() -> None:
    doc = {
        "meta": {"format": 9, "version": "99.0", "branch_coverage": False, "show_contexts": False},
        "files": {"a.py": {"executed_lines": [1], "missing_lines": [2]}},
    }
    cs = read(io.BytesIO(json.dumps(doc).encode()), "new.json")
    assert cs.files["a.py"].counts().lines_total == 2
    assert "newer" in cs.notes[0]


def test_sniff() -> None:
    head = (HERE / "branch.json").read_bytes()[:4096]
    assert sniff(head, "coverage.json")
    assert sniff(b'\xef\xbb\xbf  {"meta": {"branch_coverage": 1, "show_contexts": 0', "x")
    assert not sniff(b'{"files": {}}', "coverage.json")
    assert not sniff(b'{"src/a.js": {"path": "src/a.js", "statementMap": {}', "coverage.json")
    assert detect(HERE / "lines.json").name == "coveragepy-json"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            '{"meta": {}, "files": {"a.py": {"executed_lines": [1, "2"], "missing_lines": []}}}',
            'files["a.py"].executed_lines[1]: expected a line number',
        ),
        (
            '{"meta": {}, "files": {"a.py": {"executed_lines": [1], "missing_lines": [-4]}}}',
            'files["a.py"].missing_lines[0]: a line number (integer >= 1) out of range: -4',
        ),
        (
            '{"meta": {}, "files": {"a.py": {"missing_lines": []}}}',
            'files["a.py"]: missing required key "executed_lines"',
        ),
        (
            '{"meta": {}, "files": {"a.py": {"executed_lines": [1], "missing_lines": [1]}}}',
            "line 1 is also in missing_lines",
        ),
        (
            '{"meta": {}, "files": {"a.py": {"executed_lines": [1], "missing_lines": [],'
            ' "executed_branches": [[1]]}}}',
            'files["a.py"].executed_branches[0]: expected an arc',
        ),
        ('{"meta": {"format": "3"}, "files": {}}', "meta.format: expected a format number"),
        ('{"meta": {}, "files": []}', "files: expected an object, got array"),
        (
            '{"meta": {}, "files": {"a.py": {"executed_lines": [3000000000],'
            ' "missing_lines": []}}}',
            "out of range: 3000000000",
        ),
        (
            '{"meta": {}, "files": {"a.py": {"executed_lines": [true], "missing_lines": []}}}',
            "got boolean",
        ),
        ('{"lines": {}}', "not a coverage.py JSON report"),
    ],
)
def test_bad_input_names_the_json_path(doc: str, message: str) -> None:
    with pytest.raises(FormatError) as err:
        read(io.BytesIO(doc.encode()), "bad.json")
    assert message in str(err.value)
    assert str(err.value).startswith("bad.json: ")


def test_malformed_and_truncated_json_give_line_and_column() -> None:
    whole = (HERE / "lines.json").read_bytes()
    with pytest.raises(FormatError) as err:
        read(io.BytesIO(whole[: len(whole) // 2]), "cut.json")
    assert "truncated" in str(err.value)
    assert err.value.line == 1
    with pytest.raises(FormatError) as err:
        read(io.BytesIO(b'{"meta": {},\n "files": {,}}'), "bad.json")
    assert (err.value.line, err.value.column) == (2, 12)
    assert str(err.value).startswith("bad.json:2:12: invalid JSON")


def test_totals_that_differ_from_the_lines_are_said_with_both_figures() -> None:
    """A merged or edited report whose ``totals`` no longer describe its files (#10)."""
    path = HERE / "branch.json"
    doc = json.loads(path.read_text())
    assert read(io.BytesIO(json.dumps(doc).encode()), "c.json").notes == ()  # real: agree
    doc["totals"]["num_statements"] += 3
    cs = read(io.BytesIO(json.dumps(doc).encode()), "c.json")
    t = cs.totals()
    (note,) = cs.notes
    declared = f"{doc['totals']['covered_lines']}/{doc['totals']['num_statements']}"
    assert f"lines {declared} in the report, {t.lines_covered}/{t.lines_total} counted" in note
