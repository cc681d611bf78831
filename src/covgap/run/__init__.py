"""``covgap run``: measure every component with its ecosystem's coverage tool.

One module per ecosystem (:mod:`.cargo`, :mod:`.python`, :mod:`.ruby`, :mod:`.node`,
:mod:`.go`, :mod:`.jvm`), each declaring a :class:`~covgap.run.base.Runner`;
:data:`RUNNERS` is the only registry. A runner plans a component's
:class:`~covgap.run.base.Job` (commands and the reports they leave, each labelled
with a suite); :mod:`.executor` runs the jobs in parallel, one log per component;
the reports are then read by the ordinary readers through :func:`covgap.pipeline.load`.

Everything a run writes goes under ``.covgap/runs/<id>/``: one folder per component
(its log ``run.log``, its reports, the profiles), and ``run.json``, the manifest
listing every report with its suite and every component's outcome.
``.covgap/runs/latest`` names the newest run.

FFI (``[components.NAME.run] ffi = ["RUST_COMPONENT"]``) is planned here, around any
runner's job: the Rust library is built instrumented at its usual target path before
the tests, the tests run with ``LLVM_PROFILE_FILE`` set, and the profiles they wrote
are exported as the calling suite's ``-ffi`` suite (``python-ffi``).
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from covgap.languages import canonical_name
from covgap.run import cargo, go, jvm, node, python, ruby
from covgap.run.base import (
    Job,
    PlanContext,
    RunError,
    Runner,
    RunSettings,
    Step,
    ToolMissing,
    component_directory,
    safe_name,
)
from covgap.run.executor import Event, JobResult, run_jobs
from covgap.workspace import Component, Workspace

RUNNERS: dict[str, Runner] = {
    r.name: r
    for r in (
        cargo.RUNNER,
        python.RUNNER,
        ruby.RUNNER,
        node.RUNNER,
        go.RUNNER,
        jvm.RUNNER,
    )
}
"""Every ecosystem covgap can measure, by name (``[components.NAME.run] runner``)."""

RUNS_DIR = Path(".covgap") / "runs"


def runner_for(component: Component, settings: RunSettings) -> Runner | None:
    """The runner of a component: as configured, else by manifest, else by language."""
    if settings.runner is not None:
        found = RUNNERS.get(settings.runner)
        if found is None:
            raise RunError(
                f"[components.{component.name}.run] runner = {settings.runner!r} is not one of "
                + ", ".join(sorted(RUNNERS))
            )
        return found
    for r in RUNNERS.values():
        if component.origin in r.origins:
            return r
    if component.language:
        lang = canonical_name(component.language).casefold()  # "Rust" → "rust"
        for r in RUNNERS.values():
            if lang in r.languages:
                return r
    return None


@dataclass
class Skipped:
    """A component ``covgap run`` does not measure, and why."""

    component: str
    why: str


@dataclass
class Plan:
    """The jobs of one run and the components left out."""

    run_id: str
    run_dir: Path
    jobs: list[Job] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unmeasurable: list[Skipped] = field(default_factory=list)
    """Components that should be measured but cannot be here (a tool is missing)."""


def new_run_id() -> str:
    """A sortable, unique id: UTC time and a few random hex digits."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


def _add_ffi(
    job: Job,
    ctx: PlanContext,
    suite: str,
    libs: Sequence[str],
    components: dict[str, Component],
    root: Path,
) -> None:
    """Wrap ``job``'s test steps with an instrumented build of the Rust ``libs``."""
    targets: list[tuple[Path, str]] = []
    for name in libs:
        comp = components.get(name)
        if comp is None:
            raise RunError(
                f"[components.{ctx.component.name}.run] ffi names {name!r}, which is not a "
                "component of this repository"
            )
        directory = component_directory(root, comp)
        if cargo.applies(directory) is not None:
            raise RunError(
                f"[components.{ctx.component.name}.run] ffi names {name!r}, which is not a "
                f"Rust crate (no Cargo.toml in {directory})"
            )
        targets.append((directory, cargo.package_name(directory)))
    packages = [p for _, p in targets]
    before, profile_env, after, report = cargo.instrumented_suite(
        rust_dir=targets[0][0],
        packages=packages,
        kind="cdylib",
        names=(),
        out_dir=ctx.out_dir,
        suite=f"{suite}-ffi",
        env=ctx.env,
    )
    for step in job.steps:
        if step.tests:
            step.env = {**step.env, **profile_env}
    job.steps[0:0] = before
    job.steps.extend(after)
    job.reports.append(report)
    job.notes.append(
        f"Rust code run through the tests is reported as suite {report.suite} "
        f"({', '.join(packages)}, built instrumented at its usual target path)"
    )


