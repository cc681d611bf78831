"""Render gate verdicts and differential coverage for people and machines.

Terminal (rich renderables; the CLI chooses colour and destination), Markdown (the PR
comment body and the GitHub job summary) and JSON (versioned, deterministic). Every
number shown comes from the verdict's own :func:`covgap.gate.format_value`, so a
failing 79.9996 % is never displayed as "80.00 %" next to a limit of 80.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import orjson
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from covgap.analysis.diffcov import CATEGORIES, DELETED, DESCRIPTIONS, DiffCoverage
from covgap.gate import GateResult, Offender, Status, Verdict
from covgap.report._format import ranges
from covgap.report.markdown import md_escape, table

__all__ = [
    "CHECK_JSON_VERSION",
    "DIFF_JSON_VERSION",
    "check_json",
    "check_markdown",
    "check_terminal",
    "diff_json",
    "diff_markdown",
    "diff_terminal",
]

CHECK_JSON_VERSION = 1
"""Version of ``covgap check --format json``.

* 1 (covgap 0.1.0): ``ok``, ``verdicts`` (rule, title, status, measured, limit, unit,
  texts, reason, explain, offenders), ``uncovered_new_lines``, ``diff`` and
  ``diff_branches`` category totals, notes. Added since, compatibly: each verdict's
  ``option`` (the ``--fail-under-*`` that set its limit) and ``label`` (config key and
  words), ``figures`` (the measured figures when no gate is configured) and
  ``source_notes`` (where the source analysis a rule used fell back to regex or met
  syntax errors: language, kind, analyser, reason, files, found, missing, message —
  the objects ``covgap tests`` and ``covgap gaps`` write in their ``notes``).
"""

DIFF_JSON_VERSION = 1
"""Version of ``covgap diff --format json``.

* 1 (covgap 0.1.0): ``totals``/``branch_totals`` and ``files`` with per-category
  counts, lines and branch outcomes ``[line, block, branch]``.
"""

_STATUS_STYLE = {Status.PASS: "green", Status.FAIL: "bold red", Status.NOT_MEASURED: "dim"}
_STATUS_WORD = {Status.PASS: "pass", Status.FAIL: "FAIL", Status.NOT_MEASURED: "not measured"}


def _measured(v: Verdict) -> str:
    text = v.measured_text()
    if v.measured is None:
        return text
    if v.unit == "files":
        return f"{text.split('.')[0]} of {v.limit_text()}"
    return f"{text} {v.unit}" if v.unit != "%" else f"{text} %"


def _limit(v: Verdict) -> str:
    if v.limit is None:
        return "—"
    if v.unit == "files":
        return "all"
    if v.rule.startswith("critical:"):
        return f"≥ {v.limit_text()} % (baseline)"
    return f"{v.comparison()} {v.unit}" if v.unit != "%" else f"{v.comparison()} %"


def _failing(result: GateResult) -> str:
    n = len(result.failed)
    return "all gates pass" if not n else ("1 gate fails" if n == 1 else f"{n} gates fail")


def _lines_word(spans: Sequence[tuple[int, int]]) -> str:
    return "line" if len(spans) == 1 and spans[0][0] == spans[0][1] else "lines"


def _key(v: Verdict) -> str:
    return f" [{v.config_key}]" if v.config_key else ""


def _offender_line(o: Offender) -> str:
    where = f":{ranges(list(o.ranges))}" if o.ranges else ""
    return f"{o.path}{where}" + (f" — {o.note}" if o.note else "")


# -- terminal -------------------------------------------------------------------------


def check_terminal(
    result: GateResult, *, explain: bool = False, header: Sequence[str] = ()
) -> RenderableType:
    """The rule table, then each failure's files and lines, then (``explain``) the numbers."""
    parts: list[RenderableType] = [Text(line, style="dim") for line in header]
    if not result.verdicts:
        if result.figures:
            t = Table(title="Measured (no gates)", title_justify="left", show_edge=False)
            t.add_column("figure")
            t.add_column("measured", justify="right")
            for f in result.figures:
                t.add_row(f"{f.key}: {f.words}", f.text())
            parts.append(t)
        parts.append(
            Text(
                "\nno gates configured: nothing fails; add a [gates] table or "
                "--fail-under-lines/--fail-under-patch (see docs/gates.md)"
            )
        )
        parts += [Text(f"note: {note}", style="yellow") for note in result.notes]
        return Group(*parts)
    t = Table(title="Gates", title_justify="left", show_edge=False)
    t.add_column("rule")
    t.add_column("measured", justify="right")
    t.add_column("limit", justify="right")
    t.add_column("result")
    for v in result.verdicts:
        word = _STATUS_WORD[v.status]
        if v.status is Status.NOT_MEASURED and v.reason:
            word += f" ({v.reason})"
        t.add_row(v.label(), _measured(v), _limit(v), Text(word, style=_STATUS_STYLE[v.status]))
    parts.append(t)
    for v in result.failed:
        parts.append(Text(f"\n✗ {v.label()}: {v.reason}", style="bold red"))
        for o in v.offenders:
            parts.append(Text("    " + _offender_line(o)))
        if v.more_offenders:
            parts.append(Text(f"    … and {v.more_offenders} more files"))
    if explain:
        parts.append(Text("\nThe numbers behind each rule:", style="bold"))
        for v in result.verdicts:
            parts.append(Text(f"  {v.rule}{_key(v)}: {_STATUS_WORD[v.status]}"))
            for line in v.explain:
                parts.append(Text(f"      {line}"))
    for note in result.notes:
        parts.append(Text(f"note: {note}", style="yellow"))
    ok = (
        "all gates pass"
        if result.ok
        else f"{len(result.failed)} of {len(result.verdicts)} gates fail"
    )
    parts.append(Text(f"\n{ok}", style="green" if result.ok else "bold red"))
    return Group(*parts)


