"""Python: coverage.py with branch coverage, parallel mode, combine, and per-test contexts.

What runs, in the component's directory (the one holding ``pyproject.toml``)::

    python -m coverage run --rcfile=RUN/.coveragerc -m pytest     # or unittest

then, when the tests ran with covgap's own interpreter (and so its coverage.py),
``coverage combine`` is done in covgap's process with coverage.py's API and the run's
report is the combined data file ``RUN/.coverage``, which covgap's reader analyses
(:mod:`covgap.formats.coveragepy_data`: coverage.py's own analysis, contexts
included) — two Python start-ups fewer than::

    python -m coverage combine --rcfile=RUN/.coveragerc
    python -m coverage json --rcfile=RUN/.coveragerc --show-contexts -o RUN/python.coverage.json

which is what runs with any other interpreter (a project's virtualenv, whose
coverage.py may differ from covgap's; the JSON is written from the repository root, so
its paths are repository paths).

The rcfile is written into the run's folder, never into the project: it is the
project's own coverage.py configuration (``.coveragerc``, ``[tool.coverage]`` in
``pyproject.toml``, or ``[coverage:*]`` in ``setup.cfg``/``tox.ini``), with relative
paths made absolute against the component, plus ``branch``, ``parallel`` (one data
file per process, then combine), ``data_file`` inside the run, and
``dynamic_context = test_function`` so each line records which test ran it. It is
named ``.coveragerc`` so the data file's reader finds it beside the data: the
project's exclusions apply to the analysis as they do to ``coverage json``.

The interpreter: ``$VIRTUAL_ENV``'s, else a ``.venv`` in the component or the
repository, else the one covgap runs in (coverage.py is one of covgap's dependencies).
pytest when that interpreter has it, else ``unittest discover``.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from covgap.run.base import (
    Job,
    PlanContext,
    ReportOut,
    RunError,
    Runner,
    Step,
    StepContext,
    StepFailed,
    ToolMissing,
    command_argv,
)

SUITE = "python"

_PATH_KEYS = {("run", "source"), ("run", "omit"), ("run", "include"), ("report", "omit")}
_PATH_KEYS |= {("report", "include")}
_DROP = {("report", "fail_under"), ("run", "command_line")}
"""Project settings a measured run must not inherit: covgap gates, and runs its own command."""


def applies(directory: Path) -> str | None:
    if not (directory / "pyproject.toml").is_file():
        return "no pyproject.toml"
    if not (directory / "tests").is_dir() and not (directory / "test").is_dir():
        return "no tests/ folder"
    return None


def interpreter(directory: Path, root: Path, env: dict[str, str]) -> str:
    """The Python the component's tests run with (see the module docstring)."""
    candidates = []
    if env.get("VIRTUAL_ENV"):
        candidates.append(Path(env["VIRTUAL_ENV"]) / "bin" / "python")
    candidates += [directory / ".venv" / "bin" / "python", root / ".venv" / "bin" / "python"]
    for c in candidates:
        if c.is_file():
            return str(c)
    return sys.executable


