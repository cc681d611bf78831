"""End-to-end tests of ``covgap merge`` and ``covgap convert`` through the CLI."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
from array import array
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from covgap.cli import main
from covgap.formats import covgap_json, read_report
from covgap.model import CoverageSet, FileCoverage, Function

DATA = Path(__file__).resolve().parents[1] / "data"
PYDATA = DATA / "coveragepy-data"  # one coverage.py run as JSON, Cobertura and LCOV


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding the sources the coverage.py fixtures measured."""
    target = tmp_path / "repo"
    shutil.copytree(PYDATA / "src", target / "src")
    return target


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _line_sum(*paths: Path) -> dict[str, Counter[int]]:
    """The per-line sum of the inputs, each read on its own."""
    total: dict[str, Counter[int]] = {}
    for path in paths:
        for name, fc in read_report(path).files.items():
            acc = total.setdefault(name, Counter())
            for line, hits in fc.line_hits():
                acc[line] += hits
                acc.setdefault(line, 0)
    return total


def test_merge_mixed_formats_sums_lines_and_keeps_flags(repo: Path) -> None:
    inputs = (PYDATA / "lines.json", PYDATA / "lines.xml", PYDATA / "lines.info")
    out = repo / "merged.json"
    code, stdout, stderr = run(
        "merge",
        "--repo",
        str(repo),
        f"unit={inputs[0]}",
        f"e2e={inputs[1]}",
        str(inputs[2]),
        "-o",
        str(out),
    )
    assert code == 0, stderr
    assert stdout == ""
    assert f"covgap: wrote {out} (covgap): 2 file(s), 23/26 lines" in stderr
    merged = covgap_json.read(io.BytesIO(out.read_bytes()), str(out))
    expected = _line_sum(*inputs)
    assert {p: dict(fc.line_hits()) for p, fc in merged.files.items()} == {
        p: dict(c) for p, c in expected.items()
    }
    cart = merged.files["src/shop/cart.py"]
    assert max(cart.hits) == 3  # executed in all three reports
    assert set(cart.flags) == {"unit", "e2e"}
    assert list(cart.flags["unit"]) == list(cart.covered_lines())
    # Components and languages are written as `report` writes them.
    doc = covgap_json.read_summary(out)
    assert set(doc["files"]) == {"src/shop/__init__.py", "src/shop/cart.py"}


