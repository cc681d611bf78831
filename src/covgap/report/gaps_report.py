"""The gap-analysis document (Markdown), and its terminal and JSON forms.

The Markdown follows the shape of a hand-written analysis a team would act on
(executive summary, gaps by tier with recommended tests, strengths, action plan,
targets, PR gates), so covgap can write it and keep it current.
"""

from __future__ import annotations

import heapq
import posixpath
from collections.abc import Sequence
from typing import Any

from covgap.analysis.gap_analysis import GapAnalysis
from covgap.analysis.gaps import FileGap
from covgap.analysis.plan import Plan, PlanItem, work_units
from covgap.model import Counts
from covgap.report._format import percent
from covgap.report.markdown import md_escape, table

TIER_TITLES = {
    "critical": "🔴 Critical Priority (Production Risk)",
    "high": "🟠 High Priority (Quality Risk)",
    "medium": "🟡 Medium Priority (Technical Debt)",
    "low": "🟢 Lower Priority (Completeness)",
}
MAX_GROUPS_PER_TIER = {"critical": 10, "high": 10, "medium": 8, "low": 5}


def code(text: str) -> str:
    """Inline code span that survives backticks in the text."""
    return f"``{text}``" if "`" in text else f"`{text}`"


def pct(counts: Counts) -> str:
    return percent(counts.lines_covered, counts.lines_total)


def _summary_rows(analysis: GapAnalysis) -> list[list[str]]:
    base = analysis.baseline or {}
    base_summary = base.get("summary", {}) if base else {}
    if isinstance(base_summary, Counts):  # read_summary() gives Counts, not a dict
        base_summary = base_summary.as_dict()
    inv = analysis.inventory
    na = "not measured"

    def base_pct(kind: str) -> str:
        total = base_summary.get(f"{kind}_total")
        covered = base_summary.get(f"{kind}_covered")
        if total is None or covered is None:
            return na
        return percent(int(covered), int(total))

    t = analysis.totals
    rows = [
        [
            "Total tests",
            na,
            f"{inv.tests:,}" + (f" ({inv.skipped:,} skipped)" if inv.skipped else "")
            if inv
            else na,
        ],
        ["Line coverage", base_pct("lines"), percent(t.lines_covered, t.lines_total)],
        ["Branch coverage", base_pct("branches"), percent(t.branches_covered, t.branches_total)],
        [
            "Function coverage",
            base_pct("functions"),
            percent(t.functions_covered, t.functions_total),
        ],
        [
            "Source files with tests",
            na,
            f"{inv.source_files_with_tests}/{inv.source_files} "
            f"({percent(inv.source_files_with_tests, inv.source_files)})"
            if inv
            else na,
        ],
        [
            "Doctests (Rust, apart from inline tests)",
            na,
            _doctests(inv) if inv else na,
        ],
        ["Integration test files", na, f"{inv.integration_test_files:,}" if inv else na],
        ["E2E test files", na, f"{inv.e2e_test_files:,}" if inv else na],
    ]
    if not analysis.baseline:
        rows = [[r[0], r[2]] for r in rows]
    return rows


def _doctests(inv: Any) -> str:
    extra = [f"{inv.doctests_ignored:,} ignored"] if inv.doctests_ignored else []
    extra += [f"{inv.doctests_no_run:,} no_run"] if inv.doctests_no_run else []
    return f"{inv.doctests:,}" + (f" ({', '.join(extra)})" if extra else "")


def _tooling_section(analysis: GapAnalysis) -> list[str]:
    """Tooling files apart: their coverage is in the totals, their gaps are not ranked."""
    if not analysis.tooling:
        return []
    count = len(analysis.tooling)
    lead = (
        "1 measured file configures or drives tools; it is"
        if count == 1
        else f"{count:,} measured files configure or drive tools; they are"
    )
    out = [
        "### Tooling and Configuration Files",
        "",
        f"{lead} counted in the totals above but never ranked as risk (reclassify with "
        "`[classify]` in the configuration):",
        "",
    ]
    rows = [
        [
            code(t.path),
            md_escape(t.rule),
            pct(t.counts),
            f"{t.counts.lines_missed:,}",
        ]
        for t in analysis.tooling
    ]
    out += table(["File", "Class", "Coverage", "Uncovered lines"], rows, "llrr")
    out.append("")
    return out


