"""SimpleCov: ``coverage/.resultset.json`` and simplecov_json_formatter's ``coverage.json``.

Specifications: SimpleCov's source (``lib/simplecov/result_merger.rb``,
``result_adapter.rb``, ``combine/*.rb``, ``source_file.rb``; 0.22.0 was read and
run) and simplecov_json_formatter's README and ``source_file_formatter.rb``.

``.resultset.json`` — one entry per command (test suite) that ran::

    {"RSpec": {"coverage": {"/app/lib/calc.rb": {
                   "lines": [null, 1, 0, ...],          # index i is line i+1
                   "branches": {"[:if, 0, 4, 4, 4, 51]": {  # [type, id, l1, c1, l2, c2]
                                  "[:then, 1, 4, 4, 4, 40]": 1,
                                  "[:else, 2, 4, 4, 4, 51]": 0}}}},
               "timestamp": 1795508047},
     "Minitest": {...}}

SimpleCov before 0.18 wrote each file as the bare array of line counts
(``"/app/lib/calc.rb": [null, 1, 0]``); both forms are read. ``coverage.json``
(simplecov_json_formatter 0.1, not packaged by Debian, so checked against the shape
of its own spec fixtures and ``result_hash_formatter.rb``, not a real run)::

    {"meta": {"simplecov_version": "0.22.0"},
     "coverage": {"/app/lib/calc.rb": {"lines": [null, 1, 0, "ignored"],
                  "branches": [{"type": "then", "start_line": 4, "end_line": 4,
                                "coverage": 1}, ...]}},
     "groups": {...}}

What SimpleCov counts (``SourceFile``/``Result``) and how this reader reproduces it:

* **Lines**: an integer entry is a relevant line (``lines_of_code``), covered when
  > 0; ``null`` is not code and ``"ignored"`` (coverage.json's mark for lines inside
  ``# :nocov:``) is skipped: neither is a line.
* **Several commands** are merged the way ``SimpleCov::ResultMerger`` does:
  line counts are summed position by position over the first command's array, and
  a line that is ``null`` in one command and 0 in the other stays ``null``
  (``Combine::LinesCombiner``); branch counts are summed per condition and branch.
  ResultMerger also drops commands older than ``merge_timeout`` (600 s) when it runs;
  a stored resultset is read whole, whatever its age.
* **Branches**: each branch of each condition is one branch, covered when > 0
  (``SourceFile#covered_branches``/``#total_branches``). It is stored on
  SimpleCov's report line (the branch's start line when it is on the condition's
  line, the line before it otherwise), block = the condition id, branch = the branch
  id Ruby's Coverage assigned.
* coverage.json's branches carry no condition, so they are numbered in file order
  (block 0) and placed on their own start line (SimpleCov's HTML shows a branch that
  is not on its condition's line one line up; that needs the condition).
* **Not reproduced**: ``# :nocov:`` in a ``.resultset.json`` — SimpleCov applies those
  markers by reading the source files, which a reader does not have; lines and
  branches inside them are counted here. coverage.json has them applied already.
  Likewise SimpleCov drops files that no longer exist on disk and applies its
  ``add_filter`` rules when it builds a result; covgap keeps every file of the report
  and leaves the rest to path mapping, which lists what matches no repository file.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import msgspec

from covgap.errors import FormatError
from covgap.formats import FormatSpec
from covgap.formats._json import (
    FastPathMiss,
    JsonPath,
    JsonReader,
    fast_or_exact,
    load_json,
    loads,
    members,
    sniff_json_object,
)
from covgap.model import CoverageSet, FileCoverageBuilder
from covgap.types import MAX_COUNT, MAX_LINE

__all__ = ["FORMAT", "merge_line_arrays", "not_report", "read", "sniff"]

# {"<command>": {"coverage": {...}, "timestamp": N}}
_SNIFF_RESULTSET = re.compile(rb'^\{\s*"(?:[^"\\]|\\.)*"\s*:\s*\{\s*"(?:coverage|timestamp)"\s*:')
# simplecov_json_formatter: {"meta": {"simplecov_version": ...
_SNIFF_FORMATTER = re.compile(rb'^\{\s*"meta"\s*:\s*\{\s*"simplecov_version"')
# Ruby's Coverage writes a branch as the inspect string of [type, id, l1, c1, l2, c2].
# The type is a symbol, quoted when it is not an identifier: [:"&.", 3, 15, 4, 15, 18].
_BRANCH_KEY = re.compile(r'^\[(:"[^"]*"|:?\w+), (\d+), (\d+), (\d+), (\d+), (\d+)\]$')

LineCounts = list[int | None]


# SimpleCov's coverage/.last_run.json: {"result": {"line": 91.5, "branch": 80.0}}
# ("covered_percent" before 0.18): percentages only, refused with a pointer.
_SNIFF_LAST_RUN = re.compile(rb'^\{\s*"result"\s*:\s*\{\s*"(?:line|branch|covered_percent)"\s*:')
_LAST_RUN_MESSAGE = (
    "this is SimpleCov's .last_run.json (percentages only, no lines); covgap reads "
    "the .resultset.json SimpleCov writes beside it"
)


def sniff(head: bytes, filename: str) -> bool:
    body = sniff_json_object(head)
    if _SNIFF_FORMATTER.match(body):
        return True
    return bool(_SNIFF_RESULTSET.match(body)) and b'"coverage"' in body


def not_report(head: bytes) -> str | None:
    """SimpleCov's ``.last_run.json`` is not a report: say which file is."""
    return _LAST_RUN_MESSAGE if _SNIFF_LAST_RUN.match(sniff_json_object(head)) else None


