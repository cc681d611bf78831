"""Differential coverage: how each line's coverage changed between a baseline and now.

The categories are lcov 2.x's (genhtml(1), "differential coverage"; the idea is from
Henry Cox's paper, https://arxiv.org/abs/2008.07947). Every line is put in exactly one
of twelve, from where it was in the baseline (``+`` not there: new code; ``#`` there
but not executable / not measured; ``0``/``1`` executable and uncovered/covered) and
where it is now (``-`` deleted, ``#``, ``0``, ``1``)::

    UNC  + => 0   Uncovered New Code         new code that no test runs
    GNC  + => 1   Gained New Coverage        new code that a test runs
    UIC  # => 0   Uncovered Included Code    code the baseline did not measure, uncovered now
    GIC  # => 1   Gained Included Coverage   code the baseline did not measure, covered now
    UBC  0 => 0   Uncovered Baseline Code    unchanged, uncovered before and now
    LBC  1 => 0   Lost Baseline Coverage     unchanged, covered before, not now: a regression
    GBC  0 => 1   Gained Baseline Coverage   unchanged, covered now but not before
    CBC  1 => 1   Covered Baseline Code      unchanged, covered before and now
    EUB  0 => #   Excluded Uncovered Baseline  uncovered line that is no longer measured
    ECB  1 => #   Excluded Covered Baseline    covered line that is no longer measured
    DUB  0 => -   Deleted Uncovered Baseline   uncovered line that was deleted
    DCB  1 => -   Deleted Covered Baseline     covered line that was deleted

Which baseline line a current line *is* comes from the git diff between the baseline's
source and the current source (:mod:`covgap.gitinfo`): a line inside a hunk is new (and
the hunk's old lines deleted), as lcov does with its ``--diff-file``; any other line
maps to the base line at the running offset. A file renamed in the diff is compared
with its old path's baseline. Some consequences of lcov's definitions of the
categories:

* a file that is new in the diff is all UNC/GNC;
* a file that the baseline did not measure but that existed is UIC/GIC outside the
  changed hunks (its changed lines are still new code);
* a file missing from the current coverage but still in the tree turns its baseline
  lines into EUB/ECB (no longer measured), not DUB/DCB (which need a deletion).
  This is covgap's reading of the definitions, not genhtml's behaviour: genhtml only
  lists the files of the current coverage, so for such a file covgap's EUB/ECB (and
  its baseline-side totals) exceed genhtml's;
* deleted lines (DUB/DCB) carry *base* line numbers, every other category current ones.

Lines and branch outcomes are classified (a branch outcome keeps its identity, its
``(block, branch)`` numbers, on the line it moved to; "covered" is taken at least
once); lcov also classifies functions, which covgap does not do yet. The categories
partition each side: the current executable lines are exactly
UNC+GNC+UIC+GIC+UBC+LBC+GBC+CBC, and the baseline's exactly
UBC+LBC+GBC+CBC+EUB+ECB+DUB+DCB; the same holds for branch outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import orjson

from covgap.errors import FormatError, InputError
from covgap.gitinfo import Diff, FileDiff
from covgap.model import Counts, CoverageSet, FileCoverage
from covgap.types import LineNo, RepoPath

__all__ = [
    "CATEGORIES",
    "DESCRIPTIONS",
    "Baseline",
    "DiffCoverage",
    "FileDiffCoverage",
    "PatchFile",
    "classify",
    "load_baseline",
    "patch_coverage",
]

CATEGORIES: tuple[str, ...] = (
    "UNC",
    "LBC",
    "UIC",
    "UBC",
    "GBC",
    "GIC",
    "GNC",
    "CBC",
    "EUB",
    "ECB",
    "DUB",
    "DCB",
)
"""In genhtml's order: what needs attention first."""

DESCRIPTIONS: dict[str, str] = {
    "UNC": "Uncovered New Code: new code that no test runs",
    "LBC": "Lost Baseline Coverage: unchanged code that was covered and is not now",
    "UIC": "Uncovered Included Code: code the baseline did not measure, uncovered now",
    "UBC": "Uncovered Baseline Code: unchanged code, uncovered before and now",
    "GBC": "Gained Baseline Coverage: unchanged code that is covered now and was not",
    "GIC": "Gained Included Coverage: code the baseline did not measure, covered now",
    "GNC": "Gained New Coverage: new code that a test runs",
    "CBC": "Covered Baseline Code: unchanged code, covered before and now",
    "EUB": "Excluded Uncovered Baseline: uncovered code that is no longer measured",
    "ECB": "Excluded Covered Baseline: covered code that is no longer measured",
    "DUB": "Deleted Uncovered Baseline: uncovered code that was deleted",
    "DCB": "Deleted Covered Baseline: covered code that was deleted",
}

DELETED = frozenset({"DUB", "DCB"})
"""Categories whose line numbers are the baseline's, not the current file's."""

