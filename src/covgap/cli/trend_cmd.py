"""``covgap trend``: coverage over time from the history store."""

from __future__ import annotations

import datetime as dt
import re
import time
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
    repo_config,
    repository_option,
    resolve_store,
    store_option,
)
from covgap.errors import InputError


def parse_since(text: str | None, now: float | None = None) -> float | None:
    """``--since``: a date (``2026-01-31``), a timestamp, or an age (``30d``, ``12h``, ``2w``)."""
    if text is None:
        return None
    now = time.time() if now is None else now
    age = re.fullmatch(r"(\d+)\s*([hdw])", text.strip())
    if age:
        hours = int(age.group(1)) * {"h": 1, "d": 24, "w": 24 * 7}[age.group(2)]
        return now - hours * 3600
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"--since {text}: not a date (2026-01-31, 2026-01-31T12:00) or an age (30d, 12h, 2w)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


@main.command("trend")
@repo_options
@store_option
@repository_option
@click.option("--branch", help="Only runs of this branch.")
@click.option("--since", help="Only runs since a date (2026-01-31) or an age (30d, 12h, 2w).")
@click.option("--component", help="Show this component's totals instead of the repository's.")
@click.option("--limit", type=int, help="Only the newest N commits.")
@format_option("terminal", "markdown", "json")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here, not stdout.")
def trend_command(
    repo: Path,
    config_path: Path | None,
    store_url: str | None,
    repository: str | None,
    branch: str | None,
    since: str | None,
    component: str | None,
    limit: int | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Coverage over time, one point per commit, oldest first.

    Each point is the merge of the runs recorded for that commit; suites carried
    forward from an earlier run are marked (* in tables, "carried" in JSON).
    """
    from covgap.cli._history import repository as repo_name
    from covgap.history.reader import open_reader
    from covgap.history.render import trend_json, trend_markdown, trend_terminal
    from covgap.history.trend import trend

    root, config = repo_config(repo, config_path)
    name = repo_name(repository, config, root)
    start = parse_since(since)
    with open_reader(resolve_store(store_url, config), root=root) as store:
        points = trend(store, name, branch=branch, since=start, component=component, limit=limit)
        shown = store.url
        if not points:
            others = [r for r in store.repositories() if r != name]
            hint = (
                f" (it holds runs of: {', '.join(others[:5])}; pass --repository)" if others else ""
            )
            click.echo(f"covgap: note: no runs of {name} in {shown}{hint}", err=True)
    title = f"Coverage trend of {name}" + (f" on {branch}" if branch else "")
    if component:
        title += f", component {component}"
    if fmt == "json":
        doc = trend_json(points, store=shown, repository=name, branch=branch, component=component)
        write_json(output, doc)
    elif fmt == "markdown":
        write_output(output, trend_markdown(points, title))
    else:
        write_terminal(output, trend_terminal(points, title))


__all__ = ["parse_since", "trend_command"]
