"""LCOV tracefiles: the reader (exact to ``lcov --summary``) and a lossless writer.

Specification: geninfo(1), section FILES ("a quick description of the tracefile
format"), lcov 1.16; and geninfo(1) of lcov 2.x (https://github.com/linux-test-project/
lcov/blob/master/man/geninfo.1), which adds function end lines, ``FNL``/``FNA`` function
aliases, exception branches and named branches. Checked against the tracefiles of
``lcov --capture`` 1.16 (gcc 12 ``--coverage`` data, ``tests/data/gcc-lcov/``) and of
``llvm-cov-19 export -format=lcov`` (Rust ``-C instrument-coverage``,
``tests/data/lcov/rust/``).

The record grammar, one item per line (``[...]`` is optional)::

    TN:<test name>                          starts a test's section; ignored here
    VER:<version>                           lcov 2.x; ignored
    SF:<source file>                        opens the record of one file
    FN:<line>,<name>                        a function (lcov 1.x); line 0 is what
                                            gcovr's merge-use-line-0 writes for a
                                            function whose line differs between inputs
    FN:<line>,<end line>,<name>             a function with its end (lcov 2.0-2.2)
    FNDA:<execution count>,<name>
    FNL:<index>,<line>[,<end line>]         a function (lcov 2.3) ...
    FNA:<index>,<execution count>,<name>    ... and its names (aliases) with their counts
    FNF:<functions found>  FNH:<functions hit>
    BRDA:<line>,[e|f][U]<block>,<branch>,<taken>
                                            taken is "-" when the line never ran;
                                            "e" marks an exception branch, "f" a
                                            fallthrough one, "U" one excluded as
                                            unreachable (2.x); <branch> may be an
                                            expression (2.x)
    BRF:<branches found>   BRH:<branches hit>
    DA:<line>,<execution count>[,<checksum>]
    LF:<lines found>       LH:<lines hit>
    MCDC:...  MCF:<n>  MCH:<n>              lcov 2.2 MC/DC and its summary; not
                                            modelled, ignored
    end_of_record                           closes the record

What ``lcov --summary`` (1.16, ``read_info_file``) counts, and how this reader matches it:

* lines: the distinct ``DA`` line numbers of a file; several ``DA`` of one line, and
  several records of one ``SF`` (one per ``TN`` section, or concatenated tracefiles),
  are summed. A file whose records have no ``DA`` at all is dropped, as lcov drops it
  (a note says so).
* functions: a function *name* is one function per file, however many ``FN`` lines
  name it (the first ``FN`` line gives the start line); ``FNDA`` counts are summed per
  name. Each ``FNA`` alias of an ``FNL`` group is a function of its own (with the
  group's lines), because that is what ``lcov --summary`` of lcov 2.x counts without
  ``--filter function`` (``FunctionMap::numFunc``), and the count must not change when
  lcov 2.2+ rewrites an ``FN``/``FNDA`` tracefile as groups; lcov 1.16 does not know
  ``FNL``. lcov 2.2+ writes ``FNF``/``FNH`` per group, so they differ from the count
  when a group has several aliases, and the note says why.
* branches: distinct ``(line, block, branch)``; counts summed, ``-`` stays "never
  evaluated" until a number arrives. Exception blocks ``e<n>`` are stored as block
  ``-1 - n``, fallthrough blocks ``f<n>`` as ``n``; branches marked ``U`` (unreachable)
  are left out as lcov leaves them out of ``BRF``/``BRH``, and a note counts them; a
  named branch (2.x expression) is numbered from :data:`EXPR_BRANCH_BASE` in order of
  appearance per ``(file, line, block)``, and the names are not kept.
* ``LF``/``LH``, ``FNF``/``FNH``, ``BRF``/``BRH`` are the producer's own summary. lcov
  recomputes them from the data and so does covgap: when a record's summary disagrees
  with its data (``llvm-cov export`` counts generic instantiations differently, for
  example), the data is reported and :attr:`CoverageSet.notes` says which records
  disagreed.

A comment line starting with ``#`` is skipped anywhere (lcov 2.x's reader skips them;
lcov's own test tracefiles have them inside records). A UTF-8 byte order mark before the
first line is skipped for every format by :func:`covgap.formats.open_report`.

covgap is stricter than lcov 1.16, which skips lines it does not understand and clamps
negative counts to 0: here an unknown record, a malformed or negative number, a count
above ``2**63-1``, a line number outside ``1..2**31-1``, data outside a record, an
``FNDA`` naming no earlier ``FN`` or a record cut off before ``end_of_record`` is a
:class:`FormatError` naming the line, never a silently different total.

Speed: when ``covgap._speedups`` is built (and ``COVGAP_PURE_PYTHON`` is not ``1``),
records are parsed in C, chunk by chunk, into the same per-record tuples the Python
parser below produces; a record with an lcov 2.x named branch (numbered per file,
which the C parser does not track) or an unreachable (``U``) branch (counted for the
note) hands the rest of the file to the Python parser.
Both paths feed one :class:`_Accumulator`, so they cannot disagree about merging.
"""

