"""Gap records, risk scores and tiers: which untested code is risky, and why.

A *gap* is a source file with uncovered executable lines. For each one covgap gathers
the signals a reviewer would look at — how much is uncovered, how complex the
uncovered functions are, how often the file changes, which tests exist, whether only
end-to-end suites reach it, and how many of its error paths ever ran — and folds them
into one documented score (``docs/gaps.md``).

The score
---------
Each signal is normalised to 0..1:

``size``        ``log(1 + uncovered lines) / log(1 + 500)``, capped at 1: 500 uncovered
                lines is as big as it gets.
``complexity``  ``log(1 + max CRAP) / log(1 + 200)``, capped at 1, over the file's
                functions. CRAP = c² × (1 − cov)³ + c, c the cyclomatic complexity and
                cov the function's line coverage (0..1): 30 is the usual alarm level.
``churn``       ``log(1 + commits) / log(1 + 30)``, capped at 1, commits touching the
                file in the last ``churn_days`` (default 90).
``tests``       1 when the file has no tests at all (no inline tests, no linked test
                file); 0.6 when all it has is integration/e2e tests or its coverage
                comes only from integration/e2e suites; 0 otherwise.
``error_paths`` ``min(1, never-run error paths / 10)``.

``score = 100 × Σ wᵢ·sᵢ / Σ wᵢ`` with default weights size 0.30, complexity 0.20,
churn 0.15, tests 0.20, error_paths 0.15; a file matching a ``critical`` glob has its
score multiplied by 1.5 (capped at 100). Tiers: *critical* ≥ 60, *high* ≥ 40,
*medium* ≥ 20, else *low*. ``[gaps] weights`` and ``[gaps] tiers`` override them.
"""

from __future__ import annotations

import itertools
import math
import operator
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, overload

import pathspec

from covgap import model
from covgap.model import NEVER_EVALUATED, Branch, Counts, CoverageSet, FileCoverage
from covgap.source.classify import TestRules
from covgap.source.inventory import has_tests
from covgap.source.records import ErrorPath, SourceFile, SourceIndex
from covgap.workspace import Workspace

DEFAULT_WEIGHTS: dict[str, float] = {
    "size": 0.30,
    "complexity": 0.20,
    "churn": 0.15,
    "tests": 0.20,
    "error_paths": 0.15,
    "critical_multiplier": 1.5,
}
DEFAULT_TIERS: dict[str, float] = {"critical": 60.0, "high": 40.0, "medium": 20.0}
TIER_ORDER = ("critical", "high", "medium", "low")
SIGNALS = ("size", "complexity", "churn", "tests", "error_paths")
NON_UNIT_FLAG_WORDS = ("e2e", "integration", "acceptance", "system", "smoke", "functional")


def is_non_unit_flag(flag: str) -> bool:
    """Whether a suite label names an integration/e2e suite rather than unit tests."""
    lowered = flag.lower()
    return any(word in lowered for word in NON_UNIT_FLAG_WORDS) or lowered in ("it", "int")


def crap(complexity: int, coverage: float) -> float:
    """The CRAP score of a function: c² × (1 − cov)³ + c, with cov in 0..1."""
    return complexity**2 * (1.0 - coverage) ** 3 + complexity


class FunctionGap(NamedTuple):
    """A function's coverage, from the source's spans and the report's lines.

    A named tuple rather than a frozen dataclass: a repository has one per function,
    and a tuple is built in a quarter of the time (issue 14).
    """

    name: str
    start_line: int
    end_line: int
    complexity: int | None
    lines_total: int
    lines_covered: int
    uncovered_ranges: tuple[tuple[int, int], ...] = ()

    @property
    def coverage(self) -> float | None:
        return None if self.lines_total == 0 else self.lines_covered / self.lines_total

    @property
    def uncovered_lines(self) -> int:
        return self.lines_total - self.lines_covered

    @property
    def crap(self) -> float | None:
        cov = self.coverage
        if self.complexity is None or cov is None:
            return None
        return crap(self.complexity, cov)


