"""Istanbul's ``coverage-final.json`` (nyc, c8, Jest, Vitest's istanbul/v8 providers).

Specification: the file coverage object documented in istanbul-lib-coverage
(``lib/file-coverage.js``) and istanbul-lib-instrument's README. One object per
source file, keyed by path::

    {"/repo/src/a.js": {
        "path": "/repo/src/a.js",
        "statementMap": {"0": {"start": {"line": 4, "column": 2}, "end": {...}}, ...},
        "s": {"0": 3, ...},                       # statement id -> hits
        "fnMap": {"0": {"name": "area", "decl": {...}, "loc": {...}, "line": 4}},
        "f": {"0": 3},                            # function id -> hits
        "branchMap": {"0": {"type": "if", "loc": {...}, "locations": [{...}, {...}],
                            "line": 17}},
        "b": {"0": [1, 0]},                       # branch id -> hits per location
        "inputSourceMap": {...}}}                 # optional

Some writers wrap each file as ``{"data": {...}}`` (a serialized FileCoverage);
that is accepted too. Checked against c8 12.0.0 (V8 coverage through
v8-to-istanbul: one statement per line; on plain JavaScript and on TypeScript compiled
by tsc 5.9 with source maps, which c8 maps back to the ``.ts`` files) and nyc 17.1.0
(Babel instrumentation: several statements per line, statements spanning lines) on
node 20; the fixtures and their ``coverage-summary.json`` are in ``tests/data/c8``.

What Istanbul counts (istanbul-lib-coverage 3.2, ``FileCoverage.toSummary``), and how
this reader reproduces it:

* **Lines** (``getLineCoverage``): for every entry of ``s`` whose statement is in
  ``statementMap``, the line is the statement's *start* line and the line's count is
  the **maximum** of the counts of the statements starting on it. covgap's lines are
  Istanbul's Lines, not its Statements: the model has no statements, and the Lines
  column is what every other format's "lines" means. (Statements equal Lines for c8;
  for nyc they differ and are not kept.)
* **Functions**: one per entry of ``f``, covered when its count is > 0; named and
  placed from ``fnMap`` (``decl`` start line, else ``loc``, as Istanbul's LCOV
  reporter does). Two functions with the same name on the same line (anonymous
  callbacks) would be one function in covgap's model, so the second and later get
  their Istanbul id appended (``(anonymous_3)#7``) to keep the total equal.
* **Branches**: every element of every ``b`` array, covered when > 0. A branch is
  stored as line = ``branchMap[id].loc.start.line``, block = the branch id, branch =
  the index in its array: exactly the ``BRDA`` Istanbul's own LCOV reporter writes.
  The old ``istanbul`` 0.x ``coverage.json`` has no ``loc`` on a branch, only its
  ``line`` (and ``locations``): that line is used, as istanbul 0.x's LCOV reporter
  does (else the first location's start line).
* ``bT`` (branch truthiness, opt-in) is not a total Istanbul reports: ignored.
* ``inputSourceMap`` is not applied: the positions Istanbul reports on are those in
  the file, which is what its summary counts. A note says the map was present.

Reading (issue 14): :func:`_read_fast` splits the map into per-file members and
decodes each with msgspec into the structs below (only ``start.line`` of a location
is kept), one file at a time; anything it does not decide falls back to the exact,
path-naming reader :func:`_read_exact` / :func:`_read_file` (see
``covgap.formats._json``). A change to what is counted goes into both
(``_file_fast`` and ``_read_file``); ``tests/unit/test_json_fast_paths.py`` compares them.
"""

from __future__ import annotations

import re
from array import array
from typing import BinaryIO

import msgspec
from msgspec import UNSET, UnsetType

from covgap.errors import FormatError
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
from covgap.model import CoverageSet, FileCoverage, FileCoverageBuilder
from covgap.types import MAX_COUNT, MAX_LINE

__all__ = ["FORMAT", "not_report", "read", "sniff"]

# {"<path>": {"path": ..., "statementMap": ...} or {"<path>": {"data": {...
# Writers order a file's keys differently: solidity-coverage (Hardhat/Truffle
# ``coverage.json``) starts each file with the derived line map ``"l"``, then
# ``path``, ``s``, ``b``, ``f``, ``fnMap``, ``statementMap``; any FileCoverage key
# may come first.
_SNIFF = re.compile(
    rb'^\{\s*"(?:[^"\\]|\\.)*"\s*:\s*\{\s*"'
    rb"(?:path|data|statementMap|all|l|s|f|b|bT|fnMap|branchMap|inputSourceMap"
    rb'|_coverageSchema|hash)"'
)
_MAX_ID = 2**31 - 1


