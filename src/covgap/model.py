"""The coverage model: exact per-line hits, branches and functions, and how they merge.

Everything covgap reads ends up here and everything it reports starts here, so this
module imports nothing else of covgap's except ``covgap.types`` and, when it was
built, the C accelerator ``covgap._speedups`` (a leaf module). A test enforces that.

Compactness: a monorepo report has millions of lines. Each file keeps its executable
lines as two parallel ``array`` objects (line numbers as C ints, hit counts as 64-bit
ints), so one line costs 12 bytes instead of the ~100 of a dict entry.

Merge laws (tested with hypothesis in ``tests/unit/test_model_properties.py``):

* ``a.merge(b) == b.merge(a)`` (commutative);
* ``a.merge(b).merge(c) == a.merge(b.merge(c))`` (associative);
* ``a.merge(CoverageSet()) == a`` (the empty set is the identity).

Merging sums hit counts line by line: the true union of what ran. Keeping the "best"
of two reports under-counts, so covgap never does it. A sum past ``MAX_COUNT``
saturates there instead of wrapping.
"""

from __future__ import annotations

import operator
import os
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import NamedTuple

from covgap.types import MAX_COUNT, FlagName, HitCount, LineNo

_speedups: ModuleType | None
try:  # The C accelerator is optional; the pure-Python path is the reference.
    from covgap import _speedups
except ImportError:  # pragma: no cover - exercised by the no-extension CI leg
    _speedups = None
if os.environ.get("COVGAP_PURE_PYTHON") == "1":
    # Run the reference Python loops even where the accelerator is built (tests of
    # both paths; bisecting a suspected accelerator bug). Read once: it is on hot paths.
    _speedups = None

NEVER_EVALUATED = -1
"""Stored in a branch's ``taken`` array for LCOV's ``-``: the branch's line never ran."""

__all__ = [
    "NEVER_EVALUATED",
    "Branch",
    "Counts",
    "CoverageSet",
    "FileCoverage",
    "FileCoverageBuilder",
    "Function",
    "InputInfo",
    "merge_line_counts",
    "uncovered_ranges",
]


def _ratio(covered: int, total: int) -> float | None:
    """Return covered/total as a percentage, or None when nothing was measured."""
    if total == 0:
        return None
    return 100.0 * covered / total


@dataclass(frozen=True, slots=True)
class Counts:
    """Totals of one file, component or repository; they add, percentages derive.

    A percentage is ``None`` when its total is zero: "not measured" is neither 0 % nor
    100 %, and every consumer has to decide what that means for it.
    """

    lines_total: int = 0
    lines_covered: int = 0
    branches_total: int = 0
    branches_covered: int = 0
    functions_total: int = 0
    functions_covered: int = 0

    def __add__(self, other: Counts) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(
            self.lines_total + other.lines_total,
            self.lines_covered + other.lines_covered,
            self.branches_total + other.branches_total,
            self.branches_covered + other.branches_covered,
            self.functions_total + other.functions_total,
            self.functions_covered + other.functions_covered,
        )

    def __radd__(self, other: object) -> Counts:
        # sum() starts from the int 0.
        if other == 0:
            return self
        if isinstance(other, Counts):
            return other + self
        return NotImplemented

    @property
    def lines_missed(self) -> int:
        return self.lines_total - self.lines_covered

    @property
    def branches_missed(self) -> int:
        return self.branches_total - self.branches_covered

    @property
    def functions_missed(self) -> int:
        return self.functions_total - self.functions_covered

    @property
    def line_percent(self) -> float | None:
        return _ratio(self.lines_covered, self.lines_total)

    @property
    def branch_percent(self) -> float | None:
        return _ratio(self.branches_covered, self.branches_total)

    @property
    def function_percent(self) -> float | None:
        return _ratio(self.functions_covered, self.functions_total)

    def as_dict(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in COUNT_KEYS}


COUNT_KEYS = (
    "lines_total",
    "lines_covered",
    "branches_total",
    "branches_covered",
    "functions_total",
    "functions_covered",
)
"""The names of :class:`Counts`' fields, in order: JSON keys, stored columns (a test
checks they are the fields)."""


class Function(NamedTuple):
    """A function as a coverage report knows it; identity is ``(name, start_line)``."""

    name: str
    start_line: LineNo
    end_line: LineNo | None
    hits: HitCount


class Branch(NamedTuple):
    """One outcome of a decision on ``line``.

    ``block`` and ``branch`` identify the outcome the way LCOV's BRDA does; formats that
    only give counts (Cobertura's ``condition-coverage="50% (1/2)"``) number the
    outcomes 0..n-1. ``taken`` is ``None`` when the line never ran (LCOV's ``-``).
    """

    line: LineNo
    block: int
    branch: int
    taken: HitCount | None


