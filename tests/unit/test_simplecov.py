"""SimpleCov reader: totals equal SimpleCov's own merged result on real output."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, require_tool
from covgap.errors import FormatError, InputError
from covgap.formats import detect, read_report
from covgap.formats.simplecov import merge_line_arrays, read, sniff
from covgap.model import CoverageSet

HERE = DATA / "simplecov"
EDGE = DATA / "edge"
INPUTS = ("resultset.json", "resultset-old.json")


def _check_against_simplecov(cs: CoverageSet, native: dict[str, Any]) -> None:
    t = cs.totals()
    assert t.lines_total == native["total_lines"]
    assert t.lines_covered == native["covered_lines"]
    assert t.lines_missed == native["missed_lines"]
    assert t.branches_total == native["total_branches"]
    assert t.branches_covered == native["covered_branches"]
    assert 100.0 * t.lines_covered / t.lines_total == pytest.approx(native["covered_percent"])
    assert set(cs.files) == set(native["files"])
    for name, figures in native["files"].items():
        c = cs.files[name].counts()
        assert c.lines_total == figures["lines_of_code"], name
        assert (c.lines_covered, c.lines_missed) == (
            figures["covered_lines"],
            figures["missed_lines"],
        ), name
        assert (c.branches_total, c.branches_covered) == (
            figures["total_branches"],
            figures["covered_branches"],
        ), name


@pytest.mark.parametrize("name", INPUTS)
def test_committed_resultsets_equal_simplecov_result(name: str) -> None:
    native = json.loads((HERE / "native.json").read_text())
    cs = read_report(HERE / name)
    assert cs.inputs[0].format == "simplecov"
    _check_against_simplecov(cs, native[name])


def test_fixture_has_two_commands_to_merge() -> None:
    raw = json.loads((HERE / "resultset.json").read_text())
    assert len(raw) == 2
    # lib/calc.rb is in both commands: its counts are summed.
    calc = [entry["coverage"]["lib/calc.rb"]["lines"] for entry in raw.values()]
    cs = read_report(HERE / "resultset.json")
    expected = {i + 1: a + b for i, (a, b) in enumerate(zip(*calc, strict=True)) if a is not None}
    assert cs.files["lib/calc.rb"].hits_by_line() == expected


@pytest.mark.realtool
def test_fresh_rspec_run_equals_simplecov_result(tmp_path: Path) -> None:
    """Re-run the RSpec suite under SimpleCov and compare with SimpleCov's figures."""
    require_tool("ruby", "rspec")
    env = dict(os.environ, OUT=str(tmp_path))
    subprocess.run(["sh", str(HERE / "make.sh")], check=True, env=env, timeout=120)
    native = json.loads((tmp_path / "native.json").read_text())
    for name in INPUTS:
        _check_against_simplecov(read_report(tmp_path / name), native[name])


def test_branches_sit_on_simplecovs_report_line() -> None:
    cs = read_report(HERE / "resultset.json")
    raw = json.loads((HERE / "resultset.json").read_text())
    conditions = raw["shapes"]["coverage"]["lib/shapes.rb"]["branches"]
    # The ternary on line 11 is inline: its branches are reported on line 11.
    assert any(key.startswith("[:if") and ", 11, " in key for key in conditions)
    lines = {b.line for b in cs.files["lib/shapes.rb"].branches()}
    assert 11 in lines
    # calc.rb's `if n.positive?` (line 10) has its `then` on line 11: reported on 10.
    calc = {(b.block, b.branch): b.line for b in cs.files["lib/calc.rb"].branches()}
    assert calc[(6, 7)] == 10


def test_json_formatter_coverage_json() -> None:
    cs = read_report(EDGE / "simplecov-json-formatter.json")
    assert cs.inputs[0].format == "simplecov"
    calc = cs.files["/app/lib/calc.rb"]
    assert calc.hits_by_line() == {2: 1, 3: 1, 4: 2, 6: 1, 11: 1, 12: 0, 13: 0}
    c = calc.counts()
    assert (c.branches_total, c.branches_covered) == (4, 2)
    assert [b.line for b in calc.branches()] == [4, 4, 12, 13]  # their start lines
    assert cs.files["/app/lib/empty.rb"].counts().lines_total == 0


def test_json_formatter_newer_keys_are_tolerated() -> None:
    """simplecov_json_formatter 0.1.4+ adds meta.config, per-file percent and errors."""
    doc = {
        "meta": {"simplecov_version": "0.21.2", "config": {"minimum_coverage": 80}},
        "coverage": {"a.rb": {"lines": [None, 0, 1, "ignored"], "percent": 50.0}},
        "errors": {"less_than_minimum_coverage": {"a.rb": 50.0}},
        "groups": {},
    }
    data = json.dumps(doc).encode()
    assert sniff(data, "coverage.json")
    assert read(io.BytesIO(data), "c.json").files["a.rb"].hits_by_line() == {2: 0, 3: 1}


