"""Clover XML (``clover.xml``) as written by Istanbul (Jest, c8, nyc), PHPUnit and OpenClover.

Specification: OpenClover's ``clover.xsd`` (``coverage > project > package? > file >
line``), and the three producers' writers: Istanbul's ``istanbul-reports/lib/clover``,
PHPUnit's ``php-code-coverage`` ``Report/Clover.php``, OpenClover's XML reporter.
Checked against c8 12 (``tests/data/clover/make.sh``) and hand-written PHPUnit and
OpenClover documents (``tests/data/edge/clover-*.xml``). The grammar the reader uses::

    <coverage generated="..." clover="3.2.0"?>
      <project name="All files">            (<testproject> holds test code: skipped)
        <metrics statements conditionals coveredconditionals methods .../>
        <package name="src.lib">?
          <file name="cart.js" path="/abs/src/lib/cart.js"?>
            <class name><metrics .../></class>*               (PHPUnit, OpenClover)
            <metrics statements conditionals coveredconditionals methods coveredmethods/>
            <line num="9" count="3" type="stmt"/>
            <line num="8" count="1" type="cond" truecount="1" falsecount="1"/>
            <line num="4" count="2" type="method" name="add" | signature="add(int)"/>

What the reader counts (Istanbul's Clover output can hold less than Istanbul's own
totals: a branch on a line without a statement, such as a default parameter value,
is in the ``<metrics>`` but on no ``<line>``; the reader counts the lines and notes
the difference):

* **Lines**: the ``stmt`` and ``cond`` lines (a ``method`` line marks a declaration,
  not a statement), with ``count`` as hits — Istanbul's line coverage and PHPUnit's
  executable lines. A ``cond`` line without ``count`` (OpenClover) ran
  ``truecount + falsecount`` times. A ``stmt`` and a ``cond`` of the same number
  (OpenClover 4.3 writes both for an ``if`` line) are one line visited as often as
  the more frequent of the two. The same number repeated with the same type (gcovr
  8.4+ writes a line once per function instance, e.g. of a C++ template) is one
  line whose counts add, as lcov adds duplicate ``DA`` records; its ``cond``
  outcomes follow each other.
* **Branches** (``cond`` lines): the producers disagree on ``truecount`` and
  ``falsecount``. Istanbul writes the number of the line's branch outcomes *covered*
  and *not covered*; OpenClover writes how often the condition was *true* and
  *false* (two outcomes). Each file's own ``<metrics conditionals
  coveredconditionals>`` tells which reading it uses: the reader takes the one that
  reproduces them (Istanbul's when both do, as they then count the same; when the
  file has no metrics, Istanbul's for ``clover="3.2.0"`` — what Istanbul writes —
  and OpenClover's otherwise; OpenClover's whenever a line has more than
  :data:`MAX_OUTCOMES_PER_LINE`, which can only be run counts).
* **Functions**: ``method`` lines, named by ``name`` or ``signature``, covered when
  ``count > 0``. Istanbul writes no method lines, only per-file ``methods`` counts;
  covgap does not invent functions from totals, so such a report has no function
  data (a note says how many methods the report counted; Istanbul's
  ``coverage-final.json`` has them).

The file's path is its ``path`` attribute when present, else its ``name`` (PHPUnit
writes the full path there).

Each file's own ``<metrics>`` (``statements``/``coveredstatements``,
``conditionals``/``coveredconditionals``, ``methods``/``coveredmethods``) are
compared with what covgap counts; one note per report gives both figures when they
differ (Istanbul counts statements, several to a line; gcovr counts a line once per
function instance).

Speed: when the optional C accelerator ``covgap._xml_speedups`` is built, a report is
scanned by it 1 MiB at a time (never whole in memory) and Python gets one record per
``<file>``: its lines, its ``cond`` lines' counts in array columns, its method lines
and its metrics. It handles files whose ``stmt``/``cond`` lines come in ascending
order, a number's lines one after the other (Istanbul, PHPUnit, OpenClover, gcovr),
with counts as plain digits, in UTF-8 with the predefined entities; on anything else
(lines out of order, float counts, unknown elements, any error) it steps aside and the
lxml path below, the reference, reads the whole report and decides, including every
error message. Tests hold the two paths equal.
"""