def merge_line_arrays(a: LineCounts, b: LineCounts) -> LineCounts:
    """SimpleCov's LinesCombiner: sum over ``a``'s positions; 0 plus null is null."""
    out: LineCounts = []
    for i, x in enumerate(a):
        y = b[i] if i < len(b) else None
        total = (x or 0) + (y or 0)
        out.append(None if total == 0 and (x is None or y is None) else min(total, MAX_COUNT))
    return out


class _Branches:
    """Per condition key, per branch key: summed hits and the parsed positions."""

    def __init__(self) -> None:
        self.conditions: dict[tuple[int, int], dict[tuple[int, int], int]] = {}

    def add(self, cond: tuple[int, int], branch: tuple[int, int], hits: int) -> None:
        per = self.conditions.setdefault(cond, {})
        per[branch] = min(per.get(branch, 0) + hits, MAX_COUNT)


def _parse_key(j: JsonReader, key: str, path: JsonPath) -> tuple[int, int, int]:
    """Return (id, start_line, end_line) of a ``"[:then, 1, 4, 4, 4, 40]"`` key."""
    m = _BRANCH_KEY.match(key)
    if not m:
        raise j.error(path, f"not a Ruby branch key [type, id, l1, c1, l2, c2]: {key!r}")
    ident, start, end = int(m.group(2)), int(m.group(3)), int(m.group(5))
    if not (1 <= start <= MAX_LINE and ident <= 2**31 - 1):
        raise j.error(path, f"branch key out of range: {key!r}")
    return ident, start, end


def _line_array(j: JsonReader, value: object, path: JsonPath, allow_ignored: bool) -> LineCounts:
    items = j.arr(value, path)
    if len(items) > MAX_LINE:
        raise j.error(path, "more lines than covgap accepts")
    out: LineCounts = []
    for i, x in enumerate(items):
        if x is None or (allow_ignored and x == "ignored"):
            out.append(None)
        else:
            out.append(j.count(x, (*path, i)))
    return out


def _pack(lines: LineCounts) -> array[int]:
    return array("q", [-1 if x is None else x for x in lines])


def _unpack(packed: array[int]) -> LineCounts:
    return [None if x < 0 else x for x in packed]


def _add_lines(b: FileCoverageBuilder, lines: LineCounts) -> None:
    for i, count in enumerate(lines):
        if count is not None:
            b.add_line(i + 1, count)


_Files = Iterable[tuple[str, object]]
"""A ``coverage`` object's files: (name, value) pairs, decoded whole or one by one."""


def _commands_exact(j: JsonReader, doc: dict[str, object]) -> Iterator[tuple[str, _Files]]:
    """The resultset's commands with their files, from the whole decoded document."""
    for command, entry in doc.items():
        cpath: JsonPath = (command,)
        obj = j.obj(entry, cpath)
        if "timestamp" in obj:
            j.integer(obj["timestamp"], (*cpath, "timestamp"), 0, 2**62, "a timestamp")
        yield command, j.items(j.key(obj, "coverage", cpath), (*cpath, "coverage"))


def _commands_fast(j: JsonReader, top: dict[str, msgspec.Raw]) -> Iterator[tuple[str, _Files]]:
    """The same, decoding one file at a time (issue 14)."""
    for command, entry in top.items():
        obj = members(entry)
        if "coverage" not in obj:
            raise FastPathMiss
        if "timestamp" in obj:
            j.integer(loads(obj["timestamp"]), (command, "timestamp"), 0, 2**62, "a timestamp")
        yield command, ((name, loads(raw)) for name, raw in members(obj["coverage"]).items())


