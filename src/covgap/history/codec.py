"""A run's per-line detail as compact bytes, and back, without losing anything.

A recorded run keeps, for each suite, the suite's own :class:`~covgap.model.CoverageSet`
(so a suite can later be carried forward or compared with itself), and for each file
its git blob id and component. Everything is packed with msgpack (msgspec) and
compressed with zlib:

* line numbers are delta-encoded (``array('i')`` of differences: mostly 1s, which
  compress to almost nothing), hit counts and branch columns are raw little-endian
  arrays;
* functions are ``[name, start, end, hits]`` rows; flags are delta-encoded line arrays.

``decode(encode(d)) == d`` for every detail (hypothesis-tested in
``tests/unit/test_history_codec.py``). The leading format byte lets a later covgap
read what an earlier one wrote.
"""

from __future__ import annotations

import operator
import sys
import zlib
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import accumulate, chain

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


def _delta(lines: array[int]) -> bytes:
    return _raw(array("i", map(operator.sub, lines, chain((0,), lines))))


def _undelta(data: bytes) -> array[int]:
    return array("i", accumulate(_unraw("i", data)))


def _encode_file(fc: FileCoverage) -> list[object]:
    return [
        fc.path,
        _delta(fc.lines),
        _raw(fc.hits),
        _delta(fc.br_line),
        _raw(fc.br_block),
        _raw(fc.br_branch),
        _raw(fc.br_taken),
        [[f.name, f.start_line, f.end_line, f.hits] for f in fc.functions],
        {flag: _delta(lines) for flag, lines in fc.flags.items()},
    ]


def _decode_file(row: list[object]) -> FileCoverage:
    path, lines, hits, br_line, br_block, br_branch, br_taken, funcs, flags = row
    assert isinstance(path, str) and isinstance(funcs, list) and isinstance(flags, dict)
    return FileCoverage.from_columns(
        path,
        _undelta(lines),  # type: ignore[arg-type]
        _unraw("q", hits),  # type: ignore[arg-type]
        br_line=_undelta(br_line),  # type: ignore[arg-type]
        br_block=_unraw("i", br_block),  # type: ignore[arg-type]
        br_branch=_unraw("i", br_branch),  # type: ignore[arg-type]
        br_taken=_unraw("q", br_taken),  # type: ignore[arg-type]
        functions=tuple(Function(n, s, e, h) for n, s, e, h in funcs),
        flags={k: _undelta(v) for k, v in flags.items()},
    )


def encode(detail: RunDetail) -> bytes:
    """Pack and compress ``detail``; the first byte is the format version."""
    doc = {
        "suites": {
            name: [_encode_file(cs.files[p]) for p in sorted(cs.files)]
            for name, cs in sorted(detail.suites.items())
        },
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
        suites = {}
        for name, rows in doc["suites"].items():
            files = {}
            for row in rows:
                fc = _decode_file(row)
                files[fc.path] = fc
            suites[name] = CoverageSet(files)
        return RunDetail(suites, dict(doc["blobs"]), dict(doc["components"]))
    except (zlib.error, msgspec.DecodeError, KeyError, ValueError, TypeError) as exc:
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
