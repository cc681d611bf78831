"""Rust: ``cargo llvm-cov`` when installed, else covgap's own instrumented run.

The built-in path is what the rustc book's "Instrumentation-based Code Coverage"
chapter and cargo-llvm-cov do by hand:

1. build with ``RUSTFLAGS=-C instrument-coverage`` and one ``LLVM_PROFILE_FILE``
   pattern per process (``%p`` the process id, ``%m`` the binary's signature), into
   a fresh folder of the run, so no stale profile is ever merged;
2. find the objects to export from cargo's own JSON messages: the test executables
   (``cargo test --no-run --message-format=json``), or, for an e2e or FFI suite, the
   binaries or the ``cdylib`` built at the usual target path;
3. run the tests (``cargo test -p NAME``), then ``llvm-profdata merge -sparse`` the
   profiles and ``llvm-cov export -format=text`` each object (one export per object;
   :func:`_merge_and_export` says why), leaving out the standard library and
   registry sources (``-ignore-filename-regex``, as cargo-llvm-cov does). Each export
   is an ordinary llvm-cov JSON report; covgap merges them like any others.

``llvm-profdata``/``llvm-cov`` must read what this rustc writes: rustup's
``llvm-tools`` first, else the newest versioned LLVM on PATH (see :func:`need_llvm`).

The same building blocks make the two suites whose coverage is Rust code run by
something else (:func:`instrumented_suite`): an **e2e** suite (``run.e2e``: binaries
built instrumented and a command exercising them) and an **FFI** suite (a Python or
Ruby component's ``run.ffi``: the ``cdylib`` its tests load, reported under the
calling suite, e.g. ``python-ffi``).
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from collections.abc import Sequence
from pathlib import Path

from covgap.run.base import (
    Job,
    PlanContext,
    ReportOut,
    RunError,
    Runner,
    Step,
    StepContext,
    StepFailed,
    command_argv,
    need,
    need_llvm,
    which,
)

SUITE = "rust"

IGNORE_FILENAME_REGEX = r"(^|/)(rustc/[0-9a-f]+|\.cargo/(registry|git))/"
"""Sources ``llvm-cov export`` leaves out: the standard library and dependencies."""

_LIB_SUFFIXES = (".so", ".dylib", ".dll")


def applies(directory: Path) -> str | None:
    return None if (directory / "Cargo.toml").is_file() else "no Cargo.toml"


def package_name(directory: Path) -> str:
    """``[package] name`` of the crate in ``directory``."""
    manifest = directory / "Cargo.toml"
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RunError(f"{manifest}: cannot read the crate's manifest: {exc}") from None
    package = data.get("package")
    name = package.get("name") if isinstance(package, dict) else None
    if not isinstance(name, str):
        raise RunError(f"{manifest}: no [package] name (a virtual workspace manifest?)")
    return name


_SYSROOTS: dict[tuple[str, int, str, str, str], Path | None] = {}
"""``rustc --print sysroot`` answers of this process, by rustc (path and mtime), the
directory asked from (rustup reads ``rust-toolchain.toml`` there) and the variables
that pick a toolchain. A run plans the crate and each FFI suite over the same crate:
one probe instead of one per suite."""


def _sysroot(env: dict[str, str], cwd: Path | None = None) -> Path | None:
    rustc = which("rustc")
    if rustc is None:
        return None
    try:
        mtime = os.stat(rustc).st_mtime_ns
    except OSError:
        mtime = 0
    key = (rustc, mtime, str(cwd or ""), env.get("RUSTUP_TOOLCHAIN", ""), env.get("RUSTC", ""))
    if key in _SYSROOTS:
        return _SYSROOTS[key]
    try:
        out = subprocess.run(
            [rustc, "--print", "sysroot"],
            check=False,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
    _SYSROOTS[key] = found
    return found


def instrumented_env(env: dict[str, str], profiles: Path) -> dict[str, str]:
    """``env`` plus what an instrumented build and run need (profiles under ``profiles``)."""
    out = dict(env)
    flags = out.get("RUSTFLAGS", "").strip()
    if "instrument-coverage" not in flags:
        out["RUSTFLAGS"] = (flags + " -C instrument-coverage").strip()
    out["LLVM_PROFILE_FILE"] = str(profiles / "%p-%m.profraw")
    out.setdefault("CARGO_TERM_COLOR", "never")
    return out


def artifacts(
    messages: Path, *, tests: bool = False, cdylib: bool = False, binaries: Sequence[str] = ()
) -> list[str]:
    """Objects from ``cargo … --message-format=json`` output: test executables, the
    ``cdylib`` files, or the named binaries, in the order cargo reported them."""
    found: list[str] = []
    try:
        text = messages.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return found
    for raw in text.splitlines():
        if not raw.startswith("{"):
            continue
        try:
            msg = json.loads(raw)
        except ValueError:
            continue
        if msg.get("reason") != "compiler-artifact":
            continue
        target = msg.get("target") or {}
        executable = msg.get("executable")
        if tests and (msg.get("profile") or {}).get("test") and executable:
            found.append(executable)
        if cdylib and "cdylib" in (target.get("crate_types") or []):
            found.extend(f for f in msg.get("filenames") or [] if f.endswith(_LIB_SUFFIXES))
        is_bin = "bin" in (target.get("kind") or [])
        if binaries and is_bin and target.get("name") in binaries and executable:
            found.append(executable)
    return list(dict.fromkeys(found))


def _merge_and_export(
    ctx: StepContext, profiles: Path, objects: list[str], reports: Path, tools: dict[str, str]
) -> None:
    """``llvm-profdata merge`` the profiles, then ``llvm-cov export`` each object into
    the folder ``reports`` (``1-<object>.json``, ``2-…``).

    One export per object, not one export of all objects: llvm-cov keys functions by
    name, and a ``#[no_mangle]`` function (every FFI entry point) has the same name in
    the library's test binary and in any binary linking the library, with different
    hashes; given both, llvm-cov keeps the record of whichever object came first and
    drops the other ("hash mismatch"), so a function the tests ran could be reported
    unrun depending on the objects' order. Exported apart, the reports are merged by
    covgap like any others: hits summed per line, the true union.
    """
    raws = sorted(str(p) for p in profiles.glob("*.profraw"))
    if not raws:
        raise StepFailed(
            f"no profiles were written under {profiles}: the instrumented code never ran"
        )
    if not objects:
        raise StepFailed("cargo reported no objects to export")
    profdata = profiles.with_suffix(".profdata")
    status = ctx.run([tools["llvm-profdata"], "merge", "-sparse", *raws, "-o", str(profdata)])
    if status != 0:
        raise StepFailed(f"llvm-profdata merge failed (exit {status}); see the log")
    reports.mkdir(parents=True, exist_ok=True)
    for n, obj in enumerate(objects, 1):
        argv = [
            tools["llvm-cov"],
            "export",
            "-format=text",
            f"-instr-profile={profdata}",
            f"-ignore-filename-regex={IGNORE_FILENAME_REGEX}",
            obj,
        ]
        status = ctx.run(argv, stdout_to=reports / f"{n}-{Path(obj).name}.json")
        if status != 0:
            raise StepFailed(f"llvm-cov export of {obj} failed (exit {status}); see the log")


def llvm_tools(env: dict[str, str], cwd: Path | None = None) -> dict[str, str]:
    """``llvm-profdata`` and ``llvm-cov`` for the toolchain that builds in ``cwd``."""
    sysroot = _sysroot(env, cwd)
    return {t: need_llvm(t, env, sysroot) for t in ("llvm-profdata", "llvm-cov")}


def instrumented_suite(
    *,
    rust_dir: Path,
    packages: Sequence[str],
    kind: str,
    names: Sequence[str],
    out_dir: Path,
    suite: str,
    env: dict[str, str],
) -> tuple[list[Step], dict[str, str], list[Step], ReportOut]:
    """Steps around *someone else's* run of instrumented Rust code (e2e, FFI).

    Returns the build steps (before), the environment the exercising command runs
    with (profiles go to this suite's own folder), the export steps (after), and the
    report. ``kind`` is ``"cdylib"`` (the library built at its usual target path,
    which the calling tests load) or ``"bin"`` (the named binaries).
    """
    cargo = need("cargo")
    tools = llvm_tools(env, rust_dir)
    profiles = out_dir / f"profiles-{suite}"
    profiles.mkdir(parents=True, exist_ok=True)
    run_env = instrumented_env(env, profiles)
    messages = out_dir / f"cargo-build-{suite}.jsonl"
    what = ["--lib"] if kind == "cdylib" else [a for n in names for a in ("--bin", n)]
    chosen = [a for p in packages for a in ("-p", p)]
    build = Step(
        f"build {', '.join(packages)} instrumented",
        [cargo, "build", *chosen, *what, "--message-format=json-render-diagnostics"],
        cwd=rust_dir,
        env=run_env,
        stdout_to=messages,
    )
    report = out_dir / f"{suite}.llvm-cov"

    def export(ctx: StepContext) -> None:
        objects = artifacts(messages, cdylib=kind == "cdylib", binaries=names)
        _merge_and_export(ctx, profiles, objects, report, tools)

    why = (
        f"the tests never loaded the library of {', '.join(packages)}"
        if kind == "cdylib"
        else f"the e2e command never ran {', '.join(names)}"
    )
    return (
        [build],
        {"LLVM_PROFILE_FILE": run_env["LLVM_PROFILE_FILE"]},
        [Step(f"export {suite}", action=export)],
        ReportOut(report, suite, why, glob="*.json"),
    )


def plan(ctx: PlanContext) -> Job:
    settings = ctx.settings
    suite = settings.suite or SUITE
    package = package_name(ctx.directory)
    job = Job(ctx.component.name, "cargo", ctx.directory, ctx.out_dir)
    if settings.report:  # the user's command writes its own report
        job.steps.append(
            Step("test", command_argv(settings.command or []), ctx.directory, ctx.env, tests=True)
        )
        job.reports.append(ReportOut(ctx.directory / settings.report, suite))
        return job
    cargo = need("cargo")
    llvm_cov_plugin = which("cargo-llvm-cov")
    if llvm_cov_plugin is not None and settings.command is None:
        report = ctx.out_dir / f"{suite}.llvm-cov.json"
        sub = ["nextest"] if which("cargo-nextest") else []
        job.notes.append("measured with cargo llvm-cov" + (" nextest" if sub else ""))
        job.steps.append(
            Step(
                "cargo llvm-cov",
                [cargo, "llvm-cov", *sub, "-p", package, "--json", "--output-path", str(report)],
                ctx.directory,
                ctx.env,
                tests=True,
            )
        )
        job.reports.append(ReportOut(report, suite))
    else:
        tools = llvm_tools(ctx.env, ctx.directory)
        profiles = ctx.out_dir / f"profiles-{suite}"
        profiles.mkdir(parents=True, exist_ok=True)
        env = instrumented_env(ctx.env, profiles)
        messages = ctx.out_dir / "cargo-test-build.jsonl"
        report = ctx.out_dir / f"{suite}.llvm-cov"
        job.steps.append(
            Step(
                "build tests instrumented",
                [
                    cargo,
                    "test",
                    "-p",
                    package,
                    "--no-run",
                    "--message-format=json-render-diagnostics",
                ],
                ctx.directory,
                env,
                stdout_to=messages,
            )
        )
        test_argv = (
            command_argv(settings.command) if settings.command else [cargo, "test", "-p", package]
        )
        job.steps.append(Step("test", test_argv, ctx.directory, env, tests=True))

        def export(step: StepContext) -> None:
            _merge_and_export(step, profiles, artifacts(messages, tests=True), report, tools)

        job.steps.append(Step(f"export {suite}", action=export))
        job.reports.append(ReportOut(report, suite, "the tests wrote no profiles", glob="*.json"))
    if settings.e2e:
        e2e = settings.e2e
        names = list(e2e.get("binaries", []))
        if not names or "command" not in e2e:
            raise RunError(
                f"[components.{ctx.component.name}.run.e2e] needs `binaries` and `command`"
            )
        e2e_env = {**ctx.env, **e2e.get("env", {})}
        before, profile_env, after, out = instrumented_suite(
            rust_dir=ctx.directory,
            packages=[package],
            kind="bin",
            names=names,
            out_dir=ctx.out_dir,
            suite=e2e.get("suite", "e2e"),
            env=e2e_env,
        )
        job.steps.extend(before)
        job.steps.append(
            Step(
                "e2e",
                command_argv(e2e["command"]),
                ctx.workspace.root,
                {**before[0].env, **e2e_env, **profile_env},
                tests=True,
            )
        )
        job.steps.extend(after)
        job.reports.append(out)
    return job


RUNNER = Runner(
    name="cargo",
    suite=SUITE,
    origins=("cargo",),
    languages=("rust",),
    applies=applies,
    plan=plan,
)

__all__ = ["IGNORE_FILENAME_REGEX", "RUNNER", "artifacts", "instrumented_suite", "package_name"]
__all__ += ["instrumented_env", "llvm_tools"]
