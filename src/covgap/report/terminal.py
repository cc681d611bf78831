"""The terminal coverage report: rich tables for people at a prompt.

Returns rich renderables; the CLI decides where they go and whether they get color.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from covgap.analysis.summary import ComponentRow, Summary
from covgap.model import Counts
from covgap.report._format import percent, plural, ranges, ratio, verdict


def _pct_text(covered: int, total: int) -> Text:
    text = percent(covered, total)
    if total == 0:
        return Text(text, style="dim")
    value = covered / total
    style = "green" if value >= 0.8 else "yellow" if value >= 0.5 else "red"
    return Text(text, style=style)


def _target_text(row: ComponentRow) -> str:
    if not row.checks:
        return "—"
    return ", ".join(f"{c.metric[0]}≥{c.minimum:g}" for c in row.checks)


def overall_table(totals: Counts, title: str = "Overall") -> Table:
    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column("metric")
    table.add_column("covered / total", justify="right")
    table.add_column("percent", justify="right")
    for name, cov, tot in (
        ("lines", totals.lines_covered, totals.lines_total),
        ("branches", totals.branches_covered, totals.branches_total),
        ("functions", totals.functions_covered, totals.functions_total),
    ):
        table.add_row(name, ratio(cov, tot), _pct_text(cov, tot))
    return table


def components_table(summary: Summary) -> Table | None:
    rows = summary.measured_components()
    if not rows:
        return None
    table = Table(title="Components", title_justify="left", show_edge=False)
    for col, justify in (
        ("component", "left"),
        ("language", "left"),
        ("files", "right"),
        ("lines", "right"),
        ("branches", "right"),
        ("functions", "right"),
        ("target", "left"),
        ("status", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        c = row.counts
        status = verdict(row.passed)
        table.add_row(
            row.name + (" (critical)" if row.critical else ""),
            row.language or "—",
            str(row.files),
            _pct_text(c.lines_covered, c.lines_total),
            _pct_text(c.branches_covered, c.branches_total),
            _pct_text(c.functions_covered, c.functions_total),
            _target_text(row),
            Text(status, style={"pass": "green", "FAIL": "bold red"}.get(status, "dim")),
        )
    return table


def lowest_table(summary: Summary, limit: int) -> Table | None:
    rows = summary.lowest_files(limit)
    if not rows:
        return None
    table = Table(
        title=f"Lowest-covered files (top {limit})", title_justify="left", show_edge=False
    )
    table.add_column("file")
    table.add_column("component")
    table.add_column("lines", justify="right")
    table.add_column("missed", justify="right")
    table.add_column("uncovered lines")
    for row in rows:
        c = row.counts
        table.add_row(
            row.path,
            row.component or "—",
            _pct_text(c.lines_covered, c.lines_total),
            f"{c.lines_missed:,}",
            ranges(row.uncovered_ranges),
        )
    return table


def zero_table(summary: Summary, limit: int) -> Table | None:
    rows = summary.zero_files()
    if not rows:
        return None
    shown = rows[:limit]
    more = f"; {len(rows) - limit} more not shown" if len(rows) > limit else ""
    table = Table(
        title=f"Files at 0% ({plural(len(rows), 'file')}, largest first{more})",
        title_justify="left",
        show_edge=False,
    )
    table.add_column("file")
    table.add_column("component")
    table.add_column("executable lines", justify="right")
    for row in shown:
        table.add_row(row.path, row.component or "—", f"{row.counts.lines_total:,}")
    return table


def flags_table(summary: Summary) -> Table | None:
    if not summary.flags:
        return None
    table = Table(title="Suites (flags)", title_justify="left", show_edge=False)
    table.add_column("flag")
    table.add_column("lines", justify="right")
    table.add_column("branches", justify="right")
    table.add_column("functions", justify="right")
    table.add_column("lines only this suite covers", justify="right")
    for row in summary.flags:
        c = row.counts
        table.add_row(
            row.name,
            _pct_text(c.lines_covered, c.lines_total),
            _pct_text(c.branches_covered, c.branches_total),
            _pct_text(c.functions_covered, c.functions_total),
            f"{row.only_covered_lines:,}",
        )
    return table


def render_terminal(
    summary: Summary,
    *,
    lowest: int = 10,
    zero: int = 10,
    header: Sequence[str] = (),
) -> RenderableType:
    """Build the whole terminal report as one renderable."""
    parts: list[RenderableType] = [Text(line, style="dim") for line in header]
    if header:
        parts.append(Text(""))
    parts.append(
        overall_table(
            summary.totals,
            f"Overall ({plural(len(summary.files), 'file')})",
        )
    )
    for table in (
        components_table(summary),
        flags_table(summary),
        lowest_table(summary, lowest),
        zero_table(summary, zero),
    ):
        if table is not None:
            parts.append(Text(""))
            parts.append(table)
    return Group(*parts)
