"""Wire the stages together: inputs → read → merge → map onto the repository.

``load()`` is what every command that consumes coverage calls; it is a plain library
function (no printing) so commands, tests and other tools share one path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from covgap.config import Config
from covgap.errors import CovgapError, InputError
from covgap.formats import ReadContext, read_report
from covgap.formats._coveragepy_arcs import merged_unresolved_note
from covgap.model import Counts, CoverageSet
from covgap.paths import MappingResult, UnmappedGroup, map_paths
from covgap.workspace import Workspace

_FLAG_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*)=(.+)$")


@dataclass(frozen=True)
class InputSpec:
    """One input on the command line: a report path, optionally labelled with a suite."""

    path: Path
    flag: str | None = None

    @classmethod
    def parse(cls, arg: str) -> InputSpec:
        """Parse ``PATH`` or ``FLAG=PATH``; an existing file named ``a=b`` stays a path."""
        match = _FLAG_RE.match(arg)
        if match and not Path(arg).exists():
            return cls(Path(match.group(2)), match.group(1))
        return cls(Path(arg))

    def __str__(self) -> str:
        return f"{self.flag}={self.path}" if self.flag else str(self.path)


@dataclass
class Loaded:
    """The merged coverage of a repository and everything said about how it was got."""

    coverage: CoverageSet
    workspace: Workspace
    config: Config
    inputs: list[InputSpec]
    discovered: bool = False
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unmapped: list[UnmappedGroup] = field(default_factory=list)
    mapping: MappingResult | None = None
    flag_totals: dict[str, Counts] = field(default_factory=dict)
    """Each suite's own totals, from its reports alone (before merging with others)."""

    @property
    def unmapped_paths(self) -> list[str]:
        return [p for group in self.unmapped for p in group.paths]


@dataclass
class ReadResult:
    """The merged inputs, what was skipped, and each suite's own totals."""

    coverage: CoverageSet
    skipped: list[tuple[str, str]]
    flag_totals: dict[str, Counts]


def read_inputs(
    inputs: Sequence[InputSpec],
    *,
    skip_invalid: bool = False,
    format_name: str | None = None,
    progress: Callable[[int], None] | None = None,
    context: ReadContext | None = None,
    skip_empty: bool = False,
) -> ReadResult:
    """Read and merge every input.

    Per-flag totals are computed from each suite's own reports merged together, so a
    suite's percentage is what its own tool would say, not diluted by lines only other
    suites measured. ``skip_empty`` lists an input that reads as a report of no files
    with the skipped ones: for ``covgap run``, where such a report (c8's ``{}`` when the
    tests never started node) means a component measured nothing, which a total must
    not pass over in silence.
    """
    sets: list[CoverageSet] = []
    by_flag: dict[str, list[CoverageSet]] = {}
    skipped: list[tuple[str, str]] = []
    for spec in inputs:
        try:
            cs = read_report(
                spec.path,
                format_name=format_name,
                flag=spec.flag,
                progress=progress,
                context=context,
            )
        except CovgapError as exc:
            if not skip_invalid:
                raise
            skipped.append((str(spec.path), str(exc)))
            continue
        if skip_empty and not cs.files:
            skipped.append((str(spec.path), f"{spec.path}: the report lists no files"))
            continue
        note = branch_note(spec, cs)
        if note is not None:
            cs.notes = (*cs.notes, note)
        sets.append(cs)
        if spec.flag:
            by_flag.setdefault(spec.flag, []).append(cs)
    if inputs and not sets:
        raise InputError("none of the inputs could be read: " + "; ".join(w for _, w in skipped))
    note = merged_unresolved_note(sets)
    if note is not None:
        sets[-1].notes = (*sets[-1].notes, note)
    flag_totals = {
        flag: (group[0] if len(group) == 1 else CoverageSet.merge_all(group)).totals()
        for flag, group in by_flag.items()
    }
    return ReadResult(CoverageSet.merge_all(sets), skipped, flag_totals)


_NO_BRANCHES = {
    "gocover": "Go coverprofiles carry none",
}
"""Formats that cannot carry branch outcomes at all, and how to say so."""

