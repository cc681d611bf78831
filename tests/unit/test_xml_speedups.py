"""The C scanners of JaCoCo and Clover XML (``covgap._xml_speedups``) against the lxml readers.

The lxml path (``read_lxml``) is the reference. Whatever the C path reads, it must read
exactly as the reference does (every file, every column and its type, every note); what
it does not know it must decline, so that ``read`` gives the reference's result or the
reference's error message. Documents are fed in pieces of random size, so every token is
also cut at a piece boundary somewhere.
"""

from __future__ import annotations

import io
from array import array
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA
from covgap.errors import FormatError
from covgap.formats import _xml, clover, jacoco
from covgap.model import CoverageSet
from xml_mutation import XML_TOKENS, Edit, mutate
from xml_mutation import edits as xml_edits

HAVE_SPEEDUPS = jacoco._speedups is not None
pytestmark = pytest.mark.skipif(not HAVE_SPEEDUPS, reason="C scanner not built")

EDGE = DATA / "edge"


def _fixtures(module: ModuleType) -> list[Path]:
    """Every report under tests/data that ``module`` claims."""
    found = []
    for path in sorted(DATA.rglob("*.xml")):
        if "node_modules" not in path.parts and module.sniff(path.read_bytes()[:4096], path.name):
            found.append(path)
    return found


FAST_FIXTURES = {
    "jacoco/jacoco.xml",
    "edge/jacoco-groups.xml",
    "clover/clover.xml",
    "nyc/clover.xml",
    "edge/clover-bad-metrics.xml",
    "edge/clover-openclover.xml",
    "edge/clover-phpunit.xml",
    "gcovr-xml/templates.jacoco.xml",
    "gcovr-xml/templates.clover.xml",
}
"""Fixtures in the scanner's subset: it must not decline them (else it is never used)."""


def _outcome(read: object, data: bytes) -> CoverageSet | str:
    try:
        return read(io.BytesIO(data), "t.xml")  # type: ignore[operator,no-any-return]
    except FormatError as exc:
        return f"FormatError: {exc}"


def _assert_same(fast: CoverageSet | str, ref: CoverageSet | str) -> None:
    if isinstance(ref, str) or isinstance(fast, str):
        assert fast == ref
        return
    assert list(fast.files) == list(ref.files)
    for path, fc in ref.files.items():
        mine = fast.files[path]
        assert mine == fc, path
        for column in ("lines", "hits", "br_line", "br_block", "br_branch", "br_taken"):
            assert getattr(mine, column).typecode == getattr(fc, column).typecode, column
    assert fast.notes == ref.notes


def _check(
    module: ModuleType, data: bytes, monkeypatch: pytest.MonkeyPatch, piece: int = 4 << 20
) -> bool:
    """Assert ``read`` (C path first) equals ``read_lxml``; return whether C read it."""
    monkeypatch.delenv(jacoco.FAST_PATH_ENV, raising=False)
    monkeypatch.setattr(_xml, "SCAN_PIECE", piece)
    ref = _outcome(module.read_lxml, data)
    _assert_same(_outcome(module.read, data), ref)
    fast = module._read_fast(io.BytesIO(data), "t.xml")
    if fast is not None:
        assert not isinstance(ref, str), f"the scanner read what lxml refuses: {ref}"
        _assert_same(fast, ref)
    return fast is not None


