"""``covgap report``: exact, merged coverage per component and file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from covgap.analysis.summary import summarize
from covgap.cli import main
from covgap.cli._common import (
    CoverageInputs,
    coverage_inputs,
    echo_source_notes,
    render_terminal_text,
    write_output,
)
from covgap.pipeline import Loaded


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
    loaded = source.load()
    if fmt == "html":
        if output is None:
            raise click.UsageError("--format html needs -o DIR (the site's directory)")
        index = write_html_report(loaded, output)
        click.echo(f"wrote {index}")
        return
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


def write_html_report(loaded: Loaded, out_dir: Path, *, title: str = "Coverage report") -> Path:
    """Write the HTML site into ``out_dir``, replacing only a previous covgap site.

    The site is built in a sibling temporary directory and swapped in at the end, so
    an interrupted run leaves the previous report intact.
    """
    import shutil
    import tempfile

    from covgap.analysis.gap_analysis import analyze_loaded
    from covgap.errors import OutputError
    from covgap.report.html import write_html

    out_dir = out_dir.resolve()
    if out_dir.exists() and (
        not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / HTML_MARKER).exists())
    ):
        raise OutputError(
            f"{out_dir} exists and is not a covgap HTML report; choose an empty or new directory"
        )
    summary = summarize(
        loaded.coverage,
        loaded.workspace,
        unmapped_paths=loaded.unmapped_paths,
        flag_totals=loaded.flag_totals,
    )
    analysis = analyze_loaded(loaded)
    echo_source_notes(analysis.source_notes)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        write_html(
            tmp, summary, loaded.coverage, loaded.workspace.root, analysis=analysis, title=title
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
