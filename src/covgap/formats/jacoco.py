"""JaCoCo XML reports (``jacoco.xml``), as written by JaCoCo's report API, Maven, Gradle.

Specification: JaCoCo's ``report.dtd`` (``-//JACOCO//DTD Report 1.1//EN``) and the
counter definitions at https://www.jacoco.org/jacoco/trunk/doc/counters.html.
Checked against Debian's JaCoCo 0.8.6 (``tests/data/jacoco/make.sh``).

The grammar the reader relies on (``group`` nests to any depth and may be absent)::

    <report name>
      <sessioninfo .../>*
      <group name>* | <package name="com/example/shop">*
        <class name="com/example/shop/Cart" sourcefilename="Cart.java">
          <method name="add" desc="(I)V" line="11">
            <counter type="METHOD" missed="0" covered="1"/> ...
        <sourcefile name="Cart.java">
          <line nr="11" mi="0" ci="2" mb="0" cb="2"/>
          <counter type="LINE" missed="3" covered="17"/> ...

What JaCoCo counts, and how the reader reproduces it:

* **Lines**: a ``<line>`` is a source line with bytecode; it is covered when at least
  one of its instructions ran (``ci > 0``). JaCoCo records probes, not execution
  counts, so a covered line gets 1 hit: merged reports then count how many reports
  covered it.
* **Branches**: ``mb + cb`` outcomes on the line, ``cb`` of them covered. They become
  outcomes ``0..mb+cb-1`` of block 0, the first ``cb`` taken once; on a line none of
  whose instructions ran they are "never evaluated".
* **Functions**: each ``<method>`` (lambdas and constructors included, as JaCoCo's
  METHOD counter does), covered when its METHOD counter says so, named
  ``Class.method`` with nested classes as ``Outer$Inner``. Methods without a
  ``line`` attribute (classes compiled without debug information) cannot be placed
  in a file and are left out, with a note.

The report's own per-sourcefile LINE and BRANCH counters and per-method METHOD
counters must agree with the per-line data; covgap reports the per-line data (it is
what merges) and adds a note naming the file when they disagree.

Speed: when the optional C accelerator ``covgap._xml_speedups`` is built, a report is
scanned by it 1 MiB at a time (never whole in memory, :func:`_xml.scan_pieces`), and
Python gets one record per ``<class>`` and ``<sourcefile>``, the lines and branch
outcomes already in array columns. It handles what JaCoCo, Kover and gcovr write
(lines in ascending order, a number repeated only right after itself; the elements of
``report.dtd``; UTF-8; the predefined entities); on anything else (lines out of
order, unknown elements, numbers that are not plain digits, entities beyond XML's
five, any error) it steps aside and the lxml path below, the reference, reads the
whole report and decides, including every error message. Tests hold the two paths
equal.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from covgap.errors import FormatError
from covgap.formats import FormatSpec, _xml
from covgap.formats._totals import TotalsCheck
from covgap.model import BranchColumns, CoverageSet, FileCoverage, FileCoverageBuilder

try:  # Optional C scanner; the lxml path is the reference and always available.
    from covgap import _xml_speedups as _speedups
except ImportError:  # pragma: no cover - exercised when the extension is not built
    _speedups = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from lxml import etree

FAST_PATH_ENV = _xml.FAST_PATH_ENV
"""Set to ``1`` to force the lxml reader (tests compare both paths with it)."""

MAX_BRANCHES_PER_LINE = 65535
"""The most ``mb`` or ``cb`` one line can hold: a JVM method's code is at most 65535
bytes, and every branch needs an instruction of its own."""

MAX_OUTCOMES_PER_REPORT = 2_000_000
"""The most branch outcomes (``mb + cb`` summed) a whole report may claim.

