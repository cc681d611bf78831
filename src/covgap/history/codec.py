"""A run's per-line detail as compact bytes, and back, without losing anything.

A recorded run keeps, for each suite, the suite's own :class:`~covgap.model.CoverageSet`
(so a suite can later be carried forward or compared with itself), and for each file
its git blob id and component. Everything is packed with msgpack (msgspec) and
compressed with zlib:

* each suite is stored as columns over all its files (every file's lines, then every
  file's hits, ...), each column in the narrowest integer type that holds it;
* line numbers are delta-encoded within each file (mostly 1s, which compress to almost
  nothing); a flag that equals the file's covered lines (the usual case: a suite's
  flag is what it covered) is stored as ``None``.

``decode(encode(d)) == d`` for every detail (hypothesis-tested in
``tests/unit/test_history_codec.py``). The leading format byte lets a later covgap
read what an earlier one wrote.
"""

from __future__ import annotations

import operator
import sys
import zlib
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate, chain
from typing import Any

import msgspec

from covgap.model import CoverageSet, FileCoverage, Function

FORMAT_VERSION = 1
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


_RANGES = (("b", 1 << 7), ("h", 1 << 15), ("i", 1 << 31), ("q", 1 << 63))


def _pack(values: array[int]) -> list[object]:
    """``[typecode, bytes]`` in the narrowest integer type that holds every value."""
    if not values:
        return ["b", b""]
    low, high = min(values), max(values)
    for code, bound in _RANGES:
        if -bound <= low and high < bound:
            return [code, _raw(values if values.typecode == code else array(code, values))]
    raise ValueError("value out of range")  # pragma: no cover - arrays are at most int64


def _unpack(packed: Any) -> array[int]:
    code, data = packed
    if code not in ("b", "h", "i", "q"):
        raise ValueError(f"unknown column type {code!r}")
    return _unraw(code, bytes(data))


def _deltas(values: array[int]) -> Iterator[int]:
    return map(operator.sub, values, chain((0,), values))


def _encode_suite(cs: CoverageSet) -> dict[str, object]:
    """One suite's files as columns: every file's lines, then every file's hits, ...

    Homogeneous columns compress far better than file-by-file records, and each column
    is stored in the narrowest integer type that holds it.
    """
    paths = sorted(cs.files)
    counts = array("q")  # per file: lines, branches, functions
    # The model's own column types, so each file's arrays extend these in C.
    lines, hits = array("i"), array("q")
    br_line, br_block, br_branch, br_taken = array("i"), array("i"), array("i"), array("q")
    fn_names: list[str] = []
    fn_start, fn_end, fn_hits = array("q"), array("q"), array("q")
    flags: list[dict[str, object]] = []
    for path in paths:
        fc = cs.files[path]
        counts.extend((len(fc.lines), len(fc.br_line), len(fc.functions)))
        lines.extend(_deltas(fc.lines))
        hits.extend(fc.hits)
        br_line.extend(_deltas(fc.br_line))
        br_block.extend(fc.br_block)
        br_branch.extend(fc.br_branch)
        br_taken.extend(fc.br_taken)
        for fn in fc.functions:
            fn_names.append(fn.name)
            fn_start.append(fn.start_line)
            fn_end.append(-1 if fn.end_line is None else fn.end_line)
            fn_hits.append(fn.hits)
        file_flags: dict[str, object] = {}
        if fc.flags:
            covered = fc.covered_lines()
            for flag, flagged in fc.flags.items():
                # A suite's flag is almost always "every line it covered": say so in a byte.
                same = flagged == covered
                file_flags[flag] = None if same else _pack(array("q", _deltas(flagged)))
        flags.append(file_flags)
    return {
        "paths": paths,
        "counts": _pack(counts),
        "lines": _pack(lines),
        "hits": _pack(hits),
        "br_line": _pack(br_line),
        "br_block": _pack(br_block),
        "br_branch": _pack(br_branch),
        "br_taken": _pack(br_taken),
        "fn_names": fn_names,
        "fn_start": _pack(fn_start),
        "fn_end": _pack(fn_end),
        "fn_hits": _pack(fn_hits),
        "flags": flags,
    }


def _decode_suite(doc: dict[str, Any]) -> CoverageSet:
    counts = _unpack(doc["counts"])
    lines, hits = _unpack(doc["lines"]), _unpack(doc["hits"])
    br_line, br_block = _unpack(doc["br_line"]), _unpack(doc["br_block"])
    br_branch, br_taken = _unpack(doc["br_branch"]), _unpack(doc["br_taken"])
    fn_names: list[str] = doc["fn_names"]
    fn_start, fn_end, fn_hits = (_unpack(doc[k]) for k in ("fn_start", "fn_end", "fn_hits"))
    files: dict[str, FileCoverage] = {}
    at_line = at_br = at_fn = 0
    for index, path in enumerate(doc["paths"]):
        n_lines, n_br, n_fn = counts[3 * index : 3 * index + 3]
        file_lines = array("i", accumulate(lines[at_line : at_line + n_lines]))
        file_hits = array("q", hits[at_line : at_line + n_lines])
        functions = tuple(
            Function(fn_names[i], fn_start[i], None if fn_end[i] < 0 else fn_end[i], fn_hits[i])
            for i in range(at_fn, at_fn + n_fn)
        )
        fc = FileCoverage.from_columns(
            path,
            file_lines,
            file_hits,
            br_line=array("i", accumulate(br_line[at_br : at_br + n_br])),
            br_block=array("i", br_block[at_br : at_br + n_br]),
            br_branch=array("i", br_branch[at_br : at_br + n_br]),
            br_taken=array("q", br_taken[at_br : at_br + n_br]),
            functions=functions,
        )
        file_flags = doc["flags"][index]
        if file_flags:
            covered = fc.covered_lines()
            fc.flags = {
                flag: covered if packed is None else array("i", accumulate(_unpack(packed)))
                for flag, packed in file_flags.items()
            }
        files[path] = fc
        at_line += n_lines
        at_br += n_br
        at_fn += n_fn
    return CoverageSet(files)


def encode(detail: RunDetail) -> bytes:
    """Pack and compress ``detail``; the first byte is the format version."""
    doc = {
        "suites": {name: _encode_suite(cs) for name, cs in sorted(detail.suites.items())},
        "blobs": detail.blobs,
        "components": detail.components,
    }
    return bytes([FORMAT_VERSION]) + zlib.compress(msgspec.msgpack.encode(doc), 6)


class DetailError(ValueError):
    """Stored detail that cannot be decoded (damaged, or from an unknown format)."""


def decode(data: bytes) -> RunDetail:
    """Undo :func:`encode`; raises :class:`DetailError` on damaged or unknown data."""
    if not data or data[0] != FORMAT_VERSION:
        raise DetailError(f"unknown detail format {data[:1]!r}")
    try:
        doc = msgspec.msgpack.decode(zlib.decompress(data[1:]))
        suites = {name: _decode_suite(part) for name, part in doc["suites"].items()}
        return RunDetail(suites, dict(doc["blobs"]), dict(doc["components"]))
    except (zlib.error, msgspec.DecodeError, KeyError, ValueError, TypeError, IndexError) as exc:
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


__all__ = ["FORMAT_VERSION", "DetailError", "RunDetail", "decode", "detail_from", "encode"]