class BranchColumns(NamedTuple):
    """A file's branches as four parallel columns, sorted by (line, block, branch)."""

    line: array[int]
    block: array[int]
    branch: array[int]
    taken: array[int]
    """Hit counts, ``NEVER_EVALUATED`` (-1) for LCOV's ``-``."""


class InputInfo(NamedTuple):
    """Where part of a CoverageSet came from, for "which files did you use" messages."""

    path: str
    format: str
    flag: FlagName | None = None


def _saturating_sum(a: int, b: int) -> int:
    s = a + b
    return MAX_COUNT if s > MAX_COUNT else s


def merge_line_counts(
    lines_a: array[int], hits_a: array[int], lines_b: array[int], hits_b: array[int]
) -> tuple[array[int], array[int]]:
    """Merge two sorted (line, hits) columns, summing hits of lines present in both."""
    if not lines_b:
        return array("i", lines_a), array("q", hits_a)
    if not lines_a:
        return array("i", lines_b), array("q", hits_b)
    if _speedups is not None:
        result: tuple[array[int], array[int]] = _speedups.merge_counts(
            lines_a, hits_a, lines_b, hits_b
        )
        return result
    if lines_a == lines_b:
        try:
            return array("i", lines_a), array("q", map(operator.add, hits_a, hits_b))
        except OverflowError:
            return array("i", lines_a), array("q", map(_saturating_sum, hits_a, hits_b))
    merged: dict[int, int] = dict(zip(lines_a, hits_a, strict=True))
    for line, hits in zip(lines_b, hits_b, strict=True):
        prev = merged.get(line)
        merged[line] = hits if prev is None else _saturating_sum(prev, hits)
    keys = sorted(merged)
    return array("i", keys), array("q", [merged[k] for k in keys])


def uncovered_ranges(lines: array[int], hits: array[int]) -> list[tuple[LineNo, LineNo]]:
    """Group the uncovered executable lines into ``(first, last)`` ranges.

    Like coverage.py's "Missing" column, a range runs across lines that are not
    executable: lines 3, 4 and 7 uncovered with 5 and 6 blank give ``(3, 7)``; a covered
    executable line in between ends the range.
    """
    if _speedups is not None:
        found: list[tuple[LineNo, LineNo]] = _speedups.uncovered_ranges(lines, hits)
        return found
    ranges: list[tuple[int, int]] = []
    start = end = -1
    for line, count in zip(lines, hits, strict=True):
        if count == 0:
            if start < 0:
                start = line
            end = line
        elif start >= 0:
            ranges.append((start, end))
            start = -1
    if start >= 0:
        ranges.append((start, end))
    return ranges


def _union_columns(
    a: Mapping[str, array[int]], b: Mapping[str, array[int]]
) -> dict[str, array[int]]:
    """Per name, the union of two sorted line columns (flags and contexts merge so)."""
    if not b:
        return dict(a)
    out = dict(a)
    for name, covered in b.items():
        mine = out.get(name)
        out[name] = covered if mine is None else array("i", sorted(set(mine) | set(covered)))
    return out


