"""Cobertura XML: read what coverage.py, gcovr, Istanbul/c8 and Java tools write; write it.

Specification: Cobertura's ``coverage-04.dtd`` (a copy ships in ``covgap/schemas``).
Producers checked against, with real reports and their own totals under
``tests/data/cobertura/<producer>/``: coverage.py 7 (``coverage xml``, with and
without ``--branch``), gcovr 8 (``gcovr --cobertura``) and c8 12 / istanbul-reports 3
(``c8 report --reporter=cobertura``).

The record grammar covgap reads (everything else is skipped)::

    <coverage lines-valid= lines-covered= line-rate= branches-valid= branches-covered=>
      <sources><source>/abs/root</source></sources>
      <packages><package name=><classes>
        <class name= filename="pkg/mod.py">
          <methods><method name= signature= [hits=]>       # hits=: Istanbul only
            <lines><line number= hits=/></lines></method></methods>
          <lines>
            <line number="12" hits="3"/>
            <line number="14" hits="1" branch="true" condition-coverage="50% (1/2)"/>

What is counted, and why it equals the producers' own totals:

* **Lines** are the ``<line>`` children of a class's own ``<lines>``; the copies
  under ``<methods>`` repeat them (gcovr, Java Cobertura) and are never counted
  twice. A file spread over several ``<class>`` elements (Java inner classes, gcovr
  with several objects for one source) is one file: its lines are the union and a
  line named by two classes has the sum of their hits, as lcov sums duplicate
  ``DA`` records. coverage.py, gcovr and Istanbul write one class per file, so
  their ``lines-valid``/``lines-covered`` equal ours.
* **Branches** come from ``condition-coverage="P% (covered/total)"`` — the only
  count every producer writes (``<conditions>`` is optional and per-condition
  percentages cannot be added up). A line with ``(c/t)`` becomes ``t`` outcomes
  (block 0, branches ``0..t-1``), the first ``c`` taken once and the rest not taken;
  when the line itself never ran (``hits="0"``) and nothing was covered, the
  outcomes are "never evaluated" (LCOV's ``-``). A line duplicated across classes
  adds its ``covered`` and ``total``: each class's bytecode makes its own
  decisions. The sums equal coverage.py's branch count (``coverage report``'s
  *Branch* column: exits of branching lines), gcovr's branch totals and Istanbul's
  (every arm of every branch, keyed by its line). coverage.py also writes
  ``missing-branches="26,exit"`` (destinations of the arcs not taken); both paths
  keep it, and a partly taken line whose source is found gets its arms in the
  coverage.py JSON reader's order, so merging the two formats counts an arm once
  (:mod:`covgap.formats._coveragepy_arcs`, :func:`read_in`).
* **Functions** are ``<method>`` elements, identified by name and first line (the
  lowest ``number`` in the method's ``<lines>``). A method's hit count is its
  ``hits`` attribute when present (Istanbul writes the function's call count there)
  and otherwise the hits of its first line (gcovr and Java Cobertura: the
  declaration line runs once per call) — this is exactly how gcovr and Istanbul
  decide a function is covered. Two methods at the same line with the same name
  are told apart by their ``signature`` (Java overloads generated on one line);
  a method without any line cannot be placed and is skipped, with a note.
  coverage.py writes no methods, so its reports have no functions.

Where a producer's Cobertura differs from its own console report, covgap follows the
Cobertura (it can only count what the file holds): coverage.py's *Cover* column mixes
statements and branches into one percentage, while covgap keeps lines and branches
apart (the counts themselves are equal: statements, missing, branches, covered
branches); Istanbul drops a branch whose line has no statement from the Cobertura
file, so such a report can hold fewer branches than ``c8 report``'s summary
(c8's V8-derived data puts a statement on every line, so for c8 they agree).

The report's own summary (``lines-valid``, ``lines-covered``, ``branches-*``,
``line-rate``) is checked against the per-line data; when they disagree, covgap
reports the per-line data and says so in :attr:`CoverageSet.notes`.

Speed: a 173 MB report (10,000 files, 4 million lines) is scanned by the optional C
accelerator ``covgap._cobertura_speedups`` when it was built: about 1 s and 1.5x the
file in peak memory on a 2-core machine, against 15-25 s and 3.7 GB for
``pycobertura show`` (the lxml path alone takes ~30 s; lxml's iterparse spends ~7 s
just producing the 4 million ``<line>`` elements). It handles the subset real
producers write (UTF-8, comments, a SYSTEM/PUBLIC DOCTYPE, the five predefined
entities and character references); anything else (CDATA, processing instructions,
other entities, a DOCTYPE with an internal subset, namespaces, other encodings, a
number that is not plain digits, any well-formedness doubt) makes it step aside, and
the lxml path below — the reference, streaming with ``iterparse`` — decides,
including every error. Tests hold the two paths equal on real, hand-written,
generated and mutated documents.
"""

