"""The trend in the HTML report: one partial (``report/templates/html/_trend.html.j2``).

The report's own renderer stays unaware of the store: after it has written
``index.html``, :func:`add_trend_section` inserts the section right after ``<main>``.
Everything is inline (an SVG chart, a table): the report stays one offline folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from covgap.history.render import METRICS, _date, _delta, _pct, _suite_label, trend_svg
from covgap.history.trend import TrendPoint
from covgap.model import Counts

ANCHOR = "<main>"


def render_trend_section(
    points: Sequence[TrendPoint],
    current: Counts,
    *,
    baseline: TrendPoint | None = None,
    baseline_label: str | None = None,
    limit: int = 30,
) -> str:
    import jinja2

    shown = list(points)[-limit:]
    template_text = (
        resources.files("covgap") / "report" / "templates" / "html" / "_trend.html.j2"
    ).read_text(encoding="utf-8")
    template = jinja2.Environment(autoescape=True).from_string(template_text)
    ref = baseline or (shown[0] if shown else None)
    delta = (
        ", ".join(
            f"{name} {_delta(getattr(ref.totals, attr), getattr(current, attr))}"
            for name, attr in METRICS
        )
        if ref
        else "n/a (nothing recorded yet)"
    )
    return template.render(
        svg=trend_svg(shown) if shown else "",
        points=[
            {
                "commit": p.commit[:12],
                "when": _date(p.time),
                "lines": _pct(p.totals.line_percent),
                "branches": _pct(p.totals.branch_percent),
                "functions": _pct(p.totals.function_percent),
                "suites": _suite_label(p),
                "carried": bool(p.carried),
            }
            for p in shown
        ],
        current={
            "lines": _pct(current.line_percent),
            "branches": _pct(current.branch_percent),
            "functions": _pct(current.function_percent),
        },
        baseline_label=baseline_label or (ref.commit[:12] if ref else "the first run"),
        delta=delta,
        any_carried=any(p.carried for p in shown),
    )


def add_trend_section(index: Path, section: str) -> bool:
    """Insert ``section`` into the report's ``index.html`` after ``<main>``.

    Returns False (and changes nothing) when the page has no ``<main>`` to anchor on.
    """
    page = index.read_text(encoding="utf-8")
    at = page.find(ANCHOR)
    if at < 0:
        return False
    at += len(ANCHOR)
    index.write_text(page[:at] + "\n" + section + page[at:], encoding="utf-8")
    return True


__all__ = ["add_trend_section", "render_trend_section"]
