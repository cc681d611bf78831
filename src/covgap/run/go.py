"""Go: ``go test -coverprofile`` with ``-coverpkg`` over the whole module.

``go test -covermode=count -coverpkg=./... -coverprofile=RUN/cover.out ./...`` in the
module's directory: every package's tests count towards every package of the module
(without ``-coverpkg`` a package is measured only by its own tests). The profile is
an ordinary Go cover profile.
"""

from __future__ import annotations

from pathlib import Path

from covgap.run.base import Job, PlanContext, ReportOut, Runner, Step, command_argv, need

SUITE = "go"


def applies(directory: Path) -> str | None:
    return None if (directory / "go.mod").is_file() else "no go.mod"


def plan(ctx: PlanContext) -> Job:
    suite = ctx.settings.suite or SUITE
    job = Job(ctx.component.name, "go", ctx.directory, ctx.out_dir)
    if ctx.settings.report:
        argv = command_argv(ctx.settings.command or [])
        job.steps.append(Step("test", argv, ctx.directory, ctx.env, tests=True))
        job.reports.append(ReportOut(ctx.directory / ctx.settings.report, suite))
        return job
    report = ctx.out_dir / "cover.out"
    argv = [
        need("go"),
        "test",
        "-covermode=count",
        "-coverpkg=./...",
        f"-coverprofile={report}",
        "./...",
    ]
    if ctx.settings.command is not None:
        argv = [*command_argv(ctx.settings.command), f"-coverprofile={report}"]
    job.steps.append(Step("test", argv, ctx.directory, ctx.env, tests=True))
    job.reports.append(ReportOut(report, suite, "go test wrote no profile"))
    return job


RUNNER = Runner(
    name="go", suite=SUITE, origins=("go",), languages=("go",), applies=applies, plan=plan
)

__all__ = ["RUNNER"]
