"""``covgap report``: exact, merged coverage per component and file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from covgap.analysis.summary import summarize
from covgap.cli import main
from covgap.cli._common import (
    CoverageInputs,
    coverage_inputs,
    echo_source_notes,
    mode_for,
    render_terminal_text,
    write_output,
)
from covgap.pipeline import Loaded

if TYPE_CHECKING:
    from covgap.config import Config
    from covgap.workspace import Workspace


def unmapped_json(loaded: Loaded) -> list[dict[str, Any]]:
    out = []
    for group in loaded.unmapped:
        fix = group.suggestion
        out.append(
            {
                "prefix": group.prefix,
                "paths": list(group.paths),
                "suggestion": None if fix is None else {"from": fix.from_, "to": fix.to},
            }
        )
    return out


def header_lines(loaded: Loaded) -> list[str]:
    lines = [f"repository: {loaded.workspace.root}"]
    for info in loaded.coverage.inputs:
        flag = f" [{info.flag}]" if info.flag else ""
        lines.append(f"input: {info.path} ({info.format}){flag}")
    for path, why in loaded.skipped:
        lines.append(f"skipped: {path}: {why}")
    if loaded.unmapped:
        count = len(loaded.unmapped_paths)
        lines.append(f"not in the repository: {count} file(s), counted in the totals; see warnings")
    return lines


@main.command("report")
@coverage_inputs
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "markdown", "json", "html"]),
    default="terminal",
    show_default=True,
    help="Output format; html writes a static site into the -o directory.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here instead of stdout (a directory for --format html).",
)
@click.option(
    "--detail",
    is_flag=True,
    help="JSON: include per-line hits, branches, functions and flags (a lossless baseline).",
)
@click.option(
    "--lowest", type=int, help="How many lowest-covered files to list (default 10, [report])."
)
@click.option("--zero", type=int, help="How many 0%-covered files to list (default 10, [report]).")
def report_command(
    source: CoverageInputs,
    fmt: str,
    output: Path | None,
    detail: bool,
    lowest: int | None,
    zero: int | None,
) -> None:
    """Report merged coverage per component and file.

    INPUTS are coverage reports in any supported format, each optionally labelled with
    its suite as FLAG=PATH (e.g. unit=coverage.xml e2e=e2e/lcov.info). With no INPUTS,
    the usual report files in the repository are found and used.

    Totals equal the native tools' own totals for the same data; files the reports
    name that are not in the repository are still counted and listed with a suggested
    path fix.
    """
    if fmt == "html":
        if output is None:
            raise click.UsageError("--format html needs -o DIR (the site's directory)")
        index = html_from_inputs(source, output)
        click.echo(f"wrote {index}")
        return
    loaded = source.load()
    color = fmt == "terminal" and output is None and sys.stdout.isatty()
    data = render_report(loaded, fmt, detail=detail, lowest=lowest, zero=zero, color=color)
    write_output(output, data)


def render_report(
    loaded: Loaded,
    fmt: str,
    *,
    detail: bool = False,
    lowest: int | None = None,
    zero: int | None = None,
    color: bool = False,
) -> bytes:
    """Render the coverage report of ``loaded`` in ``fmt`` (terminal, markdown, json)."""
    settings = loaded.config.section("report")
    lowest = lowest if lowest is not None else settings.get("lowest_files", 10)
    zero = zero if zero is not None else settings.get("zero_files", 10)
    summary = summarize(
        loaded.coverage,
        loaded.workspace,
        unmapped_paths=loaded.unmapped_paths,
        flag_totals=loaded.flag_totals,
    )
    if fmt == "json":
        from covgap.report.json_report import render_report_json

        return render_report_json(
            summary,
            loaded.coverage,
            detail=detail,
            unmapped=unmapped_json(loaded),
            skipped=loaded.skipped,
        )
    if fmt == "markdown":
        from covgap.report.markdown import render_markdown

        notes = [f"skipped {p}: {why}" for p, why in loaded.skipped]
        notes += [g.describe() for g in loaded.unmapped]
        external = loaded.mapping.external_note() if loaded.mapping is not None else None
        notes += [external] if external is not None else []
        notes += list(loaded.coverage.notes)  # said on stderr and in JSON too (issue 10)
        return render_markdown(summary, lowest=lowest, zero=zero, notes=notes).encode()
    from covgap.report.terminal import render_terminal

    renderable = render_terminal(summary, lowest=lowest, zero=zero, header=header_lines(loaded))
    return render_terminal_text(renderable, color=color).encode()


HTML_MARKER = ".covgap-html"


def html_from_inputs(source: CoverageInputs, out_dir: Path) -> Path:
    """The HTML site of ``source``'s coverage in ``out_dir``, kept when nothing changed.

    With explicit inputs the site's key is checked before any report is read: an
    unchanged re-run of a 10,000-file repository costs the repository's file list
    and a ``stat`` per file, not the reading of the reports (issue 14).
    """
    from covgap.cli._common import load_repo
    from covgap.pipeline import InputSpec
    from covgap.report.html import site_is_current

    specs = [InputSpec.parse(a) for a in source.inputs]
    if specs and all(s.path.is_file() for s in specs) and out_dir.is_dir():
        workspace, config = load_repo(source.repo, source.config_path)
        key = html_key(workspace, config, [s.path for s in specs], out_dir, source)
        if site_is_current(out_dir.resolve(), key):
            click.echo(f"covgap: {out_dir}: unchanged inputs, the site is kept", err=True)
            return out_dir.resolve() / "index.html"
    return write_html_report(source.load(), out_dir, source=source)


def html_key(
    workspace: Workspace,
    config: Config,
    inputs: list[Path],
    out_dir: Path,
    source: CoverageInputs | None = None,
    title: str = "Coverage report",
) -> str:
    """The HTML site's inputs key (:func:`covgap.report.html.inputs_key`)."""
    import datetime as dt

    from covgap.errors import GitError
    from covgap.gitinfo import current_commit
    from covgap.report.html import inputs_key

    root = workspace.root
    try:
        head = current_commit(root) if workspace.from_git else "no git"
    except GitError:
        head = "no commit"
    try:
        config_text = config.source.read_text(encoding="utf-8") if config.source else ""
    except OSError:
        config_text = "unreadable"
    # Churn counts commits of the last N days: the day is an input too.
    today = dt.datetime.now(dt.UTC).date().isoformat()
    options = (
        ""
        if source is None
        else repr((source.inputs, source.skip_invalid, source.input_format, source.no_path_mapping))
    )
    # The site's own files (an output directory inside a repository git does not
    # ignore) change with every run: they are not inputs.
    try:
        inside: str | None = out_dir.resolve().relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        inside = None
    files = [
        f
        for f in workspace.files
        if not (f.startswith(".covgap/") or (inside and f.startswith(inside)))
    ]
    from covgap.cli._history import store_state

    # The index carries the history store's trend (#11): a new record changes the site.
    parts = (title, str(root), head, today, config_text, options, store_state(config, root))
    return inputs_key(root, files, inputs=inputs, parts=parts)


