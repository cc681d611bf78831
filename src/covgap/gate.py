"""Policy rules → verdicts: what CI needs to pass or fail a change, and why.

Each rule of the ``[gates]`` table (and each component ``target``) becomes one
:class:`Verdict` with the measured value, the limit, the status and, for a failure,
the files and lines responsible. The rules, and what each does with an *empty
denominator* (nothing to measure), are:

===================== ========================================== ======================
rule                  passes when                                 nothing to measure
===================== ========================================== ======================
``line``              covered/executable lines ≥ limit            no executable line
``branch``            taken/known branch outcomes ≥ limit         no branch data
``function``          functions run/functions ≥ limit             no function data
component target      the component's own line/branch/function    component has no data
``patch``             covered/executable *changed* lines ≥ limit  no diff, or no changed
                                                                  executable line
``max_drop``          baseline % − current % ≤ limit (points)     no baseline, or either
                                                                  side has no lines
``critical``          per glob: current % ≥ baseline %            no baseline, or no
                                                                  matching line either side
``file_line``         every measured file's line % ≥ limit        no file has lines
``new_files_need_tests`` every new source file has a test         no new source file
===================== ========================================== ======================

"Nothing to measure" is :attr:`Status.NOT_MEASURED`: it neither passes by 100 % nor
fails by 0 %; reports show it with its reason and it does not fail the check.

Thresholds are compared exactly, as fractions: the measured ratio ``covered/total``
against the limit *as written in the config* (``79.999`` is 79999/1000, not the
nearest float), so 79.999 % is below 80 and exactly 80 % meets 80. Displayed values
come from :func:`format_value`, which never shows a failing value as the limit (or a
passing one below it): it truncates toward the failing side and adds decimals until
the shown value is on the same side of the limit as the real one.

``critical`` is decided per glob, on the aggregate of the files it matches (a refactor
that moves covered code between two critical files is not a drop), and the offenders
listed are the matched files whose own coverage dropped. Files renamed in the diff are
compared with their old path's baseline.
"""

from __future__ import annotations

import enum
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pathspec

from covgap.analysis.diffcov import Baseline, DiffCoverage, PatchFile, classify, patch_coverage
from covgap.errors import ConfigError
from covgap.gitinfo import BaseInfo, Diff
from covgap.model import Counts, CoverageSet
from covgap.types import LineNo, RepoPath
from covgap.workspace import Workspace

__all__ = [
    "GateInputs",
    "GateResult",
    "Offender",
    "RatchetChange",
    "Status",
    "Verdict",
    "evaluate",
    "exact",
    "format_value",
    "ratchet",
    "ratchet_targets",
]

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


def _ratio(covered: int, total: int) -> Fraction | None:
    return None if total == 0 else Fraction(100 * covered, total)


def _decimals(value: Fraction, digits: int, up: bool) -> Fraction:
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
        shown = _decimals(value, d, up=not higher_is_better)
        if limit is not None and (
            (shown >= limit) != (value >= limit) or (shown <= limit) != (value <= limit)
        ):
            continue
        if shown in (0, 100) and value != shown:
            continue
        return f"{Decimal(shown.numerator) / Decimal(shown.denominator):.{d}f}"
    return f"{float(value):.8f}"


def _limit_text(limit: Fraction) -> str:
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
        return "n/a" if self.limit is None else _limit_text(self.limit)

    def comparison(self) -> str:
        """``≥ 80`` or ``≤ 2`` : how the measured value must relate to the limit."""
        return ("≥ " if self.higher_is_better else "≤ ") + self.limit_text()

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


@dataclass
class GateResult:
    """All verdicts plus the analyses they were computed from (for the reports)."""

    verdicts: list[Verdict]
    patch: list[PatchFile] | None = None
    diffcov: DiffCoverage | None = None
    notes: list[str] = field(default_factory=list)

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


# -- rule helpers -----------------------------------------------------------------------

_METRICS = {
    "line": ("lines", "line coverage", "executable lines covered"),
    "branch": ("branches", "branch coverage", "branch outcomes taken"),
    "function": ("functions", "function coverage", "functions run"),
}


