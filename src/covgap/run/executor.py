"""Run jobs in parallel, bounded by cores, each with its own log; report what happened.

Jobs run on a thread pool of ``jobs`` workers (default: the machine's cores); each
job's steps run in order in its own subprocesses, with their output appended to
``<run>/<component>/run.log`` (the command line, then what it printed). The caller
gets events (``on_event(component, state, detail)``) to draw a live display; this
module prints nothing.

A failing *test* step (``Step.tests``) is recorded and the job goes on, so failing
tests still yield coverage; any other failing step stops the job with the reason.
At the end each expected report is checked: a report that is absent is listed with
why (the failing step, or what its absence means).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from covgap.run.base import Job, ReportOut, RunError, Step, StepContext

Event = Callable[[str, str, str], None]
"""``(component, state, detail)``: state is ``queued``, a step title, or ``done``."""

STEP_TIMEOUT = 3600.0
"""Seconds any one step may take before it is stopped (a hung test run)."""


@dataclass
class JobResult:
    """What one component's job did."""

    component: str
    runner: str
    log: Path
    reports: list[ReportOut] = field(default_factory=list)
    """The reports that exist at the end, with their suites."""
    missing: list[tuple[ReportOut, str]] = field(default_factory=list)
    """Expected reports that were not written, and why."""
    tests_failed: list[str] = field(default_factory=list)
    """Test steps that exited non-zero (``"test (exit 1)"``)."""
    error: str | None = None
    """Why the job stopped early (a build failed, a tool was missing)."""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.missing and not self.tests_failed


def _argv(step: Step) -> list[str]:
    argv = step.argv() if callable(step.argv) else step.argv
    return [str(a) for a in argv or ()]


def _run_command(
    argv: Sequence[str],
    *,
    cwd: Path | None,
    env: Mapping[str, str],
    log: IO[str],
    stdout_to: Path | None = None,
) -> int:
    log.write(f"$ {' '.join(argv)}\n")
    if cwd is not None:
        log.write(f"  (in {cwd})\n")
    log.flush()
    full_env = {**os.environ, **env}
    try:
        with contextlib.ExitStack() as stack:
            # output to the log; with stdout_to, stdout to that file and only stderr logged
            stdout: IO[Any] = log
            stderr: IO[Any] | int = subprocess.STDOUT
            if stdout_to is not None:
                stdout_to.parent.mkdir(parents=True, exist_ok=True)
                stdout = stack.enter_context(stdout_to.open("wb"))
                stderr = log
            proc = subprocess.run(
                list(argv),
                check=False,
                cwd=cwd,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                timeout=STEP_TIMEOUT,
            )
    except FileNotFoundError:
        log.write(f"covgap: {argv[0]}: no such program\n")
        return 127
    except subprocess.TimeoutExpired:
        log.write(f"covgap: stopped after {STEP_TIMEOUT:.0f} s\n")
        return 124
    finally:
        log.flush()
    log.write(f"[exit {proc.returncode}]\n\n")
    log.flush()
    return proc.returncode


def run_job(job: Job, on_event: Event | None = None) -> JobResult:
    """Run one job's steps in order, then check its reports."""
    job.out_dir.mkdir(parents=True, exist_ok=True)
    log_path = job.out_dir / "run.log"
    result = JobResult(job.component, job.runner, log_path, notes=list(job.notes))
    started = time.monotonic()
    with log_path.open("a", encoding="utf-8", errors="replace") as log:

        def say(text: str) -> None:
            log.write(text.rstrip("\n") + "\n")
            log.flush()

        def run(
            argv: Sequence[str],
            *,
            cwd: Path | None = None,
            env: Mapping[str, str] | None = None,
            stdout_to: Path | None = None,
        ) -> int:
            return _run_command(argv, cwd=cwd, env=env or {}, log=log, stdout_to=stdout_to)

        for step in job.steps:
            if on_event is not None:
                on_event(job.component, step.title, "")
            say(f"== {step.title}")
            if step.action is not None:
                try:
                    step.action(StepContext(job, say, run))
                except RunError as exc:
                    say(f"covgap: {exc}")
                    result.error = f"{step.title}: {exc}"
                    break
                continue
            status = _run_command(
                _argv(step), cwd=step.cwd, env=step.env, log=log, stdout_to=step.stdout_to
            )
            if status == 0:
                continue
            if step.tests:
                result.tests_failed.append(f"{step.title} (exit {status})")
                continue
            result.error = f"{step.title} failed (exit {status}); see {log_path}"
            break
    for out in job.reports:
        if out.glob is not None:
            found = sorted(p for p in out.path.glob(out.glob) if p.is_file() and p.stat().st_size)
            result.reports.extend(ReportOut(p, out.suite) for p in found)
            if found:
                continue
        elif out.path.is_file() and out.path.stat().st_size > 0:
            result.reports.append(out)
            continue
        why = result.error or out.why_missing or "the command wrote nothing there"
        result.missing.append((out, why))
    result.seconds = time.monotonic() - started
    if on_event is not None:
        on_event(job.component, "done", "ok" if result.ok else "failed")
    return result


def run_jobs(
    jobs: Sequence[Job], *, workers: int, on_event: Event | None = None
) -> list[JobResult]:
    """Run ``jobs`` on ``workers`` threads; results come back in the jobs' order."""
    if on_event is not None:
        for job in jobs:
            on_event(job.component, "queued", "")
    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        futures = [pool.submit(run_job, job, on_event) for job in jobs]
        return [f.result() for f in futures]


__all__ = ["STEP_TIMEOUT", "Event", "JobResult", "run_job", "run_jobs"]