from __future__ import annotations

import io
import itertools
import os
import re
from array import array
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import BinaryIO

from covgap._gc import paused_gc
from covgap.errors import FormatError, OutputError
from covgap.formats import FormatSpec
from covgap.formats._totals import TotalsCheck
from covgap.model import (
    NEVER_EVALUATED,
    CoverageSet,
    FileCoverage,
    FileCoverageBuilder,
    Function,
    merge_line_counts,
)
from covgap.types import MAX_COUNT, MAX_LINE

_speedups: ModuleType | None
try:
    from covgap import _speedups
except ImportError:  # pragma: no cover - the pure-Python leg of CI
    _speedups = None

EXPR_BRANCH_BASE = 1 << 24
"""First number given to an lcov 2.x named branch; gcc's branch numbers stay far below."""

CHUNK_SIZE = 4 << 20
"""Bytes handed to the C parser at a time: large enough to amortise, small for memory."""

_MAX_NOTE_EXAMPLES = 3

# A record: (path, SF line number, lines, hits, br_line, br_block, br_branch, br_taken,
# functions, declared, hit) where the columns are sorted and unique, ``functions`` is a
# list of Function unique by name, ``declared`` is (LF, LH, BRF, BRH, FNF, FNH) with -1
# for a summary line the record did not have, and ``hit`` counts the record's covered
# lines, taken branches and run functions. The C parser returns the same tuples.
_Record = tuple[
    str,
    int,
    "array[int]",
    "array[int]",
    "array[int]",
    "array[int]",
    "array[int]",
    "array[int]",
    list[Function],
    tuple[int, int, int, int, int, int],
    tuple[int, int, int],
]

_TAG_RE = re.compile(rb"[A-Za-z_][A-Za-z0-9_]{0,19}")
_FN_V2_RE = re.compile(rb"([0-9]+),(.*)", re.DOTALL)


def use_speedups() -> bool:
    """Whether the C parser is available and not switched off by ``COVGAP_PURE_PYTHON=1``."""
    return _speedups is not None and os.environ.get("COVGAP_PURE_PYTHON") != "1"


# -- sniffing ---------------------------------------------------------------------------


def sniff(head: bytes, filename: str) -> bool:
    """Recognise LCOV by its first record line: ``TN:``, ``SF:`` or ``VER:`` (after any
    blank and ``#`` comment lines: lcov's own test tracefiles start with a comment)."""
    for raw in head.split(b"\n", 64)[:64]:
        line = raw.strip()
        if not line or line[:1] == b"#":
            continue
        return line.startswith((b"TN:", b"SF:", b"VER:"))
    return False


# -- parsing (the pure-Python reference) ------------------------------------------------


class _ParseError(Exception):
    """A malformed line; turned into :class:`FormatError` with the origin attached."""

    def __init__(self, lineno: int, message: str) -> None:
        super().__init__(message)
        self.lineno = lineno
        self.message = message


