"""llvm-cov export JSON reader: lines, functions and branches as llvm-cov counts them."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, require_tool
from covgap.discovery import discover_reports
from covgap.errors import FormatError, InputError
from covgap.formats import detect, read_report
from covgap.formats.llvm_json import MAX_FILE_LINES, line_counts, read, sniff
from covgap.model import CoverageSet

HERE = DATA / "llvm-cov"
HERE_C = DATA / "llvm-cov-c"
EDGE = DATA / "edge"


def _lcov_records(path: Path) -> dict[str, dict[str, Any]]:
    """The DA and BRDA records of llvm-cov's own LCOV export, per source file."""
    out: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] = {}
    for row in path.read_text().splitlines():
        tag, _, value = row.partition(":")
        if tag == "SF":
            current = out.setdefault(value, {"DA": {}, "BRDA": set(), "LF": 0})
        elif tag == "DA":
            line, count = value.split(",")[:2]
            current["DA"][int(line)] = int(count)
        elif tag == "BRDA":
            line, block, branch, taken = value.split(",")
            current["BRDA"].add(
                (int(line), int(block), int(branch), None if taken == "-" else int(taken))
            )
        elif tag == "LF":
            current["LF"] = int(value)
    return out


def _group_lines(cs: CoverageSet, export: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per file and function: how many of covgap's lines lie in the function's regions.

    llvm-cov's per-function Lines column counts exactly these (the lines of the file
    view that the function's own code regions span).
    """
    out: dict[str, dict[str, int]] = {}
    for fn in export["data"][0]["functions"]:
        path = fn["filenames"][0]
        span: set[int] = set()
        for r in fn["regions"]:
            if r[7] == 0 and r[5] == 0:  # code regions of the function's own file
                span.update(range(r[0], r[2] + 1))
        out.setdefault(path, {})[fn["name"]] = len(span & set(cs.files[path].lines))
    return out


def _check_against_llvm_cov(folder: Path) -> None:
    native = json.loads((folder / "native.json").read_text())
    export = json.loads((folder / "export.json").read_text())
    lcov = _lcov_records(folder / "export.info")
    cs = read_report(folder / "export.json")
    assert cs.inputs[0].format == "llvm-json"
    report = {f"src/{k}": v for k, v in native["files"].items() if k != "TOTAL"}
    assert set(report) == set(cs.files)
    per_fn = _group_lines(cs, export)
    for path, row in report.items():
        fc = cs.files[path]
        c = fc.counts()
        # Functions and branches: llvm-cov report's own figures, exactly.
        assert (c.functions_total, c.functions_missed) == (
            row["functions"],
            row["functions_missed"],
        ), path
        assert (c.branches_total, c.branches_missed) == (
            row["branches"],
            row["branches_missed"],
        ), path
        # Lines: covgap's are the file view's, i.e. llvm-cov's DA records, counts too.
        assert fc.hits_by_line() == lcov[path]["DA"], path
        # llvm-cov report adds each function's lines; check covgap's lines explain its
        # per-function rows exactly, and so the file row (instantiations take the max).
        for name, n in per_fn[path].items():
            assert n == native["functions"][path][name]["lines"], (path, name)
        groups: dict[tuple[int, int], int] = {}
        for fn in export["data"][0]["functions"]:
            if fn["filenames"][0] == path:
                key = (fn["regions"][0][0], fn["regions"][0][1])
                groups[key] = max(groups.get(key, 0), per_fn[path][fn["name"]])
        assert sum(groups.values()) == row["lines"], path
        # Where no two functions share a line, the two line totals are one number.
        if sum(groups.values()) == c.lines_total:
            assert c.lines_missed == row["lines_missed"], path
        # Every branch is one of llvm-cov's own BRDA records (same line, block, ids).
        assert {tuple(b) for b in fc.branches()} <= lcov[path]["BRDA"], path
    total = native["files"]["TOTAL"]
    t = cs.totals()
    assert (t.functions_total, t.functions_missed) == (
        total["functions"],
        total["functions_missed"],
    )
    assert (t.branches_total, t.branches_missed) == (total["branches"], total["branches_missed"])


def test_committed_export_equals_llvm_cov_report() -> None:
    _check_against_llvm_cov(HERE)


def _check_filtered(folder: Path) -> None:
    """Function records of a file the export left out are not counted, as in the report."""
    native = json.loads((folder / "native.json").read_text())["filtered_total"]
    cs = read_report(folder / "export-filtered.json")
    assert set(cs.files) == {"src/main.rs", "src/util.rs"}
    t = cs.totals()
    assert (t.functions_total, t.functions_missed) == (
        native["functions"],
        native["functions_missed"],
    )
    assert (t.branches_total, t.branches_missed) == (native["branches"], native["branches_missed"])
    assert any("were left out" in note for note in cs.notes)


def test_filtered_export_ignores_function_records_of_unlisted_files() -> None:
    _check_filtered(HERE)


def test_fixture_exercises_shared_lines_and_instantiations() -> None:
    """The fixture has the cases the checks above are about; keep it that way."""
    native = json.loads((HERE / "native.json").read_text())
    cs = read_report(HERE / "export.json")
    main = cs.files["src/main.rs"].counts()
    assert main.lines_total < native["files"]["main.rs"]["lines"]  # closures share lines
    util = cs.files["src/util.rs"]
    # `largest` is instantiated twice (i64, &str) and is one function, as in the report.
    instances = [k for k in native["functions"]["src/util.rs"] if k != "TOTAL"]
    assert len(instances) == len(util.functions) + 1
    assert any(f.hits == 0 for f in util.functions)


@pytest.mark.realtool
def test_fresh_rust_build_equals_llvm_cov_report(tmp_path: Path) -> None:
    """Rebuild the crate with rustc, run it, and compare with llvm-cov-19 report."""
    require_tool("rustc", "llvm-cov-19", "llvm-profdata-19", "python3")
    env = dict(os.environ, OUT=str(tmp_path))
    subprocess.run(["sh", str(HERE / "make.sh")], check=True, env=env, timeout=300)
    _check_against_llvm_cov(tmp_path)
    _check_filtered(tmp_path)


def _check_c_against_llvm_cov(folder: Path) -> None:
    """covgap's figures for the clang build are llvm-cov report's, per file and in total."""
    native = json.loads((folder / "native.json").read_text())
    cs = read_report(folder / "export.json")
    report = {f"src/{k}": v for k, v in native["files"].items() if k != "TOTAL"}
    assert set(report) == set(cs.files)
    for path, row in report.items():
        c = cs.files[path].counts()
        assert (c.lines_total, c.lines_missed) == (row["lines"], row["lines_missed"]), path
        assert (c.functions_total, c.functions_missed) == (
            row["functions"],
            row["functions_missed"],
        ), path
        assert (c.branches_total, c.branches_missed) == (
            row["branches"],
            row["branches_missed"],
        ), path
    t = cs.totals()
    totals = native["export_totals"]
    assert (t.lines_total, t.lines_covered) == (
        totals["lines"]["count"],
        totals["lines"]["covered"],
    )
    assert (t.functions_total, t.functions_covered) == (
        totals["functions"]["count"],
        totals["functions"]["covered"],
    )
    assert (t.branches_total, t.branches_covered) == (
        totals["branches"]["count"],
        totals["branches"]["covered"],
    )
    assert native["files"]["TOTAL"]["lines"] == t.lines_total
    assert not any("differ from covgap's count" in note for note in cs.notes), cs.notes
    # The lines covgap leaves out are exactly the macro bodies llvm-cov show maps
    # (its DA records): util.c's SWAP_IF_GREATER (lines 6-12) and util.h's
    # POSITIVE_OR (16-18), both outside every function of their file.
    lcov = _lcov_records(folder / "export.info")
    left_out = {path: sorted(set(lcov[path]["DA"]) - set(cs.files[path].lines)) for path in report}
    assert left_out == {
        "src/main.c": [],
        "src/shapes.c": [],
        "src/util.c": list(range(6, 13)),
        "src/util.h": [16, 17, 18],
    }
    for path in report:  # every other line has llvm-cov's own count
        kept = cs.files[path].hits_by_line()
        assert kept == {k: v for k, v in lcov[path]["DA"].items() if k in kept}, path


def test_committed_c_export_equals_llvm_cov_report() -> None:
    """clang's macro bodies are in the file view but not in llvm-cov report (#10)."""
    _check_c_against_llvm_cov(HERE_C)


def test_c_lcov_export_note_gives_llvm_covs_lf_and_the_da_records() -> None:
    """llvm-cov's own LCOV export lists macro bodies in DA but not in LF: both said."""
    native = json.loads((HERE_C / "native.json").read_text())["files"]["TOTAL"]
    cs = read_report(HERE_C / "export.info")
    da = sum(len(r["DA"]) for r in _lcov_records(HERE_C / "export.info").values())
    assert cs.totals().lines_total == da == native["lines"] + 10
    [note] = [n for n in cs.notes if "differ from covgap's count" in n]
    covered = native["lines"] - native["lines_missed"]
    assert f"lines {covered}/{native['lines']} in the report" in note


@pytest.mark.realtool
def test_fresh_c_build_equals_llvm_cov_report(tmp_path: Path) -> None:
    """Rebuild the C program with clang-19, run it, and compare with llvm-cov-19 report."""
    require_tool("clang-19", "llvm-cov-19", "llvm-profdata-19", "python3")
    env = dict(os.environ, OUT=str(tmp_path))
    subprocess.run(["sh", str(HERE_C / "make.sh")], check=True, env=env, timeout=300)
    _check_c_against_llvm_cov(tmp_path)


def test_edge_expansions_gaps_and_version_2_0_0() -> None:
    cs = read_report(EDGE / "llvm-expansion-v2.0.0.json")
    assert cs.notes == ()
    mc = cs.files["/src/m.c"]
    # Line 3 is in the file's segments but in no function defined in m.c (as the body
    # of a macro defined there is): llvm-cov report does not count it, nor does covgap.
    assert mc.hits_by_line() == {5: 5, 6: 5, 7: 0, 8: 5}
    assert [(f.name, f.start_line, f.end_line, f.hits) for f in mc.functions] == [("f", 5, 8, 5)]
    # The macro's branch is counted for f, on the expansion's line; then f's own one.
    assert list(mc.branches()) == [
        (6, 0, 0, 5),
        (6, 0, 1, 0),
        (6, 1, 2, None),
        (6, 1, 3, None),
    ]
    mh = cs.files["/src/m.h"]
    assert mh.hits_by_line() == {1: 5}
    assert [(f.name, f.hits) for f in mh.functions] == [("inline_helper", 0)]


def test_line_counts_follow_line_coverage_stats() -> None:
    seg = [
        (1, 1, 4, True, True, False),  # region entry: mapped, 4
        (2, 5, 9, True, True, True),  # gap region entry: wrapped 4 still counts
        (3, 1, 0, True, False, False),  # not an entry: wrapped 9 (from the gap)
        (5, 1, 0, False, True, False),  # skipped region: line 4 wrapped 0, 5 unmapped
        (7, 1, 2, True, True, False),
        (7, 9, 6, True, True, False),  # two entries: the max
    ]
    assert line_counts(seg) == {1: 4, 2: 4, 3: 9, 4: 0, 7: 6}
    assert line_counts([]) == {}


def test_instantiation_group_keeps_the_best_instantiations_branches() -> None:
    def fn(name: str, true: int, false: int) -> dict[str, Any]:
        return {
            "name": name,
            "count": 1,
            "filenames": ["g.rs"],
            "regions": [[1, 1, 3, 2, 1, 0, 0, 0]],
            "branches": [[2, 4, 2, 9, true, false, 0, 0, 4]],
        }

    doc = {
        "data": [
            {
                "files": [{"filename": "g.rs", "segments": [[1, 1, 1, True, True, False]]}],
                "functions": [fn("g_i64", 0, 3), fn("g_str", 2, 0), fn("g_u8", 0, 0)],
            }
        ]
    }
    cs = read(io.BytesIO(json.dumps(doc).encode()), "g.json")
    fc = cs.files["g.rs"]
    assert [(f.name, f.hits) for f in fc.functions] == [("g_i64", 3)]
    assert [b.taken for b in fc.branches()] == [0, 3]  # first with one covered outcome
    assert fc.counts().branches_total == 2


def test_sniff() -> None:
    head = (HERE / "export.json").read_bytes()[:4096]
    assert sniff(head, "export.json")
    assert sniff(b'{"type": "llvm.coverage.json.export", "data": []}', "x.json")
    assert not sniff(b'{"meta": {"branch_coverage": true}, "files": {}}', "x.json")
    assert not sniff(b'{"data": {"x": 1}}', "x.json")
    assert detect(HERE / "export.json").name == "llvm-json"


def _export(**file_overrides: object) -> bytes:
    entry: dict[str, object] = {"filename": "a.rs", "segments": [[1, 1, 1, True, True, False]]}
    entry.update(file_overrides)
    return json.dumps({"data": [{"files": [entry], "functions": []}]}).encode()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_export(segments=[[1, 1, -1, True, True, False]]), "out of range: -1"),
        (_export(segments=[[1, 1, "3", True, True, False]]), "got string"),
        (_export(segments=[[1, 1, 2**64 + 1, True, True, False]]), "number"),
        (_export(segments=[[1, 1, 1, 1, True, False]]), "booleans"),
        (_export(segments=[[1, 1, 1]]), "data[0].files[0].segments[0]: expected a segment"),
        (
            _export(segments=[[2, 1, 1, True, True, False], [1, 1, 1, True, True, False]]),
            "out of order",
        ),
        (_export(segments=None), "segments: expected an array, got null"),
        (
            _export(segments=[[1, 1, 5, True, True, False], [2_000_000_000, 1, 0, False, False]]),
            f"more than {MAX_FILE_LINES} mapped lines",
        ),
        (json.dumps({"data": [{"files": [{"filename": "a.rs"}]}]}).encode(), "-summary-only"),
        (json.dumps({"data": [{"files": [{}]}]}).encode(), 'missing required key "filename"'),
        (b'{"data": [], "type": "something.else"}', "type is 'something.else'"),
        (b'{"files": []}', "not an llvm-cov export"),
        (
            json.dumps(
                {
                    "data": [
                        {
                            "files": [],
                            "functions": [
                                {
                                    "name": "f",
                                    "count": 1,
                                    "filenames": ["a.rs"],
                                    "regions": [[1, 1, 2, 1, 1, 3, 0, 0]],
                                }
                            ],
                        }
                    ]
                }
            ).encode(),
            "file id 3 has no entry in filenames",
        ),
    ],
)
def test_bad_input_names_the_json_path(doc: bytes, message: str) -> None:
    with pytest.raises(FormatError) as err:
        read(io.BytesIO(doc), "bad.json")
    assert message in str(err.value)
    assert str(err.value).startswith("bad.json")