class ErrorPathStatus(NamedTuple):
    """An error-handling region and whether any executable line in it ever ran.

    ``ran`` is ``None`` when the report has no executable line inside the region (the
    tool did not instrument it), so it is neither counted as run nor as missed. A named
    tuple, as :class:`FunctionGap`: there are tens per file.
    """

    kind: str
    start_line: int
    end_line: int
    ran: bool | None


_RAN = operator.attrgetter("ran")


@dataclass
class FileGap:
    """One file with uncovered code and everything that makes it risky."""

    path: str
    component: str | None
    language: str | None
    physical_lines: int | None
    counts: Counts
    uncovered_ranges: list[tuple[int, int]]
    uncovered_lines: tuple[int, ...]
    """The executable lines that never ran (the ranges also span blank lines between)."""
    branches_never_taken: Sequence[Branch]
    """Every branch outcome not taken (``NeverTaken``: built only if read)."""
    functions: list[FunctionGap]
    inline_tests: int | None
    tested_by: list[str]
    unit_test_files: int
    churn: int | None
    covering_flags: frozenset[str]
    e2e_only: bool
    error_paths: list[ErrorPathStatus]
    critical: bool
    description: str | None = None
    signals: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    tier: str = "low"
    reasons: list[str] = field(default_factory=list)
    recommended: list[str] = field(default_factory=list)

    doctests: int | None = None
    """Rust doctests of the file (apart from ``inline_tests``); None without source analysis."""

    tested: bool | None = None
    """Whether any test exercises the file: a linked test file or a test of its own that
    is not skipped (``covgap.source.inventory.has_tests``); None without source analysis."""

    @property
    def has_tests(self) -> bool | None:
        return self.tested

    @property
    def error_paths_run(self) -> int:
        return list(map(_RAN, self.error_paths)).count(True)

    @property
    def error_paths_measured(self) -> int:
        return len(self.error_paths) - list(map(_RAN, self.error_paths)).count(None)

    @property
    def max_complexity(self) -> FunctionGap | None:
        known = [f for f in self.functions if f.complexity is not None]
        return max(known, key=lambda f: (f.complexity or 0, f.uncovered_lines), default=None)


