"""gcovr's JSON report (``gcovr --json``), the format gcovr itself merges with ``-a``.

Specification: gcovr's "JSON Output" documentation (``gcovr/format_version`` 0.x).
Checked against gcovr 8.8, format 0.15 (``tests/data/gcovr/make.sh``); older 0.x
documents (gcovr 5-7) have the same core keys and are read by the same rules. Shape::

    {"gcovr/format_version": "0.15",
     "files": [{"file": "stats.c",
                "functions": [{"name": "classify", "demangled_name"?, "lineno": 6,
                               "execution_count": 6, "gcovr/excluded"?: false}],
                "lines": [{"line_number": 8, "count": 6, "function_name": "classify",
                           "gcovr/excluded"?: false, "gcovr/noncode"?: false,
                           "branches": [{"branchno"?: 0, "count": 2,
                                         "fallthrough": true, "throw": false,
                                         "gcovr/excluded"?: false}]}]}]}

What gcovr counts (its ``--json-summary`` / ``--txt-summary`` totals), and how the
reader reproduces it:

* **Lines**: every line entry except those gcovr marks ``gcovr/excluded`` (an
  ``LCOV_EXCL`` marker, ``--exclude-lines-by-pattern``...) or ``gcovr/noncode``
  (older formats); covered when ``count > 0``. A line listed several times, once
  per function (C++ templates, constructors), is **one** source line here whose
  counts add (and whose branches with the same ``branchno`` add); gcovr's own totals
  count each listing as a line of its own (its ``--merge-lines`` option counts them
  as covgap does). covgap keeps source lines distinct because every other format,
  the diff and the gates work per source line; a note gives both figures.
* **Branches**: every branch of a counted line except excluded ones, numbered by
  ``branchno`` (else their order) in block 0; covered when ``count > 0``, as gcovr
  counts them, even on a line whose own ``count`` is 0 (LLVM-derived gcov data has
  such lines). Only when neither the line nor the branch ran are they "never
  evaluated".
* **Functions**: every non-excluded entry of ``functions`` at ``lineno``, covered
  when ``execution_count > 0``. ``lineno`` 0 is what gcovr's
  ``--merge-mode-functions=merge-use-line-0`` writes for a function whose line
  differs between merged inputs; it is read as a function at "line 0" (line not
  known), as gcovr and lcov read it back.

A ``gcovr --json-summary`` document has totals but no lines; it is refused with a
message saying which option writes the per-line report.
"""

from __future__ import annotations

import re
from typing import Annotated, BinaryIO

import msgspec
from msgspec import UNSET, UnsetType

from covgap.formats import FormatSpec
from covgap.formats._json import (
    Count,
    FastPathMiss,
    JsonPath,
    JsonReader,
    Line,
    fast_or_exact,
    load_json,
    sniff_json_object,
)
from covgap.formats._totals import TotalsCheck
from covgap.model import CoverageSet, FileCoverageBuilder
from covgap.types import MAX_LINE

_SNIFF_RE = re.compile(rb'"gcovr/format_version"\s*:')
_SUMMARY_RE = re.compile(rb'"gcovr/summary_format_version"\s*:')
_SUMMARY_MESSAGE = (
    "this is gcovr's --json-summary (totals only); covgap needs the per-line "
    "report that `gcovr --json` writes"
)
_VERSION_RE = re.compile(r"0\.\d+")


def sniff(head: bytes, name: str) -> bool:
    """gcovr writes ``"gcovr/format_version"`` as its first key."""
    body = sniff_json_object(head)[:4096]
    return bool(body and _SNIFF_RE.search(body))


