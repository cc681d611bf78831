"""Go coverage profiles (``go test -coverprofile=cover.out``).

Specification: the profile format of ``cmd/cover`` / ``golang.org/x/tools/cover``
(``ParseProfiles``). Checked against Go 1.19 (``tests/data/go/make.sh``)::

    mode: set|count|atomic
    # <file>:<startLine>.<startCol>,<endLine>.<endCol> <numStmt> <count>
    example.com/shop/cart.go:12.37,13.15 1 4

Each record is a *block*: a run of ``numStmt`` statements that executed ``count``
times (``set`` mode: 0 or 1). Go measures **statements**, not lines: ``go tool cover
-func`` reports, per function and in total, covered statements / statements. A block
listed twice (the same package profiled by several runs, profiles concatenated) is
merged the way ``ParseProfiles`` does: counts add (``set``: or-ed), and the two
records must agree on ``numStmt``.

covgap's model counts lines, so the reader derives them by one documented rule:

* a **line** is executable when a block with at least one statement spans it (from
  its start line to its end line, inclusive); blocks without statements (an empty
  function body) add no lines;
* its **hits** are the largest count of the blocks spanning it: the line ran when
  any statement on it ran (``if x {`` runs although the block opened by its ``{``
  may not).

The line totals therefore follow the blocks' extents, which include a block's
closing-brace line and any comment lines inside it; they are not Go's statement
figures. Those are kept exactly: :func:`read_profile` returns the blocks and
:meth:`Profile.statements` gives Go's own totals, which the reader also states in a
note on the coverage set (``go: 22 of 27 statements covered``). Go profiles
carry no branch or function data.
"""

from __future__ import annotations

import io
import itertools
import operator
import os
import re
from array import array
from dataclasses import dataclass, field
from types import ModuleType
from typing import BinaryIO, NamedTuple

from covgap.errors import FormatError
from covgap.formats import FormatSpec
from covgap.model import CoverageSet, FileCoverage
from covgap.types import MAX_COUNT, MAX_LINE

_speedups: ModuleType | None
try:
    from covgap import _speedups
except ImportError:  # pragma: no cover - the pure-Python leg of CI
    _speedups = None

MODES = ("set", "count", "atomic")

MAX_SPANNED_LINES = 10_000_000
"""How many source lines the distinct blocks of one profile may span, in total.

Lines are derived by walking each block's span, so one corrupt or hostile record
(``x.go:1.1,2000000000.1 1 1``) would make covgap build billions of lines; ten
million is more Go than any repository measures at once (llvm_json's per-file limit).
"""

_MODE_START = (b"m", b" ", b"\t")
_MODE_RE = re.compile(rb"^mode: (\S+)\s*$")
_SNIFF_RE = re.compile(rb"^\s*mode: (set|count|atomic)[ \t]*(\r?\n|$)")


