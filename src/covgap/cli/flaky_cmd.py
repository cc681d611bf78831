"""``covgap flaky``: lines whose coverage flips between runs over identical source."""

from __future__ import annotations

from pathlib import Path

import click

from covgap.cli import main
from covgap.cli._common import (
    format_option,
    repo_options,
    write_json,
    write_output,
    write_terminal,
)
from covgap.cli._history import (
    history_config,
    repo_config,
    repository_option,
    resolve_store,
    store_option,
)


@main.command("flaky")
@repo_options
@store_option
@repository_option
@click.option("--branch", help="Only runs of this branch.")
@click.option(
    "--runs",
    "max_runs",
    type=int,
    help="How many of the newest runs to compare (default 50, [history] flaky_runs).",
)
@format_option("terminal", "markdown", "json")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here, not stdout.")
def flaky_command(
    repo: Path,
    config_path: Path | None,
    store_url: str | None,
    repository: str | None,
    branch: str | None,
    max_runs: int | None,
    fmt: str,
    output: Path | None,
) -> None:
    """List lines whose covered state flips between whole runs of the same suite.

    Only runs over identical source count (the file's git blob id is the same: re-runs
    of a commit, or commits that did not touch the file), and never shards of one run.
    Gates ignore these lines with `[history] ignore_flaky = true`.
    """
    from covgap.cli._history import repository as repo_name
    from covgap.history import open_store
    from covgap.history.flaky import flaky_lines

    root, config = repo_config(repo, config_path)
    name = repo_name(repository, config, root)
    limit = max_runs or int(history_config(config).get("flaky_runs", 50))
    with open_store(resolve_store(store_url, config), root=root, create=False) as store:
        lines = flaky_lines(store, name, branch=branch, max_runs=limit)
        shown = store.url
    if fmt == "json":
        doc = {
            "store": shown,
            "repository": name,
            "runs_compared": limit,
            "lines": [f.as_dict() for f in lines],
        }
        write_json(output, doc)
        return
    if fmt == "markdown":
        out = [f"## Flaky lines of {name}", ""]
        if not lines:
            out.append(f"No line flipped in the last {limit} runs.")
        else:
            out += ["| file | line | suite | flips | runs |", "| --- | ---: | --- | ---: | ---: |"]
            out += [
                f"| `{f.path}` | {f.line} | {f.suite or '-'} | {f.flips} | {f.runs} |"
                for f in lines
            ]
        write_output(output, "\n".join(out) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    renderable: Table | Text
    if not lines:
        renderable = Text(f"no flaky lines in the last {limit} runs of {name}")
    else:
        renderable = Table(title=f"Flaky lines of {name} (last {limit} runs)")
        for col in ("file", "line", "suite", "flips", "runs"):
            renderable.add_column(
                col, justify="right" if col in ("line", "flips", "runs") else "left"
            )
        for f in lines:
            renderable.add_row(f.path, str(f.line), f.suite or "-", str(f.flips), str(f.runs))
    write_terminal(output, renderable)


__all__ = ["flaky_command"]