class FileCoverage:
    """The coverage of one source file: lines, branches, functions and suite flags.

    Treat instances as immutable; every operation returns a new one. Build them with
    :class:`FileCoverageBuilder` (any order, duplicates summed) or
    :meth:`from_columns` (already sorted, unique: the fast path for readers).
    """

    __slots__ = (
        "_counts",
        "_ranges",
        "br_block",
        "br_branch",
        "br_line",
        "br_taken",
        "contexts",
        "flags",
        "functions",
        "hits",
        "lines",
        "path",
    )

    path: str
    lines: array[int]
    hits: array[int]
    br_line: array[int]
    br_block: array[int]
    br_branch: array[int]
    br_taken: array[int]
    functions: tuple[Function, ...]
    flags: dict[FlagName, array[int]]
    contexts: dict[str, array[int]]
    """Which test ran each line, where the tool recorded it (coverage.py's dynamic
    contexts): a test's name → the sorted lines it ran. Same shape as ``flags``, but
    finer: many tests per suite. Empty when the tool recorded none."""
    _counts: Counts | None
    _ranges: list[tuple[LineNo, LineNo]] | None

    def __init__(
        self,
        path: str,
        lines: array[int] | None = None,
        hits: array[int] | None = None,
        *,
        br_line: array[int] | None = None,
        br_block: array[int] | None = None,
        br_branch: array[int] | None = None,
        br_taken: array[int] | None = None,
        branches: BranchColumns | None = None,
        functions: Iterable[Function] = (),
        flags: Mapping[FlagName, array[int]] | None = None,
        contexts: Mapping[str, array[int]] | None = None,
    ) -> None:
        if branches is not None:
            br_line, br_block, br_branch, br_taken = branches
        self.path = path
        self.lines = lines if lines is not None else array("i")
        self.hits = hits if hits is not None else array("q")
        self.br_line = br_line if br_line is not None else array("i")
        self.br_block = br_block if br_block is not None else array("i")
        self.br_branch = br_branch if br_branch is not None else array("i")
        self.br_taken = br_taken if br_taken is not None else array("q")
        funcs = functions if isinstance(functions, tuple) else tuple(functions)
        if _speedups is None or not _speedups.functions_sorted(funcs):  # readers sort
            funcs = tuple(sorted(funcs, key=lambda f: (f.start_line, f.name)))
        self.functions = funcs
        self.flags = dict(flags) if flags else {}
        self.contexts = dict(contexts) if contexts else {}
        self._counts = None
        self._ranges = None
        if len(self.lines) != len(self.hits):
            raise ValueError(f"{path}: lines and hits differ in length")
        n = len(self.br_line)
        if not len(self.br_block) == len(self.br_branch) == len(self.br_taken) == n:
            raise ValueError(f"{path}: branch columns differ in length")

    @classmethod
    def from_columns(
        cls,
        path: str,
        lines: array[int],
        hits: array[int],
        **kwargs: object,
    ) -> FileCoverage:
        """Wrap columns that are already sorted by line with no duplicate lines."""
        return cls(path, lines, hits, **kwargs)  # type: ignore[arg-type]

    # -- queries -------------------------------------------------------------------

    def counts(self) -> Counts:
        """Totals of this file, computed once."""
        if self._counts is None:
            n_br = len(self.br_taken)
            if _speedups is not None:  # array.count boxes every element: slow on 4M lines
                lines_covered = _speedups.count_positive(self.hits)
                branches_covered = _speedups.count_positive(self.br_taken)
            else:
                lines_covered = len(self.hits) - self.hits.count(0)
                branches_covered = n_br - self.br_taken.count(0) - self.br_taken.count(-1)
            self._counts = Counts(
                lines_total=len(self.lines),
                lines_covered=lines_covered,
                branches_total=n_br,
                branches_covered=branches_covered,
                functions_total=len(self.functions),
                functions_covered=sum(1 for f in self.functions if f.hits > 0),
            )
        return self._counts

    def line_hits(self) -> Iterator[tuple[LineNo, HitCount]]:
        return zip(self.lines, self.hits, strict=True)

    def hits_by_line(self) -> dict[LineNo, HitCount]:
        return dict(zip(self.lines, self.hits, strict=True))

    def branches(self) -> Iterator[Branch]:
        for line, block, branch, taken in zip(
            self.br_line, self.br_block, self.br_branch, self.br_taken, strict=True
        ):
            yield Branch(line, block, branch, None if taken == NEVER_EVALUATED else taken)

    def covered_lines(self) -> array[int]:
        return array("i", (ln for ln, h in zip(self.lines, self.hits, strict=True) if h))

    def uncovered_lines(self) -> array[int]:
        return array("i", (ln for ln, h in zip(self.lines, self.hits, strict=True) if not h))

    def uncovered_ranges(self, *, keep: bool = True) -> list[tuple[LineNo, LineNo]]:
        """The uncovered ranges (computed once; every report asks for them).

        ``keep=False`` computes them without keeping them, for a writer that needs each
        file's ranges once (about 100 bytes a range, over a whole repository).
        """
        if self._ranges is not None:
            return self._ranges
        ranges = uncovered_ranges(self.lines, self.hits)
        if keep:
            self._ranges = ranges
        return ranges

    def flags_for_line(self, line: LineNo) -> frozenset[FlagName]:
        """Which suites covered ``line`` (empty when no input carried a flag)."""
        from bisect import bisect_left

        found = []
        for flag, covered in self.flags.items():
            i = bisect_left(covered, line)
            if i < len(covered) and covered[i] == line:
                found.append(flag)
        return frozenset(found)

    def contexts_for_line(self, line: LineNo) -> tuple[str, ...]:
        """Which tests ran ``line`` (sorted; empty when no test context was recorded)."""
        from bisect import bisect_left

        found = []
        for name, covered in self.contexts.items():
            i = bisect_left(covered, line)
            if i < len(covered) and covered[i] == line:
                found.append(name)
        return tuple(sorted(found))

    # -- transformations -----------------------------------------------------------

    def renamed(self, path: str) -> FileCoverage:
        clone = FileCoverage.__new__(FileCoverage)
        for slot in FileCoverage.__slots__:
            setattr(clone, slot, getattr(self, slot))
        clone.path = path
        return clone

    def with_flag(self, flag: FlagName) -> FileCoverage:
        """Label every covered line as covered by ``flag`` (the input's suite)."""
        clone = self.renamed(self.path)
        clone.flags = {flag: self.covered_lines()}
        return clone

    def merge(self, other: FileCoverage) -> FileCoverage:
        """Sum two reports of the same file: lines, branches and functions."""
        lines, hits = merge_line_counts(self.lines, self.hits, other.lines, other.hits)
        functions: Iterable[Function]
        branches = None
        if _speedups is not None:  # the same sums as the builder below, on sorted columns
            branches = _speedups.merge_branches(
                self.br_line, self.br_block, self.br_branch, self.br_taken,
                other.br_line, other.br_block, other.br_branch, other.br_taken,
            )  # fmt: skip
            functions = _speedups.merge_functions(self.functions, other.functions, Function)
        if branches is None:  # no accelerator, or branch columns not sorted
            b = FileCoverageBuilder(self.path)
            for cov in (self, other):
                for br in cov.branches():
                    b.add_branch(br.line, br.block, br.branch, br.taken)
                for fn in cov.functions:
                    b.add_function(fn.name, fn.start_line, fn.hits, fn.end_line)
            branches = b.build_branches()
            functions = b.build_functions()
        flags = dict(self.flags)
        for flag, covered in other.flags.items():
            mine = flags.get(flag)
            flags[flag] = covered if mine is None else array("i", sorted(set(mine) | set(covered)))
        contexts = _union_columns(self.contexts, other.contexts)
        return FileCoverage(
            self.path,
            lines,
            hits,
            branches=branches,
            functions=functions,
            flags=flags,
            contexts=contexts,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileCoverage):
            return NotImplemented
        return (
            self.path == other.path
            and self.lines == other.lines
            and self.hits == other.hits
            and self.br_line == other.br_line
            and self.br_block == other.br_block
            and self.br_branch == other.br_branch
            and self.br_taken == other.br_taken
            and self.functions == other.functions
            and {k: v for k, v in self.flags.items() if v}
            == {k: v for k, v in other.flags.items() if v}
            and {k: v for k, v in self.contexts.items() if v}
            == {k: v for k, v in other.contexts.items() if v}
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"FileCoverage({self.path!r}, lines={c.lines_covered}/{c.lines_total}, "
            f"branches={c.branches_covered}/{c.branches_total}, "
            f"functions={c.functions_covered}/{c.functions_total})"
        )


