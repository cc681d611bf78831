"""What every runner shares: the job a runner plans, its steps, and finding tools.

A runner turns one component into a :class:`Job`: an ordered list of :class:`Step`\\ s
(commands, or small Python actions such as "find the test executables cargo built")
and the reports the job is expected to leave behind, each labelled with its suite.
The executor (:mod:`covgap.run.executor`) runs jobs; the ordinary readers
(:mod:`covgap.formats`) read what they wrote. Runners never read coverage themselves:
running and reading stay separate, so ``covgap run`` cannot report numbers
``covgap report`` would not.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from covgap.errors import CovgapError
from covgap.workspace import Component, Workspace


class RunError(CovgapError):
    """A component cannot be measured as configured (exit 2, one line)."""


class ToolMissing(RunError):
    """A tool a runner needs is not installed; the message names what provides it."""

    def __init__(self, tool: str, provider: str) -> None:
        super().__init__(f"{tool} not found on PATH; it is provided by {provider}")
        self.tool = tool
        self.provider = provider


PROVIDERS: dict[str, str] = {
    "cargo": "rustup (https://rustup.rs) or the Debian package cargo",
    "llvm-profdata": (
        "`rustup component add llvm-tools-preview`, or the Debian package llvm-19 "
        "(llvm-profdata-19)"
    ),
    "llvm-cov": (
        "`rustup component add llvm-tools-preview`, or the Debian package llvm-19 (llvm-cov-19)"
    ),
    "coverage": "pip install coverage (coverage.py, in the Python the tests run with)",
    "ruby": "the Debian package ruby",
    "simplecov": "the Debian package ruby-simplecov, or `gem install simplecov`",
    "rspec": "the Debian package ruby-rspec, or `gem install rspec`",
    "bundle": "the Debian package ruby-bundler, or `gem install bundler`",
    "node": "the Debian package nodejs (node 20 or newer)",
    "npm": "the Debian package npm",
    "c8": "npm install --save-dev c8 (in the package or the repository root)",
    "bun": "https://bun.sh",
    "go": "the Debian package golang-go",
    "java": "the Debian package default-jdk",
    "javac": "the Debian package default-jdk",
    "mvn": "the Debian package maven",
    "gradle": "the Debian package gradle, or the project's ./gradlew",
    "sh": "a POSIX shell",
}
"""The package that provides each tool a runner may need, for the "not found" message."""


def which(tool: str, *, extra_dirs: Sequence[Path] = ()) -> str | None:
    """``tool`` in ``extra_dirs`` (a project's ``node_modules/.bin``…), else on PATH."""
    for d in extra_dirs:
        candidate = d / tool
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(tool)


def need(tool: str, *, extra_dirs: Sequence[Path] = ()) -> str:
    """The path of ``tool``, or :class:`ToolMissing` naming its package."""
    found = which(tool, extra_dirs=extra_dirs)
    if found is None:
        raise ToolMissing(tool, PROVIDERS.get(tool, "its package"))
    return found


_VERSIONED = re.compile(r"-(\d+)$")


def need_llvm(tool: str, env: Mapping[str, str], sysroot: Path | None = None) -> str:
    """``llvm-profdata`` or ``llvm-cov``: the one that reads what rustc writes.

    Order: ``$LLVM_PROFDATA``/``$LLVM_COV`` (cargo-llvm-cov's variables); rustup's
    ``llvm-tools`` in rustc's sysroot; the highest versioned ``tool-NN`` on PATH;
    plain ``tool``. A newer LLVM reads older profiles but an old one refuses a newer
    rustc's ("unsupported instrumentation profile format version"), so the newest wins
    over the unversioned name, which is often an old default (Debian's llvm-14).
    """
    override = env.get(tool.upper().replace("-", "_"))
    if override:
        return override
    if sysroot is not None:
        for candidate in sorted(sysroot.glob(f"lib/rustlib/*/bin/{tool}")):
            return str(candidate)
    best: tuple[int, str] | None = None
    for d in os.environ.get("PATH", "").split(os.pathsep):
        try:
            names = os.listdir(d or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith(tool + "-"):
                m = _VERSIONED.search(name)
                if m and name == f"{tool}-{m.group(1)}":
                    version = int(m.group(1))
                    if best is None or version > best[0]:
                        best = (version, os.path.join(d, name))
    if best is not None:
        return best[1]
    return need(tool)


# -- jobs -------------------------------------------------------------------------------


class StepFailed(RunError):
    """A step could not do its work; the message says why (shown for the component)."""


@dataclass
class StepContext:
    """What a Python action step may use: the job, its log, and a way to run commands.

    ``run(argv, cwd=..., env=..., stdout_to=...)`` runs a command like a command step
    does (output to the component's log) and returns its exit status.
    """

    job: Job
    log: Callable[[str], None]
    run: Callable[..., int]


@dataclass
class Step:
    """One thing a job does, in order: a command (``argv``) or a Python ``action``.

    ``tests=True`` marks the step that runs the tests: its failure is a *test* failure
    (the job goes on and its coverage is still collected); any other step's failure
    stops the job. ``stdout_to`` captures the command's standard output into a file
    (``llvm-cov export`` writes its report there). ``argv`` may be a callable, for
    commands that depend on an earlier step (the objects ``llvm-cov`` exports).
    """

    title: str
    argv: Sequence[str] | Callable[[], Sequence[str]] | None = None
    cwd: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    tests: bool = False
    stdout_to: Path | None = None
    action: Callable[[StepContext], None] | None = None


@dataclass(frozen=True)
class ReportOut:
    """A report a job is expected to write, and the suite (covgap flag) it measures."""

    path: Path
    suite: str
    why_missing: str = ""
    """What it means when the report is absent (e.g. the FFI library was never loaded)."""
    glob: str | None = None
    """When set, ``path`` is a folder and every file in it matching ``glob`` is a report
    of this suite (one llvm-cov export per object: see ``cargo``)."""


@dataclass
class Job:
    """One component's measurement: steps to run, reports expected."""

    component: str
    runner: str
    directory: Path
    out_dir: Path
    steps: list[Step] = field(default_factory=list)
    reports: list[ReportOut] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    """Scratch space for steps (the objects a build step found, for the export step)."""


@dataclass
class RunSettings:
    """``[components.NAME.run]``, validated by the config schema (docs/run.md)."""

    runner: str | None = None
    command: Sequence[str] | str | None = None
    env: dict[str, str] = field(default_factory=dict)
    suite: str | None = None
    report: str | None = None
    ffi: tuple[str, ...] = ()
    e2e: dict[str, Any] | None = None

    @classmethod
    def from_table(cls, table: Mapping[str, Any] | None) -> RunSettings:
        t = dict(table or {})
        return cls(
            runner=t.get("runner"),
            command=t.get("command"),
            env=dict(t.get("env", {})),
            suite=t.get("suite"),
            report=t.get("report"),
            ffi=tuple(t.get("ffi", ())),
            e2e=t.get("e2e"),
        )


def command_argv(command: Sequence[str] | str) -> list[str]:
    """A configured command: a list is argv as is; a string is split as a shell would."""
    if isinstance(command, str):
        return shlex.split(command)
    return list(command)


@dataclass
class PlanContext:
    """What a runner sees when it plans a component's job."""

    workspace: Workspace
    component: Component
    directory: Path
    settings: RunSettings
    out_dir: Path
    env: dict[str, str]
    """The environment the tests run with: covgap's own, plus ``run.env``."""
    rust_libs: dict[str, Any] = field(default_factory=dict)
    """For ``ffi``: each named Rust component's planning context (see cargo.ffi_suite)."""


@dataclass(frozen=True)
class Runner:
    """One ecosystem: which components it measures and how (one module per runner)."""

    name: str
    suite: str
    """The default suite label of its own tests (``[components.NAME.run] suite``)."""
    origins: tuple[str, ...]
    """Component origins (workspace manifest kinds) it measures."""
    languages: tuple[str, ...]
    """Languages of declared components it measures."""
    applies: Callable[[Path], str | None]
    """``None`` when the directory has tests this runner can run, else why not."""
    plan: Callable[[PlanContext], Job]


def component_directory(root: Path, component: Component) -> Path:
    """The directory a component lives in: its first path glob's fixed prefix."""
    glob = component.paths[0].replace("\\", "/").removeprefix("./")
    fixed: list[str] = []
    for part in glob.split("/"):
        if not part or any(ch in part for ch in "*?["):
            break
        fixed.append(part)
    return root.joinpath(*fixed) if fixed else root


def safe_name(name: str) -> str:
    """A component name as a directory name (``a (b/c)`` → ``a_b_c``)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")
    return cleaned or "component"