def key_finding(analysis: GapAnalysis) -> str | None:
    if not analysis.gaps:
        return None
    top = analysis.gaps[0]
    return (
        f"**Top risk**: {code(top.path)} ({top.tier}, score {top.score:g}): "
        + md_escape("; ".join(top.reasons))
        + "."
    )


def group_by_directory(gaps: Sequence[FileGap]) -> list[tuple[str, list[FileGap]]]:
    """Group a tier's files by directory, the riskiest group first."""
    groups: dict[str, list[FileGap]] = {}
    for gap in gaps:
        groups.setdefault(posixpath.dirname(gap.path) or ".", []).append(gap)
    return sorted(groups.items(), key=lambda kv: (-max(g.score for g in kv[1]), kv[0]))


def _gap_rows(gaps: Sequence[FileGap]) -> list[list[str]]:
    rows = []
    for g in gaps:
        lines = f"{g.physical_lines:,}" if g.physical_lines is not None else "—"
        inline = str(g.inline_tests) if g.inline_tests is not None else "—"
        rows.append(
            [
                code(posixpath.basename(g.path)),
                lines,
                inline,
                pct(g.counts),
                f"**{g.tier.capitalize()}** ({g.score:g})",
            ]
        )
    return rows


def _tier_section(tier: str, gaps: Sequence[FileGap], number: int) -> tuple[list[str], int]:
    out = [f"### {TIER_TITLES[tier]}", ""]
    groups = group_by_directory(gaps)
    limit = MAX_GROUPS_PER_TIER[tier]
    for directory, members in groups[:limit]:
        comp = members[0].component
        title = f"#### {number}. {code(directory + '/')}" + (
            f" ({md_escape(comp)})" if comp else ""
        )
        out += [title, ""]
        out += table(
            ["File", "Lines", "Inline Tests", "Coverage", "Risk"], _gap_rows(members), "lrrrl"
        )
        out += ["", "**Why**:", ""]
        out += [
            f"- {code(posixpath.basename(g.path))}: {md_escape('; '.join(g.reasons))}"
            for g in members
        ]
        if tier != "low":
            recs = [(g, r) for g in members for r in g.recommended]
            if recs:
                out += ["", "**Recommended Tests**:", ""]
                out += [f"- {code(posixpath.basename(g.path))} — {r}" for g, r in recs[:12]]
                if len(recs) > 12:
                    out.append(f"- … {len(recs) - 12} more in the JSON form (`--format json`)")
        out.append("")
        number += 1
    if len(groups) > limit:
        rest = sum(len(m) for _, m in groups[limit:])
        out += [f"*{len(groups) - limit} more directories ({rest} files) in this tier.*", ""]
    return out, number


def _items_for(
    gaps: Sequence[FileGap], scope_counts: dict[str, Counts], total: Counts, limit: int
) -> list[PlanItem]:
    """The first ``limit`` work units, largest first, ties to the lower effort, then path.

    ``heapq.nsmallest`` is ``sorted(...)[:limit]`` (ties in input order), and only the
    units shown become :class:`PlanItem` s (issue 14: one per function of the tier).
    """
    units = [(gap, unit) for gap in gaps for unit in work_units(gap)]

    def order(item: tuple[FileGap, tuple[str | None, int, int, int, int | None]]) -> Any:
        gap, (_, _, _, lines, complexity) = item
        return (-lines, lines + 3 * (complexity or 0), gap.path)  # PlanItem.effort_points

    items = []
    for gap, (name, start, end, lines, complexity) in heapq.nsmallest(limit, units, key=order):
        counts = scope_counts.get(gap.component or "", total)
        points = 100.0 * lines / counts.lines_total if counts.lines_total else 0.0
        items.append(PlanItem(gap.path, name, start, end, lines, complexity, points))
    return items


def _plan_rows(items: Sequence[PlanItem], scope: dict[str, str]) -> list[list[str]]:
    return [
        [
            f"Test {code(i.function)} in {code(i.path)}"
            if i.function
            else f"Cover {code(i.path)} lines {i.start_line}–{i.end_line}",
            f"+{i.points:.2f} pts ({md_escape(scope.get(i.path, 'repository'))})",
            f"{i.uncovered_lines:,}",
            i.effort,
        ]
        for i in items
    ]


