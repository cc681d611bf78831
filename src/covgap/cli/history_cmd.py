"""``covgap history list|show|prune``: what the store holds, and keeping it small."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from covgap.cli import main
from covgap.cli._common import format_option, render_terminal_text, repo_options, write_json
from covgap.cli._history import (
    history_config,
    pct,
    repo_config,
    repository_option,
    resolve_store,
    short,
    store_option,
)
from covgap.errors import InputError


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _suites(suites: tuple[str, ...], carried: tuple[str, ...]) -> str:
    names = [s or "-" for s in suites] + [f"{c}*" for c in carried]
    return ", ".join(names)


@main.group("history")
def history_group() -> None:
    """List, inspect and prune the runs in the history store (see docs/history.md)."""


@history_group.command("list")
@repo_options
@store_option
@repository_option
@click.option("--branch", help="Only runs of this branch.")
@click.option("--limit", type=int, default=50, show_default=True, help="The newest N runs.")
@click.option("--all-repositories", is_flag=True, help="Runs of every repository in the store.")
@format_option("terminal", "json")
def list_command(
    repo: Path,
    config_path: Path | None,
    store_url: str | None,
    repository: str | None,
    branch: str | None,
    limit: int,
    all_repositories: bool,
    fmt: str,
) -> None:
    """The recorded runs, newest first, with their size on disk."""
    from covgap.cli._history import repository as repo_name
    from covgap.history import open_store

    root, config = repo_config(repo, config_path)
    name = None if all_repositories else repo_name(repository, config, root)
    with open_store(resolve_store(store_url, config), root=root, create=False) as store:
        runs = store.runs(repository=name, branch=branch, limit=limit, newest_first=True)
        sizes = store.size_of_runs()
        shown = store.url
    if fmt == "json":
        doc = {
            "store": shown,
            "runs": [{**r.as_dict(), "bytes": sizes.get(r.id, 0)} for r in runs],
        }
        write_json(None, doc)
        return
    from rich.table import Table

    table = Table(title=f"Runs in {shown}" + (f" of {name}" if name else ""))
    for col in ("run", "commit", "branch", "recorded", "uploads", "suites", "lines", "bytes"):
        table.add_column(col, justify="right" if col in ("run", "uploads", "bytes") else "left")
    for r in runs:
        table.add_row(
            str(r.id),
            short(r.commit),
            r.branch or "",
            _when(r.created_at),
            str(r.uploads),
            _suites(r.suites, tuple(c.suite for c in r.carried)),
            pct(r.totals.line_percent),
            f"{sizes.get(r.id, 0):,}",
        )
    click.echo(render_terminal_text(table, color=sys.stdout.isatty()), nl=False)


@history_group.command("show")
@repo_options
@store_option
@click.argument("run_id", type=int)
@format_option("terminal", "json")
def show_command(
    repo: Path, config_path: Path | None, store_url: str | None, run_id: int, fmt: str
) -> None:
    """One run: its keys, uploads as recorded, totals per suite and component, carried suites."""
    from covgap.history import open_store

    root, config = repo_config(repo, config_path)
    with open_store(resolve_store(store_url, config), root=root, create=False) as store:
        run = store.run(run_id)
        if run is None or run.uploads == 0:
            raise InputError(f"no run {run_id} in {store.url}")
        uploads = store.uploads(run_id)
        parts = store.run_totals([run_id])[run_id]
    doc: dict[str, Any] = run.as_dict()
    doc["uploads"] = [
        {
            "id": u.id,
            "created_at": u.created_at,
            "suites": list(u.suites),
            "inputs": list(u.inputs),
            "bytes": u.size,
            "totals": u.totals.as_dict(),
        }
        for u in uploads
    ]
    doc["suite_totals"] = {
        name: {**counts.as_dict(), "carried": carried}
        for (kind, name), (carried, counts) in sorted(parts.items())
        if kind == "suite"
    }
    doc["component_totals"] = {
        name: counts.as_dict()
        for (kind, name), (_c, counts) in sorted(parts.items())
        if kind == "component"
    }
    if fmt == "json":
        write_json(None, doc)
        return
    t = run.totals
    lines = [
        f"run {run.id} ({run.run_key}) of {run.repository}",
        f"commit {run.commit}"
        + (f" on {run.branch}" if run.branch else "")
        + (f", PR {run.pr}" if run.pr else ""),
        f"recorded {_when(run.created_at)}, last upload {_when(run.updated_at)}",
        f"lines {pct(t.line_percent)} ({t.lines_covered}/{t.lines_total}), branches "
        f"{pct(t.branch_percent)}, functions {pct(t.function_percent)}",
    ]
    for name, entry in doc["suite_totals"].items():
        mark = " (carried)" if entry["carried"] else ""
        lines.append(
            f"  suite {name or '-'}{mark}: {entry['lines_covered']}/{entry['lines_total']} lines"
        )
    for c in run.carried:
        lines.append(
            f"  carried {c.suite} from {short(c.from_commit)} (run {c.from_run}): "
            f"{c.files} unchanged files, {c.changed} changed files left out"
        )
    for u in uploads:
        lines.append(
            f"  upload {u.id} at {_when(u.created_at)}: {', '.join(s or '-' for s in u.suites)}; "
            f"{u.size:,} bytes; {', '.join(u.inputs)}"
        )
    click.echo("\n".join(lines))


@history_group.command("prune")
@repo_options
@store_option
@repository_option
@click.option(
    "--keep", type=int, help="Runs to keep per branch (default: [history] keep, else 100)."
)
@click.option(
    "--protect",
    multiple=True,
    help="A branch whose runs are all kept (repeatable; default: [history] protected_branches, "
    "else main and master).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
def prune_command(
    repo: Path,
    config_path: Path | None,
    store_url: str | None,
    repository: str | None,
    keep: int | None,
    protect: tuple[str, ...],
    dry_run: bool,
) -> None:
    """Delete all but the newest runs of each branch, keeping protected branches whole."""
    from covgap.cli._history import repository as repo_name
    from covgap.history import open_store
    from covgap.history.prune import DEFAULT_PROTECTED, runs_to_prune

    root, config = repo_config(repo, config_path)
    settings = history_config(config)
    keep = keep if keep is not None else int(settings.get("keep", 100))
    if keep < 0:
        raise InputError(f"--keep {keep}: must be 0 or more")
    protected = protect or tuple(settings.get("protected_branches", DEFAULT_PROTECTED))
    name = repo_name(repository, config, root)
    with open_store(resolve_store(store_url, config), root=root, create=False) as store:
        doomed = runs_to_prune(store.runs(repository=name), keep, protected)
        sizes = store.size_of_runs()
        freed = sum(sizes.get(r.id, 0) for r in doomed)
        if not dry_run:
            store.delete_runs([r.id for r in doomed])
        shown = store.url
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"{verb} {len(doomed)} run(s) of {name} from {shown} ({freed:,} bytes of detail); "
        f"kept the newest {keep} per branch and every run of {', '.join(protected)}"
    )


__all__ = ["history_group"]