@pytest.mark.parametrize(("name", "fmt"), [("out.info", "lcov"), ("out.xml", "cobertura")])
def test_merge_format_from_extension(repo: Path, name: str, fmt: str) -> None:
    out = repo / name
    code, _, stderr = run(
        "merge", "--repo", str(repo), str(PYDATA / "lines.json"), str(PYDATA / "lines.info"),
        "-o", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    assert f"({fmt})" in stderr
    back = read_report(out)
    assert "src/shop/cart.py" in back.files
    expected = _line_sum(PYDATA / "lines.json", PYDATA / "lines.info")
    for path, fc in back.files.items():
        assert dict(fc.line_hits()) == dict(expected[path])


def test_convert_jacoco_to_cobertura_keeps_totals(tmp_path: Path) -> None:
    out = tmp_path / "cobertura.xml"
    code, _, stderr = run(
        "convert", "--repo", str(tmp_path), "--no-path-mapping",
        str(DATA / "jacoco" / "jacoco.xml"), "-o", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    source = read_report(DATA / "jacoco" / "jacoco.xml")
    back = read_report(out)
    assert back.totals().lines_total == source.totals().lines_total
    assert back.totals().lines_covered == source.totals().lines_covered
    assert back.totals().branches_total == source.totals().branches_total
    assert back.totals().branches_covered == source.totals().branches_covered


def test_convert_to_json_round_trips_exactly(tmp_path: Path) -> None:
    out = tmp_path / "gcov.json"
    src = DATA / "gcov" / "stats.gcov.json.gz"
    code, _, stderr = run(
        "convert", "--repo", str(tmp_path), "--no-path-mapping", f"unit={src}", "-o", str(out)
    )
    assert code == 0, stderr
    assert read_report(out) == read_report(src, flag="unit")


def test_convert_to_stdout_needs_to(tmp_path: Path) -> None:
    src = str(DATA / "go" / "count.out")
    code, out, _ = run("convert", "--repo", str(tmp_path), src, "-o", "-", "--to", "lcov")
    assert code == 0
    assert out.startswith("TN:\nSF:example.com/shop/cart.go\n")
    code, _, err = run("convert", "--repo", str(tmp_path), src, "-o", "-")
    assert code == 2
    assert "writing to stdout (-o -) needs --to FORMAT" in err


def test_unknown_extension_and_format_are_usage_errors(tmp_path: Path) -> None:
    src = str(DATA / "go" / "count.out")
    code, _, err = run("convert", "--repo", str(tmp_path), src, "-o", str(tmp_path / "x.txt"))
    assert code == 2
    assert "cannot tell the format from the extension of 'x.txt'" in err
    assert "cobertura, covgap, json, lcov" in err
    code, _, err = run("convert", src, "-o", str(tmp_path / "x.xml"), "--to", "jacoco")
    assert code == 2
    assert "'jacoco' is not one of" in err


def test_convert_takes_exactly_one_input(tmp_path: Path) -> None:
    src = str(DATA / "go" / "count.out")
    code, _, err = run("convert", src, src, "-o", str(tmp_path / "x.info"))
    assert code == 2
    assert "convert takes exactly one input, got 2" in err
    code, _, err = run("merge", "-o", str(tmp_path / "x.info"))
    assert code == 2
    assert "merge needs at least one input report" in err


def test_bad_input_is_exit_2_one_line_and_keeps_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "merged.info"
    out.write_text("previous\n")
    bad = DATA / "edge" / "go-backwards.out"
    code, stdout, err = run(
        "merge", "--repo", str(tmp_path), str(DATA / "go" / "count.out"), str(bad), "-o", str(out)
    )
    assert code == 2
    assert stdout == ""
    assert err == f"covgap: error: {bad}:2: block ends (5.2) before it starts\n"
    assert out.read_text() == "previous\n"
    assert os.listdir(tmp_path) == ["merged.info"]


def test_failing_write_leaves_previous_output_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "merged.xml"
    out.write_text("previous\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("covgap.cli._common.os.replace", broken_replace)
    code, _, err = run(
        "merge", "--repo", str(tmp_path), str(DATA / "go" / "count.out"), "-o", str(out)
    )
    assert code == 2
    assert err.endswith(f"covgap: error: {out}: cannot write (No space left on device)\n")
    assert out.read_text() == "previous\n"
    assert os.listdir(tmp_path) == ["merged.xml"]  # the temporary file is gone too


def test_failing_writer_leaves_previous_output_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that fails half-way (after writing bytes) never reaches the target."""
    from covgap.errors import OutputError
    from covgap.formats import lcov

    out = tmp_path / "merged.info"
    out.write_text("previous\n")

    def half_write(cs: object, stream: io.BytesIO) -> None:
        stream.write(b"TN:\nSF:half")
        raise OutputError("cannot write LCOV: path 'a\\nb' contains a line break")

    monkeypatch.setattr(lcov, "FORMAT", dataclasses.replace(lcov.FORMAT, write=half_write))
    monkeypatch.setattr("covgap.formats._registry", None)
    code, _, err = run(
        "merge", "--repo", str(tmp_path), str(DATA / "go" / "count.out"), "-o", str(out)
    )
    assert code == 2
    assert "cannot write LCOV" in err
    assert out.read_text() == "previous\n"
    assert os.listdir(tmp_path) == ["merged.info"]


def test_report_json_detail_is_an_input_and_summary_only_is_refused(tmp_path: Path) -> None:
    """`covgap report --format json --detail` reads back exactly; without detail, a hint."""
    inputs = [str(DATA / "go" / "count.out"), f"unit={DATA / 'gcov' / 'stats.gcov.json'}"]
    common = ["--repo", str(tmp_path), "--no-path-mapping"]
    detail, plain = tmp_path / "detail.json", tmp_path / "plain.json"
    for out, extra in ((detail, ["--detail"]), (plain, [])):
        code, _, err = run("report", *common, "--format", "json", *extra, *inputs, "-o", str(out))
        assert code == 0, err
    back = tmp_path / "back.json"
    code, _, err = run("convert", *common, str(detail), "-o", str(back))
    assert code == 0, err
    merged = CoverageSet.merge_all(
        [
            read_report(DATA / "go" / "count.out"),
            read_report(DATA / "gcov" / "stats.gcov.json", flag="unit"),
        ]
    )
    assert read_report(back) == merged
    code, _, err = run("convert", *common, str(plain), "-o", str(tmp_path / "x.info"))
    assert code == 2
    assert "has no per-line detail" in err
    assert "covgap report --format json --detail" in err


# -- what a conversion loses is said exactly, and nothing is invented (issue #10) ---------


def test_convert_to_cobertura_invents_no_line_for_a_lineless_branch(tmp_path: Path) -> None:
    src = tmp_path / "a.info"
    src.write_text("SF:a.js\nDA:1,1\nBRDA:2,0,0,1\nBRDA:2,0,1,1\nend_of_record\n")
    out = tmp_path / "a.xml"
    code, _, stderr = run("convert", str(src), "--repo", str(tmp_path), "-o", str(out))
    assert code == 0, stderr
    back = read_report(out)
    t = back.totals()
    assert (t.lines_covered, t.lines_total) == (1, 1)  # was 1/2: a line was invented
    assert back.notes == ()  # the header agrees with the lines it describes
    assert f"covgap: wrote {out} (cobertura): 1 file(s), 1/1 lines, 0/0 branches" in stderr
    assert "holds branches 0/0 of the 2/2 read: 2 branch outcome(s) on lines without" in stderr


def test_convert_to_lcov_counts_merged_same_named_functions(tmp_path: Path) -> None:
    fc = FileCoverage(
        "a.c",
        array("i", [1]),
        array("q", [1]),
        functions=[Function("f", 1, None, 1), Function("f", 5, None, 0)],
    )
    src = tmp_path / "in.json"
    src.write_bytes(covgap_json.dumps(covgap_json.document(CoverageSet({"a.c": fc}), detail=True)))
    out = tmp_path / "out.info"
    code, _, stderr = run("convert", str(src), "--repo", str(tmp_path), "-o", str(out))
    assert code == 0, stderr
    t = read_report(out).totals()
    assert (t.functions_covered, t.functions_total) == (1, 1)
    wrote = f"covgap: wrote {out} (lcov): 1 file(s), 1/1 lines, 0/0 branches, 1/1 functions"
    assert wrote in stderr  # was "1/2 functions": the input's count, not the file's
    assert "holds functions 1/1 of the 1/2 read: 1 function(s) share a name" in stderr


def test_convert_says_which_files_and_functions_a_format_cannot_hold(tmp_path: Path) -> None:
    """A file with functions but no lines (LCOV drops it) and a function at line 0."""
    only_fn = FileCoverage("b.c", functions=[Function("g", 3, None, 1)])
    at_zero = FileCoverage(
        "a.c", array("i", [1]), array("q", [1]), functions=[Function("f", 0, None, 2)]
    )
    src = tmp_path / "in.json"
    cs = CoverageSet({"a.c": at_zero, "b.c": only_fn})
    src.write_bytes(covgap_json.dumps(covgap_json.document(cs, detail=True)))
    back = read_report(src)
    assert [f.start_line for f in back.files["a.c"].functions] == [0]  # JSON keeps line 0
    out = tmp_path / "out.info"
    code, _, stderr = run("convert", str(src), "--repo", str(tmp_path), "-o", str(out))
    assert code == 0, stderr
    assert "the lcov output holds 1 of the 2 files read (LCOV readers drop a file" in stderr
    assert [f.start_line for f in read_report(out).files["a.c"].functions] == [0]  # FN:0
    xml = tmp_path / "out.xml"
    code, _, stderr = run("convert", str(src), "--repo", str(tmp_path), "-o", str(xml))
    assert code == 0, stderr
    assert "1 function(s) at line 0 have no line to put their <method> on" in stderr