def _action_plan(analysis: GapAnalysis) -> list[str]:
    out = ["## Action Plan", ""]
    comp_counts = {g.name: g.counts for g in analysis.goals}
    scope = {g.path: g.component or "repository" for g in analysis.gaps}
    phase = 1
    for tier, title in (("critical", "Critical Gap Closure"), ("high", "High Priority Gaps")):
        gaps = analysis.by_tier(tier)
        if not gaps:
            continue
        items = _items_for(gaps, comp_counts, analysis.totals, 10)
        out += [f"### Phase {phase}: {title}", ""]
        out += table(
            ["Task", "Adds", "Uncovered lines", "Effort"], _plan_rows(items, scope), "lrrl"
        )
        out.append("")
        phase += 1
    out += [f"### Phase {phase}: CI Integration", ""]
    out += ["Gate pull requests with covgap's own rules (see *Coverage Gates for PRs*):", ""]
    out += ["```sh", "covgap check --base origin/main --baseline coverage-baseline.json", "```", ""]
    phase += 1
    error_gaps = sorted(
        (g for g in analysis.gaps if g.error_paths_measured > g.error_paths_run),
        key=lambda g: (-(g.error_paths_measured - g.error_paths_run), g.path),
    )[:10]
    if error_gaps:
        out += [f"### Phase {phase}: Error Path Testing", ""]
        rows = [
            [
                code(g.path),
                f"{g.error_paths_measured - g.error_paths_run} of {g.error_paths_measured}",
                ", ".join(sorted({e.kind for e in g.error_paths if e.ran is False})),
            ]
            for g in error_gaps
        ]
        out += table(["File", "Error paths never run", "Kinds"], rows, "lrl")
        out.append("")
    return out


def plan_section(plan: Plan) -> list[str]:
    current = percent(plan.counts.lines_covered, plan.counts.lines_total)
    if plan.already_met:
        return [f"- **{md_escape(plan.scope)}**: {current}, target {plan.target:g}% already met."]
    head = (
        f"- **{md_escape(plan.scope)}**: {current} → {plan.target:g}% needs "
        f"{plan.needed_lines:,} more covered line{'s' if plan.needed_lines != 1 else ''}; "
    )
    if not plan.reachable:
        return [head + "covering every known gap does not reach it."]
    projected = f"{plan.projected:.2f}%" if plan.projected is not None else "n/a"
    items = f"{len(plan.items)} item{'s' if len(plan.items) != 1 else ''}"
    out = [head + f"covering these {items} reaches {projected}:", ""]
    rows = [
        [
            str(n),
            code(i.function) if i.function else f"lines {i.start_line}–{i.end_line}",
            code(i.path),
            f"+{i.points:.2f}",
            i.effort,
        ]
        for n, i in enumerate(plan.items[:25], 1)
    ]
    out += [
        "  " + line for line in table(["#", "Function", "File", "Points", "Effort"], rows, "rllrl")
    ]
    if len(plan.items) > 25:
        out.append(f"  *… {len(plan.items) - 25} more items in `covgap plan`.*")
    out.append("")
    return out


def _targets(analysis: GapAnalysis) -> list[str]:
    out = ["## Coverage Targets", "", "### Per-Package Goals", ""]
    rows = []
    for goal in analysis.goals:
        gap = goal.gap_points
        rows.append(
            [
                md_escape(goal.name),
                pct(goal.counts),
                f"{goal.target:g}%" if goal.target is not None else "—",
                f"{gap:.2f} pts" if gap is not None else "—",
                (goal.priority or "—").capitalize(),
            ]
        )
    if analysis.repository_plan is not None:
        p = analysis.repository_plan
        gap_pts = max(0.0, p.target - (p.current or 0.0))
        rows.append(["Overall", pct(p.counts), f"{p.target:g}%", f"{gap_pts:.2f} pts", "Target"])
    if rows:
        out += table(["Package", "Current", "Target", "Gap", "Priority"], rows, "lrrrl")
    else:
        out.append("No components or targets configured (see `[[components]]` in docs/config.md).")
    plans = [*analysis.plans, *([analysis.repository_plan] if analysis.repository_plan else [])]
    if plans:
        out += ["", "### Closure Plans", ""]
        for plan in plans:
            out += plan_section(plan)
    out += ["", "### Coverage Gates for PRs", ""]
    gates = analysis.gates
    if gates:
        if "patch" in gates:
            out.append(f"- **New code**: minimum {gates['patch']:g}% coverage")
        if gates.get("critical"):
            globs = ", ".join(code(c) for c in gates["critical"])
            out.append(f"- **Critical paths** ({globs}): no reduction allowed")
        if "max_drop" in gates:
            out.append(f"- **Overall**: no more than {gates['max_drop']:g} points regression")
        for metric in ("line", "branch", "function"):
            if metric in gates:
                out.append(f"- **{metric.capitalize()} coverage**: at least {gates[metric]:g}%")
    else:
        out.append(
            "Not configured. Suggested `[gates]`: `patch = 60`, `max_drop = 2.0`, and "
            "`critical` globs for the paths above."
        )
    out.append("")
    return out