from __future__ import annotations

import io
import math
import os
import re
from array import array
from typing import IO, BinaryIO, NamedTuple

from covgap import __version__
from covgap.errors import FormatError, OutputError
from covgap.formats import FormatSpec, ReadContext, _xml
from covgap.formats._coveragepy_arcs import PartialLine, identify, parse_missing
from covgap.formats._totals import TotalsCheck
from covgap.model import NEVER_EVALUATED, BranchColumns, CoverageSet, FileCoverage, Function
from covgap.types import MAX_COUNT, MAX_LINE

try:  # Optional C scanner; the lxml path is the reference and always available.
    from covgap import _cobertura_speedups as _speedups
except ImportError:  # pragma: no cover - exercised when the extension is not built
    _speedups = None  # type: ignore[assignment]

__all__ = ["FORMAT", "read", "read_in", "read_lxml", "sniff", "write"]

FORMAT_NAME = "cobertura"

MAX_OUTCOMES_PER_LINE = 1 << 16
"""The most branch outcomes one line may claim; ``(1/99999999999)`` is an attack."""

MAX_OUTCOMES_PER_REPORT = 10_000_000
"""The most branch outcomes one report may claim in all.

Each outcome becomes a model entry, so 500 lines of ``(0/65536)`` (38 KB of XML)
would cost 1.3 GB; ten million is far beyond any real project's branch count.
"""

FAST_PATH_ENV = _xml.FAST_PATH_ENV
"""Set to ``1`` to force the lxml reader (tests compare both paths with it); one
variable for every XML reader's C scanner."""

_CONDITION_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*\(\s*(\d+)\s*/\s*(\d+)\s*\)\s*$")
_PERCENT_ONLY_RE = re.compile(r"\s*\d+(?:\.\d+)?\s*%\s*$")


class ClassData(NamedTuple):
    """One ``<class>``: its file, its own lines and branches, and its methods.

    Both the lxml path and the C scanner produce these; :func:`_assemble` turns them
    into files. ``br_*`` are per branching line: line, line hits, covered, total.
    """

    filename: str
    lines: array[int]
    hits: array[int]
    sorted_unique: bool
    br_line: array[int]
    br_hits: array[int]
    br_covered: array[int]
    br_total: array[int]
    methods: list[tuple[str, str, int, int]]
    """(name, signature, first line, hits) per method that has lines."""
    methods_without_lines: int
    missing: dict[int, str]
    """Per branching line, coverage.py's raw ``missing-branches`` (see :mod:`._coveragepy_arcs`)."""


class Header(NamedTuple):
    """The root element's own summary attributes, as written (may be absent)."""

    lines_valid: str | None
    lines_covered: str | None
    line_rate: str | None
    branches_valid: str | None
    branches_covered: str | None


# -- sniffing ------------------------------------------------------------------------

_ROOT_RE = re.compile(rb"<coverage[\s>]([^>]*)>?")


def sniff(head: bytes, name: str) -> bool:
    """Cobertura's root is ``<coverage`` with rates or ``<packages>``; Clover's has ``clover=``."""
    try:
        start = _xml.check_prolog(head, name)
    except FormatError:
        # A hostile or odd prolog (a DOCTYPE declaring entities) on what is otherwise a
        # Cobertura report: claim it, so the reader refuses it with the real reason
        # instead of the user seeing "unknown format".
        found = _ROOT_RE.search(head)
        start = -1 if found is None else found.start()
    if start < 0:
        return False
    match = _ROOT_RE.match(head, start)
    if match is None:
        return False
    attrs = match.group(1)
    if b"clover=" in attrs or b"generated=" in attrs:
        return False
    return b"line-rate" in attrs or b"lines-valid" in attrs or b"<packages" in head


# -- reading: the lxml reference path --------------------------------------------


