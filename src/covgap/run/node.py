"""JavaScript/TypeScript: c8 around the package's test script; bun, Vitest, Jest.

* ``bun --coverage`` when the package uses bun (a ``bun.lock``/``bun.lockb``);
* Vitest or Jest when the ``test`` script runs them, with their own coverage options
  (V8 provider, Istanbul JSON into the run);
* otherwise c8 around ``npm test`` (node's own test runner, Mocha, anything on node):
  ``c8 --reporter=json --report-dir RUN --temp-directory RUN/v8 npm test``. c8 is
  looked up in the package's and the repository's ``node_modules/.bin``, then PATH.

The default measures a package whose ``test`` script runs node (``node --test`` and
friends); a package with no ``test`` script is left out, saying so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from covgap.run.base import Job, PlanContext, ReportOut, Runner, Step, command_argv, need

SUITE = "node"


def _test_script(directory: Path) -> str | None:
    try:
        data: Any = json.loads((directory / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    scripts = data.get("scripts") if isinstance(data, dict) else None
    script = scripts.get("test") if isinstance(scripts, dict) else None
    return script if isinstance(script, str) else None


def applies(directory: Path) -> str | None:
    script = _test_script(directory)
    if script is None:
        return "package.json has no test script"
    if "no test specified" in script:
        return "package.json's test script is npm's placeholder"
    return None


def plan(ctx: PlanContext) -> Job:
    suite = ctx.settings.suite or SUITE
    job = Job(ctx.component.name, "node", ctx.directory, ctx.out_dir)
    if ctx.settings.report:
        argv = command_argv(ctx.settings.command or [])
        job.steps.append(Step("test", argv, ctx.directory, ctx.env, tests=True))
        job.reports.append(ReportOut(ctx.directory / ctx.settings.report, suite))
        return job
    bins = [ctx.directory / "node_modules" / ".bin", ctx.workspace.root / "node_modules" / ".bin"]
    script = _test_script(ctx.directory) or ""
    report = ctx.out_dir / "coverage-final.json"
    uses_bun = any((ctx.directory / n).exists() for n in ("bun.lock", "bun.lockb"))
    if ctx.settings.command is None and uses_bun:
        argv = [
            need("bun"),
            "test",
            "--coverage",
            "--coverage-reporter=lcov",
            f"--coverage-dir={ctx.out_dir}",
        ]
        report = ctx.out_dir / "lcov.info"
    elif ctx.settings.command is None and "vitest" in script:
        argv = [
            need("npx"),
            "vitest",
            "run",
            "--coverage.enabled",
            "--coverage.provider=v8",
            "--coverage.reporter=json",
            f"--coverage.reportsDirectory={ctx.out_dir}",
        ]
    elif ctx.settings.command is None and "jest" in script:
        argv = [
            need("npx"),
            "jest",
            "--coverage",
            "--coverageReporters=json",
            f"--coverageDirectory={ctx.out_dir}",
        ]
    else:
        inner = (
            command_argv(ctx.settings.command) if ctx.settings.command else [need("npm"), "test"]
        )
        argv = [
            need("c8", extra_dirs=bins),
            "--reporter=json",
            f"--report-dir={ctx.out_dir}",
            f"--temp-directory={ctx.out_dir / 'v8'}",
            *inner,
        ]
    job.steps.append(Step("test", argv, ctx.directory, ctx.env, tests=True))
    job.reports.append(ReportOut(report, suite, "the coverage tool wrote no report"))
    return job


RUNNER = Runner(
    name="node",
    suite=SUITE,
    origins=("npm",),
    languages=("javascript", "typescript"),
    applies=applies,
    plan=plan,
)

__all__ = ["RUNNER"]