# -- markdown -------------------------------------------------------------------------

_MD_ICON = {
    Status.PASS: "✅ pass",
    Status.FAIL: "❌ **fail**",
    Status.NOT_MEASURED: "➖ not measured",
}


def check_markdown(
    result: GateResult,
    *,
    explain: bool = False,
    header: Sequence[str] = (),
    title: str = "covgap gates",
    max_lines: int = 50,
) -> str:
    """A PR comment / job summary: verdict table, failures, uncovered new lines, categories."""
    out = [f"## {md_escape(title)}: {_failing(result)}", ""]
    out += [f"{md_escape(h)}  " for h in header]
    if header:
        out.append("")
    rows = []
    for v in result.verdicts:
        status = _MD_ICON[v.status]
        if v.status is Status.NOT_MEASURED and v.reason:
            status += f" ({md_escape(v.reason)})"
        rows.append([md_escape(v.label()), _measured(v), md_escape(_limit(v)), status])
    if rows:
        out += table(["rule", "measured", "limit", "result"], rows, "lrrl")
    else:
        if result.figures:
            out += table(
                ["figure", "measured"],
                [[md_escape(f"{f.key}: {f.words}"), md_escape(f.text())] for f in result.figures],
                "lr",
            )
            out.append("")
        out.append("No gates configured: nothing fails.")
    for v in result.failed:
        out += ["", f"### ❌ {md_escape(v.label())}", "", md_escape(v.reason), ""]
        for o in v.offenders:
            where = f" {_lines_word(o.ranges)} {ranges(list(o.ranges))}" if o.ranges else ""
            note = f" — {md_escape(o.note)}" if o.note else ""
            out.append(f"- `{o.path.replace('`', '')}`{where}{note}")
        if v.more_offenders:
            out.append(f"- … and {v.more_offenders} more files")
    new_lines = result.uncovered_new_lines()
    if new_lines:
        out += ["", "### Uncovered new and changed lines", ""]
        for o in new_lines[:max_lines]:
            spans = list(o.ranges)
            out.append(f"- `{o.path.replace('`', '')}` {_lines_word(spans)} {ranges(spans, 20)}")
        if len(new_lines) > max_lines:
            out.append(f"- … and {len(new_lines) - max_lines} more files")
    if result.diffcov is not None:
        totals = result.diffcov.totals()
        branches = result.diffcov.branch_totals()
        present = [c for c in CATEGORIES if totals[c] or branches[c]]
        if present:
            out += ["", "### Differential coverage (lcov categories)", ""]
            out += table(
                ["category", "lines", "branches", "meaning"],
                [
                    [c, f"{totals[c]:,}", f"{branches[c]:,}", md_escape(DESCRIPTIONS[c])]
                    for c in present
                ],
                "lrrl",
            )
    if explain:
        out += ["", "<details><summary>The numbers behind each rule</summary>", ""]
        for v in result.verdicts:
            key = f" (`{v.config_key}`)" if v.config_key else ""
            out.append(f"- **{md_escape(v.rule)}**{key}: {_STATUS_WORD[v.status]}")
            out += [f"  - {md_escape(line)}" for line in v.explain]
        out += ["", "</details>"]
    for note in result.notes:
        out += ["", f"> {md_escape(note)}"]
    for source_note in result.source_notes:
        out += ["", f"> source analysis: {md_escape(source_note.message)}"]
    return "\n".join(out) + "\n"


# -- json -----------------------------------------------------------------------------


