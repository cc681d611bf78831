"""The whole gap analysis of a repository: the data behind the gap-analysis document.

Combines the merged coverage, the source intelligence (functions, tests, error
paths), git churn and an optional baseline into what the seed document
(TAS-63) tabulates by hand: an executive summary, gaps by tier with recommended
tests, strengths, per-component targets and a closure plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from covgap.analysis.gaps import (
    FileGap,
    GapSettings,
    Strength,
    ToolingFile,
    build_gaps,
    strengths,
    tooling_files,
)
from covgap.analysis.plan import Plan, make_plan, plans_for_components
from covgap.analysis.summary import Summary, summarize
from covgap.errors import ConfigError
from covgap.model import Counts, CoverageSet
from covgap.source.inventory import DoctestCount, has_tests
from covgap.source.notes import AnalysisNote, analysis_notes
from covgap.source.records import SourceIndex
from covgap.workspace import Workspace

if TYPE_CHECKING:
    from covgap.pipeline import Loaded


@dataclass(frozen=True)
class TestInventory:
    """The test counts of the executive summary."""

    __test__ = False

    tests: int
    skipped: int
    property_tests: int
    source_files: int
    source_files_with_tests: int
    unit_test_files: int
    integration_test_files: int
    e2e_test_files: int
    doctests: int = 0
    """Rust doctests (in ``tests`` too), shown apart: cargo lists them apart."""
    doctests_ignored: int = 0
    doctests_no_run: int = 0
    tooling_files: int = 0


@dataclass(frozen=True)
class ComponentGoal:
    """A component's current coverage against its target, and the gap in points."""

    name: str
    counts: Counts
    target: float | None
    priority: str | None
    """The highest gap tier among the component's files (None when it has no gaps)."""

    @property
    def gap_points(self) -> float | None:
        current = self.counts.line_percent
        if self.target is None or current is None:
            return None
        return max(0.0, self.target - current)


@dataclass
class GapAnalysis:
    totals: Counts
    gaps: list[FileGap]
    strengths: list[Strength]
    goals: list[ComponentGoal]
    plans: list[Plan]
    repository_plan: Plan | None
    inventory: TestInventory | None
    unmeasured: list[str]
    settings: GapSettings
    gates: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] | None = None
    source_available: bool = True
    churn_available: bool = True
    tooling: list[ToolingFile] = field(default_factory=list)
    """Coverage of tooling files (config, CI scripts): in the totals, never ranked."""
    source_notes: list[AnalysisNote] = field(default_factory=list)
    """Where source analysis fell back (regex, syntax errors), one note per language."""

    def by_tier(self, tier: str) -> list[FileGap]:
        return [g for g in self.gaps if g.tier == tier]


def inventory_of(index: SourceIndex) -> TestInventory:
    tests = skipped = prop = 0
    for sf in index.files.values():
        for t in sf.tests:
            if t.kind not in ("test", "property", "doctest"):
                continue
            if t.skipped:
                skipped += 1
            else:
                tests += 1
                prop += t.kind == "property"
    sources = index.source_files()
    with_tests = sum(1 for s in sources if has_tests(s))
    kinds = [t.test_kind for t in index.test_files()]
    doctests = DoctestCount()
    for sf in index.files.values():
        doctests.add(sf)
    return TestInventory(
        tests=tests,
        skipped=skipped,
        property_tests=prop,
        source_files=len(sources),
        source_files_with_tests=with_tests,
        unit_test_files=kinds.count("unit"),
        integration_test_files=kinds.count("integration"),
        e2e_test_files=kinds.count("e2e"),
        doctests=doctests.total,
        doctests_ignored=doctests.ignored,
        doctests_no_run=doctests.no_run,
        tooling_files=len(index.tooling_files()),
    )