_EMPTY = re.compile(rb"^\{\s*\}\s*$")
# Istanbul's json-summary reporter (coverage-summary.json): {"total": {"lines": {"total":
_SUMMARY = re.compile(rb'^\{\s*"total"\s*:\s*\{\s*"lines"\s*:\s*\{\s*"total"\s*:')
_SUMMARY_MESSAGE = (
    "this is Istanbul's json-summary (coverage-summary.json: totals only, no lines); "
    "covgap reads coverage-final.json, which the json reporter writes "
    '(Jest: coverageReporters ["json"]; nyc, c8: --reporter=json)'
)


def sniff(head: bytes, filename: str) -> bool:
    """A JSON object of objects whose first member holds a statementMap.

    An empty map, ``{}``, is what Istanbul's JSON reporter writes when nothing was
    instrumented (Jest, nyc or c8 with no file matched); the content cannot tell it
    from any other empty JSON object, so the name decides: a ``coverage-final.json``
    holding ``{}`` is an Istanbul report of no files, as ``nyc report`` reads it.
    """
    body = sniff_json_object(head)
    if _EMPTY.match(body):
        return filename == "coverage-final.json" or filename.endswith(
            ("/coverage-final.json", "\\coverage-final.json")
        )
    return bool(_SNIFF.match(body)) and b'"statementMap"' in body


def not_report(head: bytes) -> str | None:
    """Istanbul's json-summary (``coverage-summary.json``) is not a report: say which is."""
    return _SUMMARY_MESSAGE if _SUMMARY.match(sniff_json_object(head)) else None


def _start_line(j: JsonReader, value: object, path: JsonPath) -> int:
    """Return ``value.start.line`` for a ``{"start": {"line": N, ...}, ...}`` location."""
    loc = j.obj(value, path)
    start = j.obj(j.key(loc, "start", path), (*path, "start"))
    return j.line(j.key(start, "line", (*path, "start")), (*path, "start", "line"))


def _block_ids(keys: list[str]) -> list[int]:
    """Istanbul ids are "0", "1", ...; anything else is numbered in order of appearance."""
    if all(k.isdigit() and k.isascii() and int(k) <= _MAX_ID for k in keys):
        return [int(k) for k in keys]
    return list(range(len(keys)))