def _number(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _exact(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _offender_json(o: Offender) -> dict[str, Any]:
    return {"path": o.path, "lines": [list(r) for r in o.ranges], "note": o.note}


def check_json(result: GateResult, *, context: dict[str, Any] | None = None) -> bytes:
    """The verdicts as JSON; ``measured_exact``/``limit_exact`` are the exact fractions."""
    doc: dict[str, Any] = {
        "format": "covgap-check",
        "version": CHECK_JSON_VERSION,
        "ok": result.ok,
        "context": context or {},
        "verdicts": [
            {
                "rule": v.rule,
                "title": v.title,
                "status": v.status.value,
                "measured": _number(v.measured),
                "measured_exact": _exact(v.measured),
                "measured_text": v.measured_text(),
                "limit": _number(v.limit),
                "limit_exact": _exact(v.limit),
                "limit_text": v.limit_text(),
                "unit": v.unit,
                "higher_is_better": v.higher_is_better,
                "config_key": v.config_key,
                "option": v.option,
                "label": v.label(),
                "reason": v.reason,
                "explain": v.explain,
                "offenders": [_offender_json(o) for o in v.offenders],
                "more_offenders": v.more_offenders,
            }
            for v in result.verdicts
        ],
        "uncovered_new_lines": [_offender_json(o) for o in result.uncovered_new_lines()],
        "diff": None if result.diffcov is None else result.diffcov.totals(),
        "diff_branches": None if result.diffcov is None else result.diffcov.branch_totals(),
        "notes": result.notes,
        "source_notes": [n.as_dict() for n in result.source_notes],
        "figures": [
            {
                "key": f.key,
                "words": f.words,
                "covered": f.covered,
                "total": f.total,
                "unit": f.what,
                "measured": _number(f.measured),
                "measured_exact": _exact(f.measured),
                "reason": f.reason,
            }
            for f in result.figures
        ],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


# -- differential coverage ------------------------------------------------------------


def diff_terminal(
    dc: DiffCoverage, *, header: Sequence[str] = (), all_files: bool = False
) -> RenderableType:
    """Per-file category counts (files with changes, or all) and the total."""
    parts: list[RenderableType] = [Text(line, style="dim") for line in header]
    t = Table(title="Differential coverage (files: lines)", title_justify="left", show_edge=False)
    t.add_column("file")
    for c in CATEGORIES:
        t.add_column(c, justify="right")
    files = list(dc.files.values()) if all_files else dc.changed_files()
    for f in sorted(files, key=lambda f: f.path):
        name = f.path if f.old_path in (None, f.path) else f"{f.path} (was {f.old_path})"
        t.add_row(name, *[str(f.count(c)) if f.count(c) else "" for c in CATEGORIES])
    totals = dc.totals()
    t.add_row(Text("total lines", style="bold"), *[str(totals[c]) for c in CATEGORIES])
    branches = dc.branch_totals()
    if any(branches.values()):
        t.add_row(Text("total branches", style="bold"), *[str(branches[c]) for c in CATEGORIES])
    parts.append(t)
    parts.append(Text(""))
    for c in CATEGORIES:
        parts.append(Text(f"{c}  {DESCRIPTIONS[c]}", style="dim"))
    return Group(*parts)


def diff_markdown(dc: DiffCoverage, *, header: Sequence[str] = (), all_files: bool = False) -> str:
    out = ["## Differential coverage", ""]
    out += [f"{md_escape(h)}  " for h in header]
    if header:
        out.append("")
    files = list(dc.files.values()) if all_files else dc.changed_files()
    rows = []
    for f in sorted(files, key=lambda f: f.path):
        name = f.path if f.old_path in (None, f.path) else f"{f.path} (was {f.old_path})"
        rows.append([md_escape(name), *[str(f.count(c)) if f.count(c) else "" for c in CATEGORIES]])
    totals = dc.totals()
    rows.append(["**total lines**", *[str(totals[c]) for c in CATEGORIES]])
    branches = dc.branch_totals()
    if any(branches.values()):
        rows.append(["**total branches**", *[str(branches[c]) for c in CATEGORIES]])
    out += table(["file", *CATEGORIES], rows, "l" + "r" * len(CATEGORIES))
    out += ["", *[f"- **{c}**: {md_escape(DESCRIPTIONS[c])}" for c in CATEGORIES]]
    return "\n".join(out) + "\n"


def diff_json(dc: DiffCoverage, *, context: dict[str, Any] | None = None) -> bytes:
    """Every file's categories with their lines (deleted lines carry baseline numbers)."""
    doc = {
        "format": "covgap-diff",
        "version": DIFF_JSON_VERSION,
        "context": context or {},
        "categories": {c: DESCRIPTIONS[c] for c in CATEGORIES},
        "baseline_line_numbers": sorted(DELETED),
        "totals": dc.totals(),
        "branch_totals": dc.branch_totals(),
        "files": [
            {
                "path": f.path,
                "old_path": f.old_path,
                "status": f.status,
                "counts": f.counts(),
                "lines": {c: f.lines[c] for c in CATEGORIES if c in f.lines},
                "branch_counts": f.branch_counts(),
                "branches": {
                    c: [list(b) for b in f.branches[c]] for c in CATEGORIES if c in f.branches
                },
            }
            for f in sorted(dc.files.values(), key=lambda f: f.path)
        ],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
