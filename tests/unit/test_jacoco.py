"""JaCoCo XML: totals equal JaCoCo's own counters on a real report, edge cases, errors."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from conftest import require_tool
from covgap.errors import FormatError
from covgap.formats import detect, jacoco, read_report

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = DATA / "jacoco" / "jacoco.xml"
EDGE = DATA / "edge"


def _native(folder: Path = DATA / "jacoco") -> dict[str, tuple[int, int]]:
    """JaCoCo's bundle counters as make.sh recorded them: {type: (covered, total)}."""
    out = {}
    for row in (folder / "native.txt").read_text().splitlines():
        m = re.fullmatch(r"(\w+) covered=(\d+) missed=(\d+) total=(\d+)", row)
        assert m, row
        out[m.group(1)] = (int(m.group(2)), int(m.group(4)))
    return out


def _assert_totals_equal_jacoco(report: Path, native: dict[str, tuple[int, int]]) -> None:
    cs = read_report(report)
    totals = cs.totals()
    assert (totals.lines_covered, totals.lines_total) == native["LINE"]
    assert (totals.branches_covered, totals.branches_total) == native["BRANCH"]
    assert (totals.functions_covered, totals.functions_total) == native["METHOD"]
    assert cs.notes == ()


def test_real_report_totals_equal_jacoco() -> None:
    _assert_totals_equal_jacoco(REAL, _native())
    cs = read_report(REAL)
    assert sorted(cs.files) == ["com/example/shop/Cart.java", "com/example/shop/Main.java"]


def test_real_report_agrees_with_its_own_counters_per_file() -> None:
    """Each <sourcefile>'s LINE/BRANCH counters and its classes' METHOD counters."""
    cs = read_report(REAL)
    root = etree.parse(str(REAL), etree.XMLParser(load_dtd=False, no_network=True)).getroot()
    for package in root.iter("package"):
        for sf in package.iter("sourcefile"):
            fc = cs.files[f"{package.get('name')}/{sf.get('name')}"]
            c = fc.counts()
            own = {
                x.get("type"): (int(x.get("missed")), int(x.get("covered")))
                for x in sf.iter("counter")
            }
            assert own["LINE"] == (c.lines_missed, c.lines_covered)
            assert own.get("BRANCH", (0, 0)) == (c.branches_missed, c.branches_covered)
            methods = [0, 0]
            for cls in package.iter("class"):
                if cls.get("sourcefilename") == sf.get("name"):
                    for ctr in cls.findall("counter"):
                        if ctr.get("type") == "METHOD":
                            methods[0] += int(ctr.get("missed"))
                            methods[1] += int(ctr.get("covered"))
            assert tuple(methods) == (c.functions_missed, c.functions_covered)


def test_real_report_line_detail() -> None:
    fc = read_report(REAL).files["com/example/shop/Cart.java"]
    hits = fc.hits_by_line()
    assert hits[30] == 0  # `return t - t / 10;` never ran
    assert hits[27] == 1
    # Line 27 `if (member && sale)`: mb=1 cb=3 -> 4 outcomes, 3 taken.
    on27 = [b for b in fc.branches() if b.line == 27]
    assert [b.taken for b in on27] == [1, 1, 1, 0]
    names = {f.name: f.hits for f in fc.functions}
    assert names["Cart.clear"] == 0
    assert names["Cart.<init>"] == 1
    main = read_report(REAL).files["com/example/shop/Main.java"]
    assert {f.name for f in main.functions} >= {"Main.lambda$main$0", "Main.unused"}


def test_sniff() -> None:
    assert detect(REAL).name == "jacoco"
    assert detect(EDGE / "jacoco-groups.xml").name == "jacoco"
    assert not jacoco.sniff(b'<?xml version="1.0"?>\n<coverage line-rate="1">', "coverage.xml")


def test_groups_default_package_and_notes() -> None:
    cs = read_report(EDGE / "jacoco-groups.xml")
    top = cs.files["Top.java"]
    assert list(top.lines) == [3, 4]  # line 5 has no bytecode
    assert list(top.hits) == [1, 0]
    assert [b.taken for b in top.branches()] == [1, 0, None, None]
    assert [f.name for f in top.functions] == ["Top.run"]
    b = cs.files["org/b/B.java"]
    assert [(f.name, f.start_line, f.hits) for f in b.functions] == [
        ("B.<init>", 1, 0),
        ("B.<init>(I)V", 1, 0),
        ("B$Inner.get", 2, 1),
    ]
    notes = "\n".join(cs.notes)
    assert "Top.java: LINE missed=1 covered=2 vs 1/2" in notes
    assert "lines 3/5 in the report, 2/4 counted by covgap" in notes
    assert "1 method(s) without line information" in notes
    assert "org/b/B.java" not in notes


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("jacoco-entities.xml", "DOCTYPE declares entities"),
        ("jacoco-bad-count.xml", ":6: ci -2 is negative"),
        ("jacoco-truncated.xml", "malformed XML"),
    ],
)
def test_bad_input_is_one_line_error(name: str, expected: str) -> None:
    with pytest.raises(FormatError) as info:
        read_report(EDGE / name, format_name="jacoco")
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(str(EDGE / name))
    assert expected in msg


