"""gcov's JSON intermediate format (``gcov --json-format``, ``*.gcov.json.gz``).

Specification: the ``--json-format`` section of gcov's manual (GCC 9+), format
versions "1" (GCC 9-13) and "2" (GCC 14, which adds ``conditions`` and ``calls``).
Checked against GCC 12.2 (``tests/data/gcov/make.sh``). Shape::

    {"format_version": "1", "gcc_version": "12.2.0",
     "current_working_directory": "/build", "data_file": "stats.gcda",
     "files": [{"file": "stats.c",
                "functions": [{"name", "demangled_name", "start_line", "end_line",
                               "execution_count", "blocks", "blocks_executed", ...}],
                "lines": [{"line_number": 8, "count": 6, "unexecuted_block": false,
                           "function_name": "classify",
                           "branches": [{"count": 2, "fallthrough": true,
                                         "throw": false}, ...]}]}]}

``gcov --stdout`` writes one such document per data file, one per line; the reader
takes every one of them. ``gcov`` writes ``.gcov.json.gz`` gzip'd; covgap opens
gzip transparently.

What gcov counts (``gcov -b`` prints it as "Lines executed" and "Taken at least
once"), and how the reader reproduces it:

* **Lines**: every entry of ``lines``; covered when ``count > 0``. A line listed
  under several functions (C++ templates, inlined code) is one line whose counts
  add, as gcov's own ``.gcov`` output shows it.
* **Branches**: every entry of a line's ``branches`` (throw branches included, as
  gcov counts them), numbered in order as outcomes of block 0; covered when taken
  (``count > 0``). On a line that never ran they are "never evaluated", as lcov
  shows them. Branch data is only present when gcov ran with ``-b``. A line listed
  under several functions has its branches added by their number, as lcov's
  ``geninfo`` does (same ``BRDA`` line, block and branch). ``gcov -b``'s own summary
  ("Taken at least once ... of N") differs there: it leaves out every branch of a
  function *group* (the instantiations of one C++ template, which share their first
  line and column; ``accumulate_line_counts`` in gcov.c adds their lines but not their
  branches), so with templates the figures of gcov, lcov (= covgap) and gcovr (which
  counts each instantiation's branches apart) all differ. Measured on GCC 12: gcov
  3/6, lcov and covgap 5/8, gcovr 5/10. covgap says so in a note with gcov's figure.
* **Functions**: every entry of ``functions`` at ``start_line``, named by its
  demangled name, covered when ``execution_count > 0``.

File paths are kept as written (usually relative to ``current_working_directory``,
which is recorded as a source root for path mapping).

Reading (issue 14): :func:`_read_fast` decodes one document's ``files`` one member at
a time with msgspec into the typed structs below; anything it does not decide (one
document per line, a bad value) falls back to the exact reader :func:`_read_exact`
(``_read_lines``/``_read_functions``), which names the JSON path of a bad value. A
change to what is counted goes into both (``_add_file_fast`` and the exact
functions); ``tests/unit/test_json_fast_paths.py`` compares them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import BinaryIO

import msgspec
import orjson
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
from covgap.formats._totals import TotalsCheck
from covgap.model import CoverageSet, FileCoverageBuilder

FORMAT_VERSIONS = ("1", "2")
"""The ``format_version`` values this reader understands (GCC 9 to 14)."""

_SNIFF_RE = re.compile(rb'"gcc_version"\s*:')
_SNIFF_OTHER = re.compile(rb'"(format_version|current_working_directory|data_file|files)"\s*:')


def sniff(head: bytes, name: str) -> bool:
    """A gcov JSON document has ``gcc_version`` among its first keys (gcovr's does not)."""
    body = sniff_json_object(head)[:4096]
    return bool(body and _SNIFF_RE.search(body) and _SNIFF_OTHER.search(body))


def _documents(stream: BinaryIO, origin: str) -> list[object]:
    """Return the document(s): one JSON value, or one per line as ``--stdout`` writes."""
    data = stream.read()
    try:
        return [orjson.loads(data)]
    except orjson.JSONDecodeError:
        pass
    lines = [ln for ln in data.splitlines() if ln.strip()]
    if len(lines) > 1:
        docs: list[object] = []
        for i, ln in enumerate(lines):
            try:
                docs.append(orjson.loads(ln))
            except orjson.JSONDecodeError:
                if i == 0:
                    break  # not one document per line: report the whole-file error
                raise FormatError(
                    origin, f"invalid JSON in document {i + 1} of {len(lines)}"
                ) from None
        else:
            return docs
    return [load_json(io.BytesIO(data), origin)]  # raises with line and column


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read every document of a gcov JSON file; see the module docstring for the rules."""
    return fast_or_exact(stream, origin, _read_fast, _read_exact)


def _read_exact(stream: BinaryIO, origin: str) -> CoverageSet:
    """The validating reader: whole-document dicts, every error named by its JSON path."""
    j = JsonReader(origin)
    docs = _documents(stream, origin)
    builders: dict[str, FileCoverageBuilder] = {}
    gcov_figures: dict[str, list[int]] = {}
    roots: list[str] = []
    for d, raw in enumerate(docs):
        base: JsonPath = (d,) if len(docs) > 1 else ()
        doc = j.obj(raw, base)
        version = doc.get("format_version")
        if not isinstance(version, str) or version not in FORMAT_VERSIONS:
            raise j.error(
                (*base, "format_version"),
                f"unsupported gcov JSON format_version {version!r} "
                f"(covgap reads {', '.join(FORMAT_VERSIONS)})",
            )
        cwd = doc.get("current_working_directory")
        if isinstance(cwd, str) and cwd and cwd not in roots:
            roots.append(cwd)
        files_path = (*base, "files")
        for i, rf in enumerate(j.arr(j.key(doc, "files", base), files_path)):
            fp = (*files_path, i)
            f = j.obj(rf, fp)
            name = j.string(j.key(f, "file", fp), (*fp, "file"))
            if not name:
                raise j.error((*fp, "file"), "empty file name")
            b = builders.get(name)
            if b is None:
                b = builders[name] = FileCoverageBuilder(name)
            _read_lines(j, f, fp, b)
            _read_functions(j, f, fp, b)
            _add_gcov_figure(gcov_figures, name, *_group_lines_exact(f))
    return _build(builders, roots, gcov_figures, origin)


_Entry = tuple[str | None, int, int]
"""One line entry for gcov's figure: its function's name, its branches, those taken."""


def _group_lines_exact(f: dict[str, object]) -> tuple[list[_Entry], set[str]]:
    """The line entries and the functions in a group, for :func:`_add_gcov_figure`
    (values already validated by ``_read_lines``; a field an older gcov did not write
    simply puts no function in a group)."""
    lines = f.get("lines", [])
    funcs = f.get("functions", [])
    if not isinstance(lines, list) or not isinstance(funcs, list):
        return [], set()
    entries: list[_Entry] = []
    for line in lines:
        branches = line.get("branches") or []
        taken = sum(1 for br in branches if br["count"] > 0) if line["count"] > 0 else 0
        entries.append((_str_or_none(line.get("function_name")), len(branches), taken))
    starts = [
        (
            _str_or_none(fn.get("name")),
            _int_or_none(fn.get("start_line")),
            _int_or_none(fn.get("start_column")),
        )
        for fn in funcs
    ]
    return entries, _grouped(starts)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int_or_none(value: object) -> int | None:
    return value if type(value) is int else None


def _grouped(starts: Sequence[tuple[str | None, int | None, int | None]]) -> set[str]:
    """The functions gcov puts in a group: two or more starting at one line and column."""
    seen: dict[tuple[int, int], int] = {}
    for _, line, col in starts:
        if line is not None and col is not None:
            seen[line, col] = seen.get((line, col), 0) + 1
    return {
        name
        for name, line, col in starts
        if name is not None and line is not None and col is not None and seen[line, col] > 1
    }


def _add_gcov_figure(
    figures: dict[str, list[int]],
    name: str,
    entries: list[_Entry],
    grouped: set[str],
) -> None:
    """Add one file object's ``gcov -b`` branch figure (total, taken, left out)."""
    acc = figures.setdefault(name, [0, 0, 0])
    for function, branches, taken in entries:
        if function in grouped:
            acc[2] += branches
        else:
            acc[0] += branches
            acc[1] += taken


def _build(
    builders: dict[str, FileCoverageBuilder],
    roots: list[str],
    gcov_figures: dict[str, list[int]],
    origin: str,
) -> CoverageSet:
    """The coverage set, with a note where ``gcov -b``'s branch figure differs."""
    cs = CoverageSet(source_roots=tuple(roots))
    check = TotalsCheck(
        origin,
        "what `gcov -b` prints: it leaves out the branches of functions instantiated "
        "more than once, C++ templates",
        "covgap adds the branches of every instantiation per source line, as lcov does",
    )
    for name in sorted(builders):
        fc = builders[name].build()
        cs.add(fc)
        total, taken, left_out = gcov_figures.get(name, (0, 0, 0))
        if left_out:
            counts = fc.counts()
            check.compare(
                "branches",
                (total, taken),
                (counts.branches_total, counts.branches_covered),
                where=name,
            )
    cs.notes = tuple(check.notes())
    return cs


def _read_lines(j: JsonReader, f: dict[str, object], fp: JsonPath, b: FileCoverageBuilder) -> None:
    lp = (*fp, "lines")
    for k, rl in enumerate(j.arr(f.get("lines", []), lp)):
        p = (*lp, k)
        line = j.obj(rl, p)
        nr = j.line(j.key(line, "line_number", p), (*p, "line_number"))
        count = j.count(j.key(line, "count", p), (*p, "count"))
        b.add_line(nr, count)
        bp = (*p, "branches")
        for n, rb in enumerate(j.arr(line.get("branches", []), bp)):
            br = j.obj(rb, (*bp, n))
            taken = j.count(j.key(br, "count", (*bp, n)), (*bp, n, "count"))
            b.add_branch(nr, 0, n, taken if count > 0 else None)


def _read_functions(
    j: JsonReader, f: dict[str, object], fp: JsonPath, b: FileCoverageBuilder
) -> None:
    fnp = (*fp, "functions")
    for k, rfn in enumerate(j.arr(f.get("functions", []), fnp)):
        p = (*fnp, k)
        fn = j.obj(rfn, p)
        name = fn.get("demangled_name") or j.key(fn, "name", p)
        name = j.string(name, (*p, "name"))
        start = j.line(j.key(fn, "start_line", p), (*p, "start_line"))
        end_raw = fn.get("end_line")
        end = None if end_raw is None else j.line(end_raw, (*p, "end_line"))
        hits = j.count(j.key(fn, "execution_count", p), (*p, "execution_count"))
        b.add_function(name, start, hits, end)


# -- the typed fast path ----------------------------------------------------------------


class _Branch(msgspec.Struct):
    count: Count


class _Line(msgspec.Struct):
    line_number: Line
    count: Count
    branches: list[_Branch] = []


class _NamedLine(msgspec.Struct):
    """A line with its function's name: decoded only for a file whose functions gcov
    groups (templates), where ``gcov -b``'s figure needs it (a string per line costs
    a third of the typed decode: issue 14's readers must not get slower)."""

    count: Count
    branches: list[_Branch] = []
    function_name: str | None = None


class _Function(msgspec.Struct):
    start_line: Line
    execution_count: Count
    name: str | UnsetType = UNSET
    demangled_name: str | None = None
    end_line: Line | None = None
    start_column: int | None = None


class _File(msgspec.Struct):
    file: str
    lines: list[_Line] = []
    functions: list[_Function] = []


class _NamedFile(msgspec.Struct):
    lines: list[_NamedLine] = []
    functions: list[_Function] = []


class _Document(msgspec.Struct):
    files: list[msgspec.Raw]
    format_version: str | UnsetType = UNSET
    current_working_directory: msgspec.Raw | UnsetType = UNSET


_DOCUMENT = msgspec.json.Decoder(_Document)
_FILE = msgspec.json.Decoder(_File)
_NAMED_FILE = msgspec.json.Decoder(_NamedFile)
_STR = msgspec.json.Decoder(str)


def _add_file_fast(f: _File, b: FileCoverageBuilder) -> None:
    """``_read_lines`` and ``_read_functions`` on a typed member."""
    add_line, add_branch = b.add_line, b.add_branch
    for line in f.lines:
        nr, count = line.line_number, line.count
        add_line(nr, count)
        for n, br in enumerate(line.branches):
            add_branch(nr, 0, n, br.count if count > 0 else None)
    for fn in f.functions:
        name = fn.demangled_name or fn.name
        if name is UNSET:
            raise FastPathMiss
        b.add_function(name, fn.start_line, fn.execution_count, fn.end_line)


def _starts(functions: list[_Function]) -> list[tuple[str | None, int | None, int | None]]:
    """Each function's name, start line and column, for :func:`_grouped`."""
    return [
        (None if fn.name is UNSET else fn.name, fn.start_line, fn.start_column) for fn in functions
    ]


def _group_lines_fast(raw: msgspec.Raw) -> tuple[list[_Entry], set[str]]:
    """:func:`_group_lines_exact` on a typed member, decoded again with each line's
    function name (only for the files where :func:`_grouped` found a group)."""
    f = _NAMED_FILE.decode(raw)
    entries: list[_Entry] = []
    for line in f.lines:
        taken = sum(1 for br in line.branches if br.count > 0) if line.count > 0 else 0
        entries.append((line.function_name, len(line.branches), taken))
    return entries, _grouped(_starts(f.functions))


def _documents_fast(data: bytes) -> list[_Document]:
    """One document, or one per line as ``gcov --stdout`` writes (see :func:`_documents`)."""
    try:
        return [_DOCUMENT.decode(data)]
    except msgspec.ValidationError:
        raise
    except msgspec.DecodeError:
        lines = [ln for ln in data.splitlines() if ln.strip()]
        if len(lines) < 2:
            raise
        return [_DOCUMENT.decode(ln) for ln in lines]


def _read_fast(data: bytes, origin: str) -> CoverageSet:
    """:func:`_read_exact`, one typed file member at a time."""
    roots: list[str] = []
    builders: dict[str, FileCoverageBuilder] = {}
    gcov_figures: dict[str, list[int]] = {}
    members: dict[str, list[msgspec.Raw]] = {}
    templated: set[str] = set()
    decode = _FILE.decode
    for doc in _documents_fast(data):
        if doc.format_version is UNSET or doc.format_version not in FORMAT_VERSIONS:
            raise FastPathMiss
        if doc.current_working_directory is not UNSET:
            try:
                cwd = _STR.decode(doc.current_working_directory)
            except msgspec.ValidationError:
                cwd = ""  # not a string: not a root, as in the exact reader
            if cwd and cwd not in roots:
                roots.append(cwd)
        for raw in doc.files:
            f = decode(raw)
            if not f.file:
                raise FastPathMiss
            b = builders.get(f.file)
            if b is None:
                b = builders[f.file] = FileCoverageBuilder(f.file)
            _add_file_fast(f, b)
            members.setdefault(f.file, []).append(raw)
            if f.file not in templated and _grouped(_starts(f.functions)):
                templated.add(f.file)
    # gcov's own figure can differ only for a file with grouped functions (templates):
    # only those files' members are decoded again, with each line's function name
    for name in templated:
        for raw in members[name]:
            _add_gcov_figure(gcov_figures, name, *_group_lines_fast(raw))
    return _build(builders, roots, gcov_figures, origin)


FORMAT = FormatSpec(
    name="gcov-json",
    title="gcov JSON intermediate format",
    sniff=sniff,
    read=read,
    write=None,
    discover=("**/*.gcov.json.gz", "**/*.gcov.json"),
)

__all__ = ["FORMAT", "FORMAT_VERSIONS", "read", "sniff"]
