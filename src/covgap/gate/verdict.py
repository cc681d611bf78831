"""What every rule shares: the verdict, its inputs and exact numbers.

A rule module (``totals``, ``patch``, ``drop``, ``new_files``) turns
:class:`GateInputs` into :class:`Verdict` values using only this module; the
registry in :mod:`covgap.gate.rules` puts them in order. Numbers are
:class:`~fractions.Fraction` throughout so that a limit is compared exactly as
written (see :func:`exact` and :func:`format_value`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pathspec

from covgap.analysis.diffcov import Baseline, DiffCoverage, PatchFile, classify, patch_coverage
from covgap.gitinfo import BaseInfo, Diff
from covgap.model import CoverageSet
from covgap.types import LineNo, RepoPath
from covgap.workspace import Workspace

MAX_OFFENDERS = 20
"""How many files a failing rule lists (worst first); the count of the rest is kept."""


class Status(enum.Enum):
    """A rule's outcome; NOT_MEASURED is not a pass and not a failure."""

    PASS = "pass"
    FAIL = "fail"
    NOT_MEASURED = "not measured"


def exact(value: float | int | str | Fraction) -> Fraction:
    """The number a person wrote, exactly: ``79.999`` → 79999/1000, not a float's binary value."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(Decimal(str(value)))


def ratio(covered: int, total: int) -> Fraction | None:
    return None if total == 0 else Fraction(100 * covered, total)


def decimals(value: Fraction, digits: int, up: bool) -> Fraction:
    scale = 10**digits
    scaled = value * scale
    n = math.ceil(scaled) if up else math.floor(scaled)
    return Fraction(n, scale)


def format_value(
    value: Fraction | None,
    limit: Fraction | None = None,
    *,
    higher_is_better: bool = True,
    digits: int = 2,
) -> str:
    """Show ``value`` with at least ``digits`` decimals without crossing ``limit``.

    The value is cut toward the failing side (down when higher is better) and more
    decimals are added, up to 8, while the shown number would land on the other side
    of ``limit`` from the real one or show 0 / 100 for a value that is not exactly
    that. ``None`` (not measured) shows as ``n/a``.
    """
    if value is None:
        return "n/a"
    for d in range(digits, 9):
        shown = decimals(value, d, up=not higher_is_better)
        if limit is not None and (
            (shown >= limit) != (value >= limit) or (shown <= limit) != (value <= limit)
        ):
            continue
        if shown in (0, 100) and value != shown:
            continue
        return f"{Decimal(shown.numerator) / Decimal(shown.denominator):.{d}f}"
    return f"{float(value):.8f}"


def limit_text(limit: Fraction) -> str:
    text = f"{Decimal(limit.numerator) / Decimal(limit.denominator):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class Offender:
    """A file a failing rule blames, with the lines (ranges) responsible."""

    path: RepoPath
    ranges: tuple[tuple[LineNo, LineNo], ...] = ()
    note: str = ""

    @property
    def lines(self) -> int:
        return sum(b - a + 1 for a, b in self.ranges)


@dataclass
class Verdict:
    """One rule's result: the numbers behind it, the decision and who is responsible."""

    rule: str
    """Stable identifier: ``line``, ``patch``, ``component:core:branch``, ``critical:<glob>``."""
    title: str
    status: Status
    measured: Fraction | None
    limit: Fraction | None
    unit: str = "%"
    higher_is_better: bool = True
    config_key: str = ""
    """Dotted config key the limit comes from (``gates.line``, ``components.core.target``)."""
    reason: str = ""
    """Why the rule was not measured, or one line on why it failed."""
    explain: list[str] = field(default_factory=list)
    offenders: list[Offender] = field(default_factory=list)
    more_offenders: int = 0
    option: str = ""
    """The command-line option that set the limit over the config (``--fail-under-lines``)."""

    @classmethod
    def not_measured(cls, rule: str, title: str, limit: Fraction | None, **details: Any) -> Verdict:
        """A rule that had nothing to measure: neither a pass nor a fail (say ``reason``)."""
        return cls(rule, title, Status.NOT_MEASURED, None, limit, **details)

    @property
    def passed(self) -> bool | None:
        return None if self.status is Status.NOT_MEASURED else self.status is Status.PASS

    def measured_text(self) -> str:
        return format_value(self.measured, self.limit, higher_is_better=self.higher_is_better)

    def limit_text(self) -> str:
        return "n/a" if self.limit is None else limit_text(self.limit)

    def comparison(self) -> str:
        """``≥ 80`` or ``≤ 2`` : how the measured value must relate to the limit."""
        return ("≥ " if self.higher_is_better else "≤ ") + self.limit_text()

    def key(self) -> str:
        """The rule's name in the config: ``patch``, ``critical``, ``components.core.target``."""
        return self.config_key.removeprefix("gates.") if self.config_key else self.rule

    def label(self) -> str:
        """The rule by its config key and in words: ``patch: coverage of new and changed lines``.

        A limit given on the command line says which option set it:
        ``line (--fail-under-lines): overall line coverage``.
        """
        by = f" ({self.option})" if self.option else ""
        return f"{self.key()}{by}: {self.title}"

    def summary(self) -> str:
        """``measured 79.99 %, limit ≥ 80 %``: one line for messages."""
        return f"measured {self.measured_text()} {self.unit}, limit {self.comparison()} {self.unit}"


