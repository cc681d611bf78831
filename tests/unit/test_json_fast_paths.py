"""The JSON readers' typed fast paths give exactly what their validating readers give.

Issue 14 made every JSON reader decode one file member at a time with msgspec (its
peak memory near the file's size) and keep the old whole-document reader as the exact
fallback. These tests pin the contract that makes that safe: on every real fixture the
fast path *succeeds* (so the speed is real, not a silent fallback) and returns the same
coverage set, notes and source roots as the exact reader; on damaged input it hands
over (:data:`FAST_PATH_MISSES`) rather than guessing, and ``read`` then raises the
exact reader's error.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from types import ModuleType

import pytest

from covgap.errors import FormatError
from covgap.formats import (
    coveragepy_json,
    covgap_json,
    gcov_json,
    gcovr_json,
    get_format,
    istanbul,
    llvm_json,
    simplecov,
)
from covgap.formats._json import FAST_PATH_MISSES, check_utf8, strip_bom
from covgap.model import CoverageSet

DATA = Path(__file__).resolve().parents[1] / "data"
MODULES: dict[str, ModuleType] = {
    m.FORMAT.name: m
    for m in (istanbul, coveragepy_json, gcov_json, gcovr_json, llvm_json, simplecov, covgap_json)
}


def _fixtures() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(DATA.rglob("*")):
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        head = path.read_bytes()[:65536]
        if head.startswith(b"\x1f\x8b"):
            continue
        for name, module in MODULES.items():
            if module.sniff(head, path.name):
                found.append((name, path))
                break
    return found


FIXTURES = _fixtures()


def _same(a: CoverageSet, b: CoverageSet) -> None:
    assert a == b
    assert a.notes == b.notes
    assert a.source_roots == b.source_roots
    assert a.inputs == b.inputs
    for path, fc in a.files.items():  # order and detail, not just the totals
        other = b.files[path]
        assert (fc.lines, fc.hits, fc.functions) == (other.lines, other.hits, other.functions)
        assert (fc.br_line, fc.br_block, fc.br_branch, fc.br_taken) == (
            other.br_line,
            other.br_block,
            other.br_branch,
            other.br_taken,
        )
    assert list(a.files) == list(b.files)


def test_every_json_format_has_a_fixture_the_fast_path_reads() -> None:
    assert {name for name, _ in FIXTURES} == set(MODULES)


@pytest.mark.parametrize(("name", "path"), FIXTURES, ids=[f"{n}:{p.name}" for n, p in FIXTURES])
def test_fast_path_equals_exact_reader(name: str, path: Path) -> None:
    module = MODULES[name]
    data = path.read_bytes()
    try:
        exact = module._read_exact(io.BytesIO(data), str(path))
    except FormatError:
        with pytest.raises((*FAST_PATH_MISSES, FormatError)):
            module._read_fast(strip_bom(data), str(path))
        return
    fast = module._read_fast(strip_bom(data), str(path))  # must not fall back
    _same(fast, exact)
    _same(get_format(module.FORMAT.name).read(io.BytesIO(data), str(path)), exact)


def test_covgap_json_written_by_covgap_reads_fast(tmp_path: Path) -> None:
    """covgap's own JSON (the report's output) goes through the fast path unchanged."""
    lcov = next(iter(sorted((DATA / "lcov").rglob("*.info"))))
    from covgap.formats import lcov as lcov_format

    with lcov_format_open(lcov) as stream:
        cs = lcov_format.read(stream, str(lcov))
    buf = io.BytesIO()
    covgap_json.write(cs, buf)
    data = buf.getvalue()
    if data.startswith(b"\x1f\x8b"):
        data = gzip.decompress(data)
    _same(covgap_json._read_fast(data, "x.json"), covgap_json._read_exact(io.BytesIO(data), "x"))


def lcov_format_open(path: Path) -> io.BufferedReader:
    return path.open("rb")


ISTANBUL_OK = (
    b'{"/r/a.js": {"path": "/r/a.js", "statementMap": {"0": {"start": {"line": 1, "column": 0},'
    b' "end": {"line": 1, "column": 9}}}, "s": {"0": 2}, "fnMap": {}, "f": {}, "branchMap": {},'
    b' "b": {}}}'
)


@pytest.mark.parametrize(
    ("damaged", "message"),
    [
        (ISTANBUL_OK.replace(b'"0": 2', b'"0": "2"'), '["/r/a.js"].s["0"]: expected a hit count'),
        (ISTANBUL_OK.replace(b'"0": 2', b'"0": true'), '["/r/a.js"].s["0"]: expected a hit count'),
        (ISTANBUL_OK.replace(b'"0": 2', b'"0": -1'), "hit count (integer >= 0) out of range"),
        (ISTANBUL_OK.replace(b'"line": 1, "column": 0', b'"line": 0'), "line number"),
        (ISTANBUL_OK[:-9], "looks truncated"),
        (ISTANBUL_OK.replace(b'"b": {}', b'"b": {}, "x": "\xff"'), "not UTF-8"),
        (b"[" * 5000 + b"]" * 5000, "depth limit exceeded"),
    ],
)
def test_damage_falls_back_to_the_exact_error(damaged: bytes, message: str) -> None:
    with pytest.raises(FAST_PATH_MISSES):
        check_utf8(damaged)
        istanbul._read_fast(damaged, "c.json")
    with pytest.raises(FormatError) as exact:
        istanbul._read_exact(io.BytesIO(damaged), "c.json")
    with pytest.raises(FormatError) as got:
        istanbul.read(io.BytesIO(damaged), "c.json")
    assert str(got.value) == str(exact.value)
    assert message in str(got.value)


def test_fast_path_keeps_only_what_it_reads() -> None:
    """Fields the typed structs do not name are skipped, yet UTF-8 is checked everywhere."""
    ok = ISTANBUL_OK.replace(b'"b": {}', b'"b": {}, "x": {"deep": [1, 2, {"y": "\xc3\xa9"}]}')
    check_utf8(ok)
    assert istanbul._read_fast(ok, "c.json").totals().lines_total == 1
    with pytest.raises(FAST_PATH_MISSES):
        check_utf8(ok.replace(b"\xc3\xa9", b"\xc3"))


# -- issue 10's reader fixes are decided by the fast path too (merge of h-json) ---------

_ISSUE_10_DOCS: list[tuple[str, object, bool]] = [
    (  # gcovr: per-listing totals note, branch run on a zero-count line, "lineno": 0
        "gcovr-json",
        {
            "gcovr/format_version": "0.6",
            "files": [
                {
                    "file": "a.c",
                    "lines": [
                        {
                            "line_number": 3,
                            "count": 0,
                            "branches": [{"count": 2, "branchno": 0}, {"count": 0}],
                        },
                        {"line_number": 5, "count": 1},
                        {"line_number": 5, "count": 2},
                    ],
                    "functions": [{"name": "f", "lineno": 0, "execution_count": 1}],
                }
            ],
        },
        True,
    ),
    (  # istanbul 0.x: branches with "line"/"locations" and no "loc"
        "istanbul",
        {
            "a.js": {
                "path": "a.js",
                "statementMap": {"0": {"start": {"line": 1}, "end": {"line": 1}}},
                "s": {"0": 1},
                "fnMap": {},
                "f": {},
                "branchMap": {
                    "0": {"line": 4, "type": "if", "locations": [{"start": {"line": 4}}]},
                    "1": {"type": "if", "locations": [{"start": {"line": 6}, "end": {}}]},
                },
                "b": {"0": [1, 0], "1": [0, 0]},
            }
        },
        False,
    ),
    (  # coverage.py: "totals" that disagree with the per-line data
        "coveragepy-json",
        {
            "meta": {"format": 3, "version": "7.6.0", "branch_coverage": False},
            "files": {"a.py": {"executed_lines": [1, 2], "missing_lines": [3]}},
            "totals": {"num_statements": 5, "covered_lines": 2},
        },
        True,
    ),
    (  # llvm-cov: a per-file "summary" that disagrees
        "llvm-json",
        {
            "type": "llvm.coverage.json.export",
            "version": "2.0.1",
            "data": [
                {
                    "files": [
                        {
                            "filename": "a.c",
                            "segments": [
                                [1, 1, 3, True, True, False],
                                [2, 1, 0, False, False, False],
                            ],
                            "summary": {"lines": {"count": 9, "covered": 1}},
                        }
                    ],
                    "functions": [],
                }
            ],
        },
        True,
    ),
]


@pytest.mark.parametrize(("name", "doc", "noted"), _ISSUE_10_DOCS, ids=lambda v: str(v)[:12])
def test_issue_10_fixes_on_the_fast_path(name: str, doc: object, noted: bool) -> None:
    import orjson

    module = MODULES[name]
    data = orjson.dumps(doc)
    fast = module._read_fast(data, "x.json")  # decided here: no fall-back
    _same(fast, module._read_exact(io.BytesIO(data), "x.json"))
    assert bool(fast.notes) == noted
