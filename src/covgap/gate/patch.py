"""The ``patch`` rule: coverage of the new and changed lines against a base ref.

Only changed lines the coverage measures count; changed files with no coverage
record are named and counted neither way (unknown is not zero).
"""

from __future__ import annotations

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
    patch_for,
    ratio,
    uncovered_ranges_of,
)


def patch(inp: GateInputs) -> list[Verdict]:
    if "patch" not in inp.gates:
        return []
    patch = patch_for(inp)
    limit = exact(inp.gates["patch"])
    title = "coverage of new and changed lines"
    if patch is None:
        why = inp.diff_problem or "no diff against a base ref"
        return [
            Verdict.not_measured(
                "patch",
                title,
                limit,
                config_key="gates.patch",
                reason=why,
                explain=[f"patch coverage needs the changed lines: {why}"],
            )
        ]
    covered = sum(len(p.covered) for p in patch)
    total = sum(p.executable for p in patch)
    changed = sum(p.changed for p in patch)
    unmeasured = [p for p in patch if not p.measured]
    base = inp.diff.base if inp.diff is not None else None
    against = f" against {base[:12]}" if base else ""
    explain = [
        f"{changed:,} lines changed{against} in {len(patch):,} files; {total:,} of them "
        "executable (measured by the coverage), the rest are comments, blank lines or "
        "declarations and count nowhere"
    ]
    if unmeasured:
        names = ", ".join(p.path for p in unmeasured[:8]) + (" …" if len(unmeasured) > 8 else "")
        explain.append(
            f"{len(unmeasured)} changed files have no coverage record and are not measured "
            f"(not counted as covered or uncovered): {names}"
        )
    measured = ratio(covered, total)
    if measured is None:
        return [
            Verdict.not_measured(
                "patch",
                title,
                limit,
                config_key="gates.patch",
                reason="no changed line is executable code the coverage measures",
                explain=explain,
            )
        ]
    status = decide(measured, limit)
    v = Verdict("patch", title, status, measured, limit, config_key="gates.patch")
    explain.append(
        f"{covered:,} of {total:,} changed executable lines covered = "
        f"{format_value(measured, limit, digits=4)} %, limit ≥ {limit_text(limit)} %"
    )
    v.explain = explain
    if status is Status.FAIL:
        v.reason = f"{total - covered} of {total} changed executable lines are not covered"
        offenders = [
            Offender(
                p.path,
                tuple(uncovered_ranges_of(p.uncovered)),
                f"{len(p.uncovered)} of {p.executable} changed lines uncovered",
            )
            for p in sorted(patch, key=lambda p: (-len(p.uncovered), p.path))
            if p.uncovered
        ]
        cap_offenders(v, offenders)
    return [v]