def _uint(field: bytes, tag: str, what: str, lineno: int) -> int:
    """Parse a count: ASCII digits only, ``0..2**63-1``."""
    if not field.isdigit():
        if field[:1] == b"-" and field[1:].isdigit():
            raise _ParseError(lineno, f"{tag}: negative {what}")
        raise _ParseError(lineno, f"{tag}: {what} is not a non-negative integer")
    value = int(field)
    if value > MAX_COUNT:
        raise _ParseError(lineno, f"{tag}: {what} exceeds 2**63-1")
    return value


def _lineno_field(field: bytes, tag: str, what: str, lineno: int, lowest: int = 1) -> int:
    """Parse a source line number: ASCII digits, ``lowest..2**31-1`` (``lowest`` is 1,
    or 0 for a function's line: gcovr's ``merge-use-line-0`` writes ``FN:0,name``)."""
    if not field.isdigit():
        if field[:1] == b"-" and field[1:].isdigit():
            raise _ParseError(lineno, f"{tag}: {what} out of range {lowest}..{MAX_LINE}")
        raise _ParseError(lineno, f"{tag}: {what} is not a non-negative integer")
    value = int(field)
    if value < lowest or value > MAX_LINE:
        raise _ParseError(lineno, f"{tag}: {what} out of range {lowest}..{MAX_LINE}")
    return value


def _small_int(field: bytes, tag: str, what: str, lineno: int) -> int:
    """Parse a block, branch or index number: ASCII digits, ``0..2**31-1``."""
    if not field.isdigit():
        if field[:1] == b"-" and field[1:].isdigit():
            raise _ParseError(lineno, f"{tag}: negative {what}")
        raise _ParseError(lineno, f"{tag}: {what} is not a non-negative integer")
    value = int(field)
    if value > MAX_LINE:
        raise _ParseError(lineno, f"{tag}: {what} out of range 0..{MAX_LINE}")
    return value


def _text(field: bytes) -> str:
    return field.decode("utf-8", "surrogateescape")


def _unknown(line: bytes, lineno: int) -> _ParseError:
    """Describe a line that is no LCOV record, without echoing binary garbage."""
    tag = line.split(b":", 1)[0]
    if _TAG_RE.fullmatch(tag):
        return _ParseError(lineno, f"unknown record type {tag.decode('ascii')}")
    return _ParseError(lineno, "not an LCOV line (binary data?)")


def _saturating(a: int, b: int) -> int:
    s = a + b
    return MAX_COUNT if s > MAX_COUNT else s


class _RecordState:
    """What one ``SF`` ... ``end_of_record`` record has said so far."""

    __slots__ = ("branches", "declared", "fnl", "functions", "lines", "path", "sf_line")

    def __init__(self, path: str, sf_line: int) -> None:
        self.path = path
        self.sf_line = sf_line
        self.lines: dict[int, int] = {}
        self.branches: dict[tuple[int, int, int], int] = {}
        # name -> [start, end or None, hits]
        self.functions: dict[str, list[int | None]] = {}
        # FNL index -> (start, end or None, whether an FNA alias followed it)
        self.fnl: dict[int, tuple[int, int | None, bool]] = {}
        self.declared = [-1, -1, -1, -1, -1, -1]

    def finish(self, lineno: int) -> _Record:
        for idx, (_, _, named) in self.fnl.items():
            if not named:
                raise _ParseError(lineno, f"end_of_record: FNL:{idx} has no FNA: name")
        keys = sorted(self.lines)
        lines = array("i", keys)
        hits = array("q", [self.lines[k] for k in keys])
        bkeys = sorted(self.branches)
        funcs = [Function(name, s or 0, e, h or 0) for name, (s, e, h) in self.functions.items()]
        return (
            self.path,
            self.sf_line,
            lines,
            hits,
            array("i", [k[0] for k in bkeys]),
            array("i", [k[1] for k in bkeys]),
            array("i", [k[2] for k in bkeys]),
            array("q", [self.branches[k] for k in bkeys]),
            funcs,
            (
                self.declared[0],
                self.declared[1],
                self.declared[2],
                self.declared[3],
                self.declared[4],
                self.declared[5],
            ),
            (
                sum(1 for h in hits if h > 0),
                sum(1 for k in bkeys if self.branches[k] > 0),
                sum(1 for f in funcs if f.hits > 0),
            ),
        )