def _decide(measured: Fraction, limit: Fraction, higher_is_better: bool = True) -> Status:
    ok = measured >= limit if higher_is_better else measured <= limit
    return Status.PASS if ok else Status.FAIL


def _cap(verdict: Verdict, offenders: list[Offender]) -> None:
    verdict.offenders = offenders[:MAX_OFFENDERS]
    verdict.more_offenders = max(0, len(offenders) - MAX_OFFENDERS)


def _metric_offenders(cs: CoverageSet, paths: Iterable[str], metric: str) -> list[Offender]:
    """Files with the most misses for ``metric``, with the lines of the misses."""
    scored: list[tuple[int, str, Offender]] = []
    for path in paths:
        fc = cs.files[path]
        c = fc.counts()
        if metric == "line":
            missed = c.lines_missed
            ranges = tuple(fc.uncovered_ranges())
            note = f"{missed} uncovered of {c.lines_total} lines"
        elif metric == "branch":
            missed = c.branches_missed
            lines = sorted({b.line for b in fc.branches() if not b.taken})
            ranges = tuple(uncovered_ranges_of(lines))
            note = f"{missed} untaken of {c.branches_total} branch outcomes"
        else:
            missed = c.functions_missed
            never = [f for f in fc.functions if f.hits == 0]
            ranges = tuple((f.start_line, f.start_line) for f in never)
            names = ", ".join(f.name for f in never[:5]) + (" …" if len(never) > 5 else "")
            note = f"{missed} of {c.functions_total} functions never ran: {names}"
        if missed:
            scored.append((missed, path, Offender(path, ranges, note)))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [o for _, _, o in scored]


def _metric_verdict(
    rule: str,
    title: str,
    counts: Counts,
    limit: Fraction,
    config_key: str,
    cs: CoverageSet,
    paths: Sequence[str],
    metric: str,
) -> Verdict:
    attr, label, what = _METRICS[metric]
    covered = getattr(counts, f"{attr}_covered")
    total = getattr(counts, f"{attr}_total")
    measured = _ratio(covered, total)
    if measured is None:
        return Verdict.not_measured(
            rule,
            title,
            limit,
            config_key=config_key,
            reason=f"no {attr} measured ({label} needs data the inputs do not carry)",
            explain=[f"0 {attr} in {len(paths)} files: nothing to compare with the limit"],
        )
    status = _decide(measured, limit)
    v = Verdict(rule, title, status, measured, limit, config_key=config_key)
    v.explain = [
        f"{covered:,} of {total:,} {what} in {len(paths):,} files = "
        f"{format_value(measured, limit, digits=4)} % (exactly {covered}/{total}·100), "
        f"limit ≥ {_limit_text(limit)} %"
    ]
    if status is Status.FAIL:
        need = math.ceil(limit * total / 100) - covered
        v.reason = f"{label} {v.measured_text()} % is below {_limit_text(limit)} %"
        v.explain.append(f"{need:,} more of the {attr} would need to be covered to pass")
        _cap(v, _metric_offenders(cs, paths, metric))
    return v


