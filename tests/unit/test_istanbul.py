"""Istanbul coverage-final.json reader: totals equal Istanbul's own summary (c8, nyc)."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, require_tool
from covgap.errors import FormatError, InputError
from covgap.formats import all_formats, detect, read_report
from covgap.formats.istanbul import read, sniff
from covgap.model import CoverageSet

C8 = DATA / "c8"
EDGE = DATA / "edge"
C8_BIN = Path(__file__).parents[2] / "tools" / "node" / "node_modules" / ".bin" / "c8"


def _assert_equals_summary(cs: CoverageSet, summary: dict[str, Any]) -> None:
    """covgap's lines/branches/functions are Istanbul's Lines/Branches/Functions."""
    for key, entry in summary.items():
        counts = cs.totals() if key == "total" else cs.files[key].counts()
        assert (counts.lines_total, counts.lines_covered) == (
            entry["lines"]["total"],
            entry["lines"]["covered"],
        ), key
        assert (counts.branches_total, counts.branches_covered) == (
            entry["branches"]["total"],
            entry["branches"]["covered"],
        ), key
        assert (counts.functions_total, counts.functions_covered) == (
            entry["functions"]["total"],
            entry["functions"]["covered"],
        ), key
    assert set(summary) - {"total"} == set(cs.files)


RUNS = {"c8": C8, "c8-typescript": C8 / "ts", "nyc": C8 / "nyc"}


@pytest.mark.parametrize("run", sorted(RUNS))
def test_committed_reports_equal_istanbul_summary(run: str) -> None:
    folder = RUNS[run]
    cs = read_report(folder / "coverage-final.json")
    assert cs.inputs[0].format == "istanbul"
    _assert_equals_summary(cs, json.loads((folder / "coverage-summary.json").read_text()))


def test_nyc_lines_differ_from_statements_and_follow_get_line_coverage() -> None:
    """nyc has several statements per line: lines are the max over statement starts."""
    raw = json.loads((C8 / "nyc" / "coverage-final.json").read_text())
    summary = json.loads((C8 / "nyc" / "coverage-summary.json").read_text())["total"]
    assert summary["statements"]["total"] != summary["lines"]["total"]
    cs = read_report(C8 / "nyc" / "coverage-final.json")
    for name, data in raw.items():
        expected: dict[int, int] = {}
        for sid, count in data["s"].items():
            line = data["statementMap"][sid]["start"]["line"]
            expected[line] = max(expected.get(line, count), count)
        assert cs.files[name].hits_by_line() == expected


def test_branches_are_the_brda_of_istanbuls_lcov_reporter() -> None:
    """Same (line, block, branch, taken) as the BRDA records c8's lcov reporter wrote."""
    brda: dict[str, set[tuple[int, int, int, int]]] = {}
    current = ""
    for row in (C8 / "lcov.info").read_text().splitlines():
        if row.startswith("SF:"):
            current = row[3:]
        elif row.startswith("BRDA:"):
            line, block, branch, taken = row[5:].split(",")
            brda.setdefault(current, set()).add((int(line), int(block), int(branch), int(taken)))
    cs = read_report(C8 / "coverage-final.json")
    for name, fc in cs.files.items():
        got = {(b.line, b.block, b.branch, b.taken or 0) for b in fc.branches()}
        assert got == brda.get(name, set()), name


def test_functions_are_named_and_placed_like_lcov_fn_records() -> None:
    fn: dict[str, set[tuple[int, str]]] = {}
    current = ""
    for row in (C8 / "lcov.info").read_text().splitlines():
        if row.startswith("SF:"):
            current = row[3:]
        elif row.startswith("FN:"):
            line, name = row[3:].split(",", 1)
            fn.setdefault(current, set()).add((int(line), name))
    cs = read_report(C8 / "coverage-final.json")
    for name, fc in cs.files.items():
        assert {(f.start_line, f.name) for f in fc.functions} == fn.get(name, set())
    shapes = {f.name: f.hits for f in cs.files["src/shapes.js"].functions}
    assert shapes["neverCalled"] == 0
    assert shapes["area"] == 3


@pytest.mark.parametrize("folder", [C8, C8 / "ts"], ids=["js", "ts"])
def test_c8_lcov_info_gives_istanbul_totals_through_the_lcov_reader(folder: Path) -> None:
    """c8's lcov.info read by covgap's LCOV reader gives the same totals as the JSON."""
    if "lcov" not in {spec.name for spec in all_formats()}:
        pytest.skip("the LCOV reader (covgap.formats.lcov) is not registered yet")
    summary = json.loads((folder / "coverage-summary.json").read_text())
    cs = read_report(folder / "lcov.info")
    assert cs.inputs[0].format == "lcov"
    _assert_equals_summary(cs, summary)


