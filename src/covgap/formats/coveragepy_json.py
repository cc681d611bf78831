"""coverage.py's JSON report (``coverage json``), formats 1 to 3.

Specification: coverage.py's documentation, "JSON reporting" (``cmd.html#cmd-json``)
and its source ``coverage/jsonreport.py``. Checked against coverage.py 7.17.3
(format 3, with and without ``--branch``, with ``--show-contexts``); formats 1 and 2
(coverage.py 5.0 to 7.4) have the same per-file keys minus ``functions``/``classes``::

    {"meta": {"format": 3, "version": "7.17.3", "branch_coverage": true,
              "show_contexts": true, ...},
     "files": {"shop.py": {
         "executed_lines": [4, 5], "missing_lines": [10], "excluded_lines": [33],
         "executed_branches": [[9, 11]], "missing_branches": [[9, 10]],
         "contexts": {"5": ["test_shop.test_cart"]},
         "functions": {"Cart.add": {"start_line": 8, "executed_lines": [9],
                                    "missing_lines": [10], ...}, "": {...}},
         "summary": {...}}},
     "totals": {...}}

What coverage.py counts, and how this reader reproduces it:

* **Lines** are statements: ``executed_lines`` (hits 1; the JSON has no counts)
  plus ``missing_lines`` (hits 0). Excluded lines are not statements, so they are
  not lines. ``coverage report``'s Stmts = covgap's lines total, Miss = uncovered.
* **Branches** are arcs out of lines with more than one exit. Each arc
  ``[from, to]`` becomes a branch on line ``from``, block 0, numbered the way
  coverage.py's own LCOV report orders its ``BRDA`` records for that line: arcs to
  lines in destination order, then exits from the code object (negative
  destinations); branch id = the position in that order (0, 1, ...), so ids stay
  non-negative and agree between two reports of the same code. Taken is 1 or 0
  (the JSON has no counts), and, as in coverage.py's LCOV, all of a line's arcs are
  "never evaluated" (``-``) when none of them was taken. Totals then equal
  ``num_branches``/``covered_branches``, and "partial" lines (BrPart) are the lines
  with both taken and untaken branches.
* **Functions** come from the ``functions`` key (coverage.py 7.5+). ``coverage
  report`` prints no function total; coverage.py's own LCOV report (``FN``/``FNDA``,
  ``lcovreport.py``) defines one, and this reader follows it: every named region
  (``""`` is module-level code, not a function) with at least one statement,
  covered (hits 1, else 0) when one of its statements ran. A function wholly
  excluded (``# pragma: no cover``) has no statements and is not counted, just as
  its lines are not. Older formats have no function data and give none.
* **Contexts** (``--show-contexts``: which test or suite ran each line) are *not*
  turned into covgap flags. Flags are covgap's own suite labels, given per input
  on the command line, and ``read_report`` replaces a set's flags with the input's
  flag; a report with per-test contexts would also make hundreds of "suites". So
  contexts go to the model's own per-test column, ``FileCoverage.contexts`` (the
  default, empty context is left out: it names no test), which ``covgap who-covers``
  answers from; :func:`read_contexts` returns them per file and line as written.

Reading (issue 14): :func:`_read_fast` decodes the ``files`` one member at a time
with msgspec into the typed structs below; anything it does not decide falls back to
the exact reader (:func:`_read_exact`, :func:`_read_file`), which names the JSON path
of a bad value. Both end in :func:`_columns`, which does the counting, so a change
to what is counted is made once; ``tests/unit/test_json_fast_paths.py`` compares them.

The ``summary``/``totals`` objects are coverage.py's own figures for the same data;
covgap recomputes from the per-line data and does not trust them (a hand-edited or
merged file may disagree; the per-line data is what the rest of covgap shows). When
``totals`` differ, a note gives both figures.
"""

from __future__ import annotations

import re
from array import array
from typing import Annotated, BinaryIO

import msgspec
import orjson
from msgspec import UNSET, UnsetType

from covgap.errors import FormatError
from covgap.formats import FormatSpec
from covgap.formats._json import (
    FastPathMiss,
    JsonPath,
    JsonReader,
    Line,
    fast_or_exact,
    load_json,
    sniff_json_object,
)
from covgap.formats._totals import TotalsCheck
from covgap.model import NEVER_EVALUATED, CoverageSet, FileCoverage, Function
from covgap.types import MAX_LINE

__all__ = ["FORMAT", "KNOWN_FORMATS", "read", "read_contexts", "sniff"]