Each outcome is a model entry built in Python, so a few KB of hostile ``<line>``
elements could otherwise claim gigabytes; real projects have a few hundred thousand.
"""

_SNIFF_DOCTYPE = re.compile(rb"<!DOCTYPE\s+report\s+PUBLIC\s+\"-//JACOCO//DTD Report")
_SNIFF_ROOT = re.compile(rb"<report\s+name=\"[^\"]*\"\s*>\s*(<sessioninfo|<group|<package)")


def sniff(head: bytes, name: str) -> bool:
    """JaCoCo writes its DOCTYPE; without it, ``<report name=..>`` then sessioninfo/package."""
    return bool(_SNIFF_DOCTYPE.search(head) or _SNIFF_ROOT.search(head))


def _counters(elem: etree._Element, origin: str) -> dict[str, tuple[int, int]]:
    """Return ``{type: (missed, covered)}`` of the element's direct ``<counter>`` children."""
    found: dict[str, tuple[int, int]] = {}
    for child in elem:
        if child.tag == "counter":
            line = child.sourceline
            found[child.get("type", "")] = (
                _xml.parse_count(child.get("missed"), origin, line, "counter missed"),
                _xml.parse_count(child.get("covered"), origin, line, "counter covered"),
            )
    return found


_Entry = Callable[[str], FileCoverageBuilder]
"""Returns the builder of a path, creating it on first use (classes and sourcefiles
of one file arrive separately, and a path may occur in several groups)."""

_Method = tuple[str, str, int, tuple[int, int]]
"""A ``<method>`` kept past its element: name, desc, first line, METHOD counter."""


@dataclass
class _Class:
    """A ``<class>`` without ``sourcefilename`` (JaCoCo before 0.8), placed at its
    package's end, once the package's ``<sourcefile>`` names are known."""

    name: str
    methods: list[_Method]


@dataclass
class _Reading:
    """What one report's reading collects besides the files themselves."""

    no_line_methods: int = 0
    unplaced_methods: int = 0
    counters: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    """Per file: its ``<sourcefile>``'s own counters (summed over groups)."""
    no_line_data: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Files whose ``<line>`` elements have no ``mi``/``ci`` (gcovr): LINE counter."""
    repeated: int = 0
    mixed: int = 0
    """<line> elements without mi/ci in files whose other lines have them."""


def _entries(files: dict[str, FileCoverageBuilder]) -> _Entry:
    """A path's builder in ``files``, made on first use (a class's methods may come
    before or after its source file's lines)."""

    def entry(path: str) -> FileCoverageBuilder:
        b = files.get(path)
        if b is None:
            b = files[path] = FileCoverageBuilder(path)
        return b

    return entry