@pytest.mark.parametrize(
    ("module", "report"),
    [(jacoco, p) for p in _fixtures(jacoco)] + [(clover, p) for p in _fixtures(clover)],
    ids=lambda x: x.__name__.rsplit(".", 1)[-1] if isinstance(x, ModuleType) else x.name,
)
@pytest.mark.parametrize("piece", [4 << 20, 1, 13])
def test_fixtures_read_as_lxml_reads_them(
    module: ModuleType, report: Path, piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    took = _check(module, report.read_bytes(), monkeypatch, piece)
    if f"{report.parent.name}/{report.name}" in FAST_FIXTURES:
        assert took, f"the scanner declined {report}"


def test_the_fast_path_is_what_read_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    """``read`` goes through the scanner (not only the tests' direct calls)."""
    calls: list[str] = []
    for module in (jacoco, clover):
        real = module._read_fast

        def spy(stream: object, origin: str, real: object = real) -> object:
            calls.append(origin)
            return real(stream, origin)  # type: ignore[operator]

        monkeypatch.setattr(module, "_read_fast", spy)
    monkeypatch.delenv(jacoco.FAST_PATH_ENV, raising=False)
    with (DATA / "jacoco" / "jacoco.xml").open("rb") as fh:
        jacoco.read(fh, "j")
    with (DATA / "clover" / "clover.xml").open("rb") as fh:
        clover.read(fh, "c")
    monkeypatch.setenv(jacoco.FAST_PATH_ENV, "1")
    with (DATA / "clover" / "clover.xml").open("rb") as fh:
        clover.read(fh, "off")
    with (DATA / "jacoco" / "jacoco.xml").open("rb") as fh:
        jacoco.read(fh, "off")
    assert calls == ["j", "c"]


# -- generated JaCoCo documents ---------------------------------------------------------

_name_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from("&<>\"'$/"),
    min_size=0,
    max_size=8,
)


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


_number = st.one_of(
    st.integers(0, 5).map(str),
    st.sampled_from(["", "-1", "1.0", " 2", "007", "99999", "65536", "1234567890123456789"]),
)

_jacoco_method = st.tuples(
    _name_text,
    st.sampled_from(["()V", "(I)V"]),
    st.one_of(st.none(), st.integers(0, 6).map(str), st.just("x")),
    st.one_of(st.none(), st.tuples(st.integers(0, 2), st.integers(0, 2))),
)
_jacoco_line = st.tuples(
    st.integers(0, 8),
    st.one_of(st.none(), st.integers(0, 3).map(str), _number),
    st.one_of(st.none(), st.integers(0, 3).map(str)),
    st.one_of(st.none(), st.integers(0, 3).map(str), _number),
    st.one_of(st.none(), st.integers(0, 3).map(str)),
)
_jacoco_package = st.tuples(
    st.sampled_from(["", "com/a", "com/b"]),
    st.lists(
        st.tuples(
            st.sampled_from(["A", "A$In", "AKt", "B"]),
            st.one_of(st.none(), st.sampled_from(["A.java", "B.java", "A.kt"])),
            st.lists(_jacoco_method, max_size=3),
        ),
        max_size=3,
    ),
    st.lists(
        st.tuples(
            st.sampled_from(["A.java", "B.java", "A.kt", ""]),
            st.lists(_jacoco_line, max_size=6),
            st.lists(
                st.tuples(st.sampled_from(["LINE", "BRANCH", "METHOD"]), _number, _number),
                max_size=3,
            ),
        ),
        max_size=3,
    ),
    st.integers(0, 2),  # groups around the package
)


def _clean(value: str | None, clean: bool, default: str | None = None) -> str | None:
    """In a ``clean`` document, a number lxml would refuse becomes ``1`` (or the
    default where the attribute is required), so that most documents are readable."""
    if not clean or (value is not None and value.isdigit() and len(value) < 6):
        return value if value is not None or not clean else default
    return "1"