_DECLARED_INDEX = {b"LF": 0, b"LH": 1, b"BRF": 2, b"BRH": 3, b"FNF": 4, b"FNH": 5}


def _parse_python(
    lines: Iterable[bytes],
    first_lineno: int,
    expr_ids: dict[tuple[str, int, int], dict[str, int]],
    excluded: list[int],
) -> Iterator[_Record]:
    """Yield the records of ``lines`` (numbered from ``first_lineno``), in file order.

    ``expr_ids`` numbers lcov 2.x named branches per (file, line, block); it is shared
    across calls so that two records of one file number the same name alike.
    ``excluded[0]`` counts the branches marked unreachable (``BRDA:<line>,U<block>...``),
    which are left out.
    """
    rec: _RecordState | None = None
    lineno = first_lineno - 1
    for raw in lines:
        lineno += 1
        line = raw[:-1] if raw.endswith(b"\n") else raw
        if line.endswith(b"\r"):
            line = line[:-1]
        if line[:1] == b"#":
            continue  # a comment: lcov 2.x reads and skips them (its own test data has them)
        tag, sep, rest = line.partition(b":")
        if not sep:
            if line == b"end_of_record":
                if rec is None:
                    raise _ParseError(lineno, "end_of_record without SF:")
                yield rec.finish(lineno)
                rec = None
                continue
            if not line.strip():
                continue
            raise _unknown(line, lineno)
        if tag == b"DA":
            if rec is None:
                raise _ParseError(lineno, "DA: outside a record (no SF: before it)")
            parts = rest.split(b",", 2)
            if len(parts) < 2:
                raise _ParseError(lineno, "DA: missing fields")
            ln = _lineno_field(parts[0], "DA", "line number", lineno)
            count = _uint(parts[1], "DA", "execution count", lineno)
            prev = rec.lines.get(ln)
            rec.lines[ln] = count if prev is None else _saturating(prev, count)
        elif tag == b"BRDA":
            if rec is None:
                raise _ParseError(lineno, "BRDA: outside a record (no SF: before it)")
            head = rest.split(b",", 2)
            tail = head[-1].rsplit(b",", 1) if len(head) == 3 else []
            if len(tail) != 2:
                raise _ParseError(lineno, "BRDA: missing fields")
            ln = _lineno_field(head[0], "BRDA", "line number", lineno)
            block_f, branch_f, taken_f = head[1], tail[0], tail[1]
            kind = block_f[:1]
            if kind in (b"e", b"f"):  # exception / fallthrough branch (lcov 2.x)
                block_f = block_f[1:]
            unreachable = block_f[:1] == b"U"  # excluded by an unreachable directive
            if unreachable:
                block_f = block_f[1:]
            block = _small_int(block_f, "BRDA", "block", lineno)
            if kind == b"e":
                block = -1 - block
            numbered = branch_f.isdigit() or (branch_f[:1] == b"-" and branch_f[1:].isdigit())
            if numbered:
                branch = _small_int(branch_f, "BRDA", "branch", lineno)
            elif not branch_f:
                raise _ParseError(lineno, "BRDA: empty branch")
            taken = (
                NEVER_EVALUATED
                if taken_f == b"-"
                else _uint(taken_f, "BRDA", "taken count", lineno)
            )
            if unreachable:
                # lcov counts these in no BRF/BRH and neither does covgap (a note says so)
                excluded[0] += 1
                continue
            if not numbered:
                ids = expr_ids.setdefault((rec.path, ln, block), {})
                branch = ids.setdefault(_text(branch_f), EXPR_BRANCH_BASE + len(ids))
            key = (ln, block, branch)
            prev = rec.branches.get(key)
            if prev is None or prev == NEVER_EVALUATED:
                rec.branches[key] = taken
            elif taken != NEVER_EVALUATED:
                rec.branches[key] = _saturating(prev, taken)
        elif tag == b"FN":
            if rec is None:
                raise _ParseError(lineno, "FN: outside a record (no SF: before it)")
            start_f, comma, name_f = rest.partition(b",")
            if not comma:
                raise _ParseError(lineno, "FN: missing fields")
            start = _lineno_field(start_f, "FN", "line number", lineno, lowest=0)
            end: int | None = None
            v2 = _FN_V2_RE.fullmatch(name_f)
            if v2 is not None and v2.group(2):
                end = _lineno_field(v2.group(1), "FN", "end line", lineno)
                name_f = v2.group(2)
            if not name_f:
                raise _ParseError(lineno, "FN: empty function name")
            name = _text(name_f)
            fn = rec.functions.get(name)
            if fn is None:
                rec.functions[name] = [start, end, 0]
            elif fn[1] is None:
                fn[1] = end
        elif tag == b"FNDA":
            if rec is None:
                raise _ParseError(lineno, "FNDA: outside a record (no SF: before it)")
            count_f, comma, name_f = rest.partition(b",")
            if not comma:
                raise _ParseError(lineno, "FNDA: missing fields")
            count = _uint(count_f, "FNDA", "execution count", lineno)
            name = _text(name_f)
            fn = rec.functions.get(name)
            if fn is None:
                raise _ParseError(
                    lineno, f"FNDA: no FN: for function {name} earlier in this record"
                )
            fn[2] = _saturating(fn[2] or 0, count)
        elif tag in _DECLARED_INDEX:
            tag_s = tag.decode("ascii")
            if rec is None:
                raise _ParseError(lineno, f"{tag_s}: outside a record (no SF: before it)")
            rec.declared[_DECLARED_INDEX[tag]] = _uint(rest, tag_s, "count", lineno)
        elif tag == b"SF":
            if rec is not None:
                raise _ParseError(
                    lineno, "SF: inside the record of another file (missing end_of_record)"
                )
            if not rest:
                raise _ParseError(lineno, "SF: empty file name")
            rec = _RecordState(_text(rest), lineno)
        elif tag in (b"TN", b"VER", b"MCDC", b"MCF", b"MCH"):
            if tag not in (b"TN", b"VER") and rec is None:
                tag_s = tag.decode("ascii")
                raise _ParseError(lineno, f"{tag_s}: outside a record (no SF: before it)")
        elif tag == b"FNL":
            if rec is None:
                raise _ParseError(lineno, "FNL: outside a record (no SF: before it)")
            parts = rest.split(b",")
            if len(parts) not in (2, 3):
                raise _ParseError(lineno, "FNL: missing fields")
            idx = _small_int(parts[0], "FNL", "index", lineno)
            start = _lineno_field(parts[1], "FNL", "line number", lineno)
            end = _lineno_field(parts[2], "FNL", "end line", lineno) if len(parts) == 3 else None
            rec.fnl[idx] = (start, end, False)
        elif tag == b"FNA":
            if rec is None:
                raise _ParseError(lineno, "FNA: outside a record (no SF: before it)")
            parts = rest.split(b",", 2)
            if len(parts) != 3:
                raise _ParseError(lineno, "FNA: missing fields")
            idx = _small_int(parts[0], "FNA", "index", lineno)
            count = _uint(parts[1], "FNA", "execution count", lineno)
            if not parts[2]:
                raise _ParseError(lineno, "FNA: empty function name")
            entry = rec.fnl.get(idx)
            if entry is None:
                raise _ParseError(lineno, f"FNA: no FNL: with index {idx} earlier in this record")
            if not entry[2]:
                rec.fnl[idx] = (entry[0], entry[1], True)
            # Each alias is a function of its own, as lcov --summary counts them (lcov
            # 2.x FunctionMap::numFunc without --filter function); a name seen before
            # (an FN, another alias) adds its count to that function, as in lcov.
            name = _text(parts[2])
            fn = rec.functions.get(name)
            if fn is None:
                rec.functions[name] = [entry[0], entry[1], count]
            else:
                fn[2] = _saturating(fn[2] or 0, count)
        else:
            raise _unknown(line, lineno)
    if rec is not None:
        raise _ParseError(
            max(lineno, first_lineno),
            f"end of file inside the record of {rec.path} (no end_of_record)",
        )