def _file_path(package: str, filename: str) -> str:
    return f"{package}/{filename}" if package else filename


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read a JaCoCo XML report; see the module docstring for what is counted.

    The C scanner reads it when it is built and the report is in the subset it knows;
    otherwise (and for every error) the lxml path does.
    """
    read_fast = _read_fast if _speedups is not None else None
    return _xml.read_scanned_or_lxml(stream, origin, read_fast, read_lxml)


def read_lxml(stream: BinaryIO, origin: str) -> CoverageSet:
    """Stream a report with lxml: the reference reader, and the judge of every error."""
    files: dict[str, FileCoverageBuilder] = {}
    notes: list[str] = []
    reading = _Reading()
    budget = _xml.OutcomeBudget(origin, MAX_OUTCOMES_PER_REPORT)
    pending: list[_Class] = []
    sourcefiles: list[str] = []
    entry = _entries(files)
    for _event, elem in _xml.iterparse(
        stream, origin, tag=("class", "sourcefile", "package"), root="report"
    ):
        if elem.tag == "package":
            _place_classes(pending, sourcefiles, elem.get("name", ""), entry, reading)
            pending, sourcefiles = [], []
            elem.clear()
            continue
        parent = elem.getparent()
        if parent is None or parent.tag != "package":
            raise FormatError(origin, f"<{elem.tag}> outside a <package>", line=elem.sourceline)
        package = parent.get("name", "")
        if elem.tag == "class":
            cls = _read_class(elem, origin, notes, reading)
            sourcefile = elem.get("sourcefilename")
            if sourcefile is None:
                pending.append(cls)
            else:
                _add_methods(entry(_file_path(package, sourcefile)), cls)
        else:
            sourcefiles.append(_read_sourcefile(elem, package, origin, entry, reading, budget))
        elem.clear()
    cs = CoverageSet()
    for path in sorted(files):
        cs.add(files[path].build())
    notes.extend(_reading_notes(origin, reading, cs))
    cs.notes = tuple(notes)
    return cs


def _reading_notes(origin: str, reading: _Reading, cs: CoverageSet) -> list[str]:
    """Everything the user must know about this report, one line each."""
    notes: list[str] = []
    if reading.no_line_methods:
        notes.append(
            f"{origin}: {reading.no_line_methods} method(s) without line information "
            "(compiled without -g) are not counted as functions"
        )
    if reading.unplaced_methods:
        notes.append(
            f"{origin}: {reading.unplaced_methods} method(s) of <class> elements without "
            "sourcefilename (JaCoCo before 0.8) match no <sourcefile> of their package by "
            "name and are not counted as functions"
        )
    if reading.no_line_data:
        declared = [sum(v[i] for v in reading.no_line_data.values()) for i in (0, 1)]
        shown = ", ".join(sorted(reading.no_line_data)[:3])
        notes.append(
            f"{origin}: {len(reading.no_line_data)} file(s) have no per-line line coverage "
            f"(<line> elements without mi/ci, as gcovr's JaCoCo output writes them: {shown}); "
            f"their LINE counters say {declared[1]:,} of {declared[0] + declared[1]:,} lines "
            "covered, covgap counts no lines for them (gcovr's --json, --cobertura or "
            "--lcov carry per-line coverage); their branches are read"
        )
    if reading.mixed:
        notes.append(
            f"{origin}: {reading.mixed} <line> element(s) have no mi/ci in files whose "
            "other lines have them: they are not counted as lines (their branches are)"
        )
    if reading.repeated:
        notes.append(
            f"{origin}: {reading.repeated} <line> element(s) repeat a line number of their "
            "<sourcefile> (gcovr 8.4+ writes a line once per function instance): each "
            "source line is counted once, its branch outcomes added up"
        )
    check = TotalsCheck(
        origin,
        "the <sourcefile> <counter> elements",
        "covgap counts the <line> and <method> elements (they are what merges; "
        "gcovr's counters count a line once per function instance)",
    )
    for path, counters in sorted(reading.counters.items()):
        c = cs.files[path].counts() if path in cs.files else None
        counted = {
            "LINE": (c.lines_total, c.lines_covered) if c else (0, 0),
            "BRANCH": (c.branches_total, c.branches_covered) if c else (0, 0),
            "METHOD": (c.functions_total, c.functions_covered) if c else (0, 0),
        }
        for kind, what in (("LINE", "lines"), ("BRANCH", "branches"), ("METHOD", "functions")):
            if kind == "LINE" and path in reading.no_line_data:
                continue  # said above, with the counter's figure
            if kind not in counters:
                continue
            missed, covered = counters[kind]
            why = None
            if kind == "METHOD" and path in reading.no_line_data and not counted[kind][0]:
                why = "gcovr's JaCoCo output has no <method> elements to count"
            check.compare(
                what,
                (missed + covered, covered),
                counted[kind],
                where=path,
                as_written=f"{kind} missed={missed} covered={covered}",
                why=why,
            )
    notes.extend(check.notes())
    return notes


def _read_class(
    elem: etree._Element,
    origin: str,
    notes: list[str],
    reading: _Reading,
) -> _Class:
    """Return the class's methods that have a line (the others are counted in ``reading``)."""
    class_name = elem.get("name", "")
    methods: list[_Method] = []
    for method in elem:
        if method.tag != "method":
            continue
        line_attr = method.get("line")
        if line_attr is None:
            reading.no_line_methods += 1
            continue
        start = _xml.parse_count(line_attr, origin, method.sourceline, "method line")
        if start == 0:
            reading.no_line_methods += 1
            continue
        counters = _counters(method, origin)
        missed_covered = counters.get("METHOD")
        if missed_covered is None:
            raise FormatError(origin, "<method> without a METHOD counter", line=method.sourceline)
        if sum(missed_covered) != 1:
            notes.append(
                f"{origin}: {class_name}.{method.get('name')}: METHOD counter "
                f"{missed_covered} is not one method; counted as one"
            )
        methods.append((method.get("name", "?"), method.get("desc", ""), start, missed_covered))
    return _Class(class_name, methods)


def _add_methods(b: FileCoverageBuilder, cls: _Class) -> None:
    """Add a class's methods as functions named ``Class.method``."""
    simple = cls.name.rsplit("/", 1)[-1]
    seen: set[tuple[str, int]] = set()
    for method_name, desc, start, missed_covered in cls.methods:
        name = f"{simple}.{method_name}"
        if (name, start) in seen:
            # Two methods of one class on one line (e.g. a record's accessors): keep both.
            name = f"{name}{desc}"
        seen.add((name, start))
        b.add_function(name, start, 1 if missed_covered[1] > 0 else 0)