from __future__ import annotations

import re
from array import array
from typing import TYPE_CHECKING, BinaryIO

from covgap.errors import FormatError
from covgap.formats import FormatSpec, _xml
from covgap.formats._totals import TotalsCheck
from covgap.model import BranchColumns, CoverageSet, FileCoverage, FileCoverageBuilder
from covgap.types import MAX_COUNT

try:  # Optional C scanner; the lxml path is the reference and always available.
    from covgap import _xml_speedups as _speedups
except ImportError:  # pragma: no cover - exercised when the extension is not built
    _speedups = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from lxml import etree

FAST_PATH_ENV = _xml.FAST_PATH_ENV
"""Set to ``1`` to force the lxml reader (tests compare both paths with it)."""

_ROOT_RE = re.compile(rb"<coverage\s[^>]*\b(generated|clover)=")
_PROJECT_RE = re.compile(rb"<(test)?project[\s>]")

ISTANBUL_CLOVER_VERSION = "3.2.0"
"""The ``clover=`` value Istanbul hard-codes on the root element."""

MAX_OUTCOMES_PER_LINE = 1 << 16
"""More branch outcomes on one line than this cannot be Istanbul's outcome counts."""

MAX_OUTCOMES_PER_REPORT = 2_000_000
"""The most branch outcomes a whole report may claim.

Each outcome is a model entry built in Python: 500 Istanbul cond lines of
``truecount="32768" falsecount="32768"`` (38 KB) took over a minute and 5 GB.
Istanbul's reports of the largest JavaScript projects hold a few hundred thousand.
"""


def sniff(head: bytes, name: str) -> bool:
    """Clover's root is ``<coverage generated=...>`` (or ``clover=``) with a ``<project>``."""
    root = _ROOT_RE.search(head)
    return root is not None and _PROJECT_RE.search(head, root.end()) is not None


def _count(elem: etree._Element, attr: str, origin: str, default: str | None = None) -> int:
    return _xml.parse_count(
        elem.get(attr, default), origin, elem.sourceline, f"{attr}", allow_float=True
    )


