"""``covgap run``: run every component's tests under coverage, then report (or gate)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from covgap.cli import main
from covgap.cli._common import echo_load_notes, format_option, load_repo, repo_options, write_output
from covgap.errors import InputError
from covgap.pipeline import InputSpec, load
from covgap.run import RunOutcome, execute, plan_run
from covgap.run.executor import Event


@contextmanager
def _live_display(components: list[str], enabled: bool) -> Iterator[Event]:
    """A live table on stderr (one row per component: what it is doing, for how long).

    On a terminal it redraws in place; elsewhere (CI logs) each component prints one
    line when it finishes.
    """
    lock = threading.Lock()
    if not enabled:

        def plain(component: str, state: str, detail: str) -> None:
            if state == "done":
                with lock:
                    click.echo(f"covgap run: {component}: {detail}", err=True)

        yield plain
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.fields[component]:<24}"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as progress:
        tasks = {
            c: progress.add_task("queued", total=1, component=c, start=False) for c in components
        }

        def event(component: str, state: str, detail: str) -> None:
            with lock:
                task = tasks[component]
                if state == "done":
                    progress.update(task, description=detail, completed=1)
                    progress.stop_task(task)
                elif state != "queued":
                    progress.start_task(task)
                    progress.update(task, description=state)

        yield event


def _summarize(outcome: RunOutcome) -> None:
    """One line per component on stderr: reports, failed tests, missing reports and why."""
    for res in outcome.results:
        suites = ", ".join(sorted({r.suite for r in res.reports})) or "no report"
        line = f"covgap run: {res.component} ({res.runner}, {res.seconds:.1f} s): {suites}"
        if res.tests_failed:
            line += f"; tests FAILED: {', '.join(res.tests_failed)}"
        click.echo(line + f"; log {res.log}", err=True)
        for note in res.notes:
            click.echo(f"covgap run: {res.component}: note: {note}", err=True)
        if res.error:
            click.echo(f"covgap run: {res.component}: error: {res.error}", err=True)
        for out, why in res.missing:
            click.echo(
                f"covgap run: {res.component}: no {out.suite} report ({out.path}): {why}", err=True
            )
    for s in outcome.plan.skipped:
        click.echo(f"covgap run: skipped {s.component}: {s.why}", err=True)
    for s in outcome.plan.unmeasurable:
        click.echo(f"covgap run: {s.component}: cannot measure: {s.why}", err=True)


@main.command("run")
@click.argument("components", nargs=-1)
@repo_options
@format_option(
    "terminal", "markdown", "json", help="Format of the merged report printed at the end."
)
@click.option("--detail", is_flag=True, help="JSON: per-line hits, flags and tests (contexts).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report here.")
@click.option(
    "--then",
    "then",
    type=click.Choice(["check", "gaps", "record"]),
    help="Hand the reports to this command instead of printing the merged report.",
)
@click.option(
    "--allow-test-failures",
    is_flag=True,
    help="Exit 0 even when tests failed (their coverage is reported either way).",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Components at once [cores].")
def run_command(
    components: tuple[str, ...],
    repo: Path,
    config_path: Path | None,
    fmt: str,
    detail: bool,
    output: Path | None,
    then: str | None,
    allow_test_failures: bool,
    jobs: int | None,
) -> None:
    """Run each component's tests under its coverage tool and report the merged result.

    COMPONENTS are component names (default: every component covgap can measure).
    Each runs in parallel (bounded by cores) with the tool its ecosystem uses:
    coverage.py, an instrumented Rust build (or cargo llvm-cov), SimpleCov, c8,
    go test, JaCoCo. Reports, logs and profiles go under .covgap/runs/<id>/, each
    report labelled with its suite; Rust libraries loaded by other languages' tests
    ([components.NAME.run] ffi) are reported under the calling suite (python-ffi).

    Exit status: 1 when tests failed (unless --allow-test-failures) or the --then
    command failed its gates; 2 when a component produced no report.
    """
    workspace, config = load_repo(repo, config_path)
    plan = plan_run(workspace, components)
    if not plan.jobs:
        left = [*plan.unmeasurable, *plan.skipped]
        why = "; ".join(f"{s.component}: {s.why}" for s in left) or "no components"
        raise InputError(f"nothing to measure in {workspace.root} ({why})")
    names = [j.component for j in plan.jobs]
    live = sys.stderr.isatty()
    started = time.monotonic()
    with _live_display(names, live) as event:
        outcome = execute(plan, workers=jobs, on_event=event)
    _summarize(outcome)
    click.echo(
        f"covgap run: {len(outcome.reports)} report(s) in {plan.run_dir} "
        f"({time.monotonic() - started:.1f} s)",
        err=True,
    )
    if not outcome.reports:
        raise InputError("no component produced a coverage report; see the lines above")
    status = 0
    unreadable = False
    if then is not None:
        status = _then(then, outcome, repo, config_path)
    else:
        specs = [InputSpec(path, suite) for path, suite in outcome.reports]
        # A tool can write a report that says nothing (c8's `{}` when the tests never
        # started: a valid Istanbul report of no files): it is listed as skipped, with
        # the reason, and the run is incomplete (exit 2), rather than failing the
        # components that did measure.
        loaded = load(specs, workspace, config, skip_invalid=True, skip_empty=True)
        unreadable = bool(loaded.skipped)
        missing = [
            f"covgap run: {res.component}: no {out.suite} report: {why}"
            for res in outcome.results
            for out, why in res.missing
        ]
        missing += [f"covgap run: {s.component}: not measured: {s.why}" for s in plan.unmeasurable]
        if missing:  # never present a partial run as complete
            loaded.coverage.notes = (*loaded.coverage.notes, *missing)
        echo_load_notes(loaded)
        from covgap.cli.report_cmd import render_report

        color = fmt == "terminal" and output is None and sys.stdout.isatty()
        write_output(output, render_report(loaded, fmt, detail=detail, color=color))
    if outcome.incomplete or unreadable:
        sys.exit(2)
    if outcome.tests_failed and not allow_test_failures:
        click.echo("covgap run: tests failed (--allow-test-failures to exit 0)", err=True)
        sys.exit(1)
    if status:
        sys.exit(status)


def _then(command: str, outcome: RunOutcome, repo: Path, config_path: Path | None) -> int:
    """Run ``covgap COMMAND SUITE=REPORT…`` in this process; return its exit status."""
    from covgap.cli import COMMANDS

    if command not in COMMANDS:
        raise InputError(f"--then {command}: this covgap has no `{command}` command")
    args = [f"{suite}={path}" for path, suite in outcome.reports]
    args += ["--repo", str(repo)]
    if command in ("check", "gaps"):
        args.append("--skip-invalid")  # as for the printed report: listed, not fatal
    if config_path is not None:
        args += ["--config", str(config_path)]
    try:
        result = main.main([command, *args], prog_name="covgap", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except SystemExit as exc:
        return int(exc.code or 0)
    return result if isinstance(result, int) else 0
