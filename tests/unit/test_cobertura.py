"""Cobertura XML: fidelity with the producing tools, both reader paths, and the writer.

Expected totals are never typed in here: they come from ``native.json`` beside each
real report, written by the producing tool itself through the folder's ``make.sh``.
"""

from __future__ import annotations

import io
import json
import string
from array import array
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import DATA
from covgap.formats import cobertura, detect, read_report
from covgap.model import NEVER_EVALUATED, CoverageSet, FileCoverage, Function
from xml_mutation import XML_TOKENS, Edit, mutate
from xml_mutation import edits as xml_edits

COB = DATA / "cobertura"
EDGE = DATA / "edge"

HAVE_SPEEDUPS = cobertura._speedups is not None
both_paths = pytest.mark.parametrize(
    "path_kind",
    [
        "lxml",
        pytest.param(
            "c", marks=pytest.mark.skipif(not HAVE_SPEEDUPS, reason="C scanner not built")
        ),
    ],
)


@pytest.fixture
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test through the lxml reader or the C scanner."""
    kind: str = request.param
    if kind == "lxml":
        monkeypatch.setenv(cobertura.FAST_PATH_ENV, "1")
    else:
        monkeypatch.delenv(cobertura.FAST_PATH_ENV, raising=False)
    return kind


def read(path: Path) -> CoverageSet:
    return read_report(path, format_name="cobertura")


def native(folder: str) -> Any:
    return json.loads((COB / folder / "native.json").read_text(encoding="utf-8"))


# -- fidelity with the producing tools -------------------------------------------------


@both_paths
@pytest.mark.parametrize("report", ["lines.xml", "branch.xml"])
def test_coveragepy_totals_equal_coverage_report(path_kind: str, report: str) -> None:
    """coverage.py: statements, missing and branches equal `coverage json` for the same run."""
    expected = native("coveragepy")[report]
    cs = read(COB / "coveragepy" / report)
    t = cs.totals()
    assert t.lines_total == expected["totals"]["num_statements"]
    assert t.lines_missed == expected["totals"]["missing_lines"]
    assert t.branches_total == expected["totals"].get("num_branches", 0)
    assert t.branches_covered == expected["totals"].get("covered_branches", 0)
    assert t.functions_total == 0  # coverage.py writes no <method> elements
    assert sorted(cs.files) == sorted(expected["files"])
    for path, summary in expected["files"].items():
        c = cs.files[path].counts()
        assert (c.lines_total, c.lines_covered) == (
            summary["num_statements"],
            summary["covered_lines"],
        )
        assert c.branches_total == summary.get("num_branches", 0)
        assert c.branches_covered == summary.get("covered_branches", 0)
    assert cs.notes == ()  # the report's own summary agrees with its lines
    assert cs.source_roots and cs.source_roots[0].endswith("coveragepy")


@both_paths
def test_coveragepy_partial_branch_lines(path_kind: str) -> None:
    """A partial branch (`50% (1/2)`, `missing-branches="5"`) is two outcomes in the
    coverage.py JSON reader's order (arcs 4->5, 4->6; the source beside the report is
    found), 4->5 not taken; `0% (0/2)` on a line that never ran is two never-evaluated
    outcomes."""
    fc = read(COB / "coveragepy" / "branch.xml").files["app/ops.py"]
    by_line: dict[int, list[int | None]] = {}
    for br in fc.branches():
        by_line.setdefault(br.line, []).append(br.taken)
    hits = fc.hits_by_line()
    assert hits[4] > 0 and by_line[4] == [0, 1]
    assert hits[19] == 0 and by_line[19] == [None, None]
    assert by_line[2] == [1, 1]


@both_paths
def test_gcovr_totals_equal_gcovr_summary(path_kind: str) -> None:
    """gcovr: lines, branches and functions equal `gcovr --json-summary` per file."""
    expected = native("gcovr")
    cs = read(COB / "gcovr" / "coverage.xml")
    t = cs.totals()
    assert (t.lines_total, t.lines_covered) == (expected["line_total"], expected["line_covered"])
    assert (t.branches_total, t.branches_covered) == (
        expected["branch_total"],
        expected["branch_covered"],
    )
    assert (t.functions_total, t.functions_covered) == (
        expected["function_total"],
        expected["function_covered"],
    )
    for entry in expected["files"]:
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
    assert cs.notes == ()
    # Method lines repeat the class lines; they must not be counted twice.
    assert cs.files["src/main.c"].counts().lines_total == 6
    fn = {f.name: f for f in cs.files["src/lib/mathx.c"].functions}
    assert (fn["clamp"].start_line, fn["clamp"].hits) == (3, 1)
    assert fn["unused"].hits == 0


@both_paths
def test_c8_totals_equal_c8_summary(path_kind: str) -> None:
    """c8 (Istanbul's cobertura reporter): lines, branches, functions equal json-summary."""
    expected: dict[str, dict[str, dict[str, int]]] = native("c8")
    cs = read(COB / "c8" / "coverage.xml")
    t = cs.totals()
    total = expected["total"]
    assert (t.lines_total, t.lines_covered) == (total["lines"]["total"], total["lines"]["covered"])
    assert (t.branches_total, t.branches_covered) == (
        total["branches"]["total"],
        total["branches"]["covered"],
    )
    assert (t.functions_total, t.functions_covered) == (
        total["functions"]["total"],
        total["functions"]["covered"],
    )
    for path, summary in expected.items():
        if path == "total":
            continue
        c = cs.files[path].counts()
        assert (c.lines_total, c.lines_covered) == (
            summary["lines"]["total"],
            summary["lines"]["covered"],
        )
        assert (c.branches_total, c.branches_covered) == (
            summary["branches"]["total"],
            summary["branches"]["covered"],
        )
        assert (c.functions_total, c.functions_covered) == (
            summary["functions"]["total"],
            summary["functions"]["covered"],
        )
    # Istanbul's method `hits` attribute is the call count.
    fn = {f.name: f for f in cs.files["src/lib/shapes.js"].functions}
    assert fn["area"].hits == 2 and fn["unusedHelper"].hits == 0
    assert cs.notes == ()


@pytest.mark.parametrize(
    "report",
    [
        COB / "coveragepy" / "lines.xml",
        COB / "coveragepy" / "branch.xml",
        COB / "gcovr" / "coverage.xml",
        COB / "c8" / "coverage.xml",
    ],
)
def test_real_reports_are_sniffed_as_cobertura(report: Path) -> None:
    assert detect(report).name == "cobertura"


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0"?>\n<coverage generated="1" clover="4.4"><project/></coverage>',
        b'<?xml version="1.0"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "r.dtd">'
        b'<report name="x">',
        b"TN:\nSF:a.c\nDA:1,1\nend_of_record\n",
        b'{"meta": {}, "files": {}}',
        b"<coverage",
    ],
)
def test_sniff_refuses_other_formats(head: bytes) -> None:
    assert not cobertura.sniff(head, "coverage.xml")