@dataclass
class GapSettings:
    """The [gaps] configuration, with defaults filled in."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    tiers: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    critical: list[str] = field(default_factory=list)
    churn_days: int = 90
    high_watermark: float = 90.0
    target: float | None = None

    @classmethod
    def from_config(cls, gaps: Mapping[str, Any], gates: Mapping[str, Any]) -> GapSettings:
        weights = dict(DEFAULT_WEIGHTS)
        weights.update({k: float(v) for k, v in gaps.get("weights", {}).items()})
        tiers = dict(DEFAULT_TIERS)
        tiers.update({k: float(v) for k, v in gaps.get("tiers", {}).items()})
        critical = list(gaps.get("critical", [])) + list(gates.get("critical", []))
        target = gaps.get("target", gates.get("line"))
        return cls(
            weights=weights,
            tiers=tiers,
            critical=critical,
            churn_days=int(gaps.get("churn_days", 90)),
            high_watermark=float(gaps.get("high_watermark", 90.0)),
            target=None if target is None else float(target),
        )

    def validate(self) -> list[str]:
        """Problems with the settings, as messages naming the key (empty when fine)."""
        problems = []
        for key in self.weights:
            if key not in DEFAULT_WEIGHTS:
                allowed = ", ".join(DEFAULT_WEIGHTS)
                problems.append(f"[gaps.weights.{key}] unknown signal (known: {allowed})")
            elif self.weights[key] < 0:
                problems.append(f"[gaps.weights.{key}] must not be negative")
        for key in self.tiers:
            if key not in DEFAULT_TIERS:
                problems.append(f"[gaps.tiers.{key}] unknown tier (known: critical, high, medium)")
        if not self.tiers["critical"] >= self.tiers["high"] >= self.tiers["medium"]:
            problems.append("[gaps.tiers] thresholds must satisfy critical >= high >= medium")
        return problems


def _lines_in(fc: FileCoverage, start: int, end: int) -> tuple[int, int, list[tuple[int, int]]]:
    """Executable lines, covered lines and uncovered ranges of ``fc`` within [start, end].

    One span at a time, with array slices and a walk of a partly covered span: the
    plain definition that :class:`LineSpans` and the accelerator's ``span_records``
    (which count every span of a file at once) are tested against.
    """
    lo = bisect_left(fc.lines, start)
    hi = bisect_right(fc.lines, end)
    total = hi - lo
    if total == 0:
        return 0, 0, []
    hits = fc.hits[lo:hi]
    covered = total - hits.count(0)
    if covered == total:
        return total, covered, []
    lines = fc.lines
    if covered == 0:
        return total, 0, [(lines[lo], lines[hi - 1])]
    ranges: list[tuple[int, int]] = []
    run_start = run_end = -1
    for line, hit in zip(lines[lo:hi], hits, strict=True):
        if hit:
            if run_start >= 0:
                ranges.append((run_start, run_end))
                run_start = -1
        else:
            if run_start < 0:
                run_start = line
            run_end = line
    if run_start >= 0:
        ranges.append((run_start, run_end))
    return total, covered, ranges


def _never_taken(fc: FileCoverage) -> list[Branch]:
    """``[b for b in fc.branches() if not b.taken]``, building only those branches.

    A branch is not taken when its count is 0 or it was never evaluated (stored as
    ``NEVER_EVALUATED``, which is negative): one C-level pass picks them out.
    """
    taken = fc.br_taken
    picked = itertools.compress(range(len(taken)), map((0).__ge__, taken))
    line, block, branch = fc.br_line, fc.br_block, fc.br_branch
    return [
        Branch(line[i], block[i], branch[i], None if taken[i] == NEVER_EVALUATED else 0)
        for i in picked
    ]


class NeverTaken(Sequence[Branch]):
    """A file's never-taken branch outcomes (:func:`_never_taken`), built when first read.

    ``build_gaps`` runs once per file and only :func:`recommend` looks at these, for a
    count per line: :meth:`zero_taken_by_line` reads it from the arrays, without building
    one record per outcome (issue 14: hundreds of thousands at 10,000 files).
    """

    __slots__ = ("_fc", "_items")

    def __init__(self, fc: FileCoverage) -> None:
        self._fc = fc
        self._items: list[Branch] | None = None

    def _list(self) -> list[Branch]:
        if self._items is None:
            self._items = _never_taken(self._fc)
        return self._items

    @overload
    def __getitem__(self, index: int) -> Branch: ...
    @overload
    def __getitem__(self, index: slice) -> list[Branch]: ...
    def __getitem__(self, index: int | slice) -> Branch | list[Branch]:
        return self._list()[index]

    def __len__(self) -> int:
        return len(self._list())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return self._list() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._list())

    def zero_taken_by_line(self) -> dict[int, int]:
        """Outcomes counted 0 on a line that ran (``taken == 0``), per line.

        Counted at C speed (``Counter`` over the selected lines) when every count is
        a count or ``NEVER_EVALUATED``, as every reader stores them.
        """
        taken = self._fc.br_taken
        lines = self._fc.br_line
        if min(taken, default=0) >= NEVER_EVALUATED:
            return Counter(itertools.compress(lines, map((0).__eq__, taken)))
        by_line: dict[int, int] = {}
        for i in itertools.compress(range(len(taken)), map((0).__ge__, taken)):
            if taken[i] != NEVER_EVALUATED:
                by_line[lines[i]] = by_line.get(lines[i], 0) + 1
        return by_line


class LineSpans:
    """One file's lines, indexed once so that any span of lines is counted in O(log n).

    The functions, the error paths and the recommendations of a file all ask the same
    question of different spans: how many executable lines, how many of them ran, and
    which ranges did not. :func:`_lines_in` answers it by walking each span; at ~70
    spans a file that was most of the gap analysis (issue 14). Here the file's sorted
    executable lines and its sorted uncovered lines are bisected instead (two bisections
    each, mapped over all spans at C speed), and a partly covered span's ranges are the
    file's uncovered ranges (``FileCoverage.uncovered_ranges``) clipped to it: two
    uncovered lines of a span are in one range exactly when no covered executable line
    lies between them, in the span or in the file alike.
    """

    __slots__ = ("_range_first", "lines", "ranges", "uncovered")

    def __init__(
        self, lines: Sequence[int], uncovered: Sequence[int], ranges: Sequence[tuple[int, int]]
    ) -> None:
        self.lines = lines
        self.uncovered = uncovered
        """The sorted executable lines with no hit."""
        self.ranges = ranges
        """``uncovered`` grouped into ranges as :func:`covgap.model.uncovered_ranges` does."""
        self._range_first: list[int] | None = None

    @classmethod
    def of(cls, fc: FileCoverage) -> LineSpans:
        # Lists, not the arrays: bisecting an array boxes an int at every probe.
        lines = fc.lines.tolist()
        uncovered = list(itertools.compress(lines, map(operator.not_, fc.hits)))
        return cls(lines, uncovered, fc.uncovered_ranges())

    def counts(
        self, starts: Sequence[int], ends: Sequence[int]
    ) -> tuple[list[int], list[int], list[int]]:
        """Per span [start, end]: its executable lines, and where its uncovered lines
        start and stop in ``self.uncovered``.

        Like :func:`_lines_in`, a span that ends before it starts counts ``end``'s
        bisection minus ``start``'s as executable lines (a negative number), and no
        uncovered line (``stop`` is then at most ``first``).
        """
        n = len(starts)
        lines, uncovered = self.lines, self.uncovered
        lo = map(bisect_left, itertools.repeat(lines, n), starts)
        hi = map(bisect_right, itertools.repeat(lines, n), ends)
        first = list(map(bisect_left, itertools.repeat(uncovered, n), starts))
        stop = list(map(bisect_right, itertools.repeat(uncovered, n), ends))
        return list(map(operator.sub, hi, lo)), first, stop

    def ranges_in(self, first: int, stop: int) -> list[tuple[int, int]]:
        """The uncovered ranges of the span whose uncovered lines are ``[first:stop]``."""
        if stop <= first:
            return []
        uncovered = self.uncovered
        if self._range_first is None:
            starts = [a for a, _ in self.ranges]
            self._range_first = list(
                map(bisect_left, itertools.repeat(uncovered, len(starts)), starts)
            )
        index = self._range_first
        r0 = bisect_right(index, first) - 1
        r1 = bisect_right(index, stop - 1)
        out = list(self.ranges[r0:r1])
        out[0] = (uncovered[first], out[0][1])
        out[-1] = (out[-1][0], uncovered[stop - 1])
        return out

    def function_gap(
        self,
        name: str,
        start: int,
        end: int,
        complexity: int | None,
        total: int,
        first: int,
        stop: int,
    ) -> FunctionGap:
        """The :class:`FunctionGap` of a span counted by :meth:`counts`."""
        if stop <= first:
            ranges: tuple[tuple[int, int], ...] = ()
            missed = 0
        elif (missed := stop - first) == total:
            ranges = ((self.uncovered[first], self.uncovered[stop - 1]),)
        else:
            ranges = tuple(self.ranges_in(first, stop))
        return FunctionGap(name, start, end, complexity, total, total - missed, ranges)


def _span_records() -> Callable[..., Any] | None:
    """The C accelerator's ``span_records`` (see ``_speedups.c``), or None.

    It builds a file's :class:`FunctionGap` and :class:`ErrorPathStatus` records in one
    call each; :class:`LineSpans` is the reference (hypothesis-tested equal), used when
    the accelerator is not built or ``COVGAP_PURE_PYTHON=1``. Looked up on each call,
    as :mod:`covgap.model` decides.
    """
    return getattr(model._speedups, "span_records", None)


def function_gaps(
    fc: FileCoverage, source: SourceFile | None, spans: LineSpans | None = None
) -> list[FunctionGap]:
    """Per-function coverage: spans from the source analysis, else from the report.

    Nested functions are measured on their own span; the outer function's span still
    includes them, as a reader of the code would expect. ``spans`` is the file's
    :class:`LineSpans` when the caller has it already.
    """
    fast = _span_records()
    if fast is not None and source is not None and source.functions:
        found: list[FunctionGap] = fast(fc.lines, fc.hits, source.functions, True, FunctionGap)
        return found
    if spans is None:
        spans = LineSpans.of(fc)
    gap = spans.function_gap
    if source is not None and source.functions:
        infos = [f for f in source.functions if not f.test]
        totals, first, stop = spans.counts(
            [f.start_line for f in infos], [f.end_line for f in infos]
        )
        return [
            gap(f.qualname, f.start_line, f.end_line, f.complexity, t, a, b)
            for f, t, a, b in zip(infos, totals, first, stop, strict=True)
        ]
    # No source analysis: use the report's own functions, each ending where the next starts.
    functions = sorted(fc.functions, key=lambda f: f.start_line)
    last_line = fc.lines[-1] if fc.lines else 0
    ends = []
    for i, fn in enumerate(functions):
        end = fn.end_line
        if end is None:
            end = functions[i + 1].start_line - 1 if i + 1 < len(functions) else last_line
        ends.append(max(end, fn.start_line))
    totals, first, stop = spans.counts([fn.start_line for fn in functions], ends)
    return [
        gap(fn.name, fn.start_line, end, None, t, a, b)
        for fn, end, t, a, b in zip(functions, ends, totals, first, stop, strict=True)
    ]


def error_path_status(
    fc: FileCoverage, paths: Sequence[ErrorPath], spans: LineSpans | None = None
) -> list[ErrorPathStatus]:
    """Whether each error path ran: ``None`` when it has no executable line."""
    fast = _span_records()
    if fast is not None:
        found: list[ErrorPathStatus] = fast(fc.lines, fc.hits, paths, False, ErrorPathStatus)
        return found
    if spans is None:
        spans = LineSpans.of(fc)
    totals, first, stop = spans.counts(
        [ep.start_line for ep in paths], [ep.end_line for ep in paths]
    )
    # ran: some executable line of the span has a hit (more lines than missed ones; for a
    # span ending before it starts both counts are minus the lines between, the
    # uncovered ones no more than all of them, so it is False as _lines_in has it)
    return [
        ErrorPathStatus(ep.kind, ep.start_line, ep.end_line, None if t == 0 else t > b - a)
        for ep, t, a, b in zip(paths, totals, first, stop, strict=True)
    ]


def _log_scale(value: float, full: float) -> float:
    return min(1.0, math.log1p(max(value, 0.0)) / math.log1p(full))


def score_signals(gap: FileGap) -> dict[str, float]:
    """Normalise each risk signal of ``gap`` to 0..1 (see the module docstring)."""
    crap_values = [c for f in gap.functions if (c := f.crap) is not None]
    if gap.has_tests is False:
        tests = 1.0
    elif gap.e2e_only or (gap.has_tests and gap.inline_tests == 0 and gap.unit_test_files == 0):
        tests = 0.6
    else:
        tests = 0.0
    never_run = gap.error_paths_measured - gap.error_paths_run
    return {
        "size": _log_scale(gap.counts.lines_missed, 500),
        "complexity": _log_scale(max(crap_values), 200) if crap_values else 0.0,
        "churn": _log_scale(gap.churn or 0, 30),
        "tests": tests,
        "error_paths": min(1.0, never_run / 10),
    }


def tier_of(score: float, tiers: Mapping[str, float]) -> str:
    for name in ("critical", "high", "medium"):
        if score >= tiers[name]:
            return name
    return "low"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def explain(gap: FileGap, churn_days: int) -> list[str]:
    """The facts behind a file's tier, in words a reviewer can check."""
    reasons = []
    if gap.physical_lines is not None:
        reasons.append(_plural(gap.physical_lines, "line"))
    reasons.append(
        f"{gap.counts.lines_missed:,} of {gap.counts.lines_total:,} executable uncovered"
    )
    if gap.inline_tests is not None:
        reasons.append(_plural(gap.inline_tests, "inline test"))
        if gap.doctests:
            reasons.append(_plural(gap.doctests, "doctest"))
        if gap.tested_by:
            reasons.append(f"tested by {_plural(len(gap.tested_by), 'test file')}")
        elif not gap.inline_tests:
            reasons.append("no test file")
    if gap.e2e_only:
        reasons.append("covered only by " + ", ".join(sorted(gap.covering_flags)))
    if gap.error_paths_measured:
        reasons.append(f"{gap.error_paths_run} of {gap.error_paths_measured} error paths run")
    worst = gap.max_complexity
    if worst is not None and worst.complexity and worst.complexity >= 5:
        reasons.append(f"complexity {worst.complexity} in {worst.name}")
    if gap.churn:
        reasons.append(f"{_plural(gap.churn, 'commit')} in {churn_days} days")
    if gap.critical:
        reasons.append("critical path")
    return reasons