_BRANCH_HINTS = {
    "llvm-json": "measured without branch coverage? `cargo llvm-cov --branch` records it",
    "coveragepy-json": "measured without branch coverage? `coverage run --branch` records it",
    "coveragepy-data": "measured without branch coverage? `coverage run --branch` records it",
    "simplecov": "measured without branch coverage? `enable_coverage :branch` records it",
}
"""Formats that can carry branches: how their producer is asked to record them."""


def branch_note(spec: InputSpec, cs: CoverageSet) -> str | None:
    """A note when an input with lines has no branch data (issue 10: never silent).

    Branch totals then count only the other inputs' files: a merged branch percentage
    must not pass for the whole repository's. Go coverprofiles cannot hold branches;
    any other format can, so its report was written without them (coverage.py without
    ``--branch``, SimpleCov without ``enable_coverage :branch``, llvm-cov without
    ``--show-branch-summary``/branch export...) or its producer kept no per-line record
    of the branches it counted (istanbul's Cobertura: a real report declared
    ``branches-valid="6"`` with no branch on any line).
    """
    # The first file with branches answers it; no totals of the whole input (a shard
    # of 10,000 files would count every line for this one question).
    has_lines = False
    for fc in cs.files.values():
        if len(fc.br_line):
            return None
        has_lines = has_lines or len(fc.lines) > 0
    if not has_lines:
        return None
    formats = {i.format for i in cs.inputs}
    why = next((_NO_BRANCHES[f] for f in sorted(formats) if f in _NO_BRANCHES), None)
    hint = next((_BRANCH_HINTS[f] for f in sorted(formats) if f in _BRANCH_HINTS), None)
    # Not "written without branch coverage": a producer may declare branches it kept no
    # per-line record of (istanbul's Cobertura drops those on lines without a statement;
    # its header still counts them, and the reader's totals note says so).
    why = cs.branches_unknown or why or hint or "the report has no per-line branch records"
    files = len(cs.files)
    return (
        f"{spec.path}: no branch data ({why}); branch coverage is not measured for its "
        f"{files:,} file{'s' if files != 1 else ''}"
    )


def load(
    inputs: Sequence[InputSpec],
    workspace: Workspace,
    config: Config,
    *,
    skip_invalid: bool = False,
    format_name: str | None = None,
    progress: Callable[[int], None] | None = None,
    map_onto_repo: bool = True,
    include_external: bool = False,
    skip_empty: bool = False,
) -> Loaded:
    """Read, merge and map the inputs onto ``workspace``.

    With no inputs, the repository is searched for the usual coverage outputs
    (:func:`covgap.discovery.discover_reports`); finding none is an error that says
    where covgap looked. Files outside the repository that nothing maps are left
    out (one note names them) unless ``include_external`` or the config's
    ``[paths] include_external`` says to count them. ``skip_empty``: see
    :func:`read_inputs`.
    """
    discovered = False
    specs = list(inputs)
    if not specs:
        from covgap.discovery import discover_reports

        specs = [InputSpec(p) for p in discover_reports(workspace.root)]
        discovered = True
        if not specs:
            raise InputError(
                f"no coverage reports given and none found under {workspace.root} "
                "(looked for lcov.info, coverage.xml, coverage.json, .resultset.json, "
                "coverage-final.json, llvm-cov JSON, ...); pass report files as arguments"
            )
    context = ReadContext(workspace.root, tuple((f.from_, f.to) for f in config.path_fixes))
    read = read_inputs(
        specs,
        skip_invalid=skip_invalid,
        format_name=format_name,
        progress=progress,
        context=context,
        skip_empty=skip_empty,
    )
    coverage = read.coverage
    result = Loaded(coverage, workspace, config, specs, discovered, read.skipped)
    result.flag_totals = read.flag_totals
    if map_onto_repo:
        mapping = map_paths(
            coverage,
            workspace,
            config.path_fixes,
            include_external=include_external or config.include_external,
        )
        note = mapping.external_note()
        if note is not None:
            mapping.coverage.notes = (*mapping.coverage.notes, note)
        result.coverage = mapping.coverage
        result.unmapped = mapping.unmapped
        result.mapping = mapping
    if config.path_ignore or config.path_include:
        ignored = [p for p in result.coverage.files if workspace.is_ignored(p)]
        result.coverage = result.coverage.without(ignored)
    return result


__all__ = ["InputSpec", "Loaded", "ReadResult", "load", "read_inputs"]