def _condition(value: str, origin: str, line: int | None) -> tuple[int, int] | None:
    """Parse ``condition-coverage``: ``"50% (1/2)"`` → (1, 2); a bare ``"100%"`` → None."""
    match = _CONDITION_RE.match(value)
    if match is None:
        if _PERCENT_ONLY_RE.match(value):
            return None
        raise FormatError(
            origin, f"condition-coverage {value[:40]!r} is not 'P% (covered/total)'", line=line
        )
    covered = _xml.parse_count(match.group(2), origin, line, "condition-coverage covered count")
    total = _xml.parse_count(match.group(3), origin, line, "condition-coverage total")
    if covered > total:
        raise FormatError(
            origin, f"condition-coverage {value.strip()!r} covers more than its total", line=line
        )
    if total > MAX_OUTCOMES_PER_LINE:
        raise FormatError(
            origin,
            f"condition-coverage total {total} exceeds {MAX_OUTCOMES_PER_LINE} outcomes per line",
            line=line,
        )
    if total == 0:
        return None
    return covered, total


class _ClassCollector:
    """Accumulate one ``<class>``'s lines as the lxml path streams them."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.lines = array("i")
        self.hits = array("q")
        self.sorted_unique = True
        self.last = 0
        self.br_line = array("i")
        self.br_hits = array("q")
        self.br_covered = array("q")
        self.br_total = array("q")
        self.methods: list[tuple[str, str, int, int]] = []
        self.methods_without_lines = 0
        self.missing: dict[int, str] = {}
        self.has_lines = False
        """Whether the class has a ``<lines>`` element of its own (even an empty one)."""
        self.method_lines: list[tuple[int, int, str | None, int | None]] = []
        """(number, hits, condition-coverage, XML line) of every line under <methods>."""

    def add(
        self, number: int, hits: int, cond: tuple[int, int] | None, missing: str | None = None
    ) -> None:
        """Add one of the class's own lines (``missing``: its ``missing-branches``)."""
        self.lines.append(number)
        self.hits.append(hits)
        if number <= self.last:
            self.sorted_unique = False
        self.last = number
        if cond is not None:
            self.br_line.append(number)
            self.br_hits.append(hits)
            self.br_covered.append(cond[0])
            self.br_total.append(cond[1])
            if missing is not None:
                self.missing[number] = missing

    def finish(self, origin: str) -> ClassData:
        if not self.has_lines and self.method_lines:
            # No class-level <lines> (Swift's reports): the methods' lines are the
            # class's lines. Only then is their condition-coverage read (the C
            # scanner, which skips method lines, hands such reports to this path).
            for number, hits, cond, sl in self.method_lines:
                self.add(number, hits, None if cond is None else _condition(cond, origin, sl))
        return ClassData(
            self.filename,
            self.lines,
            self.hits,
            self.sorted_unique,
            self.br_line,
            self.br_hits,
            self.br_covered,
            self.br_total,
            self.methods,
            self.methods_without_lines,
            self.missing,
        )


def read_lxml(stream: IO[bytes], origin: str) -> tuple[Header, list[str], list[ClassData]]:
    """Stream a report with lxml: the reference reader, and the judge of every error."""
    try:
        return _read_lxml(stream, origin)
    except FormatError as exc:
        raise _xml.approximate_lines(exc) from None


