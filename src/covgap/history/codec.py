"""A run's per-line detail as compact bytes, and back, without losing anything.

A recorded run keeps, for each suite, the suite's own :class:`~covgap.model.CoverageSet`
(so a suite can later be carried forward or compared with itself), and for each file
its git blob id and component. Everything is packed with msgpack (msgspec) and
compressed with zlib (integer columns with its run-length strategy, see
:data:`_RLE_EXCEPT`), column by column:

* each suite is stored as columns over all its files (every file's lines, then every
  file's hits, ...), each column's bytes regrouped by position (all low bytes, then
  the next, ...: the high bytes of small numbers are long runs of zeros);
* line numbers are delta-encoded (mostly 1s, which compress to almost nothing); the
  gathering of a suite's columns, the delta and the byte regrouping are one C call
  per suite (``_speedups.gather_suite``; decoding, ``unshuffle_column`` per column;
  the pure Python here is the reference, used with ``COVGAP_PURE_PYTHON=1`` and
  tested to write the same bytes); a
  flag that equals the file's covered lines (the usual case: a suite's flag is what
  it covered) is stored as ``None``.

``decode(encode(d)) == d`` for every detail (hypothesis-tested in
``tests/unit/test_history_store.py``; the C and Python column paths in
``tests/unit/test_history_codec.py``, with a run the released covgap 0.1 wrote). The
leading format byte lets a later covgap read what an earlier one wrote; this one
writes the same format 1 as 0.1 (only faster, with other zlib settings: any zlib
stream inflates the same way).
"""

from __future__ import annotations

import operator
import sys
import zlib
from array import array
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import accumulate, chain
from typing import Any

import msgspec

from covgap import model
from covgap.model import CoverageSet, FileCoverage, Function

FORMAT_VERSION = 1
_LEVEL = 2
"""zlib's level for the msgpack parts (paths, names, flags, blob ids). Any level and
strategy decode the same, so neither is part of the format."""
_RLE_EXCEPT = frozenset({"br_branch"})
"""Integer columns are deflated with zlib's run-length strategy (``Z_RLE``): their
shuffled byte planes are long runs (zeros in the high bytes, 1s of line deltas), which
it encodes as well as the full LZ77 search for less time. On the 10,000-file bench
corpus: 5.1 MB in 0.26 s of CPU, against 6.0 MB in 0.38 s at level 2's default
strategy. Branch indices cycle (0, 1, 0, 1, ...): no runs, but repeats that only the
default strategy finds (18 kB instead of 200 kB), so that column keeps it."""
_LITTLE = sys.byteorder == "little"


@dataclass
class RunDetail:
    """What one record (or one run, merged) holds: coverage per suite and file facts.

    ``suites`` maps a suite name (``""`` for reports given without one) to that
    suite's coverage; ``blobs`` a path to its git blob id; ``components`` a path to
    the component it belongs to (absent: none).
    """

    suites: dict[str, CoverageSet] = field(default_factory=dict)
    blobs: dict[str, str] = field(default_factory=dict)
    components: dict[str, str] = field(default_factory=dict)

    def coverage(self) -> CoverageSet:
        """Every suite merged: the run's coverage."""
        sets = list(self.suites.values())
        if len(sets) == 1:
            return sets[0]
        return CoverageSet.merge_all(sets)

    def merge(self, other: RunDetail) -> RunDetail:
        """The union of two records: each suite merged with itself, file facts joined."""
        suites = dict(self.suites)
        for name, cs in other.suites.items():
            mine = suites.get(name)
            suites[name] = cs if mine is None else mine.merge(cs)
        return RunDetail(
            suites, {**self.blobs, **other.blobs}, {**self.components, **other.components}
        )


def _raw(values: array[int]) -> bytes:
    if not _LITTLE:  # pragma: no cover - big-endian hosts
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _unraw(typecode: str, data: bytes) -> array[int]:
    values = array(typecode)
    values.frombytes(data)
    if not _LITTLE:  # pragma: no cover - big-endian hosts
        values.byteswap()
    return values


def _pack(values: array[int], *, delta: bool = False) -> list[object]:
    """``[typecode, bytes]``: the little-endian column, its bytes regrouped by position.

    All the first bytes of the values, then all the second bytes, ... (the "shuffle"
    of Blosc and HDF5). Coverage numbers are small, so the high-byte planes are runs
    of zeros that zlib squeezes to nothing at almost no cost, without a pass over the
    values to find the narrowest type. With ``delta`` the values are first replaced by
    their differences (line numbers: mostly 1s). The C accelerator does both in one
    pass (``shuffle_column``); the Python below is the reference it is tested against.
    """
    speedups = model._speedups
    if speedups is not None:
        return [values.typecode, speedups.shuffle_column(values, delta)]
    if delta:
        values = _deltas(values)
    raw = _raw(values)
    width = values.itemsize
    return [values.typecode, b"".join(raw[k::width] for k in range(width))]


