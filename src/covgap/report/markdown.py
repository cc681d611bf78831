"""The Markdown coverage report, for a committed COVERAGE.md or a PR comment.

GitHub-flavoured tables; cell text is escaped so a file name with ``|`` or markup
cannot break the table or inject HTML into a rendered comment.
"""

from __future__ import annotations

from collections.abc import Sequence

from covgap.analysis.summary import Summary
from covgap.model import Counts
from covgap.report._format import percent, plural, ranges, ratio, verdict


def md_escape(text: str) -> str:
    """Escape text for a Markdown table cell."""
    out = text.replace("\\", "\\\\").replace("|", "\\|")
    for ch in ("<", ">", "`", "*", "_", "[", "]"):
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    """A GFM table; ``align`` has one char per column, ``l`` or ``r``."""
    marks = [("---:" if align[i : i + 1] == "r" else "---") for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def overall_rows(totals: Counts) -> list[list[str]]:
    return [
        [name, ratio(cov, tot), percent(cov, tot)]
        for name, cov, tot in (
            ("Lines", totals.lines_covered, totals.lines_total),
            ("Branches", totals.branches_covered, totals.branches_total),
            ("Functions", totals.functions_covered, totals.functions_total),
        )
    ]


def render_markdown(
    summary: Summary,
    *,
    lowest: int = 10,
    zero: int = 10,
    title: str = "Coverage report",
    notes: Sequence[str] = (),
) -> str:
    """Render the whole report as Markdown text ending in a newline."""
    out: list[str] = [f"# {title}", ""]
    out.extend(f"> {md_escape(n)}" for n in notes)
    if notes:
        out.append("")
    out.append(f"## Overall ({plural(len(summary.files), 'file')})")
    out.append("")
    out.extend(table(["Metric", "Covered / total", "Percent"], overall_rows(summary.totals), "lrr"))
    if summary.measured_components():
        out += ["", "## Components", ""]
        rows = []
        for c in summary.measured_components():
            n = c.counts
            target = ", ".join(f"{k.metric} ≥ {k.minimum:g}%" for k in c.checks) or "—"
            rows.append(
                [
                    md_escape(c.name) + (" (critical)" if c.critical else ""),
                    md_escape(c.language or "—"),
                    str(c.files),
                    percent(n.lines_covered, n.lines_total),
                    percent(n.branches_covered, n.branches_total),
                    percent(n.functions_covered, n.functions_total),
                    target,
                    verdict(c.passed),
                ]
            )
        out.extend(
            table(
                [
                    "Component",
                    "Language",
                    "Files",
                    "Lines",
                    "Branches",
                    "Functions",
                    "Target",
                    "Status",
                ],
                rows,
                "llrrrrll",
            )
        )
    if summary.flags:
        out += ["", "## Suites (flags)", ""]
        rows = [
            [
                md_escape(f.name),
                percent(f.counts.lines_covered, f.counts.lines_total),
                percent(f.counts.branches_covered, f.counts.branches_total),
                percent(f.counts.functions_covered, f.counts.functions_total),
                f"{f.only_covered_lines:,}",
            ]
            for f in summary.flags
        ]
        out.extend(
            table(
                ["Flag", "Lines", "Branches", "Functions", "Lines only this suite covers"],
                rows,
                "lrrrr",
            )
        )
    low = summary.lowest_files(lowest)
    if low:
        out += ["", f"## Lowest-covered files (top {lowest})", ""]
        rows = [
            [
                f"`{f.path}`" if "`" not in f.path else md_escape(f.path),
                md_escape(f.component or "—"),
                percent(f.counts.lines_covered, f.counts.lines_total),
                f"{f.counts.lines_missed:,}",
                ranges(f.uncovered_ranges),
            ]
            for f in low
        ]
        out.extend(
            table(["File", "Component", "Lines", "Missed", "Uncovered lines"], rows, "llrrl")
        )
    zeros = summary.zero_files()
    if zeros:
        more = f"; {len(zeros) - zero} more not shown" if len(zeros) > zero else ""
        out += [
            "",
            f"## Files at 0% ({plural(len(zeros), 'file')}, largest first{more})",
            "",
        ]
        rows = [
            [
                f"`{f.path}`" if "`" not in f.path else md_escape(f.path),
                md_escape(f.component or "—"),
                f"{f.counts.lines_total:,}",
            ]
            for f in zeros[:zero]
        ]
        out.extend(table(["File", "Component", "Executable lines"], rows, "llr"))
    out.append("")
    return "\n".join(out)