def _read_lxml(stream: IO[bytes], origin: str) -> tuple[Header, list[str], list[ClassData]]:
    header: Header | None = None
    sources: list[str] = []
    classes: list[ClassData] = []
    current: _ClassCollector | None = None
    in_method = False
    method_name = method_sig = ""
    method_hits: int | None = None
    method_lines: list[tuple[int, int]] = []
    parse_count = _xml.parse_count
    for event, elem in _xml.iterparse(
        stream,
        origin,
        events=("start", "end"),
        tag=("coverage", "source", "class", "method", "lines", "line"),
        root="coverage",
    ):
        tag = elem.tag
        if tag == "line":
            if event == "start":
                continue
            get = elem.get
            sl = elem.sourceline
            if current is None:
                raise FormatError(origin, "<line> outside a <class>", line=sl)
            number = parse_count(get("number"), origin, sl, "line number", limit=MAX_LINE)
            if number < 1:
                raise FormatError(origin, "line number 0; line numbers start at 1", line=sl)
            hits = parse_count(get("hits"), origin, sl, "hits", allow_float=True)
            cond = get("condition-coverage")
            if cond is not None and (get("branch") or "true").strip().lower() != "true":
                cond = None
            if in_method:
                method_lines.append((number, hits))
                current.method_lines.append((number, hits, cond, sl))
            else:
                missing = get("missing-branches")
                if missing is not None:
                    try:
                        parse_missing(missing)
                    except ValueError as exc:
                        raise FormatError(origin, f"missing-branches: {exc}", line=sl) from None
                current.add(
                    number,
                    hits,
                    None if cond is None else _condition(cond, origin, sl),
                    missing,
                )
            elem.clear()
        elif tag == "lines":
            if event == "start" and current is not None and not in_method:
                current.has_lines = True
        elif tag == "method":
            if event == "start":
                if current is None:
                    raise FormatError(origin, "<method> outside a <class>", line=elem.sourceline)
                if in_method:
                    raise FormatError(origin, "<method> inside a <method>", line=elem.sourceline)
                in_method = True
                method_name = elem.get("name") or ""
                method_sig = elem.get("signature") or ""
                raw = elem.get("hits")
                method_hits = (
                    None
                    if raw is None
                    else parse_count(raw, origin, elem.sourceline, "method hits", allow_float=True)
                )
                method_lines = []
            else:
                in_method = False
                assert current is not None
                if method_lines:
                    first, first_hits = min(method_lines)
                    hits = first_hits if method_hits is None else method_hits
                    current.methods.append((method_name, method_sig, first, hits))
                else:
                    current.methods_without_lines += 1
                elem.clear()
        elif tag == "class":
            if event == "start":
                if current is not None:
                    raise FormatError(origin, "<class> inside a <class>", line=elem.sourceline)
                filename = elem.get("filename")
                if not filename:
                    raise FormatError(
                        origin, "<class> without a filename attribute", line=elem.sourceline
                    )
                current = _ClassCollector(filename)
            else:
                assert current is not None
                classes.append(current.finish(origin))
                current = None
                elem.clear()
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
        elif tag == "source":
            if event == "end":
                text = (elem.text or "").strip()
                if text and text not in sources:
                    sources.append(text)
        elif tag == "coverage" and event == "start" and header is None:
            get = elem.get
            header = Header(
                get("lines-valid"),
                get("lines-covered"),
                get("line-rate"),
                get("branches-valid"),
                get("branches-covered"),
            )
    if header is None:  # pragma: no cover - iterparse guarantees the root was seen
        raise FormatError(origin, "no <coverage> element", offset=0)
    return header, sources, classes


# -- assembling files ------------------------------------------------------------------


def _expand_branches(
    br_line: array[int], br_hits: array[int], br_covered: array[int], br_total: array[int]
) -> tuple[array[int], array[int], array[int], array[int]]:
    """Turn per-line ``(covered/total)`` into outcomes: the first ``covered`` taken once."""
    if _speedups is not None and os.environ.get(FAST_PATH_ENV) != "1":
        return _speedups.expand(br_line, br_hits, br_covered, br_total)
    return _expand_branches_py(br_line, br_hits, br_covered, br_total)


def _expand_branches_py(
    br_line: array[int], br_hits: array[int], br_covered: array[int], br_total: array[int]
) -> tuple[array[int], array[int], array[int], array[int]]:
    """The reference expansion (``covgap._cobertura_speedups.expand`` is its C twin)."""
    out_line = array("i")
    out_block = array("i")
    out_branch = array("i")
    out_taken = array("q")
    for line, hits, covered, total in zip(br_line, br_hits, br_covered, br_total, strict=True):
        out_line.extend(array("i", [line]) * total)
        out_block.extend(array("i", [0]) * total)
        out_branch.extend(range(total))
        if hits == 0 and covered == 0:
            out_taken.extend(array("q", [NEVER_EVALUATED]) * total)
        else:
            out_taken.extend(array("q", [1]) * covered)
            out_taken.extend(array("q", [0]) * (total - covered))
    return out_line, out_block, out_branch, out_taken


def _functions(methods: list[tuple[str, str, int, int]]) -> list[Function]:
    """Functions of one file; same name at the same line is split by signature."""
    by_key: dict[tuple[str, int], dict[str, int]] = {}
    for name, signature, start, hits in methods:
        sigs = by_key.setdefault((name, start), {})
        prev = sigs.get(signature)
        sigs[signature] = hits if prev is None else min(prev + hits, MAX_COUNT)
    functions = []
    for (name, start), sigs in by_key.items():
        if len(sigs) == 1:
            functions.append(Function(name, start, None, next(iter(sigs.values()))))
        else:
            functions.extend(Function(name + sig, start, None, hits) for sig, hits in sigs.items())
    return functions