# -- assembling records into a CoverageSet ----------------------------------------------


_GROUPED_FUNCTIONS = (
    "FNF/FNH count one function per start line (lcov 2.2+ function groups, llvm-cov's "
    "instantiations); lcov --summary counts every name, and so does covgap"
)


def _per_start_line(functions: list[Function]) -> tuple[int, int]:
    """Functions found and hit counted once per start line, as FNF/FNH sometimes are."""
    lines: dict[int, bool] = {}
    for fn in functions:
        lines[fn.start_line] = lines.get(fn.start_line, False) or fn.hits > 0
    return len(lines), sum(lines.values())


class _Accumulator:
    """Collect records, merge those of one file the way lcov does, and build the set."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.records: dict[str, list[_Record]] = {}
        self.unreachable = [0]  # branches marked U (unreachable): left out, as lcov does
        self.totals = TotalsCheck(
            origin,
            "the LF/LH, BRF/BRH and FNF/FNH summary lines",
            "covgap reports the data, as lcov --summary does",
        )

    def add(self, records: Iterable[_Record]) -> None:
        for rec in records:
            if "\x00" in rec[0]:  # both parsers keep SF: bytes as written; NUL is damage
                raise FormatError(self.origin, "SF: file name contains a NUL byte", line=rec[1])
            self._check_declared(rec)
            group = self.records.get(rec[0])
            if group is None:
                self.records[rec[0]] = [rec]
            else:
                group.append(rec)

    def _check_declared(self, rec: _Record) -> None:
        """Compare a record's own summary lines (those it has) with its data."""
        n_hit, n_br_hit, n_fn_hit = rec[10]
        counted = (len(rec[2]), n_hit), (len(rec[7]), n_br_hit), (len(rec[8]), n_fn_hit)
        decl = rec[9]
        for i, (kind, tags) in enumerate(
            (("lines", ("LF", "LH")), ("branches", ("BRF", "BRH")), ("functions", ("FNF", "FNH")))
        ):
            found, hit = decl[2 * i], decl[2 * i + 1]
            if found < 0 and hit < 0:
                continue
            total, covered = counted[i]
            if (found < 0 or found == total) and (hit < 0 or hit == covered):
                self.totals.agree(kind, total, covered)
                continue
            why = None
            if kind == "functions" and _per_start_line(rec[8]) == (found, hit):
                why = _GROUPED_FUNCTIONS
            self.totals.compare(
                kind,
                (found if found >= 0 else total, hit if hit >= 0 else covered),
                counted[i],
                where=f"{rec[0]} (line {rec[1]})",
                as_written=f"{tags[0]}:{found} {tags[1]}:{hit}",
                why=why,
            )

    def finish(self) -> CoverageSet:
        files: dict[str, FileCoverage] = {}
        notes: list[str] = []
        dropped: list[str] = []
        for path, group in self.records.items():
            fc = _build_file(path, group)
            if not fc.lines:
                dropped.append(path)
                continue
            files[path] = fc
        if not files and not dropped:
            raise FormatError(self.origin, "no records (no SF: line); not an LCOV tracefile?")
        notes.extend(self.totals.notes())
        if self.unreachable[0]:
            notes.append(
                f"{self.origin}: {self.unreachable[0]} branch(es) marked unreachable "
                "(BRDA with a U block) left out, as lcov leaves them out of BRF/BRH"
            )
        if dropped:
            shown = ", ".join(dropped[:_MAX_NOTE_EXAMPLES])
            more = f" and {len(dropped) - _MAX_NOTE_EXAMPLES} more" if len(dropped) > 3 else ""
            notes.append(
                f"{self.origin}: {len(dropped)} file(s) without DA: lines left out, as "
                f"lcov --summary does ({shown}{more})"
            )
        return CoverageSet(files, notes=tuple(notes))