def _in_test_project(elem: etree._Element) -> bool:
    parent = elem.getparent()
    while parent is not None:
        if parent.tag == "testproject":
            return True
        parent = parent.getparent()
    return False


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read a Clover report; see the module docstring for each producer's rules.

    The C scanner reads it when it is built and the report is in the subset it knows;
    otherwise (and for every error) the lxml path does.
    """
    read_fast = _read_fast if _speedups is not None else None
    return _xml.read_scanned_or_lxml(stream, origin, read_fast, read_lxml)


def read_lxml(stream: BinaryIO, origin: str) -> CoverageSet:
    """Stream a report with lxml: the reference reader, and the judge of every error."""
    cs = CoverageSet()
    notes: list[str] = []
    istanbul_default = True
    methods_only_in_metrics = 0
    first = True
    root_line: int | None = None
    has_project = False
    budget = _xml.OutcomeBudget(origin, MAX_OUTCOMES_PER_REPORT)
    check = _totals_check(origin)
    repeated = [0]
    for event, elem in _xml.iterparse(
        stream,
        origin,
        events=("start", "end"),
        tag=("coverage", "project", "testproject", "file"),
        root="coverage",
    ):
        if event == "start":
            if first and elem.tag == "coverage":
                istanbul_default = elem.get("clover") == ISTANBUL_CLOVER_VERSION
                root_line = elem.sourceline
                first = False
            elif elem.tag in ("project", "testproject"):
                has_project = True
            continue
        if elem.tag != "file":
            continue
        if _in_test_project(elem):
            elem.clear()
            continue
        path = elem.get("path") or elem.get("name")
        if not path:
            raise FormatError(origin, "<file> without a name or path", line=elem.sourceline)
        b, metrics, method_lines = _read_file(
            elem, path, origin, istanbul_default, check, budget, repeated
        )
        fc = b.build()
        methods_only_in_metrics += _check_file(
            check,
            fc,
            _declared(metrics, "methods", origin),
            bool(method_lines),
            _declared(metrics, "statements", origin),
        )
        cs.add(fc)
        elem.clear()
    if not has_project:
        # Cobertura's root is <coverage> too: without this, forcing --input-format
        # clover on a Cobertura report read "0 of 0 lines" as a complete result.
        raise FormatError(
            origin, "not a Clover report: <coverage> has no <project> (clover.xsd)", line=root_line
        )
    cs.notes = tuple(notes + _report_notes(origin, methods_only_in_metrics, repeated[0], check))
    return cs


def _read_file(
    elem: etree._Element,
    path: str,
    origin: str,
    istanbul_default: bool,
    check: TotalsCheck,
    budget: _xml.OutcomeBudget,
    repeated: list[int],
) -> tuple[FileCoverageBuilder, etree._Element | None, int]:
    """Return the file's builder, its ``<metrics>`` and how many method lines it has.

    The file's branch outcomes are taken from ``budget`` before they are built; its
    conditionals are compared with its metrics in ``check``; ``repeated[0]`` counts
    ``<line>`` elements repeating a number and type already seen in the file.
    """
    b = FileCoverageBuilder(path)
    metrics: etree._Element | None = None
    conds: list[tuple[int, int, int, int]] = []  # line, count, truecount, falsecount
    method_lines = 0
    visits: dict[int, list[int]] = {}  # line -> [stmt count, cond count], -1 when absent
    for child in elem:
        if child.tag == "metrics":
            metrics = child
            continue
        if child.tag != "line":
            continue
        num = _count(child, "num", origin)
        if num == 0:
            raise FormatError(origin, "line num 0", line=child.sourceline)
        kind = child.get("type", "stmt")
        if kind == "method":
            name = child.get("name") or child.get("signature") or f"line {num}"
            b.add_function(name, num, _count(child, "count", origin, "0"))
            method_lines += 1
            continue
        if kind not in ("stmt", "cond"):
            raise FormatError(origin, f"unknown line type {kind!r}", line=child.sourceline)
        if kind == "stmt":
            count = _count(child, "count", origin)
        else:
            t = _count(child, "truecount", origin, "0")
            f = _count(child, "falsecount", origin, "0")
            count = _count(child, "count", origin) if child.get("count") is not None else t + f
            conds.append((num, count, t, f))
        slot = 0 if kind == "stmt" else 1
        seen = visits.get(num)
        if seen is None:
            seen = visits[num] = [-1, -1]
        if seen[slot] >= 0:
            repeated[0] += 1  # another function instance of the line: counts add
            seen[slot] = min(seen[slot] + count, MAX_COUNT)
        else:
            seen[slot] = count
    for num, (stmt, cond) in visits.items():
        # A stmt and a cond of one number (OpenClover 4.3) describe one line's visits.
        b.add_line(num, max(stmt, cond))
    istanbul = _istanbul_reading(conds, metrics, origin, istanbul_default)
    budget.spend(_totals(conds, istanbul)[0], line=elem.sourceline, where=path)
    next_outcome: dict[int, int] = {}
    for num, count, t, f in conds:
        outcomes = [1] * t + [0] * f if istanbul else [t, f]
        ran = count > 0 or max(visits[num]) > 0
        first = next_outcome.get(num, 0)
        for i, taken in enumerate(outcomes):
            b.add_branch(num, 0, first + i, taken if ran else None)
        next_outcome[num] = first + len(outcomes)
    want = _declared_conditionals(metrics, origin)
    if want is not None and want not in (_totals(conds, True), _totals(conds, False)):
        _branches_differ(check, path, want, _totals(conds, istanbul), istanbul)
    return b, metrics, method_lines


def _declared(metrics: etree._Element | None, name: str, origin: str) -> tuple[int, int] | None:
    """A file's own ``(name, covered<name>)`` from its ``<metrics>``, when it has them."""
    if metrics is None or metrics.get(name) is None:
        return None
    return _count(metrics, name, origin), _count(metrics, f"covered{name}", origin, "0")


def _declared_conditionals(metrics: etree._Element | None, origin: str) -> tuple[int, int] | None:
    """The file's own ``(conditionals, coveredconditionals)``, when it declares them."""
    if metrics is None or metrics.get("conditionals") is None:
        return None
    return (
        _count(metrics, "conditionals", origin),
        _count(metrics, "coveredconditionals", origin, "0"),
    )