class _Pool:
    """Compress columns on two threads, while the main thread goes on building the rest.

    zlib releases the GIL, so the columns are compressed in parallel with each other
    and with the Python-level work of the next suite (measured on two cores: the
    compression of the 10,000-file corpus's columns takes about half the wall time
    of one thread).
    """

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="covgap-zlib")

    def compress(self, data: bytes, *, runs: bool = False) -> Future[bytes]:
        """``data`` deflated on a worker thread; ``runs``: with ``Z_RLE`` (:data:`_RLE_EXCEPT`)."""
        if runs:
            return self.executor.submit(_deflate_runs, data)
        return self.executor.submit(zlib.compress, data, _LEVEL)


def _deflate_runs(data: bytes) -> bytes:
    """A zlib stream of ``data`` made with the run-length strategy (any zlib inflates it)."""
    deflater = zlib.compressobj(_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS, 8, zlib.Z_RLE)
    return deflater.compress(data) + deflater.flush()


def _zobj(value: object, pool: _Pool) -> Future[bytes]:
    return pool.compress(msgspec.msgpack.encode(value))


def _unzpack(packed: Any, *, delta: bool = False) -> array[int]:
    code, data = packed
    return _unpack([code, zlib.decompress(data)], delta=delta)


def _unzobj(data: bytes) -> Any:
    return msgspec.msgpack.decode(zlib.decompress(data))