@dataclass
class GateInputs:
    """Everything the rules look at; unknowns are None and make their rules NOT_MEASURED."""

    coverage: CoverageSet
    workspace: Workspace
    gates: dict[str, Any]
    diff: Diff | None = None
    base: BaseInfo | None = None
    diff_problem: str | None = None
    """Why there is no diff (no base ref, shallow clone, ...), shown by the patch rule."""
    baseline: Baseline | None = None
    source_index: Callable[[], Any] | None = None
    """Returns a ``covgap.source.SourceIndex``; called only when a rule needs it."""
    diffcov: DiffCoverage | None = field(default=None, repr=False)
    """Computed once from ``baseline`` and ``diff`` when the baseline has line detail."""
    patch: list[PatchFile] | None = field(default=None, repr=False)
    """Computed once from ``diff`` by :func:`patch_for`."""


@dataclass(frozen=True)
class Figure:
    """One measured figure shown when no gate is configured (as diff-cover does).

    ``key`` is the ``[gates]`` key that would gate it; ``reason`` says why it could
    not be measured (no diff, no branch data).
    """

    key: str
    words: str
    covered: int
    total: int
    what: str
    reason: str = ""

    @property
    def measured(self) -> Fraction | None:
        return None if self.reason else ratio(self.covered, self.total)

    def text(self) -> str:
        """``79.99 % (7,999 of 10,000 lines)`` or ``n/a (why)``."""
        if self.measured is None:
            return f"n/a ({self.reason or f'no {self.what}'})"
        return f"{format_value(self.measured)} % ({self.covered:,} of {self.total:,} {self.what})"


@dataclass
class GateResult:
    """All verdicts plus the analyses they were computed from (for the reports)."""

    verdicts: list[Verdict]
    patch: list[PatchFile] | None = None
    diffcov: DiffCoverage | None = None
    notes: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    """With no rule configured at all: the measured figures, gated by nothing."""
    source_notes: list[Any] = field(default_factory=list)
    """``covgap.source.notes.AnalysisNote`` values: where the source analysis a rule
    used (``new_files_need_tests``) fell back to regex or met syntax errors. Reports
    show them beside the verdicts, so a degraded answer never looks complete."""

    @property
    def failed(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status is Status.FAIL]

    @property
    def ok(self) -> bool:
        return not self.failed

    def uncovered_new_lines(self) -> list[Offender]:
        """Uncovered changed lines per file, for annotations, whether or not patch passed."""
        if not self.patch:
            return []
        return [
            Offender(p.path, tuple(uncovered_ranges_of(p.uncovered)))
            for p in self.patch
            if p.uncovered
        ]


def uncovered_ranges_of(lines: Sequence[LineNo]) -> list[tuple[LineNo, LineNo]]:
    """Group sorted line numbers into runs of consecutive lines."""
    out: list[tuple[int, int]] = []
    for ln in lines:
        if out and ln == out[-1][1] + 1:
            out[-1] = (out[-1][0], ln)
        else:
            out.append((ln, ln))
    return out


def decide(measured: Fraction, limit: Fraction, higher_is_better: bool = True) -> Status:
    ok = measured >= limit if higher_is_better else measured <= limit
    return Status.PASS if ok else Status.FAIL


def cap_offenders(verdict: Verdict, offenders: list[Offender]) -> None:
    verdict.offenders = offenders[:MAX_OFFENDERS]
    verdict.more_offenders = max(0, len(offenders) - MAX_OFFENDERS)


def glob_spec(globs: Sequence[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(globs)


def diffcov_for(inp: GateInputs) -> DiffCoverage | None:
    if inp.baseline is None or inp.baseline.coverage is None:
        return None
    if inp.diff is None and inp.diff_problem is not None:
        return None  # which lines changed is unknown: categories would be guesses
    if inp.diffcov is None:
        inp.diffcov = classify(inp.coverage, inp.baseline.coverage, inp.diff)
    return inp.diffcov


def patch_for(inp: GateInputs) -> list[PatchFile] | None:
    """Coverage of the changed lines, computed once; None when there is no diff."""
    if inp.diff is None:
        return None
    if inp.patch is None:
        inp.patch = patch_coverage(inp.coverage, inp.diff.changed_lines())
    return inp.patch