def _read_resultset(j: JsonReader, commands: Iterable[tuple[str, _Files]]) -> CoverageSet:
    # Every file's lines are held until the end (several commands may list it), so
    # they are kept packed: an array with -1 for null, 8 bytes a line (issue 14).
    lines: dict[str, array[int]] = {}
    branches: dict[str, _Branches] = {}
    for command, files in commands:
        cpath: JsonPath = (command,)
        for name, fvalue in files:
            fpath: JsonPath = (*cpath, "coverage", name)
            if isinstance(fvalue, list):  # SimpleCov < 0.18: the bare line array
                file_lines = _line_array(j, fvalue, fpath, False)
                file_branches: object = None
            else:
                fobj = j.obj(fvalue, fpath)
                file_lines = _line_array(j, j.key(fobj, "lines", fpath), (*fpath, "lines"), False)
                file_branches = fobj.get("branches")
            prev = lines.get(name)
            merged = file_lines if prev is None else merge_line_arrays(_unpack(prev), file_lines)
            lines[name] = _pack(merged)
            if file_branches is None:
                continue
            bpath: JsonPath = (*fpath, "branches")
            acc = branches.setdefault(name, _Branches())
            for ckey, cvalue in j.items(file_branches, bpath):
                cid, cstart, _ = _parse_key(j, ckey, (*bpath, ckey))
                for bkey, hits in j.items(cvalue, (*bpath, ckey)):
                    bid, bstart, _ = _parse_key(j, bkey, (*bpath, ckey, bkey))
                    count = j.count(hits, (*bpath, ckey, bkey))
                    # SimpleCov's report line: the branch's own line when inline.
                    report_line = bstart if bstart == cstart else max(bstart - 1, 1)
                    acc.add((cid, cstart), (bid, report_line), count)
    cs = CoverageSet()
    for name, packed in lines.items():
        if not name:
            raise j.error((), "a file has an empty name")
        b = FileCoverageBuilder(name)
        _add_lines(b, _unpack(packed))
        for (cid, _cstart), per in sorted(branches.get(name, _Branches()).conditions.items()):
            for (bid, report_line), count in per.items():
                b.add_branch(report_line, cid, bid, count)
        cs.add(b.build())
    return cs


def _read_formatter(j: JsonReader, files: _Files) -> CoverageSet:
    cs = CoverageSet()
    for name, fvalue in files:
        fpath: JsonPath = ("coverage", name)
        fobj = j.obj(fvalue, fpath)
        b = FileCoverageBuilder(name)
        _add_lines(b, _line_array(j, j.key(fobj, "lines", fpath), (*fpath, "lines"), True))
        for i, raw in enumerate(j.arr(fobj.get("branches", []), (*fpath, "branches"))):
            bp: JsonPath = (*fpath, "branches", i)
            br = j.obj(raw, bp)
            coverage = j.key(br, "coverage", bp)
            if coverage == "ignored":
                continue
            count = j.count(coverage, (*bp, "coverage"))
            line = j.line(j.key(br, "start_line", bp), (*bp, "start_line"))
            b.add_branch(line, 0, i, count)
        cs.add(b.build())
    return cs


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read a SimpleCov .resultset.json or coverage.json; see the module docstring.

    :func:`_read_fast` decodes one file entry at a time (issue 14) through the same
    per-file code as :func:`_read_exact`, which decides anything unusual.
    """
    return fast_or_exact(stream, origin, _read_fast, _read_exact)


def _read_fast(data: bytes, origin: str) -> CoverageSet:
    """:func:`_read_exact`, one file entry decoded at a time."""
    j = JsonReader(origin)
    top = members(data)
    if "meta" in top:
        meta = loads(top["meta"])
        if isinstance(meta, dict) and "simplecov_version" in meta:
            if "coverage" not in top:
                raise FastPathMiss
            coverage = members(top["coverage"]).items()
            return _read_formatter(j, ((name, loads(raw)) for name, raw in coverage))
    if len(top) != 1:
        return _read_resultset(j, _commands_fast(j, top))
    # One command (the usual .resultset.json): no file is listed twice, so each file
    # is finished as soon as it is read instead of holding every file until the end.
    cs = CoverageSet()
    for command, files in _commands_fast(j, top):
        for name, value in files:
            for fc in _read_resultset(j, [(command, [(name, value)])]).files.values():
                cs.add(fc)
    return cs


def _read_exact(stream: BinaryIO, origin: str) -> CoverageSet:
    """The validating reader: the whole document, every error named by its JSON path."""
    j = JsonReader(origin)
    doc = load_json(stream, origin)
    if not isinstance(doc, dict):
        raise FormatError(origin, "not a SimpleCov result (expected a JSON object)")
    if isinstance(doc.get("meta"), dict) and "simplecov_version" in doc["meta"]:
        return _read_formatter(j, j.items(j.key(doc, "coverage", ()), ("coverage",)))
    last_run = doc.get("result")
    if len(doc) == 1 and isinstance(last_run, dict) and "coverage" not in last_run:
        raise FormatError(origin, _LAST_RUN_MESSAGE)
    if not any(isinstance(v, dict) and "coverage" in v for v in doc.values()):
        raise FormatError(
            origin,
            'not a SimpleCov .resultset.json (expected {"<command>": {"coverage": ...}})',
        )
    return _read_resultset(j, _commands_exact(j, doc))


FORMAT = FormatSpec(
    name="simplecov",
    title="SimpleCov .resultset.json / coverage.json",
    sniff=sniff,
    read=read,
    discover=("**/coverage/.resultset.json", "**/coverage/coverage.json"),
    not_report=not_report,
)