def _resolve(value: Any) -> Any:
    """``value`` with every Future replaced by its result (the compressed bytes)."""
    if isinstance(value, Future):
        return value.result()
    if isinstance(value, dict):
        return {k: _resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    return value


def _unpack(packed: Any, *, delta: bool = False) -> array[int]:
    """Undo :func:`_pack` (the C accelerator's ``unshuffle_column``, or the reference)."""
    code, data = packed
    if code not in ("b", "h", "i", "q"):
        raise ValueError(f"unknown column type {code!r}")
    speedups = model._speedups
    if speedups is not None:
        column: array[int] = speedups.unshuffle_column(code, data, delta)
        return column
    width = array(code).itemsize
    if len(data) % width:
        raise ValueError("column length is not a multiple of its width")
    n = len(data) // width
    raw = bytearray(len(data))
    for k in range(width):
        raw[k::width] = data[k * n : (k + 1) * n]
    values = _unraw(code, bytes(raw))
    return array(code, accumulate(values)) if delta else values


def _deltas(values: array[int]) -> array[int]:
    return array(values.typecode, map(operator.sub, values, chain((0,), values)))


def _encode_suite(cs: CoverageSet, pool: _Pool) -> dict[str, object]:
    """One suite's files as columns: every file's lines, then every file's hits, ...

    Homogeneous columns compress far better than file-by-file records. Line numbers
    are delta-encoded over the whole column (mostly 1s; negative where a file starts),
    so both the encoding and the decoding are one pass per column. With the C
    accelerator every column is gathered, delta-encoded and shuffled in one call
    (``_speedups.gather_suite``); :func:`_gather` is the reference it must equal.
    """
    paths = sorted(cs.files)
    files = [cs.files[path] for path in paths]
    columns = _gather_fast(files)
    if columns is None:
        columns = _gather(files)
    flags: list[dict[str, object]] = []
    for fc in files:
        file_flags: dict[str, object] = {}
        if fc.flags:
            covered = fc.covered_lines()
            for flag, flagged in fc.flags.items():
                # A suite's flag is almost always "every line it covered": say so in a byte.
                same = flagged == covered
                file_flags[flag] = None if same else _pack(flagged, delta=True)
        flags.append(file_flags)
    doc: dict[str, object] = {
        "paths": _zobj(paths, pool),
        "fn_names": _zobj(columns.pop("fn_names"), pool),
        "flags": _zobj(flags, pool),
    }
    # the largest first: two threads finish the suite soonest that way
    for name, (code, data) in sorted(columns.items(), key=lambda item: -len(item[1][1])):
        doc[name] = [code, pool.compress(data, runs=name not in _RLE_EXCEPT)]
    return doc


_GATHERED = (
    ("counts", "q"),
    ("lines", "i"),
    ("hits", "q"),
    ("br_line", "i"),
    ("br_block", "i"),
    ("br_branch", "i"),
    ("br_taken", "q"),
    ("fn_names", ""),
    ("fn_start", "q"),
    ("fn_end", "q"),
    ("fn_hits", "q"),
)
"""The columns :func:`_gather` returns, in ``_speedups.gather_suite``'s order, with
their array types (``fn_names`` is a list of names)."""


def _gather_fast(files: list[FileCoverage]) -> dict[str, Any] | None:
    """``_speedups.gather_suite``'s columns, or None (no accelerator, or unusual input)."""
    speedups = model._speedups
    if speedups is None:
        return None
    got = speedups.gather_suite(files)
    if got is None:
        return None
    return {
        name: value if name == "fn_names" else (code, value)
        for (name, code), value in zip(_GATHERED, got, strict=True)
    }


def _gather(files: list[FileCoverage]) -> dict[str, Any]:
    """Every file's columns concatenated; each ``(typecode, shuffled bytes)`` from :func:`_pack`.

    The reference for ``_speedups.gather_suite`` (and the path without the accelerator).
    """
    counts = array("q")  # per file: lines, branches, functions
    # The model's own column types, so each file's arrays extend these in C.
    lines, hits = array("i"), array("q")
    br_line, br_block, br_branch, br_taken = array("i"), array("i"), array("i"), array("q")
    fn_names: list[str] = []
    fn_start, fn_end, fn_hits = array("q"), array("q"), array("q")
    for fc in files:
        counts.extend((len(fc.lines), len(fc.br_line), len(fc.functions)))
        lines.extend(fc.lines)
        hits.extend(fc.hits)
        br_line.extend(fc.br_line)
        br_block.extend(fc.br_block)
        br_branch.extend(fc.br_branch)
        br_taken.extend(fc.br_taken)
        for fn in fc.functions:
            fn_names.append(fn.name)
            fn_start.append(fn.start_line)
            fn_end.append(-1 if fn.end_line is None else fn.end_line)
            fn_hits.append(fn.hits)
    out: dict[str, Any] = {"fn_names": fn_names}
    for name, column, delta in (
        ("counts", counts, False),
        ("lines", lines, True),
        ("hits", hits, False),
        ("br_line", br_line, True),
        ("br_block", br_block, False),
        ("br_branch", br_branch, False),
        ("br_taken", br_taken, False),
        ("fn_start", fn_start, False),
        ("fn_end", fn_end, False),
        ("fn_hits", fn_hits, False),
    ):
        code, data = _pack(column, delta=delta)
        out[name] = (code, data)
    return out


def _decode_suite(doc: dict[str, Any]) -> CoverageSet:
    counts = _unzpack(doc["counts"])
    lines = _unzpack(doc["lines"], delta=True)
    hits = _unzpack(doc["hits"])
    br_line = _unzpack(doc["br_line"], delta=True)
    br_block, br_branch = _unzpack(doc["br_block"]), _unzpack(doc["br_branch"])
    br_taken = _unzpack(doc["br_taken"])
    fn_names: list[str] = _unzobj(doc["fn_names"])
    fn_start, fn_end, fn_hits = (_unzpack(doc[k]) for k in ("fn_start", "fn_end", "fn_hits"))
    all_flags: list[dict[str, Any]] = _unzobj(doc["flags"])
    files: dict[str, FileCoverage] = {}
    at_line = at_br = at_fn = 0
    for index, path in enumerate(_unzobj(doc["paths"])):
        n_lines, n_br, n_fn = counts[3 * index : 3 * index + 3]
        functions = tuple(
            Function(fn_names[i], fn_start[i], None if fn_end[i] < 0 else fn_end[i], fn_hits[i])
            for i in range(at_fn, at_fn + n_fn)
        )
        fc = FileCoverage.from_columns(
            path,
            lines[at_line : at_line + n_lines],
            hits[at_line : at_line + n_lines],
            br_line=br_line[at_br : at_br + n_br],
            br_block=br_block[at_br : at_br + n_br],
            br_branch=br_branch[at_br : at_br + n_br],
            br_taken=br_taken[at_br : at_br + n_br],
            functions=functions,
        )
        file_flags = all_flags[index]
        if file_flags:
            covered = fc.covered_lines()
            fc.flags = {
                flag: covered if packed is None else _unpack(packed, delta=True)
                for flag, packed in file_flags.items()
            }
        files[path] = fc
        at_line += n_lines
        at_br += n_br
        at_fn += n_fn
    return CoverageSet(files)


def encode(detail: RunDetail) -> bytes:
    """Pack and compress ``detail``; the first byte is the format version."""
    return Encoding(detail.suites).finish(detail.blobs, detail.components)


class Encoding:
    """:func:`encode` in two steps, so the compression overlaps other work.

    Creating one gathers every suite's columns and hands them to two zlib threads;
    :meth:`finish` adds the file facts and waits for the threads. ``covgap record``
    starts it as soon as the reports are read, and hashes blob ids and opens the store
    while zlib runs. ``Encoding(d.suites).finish(d.blobs, d.components) == encode(d)``.
    """

    def __init__(self, suites: Mapping[str, CoverageSet]) -> None:
        self.suites = dict(suites)
        self._pool = _Pool()
        try:
            self._doc = {name: _encode_suite(cs, self._pool) for name, cs in sorted(suites.items())}
        except BaseException:
            self.close()
            raise

    def finish(self, blobs: Mapping[str, str], components: Mapping[str, str]) -> bytes:
        """The encoded detail of the suites with these file facts (as given: no filtering)."""
        try:
            doc = {
                "suites": self._doc,
                # git blob ids as 20 raw bytes, not 40 hex digits (hashes do not compress)
                "blobs": _zobj({p: bytes.fromhex(b) for p, b in blobs.items()}, self._pool),
                "components": _zobj(dict(components), self._pool),
            }
            return bytes([FORMAT_VERSION]) + msgspec.msgpack.encode(_resolve(doc))
        finally:
            self.close()

    def close(self) -> None:
        """Stop the threads (after the columns already queued); :meth:`finish` does it."""
        self._pool.executor.shutdown()


_DAMAGED = (
    zlib.error,
    msgspec.DecodeError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    OverflowError,  # a damaged delta column sums past its type
)


class DetailError(ValueError):
    """Stored detail that cannot be decoded (damaged, or from an unknown format)."""


def decode(data: bytes) -> RunDetail:
    """Undo :func:`encode`; raises :class:`DetailError` on damaged or unknown data."""
    if not data or data[0] != FORMAT_VERSION:
        raise DetailError(f"unknown detail format {data[:1]!r}")
    try:
        doc = msgspec.msgpack.decode(data[1:])
        suites = {name: _decode_suite(part) for name, part in doc["suites"].items()}
        blobs = {p: bytes(b).hex() for p, b in _unzobj(doc["blobs"]).items()}
        return RunDetail(suites, blobs, dict(_unzobj(doc["components"])))
    except _DAMAGED as exc:
        raise DetailError(f"damaged detail ({exc})") from None


@dataclass
class LineColumns:
    """Only the line columns of a stored run: what ``covgap flaky`` compares.

    ``suites`` maps a suite to ``(path, lines, hits)`` per file. Decoding this skips
    the branch, function and flag columns and builds no per-file coverage objects.
    """

    suites: dict[str, list[tuple[str, array[int], array[int]]]]
    blobs: dict[str, str]


def decode_lines(data: bytes) -> LineColumns:
    """The lines and hits of every file of every suite in ``data`` (see :class:`LineColumns`)."""
    if not data or data[0] != FORMAT_VERSION:
        raise DetailError(f"unknown detail format {data[:1]!r}")
    try:
        doc = msgspec.msgpack.decode(data[1:])
        suites: dict[str, list[tuple[str, array[int], array[int]]]] = {}
        for name, part in doc["suites"].items():
            counts = _unzpack(part["counts"])
            lines = _unzpack(part["lines"], delta=True)
            hits = _unzpack(part["hits"])
            files = []
            at = 0
            for index, path in enumerate(_unzobj(part["paths"])):
                n = counts[3 * index]
                files.append((path, lines[at : at + n], hits[at : at + n]))
                at += n
            if at != len(lines) or len(lines) != len(hits):
                raise ValueError("line columns do not match the file counts")
            suites[name] = files
        blobs = {p: bytes(b).hex() for p, b in _unzobj(doc["blobs"]).items()}
        return LineColumns(suites, blobs)
    except _DAMAGED as exc:
        raise DetailError(f"damaged detail ({exc})") from None


def detail_from(
    suites: Mapping[str, CoverageSet],
    blobs: Mapping[str, str] | None = None,
    components: Mapping[str, str] | None = None,
) -> RunDetail:
    """A :class:`RunDetail` whose file facts are limited to files it covers."""
    paths: set[str] = set()
    for cs in suites.values():
        paths.update(cs.files)
    return RunDetail(
        dict(suites),
        {p: b for p, b in (blobs or {}).items() if p in paths},
        {p: c for p, c in (components or {}).items() if p in paths},
    )


__all__ = [
    "FORMAT_VERSION",
    "DetailError",
    "Encoding",
    "LineColumns",
    "RunDetail",
    "decode",
    "decode_lines",
    "detail_from",
    "encode",
]