def _jacoco_doc(packages: list[tuple[object, ...]], extra: str, clean: bool = False) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">\n'
        '<report name="r"><sessioninfo id="s" start="1" dump="2"/>\n'
    ]
    for package, classes, sourcefiles, groups in packages:  # type: ignore[misc]
        out.append('<group name="g">' * groups + f'<package name="{package}">\n')
        for cname, src, methods in classes:
            src_attr = "" if src is None else f' sourcefilename="{src}"'
            out.append(f'<class name="{package}/{cname}"{src_attr}>')
            for mname, desc, raw_line, raw_counter in methods:
                line = _clean(raw_line, clean)
                counter = raw_counter
                if clean and counter is None and line not in (None, "0"):
                    counter = (0, 1)
                line_attr = "" if line is None else f' line="{line}"'
                out.append(f'<method name="{_esc(mname)}" desc="{desc}"{line_attr}>')
                if counter is not None:
                    missed, covered = counter
                    out.append(f'<counter type="METHOD" missed="{missed}" covered="{covered}"/>')
                out.append("</method>\n")
            out.append('<counter type="CLASS" missed="0" covered="1"/></class>\n')
        for sname, lines, counters in sourcefiles:
            out.append(f'<sourcefile name="{sname or ("A.java" if clean else "")}">\n')
            nr = 0
            for step, mi, ci, mb, cb in lines:
                nr += step
                attrs = [f'nr="{nr}"']
                for key, raw in (("mi", mi), ("ci", ci), ("mb", mb), ("cb", cb)):
                    value = _clean(raw, clean)
                    if value is not None:
                        attrs.append(f'{key}="{value}"')
                out.append(f"<line {' '.join(attrs)}/>\n")
            for kind, raw_missed, raw_covered in counters:
                missed, covered = _clean(raw_missed, clean, "0"), _clean(raw_covered, clean, "0")
                out.append(f'<counter type="{kind}" missed="{missed}" covered="{covered}"/>')
            out.append("</sourcefile>\n")
        out.append("</package>" + "</group>" * groups + "\n")
    out.append(extra + "</report>\n")
    return "".join(out).encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    packages=st.lists(_jacoco_package, max_size=3),
    extra=st.sampled_from(["", "<!-- c -->", "<unknown/>", "<![CDATA[x]]>", "&amp;", "<?pi?>"]),
    piece=st.integers(1, 300),
    clean=st.booleans(),
)
def test_generated_jacoco_reads_as_lxml_reads_it(
    packages: list[tuple[object, ...]], extra: str, piece: int, clean: bool
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _check(jacoco, _jacoco_doc(packages, extra, clean), mp, piece)


def test_generated_jacoco_in_the_subset_is_read_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain document of the generator's kind is not declined (the property test would
    otherwise only ever compare lxml with itself)."""
    doc = _jacoco_doc(
        [
            (
                "com/a",
                [("A", None, [("&lt;init&gt;", "()V", "1", (0, 1)), ("x", "()V", "0", None)])],
                [("A.java", [(1, "0", "2", "1", "1"), (2, "0", "0", None, None)], [])],
                2,
            ),
            (  # the same file again, in another group: its parts are added up
                "com/a",
                [("B", "B.java", [("m", "(I)V", "3", (1, 1))])],
                [("A.java", [(1, "0", "1", "0", "2"), (4, "1", "0", None, "1")], [])],
                0,
            ),
        ],
        "",
    )
    assert _check(jacoco, doc, monkeypatch, 7)
    assert _check(jacoco, doc, monkeypatch)


# -- generated Clover documents ---------------------------------------------------------

_clover_line = st.tuples(
    st.integers(0, 3),
    st.sampled_from(["stmt", "cond", "method", None, "other"]),
    st.one_of(st.none(), st.integers(0, 4).map(str), _number),
    st.one_of(st.none(), st.integers(0, 3).map(str)),
    st.one_of(st.none(), st.integers(0, 3).map(str), st.just("70000")),
    st.one_of(st.none(), _name_text),
)
_metrics = st.one_of(
    st.none(),
    st.lists(st.one_of(st.none(), st.integers(0, 6).map(str), _number), min_size=6, max_size=6),
)
_clover_file = st.tuples(
    st.one_of(st.none(), st.sampled_from(["", "/src/a.js", "/src/b.js"])),
    st.one_of(st.none(), st.sampled_from(["", "a.js", "b.js"])),
    st.lists(_clover_line, max_size=6),
    _metrics,
    st.booleans(),  # in a <package>
    st.booleans(),  # with a <class>
)


def _metrics_xml(values: list[str | None] | None) -> str:
    if values is None:
        return ""
    names = (
        "statements",
        "coveredstatements",
        "conditionals",
        "coveredconditionals",
        "methods",
        "coveredmethods",
    )
    attrs = " ".join(f'{k}="{v}"' for k, v in zip(names, values, strict=True) if v is not None)
    return f"<metrics {attrs}/>"


def _clover_doc(
    files: list[tuple[object, ...]],
    version: str | None,
    test_files: int,
    extra: str,
    clean: bool = False,
) -> bytes:
    version_attr = "" if version is None else f' clover="{version}"'
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<coverage generated="1"{version_attr}>\n<project name="p"><metrics statements="1"/>\n'
    ]
    for path, raw_name, lines, raw_metrics, in_package, with_class in files:  # type: ignore[misc]
        name = "c.js" if clean and not path and not raw_name else raw_name
        metrics = raw_metrics
        if clean and metrics is not None:
            metrics = [_clean(v, clean) for v in metrics]  # type: ignore[attr-defined]
        attrs = "".join(f' {k}="{v}"' for k, v in (("name", name), ("path", path)) if v is not None)
        body = [_metrics_xml(metrics)]  # type: ignore[arg-type]
        if with_class:
            body.append('<class name="C"><metrics methods="3"/></class>')
        num = 0
        for step, raw_kind, raw_count, raw_true, raw_false, mname in lines:  # type: ignore[attr-defined]
            num += step
            kind, count, true, false = raw_kind, raw_count, raw_true, raw_false
            if clean:
                num = max(num, 1)
                kind = "stmt" if kind == "other" else kind
                count = _clean(count, clean, "1" if kind in ("stmt", None) else None)
                true, false = _clean(true, clean), _clean(false, clean)
            parts = [f'num="{num}"']
            if kind is not None:
                parts.append(f'type="{kind}"')
            for key, value in (("count", count), ("truecount", true), ("falsecount", false)):
                if value is not None:
                    parts.append(f'{key}="{value}"')
            if mname is not None:
                parts.append(f'name="{_esc(mname)}"')
            body.append(f"<line {' '.join(parts)}/>\n")
        element = f"<file{attrs}>{''.join(body)}</file>\n"
        out.append(f'<package name="p">{element}</package>' if in_package else element)
    out.append("</project>\n")
    if test_files:
        out.append('<testproject name="t"><file name="t.js"><line num="x"/></file></testproject>')
    out.append(extra + "</coverage>\n")
    return "".join(out).encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(_clover_file, max_size=4),
    version=st.sampled_from([None, "3.2.0", "4.4.1"]),
    test_files=st.integers(0, 1),
    extra=st.sampled_from(["", "<!-- c -->", "<unknown/>", "&#65;", "<coverage/>"]),
    piece=st.integers(1, 300),
    clean=st.booleans(),
)
def test_generated_clover_reads_as_lxml_reads_it(
    files: list[tuple[object, ...]],
    version: str | None,
    test_files: int,
    extra: str,
    piece: int,
    clean: bool,
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _check(clover, _clover_doc(files, version, test_files, extra, clean), mp, piece)


def test_generated_clover_in_the_subset_is_read_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _clover_doc(
        [
            (
                "/src/a.js",
                "a.js",
                [
                    (1, "stmt", "2", None, None, None),
                    (1, "cond", "2", "1", "1", None),
                    (0, "method", "1", None, None, "f&amp;"),
                    (1, "cond", None, "3", "0", None),
                ],
                ["3", "2", "2", "1", "1", "1"],
                True,
                True,
            ),
            (None, "b.js", [(2, None, "0", None, None, None)], None, False, False),
        ],
        "3.2.0",
        1,
        "",
    )
    assert _check(clover, doc, monkeypatch, 5)
    assert _check(clover, doc, monkeypatch)


def test_clover_budget_overrun_is_the_lxml_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget overrun found in Python after the scan is handed to lxml, which names
    the file's line; the scanner's own columns are never expanded."""
    lines = "".join(
        f'<line num="{n}" count="1" type="cond" truecount="60000" falsecount="5000"/>'
        for n in range(1, 35)
    )
    doc = (
        f'<coverage clover="3.2.0"><project><file path="a.js">{lines}</file></project></coverage>'
    ).encode()
    monkeypatch.setattr(clover, "MAX_OUTCOMES_PER_LINE", 1 << 17)
    ref = _outcome(clover.read_lxml, doc)
    assert isinstance(ref, str) and "branch outcomes; refused" in ref
    assert clover._read_fast(io.BytesIO(doc), "t.xml") is None
    _check(clover, doc, monkeypatch)