def _union(spans: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The union of the (first, last) ``spans`` as sorted disjoint [start, end] pairs.

    A span whose last line comes before its first contains no line and is left out.
    """
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(spans):
        if b < a:
            continue  # empty: contains nothing
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def lines_outside(lines: Sequence[int], spans: Iterable[tuple[int, int]]) -> list[int]:
    """The sorted ``lines`` that fall inside none of the (first, last) ``spans``.

    By bisection of ``lines`` at each span of their union, copying the slices between
    (issue 14: this walked every uncovered line of every file in Python).
    """
    out: list[int] = []
    pos = 0
    for a, b in zip(*_union(spans), strict=True):
        i = bisect_left(lines, a, pos)
        out.extend(lines[pos:i])
        pos = bisect_right(lines, b, i)
    out.extend(lines[pos:])
    return out


def _point_in_spans(spans: Iterable[tuple[int, int]]) -> Callable[[int], bool]:
    """``lambda x: any(a <= x <= b for a, b in spans)``, by bisection over their union."""
    starts, ends = _union(spans)

    def inside(x: int) -> bool:
        i = bisect_right(starts, x) - 1
        return i >= 0 and x <= ends[i]

    return inside


def recommend(gap: FileGap, limit: int = 8) -> list[str]:
    """Concrete tests to write, most valuable first: functions, error paths, branches.

    Only the ``limit`` lines that are shown are formatted; the rest are counted (a file
    can have hundreds of uncovered functions, and this runs once per file: issue 14).
    """
    uncovered = [f for f in gap.functions if f.uncovered_lines > 0]
    uncovered.sort(key=lambda f: (f.lines_covered > 0, -(f.complexity or 0), -f.uncovered_lines))
    outside = lines_outside(
        gap.uncovered_lines, [(f.start_line, f.end_line) for f in gap.functions]
    )
    # An error path or branch inside a function that never runs is already covered by
    # "call it from a test"; list only those in code that does run.
    in_dead = _point_in_spans(
        [(f.start_line, f.end_line) for f in gap.functions if f.lines_covered == 0]
    )
    failing = [ep for ep in gap.error_paths if ep.ran is False and not in_dead(ep.start_line)]
    never = gap.branches_never_taken
    if isinstance(never, NeverTaken):
        by_line = never.zero_taken_by_line()
    else:
        by_line = {}
        for br in never:
            if br.taken == 0:  # the line ran; this outcome did not (None: line never ran)
                by_line[br.line] = by_line.get(br.line, 0) + 1
    branch_lines = sorted(by_line.items())
    total = len(uncovered) + bool(outside) + len(failing) + len(branch_lines)

    def lines() -> Iterator[str]:
        for fn in uncovered:
            span = f"lines {fn.start_line}–{fn.end_line}"
            cx = f", complexity {fn.complexity}" if fn.complexity is not None else ""
            if fn.lines_covered == 0:
                yield f"`{fn.name}` ({span}{cx}): never runs — call it from a test"
            else:
                missing = ", ".join(
                    str(a) if a == b else f"{a}–{b}" for a, b in fn.uncovered_ranges
                )
                where = "line" if fn.uncovered_lines == 1 else "lines"
                yield (
                    f"`{fn.name}` ({span}{cx}): {fn.uncovered_lines} of {fn.lines_total} "
                    f"lines never run ({where} {missing})"
                )
        if outside:
            first, last = outside[0], outside[-1]
            where = f"line {first}" if len(outside) == 1 else f"lines {first}–{last}"
            what = "module-level code" if gap.functions else "code"
            yield f"{what} at {where} ({_plural(len(outside), 'line')}) never runs"
        for ep in failing:
            yield f"error path `{ep.kind}` at line {ep.start_line} never runs — make it fail"
        for line, count in branch_lines:
            yield f"branch at line {line}: {_plural(count, 'outcome')} never taken"

    if total <= limit:
        return list(lines())
    return [*itertools.islice(lines(), limit), f"… and {total - limit} more"]


def _test_kinds(index: SourceIndex | None, files: Iterable[str]) -> list[str | None]:
    if index is None:
        return []
    return [index.files[f].test_kind if f in index.files else None for f in files]


def build_gaps(
    coverage: CoverageSet,
    workspace: Workspace,
    *,
    source: SourceIndex | None = None,
    churn: Mapping[str, int] | None = None,
    settings: GapSettings | None = None,
    unmapped_paths: Iterable[str] = (),
) -> list[FileGap]:
    """Every source file with uncovered lines, scored and tiered, highest risk first."""
    settings = settings or GapSettings()
    critical_spec = pathspec.GitIgnoreSpec.from_lines(settings.critical)
    weights = settings.weights
    weight_sum = sum(weights[s] for s in SIGNALS) or 1.0
    unmapped = set(unmapped_paths)
    rules = _rules(workspace)
    gaps = []
    for path in sorted(coverage.files):
        fc = coverage.files[path]
        counts = fc.counts()
        if counts.lines_missed == 0 or path in unmapped:
            continue
        src = source.files.get(path) if source is not None else None
        if src is not None and src.kind in ("test", "tooling"):
            continue
        if src is None and rules.tooling_rule(path) is not None:
            continue  # tooling is never ranked as risk (listed apart: tooling_files)
        comp = workspace.component_of(path)
        flags = frozenset(flag for flag, lines in fc.flags.items() if len(lines))
        tested_by = list(src.tested_by) if src is not None else []
        kinds = _test_kinds(source, tested_by)
        # Shared by the functions and the error paths, unless the accelerator does both.
        spans = LineSpans.of(fc) if _span_records() is None else None
        uncovered = (
            spans.uncovered
            if spans is not None
            else itertools.compress(fc.lines, map(operator.not_, fc.hits))
        )
        gap = FileGap(
            path=path,
            component=comp.name if comp else None,
            language=workspace.language_of(path),
            physical_lines=src.lines if src is not None else None,
            counts=counts,
            uncovered_ranges=fc.uncovered_ranges(),
            uncovered_lines=tuple(uncovered),
            branches_never_taken=NeverTaken(fc),
            functions=function_gaps(fc, src, spans),
            inline_tests=src.inline_tests if src is not None else None,
            doctests=len(src.doctests) if src is not None else None,
            tested_by=tested_by,
            unit_test_files=sum(1 for k in kinds if k in (None, "unit")),
            churn=churn.get(path, 0) if churn is not None else None,
            covering_flags=flags,
            e2e_only=bool(flags) and all(is_non_unit_flag(f) for f in flags),
            error_paths=error_path_status(fc, src.error_paths, spans) if src is not None else [],
            critical=critical_spec.match_file(path) or bool(comp and comp.critical),
            description=src.description if src is not None else None,
            tested=has_tests(src) if src is not None else None,
        )
        gap.signals = score_signals(gap)
        score = 100.0 * sum(weights[s] * gap.signals[s] for s in SIGNALS) / weight_sum
        if gap.critical:
            score = min(100.0, score * weights["critical_multiplier"])
        gap.score = round(score, 2)
        gap.tier = tier_of(gap.score, settings.tiers)
        gap.reasons = explain(gap, settings.churn_days)
        gap.recommended = recommend(gap)
        gaps.append(gap)
    gaps.sort(key=lambda g: (-g.score, -g.counts.lines_missed, g.path))
    return gaps


def _rules(workspace: Workspace) -> TestRules:
    config = workspace.config
    return TestRules.from_config(config.section("tests"), config.section("classify"))


@dataclass(frozen=True)
class ToolingFile:
    """A tooling file's coverage (``eslint.config.mjs``, ``setup.py``, CI scripts).

    Counted in every total exactly as the report has it, never ranked as risk, listed
    apart in the gap document.
    """

    path: str
    rule: str
    counts: Counts


def tooling_files(
    coverage: CoverageSet, workspace: Workspace, source: SourceIndex | None
) -> list[ToolingFile]:
    """The measured files classified as tooling (:mod:`covgap.source.classify`), by path."""
    rules = _rules(workspace)
    out = []
    for path in sorted(coverage.files):
        src = source.files.get(path) if source is not None else None
        if src is not None:
            rule = src.tooling_rule if src.kind == "tooling" else None
        else:
            rule = rules.tooling_rule(path)
            if rule is not None and rules.classify(path)[0] != "tooling":
                rule = None  # a [tests] glob made it a test file
        if rule is not None:
            out.append(ToolingFile(path, rule, coverage.files[path].counts()))
    return out


@dataclass(frozen=True)
class Strength:
    """A component or file at or above the high watermark."""

    name: str
    kind: str  # "component" | "file"
    counts: Counts


def strengths(
    coverage: CoverageSet,
    component_counts: Mapping[str, Counts],
    watermark: float,
    *,
    min_lines: int = 10,
) -> list[Strength]:
    """What is working well: components and files (≥ ``min_lines``) at or above ``watermark``."""
    out = []
    for name, counts in sorted(component_counts.items()):
        pct = counts.line_percent
        if pct is not None and pct >= watermark and counts.lines_total >= min_lines:
            out.append(Strength(name, "component", counts))
    files = []
    for path, fc in coverage.files.items():
        counts = fc.counts()
        pct = counts.line_percent
        if pct is not None and pct >= watermark and counts.lines_total >= min_lines:
            files.append(Strength(path, "file", counts))
    files.sort(key=lambda s: (-(s.counts.line_percent or 0), -s.counts.lines_total, s.name))
    return out + files


__all__ = [
    "DEFAULT_TIERS",
    "DEFAULT_WEIGHTS",
    "ErrorPathStatus",
    "FileGap",
    "FunctionGap",
    "GapSettings",
    "Strength",
    "ToolingFile",
    "build_gaps",
    "crap",
    "explain",
    "is_non_unit_flag",
    "recommend",
    "score_signals",
    "strengths",
    "tier_of",
    "tooling_files",
]