def test_edge_fixture_equals_istanbul_lib_coverage() -> None:
    native = json.loads((EDGE / "istanbul-wrapped-sourcemap.native.json").read_text())
    cs = read_report(EDGE / "istanbul-wrapped-sourcemap.json")
    _assert_equals_summary(
        cs, {"total": native["total"]} | {k: v["summary"] for k, v in native["files"].items()}
    )
    fc = cs.files["/ci/build/src/app.ts"]
    expected_lines = native["files"]["/ci/build/src/app.ts"]["lines"]
    assert fc.hits_by_line() == {int(k): v for k, v in expected_lines.items()}
    assert {f.name for f in fc.functions} == {"(anonymous_0)", "(anonymous_0)#1", "later"}
    assert any("inputSourceMap" in note for note in cs.notes)


@pytest.mark.realtool
def test_fresh_c8_run_equals_its_summary(tmp_path: Path) -> None:
    """Re-run c8 (from tools/node) on the JS and TS programs; compare with its summary."""
    require_tool("node")
    if not (C8_BIN.exists() and C8_BIN.with_name("tsc").exists()):
        if os.environ.get("COVGAP_REQUIRE_TOOLS"):
            pytest.fail("tools/node has no c8 or tsc; run make node-tools")
        pytest.skip("tools/node has no c8 or tsc (make node-tools installs them)")
    env = dict(os.environ, OUT=str(tmp_path), SKIP_NYC="1")
    subprocess.run(["sh", str(C8 / "make.sh")], check=True, env=env, timeout=120)
    for folder in (tmp_path, tmp_path / "ts"):
        cs = read_report(folder / "coverage-final.json")
        _assert_equals_summary(cs, json.loads((folder / "coverage-summary.json").read_text()))
    assert set(read_report(tmp_path / "ts" / "coverage-final.json").files) == {
        "src/geo.ts",
        "src/main.ts",
    }


def test_sniff() -> None:
    assert sniff((C8 / "coverage-final.json").read_bytes()[:2000], "coverage-final.json")
    assert sniff((C8 / "nyc" / "coverage-final.json").read_bytes()[:2000], "x.json")
    assert sniff((EDGE / "istanbul-wrapped-sourcemap.json").read_bytes(), "x.json")
    assert not sniff(b'{"meta": {"format": 3}, "files": {}}', "coverage-final.json")
    assert not sniff(b'{"a.rb": {"lines": [1, null]}}', "coverage-final.json")
    assert detect(C8 / "coverage-final.json").name == "istanbul"


def _doc(**overrides: object) -> bytes:
    data: dict[str, object] = {
        "path": "a.js",
        "statementMap": {"0": {"start": {"line": 1, "column": 0}, "end": {"line": 1}}},
        "s": {"0": 1},
        "fnMap": {},
        "f": {},
        "branchMap": {},
        "b": {},
    }
    data.update(overrides)
    return json.dumps({"a.js": data}).encode()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_doc(s={"0": -1}), '["a.js"].s["0"]: a hit count (integer >= 0) out of range: -1'),
        (_doc(s={"0": "1"}), '["a.js"].s["0"]: expected a hit count (integer >= 0), got string'),
        (_doc(s={"0": 2**63}), "out of range: 9223372036854775808"),
        (_doc(s={"0": 1.5}), "got number 1.5"),
        (_doc(b={"0": [1]}), 'b["0"]: branch has no branchMap entry'),
        (_doc(f={"0": 1}), 'f["0"]: function has no fnMap entry'),
        (_doc(b={"0": 3}), 'b["0"]: expected an array, got integer 3'),
        (
            _doc(statementMap={"0": {"start": {"line": 0, "column": 0}}}),
            'statementMap["0"].start.line: a line number (integer >= 1) out of range: 0',
        ),
        (_doc(statementMap={"0": {"end": {}}}), 'statementMap["0"]: missing required key "start"'),
        (b"[1, 2]", "not an Istanbul coverage map"),
        (b'{"a.js": {"path": "a.js"}}', '["a.js"]: missing required key "statementMap"'),
    ],
)
def test_bad_input_names_the_json_path(doc: bytes, message: str) -> None:
    with pytest.raises(FormatError) as err:
        read(io.BytesIO(doc), "bad.json")
    assert message in str(err.value)


def test_truncated_report_is_an_error_with_position() -> None:
    whole = (C8 / "coverage-final.json").read_bytes()
    with pytest.raises(FormatError) as err:
        read(io.BytesIO(whole[:-40]), "cut.json")
    assert "truncated" in str(err.value)
    assert err.value.line is not None and err.value.column is not None