@both_paths
def test_gzip_and_progress_streams_read_the_same(path_kind: str, tmp_path: Path) -> None:
    """Whole-file reading must not depend on the stream being a plain file."""
    import gzip

    report = COB / "gcovr" / "coverage.xml"
    packed = tmp_path / "coverage.xml.gz"
    packed.write_bytes(gzip.compress(report.read_bytes()))
    seen: list[int] = []
    plain = read(report)
    assert read_report(packed) == plain
    assert read_report(report, progress=seen.append) == plain
    assert sum(seen) == report.stat().st_size
    assert cobertura.read(io.BytesIO(report.read_bytes()), "mem.xml") == plain


# -- producers' quirks, on hand-written reports ------------------------------------------


@both_paths
def test_file_split_over_classes_is_one_file(path_kind: str) -> None:
    """Java inner classes: one file under two <class>es, line 12 in both."""
    cs = read(EDGE / "cobertura-java-inner.xml")
    assert list(cs.files) == ["com/example/Worker.java"]
    fc = cs.files["com/example/Worker.java"]
    assert list(fc.lines) == [5, 10, 11, 12, 13, 14, 15, 16, 20]
    assert fc.hits_by_line()[12] == 3  # 2 + 1: hits summed, the line counted once
    outcomes = [(b.line, b.taken) for b in fc.branches()]
    assert outcomes == [(10, 1), (10, 0), (12, 1), (12, 1), (20, None), (20, None)]
    names = sorted((f.name, f.start_line, f.hits) for f in fc.functions)
    # Overloads on one line are told apart by signature; abstractOne has no line.
    assert names == [("<init>", 5, 3), ("run", 13, 1), ("run(I)V", 10, 2), ("run(J)V", 10, 0)]
    notes = " ".join(cs.notes)
    assert "1 line(s) appear in more than one <class>" in notes
    assert "1 <method>(s) without any <line> skipped" in notes
    # Cobertura's header counts line 12 twice; covgap says it reports the per-line data.
    assert "<coverage>: lines-valid=10 lines-covered=6 vs 5/9" in notes
    assert cs.source_roots == ("/ci/build/src/main/java", "--source")