def _build_file(path: str, group: list[_Record]) -> FileCoverage:
    """Build one file from its records: lines and branches summed, functions by name."""
    first = group[0]
    if len(group) == 1:
        return FileCoverage.from_columns(
            path,
            first[2],
            first[3],
            br_line=first[4],
            br_block=first[5],
            br_branch=first[6],
            br_taken=first[7],
            functions=first[8],
        )
    lines, hits = first[2], first[3]
    builder = FileCoverageBuilder(path)
    functions: dict[str, Function] = {}
    for rec in group:
        if rec is not first:
            lines, hits = merge_line_counts(lines, hits, rec[2], rec[3])
        for line, block, branch, taken in zip(rec[4], rec[5], rec[6], rec[7], strict=True):
            builder.add_branch(line, block, branch, None if taken == NEVER_EVALUATED else taken)
        for fn in rec[8]:
            prev = functions.get(fn.name)
            if prev is None:
                functions[fn.name] = fn
            else:
                functions[fn.name] = prev._replace(
                    end_line=prev.end_line if prev.end_line is not None else fn.end_line,
                    hits=_saturating(prev.hits, fn.hits),
                )
    br = builder.build_branches()
    return FileCoverage.from_columns(
        path,
        lines,
        hits,
        branches=br,
        functions=list(functions.values()),
    )


