"""What a conversion keeps and loses, said exactly (``covgap convert`` and ``merge``).

A writer can only put into a file what its format holds: LCOV names a function once
per file, so two same-named functions of one file become one; Cobertura cannot hold
a branch on a line that has no line record, nor a function without a line. Instead
of trusting the writer's intent, :func:`read_back` reads the written bytes with the
format's own reader — the figures then describe the file as any consumer will read
it — and :func:`losses` compares them with the coverage that was written, naming
each difference and its cause. Nothing here prints; the CLI shows the lines.

LCOV is the exception, for speed (issue 14: reading a merged 69 MB tracefile back was a
third of ``covgap merge``'s time): what its writer keeps is known exactly — every line
and branch, functions merged by name, files without lines dropped by the reader — so
:func:`written` computes the read-back's file count and totals from the coverage
(:func:`lcov_summary`). A property test (``tests/unit/test_roundtrip_properties.py``)
checks on generated coverage, any path and flags included, that they equal what
reading the written bytes gives; a writer that started losing data fails it.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, replace

from covgap.formats import FormatSpec
from covgap.model import Counts, CoverageSet

__all__ = ["Written", "lcov_summary", "losses", "read_back", "written"]


@dataclass(frozen=True)
class Written:
    """What a consumer reading the written file finds: how many files, what totals."""

    files: int
    totals: Counts


def read_back(spec: FormatSpec, data: bytes, origin: str) -> CoverageSet:
    """The written document as the format's reader reads it."""
    return spec.read(io.BytesIO(data), origin)


def lcov_summary(cs: CoverageSet) -> Written:
    """The files and totals LCOV's reader finds in what the LCOV writer makes of ``cs``.

    Lines and branches are written as they are; LCOV identifies a function by its name
    within a file, so same-named functions count once (covered when any of them ran);
    a file without ``DA:`` lines is left out on reading, as ``lcov --summary`` does.
    """
    files = 0
    totals = Counts()
    for fc in cs.files.values():
        if not len(fc.lines):
            continue
        files += 1
        c = fc.counts()
        names = {f.name for f in fc.functions}
        if len(names) != len(fc.functions):
            covered = {f.name for f in fc.functions if f.hits > 0}
            c = replace(c, functions_total=len(names), functions_covered=len(covered))
        totals += c
    return Written(files, totals)


def written(spec: FormatSpec, before: CoverageSet, data: bytes, origin: str) -> Written:
    """The written file's count of files and totals, as its format's reader reads them.

    covgap's JSON holds the whole model (its reader checks the totals it declares);
    LCOV's are computed exactly by :func:`lcov_summary`; any other format is read back.
    """
    if spec.name == "covgap":
        return Written(len(before.files), before.totals())
    if spec.name == "lcov":
        return lcov_summary(before)
    back = read_back(spec, data, origin)
    return Written(len(back.files), back.totals())


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


def losses(before: CoverageSet, after: Written, spec: FormatSpec) -> list[str]:
    """Describe, one line each, how ``after`` (the written file) differs from ``before``.

    Count differences are stated with both figures and the cause covgap can name
    from the data; what a format never holds (flags, end lines...) is stated from
    ``spec.loses`` whenever the input had it.
    """
    out: list[str] = []
    if after.files != len(before.files):
        why = ""
        if spec.name == "lcov" and _files_without_lines(before):
            why = " (LCOV readers drop a file without DA: lines)"
        out.append(
            f"the {spec.name} output holds {after.files:,} of the "
            f"{len(before.files):,} files read{why}"
        )
    b, a = before.totals(), after.totals
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
