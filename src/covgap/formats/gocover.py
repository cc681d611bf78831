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

import re
from array import array
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple

from covgap.errors import FormatError
from covgap.formats import FormatSpec
from covgap.model import CoverageSet, FileCoverage
from covgap.types import MAX_COUNT, MAX_LINE

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


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read a profile into lines and note Go's own statement totals."""
    profile = read_profile(stream, origin)
    cs = to_coverage(profile)
    covered, total = profile.statements()
    if total:
        cs.notes = (
            f"{origin}: go: {covered} of {total} statements covered (the figure "
            "`go tool cover -func` reports); covgap's line figures count the lines "
            "the blocks span",
        )
    return cs


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
