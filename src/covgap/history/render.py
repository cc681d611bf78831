"""The trend and the store's listings as text: terminal (rich), Markdown, JSON, SVG.

Renderers only format; :mod:`covgap.history.trend` computes. The SVG chart is inline,
self-contained markup (no script, no CDN) for the HTML report and the docs.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from covgap.history.trend import TrendPoint, sparkline
from covgap.model import Counts

METRICS = (
    ("lines", "line_percent"),
    ("branches", "branch_percent"),
    ("functions", "function_percent"),
)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} %"


def _delta(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "n/a"
    diff = after - before
    return f"{diff:+.2f} pp"


def _count(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"


def _date(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M")


def trend_json(points: Sequence[TrendPoint], **meta: Any) -> dict[str, Any]:
    return {**meta, "points": [p.as_dict() for p in points]}


def _suite_label(point: TrendPoint) -> str:
    names = [s or "-" for s in sorted(point.suites)]
    return ", ".join(f"{n}*" if n in point.carried else n for n in names)


def trend_terminal(points: Sequence[TrendPoint], title: str) -> Any:
    """A rich renderable: sparklines per metric, then one row per commit."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    if not points:
        return Text(f"{title}: no recorded runs")
    spark = Table(title=title, show_header=True, box=None, pad_edge=False)
    for col in ("metric", "trend", "first", "last", "change"):
        spark.add_column(col, justify="left" if col in ("metric", "trend") else "right")
    for name, attr in METRICS:
        values = [getattr(p.totals, attr) for p in points]
        spark.add_row(
            name,
            sparkline(values),
            _pct(values[0]),
            _pct(values[-1]),
            _delta(values[0], values[-1]),
        )
    counted = [p.tests for p in points]
    if any(v is not None for v in counted):
        known = [v for v in counted if v is not None]
        spark.add_row(
            "tests",
            sparkline([None if v is None else float(v) for v in counted]),
            _count(counted[0]),
            _count(counted[-1]),
            f"{known[-1] - known[0]:+d}",
        )
    table = Table(show_header=True)
    for col in ("commit", "branch", "recorded", "lines", "branches", "functions", "tests"):
        left = col in ("commit", "branch", "recorded")
        table.add_column(col, justify="left" if left else "right")
    table.add_column("suites")
    for p in points:
        t = p.totals
        table.add_row(
            p.commit[:12],
            p.branch or "",
            _date(p.time),
            f"{_pct(t.line_percent)} ({t.lines_covered}/{t.lines_total})",
            _pct(t.branch_percent),
            _pct(t.function_percent),
            _count(p.tests),
            _suite_label(p),
        )
    parts: list[Any] = [spark, table]
    if any(p.carried for p in points):
        parts.append(Text("* carried forward from an earlier run (files unchanged since)"))
    return Group(*parts)


def baseline_vs_current(
    base: TrendPoint, current: TrendPoint, *, base_label: str = "baseline"
) -> list[str]:
    """The seed's "baseline vs current" Markdown table: metrics, suites, components."""
    lines = [
        f"| | {base_label} `{base.commit[:12]}` | current `{current.commit[:12]}` | change |",
        "| --- | ---: | ---: | ---: |",
    ]

    def row(label: str, a: Counts | None, b: Counts | None) -> None:
        for name, attr in METRICS:
            va = getattr(a, attr) if a else None
            vb = getattr(b, attr) if b else None
            if va is None and vb is None:
                continue
            lines.append(f"| {label}{name} | {_pct(va)} | {_pct(vb)} | {_delta(va, vb)} |")

    row("", base.totals, current.totals)
    if base.tests is not None or current.tests is not None:
        change = (
            f"{current.tests - base.tests:+,d}"
            if base.tests is not None and current.tests is not None
            else "n/a"
        )
        lines.append(f"| tests | {_count(base.tests)} | {_count(current.tests)} | {change} |")
    for suite in sorted(set(base.suites) | set(current.suites)):
        mark = " (carried)" if suite in current.carried else ""
        row(f"suite {suite or '-'}{mark}: ", base.suites.get(suite), current.suites.get(suite))
    for comp in sorted(set(base.components) | set(current.components)):
        row(f"{comp}: ", base.components.get(comp), current.components.get(comp))
    return lines