@both_paths
def test_header_disagreement_is_noted(path_kind: str) -> None:
    cs = read(EDGE / "cobertura-header-mismatch.xml")
    assert cs.totals().lines_total == 3
    (note,) = cs.notes
    assert "lines-valid=10" in note and "vs 2/3" in note  # both figures
    assert "<coverage>: branches-valid=2 branches-covered=1 vs 1/4" in note
    assert "covgap reports the per-line data" in note


@both_paths
def test_references_comments_and_crlf(path_kind: str) -> None:
    cs = read(EDGE / "cobertura-references.xml")
    (path,) = cs.files
    assert path == "R&D/ст\"'<>.c"
    assert cs.source_roots == ("/home/rené/R&D",)
    assert cs.files[path].functions == (Function("f\tg", 2, None, 1),)
    assert cs.files[path].hits_by_line() == {1: 0, 2: 1}
    assert "line-rate=0.5" not in " ".join(cs.notes)  # 1 of 2 lines: agrees


def _doc(lines: str, *, root_attrs: str = 'line-rate="1"', prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{prolog}<coverage {root_attrs}><packages><package name="p"><classes>'
        f'<class name="a" filename="a.py"><methods/><lines>{lines}</lines></class>'
        "</classes></package></packages></coverage>"
    ).encode()


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ('<line number="3" hits="2.0"/>', {3: 2}),  # integral floats are accepted
        ('<line number=" 3 " hits="1"/>', {3: 1}),  # so is surrounding space
        ('<line number="3" hits="1"/><line number="1" hits="0"/>', {1: 0, 3: 1}),  # any order
        ('<line number="3" hits="1"/><line number="3" hits="4"/>', {3: 5}),  # duplicates sum
    ],
)
def test_lenient_numbers_and_order(lines: str, expected: dict[int, int]) -> None:
    cs = cobertura.read(io.BytesIO(_doc(lines)), "t.xml")
    assert cs.files["a.py"].hits_by_line() == expected


@pytest.mark.parametrize(
    ("attrs", "outcomes"),
    [
        ('branch="true" condition-coverage="100%"', []),  # no counts, no outcomes
        ('branch="false" condition-coverage="50% (1/2)"', []),  # branch="false" wins
        ('condition-coverage="33.33% (1/3)"', [1, 0, 0]),  # branch defaults to true
        ('branch="true" condition-coverage="0% (0/0)"', []),
    ],
)
def test_condition_coverage_forms(attrs: str, outcomes: list[int]) -> None:
    cs = cobertura.read(io.BytesIO(_doc(f'<line number="1" hits="1" {attrs}/>')), "t.xml")
    assert [b.taken for b in cs.files["a.py"].branches()] == outcomes


# -- the C scanner against the lxml reference ---------------------------------------------


def _both(data: bytes) -> tuple[object, object]:
    from covgap import _cobertura_speedups as sp

    fast = sp.scan(data)
    ref = cobertura.read_lxml(io.BytesIO(data), "t.xml")
    return fast, ref


def _same(fast: object, ref: tuple[cobertura.Header, list[str], list[cobertura.ClassData]]) -> bool:
    assert isinstance(fast, tuple)
    header, sources, classes = fast
    return (
        tuple(header) == tuple(ref[0])
        and sources == ref[1]
        and [tuple(c) for c in classes] == [tuple(c) for c in ref[2]]
    )