def render_gaps_markdown(
    analysis: GapAnalysis, *, title: str = "Coverage Gap Analysis", header: Sequence[str] = ()
) -> str:
    """The full gap-analysis document as Markdown."""
    out = [f"# {title}", ""]
    out += [f"{line}  " for line in header]
    if header:
        out.append("")
    if not analysis.source_available:
        out += [
            "> Source analysis was unavailable: test counts, functions and error paths "
            "are missing.",
            "",
        ]
    for note in analysis.source_notes:
        out += [f"> **Note**: {md_escape(note.message)}", ""]
    out += ["## Executive Summary", ""]
    headers = ["Metric", "Baseline", "Current"] if analysis.baseline else ["Metric", "Current"]
    out += table(headers, _summary_rows(analysis), "l" + "r" * (len(headers) - 1))
    finding = key_finding(analysis)
    if finding:
        out += ["", finding]
    out += ["", "---", "", "## Coverage Gaps: Prioritized List", ""]
    if not analysis.gaps:
        out += ["No uncovered code: every executable line ran.", ""]
    number = 1
    for tier in ("critical", "high", "medium", "low"):
        gaps = analysis.by_tier(tier)
        if gaps:
            section, number = _tier_section(tier, gaps, number)
            out += section
    if analysis.unmeasured:
        out += [
            "### Not Measured",
            "",
            f"{len(analysis.unmeasured)} source files appear in no coverage report "
            "(not 0 %: unknown). Add them to a suite or to `[paths] ignore`:",
            "",
        ]
        out += [f"- {code(p)}" for p in analysis.unmeasured[:20]]
        if len(analysis.unmeasured) > 20:
            out.append(f"- … {len(analysis.unmeasured) - 20} more")
        out.append("")
    out += _tooling_section(analysis)
    out += ["---", "", "## Coverage Strengths (What's Working Well)", ""]
    wm = analysis.settings.high_watermark
    if analysis.strengths:
        out += [f"### High Coverage Areas (≥{wm:g}%)", ""]
        for s in analysis.strengths[:20]:
            name = f"**{md_escape(s.name)}**" if s.kind == "component" else code(s.name)
            out.append(
                f"- {name}: {pct(s.counts)} "
                f"({s.counts.lines_covered:,}/{s.counts.lines_total:,} lines)"
            )
        out.append("")
    else:
        out += [f"Nothing at or above {wm:g}% yet.", ""]
    out += ["---", ""]
    out += _action_plan(analysis)
    out += ["---", ""]
    out += _targets(analysis)
    return "\n".join(out)