KNOWN_FORMATS = range(1, 4)
"""``meta.format`` values this reader was checked against (coverage.py 5.0 – 7.x).

A newer format is still read (coverage.py has only ever added keys) and a note says
so; anything below 1 or not an integer is rejected.
"""

_SNIFF_META = re.compile(rb'^\{\s*"meta"\s*:\s*\{')
_SNIFF_KEYS = (b'"branch_coverage"', b'"show_contexts"')

Contexts = dict[str, dict[int, tuple[str, ...]]]
"""Per file, per line: the coverage.py contexts that ran it (``""`` is the default)."""


def sniff(head: bytes, filename: str) -> bool:
    """coverage.py writes ``{"meta": {...}`` first, with its two boolean settings."""
    body = sniff_json_object(head)
    return bool(_SNIFF_META.match(body)) and all(k in body for k in _SNIFF_KEYS)


def _check_meta(j: JsonReader, doc: dict[str, object]) -> tuple[str, ...]:
    """Validate ``meta`` and return notes about it (a newer, unknown format)."""
    meta = j.obj(j.key(doc, "meta", ()), ("meta",))
    fmt = meta.get("format")
    if fmt is None:  # coverage.py 5.0 wrote no format number; it is format 1
        return ()
    number = j.integer(fmt, ("meta", "format"), 1, 1_000, "a format number")
    if number not in KNOWN_FORMATS:
        return (
            f"{j.origin}: coverage.py JSON format {number} is newer than the formats "
            f"covgap knows ({KNOWN_FORMATS.start}-{KNOWN_FORMATS.stop - 1}); read as format 3",
        )
    return ()


def _arcs(j: JsonReader, value: object, path: JsonPath) -> list[tuple[int, int]]:
    """Validate ``[[from, to], ...]``: from is a line, to a line or its negation."""
    out: list[tuple[int, int]] = []
    for i, arc in enumerate(j.arr(value, path)):
        if not (
            isinstance(arc, list)
            and len(arc) == 2
            and type(arc[0]) is int
            and type(arc[1]) is int
            and 1 <= arc[0] <= MAX_LINE
            and arc[1] != 0
            and -MAX_LINE <= arc[1] <= MAX_LINE
        ):
            raise j.error((*path, i), "expected an arc [from_line, to_line]")
        out.append((arc[0], arc[1]))
    return out


def _read_file(j: JsonReader, name: str, value: object) -> FileCoverage:
    path: JsonPath = ("files", name)
    data = j.obj(value, path)
    executed = j.line_list(j.key(data, "executed_lines", path), (*path, "executed_lines"))
    missing = j.line_list(j.key(data, "missing_lines", path), (*path, "missing_lines"))
    hits_by_line = dict.fromkeys(missing, 0)
    for ln in executed:
        if ln in hits_by_line:
            raise j.error((*path, "executed_lines"), f"line {ln} is also in missing_lines")
        hits_by_line[ln] = 1
    lines = sorted(hits_by_line)

    arcs: dict[int, dict[int, int]] = {}  # source line -> destination -> taken
    for key, taken in (("executed_branches", 1), ("missing_branches", 0)):
        if key not in data:
            continue
        for src, dst in _arcs(j, data[key], (*path, key)):
            per_line = arcs.setdefault(src, {})
            if dst in per_line:
                raise j.error((*path, key), f"arc [{src}, {dst}] is listed twice")
            per_line[dst] = taken
    functions: list[tuple[str, list[int], list[int], int | None]] = []
    if "functions" in data:
        fpath: JsonPath = (*path, "functions")
        for fname, fvalue in j.items(data["functions"], fpath):
            if fname == "":
                continue  # module-level code, not a function
            fn = j.obj(fvalue, (*fpath, fname))
            f_exec = j.line_list(
                j.key(fn, "executed_lines", (*fpath, fname)), (*fpath, fname, "executed_lines")
            )
            f_miss = j.line_list(
                j.key(fn, "missing_lines", (*fpath, fname)), (*fpath, fname, "missing_lines")
            )
            start = None
            if (f_exec or f_miss) and "start_line" in fn:  # no statements: not a function
                start = j.line(fn["start_line"], (*fpath, fname, "start_line"))
            functions.append((fname, f_exec, f_miss, start))
    return _columns(name, lines, hits_by_line, arcs, functions)