class Block(NamedTuple):
    """One profile record: ``num_stmt`` statements between two source positions."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int
    num_stmt: int
    hits: int


@dataclass
class Profile:
    """A parsed profile: its mode and, per file, the merged blocks in position order."""

    mode: str
    files: dict[str, list[Block]] = field(default_factory=dict)

    def statements(self, path: str | None = None) -> tuple[int, int]:
        """Return ``(covered, total)`` statements, as ``go tool cover -func`` counts them."""
        covered = total = 0
        paths = [path] if path is not None else list(self.files)
        for p in paths:
            for b in self.files.get(p, ()):
                total += b.num_stmt
                if b.hits > 0:
                    covered += b.num_stmt
        return covered, total

    def statements_between(self, path: str, first: int, last: int) -> tuple[int, int]:
        """Statements of the blocks starting on lines ``first..last`` (one function's body)."""
        covered = total = 0
        for b in self.files.get(path, ()):
            if first <= b.start_line <= last:
                total += b.num_stmt
                if b.hits > 0:
                    covered += b.num_stmt
        return covered, total


def sniff(head: bytes, name: str) -> bool:
    """A profile's first line is ``mode: set``, ``mode: count`` or ``mode: atomic``."""
    return _SNIFF_RE.match(head) is not None


def _bad_record(line: bytes, origin: str, lineno: int) -> FormatError:
    return FormatError(
        origin,
        "expected `file:line.col,line.col numStmt count`, got "
        f"{line[:80].decode('utf-8', 'replace')!r}",
        line=lineno,
    )


def _mode(line: bytes, mode: str | None, origin: str, lineno: int) -> str:
    """Validate a ``mode:`` line; a repeated one (concatenated profiles) must agree."""
    m = _MODE_RE.match(line)
    if m is None:
        raise _bad_record(line, origin, lineno)
    this = m.group(1).decode("ascii", "replace")
    if this not in MODES:
        raise FormatError(origin, f"unknown mode {this!r} (set, count, atomic)", line=lineno)
    if mode is not None and this != mode:
        # Concatenated profiles must share a mode; go tool cover refuses too.
        raise FormatError(
            origin, f"mode {this!r} differs from the profile's mode {mode!r}", line=lineno
        )
    return this


def read_profile(stream: BinaryIO, origin: str) -> Profile:
    """Parse a profile, merging repeated blocks as ``go tool cover`` does.

    The record is split with ``bytes`` methods rather than a regular expression (a
    million-block profile is a normal input); every field must be plain digits.
    """
    mode: str | None = None
    merged: dict[str, dict[tuple[int, int, int, int], list[int]]] = {}
    names: dict[bytes, tuple[str, dict[tuple[int, int, int, int], list[int]]]] = {}
    spanned = 0
    for lineno, raw in enumerate(stream, 1):
        line = raw.rstrip(b"\r\n")
        if line[:1] in _MODE_START and line.lstrip().startswith(b"mode:"):
            mode = _mode(line.strip(), mode, origin, lineno)
            continue
        if not line.strip():
            continue
        if mode is None:
            raise FormatError(
                origin, "a Go coverage profile starts with a `mode:` line", line=lineno
            )
        # <file>:<sl>.<sc>,<el>.<ec> <n> <count>; the file may contain ':' (C:/...).
        name, _, rest = line.rpartition(b":")
        fields = rest.split()
        if len(fields) != 3 or not name:
            raise _bad_record(line, origin, lineno)
        span, n_b, count_b = fields
        start, _, end = span.partition(b",")
        sl_b, _, sc_b = start.partition(b".")
        el_b, _, ec_b = end.partition(b".")
        if not (
            sl_b.isdigit()
            and sc_b.isdigit()
            and el_b.isdigit()
            and ec_b.isdigit()
            and n_b.isdigit()
            and count_b.isdigit()
        ):
            raise _bad_record(line, origin, lineno)
        sl, sc, el, ec = int(sl_b), int(sc_b), int(el_b), int(ec_b)
        n, count = int(n_b), int(count_b)
        if not (1 <= sl <= MAX_LINE and 1 <= el <= MAX_LINE):
            raise FormatError(origin, "line number out of range", line=lineno)
        if (el, ec) < (sl, sc):
            raise FormatError(origin, f"block ends ({el}.{ec}) before it starts", line=lineno)
        if count > MAX_COUNT or n > MAX_COUNT:
            raise FormatError(origin, f"count {count} is too large", line=lineno)
        known = names.get(name)
        if known is None:
            try:
                path = name.decode("utf-8")
            except UnicodeDecodeError:
                raise FormatError(origin, "file name is not UTF-8", line=lineno) from None
            if "\x00" in path:  # no OS allows NUL in a path: binary damage, not a file
                raise FormatError(origin, "file name contains a NUL byte", line=lineno)
            known = names[name] = (path, merged.setdefault(path, {}))
        path, blocks = known
        key = (sl, sc, el, ec)
        prev = blocks.get(key)
        if prev is None:
            blocks[key] = [n, count]
            spanned += el - sl + 1
            if spanned > MAX_SPANNED_LINES:
                raise FormatError(
                    origin,
                    f"the blocks span more than {MAX_SPANNED_LINES:,} source lines "
                    f"(this one: lines {sl}-{el}); not a real profile",
                    line=lineno,
                )
            continue
        if prev[0] != n:
            raise FormatError(
                origin,
                f"{path}:{sl}.{sc},{el}.{ec} has {n} statements here and {prev[0]} earlier",
                line=lineno,
            )
        if mode == "set":
            prev[1] = 1 if prev[1] or count else 0
        else:
            prev[1] = min(prev[1] + count, MAX_COUNT)
    if mode is None:
        raise FormatError(origin, "empty Go coverage profile (no `mode:` line)", offset=0)
    profile = Profile(mode)
    make = Block._make
    for path in sorted(merged):
        profile.files[path] = [
            make((*key, n, count)) for key, (n, count) in sorted(merged[path].items())
        ]
    return profile


def to_coverage(profile: Profile) -> CoverageSet:
    """Turn blocks into lines by the rule in the module docstring."""
    cs = CoverageSet()
    for path, blocks in profile.files.items():
        hits: dict[int, int] = {}
        get = hits.get
        for sl, _sc, el, _ec, n, count in blocks:
            if n == 0:
                continue
            for ln in range(sl, el + 1):
                prev = get(ln)
                if prev is None or count > prev:
                    hits[ln] = count
        keys = sorted(hits)
        cs.add(
            FileCoverage.from_columns(path, array("i", keys), array("q", [hits[k] for k in keys]))
        )
    return cs


def use_speedups() -> bool:
    """Whether the C reader is built and not switched off by ``COVGAP_PURE_PYTHON=1``."""
    return _speedups is not None and os.environ.get("COVGAP_PURE_PYTHON") != "1"


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read a profile into lines and note Go's own statement totals.

    Three readers, one result. With the C accelerator, :func:`_read_c` does the
    whole common case in one pass (issue 14: faster per MB than ``go tool cover
    -func``); without it, :func:`_read_fast` parses the profile in 1 MB pieces into
    compact per-file columns (a dict and a tuple per block cost 7x the file).
    Anything either does not decide (a malformed or hostile record, a block listed
    twice with different statement counts, too many spanned lines) is decided by
    the exact parser, :func:`read_profile`, which names the line. All count by the
    rule in the module docstring; ``tests/unit/test_gocover.py`` compares them.
    """
    data: bytes | bytearray
    try:
        if use_speedups():
            data = _read_all(stream)
            return _read_c(data, origin)
        data = stream.read()
        return _read_fast(data, origin)
    except _FastMiss:
        return _read_exact(io.BytesIO(data), origin)


_READ_PIECE = 8 << 20


def _read_all(stream: BinaryIO) -> bytearray:
    """The whole stream, read in 8 MB pieces into one growing buffer.

    ``read()`` without a size goes through the progress reader 8 KB at a time
    (27,000 Python calls on a 217 MB profile: half a second); growing a bytearray
    mostly extends it in place, so the peak stays about one file's size.
    """
    buf = bytearray()
    while piece := stream.read(_READ_PIECE):
        buf += piece
    return buf


def _read_c(data: bytes | bytearray, origin: str) -> CoverageSet:
    """:func:`_read_fast` in C (``_speedups.parse_gocover``); _FastMiss where it declines."""
    assert _speedups is not None
    got: tuple[str, list[tuple[str, array[int], array[int]]], int, int] | None
    got = _speedups.parse_gocover(data, MAX_SPANNED_LINES)
    if got is None:
        raise _FastMiss
    _mode, files, covered, total = got
    cs = CoverageSet()
    for path, lines, hits in files:
        cs.add(FileCoverage.from_columns(path, lines, hits))
    cs.notes = _statements_note(origin, covered, total)
    return cs


def _read_exact(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read through :func:`read_profile` and :func:`to_coverage`: blocks as objects."""
    profile = read_profile(stream, origin)
    cs = to_coverage(profile)
    cs.notes = _statements_note(origin, *profile.statements())
    return cs


def _statements_note(origin: str, covered: int, total: int) -> tuple[str, ...]:
    if not total:
        return ()
    return (
        f"{origin}: go: {covered} of {total} statements covered (the figure "
        "`go tool cover -func` reports); covgap's line figures count the lines "
        "the blocks span",
    )


# -- the fast path -----------------------------------------------------------------------


class _FastMiss(Exception):
    """The fast path met a record it does not decide; the exact parser decides."""


_CHUNK = 1 << 20
# <file>:<sl>.<sc>,<el>.<ec> <n> <count>, single spaces (the exact parser takes any
# whitespace; anything else is counted as not matched and decided there).
# No "^": a pattern that starts a line matches there, and a suffix of a line can only
# match when the whole line does (the name absorbs the prefix), so counting matches
# against lines is exact; without the anchor the scan is several times faster.
_RECORD = re.compile(rb"([^\n]+):(\d+)\.(\d+),(\d+)\.(\d+) (\d+) (\d+)\r?\n")
_MODE_LINE = re.compile(rb"^mode: (set|count|atomic)\r?$", re.M)
_MODE_LIKE = re.compile(rb"^[ \t]*mode:", re.M)
_BLANK = re.compile(rb"^[ \t\r]*$", re.M)


class _Columns:
    """One file's blocks in record order, as arrays (about 40 bytes a block)."""

    __slots__ = ("ec", "el", "n", "sc", "sl", "taken")

    def __init__(self) -> None:
        self.sl, self.el = array("i"), array("i")
        self.sc, self.ec = array("q"), array("q")
        self.n, self.taken = array("q"), array("q")


def _chunks(data: bytes) -> list[tuple[int, int]]:
    """Split ``data`` into pieces of about 1 MB that end at a line end.

    A piece's records exist as Python objects only while it is parsed (about 10x its
    size), so the piece size bounds that overhead."""
    out, start = [], 0
    while start < len(data):
        end = data.find(b"\n", min(start + _CHUNK, len(data)) - 1)
        end = len(data) if end < 0 else end + 1
        out.append((start, end))
        start = end
    return out


def _read_fast(data: bytes, origin: str) -> CoverageSet:
    """:func:`_read_exact` on columns; raises _FastMiss on anything unusual."""
    mode: bytes | None = None
    files: dict[bytes, _Columns] = {}
    for start, end in _chunks(data):
        piece = data[start:end]
        if not piece.endswith(b"\n"):
            piece += b"\n"
        records = _RECORD.findall(piece)
        modes: list[bytes] = []
        if b"mode:" in piece:  # the first piece, and where profiles were concatenated
            modes = _MODE_LINE.findall(piece)
            if len(_MODE_LIKE.findall(piece)) != len(modes) or len(set(modes)) > 1:
                raise _FastMiss
        n_lines = piece.count(b"\n")
        if len(records) + len(modes) != n_lines:
            blanks = len(_BLANK.findall(piece)) - 1  # "$" also matches after the last \n
            if len(records) + len(modes) + blanks != n_lines:
                raise _FastMiss
        if mode is None:
            if not modes or not piece.lstrip().startswith(b"mode:"):
                raise _FastMiss  # a record before the mode line: the exact error
            mode = modes[0]
        elif modes and modes[0] != mode:
            raise _FastMiss
        if records:
            _add_records(records, files)
    if mode is None:
        raise _FastMiss
    return _build(origin, mode.decode(), files)


def _add_records(records: list[tuple[bytes, ...]], files: dict[bytes, _Columns]) -> None:
    names, sl_b, sc_b, el_b, ec_b, n_b, c_b = zip(*records, strict=True)
    sl, el = list(map(int, sl_b)), list(map(int, el_b))
    sc, ec = list(map(int, sc_b)), list(map(int, ec_b))
    n, taken = list(map(int, n_b)), list(map(int, c_b))
    if not (
        min(sl) >= 1
        and max(sl) <= MAX_LINE
        and min(el) >= 1
        and max(el) <= MAX_LINE
        and max(n) <= MAX_COUNT
        and max(taken) <= MAX_COUNT
    ):
        raise _FastMiss
    # (el, ec) >= (sl, sc), in C: no line goes backwards, no one-line block ends early.
    if not all(map(operator.le, sl, el)) or any(
        map(operator.and_, map(operator.eq, sl, el), map(operator.gt, sc, ec))
    ):
        raise _FastMiss
    i = 0
    for name, run in itertools.groupby(names):
        j = i + sum(1 for _ in run)
        cols = files.get(name)
        if cols is None:
            cols = files[name] = _Columns()
        try:
            cols.sl.extend(sl[i:j])
            cols.sc.extend(sc[i:j])
            cols.el.extend(el[i:j])
            cols.ec.extend(ec[i:j])
        except OverflowError:  # a column past 2**63: the exact parser keeps it
            raise _FastMiss from None
        cols.n.extend(n[i:j])
        cols.taken.extend(taken[i:j])
        i = j


def _build(origin: str, mode: str, files: dict[bytes, _Columns]) -> CoverageSet:
    by_path: dict[str, _Columns] = {}
    for name, cols in files.items():
        try:
            path = name.decode("utf-8")
        except UnicodeDecodeError:
            raise _FastMiss from None
        if "\x00" in path:
            raise _FastMiss
        by_path[path] = cols
    cs = CoverageSet()
    spanned = covered = total = 0
    for path in sorted(by_path):
        cols = by_path[path]
        keys = list(zip(cols.sl, cols.sc, cols.el, cols.ec, strict=True))
        blocks = dict(zip(keys, zip(cols.n, cols.taken, strict=True), strict=True))
        if len(blocks) != len(keys):
            blocks = _merge_repeated(keys, cols, mode)
        # Checked before any line is made: a hostile span must not cost its length.
        spanned += sum(key[2] - key[0] + 1 for key in blocks)
        if spanned > MAX_SPANNED_LINES:
            raise _FastMiss
        hits: dict[int, int] = {}
        get = hits.get
        for (sl, _sc, el, _ec), (n, count) in blocks.items():
            if n == 0:
                continue
            total += n
            if count > 0:
                covered += n
            for ln in range(sl, el + 1) if el != sl else (sl,):
                prev = get(ln)
                if prev is None or count > prev:
                    hits[ln] = count
        lines = sorted(hits)
        cs.add(
            FileCoverage.from_columns(
                path, array("i", lines), array("q", map(hits.__getitem__, lines))
            )
        )
    cs.notes = _statements_note(origin, covered, total)
    return cs


def _merge_repeated(
    keys: list[tuple[int, int, int, int]], cols: _Columns, mode: str
) -> dict[tuple[int, int, int, int], tuple[int, int]]:
    """Merge a file's repeated blocks as :func:`read_profile` does (counts add; set: or)."""
    merged: dict[tuple[int, int, int, int], tuple[int, int]] = {}
    for key, n, count in zip(keys, cols.n, cols.taken, strict=True):
        prev = merged.get(key)
        if prev is None:
            merged[key] = (n, count)
        elif prev[0] != n:
            raise _FastMiss
        elif mode == "set":
            merged[key] = (n, 1 if prev[1] or count else 0)
        else:
            merged[key] = (n, min(prev[1] + count, MAX_COUNT))
    return merged


FORMAT = FormatSpec(
    name="gocover",
    title="Go coverage profile",
    sniff=sniff,
    read=read,
    write=None,
    discover=("**/cover.out", "**/coverage.out", "**/*.coverprofile"),
)

__all__ = [
    "FORMAT",
    "MAX_SPANNED_LINES",
    "MODES",
    "Block",
    "Profile",
    "read",
    "read_profile",
    "sniff",
    "to_coverage",
]
