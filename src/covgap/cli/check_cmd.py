"""``covgap check`` (policy gates for CI) and ``covgap diff`` (differential coverage).

Exit status of ``check``: 0 when every rule passes (rules that could not be measured
do not fail), 1 when any rule fails, 2 on bad input, bad config, or a comparison
that was asked for but cannot be trusted (shallow clone, base ref missing or with no
shared history) — covgap explains that and stops instead of printing a misleading
patch number.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from covgap import gitinfo
from covgap.analysis.diffcov import Baseline, classify, load_baseline
from covgap.cli import main
from covgap.cli._common import (
    CoverageInputs,
    F,
    coverage_inputs,
    echo_source_notes,
    format_option,
    render_terminal_text,
    write_atomic,
    write_output,
)
from covgap.cli._history import store_option, stored_baseline
from covgap.errors import ConfigError, GitError, InputError
from covgap.gate import (
    GateInputs,
    GateResult,
    config_key_line,
    config_prefix,
    evaluate,
    ratchet,
    ratchet_targets,
)
from covgap.gitinfo import BaseInfo, Diff
from covgap.pipeline import Loaded
from covgap.report.check_report import (
    check_json,
    check_markdown,
    check_terminal,
    diff_json,
    diff_markdown,
    diff_terminal,
)

FORMATS = ["terminal", "markdown", "json", "sarif", "junit", "github"]


def _is_git_repo(root: Path) -> bool:
    try:
        gitinfo.toplevel(root)
    except GitError:
        return False
    return True


def _resolve_diff(
    root: Path,
    base: str | None,
    *,
    use_merge_base: bool,
    include_uncommitted: bool,
    required: bool,
) -> tuple[Diff | None, BaseInfo | None, str | None, list[str]]:
    """Find the changed lines, or why they cannot be known.

    Returns ``(diff, base_info, problem, header)``. A problem with a base that the
    user or the CI system named is an error (``GitError``, exit 2); with a guessed
    base, or none, it only makes the rules that need a diff "not measured".
    """
    if not _is_git_repo(root):
        if base is not None:
            raise GitError(f"--base {base}: {root} is not inside a git repository")
        return None, None, f"{root} is not inside a git repository", []
    source = "--base"
    if base is None:
        found = gitinfo.default_base(root)
        if found is None:
            why = "no base ref to compare with (pass --base REF, e.g. --base origin/main)"
            if required:
                raise GitError(why)
            return None, None, why, []
        base, source = found
    info = gitinfo.resolve_base(root, base, use_merge_base=use_merge_base)
    if info.problem is not None:
        if source != "guess" or required:
            named = "" if source == "--base" else f" (named by {source})"
            raise GitError(f"cannot compare with {base}{named}: {info.problem}")
        return None, info, info.problem, [f"base: {base} (guessed): {info.problem}"]
    assert info.commit is not None
    diff = gitinfo.diff(root, info.commit, include_uncommitted=include_uncommitted)
    head = "work tree" if include_uncommitted else (diff.head or "HEAD")[:12]
    how = "merge-base" if use_merge_base else "commit"
    header = [
        f"changes: {base} ({how} {info.commit[:12]}) → {head}, {len(diff.files)} files changed"
    ]
    header += [f"note: {n}" for n in info.notes]
    return diff, info, None, header


def _source_index(loaded: Loaded) -> Callable[[], Any] | None:
    """Source analysis on demand (only the rules that need it pay for it); tree-sitter and
    its grammars are part of every install, and a fallback is said in the result's
    ``source_notes`` (stderr, JSON and Markdown)."""
    from covgap.source import analyze_repo

    def build() -> Any:
        return analyze_repo(loaded.workspace)

    return build


def _baseline(path: Path | None, *, allow_missing: bool = False) -> Baseline | None:
    if path is None:
        return None
    if not path.is_file():
        if allow_missing:
            click.echo(
                f"covgap: note: no baseline at {path}; the rules that compare with one "
                "are not measured",
                err=True,
            )
            return None
        raise InputError(f"--baseline {path}: no such file")
    return load_baseline(path)


def _common_git_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--include-uncommitted",
        is_flag=True,
        help="Count staged, unstaged and untracked changes too (compare with the work tree).",
    )(func)
    func = click.option(
        "--no-merge-base",
        is_flag=True,
        help="Diff against --base itself, not its merge-base with HEAD (it must be an ancestor).",
    )(func)
    return click.option(
        "--base",
        metavar="REF",
        help="Git ref the change merges into (default: the CI's target branch, else "
        "origin/HEAD, origin/main, main, master). Changes are taken against the merge-base.",
    )(func)


def _write_github_summary(markdown: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(markdown)
    except OSError as exc:
        click.echo(f"covgap: warning: cannot write $GITHUB_STEP_SUMMARY ({exc})", err=True)


def _do_ratchet(loaded: Loaded, result: GateResult) -> None:
    source = loaded.config.source
    if source is None:
        raise ConfigError("--ratchet needs a config file (covgap.toml or [tool.covgap])")
    text = source.read_text(encoding="utf-8")
    new_text, changes = ratchet(
        text, ratchet_targets(result), prefix=config_prefix(source), origin=str(source)
    )
    if not changes:
        click.echo(f"covgap: ratchet: no minimum in {source} is below today's value", err=True)
        return
    write_atomic(source, new_text.encode("utf-8"))
    for ch in changes:
        click.echo(
            f"covgap: ratchet: {source}:{ch.line}: {ch.key} {float(ch.old):g} → {float(ch.new):g}",
            err=True,
        )


_FAIL_UNDER = {
    # gate: (option suffix, what the gate measures)
    "line": ("lines", "overall line coverage"),
    "branch": ("branches", "overall branch coverage"),
    "function": ("functions", "overall function coverage"),
    "patch": ("patch", "coverage of new and changed lines"),
}
"""The ``--fail-under-*`` options, one per gate they override."""


def _fail_under_options(func: F) -> F:
    """``--fail-under-lines|branches|functions|patch PCT``, in that order in ``--help``."""
    for gate, (suffix, what) in reversed(_FAIL_UNDER.items()):
        func = click.option(
            f"--fail-under-{suffix}",
            type=click.FloatRange(0, 100),
            metavar="PCT",
            help=f"Fail when {what} is below PCT % (over [gates] {gate}).",
        )(func)
    return func


@main.command("check")
@coverage_inputs
@_common_git_options
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A previous covgap JSON report to compare with (max_drop, critical, diff categories).",
)
@click.option(
    "--allow-missing-baseline",
    is_flag=True,
    help="A --baseline file that does not exist (first run) makes baseline rules not measured.",
)
@store_option
@format_option(*FORMATS)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--explain", is_flag=True, help="Show the numbers behind every rule.")
@click.option(
    "--ratchet",
    "do_ratchet",
    is_flag=True,
    help="Raise the minimums in the config file to today's values (never lowers them).",
)
@_fail_under_options
def check_command(
    source: CoverageInputs,
    base: str | None,
    no_merge_base: bool,
    include_uncommitted: bool,
    baseline: Path | None,
    allow_missing_baseline: bool,
    store_url: str | None,
    fmt: str,
    output: Path | None,
    explain: bool,
    do_ratchet: bool,
    fail_under_lines: float | None,
    fail_under_branches: float | None,
    fail_under_functions: float | None,
    fail_under_patch: float | None,
) -> None:
    """Evaluate the coverage gates of [gates] and component targets; exit 1 if any fails.

    Rules: overall line/branch/function minimums, per-component targets, coverage of
    new and changed lines (patch) against --base, the largest allowed drop versus
    --baseline, critical paths that may not lose coverage, a per-file minimum, and
    new source files needing tests. Rules that cannot be measured (no data, no
    baseline, no diff) are shown as such and do not fail. The --fail-under-* options
    set a minimum over the config's. With no gate configured at all, the measured
    figures (with patch coverage against --base) are shown and the exit is 0, as
    diff-cover does. See docs/gates.md.
    """
    # The baseline first: a bad --baseline is one error line, before any other output.
    base_line = _baseline(baseline, allow_missing=allow_missing_baseline)
    loaded = source.load()
    if not loaded.coverage.files:
        # a report of no files (c8's `{}` when the tests never started node) is a run
        # that measured nothing: every rule would be "not measured" and the check would
        # pass; nyc check-coverage fails it too ("Unknown%")
        inputs = ", ".join(str(s) for s in loaded.inputs)
        raise InputError(
            f"{inputs}: the coverage lists no files: nothing was measured, so no gate "
            "can be checked (did the tests run under the coverage tool?)"
        )
    if baseline is None:  # the baseline finds itself in the history store (#11)
        base_line = stored_baseline(loaded, base, store_url, use_merge_base=not no_merge_base)
    gates = dict(loaded.config.section("gates"))
    options = {
        "line": ("--fail-under-lines", fail_under_lines),
        "branch": ("--fail-under-branches", fail_under_branches),
        "function": ("--fail-under-functions", fail_under_functions),
        "patch": ("--fail-under-patch", fail_under_patch),
    }
    overridden = {}
    for key, (option, value) in options.items():
        if value is not None:
            gates[key] = value
            overridden[f"gates.{key}"] = option
    no_gates = not gates and not any(c.target or c.critical for c in loaded.workspace.components)
    needs_diff = (
        no_gates
        or "patch" in gates
        or bool(gates.get("new_files_need_tests"))
        or (base_line is not None and base_line.has_detail)
        or base is not None
    )
    diff: Diff | None = None
    info: BaseInfo | None = None
    problem: str | None = "no rule needs a diff"
    header = [f"coverage: {', '.join(str(s) for s in loaded.inputs)}"]
    if needs_diff:
        diff, info, problem, more = _resolve_diff(
            loaded.workspace.root,
            base,
            use_merge_base=not no_merge_base,
            include_uncommitted=include_uncommitted,
            required=False,
        )
        header += more
    if base_line is not None:
        detail = "per-line detail" if base_line.has_detail else "totals only"
        header.append(f"baseline: {base_line.origin} ({detail})")
    result = evaluate(
        GateInputs(
            loaded.coverage,
            loaded.workspace,
            gates,
            diff=diff,
            base=info,
            diff_problem=problem,
            baseline=base_line,
            source_index=_source_index(loaded),
        )
    )
    for v in result.verdicts:
        v.option = overridden.get(v.config_key, "")
    echo_source_notes(result.source_notes)
    if do_ratchet:
        _do_ratchet(loaded, result)
    context = {
        "base": info.ref if info else None,
        "base_commit": info.commit if info else None,
        "baseline": base_line.origin if base_line else None,
    }
    color = fmt == "terminal" and output is None and sys.stdout.isatty()
    data: str | bytes
    if fmt == "terminal":
        data = render_terminal_text(
            check_terminal(result, explain=explain, header=header), color=color
        )
    elif fmt == "markdown":
        data = check_markdown(result, explain=explain, header=header)
    elif fmt == "json":
        data = check_json(result, context=context)
    elif fmt == "sarif":
        from covgap.report.sarif import render_sarif

        data = render_sarif(result, **_config_locations(loaded, result))
    elif fmt == "junit":
        from covgap.report.junit import render_junit

        data = render_junit(
            result, timestamp=datetime.now(UTC).replace(tzinfo=None), hostname=socket.gethostname()
        )
    else:
        from covgap.report.github import render_annotations

        root = loaded.workspace.root
        data = render_annotations(
            result, path_prefix=gitinfo.prefix(root) if _is_git_repo(root) else ""
        )
        _write_github_summary(check_markdown(result, explain=explain, header=header))
    write_output(output, data)
    if not result.ok:
        click.get_current_context().exit(1)


def _config_locations(loaded: Loaded, result: GateResult) -> dict[str, Any]:
    source = loaded.config.source
    if source is None:
        return {}
    try:
        rel = source.resolve().relative_to(loaded.workspace.root.resolve()).as_posix()
        text = source.read_text(encoding="utf-8")
    except (ValueError, OSError):
        return {}
    prefix = config_prefix(source)
    lines = {}
    for v in result.verdicts:
        line = config_key_line(text, v.config_key, prefix)
        if line is not None:
            lines[v.config_key] = line
    return {"config_path": rel, "config_lines": lines}


@main.command("diff")
@coverage_inputs
@_common_git_options
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A previous covgap JSON report with per-line detail (report --format json --detail); "
    "default: the run recorded in the history store at the merge-base of --base.",
)
@store_option
@format_option("terminal", "markdown", "json")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--all-files", is_flag=True, help="List unchanged files too (only UBC/CBC lines).")
def diff_command(
    source: CoverageInputs,
    base: str | None,
    no_merge_base: bool,
    include_uncommitted: bool,
    baseline: Path | None,
    store_url: str | None,
    fmt: str,
    output: Path | None,
    all_files: bool,
) -> None:
    """Differential coverage versus a baseline, in lcov 2.x's categories, per file and total.

    --base must name the commit the baseline was measured at (or a branch whose
    merge-base with HEAD is that commit): the diff from there to now decides which
    lines are new, deleted or unchanged. Categories: UNC/GNC new code uncovered/covered,
    LBC/GBC unchanged code that lost/gained coverage, UBC/CBC unchanged uncovered/
    covered, UIC/GIC code the baseline did not measure, EUB/ECB no longer measured,
    DUB/DCB deleted.
    """
    base_line = _baseline(baseline)
    if base_line is not None and base_line.coverage is None:
        raise InputError(
            f"{baseline}: this baseline has totals only; differential categories need "
            "per-line detail (write it with `covgap report --format json --detail`)"
        )
    loaded = source.load()
    if base_line is None:  # the baseline finds itself in the history store (#11)
        base_line = stored_baseline(
            loaded, base, store_url, use_merge_base=not no_merge_base, required=True
        )
    assert base_line is not None and base_line.coverage is not None
    diff, info, _, header = _resolve_diff(
        loaded.workspace.root,
        base,
        use_merge_base=not no_merge_base,
        include_uncommitted=include_uncommitted,
        required=True,
    )
    header.insert(0, f"baseline: {base_line.origin}")
    dc = classify(loaded.coverage, base_line.coverage, diff)
    data: str | bytes
    if fmt == "terminal":
        color = output is None and sys.stdout.isatty()
        data = render_terminal_text(
            diff_terminal(dc, header=header, all_files=all_files), color=color
        )
    elif fmt == "markdown":
        data = diff_markdown(dc, header=header, all_files=all_files)
    else:
        context = {
            "base": info.ref if info else None,
            "base_commit": info.commit if info else None,
            "baseline": base_line.origin,
        }
        data = diff_json(dc, context=context)
    write_output(output, data)