def _columns(
    name: str,
    lines: list[int],
    hits_by_line: dict[int, int],
    arcs: dict[int, dict[int, int]],
    functions: list[tuple[str, list[int], list[int], int | None]],
) -> FileCoverage:
    """Count one file from its validated parts (both reading paths end here)."""
    br_line, br_branch, br_taken = array("i"), array("i"), array("q")
    for src in sorted(arcs):
        per_line = arcs[src]
        none_taken = not any(per_line.values())
        # coverage.py's lcovreport order: normal arcs first, then exits (dst < 0).
        for i, dst in enumerate(sorted(per_line, key=lambda d: (d < 0, d))):
            br_line.append(src)
            br_branch.append(i)
            br_taken.append(NEVER_EVALUATED if none_taken else per_line[dst])

    funcs: list[Function] = []
    for fname, f_exec, f_miss, start in functions:
        statements = f_exec + f_miss
        if not statements:
            continue  # wholly excluded: no statements, not a function of the report
        # coverage.py 7.5/7.6 wrote no start line; its first statement is close
        first = min(statements) if start is None else start
        funcs.append(Function(fname, first, max(statements), 1 if f_exec else 0))

    return FileCoverage.from_columns(
        name,
        array("i", lines),
        array("q", [hits_by_line[ln] for ln in lines]),
        br_line=br_line,
        br_block=array("i", bytes(4 * len(br_line))),
        br_branch=br_branch,
        br_taken=br_taken,
        functions=funcs,
    )


def _document(stream: BinaryIO, origin: str) -> tuple[JsonReader, dict[str, object]]:
    j = JsonReader(origin)
    doc = load_json(stream, origin)
    if not isinstance(doc, dict) or "files" not in doc or "meta" not in doc:
        raise FormatError(origin, 'not a coverage.py JSON report (no top-level "meta" and "files")')
    return j, doc


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read a coverage.py JSON report; see the module docstring for what counts."""
    return fast_or_exact(stream, origin, _read_fast, _read_exact)


def _read_exact(stream: BinaryIO, origin: str) -> CoverageSet:
    """The validating reader: whole-document dicts, every error named by its JSON path."""
    j, doc = _document(stream, origin)
    notes = list(_check_meta(j, doc))
    cs = CoverageSet()
    for name, value in j.items(doc["files"], ("files",)):
        if not name:
            raise j.error(("files",), "a file has an empty name")
        fc = _read_file(j, name, value)
        if isinstance(value, dict) and value.get("contexts"):
            fc.contexts = _context_columns(_file_contexts(j, name, value))
        cs.add(fc)
    notes.extend(_check_totals(origin, doc, cs))
    cs.notes = tuple(notes)
    return cs


def _check_totals(origin: str, doc: dict[str, object], cs: CoverageSet) -> list[str]:
    """One note when coverage.py's own ``totals`` differ from the per-line data."""
    totals = doc.get("totals")
    if not isinstance(totals, dict):
        return []
    check = TotalsCheck(
        origin,
        'coverage.py\'s "totals"',
        "covgap reports the per-line data (the totals of a hand-edited or merged file "
        "may not describe it)",
    )
    t = cs.totals()
    for kind, total_key, covered_key, ours in (
        ("lines", "num_statements", "covered_lines", (t.lines_total, t.lines_covered)),
        ("branches", "num_branches", "covered_branches", (t.branches_total, t.branches_covered)),
    ):
        total, covered = totals.get(total_key), totals.get(covered_key)
        if type(total) is int and type(covered) is int:
            check.compare(
                kind,
                (total, covered),
                ours,
                where="totals",
                as_written=f"{total_key}={total} {covered_key}={covered}",
            )
    return check.notes()


def _context_columns(per_line: dict[int, tuple[str, ...]]) -> dict[str, array[int]]:
    """Per line → per test (the model's shape); the default, empty context is left out:
    it names no test (code run at import, outside any test function)."""
    per_name: dict[str, list[int]] = {}
    for line in sorted(per_line):
        for ctx in per_line[line]:
            if ctx:
                per_name.setdefault(ctx, []).append(line)
    return {ctx: array("i", lines) for ctx, lines in per_name.items()}


def _file_contexts(j: JsonReader, name: str, value: object) -> dict[int, tuple[str, ...]]:
    data = j.obj(value, ("files", name))
    cpath: JsonPath = ("files", name, "contexts")
    per_line: dict[int, tuple[str, ...]] = {}
    for key, names in j.items(data["contexts"], cpath):
        line = j.line_key(key, cpath)
        per_line[line] = tuple(
            j.string(c, (*cpath, key, i)) for i, c in enumerate(j.arr(names, (*cpath, key)))
        )
    return dict(sorted(per_line.items()))


# -- the typed fast path ----------------------------------------------------------------

