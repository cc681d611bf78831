"""What a conversion keeps and loses, said exactly (``covgap convert`` and ``merge``).

A writer can only put into a file what its format holds: LCOV names a function once
per file, so two same-named functions of one file become one; Cobertura cannot hold
a branch on a line that has no line record, nor a function without a line. Instead
of trusting the writer's intent, :func:`read_back` reads the written bytes with the
format's own reader — the figures then describe the file as any consumer will read
it — and :func:`losses` compares them with the coverage that was written, naming
each difference and its cause. Nothing here prints; the CLI shows the lines.
"""

from __future__ import annotations

import io
from collections import Counter

from covgap.formats import FormatSpec
from covgap.model import Counts, CoverageSet

__all__ = ["losses", "read_back"]


def read_back(spec: FormatSpec, data: bytes, origin: str) -> CoverageSet:
    """The written document as the format's reader reads it."""
    return spec.read(io.BytesIO(data), origin)


def _pair(covered: int, total: int) -> str:
    return f"{covered:,}/{total:,}"


def _lineless_branches(cs: CoverageSet) -> int:
    """Branch outcomes on a line that has no line record (LCOV ``BRDA`` without ``DA``)."""
    n = 0
    for fc in cs.files.values():
        if not len(fc.br_line):
            continue
        lines = set(fc.lines)
        n += sum(1 for line in fc.br_line if line not in lines)
    return n


def _same_named_functions(cs: CoverageSet) -> int:
    """Functions that share their name with an earlier function of the same file."""
    n = 0
    for fc in cs.files.values():
        names = Counter(f.name for f in fc.functions)
        n += sum(count - 1 for count in names.values() if count > 1)
    return n


def _functions_at_line_zero(cs: CoverageSet) -> int:
    return sum(1 for fc in cs.files.values() for f in fc.functions if f.start_line == 0)


def _files_without_lines(cs: CoverageSet) -> int:
    return sum(1 for fc in cs.files.values() if not len(fc.lines))


def losses(before: CoverageSet, after: CoverageSet, spec: FormatSpec) -> list[str]:
    """Describe, one line each, how ``after`` (the written file) differs from ``before``.

    Count differences are stated with both figures and the cause covgap can name
    from the data; what a format never holds (flags, end lines...) is stated from
    ``spec.loses`` whenever the input had it.
    """
    out: list[str] = []
    if len(after.files) != len(before.files):
        why = ""
        if spec.name == "lcov" and _files_without_lines(before):
            why = " (LCOV readers drop a file without DA: lines)"
        out.append(
            f"the {spec.name} output holds {len(after.files):,} of the "
            f"{len(before.files):,} files read{why}"
        )
    b, a = before.totals(), after.totals()
    kinds: list[tuple[str, tuple[int, int], tuple[int, int], list[str]]] = []
    causes: list[str] = []
    if spec.name == "cobertura":
        lineless = _lineless_branches(before)
        if lineless:
            causes.append(
                f"{lineless:,} branch outcome(s) on lines without a line record are left "
                "out (a Cobertura branch belongs to a <line>, and covgap adds no line)"
            )
    kinds.append(("lines", _lines(b), _lines(a), []))
    kinds.append(("branches", _branches(b), _branches(a), causes))
    fn_causes: list[str] = []
    if spec.name == "lcov":
        same = _same_named_functions(before)
        if same:
            fn_causes.append(
                f"{same:,} function(s) share a name with another of their file and are "
                "merged into it (LCOV identifies a function by its name in a file)"
            )
    if spec.name == "cobertura":
        zero = _functions_at_line_zero(before)
        if zero:
            fn_causes.append(
                f"{zero:,} function(s) at line 0 have no line to put their <method> on"
            )
    kinds.append(("functions", _functions(b), _functions(a), fn_causes))
    for kind, was, now, reasons in kinds:
        if was == now:
            continue
        text = f"the {spec.name} output holds {kind} {_pair(*now)} of the {_pair(*was)} read"
        if reasons:
            text += f": {'; '.join(reasons)}"
        out.append(text)
    if spec.loses and _has_what_is_lost(before, spec):
        out.append(f"{spec.title} cannot hold {spec.loses}; the output has none")
    return out


def _has_what_is_lost(cs: CoverageSet, spec: FormatSpec) -> bool:
    """Whether the input holds anything the format's ``loses`` names (else say nothing)."""
    if spec.name == "cobertura":
        return any(
            len(fc.br_line) or any(f.end_line is not None for f in fc.functions)
            for fc in cs.files.values()
        )
    return True


def _lines(c: Counts) -> tuple[int, int]:
    return c.lines_covered, c.lines_total


def _branches(c: Counts) -> tuple[int, int]:
    return c.branches_covered, c.branches_total


def _functions(c: Counts) -> tuple[int, int]:
    return c.functions_covered, c.functions_total