@pytest.mark.skipif(not HAVE_SPEEDUPS, reason="C scanner not built")
@pytest.mark.parametrize(
    "report",
    sorted((COB).glob("*/*.xml")) + sorted(EDGE.glob("cobertura-*.xml")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_scanner_agrees_with_lxml_on_fixtures(report: Path) -> None:
    data = report.read_bytes()
    try:
        ref = cobertura.read_lxml(io.BytesIO(data), str(report))
    except Exception:
        from covgap import _cobertura_speedups as sp

        assert sp.scan(data) is None  # lxml refuses it: the scanner must have declined
        return
    fast, _ = _both(data)
    assert fast is not None, f"scanner declined a report lxml reads: {report}"
    assert _same(fast, ref)


@pytest.mark.skipif(not HAVE_SPEEDUPS, reason="C scanner not built")
@pytest.mark.parametrize(
    "data",
    [
        _doc('<line number="1" hits="1"/><![CDATA[x]]>'),  # CDATA
        _doc(
            '<line number="1" hits="1"/>', prolog="<!DOCTYPE coverage [<!ELEMENT a ANY>]>"
        ),  # internal subset
        _doc('<line number="1" hits="-1"/>'),  # sign
        _doc('<line number="1" hits="1234567890123456789"/>'),  # 19 digits: lxml decides
        _doc('<line number="1" hits="1"/><?pi x?>'),  # processing instruction
        _doc('<line number="1" hits="1" hits="2"/>'),  # duplicate attribute
        # an attribute name longer than libxml2 allows (50,000 bytes): lxml refuses the
        # report, so the scanner must not read it (the shared tokenizer's MAX_NAME)
        _doc('<line number="1" hits="1" ' + "x" * 60_000 + '="1"/>'),
        _doc('<line number="1" hits="1"/>', root_attrs='xmlns="urn:x"'),  # namespace
        _doc('<line number="1" hits="1"/>').replace(b"</lines>", b"</line>"),  # mismatched tag
        _doc('<line number="1" hits="1"/>')[:-5],  # truncated
        _doc('<line number="1" hits="1"/>&nbsp;'),  # undefined entity
        _doc('<line number="1" hits="1"/>\x01'),  # control character
        _doc('<line number="1" hits="1"/>').replace(b"<methods/>", b"<methods/>\xff"),  # not UTF-8
        b'<?xml version="1.0" encoding="ISO-8859-1"?><coverage/>',  # another encoding
        b"<other/>",  # wrong root
        b"",
    ],
)
def test_scanner_declines_what_it_does_not_know(data: bytes) -> None:
    from covgap import _cobertura_speedups as sp

    assert sp.scan(data) is None


_attr_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from("\t\n&<>\"'"),
    max_size=12,
)


@pytest.mark.skipif(not HAVE_SPEEDUPS, reason="C scanner not built")
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.tuples(
            st.integers(1, 50),
            st.one_of(st.integers(0, 10**6), st.just(2**63 - 1)),
            st.one_of(st.none(), st.tuples(st.integers(0, 4), st.integers(1, 4)), st.just("junk")),
            st.booleans(),
        ),
        max_size=12,
    ),
    name=_attr_text,
    quote=st.sampled_from(['"', "'"]),
    spaces=st.sampled_from(["", " ", "\n\t"]),
)
def test_scanner_agrees_with_lxml_on_generated_documents(
    lines: list[tuple[int, int, object, bool]], name: str, quote: str, spaces: str
) -> None:
    """Whatever the scanner accepts, it reads exactly as lxml does; else it declines."""
    escaped = (
        name.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(quote, "&quot;" if quote == '"' else "&apos;")
    )
    parts = []
    for number, hits, cond, in_method in lines:
        extra = ""
        if cond == "junk":
            extra = ' condition-coverage="lots"'
        elif isinstance(cond, tuple):
            extra = f' branch="true" condition-coverage="50% ({cond[0]}/{cond[1]})"'
        line = (
            f"<line{spaces}number={quote}{number}{quote} hits={quote}{hits}{quote}{extra}{spaces}/>"
        )
        if in_method:
            method = f"<method name={quote}{escaped}{quote} signature=''>"
            line = f"<methods>{method}<lines>{line}</lines></method></methods>"
        parts.append(line)
    data = (
        "<?xml version='1.0'?>\n<coverage line-rate='0.5'>"
        f"<sources><source> {escaped} </source></sources><packages><package name='p'><classes>"
        f"<class name='c' filename={quote}{escaped or 'x'}{quote}>"
        + "".join(p if p.startswith("<methods>") else f"<lines>{p}</lines>" for p in parts)
        + "</class></classes></package></packages></coverage>\n"
    ).encode("utf-8")
    from covgap import _cobertura_speedups as sp

    fast = sp.scan(data)
    # A class whose only lines are under <methods> is handed to lxml by read().
    if fast is not None and any(c[8] and not c[1] for c in fast[2]):
        fast = None
    try:
        ref = cobertura.read_lxml(io.BytesIO(data), "t.xml")
    except Exception:
        assert fast is None
        return
    if fast is not None:
        assert _same(fast, ref)