def test_wrong_root_is_refused() -> None:
    with pytest.raises(FormatError, match="expected <report>"):
        jacoco.read(io.BytesIO(b"<coverage/>"), "x.xml")


@pytest.mark.realtool
@pytest.mark.slow
def test_fresh_jacoco_run_equals_its_counters(tmp_path: Path) -> None:
    """Re-run make.sh (javac, the JaCoCo agent, JaCoCo's report API) into tmp_path."""
    require_tool("javac", "java", "jar")
    if not Path("/usr/share/java/org.jacoco.agent.rt.jar").exists():
        if os.environ.get("COVGAP_REQUIRE_TOOLS"):
            pytest.fail("needs Debian's libjacoco-java")
        pytest.skip("needs Debian's libjacoco-java (installed by make test)")
    env = dict(os.environ, OUT=str(tmp_path))
    subprocess.run(["sh", str(DATA / "jacoco" / "make.sh")], check=True, env=env, timeout=120)
    _assert_totals_equal_jacoco(tmp_path / "jacoco.xml", _native(tmp_path))


# -- other producers and older JaCoCo (issue #10) -------------------------------------


def _counter_totals(doc: bytes) -> dict[str, tuple[int, int]]:
    """The report-level counters of ``doc``: ``{type: (total, covered)}``."""
    root = etree.fromstring(doc)
    return {
        c.get("type"): (int(c.get("missed")) + int(c.get("covered")), int(c.get("covered")))
        for c in root
        if c.tag == "counter"
    }