def _totals(conds: list[tuple[int, int, int, int]], istanbul: bool) -> tuple[int, int]:
    """(conditionals, covered) under one reading of truecount/falsecount."""
    if istanbul:
        return sum(t + f for _, _, t, f in conds), sum(t for _, _, t, _f in conds)
    return 2 * len(conds), sum((t > 0) + (f > 0) for _, _, t, f in conds)


def _istanbul_reading(
    conds: list[tuple[int, int, int, int]],
    metrics: etree._Element | None,
    origin: str,
    default: bool,
) -> bool:
    """Pick the truecount/falsecount reading that reproduces the file's own metrics."""
    if any(t + f > MAX_OUTCOMES_PER_LINE for _, _, t, f in conds):
        return False  # counts of runs, not of outcomes: Istanbul never writes these
    want = _declared_conditionals(metrics, origin)
    if not conds or want is None:
        return default
    if _totals(conds, True) == want:
        return True
    if _totals(conds, False) == want:
        return False
    return default


_Metrics = tuple[int, int, int, int, int, int]
"""A file's own statements, coveredstatements, conditionals, coveredconditionals,
methods, coveredmethods as the scanner read them; -1 where absent."""


def _read_fast(stream: BinaryIO, origin: str) -> CoverageSet | None:
    """Read a report with the C scanner; None when it declines (the lxml path reads it).

    The scanner hands over each ``<file>`` outside ``<testproject>`` with its lines
    already unique and sorted; the rules of :func:`read_lxml` for the rest (the
    truecount/falsecount reading, outcomes budget, metrics checks, notes) are applied
    here to the same values, in the same order.
    """
    assert _speedups is not None
    scanner = _speedups.Scanner(1)
    cs = CoverageSet()
    notes: list[str] = []
    istanbul_default = True
    methods_only_in_metrics = 0
    repeated = 0
    budget = _xml.OutcomeBudget(origin, MAX_OUTCOMES_PER_REPORT)
    check = _totals_check(origin)
    try:
        for record in _xml.scan_pieces(stream, scanner):
            if record[0] == 0:  # the root <coverage>
                istanbul_default = record[1] == ISTANBUL_CLOVER_VERSION
                continue
            path_attr, name_attr, lines, hits, *conds, methods, metrics, stats, again = record[1:]
            path = path_attr or name_attr
            repeated += again
            fc = _file_from_scan(
                path, lines, hits, conds, methods, metrics, stats, istanbul_default, check, budget
            )
            methods_only_in_metrics += _check_file(
                check,
                fc,
                _declared_scanned(metrics, 4),
                bool(methods),
                _declared_scanned(metrics, 0),
            )
            cs.add(fc)
    except _xml.ScanDeclined:
        return None
    cs.notes = tuple(notes + _report_notes(origin, methods_only_in_metrics, repeated, check))
    return cs


def _totals_check(origin: str) -> TotalsCheck:
    """The check of each file's ``<metrics>`` against what covgap counted (both paths)."""
    return TotalsCheck(
        origin,
        "each file's <metrics>",
        "covgap counts each source line once and each cond line's outcomes "
        "(Istanbul's statements are finer than lines; gcovr counts a line once per "
        "function instance)",
    )


def _check_file(
    check: TotalsCheck,
    fc: FileCoverage,
    declared_methods: tuple[int, int] | None,
    has_method_lines: bool,
    statements: tuple[int, int] | None,
) -> int:
    """Compare a file's declared methods and statements with what was read (both paths);
    return the methods it counts only in its metrics (Istanbul writes no method lines),
    which are noted once for the report instead of compared."""
    only_in_metrics = 0
    if declared_methods is not None and declared_methods[0] and not has_method_lines:
        only_in_metrics = declared_methods[0]
    elif declared_methods is not None:
        c = fc.counts()
        got = (c.functions_total, c.functions_covered)
        _compare(check, fc.path, "functions", "methods", declared_methods, got)
    if statements is not None:
        c = fc.counts()
        got = (c.lines_total, c.lines_covered)
        _compare(check, fc.path, "lines", "statements", statements, got)
    return only_in_metrics


def _compare(
    check: TotalsCheck,
    path: str,
    kind: str,
    name: str,
    declared: tuple[int, int],
    got: tuple[int, int],
    why: str | None = None,
) -> None:
    """Compare a ``<metrics>`` pair (``name``, ``covered<name>``) with what was read."""
    as_written = f"{name}={declared[0]} covered{name}={declared[1]}"
    check.compare(kind, declared, got, where=path, as_written=as_written, why=why)