_SEEDS = [
    p.read_bytes() for p in sorted(COB.glob("*/*.xml")) + sorted(EDGE.glob("cobertura-*.xml"))
]
_TOKENS = [*XML_TOKENS, b"source", b"9999999999999999999", b"-1", b"(1/2)", b"%"]


@pytest.mark.skipif(not HAVE_SPEEDUPS, reason="C scanner not built")
@settings(max_examples=300, deadline=None)
@given(
    seed=st.sampled_from(_SEEDS),
    edits=xml_edits(),
)
def test_scanner_never_accepts_what_lxml_reads_differently(seed: bytes, edits: list[Edit]) -> None:
    """Mutated real reports: the scanner either declines or reads exactly what lxml reads."""
    data = mutate(seed, edits, _TOKENS)
    from covgap import _cobertura_speedups as sp

    fast = sp.scan(data)
    try:
        ref = cobertura.read_lxml(io.BytesIO(data), "t.xml")
    except Exception:
        assert fast is None
        return
    if fast is not None:
        assert _same(fast, ref)


@pytest.mark.skipif(not HAVE_SPEEDUPS, reason="C scanner not built")
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 10**6), st.integers(0, 3), st.integers(0, 6), st.integers(0, 6)),
        max_size=20,
    )
)
def test_c_expand_equals_python_expand(rows: list[tuple[int, int, int, int]]) -> None:
    from covgap import _cobertura_speedups as sp

    cols = (
        array("i", [r[0] for r in rows]),
        array("q", [r[1] for r in rows]),
        array("q", [min(r[2], r[3]) for r in rows]),
        array("q", [r[3] for r in rows]),
    )
    assert sp.expand(*cols) == cobertura._expand_branches_py(*cols)


# -- the writer ---------------------------------------------------------------------------


def _packaged_dtd() -> etree.DTD:
    dtd_file = resources.files("covgap") / "schemas" / "cobertura.coverage-04.dtd"
    with dtd_file.open("rb") as f:
        return etree.DTD(f)


def _write(cs: CoverageSet) -> bytes:
    out = io.BytesIO()
    cobertura.write(cs, out)
    return out.getvalue()


def _validate(xml: bytes) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    doc = etree.fromstring(xml, parser)
    dtd = _packaged_dtd()
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()


def _sample() -> CoverageSet:
    a = FileCoverage(
        "src/pkg/mod.py",
        array("i", [1, 2, 3, 5, 8]),
        array("q", [1, 4, 0, 0, 2]),
        br_line=array("i", [2, 2, 5, 5]),
        br_block=array("i", [0, 0, 0, 0]),
        br_branch=array("i", [0, 1, 0, 1]),
        br_taken=array("q", [1, 0, NEVER_EVALUATED, NEVER_EVALUATED]),
        functions=[Function("main", 1, None, 1), Function("helper<T>", 5, None, 0)],
    )
    b = FileCoverage("top & level.c", array("i", [10]), array("q", [7]))
    c = FileCoverage("src/pkg/empty.py")
    return CoverageSet({f.path: f for f in (a, b, c)}, source_roots=("/ci/repo",))


