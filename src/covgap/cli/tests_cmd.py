"""``covgap tests``: which source files have tests, of which kind, and which have none."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from covgap.cli import main
from covgap.cli._common import (
    echo_source_notes,
    format_option,
    load_repo,
    repo_options,
    write_output,
)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A transient rich progress bar on stderr while files are parsed, on a terminal only."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("parsing sources", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@main.command("tests")
@repo_options
@format_option("terminal", "markdown", "json", help="Output format.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=None,
    help="Largest files without tests to list (default: [report] zero_files, else 10).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel parsing processes (default: one per core).",
)
@click.option(
    "--no-cache", is_flag=True, help="Parse every file again; neither read nor write .covgap/cache."
)
def tests_command(
    repo: Path,
    config_path: Path | None,
    fmt: str,
    output: Path | None,
    top: int | None,
    jobs: int | None,
    no_cache: bool,
) -> None:
    """Inventory the repository's tests: source files with tests, inline tests,
    integration and e2e test files, tests per language and component, skipped and
    property tests, Rust doctests (apart from inline tests), tooling files (tool
    configuration, CI scripts: neither source nor tests), and the largest source files
    with no tests at all. Where a language was analysed without tree-sitter, or a file
    had syntax errors, a note says so on stderr and in the Markdown and JSON.

    Parses the sources (no coverage report needed); results are cached under
    .covgap/cache/, which is safe to delete.
    """
    from covgap.report import tests_report
    from covgap.source import analyze_repo
    from covgap.source.inventory import build_inventory
    from covgap.source.notes import analysis_notes

    workspace, config = load_repo(repo, config_path)
    if top is None:
        configured = config.section("report").get("zero_files")
        top = configured if isinstance(configured, int) else 10
    with _progress_bar() as progress:
        index = analyze_repo(workspace, jobs=jobs, cache=not no_cache, progress=progress)
    echo_source_notes(analysis_notes(index))
    inventory = build_inventory(index, top=top)
    if fmt == "json":
        write_output(output, tests_report.render_json(inventory))
    elif fmt == "markdown":
        write_output(output, tests_report.render_markdown(inventory))
    else:
        color = output is None and sys.stdout.isatty()
        write_output(output, tests_report.render_terminal(inventory, color=color))
