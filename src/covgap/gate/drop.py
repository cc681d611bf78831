"""Rules against a baseline: ``max_drop`` (overall) and ``critical`` (per glob/component).

Both compare today's coverage with a previous covgap JSON report; renamed files
are compared with their old path's baseline and deleted files are left out (a
critical glob compares the code that still exists).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction

from covgap.gate.verdict import (
    GateInputs,
    Offender,
    Status,
    Verdict,
    cap_offenders,
    decide,
    diffcov_for,
    exact,
    format_value,
    glob_spec,
    limit_text,
    ratio,
    uncovered_ranges_of,
)
from covgap.model import Counts


def _baseline_counts_by_current_path(inp: GateInputs) -> dict[str, Counts]:
    """The baseline's per-file counts, keyed by today's path.

    Renames are followed, and files the diff deleted are left out: a critical glob
    compares the code that still exists, so deleting a well-covered file is not a
    coverage loss of the files that remain.
    """
    assert inp.baseline is not None
    renames = inp.diff.renames() if inp.diff is not None else {}
    deleted = (
        {fd.old_path for fd in inp.diff.files.values() if fd.status == "D"}
        if inp.diff is not None
        else set()
    )
    out: dict[str, Counts] = {}
    for path, counts in inp.baseline.files.items():
        if path in deleted:
            continue
        key = renames.get(path, path)
        out[key] = out.get(key, Counts()) + counts
    return out


def _drop_offenders(
    inp: GateInputs, paths: Iterable[str], base: dict[str, Counts]
) -> list[Offender]:
    """Files whose line coverage fell, with their LBC and UNC lines when known."""
    diffcov = diffcov_for(inp)
    scored: list[tuple[Fraction, str, Offender]] = []
    for path in paths:
        before = base.get(path)
        fc = inp.coverage.files.get(path)
        if before is None or fc is None:
            continue
        b = ratio(before.lines_covered, before.lines_total)
        a = ratio(fc.counts().lines_covered, fc.counts().lines_total)
        if b is None or a is None or a >= b:
            continue
        ranges: tuple[tuple[int, int], ...] = ()
        note = f"{format_value(b)} % → {format_value(a, b)} %"
        if diffcov is not None and path in diffcov.files:
            fd = diffcov.files[path]
            lost = fd.lines.get("LBC", []) + fd.lines.get("UNC", [])
            ranges = tuple(uncovered_ranges_of(sorted(lost)))
            note += (
                f" ({fd.count('LBC')} lines lost coverage, {fd.count('UNC')} new lines uncovered)"
            )
        else:
            ranges = tuple(fc.uncovered_ranges())
        scored.append((a - b, path, Offender(path, ranges, note)))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [o for _, _, o in scored]


def _no_baseline(rule: str, title: str, limit: Fraction, key: str, hib: bool = True) -> Verdict:
    why = "no --baseline given"
    return Verdict.not_measured(
        rule,
        title,
        limit,
        unit="points" if not hib else "%",
        higher_is_better=hib,
        config_key=key,
        reason=why,
        explain=[
            f"{title} compares with a baseline, a previous covgap JSON report given "
            "with --baseline FILE; none was given"
        ],
    )


def max_drop(inp: GateInputs) -> list[Verdict]:
    if "max_drop" not in inp.gates:
        return []
    limit = exact(inp.gates["max_drop"])
    title = "overall line coverage drop versus the baseline"
    if inp.baseline is None:
        return [_no_baseline("max_drop", title, limit, "gates.max_drop", hib=False)]
    before = inp.baseline.summary
    after = inp.coverage.totals()
    b = ratio(before.lines_covered, before.lines_total)
    a = ratio(after.lines_covered, after.lines_total)
    if a is None or b is None:
        side = "baseline" if b is None else "current coverage"
        return [
            Verdict.not_measured(
                "max_drop",
                title,
                limit,
                unit="points",
                higher_is_better=False,
                config_key="gates.max_drop",
                reason=f"the {side} has no executable lines",
            )
        ]
    drop = b - a
    status = decide(drop, limit, higher_is_better=False)
    v = Verdict(
        "max_drop",
        title,
        status,
        drop,
        limit,
        unit="points",
        higher_is_better=False,
        config_key="gates.max_drop",
    )
    v.explain = [
        f"baseline {inp.baseline.origin}: {before.lines_covered:,}/{before.lines_total:,} = "
        f"{format_value(b, digits=4)} %",
        f"now: {after.lines_covered:,}/{after.lines_total:,} = {format_value(a, digits=4)} %",
        f"drop = {format_value(drop, limit, higher_is_better=False, digits=4)} points "
        f"(negative is a gain), limit ≤ {limit_text(limit)} points",
    ]
    if status is Status.FAIL:
        v.reason = f"line coverage fell {v.measured_text()} points, more than {limit_text(limit)}"
        cap_offenders(
            v,
            _drop_offenders(inp, sorted(inp.coverage.files), _baseline_counts_by_current_path(inp)),
        )
    return [v]


def critical(inp: GateInputs) -> list[Verdict]:
    groups: list[tuple[str, str, Callable[[str], bool], str]] = []
    for glob in inp.gates.get("critical", []):
        spec = glob_spec([glob])
        groups.append(
            (f"critical:{glob}", f"critical paths {glob}", spec.match_file, "gates.critical")
        )
    for comp in inp.workspace.components:
        if comp.critical:
            name = comp.name

            def owned(path: str, name: str = name) -> bool:
                c = inp.workspace.component_of(path)
                return c is not None and c.name == name

            groups.append(
                (
                    f"critical:component:{name}",
                    f"critical component {name}",
                    owned,
                    f"components.{name}.critical",
                )
            )
    out: list[Verdict] = []
    if not groups:
        return out
    base = _baseline_counts_by_current_path(inp) if inp.baseline is not None else {}
    for rule, title, match, key in groups:
        title_full = f"{title} may not lose coverage"
        if inp.baseline is None:
            v = _no_baseline(rule, title_full, Fraction(0), key)
            v.limit = None
            out.append(v)
            continue
        now_paths = [p for p in sorted(inp.coverage.files) if match(p)]
        then_paths = [p for p in sorted(base) if match(p)]
        now = sum((inp.coverage.files[p].counts() for p in now_paths), Counts())
        then = sum((base[p] for p in then_paths), Counts())
        a = ratio(now.lines_covered, now.lines_total)
        b = ratio(then.lines_covered, then.lines_total)
        explain = [
            f"baseline: {then.lines_covered:,}/{then.lines_total:,} lines "
            f"in {len(then_paths)} files"
            + (f" = {format_value(b, digits=4)} %" if b is not None else ""),
            f"now: {now.lines_covered:,}/{now.lines_total:,} lines in {len(now_paths)} files"
            + (f" = {format_value(a, b, digits=4)} %" if a is not None else ""),
        ]
        if a is None or b is None:
            side = "the baseline" if b is None else "the current coverage"
            out.append(
                Verdict(
                    rule,
                    title_full,
                    Status.NOT_MEASURED,
                    a,
                    b,
                    config_key=key,
                    reason=f"no line of these paths in {side}",
                    explain=explain,
                )
            )
            continue
        status = decide(a, b)
        v = Verdict(rule, title_full, status, a, b, config_key=key, explain=explain)
        if status is Status.FAIL:
            v.reason = f"coverage of {title} fell from {format_value(b)} % to {v.measured_text()} %"
            cap_offenders(v, _drop_offenders(inp, now_paths, base))
        out.append(v)
    return out