def _file_from_classes(path: str, parts: list[ClassData]) -> tuple[FileCoverage, int, int]:
    """Build one file from its classes; also return how many lines repeated a line of
    their own class, and how many one of another class of the file."""
    methods = [m for part in parts for m in part.methods]
    if len(parts) == 1 and parts[0].sorted_unique:
        p = parts[0]
        lines, hits = p.lines, p.hits
        br = _expand_branches(p.br_line, p.br_hits, p.br_covered, p.br_total)
        within = across = 0
    else:
        by_line: dict[int, int] = {}
        owner: dict[int, int] = {}  # line -> index of the first class that listed it
        branch: dict[int, list[int]] = {}
        within = across = 0
        for index, p in enumerate(parts):
            for line, h in zip(p.lines, p.hits, strict=True):
                prev = by_line.get(line)
                if prev is None:
                    by_line[line] = h
                    owner[line] = index
                else:
                    if owner[line] == index:
                        within += 1
                    else:
                        across += 1
                    by_line[line] = min(prev + h, MAX_COUNT)
            for line, covered, total in zip(p.br_line, p.br_covered, p.br_total, strict=True):
                acc = branch.get(line)
                if acc is None:
                    branch[line] = [covered, total]
                else:
                    acc[0] += covered
                    acc[1] += total
        keys = sorted(by_line)
        lines = array("i", keys)
        hits = array("q", [by_line[k] for k in keys])
        bkeys = sorted(branch)
        br = _expand_branches(
            array("i", bkeys),
            array("q", [by_line[k] for k in bkeys]),
            array("q", [branch[k][0] for k in bkeys]),
            array("q", [branch[k][1] for k in bkeys]),
        )
    fc = FileCoverage(
        path,
        lines,
        hits,
        branches=BranchColumns(*br),
        functions=_functions(methods),
    )
    return fc, within, across


def _header_count(raw: str | None, key: str, differ: list[str]) -> int | None:
    """A header count as an int; None when absent or not a count (then said in ``differ``)."""
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        differ.append(f"{key}={raw!r} (not a number)")
        return None
    if not math.isfinite(value) or not value.is_integer() or value < 0:
        differ.append(f"{key}={raw} (not a count)")
        return None
    return int(value)


def _check_header(header: Header, cs: CoverageSet, origin: str) -> list[str]:
    """Compare the report's own summary with its per-line data; describe disagreements.

    The counts go through :class:`~covgap.formats._totals.TotalsCheck` (one note with
    both figures, as every reader says it); a ``line-rate`` without counts, or a
    value that is not a count, is described in a note of its own.
    """
    totals = cs.totals()
    check = TotalsCheck(
        origin,
        "the <coverage> element's lines-valid, lines-covered, branches-valid, branches-covered",
        "covgap reports the per-line data",
    )
    differ: list[str] = []
    for kind, keys, raws, ours in (
        (
            "lines",
            ("lines-valid", "lines-covered"),
            (header.lines_valid, header.lines_covered),
            (totals.lines_total, totals.lines_covered),
        ),
        (
            "branches",
            ("branches-valid", "branches-covered"),
            (header.branches_valid, header.branches_covered),
            (totals.branches_total, totals.branches_covered),
        ),
    ):
        valid = _header_count(raws[0], keys[0], differ)
        covered = _header_count(raws[1], keys[1], differ)
        if valid is None and covered is None:
            continue
        declared = (ours[0] if valid is None else valid, ours[1] if covered is None else covered)
        shown = " ".join(f"{k}={r}" for k, r in zip(keys, raws, strict=True) if r is not None)
        check.compare(kind, declared, ours, where="<coverage>", as_written=shown)
    if header.line_rate is not None and header.lines_valid is None:
        try:
            rate = float(header.line_rate)
        except ValueError:
            differ.append(f"line-rate={header.line_rate!r} (not a number)")
        else:
            mine = totals.lines_covered / totals.lines_total if totals.lines_total else 1.0
            # Producers round the rate (coverage.py to 4 places); allow for that only.
            if not math.isfinite(rate) or abs(rate - mine) > 0.00051:
                differ.append(f"line-rate={header.line_rate} (per-line data: {mine:.4f})")
    notes = check.notes()
    if differ:
        notes.append(
            f"{origin}: the report's own summary is not what its per-line data gives: "
            + ", ".join(differ)
            + "; covgap reports the per-line data"
        )
    return notes