def gaps_to_json(analysis: GapAnalysis) -> dict[str, Any]:
    """The same content as plain data, for machines."""

    def plan_json(plan: Plan) -> dict[str, Any]:
        return {
            "scope": plan.scope,
            "target": plan.target,
            "current": plan.current,
            "needed_lines": plan.needed_lines,
            "reachable": plan.reachable,
            "projected": plan.projected,
            "items": [
                {
                    "path": i.path,
                    "function": i.function,
                    "start_line": i.start_line,
                    "end_line": i.end_line,
                    "uncovered_lines": i.uncovered_lines,
                    "complexity": i.complexity,
                    "points": i.points,
                    "effort": i.effort,
                }
                for i in plan.items
            ],
        }

    inv = analysis.inventory
    return {
        "summary": {
            **analysis.totals.as_dict(),
            "tests": None if inv is None else inv.__dict__,
            "baseline": (analysis.baseline or {}).get("summary"),
        },
        "gaps": [
            {
                "path": g.path,
                "component": g.component,
                "language": g.language,
                "tier": g.tier,
                "score": g.score,
                "signals": g.signals,
                "reasons": g.reasons,
                "lines": g.physical_lines,
                **g.counts.as_dict(),
                "uncovered_ranges": [list(r) for r in g.uncovered_ranges],
                "inline_tests": g.inline_tests,
                "doctests": g.doctests,
                "tested_by": g.tested_by,
                "churn": g.churn,
                "covering_flags": sorted(g.covering_flags),
                "e2e_only": g.e2e_only,
                "critical": g.critical,
                "error_paths": {"run": g.error_paths_run, "measured": g.error_paths_measured},
                "functions": [
                    {
                        "name": f.name,
                        "start_line": f.start_line,
                        "end_line": f.end_line,
                        "complexity": f.complexity,
                        "lines_total": f.lines_total,
                        "lines_covered": f.lines_covered,
                        "crap": f.crap,
                    }
                    for f in g.functions
                ],
                "recommended_tests": g.recommended,
            }
            for g in analysis.gaps
        ],
        "strengths": [
            {"name": s.name, "kind": s.kind, **s.counts.as_dict()} for s in analysis.strengths
        ],
        "goals": [
            {
                "component": g.name,
                **g.counts.as_dict(),
                "target": g.target,
                "gap_points": g.gap_points,
                "priority": g.priority,
            }
            for g in analysis.goals
        ],
        "plans": [plan_json(p) for p in analysis.plans],
        "repository_plan": plan_json(analysis.repository_plan)
        if analysis.repository_plan
        else None,
        "unmeasured": analysis.unmeasured,
        "tooling": [
            {"path": t.path, "class": "tooling", "rule": t.rule, **t.counts.as_dict()}
            for t in analysis.tooling
        ],
        "notes": [n.as_dict() for n in analysis.source_notes],
        "gates": analysis.gates,
    }


def render_gaps_terminal(analysis: GapAnalysis, *, limit: int = 15) -> Any:
    """The gap analysis for a terminal: ranked gaps, reasons, and the plans."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    styles = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "green"}
    parts: list[Any] = []
    t = analysis.totals
    parts.append(
        Text(
            f"{len(analysis.gaps)} files with uncovered code; lines "
            f"{percent(t.lines_covered, t.lines_total)}, branches "
            f"{percent(t.branches_covered, t.branches_total)}, functions "
            f"{percent(t.functions_covered, t.functions_total)}"
        )
    )
    if analysis.inventory is not None:
        inv = analysis.inventory
        parts.append(
            Text(
                f"{inv.tests:,} tests ({inv.skipped} skipped); source files with tests "
                f"{inv.source_files_with_tests}/{inv.source_files}; integration test files "
                f"{inv.integration_test_files}; e2e test files {inv.e2e_test_files}"
            )
        )
    if analysis.tooling:
        names = ", ".join(t.path for t in analysis.tooling[:5])
        more = f" and {len(analysis.tooling) - 5} more" if len(analysis.tooling) > 5 else ""
        parts.append(
            Text(f"{len(analysis.tooling)} tooling files not ranked as risk: {names}{more}")
        )
    table = Table(title=f"Riskiest gaps (top {limit})", title_justify="left", show_edge=False)
    for col in ("tier", "score", "file", "lines", "why"):
        table.add_column(col, justify="right" if col in ("score", "lines") else "left")
    for g in analysis.gaps[:limit]:
        table.add_row(
            Text(g.tier, style=styles[g.tier]),
            f"{g.score:g}",
            g.path,
            pct(g.counts),
            "; ".join(g.reasons),
        )
    parts += [Text(""), table]
    for g in analysis.gaps[: min(limit, 5)]:
        if g.recommended:
            parts.append(Text(f"\nTo test in {g.path}:", style="bold"))
            parts += [Text(f"  • {r}") for r in g.recommended]
    plans = [*analysis.plans, *([analysis.repository_plan] if analysis.repository_plan else [])]
    for plan in plans:
        parts.append(Text(""))
        parts.append(Text("\n".join(plan_section(plan)).replace("**", "").replace("`", "")))
    return Group(*parts)
