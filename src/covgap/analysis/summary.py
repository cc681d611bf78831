"""Summarise merged coverage per file, per component and per suite flag.

This is the data every coverage report shows (terminal, Markdown, JSON); the renderers
in ``covgap.report`` only format it. Computing it once here keeps the three outputs
from ever disagreeing about a number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from covgap.config import Target
from covgap.model import Counts, CoverageSet, FileCoverage

if TYPE_CHECKING:
    from covgap.workspace import Workspace

METRICS = ("line", "branch", "function")


@dataclass(frozen=True)
class FileRow:
    """One file's coverage and where it belongs."""

    path: str
    component: str | None
    language: str | None
    counts: Counts
    coverage: FileCoverage
    mapped: bool = True

    @property
    def uncovered_ranges(self) -> list[tuple[int, int]]:
        # Computed on demand: the terminal report shows ten files' ranges, not 10,000.
        return self.coverage.uncovered_ranges()


@dataclass(frozen=True)
class TargetCheck:
    """A component target for one metric and whether the measured value meets it.

    ``passed`` is ``None`` when the metric was not measured (its total is 0): no data
    is neither a pass nor a fail, and the reports say "n/a".
    """

    metric: str
    minimum: float
    measured: float | None

    @property
    def passed(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured >= self.minimum


@dataclass(frozen=True)
class ComponentRow:
    """A component's totals and its targets' verdicts."""

    name: str
    language: str | None
    origin: str
    files: int
    counts: Counts
    checks: tuple[TargetCheck, ...] = ()
    critical: bool = False

    @property
    def passed(self) -> bool | None:
        """False if any target fails, True if all measured targets pass, None if none."""
        verdicts = [c.passed for c in self.checks if c.passed is not None]
        if not verdicts:
            return None
        return all(verdicts)


@dataclass(frozen=True)
class FlagRow:
    """A suite's own totals, as its reports measured them, before merging with others."""

    name: str
    counts: Counts
    only_covered_lines: int
    """Lines covered by this suite and by no other flagged suite."""


@dataclass
class Summary:
    """Everything a coverage report shows, computed once."""

    totals: Counts
    files: list[FileRow]
    components: list[ComponentRow]
    flags: list[FlagRow] = field(default_factory=list)

    def measured_components(self) -> list[ComponentRow]:
        """Components the reports measured, plus any with a target (whose absence matters).

        A detected component no report mentions (a fixture's manifest, a package whose
        suite did not run) would otherwise fill the table with "n/a" rows.
        """
        return [c for c in self.components if c.files or c.checks]

    def lowest_files(self, limit: int) -> list[FileRow]:
        """Partly covered files with the lowest line coverage, ties broken by most missed.

        Files at 0 % have their own list (:meth:`zero_files`), and fully covered files
        are not "lowest" however few there are.
        """
        measured = [f for f in self.files if f.counts.lines_covered and f.counts.lines_missed]
        measured.sort(key=lambda f: (f.counts.line_percent or 0.0, -f.counts.lines_missed, f.path))
        return measured[:limit]

    def zero_files(self, limit: int | None = None) -> list[FileRow]:
        """Files with executable lines of which none ran, largest first."""
        zero = [f for f in self.files if f.counts.lines_total and not f.counts.lines_covered]
        zero.sort(key=lambda f: (-f.counts.lines_total, f.path))
        return zero if limit is None else zero[:limit]


def _checks(target: Target | None, counts: Counts) -> tuple[TargetCheck, ...]:
    if target is None:
        return ()
    checks = []
    measured = {
        "line": counts.line_percent,
        "branch": counts.branch_percent,
        "function": counts.function_percent,
    }
    for metric in METRICS:
        minimum = getattr(target, metric)
        if minimum is not None:
            checks.append(TargetCheck(metric, float(minimum), measured[metric]))
    return tuple(checks)


def _flag_rows(coverage: CoverageSet, flag_totals: Mapping[str, Counts]) -> list[FlagRow]:
    only: dict[str, int] = defaultdict(int)
    for fc in coverage.files.values():
        if len(fc.flags) < 2:
            for flag, lines in fc.flags.items():
                only[flag] += len(lines)
            continue
        owners: dict[int, list[str]] = defaultdict(list)
        for flag, lines in fc.flags.items():
            for line in lines:
                owners[line].append(flag)
        for flags in owners.values():
            if len(flags) == 1:
                only[flags[0]] += 1
    return [
        FlagRow(name, flag_totals.get(name, Counts()), only.get(name, 0))
        for name in sorted(set(flag_totals) | set(coverage.flags))
    ]


def summarize(
    coverage: CoverageSet,
    workspace: Workspace,
    *,
    unmapped_paths: Iterable[str] = (),
    flag_totals: Mapping[str, Counts] | None = None,
) -> Summary:
    """Compute the per-file, per-component and per-flag summary of ``coverage``."""
    unmapped = set(unmapped_paths)
    rows: list[FileRow] = []
    by_component: dict[str, list[FileRow]] = defaultdict(list)
    for path in sorted(coverage.files):
        fc = coverage.files[path]
        comp = None if path in unmapped else workspace.component_of(path)
        row = FileRow(
            path=path,
            component=comp.name if comp else None,
            language=workspace.language_of(path),
            counts=fc.counts(),
            coverage=fc,
            mapped=path not in unmapped,
        )
        rows.append(row)
        if comp is not None:
            by_component[comp.name].append(row)
    components = []
    for comp in workspace.components:
        members = by_component.get(comp.name, [])
        counts = sum((r.counts for r in members), Counts())
        components.append(
            ComponentRow(
                name=comp.name,
                language=comp.language,
                origin=comp.origin,
                files=len(members),
                counts=counts,
                checks=_checks(comp.target, counts),
                critical=comp.critical,
            )
        )
    totals = sum((r.counts for r in rows), Counts())
    flags = _flag_rows(coverage, flag_totals or {}) if coverage.flags or flag_totals else []
    return Summary(totals, rows, components, flags)


__all__ = ["ComponentRow", "FileRow", "FlagRow", "Summary", "TargetCheck", "summarize"]