PRE_08 = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.0//EN" "report.dtd">
<report name="legacy"><sessioninfo id="s" start="1" dump="2"/>
<package name="com/ex">
<class name="com/ex/Cart">
<method name="&lt;init&gt;" desc="()V" line="3">
<counter type="METHOD" missed="0" covered="1"/></method>
<method name="add" desc="(I)V" line="5"><counter type="METHOD" missed="0" covered="1"/></method>
<method name="clear" desc="()V" line="9"><counter type="METHOD" missed="1" covered="0"/></method>
</class>
<class name="com/ex/Cart$Line">
<method name="get" desc="()I" line="12"><counter type="METHOD" missed="1" covered="0"/></method>
</class>
<class name="com/ex/UtilKt">
<method name="twice" desc="(I)I" line="2"><counter type="METHOD" missed="0" covered="1"/></method>
</class>
<sourcefile name="Cart.java">
<line nr="3" mi="0" ci="3" mb="0" cb="0"/>
<line nr="5" mi="0" ci="4" mb="1" cb="1"/>
<line nr="9" mi="2" ci="0" mb="0" cb="0"/>
<line nr="12" mi="2" ci="0" mb="0" cb="0"/>
<counter type="LINE" missed="2" covered="2"/><counter type="BRANCH" missed="1" covered="1"/>
<counter type="METHOD" missed="2" covered="2"/>
</sourcefile>
<sourcefile name="Util.kt">
<line nr="2" mi="0" ci="2" mb="0" cb="0"/>
<counter type="LINE" missed="0" covered="1"/><counter type="METHOD" missed="0" covered="1"/>
</sourcefile>
</package>
<counter type="LINE" missed="2" covered="3"/><counter type="BRANCH" missed="1" covered="1"/>
<counter type="METHOD" missed="2" covered="3"/>
</report>
"""


def test_jacoco_before_0_8_places_methods_in_their_source_file() -> None:
    """No ``sourcefilename`` on <class>: methods were dropped and -g blamed."""
    cs = jacoco.read(io.BytesIO(PRE_08), "old.xml")
    c = cs.totals()
    want = _counter_totals(PRE_08)
    assert (c.functions_total, c.functions_covered) == want["METHOD"]
    assert (c.lines_total, c.lines_covered) == want["LINE"]
    assert (c.branches_total, c.branches_covered) == want["BRANCH"]
    assert [f.name for f in cs.files["com/ex/Cart.java"].functions] == [
        "Cart.<init>",
        "Cart.add",
        "Cart.clear",
        "Cart$Line.get",
    ]
    assert [f.name for f in cs.files["com/ex/Util.kt"].functions] == ["UtilKt.twice"]
    assert cs.notes == ()


def test_a_class_without_sourcefilename_and_no_matching_file_is_said_so() -> None:
    doc = PRE_08.replace(b'name="com/ex/UtilKt"', b'name="com/ex/Other"')
    cs = jacoco.read(io.BytesIO(doc), "old.xml")
    notes = "\n".join(cs.notes)
    assert "1 method(s) of <class> elements without sourcefilename" in notes
    assert "compiled without -g" not in notes


KOVER = b"""<?xml version="1.0" ?>
<report name="Intellij Coverage Report">
<package name="org/example">
<class name="org/example/Greeter" sourcefilename="Greeter.kt">
<method name="&lt;init&gt;" desc="()V" line="3">
<counter type="INSTRUCTION" missed="0" covered="3"/><counter type="LINE" missed="0" covered="1"/>
<counter type="METHOD" missed="0" covered="1"/></method>
<method name="greet" desc="(Ljava/lang/String;)Ljava/lang/String;" line="4">
<counter type="INSTRUCTION" missed="2" covered="6"/><counter type="BRANCH" missed="1" covered="1"/>
<counter type="LINE" missed="1" covered="1"/>
<counter type="METHOD" missed="0" covered="1"/></method>
<method name="unused" desc="()V" line="8">
<counter type="INSTRUCTION" missed="2" covered="0"/><counter type="LINE" missed="1" covered="0"/>
<counter type="METHOD" missed="1" covered="0"/></method>
<counter type="INSTRUCTION" missed="4" covered="9"/><counter type="BRANCH" missed="1" covered="1"/>
<counter type="LINE" missed="2" covered="2"/><counter type="METHOD" missed="1" covered="2"/>
<counter type="CLASS" missed="0" covered="1"/>
</class>
<sourcefile name="Greeter.kt">
<line nr="3" mi="0" ci="3" mb="0" cb="0"/>
<line nr="4" mi="0" ci="6" mb="1" cb="1"/>
<line nr="5" mi="2" ci="0" mb="0" cb="0"/>
<line nr="8" mi="2" ci="0" mb="0" cb="0"/>
<counter type="INSTRUCTION" missed="4" covered="9"/><counter type="BRANCH" missed="1" covered="1"/>
<counter type="LINE" missed="2" covered="2"/><counter type="METHOD" missed="1" covered="2"/>
<counter type="CLASS" missed="0" covered="1"/>
</sourcefile>
<counter type="LINE" missed="2" covered="2"/>
</package>
<counter type="INSTRUCTION" missed="4" covered="9"/><counter type="BRANCH" missed="1" covered="1"/>
<counter type="LINE" missed="2" covered="2"/><counter type="METHOD" missed="1" covered="2"/>
<counter type="CLASS" missed="0" covered="1"/>
</report>
"""


def test_kover_shaped_report_equals_its_counters() -> None:
    """Kover's IntelliJ reporter writes JaCoCo's shape without DOCTYPE or sessioninfo."""
    assert jacoco.sniff(KOVER, "report.xml")
    cs = jacoco.read(io.BytesIO(KOVER), "report.xml")
    c = cs.totals()
    want = _counter_totals(KOVER)
    assert (c.lines_total, c.lines_covered) == want["LINE"]
    assert (c.branches_total, c.branches_covered) == want["BRANCH"]
    assert (c.functions_total, c.functions_covered) == want["METHOD"]
    assert cs.notes == ()


def test_counters_that_disagree_give_one_note_with_both_figures() -> None:
    doc = KOVER.replace(
        b'<sourcefile name="Greeter.kt">',
        b'<sourcefile name="Greeter.kt">\n<line nr="9" mi="1" ci="0"/>',
    )
    (note,) = jacoco.read(io.BytesIO(doc), "report.xml").notes
    assert "lines 2/4 in the report, 2/5 counted by covgap" in note
    assert "Greeter.kt: LINE missed=2 covered=2 vs 2/5" in note


def test_a_line_without_mi_ci_among_lines_with_them_is_said() -> None:
    doc = KOVER.replace(b'<line nr="8" mi="2" ci="0" mb="0" cb="0"/>', b'<line nr="8"/>')
    cs = jacoco.read(io.BytesIO(doc), "report.xml")
    assert 8 not in cs.files["org/example/Greeter.kt"].hits_by_line()
    assert any("1 <line> element(s) have no mi/ci" in n for n in cs.notes)
