"""Closure plans: the fewest functions to test to lift coverage to a target.

"To lift this component from 43 % to 55 %, which functions do we test first, and what
does each add?" The units of work are functions with uncovered lines (from the source
analysis or the report) plus, per file, the uncovered lines outside every function.
Covering a unit fully adds its uncovered lines; the plan takes units largest first,
which gives the shortest list that reaches the target (each unit adds a fixed number
of lines, so taking the largest first minimises the count), ties broken by the lower
effort.

Effort is estimated from size and complexity: ``uncovered lines + 3 × complexity``
points; S up to 15, M up to 60, L above. It is a sizing hint, not a promise.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from covgap.analysis.gaps import FileGap, lines_outside
from covgap.model import Counts


@dataclass(frozen=True)
class PlanItem:
    """One unit of work: cover these lines of this function (or file top level)."""

    path: str
    function: str | None
    start_line: int
    end_line: int
    uncovered_lines: int
    complexity: int | None
    points: float
    """Percentage points this item adds to the plan's scope when fully covered."""

    @property
    def effort_points(self) -> int:
        return self.uncovered_lines + 3 * (self.complexity or 0)

    @property
    def effort(self) -> str:
        pts = self.effort_points
        return "S" if pts <= 15 else "M" if pts <= 60 else "L"

    @property
    def label(self) -> str:
        if self.function is None:
            return f"{self.path} (code outside functions, lines {self.start_line}–{self.end_line})"
        return f"{self.function} in {self.path}"


@dataclass
class Plan:
    """A plan for one scope (a component or the whole repository)."""

    scope: str
    target: float
    counts: Counts
    needed_lines: int
    items: list[PlanItem] = field(default_factory=list)
    reachable: bool = True

    @property
    def current(self) -> float | None:
        return self.counts.line_percent

    @property
    def lines_added(self) -> int:
        return sum(i.uncovered_lines for i in self.items)

    @property
    def projected(self) -> float | None:
        total = self.counts.lines_total
        if total == 0:
            return None
        return 100.0 * (self.counts.lines_covered + self.lines_added) / total

    @property
    def already_met(self) -> bool:
        return self.needed_lines <= 0


def lines_needed(counts: Counts, target: float) -> int:
    """How many more covered lines reach ``target`` percent, computed exactly.

    ``Fraction(str(target))`` avoids float error: 55.1 % of 1000 lines is 551 lines,
    not 550.99999.
    """
    required = math.ceil(Fraction(str(target)) * counts.lines_total / 100)
    return max(0, required - counts.lines_covered)


def work_units(gap: FileGap) -> list[tuple[str | None, int, int, int, int | None]]:
    """(function, start, end, uncovered lines, complexity) for each unit of ``gap``.

    An uncovered line inside nested functions belongs to the innermost one; the
    uncovered lines outside every function form one last unit.
    """
    remaining = sorted(gap.uncovered_lines)
    taken: set[int] = set()
    units: list[tuple[str | None, int, int, int, int | None]] = []
    innermost_first = sorted(gap.functions, key=lambda f: (f.end_line - f.start_line, f.start_line))
    spans = sorted((f.start_line, f.end_line) for f in gap.functions if f.start_line <= f.end_line)
    if all(a[1] < b[0] for a, b in itertools.pairwise(spans)):
        # No function inside another (the usual case): each owns exactly the lines of
        # its span, counted by bisection without visiting them (issue 14).
        for fn in innermost_first:
            n = bisect_right(remaining, fn.end_line) - bisect_left(remaining, fn.start_line)
            if n > 0:
                units.append((fn.name, fn.start_line, fn.end_line, n, fn.complexity))
        rest = lines_outside(remaining, spans)
        if rest:
            units.append((None, rest[0], rest[-1], len(rest), None))
        return units
    for fn in innermost_first:
        lo = bisect_left(remaining, fn.start_line)
        hi = bisect_right(remaining, fn.end_line)
        own = [ln for ln in remaining[lo:hi] if ln not in taken]
        if own:
            units.append((fn.name, fn.start_line, fn.end_line, len(own), fn.complexity))
            taken.update(own)
    rest = [ln for ln in remaining if ln not in taken]
    if rest:
        units.append((None, rest[0], rest[-1], len(rest), None))
    return units


def make_plan(scope: str, counts: Counts, gaps: Iterable[FileGap], target: float) -> Plan:
    """The shortest list of work units whose coverage lifts ``counts`` to ``target``."""
    needed = lines_needed(counts, target)
    plan = Plan(scope, target, counts, needed)
    if needed <= 0:
        return plan
    candidates: list[PlanItem] = []
    for gap in gaps:
        for name, start, end, lines, complexity in work_units(gap):
            points = 100.0 * lines / counts.lines_total if counts.lines_total else 0.0
            candidates.append(PlanItem(gap.path, name, start, end, lines, complexity, points))
    candidates.sort(key=lambda i: (-i.uncovered_lines, i.effort_points, i.path, i.start_line))
    gained = 0
    for index, candidate in enumerate(candidates):
        if gained >= needed:
            break
        item = candidate
        if gained + item.uncovered_lines >= needed:
            # This item would finish the plan; any later (smaller) item that also
            # finishes it keeps the list just as short with less work, so take the
            # smallest such one.
            finishing = [c for c in candidates[index:] if gained + c.uncovered_lines >= needed]
            item = min(finishing, key=lambda c: (c.uncovered_lines, c.effort_points))
        plan.items.append(item)
        gained += item.uncovered_lines
    plan.reachable = gained >= needed
    return plan


def plans_for_components(
    gaps: Sequence[FileGap],
    component_counts: dict[str, Counts],
    targets: dict[str, float],
) -> list[Plan]:
    """A plan per component that has a line target and is below it."""
    plans = []
    for name in sorted(targets):
        counts = component_counts.get(name)
        if counts is None or counts.lines_total == 0:
            continue
        members = [g for g in gaps if g.component == name]
        plans.append(make_plan(name, counts, members, targets[name]))
    return plans


__all__ = ["Plan", "PlanItem", "lines_needed", "make_plan", "plans_for_components", "work_units"]