# The shape istanbul 0.4's ``coverage.json`` has (issue #10): fnMap entries with
# ``line`` and ``loc``, branchMap entries with ``line``/``type``/``locations`` and no
# ``loc``, and the derived ``l`` (per-line counts) that 0.x writes beside ``s``.
ISTANBUL_0X = {
    "/src/a.js": {
        "path": "/src/a.js",
        "s": {"1": 1, "2": 1, "3": 0, "4": 1},
        "b": {"1": [1, 0], "2": [0, 0, 1]},
        "f": {"1": 1, "2": 0},
        "fnMap": {
            "1": {
                "name": "main",
                "line": 1,
                "loc": {"start": {"line": 1, "column": 0}, "end": {"line": 1, "column": 16}},
            },
            "2": {
                "name": "unused",
                "line": 9,
                "loc": {"start": {"line": 9, "column": 0}, "end": {"line": 9, "column": 18}},
            },
        },
        "statementMap": {
            "1": {"start": {"line": 2, "column": 2}, "end": {"line": 2, "column": 9}},
            "2": {"start": {"line": 3, "column": 2}, "end": {"line": 5, "column": 3}},
            "3": {"start": {"line": 4, "column": 4}, "end": {"line": 4, "column": 12}},
            "4": {"start": {"line": 6, "column": 2}, "end": {"line": 6, "column": 11}},
        },
        "branchMap": {
            "1": {
                "line": 3,
                "type": "if",
                "locations": [
                    {"start": {"line": 3, "column": 2}, "end": {"line": 3, "column": 2}},
                    {"start": {"line": 3, "column": 2}, "end": {"line": 3, "column": 2}},
                ],
            },
            "2": {
                "line": 6,
                "type": "switch",
                "locations": [
                    {"start": {"line": 7, "column": 4}, "end": {"line": 7, "column": 9}},
                    {"start": {"line": 7, "column": 4}, "end": {"line": 7, "column": 9}},
                    {"start": {"line": 8, "column": 4}, "end": {"line": 8, "column": 9}},
                ],
            },
        },
        "l": {"2": 1, "3": 1, "4": 0, "6": 1},
    }
}


def test_istanbul_0x_coverage_json_is_read() -> None:
    """Was refused with 'missing required key "loc"'; branches sit on their ``line``."""
    data = json.dumps(ISTANBUL_0X).encode()
    assert sniff(data, "coverage.json")
    cs = read(io.BytesIO(data), "coverage.json")
    fc = cs.files["/src/a.js"]
    # Lines: 0.x's own derived per-line counts ("l").
    assert fc.hits_by_line() == {int(k): v for k, v in ISTANBUL_0X["/src/a.js"]["l"].items()}
    assert [(b.line, b.block, b.branch, b.taken) for b in fc.branches()] == [
        (3, 1, 0, 1),
        (3, 1, 1, 0),
        (6, 2, 0, 0),
        (6, 2, 1, 0),
        (6, 2, 2, 1),
    ]
    assert [(f.name, f.start_line, f.hits) for f in fc.functions] == [
        ("main", 1, 1),
        ("unused", 9, 0),
    ]


def test_a_branch_with_only_locations_sits_on_the_first_one() -> None:
    doc = json.loads(json.dumps(ISTANBUL_0X))
    del doc["/src/a.js"]["branchMap"]["2"]["line"]
    fc = read(io.BytesIO(json.dumps(doc).encode()), "c.json").files["/src/a.js"]
    assert {b.line for b in fc.branches() if b.block == 2} == {7}
    doc["/src/a.js"]["branchMap"]["2"]["locations"] = []
    with pytest.raises(FormatError, match="branch has no loc, line or locations"):
        read(io.BytesIO(json.dumps(doc).encode()), "c.json")


# solidity-coverage's ``coverage.json`` (Hardhat, Truffle): Istanbul file objects whose
# keys come in the order ``l, path, s, b, f, fnMap, statementMap, branchMap`` and whose
# keys are Windows-relative paths. Hand-written in that shape; the expected totals are
# istanbul-lib-coverage 3.2's ``toSummary`` (the library solidity-coverage reports with):
# lines come from the statements (4 lines, not the 5 of ``l``), branches 3/4, functions 2/2.
SOLIDITY_COVERAGE = (
    b'{"contracts\\\\Fund.sol":{"l":{"21":3,"22":3,"26":0,"35":2,"36":2},'
    b'"path":"C:\\\\Users\\\\dev\\\\fund\\\\contracts\\\\Fund.sol",'
    b'"s":{"1":3,"2":3,"3":0,"4":2},"b":{"1":[3,0],"2":[1,2]},"f":{"1":3,"2":2},'
    b'"fnMap":{"1":{"name":"constructor","line":20,"loc":{"start":{"line":20,"column":4},'
    b'"end":{"line":27,"column":4}}},"2":{"name":"withdraw","line":34,"loc":{"start":'
    b'{"line":34,"column":4},"end":{"line":37,"column":4}}}},'
    b'"statementMap":{"1":{"start":{"line":21,"column":8},"end":{"line":21,"column":27}},'
    b'"2":{"start":{"line":22,"column":8},"end":{"line":22,"column":59}},'
    b'"3":{"start":{"line":26,"column":8},"end":{"line":26,"column":60}},'
    b'"4":{"start":{"line":35,"column":8},"end":{"line":35,"column":52}}},'
    b'"branchMap":{"1":{"line":22,"type":"if","locations":[{"start":{"line":22,"column":8},'
    b'"end":{"line":22,"column":8}},{"start":{"line":22,"column":8},"end":{"line":22,'
    b'"column":8}}]},"2":{"line":35,"type":"if","locations":[{"start":{"line":35,'
    b'"column":8},"end":{"line":35,"column":8}},{"start":{"line":35,"column":8},'
    b'"end":{"line":35,"column":8}}]}}}}'
)