def _partial_lines(
    by_file: dict[str, list[ClassData]],
) -> tuple[dict[str, list[PartialLine]], dict[str, frozenset[int]]]:
    """coverage.py's partly taken lines (those with ``missing-branches``), per file.

    Returns the lines :func:`identify` may re-number (a file of one class, its lines
    in order, as coverage.py writes it) and those it cannot (a file spread over
    several classes adds their counts: which arm is whose is lost).
    """
    partial: dict[str, list[PartialLine]] = {}
    unresolved: dict[str, frozenset[int]] = {}
    for path, parts in by_file.items():
        if not any(p.missing for p in parts):
            continue
        found = [
            PartialLine(line, covered, total, part.missing[line])
            for part in parts
            for line, covered, total in zip(
                part.br_line, part.br_covered, part.br_total, strict=True
            )
            if 0 < covered < total and line in part.missing
        ]
        if not found:
            continue
        if len(parts) == 1 and parts[0].sorted_unique:
            partial[path] = found
        else:
            unresolved[path] = frozenset(p.line for p in found)
    return partial, unresolved


def _assemble(
    origin: str, header: Header, sources: list[str], classes: list[ClassData]
) -> tuple[CoverageSet, dict[str, list[PartialLine]]]:
    by_file: dict[str, list[ClassData]] = {}
    budget = _xml.OutcomeBudget(origin, MAX_OUTCOMES_PER_REPORT)
    for cls in classes:
        by_file.setdefault(cls.filename, []).append(cls)
        budget.spend(sum(cls.br_total), where=f"<class filename={cls.filename[:80]!r}>")
    files: dict[str, FileCoverage] = {}
    within = across = 0
    no_lines = 0
    for path, parts in by_file.items():
        fc, dup_within, dup_across = _file_from_classes(path, parts)
        files[path] = fc
        within += dup_within
        across += dup_across
        no_lines += sum(p.methods_without_lines for p in parts)
    cs = CoverageSet(files, source_roots=tuple(sources))
    notes: list[str] = []
    if across:
        notes.append(
            f"{origin}: {across} line(s) appear in more than one <class> of the same file; "
            "each is counted once with the hits summed"
        )
    if within:
        notes.append(
            f"{origin}: {within} line(s) are listed more than once in the same <class>; "
            "each is counted once with the hits summed"
        )
    if no_lines:
        notes.append(
            f"{origin}: {no_lines} <method>(s) without any <line> skipped "
            "(no line to place them on)"
        )
    notes.extend(_check_header(header, cs, origin))
    cs.notes = tuple(notes)
    partial, cs.unresolved_branches = _partial_lines(by_file)
    return cs, partial


def _read_all(stream: BinaryIO) -> bytes | bytearray:
    """Read the whole stream, into one buffer of the right size when the size is known.

    ``stream.read()`` on a file grows its result by doubling, which briefly needs up to
    twice the document: too much next to the issue's "peak memory < 2x the XML" budget.
    """
    readinto = getattr(stream, "readinto", None)
    try:
        size = os.fstat(stream.fileno()).st_size - stream.tell()
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return stream.read()
    if size <= 0 or readinto is None or not isinstance(stream, io.BufferedReader | io.FileIO):
        return stream.read()
    buffer = bytearray(size)
    view = memoryview(buffer)
    filled = 0
    while filled < size:
        n = readinto(view[filled:])
        if not n:
            break
        filled += n
    view.release()
    if filled < size:
        del buffer[filled:]
        return buffer
    rest = stream.read()
    if rest:
        buffer += rest
    return buffer


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read a Cobertura report, looking for coverage.py's sources near the report and cwd."""
    return read_in(stream, origin, ReadContext())


def read_in(stream: BinaryIO, origin: str, context: ReadContext) -> CoverageSet:
    """Read a Cobertura report; coverage.py's partly taken branch lines are re-numbered
    as the coverage.py JSON reader numbers them where their source is found (under
    ``context.repo`` too): see :mod:`covgap.formats._coveragepy_arcs`."""
    cs, partial = _read(stream, origin)
    if not partial:
        return cs
    out, notes, unresolved = identify(cs, partial, origin, context)
    out.notes = (*cs.notes, *notes)
    out.unresolved_branches = {**cs.unresolved_branches, **unresolved}
    return out


def _valid_missing(classes: list[ClassData]) -> bool:
    """Whether every ``missing-branches`` the C scanner kept parses (else lxml decides)."""
    for cls in classes:
        for value in cls.missing.values():
            try:
                parse_missing(value)
            except ValueError:
                return False
    return True