def _place_classes(
    pending: list[_Class],
    sourcefiles: list[str],
    package: str,
    entry: _Entry,
    reading: _Reading,
) -> None:
    """Place classes without ``sourcefilename`` in the package's source file of their name.

    JaCoCo before 0.8 did not write ``sourcefilename``; its classes are named after
    their file as Java and Kotlin name them (``Cart``, ``Cart$Line``, ``CartKt``), so
    the file is the package's ``<sourcefile>`` whose name without extension is the
    outer class's name (or, with a ``Kt`` suffix, that name without it).
    """
    if not pending:
        return
    by_stem: dict[str, list[str]] = {}
    for name in sourcefiles:
        by_stem.setdefault(name.rsplit(".", 1)[0], []).append(name)
    for cls in pending:
        outer = cls.name.rsplit("/", 1)[-1].split("$", 1)[0]
        found = by_stem.get(outer) or (by_stem.get(outer[:-2]) if outer.endswith("Kt") else None)
        if found is not None and len(found) == 1:
            _add_methods(entry(_file_path(package, found[0])), cls)
        else:
            reading.unplaced_methods += len(cls.methods)


def _read_sourcefile(
    elem: etree._Element,
    package: str,
    origin: str,
    entry: _Entry,
    reading: _Reading,
    budget: _xml.OutcomeBudget,
) -> str:
    """Add the file's lines and branches and keep its own counters; return its name.

    Each line's branch outcomes are taken from ``budget`` before they are built. A
    line number may repeat (gcovr 8.4+ writes one ``<line>`` per function instance):
    the line is one line, covered when any instance ran, and the instances' branch
    outcomes follow each other.
    """
    name = elem.get("name")
    if not name:
        raise FormatError(origin, "<sourcefile> without a name", line=elem.sourceline)
    path = _file_path(package, name)
    b = entry(path)
    next_outcome: dict[int, int] = {}  # line -> first free branch index
    with_line_data = without_line_data = 0
    for line in elem:
        if line.tag != "line":
            continue
        where = line.sourceline
        nr = _xml.parse_count(line.get("nr"), origin, where, "line nr")
        if nr == 0:
            raise FormatError(origin, "line nr 0", line=where)
        mi_raw, ci_raw = line.get("mi"), line.get("ci")
        mi = _xml.parse_count(mi_raw or "0", origin, where, "mi")
        ci = _xml.parse_count(ci_raw or "0", origin, where, "ci")
        mb = _xml.parse_count(line.get("mb", "0"), origin, where, "mb", limit=MAX_BRANCHES_PER_LINE)
        cb = _xml.parse_count(line.get("cb", "0"), origin, where, "cb", limit=MAX_BRANCHES_PER_LINE)
        if nr in next_outcome:
            reading.repeated += 1
        known = mi_raw is not None or ci_raw is not None
        if known:
            with_line_data += 1
            if mi == ci == 0:
                continue  # no bytecode on this line: JaCoCo's LINE counter skips it too
            b.add_line(nr, 1 if ci > 0 else 0)
            ran: bool | None = ci > 0
        else:
            without_line_data += 1  # gcovr: only branch counts; a covered one ran
            ran = True if cb > 0 else None
        budget.spend(mb + cb, line=where)
        first = next_outcome.get(nr, 0)
        for i in range(mb + cb):
            b.add_branch(nr, 0, first + i, (1 if i < cb else 0) if ran else None)
        next_outcome[nr] = first + mb + cb
    _sourcefile_counts(path, _counters(elem, origin), with_line_data, without_line_data, reading)
    return str(name)