_ArcEnd = Annotated[int, msgspec.Meta(ge=-MAX_LINE, le=MAX_LINE)]


class _Function(msgspec.Struct):
    executed_lines: list[Line]
    missing_lines: list[Line]
    start_line: Line | UnsetType = UNSET


class _File(msgspec.Struct):
    executed_lines: list[Line]
    missing_lines: list[Line]
    executed_branches: list[tuple[Line, _ArcEnd]] | UnsetType = UNSET
    missing_branches: list[tuple[Line, _ArcEnd]] | UnsetType = UNSET
    functions: dict[str, msgspec.Raw] | UnsetType = UNSET
    contexts: msgspec.Raw | UnsetType = UNSET


class _Document(msgspec.Struct):
    meta: msgspec.Raw
    files: dict[str, msgspec.Raw]
    totals: msgspec.Raw | UnsetType = UNSET


_DOCUMENT = msgspec.json.Decoder(_Document)
_FILE = msgspec.json.Decoder(_File)
_FUNCTION = msgspec.json.Decoder(_Function)


def _file_fast(name: str, data: _File) -> FileCoverage:
    """:func:`_read_file` on a typed member; raises FastPathMiss where it would raise."""
    hits_by_line = dict.fromkeys(data.missing_lines, 0)
    for ln in data.executed_lines:
        if ln in hits_by_line:
            raise FastPathMiss
        hits_by_line[ln] = 1
    lines = sorted(hits_by_line)
    arcs: dict[int, dict[int, int]] = {}
    for listed, taken in ((data.executed_branches, 1), (data.missing_branches, 0)):
        if listed is UNSET:
            continue
        for src, dst in listed:
            per_line = arcs.setdefault(src, {})
            if dst == 0 or dst in per_line:
                raise FastPathMiss
            per_line[dst] = taken
    functions: list[tuple[str, list[int], list[int], int | None]] = []
    if data.functions is not UNSET:
        for fname, raw in data.functions.items():
            if fname == "":
                continue  # module-level code, not validated by the exact reader either
            fn = _FUNCTION.decode(raw)
            start = None if fn.start_line is UNSET else fn.start_line
            functions.append((fname, fn.executed_lines, fn.missing_lines, start))
    return _columns(name, lines, hits_by_line, arcs, functions)


def _contexts_fast(j: JsonReader, name: str, raw: msgspec.Raw | UnsetType) -> object:
    """The ``contexts`` member decoded, or None where the exact reader reads none (a
    missing or empty value: its truth test). Small next to the file's lines."""
    if raw is UNSET:
        return None
    value = orjson.loads(bytes(raw))
    return value or None


def _read_fast(data: bytes, origin: str) -> CoverageSet:
    """:func:`_read_exact`, one typed file member at a time."""
    doc = _DOCUMENT.decode(data)
    j = JsonReader(origin)
    # meta is small: the exact check, which raises what the exact reader raises first.
    notes = list(_check_meta(j, {"meta": orjson.loads(bytes(doc.meta))}))
    cs = CoverageSet()
    decode = _FILE.decode
    for name, raw in doc.files.items():
        if not name:
            raise FastPathMiss
        member = decode(raw)
        fc = _file_fast(name, member)
        contexts = _contexts_fast(j, name, member.contexts)
        if contexts is not None:  # a bad value raises FormatError: the exact path decides
            fc.contexts = _context_columns(_file_contexts(j, name, {"contexts": contexts}))
        cs.add(fc)
    if doc.totals is not UNSET:  # small: the exact check on the decoded object
        notes.extend(_check_totals(origin, {"totals": orjson.loads(bytes(doc.totals))}, cs))
    cs.notes = tuple(notes)
    return cs


def read_contexts(stream: BinaryIO, origin: str) -> Contexts:
    """Return the ``--show-contexts`` data: per file, per line, the contexts that ran it.

    Files without contexts (a report written without ``--show-contexts``) are absent.
    Context names are kept as coverage.py wrote them (``""`` is the default, empty
    context; ``test_shop.test_cart`` a dynamic test-function context).
    """
    j, doc = _document(stream, origin)
    out: Contexts = {}
    for name, value in j.items(doc["files"], ("files",)):
        data = j.obj(value, ("files", name))
        if "contexts" not in data:
            continue
        out[name] = _file_contexts(j, name, value)
    return out


FORMAT = FormatSpec(
    name="coveragepy-json",
    title="coverage.py JSON report",
    sniff=sniff,
    read=read,
    discover=("**/coverage.json",),
)