def not_report(head: bytes) -> str | None:
    """gcovr's ``--json-summary`` is not a report: detection refuses it, naming ``--json``."""
    body = sniff_json_object(head)[:4096]
    return _SUMMARY_MESSAGE if body and _SUMMARY_RE.search(body) else None


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read a gcovr JSON report; see the module docstring for the rules.

    :func:`_read_fast` decodes the ``files`` one member at a time with msgspec into
    the typed structs below (issue 14); anything it does not decide falls back to the
    exact reader :func:`_read_exact` (``_read_lines``/``_read_functions``), which
    names the JSON path of a bad value. A change to what is counted goes into both;
    ``tests/unit/test_json_fast_paths.py`` compares them.
    """
    return fast_or_exact(stream, origin, _read_fast, _read_exact)


def _read_exact(stream: BinaryIO, origin: str) -> CoverageSet:
    """The validating reader: whole-document dicts, every error named by its JSON path."""
    j = JsonReader(origin)
    doc = j.obj(load_json(stream, origin), ())
    if "gcovr/summary_format_version" in doc:
        raise j.error((), _SUMMARY_MESSAGE)
    version = doc.get("gcovr/format_version")
    if not isinstance(version, str) or not _VERSION_RE.fullmatch(version):
        raise j.error(
            ("gcovr/format_version",),
            f"unsupported gcovr JSON format version {version!r} (covgap reads 0.x)",
        )
    builders: dict[str, FileCoverageBuilder] = {}
    listed = [0, 0, 0, 0]  # gcovr's own count: line entries, covered; branches, covered
    for i, rf in enumerate(j.arr(j.key(doc, "files", ()), ("files",))):
        fp: JsonPath = ("files", i)
        f = j.obj(rf, fp)
        name = j.string(j.key(f, "file", fp), (*fp, "file"))
        if not name:
            raise j.error((*fp, "file"), "empty file name")
        b = builders.get(name)
        if b is None:
            b = builders[name] = FileCoverageBuilder(name)
        _read_lines(j, f, fp, b, listed)
        _read_functions(j, f, fp, b)
    return _build(builders, listed, origin)


def _build(builders: dict[str, FileCoverageBuilder], listed: list[int], origin: str) -> CoverageSet:
    """The coverage set of both paths, with a note when gcovr's own count differs."""
    cs = CoverageSet()
    for name in sorted(builders):
        cs.add(builders[name].build())
    totals = cs.totals()
    check = TotalsCheck(
        origin,
        "gcovr's own count (each line once per function that lists it)",
        "covgap counts each source line once, adding the counts of its listings "
        "(gcovr's --merge-lines figure)",
    )
    check.compare("lines", (listed[0], listed[1]), (totals.lines_total, totals.lines_covered))
    check.compare(
        "branches", (listed[2], listed[3]), (totals.branches_total, totals.branches_covered)
    )
    cs.notes = tuple(check.notes())
    return cs


def _excluded(entry: dict[str, object]) -> bool:
    return entry.get("gcovr/excluded") is True or entry.get("gcovr/noncode") is True


def _read_lines(
    j: JsonReader, f: dict[str, object], fp: JsonPath, b: FileCoverageBuilder, listed: list[int]
) -> None:
    """Add the file's lines; ``listed`` adds up gcovr's own per-listing count."""
    lp = (*fp, "lines")
    for k, rl in enumerate(j.arr(f.get("lines", []), lp)):
        p = (*lp, k)
        line = j.obj(rl, p)
        if _excluded(line):
            continue
        nr = j.line(j.key(line, "line_number", p), (*p, "line_number"))
        count = j.count(j.key(line, "count", p), (*p, "count"))
        b.add_line(nr, count)
        listed[0] += 1
        listed[1] += count > 0
        bp = (*p, "branches")
        for n, rb in enumerate(j.arr(line.get("branches", []), bp)):
            brp = (*bp, n)
            br = j.obj(rb, brp)
            if _excluded(br):
                continue
            number = br.get("branchno", n)
            branchno = j.integer(number, (*brp, "branchno"), 0, 2**31 - 1, "a branch number")
            taken = j.count(j.key(br, "count", brp), (*brp, "count"))
            # gcovr: a branch is covered when its own count is > 0, whatever the line's.
            b.add_branch(nr, 0, branchno, taken if count > 0 or taken > 0 else None)
            listed[2] += 1
            listed[3] += taken > 0


