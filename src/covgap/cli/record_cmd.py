"""``covgap record``: add this run's coverage to the history store."""

from __future__ import annotations

import click

from covgap.cli import main
from covgap.cli._common import CoverageInputs, coverage_inputs, format_option, write_json
from covgap.cli._history import (
    carry_policy,
    pct,
    repository_option,
    resolve_store,
    short,
    store_option,
)
from covgap.model import CoverageSet
from covgap.pipeline import Loaded, read_inputs


def split_suites(loaded: Loaded) -> dict[str, CoverageSet]:
    """The loaded coverage per suite (``FLAG=report`` inputs; ``""`` for the rest).

    With one suite that is the loaded coverage itself. With several, each suite's
    reports are read again on their own and given the same repository paths as the
    merged load, so the store can keep every suite apart (carryforward, flaky lines).
    """
    flags = {spec.flag or "" for spec in loaded.inputs}
    if len(flags) <= 1:
        return {next(iter(flags), ""): loaded.coverage}
    mapping = loaded.mapping.mapping if loaded.mapping is not None else {}
    keep = loaded.coverage.files
    skipped = {path for path, _ in loaded.skipped}
    # each report is read again in the format it was read in the first time
    formats = {info.path: info.format for info in loaded.coverage.inputs}
    out: dict[str, CoverageSet] = {}
    for flag in sorted(flags):
        specs = [s for s in loaded.inputs if (s.flag or "") == flag and str(s.path) not in skipped]
        parts = [
            read_inputs([spec], format_name=formats.get(str(spec.path))).coverage for spec in specs
        ]
        if not parts:
            continue
        cs = CoverageSet.merge_all(parts).renamed(mapping)
        out[flag] = cs.without([p for p in cs.files if p not in keep])
    return out


@main.command("record")
@coverage_inputs
@store_option
@repository_option
@click.option("--commit", help="The commit measured (default: the CI's, else git's HEAD).")
@click.option("--branch", help="The branch (default: the CI's, else git's current branch).")
@click.option("--pr", help="The pull/merge request number (default: from the CI).")
@click.option(
    "--run-id",
    help="Shards recorded with the same run id are one run, merged (default: the CI's build id; "
    "none outside CI: every record is a run of its own).",
)
@click.option(
    "--tests",
    "count_tests",
    is_flag=True,
    help="Also count the repository's tests (the source analysis of `covgap tests`, cached) "
    "for the trend's test counts.",
)
@format_option("terminal", "json")
def record_command(
    source: CoverageInputs,
    store_url: str | None,
    repository: str | None,
    commit: str | None,
    branch: str | None,
    pr: str | None,
    run_id: str | None,
    count_tests: bool,
    fmt: str,
) -> None:
    """Record this run's coverage in the history store.

    Takes the same inputs as `covgap report` (FLAG=report labels a suite). The run is
    keyed by repository, commit, branch and run id, from the CI's variables and git
    unless given; parallel CI jobs of one build record shards of the same run. A suite
    that earlier runs had and this one lacks is carried from the nearest ancestor run
    for files that did not change ([history.carryforward]), and marked as carried.
    """
    from covgap.cli._history import repository as repo_name
    from covgap.history.codec import Encoding
    from covgap.history.context import ancestors, blob_ids, detect
    from covgap.history.recorder import open_writer

    loaded = source.load()
    config = loaded.config
    root = loaded.workspace.root
    url = resolve_store(store_url, config)
    ctx = detect(
        root,
        repository=repo_name(repository, config, root),
        commit=commit,
        branch=branch,
        pr=pr,
        run_id=run_id,
    )
    suites = split_suites(loaded)
    # The detail starts compressing (on two threads) now, while the blob ids are hashed,
    # git is asked for the ancestors and the store is opened.
    encoding = Encoding(suites)
    try:
        paths = set(loaded.coverage.files)
        components = {}
        for path in paths:
            comp = loaded.workspace.component_of(path)
            if comp is not None:
                components[path] = comp.name
        carry = carry_policy(config)
        history = ancestors(root, ctx.commit)
        blobs = blob_ids(root, set(loaded.workspace.files) | paths)
        tests = count_repository_tests(loaded) if count_tests else None
        # the bare driver when the store is at this schema (no SQLAlchemy import), else
        # the full store, which creates or migrates it
        with open_writer(url, root=root) as store:
            result = store.record(
                suites,
                repository=ctx.repository,
                commit=ctx.commit,
                branch=ctx.branch,
                pr=ctx.pr,
                run_key=ctx.run_key,
                blobs=blobs,
                components=components,
                inputs=[str(s) for s in loaded.inputs],
                ancestors=history,
                carry=carry,
                tests=tests,
                encoding=encoding,
            )
            shown = store.url
    finally:
        encoding.close()
    run = result.run
    if fmt == "json":
        doc = {
            "store": shown,
            "upload": result.upload_id,
            "size": result.size,
            "ci": ctx.ci,
            "run": run.as_dict(),
        }
        write_json(None, doc)
        return
    t = run.totals
    where = f"{ctx.repository} {short(run.commit)}" + (f" on {run.branch}" if run.branch else "")
    click.echo(
        f"recorded upload {result.upload_id} ({result.size:,} bytes) into run {run.id} "
        f"({run.uploads} upload{'s' if run.uploads != 1 else ''}) of {where} in {shown}"
    )
    click.echo(
        f"lines {pct(t.line_percent)} ({t.lines_covered}/{t.lines_total}), "
        f"branches {pct(t.branch_percent)}, functions {pct(t.function_percent)}; "
        f"suites: {', '.join(s or '-' for s in run.suites)}"
        + (f"; {run.tests:,} tests" if run.tests is not None else "")
    )
    for c in run.carried:
        click.echo(
            f"carried: suite {c.suite} from {short(c.from_commit)} ({c.files} unchanged files"
            + (f"; {c.changed} changed files not carried" if c.changed else "")
            + ")"
        )


def count_repository_tests(loaded: Loaded) -> int:
    """The repository's test count, as `covgap tests` counts them (the cached analysis)."""
    from covgap.analysis.gap_analysis import inventory_of
    from covgap.source import analyze_repo

    return inventory_of(analyze_repo(loaded.workspace)).tests


__all__ = ["count_repository_tests", "record_command", "split_suites"]