# -- reading ----------------------------------------------------------------------------


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read an LCOV tracefile; totals equal ``lcov --summary`` of the same file."""
    acc = _Accumulator(origin)
    expr_ids: dict[tuple[str, int, int], dict[str, int]] = {}
    try:
        if use_speedups():
            _read_fast(stream, acc, expr_ids)
        else:
            acc.add(_parse_python(stream, 1, expr_ids, acc.unreachable))
    except _ParseError as exc:
        raise FormatError(origin, exc.message, line=exc.lineno) from None
    return acc.finish()


def _read_fast(
    stream: BinaryIO, acc: _Accumulator, expr_ids: dict[tuple[str, int, int], dict[str, int]]
) -> None:
    """Parse with the C accelerator, a chunk of whole lines at a time.

    Each call parses the complete records of ``work`` and says how many bytes and
    lines that was; the unfinished record is carried into the next chunk. When the C
    parser meets the form it leaves to Python (an lcov 2.x named branch), the rest of
    the file, from that record on, goes through :func:`_parse_python`.

    The cyclic garbage collector is paused meanwhile: a big tracefile creates
    hundreds of thousands of function tuples that cannot form cycles, and the
    collector's repeated passes over them cost more than the parsing itself.
    """
    assert _speedups is not None
    with paused_gc():
        pending = b""
        lineno = 1
        chunk_size = CHUNK_SIZE
        while True:
            chunk = stream.read(chunk_size)
            final = not chunk
            data = pending + chunk if pending else chunk
            view = memoryview(data)
            if final:
                work, tail = view, b""
            else:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    pending = data
                    continue
                work, tail = view[:cut], data[cut:]
            try:
                records, consumed, nlines, fallback = _speedups.parse_lcov(
                    work, lineno, final, Function
                )
            except _speedups.ParseError as exc:
                raise _ParseError(exc.args[0], exc.args[1]) from None
            acc.add(records)
            lineno += nlines
            if fallback:
                rest = io.BytesIO(bytes(work[consumed:]) + tail)
                acc.add(
                    _parse_python(itertools.chain(rest, stream), lineno, expr_ids, acc.unreachable)
                )
                return
            if final:
                return
            pending = bytes(work[consumed:]) + tail
            if consumed == 0:
                chunk_size *= 2  # one record longer than a chunk: read more before retrying


# -- writing ----------------------------------------------------------------------------


def _check_text(value: str, what: str) -> bytes:
    if "\n" in value or "\r" in value:
        raise OutputError(f"cannot write LCOV: {what} {value!r} contains a line break")
    return value.encode("utf-8", "surrogateescape")


def _format_functions(functions: Iterable[Function]) -> tuple[bytes, bytes, int, int]:
    """The FN and FNDA lines of one file and its function counts (one per name)."""
    by_name: dict[str, Function] = {}
    for fn in functions:
        prev = by_name.get(fn.name)
        by_name[fn.name] = (
            fn
            if prev is None
            else prev._replace(
                end_line=prev.end_line if prev.end_line is not None else fn.end_line,
                hits=_saturating(prev.hits, fn.hits),
            )
        )
    fn_lines: list[bytes] = []
    fnda: list[bytes] = []
    fn_hit = 0
    for name, fn in by_name.items():
        ename = _check_text(name, "function name")
        if fn.end_line is None:
            fn_lines.append(b"FN:%d,%s\n" % (fn.start_line, ename))
        else:
            fn_lines.append(b"FN:%d,%d,%s\n" % (fn.start_line, fn.end_line, ename))
        fnda.append(b"FNDA:%d,%s\n" % (fn.hits, ename))
        if fn.hits:
            fn_hit += 1
    return b"".join(fn_lines), b"".join(fnda), len(by_name), fn_hit


def _format_data(fc: FileCoverage) -> tuple[bytes, bytes]:
    """The BRDA and DA lines of one file (``_speedups.format_lcov_data`` in Python)."""
    brda = []
    for line, block, branch, taken in zip(
        fc.br_line, fc.br_block, fc.br_branch, fc.br_taken, strict=True
    ):
        blk = b"e%d" % (-1 - block) if block < 0 else b"%d" % block
        tk = b"-" if taken == NEVER_EVALUATED else b"%d" % taken
        brda.append(b"BRDA:%d,%s,%d,%s\n" % (line, blk, branch, tk))
    da = [b"DA:%d,%d\n" % pair for pair in zip(fc.lines, fc.hits, strict=True)]
    return b"".join(brda), b"".join(da)


def write(coverage: CoverageSet, stream: BinaryIO) -> None:
    """Write LCOV that this reader reads back into the same model.

    Functions are written as ``FN:<line>,<end line>,<name>`` (lcov 2.x) when their end
    is known and ``FN:<line>,<name>`` otherwise; lcov 1.16 reads only the second form
    right. LCOV identifies a function by its name within a file, so two functions of one
    file with the same name are written as one (first start line, hits summed), which
    is also how lcov itself would read them. Exception blocks are written ``e<n>`` and
    never-evaluated branches ``-``.
    """
    accelerated = use_speedups()
    for path in sorted(coverage.files):
        fc = coverage.files[path]
        out: list[bytes] = [b"TN:\nSF:" + _check_text(path, "path") + b"\n"]
        formatted: tuple[bytes, bytes, int, int] | None = None
        if accelerated:
            assert _speedups is not None
            formatted = _speedups.format_lcov_functions(fc.functions)
        if formatted is None:  # no accelerator, or a name the Python path must refuse
            formatted = _format_functions(fc.functions)
        fn_lines, fnda_lines, fn_found, fn_hit = formatted
        out.append(fn_lines)
        out.append(fnda_lines)
        out.append(b"FNF:%d\nFNH:%d\n" % (fn_found, fn_hit))
        c = fc.counts()
        if accelerated:
            assert _speedups is not None
            brda, da = _speedups.format_lcov_data(
                fc.lines, fc.hits, fc.br_line, fc.br_block, fc.br_branch, fc.br_taken
            )
        else:
            brda, da = _format_data(fc)
        out.append(brda)
        out.append(b"BRF:%d\nBRH:%d\n" % (c.branches_total, c.branches_covered))
        out.append(da)
        out.append(b"LF:%d\nLH:%d\nend_of_record\n" % (c.lines_total, c.lines_covered))
        stream.write(b"".join(out))


FORMAT = FormatSpec(
    name="lcov",
    title="LCOV tracefile",
    sniff=sniff,
    read=read,
    write=write,
    discover=("**/lcov.info", "**/*.lcov"),
)

__all__ = ["EXPR_BRANCH_BASE", "FORMAT", "read", "sniff", "use_speedups", "write"]