def _glob_spec(globs: Sequence[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(globs)


# -- the rules ----------------------------------------------------------------------------


def _overall(inp: GateInputs) -> list[Verdict]:
    out = []
    cs = inp.coverage
    paths = sorted(cs.files)
    totals = cs.totals()
    for metric in ("line", "branch", "function"):
        if metric in inp.gates:
            out.append(
                _metric_verdict(
                    metric,
                    f"overall {_METRICS[metric][1]}",
                    totals,
                    exact(inp.gates[metric]),
                    f"gates.{metric}",
                    cs,
                    paths,
                    metric,
                )
            )
    return out


def _components(inp: GateInputs) -> list[Verdict]:
    out = []
    members: dict[str, list[str]] = {}
    for path in sorted(inp.coverage.files):
        comp = inp.workspace.component_of(path)
        if comp is not None:
            members.setdefault(comp.name, []).append(path)
    for comp in inp.workspace.components:
        if comp.target is None:
            continue
        paths = members.get(comp.name, [])
        counts = sum((inp.coverage.files[p].counts() for p in paths), Counts())
        for metric in ("line", "branch", "function"):
            limit = getattr(comp.target, metric)
            if limit is None:
                continue
            out.append(
                _metric_verdict(
                    f"component:{comp.name}:{metric}",
                    f"{comp.name} {_METRICS[metric][1]}",
                    counts,
                    exact(limit),
                    f"components.{comp.name}.target",
                    inp.coverage,
                    paths,
                    metric,
                )
            )
    return out


def _patch(inp: GateInputs, patch: list[PatchFile] | None) -> list[Verdict]:
    if "patch" not in inp.gates:
        return []
    limit = exact(inp.gates["patch"])
    title = "coverage of new and changed lines"
    if patch is None:
        why = inp.diff_problem or "no diff against a base ref"
        return [
            Verdict.not_measured(
                "patch",
                title,
                limit,
                config_key="gates.patch",
                reason=why,
                explain=[f"patch coverage needs the changed lines: {why}"],
            )
        ]
    covered = sum(len(p.covered) for p in patch)
    total = sum(p.executable for p in patch)
    changed = sum(p.changed for p in patch)
    unmeasured = [p for p in patch if not p.measured]
    base = inp.diff.base if inp.diff is not None else None
    against = f" against {base[:12]}" if base else ""
    explain = [
        f"{changed:,} lines changed{against} in {len(patch):,} files; {total:,} of them "
        "executable (measured by the coverage), the rest are comments, blank lines or "
        "declarations and count nowhere"
    ]
    if unmeasured:
        names = ", ".join(p.path for p in unmeasured[:8]) + (" …" if len(unmeasured) > 8 else "")
        explain.append(
            f"{len(unmeasured)} changed files have no coverage record and are not measured "
            f"(not counted as covered or uncovered): {names}"
        )
    measured = _ratio(covered, total)
    if measured is None:
        return [
            Verdict.not_measured(
                "patch",
                title,
                limit,
                config_key="gates.patch",
                reason="no changed line is executable code the coverage measures",
                explain=explain,
            )
        ]
    status = _decide(measured, limit)
    v = Verdict("patch", title, status, measured, limit, config_key="gates.patch")
    explain.append(
        f"{covered:,} of {total:,} changed executable lines covered = "
        f"{format_value(measured, limit, digits=4)} %, limit ≥ {_limit_text(limit)} %"
    )
    v.explain = explain
    if status is Status.FAIL:
        v.reason = f"{total - covered} of {total} changed executable lines are not covered"
        offenders = [
            Offender(
                p.path,
                tuple(uncovered_ranges_of(p.uncovered)),
                f"{len(p.uncovered)} of {p.executable} changed lines uncovered",
            )
            for p in sorted(patch, key=lambda p: (-len(p.uncovered), p.path))
            if p.uncovered
        ]
        _cap(v, offenders)
    return [v]


def _baseline_counts_by_current_path(inp: GateInputs) -> dict[str, Counts]:
    """The baseline's per-file counts, keyed by today's path.

    Renames are followed, and files the diff deleted are left out: a critical glob
    compares the code that still exists, so deleting a well-covered file is not a
    coverage loss of the files that remain.
    """
    assert inp.baseline is not None
    renames = inp.diff.renames() if inp.diff is not None else {}
    deleted = (
        {fd.old_path for fd in inp.diff.files.values() if fd.status == "D"}
        if inp.diff is not None
        else set()
    )
    out: dict[str, Counts] = {}
    for path, counts in inp.baseline.files.items():
        if path in deleted:
            continue
        key = renames.get(path, path)
        out[key] = out.get(key, Counts()) + counts
    return out


def _drop_offenders(
    inp: GateInputs, paths: Iterable[str], base: dict[str, Counts]
) -> list[Offender]:
    """Files whose line coverage fell, with their LBC and UNC lines when known."""
    diffcov = _diffcov_for(inp)
    scored: list[tuple[Fraction, str, Offender]] = []
    for path in paths:
        before = base.get(path)
        fc = inp.coverage.files.get(path)
        if before is None or fc is None:
            continue
        b = _ratio(before.lines_covered, before.lines_total)
        a = _ratio(fc.counts().lines_covered, fc.counts().lines_total)
        if b is None or a is None or a >= b:
            continue
        ranges: tuple[tuple[int, int], ...] = ()
        note = f"{format_value(b)} % → {format_value(a, b)} %"
        if diffcov is not None and path in diffcov.files:
            fd = diffcov.files[path]
            lost = fd.lines.get("LBC", []) + fd.lines.get("UNC", [])
            ranges = tuple(uncovered_ranges_of(sorted(lost)))
            note += (
                f" ({fd.count('LBC')} lines lost coverage, {fd.count('UNC')} new lines uncovered)"
            )
        else:
            ranges = tuple(fc.uncovered_ranges())
        scored.append((a - b, path, Offender(path, ranges, note)))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [o for _, _, o in scored]


def _diffcov_for(inp: GateInputs) -> DiffCoverage | None:
    if inp.baseline is None or inp.baseline.coverage is None:
        return None
    if inp.diff is None and inp.diff_problem is not None:
        return None  # which lines changed is unknown: categories would be guesses
    if inp.diffcov is None:
        inp.diffcov = classify(inp.coverage, inp.baseline.coverage, inp.diff)
    return inp.diffcov


def _no_baseline(rule: str, title: str, limit: Fraction, key: str, hib: bool = True) -> Verdict:
    why = "no --baseline given"
    return Verdict.not_measured(
        rule,
        title,
        limit,
        unit="points" if not hib else "%",
        higher_is_better=hib,
        config_key=key,
        reason=why,
        explain=[
            f"{title} compares with a baseline, a previous covgap JSON report given "
            "with --baseline FILE; none was given"
        ],
    )


def _max_drop(inp: GateInputs) -> list[Verdict]:
    if "max_drop" not in inp.gates:
        return []
    limit = exact(inp.gates["max_drop"])
    title = "overall line coverage drop versus the baseline"
    if inp.baseline is None:
        return [_no_baseline("max_drop", title, limit, "gates.max_drop", hib=False)]
    before = inp.baseline.summary
    after = inp.coverage.totals()
    b = _ratio(before.lines_covered, before.lines_total)
    a = _ratio(after.lines_covered, after.lines_total)
    if a is None or b is None:
        side = "baseline" if b is None else "current coverage"
        return [
            Verdict.not_measured(
                "max_drop",
                title,
                limit,
                unit="points",
                higher_is_better=False,
                config_key="gates.max_drop",
                reason=f"the {side} has no executable lines",
            )
        ]
    drop = b - a
    status = _decide(drop, limit, higher_is_better=False)
    v = Verdict(
        "max_drop",
        title,
        status,
        drop,
        limit,
        unit="points",
        higher_is_better=False,
        config_key="gates.max_drop",
    )
    v.explain = [
        f"baseline {inp.baseline.origin}: {before.lines_covered:,}/{before.lines_total:,} = "
        f"{format_value(b, digits=4)} %",
        f"now: {after.lines_covered:,}/{after.lines_total:,} = {format_value(a, digits=4)} %",
        f"drop = {format_value(drop, limit, higher_is_better=False, digits=4)} points "
        f"(negative is a gain), limit ≤ {_limit_text(limit)} points",
    ]
    if status is Status.FAIL:
        v.reason = f"line coverage fell {v.measured_text()} points, more than {_limit_text(limit)}"
        _cap(
            v,
            _drop_offenders(inp, sorted(inp.coverage.files), _baseline_counts_by_current_path(inp)),
        )
    return [v]


def _critical(inp: GateInputs) -> list[Verdict]:
    groups: list[tuple[str, str, Callable[[str], bool], str]] = []
    for glob in inp.gates.get("critical", []):
        spec = _glob_spec([glob])
        groups.append(
            (f"critical:{glob}", f"critical paths {glob}", spec.match_file, "gates.critical")
        )
    for comp in inp.workspace.components:
        if comp.critical:
            name = comp.name

            def owned(path: str, name: str = name) -> bool:
                c = inp.workspace.component_of(path)
                return c is not None and c.name == name

            groups.append(
                (
                    f"critical:component:{name}",
                    f"critical component {name}",
                    owned,
                    f"components.{name}.critical",
                )
            )
    out: list[Verdict] = []
    if not groups:
        return out
    base = _baseline_counts_by_current_path(inp) if inp.baseline is not None else {}
    for rule, title, match, key in groups:
        title_full = f"{title} may not lose coverage"
        if inp.baseline is None:
            v = _no_baseline(rule, title_full, Fraction(0), key)
            v.limit = None
            out.append(v)
            continue
        now_paths = [p for p in sorted(inp.coverage.files) if match(p)]
        then_paths = [p for p in sorted(base) if match(p)]
        now = sum((inp.coverage.files[p].counts() for p in now_paths), Counts())
        then = sum((base[p] for p in then_paths), Counts())
        a = _ratio(now.lines_covered, now.lines_total)
        b = _ratio(then.lines_covered, then.lines_total)
        explain = [
            f"baseline: {then.lines_covered:,}/{then.lines_total:,} lines "
            f"in {len(then_paths)} files"
            + (f" = {format_value(b, digits=4)} %" if b is not None else ""),
            f"now: {now.lines_covered:,}/{now.lines_total:,} lines in {len(now_paths)} files"
            + (f" = {format_value(a, b, digits=4)} %" if a is not None else ""),
        ]
        if a is None or b is None:
            side = "the baseline" if b is None else "the current coverage"
            out.append(
                Verdict(
                    rule,
                    title_full,
                    Status.NOT_MEASURED,
                    a,
                    b,
                    config_key=key,
                    reason=f"no line of these paths in {side}",
                    explain=explain,
                )
            )
            continue
        status = _decide(a, b)
        v = Verdict(rule, title_full, status, a, b, config_key=key, explain=explain)
        if status is Status.FAIL:
            v.reason = f"coverage of {title} fell from {format_value(b)} % to {v.measured_text()} %"
            _cap(v, _drop_offenders(inp, now_paths, base))
        out.append(v)
    return out


def _file_line(inp: GateInputs) -> list[Verdict]:
    if "file_line" not in inp.gates:
        return []
    limit = exact(inp.gates["file_line"])
    title = "line coverage of every file"
    measured_files = [
        (fc.counts(), path)
        for path, fc in sorted(inp.coverage.files.items())
        if fc.counts().lines_total
    ]
    skipped = len(inp.coverage.files) - len(measured_files)
    if not measured_files:
        return [
            Verdict.not_measured(
                "file_line",
                title,
                limit,
                config_key="gates.file_line",
                reason="no file has executable lines",
            )
        ]
    below: list[tuple[Fraction, str, Counts]] = []
    lowest: Fraction | None = None
    for c, path in measured_files:
        pct = Fraction(100 * c.lines_covered, c.lines_total)
        lowest = pct if lowest is None else min(lowest, pct)
        if pct < limit:
            below.append((pct, path, c))
    assert lowest is not None
    status = Status.FAIL if below else Status.PASS
    v = Verdict("file_line", title, status, lowest, limit, config_key="gates.file_line")
    v.explain = [
        f"{len(measured_files):,} files with executable lines ({skipped} without are not "
        f"measured); lowest {format_value(lowest, limit, digits=4)} %, "
        f"{len(below)} below {_limit_text(limit)} %"
    ]
    if below:
        v.reason = f"{len(below)} files are below {_limit_text(limit)} % line coverage"
        below.sort(key=lambda t: (t[0], t[1]))
        _cap(
            v,
            [
                Offender(
                    path,
                    tuple(inp.coverage.files[path].uncovered_ranges()),
                    f"{format_value(pct, limit)} % ({c.lines_covered}/{c.lines_total})",
                )
                for pct, path, c in below
            ],
        )
    return [v]


def _new_files(inp: GateInputs) -> list[Verdict]:
    if not inp.gates.get("new_files_need_tests"):
        return []
    title = "new source files have tests"
    key = "gates.new_files_need_tests"

    def not_measured(why: str, explain: list[str] | None = None) -> list[Verdict]:
        return [
            Verdict.not_measured(
                "new_files_need_tests",
                title,
                None,
                unit="files",
                config_key=key,
                reason=why,
                explain=explain or [why],
            )
        ]

    if inp.diff is None:
        return not_measured(inp.diff_problem or "no diff against a base ref")
    new = sorted(fd.path for fd in inp.diff.files.values() if fd.status == "A" and fd.path)
    if inp.source_index is None:
        return not_measured(
            "source analysis is not available, so covgap cannot tell source from test "
            "files (install covgap[source])"
        )
    index = inp.source_index()
    sources = [index.files[p] for p in new if p in index.files and index.files[p].kind == "source"]
    if not sources:
        return not_measured(
            "no new source file in the diff",
            [f"{len(new)} new files, none of them a source file the analysis recognises"],
        )
    untested = [sf for sf in sources if not sf.tested_by and not sf.inline_tests]
    tested = len(sources) - len(untested)
    v = Verdict(
        "new_files_need_tests",
        title,
        Status.FAIL if untested else Status.PASS,
        Fraction(tested),
        Fraction(len(sources)),
        unit="files",
        config_key=key,
    )
    v.explain = [
        f"{len(sources)} new source files; {tested} have a test that imports them or "
        "inline tests, found by source analysis"
    ]
    if untested:
        v.reason = f"{len(untested)} new source files have no test"
        _cap(
            v,
            [
                Offender(sf.path, (), "no test imports it and it has no inline tests")
                for sf in untested
            ],
        )
    return [v]


def evaluate(inp: GateInputs) -> GateResult:
    """Evaluate every configured rule, in a fixed order, and keep what they used."""
    patch = None
    if inp.diff is not None:
        patch = patch_coverage(inp.coverage, inp.diff.changed_lines())
    verdicts = (
        _overall(inp)
        + _components(inp)
        + _patch(inp, patch)
        + _max_drop(inp)
        + _critical(inp)
        + _file_line(inp)
        + _new_files(inp)
    )
    notes = list(inp.base.notes) if inp.base is not None else []
    detailed = inp.baseline is not None and inp.baseline.coverage is not None
    if detailed and inp.diff is None and inp.diff_problem is not None:
        notes.append(
            "differential categories (LBC, GBC, ...) are not computed: the changed "
            f"lines are unknown ({inp.diff_problem})"
        )
    if inp.baseline is not None and inp.baseline.coverage is None:
        notes.append(
            f"baseline {inp.baseline.origin} has totals only (no per-line detail): max_drop "
            "and critical compare totals; differential categories (LBC, GBC, ...) need a "
            "baseline written with `covgap report --format json --detail`"
        )
    return GateResult(verdicts, patch, _diffcov_for(inp), notes)


# -- ratchet --------------------------------------------------------------------------


@dataclass(frozen=True)
class RatchetChange:
    """One minimum raised by ``--ratchet``: the dotted key, the old and the new value."""

    key: str
    old: Fraction
    new: Fraction
    line: int


_HEADER_RE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_NUMBER = r"[+-]?(?:\d[\d_]*)(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?"


def _ratchet_value(current: Fraction) -> Fraction:
    """Today's value cut down to two decimals, so that today's run still passes."""
    return _decimals(current, 2, up=False)


def ratchet_targets(result: GateResult) -> dict[str, Fraction]:
    """The minimums ``--ratchet`` may raise: measured overall and component minimums.

    ``patch``, ``max_drop``, ``critical`` and ``file_line`` describe changes or
    extremes rather than levels, so they are left as written.
    """
    out: dict[str, Fraction] = {}
    for v in result.verdicts:
        if v.measured is None or v.limit is None:
            continue
        if v.rule in ("line", "branch", "function"):
            out[f"gates.{v.rule}"] = _ratchet_value(v.measured)
        elif v.rule.startswith("component:"):
            name, metric = v.rule.removeprefix("component:").rsplit(":", 1)
            out[f"components.{name}.{metric}"] = _ratchet_value(v.measured)
    return out


def _format_number(value: Fraction, like: str) -> str:
    if value.denominator == 1 and "." not in like:
        return str(value.numerator)
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class _Block:
    """A TOML table's lines: ``[start, end)`` of the header's table, and a component's name."""

    table: str
    start: int
    end: int
    name: str | None


def _blocks(lines: Sequence[str]) -> list[_Block]:
    """Split TOML text into its tables by header lines (``[x]`` / ``[[x]]``)."""
    heads: list[tuple[int, str]] = [(0, "")]
    for i, raw in enumerate(lines):
        m = _HEADER_RE.match(raw)
        if m and raw.lstrip().startswith("["):
            heads.append((i, m.group(1).replace(" ", "").replace('"', "").replace("'", "")))
    out = []
    for k, (start, table) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        name = None
        for raw in lines[start:end]:
            nm = re.match(r'^\s*name\s*=\s*"([^"]*)"', raw)
            if nm:
                name = nm.group(1)
                break
        out.append(_Block(table, start, end, name))
    return out


def ratchet(
    text: str,
    targets: dict[str, Fraction],
    *,
    prefix: str = "",
    origin: str = "config",
) -> tuple[str, list[RatchetChange]]:
    """Raise the minimums in a TOML document's text to ``targets``; never lower one.

    Edits the number tokens in place, keeping comments, spacing and key order, and
    only for keys the document already has (``line = 80`` in ``[gates]``, or a
    component's ``target = 80`` / ``target = { line = 80, ... }`` in its
    ``[[components]]`` block). ``prefix`` is ``"tool.covgap."`` for ``pyproject.toml``.
    The result is parsed again and checked to differ from the original in exactly the
    changed values; anything else is a :class:`ConfigError` and nothing is written.
    """
    lines = text.splitlines(keepends=True)
    changes: list[RatchetChange] = []

    def bump(i: int, key: str, pattern: str) -> None:
        target = targets.get(key)
        if target is None:
            return
        m = re.search(pattern, lines[i])
        if m is None:
            return
        old = exact(m.group("num").replace("_", ""))
        if target <= old:
            return
        new_num = _format_number(target, m.group("num"))
        lines[i] = lines[i][: m.start("num")] + new_num + lines[i][m.end("num") :]
        changes.append(RatchetChange(key, old, exact(new_num), i + 1))

    for block in _blocks(lines):
        rows = range(block.start, block.end)
        if block.table == f"{prefix}gates":
            for i in rows:
                for metric in ("line", "branch", "function"):
                    bump(i, f"gates.{metric}", rf"^\s*{metric}\s*=\s*(?P<num>{_NUMBER})\s*(#.*)?$")
        elif block.table == f"{prefix}components" and block.name is not None:
            for i in rows:
                if re.match(r"^\s*target\s*=\s*\{", lines[i]):
                    for metric in ("line", "branch", "function"):
                        bump(
                            i,
                            f"components.{block.name}.{metric}",
                            rf"\b{metric}\s*=\s*(?P<num>{_NUMBER})",
                        )
                else:
                    bump(
                        i,
                        f"components.{block.name}.line",
                        rf"^\s*target\s*=\s*(?P<num>{_NUMBER})\s*(#.*)?$",
                    )
    new_text = "".join(lines)
    _check_all_due_made(text, targets, changes, prefix, origin)
    if changes:
        _verify(text, new_text, changes, prefix, origin)
    return new_text, changes


def _written_minimums(doc: dict[str, Any]) -> dict[str, Fraction]:
    """The minimums a parsed config sets, by ratchet key (``gates.line``, ``components.x.line``)."""
    out: dict[str, Fraction] = {}
    gates = doc.get("gates", {})
    if isinstance(gates, dict):
        for metric in ("line", "branch", "function"):
            value = gates.get(metric)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[f"gates.{metric}"] = exact(value)
    comps = doc.get("components", [])
    for comp in comps if isinstance(comps, list) else []:
        if not isinstance(comp, dict) or not isinstance(comp.get("name"), str):
            continue
        target = comp.get("target")
        if isinstance(target, dict):
            for metric, value in target.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    out[f"components.{comp['name']}.{metric}"] = exact(value)
        elif isinstance(target, int | float) and not isinstance(target, bool):
            out[f"components.{comp['name']}.line"] = exact(target)
    return out


def _check_all_due_made(
    text: str,
    targets: dict[str, Fraction],
    changes: list[RatchetChange],
    prefix: str,
    origin: str,
) -> None:
    """Refuse to pretend: a minimum that is due a raise but was not edited is an error.

    That happens when the value is spelled in a way the in-place editor does not touch
    (``gates = { line = 80 }``, a dotted ``gates.line = 80``); saying "nothing to
    raise" then would be false.
    """
    try:
        doc = _dig(tomllib.loads(text), prefix.rstrip("."))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot ratchet: {exc}", path=origin) from None
    made = {c.key for c in changes}
    for key, written in sorted(_written_minimums(doc).items()):
        due = targets.get(key)
        if due is not None and due > written and key not in made:
            raise ConfigError(
                f"cannot ratchet {key} in place: write it as `{key.rsplit('.', 1)[-1]} = "
                "<number>` on its own line of the table (or `target = <number>` / "
                "`target = { ... }` in the component's block)",
                path=origin,
            )


def _dig(doc: dict[str, Any], dotted: str) -> dict[str, Any]:
    node: Any = doc
    for part in dotted.split(".") if dotted else []:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


def _verify(
    old_text: str, new_text: str, changes: list[RatchetChange], prefix: str, origin: str
) -> None:
    """Re-parse the edited text and check only the ratcheted values changed."""
    try:
        before = tomllib.loads(old_text)
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"cannot ratchet: the edited file would not parse ({exc})", path=origin
        ) from None
    root_before = _dig(before, prefix.rstrip("."))
    root_after = _dig(after, prefix.rstrip("."))
    for ch in changes:
        section, *rest = ch.key.split(".")
        if section == "gates":
            root_before.setdefault("gates", {})[rest[0]] = "*"
            root_after.setdefault("gates", {})[rest[0]] = "*"
        else:
            name, metric = rest[0], rest[1]
            for root in (root_before, root_after):
                for comp in root.get("components", []):
                    if comp.get("name") == name:
                        if isinstance(comp.get("target"), dict):
                            comp["target"][metric] = "*"
                        else:
                            comp["target"] = "*"
    if before != after:
        raise ConfigError(
            "cannot ratchet: editing the minimums in place would change other values; "
            "edit the file by hand",
            path=origin,
        )


def config_key_line(text: str, key: str, prefix: str = "") -> int | None:
    """The 1-based line of ``key`` (``gates.patch``, ``components.core.target``) in ``text``.

    Reports point at the line that sets a failing rule's limit; None when the key is
    not written in the file (a default, or a detected component).
    """
    lines = text.splitlines()
    section, *rest = key.split(".")
    for block in _blocks(lines):
        if section == "gates" and block.table == f"{prefix}gates" and rest:
            for i in range(block.start, block.end):
                if re.match(rf"^\s*{re.escape(rest[0])}\s*=", lines[i]):
                    return i + 1
            return block.start + 1
        if section == "components" and block.table == f"{prefix}components" and rest:
            if block.name != rest[0]:
                continue
            attr = rest[1] if len(rest) > 1 else "name"
            for i in range(block.start, block.end):
                if re.match(rf"^\s*{re.escape(attr)}\s*=", lines[i]):
                    return i + 1
            return block.start + 1
    return None


def config_prefix(path: Path | None) -> str:
    """``tool.covgap.`` for ``pyproject.toml``, nothing for ``covgap.toml``."""
    return "tool.covgap." if path is not None and path.name == "pyproject.toml" else ""