TIER_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def analyze(
    coverage: CoverageSet,
    workspace: Workspace,
    summary: Summary,
    *,
    source: SourceIndex | None,
    churn: Mapping[str, int] | None,
    settings: GapSettings,
    gates: Mapping[str, Any] | None = None,
    baseline: dict[str, Any] | None = None,
    unmapped_paths: list[str] | None = None,
    target: float | None = None,
) -> GapAnalysis:
    """Run the gap analysis; ``target`` overrides the overall target of the plan."""
    gaps = build_gaps(
        coverage,
        workspace,
        source=source,
        churn=churn,
        settings=settings,
        unmapped_paths=unmapped_paths or (),
    )
    comp_counts = {c.name: c.counts for c in summary.components}
    comp_targets = {
        c.name: c.target.line
        for c in workspace.components
        if c.target is not None and c.target.line is not None
    }
    worst: dict[str, str] = {}
    for gap in gaps:
        if gap.component is None:
            continue
        prev = worst.get(gap.component)
        if prev is None or TIER_RANK[gap.tier] < TIER_RANK[prev]:
            worst[gap.component] = gap.tier
    goals = [
        ComponentGoal(c.name, c.counts, comp_targets.get(c.name), worst.get(c.name))
        for c in summary.components
    ]
    overall = target if target is not None else settings.target
    repo_plan = make_plan("repository", summary.totals, gaps, overall) if overall else None
    measured = set(coverage.files)
    unmeasured = []
    if source is not None:
        unmeasured = sorted(
            sf.path
            for sf in source.source_files()
            if sf.path not in measured and sf.language is not None and sf.code_lines > 0
        )
    return GapAnalysis(
        totals=summary.totals,
        gaps=gaps,
        strengths=strengths(coverage, comp_counts, settings.high_watermark),
        goals=goals,
        plans=plans_for_components(gaps, comp_counts, comp_targets),
        repository_plan=repo_plan,
        inventory=inventory_of(source) if source is not None else None,
        unmeasured=unmeasured,
        settings=settings,
        gates=dict(gates or {}),
        baseline=baseline,
        source_available=source is not None,
        churn_available=churn is not None,
        tooling=tooling_files(coverage, workspace, source),
        source_notes=analysis_notes(source) if source is not None else [],
    )


def source_index(workspace: Workspace) -> SourceIndex:
    """The repository's source intelligence (tree-sitter is part of every install; where a
    grammar is missing the index says so in its notes)."""
    from covgap.source import analyze_repo

    return analyze_repo(workspace)


def repository_churn(workspace: Workspace, days: int) -> dict[str, int] | None:
    """Commits per file in the last ``days``; None (unknown, not zero) outside git."""
    from covgap import gitinfo
    from covgap.errors import CovgapError

    try:
        return gitinfo.churn(workspace.root, days)
    except CovgapError:
        return None


def analyze_loaded(
    loaded: Loaded,
    *,
    baseline: dict[str, Any] | None = None,
    target: float | None = None,
    source: SourceIndex | None = None,
) -> GapAnalysis:
    """Run the whole gap analysis on loaded coverage, with the repository's settings.

    Raises :class:`ConfigError` for an invalid ``[gaps]`` table.
    """
    config = loaded.config
    settings = GapSettings.from_config(config.section("gaps"), config.section("gates"))
    problems = settings.validate()
    if problems:
        raise ConfigError(problems[0], path=str(config.source) if config.source else None)
    summary = summarize(
        loaded.coverage,
        loaded.workspace,
        unmapped_paths=loaded.unmapped_paths,
        flag_totals=loaded.flag_totals,
    )
    return analyze(
        loaded.coverage,
        loaded.workspace,
        summary,
        source=source if source is not None else source_index(loaded.workspace),
        churn=repository_churn(loaded.workspace, settings.churn_days),
        settings=settings,
        gates=config.section("gates"),
        baseline=baseline,
        unmapped_paths=loaded.unmapped_paths,
        target=target,
    )


__all__ = [
    "ComponentGoal",
    "GapAnalysis",
    "TestInventory",
    "analyze",
    "analyze_loaded",
    "inventory_of",
    "repository_churn",
    "source_index",
]