def trend_markdown(points: Sequence[TrendPoint], title: str) -> str:
    if not points:
        return f"## {title}\n\nNo recorded runs.\n"
    out = [f"## {title}", ""]
    out.extend(baseline_vs_current(points[0], points[-1]))
    out += ["", "| commit | branch | recorded | lines | branches | functions | tests | suites |"]
    out.append("| --- | --- | --- | ---: | ---: | ---: | ---: | --- |")
    for p in points:
        t = p.totals
        out.append(
            f"| `{p.commit[:12]}` | {p.branch or ''} | {_date(p.time)} | {_pct(t.line_percent)} "
            f"| {_pct(t.branch_percent)} | {_pct(t.function_percent)} | {_count(p.tests)} "
            f"| {_suite_label(p)} |"
        )
    if any(p.carried for p in points):
        out += ["", "\\* carried forward from an earlier run (files unchanged since)."]
    return "\n".join(out) + "\n"


def trend_svg(points: Sequence[TrendPoint], *, width: int = 640, height: int = 180) -> str:
    """An inline SVG line chart of line/branch/function % per commit (no script, no CDN)."""
    pad_l, pad_r, pad_t, pad_b = 40, 10, 10, 24
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    colors = {"lines": "#2b6cb0", "branches": "#b7791f", "functions": "#2f855a"}
    n = len(points)

    def x(i: int) -> float:
        return pad_l + (w * i / (n - 1) if n > 1 else w / 2)

    def y(v: float) -> float:
        return pad_t + h * (1 - v / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="covgap-trend" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        "<title>Coverage trend</title>",
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{pad_l - 4}" y="{y(tick) + 4:.1f}" font-size="10" '
            f'text-anchor="end" fill="#555">{tick}%</text>'
        )
    for name, attr in METRICS:
        pts = [
            (x(i), y(v)) for i, p in enumerate(points) if (v := getattr(p.totals, attr)) is not None
        ]
        if not pts:
            continue
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
        parts.append(
            f'<polyline fill="none" stroke="{colors[name]}" stroke-width="2" points="{path}">'
            f"<title>{name}</title></polyline>"
        )
        for i, p in enumerate(points):
            v = getattr(p.totals, attr)
            if v is None:
                continue
            label = html.escape(f"{p.commit[:12]} {name} {v:.2f} %")
            mark = "carried" if p.carried else "recorded"
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colors[name]}" '
                f'data-kind="{mark}"><title>{label}</title></circle>'
            )
    for i, (name, _attr) in enumerate(METRICS):
        parts.append(
            f'<text x="{pad_l + 8 + i * 90}" y="{height - 6}" font-size="11" '
            f'fill="{colors[name]}">■ {name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


__all__ = [
    "baseline_vs_current",
    "trend_json",
    "trend_markdown",
    "trend_svg",
    "trend_terminal",
]


def history_markdown(
    points: Sequence[TrendPoint],
    current: Counts,
    *,
    baseline: TrendPoint | None = None,
    baseline_label: str | None = None,
    limit: int = 10,
) -> str:
    """The gap document's "Coverage trend" section: recent points, this report, the delta.

    ``current`` is the coverage being reported now (recorded or not); the delta is
    taken against ``baseline`` (the stored run the baseline resolved to) when given,
    else against the oldest point shown.
    """
    shown = list(points)[-limit:]
    out = ["## Coverage Trend", ""]
    if not shown:
        return "\n".join([*out, "No runs recorded in the history store yet.", ""])
    values = [p.totals.line_percent for p in shown] + [current.line_percent]
    out.append(
        f"Line coverage over the last {len(shown)} recorded commits and now: `{sparkline(values)}`"
    )
    out.append("")
    out += ["| commit | recorded | lines | branches | functions | suites |"]
    out.append("| --- | --- | ---: | ---: | ---: | --- |")
    for p in shown:
        t = p.totals
        out.append(
            f"| `{p.commit[:12]}` | {_date(p.time)} | {_pct(t.line_percent)} | "
            f"{_pct(t.branch_percent)} | {_pct(t.function_percent)} | {_suite_label(p)} |"
        )
    out.append(
        f"| **this report** | | {_pct(current.line_percent)} | {_pct(current.branch_percent)} "
        f"| {_pct(current.function_percent)} | |"
    )
    ref = baseline or shown[0]
    label = baseline_label or f"`{ref.commit[:12]}`"
    out += [
        "",
        f"**Change since {label}**: "
        + ", ".join(
            f"{name} {_delta(getattr(ref.totals, attr), getattr(current, attr))}"
            for name, attr in METRICS
        ),
    ]
    if any(p.carried for p in shown):
        out += ["", "\\* carried forward from an earlier run (files unchanged since)."]
    return "\n".join(out) + "\n"