def write_html_report(
    loaded: Loaded,
    out_dir: Path,
    *,
    title: str = "Coverage report",
    source: CoverageInputs | None = None,
) -> Path:
    """Write the HTML site into ``out_dir``, replacing only a previous covgap site.

    The site is built in a sibling temporary directory and swapped in at the end, so
    an interrupted run leaves the previous report intact. Pages that did not change
    are hard-linked from the previous site, and when none of the inputs changed (see
    :func:`html_key`) the previous site is kept as it is.
    """
    import shutil
    import tempfile

    from covgap.errors import OutputError
    from covgap.report.html import site_is_current

    out_dir = out_dir.resolve()
    if out_dir.exists() and (
        not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / HTML_MARKER).exists())
    ):
        raise OutputError(
            f"{out_dir} exists and is not a covgap HTML report; choose an empty or new directory"
        )
    inputs = [spec.path for spec in loaded.inputs]
    key = html_key(loaded.workspace, loaded.config, inputs, out_dir, source, title)
    if out_dir.is_dir() and site_is_current(out_dir, key):
        return out_dir / "index.html"
    from covgap.analysis.gap_analysis import analyze_loaded
    from covgap.report.html import write_html

    summary = summarize(
        loaded.coverage,
        loaded.workspace,
        unmapped_paths=loaded.unmapped_paths,
        flag_totals=loaded.flag_totals,
    )
    analysis = analyze_loaded(loaded)
    echo_source_notes(analysis.source_notes)
    root = loaded.workspace.root
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        tmp.chmod(mode_for(out_dir, directory=True))
        write_html(
            tmp,
            summary,
            loaded.coverage,
            root,
            analysis=analysis,
            title=title,
            previous=out_dir if out_dir.is_dir() else None,
            inputs_key=key,
        )
        from covgap.cli._history import add_trend_to_html

        add_trend_to_html(tmp / "index.html", loaded)  # the history store's trend (#11)
        (tmp / HTML_MARKER).write_text("made by covgap; safe to delete\n", encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir / "index.html"