# -- mutated fixtures ---------------------------------------------------------------------

_SEEDS = [
    (module, path.read_bytes())
    for module in (jacoco, clover)
    for path in _fixtures(module)
    if f"{path.parent.name}/{path.name}" in FAST_FIXTURES
]
_TOKENS = [*XML_TOKENS, b"file", b"9999999999999999999", b"-1", b"0", b"<line/>", b"count", b"nr"]


@settings(max_examples=300, deadline=None)
@given(
    seed=st.sampled_from(_SEEDS),
    edits=xml_edits(),
    piece=st.sampled_from([3, 64, 4 << 20]),
)
def test_mutated_fixtures_read_as_lxml_reads_them(
    seed: tuple[ModuleType, bytes], edits: list[Edit], piece: int
) -> None:
    module, original = seed
    data = mutate(original, edits, _TOKENS)
    with pytest.MonkeyPatch.context() as mp:
        _check(module, data, mp, piece)


# -- the scanner itself ------------------------------------------------------------------


def _jacoco_small(body: str, prolog: str = "") -> bytes:
    return (
        f'{prolog}<report name="r"><package name="p"><sourcefile name="A.java">{body}'
        "</sourcefile></package></report>"
    ).encode()


@pytest.mark.parametrize(
    "data",
    [
        _jacoco_small('<line nr="1" mi="0" ci="1"/><![CDATA[x]]>'),
        _jacoco_small('<line nr="1" mi="0" ci="1"/>', "<!DOCTYPE report [<!ENTITY a 'b'>]>"),
        _jacoco_small('<line nr="1" mi="0" ci="1"/>&nbsp;'),
        _jacoco_small('<line nr="2" mi="0" ci="1"/><line nr="1" mi="0" ci="1"/>'),  # order
        _jacoco_small('<line nr="1" mi="0" ci="1" mb="65536"/>'),
        _jacoco_small('<line nr="0" mi="0" ci="1"/>'),
        _jacoco_small('<line nr="1" mi="0" ci="1" ci="2"/>'),
        _jacoco_small('<line nr="1" mi="0" ci="1"/><other/>'),
        _jacoco_small('<line nr="1" mi="0" ci="1"/>')[:-3],
        _jacoco_small('<line nr="1" mi="0" ci="1"/><?pi?>'),
        _jacoco_small('<counter type="LINE" missed="x" covered="1"/>'),
        b'<?xml version="1.0" encoding="ISO-8859-1"?><report/>',
        b"<coverage/>",
        b"",
    ],
)
def test_jacoco_scanner_declines_what_it_does_not_know(data: bytes) -> None:
    from covgap import _xml_speedups as sp

    scanner = sp.Scanner(0, 65535, 2_000_000)
    assert scanner.feed(data, True) is None
    with pytest.raises(RuntimeError):
        scanner.feed(b"", True)


