"""Clover XML: Istanbul (real c8 output), PHPUnit and OpenClover shapes, errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool
from covgap.errors import FormatError
from covgap.formats import clover, detect, read_report

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = DATA / "clover" / "clover.xml"
EDGE = DATA / "edge"


def test_c8_totals_equal_istanbul_summary() -> None:
    _assert_totals_equal_istanbul(DATA / "clover")


def _assert_totals_equal_istanbul(folder: Path) -> None:
    native = json.loads((folder / "native.json").read_text())
    report = folder / "clover.xml"
    assert detect(report).name == "clover"
    cs = read_report(report)
    for path, entry in native.items():
        c = cs.totals() if path == "total" else cs.files[path].counts()
        assert (c.lines_total, c.lines_covered) == (
            entry["lines"]["total"],
            entry["lines"]["covered"],
        ), path
        assert (c.branches_total, c.branches_covered) == (
            entry["branches"]["total"],
            entry["branches"]["covered"],
        ), path
    assert sorted(cs.files) == ["src/lib/cart.js", "src/lib/text.js", "src/main.js"]


def test_nyc_lines_equal_istanbul_and_missing_branches_are_noted() -> None:
    """nyc's statements are finer than lines; a default parameter's branch has no line.

    Istanbul's Clover writer puts a branch only on a line that has a statement, so a
    branch on ``function label(size, fallback = 'none')`` is in the file's <metrics>
    and Istanbul's totals but on no <line>: covgap counts the lines and says so.
    """
    folder = DATA / "clover" / "nyc"
    native = json.loads((folder / "native.json").read_text())
    cs = read_report(folder / "clover.xml")
    noted = "\n".join(cs.notes)
    for path, entry in native.items():
        c = cs.totals() if path == "total" else cs.files[path].counts()
        lines, branches = entry["lines"], entry["branches"]
        assert (c.lines_total, c.lines_covered) == (lines["total"], lines["covered"]), path
        if path == "total":
            continue
        if (c.branches_total, c.branches_covered) != (branches["total"], branches["covered"]):
            assert (
                f"{path}: conditionals={branches['total']} coveredconditionals="
                f"{branches['covered']} vs {c.branches_covered}/{c.branches_total}" in noted
            )
    assert "src/lib/text.js: conditionals=6 coveredconditionals=3 vs 2/5" in noted
    assert "leaves out branches on lines without a statement" in noted
    assert native["total"]["statements"]["total"] != native["total"]["lines"]["total"]


def test_c8_methods_are_only_totals_and_say_so() -> None:
    native = json.loads((DATA / "clover" / "native.json").read_text())
    cs = read_report(REAL)
    assert cs.totals().functions_total == 0
    n = native["total"]["functions"]["total"]
    assert cs.notes == (
        f"{REAL}: the report counts {n} method(s) only in its totals, without their lines "
        "(Istanbul's Clover output); covgap reports no function coverage for it",
    )


def test_istanbul_truecount_is_covered_outcomes() -> None:
    fc = read_report(REAL).files["src/lib/cart.js"]
    # <line num="21" count="2" type="cond" truecount="2" falsecount="0"/>
    assert [b.taken for b in fc.branches() if b.line == 21] == [1, 1]
    # <line num="23" count="1" type="cond" truecount="0" falsecount="1"/>
    assert [b.taken for b in fc.branches() if b.line == 23] == [0]
    assert fc.hits_by_line()[24] == 0


def test_phpunit_shape() -> None:
    path = EDGE / "clover-phpunit.xml"
    assert detect(path).name == "clover"
    cs = read_report(path)
    fc = cs.files["/app/src/Cart.php"]
    c = fc.counts()
    # The file's own metrics: statements=5 coveredstatements=3 methods=2 coveredmethods=1.
    assert (c.lines_total, c.lines_covered) == (5, 3)
    assert (c.functions_total, c.functions_covered) == (2, 1)
    assert [(f.name, f.start_line, f.hits) for f in fc.functions] == [
        ("add", 9, 3),
        ("clear", 17, 0),
    ]
    assert 9 not in fc.hits_by_line()  # a method line is a declaration, not a statement
    assert cs.notes == ()


def test_openclover_shape_counts_true_and_false_and_skips_tests() -> None:
    cs = read_report(EDGE / "clover-openclover.xml")
    assert list(cs.files) == ["/src/com/example/Cart.java"]
    fc = cs.files["/src/com/example/Cart.java"]
    assert [(b.line, b.taken) for b in fc.branches()] == [(6, 3), (6, 1), (9, 0), (9, 1)]
    assert fc.hits_by_line() == {6: 4, 7: 3, 9: 1, 10: 0}
    c = fc.counts()
    assert (c.branches_total, c.branches_covered) == (4, 3)  # its metrics
    assert [f.name for f in fc.functions] == ["add(int) : void"]
    assert cs.notes == ()


def test_metrics_that_match_no_reading_are_noted() -> None:
    cs = read_report(EDGE / "clover-bad-metrics.xml")
    (note,) = cs.notes
    assert "branches 0/7 in the report, 1/2 counted by covgap" in note
    assert "a.js: conditionals=7 coveredconditionals=0 vs 1/2" in note
    assert cs.files["a.js"].counts().branches_total == 2


def test_run_counts_beyond_any_outcome_count_use_openclover_reading() -> None:
    doc = (
        b'<coverage generated="1" clover="3.2.0"><project name="All files">'
        b'<file name="a.js"><line num="1" count="9" type="cond" '
        b'truecount="9000000000000" falsecount="3"/></file></project></coverage>'
    )
    fc = clover.read(io.BytesIO(doc), "big.xml").files["a.js"]
    assert [b.taken for b in fc.branches()] == [9000000000000, 3]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("clover-entities.xml", "DOCTYPE declares entities"),
        ("clover-bad-count.xml", ":5: count 'lots' is not a whole number"),
    ],
)
def test_bad_input_is_one_line_error(name: str, expected: str) -> None:
    with pytest.raises(FormatError) as info:
        read_report(EDGE / name, format_name="clover")
    assert str(info.value).startswith(str(EDGE / name))
    assert expected in str(info.value)


def test_sniff_leaves_cobertura_and_jacoco_alone() -> None:
    assert not clover.sniff(b'<?xml version="1.0"?>\n<coverage line-rate="0.5">', "c.xml")
    assert not clover.sniff(b'<report name="x"><sessioninfo/>', "j.xml")
    assert clover.sniff(b'<coverage generated="1">\n  <project timestamp="1">', "c.xml")


@pytest.mark.realtool
def test_fresh_c8_clover_equals_istanbul_summary(tmp_path: Path) -> None:
    """Re-run make.sh (c8 --reporter=clover and json-summary) into tmp_path."""
    require_tool("node")
    c8 = Path(__file__).resolve().parents[2] / "tools" / "node" / "node_modules" / ".bin" / "c8"
    if not c8.exists():
        if os.environ.get("COVGAP_REQUIRE_TOOLS"):
            pytest.fail("tools/node has no c8; run make node-tools")
        pytest.skip("tools/node has no c8 (make node-tools installs it)")
    env = dict(os.environ, OUT=str(tmp_path), SKIP_NYC="1")
    subprocess.run(["sh", str(DATA / "clover" / "make.sh")], check=True, env=env, timeout=120)
    _assert_totals_equal_istanbul(tmp_path)


def test_openclover_4_3_stmt_and_cond_of_one_line_are_one_line() -> None:
    """OpenClover 4.3 writes a stmt and a cond <line> for one ``if`` line (issue #10)."""
    doc = (
        b'<?xml version="1.0"?>\n<coverage generated="1" clover="4.3.1">'
        b'<project name="p"><file name="A.java" path="/src/A.java">'
        b'<metrics statements="2" coveredstatements="1" conditionals="2" coveredconditionals="1"/>'
        b'<line num="15" count="1" type="stmt"/>'
        b'<line falsecount="0" truecount="1" num="15" type="cond"/>'
        b'<line num="16" count="0" type="stmt"/>'
        b"</file></project></coverage>"
    )
    cs = clover.read(io.BytesIO(doc), "clover.xml")
    fc = cs.files["/src/A.java"]
    assert fc.hits_by_line() == {15: 1, 16: 0}  # visits 1
    assert [(b.line, b.taken) for b in fc.branches()] == [(15, 1), (15, 0)]  # partially
    assert cs.notes == ()  # its metrics agree: 1/2 statements, 1/2 conditionals


def test_a_line_listed_twice_with_one_type_is_still_one_line() -> None:
    doc = (
        b'<?xml version="1.0"?>\n<coverage generated="1" clover="3.2.0">'
        b'<project name="p"><file name="a.cpp" path="a.cpp">'
        b'<line num="3" type="stmt" count="0"/><line num="3" type="stmt" count="2"/>'
        b"</file></project></coverage>"
    )
    cs = clover.read(io.BytesIO(doc), "clover.xml")
    assert cs.files["a.cpp"].hits_by_line() == {3: 2}
    assert "1 <line> element(s) repeat a line number" in cs.notes[0]