class FileCoverageBuilder:
    """Collect one file's data in any order; duplicates are summed, as lcov does."""

    __slots__ = ("_branches", "_functions", "_lines", "path")

    def __init__(self, path: str) -> None:
        self.path = path
        self._lines: dict[int, int] = {}
        self._branches: dict[tuple[int, int, int], int] = {}
        self._functions: dict[tuple[str, int], list[int | None]] = {}

    def add_line(self, line: LineNo, hits: HitCount) -> None:
        prev = self._lines.get(line)
        self._lines[line] = hits if prev is None else _saturating_sum(prev, hits)

    def add_branch(self, line: LineNo, block: int, branch: int, taken: HitCount | None) -> None:
        """Add a branch outcome; ``taken=None`` means never evaluated (LCOV ``-``).

        ``branch`` is a non-negative index within its block (every writer can hold that;
        LCOV cannot hold a negative one). ``block`` may be negative: LCOV's exception
        branches (``e0``) are stored as ``-1 - n``.
        """
        if branch < 0:
            raise ValueError(f"{self.path}:{line}: branch index {branch} is negative")
        key = (line, block, branch)
        value = NEVER_EVALUATED if taken is None else taken
        prev = self._branches.get(key)
        if prev is None or prev == NEVER_EVALUATED:
            self._branches[key] = value
        elif value != NEVER_EVALUATED:
            self._branches[key] = _saturating_sum(prev, value)

    def add_function(
        self, name: str, start_line: LineNo, hits: HitCount, end_line: LineNo | None = None
    ) -> None:
        key = (name, start_line)
        entry = self._functions.get(key)
        if entry is None:
            self._functions[key] = [end_line, hits]
        else:
            # Reports may disagree on where a function ends (tools and versions differ):
            # the widest span wins, so merging gives the same result in any order.
            if entry[0] is None or (end_line is not None and end_line > entry[0]):
                entry[0] = end_line
            entry[1] = _saturating_sum(entry[1] or 0, hits)

    def has_data(self) -> bool:
        return bool(self._lines or self._branches or self._functions)

    def build_branches(self) -> BranchColumns:
        keys = sorted(self._branches)
        return BranchColumns(
            array("i", [k[0] for k in keys]),
            array("i", [k[1] for k in keys]),
            array("i", [k[2] for k in keys]),
            array("q", [self._branches[k] for k in keys]),
        )

    def build_functions(self) -> list[Function]:
        return [
            Function(name, start, entry[0], entry[1] or 0)
            for (name, start), entry in self._functions.items()
        ]

    def build(self) -> FileCoverage:
        keys = sorted(self._lines)
        br = self.build_branches()
        return FileCoverage(
            self.path,
            array("i", keys),
            array("q", [self._lines[k] for k in keys]),
            branches=br,
            functions=self.build_functions(),
        )