def _read_fast(stream: BinaryIO, origin: str) -> CoverageSet | None:
    """Read a report with the C scanner; None when it declines (the lxml path reads it).

    Python sees one record per ``<class>``, ``<sourcefile>`` and ``</package>`` and
    applies the same rules as :func:`read_lxml` to them (methods, placing classes
    without ``sourcefilename``, the counters' check); the scanner has applied the
    per-line ones (see ``_xml_speedups.c``).
    """
    assert _speedups is not None
    scanner = _speedups.Scanner(0, MAX_BRANCHES_PER_LINE, MAX_OUTCOMES_PER_REPORT)
    builders: dict[str, FileCoverageBuilder] = {}
    parts: dict[str, list[tuple[array[int], ...]]] = {}
    notes: list[str] = []
    reading = _Reading()
    pending: list[_Class] = []
    sourcefiles: list[str] = []
    entry = _entries(builders)
    try:
        for record in _xml.scan_pieces(stream, scanner):
            kind = record[0]
            if kind == 1:  # a <class>
                package, class_name, sourcefile, methods = record[1:]
                cls = _class_from_scan(class_name or "", methods, origin, notes, reading)
                if sourcefile is None:
                    pending.append(cls)
                else:
                    _add_methods(entry(_file_path(package, sourcefile)), cls)
            elif kind == 2:  # a <sourcefile>
                path, name = _file_path(record[1], record[2]), record[2]
                entry(path)
                parts.setdefault(path, []).append(record[3:9])
                counter_list, with_data, without_data, repeated = record[9:]
                reading.repeated += repeated
                counters = {t: (m, c) for t, m, c in counter_list}
                _sourcefile_counts(path, counters, with_data, without_data, reading)
                sourcefiles.append(name)
            else:  # </package>
                _place_classes(pending, sourcefiles, record[1], entry, reading)
                pending, sourcefiles = [], []
    except _xml.ScanDeclined:
        return None
    cs = CoverageSet()
    for path in sorted(builders):
        cs.add(_file_from_scan(builders[path], parts.get(path, [])))
    notes.extend(_reading_notes(origin, reading, cs))
    cs.notes = tuple(notes)
    return cs


def _sourcefile_counts(
    path: str,
    counters: dict[str, tuple[int, int]],
    with_data: int,
    without_data: int,
    reading: _Reading,
) -> None:
    """Keep a ``<sourcefile>``'s own counters, and count its ``<line>`` elements with and
    without mi/ci (gcovr writes only branch counts): both paths end a file with this."""
    if without_data and with_data:
        reading.mixed += without_data
    if without_data and not with_data:
        line_counter = counters.get("LINE", (0, 0))
        prev = reading.no_line_data.get(path, (0, 0))
        reading.no_line_data[path] = (prev[0] + line_counter[0], prev[1] + line_counter[1])
    own = reading.counters.setdefault(path, {})
    for kind, value in counters.items():
        prev = own.get(kind, (0, 0))
        own[kind] = (prev[0] + value[0], prev[1] + value[1])


def _class_from_scan(
    class_name: str,
    methods: list[tuple[str | None, str | None, int, tuple[int, int] | None]],
    origin: str,
    notes: list[str],
    reading: _Reading,
) -> _Class:
    """:func:`_read_class` over the scanner's method tuples (name, desc, line or -1,
    METHOD counter); the scanner has declined every case that is an error there."""
    kept: list[_Method] = []
    for name, desc, start, missed_covered in methods:
        if start <= 0:
            reading.no_line_methods += 1
            continue
        assert missed_covered is not None
        if sum(missed_covered) != 1:
            notes.append(
                f"{origin}: {class_name}.{name}: METHOD counter "
                f"{missed_covered} is not one method; counted as one"
            )
        kept.append(("?" if name is None else name, desc or "", start, missed_covered))
    return _Class(class_name, kept)


def _file_from_scan(b: FileCoverageBuilder, parts: list[tuple[array[int], ...]]) -> FileCoverage:
    """A file from its functions (in ``b``) and its sourcefiles' scanned columns."""
    if len(parts) == 1:
        lines, hits, *branches = parts[0]
        return FileCoverage(
            b.path, lines, hits, branches=BranchColumns(*branches), functions=b.build_functions()
        )
    for lines, hits, br_line, br_block, br_branch, br_taken in parts:
        for line, h in zip(lines, hits, strict=True):
            b.add_line(line, h)
        for line, block, branch, taken in zip(br_line, br_block, br_branch, br_taken, strict=True):
            b.add_branch(line, block, branch, None if taken < 0 else taken)
    return b.build()


FORMAT = FormatSpec(
    name="jacoco",
    title="JaCoCo XML",
    sniff=sniff,
    read=read,
    write=None,
    discover=("**/jacoco.xml", "**/jacocoTestReport.xml"),
)

__all__ = ["FORMAT", "read", "read_lxml", "sniff"]
