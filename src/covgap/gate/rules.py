"""The one registry of gate rules, in the order reports list them, and :func:`evaluate`.

Each :class:`Rule` names the config keys it reads and says in words what it gates;
its ``check`` returns no verdict when the rule is not configured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from covgap.gate import drop, new_files, patch, totals
from covgap.gate.verdict import (
    Figure,
    GateInputs,
    GateResult,
    Verdict,
    diffcov_for,
    patch_for,
)


@dataclass(frozen=True)
class Rule:
    """One family of verdicts: its name, config keys, words, and how to decide it."""

    name: str
    keys: tuple[str, ...]
    words: str
    check: Callable[[GateInputs], list[Verdict]]


RULES: tuple[Rule, ...] = (
    Rule(
        "overall",
        ("gates.line", "gates.branch", "gates.function"),
        "line, branch and function coverage of the whole run",
        totals.overall,
    ),
    Rule(
        "component",
        ("components.<name>.target",),
        "a component's own line, branch and function coverage",
        totals.components,
    ),
    Rule("patch", ("gates.patch",), "coverage of new and changed lines", patch.patch),
    Rule(
        "max_drop",
        ("gates.max_drop",),
        "overall line coverage drop versus the baseline",
        drop.max_drop,
    ),
    Rule(
        "critical",
        ("gates.critical", "components.<name>.critical"),
        "critical paths may not lose coverage",
        drop.critical,
    ),
    Rule("file_line", ("gates.file_line",), "line coverage of every file", totals.file_line),
    Rule(
        "new_files_need_tests",
        ("gates.new_files_need_tests",),
        "new source files have tests",
        new_files.new_files,
    ),
)


def evaluate(inp: GateInputs) -> GateResult:
    """Evaluate every configured rule, in a fixed order, and keep what they used.

    The source index is built at most once, and only if a rule asks for it; when it
    was, its fallbacks and syntax errors become the result's ``source_notes``.
    """
    built: list[Any] = []
    build = inp.source_index
    if build is not None:

        def once() -> Any:
            if not built:
                built.append(build())
            return built[0]

        inp.source_index = once
    try:
        verdicts = [v for rule in RULES for v in rule.check(inp)]
    finally:
        inp.source_index = build
    source_notes: list[Any] = []
    if built:
        from covgap.source.notes import analysis_notes

        source_notes = list(analysis_notes(built[0]))
    shown = [] if verdicts else figures(inp)
    notes = list(inp.base.notes) if inp.base is not None else []
    detailed = inp.baseline is not None and inp.baseline.coverage is not None
    if detailed and inp.diff is None and inp.diff_problem is not None:
        notes.append(
            "differential categories (LBC, GBC, ...) are not computed: the changed "
            f"lines are unknown ({inp.diff_problem})"
        )
    if inp.baseline is not None and inp.baseline.coverage is None:
        notes.append(
            f"baseline {inp.baseline.origin} has totals only (no per-line detail): max_drop "
            "and critical compare totals; differential categories (LBC, GBC, ...) need a "
            "baseline written with `covgap report --format json --detail`"
        )
    return GateResult(verdicts, patch_for(inp), diffcov_for(inp), notes, shown, source_notes)


def figures(inp: GateInputs) -> list[Figure]:
    """What ``check`` shows with no gate configured: overall and patch coverage.

    Patch coverage is the changed executable lines covered, against the diff's base;
    without a diff it says why it is not measured.
    """
    totals = inp.coverage.totals()
    out = [
        Figure("line", "overall line coverage", totals.lines_covered, totals.lines_total, "lines"),
        Figure(
            "branch",
            "overall branch coverage",
            totals.branches_covered,
            totals.branches_total,
            "branch outcomes",
            "" if totals.branches_total else "the inputs carry no branch data",
        ),
        Figure(
            "function",
            "overall function coverage",
            totals.functions_covered,
            totals.functions_total,
            "functions",
            "" if totals.functions_total else "the inputs carry no function data",
        ),
    ]
    patch = patch_for(inp)
    words = "coverage of new and changed lines"
    if patch is None:
        why = inp.diff_problem or "no diff against a base ref"
        out.append(Figure("patch", words, 0, 0, "changed lines", why))
    else:
        covered = sum(len(p.covered) for p in patch)
        total = sum(p.executable for p in patch)
        why = "" if total else "no changed line is executable code the coverage measures"
        base = inp.diff.base[:12] if inp.diff is not None and inp.diff.base else ""
        against = f" against {base}" if base else ""
        out.append(Figure("patch", words + against, covered, total, "changed lines", why))
    return out