CURRENT_TOTAL = ("UNC", "GNC", "UIC", "GIC", "UBC", "LBC", "GBC", "CBC")
CURRENT_COVERED = ("GNC", "GIC", "GBC", "CBC")


@dataclass
class FileDiffCoverage:
    """The categories of one file's lines; ``path`` is the current path (old if deleted)."""

    path: RepoPath
    old_path: RepoPath | None
    status: str
    lines: dict[str, list[LineNo]] = field(default_factory=dict)
    branches: dict[str, list[tuple[LineNo, int, int]]] = field(default_factory=dict)
    """Branch outcomes ``(line, block, branch)`` per category, lines numbered as for lines."""

    def count(self, category: str) -> int:
        return len(self.lines.get(category, ()))

    def counts(self) -> dict[str, int]:
        return {c: self.count(c) for c in CATEGORIES}

    def branch_counts(self) -> dict[str, int]:
        return {c: len(self.branches.get(c, ())) for c in CATEGORIES}


@dataclass
class DiffCoverage:
    """Differential coverage per file and in total."""

    files: dict[RepoPath, FileDiffCoverage] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        """Lines per category over all files."""
        out = dict.fromkeys(CATEGORIES, 0)
        for f in self.files.values():
            for cat, lines in f.lines.items():
                out[cat] += len(lines)
        return out

    def branch_totals(self) -> dict[str, int]:
        """Branch outcomes per category over all files."""
        out = dict.fromkeys(CATEGORIES, 0)
        for f in self.files.values():
            for cat, items in f.branches.items():
                out[cat] += len(items)
        return out

    def changed_files(self) -> list[FileDiffCoverage]:
        """Files with anything but unchanged, still-measured lines (UBC/CBC)."""
        quiet = {"UBC", "CBC"}
        return [
            f
            for _, f in sorted(self.files.items())
            if any(items for cat, items in f.lines.items() if cat not in quiet)
            or any(items for cat, items in f.branches.items() if cat not in quiet)
        ]


def _category(before: int | None, after: int | None, new: bool) -> str | None:
    """Name the category of one line; None when neither side makes it executable.

    ``before``/``after`` are hit counts, None when the line is not executable there.
    """
    if new:
        if after is None:
            return None
        return "GNC" if after else "UNC"
    if before is None:
        if after is None:
            return None
        return "GIC" if after else "UIC"
    if after is None:
        return "ECB" if before else "EUB"
    if before:
        return "CBC" if after else "LBC"
    return "GBC" if after else "UBC"


K = TypeVar("K", int, tuple[int, int, int])


def _split(
    after: Mapping[K, int],
    before: Mapping[K, int],
    fd: FileDiff | None,
    line_of: Callable[[K], int],
    at_line: Callable[[K, int], K],
) -> dict[str, list[K]]:
    """Categorise the items (lines, or branch outcomes keyed by their line) of one file.

    ``after``/``before`` map an item to its hit count now / in the baseline;
    ``line_of`` gives an item's line and ``at_line`` the same item moved to another
    line, so that a branch keeps its (block, branch) identity across the diff.
    """
    out: dict[str, list[K]] = {}
    added = fd.added if fd is not None else frozenset()
    for key, hits in after.items():
        line = line_of(key)
        if fd is not None and (fd.status == "A" or line in added):
            cat = _category(None, hits, new=True)
        else:
            old = line if fd is None else fd.old_line(line)
            cat = _category(None if old is None else before.get(at_line(key, old)), hits, new=False)
        if cat is not None:
            out.setdefault(cat, []).append(key)
    deleted = fd.deleted if fd is not None else frozenset()
    for key, hits in before.items():
        line = line_of(key)
        if fd is not None and (fd.status == "D" or line in deleted):
            out.setdefault("DCB" if hits else "DUB", []).append(key)
            continue
        now = line if fd is None else fd.new_line(line)
        moved = key if now is None else at_line(key, now)
        if now is None or moved not in after:
            out.setdefault("ECB" if hits else "EUB", []).append(moved)
    for items in out.values():
        items.sort()
    return out


def _branch_hits(fc: FileCoverage | None) -> dict[tuple[int, int, int], int]:
    if fc is None:
        return {}
    return {(b.line, b.block, b.branch): b.taken or 0 for b in fc.branches()}


def _line(key: int) -> int:
    return key


def _same(_key: int, line: int) -> int:
    return line


def _branch_line(key: tuple[int, int, int]) -> int:
    return key[0]


def _branch_at(key: tuple[int, int, int], line: int) -> tuple[int, int, int]:
    return (line, key[1], key[2])