def test_writer_golden(golden, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    from covgap import __version__

    # The version changes with every release; the golden file keeps a placeholder.
    xml = _write(_sample()).decode("utf-8").replace(f"covgap {__version__}", "covgap VERSION")
    golden("cobertura/writer-sample.xml", xml)


def test_writer_output_is_valid_against_the_dtd() -> None:
    _validate(_write(_sample()))
    _validate(_write(CoverageSet()))


def test_packaged_dtd_is_the_shared_one() -> None:
    shared = Path(__file__).parents[2].parent / "shared" / "schemas" / "cobertura.coverage-04.dtd"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    packaged = (resources.files("covgap") / "schemas" / "cobertura.coverage-04.dtd").read_bytes()
    assert packaged == shared.read_bytes()


@both_paths
@pytest.mark.parametrize("folder", ["coveragepy", "gcovr", "c8"])
def test_real_reports_survive_write_and_read(path_kind: str, folder: str) -> None:
    for report in sorted((COB / folder).glob("*.xml")):
        cs = read(report)
        xml = _write(cs)
        _validate(xml)
        again = cobertura.read(io.BytesIO(xml), "again.xml")
        # What Cobertura holds survives: lines, and per line its branches' covered/total
        # (which arm is which is lost: covgap writes no missing-branches, it does not
        # know the taken arms' destinations).
        assert sorted(again.files) == sorted(cs.files)
        for path, fc in cs.files.items():
            other = again.files[path]
            assert list(other.line_hits()) == list(fc.line_hits())
            assert other.functions == fc.functions
            assert _per_line(other) == _per_line(fc)
        assert again.totals() == cs.totals()
        assert again.notes == ()


def _per_line(fc: FileCoverage) -> dict[int, list[int | None]]:
    by_line: dict[int, list[int | None]] = {}
    for br in fc.branches():
        by_line.setdefault(br.line, []).append(br.taken)
    return {line: sorted(v, key=lambda t: -1 if t is None else t) for line, v in by_line.items()}


_path_chars = string.ascii_letters + string.digits + "/._-+ &<>'\"é中"


@st.composite
def coverage_sets(draw: st.DrawFn) -> CoverageSet:
    """CoverageSets holding only what Cobertura can: line hits, per-line branch counts
    (first `covered` outcomes taken once), functions without end lines."""
    paths = draw(
        st.lists(
            st.text(alphabet=_path_chars, min_size=1, max_size=15).filter(
                lambda p: p.strip(" ") == p
            ),
            max_size=4,
            unique=True,
        )
    )
    files = {}
    for path in paths:
        numbers = sorted(draw(st.sets(st.integers(1, 2**31 - 1), max_size=8)))
        hits = [draw(st.one_of(st.integers(0, 3), st.integers(0, 2**63 - 1))) for _ in numbers]
        br_line, br_taken = [], []
        for number, h in zip(numbers, hits, strict=True):
            if not draw(st.booleans()):
                continue
            total = draw(st.integers(1, 4))
            covered = draw(st.integers(0, total))
            br_line.extend([number] * total)
            if h == 0 and covered == 0:
                br_taken.extend([NEVER_EVALUATED] * total)
            else:
                br_taken.extend([1] * covered + [0] * (total - covered))
        fn_names = draw(
            st.lists(
                st.tuples(
                    st.text(
                        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
                        | st.sampled_from("\t\n"),
                        max_size=8,
                    ),
                    st.integers(1, 10**6),
                ),
                max_size=3,
                unique=True,
            )
        )
        functions = [Function(n, s, None, draw(st.integers(0, 2**63 - 1))) for n, s in fn_names]
        br_branch: list[int] = []
        for i, line in enumerate(br_line):
            br_branch.append(br_branch[-1] + 1 if i and br_line[i - 1] == line else 0)
        files[path] = FileCoverage(
            path,
            array("i", numbers),
            array("q", hits),
            br_line=array("i", br_line),
            br_block=array("i", [0] * len(br_line)),
            br_branch=array("i", br_branch),
            br_taken=array("q", br_taken),
            functions=functions,
        )
    roots = draw(
        st.lists(
            st.text(alphabet=_path_chars, min_size=1, max_size=8).map(str.strip).filter(bool),
            max_size=2,
            unique=True,
        )
    )
    return CoverageSet(files, source_roots=tuple(roots))


@both_paths
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(cs=coverage_sets())
def test_round_trip(path_kind: str, cs: CoverageSet) -> None:
    """read(write(x)) == x for everything Cobertura can hold."""
    xml = _write(cs)
    again = cobertura.read(io.BytesIO(xml), "rt.xml")
    assert again == cs
    assert again.source_roots == cs.source_roots
    assert again.notes == ()


def test_writer_invents_no_line_for_lineless_branches() -> None:
    """A branch without a line record (possible in LCOV) is left out, not put on a new
    ``hits="0"`` line; the header counts what the file holds (issue #10)."""
    fc = FileCoverage(
        "a.c",
        array("i", [1]),
        array("q", [1]),
        br_line=array("i", [4, 4]),
        br_block=array("i", [0, 0]),
        br_branch=array("i", [0, 1]),
        br_taken=array("q", [NEVER_EVALUATED, NEVER_EVALUATED]),
    )
    again = cobertura.read(io.BytesIO(_write(CoverageSet({"a.c": fc}))), "t.xml")
    assert again.files["a.c"].hits_by_line() == {1: 1}
    assert list(again.files["a.c"].branches()) == []
    assert again.notes == ()  # its own header agrees with its lines


def test_writer_header_agrees_with_its_lines_and_functions_at_line_zero() -> None:
    fc = FileCoverage(
        "a.c",
        array("i", [1, 2]),
        array("q", [1, 0]),
        br_line=array("i", [2, 2, 7]),
        br_block=array("i", [0, 0, 0]),
        br_branch=array("i", [0, 1, 0]),
        br_taken=array("q", [1, 0, 1]),
        functions=[Function("f", 0, None, 1)],
    )
    data = _write(CoverageSet({"a.c": fc}))
    assert b'lines-covered="1" lines-valid="2" branches-covered="1" branches-valid="2"' in data
    assert b'number="0"' not in data
    again = cobertura.read(io.BytesIO(data), "t.xml")
    assert again.totals().branches_total == 2
    assert "1 <method>(s) without any <line> skipped" in again.notes[0]


def test_writer_refuses_characters_xml_cannot_hold() -> None:
    from covgap.errors import OutputError

    with pytest.raises(OutputError, match="characters XML forbids"):
        _write(CoverageSet({"a\x01.c": FileCoverage("a\x01.c")}))


def test_writer_timestamp_follows_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert b'timestamp="1700000000"' in _write(CoverageSet())


def test_format_is_registered_with_a_writer() -> None:
    from covgap.formats import get_format, writable_formats

    spec = get_format("cobertura")
    assert spec.write is cobertura.write
    assert spec in writable_formats()


# -- shapes other tools' test data showed (issue #10) ---------------------------------


def _report(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "coverage.xml"
    path.write_text(
        '<?xml version="1.0"?><coverage line-rate="0.5" version="1"><packages>'
        f'<package name="p"><classes>{body}</classes></package></packages></coverage>'
    )
    return path


@both_paths
def test_lines_only_under_methods_are_the_class_lines(path_kind: str, tmp_path: Path) -> None:
    """Swift's Cobertura has no class-level <lines>: the methods' lines are the lines."""
    path = _report(
        tmp_path,
        '<class name="app" filename="a.swift"><methods>'
        '<method name="getter" signature=""><lines><line number="5" hits="0" branch="false"/>'
        "</lines></method>"
        '<method name="closure" signature=""><lines><line number="16" hits="1" branch="false"/>'
        "</lines></method></methods></class>",
    )
    cs = read(path)
    c = cs.totals()
    assert (c.lines_total, c.lines_covered) == (2, 1)
    assert (c.functions_total, c.functions_covered) == (2, 1)
    assert cs.notes == ()  # line-rate 0.5 agrees


@both_paths
def test_a_line_repeated_in_one_class_is_not_said_to_be_in_two(
    path_kind: str, tmp_path: Path
) -> None:
    path = _report(
        tmp_path,
        '<class name="a" filename="a.c"><methods/><lines>'
        '<line number="3" hits="1"/><line number="3" hits="0"/><line number="4" hits="0"/>'
        "</lines></class>",
    )
    cs = read(path)
    assert cs.files["a.c"].hits_by_line() == {3: 1, 4: 0}
    notes = " ".join(cs.notes)
    assert "1 line(s) are listed more than once in the same <class>" in notes
    assert "more than one <class>" not in notes


@both_paths
def test_header_values_that_are_not_counts_are_said(path_kind: str, tmp_path: Path) -> None:
    path = tmp_path / "coverage.xml"
    path.write_text(
        '<?xml version="1.0"?><coverage lines-valid="many" lines-covered="1.5" '
        'branches-valid="0" line-rate="1"><packages><package name="p"><classes>'
        '<class name="a" filename="a.c"><methods/><lines><line number="1" hits="1"/>'
        "</lines></class></classes></package></packages></coverage>"
    )
    notes = " ".join(read(path).notes)
    assert "lines-valid='many' (not a number)" in notes
    assert "lines-covered=1.5 (not a count)" in notes
