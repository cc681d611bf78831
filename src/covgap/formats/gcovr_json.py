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
from typing import BinaryIO

from covgap.formats import FormatSpec
from covgap.formats._json import JsonPath, JsonReader, load_json, sniff_json_object
from covgap.formats._totals import TotalsCheck
from covgap.model import CoverageSet, FileCoverageBuilder
from covgap.types import MAX_LINE

_SNIFF_RE = re.compile(rb'"gcovr/(summary_)?format_version"\s*:')
_VERSION_RE = re.compile(r"0\.\d+")


def sniff(head: bytes, name: str) -> bool:
    """gcovr writes ``"gcovr/format_version"`` as its first key."""
    body = sniff_json_object(head)[:4096]
    return bool(body and _SNIFF_RE.search(body))


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read a gcovr JSON report; see the module docstring for the rules."""
    j = JsonReader(origin)
    doc = j.obj(load_json(stream, origin), ())
    if "gcovr/summary_format_version" in doc:
        raise j.error(
            (),
            "this is gcovr's --json-summary (totals only); covgap needs the per-line "
            "report that `gcovr --json` writes",
        )
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


FORMAT = FormatSpec(
    name="gcovr-json",
    title="gcovr JSON",
    sniff=sniff,
    read=read,
    write=None,
    discover=("**/coverage.gcovr.json", "**/gcovr.json"),
)

__all__ = ["FORMAT", "read", "sniff"]