def _read(stream: BinaryIO, origin: str) -> tuple[CoverageSet, dict[str, list[PartialLine]]]:
    """Read a Cobertura report; the C scanner when it can, else (and always for errors) lxml."""
    if _speedups is not None and os.environ.get(FAST_PATH_ENV) != "1":
        try:
            start = stream.tell() if stream.seekable() else -1
        except (OSError, AttributeError, ValueError):
            start = -1
        data = _read_all(stream)
        scanned = _speedups.scan(data)
        if scanned is not None:
            raw_header, sources, raw_classes = scanned
            classes = [ClassData(*c) for c in raw_classes]
            # The scanner skips the lines under <methods>; a class whose only lines are
            # there (Swift's reports) is read by the lxml path, which keeps them.
            if not any(c.methods and not c.lines for c in classes) and _valid_missing(classes):
                del data  # the document's bytes are no longer needed: halve the peak memory
                return _assemble(origin, Header(*raw_header), sources, classes)
            del scanned, raw_classes, classes
        if start >= 0:  # stream again from the start rather than copying the bytes
            del data
            stream.seek(start)
        else:
            stream = io.BytesIO(data)
            del data
    header, sources, classes = read_lxml(stream, origin)
    return _assemble(origin, header, sources, classes)


# -- writing ---------------------------------------------------------------------------

_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _attr(value: str) -> str:
    if _INVALID_XML_CHARS.search(value):
        raise OutputError(
            f"cannot write {value!r} in Cobertura XML: it holds characters XML forbids"
        )
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def _rate(covered: int, total: int) -> str:
    """A rate as coverage.py writes it: 4 decimals, ``1`` when there is nothing to cover."""
    if total == 0:
        return "1"
    return f"{round(covered / total, 4):g}"


def _package_of(path: str) -> str:
    directory = path.replace("\\", "/").rpartition("/")[0]
    return directory.replace("/", ".") if directory else "."


def _line_branches(fc: FileCoverage) -> dict[int, list[int]]:
    """Per line that has a line record: ``[covered, total]`` of its branch outcomes.

    A branch on a line without a line record (LCOV allows ``BRDA`` without ``DA``)
    cannot be written: a Cobertura branch is an attribute of a ``<line>``, and adding
    a line the report never had would change the line figures. It is left out, and
    ``covgap convert`` says how many were.
    """
    branches: dict[int, list[int]] = {}
    if not len(fc.br_line):
        return branches
    has_line = set(fc.lines)
    for line, taken in zip(fc.br_line, fc.br_taken, strict=True):
        if line not in has_line:
            continue
        acc = branches.get(line)
        if acc is None:
            acc = branches[line] = [0, 0]
        acc[1] += 1
        if taken > 0:
            acc[0] += 1
    return branches


def _written_counts(fc: FileCoverage, branches: dict[int, list[int]]) -> tuple[int, int, int, int]:
    """(lines covered, lines, branches covered, branches) as the file is written."""
    c = fc.counts()
    return (
        c.lines_covered,
        c.lines_total,
        sum(v[0] for v in branches.values()),
        sum(v[1] for v in branches.values()),
    )


def write(cs: CoverageSet, stream: BinaryIO) -> None:
    """Write Cobertura XML (coverage-04 DTD) in the shape GitLab and Jenkins read.

    One ``<package>`` per directory and one ``<class>`` per file, lines with
    ``branch``/``condition-coverage``, and one ``<method>`` per function whose single
    ``<line>`` is the function's first line carrying the function's hit count (the
    DTD has no ``hits`` on ``<method>``). What Cobertura cannot hold is lost: branch
    outcomes become a per-line ``covered/total``, function end lines and per-suite
    flags are dropped, a branch on a line with no line record is left out (never a
    line invented for it) and a function at line 0 gets a ``<method>`` without
    lines. Every rate and count in the header, packages and classes is computed
    from what is written, so the file agrees with itself. ``timestamp`` is
    ``SOURCE_DATE_EPOCH`` (or 0) so output is reproducible.
    """
    files = sorted(cs.files.values(), key=lambda fc: fc.path)
    written: dict[str, tuple[dict[int, list[int]], tuple[int, int, int, int]]] = {}
    for fc in files:
        br = _line_branches(fc)
        written[fc.path] = (br, _written_counts(fc, br))
    packages: dict[str, list[FileCoverage]] = {}
    for fc in files:
        packages.setdefault(_package_of(fc.path), []).append(fc)
    lc, lt, bc, bt = (sum(w[1][i] for w in written.values()) for i in range(4))
    stamp = os.environ.get("SOURCE_DATE_EPOCH", "0")
    if not stamp.isdigit():
        stamp = "0"
    out: list[str] = [
        '<?xml version="1.0" ?>\n',
        '<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">\n',
        f'<coverage line-rate="{_rate(lc, lt)}" branch-rate="{_rate(bc, bt)}" '
        f'lines-covered="{lc}" lines-valid="{lt}" '
        f'branches-covered="{bc}" branches-valid="{bt}" '
        f'complexity="0" version="covgap {_attr(__version__)}" timestamp="{stamp}">\n',
    ]
    out.append("\t<sources>\n")
    out.extend(f"\t\t<source>{_attr(root)}</source>\n" for root in cs.source_roots)
    out.append("\t</sources>\n\t<packages>\n")
    write_chunk = stream.write
    write_chunk("".join(out).encode("utf-8"))
    for package in sorted(packages):
        members = packages[package]
        plc, plt, pbc, pbt = (sum(written[fc.path][1][i] for fc in members) for i in range(4))
        out = [
            f'\t\t<package name="{_attr(package)}" '
            f'line-rate="{_rate(plc, plt)}" '
            f'branch-rate="{_rate(pbc, pbt)}" complexity="0">\n'
            "\t\t\t<classes>\n"
        ]
        for fc in members:
            out.append(_class_xml(fc, *written[fc.path]))
        out.append("\t\t\t</classes>\n\t\t</package>\n")
        write_chunk("".join(out).encode("utf-8"))
    write_chunk(b"\t</packages>\n</coverage>\n")