@dataclass
class CoverageSet:
    """The coverage of many files, from one report or many merged ones.

    Equality compares coverage only (files and their data), not where it came from.
    ``source_roots`` are directories a report declares its relative paths against
    (Cobertura's ``<sources>``); path mapping tries them.
    """

    files: dict[str, FileCoverage] = field(default_factory=dict)
    inputs: tuple[InputInfo, ...] = ()
    source_roots: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    unresolved_branches: dict[str, frozenset[int]] = field(default_factory=dict)
    """Per file, branch lines whose arms a reader could not identify (coverage.py's
    Cobertura XML without its source): exact alone, maybe over-counted when merged
    with other data for the line. Read by the pipeline before merging; not merged."""
    branches_unknown: str | None = None
    """Why the reader knows its input's branches are not known although the format can
    carry them (an llvm-cov export made with ``-skip-functions`` keeps branches in the
    function records it left out): the pipeline's no-branch note gives this reason
    instead of guessing the report was measured without branches. Read before merging;
    not merged."""

    @property
    def flags(self) -> tuple[FlagName, ...]:
        names: set[str] = set()
        for fc in self.files.values():
            names.update(fc.flags)
        return tuple(sorted(names))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CoverageSet):
            return NotImplemented
        return self.files == other.files

    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(self.files)

    def totals(self) -> Counts:
        return sum((fc.counts() for fc in self.files.values()), Counts())

    def add(self, fc: FileCoverage) -> None:
        """Add a file in place, merging when the path is already present (for readers)."""
        prev = self.files.get(fc.path)
        self.files[fc.path] = fc if prev is None else prev.merge(fc)

    def with_flag(self, flag: FlagName) -> CoverageSet:
        return CoverageSet(
            {p: fc.with_flag(flag) for p, fc in self.files.items()},
            tuple(i._replace(flag=flag) for i in self.inputs),
            self.source_roots,
            self.notes,
            self.unresolved_branches,
        )

    def merge(self, other: CoverageSet) -> CoverageSet:
        """Return the union of two sets; files present in both are summed."""
        return CoverageSet.merge_all([self, other])

    @staticmethod
    def merge_all(sets: Iterable[CoverageSet]) -> CoverageSet:
        files: dict[str, FileCoverage] = {}
        inputs: list[InputInfo] = []
        roots: list[str] = []
        notes: list[str] = []
        for cs in sets:
            for path, fc in cs.files.items():
                prev = files.get(path)
                files[path] = fc if prev is None else prev.merge(fc)
            inputs.extend(cs.inputs)
            roots.extend(r for r in cs.source_roots if r not in roots)
            notes.extend(cs.notes)
        return CoverageSet(files, tuple(inputs), tuple(roots), tuple(notes))

    def renamed(self, mapping: Mapping[str, str]) -> CoverageSet:
        """Rename files by ``mapping`` (old → new); files that collide are merged."""
        files: dict[str, FileCoverage] = {}
        for path, fc in self.files.items():
            new = mapping.get(path, path)
            moved = fc if new == path else fc.renamed(new)
            prev = files.get(new)
            files[new] = moved if prev is None else prev.merge(moved)
        return CoverageSet(files, self.inputs, self.source_roots, self.notes)

    def without(self, paths: Iterable[str]) -> CoverageSet:
        drop = set(paths)
        return CoverageSet(
            {p: fc for p, fc in self.files.items() if p not in drop},
            self.inputs,
            self.source_roots,
            self.notes,
        )