def _report_notes(
    origin: str, methods_only_in_metrics: int, repeated: int, check: TotalsCheck
) -> list[str]:
    """The report's notes after its files' own (both paths, in this order)."""
    notes = []
    if methods_only_in_metrics:
        notes.append(
            f"{origin}: the report counts {methods_only_in_metrics} method(s) only in its "
            "totals, without their lines (Istanbul's Clover output); covgap reports no "
            "function coverage for it"
        )
    if repeated:
        notes.append(
            f"{origin}: {repeated} <line> element(s) repeat a line number and type of "
            "their <file> (gcovr 8.4+ writes a line once per function instance): each "
            "source line is counted once, its counts added"
        )
    notes.extend(check.notes())
    return notes


def _branches_differ(
    check: TotalsCheck,
    path: str,
    want: tuple[int, int],
    got: tuple[int, int],
    istanbul: bool,
) -> None:
    """A file whose ``<metrics>`` conditionals match neither reading of its cond lines:
    the totals check reports it (both paths, so the message is one), with the reason
    where Istanbul's writer is known to cause it."""
    why = None
    if istanbul and want[0] >= got[0] and want[1] >= got[1]:
        why = (
            "Istanbul's Clover writer leaves out branches on lines without a "
            "statement, such as default parameter values"
        )
    _compare(check, path, "branches", "conditionals", want, got, why)


def _declared_scanned(metrics: _Metrics, index: int) -> tuple[int, int] | None:
    """:func:`_declared` over scanned metrics (``index``: the count's position)."""
    if metrics[index] < 0:
        return None
    return metrics[index], max(metrics[index + 1], 0)


def _file_from_scan(
    path: str,
    lines: array[int],
    hits: array[int],
    conds: list[array[int]],
    methods: list[tuple[str | None, str | None, int, int]],
    metrics: _Metrics,
    stats: tuple[int, int, int, int],
    istanbul_default: bool,
    check: TotalsCheck,
    budget: _xml.OutcomeBudget,
) -> FileCoverage:
    """:func:`_read_file` over one scanned ``<file>`` (its lines unique and sorted: the
    stmt and cond elements of one number are already one line).

    ``conds`` are the cond elements' columns (line; its line's visits, which say
    whether it ran; truecount; falsecount) and ``stats`` their sums (truecount +
    falsecount, truecount, non-zero counts, largest truecount + falsecount). A budget
    overrun declines, so that the lxml path raises it naming the file's line.
    """
    assert _speedups is not None
    b = FileCoverageBuilder(path)
    for name, signature, num, count in methods:
        b.add_function(name or signature or f"line {num}", num, count)
    sum_tf, sum_t, nonzero, max_tf = stats
    n_conds = len(conds[0])
    as_istanbul, as_runs = (sum_tf, sum_t), (2 * n_conds, nonzero)
    want = _declared_scanned(metrics, 2)
    istanbul = istanbul_default
    if max_tf > MAX_OUTCOMES_PER_LINE:
        istanbul = False  # counts of runs, not of outcomes: Istanbul never writes these
    elif n_conds and want is not None:
        if as_istanbul == want:
            istanbul = True
        elif as_runs == want:
            istanbul = False
    got = as_istanbul if istanbul else as_runs
    if budget.left - got[0] < 0:
        raise _xml.ScanDeclined  # the lxml path raises the error, naming the file's line
    budget.spend(got[0])
    cond_line, cond_ran, cond_true, cond_false = conds
    branches = _speedups.expand_clover(cond_line, cond_ran, cond_true, cond_false, istanbul)
    fc = FileCoverage(
        path,
        lines,
        hits,
        branches=BranchColumns(*branches),
        functions=b.build_functions(),
    )
    if want is not None and want not in (as_istanbul, as_runs):
        _branches_differ(check, path, want, got, istanbul)
    return fc


FORMAT = FormatSpec(
    name="clover",
    title="Clover XML",
    sniff=sniff,
    read=read,
    write=None,
    discover=("**/clover.xml",),
)

__all__ = ["FORMAT", "read", "read_lxml", "sniff"]