def test_jacoco_outcome_budget_is_the_lxml_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jacoco, "MAX_OUTCOMES_PER_REPORT", 5)
    doc = _jacoco_small('<line nr="1" mi="0" ci="1" mb="3" cb="3"/>')
    assert jacoco._read_fast(io.BytesIO(doc), "t.xml") is None
    with pytest.raises(FormatError, match="more than 5 branch outcomes"):
        jacoco.read(io.BytesIO(doc), "t.xml")


def test_scanner_arguments_are_checked() -> None:
    from covgap import _xml_speedups as sp

    with pytest.raises(ValueError):
        sp.Scanner(2)
    with pytest.raises(TypeError):
        sp.expand_clover(array("q"), array("q"), array("q"), array("q"), True)
    with pytest.raises(ValueError):
        sp.expand_clover(array("i", [1]), array("q"), array("q"), array("q"), True)
    with pytest.raises(ValueError):
        sp.expand_clover(array("i", [1]), array("q", [1]), array("q", [-1]), array("q", [0]), True)


@given(
    rows=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6), st.integers(0, 6)), max_size=10),
    istanbul=st.booleans(),
)
def test_expand_clover_is_the_reference_expansion(
    rows: list[tuple[int, int, int]], istanbul: bool
) -> None:
    """The outcomes ``_read_file`` builds per cond line, in the same order."""
    from covgap import _xml_speedups as sp

    lines = array("i", range(1, len(rows) + 1))
    ran, true, false = (array("q", [r[i] for r in rows]) for i in range(3))
    got = sp.expand_clover(lines, ran, true, false, istanbul)
    want: list[tuple[int, int, int, int]] = []
    for num, (r, t, f) in zip(lines, rows, strict=True):
        outcomes = [1] * t + [0] * f if istanbul else [t, f]
        want.extend((num, 0, i, taken if r > 0 else -1) for i, taken in enumerate(outcomes))
    assert list(zip(*got, strict=True)) == want
    assert [a.typecode for a in got] == ["i", "i", "i", "q"]


