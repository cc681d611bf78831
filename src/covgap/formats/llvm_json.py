"""llvm-cov's JSON export (``llvm-cov export -format=text``, ``cargo llvm-cov --json``).

Specification: LLVM's ``llvm/tools/llvm-cov/CoverageExporterJson.cpp`` (the format is
described in its header comment) and, for what the numbers mean,
``llvm/lib/ProfileData/Coverage/CoverageMapping.cpp`` (``SegmentBuilder``,
``LineCoverageStats``) and ``llvm/tools/llvm-cov/CoverageSummaryInfo.cpp`` /
``CoverageReport.cpp`` (how ``llvm-cov report`` adds things up). Checked against
llvm-cov 19.1.7 (export version 2.0.1) on a Rust crate built by rustc 1.95 with
``-C instrument-coverage -Zcoverage-options=branch`` (``tests/data/llvm-cov``) and on
a C program built by clang 19 (``tests/data/llvm-cov-c``).
Export versions 2.x and 3.x are read; another major version is read with a note::

    {"type": "llvm.coverage.json.export", "version": "2.0.1",
     "data": [{"files": [{"filename": "src/util.rs",
                          "segments": [[2, 1, 4, true, true, false], ...],
                          # [line, col, count, has_count, is_region_entry, is_gap]
                          "branches": [...], "expansions": [...], "summary": {...}}],
               "functions": [{"name": "_RNvCs..._4util5clamp", "count": 1,
                              "filenames": ["src/util.rs"],
                              "regions": [[13, 48, 21, 2, 1, 0, 0, 0], ...],
                              # [l1, c1, l2, c2, count, file_id, expanded_file_id, kind]
                              "branches": [[14, 8, 14, 14, 0, 1, 0, 0, 4], ...]}],
                              # [l1, c1, l2, c2, true, false, file_id, exp_file_id, kind]
               "totals": {...}}]}

How ``llvm-cov report`` counts, and how this reader reproduces it:

* **Lines** come from the file's ``segments`` (LLVM's merged view of every function
  and instantiation in the file) through ``LineCoverageStats``: walking the lines
  from the first segment's to the last, a line is *mapped* unless its first segment
  starts a skipped region, and only if a segment wrapping into it from an earlier
  line has a count, a non-gap region with a count starts on it, or any region entry
  with a count starts on it. Its count is the wrapped segment's count, raised to the
  largest count of the non-gap region entries starting on the line. These are the
  lines and counts ``llvm-cov show`` displays and ``export -format=lcov`` writes as
  ``DA`` records.

  Of those, covgap counts the lines that lie in a function defined in the file
  (from its first to its last region in the file). ``llvm-cov report`` counts per
  function the lines of the function's own (main) file id (``getCoverageForFunction``),
  while the file view (``getCoverageForFile``) also maps every other file id named
  after the file: the body of a multi-line C macro defined in the file (or in the
  header) and expanded in a function. Those body lines sit outside every function
  (``#define`` is at file scope), so leaving them out gives ``llvm-cov report``'s
  figure (its execution shows on the expanding line). Measured on clang 19
  (``tests/data/llvm-cov-c``): every file's lines equal the report's, and the lines
  left out are exactly the macro bodies ``llvm-cov show`` and the ``DA`` records list.
  With no function records at all (a hand-made export) every mapped line counts.

  ``llvm-cov report``'s Lines column (LLVM 19) also adds up, per function (an
  instantiation group takes the maximum over its instantiations), the lines *that
  function* maps: a line holding code of two functions — a Rust closure written on
  its enclosing function's line — is counted once per function. A per-line model
  cannot count a line twice, so covgap reports the distinct lines (equal to the
  ``DA`` records). Where no two functions share a line the two agree; the tests prove
  both facts on real output.
* **Functions** are ``llvm-cov report``'s: one per *instantiation group* — the
  functions whose first region in their defining file starts at the same place
  (a generic instantiated twice is one function) — covered when the instantiations'
  counts sum to more than zero. The name is the group's (the instantiations' shared
  name, else the first in sort order); names stay mangled, as ``llvm-cov report``
  prints them without ``-Xdemangler``.
* **Branches**: ``llvm-cov report`` counts each branch region as two outcomes (true,
  false), per function, including branches inside macro expansions reached from
  the function's own file; an instantiation group counts as its maximum total and
  maximum covered. This reader keeps, per group, the branches of the instantiation
  with the most covered outcomes (then the most outcomes), so the totals match.
  Each branch region becomes block *k* (its order among the branch regions starting
  on that line) with branches ``2k`` (true) and ``2k+1`` (false), and both are
  "never evaluated" when neither ran — the ``BRDA`` records llvm-cov's LCOV export
  writes. A branch inside a macro expansion is placed on the line of the outermost
  expansion in the function's file (where ``llvm-cov report`` counts it).
* Function records of files the export does not list (left out with
  ``-ignore-filename-regex``, which cargo llvm-cov passes for dependencies) are not
  counted, as ``llvm-cov report`` does not count them; a note says how many.
* The export's own figures (each file's ``summary``, else the export's ``totals``)
  are compared with covgap's, and one note per input gives both figures
  (``covgap.formats._totals``). Lines differ where two functions share a line (see
  above).
* ``-summary-only`` exports carry no segments: they are rejected rather than read
  as files without lines. MC/DC records (``mcdc_records``) are not read: covgap's
  model has no MC/DC measure.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from covgap.errors import FormatError
from covgap.formats import FormatSpec
from covgap.formats._json import (
    FastPathMiss,
    JsonPath,
    JsonReader,
    elements,
    fast_or_exact,
    load_json,
    loads,
    members,
    sniff_json_object,
)
from covgap.formats._totals import TotalsCheck
from covgap.model import NEVER_EVALUATED, CoverageSet, FileCoverage, Function
from covgap.types import MAX_COUNT, MAX_LINE

__all__ = [
    "FORMAT",
    "KNOWN_MAJOR_VERSIONS",
    "MAX_FILE_LINES",
    "line_counts",
    "not_report",
    "read",
    "sniff",
]

KNOWN_MAJOR_VERSIONS = (2, 3)
"""Major export versions this reader knows (LLVM 11 wrote 2.0.0, LLVM 19 writes 2.0.1)."""

EXPORT_TYPE = "llvm.coverage.json.export"

MAX_FILE_LINES = 1_000_000
"""More mapped lines than this in one file is a corrupt or hostile export.