_PLAIN_LINE = '\t\t\t\t\t\t<line number="%d" hits="%d"/>\n'


def _class_xml(
    fc: FileCoverage, branches: dict[int, list[int]], counts: tuple[int, int, int, int]
) -> str:
    lc, lt, bc, bt = counts
    path = _attr(fc.path)
    name = _attr(fc.path.replace("\\", "/").rpartition("/")[2])
    parts = [
        f'\t\t\t\t<class name="{name}" filename="{path}" '
        f'line-rate="{_rate(lc, lt)}" '
        f'branch-rate="{_rate(bc, bt)}" complexity="0">\n'
    ]
    if fc.functions:
        parts.append("\t\t\t\t\t<methods>\n")
        for fn in fc.functions:
            rate = "1" if fn.hits else "0"
            method_lines = (
                "\t\t\t\t\t\t\t<lines/>\n"
                if fn.start_line == 0  # gcovr's merge-use-line-0: no line to name
                else "\t\t\t\t\t\t\t<lines>\n"
                f'\t\t\t\t\t\t\t\t<line number="{fn.start_line}" hits="{fn.hits}"/>\n'
                "\t\t\t\t\t\t\t</lines>\n"
            )
            parts.append(
                f'\t\t\t\t\t\t<method name="{_attr(fn.name)}" signature="" line-rate="{rate}" '
                f'branch-rate="1" complexity="0">\n'
                f"{method_lines}\t\t\t\t\t\t</method>\n"
            )
        parts.append("\t\t\t\t\t</methods>\n")
    else:
        parts.append("\t\t\t\t\t<methods/>\n")
    lines: list[tuple[int, int]] = list(fc.line_hits())
    if not lines:
        parts.append("\t\t\t\t\t<lines/>\n\t\t\t\t</class>\n")
        return "".join(parts)
    parts.append("\t\t\t\t\t<lines>\n")
    if not branches:  # the common case, formatted in one pass
        parts.append("".join(map(_PLAIN_LINE.__mod__, lines)))
        parts.append("\t\t\t\t\t</lines>\n\t\t\t\t</class>\n")
        return "".join(parts)
    append = parts.append
    for line, hits in lines:
        acc = branches.get(line)
        if acc is None:
            append(_PLAIN_LINE % (line, hits))
        else:
            covered, total = acc
            append(
                f'\t\t\t\t\t\t<line number="{line}" hits="{hits}" branch="true" '
                f'condition-coverage="{100 * covered // total}% ({covered}/{total})"/>\n'
            )
    parts.append("\t\t\t\t\t</lines>\n\t\t\t\t</class>\n")
    return "".join(parts)


FORMAT = FormatSpec(
    name=FORMAT_NAME,
    title="Cobertura XML",
    sniff=sniff,
    read=read,
    read_in=read_in,
    write=write,
    loses="each branch outcome's identity and count (a line keeps covered/total), "
    "function end lines",
    discover=(
        "**/coverage.xml",
        "**/cobertura.xml",
        "**/cobertura-coverage.xml",
        "**/*cobertura*.xml",
    ),
)
