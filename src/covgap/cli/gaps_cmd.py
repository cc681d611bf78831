"""``covgap gaps`` and ``covgap plan``: risk-ranked gaps, the document, the closure plan."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from covgap.analysis.gap_analysis import GapAnalysis, analyze_loaded
from covgap.cli import main
from covgap.cli._common import (
    CoverageInputs,
    coverage_inputs,
    echo_source_notes,
    format_option,
    render_terminal_text,
    write_output,
)
from covgap.cli._history import gaps_baseline, history_view, store_option, trend_markdown_section
from covgap.errors import CovgapError
from covgap.pipeline import Loaded
from covgap.report._format import plural

if TYPE_CHECKING:
    from covgap.source import PendingAnalysis


def _baseline(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    from covgap.formats.covgap_json import read_summary

    return read_summary(path)


@contextmanager
def load_analysing(source: CoverageInputs) -> Iterator[tuple[Loaded, PendingAnalysis]]:
    """The loaded coverage, and the source analysis started BEFORE the reports are read.

    Source analysis is most of a cold run's time; its workers parse while this process
    reads, merges and maps the coverage reports, instead of after. Leaving the block
    stops the workers when the analysis was never waited for (an unreadable report).
    """
    from covgap.source import start_analysis

    started: list[PendingAnalysis] = []
    try:
        loaded = source.load(on_workspace=lambda ws: started.append(start_analysis(ws)))
        yield loaded, started[0]
    finally:
        for pending in started:
            pending.close()


def run_analysis(
    loaded: Loaded,
    *,
    baseline: Path | None = None,
    target: float | None = None,
    pending: PendingAnalysis | None = None,
) -> GapAnalysis:
    index = pending.result() if pending is not None else None
    analysis = analyze_loaded(loaded, baseline=_baseline(baseline), target=target, source=index)
    echo_source_notes(analysis.source_notes)
    return analysis


def header(loaded: Loaded) -> list[str]:
    from covgap import gitinfo

    lines = []
    try:
        commit = gitinfo.current_commit(loaded.workspace.root)[:12]
        branch = gitinfo.branch(loaded.workspace.root)
        lines.append(f"**Commit**: `{commit}`" + (f" on `{branch}`" if branch else ""))
    except CovgapError:
        pass
    flags = sorted({i.flag for i in loaded.coverage.inputs if i.flag})
    inputs = f"**Inputs**: {plural(len(loaded.coverage.inputs), 'coverage report')}"
    lines.append(inputs + (f" (suites: {', '.join(flags)})" if flags else ""))
    return lines


@main.command("gaps")
@coverage_inputs
@format_option("terminal", "markdown", "json")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A previous covgap JSON report: adds the Baseline column.",
)
@click.option("--target", type=float, help="Overall line target for the closure plan (percent).")
@click.option(
    "--base",
    help="With a history store and no --baseline: the baseline is the run recorded at the "
    "merge-base of this ref (default: the branch this one merges into).",
)
@store_option
def gaps_command(
    source: CoverageInputs,
    fmt: str,
    output: Path | None,
    baseline: Path | None,
    target: float | None,
    base: str | None,
    store_url: str | None,
) -> None:
    """Rank the untested code by risk and write the gap-analysis document.

    Combines the merged coverage with the source analysis (functions, complexity,
    tests, error paths) and git churn: gaps by tier with the reasons and the tests to
    write, strengths, per-component targets and the closure plan. Use
    `--format markdown -o GAPS.md` for the document.
    """
    with load_analysing(source) as (loaded, pending):
        view = history_view(loaded, store_url, base)  # the history store (#11)
        stored = gaps_baseline(view) if baseline is None else None
        analysis = analyze_loaded(
            loaded,
            baseline=stored or _baseline(baseline),
            target=target,
            source=pending.result(),
        )
    echo_source_notes(analysis.source_notes)
    lines = header(loaded) + ([f"**Baseline**: {stored['origin']}"] if stored else [])
    data = render_gaps(analysis, fmt, header=lines, tty=output is None)
    if fmt == "markdown" and view is not None:
        data += ("\n" + trend_markdown_section(view, loaded)).encode()
    write_output(output, data)


def render_gaps(
    analysis: GapAnalysis, fmt: str, *, header: list[str] | None = None, tty: bool = False
) -> bytes:
    from covgap.report import gaps_report

    if fmt == "json":
        import orjson

        return orjson.dumps(
            gaps_report.gaps_to_json(analysis),
            option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE,
        )
    if fmt == "markdown":
        return gaps_report.render_gaps_markdown(analysis, header=header or []).encode()
    color = tty and sys.stdout.isatty()
    return render_terminal_text(gaps_report.render_gaps_terminal(analysis), color=color).encode()


@main.command("plan")
@coverage_inputs
@click.option("--target", type=float, help="Line target in percent (default: [gaps] target).")
@click.option("--component", help="Plan for this component only (against its target).")
@format_option("terminal", "json")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def plan_command(
    source: CoverageInputs,
    target: float | None,
    component: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Plan the closure: the fewest functions to test to reach a coverage target.

    For each component below its target (or the one named with --component, or the
    whole repository with --target), lists functions largest gain first, with the
    percentage points each adds and an effort estimate.
    """
    from covgap.analysis.plan import make_plan
    from covgap.report.gaps_report import plan_section

    with load_analysing(source) as (loaded, pending):
        target_of_run = target if component is None else None
        analysis = run_analysis(loaded, target=target_of_run, pending=pending)
    plans = list(analysis.plans)
    if analysis.repository_plan is not None:
        plans.append(analysis.repository_plan)
    if component is not None:
        goals = {g.name: g for g in analysis.goals}
        if component not in goals:
            known = ", ".join(sorted(goals)) or "none"
            raise CovgapError(f"unknown component {component!r} (components: {known})")
        goal = goals[component]
        goal_target = target if target is not None else goal.target
        if goal_target is None:
            raise CovgapError(f"component {component!r} has no target; pass --target")
        members = [g for g in analysis.gaps if g.component == component]
        plans = [make_plan(component, goal.counts, members, goal_target)]
    if not plans:
        raise CovgapError(
            "nothing to plan: no component has a line target and no --target was given"
        )
    if fmt == "json":
        import orjson

        from covgap.report.gaps_report import gaps_to_json

        doc = gaps_to_json(analysis)
        chosen = {p.scope for p in plans}
        data = [p for p in [*doc["plans"], doc["repository_plan"]] if p and p["scope"] in chosen]
        write_output(
            output, orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
        )
        return
    text = "\n".join(line for plan in plans for line in plan_section(plan))
    write_output(output, (text.replace("**", "").replace("`", "") + "\n").encode())