def _probe(python: str, env: dict[str, str]) -> tuple[bool, tuple[int, ...]]:
    """Check coverage.py is importable there; return whether pytest is, and
    coverage.py's version. covgap's own interpreter is asked in process (no extra
    Python start-up: it counts in ``covgap run``'s overhead)."""
    if python == sys.executable:
        import importlib.util

        import coverage

        return importlib.util.find_spec("pytest") is not None, coverage.version_info[:2]
    code = (
        "import importlib.util as u, sys\n"
        "if u.find_spec('coverage') is None: sys.exit(3)\n"
        "import coverage\n"
        "print(u.find_spec('pytest') is not None, *coverage.version_info[:2])"
    )
    try:
        proc = subprocess.run(
            [python, "-c", code], check=False, env=env, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RunError(f"cannot run {python}: {exc}") from None
    if proc.returncode == 3:
        raise ToolMissing("coverage", f"pip install coverage (into {python})")
    words = proc.stdout.split()
    if proc.returncode != 0 or len(words) != 3:
        raise RunError(f"cannot run {python}: {proc.stderr.strip() or proc.stdout.strip()}")
    return words[0] == "True", (int(words[1]), int(words[2]))


def project_coverage_config(directory: Path) -> dict[str, dict[str, Any]]:
    """The component's own coverage.py settings, by section (``run``, ``report``…)."""
    rc = directory / ".coveragerc"
    if rc.is_file():
        return _ini_sections(rc, "")
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise RunError(f"{pyproject}: {exc}") from None
        tool = data.get("tool", {}).get("coverage")
        if isinstance(tool, dict):
            return {k: v for k, v in tool.items() if isinstance(v, dict)}
    for name in ("setup.cfg", "tox.ini"):
        path = directory / name
        if path.is_file():
            found = _ini_sections(path, "coverage:")
            if found:
                return found
    return {}


def _ini_sections(path: Path, prefix: str) -> dict[str, dict[str, Any]]:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise RunError(f"{path}: {exc}") from None
    out: dict[str, dict[str, Any]] = {}
    for section in parser.sections():
        if section.startswith(prefix):
            out[section[len(prefix) :]] = dict(parser.items(section))
    return out


def _anchor(value: str, directory: Path) -> str:
    value = value.strip()
    if not value or os.path.isabs(value) or value.startswith("*"):
        return value
    return str(directory / value)


def rcfile_text(directory: Path, data_file: Path, coverage_version: tuple[int, ...] = (0,)) -> str:
    """The run's rcfile: the project's settings plus covgap's (module docstring).

    From coverage.py 7.10, ``patch = subprocess`` also measures the Python processes
    the tests start (a CLI's tests), each into its own parallel data file.
    """
    sections = project_coverage_config(directory)
    run = sections.setdefault("run", {})
    run.update(
        branch=True, parallel=True, dynamic_context="test_function", data_file=str(data_file)
    )
    if coverage_version >= (7, 10):
        patch = run.get("patch", [])
        patch = patch.split() if isinstance(patch, str) else list(patch)
        run["patch"] = sorted({*patch, "subprocess"})
    lines: list[str] = []
    for name, table in sections.items():
        lines.append(f"[{name}]")
        for key, value in table.items():
            if (name, key) in _DROP:
                continue
            items = value if isinstance(value, list) else None
            if items is None and (name, key) in _PATH_KEYS and isinstance(value, str):
                items = [v for v in value.replace(",", "\n").splitlines() if v.strip()]
            if items is not None:
                if (name, key) in _PATH_KEYS:
                    if key == "source":
                        items = [
                            str(directory / v) if (directory / str(v)).exists() else str(v)
                            for v in items
                        ]
                    else:
                        items = [_anchor(str(v), directory) for v in items]
                lines.append(f"{key} =")
                lines.extend(f"    {v}" for v in items)
            elif isinstance(value, bool):
                lines.append(f"{key} = {'True' if value else 'False'}")
            else:
                lines.append(f"{key} = {value}")
        lines.append("")
    return "\n".join(lines)


def coverage_run_args(command: Any, has_pytest: bool, directory: Path) -> list[str]:
    """What follows ``coverage run``: ``-m pytest``, ``-m unittest …``, or the user's."""
    if command is None:
        if has_pytest:
            return ["-m", "pytest"]
        start = "tests" if (directory / "tests").is_dir() else "test"
        return ["-m", "unittest", "discover", "-s", start]
    argv = command_argv(command)
    if argv and Path(argv[0]).name.startswith("python"):
        return argv[1:]
    if argv and argv[0] == "pytest":
        return ["-m", "pytest", *argv[1:]]
    raise RunError(
        "a Python component's run.command must start with `python` or `pytest` "
        f"(covgap runs it under `coverage run`); got {argv!r}"
    )


def plan(ctx: PlanContext) -> Job:
    suite = ctx.settings.suite or SUITE
    job = Job(ctx.component.name, "python", ctx.directory, ctx.out_dir)
    if ctx.settings.report:
        argv = command_argv(ctx.settings.command or [])
        job.steps.append(Step("test", argv, ctx.directory, ctx.env, tests=True))
        job.reports.append(ReportOut(ctx.directory / ctx.settings.report, suite))
        return job
    python = interpreter(ctx.directory, ctx.workspace.root, ctx.env)
    has_pytest, version = _probe(python, ctx.env)
    # Named .coveragerc so that covgap's reader of the data file finds it beside the
    # data (covgap.formats.coveragepy_data): the project's exclusions apply there too.
    rc = ctx.out_dir / ".coveragerc"
    data_file = ctx.out_dir / ".coverage"
    rc.write_text(rcfile_text(ctx.directory, data_file, version), "utf-8")
    cov = [python, "-m", "coverage"]
    args = coverage_run_args(ctx.settings.command, has_pytest, ctx.directory)
    job.steps.append(
        Step("test", [*cov, "run", f"--rcfile={rc}", *args], ctx.directory, ctx.env, tests=True)
    )
    if python == sys.executable:
        # covgap's own coverage.py wrote the data: combine it here, and let covgap's
        # reader analyse the data file, instead of two more Python processes
        # (`coverage combine`, `coverage json --show-contexts`) doing the same work.
        job.steps.append(Step("combine", action=_combiner(rc)))
        job.reports.append(ReportOut(data_file, suite, "coverage.py wrote no data"))
        return job
    # Another interpreter (the project's virtualenv), maybe another coverage.py: its
    # own combine and JSON report, which covgap reads whatever that version is.
    report = ctx.out_dir / f"{suite}.coverage.json"
    job.steps += [
        Step("combine", [*cov, "combine", f"--rcfile={rc}"], ctx.directory, ctx.env),
        Step(
            "json",
            [*cov, "json", f"--rcfile={rc}", "--show-contexts", "-o", str(report)],
            ctx.workspace.root,
            ctx.env,
        ),
    ]
    job.reports.append(ReportOut(report, suite, "coverage.py wrote no data"))
    return job


def _combiner(rc: Path) -> Callable[[StepContext], None]:
    """``coverage combine --rcfile=RC``, done in covgap's process with coverage.py's API.

    One data file per test process (parallel mode) becomes the one data file the
    rcfile names, with the same [paths] remapping ``coverage combine`` applies.
    """

    def combine(ctx: StepContext) -> None:
        import coverage
        from coverage.exceptions import NoDataError

        cov = coverage.Coverage(config_file=str(rc))
        try:
            cov.combine(strict=True)
        except NoDataError as exc:
            raise StepFailed(f"coverage combine: {exc}") from None
        cov.save()
        ctx.log(f"combined into {cov.get_data().data_filename()}")

    return combine


RUNNER = Runner(
    name="python",
    suite=SUITE,
    origins=("pyproject",),
    languages=("python",),
    applies=applies,
    plan=plan,
)

__all__ = ["RUNNER", "coverage_run_args", "interpreter", "project_coverage_config", "rcfile_text"]