# -- streams -----------------------------------------------------------------------------


class _Trickle(io.RawIOBase):
    """A stream that returns at most 7 bytes a read, and cannot seek."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(min(7, len(buffer)))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize("module", [jacoco, clover])
def test_short_reads_and_unseekable_streams(
    module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "jacoco/jacoco.xml" if module is jacoco else "clover/clover.xml"
    data = (DATA / name).read_bytes()
    monkeypatch.delenv(jacoco.FAST_PATH_ENV, raising=False)
    ref = module.read_lxml(io.BytesIO(data), "t.xml")
    monkeypatch.setattr(_xml, "SCAN_PIECE", 100)
    trickle = _Trickle(data)
    fast = module._read_fast(trickle, "t.xml")  # short reads: pieces joined
    assert fast is not None
    _assert_same(fast, ref)
    # Not seekable: the C path cannot fall back by seeking, so the lxml path reads it.
    monkeypatch.setattr(module, "_read_fast", lambda *_: pytest.fail("not seekable"))
    _assert_same(module.read(_Trickle(data), "t.xml"), ref)  # type: ignore[arg-type]
    _assert_same(module.read(_ReadOnly(data), "t.xml"), ref)  # type: ignore[arg-type]


class _ReadOnly:
    """An object with nothing but ``read`` (no ``seekable``/``tell``)."""

    def __init__(self, data: bytes) -> None:
        self.read = io.BytesIO(data).read


def test_a_token_longer_than_the_scanner_keeps_is_left_to_lxml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whitespace inside a start tag can make one token as long as the document: the
    scanner declines past 4 MiB rather than buffering it, and lxml reads it."""
    doc = b'<report name="r"' + b" " * (9 << 20) + b'><package name="p"/></report>'
    assert jacoco._read_fast(io.BytesIO(doc), "t.xml") is None
    _check(jacoco, doc, monkeypatch)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    ("name", "module", "fast"),
    [
        ("jacoco/jacoco.xml", jacoco, True),
        ("clover/clover.xml", clover, True),
        ("clover/clover.xml", clover, False),  # made to be declined: read again by lxml
    ],
)
def test_progress_streams_take_the_fast_path_and_count_each_byte_once(
    name: str,
    module: ModuleType,
    fast: bool,
    compress: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``covgap`` wraps big inputs on a terminal in a progress stream: it must stay
    seekable (else the C path could not step aside and is never tried), and a second
    reading by lxml must move the progress back rather than count the file twice."""
    import gzip

    from covgap.formats import read_report

    data = (DATA / name).read_bytes()
    if not fast:  # declined past the stream's 1 MiB buffer: going back reads it again
        padding = (b"<!--" + b"x" * 900_000 + b"-->\n") * 3 + b"<unknown/>"
        data = data.replace(b"<project", padding + b"<project", 1)
    path = tmp_path / ("r.xml.gz" if compress else "r.xml")
    path.write_bytes(gzip.compress(data) if compress else data)
    monkeypatch.delenv(jacoco.FAST_PATH_ENV, raising=False)
    monkeypatch.setattr(_xml, "SCAN_PIECE", 64)
    used: list[bool] = []
    real = module._read_fast
    monkeypatch.setattr(
        module, "_read_fast", lambda s, o: used.append((r := real(s, o)) is not None) or r
    )
    seen: list[int] = []
    cs = read_report(path, format_name=module.FORMAT.name, progress=seen.append)
    assert used == [fast]
    assert sum(seen) == path.stat().st_size
    if not fast:
        assert min(seen) < 0  # the progress went back for the second reading
    _assert_same(cs, module.read_lxml(io.BytesIO(data), str(path)))


def test_openclover_stmt_and_cond_of_one_line_are_read_fast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """OpenClover 4.3 writes a stmt and a cond for an ``if`` line, in either order: one
    line, visited as often as the more frequent of the two, its outcomes never
    evaluated only when neither ran. gcovr repeats a kind on a number (once per
    function instance): counts add, a cond's outcomes follow the previous one's."""
    lines = (
        '<line num="3" type="stmt" count="0"/><line num="3" type="cond" truecount="0"'
        ' falsecount="0"/><line num="5" type="cond" truecount="2" falsecount="0"/>'
        '<line num="5" type="stmt" count="1"/><line num="7" type="stmt" count="4"/>'
        '<line num="7" type="cond" count="0" truecount="0" falsecount="1"/>'
    )
    doc = (
        f'<coverage clover="4.3.1"><project><file path="A.java">{lines}</file></project></coverage>'
    ).encode()
    assert _check(clover, doc, monkeypatch)
    assert _check(clover, doc, monkeypatch, 11)
    fc = clover.read_lxml(io.BytesIO(doc), "t").files["A.java"]
    assert list(fc.line_hits()) == [(3, 0), (5, 2), (7, 4)]
    assert [b.taken for b in fc.branches()] == [None, None, 2, 0, 0, 1]
    repeated = doc.replace(
        b'<line num="7" type="stmt" count="4"/>', b'<line num="5" type="stmt" count="4"/>'
    )
    assert _check(clover, repeated, monkeypatch)
    assert "repeat a line number" in clover.read(io.BytesIO(repeated), "t").notes[0]
    conds = doc.replace(
        b"</file>", b'<line num="7" type="cond" truecount="1" falsecount="1"/></file>'
    )
    assert _check(clover, conds, monkeypatch)
    fc = clover.read_lxml(io.BytesIO(conds), "t").files["A.java"]
    assert [(b.line, b.branch) for b in fc.branches()][-4:] == [(7, 0), (7, 1), (7, 2), (7, 3)]
    unordered = conds.replace(b'num="7" type="stmt"', b'num="2" type="stmt"')
    assert not _check(clover, unordered, monkeypatch)


def test_gcovr_jacoco_lines_without_mi_ci_and_repeated_are_read_fast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gcovr's JaCoCo: no mi/ci (branches only, the LINE counter said in a note), a line
    repeated per function instance; mixed with JaCoCo's own lines in one file too."""
    body = (
        '<line nr="2" mb="1" cb="1"/><line nr="2" mb="2" cb="0"/><line nr="3"/>'
        '<line nr="4" mb="0" cb="0"/><line nr="4" mb="1" cb="0"/>'
        '<counter type="LINE" missed="1" covered="2"/>'
        '<counter type="BRANCH" missed="4" covered="1"/>'
    )
    for doc in (
        _jacoco_small(body),
        _jacoco_small(
            body + '<line nr="9" mi="0" ci="3" mb="1" cb="1"/><line nr="9" mi="1" ci="0"/>'
        ),
        _jacoco_small('<line nr="5" mi="0" ci="0"/><line nr="5" mi="0" ci="2" mb="1" cb="0"/>'),
    ):
        assert _check(jacoco, doc, monkeypatch)
        assert _check(jacoco, doc, monkeypatch, 9)
    notes = jacoco.read(io.BytesIO(_jacoco_small(body)), "t").notes
    assert any("without mi/ci" in n for n in notes)
    assert any("repeat a line number" in n for n in notes)
    assert not _check(jacoco, _jacoco_small('<line nr="2" mb="1"/><line nr="1"/>'), monkeypatch)