def test_merging_follows_lines_combiner() -> None:
    assert merge_line_arrays([None, 0, 1, 0, None], [0, 0, 1, None, None]) == [
        None,  # null + 0 is null
        0,
        2,
        None,
        None,
    ]
    assert merge_line_arrays([1, 2], [3]) == [4, 2]  # over the first array's positions
    doc = {
        "a": {"coverage": {"x.rb": [None, 0, 1]}, "timestamp": 1},
        "b": {"coverage": {"x.rb": {"lines": [0, None, 2]}}, "timestamp": 2},
    }
    cs = read(io.BytesIO(json.dumps(doc).encode()), "rs.json")
    assert cs.files["x.rb"].hits_by_line() == {3: 3}


def test_sniff() -> None:
    assert sniff((HERE / "resultset.json").read_bytes()[:4096], ".resultset.json")
    assert sniff((HERE / "resultset-old.json").read_bytes()[:4096], ".resultset.json")
    assert sniff((EDGE / "simplecov-json-formatter.json").read_bytes(), "coverage.json")
    assert not sniff(b'{"meta": {"format": 3, "branch_coverage": true}}', "coverage.json")
    assert not sniff(b'{"a.js": {"path": "a.js", "statementMap": {}}}', "coverage.json")
    assert detect(HERE / "resultset.json").name == "simplecov"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"RSpec": {"coverage": {"a.rb": [None, -1]}}}, 'RSpec.coverage["a.rb"][1]: a hit'),
        ({"RSpec": {"coverage": {"a.rb": {"lines": [1, "x"]}}}}, '["a.rb"].lines[1]'),
        ({"RSpec": {"coverage": {"a.rb": {"lines": [1, 1.5]}}}}, "got number 1.5"),
        ({"RSpec": {"coverage": {"a.rb": {"branches": {}}}}}, 'missing required key "lines"'),
        ({"RSpec": {"coverage": {"a.rb": 7}}}, 'RSpec.coverage["a.rb"]: expected an object'),
        ({"RSpec": {"coverage": []}}, "RSpec.coverage: expected an object, got array"),
        (
            {"RSpec": {"coverage": {"a.rb": {"lines": [1], "branches": {"oops": {}}}}}},
            "not a Ruby branch key",
        ),
        (
            {
                "RSpec": {
                    "coverage": {
                        "a.rb": {
                            "lines": [1],
                            "branches": {"[:if, 0, 1, 0, 1, 9]": {"[:then, 1, 1, 2, 1, 4]": -2}},
                        }
                    }
                }
            },
            "out of range: -2",
        ),
        ({"RSpec": {"coverage": {"a.rb": [1]}, "timestamp": "now"}}, "RSpec.timestamp"),
        ({"meta": {"simplecov_version": "0.22.0"}, "coverage": {"a.rb": {}}}, '"lines"'),
        ({"x": 1}, "not a SimpleCov .resultset.json"),
        ([1], "not a SimpleCov result"),
    ],
)
def test_bad_input_names_the_json_path(doc: object, message: str) -> None:
    with pytest.raises(FormatError) as err:
        read(io.BytesIO(json.dumps(doc).encode()), "bad.json")
    assert message in str(err.value)
    assert str(err.value).startswith("bad.json: ")


def test_truncated_resultset_is_an_error_with_position() -> None:
    whole = (HERE / "resultset.json").read_bytes()
    with pytest.raises(FormatError) as err:
        read(io.BytesIO(whole[:300]), "cut.json")
    assert "truncated" in str(err.value)
    assert err.value.line is not None and err.value.line > 1


@pytest.mark.parametrize(
    "text",
    [
        '{\n  "result": {\n    "line": 91.53,\n    "branch": 80.0\n  }\n}\n',
        '{"result": {"covered_percent": 91.5}}',
    ],
)
def test_last_run_json_is_refused_with_the_file_to_use(tmp_path: Path, text: str) -> None:
    """coverage/.last_run.json (percentages only) was "not a coverage format covgap
    recognises"; it now says to pass the .resultset.json beside it."""
    report = tmp_path / ".last_run.json"
    report.write_text(text)
    with pytest.raises(InputError, match=r"\.last_run\.json .* reads the \.resultset\.json"):
        read_report(report)
    with pytest.raises(FormatError, match=r"\.last_run\.json .* reads the \.resultset\.json"):
        read_report(report, format_name="simplecov")


def test_a_command_named_result_is_still_a_resultset(tmp_path: Path) -> None:
    """The .last_run.json check must not catch a resultset whose one command is "result"."""
    report = tmp_path / ".resultset.json"
    report.write_text(
        '{"result": {"coverage": {"/app/a.rb": {"lines": [1, 0, null]}}, "timestamp": 1}}'
    )
    totals = read_report(report).totals()
    assert (totals.lines_total, totals.lines_covered) == (2, 1)