def plan_run(
    workspace: Workspace,
    names: Sequence[str] = (),
    *,
    run_id: str | None = None,
    env: dict[str, str] | None = None,
) -> Plan:
    """Plan a run of the named components (all measurable ones when none are named).

    Named components that cannot be measured are errors; unnamed ones are listed in
    ``Plan.skipped`` with the reason. Planning checks the tools each job needs
    (:class:`ToolMissing`, naming the package) and writes the run's helper files.
    """
    root = workspace.root
    run_id = run_id or new_run_id()
    run_dir = root / RUNS_DIR / run_id
    by_name = {c.name: c for c in workspace.components}
    runs = workspace.config.runs
    for name in runs:
        if name not in by_name:
            raise RunError(
                f"[components.{name}.run] configures a component that does not exist "
                f"(components: {', '.join(sorted(by_name)) or 'none'})"
            )
    for name in names:
        if name not in by_name:
            raise RunError(
                f"no component named {name!r} (components: {', '.join(sorted(by_name)) or 'none'})"
            )
    plan = Plan(run_id, run_dir)
    chosen = [by_name[n] for n in dict.fromkeys(names)] if names else list(workspace.components)
    base_env = dict(env if env is not None else os.environ)
    for comp in chosen:
        settings = RunSettings.from_table(runs.get(comp.name))
        runner = runner_for(comp, settings)
        if runner is None:
            why = f"no runner for its kind ({comp.origin}, {comp.language or 'no language'})"
            if names:
                raise RunError(f"component {comp.name!r}: {why}")
            plan.skipped.append(Skipped(comp.name, why))
            continue
        directory = component_directory(root, comp)
        why_not = runner.applies(directory) if settings.command is None else None
        if why_not is not None:
            if names:
                raise RunError(f"component {comp.name!r} ({directory}): {why_not}")
            plan.skipped.append(Skipped(comp.name, f"{runner.name}: {why_not}"))
            continue
        out_dir = run_dir / safe_name(comp.name)
        out_dir.mkdir(parents=True, exist_ok=True)
        ctx = PlanContext(
            workspace, comp, directory, settings, out_dir, {**base_env, **settings.env}
        )
        try:
            job = runner.plan(ctx)
            if settings.ffi:
                suite = settings.suite or runner.suite
                _add_ffi(job, ctx, suite, settings.ffi, by_name, root)
        except ToolMissing as exc:  # the others can still be measured; the run is incomplete
            plan.unmeasurable.append(Skipped(comp.name, str(exc)))
            continue
        plan.jobs.append(job)
    return plan


@dataclass
class RunOutcome:
    """A finished run: each job's result, and the manifest written beside them."""

    plan: Plan
    results: list[JobResult]
    manifest: Path

    @property
    def reports(self) -> list[tuple[Path, str]]:
        """Every report written, with its suite, in component order."""
        return [(r.path, r.suite) for res in self.results for r in res.reports]

    @property
    def tests_failed(self) -> bool:
        return any(r.tests_failed for r in self.results)

    @property
    def incomplete(self) -> bool:
        """Whether a component could not run, stopped early or left a report unwritten."""
        return bool(self.plan.unmeasurable) or any(r.error or r.missing for r in self.results)


def execute(plan: Plan, *, workers: int | None = None, on_event: Event | None = None) -> RunOutcome:
    """Run the plan's jobs (``workers`` at a time, default the cores) and write run.json."""
    plan.run_dir.mkdir(parents=True, exist_ok=True)
    results = run_jobs(plan.jobs, workers=workers or os.cpu_count() or 1, on_event=on_event)
    manifest = plan.run_dir / "run.json"
    manifest.write_text(json.dumps(manifest_doc(plan, results), indent=2) + "\n", encoding="utf-8")
    latest = plan.run_dir.parent / "latest"
    latest.write_text(plan.run_id + "\n", encoding="utf-8")
    return RunOutcome(plan, results, manifest)


def manifest_doc(plan: Plan, results: Sequence[JobResult]) -> dict[str, Any]:
    root = plan.run_dir
    return {
        "run_id": plan.run_id,
        "components": [
            {
                "name": r.component,
                "runner": r.runner,
                "ok": r.ok,
                "seconds": round(r.seconds, 3),
                "log": os.path.relpath(r.log, root),
                "reports": [
                    {"path": os.path.relpath(o.path, root), "suite": o.suite} for o in r.reports
                ],
                "missing": [
                    {"path": os.path.relpath(o.path, root), "suite": o.suite, "why": why}
                    for o, why in r.missing
                ],
                "tests_failed": r.tests_failed,
                "error": r.error,
                "notes": r.notes,
            }
            for r in results
        ],
        "skipped": [{"name": s.component, "why": s.why} for s in plan.skipped],
        "unmeasurable": [{"name": s.component, "why": s.why} for s in plan.unmeasurable],
    }


def latest_run_reports(root: Path) -> list[tuple[Path, str]]:
    """The reports of the newest ``covgap run`` under ``root`` (empty when none)."""
    runs = root / RUNS_DIR
    try:
        run_id = (runs / "latest").read_text(encoding="utf-8").strip()
        doc = json.loads((runs / run_id / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for comp in doc.get("components", []):
        for rep in comp.get("reports", []):
            path = runs / run_id / rep["path"]
            if path.is_file():
                out.append((path, rep["suite"]))
    return out


__all__ = [
    "RUNNERS",
    "RUNS_DIR",
    "Plan",
    "RunOutcome",
    "Skipped",
    "Step",
    "execute",
    "latest_run_reports",
    "new_run_id",
    "plan_run",
    "runner_for",
]