def test_solidity_coverage_json_is_detected_and_counted(tmp_path: Path) -> None:
    """Was 'not a coverage format covgap recognises': the sniffer wanted ``path`` first."""
    report = tmp_path / "coverage.json"
    report.write_bytes(SOLIDITY_COVERAGE)
    assert detect(report).name == "istanbul"
    totals = read_report(report).totals()
    assert (totals.lines_total, totals.lines_covered) == (4, 3)
    assert (totals.branches_total, totals.branches_covered) == (4, 3)
    assert (totals.functions_total, totals.functions_covered) == (2, 2)


@pytest.mark.parametrize(
    "first", ["l", "s", "b", "f", "fnMap", "statementMap", "branchMap", "path", "hash"]
)
def test_sniff_accepts_any_file_coverage_key_first(first: str) -> None:
    """JSON objects are unordered: whichever FileCoverage key a writer puts first."""
    member = {"statementMap": {}, "s": {}, "fnMap": {}, "f": {}, "branchMap": {}, "b": {}}
    member = {first: member.get(first, {}), **member}
    assert sniff(json.dumps({"a.js": member}).encode(), "x.json")


@pytest.mark.parametrize("text", ["{}\n", "{}", "\ufeff{ }\r\n"])
def test_empty_coverage_final_json_is_an_istanbul_report_of_no_files(
    tmp_path: Path, text: str
) -> None:
    """Istanbul's JSON reporter writes ``{}`` when nothing was instrumented; it was
    refused as "not a coverage format covgap recognises" (``nyc report``: 0/0)."""
    report = tmp_path / "coverage-final.json"
    report.write_text(text, encoding="utf-8")
    assert detect(report).name == "istanbul"
    cs = read_report(report)
    assert cs.files == {}
    other = tmp_path / "settings.json"  # an empty object under another name: unknown
    other.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="not a coverage format"):
        detect(other)


def test_json_summary_is_refused_with_the_file_to_use(tmp_path: Path) -> None:
    """coverage-summary.json (Istanbul's json-summary reporter: totals, no lines) was
    "not a coverage format covgap recognises"; it now says which report to pass."""
    report = tmp_path / "coverage-summary.json"
    report.write_bytes((C8 / "coverage-summary.json").read_bytes())
    with pytest.raises(InputError, match=r"json-summary .* covgap reads coverage-final\.json"):
        read_report(report)
    # Forced to Istanbul, the reader says the same.
    with pytest.raises(FormatError, match=r"json-summary .* covgap reads coverage-final\.json"):
        read_report(report, format_name="istanbul")


_KEYS = ["path", "statementMap", "s", "fnMap", "f", "branchMap", "b", "l", "hash"]


@given(st.permutations(_KEYS))
@settings(max_examples=60, deadline=None)
def test_any_key_order_is_detected_and_counted_the_same(order: list[str]) -> None:
    """Writers order a file's keys as they like (solidity-coverage puts "l" first)."""
    member: dict[str, object] = {
        "path": "/p/a.js",
        "statementMap": {
            "0": {"start": {"line": 1, "column": 0}, "end": {"line": 1, "column": 5}},
            "1": {"start": {"line": 2, "column": 0}, "end": {"line": 2, "column": 5}},
        },
        "s": {"0": 1, "1": 0},
        "fnMap": {"0": {"name": "f", "line": 1, "loc": {"start": {"line": 1, "column": 0}}}},
        "f": {"0": 1},
        "branchMap": {"0": {"line": 2, "type": "if", "locations": []}},
        "b": {"0": [1, 0]},
        "l": {"1": 1, "2": 0},
        "hash": "x",
    }
    data = json.dumps({"/p/a.js": {k: member[k] for k in order}}).encode()
    assert sniff(data, "coverage.json")
    totals = read(io.BytesIO(data), "coverage.json").totals()
    assert (totals.lines_total, totals.lines_covered) == (2, 1)
    assert (totals.branches_total, totals.branches_covered) == (2, 1)
    assert (totals.functions_total, totals.functions_covered) == (1, 1)