def test_unknown_major_version_is_read_with_a_note() -> None:
    doc = json.loads(_export())
    doc["version"] = "9.0.0"
    cs = read(io.BytesIO(json.dumps(doc).encode()), "v9.json")
    assert cs.files["a.rs"].hits_by_line() == {1: 1}
    assert "9.0.0" in cs.notes[0]


def test_truncated_export_is_an_error() -> None:
    whole = (HERE / "export.json").read_bytes()
    with pytest.raises(FormatError) as err:
        read(io.BytesIO(whole[: len(whole) * 2 // 3]), "cut.json")
    assert "truncated" in str(err.value)


def test_summary_that_differs_from_the_lines_is_said_with_both_figures() -> None:
    """llvm-cov report's Lines (real, native.json) differ from the distinct lines (#10)."""
    native = json.loads((HERE / "native.json").read_text())
    cs = read_report(HERE / "export.json")
    notes = [n for n in cs.notes if "llvm-cov's per-file summary" in n]
    assert len(notes) == 1  # one note for the input
    row = native["files"]["main.rs"]
    c = cs.files["src/main.rs"].counts()
    covered = row["lines"] - row["lines_missed"]
    assert (
        f"src/main.rs: {covered}/{row['lines']} lines vs {c.lines_covered}/{c.lines_total}"
        in (notes[0])
    )
    total = native["files"]["TOTAL"]
    t = cs.totals()
    assert (
        f"lines {total['lines'] - total['lines_missed']}/{total['lines']} in the report, "
        f"{t.lines_covered}/{t.lines_total} counted by covgap" in notes[0]
    )


def test_export_totals_are_compared_when_files_have_no_summary() -> None:
    doc = json.loads((HERE / "export.json").read_text())
    for f in doc["data"][0]["files"]:
        f.pop("summary", None)
    doc["data"][0]["totals"]["lines"]["count"] += 7
    cs = read(io.BytesIO(json.dumps(doc).encode()), "e.json")
    (note,) = [n for n in cs.notes if "llvm-cov's per-file summary" in n]
    assert "totals: " in note


def test_a_header_only_expanded_into_other_files_has_no_lines_of_its_own() -> None:
    """A header whose only mapped code is a macro body expanded in m.c's function: no
    function of the header, so no lines (llvm-cov report's row for it is 0 lines)."""
    doc = json.loads((EDGE / "llvm-expansion-v2.0.0.json").read_text())
    export = doc["data"][0]
    export["functions"] = [f for f in export["functions"] if f["name"] != "inline_helper"]
    cs = read(io.BytesIO(json.dumps(doc).encode()), "hdr.json")
    assert cs.files["/src/m.h"].hits_by_line() == {}
    assert cs.files["/src/m.c"].hits_by_line() == {5: 5, 6: 5, 7: 0, 8: 5}


def _summary_only(export: dict[str, Any]) -> bytes:
    """The -summary-only form of an export: files keep only filename and summary, in
    llvm-cov's sorted key order (what `llvm-cov export -summary-only` writes)."""
    data = [
        {
            "files": [{"filename": f["filename"], "summary": f["summary"]} for f in d["files"]],
            "totals": d["totals"],
        }
        for d in export["data"]
    ]
    return json.dumps(
        {"data": data, "type": export["type"], "version": export["version"]},
        separators=(",", ":"),
    ).encode()


def test_summary_only_export_is_refused_at_detection(tmp_path: Path) -> None:
    """A -summary-only export saved as coverage.json (cargo llvm-cov --json --summary-only,
    for badges) was picked up by discovery and failed the whole run; it is now refused
    when detected (discovery passes over it) and says how to export instead."""
    export = json.loads((HERE / "export.json").read_text())
    (tmp_path / "coverage.json").write_bytes(_summary_only(export))
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "cov.json").write_bytes((HERE / "export.json").read_bytes())
    with pytest.raises(InputError, match=r"-summary-only llvm-cov export .* export again"):
        detect(tmp_path / "coverage.json")
    assert [p.name for p in discover_reports(tmp_path)] == ["cov.json"]
    assert detect(tmp_path / "target" / "cov.json").name == "llvm-json"


@pytest.mark.parametrize("exact", [False, True])
def test_skip_functions_export_says_why_branches_are_unknown(tmp_path: Path, exact: bool) -> None:
    """An export made with -skip-functions has no function records, where llvm-cov
    keeps branches: the no-branch note says so, not "measured without branch
    coverage? `cargo llvm-cov --branch`" (a wrong remedy: the run had branches)."""
    from covgap.formats import llvm_json
    from covgap.pipeline import InputSpec, branch_note

    doc = json.loads((DATA / "llvm-cov" / "export.json").read_text())
    for export in doc["data"]:
        export.pop("functions", None)
    path = tmp_path / "skipfn.json"
    path.write_text(json.dumps(doc))
    reader = llvm_json._read_exact if exact else read
    with path.open("rb") as fh:
        cs = reader(fh, str(path))
    note = branch_note(InputSpec(path), cs)
    assert note is not None and "-skip-functions" in note and "--branch" not in note
    with (DATA / "llvm-cov" / "export.json").open("rb") as fh:
        normal = reader(fh, "export.json")
    assert normal.branches_unknown is None
    assert branch_note(InputSpec(DATA / "llvm-cov" / "export.json"), normal) is None