def _read_functions(
    j: JsonReader, f: dict[str, object], fp: JsonPath, b: FileCoverageBuilder
) -> None:
    fnp = (*fp, "functions")
    for k, rfn in enumerate(j.arr(f.get("functions", []), fnp)):
        p = (*fnp, k)
        fn = j.obj(rfn, p)
        if _excluded(fn):
            continue
        name = j.string(fn.get("demangled_name") or j.key(fn, "name", p), (*p, "name"))
        # 0: gcovr's merge-use-line-0 (the line differed between merged inputs).
        start = j.integer(j.key(fn, "lineno", p), (*p, "lineno"), 0, MAX_LINE, "a line number")
        hits = j.count(j.key(fn, "execution_count", p), (*p, "execution_count"))
        b.add_function(name, start, hits)


# -- the typed fast path ----------------------------------------------------------------

_BranchNo = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
# 0: gcovr's merge-use-line-0 (the line differed between merged inputs).
_FunctionLine = Annotated[int, msgspec.Meta(ge=0, le=MAX_LINE)]


class _Excludable(msgspec.Struct, kw_only=True):
    excluded: object = msgspec.field(default=None, name="gcovr/excluded")
    noncode: object = msgspec.field(default=None, name="gcovr/noncode")


class _Branch(_Excludable):
    count: Count
    branchno: _BranchNo | UnsetType = UNSET


class _Line(_Excludable):
    line_number: Line
    count: Count
    branches: list[_Branch] = []


class _Function(_Excludable):
    lineno: _FunctionLine
    execution_count: Count
    name: str | UnsetType = UNSET
    demangled_name: str | None = None


class _File(msgspec.Struct):
    file: str
    lines: list[_Line] = []
    functions: list[_Function] = []


class _Document(msgspec.Struct):
    files: list[msgspec.Raw]
    version: str | UnsetType = msgspec.field(default=UNSET, name="gcovr/format_version")
    summary: msgspec.Raw | UnsetType = msgspec.field(
        default=UNSET, name="gcovr/summary_format_version"
    )


_DOCUMENT = msgspec.json.Decoder(_Document)
_FILE = msgspec.json.Decoder(_File)


def _add_file_fast(f: _File, b: FileCoverageBuilder, listed: list[int]) -> None:
    """``_read_lines`` and ``_read_functions`` on a typed member."""
    add_line, add_branch = b.add_line, b.add_branch
    for line in f.lines:
        if line.excluded is True or line.noncode is True:
            continue
        nr, count = line.line_number, line.count
        add_line(nr, count)
        listed[0] += 1
        listed[1] += count > 0
        for n, br in enumerate(line.branches):
            if br.excluded is True or br.noncode is True:
                continue
            branchno = n if br.branchno is UNSET else br.branchno
            taken = br.count
            # gcovr: a branch is covered when its own count is > 0, whatever the line's.
            add_branch(nr, 0, branchno, taken if count > 0 or taken > 0 else None)
            listed[2] += 1
            listed[3] += taken > 0
    for fn in f.functions:
        if fn.excluded is True or fn.noncode is True:
            continue
        name = fn.demangled_name or fn.name
        if name is UNSET:
            raise FastPathMiss
        b.add_function(name, fn.lineno, fn.execution_count)


def _read_fast(data: bytes, origin: str) -> CoverageSet:
    """:func:`_read_exact`, one typed file member at a time."""
    doc = _DOCUMENT.decode(data)
    if doc.summary is not UNSET or doc.version is UNSET or not _VERSION_RE.fullmatch(doc.version):
        raise FastPathMiss
    builders: dict[str, FileCoverageBuilder] = {}
    listed = [0, 0, 0, 0]  # gcovr's own count: line entries, covered; branches, covered
    decode = _FILE.decode
    for raw in doc.files:
        f = decode(raw)
        if not f.file:
            raise FastPathMiss
        b = builders.get(f.file)
        if b is None:
            b = builders[f.file] = FileCoverageBuilder(f.file)
        _add_file_fast(f, b, listed)
    return _build(builders, listed, origin)


FORMAT = FormatSpec(
    name="gcovr-json",
    title="gcovr JSON",
    sniff=sniff,
    read=read,
    write=None,
    discover=("**/coverage.gcovr.json", "**/gcovr.json"),
    not_report=not_report,
)

__all__ = ["FORMAT", "not_report", "read", "sniff"]