def classify(current: CoverageSet, baseline: CoverageSet, diff: Diff | None) -> DiffCoverage:
    """Put every line and branch outcome of ``current`` and ``baseline`` in its lcov category.

    ``diff`` describes the source changes between the baseline's commit and the
    current one; None means the sources did not change (every line maps to itself).
    A branch outcome is identified by its line (followed through the diff) and its
    ``(block, branch)`` numbers; "covered" means taken at least once.
    """
    result = DiffCoverage()
    by_new: dict[str, FileDiff] = {}
    by_old: dict[str, FileDiff] = {}
    if diff is not None:
        for entry in diff.files.values():
            if entry.path is not None:
                by_new[entry.path] = entry
            if entry.old_path is not None:
                by_old[entry.old_path] = entry
    seen_old: set[str] = set()
    pairs: list[tuple[str, str | None, str, FileDiff | None]] = []
    for path in sorted(set(current.files) | set(by_new)):
        fd = by_new.get(path)
        old_path = path if fd is None else fd.old_path
        if old_path is not None:
            seen_old.add(old_path)
        pairs.append((path, old_path, "M" if fd is None else fd.status, fd))
    # Baseline files the loop above did not reach: deleted in the diff, or gone from
    # the current coverage without a diff entry (then "excluded", not "deleted").
    for old_path in sorted(set(baseline.files) - seen_old):
        gone = by_old.get(old_path)
        if gone is not None and gone.path is not None:
            continue  # renamed to a path without current coverage: handled above
        status = "D" if gone is not None else "M"
        pairs.append((old_path, old_path, status, gone if gone is not None else None))
    for path, old_path, status, fd in pairs:
        cur = current.files.get(path) if status != "D" else None
        base = baseline.files.get(old_path) if old_path is not None else None
        if cur is None and base is None:
            continue
        before = base.hits_by_line() if base is not None else {}
        after = cur.hits_by_line() if cur is not None else {}
        out = FileDiffCoverage(
            path,
            old_path,
            status,
            _split(after, before, fd, _line, _same),
            _split(_branch_hits(cur), _branch_hits(base), fd, _branch_line, _branch_at),
        )
        if out.lines or out.branches:
            result.files[path] = out
    return result


# -- patch coverage -------------------------------------------------------------------


@dataclass(frozen=True)
class PatchFile:
    """The new/changed lines of one file, split by what the coverage says of them.

    ``measured`` is False when the coverage has no record of the file at all: its
    changed lines are *not measured*, neither covered nor uncovered.
    """

    path: RepoPath
    changed: int
    covered: tuple[LineNo, ...]
    uncovered: tuple[LineNo, ...]
    measured: bool

    @property
    def executable(self) -> int:
        return len(self.covered) + len(self.uncovered)


def patch_coverage(
    current: CoverageSet, changed: Mapping[RepoPath, Iterable[LineNo]]
) -> list[PatchFile]:
    """Split each file's changed lines into covered, uncovered and not executable.

    Only lines the coverage measures count: a changed comment, blank line or
    declaration is in no denominator. Files are returned sorted by path, including
    the unmeasured ones so that reports can name them.
    """
    out: list[PatchFile] = []
    for path in sorted(changed):
        lines = sorted(set(changed[path]))
        if not lines:
            continue
        fc = current.files.get(path)
        if fc is None:
            out.append(PatchFile(path, len(lines), (), (), False))
            continue
        hits = fc.hits_by_line()
        covered = tuple(ln for ln in lines if hits.get(ln, 0) > 0)
        uncovered = tuple(ln for ln in lines if hits.get(ln) == 0)
        out.append(PatchFile(path, len(lines), covered, uncovered, True))
    return out


# -- baselines ------------------------------------------------------------------------


@dataclass
class Baseline:
    """A previous covgap JSON report: always its totals, per-line detail when it has it.

    ``coverage`` is None for a totals-only document (written without ``--detail``):
    such a baseline supports the rules that compare totals (``max_drop``,
    ``critical``) but not differential categories, which need to know which lines ran.
    """

    origin: str
    summary: Counts
    files: dict[RepoPath, Counts]
    coverage: CoverageSet | None

    @property
    def has_detail(self) -> bool:
        return self.coverage is not None


def load_baseline(path: Path) -> Baseline:
    """Read a covgap JSON baseline, with its detail when the document carries it."""
    from covgap.formats import covgap_json

    summary = covgap_json.read_summary(path)
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        import gzip

        data = gzip.decompress(data)
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:  # read_summary accepted it; cannot happen
        raise FormatError(str(path), f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    entries = doc.get("files", []) if isinstance(doc, dict) else []
    with_detail = [isinstance(e, dict) and "lines" in e for e in entries]
    coverage: CoverageSet | None = None
    if all(with_detail):
        import io

        coverage = covgap_json.read(io.BytesIO(data), str(path))
    elif any(with_detail):
        raise InputError(
            f"{path}: some files carry per-line detail and some do not; "
            "write the baseline again with `covgap report --format json --detail`"
        )
    return Baseline(str(path), summary["summary"], summary["files"], coverage)