def _read_file(j: JsonReader, key: str, value: object) -> tuple[FileCoverage, bool]:
    path: JsonPath = (key,)
    data = j.obj(value, path)
    if "data" in data and "statementMap" not in data:
        path = (key, "data")
        data = j.obj(data["data"], path)
    name = j.string(data["path"], (*path, "path")) if "path" in data else key
    if not name:
        raise j.error((*path, "path"), "empty file path")
    b = FileCoverageBuilder(name)

    # Lines: getLineCoverage — max count of the statements starting on each line.
    smap = j.obj(j.key(data, "statementMap", path), (*path, "statementMap"))
    line_hits: dict[int, int] = {}
    for sid, count in j.items(j.key(data, "s", path), (*path, "s")):
        loc = smap.get(sid)
        if loc is None:
            j.count(count, (*path, "s", sid))
            continue  # Istanbul skips a count without a statement ("is this even possible?")
        try:  # fast path: the well-formed case, without a call per check
            raw_line: object = loc["start"]["line"]  # type: ignore[index]
        except (TypeError, KeyError):
            raw_line = None
        if (
            type(raw_line) is int
            and 1 <= raw_line <= MAX_LINE
            and type(count) is int
            and 0 <= count <= MAX_COUNT
        ):
            line, hits = raw_line, count
        else:  # slow path: the same checks, failing with the JSON path
            hits = j.count(count, (*path, "s", sid))
            line = _start_line(j, loc, (*path, "statementMap", sid))
        prev = line_hits.get(line)
        if prev is None or prev < hits:
            line_hits[line] = hits
    for line in sorted(line_hits):
        b.add_line(line, line_hits[line])

    # Functions: one per entry of f.
    fmap = j.obj(j.key(data, "fnMap", path), (*path, "fnMap"))
    seen: set[tuple[str, int]] = set()
    for fid, count in j.items(j.key(data, "f", path), (*path, "f")):
        hits = j.count(count, (*path, "f", fid))
        mpath: JsonPath = (*path, "fnMap", fid)
        if fid not in fmap:
            raise j.error((*path, "f", fid), "function has no fnMap entry")
        meta = j.obj(fmap[fid], mpath)
        fname = j.string(j.key(meta, "name", mpath), (*mpath, "name"))
        where = "decl" if "decl" in meta else "loc"
        start = _start_line(j, j.key(meta, where, mpath), (*mpath, where))
        end: int | None = None
        if "loc" in meta:
            loc = j.obj(meta["loc"], (*mpath, "loc"))
            if "end" in loc and isinstance(loc["end"], dict) and "line" in loc["end"]:
                end = j.line(loc["end"]["line"], (*mpath, "loc", "end", "line"))
        if (fname, start) in seen:
            fname = f"{fname}#{fid}"
        seen.add((fname, start))
        b.add_function(fname, start, hits, end)

    # Branches: every element of every b array.
    bmap = j.obj(j.key(data, "branchMap", path), (*path, "branchMap"))
    bvalues = j.obj(j.key(data, "b", path), (*path, "b"))
    for block, (bid, counts) in zip(_block_ids(list(bvalues)), bvalues.items(), strict=True):
        hits_list = j.count_list(counts, (*path, "b", bid))
        if bid not in bmap:
            raise j.error((*path, "b", bid), "branch has no branchMap entry")
        mpath = (*path, "branchMap", bid)
        meta = j.obj(bmap[bid], mpath)
        if "loc" in meta:
            line = _start_line(j, meta["loc"], (*mpath, "loc"))
        elif "line" in meta:  # istanbul 0.x: {"line": 5, "type": "if", "locations": [...]}
            line = j.line(meta["line"], (*mpath, "line"))
        else:
            locations = j.arr(j.key(meta, "locations", mpath), (*mpath, "locations"))
            if not locations:
                raise j.error((*mpath, "locations"), "branch has no loc, line or locations")
            line = _start_line(j, locations[0], (*mpath, "locations", 0))
        for i, hits in enumerate(hits_list):
            b.add_branch(line, block, i, hits)

    return b.build(), "inputSourceMap" in data


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read an Istanbul coverage-final.json; see the module docstring for what counts."""
    return fast_or_exact(stream, origin, _read_fast, _read_exact)


def _read_exact(stream: BinaryIO, origin: str) -> CoverageSet:
    """The validating reader: whole-document dicts, every error named by its JSON path."""
    j = JsonReader(origin)
    doc = load_json(stream, origin)
    if not isinstance(doc, dict):
        raise FormatError(origin, "not an Istanbul coverage map (expected a JSON object)")
    total = doc.get("total")
    if isinstance(total, dict) and "lines" in total and "statementMap" not in total:
        raise FormatError(origin, _SUMMARY_MESSAGE)
    cs = CoverageSet()
    mapped = 0
    for key, value in doc.items():
        fc, has_map = _read_file(j, key, value)
        if fc.path in cs.files:
            raise j.error((key,), f"file {fc.path!r} appears twice in the coverage map")
        cs.add(fc)
        mapped += has_map
    if mapped:
        cs.notes = (
            f"{origin}: {mapped} file(s) carry an inputSourceMap; covgap reports positions "
            "as written (as Istanbul's summary does) and does not remap them",
        )
    return cs


# -- the typed fast path ----------------------------------------------------------------


class _Pos(msgspec.Struct):
    line: Line


class _EndPos(msgspec.Struct):
    line: Line | UnsetType = UNSET


class _Loc(msgspec.Struct):
    start: _Pos


class _FnLoc(msgspec.Struct):
    start: _Pos | UnsetType = UNSET
    end: _EndPos | UnsetType = UNSET


class _Fn(msgspec.Struct):
    name: str
    decl: _Loc | UnsetType = UNSET
    loc: _FnLoc | UnsetType = UNSET


class _Branch(msgspec.Struct):
    """A branchMap entry; istanbul 0.x wrote ``line`` (and ``locations``), no ``loc``."""

    loc: _Loc | UnsetType = UNSET
    line: Line | UnsetType = UNSET
    locations: list[msgspec.Raw] | UnsetType = UNSET
    """Only the first is read, and only without ``loc``/``line`` (nyc writes empty
    ``start`` objects for an implicit ``else``)."""


class _File(msgspec.Struct):
    statementMap: dict[str, _Loc]
    s: dict[str, Count]
    fnMap: dict[str, _Fn]
    f: dict[str, Count]
    branchMap: dict[str, _Branch]
    b: dict[str, list[Count]]
    path: str | UnsetType = UNSET
    inputSourceMap: msgspec.Raw | UnsetType = UNSET


class _Wrapped(msgspec.Struct):
    """A serialized FileCoverage: ``{"data": {...}}`` (read when no statementMap is beside it)."""

    data: _File
    statementMap: msgspec.Raw | UnsetType = UNSET


_MEMBERS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_FILE = msgspec.json.Decoder(_File)
_LOC = msgspec.json.Decoder(_Loc)
_WRAPPED = msgspec.json.Decoder(_Wrapped)


def _member(raw: msgspec.Raw) -> _File:
    """Decode one file member, unwrapping ``{"data": {...}}`` as the exact reader does."""
    try:
        return _FILE.decode(raw)
    except msgspec.ValidationError:
        wrapped = _WRAPPED.decode(raw)
        if wrapped.statementMap is not UNSET:
            raise FastPathMiss from None
        return wrapped.data


def _file_fast(key: str, data: _File) -> FileCoverage:
    """:func:`_read_file` on a typed member; raises FastPathMiss where it would raise."""
    name = key if data.path is UNSET else data.path
    if not name:
        raise FastPathMiss
    smap = data.statementMap
    line_hits: dict[int, int] = {}
    get = line_hits.get
    for sid, hits in data.s.items():
        loc = smap.get(sid)
        if loc is None:
            continue
        line = loc.start.line
        prev = get(line)
        if prev is None or prev < hits:
            line_hits[line] = hits
    keys = sorted(line_hits)

    b = FileCoverageBuilder(name)
    fmap = data.fnMap
    seen: set[tuple[str, int]] = set()
    for fid, hits in data.f.items():
        meta = fmap.get(fid)
        if meta is None:
            raise FastPathMiss
        if meta.decl is not UNSET:
            start = meta.decl.start.line
        elif meta.loc is not UNSET and meta.loc.start is not UNSET:
            start = meta.loc.start.line
        else:
            raise FastPathMiss
        end: int | None = None
        if meta.loc is not UNSET and meta.loc.end is not UNSET and meta.loc.end.line is not UNSET:
            end = meta.loc.end.line
        fname = meta.name
        if (fname, start) in seen:
            fname = f"{fname}#{fid}"
        seen.add((fname, start))
        b.add_function(fname, start, hits, end)

    bmap = data.branchMap
    bvalues = data.b
    for block, (bid, hits_list) in zip(_block_ids(list(bvalues)), bvalues.items(), strict=True):
        bmeta = bmap.get(bid)
        if bmeta is None:
            raise FastPathMiss
        if bmeta.loc is not UNSET:
            line = bmeta.loc.start.line
        elif bmeta.line is not UNSET:  # istanbul 0.x
            line = bmeta.line
        elif bmeta.locations is not UNSET and bmeta.locations:
            line = _LOC.decode(bmeta.locations[0]).start.line
        else:
            raise FastPathMiss
        for i, hits in enumerate(hits_list):
            b.add_branch(line, block, i, hits)

    return FileCoverage(
        name,
        array("i", keys),
        array("q", [line_hits[k] for k in keys]),
        branches=b.build_branches(),
        functions=b.build_functions(),
    )


def _read_fast(data: bytes, origin: str) -> CoverageSet:
    """:func:`_read_exact`, one typed file member at a time (see the module docstring)."""
    cs = CoverageSet()
    mapped = 0
    for key, raw in _MEMBERS.decode(data).items():
        member = _member(raw)
        fc = _file_fast(key, member)
        if fc.path in cs.files:
            raise FastPathMiss
        cs.add(fc)
        mapped += member.inputSourceMap is not UNSET
    if mapped:
        cs.notes = (
            f"{origin}: {mapped} file(s) carry an inputSourceMap; covgap reports positions "
            "as written (as Istanbul's summary does) and does not remap them",
        )
    return cs


FORMAT = FormatSpec(
    name="istanbul",
    title="Istanbul coverage-final.json",
    sniff=sniff,
    read=read,
    discover=("**/coverage-final.json",),
    not_report=not_report,
)
