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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO

from covgap.errors import FormatError
from covgap.formats import FormatSpec, _xml
from covgap.model import CoverageSet, FileCoverageBuilder

if TYPE_CHECKING:
    from lxml import etree

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


def _file_path(package: str, filename: str) -> str:
    return f"{package}/{filename}" if package else filename


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read a JaCoCo XML report; see the module docstring for what is counted."""
    files: dict[str, FileCoverageBuilder] = {}
    notes: list[str] = []
    no_line_methods = 0
    budget = _xml.OutcomeBudget(origin, MAX_OUTCOMES_PER_REPORT)

    def entry(path: str) -> FileCoverageBuilder:
        b = files.get(path)
        if b is None:
            b = files[path] = FileCoverageBuilder(path)
        return b

    for _event, elem in _xml.iterparse(
        stream, origin, tag=("class", "sourcefile", "package"), root="report"
    ):
        if elem.tag == "package":
            elem.clear()
            continue
        parent = elem.getparent()
        if parent is None or parent.tag != "package":
            raise FormatError(origin, f"<{elem.tag}> outside a <package>", line=elem.sourceline)
        package = parent.get("name", "")
        if elem.tag == "class":
            no_line_methods += _read_class(elem, package, origin, entry, notes)
        else:
            _read_sourcefile(elem, package, origin, entry, notes, budget)
        elem.clear()
    cs = CoverageSet()
    for path in sorted(files):
        cs.add(files[path].build())
    if no_line_methods:
        notes.append(
            f"{origin}: {no_line_methods} method(s) without line information (compiled "
            "without -g) are not counted as functions"
        )
    cs.notes = tuple(notes)
    return cs


def _read_class(
    elem: etree._Element,
    package: str,
    origin: str,
    entry: _Entry,
    notes: list[str],
) -> int:
    """Add the class's methods as functions; return how many had no line to place them."""
    sourcefile = elem.get("sourcefilename")
    class_name = elem.get("name", "")
    simple = class_name.rsplit("/", 1)[-1]
    methods = [m for m in elem if m.tag == "method"]
    if sourcefile is None:
        return len(methods)
    b = entry(_file_path(package, sourcefile))
    skipped = 0
    seen: set[tuple[str, int]] = set()
    for method in methods:
        line_attr = method.get("line")
        if line_attr is None:
            skipped += 1
            continue
        start = _xml.parse_count(line_attr, origin, method.sourceline, "method line")
        if start == 0:
            skipped += 1
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
        name = f"{simple}.{method.get('name', '?')}"
        if (name, start) in seen:
            # Two methods of one class on one line (e.g. a record's accessors): keep both.
            name = f"{name}{method.get('desc', '')}"
        seen.add((name, start))
        b.add_function(name, start, 1 if missed_covered[1] > 0 else 0)
    return skipped


def _read_sourcefile(
    elem: etree._Element,
    package: str,
    origin: str,
    entry: _Entry,
    notes: list[str],
    budget: _xml.OutcomeBudget,
) -> None:
    """Add the file's lines and branches and check them against its own counters.

    Each line's branch outcomes are taken from ``budget`` before they are built.
    """
    name = elem.get("name")
    if not name:
        raise FormatError(origin, "<sourcefile> without a name", line=elem.sourceline)
    path = _file_path(package, name)
    b = entry(path)
    seen: set[int] = set()
    lines = [0, 0]  # missed, covered
    branches = [0, 0]
    for line in elem:
        if line.tag != "line":
            continue
        where = line.sourceline
        nr = _xml.parse_count(line.get("nr"), origin, where, "line nr")
        if nr == 0:
            raise FormatError(origin, "line nr 0", line=where)
        if nr in seen:
            raise FormatError(origin, f"line {nr} of {name} listed twice", line=where)
        seen.add(nr)
        mi = _xml.parse_count(line.get("mi", "0"), origin, where, "mi")
        ci = _xml.parse_count(line.get("ci", "0"), origin, where, "ci")
        mb = _xml.parse_count(line.get("mb", "0"), origin, where, "mb", limit=MAX_BRANCHES_PER_LINE)
        cb = _xml.parse_count(line.get("cb", "0"), origin, where, "cb", limit=MAX_BRANCHES_PER_LINE)
        if mi == ci == 0:
            continue  # no bytecode on this line: JaCoCo's LINE counter skips it too
        b.add_line(nr, 1 if ci > 0 else 0)
        lines[1 if ci > 0 else 0] += 1
        budget.spend(mb + cb, line=where)
        for i in range(mb + cb):
            b.add_branch(nr, 0, i, (1 if i < cb else 0) if ci > 0 else None)
        branches[0] += mb
        branches[1] += cb
    counters = _counters(elem, origin)
    for kind, computed in (("LINE", lines), ("BRANCH", branches)):
        declared = counters.get(kind, (0, 0))
        if declared != tuple(computed):
            notes.append(
                f"{origin}: {path}: the report's {kind} counter (missed, covered) "
                f"{declared} disagrees with its <line> elements {tuple(computed)}; "
                "covgap counts the <line> elements"
            )


FORMAT = FormatSpec(
    name="jacoco",
    title="JaCoCo XML",
    sniff=sniff,
    read=read,
    write=None,
    discover=("**/jacoco.xml", "**/jacocoTestReport.xml"),
)

__all__ = ["FORMAT", "read", "sniff"]