One segment at line 1 and the next at line 2,000,000,000 would otherwise make the
region between them two billion mapped lines (LLVM's own walk would try the same).
"""

# CounterMappingRegion::RegionKind
_CODE, _EXPANSION, _SKIPPED, _GAP, _BRANCH = 0, 1, 2, 3, 4

_SNIFF = re.compile(rb'^\{\s*"data"\s*:\s*\[\s*\{\s*"(?:files|functions|totals)"\s*:')


# A -summary-only export: each file object is only {"filename": ..., "summary": ...}
# (llvm-cov sorts keys, cargo llvm-cov keeps that order: "branches", "expansions" and
# "segments" would come around "filename" in a full export).
_SUMMARY_ONLY = re.compile(
    rb'^\{\s*"data"\s*:\s*\[\s*\{\s*"files"\s*:\s*\[\s*\{\s*"filename"\s*:\s*'
    rb'"(?:[^"\\]|\\.)*"\s*,\s*"summary"\s*:'
)
_SUMMARY_ONLY_MESSAGE = (
    "this is a -summary-only llvm-cov export (totals only, no segments); export again "
    "without -summary-only (cargo llvm-cov --json without --summary-only)"
)


def sniff(head: bytes, filename: str) -> bool:
    """``{"data": [{"files": ...`` (keys are sorted, so "type" comes last) or the type."""
    body = sniff_json_object(head)
    if _SUMMARY_ONLY.match(body):
        return False  # refused by not_report, so discovery passes over it
    return bool(_SNIFF.match(body)) or (bool(body) and EXPORT_TYPE.encode() in body)


def not_report(head: bytes) -> str | None:
    """A ``-summary-only`` export is not a report: detection refuses it with the fix."""
    return _SUMMARY_ONLY_MESSAGE if _SUMMARY_ONLY.match(sniff_json_object(head)) else None


def _finish_line(
    out: dict[int, int], line: int, segs: list[Sequence[object]], wrapped: Sequence[object] | None
) -> None:
    """Decide one line that has segments (LineCoverageStats' constructor)."""
    first = segs[0]
    skipped = not first[3] and bool(first[4])
    has_start = any_entry_with_count = False
    best = 0
    for s in segs:
        if s[3] and s[4]:
            any_entry_with_count = True
            if not (len(s) > 5 and s[5]):  # a region entry that is not a gap region
                has_start = True
                best = max(best, s[2])  # type: ignore[call-overload]
    wrapped_counts = wrapped is not None and bool(wrapped[3])
    if (not skipped and (wrapped_counts or has_start)) or any_entry_with_count:
        count: int = wrapped[2] if wrapped is not None else 0  # type: ignore[assignment]
        out[line] = max(count, best) if has_start else count


def line_counts(segments: Iterable[Sequence[object]]) -> dict[int, int]:
    """Return ``{line: count}`` for the mapped lines, as LLVM's LineCoverageStats does.

    ``segments`` are ``(line, col, count, has_count, is_region_entry[, is_gap])``
    sorted by (line, column), as llvm-cov exports them. Every line from the first
    segment's to the last one's is decided; a line without segments of its own is
    mapped when the segment wrapping into it (the last one before it) has a count.
    A worked example: segments ``(3, 5, 7, count, entry)`` and ``(5, 2, 0, no count,
    not entry)`` map line 3 (a region entry: 7), line 4 (wrapped by the region from
    line 3: 7) and line 5 (still wrapped by it at the start of the line: 7).
    """
    out: dict[int, int] = {}
    line = 0
    segs: list[Sequence[object]] = []
    wrapped: Sequence[object] | None = None
    for seg in segments:
        seg_line: int = seg[0]  # type: ignore[assignment]
        if seg_line != line:
            if segs:
                _finish_line(out, line, segs, wrapped)
                wrapped = segs[-1]
                if wrapped[3]:  # lines with no segment of their own, up to this one
                    if len(out) + seg_line - line > MAX_FILE_LINES:
                        raise ValueError(
                            f"a region wraps lines {line + 1}-{seg_line - 1}: more than "
                            f"{MAX_FILE_LINES} mapped lines in one file is not a source file"
                        )
                    count: int = wrapped[2]  # type: ignore[assignment]
                    for ln in range(line + 1, seg_line):
                        out[ln] = count
                segs = []
            line = seg_line
        segs.append(seg)
    if segs:
        _finish_line(out, line, segs, wrapped)
    return out


@dataclass
class _Branch:
    line: int
    col: int
    true: int
    false: int


@dataclass
class _Instance:
    """One function record (an instantiation), reduced to what the totals need."""

    name: str
    count: int
    start: tuple[int, int]
    end_line: int
    branches: list[_Branch]

    def branch_score(self) -> tuple[int, int]:
        covered = sum((b.true > 0) + (b.false > 0) for b in self.branches)
        return covered, 2 * len(self.branches)


@dataclass
class _File:
    """One file's line counts, as sorted columns per export that listed it, and groups.

    Columns rather than a dict per line: every file's lines are held until the end
    (a file may be listed by several exports), and a dict costs ~100 bytes a line.
    """

    parts: list[tuple[array[int], array[int]]] = field(default_factory=list)
    groups: dict[tuple[int, int], list[_Instance]] = field(default_factory=dict)
    extents: list[tuple[int, int]] = field(default_factory=list)
    """Line spans of the functions defined here (their regions in this, their main file)."""

    def add_lines(self, counts: dict[int, int]) -> None:
        keys = sorted(counts)
        self.parts.append((array("i", keys), array("q", [counts[k] for k in keys])))

    def line_columns(self) -> tuple[array[int], array[int]]:
        """The lines and counts, summed over the exports (saturating at MAX_COUNT)."""
        if len(self.parts) == 1:
            return self.parts[0]
        total: dict[int, int] = {}
        for lines, hits in self.parts:
            for line, count in zip(lines, hits, strict=True):
                total[line] = min(total.get(line, 0) + count, MAX_COUNT)
        keys = sorted(total)
        return array("i", keys), array("q", [total[k] for k in keys])


def _version_note(j: JsonReader, doc: dict[str, object]) -> tuple[str, ...]:
    if "type" in doc and doc["type"] != EXPORT_TYPE:
        raise j.error(("type",), f"not an llvm-cov export: type is {doc['type']!r}")
    version = doc.get("version")
    if version is None:
        return ()
    text = j.string(version, ("version",))
    major = text.split(".", 1)[0]
    if not major.isdigit():
        raise j.error(("version",), f"not an llvm-cov export version: {text!r}")
    if int(major) not in KNOWN_MAJOR_VERSIONS:
        return (
            f"{j.origin}: llvm-cov export version {text} is not one covgap was checked "
            f"against ({', '.join(f'{v}.x' for v in KNOWN_MAJOR_VERSIONS)}); read as 2.x",
        )
    return ()


def _ints(j: JsonReader, value: object, path: JsonPath, size: int, what: str) -> list[object]:
    """Return a fixed-size row (``[l1, c1, l2, c2, ...]``) after checking its shape."""
    row = j.arr(value, path)
    if len(row) < size:
        raise j.error(path, f"expected a {what} of at least {size} elements, got {len(row)}")
    return row


def _segments_ok(rows: list[object]) -> bool:
    """One quick pass: is every row a well-typed segment, in order? (No allocation.)"""
    prev_line = prev_col = 0
    for row in rows:
        if type(row) is not list or not 5 <= len(row) <= 6:
            return False
        line, col, count, has_count, entry = row[0], row[1], row[2], row[3], row[4]
        if not (
            type(line) is int
            and type(col) is int
            and type(count) is int
            and type(has_count) is bool
            and type(entry) is bool
            and (len(row) == 5 or type(row[5]) is bool)
            and 1 <= line <= MAX_LINE
            and 0 <= col <= MAX_LINE
            and 0 <= count <= MAX_COUNT
            and (line > prev_line or (line == prev_line and col >= prev_col))
        ):
            return False
        prev_line, prev_col = line, col
    return True


def _segments(j: JsonReader, value: object, path: JsonPath) -> list[Sequence[object]]:
    """Return the validated segment rows; on a bad row, an error naming it."""
    rows = j.arr(value, path)
    if _segments_ok(rows):
        return rows  # type: ignore[return-value]
    prev = (0, 0)
    for i, raw in enumerate(rows):  # slow path: find the first bad row and say why
        p = (*path, i)
        row = _ints(j, raw, p, 5, "segment")
        line = j.line(row[0], (*p, 0))
        col = j.integer(row[1], (*p, 1), 0, MAX_LINE, "a column")
        j.count(row[2], (*p, 2))
        if len(row) > 6 or not all(isinstance(x, bool) for x in row[3:]):
            raise j.error(p, "expected has_count, is_region_entry[, is_gap_region] booleans")
        if (line, col) < prev:
            raise j.error(p, f"segment {line}:{col} is out of order")
        prev = (line, col)
    raise j.error(path, "malformed segments")  # pragma: no cover - the loop finds it


def _function(j: JsonReader, value: object, path: JsonPath, files: dict[str, _File]) -> None:
    """Add one function record to the instantiation groups of its defining file."""
    fn = j.obj(value, path)
    name = j.string(j.key(fn, "name", path), (*path, "name"))
    count = j.count(j.key(fn, "count", path), (*path, "count"))
    filenames = [
        j.string(f, (*path, "filenames", i))
        for i, f in enumerate(j.arr(j.key(fn, "filenames", path), (*path, "filenames")))
    ]
    regions: list[tuple[int, int, int, int, int, int, int]] = []
    for i, raw in enumerate(j.arr(j.key(fn, "regions", path), (*path, "regions"))):
        p = (*path, "regions", i)
        row = _ints(j, raw, p, 8, "region")
        regions.append(
            (
                j.line(row[0], (*p, 0)),
                j.integer(row[1], (*p, 1), 0, MAX_LINE, "a column"),
                j.line(row[2], (*p, 2)),
                j.integer(row[5], (*p, 5), 0, 1 << 20, "a file id"),
                j.integer(row[6], (*p, 6), 0, 1 << 20, "a file id"),
                j.integer(row[7], (*p, 7), 0, 255, "a region kind"),
                j.count(row[4], (*p, 4)),
            )
        )
    if not regions:
        return
    # The main file is the first file id no expansion region expands into.
    expanded = {r[4] for r in regions if r[5] == _EXPANSION}
    main_id = next((i for i in range(len(filenames)) if i not in expanded), None)
    if main_id is None:
        return
    for r in regions:
        if not r[3] < len(filenames):
            raise j.error((*path, "regions"), f"file id {r[3]} has no entry in filenames")
    first = next((r for r in regions if r[3] == main_id), None)
    if first is None:
        return
    # Expansion call sites: expanded file id -> line in the main file where it starts.
    call_line: dict[int, int] = {}
    frontier = [(r[4], r[0]) for r in regions if r[5] == _EXPANSION and r[3] == main_id]
    while frontier:
        fid, line = frontier.pop()
        if fid in call_line:
            continue
        call_line[fid] = line
        frontier.extend((r[4], line) for r in regions if r[5] == _EXPANSION and r[3] == fid)
    branches: list[_Branch] = []
    for i, raw in enumerate(j.arr(fn.get("branches", []), (*path, "branches"))):
        p = (*path, "branches", i)
        row = _ints(j, raw, p, 7, "branch")
        fid = j.integer(row[6], (*p, 6), 0, 1 << 20, "a file id")
        line = j.line(row[0], (*p, 0))
        col = j.integer(row[1], (*p, 1), 0, MAX_LINE, "a column")
        true, false = j.count(row[4], (*p, 4)), j.count(row[5], (*p, 5))
        if fid == main_id:
            branches.append(_Branch(line, col, true, false))
        elif fid in call_line:
            branches.append(_Branch(call_line[fid], 0, true, false))
    main_name = filenames[main_id]
    end_line = max(r[2] for r in regions if r[3] == main_id)
    instance = _Instance(name, count, (first[0], first[1]), end_line, branches)
    entry = files.setdefault(main_name, _File())
    entry.groups.setdefault(instance.start, []).append(instance)
    own = [r for r in regions if r[3] == main_id and r[5] != _SKIPPED]
    if own:
        entry.extents.append((min(r[0] for r in own), max(r[2] for r in own)))


def _function_lines(
    data: _File, lines: array[int], hits: array[int]
) -> tuple[array[int], array[int]]:
    """The file view's lines (and counts) that lie in a function defined in this file.

    ``llvm-cov report`` counts, per function, the lines of the function's own file id
    only (``getCoverageForFunction``); the file view (``getCoverageForFile``) also maps
    the regions of every other file id with this file's name: the body of a macro
    defined here (or in this header) and expanded in a function. Those body lines lie
    outside every function defined in the file (a ``#define`` at file scope), and are
    left out here, as the report leaves them out; their execution shows on the line
    that expands the macro. Example: ``util.c`` with a 7-line ``SWAP`` macro used by
    ``clamp()``: ``llvm-cov show`` maps 30 lines, ``llvm-cov report`` and covgap 23.
    """
    spans = sorted(data.extents)
    if not spans:
        return array("i"), array("q")
    merged: list[list[int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    starts = [m[0] for m in merged]
    out_lines, out_hits = array("i"), array("q")
    for line, count in zip(lines, hits, strict=True):
        k = bisect.bisect_right(starts, line) - 1
        if k >= 0 and line <= merged[k][1]:
            out_lines.append(line)
            out_hits.append(count)
    return out_lines, out_hits


def _build(path: str, data: _File, by_function: bool) -> FileCoverage:
    lines, line_hits = data.line_columns()
    if by_function:
        lines, line_hits = _function_lines(data, lines, line_hits)
    functions: list[Function] = []
    chosen: list[_Branch] = []
    for (start_line, _col), group in sorted(data.groups.items()):
        names = sorted({g.name for g in group})
        hits = min(sum(g.count for g in group), MAX_COUNT)
        end = max(g.end_line for g in group)
        functions.append(Function(names[0], start_line, end, hits))
        best = max(group, key=_Instance.branch_score)
        chosen.extend(best.branches)
    # Number branch regions per line by column: block k, outcomes 2k and 2k+1.
    chosen.sort(key=lambda b: (b.line, b.col))
    br_line, br_block, br_branch, br_taken = array("i"), array("i"), array("i"), array("q")
    block, last_line = 0, -1
    for b in chosen:
        block = block + 1 if b.line == last_line else 0
        last_line = b.line
        never = b.true == 0 and b.false == 0
        for k, taken in enumerate((b.true, b.false)):
            br_line.append(b.line)
            br_block.append(block)
            br_branch.append(2 * block + k)
            br_taken.append(NEVER_EVALUATED if never else taken)
    _dedupe_functions(functions)
    return FileCoverage.from_columns(
        path,
        lines,
        line_hits,
        br_line=br_line,
        br_block=br_block,
        br_branch=br_branch,
        br_taken=br_taken,
        functions=functions,
    )


def _dedupe_functions(functions: list[Function]) -> None:
    """Keep (name, line) unique: two groups with one name on one line stay two."""
    seen: set[tuple[str, int]] = set()
    for i, fn in enumerate(functions):
        key = (fn.name, fn.start_line)
        n = 2
        while key in seen:
            key = (f"{fn.name}#{n}", fn.start_line)
            n += 1
        if key[0] != fn.name:
            functions[i] = fn._replace(name=key[0])
        seen.add(key)


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read an llvm-cov JSON export; see the module docstring for what counts.

    :func:`_read_fast` decodes the export one file and one function record at a time
    (issue 14: the peak stays near the file's size) through the same per-record code
    (:func:`_add_file`, :func:`_function`, :func:`_finish`) as the exact reader
    :func:`_read_exact`, which decides anything unusual and names its place.
    """
    return fast_or_exact(stream, origin, _read_fast, _read_exact)


def _add_file(
    j: JsonReader,
    raw: object,
    fpath: JsonPath,
    files: dict[str, _File],
    listed: set[str],
    declared: dict[str, dict[str, tuple[int, int]]],
) -> None:
    """Add one ``files`` entry's line counts, and its ``summary`` figures to ``declared``."""
    fobj = j.obj(raw, fpath)
    name = j.string(j.key(fobj, "filename", fpath), (*fpath, "filename"))
    if "segments" not in fobj:
        raise j.error(
            fpath,
            "no segments: a -summary-only export has no per-line data; "
            "export again without -summary-only",
        )
    try:
        counts = line_counts(_segments(j, fobj["segments"], (*fpath, "segments")))
    except ValueError as exc:
        raise j.error((*fpath, "segments"), str(exc)) from None
    listed.add(name)
    _add_summary(declared.setdefault(name, {}), fobj.get("summary"))
    files.setdefault(name, _File()).add_lines(counts)


def _no_functions_note(origin: str) -> str:
    return (
        f"{origin}: export has no function records (-skip-functions); "
        "functions and branches are not known"
    )


def _finish(
    origin: str,
    notes: list[str],
    files: dict[str, _File],
    listed: set[str],
    declared: dict[str, dict[str, tuple[int, int]]],
    totals: dict[str, tuple[int, int]],
    has_functions: bool,
) -> CoverageSet:
    """Build the listed files; note the function records of files the export left out,
    and where the export's own figures (``declared`` per file, ``totals``) differ.

    ``has_functions``: some export has function records; with none at all (a hand-made
    export) every line of the file view counts, else only the lines in functions."""
    # Function records are exported for every function of the binary, also those of
    # files the export left out (-ignore-filename-regex, as cargo llvm-cov passes for
    # dependencies; or a list of SOURCES). llvm-cov report does not count those.
    unlisted = sorted(name for name in files if name not in listed)
    if unlisted:
        n_fns = sum(len(files[name].groups) for name in unlisted)
        notes.append(
            f"{origin}: {n_fns} function(s) in {len(unlisted)} file(s) the export does not "
            "list (filtered out when exporting) were left out"
        )
    cs = CoverageSet()
    for name in sorted(listed):
        cs.add(_build(name, files[name], has_functions))
    notes.extend(_check_summaries(origin, cs, declared, totals))
    cs.notes = tuple(notes)
    if _no_functions_note(origin) in notes:
        cs.branches_unknown = (
            "the export has no function records (-skip-functions), where llvm-cov keeps "
            "branches; export again without -skip-functions"
        )
    return cs


_SUMMARY_KINDS = ("lines", "functions", "branches")
"""The kinds an llvm-cov ``summary``/``totals`` object holds under these same keys."""


def _add_summary(acc: dict[str, tuple[int, int]], summary: object) -> None:
    """Add a ``summary``/``totals`` object's ``(count, covered)`` per kind into ``acc``.

    Figures that are not plain counts are not compared (they are the producer's, not
    data covgap reports).
    """
    if not isinstance(summary, dict):
        return
    for key in _SUMMARY_KINDS:
        entry = summary.get(key)
        if not isinstance(entry, dict):
            continue
        count, covered = entry.get("count"), entry.get("covered")
        if type(count) is int and type(covered) is int:
            prev = acc.get(key, (0, 0))
            acc[key] = (prev[0] + count, prev[1] + covered)


def _check_summaries(
    origin: str,
    cs: CoverageSet,
    declared: dict[str, dict[str, tuple[int, int]]],
    totals: dict[str, tuple[int, int]],
) -> list[str]:
    """One note when the export's own figures differ from covgap's (both figures)."""
    check = TotalsCheck(
        origin,
        "llvm-cov's per-file summary and totals, what llvm-cov report prints",
        "covgap counts each source line of the file's functions once; llvm-cov's summary "
        "adds up each function's (instantiation group's) own line count, so a line "
        "holding code of several functions (a Rust closure on its function's line) "
        "counts once per function there",
    )
    places = [(name, declared[name], cs.files[name].counts()) for name in sorted(declared)]
    places = [p for p in places if p[1]]
    if not places and totals:
        places = [("totals", totals, cs.totals())]
    for where, figures, c in places:
        ours = {
            "lines": (c.lines_total, c.lines_covered),
            "functions": (c.functions_total, c.functions_covered),
            "branches": (c.branches_total, c.branches_covered),
        }
        for kind in _SUMMARY_KINDS:
            if kind in figures:
                check.compare(kind, figures[kind], ours[kind], where=where)
    return check.notes()


def _read_fast(data: bytes, origin: str) -> CoverageSet:
    """:func:`_read_exact`, one file or function record decoded at a time."""
    j = JsonReader(origin)
    top = members(data)
    if "data" not in top:
        raise FastPathMiss
    notes = list(_version_note(j, {k: loads(v) for k, v in top.items() if k != "data"}))
    files: dict[str, _File] = {}
    listed: set[str] = set()
    declared: dict[str, dict[str, tuple[int, int]]] = {}  # the export's own per-file figures
    totals: dict[str, tuple[int, int]] = {}
    has_functions = False  # with no function records at all, every line of the view counts
    for n, export in enumerate(elements(top["data"])):
        epath: JsonPath = ("data", n)
        obj = members(export)
        if "files" not in obj:
            raise FastPathMiss
        for i, raw in enumerate(elements(obj["files"])):
            _add_file(j, loads(raw), (*epath, "files", i), files, listed, declared)
        if "totals" in obj:
            _add_summary(totals, loads(obj["totals"]))
        if "functions" in obj:
            for i, raw in enumerate(elements(obj["functions"])):
                has_functions = True
                _function(j, loads(raw), (*epath, "functions", i), files)
        else:
            notes.append(_no_functions_note(origin))
    return _finish(origin, notes, files, listed, declared, totals, has_functions)


def _read_exact(stream: BinaryIO, origin: str) -> CoverageSet:
    """The validating reader: the whole document, every error named by its JSON path."""
    j = JsonReader(origin)
    doc = load_json(stream, origin)
    if not isinstance(doc, dict) or "data" not in doc:
        raise FormatError(origin, 'not an llvm-cov export (no top-level "data")')
    notes = list(_version_note(j, doc))
    files: dict[str, _File] = {}
    listed: set[str] = set()
    declared: dict[str, dict[str, tuple[int, int]]] = {}  # the export's own per-file figures
    totals: dict[str, tuple[int, int]] = {}
    has_functions = False  # with no function records at all, every line of the view counts
    for n, export in enumerate(j.arr(doc["data"], ("data",))):
        epath: JsonPath = ("data", n)
        obj = j.obj(export, epath)
        for i, raw in enumerate(j.arr(j.key(obj, "files", epath), (*epath, "files"))):
            _add_file(j, raw, (*epath, "files", i), files, listed, declared)
        _add_summary(totals, obj.get("totals"))
        if "functions" in obj:
            records = j.arr(obj["functions"], (*epath, "functions"))
            has_functions = has_functions or bool(records)
            for i, raw in enumerate(records):
                _function(j, raw, (*epath, "functions", i), files)
        else:
            notes.append(_no_functions_note(origin))
    return _finish(origin, notes, files, listed, declared, totals, has_functions)


FORMAT = FormatSpec(
    name="llvm-json",
    title="llvm-cov export JSON",
    sniff=sniff,
    read=read,
    discover=("target/**/*.json", "**/llvm-cov*.json"),
    not_report=not_report,
)
