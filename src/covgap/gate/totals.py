"""Minimums on levels: overall and per-component line/branch/function, and per file.

``line``/``branch``/``function`` compare the whole run's ratio with the limit; a
component ``target`` does the same on the files the component owns; ``file_line``
holds every measured file to a floor. A failing rule lists the files with the most
misses, with the lines responsible.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

from covgap.gate.verdict import (
    GateInputs,
    Offender,
    Status,
    Verdict,
    cap_offenders,
    decide,
    exact,
    format_value,
    limit_text,
    ratio,
    uncovered_ranges_of,
)
from covgap.model import Counts, CoverageSet

_METRICS = {
    "line": ("lines", "line coverage", "executable lines covered"),
    "branch": ("branches", "branch coverage", "branch outcomes taken"),
    "function": ("functions", "function coverage", "functions run"),
}


def _metric_offenders(cs: CoverageSet, paths: Iterable[str], metric: str) -> list[Offender]:
    """Files with the most misses for ``metric``, with the lines of the misses."""
    scored: list[tuple[int, str, Offender]] = []
    for path in paths:
        fc = cs.files[path]
        c = fc.counts()
        if metric == "line":
            missed = c.lines_missed
            ranges = tuple(fc.uncovered_ranges())
            note = f"{missed} uncovered of {c.lines_total} lines"
        elif metric == "branch":
            missed = c.branches_missed
            lines = sorted({b.line for b in fc.branches() if not b.taken})
            ranges = tuple(uncovered_ranges_of(lines))
            note = f"{missed} untaken of {c.branches_total} branch outcomes"
        else:
            missed = c.functions_missed
            never = [f for f in fc.functions if f.hits == 0]
            ranges = tuple((f.start_line, f.start_line) for f in never)
            names = ", ".join(f.name for f in never[:5]) + (" …" if len(never) > 5 else "")
            note = f"{missed} of {c.functions_total} functions never ran: {names}"
        if missed:
            scored.append((missed, path, Offender(path, ranges, note)))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [o for _, _, o in scored]


def _metric_verdict(
    rule: str,
    title: str,
    counts: Counts,
    limit: Fraction,
    config_key: str,
    cs: CoverageSet,
    paths: Sequence[str],
    metric: str,
) -> Verdict:
    attr, label, what = _METRICS[metric]
    covered = getattr(counts, f"{attr}_covered")
    total = getattr(counts, f"{attr}_total")
    measured = ratio(covered, total)
    if measured is None:
        return Verdict.not_measured(
            rule,
            title,
            limit,
            config_key=config_key,
            reason=f"no {attr} measured ({label} needs data the inputs do not carry)",
            explain=[f"0 {attr} in {len(paths)} files: nothing to compare with the limit"],
        )
    status = decide(measured, limit)
    v = Verdict(rule, title, status, measured, limit, config_key=config_key)
    v.explain = [
        f"{covered:,} of {total:,} {what} in {len(paths):,} files = "
        f"{format_value(measured, limit, digits=4)} % (exactly {covered}/{total}·100), "
        f"limit ≥ {limit_text(limit)} %"
    ]
    if status is Status.FAIL:
        need = math.ceil(limit * total / 100) - covered
        v.reason = f"{label} {v.measured_text()} % is below {limit_text(limit)} %"
        v.explain.append(f"{need:,} more of the {attr} would need to be covered to pass")
        cap_offenders(v, _metric_offenders(cs, paths, metric))
    return v


def overall(inp: GateInputs) -> list[Verdict]:
    out = []
    cs = inp.coverage
    paths = sorted(cs.files)
    totals = cs.totals()
    for metric in ("line", "branch", "function"):
        if metric in inp.gates:
            out.append(
                _metric_verdict(
                    metric,
                    f"overall {_METRICS[metric][1]}",
                    totals,
                    exact(inp.gates[metric]),
                    f"gates.{metric}",
                    cs,
                    paths,
                    metric,
                )
            )
    return out


def components(inp: GateInputs) -> list[Verdict]:
    out = []
    members: dict[str, list[str]] = {}
    for path in sorted(inp.coverage.files):
        comp = inp.workspace.component_of(path)
        if comp is not None:
            members.setdefault(comp.name, []).append(path)
    for comp in inp.workspace.components:
        if comp.target is None:
            continue
        paths = members.get(comp.name, [])
        counts = sum((inp.coverage.files[p].counts() for p in paths), Counts())
        for metric in ("line", "branch", "function"):
            limit = getattr(comp.target, metric)
            if limit is None:
                continue
            out.append(
                _metric_verdict(
                    f"component:{comp.name}:{metric}",
                    f"{comp.name} {_METRICS[metric][1]}",
                    counts,
                    exact(limit),
                    f"components.{comp.name}.target",
                    inp.coverage,
                    paths,
                    metric,
                )
            )
    return out


def file_line(inp: GateInputs) -> list[Verdict]:
    if "file_line" not in inp.gates:
        return []
    limit = exact(inp.gates["file_line"])
    title = "line coverage of every file"
    measured_files = [
        (fc.counts(), path)
        for path, fc in sorted(inp.coverage.files.items())
        if fc.counts().lines_total
    ]
    skipped = len(inp.coverage.files) - len(measured_files)
    if not measured_files:
        return [
            Verdict.not_measured(
                "file_line",
                title,
                limit,
                config_key="gates.file_line",
                reason="no file has executable lines",
            )
        ]
    below: list[tuple[Fraction, str, Counts]] = []
    lowest: Fraction | None = None
    for c, path in measured_files:
        pct = Fraction(100 * c.lines_covered, c.lines_total)
        lowest = pct if lowest is None else min(lowest, pct)
        if pct < limit:
            below.append((pct, path, c))
    assert lowest is not None
    status = Status.FAIL if below else Status.PASS
    v = Verdict("file_line", title, status, lowest, limit, config_key="gates.file_line")
    v.explain = [
        f"{len(measured_files):,} files with executable lines ({skipped} without are not "
        f"measured); lowest {format_value(lowest, limit, digits=4)} %, "
        f"{len(below)} below {limit_text(limit)} %"
    ]
    if below:
        v.reason = f"{len(below)} files are below {limit_text(limit)} % line coverage"
        below.sort(key=lambda t: (t[0], t[1]))
        cap_offenders(
            v,
            [
                Offender(
                    path,
                    tuple(inp.coverage.files[path].uncovered_ranges()),
                    f"{format_value(pct, limit)} % ({c.lines_covered}/{c.lines_total})",
                )
                for pct, path, c in below
            ],
        )
    return [v]
