"""LCOV: totals equal ``lcov --summary`` on real tracefiles, lcov 2.x forms, errors, writer.

Every reading test runs twice, through the C accelerator and through the pure-Python
reference parser (the ``engine`` fixture), so both are held to the same answers.
"""

from __future__ import annotations

import gzip
import io
import re
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool
from covgap import model
from covgap.errors import FormatError, OutputError
from covgap.formats import detect, lcov, read_report
from covgap.model import NEVER_EVALUATED, CoverageSet, FileCoverageBuilder, Function

DATA = Path(__file__).resolve().parents[1] / "data"
GCC = DATA / "gcc-lcov"
RUST = DATA / "lcov" / "rust"


@pytest.fixture(params=["c", "python"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the C accelerator, then with the pure-Python reference."""
    if request.param == "c":
        if not lcov.use_speedups():
            pytest.skip("covgap._speedups is not built")
    else:
        monkeypatch.setenv("COVGAP_PURE_PYTHON", "1")
        monkeypatch.setattr(model, "_speedups", None)
    return str(request.param)


def read_bytes(data: bytes, origin: str = "t.info") -> CoverageSet:
    return lcov.read(io.BytesIO(data), origin)


def native_summary(text: str) -> dict[str, tuple[int, int]]:
    """Parse ``lcov --summary`` output: {"lines": (hit, found), ...}; "no data" is (0, 0)."""
    out = {"lines": (0, 0), "functions": (0, 0), "branches": (0, 0)}
    for kind, hit, found in re.findall(r"(\w+)\.+: [\d.]+% \((\d+) of (\d+) \w+\)", text):
        out[kind] = (int(hit), int(found))
    return out


def covgap_summary(cs: CoverageSet) -> dict[str, tuple[int, int]]:
    t = cs.totals()
    return {
        "lines": (t.lines_covered, t.lines_total),
        "functions": (t.functions_covered, t.functions_total),
        "branches": (t.branches_covered, t.branches_total),
    }


# -- real tracefiles: totals equal what lcov --summary printed (native*.txt) ----------


@pytest.mark.parametrize(
    ("tracefile", "native"),
    [
        (GCC / "calc.info", GCC / "native.txt"),
        (GCC / "multi.info", GCC / "native-multi.txt"),
        (RUST / "rust.info", RUST / "native.txt"),
    ],
    ids=["gcc-lcov", "gcc-lcov-two-tests", "rust-llvm-cov"],
)
def test_real_tracefile_totals_equal_lcov_summary(
    engine: str, tracefile: Path, native: Path
) -> None:
    cs = read_report(tracefile)
    expected = native_summary(native.read_text())
    assert expected["lines"][1] > 0
    assert covgap_summary(cs) == expected


def test_gcc_tracefile_details(engine: str) -> None:
    """Spot checks against calc.info itself: never-evaluated branches, the header file."""
    cs = read_report(GCC / "calc.info")
    assert sorted(cs.files) == ["src/calc.c", "src/util.h"]
    calc = cs.files["src/calc.c"]
    by_line = calc.hits_by_line()
    assert by_line[26] == 7 and by_line[15] == 0
    never = [b for b in calc.branches() if b.taken is None]
    assert [(b.line, b.branch) for b in never] == [(18, 0), (18, 1)]
    assert Function("never_called", 15, None, 0) in calc.functions
    assert calc.uncovered_ranges() == [(15, 20), (31, 31)]


def test_two_test_sections_are_summed_like_lcov_add_tracefile(engine: str, tmp_path: Path) -> None:
    """multi.info has two TN sections naming the same files; lcov -a sums them per line."""
    require_tool("lcov")
    text = (GCC / "multi.info").read_text()
    cut = text.index("TN:run2")
    (tmp_path / "a.info").write_text(text[:cut])
    (tmp_path / "b.info").write_text(text[cut:])
    subprocess.run(
        [
            "lcov",
            "--quiet",
            "--rc",
            "lcov_branch_coverage=1",
            "-a",
            "a.info",
            "-a",
            "b.info",
            "-o",
            "combined.info",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    combined = read_report(tmp_path / "combined.info")
    whole = read_report(GCC / "multi.info")
    assert whole == combined
    separate = read_report(tmp_path / "a.info").merge(read_report(tmp_path / "b.info"))
    assert whole == separate
    assert whole.files["src/calc.c"].hits_by_line()[26] == (
        read_report(tmp_path / "a.info").files["src/calc.c"].hits_by_line()[26]
        + read_report(tmp_path / "b.info").files["src/calc.c"].hits_by_line()[26]
    )


def test_summary_lines_that_disagree_with_the_data_give_a_note(engine: str) -> None:
    """llvm-cov writes LF:34 LH:28 and FNF:6 FNH:5 but lists 32 DA lines and 7 FN."""
    cs = read_report(RUST / "rust.info")
    assert cs.totals().lines_total == 32
    (note,) = cs.notes  # one note per input, both figures of each kind
    assert "LF:34 LH:28 vs 26/32" in note
    assert "FNF:6 FNH:5 vs 6/7" in note
    assert "lines 28/34 in the report, 26/32 counted by covgap" in note
    assert "covgap reports the data" in note


def test_gzip_tracefile_is_read_transparently(engine: str, tmp_path: Path) -> None:
    gz = tmp_path / "lcov.info.gz"
    gz.write_bytes(gzip.compress((GCC / "calc.info").read_bytes()))
    assert read_report(gz) == read_report(GCC / "calc.info")


# -- grammar, lcov 1.x and 2.x -----------------------------------------------------------

V1 = b"""TN:first
SF:/src/a.c
FN:3,main
FN:10,helper
FNDA:1,main
FNDA:0,helper
FNF:2
FNH:1
BRDA:4,0,0,1
BRDA:4,0,1,-
BRF:2
BRH:1
DA:3,1
DA:4,1,Zm9vYmFy
DA:10,0
DA:4,2
LF:3
LH:2
end_of_record
TN:second
SF:/src/a.c
FNDA:2,helper
FN:10,helper
DA:10,5
DA:11,0
BRDA:4,0,1,3
end_of_record
"""


def test_lcov1_records_of_one_file_are_summed(engine: str) -> None:
    cs = read_bytes(V1.replace(b"FNDA:2,helper\nFN:10,helper\n", b"FN:10,helper\nFNDA:2,helper\n"))
    fc = cs.files["/src/a.c"]
    assert fc.hits_by_line() == {3: 1, 4: 3, 10: 5, 11: 0}
    assert list(fc.branches()) == [model.Branch(4, 0, 0, 1), model.Branch(4, 0, 1, 3)]
    assert sorted(fc.functions) == [Function("helper", 10, None, 2), Function("main", 3, None, 1)]
    assert cs.notes == ()  # the first record's LF:3 LH:2 etc. match its own data


def test_fnda_before_its_fn_is_an_error(engine: str) -> None:
    with pytest.raises(FormatError, match=r"t\.info:22: FNDA: no FN: for function helper"):
        read_bytes(V1)


def test_function_name_is_the_identity_within_a_file(engine: str) -> None:
    """lcov keys functions by name: a second FN of the same name is the same function."""
    data = b"SF:x.c\nFN:5,f\nFN:9,f\nFNDA:2,f\nFNDA:3,f\nDA:5,1\nend_of_record\n"
    assert read_bytes(data).files["x.c"].functions == (Function("f", 5, None, 5),)


def test_lcov2_function_end_lines_and_aliases(engine: str) -> None:
    data = b"""VER:2.3
SF:lib.rs
FN:3,9,plain
FNDA:4,plain
FNL:0,12,20
FNA:0,2,generic<u8>
FNA:0,5,generic<i64>
FNL:1,30
FNA:1,0,unused
DA:3,4
DA:12,7
DA:30,0
MCDC:12,2,t,1,0,a && b
end_of_record
"""
    fc = read_bytes(data).files["lib.rs"]
    # Every FNA alias is a function, as lcov --summary counts them (lcov 2.x's
    # FunctionMap::numFunc without --filter function): 4 functions, 3 run.
    assert sorted(fc.functions) == [
        Function("generic<i64>", 12, 20, 5),
        Function("generic<u8>", 12, 20, 2),
        Function("plain", 3, 9, 4),
        Function("unused", 30, None, 0),
    ]
    assert (fc.counts().functions_covered, fc.counts().functions_total) == (3, 4)


def test_function_aliases_count_like_the_same_data_written_as_fn(engine: str) -> None:
    """lcov 2.2+ rewrites FN/FNDA tracefiles as FNL groups of FNA aliases; the count
    must not change with the spelling, and the group-counted FNF/FNH get a note."""
    old = (
        b"SF:t.cpp\nFN:4,f<int>\nFN:4,f<long>\nFNDA:2,f<int>\nFNDA:0,f<long>\n"
        b"DA:4,2\nend_of_record\n"
    )
    new = (
        b"SF:t.cpp\nFNL:0,4,9\nFNA:0,2,f<int>\nFNA:0,0,f<long>\nFNF:1\nFNH:1\n"
        b"DA:4,2\nend_of_record\n"
    )
    a, b = read_bytes(old), read_bytes(new)
    assert a.totals().functions_total == b.totals().functions_total == 2
    assert a.totals().functions_covered == b.totals().functions_covered == 1
    assert "functions 1/1 in the report, 1/2 counted by covgap" in b.notes[0]
    assert "one function per start line" in b.notes[0]


def test_lcov24_fallthrough_unreachable_and_mcdc_summary(engine: str) -> None:
    """geninfo(1) of lcov 2.4: BRDA:<line>,[e|f][U]<block>,...; U branches are left out
    of BRF/BRH (and of covgap's count, with a note); MCF/MCH summarise MC/DC records."""
    data = b"""SF:x.c
BRDA:2,0,0,1
BRDA:2,f0,1,0
BRDA:3,U0,0,0
BRDA:3,eU1,cond,-
BRDA:4,fU0,1,3
BRF:2
BRH:1
MCDC:2,2,t,1,0,a
MCDC:2,U2,f,0,0,a
MCF:2
MCH:1
DA:2,1
DA:3,0
end_of_record
"""
    cs = read_bytes(data)
    assert list(cs.files["x.c"].branches()) == [model.Branch(2, 0, 0, 1), model.Branch(2, 0, 1, 0)]
    assert cs.notes == (
        "t.info: 3 branch(es) marked unreachable (BRDA with a U block) left "
        "out, as lcov leaves them out of BRF/BRH",
    )
    with pytest.raises(FormatError, match=r"t\.info:1: MCF: outside a record"):
        read_bytes(b"MCF:1\n")


def test_comment_lines_are_skipped_like_lcov_does(engine: str) -> None:
    """lcov's own test tracefile tests/lcov/merge/a.info has '#' comments (one with
    trailing blanks) inside its record and blank lines; it was refused at line 4."""
    data = (
        b"TN:\nSF:a.cpp\nDA:1,1\n#common line:  my count is zero        \nDA:2,0\n"
        b"FN:1,2,fcn\n# my count is zero yours is nonzero\nFNDA:0,fcn\n\n"
        b"BRDA:1,1,0,1\n#\nBRDA:1,1,1,-\nend_of_record\n# trailing\n"
    )
    plain = (
        b"TN:\nSF:a.cpp\nDA:1,1\nDA:2,0\nFN:1,2,fcn\nFNDA:0,fcn\n"
        b"BRDA:1,1,0,1\nBRDA:1,1,1,-\nend_of_record\n"
    )
    assert read_bytes(data) == read_bytes(plain)
    with pytest.raises(FormatError, match=r"t\.info:5: DA: execution count"):
        read_bytes(b"SF:a\n#x\n# y\n\nDA:1,x\nend_of_record\n")
    # tests/lcov/merge/b.info starts with one: still recognised as LCOV
    assert lcov.sniff(b"#intersect defn\nTN:\nSF:a.cpp\n", "b.info")
    assert not lcov.sniff(b"# a shell script\necho hi\n", "run.sh")


def test_byte_order_mark_only_at_the_start(engine: str) -> None:
    """open_report skips a leading BOM for every format (test_formats_registry); one
    inside the file is not an LCOV line."""
    data = b"SF:a.c\nDA:1,1\nend_of_record\n"
    with pytest.raises(FormatError, match=r"t\.info:4: not an LCOV line"):
        read_bytes(data + b"\xef\xbb\xbfSF:b.c\n")


def test_lcov2_exception_and_named_branches(engine: str) -> None:
    data = b"""SF:x.cpp
DA:5,3
BRDA:5,0,0,2
BRDA:5,e0,1,1
BRDA:5,e0,2,-
BRDA:7,1,a > b,4
BRDA:7,1,a <= b,0
end_of_record
SF:x.cpp
DA:7,4
BRDA:7,1,a <= b,6
end_of_record
"""
    fc = read_bytes(data).files["x.cpp"]
    base = lcov.EXPR_BRANCH_BASE
    assert list(fc.branches()) == [
        model.Branch(5, -1, 1, 1),
        model.Branch(5, -1, 2, None),
        model.Branch(5, 0, 0, 2),
        model.Branch(7, 1, base, 4),
        model.Branch(7, 1, base + 1, 6),
    ]
    out = io.BytesIO()
    lcov.write(CoverageSet({"x.cpp": fc}), out)
    assert b"BRDA:5,e0,2,-\n" in out.getvalue()
    assert read_bytes(out.getvalue()).files["x.cpp"] == fc


def test_windows_line_ends_blank_lines_and_no_final_newline(engine: str) -> None:
    data = b"TN:\r\n\r\nSF:w.c\r\nDA:1,1\r\nDA:2,0\r\n  \r\nend_of_record"
    assert read_bytes(data).files["w.c"].hits_by_line() == {1: 1, 2: 0}


def test_file_without_lines_is_dropped_like_lcov_does(engine: str) -> None:
    data = b"SF:a.c\nDA:1,1\nend_of_record\nSF:empty.c\nFN:1,f\nFNDA:1,f\nend_of_record\n"
    cs = read_bytes(data)
    assert list(cs.files) == ["a.c"]
    assert "1 file(s) without DA: lines left out" in cs.notes[0]


def test_counts_saturate_instead_of_wrapping(engine: str) -> None:
    big = 2**63 - 1
    data = b"SF:a.c\nDA:1,%d\nDA:1,5\nend_of_record\nSF:a.c\nDA:1,%d\nend_of_record\n" % (big, big)
    assert read_bytes(data).files["a.c"].hits_by_line() == {1: big}


def test_records_across_chunk_boundaries(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny chunks force every record (and one longer than a chunk) across boundaries."""
    expected = read_report(GCC / "multi.info")
    monkeypatch.setattr(lcov, "CHUNK_SIZE", 37)
    assert read_report(GCC / "multi.info") == expected
    tail = b"SF:z.c\nFNL:0,1\nFNA:0,1,z\nBRDA:1,0,a,1\nDA:1,1\nend_of_record\n"
    both = read_bytes((GCC / "multi.info").read_bytes() + tail)
    assert both.files["z.c"].functions == (Function("z", 1, None, 1),)
    assert both.without(["z.c"]) == expected


def test_fallback_after_c_records_keeps_line_numbers(engine: str) -> None:
    """An lcov 2.x record hands the rest to Python; its errors still name the right line."""
    data = (
        b"SF:a.c\nDA:1,1\nend_of_record\nSF:b.c\nBRDA:1,0,x>0,1\nDA:1,1\nend_of_record\n"
        b"SF:c.c\nDA:x,1\nend_of_record\n"
    )
    with pytest.raises(FormatError, match=r"t\.info:9: DA: line number is not a non-negative"):
        read_bytes(data)


# -- malformed input: one FormatError naming the line -----------------------------------

BAD = [
    (b"SF:a\nDA:1,x\nend_of_record\n", 2, "DA: execution count is not a non-negative integer"),
    (b"SF:a\nDA:1,-4\nend_of_record\n", 2, "DA: negative execution count"),
    (b"SF:a\nDA:1,9223372036854775808\nend_of_record\n", 2, "DA: execution count exceeds"),
    (b"SF:a\nDA:0,1\nend_of_record\n", 2, "DA: line number out of range 1..2147483647"),
    (b"SF:a\nDA:2147483648,1\nend_of_record\n", 2, "DA: line number out of range"),
    (b"SF:a\nDA:-3,1\nend_of_record\n", 2, "DA: line number out of range"),
    (b"SF:a\nDA:7\nend_of_record\n", 2, "DA: missing fields"),
    (b"SF:a\nDA: 1,1\nend_of_record\n", 2, "DA: line number is not a non-negative integer"),
    (b"TN:\nDA:1,1\n", 2, "DA: outside a record (no SF: before it)"),
    (b"FN:1,f\n", 1, "FN: outside a record"),
    (b"SF:a\nDA:1,1\nSF:b\n", 3, "SF: inside the record of another file"),
    (b"SF:a\nDA:1,1\nend_of_record\nDA:2,2\n", 4, "DA: outside a record"),
    (b"SF:a\nDA:1,1\nDA:2,1\n", 3, "end of file inside the record of a (no end_of_record)"),
    (b"SF:a\nDA:1,1\n", 2, "end of file inside the record of a"),
    (b"SF:\nDA:1,1\nend_of_record\n", 1, "SF: empty file name"),
    (b"end_of_record\n", 1, "end_of_record without SF:"),
    (b"SF:a\nBRDA:1,0,0\nend_of_record\n", 2, "BRDA: missing fields"),
    (b"SF:a\nBRDA:1,0,0,x\nend_of_record\n", 2, "BRDA: taken count is not a non-negative"),
    (b"SF:a\nBRDA:1,-1,0,1\nend_of_record\n", 2, "BRDA: negative block"),
    (b"SF:a\nBRDA:1,0,-2,1\nend_of_record\n", 2, "BRDA: negative branch"),
    (b"SF:a\nBRDA:1,0,,1\nend_of_record\n", 2, "BRDA: empty branch"),
    (b"SF:a\nFN:1\nend_of_record\n", 2, "FN: missing fields"),
    (b"SF:a\nFN:1,\nend_of_record\n", 2, "FN: empty function name"),
    (b"SF:a\nFN:9,3x,f\nFN:1,0,g\nend_of_record\n", 3, "FN: end line out of range"),
    (b"SF:a\nFNDA:1,nope\nend_of_record\n", 2, "FNDA: no FN: for function nope"),
    (b"SF:a\nFNA:0,1,f\nend_of_record\n", 2, "FNA: no FNL: with index 0"),
    (b"SF:a\nFNL:0,1\nDA:1,1\nend_of_record\n", 4, "end_of_record: FNL:0 has no FNA: name"),
    (b"SF:a\nLF:many\nend_of_record\n", 2, "LF: count is not a non-negative integer"),
    (b"SF:a\nXYZ:1\nend_of_record\n", 2, "unknown record type XYZ"),
    (b"SF:a\nDA:1,1\nend_of_record\ngarbage\n", 4, "unknown record type garbage"),
    (b"SF:a\n\x00\x9f\xff\x01:\x02\nend_of_record\n", 2, "not an LCOV line (binary data?)"),
    (b"TN:\n", None, "no records (no SF: line)"),
]


@pytest.mark.parametrize(("data", "line", "message"), BAD, ids=[m for _, _, m in BAD])
def test_malformed_input_names_the_line(
    engine: str, data: bytes, line: int | None, message: str
) -> None:
    with pytest.raises(FormatError) as info:
        read_bytes(data)
    assert info.value.line == line
    assert message in str(info.value)
    prefix = "t.info" if line is None else f"t.info:{line}: "
    assert str(info.value).startswith(prefix)


def test_binary_garbage_after_a_valid_head(engine: str, tmp_path: Path) -> None:
    path = tmp_path / "lcov.info"
    path.write_bytes(b"TN:\nSF:a.c\nDA:1,1\nend_of_record\n" + bytes(range(256)) * 8)
    with pytest.raises(FormatError, match=r"lcov\.info:5: "):
        read_report(path)


# -- sniffing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"TN:\nSF:/x.c\n", True),
        (b"\n\nSF:/x.c\nDA:1,1\n", True),
        (b"VER:2.3\nSF:a\n", True),
        (b'{"files": {}}', False),
        (b"<?xml version='1.0'?><coverage/>", False),
        (b"mode: set\n", False),
        (b"DA:1,1\n", False),
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert lcov.sniff(head, "coverage.txt") is expected


def test_detect_picks_lcov_for_real_tracefiles() -> None:
    assert detect(GCC / "calc.info").name == "lcov"
    assert detect(RUST / "rust.info").name == "lcov"


# -- writer ----------------------------------------------------------------------------


def _sample() -> CoverageSet:
    b = FileCoverageBuilder("pkg/mod.c")
    for line, hits in [(1, 4), (2, 0), (5, 2**63 - 1), (9, 0)]:
        b.add_line(line, hits)
    b.add_branch(2, 0, 0, None)
    b.add_branch(2, 0, 1, None)
    b.add_branch(5, 1, 0, 0)
    b.add_branch(5, 1, 1, 7)
    b.add_function("main", 1, 4, None)
    b.add_function("dead", 9, 0, 12)
    other = FileCoverageBuilder("pkg/other.c")
    other.add_line(3, 1)
    return CoverageSet({"pkg/mod.c": b.build(), "pkg/other.c": other.build()})


def test_writer_round_trips(engine: str) -> None:
    cs = _sample()
    out = io.BytesIO()
    lcov.write(cs, out)
    assert read_bytes(out.getvalue()) == cs
    assert b"FN:9,12,dead\n" in out.getvalue()
    assert b"BRDA:2,0,0,-\n" in out.getvalue()


def test_writer_output_has_the_same_totals_in_real_lcov(tmp_path: Path) -> None:
    """lcov 1.16 reads the 1.x function form; the real fixture's data uses only that."""
    require_tool("lcov")
    for source in (GCC / "calc.info", GCC / "multi.info", RUST / "rust.info"):
        cs = read_report(source)
        written = tmp_path / f"{source.stem}.out.info"
        with written.open("wb") as fh:
            lcov.write(cs, fh)
        proc = subprocess.run(
            ["lcov", "--summary", str(written), "--rc", "lcov_branch_coverage=1"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert native_summary(proc.stdout + proc.stderr) == covgap_summary(cs)
        assert read_report(written) == cs


def test_writer_merges_same_named_functions_as_lcov_would(engine: str) -> None:
    b = FileCoverageBuilder("a.c")
    b.add_line(1, 1)
    b.add_function("f", 1, 2)
    b.add_function("f", 7, 3, 9)
    out = io.BytesIO()
    lcov.write(CoverageSet({"a.c": b.build()}), out)
    assert read_bytes(out.getvalue()).files["a.c"].functions == (Function("f", 1, 9, 5),)


def test_writer_refuses_line_breaks_in_names() -> None:
    b = FileCoverageBuilder("a\nb.c")
    b.add_line(1, 1)
    with pytest.raises(OutputError, match="line break"):
        lcov.write(CoverageSet({"a\nb.c": b.build()}), io.BytesIO())


def test_never_evaluated_is_kept_distinct_from_zero(engine: str) -> None:
    fc = read_bytes(b"SF:a\nDA:1,0\nBRDA:1,0,0,-\nBRDA:1,0,1,0\nend_of_record\n").files["a"]
    assert list(fc.br_taken) == [NEVER_EVALUATED, 0]
    assert fc.counts().branches_total == 2 and fc.counts().branches_covered == 0


@pytest.mark.realtool
def test_function_at_line_zero_is_read_as_lcov_reads_it(engine: str, tmp_path: Path) -> None:
    """gcovr's ``--merge-mode-functions=merge-use-line-0`` writes ``FN:0,<name>`` (#10)."""
    require_tool("lcov")
    path = tmp_path / "l0.info"
    path.write_text("SF:a.c\nFN:0,f\nFN:0,g\nFNDA:2,f\nFNDA:0,g\nDA:1,2\nDA:2,2\nend_of_record\n")
    proc = subprocess.run(
        ["lcov", "--summary", str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    cs = read_report(path)
    assert covgap_summary(cs) == native_summary(proc.stdout + proc.stderr)
    assert [(f.name, f.start_line) for f in cs.files["a.c"].functions] == [("f", 0), ("g", 0)]
